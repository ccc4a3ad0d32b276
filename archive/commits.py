"""Group commit: many saves in one SQLite transaction, each still atomic on its own.

A commit is the dearest part of a save (the full-text index writes a new segment every
time), so a crawler that saves hundreds of pages a minute groups them: every save runs in a
savepoint inside one transaction, committed after ``every`` saves or ``seconds``, whichever
comes first. A failing save rolls back its own savepoint only. What a crash can lose is the
saves since the last commit, which the next incremental run fetches again, since they are
not in the archive.

A group holds the archive's write lock from its first save to its commit (``BEGIN
IMMEDIATE``): other writers wait for it (the busy timeout, archive.schema.BUSY_TIMEOUT_MS),
so keep ``seconds`` short and do slow work (extraction) outside a group.

The saves' search-index changes are written together just before the commit, in the same
transaction (see :mod:`archive.search`): other connections see an article and its index
entry at the same moment. Should writing the index fail, the whole group is rolled back
and the error raised, so the index never misses a committed article.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, Self

from sqlite_utils import Database

from archive.reads import Capture
from archive.saves import SaveResult, save, save_extraction
from archive.search import IndexChanges, IndexText


class GroupCommit:
    """Saves into ``db`` grouped into transactions of at most ``every`` saves or ``seconds``."""

    def __init__(
        self,
        db: Database,
        *,
        every: int = 100,
        seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if every < 1 or seconds <= 0:
            raise ValueError("GroupCommit needs every >= 1 and seconds > 0")
        self.db = db
        self.every = every
        self.seconds = seconds
        self.clock = clock
        self.pending = 0
        self._opened_at = 0.0
        self._index = IndexChanges()

    def save(
        self,
        capture: Capture,
        article: Mapping[str, Any],
        *,
        prepared: IndexText | None = None,
    ) -> SaveResult:
        """``archive.save`` inside the current group; commits when the group is full or old."""
        return self._grouped(
            lambda: save(self.db, capture, article, index=self._index, prepared=prepared)
        )

    def save_extraction(self, capture_id: int, article: Mapping[str, Any]) -> SaveResult:
        """``archive.save_extraction`` inside the current group."""
        return self._grouped(
            lambda: save_extraction(self.db, capture_id, article, index=self._index)
        )

    def _grouped(self, one_save: Callable[[], SaveResult]) -> SaveResult:
        if not self.db.conn.in_transaction:
            # IMMEDIATE: the write lock is taken now, waiting for another writer (a crawl, a
            # re-extraction) as long as the busy timeout allows. A deferred BEGIN reads first
            # and asks for the lock at the first write; when another connection committed
            # in between, SQLite cannot wait and fails at once: "database is locked".
            self.db.conn.execute("BEGIN IMMEDIATE")
            self._opened_at = self.clock()
        try:
            return one_save()  # a savepoint of the open transaction
        finally:
            self.pending += 1
            if self.pending >= self.every or self.due():
                self.commit()

    def due(self) -> bool:
        """Whether the open group is older than ``seconds`` (for a periodic flush)."""
        return self.pending > 0 and self.clock() - self._opened_at >= self.seconds

    def commit(self) -> None:
        """Write the group's index changes and commit its saves, if any."""
        self.pending = 0
        if not self.db.conn.in_transaction:
            self._index.clear()
            return
        try:
            self._index.apply(self.db)
        except BaseException:
            self._index.clear()
            self.db.conn.execute("ROLLBACK")
            raise
        self.db.conn.execute("COMMIT")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Completed saves are committed even when a later one raised: each failed save
        # has already rolled its own savepoint back.
        self.commit()
