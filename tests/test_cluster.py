"""The cluster's parts on their own: the record codec, the settings switch, the archive
writer and the per-site lock, against a real redis-server on loopback."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
from scrapy import Request
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

import archive
from newscrawl.cluster.politeness import SiteLock
from newscrawl.cluster.record import decode_record, encode_page
from newscrawl.cluster.settings import apply_cluster_settings
from newscrawl.cluster.writer import CONSUMER, GROUP, ArchiveWriter
from newscrawl.extract.article import Article, Status
from newscrawl.items import Page
from tests.crawl_run import REPO, Crawl, closed_port, site_entry
from tests.redis_server import (
    REDIS_SERVER,
    server_fixture,  # noqa: F401 (the fixture `server`)
)

STREAM = "test:records"
needs_redis = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")


def page(n: int = 1, *, notes: list[str] | None = None) -> Page:
    body = f"<html><body><h1>기사 {n}</h1><p>본문 {n}</p></body></html>".encode()
    url = f"http://news.example/article/{n}"
    item = Page(
        url=url,
        final_url=url,
        status=200,
        headers={"Content-Type": ["text/html; charset=utf-8"]},
        body=body,
        encoding="utf-8",
        fetched_at=datetime(2026, 12, 4, 9, 30, 15, tzinfo=UTC),
        site="example",
        notes=notes or [],
    )
    item.article = Article(
        url=url,
        canonical_url=url,
        site="example",
        title=f"기사 {n}",
        body=f"본문 {n}은 충분히 긴 문장입니다.",
        published=datetime(2026, 12, 4, 8, 0, tzinfo=UTC),
        status=Status.OK,
    )
    return item


# --- the record ---------------------------------------------------------------------------------
def test_a_record_decodes_to_the_pages_capture_and_article_row() -> None:
    item = page(notes=["response cut short"])
    capture, row = decode_record(encode_page(item))
    expected = item.capture()
    assert (capture.url, capture.final_url, capture.status) == (item.url, item.url, 200)
    assert capture.fetched_at == expected.fetched_at
    assert capture.body == item.body
    assert capture.headers == item.headers and capture.site == "example"
    assert capture.blob is not None and capture.blob.size == len(item.body)
    assert row == item.article_row()
    assert row["messages"][-1] == "response cut short"  # the crawl's notes travel with it


def test_a_record_of_another_version_is_refused() -> None:
    data = encode_page(page()).replace(b'"v":1', b'"v":9', 1)
    with pytest.raises(ValueError, match="version 9"):
        decode_record(data)
    with pytest.raises(ValueError, match="no header"):
        decode_record(b"garbage")


# --- the switch ---------------------------------------------------------------------------------
def test_without_redis_url_nothing_changes() -> None:
    settings = Settings({"ITEM_PIPELINES": {"newscrawl.pipelines.ArchivePipeline": 800}})
    assert apply_cluster_settings(settings) is False
    assert "scrapy_redis" not in str(settings.get("SCHEDULER"))
    assert settings.getdict("ITEM_PIPELINES") == {"newscrawl.pipelines.ArchivePipeline": 800}


def test_redis_url_makes_a_cluster_node() -> None:
    settings = Settings(
        {
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "ITEM_PIPELINES": {"newscrawl.pipelines.ArchivePipeline": 800},
        }
    )
    assert apply_cluster_settings(settings) is True
    assert settings.get("SCHEDULER") == "newscrawl.cluster.scheduler.ClusterScheduler"
    assert settings.get("DUPEFILTER_CLASS") == "scrapy_redis.dupefilter.RFPDupeFilter"
    pipelines = settings.getdict("ITEM_PIPELINES")
    assert pipelines["newscrawl.pipelines.ArchivePipeline"] is None  # nodes never write SQLite
    assert pipelines["newscrawl.cluster.stream.StreamPipeline"] == 800
    assert "newscrawl.cluster.politeness.SiteLock" in settings.getdict("DOWNLOADER_MIDDLEWARES")


# --- the writer ---------------------------------------------------------------------------------
def add(server: redis.Redis, kind: str, data: bytes, run: str = "r1") -> None:
    server.xadd(STREAM, {"kind": kind, "run": run, "data": data})


def drain(server: redis.Redis, db: Path, **kwargs: object) -> ArchiveWriter:
    writer = ArchiveWriter(server, str(db), stream=STREAM, batch=2, block=0.1)
    writer.run(idle_exit=0.2, stopping=lambda: False, **kwargs)  # type: ignore[arg-type]
    return writer


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


START = b'{"spider": "news", "sites": [{"name": "example", "title": "Example", '
START += b'"home_url": "http://news.example/", "cms": "generic", "region": null}]}'
END = b'{"record": {"fetched": 3, "sites": {"example": {"fetched": 3}}}, '
END += b'"status": "ok", "reason": "1 site(s) crawled"}'


def test_the_writer_saves_records_and_the_run_then_empties_the_stream(
    server: redis.Redis, tmp_path: Path
) -> None:
    add(server, "run-start", START)
    for n in (1, 2, 3):
        add(server, "page", encode_page(page(n)))
    add(server, "run-end", END)
    db = tmp_path / "news.db"
    writer = drain(server, db)
    assert writer.saved == {"new": 3}
    assert server.xlen(STREAM) == 0  # acknowledged and deleted after the commit
    assert rows(db, "SELECT count(*) FROM articles") == [(3,)]
    ((stats, status),) = rows(db, "SELECT stats, status FROM crawl_runs")
    assert status == "ok"
    # What the node counted, plus what only the writer knows: what the saves made.
    assert '"new": 3' in stats and '"fetched": 3' in stats
    assert rows(db, "SELECT title FROM sites") == [("Example",)]


def test_records_a_killed_writer_read_are_saved_once_by_the_next(
    server: redis.Redis, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    for n in (1, 2, 3):
        add(server, "page", encode_page(page(n)))
    # A writer read all three, committed the first and was killed before acknowledging.
    server.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    read = server.xreadgroup(GROUP, CONSUMER, {STREAM: ">"}, count=10)
    assert len(read[0][1]) == 3
    conn = archive.open_db(str(db))
    first = page(1)
    archive.save(conn, first.capture(), first.article_row())
    conn.close()
    writer = drain(server, db)
    assert writer.saved == {"duplicate": 1, "new": 2}
    assert rows(db, "SELECT count(*) FROM captures") == [(3,)]
    assert rows(db, "SELECT count(*) FROM articles") == [(3,)]
    assert server.xlen(STREAM) == 0


def test_a_record_that_cannot_be_saved_is_set_aside_not_retried_forever(
    server: redis.Redis, tmp_path: Path
) -> None:
    add(server, "page", b"not a record")
    add(server, "page", encode_page(page(1)))
    writer = drain(server, tmp_path / "news.db")
    assert writer.saved == {"set_aside": 1, "new": 1}
    assert server.xlen(STREAM) == 0
    ((_, fields),) = server.xrange(f"{STREAM}:failed")
    assert fields[b"data"] == b"not a record"
    assert fields[b"error"] == b"ValueError: not a page record: no header line"


def test_idle_exit_waits_for_the_last_node(server: redis.Redis, tmp_path: Path) -> None:
    server.set("news:node:somewhere-1-abc", "1", px=800)  # a node alive for 0.8 s more
    start = time.monotonic()
    drain(server, tmp_path / "news.db")
    assert time.monotonic() - start >= 0.7


def test_a_stopping_writer_commits_what_it_read(server: redis.Redis, tmp_path: Path) -> None:
    add(server, "page", encode_page(page(1)))
    stop = threading.Event()
    writer = ArchiveWriter(server, str(tmp_path / "news.db"), stream=STREAM, block=0.1)
    thread = threading.Thread(target=writer.run, kwargs={"stopping": stop.is_set})
    thread.start()
    deadline = time.monotonic() + 10
    while server.xlen(STREAM) and time.monotonic() < deadline:
        time.sleep(0.02)
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert writer.saved == {"new": 1}


def archive_writer(*settings: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "scrapy", "archive-writer", "--idle-exit", "0"]
    argv += [a for setting in settings for a in ("-s", setting)]
    return subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=60)


def test_the_writer_command_needs_redis_url(tmp_path: Path) -> None:
    proc = archive_writer(f"ARCHIVE_DB_PATH={tmp_path}/a.db")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "scrapy archive-writer: error: setting REDIS_URL is empty: expected the cluster's Redis URL"
    ]


def test_the_writer_command_refuses_a_file_that_is_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not an archive", encoding="utf-8")
    url = f"redis://127.0.0.1:{closed_port()}/0"  # refused before Redis is asked
    proc = archive_writer(f"ARCHIVE_DB_PATH={path}", f"REDIS_URL={url}")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"scrapy archive-writer: error: setting ARCHIVE_DB_PATH: {path}: not an SQLite database"
    ]
    assert path.read_text(encoding="utf-8") == "not an archive"


def test_a_node_whose_redis_does_not_answer_says_so_in_one_line(tmp_path: Path) -> None:
    crawl = Crawl(tmp_path)
    crawl.write_registry(site_entry("mock-nd", "http://127.0.0.1:9/"))
    url = f"redis://127.0.0.1:{closed_port()}/0"
    run = crawl.run("-a", "site=mock-nd", timeout=60, REDIS_URL=url)
    assert run.returncode == 1
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith("scrapy crawl: error: Redis at REDIS_URL does not answer: ")
    assert "Connection refused" in line
    assert not crawl.db.exists()  # refused before the crawl, not by it


# --- the site lock ------------------------------------------------------------------------------
def lock(server: redis.Redis, delay: float) -> SiteLock:
    crawler = SimpleNamespace(stats=MemoryStatsCollector(SimpleNamespace(settings=Settings())))
    return SiteLock(crawler, server, delay=delay, hold=5.0, poll=0.01)  # type: ignore[arg-type]


@needs_redis
def test_a_site_takes_one_request_at_a_time_across_nodes_and_cools_down(
    server: redis.Redis,
) -> None:
    a, b = lock(server, 0.3), lock(server, 0.3)
    first, second = Request("http://news.example/1"), Request("http://news.example/2")
    other = Request("http://other.example/1")

    async def scenario() -> float:
        await a.process_request(first)
        await asyncio.wait_for(b.process_request(other), 1)  # another site: no wait
        waiting = asyncio.ensure_future(b.process_request(second))
        await asyncio.sleep(0.2)
        assert not waiting.done()  # node a's request is in flight
        released = time.monotonic()
        a.request_left(first)
        await asyncio.wait_for(waiting, 5)
        return time.monotonic() - released

    waited = asyncio.run(scenario())
    assert waited >= 0.25  # the site's cool-down (DOWNLOAD_DELAY) after the response
    assert b.crawler.stats.get_value("cluster/site_lock_waits") == 1
