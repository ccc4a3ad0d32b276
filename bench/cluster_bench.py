"""Cluster benchmark: 1, 2 and 3 crawl nodes with one archive writer, beside one process.

    python bench/cluster_bench.py [--sites 24] [--articles 40] [--nodes 1,2,3]

Serves many NDSoft-like loopback sites (bench/crawl_bench.py's BenchSite), each on its own
127.0.0.x address, so Scrapy gives each its own download slot and the cluster its own lock:
one request in flight per site, no delay; with many sites politeness is not the limit, the
CPU is. In one invocation, against the same sites, it runs:

1. single: ``scrapy crawl news -a site=...`` into SQLite, one process (and its extraction
   workers);
2. for each N in --nodes: a fresh redis-server, one ``scrapy archive-writer`` and N
   ``scrapy crawl news`` nodes with ``REDIS_URL``: wall time from the start until the writer
   has saved the last record;
3. writer alone: 3 nodes fill the stream with no writer running; then the writer is timed
   draining it (saves per second).

For each it prints pages per second (captures archived / wall time) and CPU ms per page,
summed over every process involved (nodes, their extraction workers, the writer, Redis).
The machine is shared and has few CPUs: on one machine more nodes share the same CPUs, so
read the CPU per page as the cost of distribution, not the wall time as its gain.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import redis
from crawl_bench import REPO, BenchSite, _tree

sys.path.insert(0, str(REPO))
from archive import open_db
from tests.crawl_run import site_entry
from tests.mocksite import corpus_missing
from tests.mocksite.server import serving
from tests.redis_server import redis_server

SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
    "LOG_LEVEL": "INFO",  # the writer's closing line gives its own saves per second
    "LOGSTATS_INTERVAL": "0",
    "NEWSCRAWL_CLUSTER_STREAM_MAXLEN": "100000",
}


WRITER = ["-m", "scrapy", "archive-writer", "--idle-exit", "0.3"]


@dataclass
class Result:
    name: str
    pages: int
    wall: float
    cpu: float

    def row(self) -> str:
        rate = self.pages / self.wall if self.wall else 0.0
        ms = self.cpu / max(self.pages, 1) * 1000
        return (
            f"{self.name:<16} {self.pages:>6} pages {self.wall:>7.1f} s {rate:>8.1f} pages/s "
            f"{ms:>7.2f} CPU ms/page"
        )


class Processes:
    """Child processes, each in its own session, with their trees' CPU sampled."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        self.cpu: dict[int, float] = {}

    def start(self, argv: list[str], log: Path) -> subprocess.Popen[bytes]:
        out = log.open("wb")
        proc = subprocess.Popen(
            [sys.executable, *argv], cwd=REPO, stdout=out, stderr=out, start_new_session=True
        )
        self.procs.append(proc)
        return proc

    def sample(self, extra_pids: tuple[int, ...] = ()) -> None:
        for proc in self.procs:
            self.cpu.update({pid: c for pid, (c, _) in _tree(proc.pid).items()})
        for pid in extra_pids:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            self.cpu[pid] = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")

    def wait(self, procs: list[subprocess.Popen[bytes]], extra_pids: tuple[int, ...] = ()) -> None:
        while any(p.poll() is None for p in procs):
            self.sample(extra_pids)
            time.sleep(0.05)
        for proc in procs:
            if proc.returncode != 0:
                raise SystemExit(f"{proc.args[3:5]} failed with status {proc.returncode}")

    def total(self) -> float:
        return sum(self.cpu.values())


def captures(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM captures").fetchone()[0]


def sets(**extra: str) -> list[str]:
    return [a for k, v in {**SETTINGS, **extra}.items() for a in ("-s", f"{k}={v}")]


def crawl_args(registry: Path, names: str, **extra: str) -> list[str]:
    settings = sets(NEWSCRAWL_SITES_FILE=str(registry), **extra)
    return ["-m", "scrapy", "crawl", "news", "-a", f"site={names}", *settings]


def redis_pid(url: str) -> int:
    return int(redis.Redis.from_url(url).info("server")["process_id"])


def run_single(work: Path, registry: Path, names: str) -> Result:
    db = work / "single.db"
    procs = Processes()
    start = time.perf_counter()
    procs.wait(
        [procs.start(crawl_args(registry, names, ARCHIVE_DB_PATH=str(db)), work / "single.log")]
    )
    return Result("single", captures(db), time.perf_counter() - start, procs.total())


def run_cluster(work: Path, registry: Path, names: str, nodes: int) -> Result:
    here = work / f"nodes-{nodes}"
    here.mkdir()
    db = here / "news.db"
    with redis_server(here) as url:
        pid = redis_pid(url)
        procs = Processes()
        start = time.perf_counter()
        crawlers = [
            procs.start(crawl_args(registry, names, REDIS_URL=url), here / f"node{n}.log")
            for n in range(nodes)
        ]
        # Started once a node is up: a writer with an empty stream and no node would exit.
        server = redis.Redis.from_url(url)
        while not any(server.scan_iter(match="*:node:*")):
            procs.sample((pid,))
            time.sleep(0.05)
        writer_settings = sets(REDIS_URL=url, ARCHIVE_DB_PATH=str(db))
        writer = procs.start([*WRITER, *writer_settings], here / "writer.log")
        procs.wait([*crawlers, writer], (pid,))
        wall = time.perf_counter() - start - 0.3  # the writer's idle wait before it exits
        return Result(f"{nodes} node(s)+writer", captures(db), wall, procs.total())


def run_writer_alone(work: Path, registry: Path, names: str) -> Result:
    here = work / "writer-alone"
    here.mkdir()
    db = here / "news.db"
    # The nodes run where the (empty) archive is, so they read their memory from the file
    # instead of asking the writer, which is not started yet.
    open_db(db).close()
    with redis_server(here) as url:
        fill = Processes()
        fill.wait(
            [
                fill.start(
                    crawl_args(registry, names, REDIS_URL=url, ARCHIVE_DB_PATH=str(db)),
                    here / f"node{n}.log",
                )
                for n in range(3)
            ]
        )
        records = redis.Redis.from_url(url).xlen("newscrawl:records")
        procs = Processes()
        start = time.perf_counter()
        writer_settings = sets(REDIS_URL=url, ARCHIVE_DB_PATH=str(db))
        procs.wait([procs.start([*WRITER, *writer_settings], here / "writer.log")])
        wall = time.perf_counter() - start - 0.3
        log = (here / "writer.log").read_text()
        work_s = re.search(r"in ([\d.]+) s of work \((\d+) saves/s\)", log)
        print(
            f"(stream held {records} entries; the writer's own time reading, saving and "
            f"acknowledging: {work_s.group(1) if work_s else '?'} s, "
            f"{work_s.group(2) if work_s else '?'} saves/s; wall below includes its start-up)",
            flush=True,
        )
        return Result("writer alone", captures(db), wall, procs.total())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=24)
    parser.add_argument("--articles", type=int, default=40, help="per site")
    parser.add_argument("--nodes", default="1,2,3")
    parser.add_argument("--keep", type=Path, help="keep logs and archives in DIR")
    options = parser.parse_args()
    if reason := corpus_missing():
        raise SystemExit(reason)
    work = options.keep or Path(tempfile.mkdtemp(prefix="cluster-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        entries = []
        for n in range(options.sites):
            site = BenchSite(options.articles)
            server = stack.enter_context(serving(site, host=f"127.0.0.{n + 2}"))
            site.base = server.base_url.rstrip("/")
            entries.append(site_entry(f"bench{n}", server.base_url))
        registry = work / "sites.toml"
        registry.write_text("\n".join(entries), encoding="utf-8")
        names = ",".join(f"bench{n}" for n in range(options.sites))
        print(
            f"{options.sites} loopback sites x {options.articles} NDSoft article pages; "
            f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs (shared machine)",
            flush=True,
        )
        print(run_single(work, registry, names).row(), flush=True)
        for nodes in (int(n) for n in options.nodes.split(",")):
            print(run_cluster(work, registry, names, nodes).row(), flush=True)
        print(run_writer_alone(work, registry, names).row(), flush=True)
    if not options.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
