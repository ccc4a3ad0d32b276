"""The rows of an article and its revisions, as a save writes them: the article inserted or
updated in place, its capture marked, a new version kept as a revision beside the old ones.

Called by :mod:`archive.saves` inside the save's transaction; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlite_utils import Database

from archive.values import as_json, inserted_id


def _iso(value: Any) -> str | None:
    """Published/modified as given: an ISO string, or a date/datetime made into one."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def mark_capture(
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


def article_fields(
    article: Mapping[str, Any], site: str | None, status: str, messages: str
) -> dict[str, Any]:
    return {
        "site": site,
        "title": article.get("title"),
        "subtitle": article.get("subtitle"),
        "reporters": as_json(list(article.get("reporters") or [])),
        "reporter_emails": as_json(list(article.get("reporter_emails") or [])),
        "published_at": _iso(article.get("published")),
        "modified_at": _iso(article.get("modified")),
        "published_raw": article.get("published_raw"),
        "modified_raw": article.get("modified_raw"),
        "section": article.get("section"),
        "body": article.get("body") or "",
        "images": as_json(list(article.get("images") or [])),
        "language": article.get("language"),
        "cms": article.get("cms"),
        "status": status,
        "messages": messages,
        "declared_canonical": article.get("declared_canonical"),
    }


# Columns that describe the article but are not its content: refreshed in place.
METADATA = (
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
CONTENT = ("title", "subtitle", "body")


def insert_article(
    db: Database, url: str, fields: dict[str, Any], digest: str, capture_id: int, seen: str
) -> int:
    columns = ("url", *CONTENT, *METADATA, "content_hash", "first_seen", "last_seen")
    values = [url, *(fields[c] for c in (*CONTENT, *METADATA)), digest, seen, seen]
    cursor = db.execute(
        f"INSERT INTO articles({', '.join(columns)}, capture_id) "
        f"VALUES ({', '.join('?' for _ in columns)}, ?)",
        [*values, capture_id],
    )
    return inserted_id(cursor)


def touch(db: Database, article_id: int, seen: str) -> None:
    db.execute(
        """UPDATE articles SET first_seen = min(first_seen, :seen),
                               last_seen = max(last_seen, :seen) WHERE id = :id""",
        {"seen": seen, "id": article_id},
    )


def update_metadata(db: Database, article_id: int, fields: dict[str, Any]) -> None:
    assignments = ", ".join(f"{c} = ?" for c in METADATA)
    db.execute(
        f"UPDATE articles SET {assignments} WHERE id = ?",
        [*(fields[c] for c in METADATA), article_id],
    )


def update_content(
    db: Database,
    article_id: int,
    fields: dict[str, Any],
    digest: str,
    capture_id: int,
    revision_count: int,
) -> None:
    assignments = ", ".join(f"{c} = ?" for c in (*CONTENT, *METADATA))
    db.execute(
        f"UPDATE articles SET {assignments}, content_hash = ?, capture_id = ?, "
        "revision_count = ? WHERE id = ?",
        [
            *(fields[c] for c in (*CONTENT, *METADATA)),
            digest,
            capture_id,
            revision_count,
            article_id,
        ],
    )


def has_revision(db: Database, article_id: int, digest: str) -> bool:
    row = db.execute(
        "SELECT 1 FROM revisions WHERE article_id = ? AND content_hash = ?", [article_id, digest]
    ).fetchone()
    return row is not None


def insert_revision(
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
