"""The crawl_runs rows of a cluster's node runs, kept by the archive writer.

A node sends ``run-start`` (spider, sites, its run's heartbeat key) and ``run-end`` (its
per-site summary and verdict) through the stream; the writer adds what only it knows, what
the archive made of the pages (new, updated, unchanged, failed), counted after each commit
in ``newscrawl:run-counts:RUN``. A node killed with SIGKILL never sends ``run-end``: once
its run's heartbeat (``newscrawl:run-alive:RUN``, deleted only after ``run-end`` is sent)
has lapsed and every record it sent before is saved, its run is finished as
``interrupted``, so that the next run reads its sites' lists to the end
(``archive.incomplete_sites``). No Scrapy here.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from redis import Redis

import archive

logger = logging.getLogger(__name__)

RUNS = "newscrawl:runs"  # run key -> crawl_runs id, of runs started and not ended
NODES = "newscrawl:run-nodes"  # run key -> {"heartbeat": key, "sites": [...]}
ALIVE_PREFIX = "newscrawl:run-alive:"  # + run key: a node run's heartbeat


def counts_key(run: str) -> str:
    return f"newscrawl:run-counts:{run}"


class NodeRuns:
    """Start and finish the crawl_runs rows of node runs in the archive ``db``."""

    def __init__(self, server: Redis, db: Any, *, stream: str) -> None:
        self.server = server
        self.db = db
        self.stream = stream
        # run key -> the stream's last entry when its node was found gone: once every
        # entry up to it is saved, nothing more of that run can come.
        self.lapsed: dict[str, bytes] = {}

    def running(self) -> set[int]:
        """The crawl_runs of node runs started and not yet ended."""
        return {int(v) for v in self.server.hvals(RUNS)}

    def entry(self, kind: str, run: str, data: dict[str, Any]) -> None:
        """A ``run-start`` or ``run-end`` entry of the stream."""
        if kind == "run-start":
            self._start(run, data)
        elif kind == "run-end":
            self._end(run, data)
        else:
            logger.warning("Unknown record kind %r in the stream: skipped", kind)

    def _start(self, run: str, data: dict[str, Any]) -> None:
        if self.server.hget(RUNS, run) is not None:  # read again after a restart
            return
        for site in data["sites"]:
            archive.upsert_site(self.db, **site)
        names = [s["name"] for s in data["sites"]]
        run_id = archive.start_run(self.db, data["spider"], names)
        pipe = self.server.pipeline(transaction=True)
        pipe.hset(RUNS, run, run_id)
        if data.get("heartbeat"):
            node = {"heartbeat": data["heartbeat"], "sites": names}
            pipe.hset(NODES, run, json.dumps(node))
        pipe.execute()
        logger.info("Run %s started (crawl_runs %s)", run, run_id)

    def _end(self, run: str, data: dict[str, Any]) -> None:
        stored = self.server.hget(RUNS, run)
        if stored is None:
            logger.warning(
                "Run %s ended, but it is not running: its start was never seen, or it was "
                "finished as interrupted when its node's heartbeat lapsed",
                run,
            )
            return
        self._finish(run, int(stored), data["record"], status=data["status"], reason=data["reason"])

    def _finish(
        self, run: str, run_id: int, record: dict[str, Any], *, status: str, reason: str
    ) -> None:
        counted: Any = self.server.hgetall(counts_key(run))
        add_saves(record, counted)
        archive.finish_run(self.db, run_id, record, status=status, reason=reason)
        pipe = self.server.pipeline(transaction=True)
        pipe.delete(counts_key(run))
        pipe.hdel(RUNS, run)
        pipe.hdel(NODES, run)
        pipe.execute()
        self.lapsed.pop(run, None)
        logger.info("Run %s finished (crawl_runs %s), %s: %s", run, run_id, status, reason)
        for site, counts in record.get("sites", {}).items():
            saved = ", ".join(f"{k} {counts.get(k, 0)}" for k in SAVES)
            logger.info("Run %s, site %s: %s", run, site, saved)

    def finish_lapsed(self) -> None:
        """Finish as ``interrupted`` the runs whose node is gone without a ``run-end``, once
        every record their node sent is saved (the writer deletes a record after its commit)."""
        nodes: Any = self.server.hgetall(NODES)
        if not nodes:
            return
        first: Any = self.server.xrange(self.stream, count=1)
        oldest = _entry_id(first[0][0]) if first else None
        for key, value in nodes.items():
            run, node = key.decode(), json.loads(value)
            if run not in self.lapsed:
                if self.server.exists(node["heartbeat"]):
                    continue
                last: Any = self.server.xrevrange(self.stream, count=1)
                self.lapsed[run] = last[0][0] if last else b"0-0"
                logger.warning("Run %s: its node %s is gone", run, node["heartbeat"])
            if oldest is not None and oldest <= _entry_id(self.lapsed[run]):
                continue  # records the node sent before it went are not all saved yet
            if self.server.exists(node["heartbeat"]):  # only late (a stalled machine)
                del self.lapsed[run]
                continue
            stored = self.server.hget(RUNS, run)
            if stored is None:
                continue
            record = {
                "finish_reason": "node_lost",
                "complete": False,
                "sites": {name: {} for name in node["sites"]},
            }
            reason = (
                f"the node stopped without ending its run (no heartbeat from "
                f"{node['heartbeat']}): killed, or its machine lost"
            )
            self._finish(run, int(stored), record, status="interrupted", reason=reason)


SAVES = tuple(str(result) for result in archive.SaveResult)  # new, updated, unchanged, failed


def add_saves(record: dict[str, Any], counts: dict[bytes, bytes]) -> None:
    """What the writer saved for a run (new, updated, ...) into its record: the node
    counted what it fetched, only the writer knows what the archive made of it."""
    for key, value in counts.items():
        site, result = key.decode().rsplit("/", 1)
        n = int(value)
        record[result] = record.get(result, 0) + n
        if site in record.get("sites", {}):
            per_site = record["sites"][site]
            per_site[result] = per_site.get(result, 0) + n


def _entry_id(raw: bytes) -> tuple[int, int]:
    millis, _, seq = raw.decode().partition("-")
    return int(millis), int(seq or 0)
