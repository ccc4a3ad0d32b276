"""Group commit: many saves in one SQLite transaction, each still atomic on its own.

A commit is the dearest part of a save (the full-text index writes a new segment every
time), so a crawler that saves hundreds of pages a minute groups them: every save runs in a
savepoint inside one transaction, committed after ``every`` saves or ``seconds``, whichever
comes first. A failing save rolls back its own savepoint only. What a crash can lose is the
saves since the last commit, which the next incremental run fetches again, since they are
not in the archive.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, Self

from sqlite_utils import Database

from archive.store import Capture, SaveResult, save


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

    def save(self, capture: Capture, article: Mapping[str, Any]) -> SaveResult:
        """``archive.save`` inside the current group; commits when the group is full or old."""
        if not self.db.conn.in_transaction:
            self.db.conn.execute("BEGIN")
            self._opened_at = self.clock()
        try:
            return save(self.db, capture, article)  # a savepoint of the open transaction
        finally:
            self.pending += 1
            if self.pending >= self.every or self.due():
                self.commit()

    def due(self) -> bool:
        """Whether the open group is older than ``seconds`` (for a periodic flush)."""
        return self.pending > 0 and self.clock() - self._opened_at >= self.seconds

    def commit(self) -> None:
        """Commit the saves of the open group, if any."""
        if self.db.conn.in_transaction:
            self.db.conn.execute("COMMIT")
        self.pending = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Completed saves are committed even when a later one raised: each failed save
        # has already rolled its own savepoint back.
        self.commit()
