"""How values are written to the archive's columns: UTC timestamps and JSON text, and the
id of a row just inserted. Shared by the write path, the runs and the reads."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any


def utc(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"fetched_at must be timezone-aware, got {moment!r}")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def inserted_id(cursor: sqlite3.Cursor) -> int:
    # An INSERT into a rowid table always sets it; None would mean the statement was not one.
    if cursor.lastrowid is None:
        raise RuntimeError("the statement inserted no row")
    return cursor.lastrowid
