"""End to end: the project deployed to a real Scrapyd with ``scrapyd-deploy``, a job
scheduled through ``schedule.json`` running as a cluster node, and the archive writer saving
what it crawled. Scrapyd, redis-server and the site all listen on loopback only."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest
import redis

from tests.crawl_run import FAST, REPO, site_entry
from tests.mocksite import corpus_missing
from tests.mocksite.server import serving
from tests.mocksite.sites import NdsoftSite
from tests.redis_server import REDIS_SERVER, free_port, redis_server

pytestmark = pytest.mark.e2e
if reason := corpus_missing():
    pytest.skip(reason, allow_module_level=True)
if REDIS_SERVER is None:
    pytest.skip("redis-server is not installed (.ci/run installs it)", allow_module_level=True)
BIN = Path(sys.executable).parent
if not (BIN / "scrapyd").exists() or not (BIN / "scrapyd-deploy").exists():
    pytest.skip("scrapyd / scrapyd-client are not installed", allow_module_level=True)

PROJECT_FILES = ("scrapy.cfg", "setup.py", "pyproject.toml", "README.md", "newscrawl", "archive")


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[str]:
    """A Scrapyd on a free loopback port, its eggs, logs and jobs under ``tmp_path``."""
    port = free_port()
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\neggs_dir = {home}/eggs\nlogs_dir = {home}/logs\n"
        f"dbs_dir = {home}/dbs\nitems_dir =\npoll_interval = 0.2\nmax_proc = 1\n",
        encoding="utf-8",
    )
    log = (home / "scrapyd.log").open("wb")
    proc = subprocess.Popen([BIN / "scrapyd"], cwd=home, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "no Scrapyd"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def api(base: str, path: str, **data: str) -> dict:
    if data:
        body = urlencode(list(_pairs(data))).encode()
        with urlopen(base + path, data=body, timeout=30) as answer:
            return json.load(answer)
    with urlopen(base + path, timeout=30) as answer:
        return json.load(answer)


def _pairs(data: dict[str, str]) -> Iterator[tuple[str, str]]:
    for key, value in data.items():
        if key == "settings":  # one ``setting=NAME=VALUE`` parameter per setting
            yield from (("setting", line) for line in value.splitlines())
        else:
            yield key, value


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes the test starts, killed at its end if still running."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_scrapyd_job_is_a_cluster_node(
    tmp_path: Path, scrapyd: str, procs: list[subprocess.Popen[str]]
) -> None:
    project = tmp_path / "project"  # deployed from a copy: the build writes beside it
    project.mkdir()
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, project / name)
    with (project / "scrapy.cfg").open("a", encoding="utf-8") as cfg:
        cfg.write(f"\n[deploy:test]\nurl = {scrapyd}\nproject = newscrawl\n")
    deploy = subprocess.run(
        [BIN / "scrapyd-deploy", "test"], cwd=project, capture_output=True, text=True, timeout=120
    )
    assert deploy.returncode == 0, deploy.stderr
    assert api(scrapyd, "listspiders.json?project=newscrawl")["spiders"] == ["news"]

    site = NdsoftSite(count=5)
    with redis_server(tmp_path) as redis_url, serving(site) as server:
        site.base = server.base_url.rstrip("/")
        registry = tmp_path / "sites.toml"
        registry.write_text(site_entry("mock", server.base_url), encoding="utf-8")
        db = tmp_path / "news.db"
        settings = {**FAST, "NEWSCRAWL_SITES_FILE": str(registry), "REDIS_URL": redis_url}
        # First, as the README says: the node, without the archive, asks it what it holds.
        sets = ["-s", f"REDIS_URL={redis_url}", "-s", f"ARCHIVE_DB_PATH={db}"]
        writer = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "archive-writer", *sets],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        procs.append(writer)
        job = api(
            scrapyd,
            "schedule.json",
            project="newscrawl",
            spider="news",
            site="mock",
            settings="\n".join(f"{k}={v}" for k, v in settings.items()),
        )
        assert job["status"] == "ok", job
        deadline = time.monotonic() + 120
        while True:
            jobs = api(scrapyd, "listjobs.json?project=newscrawl")
            if any(j["id"] == job["jobid"] for j in jobs["finished"]):
                break
            assert time.monotonic() < deadline, jobs
            time.sleep(0.3)
        server = redis.Redis.from_url(redis_url)
        while server.xlen("newscrawl:records"):  # the writer saves what the node sent
            assert time.monotonic() < deadline and writer.poll() is None
            time.sleep(0.1)
        writer.send_signal(signal.SIGTERM)
        out, _ = writer.communicate(timeout=60)
        assert writer.returncode == 0, out[-3000:]
    with sqlite3.connect(db) as conn:
        urls = {url for (url,) in conn.execute("SELECT url FROM articles")}
        runs = conn.execute("SELECT status FROM crawl_runs").fetchall()
    assert urls == {site.url(a.id) for a in site.articles}
    assert runs == [("ok",)]
