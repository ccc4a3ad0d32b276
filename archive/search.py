"""Korean full-text search over article titles and bodies: the index and the ranked query.

The index is the contentless FTS5 table ``articles_search`` holding character bigrams
(:mod:`archive.grams`). It is kept in sync by :mod:`archive.saves`, in the transaction of
each save; it cannot be kept by triggers, because triggers cannot compute bigrams.

A group of saves (:class:`archive.GroupCommit`) hands its index changes to
:class:`IndexChanges` and writes them all just before its commit, outside any savepoint:
FTS5 writes its pending terms out as a new segment at every savepoint and release, so
indexing inside each save's savepoint made one segment per article (and the merging of
them), while written together a group makes one. Measured at 10,000 articles, 100 saves a
commit: 1,063 saves/s indexing in each savepoint, 1,751 writing the index at commit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Self

from sqlite_utils import Database

from archive.grams import GRAMS_VERSION, fts_query, index_text, query_terms
from archive.periods import UNTIL_END
from archive.schema import SEARCH_TABLE

__all__ = [
    "MAX_QUERY_TERMS",
    "RANKED_CTE",
    "RANK_WINDOW",
    "TITLE_SCORE_SQL",
    "Hit",
    "IndexChanges",
    "IndexText",
    "index_article",
    "ranked_cte",
    "rebuild_index",
    "search",
    "search_terms",
    "snippet",
    "unindex_article",
]

_T = SEARCH_TABLE

#: Only the newest RANK_WINDOW matches of a query are ranked. FTS5's own bm25() cannot be
#: used at scale: before ranking a single row it counts every match of every phrase in the
#: whole archive (its IDF), and then reads each match's positions; at 100,000 articles
#: that was 7 ms for a 5-syllable query ranking 20 rows, 16 ms ranking 10,000, growing
#: with the archive. Reading the newest matches by rowid stops after RANK_WINDOW of them,
#: so a search costs about the same at any size (bench/archive_bench.py).
RANK_WINDOW = 1_000

#: How the window is ranked: by how often the query's words occur in the title (BM25's
#: saturating term frequency, k1 = 1.2, summed over the words), then newest first. Every
#: candidate contains every word (AND), so the title is what tells an article about the
#: words from one that mentions them. The body is not scored: reading and counting the
#: bodies of 1,000 candidates took 30-100 ms at 100,000 articles, their titles 1-3 ms.
#: A word is counted as a substring of the lower-cased title, as it is matched.
TITLE_SCORE_SQL = """total(
      (length(t.title) - length(replace(t.title, w.word, ''))) / length(w.word) * 2.2
      / ((length(t.title) - length(replace(t.title, w.word, ''))) / length(w.word) + 1.2))"""

#: The ranked search, shared by :func:`search` and the canned query of metadata.yml
#: (:data:`archive.queries.SEARCH_SQL`): given CTEs ``search_match(expr)`` (the FTS5
#: expression) and ``search_words(word)``, the CTE ``ranked(id, rank)`` holds the newest
#: RANK_WINDOW matching articles with their rank, the negated title score (lower is
#: better, as FTS5 ranks), and ``top(id, rank)`` the best ``{limit}`` of them, best first
#: (sorted before the articles are joined: a sort after the join would carry every
#: candidate's body). ``{filters}`` are further conditions on the article ``a``;
#: CROSS JOIN keeps the index as the outer loop, read newest first (FTS5 consumes the
#: ORDER BY rowid DESC and stops after LIMIT rows).
RANKED_CTE = """
  candidates(id) AS (
    SELECT articles_search.rowid FROM articles_search{join}
    WHERE articles_search MATCH (SELECT expr FROM search_match){filters}
    ORDER BY articles_search.rowid DESC
    LIMIT {window}
  ),
  titles(id, title) AS (
    SELECT c.id, lower(coalesce(a.title, '')) FROM candidates c JOIN articles a ON a.id = c.id
  ),
  ranked(id, rank) AS (
    SELECT t.id, -(SELECT {score} FROM search_words w) FROM titles t
  ),
  top(id, rank) AS (
    SELECT id, rank FROM ranked ORDER BY rank, id DESC LIMIT {limit}
  )"""


def ranked_cte(*, filters: str = "", limit: str = ":limit") -> str:
    """:data:`RANKED_CTE` completed: ``filters`` is SQL starting with `` AND``, or empty;
    ``limit`` is SQL for the number of results."""
    join = " CROSS JOIN articles a ON a.id = articles_search.rowid" if filters else ""
    return RANKED_CTE.format(
        join=join, filters=filters, window=RANK_WINDOW, score=TITLE_SCORE_SQL, limit=limit
    )


#: A search looks for at most this many distinct words of its query, the first ones: each
#: is one more phrase for FTS5 to intersect and one more alternative in the snippet's
#: pattern, and a pasted paragraph must not hold the archive for seconds.
MAX_QUERY_TERMS = 32


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the article, its rank (lower is better) and a snippet."""

    id: int
    url: str
    site: str | None
    title: str | None
    published_at: str | None
    rank: float
    snippet: str


@dataclass(frozen=True, slots=True)
class IndexText:
    """An article's title and body with the bigram text the index holds for them.

    Made where CPU is spare (the crawl's extraction workers, :mod:`newscrawl.preparation`)
    and handed to a save: the archive's one writer then skips :func:`~archive.grams.index_text`,
    a sixth of its CPU a save. A save uses it only for the very title and body it stores,
    made by this version of :mod:`archive.grams`; otherwise the text is made again.
    """

    title: str | None
    body: str | None
    title_grams: str
    body_grams: str
    version: int = GRAMS_VERSION

    @classmethod
    def of(cls, title: str | None, body: str | None) -> Self:
        return cls(title, body, index_text(title), index_text(body))

    def grams_for(self, title: str | None, body: str | None) -> tuple[str, str] | None:
        """The bigram texts, if they are those of ``title`` and ``body``."""
        if self.version != GRAMS_VERSION or self.title != title or self.body != body:
            return None
        return self.title_grams, self.body_grams


def _grams(title: str | None, body: str | None, prepared: IndexText | None) -> tuple[str, str]:
    made = prepared.grams_for(title, body) if prepared is not None else None
    return made if made is not None else (index_text(title), index_text(body))


def index_article(
    db: Database,
    article_id: int,
    title: str | None,
    body: str | None,
    *,
    prepared: IndexText | None = None,
) -> None:
    """Add an article's title and body to the search index (``prepared``: their bigram
    text made beforehand, used if it matches)."""
    db.execute(
        f"INSERT INTO {_T}(rowid, title, body) VALUES (?, ?, ?)",
        [article_id, *_grams(title, body, prepared)],
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
        self._changes: list[tuple[bool, int, str | None, str | None, IndexText | None]] = []

    def add(
        self,
        article_id: int,
        title: str | None,
        body: str | None,
        *,
        prepared: IndexText | None = None,
    ) -> None:
        self._changes.append((True, article_id, title, body, prepared))

    def remove(self, article_id: int, title: str | None, body: str | None) -> None:
        self._changes.append((False, article_id, title, body, None))

    def extend(self, other: IndexChanges) -> None:
        self._changes.extend(other._changes)

    def clear(self) -> None:
        self._changes.clear()

    def apply(self, db: Database) -> None:
        """Write the changes into the index (in the caller's transaction) and forget them."""
        for is_addition, article_id, title, body, prepared in self._changes:
            if is_addition:
                index_article(db, article_id, title, body, prepared=prepared)
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
    """Articles containing every term of ``query`` (as substrings), best rank first.

    The newest :data:`RANK_WINDOW` matching articles (after the filters) are ranked by
    the words' occurrences in their titles (:data:`TITLE_SCORE_SQL`), then newest first.
    A repeated word counts once; only the first :data:`MAX_QUERY_TERMS` distinct words are
    searched (:func:`search_terms`).
    ``since`` keeps articles published on or after it (an ISO date or datetime prefix,
    compared with ``published_at``), ``until`` those published up to the end of it;
    ``site`` keeps one site's articles.
    """
    terms = search_terms(query)
    match = fts_query(" ".join(terms))
    if match is None:
        return []
    filters = ""
    params: dict[str, Any] = {"match": match, "words": json.dumps(terms), "limit": limit}
    if site:
        filters += " AND a.site = :site"
        params["site"] = site
    if since:
        filters += " AND a.published_at >= :since"
        params["since"] = since
    if until:
        filters += " AND a.published_at <= :until"
        params["until"] = until + UNTIL_END
    words = "search_words(word) AS MATERIALIZED (SELECT value FROM json_each(:words))"
    sql = f"""
        WITH search_match(expr) AS (SELECT :match),
          {words},{ranked_cte(filters=filters)}
        SELECT a.id, a.url, a.site, a.title, a.published_at, a.body, r.rank
        FROM top r JOIN articles a ON a.id = r.id
        ORDER BY r.rank, r.id DESC"""
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
