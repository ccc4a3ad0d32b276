"""What the reading room shows of an article, read from an archive connection.

Plain functions over a ``sqlite3.Connection`` (datasette runs them on its read thread with
``execute_fn``); they return dicts the templates render, or None for an unknown id.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from archive.datasette_plugin.diff import word_diff
from archive.datasette_plugin.times import kst

__all__ = ["load_article", "load_capture_page", "load_diff"]

_FIELDS = ("title", "subtitle", "body")


def _rows(conn: sqlite3.Connection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _names(value: str | None) -> list[str]:
    try:
        names = json.loads(value or "[]")
    except ValueError:
        return [value] if value else []
    return [str(n) for n in names] if isinstance(names, list) else [str(names)]


def _paragraphs(body: str | None) -> list[str]:
    return [line.strip() for line in (body or "").splitlines() if line.strip()]


def _what_changed(old: dict[str, Any] | None, new: dict[str, Any]) -> str:
    if old is None:
        return "first version archived"
    fields = [f for f in _FIELDS if (old[f] or "") != (new[f] or "")]
    if not fields:
        return "same text"  # a re-extraction that produced the same content
    words = {"added": 0, "removed": 0}
    for change in word_diff(old["body"], new["body"]):
        if change.kind in words:
            words[change.kind] += len(change.text.split())
    summary = ", ".join(fields) + " changed"
    if "body" in fields:
        summary += f" (body: {words['added']} words added, {words['removed']} removed)"
    return summary


def load_article(conn: sqlite3.Connection, article_id: int) -> dict[str, Any] | None:
    """The article with its site's name, body paragraphs, revisions and captures."""
    found = _rows(
        conn,
        """SELECT a.*, s.title AS site_title, s.home_url AS site_home
           FROM articles a LEFT JOIN sites s ON s.name = a.site WHERE a.id = ?""",
        [article_id],
    )
    if not found:
        return None
    article = found[0]
    names = _names(article["reporters"])
    emails = _names(article["reporter_emails"])
    # The byline lists names and addresses separately; paired in order when they match up.
    article["byline"] = [
        {"name": name, "email": emails[i] if len(emails) == len(names) else None}
        for i, name in enumerate(names)
    ]
    article["extra_emails"] = [] if len(emails) == len(names) else emails
    article["paragraphs"] = _paragraphs(article["body"])
    article["published_kst"] = kst(article["published_at"])
    article["modified_kst"] = kst(article["modified_at"])
    revisions = _rows(
        conn,
        """SELECT id, number, capture_id, fetched_at, origin, title, subtitle, body
           FROM revisions WHERE article_id = ? ORDER BY number""",
        [article_id],
    )
    previous = None
    for revision in revisions:
        revision["fetched_kst"] = kst(revision["fetched_at"])
        revision["changed"] = _what_changed(previous, revision)
        revision["previous"] = previous["number"] if previous else None
        previous = revision
    article["revisions"] = revisions
    captures = _rows(
        conn,
        """SELECT id, final_url, status, fetched_at, extraction_status, size
           FROM captures WHERE article_id = ? ORDER BY fetched_at, id""",
        [article_id],
    )
    for capture in captures:
        capture["fetched_kst"] = kst(capture["fetched_at"])
    article["captures"] = captures
    return article


def load_diff(
    conn: sqlite3.Connection, article_id: int, *, old: int | None, new: int | None
) -> dict[str, Any] | None:
    """Two versions of an article (revision numbers; by default the last two) and the
    word changes of title, subtitle and body between them; None if either is unknown."""
    numbers = [
        row[0]
        for row in conn.execute(
            "SELECT number FROM revisions WHERE article_id = ? ORDER BY number", [article_id]
        )
    ]
    if not numbers:
        return None
    new = numbers[-1] if new is None else new
    if old is None:
        earlier = [n for n in numbers if n < new]
        old = earlier[-1] if earlier else new
    versions = {
        row["number"]: row
        for row in _rows(
            conn,
            """SELECT r.number, r.fetched_at, r.origin, r.title, r.subtitle, r.body,
                      r.capture_id, a.title AS article_title
               FROM revisions r JOIN articles a ON a.id = r.article_id
               WHERE r.article_id = ? AND r.number IN (?, ?)""",
            [article_id, old, new],
        )
    }
    if old not in versions or new not in versions:
        return None
    before, after = versions[old], versions[new]
    fields: list[dict[str, Any]] = [
        {"name": field, "changes": word_diff(before[field], after[field])}
        for field in _FIELDS
        if before[field] or after[field]
    ]
    return {
        "article_id": article_id,
        "title": after["article_title"],
        "numbers": numbers,
        "old": {**before, "fetched_kst": kst(before["fetched_at"])},
        "new": {**after, "fetched_kst": kst(after["fetched_at"])},
        "fields": fields,
        "changed": any(c.kind != "same" for f in fields for c in f["changes"]),
    }


def load_capture_page(conn: sqlite3.Connection, capture_id: int) -> dict[str, Any] | None:
    """A capture's metadata and its stored (compressed) bytes."""
    found = _rows(
        conn,
        """SELECT c.id, c.final_url, c.status, c.fetched_at, c.encoding, c.headers,
                  c.article_id, b.compression, b.data
           FROM captures c JOIN blobs b ON b.sha256 = c.sha256 WHERE c.id = ?""",
        [capture_id],
    )
    return found[0] if found else None
