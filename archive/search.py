"""Korean full-text search over article titles and bodies: the index and the ranked query.

The index is the contentless FTS5 table ``articles_search`` holding character bigrams
(:mod:`archive.grams`). It is kept in sync by :mod:`archive.store`, in the transaction of
each save; it cannot be kept by triggers, because triggers cannot compute bigrams.

A group of saves (:class:`archive.GroupCommit`) hands its index changes to
:class:`IndexChanges` and writes them all just before its commit, outside any savepoint:
FTS5 writes its pending terms out as a new segment at every savepoint and release, so
indexing inside each save's savepoint made one segment per article (and the merging of
them), while written together a group makes one. Measured at 10,000 articles, 100 saves a
commit: 1,063 saves/s indexing in each savepoint, 1,751 writing the index at commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from archive.grams import fts_query, index_text, query_terms
from archive.periods import UNTIL_END
from archive.schema import SEARCH_TABLE

__all__ = [
    "MAX_QUERY_TERMS",
    "RANK_WINDOW",
    "Hit",
    "IndexChanges",
    "index_article",
    "rebuild_index",
    "search",
    "search_terms",
    "snippet",
    "unindex_article",
]

_T = SEARCH_TABLE

#: bm25 is computed for every match before sorting, ~0.7 µs each: a term found in most of
#: 100,000 articles took 70 ms. Past this many matches, only the most recently archived
#: RANK_WINDOW matches are ranked (a term that common is no longer selective, and the
#: newest articles are the likelier want). The canned query in metadata.yml does the same.
RANK_WINDOW = 10_000

#: A search looks for at most this many distinct words of its query, the first ones: each
#: is one more phrase for FTS5 to intersect and one more alternative in the snippet's
#: pattern, and a pasted paragraph must not hold the archive for seconds.
MAX_QUERY_TERMS = 32


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the article, its bm25 rank (lower is better) and a snippet."""

    id: int
    url: str
    site: str | None
    title: str | None
    published_at: str | None
    rank: float
    snippet: str


def index_article(db: Database, article_id: int, title: str | None, body: str | None) -> None:
    """Add an article's title and body to the search index."""
    db.execute(
        f"INSERT INTO {_T}(rowid, title, body) VALUES (?, ?, ?)",
        [article_id, index_text(title), index_text(body)],
    )


def unindex_article(db: Database, article_id: int, title: str | None, body: str | None) -> None:
    """Remove an article from the index; ``title`` and ``body`` must be what was indexed."""
    db.execute(
        f"INSERT INTO {_T}({_T}, rowid, title, body) VALUES ('delete', ?, ?, ?)",
        [article_id, index_text(title), index_text(body)],
    )


class IndexChanges:
    """Index additions and removals held back, to be written in order by :meth:`apply`.

    A removal from a contentless index must give the exact text that was indexed, so the
    changes keep their order: an article saved twice in one group is added, removed and
    added again.
    """

    __slots__ = ("_changes",)

    def __init__(self) -> None:
        self._changes: list[tuple[bool, int, str | None, str | None]] = []

    def add(self, article_id: int, title: str | None, body: str | None) -> None:
        self._changes.append((True, article_id, title, body))

    def remove(self, article_id: int, title: str | None, body: str | None) -> None:
        self._changes.append((False, article_id, title, body))

    def extend(self, other: IndexChanges) -> None:
        self._changes.extend(other._changes)

    def clear(self) -> None:
        self._changes.clear()

    def apply(self, db: Database) -> None:
        """Write the changes into the index (in the caller's transaction) and forget them."""
        for is_addition, article_id, title, body in self._changes:
            if is_addition:
                index_article(db, article_id, title, body)
            else:
                unindex_article(db, article_id, title, body)
        self._changes.clear()


def rebuild_index(db: Database) -> int:
    """Rebuild the whole index from the articles table, in one transaction; returns rows."""
    with db.atomic():
        db.execute(f"INSERT INTO {_T}({_T}) VALUES ('delete-all')")
        count = 0
        for row in db.query("SELECT id, title, body FROM articles"):
            index_article(db, row["id"], row["title"], row["body"])
            count += 1
        db.execute(f"INSERT INTO {_T}({_T}) VALUES ('optimize')")
    return count


def search(
    db: Database,
    query: str,
    *,
    site: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 20,
) -> list[Hit]:
    """Articles containing every term of ``query`` (as substrings), best bm25 rank first.

    When more than :data:`RANK_WINDOW` articles match, the newest RANK_WINDOW of them are
    ranked. A repeated word counts once; only the first :data:`MAX_QUERY_TERMS` distinct
    words are searched (:func:`search_terms`).
    ``since`` keeps articles published on or after it (an ISO date or datetime prefix,
    compared with ``published_at``), ``until`` those published up to the end of it;
    ``site`` keeps one site's articles.
    """
    terms = search_terms(query)
    match = fts_query(" ".join(terms))
    if match is None:
        return []
    where = [f"{_T} MATCH :match"]
    params: dict[str, Any] = {"match": match, "limit": limit}
    # Finding the window's oldest rowid reads doclists only, without computing any rank.
    floor = db.execute(
        f"SELECT rowid FROM {_T} WHERE {_T} MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
        [match, RANK_WINDOW - 1],
    ).fetchone()
    if floor is not None:
        where.append(f"{_T}.rowid >= :floor")
        params["floor"] = floor[0]
    if site:
        where.append("a.site = :site")
        params["site"] = site
    if since:
        where.append("a.published_at >= :since")
        params["since"] = since
    if until:
        where.append("a.published_at <= :until")
        params["until"] = until + UNTIL_END
    sql = f"""
        SELECT a.id, a.url, a.site, a.title, a.published_at, a.body, {_T}.rank AS rank
        FROM {_T} JOIN articles a ON a.id = {_T}.rowid
        WHERE {" AND ".join(where)}
        ORDER BY {_T}.rank
        LIMIT :limit"""
    return [
        Hit(
            id=row["id"],
            url=row["url"],
            site=row["site"],
            title=row["title"],
            published_at=row["published_at"],
            rank=row["rank"],
            snippet=snippet(row["body"] or "", terms),
        )
        for row in db.query(sql, params)
    ]


def search_terms(query: str) -> list[str]:
    """The words :func:`search` looks for: distinct, at most :data:`MAX_QUERY_TERMS`."""
    return list(dict.fromkeys(query_terms(query)))[:MAX_QUERY_TERMS]


def snippet(
    text: str, terms: list[str], *, width: int = 120, mark: tuple[str, str] = ("[", "]")
) -> str:
    """A window of ``text`` around the first occurrence of a term, every term marked.

    FTS5's own snippet() cannot be used: the index holds bigrams, not the text.
    """
    text = " ".join(text.split())
    if not terms:
        return text[:width]
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.I)
    found = pattern.search(text)
    start = 0 if found is None else max(0, found.start() - width // 3)
    window = text[start : start + width]
    marked = pattern.sub(lambda m: f"{mark[0]}{m.group(0)}{mark[1]}", window)
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return f"{prefix}{marked}{suffix}"
