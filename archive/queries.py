"""Named, parameterized read queries: used by the command line and, verbatim, as datasette's
canned queries in metadata.yml (a test keeps the two identical)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from sqlite_utils import Database

from archive.grams import fts_query
from archive.search import ranked_cte, search_terms

__all__ = [
    "CANNED",
    "SEARCH_SQL",
    "STATS",
    "register_functions",
    "run",
    "search_expression",
    "search_first_term",
    "search_words_json",
]


def search_expression(query: str | None) -> str:
    """The FTS5 expression :func:`archive.search.search` matches for ``query`` (its distinct,
    capped terms through :func:`archive.grams.fts_query`); ``'""'``, which matches nothing,
    when the query has no word. SQL calls it as ``search_expression(:q)``."""
    return fts_query(" ".join(search_terms(query or ""))) or '""'


def search_first_term(query: str | None) -> str | None:
    """The first term :func:`archive.search.search` looks for, or None: the snippet's mark."""
    terms = search_terms(query or "")
    return terms[0] if terms else None


def search_words_json(query: str | None) -> str:
    """The terms :func:`archive.search.search` looks for, as a JSON array: the words whose
    occurrences in a title rank it (``json_each`` turns them into rows in SQL)."""
    return json.dumps(search_terms(query or ""), ensure_ascii=False)


def register_functions(conn: sqlite3.Connection) -> None:
    """Make the search rules callable from SQL on ``conn``, so that the canned ``search``
    query (and datasette's search box, through the plugin) searches exactly as the command
    line does: one definition, in Python, instead of a copy in SQL that drifts."""
    conn.create_function("search_expression", 1, search_expression, deterministic=True)
    conn.create_function("search_first_term", 1, search_first_term, deterministic=True)
    conn.create_function("search_words_json", 1, search_words_json, deterministic=True)


_SEARCH_CTE = """
WITH
  first_word(w) AS (SELECT search_first_term(:q)),
  search_match(expr) AS (SELECT search_expression(:q)),
  search_words(word) AS MATERIALIZED (SELECT value FROM json_each(search_words_json(:q))),"""

#: Ranked search with a snippet around the first word, marked 【like this】: the ranking of
#: archive.search.search() (its newest RANK_WINDOW matches, ranked by the same SQL).
SEARCH_SQL = (
    _SEARCH_CTE
    + ranked_cte(limit="50")
    + """
SELECT a.id, a.published_at, a.site, a.title,
  CASE WHEN instr(lower(a.body), (SELECT w FROM first_word)) > 0
    THEN '…' || replace(
      substr(a.body, max(1, instr(lower(a.body), (SELECT w FROM first_word)) - 40), 120),
      (SELECT w FROM first_word), '【' || (SELECT w FROM first_word) || '】') || '…'
    ELSE substr(a.body, 1, 120) || '…' END AS snippet,
  round(r.rank, 3) AS rank, a.url
FROM top r JOIN articles a ON a.id = r.id
ORDER BY r.rank, r.id DESC"""
)

ARTICLES_BY_REPORTER_SQL = """
SELECT a.id, a.published_at, a.site, a.title, a.reporters, a.url
FROM articles a
WHERE EXISTS (SELECT 1 FROM json_each(a.reporters) r WHERE r.value = :reporter)
ORDER BY a.published_at DESC"""

# substr, not date(): date() would convert 01:00+09:00 to the previous day in UTC.
DAILY_COUNTS_SQL = """
SELECT substr(published_at, 1, 10) AS day, site, count(*) AS articles
FROM articles
WHERE published_at IS NOT NULL
GROUP BY day, site
ORDER BY day DESC, site"""

REVISED_ARTICLES_SQL = """
SELECT a.id, a.published_at, a.site, a.title,
  count(r.id) AS versions, min(r.fetched_at) AS first_fetched,
  max(r.fetched_at) AS last_changed, a.url
FROM articles a JOIN revisions r ON r.article_id = a.id
WHERE r.origin = 'fetch'
GROUP BY a.id
HAVING count(r.id) > 1
ORDER BY last_changed DESC"""

EXTRACTION_FAILURES_SQL = """
SELECT c.id AS capture_id, c.fetched_at, c.site, c.final_url, c.status AS http_status,
  c.extraction_status, c.extraction_messages, c.article_id
FROM captures c
WHERE c.extraction_status NOT IN ('ok', 'partial')
ORDER BY c.fetched_at DESC"""

#: name -> (title, description, SQL): the canned queries of metadata.yml.
CANNED: dict[str, str] = {
    "search": SEARCH_SQL,
    "articles_by_reporter": ARTICLES_BY_REPORTER_SQL,
    "daily_counts": DAILY_COUNTS_SQL,
    "revised_articles": REVISED_ARTICLES_SQL,
    "extraction_failures": EXTRACTION_FAILURES_SQL,
}

#: The sections of ``python -m archive stats``.
STATS: dict[str, str] = {
    "articles per site and month": """
        SELECT site, coalesce(published_month, '(no date)') AS month, count(*) AS articles
        FROM articles GROUP BY site, month ORDER BY site, month""",
    "top reporters": """
        SELECT r.value AS reporter, count(*) AS articles
        FROM articles a, json_each(a.reporters) r
        GROUP BY r.value ORDER BY articles DESC, reporter LIMIT :limit""",
    "extraction results": """
        SELECT coalesce(site, '') AS site, coalesce(extraction_status, '(none)') AS status,
               count(*) AS captures
        FROM captures GROUP BY site, status ORDER BY site, status""",
    "extraction failures": """
        SELECT id AS capture, fetched_at, final_url, extraction_status AS status,
               extraction_messages AS messages
        FROM captures WHERE extraction_status NOT IN ('ok', 'partial')
        ORDER BY fetched_at DESC LIMIT :limit""",
}


def run(db: Database, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rows of a read query as dicts (the search functions registered first)."""
    register_functions(db.conn)
    return list(db.query(sql, params or {}))
