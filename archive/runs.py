"""The crawl runs the archive records: when each started and finished, its stats and verdict,
and which sites' latest run did not complete."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from archive.values import as_json, inserted_id

__all__ = ["finish_run", "incomplete_sites", "start_run"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def start_run(db: Database, spider: str, sites: list[str]) -> int:
    """Record the start of a crawl; returns the run id for :func:`finish_run`."""
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO crawl_runs(spider, sites, started_at) VALUES (?, ?, ?)",
            [spider, as_json(list(sites)), _now()],
        )
    return inserted_id(cursor)


def finish_run(
    db: Database,
    run_id: int,
    stats: Mapping[str, Any],
    *,
    status: str | None = None,
    reason: str | None = None,
) -> None:
    """Record the end of a crawl, its stats (values that are not JSON become strings) and its
    verdict: ``status`` is ok, partial, failed or interrupted, ``reason`` says why."""
    with db.atomic():
        db.execute(
            "UPDATE crawl_runs SET finished_at = ?, stats = ?, status = ?, reason = ? WHERE id = ?",
            [_now(), as_json(dict(stats)), status, reason, run_id],
        )


def incomplete_sites(
    db: Database, spider: str, sites: list[str], *, exclude_runs: Collection[int] = ()
) -> set[str]:
    """The ``sites`` whose latest run of ``spider`` (other than ``exclude_runs``: the caller's
    own, and in a crawl cluster the other nodes' runs of the same crawl) did not complete: it
    crashed (no finished_at), was stopped, or spent its budget.

    Such a run may have archived a list's first pages and not its later ones; an incremental
    run that stops at the first list page with nothing new would never reach them.
    """
    pending = set(sites)
    incomplete: set[str] = set()
    excluded = sorted(set(exclude_runs))
    marks = ", ".join("?" * len(excluded))
    rows = db.execute(
        f"SELECT sites, finished_at, stats FROM crawl_runs WHERE spider = ? "
        f"AND id NOT IN ({marks}) ORDER BY id DESC",
        [spider, *excluded],
    )
    for sites_json, finished_at, stats_json in rows:
        covered = pending.intersection(json.loads(sites_json or "[]"))
        if not covered:
            continue
        stats = json.loads(stats_json or "{}") if finished_at else {}
        if not stats.get("complete", False):
            incomplete |= covered
        pending -= covered
        if not pending:
            break
    return incomplete
