"""Checking an archive: SQLite's own integrity checks and every capture's sha256 recomputed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from sqlite_utils import Database

from archive.blobs import decompress
from archive.schema import SEARCH_TABLE

__all__ = ["Problem", "verify"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong, named so that an archivist can find the row."""

    table: str
    row: str  # the row's key (capture id, blob sha256, ...) or "" for the whole table
    message: str

    def __str__(self) -> str:
        where = f"{self.table} {self.row}".strip()
        return f"{where}: {self.message}"


def verify(db: Database) -> Iterator[Problem]:
    """Yield every problem found; an archive without problems yields nothing.

    Checks ``PRAGMA integrity_check``, ``foreign_key_check``, the search index's structure,
    and recomputes the sha256 and size of every stored blob (naming the captures that
    refer to a bad one). Blobs are read one at a time: memory stays flat.
    """
    for (message,) in db.execute("PRAGMA integrity_check").fetchall():
        if message != "ok":
            yield Problem("database", "", f"integrity_check: {message}")
    for table, rowid, parent, _ in db.execute("PRAGMA foreign_key_check").fetchall():
        yield Problem(table, str(rowid), f"refers to a missing {parent} row")
    try:
        db.execute(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('integrity-check')")
    except Exception as error:  # sqlite3.DatabaseError: SQLITE_CORRUPT_VTAB
        yield Problem(SEARCH_TABLE, "", f"search index is damaged ({error}); rebuild it")
    yield from _blob_problems(db)


def _blob_problems(db: Database) -> Iterator[Problem]:
    keys = [row[0] for row in db.execute("SELECT sha256 FROM blobs ORDER BY rowid")]
    for key in keys:
        size, compression, data = db.execute(
            "SELECT size, compression, data FROM blobs WHERE sha256 = ?", [key]
        ).fetchone()
        try:
            raw = decompress(compression, data)
        except Exception as error:  # zlib.error, ValueError: the bytes are damaged
            messages = [f"raw bytes cannot be decompressed ({error})"]
        else:
            messages = []
            actual = hashlib.sha256(raw).hexdigest()
            if actual != key:
                messages.append(f"sha256 mismatch: stored {key}, recomputed {actual}")
            if len(raw) != size:
                messages.append(f"size mismatch: stored {size}, actual {len(raw)}")
        if not messages:
            continue
        captures = db.execute(
            "SELECT id, final_url FROM captures WHERE sha256 = ? ORDER BY id", [key]
        ).fetchall()
        for message in messages:
            if not captures:
                yield Problem("blobs", key, message)
            for capture_id, url in captures:
                yield Problem("capture", str(capture_id), f"{message} ({url})")
