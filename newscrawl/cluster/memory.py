"""A crawl node's archive memory, asked of the archive writer through Redis.

On one machine a run starts by reading the archive (``newscrawl.crawl.memory``): the URLs it
already holds, each site's sitemap cutoff and the sites whose last run stopped early. A node
on another machine has no archive file, so it asks the writer, the one process that opens
it: the node pushes a question (spider, sites, since, revisit) to ``QUESTIONS`` and polls
for the answer; the writer, between two batches, answers each question with
:func:`read_archive`'s result under ``ANSWER_PREFIX + id``, kept ``ANSWER_TTL`` seconds.

The answer is one JSON line (cutoffs, catch-up sites, the count) followed by the known URLs'
two arrays (16 bytes an article, ``KnownUrls.to_bytes``): 16 MB at a million articles.

No writer answering within ``NEWSCRAWL_CLUSTER_MEMORY_TIMEOUT`` seconds raises
:class:`MemoryUnanswered`: the node then refuses to crawl (the spider closes, its run
``interrupted``), because crawling without the memory would fetch every archived article of
its sites again. No Scrapy here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

from newscrawl.cluster.record import frame, unframe
from newscrawl.crawl.known import KnownUrls
from newscrawl.crawl.memory import ArchiveMemory, read_archive

logger = logging.getLogger(__name__)

QUESTIONS = "newscrawl:memory:questions"
ANSWER_PREFIX = "newscrawl:memory:answer:"
#: Long enough for a node to read its answer, short enough that an unread one does not stay.
ANSWER_TTL = 300
VERSION = 1


class MemoryUnanswered(Exception):
    """No archive writer answered a node's question in time."""


def encode_memory(memory: ArchiveMemory) -> bytes:
    """``memory`` as bytes: a JSON line, then the known URLs' arrays."""
    header = {
        "v": VERSION,
        "known": len(memory.known),
        "cutoffs": {s: d.isoformat() if d else None for s, d in memory.cutoffs.items()},
        "catch_up": sorted(memory.catch_up),
    }
    return frame(header, memory.known.to_bytes())


def decode_memory(data: bytes) -> ArchiveMemory:
    """The memory :func:`encode_memory` wrote; ValueError for other bytes."""
    header, arrays = unframe(data, name="an archive memory", version=VERSION)
    known = KnownUrls.from_bytes(arrays)
    if len(known) != header["known"]:
        raise ValueError(f"archive memory: {len(known)} known URLs, expected {header['known']}")
    return ArchiveMemory(
        known=known,
        cutoffs={s: date.fromisoformat(d) if d else None for s, d in header["cutoffs"].items()},
        catch_up=set(header["catch_up"]),
    )


async def ask_writer(
    server: Any,
    *,
    spider: str,
    sites: list[str],
    since: date | None,
    revisit: timedelta,
    timeout: float,
    poll: float = 0.1,
) -> ArchiveMemory:
    """Ask the archive writer for the memory of ``sites`` and wait (without blocking the
    reactor) at most ``timeout`` seconds; raises MemoryUnanswered."""
    ident = uuid.uuid4().hex
    question = json.dumps(
        {
            "id": ident,
            "spider": spider,
            "sites": sites,
            "since": since.isoformat() if since else None,
            "revisit": revisit.total_seconds(),
        }
    )
    server.rpush(QUESTIONS, question)
    answer_key = ANSWER_PREFIX + ident
    deadline = time.monotonic() + timeout
    started = time.monotonic()
    while True:
        pipe = server.pipeline(transaction=True)
        pipe.get(answer_key)
        pipe.delete(answer_key)
        data, _ = pipe.execute()
        if data is not None:
            memory = decode_memory(data)
            logger.info(
                "Archive memory from the writer in %.1f s: %d known URL(s), %d bytes",
                time.monotonic() - started,
                len(memory.known),
                len(data),
            )
            return memory
        if time.monotonic() >= deadline:
            server.lrem(QUESTIONS, 0, question)  # a writer that comes later need not answer
            raise MemoryUnanswered(
                f"no archive writer answered in {timeout:g} s (is `scrapy archive-writer` "
                f"running against this Redis?)"
            )
        await asyncio.sleep(poll)


def answer_questions(server: Any, db_path: str, *, running: Collection[int] = ()) -> int:
    """Answer the nodes' waiting questions from the archive at ``db_path``; how many.

    ``running`` are the crawl_runs of nodes at work now: one crawl, not an earlier run that
    stopped early. Nodes asking the same question at once get one reading of the archive."""
    answered: dict[str, bytes] = {}
    n = 0
    # A question leaves the list only once its answer is stored: a writer killed while it
    # reads the archive (seconds at a million articles) leaves it to the next writer, as it
    # leaves the records it has not committed.
    for raw in server.lrange(QUESTIONS, 0, -1):
        try:
            question = json.loads(raw)
            key = json.dumps([question[k] for k in ("spider", "sites", "since", "revisit")])
        except (ValueError, KeyError, TypeError):
            logger.warning("Not a memory question, dropped: %r", raw[:200])
            server.lrem(QUESTIONS, 1, raw)
            continue
        if key not in answered:
            started = time.monotonic()
            memory = read_archive(
                db_path,
                spider=question["spider"],
                sites=question["sites"],
                own_run=None,
                since=date.fromisoformat(question["since"]) if question["since"] else None,
                revisit=timedelta(seconds=question["revisit"]),
                running=running,
            )
            answered[key] = encode_memory(memory)
            logger.info(
                "Archive memory for %s: %d known URL(s) read in %.1f s",
                ",".join(question["sites"]),
                len(memory.known),
                time.monotonic() - started,
            )
        pipe = server.pipeline(transaction=True)
        pipe.set(ANSWER_PREFIX + question["id"], answered[key], ex=ANSWER_TTL)
        pipe.lrem(QUESTIONS, 1, raw)
        pipe.execute()
        n += 1
    return n
