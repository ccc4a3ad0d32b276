"""Writing to the archive: captures, articles and their revisions, one transaction a save.

Nothing fetched is thrown away: every call stores its capture (raw bytes once per sha256),
a changed title, subtitle or body becomes a new revision beside the old ones, and a failed
extraction never overwrites an article archived before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils import Database

from archive import articles, coverage
from archive.blobs import compress_blob
from archive.reads import Capture
from archive.search import IndexChanges, IndexText
from archive.values import as_json, inserted_id, utc

__all__ = [
    "ARTICLE_STATUSES",
    "SaveResult",
    "content_hash",
    "save",
    "save_extraction",
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


def content_hash(title: str | None, subtitle: str | None, body: str | None) -> str:
    """sha256 over what readers see of a version: a change here is a new revision."""
    payload = json.dumps([title or "", subtitle or "", body or ""], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _headers_json(headers: Mapping[str, Any]) -> str:
    normal: dict[str, list[str]] = {}
    for key, value in headers.items():
        values = value if isinstance(value, list | tuple) else [value]
        name = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        normal[name] = [v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in values]
    return as_json(normal)


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
            utc(capture.fetched_at),
            _headers_json(capture.headers),
            capture.encoding,
            digest,
            len(capture.body),
        ],
    )
    return inserted_id(cursor)


def save(
    db: Database,
    capture: Capture,
    article: Mapping[str, Any],
    *,
    index: IndexChanges | None = None,
    prepared: IndexText | None = None,
) -> SaveResult:
    """Store ``capture`` and the ``article`` extracted from it, in one transaction.

    ``article`` is ``newscrawl.extract.Article.to_dict()``; its ``canonical_url`` is the
    article's key, its ``declared_canonical`` (a canonical URL the page declared on another
    site) is stored beside it, on the article and the capture. Any error rolls back the
    whole save and propagates.

    The search index is written in the same transaction, unless ``index`` is given: then
    the save's index changes are added to it, for the caller to apply before it commits
    (what :class:`archive.GroupCommit` does); they are added only if the save succeeds.
    ``prepared`` is the article's bigram text made beforehand (:class:`archive.IndexText`):
    used if it is that of the title and body stored, made again otherwise.
    """
    site = capture.site or article.get("site") or urlsplit(capture.final_url).hostname
    with _transaction(db, index) as changes:
        _ensure_site(db, site)
        capture_id = _insert_capture(db, capture, site)
        fetched_at = utc(capture.fetched_at)
        result = _apply(db, capture_id, fetched_at, site, article, "fetch", changes, prepared)
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
    prepared: IndexText | None = None,
) -> SaveResult:
    url = article.get("canonical_url") or article.get("url")
    if not url:
        raise ValueError("article has neither canonical_url nor url")
    status = str(article.get("status") or "empty")
    messages = as_json(list(article.get("messages") or []))
    declared = article.get("declared_canonical")
    current = db.execute(
        """SELECT a.id, a.content_hash, a.title, a.body, a.revision_count, c.fetched_at
           FROM articles a JOIN captures c ON c.id = a.capture_id WHERE a.url = ?""",
        [url],
    ).fetchone()
    article_id = current[0] if current else None
    if status not in ARTICLE_STATUSES:
        # The capture row says what failed; an article archived before stays as it was.
        articles.mark_capture(db, capture_id, status, messages, url, declared, article_id)
        return SaveResult.FAILED

    fields = articles.article_fields(article, site, status, messages)
    digest = content_hash(fields["title"], fields["subtitle"], fields["body"])
    if current is None:
        article_id = articles.insert_article(db, url, fields, digest, capture_id, fetched_at)
        articles.mark_capture(db, capture_id, status, messages, url, declared, article_id)
        articles.insert_revision(db, article_id, 1, capture_id, fetched_at, origin, digest, fields)
        index.add(article_id, fields["title"], fields["body"], prepared=prepared)
        return SaveResult.NEW

    articles.mark_capture(db, capture_id, status, messages, url, declared, article_id)
    article_id, current_hash, old_title, old_body, revision_count, version_fetched_at = current
    is_newer = fetched_at >= version_fetched_at
    articles.touch(db, article_id, fetched_at)
    if digest == current_hash:
        if is_newer:
            articles.update_metadata(db, article_id, fields)
        return SaveResult.UNCHANGED
    if not is_newer and articles.has_revision(db, article_id, digest):
        return SaveResult.UNCHANGED

    number = revision_count + 1
    articles.insert_revision(db, article_id, number, capture_id, fetched_at, origin, digest, fields)
    if not is_newer:
        # An older capture that shows a version we did not have (a re-extraction of an
        # early fetch): kept as a revision, while the article stays the newest version.
        db.execute("UPDATE articles SET revision_count = ? WHERE id = ?", [number, article_id])
        return SaveResult.UPDATED
    index.remove(article_id, old_title, old_body)
    articles.update_content(db, article_id, fields, digest, capture_id, number)
    index.add(article_id, fields["title"], fields["body"], prepared=prepared)
    return SaveResult.UPDATED


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
