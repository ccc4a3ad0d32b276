"""Checking an archive: SQLite's own integrity checks, and every capture's raw bytes rehashed."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sqlite_utils import Database

from archive.blobs import decompress
from archive.schema import SEARCH_TABLE

__all__ = ["Problem", "verify"]

log = logging.getLogger(__name__)

_INTEGRITY_CHECK = f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('integrity-check')"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong, named so that an archivist can find the row."""

    table: str
    row: str  # the row's key (capture id, blob sha256, ...) or "" for the whole table
    message: str

    def __str__(self) -> str:
        where = f"{self.table} {self.row}".strip()
        return f"{where}: {self.message}"


def verify(
    db: Database, *, track: Callable[[list[str]], Iterable[str]] = lambda keys: keys
) -> Iterator[Problem]:
    """Yield every problem found; an archive without problems yields nothing.

    Checks ``PRAGMA integrity_check``, ``foreign_key_check``, the search index's structure,
    then decompresses every blob once and compares its sha256 and length with the blob's
    own key and size and with the sha256 and size of each capture that refers to it. A
    capture pointed at another blob is found when the sizes differ (the sha256 is the
    blob's key, so it always agrees with the blob it points at). Blobs are read one at a
    time: memory stays flat. ``track`` wraps the list of blob keys (a progress bar).
    """
    checks: list[tuple[str, Callable[[], Iterator[Problem]]]] = [
        ("integrity_check", lambda: _integrity_problems(db)),
        ("foreign_key_check", lambda: _foreign_key_problems(db)),
        ("search index check", lambda: _search_index_problems(db)),
        ("raw bytes check", lambda: _all_blob_problems(db, track)),
    ]
    for name, check in checks:
        try:
            yield from check()
        except sqlite3.DatabaseError as error:
            # A page too damaged to read stops this check, not the ones after it.
            yield Problem("database", "", f"{name} stopped: {error}")


def _integrity_problems(db: Database) -> Iterator[Problem]:
    for (message,) in db.execute("PRAGMA integrity_check").fetchall():
        if message != "ok":
            yield Problem("database", "", f"integrity_check: {message}")


def _foreign_key_problems(db: Database) -> Iterator[Problem]:
    for table, rowid, parent, _ in db.execute("PRAGMA foreign_key_check").fetchall():
        yield Problem(table, str(rowid), f"refers to a missing {parent} row")


def _all_blob_problems(
    db: Database, track: Callable[[list[str]], Iterable[str]]
) -> Iterator[Problem]:
    keys = [row[0] for row in db.execute("SELECT sha256 FROM blobs ORDER BY rowid")]
    for key in track(keys):
        yield from _blob_problems(db, key)


def _search_index_problems(db: Database) -> Iterator[Problem]:
    try:
        error = _search_index_error(db)
    except sqlite3.OperationalError as refused:
        if not getattr(refused, "sqlite_errorname", "").startswith("SQLITE_READONLY"):
            raise
        error = _search_index_error_writable(db)
    if error is not None:
        yield Problem(SEARCH_TABLE, "", f"search index is damaged ({error}); rebuild it")


def _search_index_error(db: Database) -> str | None:
    """FTS5's own check: an INSERT of a command that changes nothing."""
    try:
        db.execute(_INTEGRITY_CHECK)
    except sqlite3.OperationalError as error:
        if getattr(error, "sqlite_errorname", "").startswith("SQLITE_READONLY"):
            raise
        return str(error)
    except sqlite3.DatabaseError as error:  # SQLITE_CORRUPT_VTAB
        return str(error)
    return None


def _search_index_error_writable(db: Database) -> str | None:
    # SQLite 3.40's integrity_check does not look into FTS5, and FTS5's check is an INSERT,
    # refused on a read-only connection. A second connection runs it inside a transaction
    # that is rolled back; that changes no byte of a WAL archive.
    _, _, path = db.execute("PRAGMA database_list").fetchone()
    mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "wal":
        log.warning("search index not checked: the archive is not in WAL mode")
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True)
    except sqlite3.Error:
        log.warning("search index not checked: the archive cannot be opened for writing")
        return None
    try:
        return _search_index_error(Database(conn))
    except sqlite3.OperationalError as error:
        log.warning("search index not checked: %s", error)
        return None
    finally:
        conn.rollback()
        conn.close()


def _blob_problems(db: Database, key: str) -> Iterator[Problem]:
    size, compression, data = db.execute(
        "SELECT size, compression, data FROM blobs WHERE sha256 = ?", [key]
    ).fetchone()
    captures = db.execute(
        "SELECT id, final_url, sha256, size FROM captures WHERE sha256 = ? ORDER BY id", [key]
    ).fetchall()
    try:
        raw = decompress(compression, data)
    except Exception as error:  # zstd.ZstdError, zlib.error, ValueError: damaged bytes
        message = f"raw bytes cannot be decompressed ({error})"
        yield Problem("blobs", key, message)
        for capture_id, url, _, _ in captures:
            yield Problem("capture", str(capture_id), f"{message} ({url})")
        return
    actual = hashlib.sha256(raw).hexdigest()
    if actual != key:
        yield Problem("blobs", key, f"sha256 mismatch: raw bytes hash to {actual}")
    if size != len(raw):
        yield Problem("blobs", key, f"size mismatch: stored {size}, raw bytes {len(raw)}")
    for capture_id, url, sha256, capture_size in captures:
        if sha256 != actual:
            yield Problem(
                "capture",
                str(capture_id),
                f"sha256 mismatch: capture says {sha256}, its raw bytes hash to {actual} ({url})",
            )
        if capture_size != len(raw):
            yield Problem(
                "capture",
                str(capture_id),
                f"size mismatch: capture says {capture_size}, its raw bytes are {len(raw)} ({url})",
            )
