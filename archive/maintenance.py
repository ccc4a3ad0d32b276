"""Occasional upkeep of an archive: one search-index segment, fresh statistics, a compact copy.

Nothing here is needed for correctness or for speed as the archive grows: saves merge the
search index as they go (FTS5 automerge) and searches read only the newest matches. This is
for the archivist who wants a tidy file to hand on, or a copy to move to another disk.
What each step costs, measured on the bench archive, is in the README.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from archive.schema import SEARCH_TABLE

__all__ = ["Optimized", "optimize"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Optimized:
    """What :func:`optimize` did: seconds per step, and the copy's size when one was made."""

    merge_seconds: float
    analyze_seconds: float
    vacuum_seconds: float | None
    copy_bytes: int | None


def optimize(db: Database, *, into: str | Path | None = None) -> Optimized:
    """Merge the search index into one segment, ``ANALYZE``, and ``VACUUM INTO`` a copy.

    The merge (FTS5 ``optimize``) rewrites the whole index in one transaction, holding the
    write lock throughout: a crawl writing to the archive meanwhile waits, and fails after
    the busy timeout. ``ANALYZE`` reads every index. ``into``, when given, must not exist:
    a compact copy of the archive is written there (the archive itself is not shrunk;
    SQLite's plain ``VACUUM`` would need as much free space and lock it even longer).
    """
    if into is not None and Path(into).exists():
        raise FileExistsError(f"{into} exists; VACUUM INTO writes only a new file")
    start = time.perf_counter()
    with db.atomic():
        db.execute(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('optimize')")
    merged = time.perf_counter()
    db.execute("ANALYZE")
    analyzed = time.perf_counter()
    # The WAL now holds the rewritten index; copy it back so the file is whole on its own.
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    log.info("search index merged in %.1f s, ANALYZE in %.1f s", merged - start, analyzed - merged)
    vacuum_seconds = copy_bytes = None
    if into is not None:
        db.execute("VACUUM INTO ?", [str(into)])
        vacuum_seconds = time.perf_counter() - analyzed
        copy_bytes = Path(into).stat().st_size
    return Optimized(merged - start, analyzed - merged, vacuum_seconds, copy_bytes)
