"""crawl_runs in a cluster: what a node says of its run, and how the writer finishes the run
of a node killed before it could end it (real redis-server on loopback)."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

import archive
from newscrawl.cluster.record import encode_page
from newscrawl.cluster.runs import NODES, RUNS, NodeRuns
from newscrawl.cluster.stream import StreamPipeline
from newscrawl.pipelines import NODE_SUMMARY_KEYS, run_report
from tests.redis_server import server_fixture  # noqa: F401 (the fixture `server`)
from tests.test_cluster import STREAM, add, drain, page

HEARTBEAT = "newscrawl:run-alive:r1"


def start(server: redis.Redis, run: str = "r1") -> None:
    data = {
        "spider": "news",
        "sites": [{"name": "example", "title": "Example", "home_url": "http://news.example/"}],
        "heartbeat": HEARTBEAT,
    }
    add(server, "run-start", json.dumps(data).encode(), run=run)


def runs(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT status, reason, stats, finished_at FROM crawl_runs").fetchall()


def test_a_node_says_what_it_sent_never_0_new(caplog: pytest.LogCaptureFixture) -> None:
    stats = {
        "site/example/discovered": 3,
        "site/example/to_fetch": 3,
        "site/example/fetched": 3,
        "site/example/sent": 3,
        "site/example/responses": 4,
    }
    with caplog.at_level(logging.INFO, logger="newscrawl.pipelines"):
        record, verdict = run_report(
            stats, ["example"], spider=None, reason="finished", keys=NODE_SUMMARY_KEYS
        )
    assert caplog.messages == [
        "Site example: discovered 3, fetched 3, sent to the archive writer 3, skipped 0"
    ]
    assert verdict.sites["example"].reason == "3 articles discovered (3 sent to the archive writer)"
    assert "new" not in record and record["sites"]["example"]["sent"] == 3


def test_the_run_of_a_killed_node_is_finished_as_interrupted(
    server: redis.Redis, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    start(server)
    add(server, "page", encode_page(page(1)))
    server.set(HEARTBEAT, "1", px=1000)  # alive for a second more, then killed
    drain(server, db)  # exits once no node is alive and the stream is empty
    ((status, reason, stats, finished),) = runs(db)
    assert status == "interrupted" and finished is not None
    assert reason.startswith("the node stopped without ending its run (no heartbeat from")
    record = json.loads(stats)
    assert record["complete"] is False  # the next run reads the site's lists to the end
    assert record["new"] == 1 and record["sites"]["example"]["new"] == 1
    assert not server.hlen(RUNS) and not server.hlen(NODES)


def test_a_run_is_finished_only_when_its_node_is_gone_and_its_records_saved(
    server: redis.Redis, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    start(server)
    add(server, "page", encode_page(page(1)))
    conn = archive.open_db(str(db))
    node_runs = NodeRuns(server, conn, stream=STREAM)
    ((_, fields),) = server.xrange(STREAM, count=1)
    node_runs.entry("run-start", "r1", json.loads(fields[b"data"]))  # as the writer reads it
    server.set(HEARTBEAT, "1")
    node_runs.finish_lapsed()
    assert runs(db)[0][0] is None  # its node is alive
    server.delete(HEARTBEAT)
    node_runs.finish_lapsed()
    assert runs(db)[0][0] is None  # gone, but the page it sent before is not saved yet
    conn.close()
    drain(server, db)
    ((status, _, stats, _),) = runs(db)
    assert status == "interrupted" and json.loads(stats)["new"] == 1


def test_a_late_run_end_after_the_lapse_changes_nothing(
    server: redis.Redis, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "news.db"
    start(server)
    drain(server, db)
    end = {"record": {"sites": {"example": {}}}, "status": "ok", "reason": "1 site(s) crawled"}
    add(server, "run-end", json.dumps(end).encode())
    with caplog.at_level(logging.WARNING):
        drain(server, db)
    assert runs(db)[0][0] == "interrupted"
    assert "finished as interrupted when its node's heartbeat lapsed" in caplog.text


def test_a_node_ending_its_run_is_never_taken_for_a_killed_one(
    server: redis.Redis, tmp_path: Path
) -> None:
    """The run's heartbeat goes only after its run-end is in the stream: a writer that finds
    it gone reads that run-end before it could finish the run as interrupted."""
    site = SimpleNamespace(
        name="example", title="Example", home_url="http://news.example/", cms="ndsoft", region=None
    )
    spider = SimpleNamespace(name="news", sites={"example": site}, policy=None)
    crawler = SimpleNamespace(
        spider=spider, stats=MemoryStatsCollector(SimpleNamespace(settings=Settings()))
    )
    pipeline = StreamPipeline(crawler, server, stream=STREAM, maxlen=10)  # type: ignore[arg-type]
    pipeline.open_spider()
    assert server.exists(pipeline.alive_key)
    pipeline.spider_closed(spider, "finished")  # type: ignore[arg-type]
    assert not server.exists(pipeline.alive_key)
    kinds = [fields[b"kind"] for _, fields in server.xrange(STREAM)]
    assert kinds == [b"run-start", b"run-end"]
    db = tmp_path / "news.db"
    drain(server, db)
    ((status, _, _, finished),) = runs(db)
    assert status == "ok" and finished is not None
