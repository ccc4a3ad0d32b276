"""Named, parameterized read queries: used by the command line and, verbatim, as datasette's
canned queries in metadata.yml (a test keeps the two identical)."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from archive.search import ranked_cte

__all__ = ["CANNED", "SEARCH_SQL", "STATS", "run"]

# The search expression of archive.grams.fts_query(), built in SQL so that datasette (which
# cannot call Python) searches exactly as the command line does:
#   1. every character that is not a letter or digit of the scripts below becomes a space
#      (ASCII, Latin-1 letters, Hangul syllables and jamo, CJK ideographs);
#   2. the words: one character -> "X"*, more -> the phrase of their bigrams "ab bc";
#   3. the words AND together; no word at all -> '""', which matches nothing.
_FTS_EXPRESSION_CTE = """
WITH RECURSIVE
  query(q) AS (SELECT lower(coalesce(:q, ''))),
  chars(i, out) AS (
    SELECT 1, ''
    UNION ALL
    SELECT i + 1, out || CASE
        WHEN unicode(substr(q, i, 1)) BETWEEN 48 AND 57
          OR unicode(substr(q, i, 1)) BETWEEN 97 AND 122
          OR unicode(substr(q, i, 1)) BETWEEN 192 AND 591
             AND unicode(substr(q, i, 1)) NOT IN (215, 247)
          OR unicode(substr(q, i, 1)) BETWEEN 4352 AND 4607
          OR unicode(substr(q, i, 1)) BETWEEN 12593 AND 12686
          OR unicode(substr(q, i, 1)) BETWEEN 13312 AND 40959
          OR unicode(substr(q, i, 1)) BETWEEN 44032 AND 55203
          OR unicode(substr(q, i, 1)) BETWEEN 63744 AND 64255
        THEN substr(q, i, 1) ELSE ' ' END
    FROM chars, query WHERE i <= length(q)
  ),
  cleaned(s) AS (SELECT out || ' ' FROM chars ORDER BY i DESC LIMIT 1),
  words(word, rest) AS (
    SELECT '', s FROM cleaned
    UNION ALL
    SELECT substr(rest, 1, instr(rest, ' ') - 1), substr(rest, instr(rest, ' ') + 1)
    FROM words WHERE rest <> ''
  ),
  grams(word, i, phrase) AS (
    SELECT word, 1, '' FROM words WHERE word <> ''
    UNION ALL
    SELECT word, i + 1, phrase || ' ' || substr(word, i, 2) FROM grams
    WHERE i < length(word)
  ),
  terms(expr) AS (
    SELECT CASE WHEN length(word) = 1 THEN '"' || word || '"*'
                ELSE '"' || ltrim(phrase) || '"' END
    FROM grams WHERE i = length(word)
  ),
  fts(expr) AS (SELECT coalesce(group_concat(expr, ' AND '), '""') FROM terms),
  first_word(w) AS (SELECT word FROM words WHERE word <> '' LIMIT 1)"""

#: The FTS5 expression alone (for tests: it must equal archive.grams.fts_query()).
FTS_EXPRESSION_SQL = _FTS_EXPRESSION_CTE + "\nSELECT expr FROM fts"

#: Ranked search with a snippet around the first word, marked 【like this】: the ranking of
#: archive.search.search() (its newest RANK_WINDOW matches, ranked by the same SQL).
SEARCH_SQL = (
    _FTS_EXPRESSION_CTE
    + """,
  search_match(expr) AS (SELECT expr FROM fts),
  search_words(word) AS MATERIALIZED (SELECT DISTINCT word FROM words WHERE word <> ''),"""
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
    """Rows of a read query as dicts."""
    return list(db.query(sql, params or {}))
