"""Reading the archive back: the captures as fetched (raw bytes decompressed, to re-extract
or replay them), and what a crawl needs to know it holds already."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from archive.blobs import Blob, decompress
from archive.values import utc

__all__ = ["Capture", "captured_urls", "iter_captures", "known_articles", "load_capture"]


@dataclass(slots=True)
class Capture:
    """One HTTP response as fetched: kept whole so it can be re-extracted and replayed."""

    url: str  # the URL requested
    final_url: str  # after redirects
    status: int
    fetched_at: datetime  # timezone-aware; stored in UTC
    headers: Mapping[str, str | list[str]]
    encoding: str | None  # what the HTTP header declared, if anything
    body: bytes
    site: str | None = None  # registry name of the site
    blob: Blob | None = None  # ``body`` packed already (archive.blobs.pack_blob), or None


def known_articles(db: Database, site: str | None = None) -> Iterator[tuple[str, str | None]]:
    """(canonical URL, published_at) of the archived articles (of one site, if given), read
    row by row: a crawl's start keeps a million of them compactly, never as a dict."""
    if site is None:
        rows = db.execute("SELECT url, published_at FROM articles")
    else:
        rows = db.execute("SELECT url, published_at FROM articles WHERE site = ?", [site])
    yield from rows


def captured_urls(db: Database, *, site: str, below_status: int = 500) -> Iterator[str]:
    """Requested and final URLs of the site's captures answered with a status below
    ``below_status`` (fetched for good, whatever extraction made of them; a 5xx is not),
    row by row; a URL may come more than once."""
    rows = db.execute(
        "SELECT url, final_url FROM captures WHERE site = ? AND status < ?", [site, below_status]
    )
    for row in rows:
        yield from row


def _since_utc(since: datetime | str) -> str:
    if isinstance(since, datetime):
        return utc(since)
    return since


def iter_captures(
    db: Database, *, site: str | None = None, since: datetime | str | None = None
) -> Iterator[tuple[int, Capture]]:
    """Stored captures, oldest fetch first, with their raw bytes decompressed.

    ``since`` filters on the capture's fetch time (``fetched_at`` >= since, UTC; a string
    is compared as an ISO prefix such as ``2025-05``), not on the article's publication,
    because a capture that failed extraction has no publication date.
    """
    where, params = [], []
    if site is not None:
        where.append("c.site = ?")
        params.append(site)
    if since is not None:
        where.append("c.fetched_at >= ?")
        params.append(_since_utc(since))
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    ids = [
        row[0]
        for row in db.execute(
            f"SELECT c.id FROM captures c {clause} ORDER BY c.fetched_at, c.id", params
        )
    ]
    # One capture at a time, so memory stays flat on an archive of any size.
    for capture_id in ids:
        yield capture_id, load_capture(db, capture_id)


def load_capture(db: Database, capture_id: int) -> Capture:
    """The stored capture ``capture_id``, raw bytes decompressed (LookupError if unknown)."""
    row = db.execute(
        """SELECT c.url, c.final_url, c.status, c.fetched_at, c.headers, c.encoding, c.site,
                  b.compression, b.data
           FROM captures c JOIN blobs b ON b.sha256 = c.sha256 WHERE c.id = ?""",
        [capture_id],
    ).fetchone()
    if row is None:
        raise LookupError(f"no capture with id {capture_id}")
    url, final_url, status, fetched_at, headers, encoding, site, compression, data = row
    return Capture(
        url=url,
        final_url=final_url,
        status=status,
        fetched_at=datetime.fromisoformat(fetched_at),
        headers=json.loads(headers),
        encoding=encoding,
        body=decompress(compression, data),
        site=site,
    )
