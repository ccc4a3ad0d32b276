"""Recognising an archive file before trusting it, and opening it for reading only.

A command given the wrong file must not change it: reading opens the file with SQLite's
``mode=ro`` and never creates, migrates or switches it to WAL; writing
(:func:`archive.schema.open_db`) accepts only a new or empty file or an archive. What is
wrong with a file comes back as a typed :class:`ArchiveFileError` naming the file.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from sqlite_utils import Database

__all__ = [
    "ArchiveFileError",
    "DamagedArchive",
    "NotAnArchive",
    "UnknownSchema",
    "check_file",
    "check_schema",
    "diagnose",
    "is_archive_file",
    "open_readonly",
]

log = logging.getLogger(__name__)

_MAGIC = b"SQLite format 3\x00"
_HEADER_SIZE = 100
_MIGRATIONS_TABLE = "_sqlite_migrations"
#: The migration set of archive.schema.MIGRATIONS (sqlite-utils' migration_set column).
MIGRATION_SET = "archive"
# SQLite's own files beside a database: an output written over one of them destroys it.
_COMPANIONS = ("", "-wal", "-shm", "-journal")


class ArchiveFileError(Exception):
    """A file that cannot be used as an archive: its ``path`` and the ``reason``, as data."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class NotAnArchive(ArchiveFileError):
    """Missing, not SQLite, or a database without the archive's schema."""


class UnknownSchema(ArchiveFileError):
    """An archive written by a newer newscrawl: a migration this code does not know."""


class DamagedArchive(ArchiveFileError):
    """An SQLite file that is truncated or that SQLite reports as malformed."""


def check_file(path: str | Path) -> bool:
    """Raise unless ``path`` is an existing regular file; True when it is empty (0 bytes).

    Only stat() is used: SQLite's locks are POSIX locks, which a process loses on a file
    whenever it closes any descriptor of that file, so opening the database file here,
    while another connection of this process has it open (the crawler opens the archive
    twice), would let a reader elsewhere delete that connection's WAL.
    """
    path = Path(path)
    if not path.exists():
        raise NotAnArchive(path, "no such file")
    if not path.is_file():
        raise NotAnArchive(path, "not a regular file")
    return path.stat().st_size == 0


def diagnose(path: str | Path, error: sqlite3.DatabaseError) -> ArchiveFileError:
    """What is wrong with a file SQLite failed to read: its header says more than SQLite.

    The file is read only here, after SQLite failed on it (see :func:`check_file`).
    """
    path = Path(path)
    if getattr(error, "sqlite_errorname", "") == "SQLITE_NOTADB":
        return NotAnArchive(path, "not an SQLite database")
    try:
        with path.open("rb") as stream:
            header = stream.read(_HEADER_SIZE)
    except OSError:
        return DamagedArchive(path, describe(error))
    if not header.startswith(_MAGIC):
        return NotAnArchive(path, "not an SQLite database")
    size = path.stat().st_size
    page_size = int.from_bytes(header[16:18], "big") if len(header) == _HEADER_SIZE else 0
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big") if len(header) == _HEADER_SIZE else 0
    # The page count is valid only when "version-valid-for" equals the change counter
    # (SQLite file format, section 1.3.7); older writers leave it stale.
    if header[24:28] == header[92:96] and size < pages * page_size:
        return DamagedArchive(
            path, f"truncated: {size} bytes where its header declares {pages * page_size}"
        )
    return DamagedArchive(path, describe(error))


def check_schema(
    db: Database, path: str | Path, known: Sequence[str], *, allow_new: bool = False
) -> list[str]:
    """Raise unless ``db`` is an archive whose every applied migration is in ``known``.

    With ``allow_new``, a database without any table passes too (a writer creates the
    archive in it). Returns the names of the migrations applied. Reads only.
    """
    try:
        tables = [
            row[0]
            for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        ]
        # Only the migrations table: a first migration that failed (it is created before,
        # and outside, the migration's transaction). A writer starts again.
        if allow_new and set(tables) <= {_MIGRATIONS_TABLE}:
            return []
        if _MIGRATIONS_TABLE not in tables:
            listed = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
            what = f"an SQLite database with other tables ({listed})" if tables else "empty"
            raise NotAnArchive(path, f"not a newscrawl archive: {what}")
        applied = [
            row[0]
            for row in db.execute(
                f"SELECT name FROM {_MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid",
                [MIGRATION_SET],
            ).fetchall()
        ]
    except sqlite3.DatabaseError as error:
        raise diagnose(path, error) from None
    if not applied:
        raise NotAnArchive(path, "not a newscrawl archive: no archive migrations applied")
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise UnknownSchema(
            path,
            f"schema version {unknown[-1]} is newer than this newscrawl knows "
            f"(up to {known[-1]}); use the newscrawl that wrote it",
        )
    return applied


def describe(error: sqlite3.Error) -> str:
    """SQLite's message, and what it means for an archive when it means damage."""
    name = getattr(error, "sqlite_errorname", "")
    if name.startswith("SQLITE_CORRUPT") or "malformed" in str(error):
        return f"damaged ({error}); `python -m archive verify` names what"
    if name == "SQLITE_NOTADB":
        return f"not an SQLite database ({error})"
    return str(error)


def open_readonly(path: str | Path, known: Sequence[str]) -> Database:
    """Open an existing archive for reading: nothing is created, migrated or changed.

    In a read-only directory SQLite cannot create the WAL index (``-shm``) a WAL database
    needs even to read; then the file is opened ``immutable`` (no locking), which is right
    for the archive copy such a directory holds, and says so in the log.
    """
    path = Path(path)
    if check_file(path):
        raise NotAnArchive(path, "not a newscrawl archive: empty file")
    uri = path.absolute().as_uri()
    db = _connect(f"{uri}?mode=ro")
    try:
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as error:
            if not getattr(error, "sqlite_errorname", "").startswith(
                ("SQLITE_READONLY", "SQLITE_CANTOPEN")
            ):
                raise
            db.close()
            log.warning("%s: read-only directory, reading the file as immutable", path)
            db = _connect(f"{uri}?mode=ro&immutable=1")
        check_schema(db, path, known)
    except sqlite3.DatabaseError as error:
        db.close()
        raise diagnose(path, error) from None
    except ArchiveFileError:
        db.close()
        raise
    return db


def _connect(uri: str) -> Database:
    conn = sqlite3.connect(uri, uri=True)
    # A writer's lock must not fail a reader; query_only refuses writes even where the
    # file system would allow them.
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA query_only = ON")
    return Database(conn)


def is_archive_file(candidate: str | Path, archive: str | Path) -> bool:
    """Whether writing to ``candidate`` would overwrite ``archive`` or its -wal/-shm/-journal.

    Compares absolute and resolved paths, and existing files with os.path.samefile, so a
    symbolic or hard link to the archive counts as the archive.
    """
    candidate = Path(candidate)
    for suffix in _COMPANIONS:
        own = Path(f"{archive}{suffix}")
        if candidate.absolute() == own.absolute() or candidate.resolve() == own.resolve():
            return True
        try:
            if os.path.samefile(candidate, own):
                return True
        except OSError:
            continue  # one of them does not exist
    return False
