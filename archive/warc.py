"""Captures as WARC response records (warcio), for pywb and the Internet Archive's tools."""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import IO

from sqlite_utils import Database
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.periods import UNTIL_END
from archive.reads import Capture

__all__ = ["capture_ids", "write_warc"]

# The stored body is what the crawler got after undoing these: replaying it with the
# original header would make a browser decompress plain bytes, or expect chunks.
_DROPPED_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


def _http_headers(capture: Capture) -> StatusAndHeaders:
    try:
        reason = HTTPStatus(capture.status).phrase
    except ValueError:
        reason = "Unknown"
    headers: list[tuple[str, str]] = []
    for name, values in capture.headers.items():
        if name.lower() in _DROPPED_HEADERS:
            continue
        for value in [values] if isinstance(values, str) else values:
            headers.append((name, value))
    headers.append(("Content-Length", str(len(capture.body))))
    return StatusAndHeaders(f"{capture.status} {reason}", headers, protocol="HTTP/1.1")


def capture_ids(
    db: Database, *, site: str | None = None, since: str | None = None, until: str | None = None
) -> list[int]:
    """Ids of the captures to write, oldest fetch first.

    ``since`` and ``until`` are ISO prefixes compared with the fetch time (UTC), both
    inclusive: ``--until 2025-05`` keeps all of May.
    """
    where, params = [], []
    if site is not None:
        where.append("site = ?")
        params.append(site)
    if since is not None:
        where.append("fetched_at >= ?")
        params.append(since)
    if until is not None:
        where.append("fetched_at <= ?")
        params.append(until + UNTIL_END)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    sql = f"SELECT id FROM captures {clause} ORDER BY fetched_at, id"
    return [row[0] for row in db.execute(sql, params)]


def write_warc(captures: Iterable[tuple[int, Capture]], out: str | Path | IO[bytes]) -> int:
    """Write ``captures`` as gzipped WARC/1.0 response records; returns how many.

    Each record's target URI is the final URL (after redirects) and its date the fetch
    time. ``out`` is a path or a binary file object.
    """
    if isinstance(out, str | Path):
        with open(out, "wb") as stream:
            return write_warc(captures, stream)
    writer = WARCWriter(out, gzip=True)
    info = writer.create_warcinfo_record(
        "archive.warc.gz", {"software": "newscrawl archive", "format": "WARC File Format 1.0"}
    )
    writer.write_record(info)
    count = 0
    for capture_id, capture in captures:
        record = writer.create_warc_record(
            capture.final_url,
            "response",
            payload=BytesIO(capture.body),
            http_headers=_http_headers(capture),
            warc_headers_dict={
                "WARC-Date": capture.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "X-Archive-Requested-URI": capture.url,
                "X-Archive-Capture-Id": str(capture_id),
            },
        )
        writer.write_record(record)
        count += 1
    return count
