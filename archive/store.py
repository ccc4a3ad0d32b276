"""Writing to the archive: captures, articles and their revisions, one transaction a save.

Nothing fetched is thrown away: every call stores its capture (raw bytes once per sha256),
a changed title, subtitle or body becomes a new revision beside the old ones, and a failed
extraction never overwrites an article archived before.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils import Database

from archive import coverage
from archive.blobs import Blob, compress_blob, decompress
from archive.search import IndexChanges

__all__ = [
    "Capture",
    "SaveResult",
    "content_hash",
    "finish_run",
    "iter_captures",
    "known_articles",
    "save",
    "save_extraction",
    "start_run",
    "upsert_site",
]

#: Extraction statuses that make (or update) an article; others only mark the capture.
ARTICLE_STATUSES = frozenset({"ok", "partial"})


class SaveResult(StrEnum):
    """What a save did to the article."""

    NEW = "new"  # first version of this canonical URL
    UPDATED = "updated"  # title, subtitle or body differed: a new revision was stored
    UNCHANGED = "unchanged"  # same content: only the seen times (and metadata) moved
    FAILED = "failed"  # extraction status empty / not_article: only the capture was kept


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


def content_hash(title: str | None, subtitle: str | None, body: str | None) -> str:
    """sha256 over what readers see of a version: a change here is a new revision."""
    payload = json.dumps([title or "", subtitle or "", body or ""], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"fetched_at must be timezone-aware, got {moment!r}")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _iso(value: Any) -> str | None:
    """Published/modified as given: an ISO string, or a date/datetime made into one."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _headers_json(headers: Mapping[str, Any]) -> str:
    normal: dict[str, list[str]] = {}
    for key, value in headers.items():
        values = value if isinstance(value, list | tuple) else [value]
        name = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        normal[name] = [v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in values]
    return _json(normal)


def _ensure_site(db: Database, name: str | None) -> None:
    # Articles and captures reference sites(name); a site the crawler never registered
    # still gets its row, so the foreign key holds and datasette can link it.
    if name:
        db.execute("INSERT OR IGNORE INTO sites(name) VALUES (?)", [name])


def _store_blob(db: Database, capture: Capture) -> str:
    body, blob = capture.body, capture.blob
    if blob is not None:
        if blob.size != len(body):
            raise ValueError(f"the packed blob has {blob.size} bytes, the capture {len(body)}")
        db.execute(
            "INSERT OR IGNORE INTO blobs(sha256, size, compression, data) VALUES (?, ?, ?, ?)",
            [blob.sha256, blob.size, blob.compression, blob.data],
        )
        return blob.sha256
    digest = hashlib.sha256(body).hexdigest()
    # Checked first so that a re-fetch of identical bytes does not pay for compression.
    if db.execute("SELECT 1 FROM blobs WHERE sha256 = ?", [digest]).fetchone() is None:
        db.execute(
            "INSERT INTO blobs(sha256, size, compression, data) VALUES (?, ?, 'zstd', ?)",
            [digest, len(body), compress_blob(body)],
        )
    return digest


def _insert_capture(db: Database, capture: Capture, site: str | None) -> int:
    digest = _store_blob(db, capture)
    cursor = db.execute(
        """INSERT INTO captures(url, final_url, site, status, fetched_at, headers, encoding,
                                sha256, size)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            capture.url,
            capture.final_url,
            site,
            capture.status,
            _utc(capture.fetched_at),
            _headers_json(capture.headers),
            capture.encoding,
            digest,
            len(capture.body),
        ],
    )
    return _inserted_id(cursor)


def save(
    db: Database,
    capture: Capture,
    article: Mapping[str, Any],
    *,
    index: IndexChanges | None = None,
) -> SaveResult:
    """Store ``capture`` and the ``article`` extracted from it, in one transaction.

    ``article`` is ``newscrawl.extract.Article.to_dict()``; its ``canonical_url`` is the
    article's key, its ``declared_canonical`` (a canonical URL the page declared on another
    site) is stored beside it, on the article and the capture. Any error rolls back the
    whole save and propagates.

    The search index is written in the same transaction, unless ``index`` is given: then
    the save's index changes are added to it, for the caller to apply before it commits
    (what :class:`archive.GroupCommit` does); they are added only if the save succeeds.
    """
    site = capture.site or article.get("site") or urlsplit(capture.final_url).hostname
    with _transaction(db, index) as changes:
        _ensure_site(db, site)
        capture_id = _insert_capture(db, capture, site)
        fetched_at = _utc(capture.fetched_at)
        result = _apply(db, capture_id, fetched_at, site, article, "fetch", changes)
        _cover(db, site, capture.url, capture.status, article, result)
        return result


def save_extraction(
    db: Database,
    capture_id: int,
    article: Mapping[str, Any],
    *,
    index: IndexChanges | None = None,
) -> SaveResult:
    """Store a re-extraction of the stored capture ``capture_id`` (no new capture row).

    Semantics are those of :func:`save`, with the capture's fetch time; revisions it makes
    are marked ``origin='reextract'``. Raises LookupError for an unknown capture.
    """
    row = db.execute(
        "SELECT fetched_at, site, url, status FROM captures WHERE id = ?", [capture_id]
    ).fetchone()
    if row is None:
        raise LookupError(f"no capture with id {capture_id}")
    fetched_at, capture_site, url, http_status = row
    site = capture_site or article.get("site")
    with _transaction(db, index) as changes:
        _ensure_site(db, site)
        result = _apply(db, capture_id, fetched_at, site, article, "reextract", changes)
        _cover(db, site, url, http_status, article, result)
        return result


def _cover(
    db: Database,
    site: str | None,
    url: str,
    http_status: int,
    article: Mapping[str, Any],
    result: SaveResult,
) -> None:
    """Keep the site's id coverage (archive.coverage) in the save's transaction."""
    coverage.record(
        db,
        site=site,
        url=url,
        article_url=str(article.get("canonical_url") or article.get("url") or url),
        http_status=http_status,
        status=str(article.get("status") or "empty"),
        archived=result is not SaveResult.FAILED,
    )


@contextmanager
def _transaction(db: Database, index: IndexChanges | None) -> Iterator[IndexChanges]:
    """One save's transaction; its index changes are written in it, or handed to ``index``
    when the transaction succeeded."""
    changes = IndexChanges()
    with db.atomic():
        yield changes
        if index is None:
            changes.apply(db)
    if index is not None:
        index.extend(changes)


def _apply(
    db: Database,
    capture_id: int,
    fetched_at: str,
    site: str | None,
    article: Mapping[str, Any],
    origin: str,
    index: IndexChanges,
) -> SaveResult:
    url = article.get("canonical_url") or article.get("url")
    if not url:
        raise ValueError("article has neither canonical_url nor url")
    status = str(article.get("status") or "empty")
    messages = _json(list(article.get("messages") or []))
    declared = article.get("declared_canonical")
    current = db.execute(
        """SELECT a.id, a.content_hash, a.title, a.body, a.revision_count, c.fetched_at
           FROM articles a JOIN captures c ON c.id = a.capture_id WHERE a.url = ?""",
        [url],
    ).fetchone()
    article_id = current[0] if current else None
    if status not in ARTICLE_STATUSES:
        # The capture row says what failed; an article archived before stays as it was.
        _mark_capture(db, capture_id, status, messages, url, declared, article_id)
        return SaveResult.FAILED

    fields = _article_fields(article, site, status, messages)
    digest = content_hash(fields["title"], fields["subtitle"], fields["body"])
    if current is None:
        article_id = _insert_article(db, url, fields, digest, capture_id, fetched_at)
        _mark_capture(db, capture_id, status, messages, url, declared, article_id)
        _insert_revision(db, article_id, 1, capture_id, fetched_at, origin, digest, fields)
        index.add(article_id, fields["title"], fields["body"])
        return SaveResult.NEW

    _mark_capture(db, capture_id, status, messages, url, declared, article_id)
    article_id, current_hash, old_title, old_body, revision_count, version_fetched_at = current
    is_newer = fetched_at >= version_fetched_at
    _touch(db, article_id, fetched_at)
    if digest == current_hash:
        if is_newer:
            _update_metadata(db, article_id, fields)
        return SaveResult.UNCHANGED
    if not is_newer and _has_revision(db, article_id, digest):
        return SaveResult.UNCHANGED

    number = revision_count + 1
    _insert_revision(db, article_id, number, capture_id, fetched_at, origin, digest, fields)
    if not is_newer:
        # An older capture that shows a version we did not have (a re-extraction of an
        # early fetch): kept as a revision, while the article stays the newest version.
        db.execute("UPDATE articles SET revision_count = ? WHERE id = ?", [number, article_id])
        return SaveResult.UPDATED
    index.remove(article_id, old_title, old_body)
    _update_content(db, article_id, fields, digest, capture_id, number)
    index.add(article_id, fields["title"], fields["body"])
    return SaveResult.UPDATED


def _mark_capture(
    db: Database,
    capture_id: int,
    status: str,
    messages: str,
    url: str,
    declared: str | None,
    article_id: int | None,
) -> None:
    db.execute(
        """UPDATE captures SET extraction_status = ?, extraction_messages = ?,
                               canonical_url = ?, declared_canonical = ?, article_id = ?
           WHERE id = ?""",
        [status, messages, url, declared, article_id, capture_id],
    )


def _article_fields(
    article: Mapping[str, Any], site: str | None, status: str, messages: str
) -> dict[str, Any]:
    return {
        "site": site,
        "title": article.get("title"),
        "subtitle": article.get("subtitle"),
        "reporters": _json(list(article.get("reporters") or [])),
        "reporter_emails": _json(list(article.get("reporter_emails") or [])),
        "published_at": _iso(article.get("published")),
        "modified_at": _iso(article.get("modified")),
        "published_raw": article.get("published_raw"),
        "modified_raw": article.get("modified_raw"),
        "section": article.get("section"),
        "body": article.get("body") or "",
        "images": _json(list(article.get("images") or [])),
        "language": article.get("language"),
        "cms": article.get("cms"),
        "status": status,
        "messages": messages,
        "declared_canonical": article.get("declared_canonical"),
    }


# Columns that describe the article but are not its content: refreshed in place.
_METADATA = (
    "site",
    "reporters",
    "reporter_emails",
    "published_at",
    "modified_at",
    "published_raw",
    "modified_raw",
    "section",
    "images",
    "language",
    "cms",
    "status",
    "messages",
    "declared_canonical",
)
_CONTENT = ("title", "subtitle", "body")


def _insert_article(
    db: Database, url: str, fields: dict[str, Any], digest: str, capture_id: int, seen: str
) -> int:
    columns = ("url", *_CONTENT, *_METADATA, "content_hash", "first_seen", "last_seen")
    values = [url, *(fields[c] for c in (*_CONTENT, *_METADATA)), digest, seen, seen]
    cursor = db.execute(
        f"INSERT INTO articles({', '.join(columns)}, capture_id) "
        f"VALUES ({', '.join('?' for _ in columns)}, ?)",
        [*values, capture_id],
    )
    return _inserted_id(cursor)


def _touch(db: Database, article_id: int, seen: str) -> None:
    db.execute(
        """UPDATE articles SET first_seen = min(first_seen, :seen),
                               last_seen = max(last_seen, :seen) WHERE id = :id""",
        {"seen": seen, "id": article_id},
    )


def _update_metadata(db: Database, article_id: int, fields: dict[str, Any]) -> None:
    assignments = ", ".join(f"{c} = ?" for c in _METADATA)
    db.execute(
        f"UPDATE articles SET {assignments} WHERE id = ?",
        [*(fields[c] for c in _METADATA), article_id],
    )


def _update_content(
    db: Database,
    article_id: int,
    fields: dict[str, Any],
    digest: str,
    capture_id: int,
    revision_count: int,
) -> None:
    assignments = ", ".join(f"{c} = ?" for c in (*_CONTENT, *_METADATA))
    db.execute(
        f"UPDATE articles SET {assignments}, content_hash = ?, capture_id = ?, "
        "revision_count = ? WHERE id = ?",
        [
            *(fields[c] for c in (*_CONTENT, *_METADATA)),
            digest,
            capture_id,
            revision_count,
            article_id,
        ],
    )


def _has_revision(db: Database, article_id: int, digest: str) -> bool:
    row = db.execute(
        "SELECT 1 FROM revisions WHERE article_id = ? AND content_hash = ?", [article_id, digest]
    ).fetchone()
    return row is not None


def _insert_revision(
    db: Database,
    article_id: int,
    number: int,
    capture_id: int,
    fetched_at: str,
    origin: str,
    digest: str,
    fields: dict[str, Any],
) -> None:
    db.execute(
        """INSERT INTO revisions(article_id, number, capture_id, fetched_at, origin,
                                 content_hash, title, subtitle, body, reporters,
                                 published_at, modified_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            article_id,
            number,
            capture_id,
            fetched_at,
            origin,
            digest,
            fields["title"],
            fields["subtitle"],
            fields["body"],
            fields["reporters"],
            fields["published_at"],
            fields["modified_at"],
        ],
    )


def upsert_site(
    db: Database,
    *,
    name: str,
    title: str | None = None,
    home_url: str | None = None,
    cms: str | None = None,
    region: str | None = None,
) -> None:
    """Create or update a site of the registry (name is the key)."""
    with db.atomic():
        db.execute(
            """INSERT INTO sites(name, title, home_url, cms, region) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT(name) DO UPDATE SET title = excluded.title,
                   home_url = excluded.home_url, cms = excluded.cms, region = excluded.region""",
            [name, title, home_url, cms, region],
        )


def known_articles(db: Database, site: str | None = None) -> dict[str, str | None]:
    """Canonical URL -> published_at of the archived articles (of one site, if given)."""
    if site is None:
        rows = db.execute("SELECT url, published_at FROM articles")
    else:
        rows = db.execute("SELECT url, published_at FROM articles WHERE site = ?", [site])
    return dict(rows.fetchall())


def captured_urls(db: Database, *, site: str, below_status: int = 500) -> set[str]:
    """Requested and final URLs of the site's captures answered with a status below
    ``below_status``: fetched for good, whatever extraction made of them (a 5xx is not)."""
    rows = db.execute(
        "SELECT url, final_url FROM captures WHERE site = ? AND status < ?", [site, below_status]
    )
    return {url for row in rows for url in row}


def _inserted_id(cursor: sqlite3.Cursor) -> int:
    # An INSERT into a rowid table always sets it; None would mean the statement was not one.
    if cursor.lastrowid is None:
        raise RuntimeError("the statement inserted no row")
    return cursor.lastrowid


def start_run(db: Database, spider: str, sites: list[str]) -> int:
    """Record the start of a crawl; returns the run id for :func:`finish_run`."""
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO crawl_runs(spider, sites, started_at) VALUES (?, ?, ?)",
            [spider, _json(list(sites)), _now()],
        )
    return _inserted_id(cursor)


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
            [_now(), _json(dict(stats)), status, reason, run_id],
        )


def incomplete_sites(
    db: Database, spider: str, sites: list[str], *, exclude_run: int | None = None
) -> set[str]:
    """The ``sites`` whose latest run of ``spider`` (other than ``exclude_run``, the caller's
    own) did not complete: it crashed (no finished_at), was stopped, or spent its budget.

    Such a run may have archived a list's first pages and not its later ones; an incremental
    run that stops at the first list page with nothing new would never reach them.
    """
    pending = set(sites)
    incomplete: set[str] = set()
    rows = db.execute(
        "SELECT sites, finished_at, stats FROM crawl_runs WHERE spider = ? AND id IS NOT ? "
        "ORDER BY id DESC",
        [spider, exclude_run],
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


def _since_utc(since: datetime | str) -> str:
    if isinstance(since, datetime):
        return _utc(since)
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
