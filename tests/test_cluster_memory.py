"""A cluster node's archive memory from the writer: the bytes, and the question and answer
through a real redis-server on loopback."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import redis

import archive
from newscrawl.cluster.memory import (
    QUESTIONS,
    MemoryUnanswered,
    answer_questions,
    ask_writer,
    decode_memory,
    encode_memory,
)
from newscrawl.cluster.runs import RUNS
from newscrawl.cluster.writer import ArchiveWriter
from newscrawl.crawl.known import KnownUrls
from newscrawl.crawl.memory import ArchiveMemory, read_archive
from tests.archive_helpers import article, capture
from tests.redis_server import server_fixture  # noqa: F401 (the fixture `server`)
from tests.test_memory import JNILBO, KBSM, build

SITES = ["kbsm", "jnilbo"]


def local(path: Path, **kwargs: object) -> ArchiveMemory:
    """What a node on the archive's own machine reads."""
    options: dict = {"own_run": None, "since": None, "revisit": timedelta(days=2), **kwargs}
    return read_archive(str(path), spider="news", sites=SITES, **options)


def same(a: ArchiveMemory, b: ArchiveMemory) -> None:
    assert a.known.to_bytes() == b.known.to_bytes()
    assert (a.cutoffs, a.catch_up) == (b.cutoffs, b.catch_up)


def test_the_memory_travels_as_16_bytes_an_article() -> None:
    known = KnownUrls.build((f"http://a.example/{n}", datetime(2026, 1, 1)) for n in range(1000))
    memory = ArchiveMemory(known, {"a": date(2026, 1, 2), "b": None}, {"b"})
    data = encode_memory(memory)
    assert len(data) < 16 * 1000 + 100
    back = decode_memory(data)
    same(back, memory)
    assert back.known["http://a.example/7"] == known["http://a.example/7"]
    with pytest.raises(ValueError, match="expected 1000"):
        decode_memory(data[:-16])
    with pytest.raises(ValueError, match="no header"):
        decode_memory(b"garbage")


def ask(server: redis.Redis) -> Awaitable[ArchiveMemory]:
    """A node's question for SITES, as a run with the default revisit window asks it."""
    return ask_writer(
        server,
        spider="news",
        sites=SITES,
        since=None,
        revisit=timedelta(days=2),
        timeout=30,
        poll=0.01,
    )


def test_a_node_gets_what_a_local_run_would_read(server: redis.Redis, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    build(db)

    async def node() -> ArchiveMemory:
        return await ask(server)

    def writer() -> None:
        while not answer_questions(server, str(db)):
            pass

    thread = threading.Thread(target=writer)
    thread.start()
    memory = asyncio.run(node())
    thread.join(timeout=30)
    same(memory, local(db))
    assert KBSM + "2" in memory.known and JNILBO + "9" in memory.known
    assert memory.cutoffs["kbsm"] == date(2025, 5, 24) and memory.catch_up == {"jnilbo"}
    assert not server.keys("newscrawl:memory:*")  # question and answer both gone


def test_the_runs_of_other_nodes_of_the_same_crawl_are_not_earlier_runs(
    server: redis.Redis, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    build(db)
    conn = archive.open_db(str(db))
    # Another node of this crawl started first: its run is unfinished, like a crashed one.
    running = archive.start_run(conn, "news", ["kbsm"])
    conn.close()
    assert local(db).catch_up == {"kbsm", "jnilbo"}  # taken for a crash when not told
    server.hset(RUNS, "its-run-key", running)
    server.rpush(
        QUESTIONS,
        '{"id": "q1", "spider": "news", "sites": ["kbsm", "jnilbo"], '
        '"since": null, "revisit": 172800}',
    )
    writer = ArchiveWriter(server, str(db), stream="test:records", block=0.05)
    writer.run(idle_exit=0, stopping=lambda: False)  # answers, then exits: no node alive
    memory = decode_memory(server.get("newscrawl:memory:answer:q1"))
    assert memory.catch_up == {"jnilbo"}
    same(memory, local(db, running=[running]))


def test_no_writer_no_memory(server: redis.Redis) -> None:
    async def node() -> ArchiveMemory:
        return await ask_writer(
            server, spider="news", sites=SITES, since=None, revisit=timedelta(), timeout=0.3
        )

    with pytest.raises(MemoryUnanswered, match=r"no archive writer answered in 0\.3 s"):
        asyncio.run(node())
    assert server.llen(QUESTIONS) == 0  # a writer started later does not answer a node gone


def test_since_and_revisit_travel_with_the_question(server: redis.Redis, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    conn = archive.open_db(str(db))
    url = KBSM + "5"
    archive.save(conn, capture(url), article(url, published="2025-05-26T09:00:00+09:00"))
    conn.close()

    async def node(**kwargs: object) -> ArchiveMemory:
        task = asyncio.ensure_future(
            ask_writer(server, spider="news", sites=["kbsm"], timeout=30, poll=0.01, **kwargs)
        )
        while not server.llen(QUESTIONS):
            await asyncio.sleep(0.01)
        answer_questions(server, str(db))
        return await task

    week = asyncio.run(node(since=None, revisit=timedelta(days=7)))
    assert week.cutoffs == {"kbsm": date(2025, 5, 19)}
    backfill = asyncio.run(node(since=date(2025, 1, 1), revisit=timedelta(days=2)))
    assert backfill.cutoffs == {"kbsm": date(2025, 1, 1)}


def test_a_question_outlives_a_writer_killed_while_answering(
    server: redis.Redis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "news.db"
    build(db)

    def killed(*args: object, **kwargs: object) -> ArchiveMemory:
        raise KeyboardInterrupt  # the writer dies while it reads the archive

    async def node() -> ArchiveMemory:
        task = asyncio.ensure_future(ask(server))
        while not server.llen(QUESTIONS):
            await asyncio.sleep(0.01)
        with monkeypatch.context() as patch:
            patch.setattr("newscrawl.cluster.memory.read_archive", killed)
            with pytest.raises(KeyboardInterrupt):
                answer_questions(server, str(db))
        assert server.llen(QUESTIONS) == 1  # still there for the next writer
        assert answer_questions(server, str(db)) == 1
        return await task

    same(asyncio.run(node()), local(db))
    assert not server.keys("newscrawl:memory:*")
