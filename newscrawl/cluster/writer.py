"""The archive writer: the one process that saves a cluster's records into SQLite.

It reads the nodes' stream (``newscrawl.cluster.stream``) in a consumer group and saves each
batch it reads as one group commit. A record is acknowledged (and deleted from the stream)
only after its batch is committed, so a writer killed at any moment loses nothing: on
restart it reads its unacknowledged records again first. A record already committed (killed
between commit and acknowledgement) is recognised by its capture (URL, fetch time, bytes)
and not saved twice. No Scrapy here.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC
from typing import Any

from redis import Redis
from redis.exceptions import ResponseError

import archive
from archive.reads import Capture
from newscrawl.cluster.memory import answer_questions
from newscrawl.cluster.record import decode_record
from newscrawl.cluster.runs import ALIVE_PREFIX, NodeRuns, counts_key

logger = logging.getLogger(__name__)

GROUP = "archive-writer"
CONSUMER = "writer"  # one writer: a restarted one reads its predecessor's pending records
# What one record can cause; anything else (a locked or full disk, Redis away) stops the
# writer with its records unacknowledged, to be saved by the next one.
RECORD_ERRORS = (ValueError, KeyError, TypeError, sqlite3.IntegrityError)


class ArchiveWriter:
    """Save the records of ``stream`` into the archive at ``db_path``."""

    def __init__(
        self, server: Redis, db_path: str, *, stream: str, batch: int = 100, block: float = 0.5
    ) -> None:
        self.server = server
        self.db_path = db_path
        self.stream = stream
        self.batch = batch
        self.block = block
        self.failed = f"{stream}:failed"
        self.saved: Counter[str] = Counter()
        self.db: Any = None
        self.busy = 0.0  # seconds spent reading, saving and acknowledging records

    def run(self, *, idle_exit: float | None = None, stopping: Callable[[], bool]) -> None:
        """Save records until ``stopping()``, or until the stream has been empty with no node
        alive for ``idle_exit`` seconds. The batch in hand is committed either way."""
        self.db = archive.open_db(self.db_path)
        self.runs = NodeRuns(self.server, self.db, stream=self.stream)
        try:
            self._ensure_group()
            pending = True  # first, what a killed writer read and did not acknowledge
            idle_since = time.monotonic()
            while not stopping():
                # Between two batches: a node starting on another machine waits for this.
                answer_questions(self.server, self.db_path, running=self.runs.running())
                self.runs.finish_lapsed()
                entries = self._read("0" if pending else ">")
                if pending and not entries:
                    pending = False
                    continue
                if entries:
                    started = time.monotonic()
                    self._save_batch(entries, redelivered=pending)
                    idle_since = time.monotonic()
                    self.busy += idle_since - started
                elif idle_exit is not None and time.monotonic() - idle_since >= idle_exit:
                    if not self._cluster_busy():
                        self.runs.finish_lapsed()  # the killed nodes' runs, all saved now
                        logger.info("Stream empty and no node running: exiting")
                        return
                    idle_since = time.monotonic()
        finally:
            self.db.close()
            self.db = None

    def _ensure_group(self) -> None:
        try:
            self.server.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    def _read(self, start: str) -> list[tuple[bytes, dict[bytes, bytes]]]:
        block = None if start == "0" else int(self.block * 1000)
        # redis-py types every reply as a union of all it might be.
        answer: Any = self.server.xreadgroup(
            GROUP, CONSUMER, {self.stream: start}, count=self.batch, block=block
        )
        return answer[0][1] if answer else []

    def _cluster_busy(self) -> bool:
        if self.server.xlen(self.stream):
            return True
        # A node's heartbeat, or a run's: a run whose node is gone is finished (interrupted)
        # only once its own heartbeat has lapsed too.
        for pattern in ("*:node:*", f"{ALIVE_PREFIX}*"):
            if any(True for _ in self.server.scan_iter(match=pattern, count=100)):
                return True
        return False

    # --- saving --------------------------------------------------------------------------------
    def _save_batch(
        self, entries: list[tuple[bytes, dict[bytes, bytes]]], *, redelivered: bool
    ) -> None:
        group = archive.GroupCommit(self.db, every=len(entries) + 1, seconds=3600)
        counts: Counter[str] = Counter()
        done: list[bytes] = []
        for entry_id, fields in entries:
            kind, run = fields[b"kind"].decode(), fields[b"run"].decode()
            if kind != "page":
                # What came before is committed and counted first: a run's end sees its saves.
                self._commit(group, done, counts)
                self.runs.entry(kind, run, json.loads(fields[b"data"]))
                done.append(entry_id)
                continue
            done.append(entry_id)
            try:
                capture, article = decode_record(fields[b"data"])
                if redelivered and self._already_saved(capture):
                    self.saved["duplicate"] += 1
                    continue
                result = group.save(capture, article)  # a failed save rolls back alone
            except RECORD_ERRORS as error:
                self._set_aside(entry_id, fields, error)
                continue
            counts[f"{run}\t{capture.site}/{result}"] += 1
            self.saved[str(result)] += 1
        self._commit(group, done, counts)

    def _set_aside(self, entry_id: bytes, fields: dict[bytes, bytes], error: Exception) -> None:
        """A record this writer cannot save (not a record, or the archive refuses it): kept in
        ``STREAM:failed`` with the error, and acknowledged with its batch, so that it does not
        stop every record behind it, read again after each restart."""
        reason = f"{type(error).__name__}: {error}"
        logger.error("Record %s cannot be saved (%s): kept in %s", entry_id, reason, self.failed)
        kept: dict[Any, Any] = {**fields, b"error": reason.encode(), b"id": entry_id}
        self.server.xadd(self.failed, kept)
        self.saved["set_aside"] += 1

    def _commit(self, group: archive.GroupCommit, done: list[bytes], counts: Counter[str]) -> None:
        """Commit the saves, then (never before) count them and acknowledge their records."""
        group.commit()
        if not done:
            return
        pipe = self.server.pipeline(transaction=True)
        for key, n in counts.items():
            run, name = key.split("\t", 1)
            pipe.hincrby(counts_key(run), name, n)
        pipe.xack(self.stream, GROUP, *done)
        pipe.xdel(self.stream, *done)
        pipe.execute()
        done.clear()
        counts.clear()

    def _already_saved(self, capture: Capture) -> bool:
        # As archive.saves writes it: UTC, to the second.
        fetched_at = capture.fetched_at.astimezone(UTC).isoformat(timespec="seconds")
        sha = capture.blob.sha256 if capture.blob is not None else None
        row = self.db.execute(
            "SELECT 1 FROM captures WHERE sha256 = ? AND url = ? AND fetched_at = ?",
            [sha, capture.url, fetched_at],
        ).fetchone()
        return row is not None
