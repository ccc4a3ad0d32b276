"""End to end: a crawl cluster of real processes, a real redis-server and loopback sites.

Three ``scrapy crawl news`` nodes and one ``scrapy archive-writer`` share a redis-server
started for the test; one node and the writer are killed with SIGKILL mid-run and the writer
is restarted. Every article must be archived once, no site may see two requests at once,
and ``archive verify`` must find the archive sound.
"""

from __future__ import annotations

import itertools
import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from tests.crawl_run import FAST, REPO, site_entry
from tests.mocksite import corpus_missing
from tests.mocksite.generic import GenericSite
from tests.mocksite.server import MockServer, serving
from tests.mocksite.sites import NdsoftSite
from tests.redis_server import REDIS_SERVER, redis_server

pytestmark = pytest.mark.e2e
if reason := corpus_missing():
    pytest.skip(reason, allow_module_level=True)
if REDIS_SERVER is None:
    pytest.skip("redis-server is not installed (.ci/run installs it)", allow_module_level=True)

ARTICLES = 14  # per site
DELAY = 0.2  # DOWNLOAD_DELAY: the cool-down each site gets between two requests


@dataclass
class Cluster:
    """Three loopback sites, a redis-server, a registry and the archive path."""

    sites: list[NdsoftSite]
    servers: list[MockServer]
    redis_url: str
    tmp: Path

    @property
    def db(self) -> Path:
        return self.tmp / "news.db"

    def command(self, *args: str, **overrides: str) -> list[str]:
        settings = {
            **FAST,
            "NEWSCRAWL_SITES_FILE": str(self.tmp / "sites.toml"),
            "ARCHIVE_DB_PATH": str(self.db),
            "REDIS_URL": self.redis_url,
            "DOWNLOAD_DELAY": str(DELAY),
            "NEWSCRAWL_CLUSTER_NODE_TTL": "5",  # a loaded machine may stall a node for seconds
            "NEWSCRAWL_CLUSTER_STREAM_MAXLEN": "6",  # small: the nodes meet back-pressure
            "ARCHIVE_COMMIT_EVERY": "4",
            "CONCURRENT_REQUESTS": "4",  # each node takes a few requests, not the whole queue
            **overrides,
        }
        sets = [a for k, v in settings.items() for a in ("-s", f"{k}={v}")]
        return [sys.executable, "-m", "scrapy", *args, *sets]

    def start(self, name: str, *args: str, **overrides: str) -> subprocess.Popen[bytes]:
        log = (self.tmp / f"{name}.log").open("wb")
        return subprocess.Popen(self.command(*args, **overrides), cwd=REPO, stdout=log, stderr=log)

    def node(self, n: int) -> subprocess.Popen[bytes]:
        names = ",".join(f"site{i}" for i in range(len(self.sites)))
        return self.start(f"node{n}", "crawl", "news", "-a", f"site={names}")

    def writer(self, n: int) -> subprocess.Popen[bytes]:
        return self.start(f"writer{n}", "archive-writer", "--idle-exit", "3")

    def log(self, name: str, tail: int = 4000) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")[-tail:]

    def wait_for_a_node(self, timeout: float = 60) -> None:
        server = redis.Redis.from_url(self.redis_url)
        deadline = time.monotonic() + timeout
        while not any(server.scan_iter(match="news:node:*")):
            assert time.monotonic() < deadline, f"no crawl node up in {timeout}s"
            time.sleep(0.02)

    def wait_for_in_flight(self, nodes: list[subprocess.Popen[bytes]], timeout: float = 60) -> int:
        """Wait until one of ``nodes`` has requests in flight (in its Redis hash); which."""
        server = redis.Redis.from_url(self.redis_url)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for n, node in enumerate(nodes):
                for key in server.scan_iter(match=f"news:inflight:*-{node.pid}-*"):
                    if server.hlen(key):
                        return n
            time.sleep(0.02)
        raise AssertionError(f"no node had a request in flight in {timeout}s")

    def article_fetches(self) -> int:
        return sum(len(s.requests_for("articleView")) for s in self.servers)

    def wait_for_fetches(self, n: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.article_fetches() < n:
            assert time.monotonic() < deadline, f"fewer than {n} articles fetched in {timeout}s"
            time.sleep(0.05)


def make_cluster(tmp_path: Path, n_sites: int) -> Iterator[Cluster]:
    with ExitStack() as stack:
        url = stack.enter_context(redis_server(tmp_path))
        sites, servers = [], []
        for _ in range(n_sites):
            site = NdsoftSite(count=ARTICLES)
            server = stack.enter_context(serving(site, delay=0.05))
            site.base = server.base_url.rstrip("/")
            sites.append(site)
            servers.append(server)
        registry = [site_entry(f"site{i}", s.base_url) for i, s in enumerate(servers)]
        (tmp_path / "sites.toml").write_text("\n".join(registry), encoding="utf-8")
        yield Cluster(sites, servers, url, tmp_path)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    yield from make_cluster(tmp_path, 3)


@pytest.fixture
def one_site(tmp_path: Path) -> Iterator[Cluster]:
    yield from make_cluster(tmp_path, 1)


def overlaps(server: MockServer) -> list[tuple[str, str]]:
    """Requests to one site that were answered at the same time as another."""
    spans = sorted(server.spans)
    return [(a[2], b[2]) for a, b in itertools.pairwise(spans) if b[0] < a[1]]


def short_gaps(server: MockServer, least: float) -> list[float]:
    spans = sorted(server.spans)
    gaps = [b[0] - a[1] for a, b in itertools.pairwise(spans)]
    return [round(g, 3) for g in gaps if g < least]


def test_three_nodes_and_a_writer_survive_sigkill(cluster: Cluster) -> None:
    nodes = [cluster.node(n) for n in range(3)]
    writer = None
    try:
        # Once a node runs: a writer with an empty stream and no node would exit at once.
        cluster.wait_for_a_node()
        writer = cluster.writer(1)
        cluster.wait_for_fetches(6)
        victim = cluster.wait_for_in_flight(nodes)
        nodes[victim].send_signal(signal.SIGKILL)  # a node dies with requests in flight
        cluster.wait_for_fetches(14)
        writer.send_signal(signal.SIGKILL)  # the writer dies with a batch read, not acked
        writer.wait(timeout=10)
        time.sleep(1)  # the stream fills up meanwhile: the nodes wait (back-pressure)
        writer = cluster.writer(2)
        for n, node in enumerate(nodes):
            if n != victim:
                assert node.wait(timeout=120) == 0, cluster.log(f"node{n}")
        assert writer.wait(timeout=60) == 0, cluster.log("writer2")
    finally:
        for proc in [*nodes, writer]:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
    assert nodes[victim].returncode == -signal.SIGKILL
    with sqlite3.connect(cluster.db) as conn:
        articles = conn.execute("SELECT url FROM articles").fetchall()
        runs = conn.execute("SELECT status, reason, stats FROM crawl_runs").fetchall()
    expected = {s.url(a.id) for s in cluster.sites for a in s.articles}
    urls = [url for (url,) in articles]
    missing = sorted(expected - set(urls))
    logs = {n: s.log for n, s in enumerate(cluster.servers)}
    assert not missing, (missing, logs)
    assert sorted(urls) == sorted(expected)  # every article, each once
    # The two nodes that finished recorded their runs; the killed node's run is finished by
    # the writer once its heartbeat lapsed. The real new counts come from the writer.
    assert sorted(status for status, _, _ in runs) == ["interrupted", "ok", "ok"]
    ((reason, stats),) = [(r, st) for status, r, st in runs if status == "interrupted"]
    assert "no heartbeat" in reason and '"complete": false' in stats
    assert sum(json.loads(stats).get("new", 0) for _, _, stats in runs) == len(expected)
    for n in range(3):
        if n != victim:  # a node knows what it sent, not what the archive made of it
            log = cluster.log(f"node{n}", tail=10**6)
            assert "sent to the archive writer" in log and "new 0" not in log
    for server in cluster.servers:
        assert not overlaps(server), overlaps(server)
        # The cool-down between two requests to a site (DOWNLOAD_DELAY) holds across nodes.
        assert not short_gaps(server, DELAY * 0.9), short_gaps(server, DELAY * 0.9)
    requeued = "".join(cluster.log(f"node{n}", tail=10**6) for n in range(3) if n != victim)
    assert "back in the queue" in requeued  # the killed node's requests, by another node
    verify = subprocess.run(
        [sys.executable, "-m", "archive", "verify", str(cluster.db)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


# --- the incremental rules, on a node without the archive file -----------------------------------
ELSEWHERE = "elsewhere/news.db"  # a node's ARCHIVE_DB_PATH on a machine without the archive


def stop_all(*procs: subprocess.Popen[bytes] | None) -> None:
    for proc in procs:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_node_without_the_archive_skips_what_it_holds(one_site: Cluster) -> None:
    cluster, (server,) = one_site, one_site.servers
    first = subprocess.run(
        one_site.command("crawl", "news", "-a", "site=site0", REDIS_URL=""),
        cwd=REPO,
        capture_output=True,
        timeout=120,
    )
    assert first.returncode == 0, first.stderr[-3000:]
    with server.lock:
        server.log.clear()
    node = cluster.start(
        "node0",
        "crawl",
        "news",
        "-a",
        "site=site0",
        ARCHIVE_DB_PATH=str(cluster.tmp / ELSEWHERE),
    )
    writer = None
    try:
        cluster.wait_for_a_node()
        writer = cluster.writer(1)
        assert node.wait(timeout=120) == 0, cluster.log("node0")
        assert writer.wait(timeout=60) == 0, cluster.log("writer1")
    finally:
        stop_all(node, writer)
    assert "Archive memory from the writer" in cluster.log("node0", tail=10**6)
    assert not (cluster.tmp / ELSEWHERE).exists()  # the node opened no archive of its own
    # As a second run on one machine: only the article inside the revisit window (3 hours
    # old) is fetched again, and the list stops at its first page with nothing new.
    newest = cluster.sites[0].articles[0]
    assert server.requests_for("articleView") == [f"/news/articleView.html?idxno={newest.id}"]
    assert server.requests_for("page=2") and not server.requests_for("page=3")
    with sqlite3.connect(cluster.db) as conn:
        ((status, stats),) = conn.execute("SELECT status, stats FROM crawl_runs WHERE id = 2")
    assert status == "ok"
    record = json.loads(stats)  # what the node sent, what the writer made of it
    assert (record["sent"], record.get("new", 0), record["unchanged"]) == (1, 0, 1)


def test_a_node_no_writer_answers_does_not_crawl(one_site: Cluster) -> None:
    node = one_site.start(
        "node0",
        "crawl",
        "news",
        "-a",
        "site=site0",
        ARCHIVE_DB_PATH=str(one_site.tmp / ELSEWHERE),
        NEWSCRAWL_CLUSTER_MEMORY_TIMEOUT="1",
    )
    try:
        assert node.wait(timeout=120) == 1
    finally:
        stop_all(node)
    log = one_site.log("node0", tail=10**6)
    assert "Not crawling: no archive writer answered in 1 s" in log
    assert "archive_memory_unanswered" in log
    assert one_site.servers[0].log == []  # not one request: it would fetch everything again


def test_a_generic_sites_held_lists_are_walked_across_nodes(tmp_path: Path) -> None:
    """Its section pages wait on one node for robots.txt, feeds and sitemaps that other nodes
    may answer (no sitemap here): the articles are still found, through the sections."""
    site = GenericSite(sitemap=False)
    with redis_server(tmp_path) as url, serving(site) as server:
        site.base = server.base_url.rstrip("/")
        cluster = Cluster([], [server], url, tmp_path)
        # One request at a time per node: the answers spread over both nodes.
        common = {"NEWSCRAWL_SITES_FILE": "", "CONCURRENT_REQUESTS": "1"}
        args = ("crawl", "news", "-a", f"url={server.base_url}")
        elsewhere = str(tmp_path / ELSEWHERE)
        nodes = [
            cluster.start(f"node{n}", *args, ARCHIVE_DB_PATH=elsewhere, **common) for n in (0, 1)
        ]
        writer = None
        try:
            cluster.wait_for_a_node()
            writer = cluster.writer(1)
            for n, node in enumerate(nodes):
                assert node.wait(timeout=120) == 0, cluster.log(f"node{n}")
            assert writer.wait(timeout=60) == 0, cluster.log("writer1")
        finally:
            stop_all(*nodes, writer)
        # The held section list and its second page were walked.
        assert server.requests_for("/news/list?sc=society") and server.requests_for("page=2")
    with sqlite3.connect(cluster.db) as conn:
        urls = {u for (u,) in conn.execute("SELECT url FROM articles")}
    # As on one machine (tests/test_crawl_generic_e2e.py): every listed article; the slug
    # URL, on no list, is not found.
    listed = [a for a in site.articles if a.path.startswith("/news/article/")]
    assert urls == {site.url(a.path) for a in listed}
