"""What a site's archive holds of its id space, kept by every save, and what it is missing.

NDSoft and GnuBoard number their articles in sequence (:mod:`archive.ids`), so the id space
says what exists: each id tried is ``archived`` (an article) or ``gone`` with its reason (a
404, a deleted-post or non-article page); every other id up to the newest the site showed is
*never tried*: a hole. The site's own claims (NDSoft's list total ``총 N건``, the newest id of
its feed and first list page) are kept beside, as the crawler saw them.
"""

from __future__ import annotations

import sqlite3
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from archive.ids import article_id, id_url

__all__ = [
    "LIST_TOTAL",
    "NEWEST",
    "SITEMAP_URLS",
    "Readable",
    "Series",
    "SiteCoverage",
    "claim",
    "holes",
    "known_ids",
    "month_span",
    "rebuild",
    "record",
    "report",
    "sites",
    "thin_months",
]

#: What the reading functions query: the archive, or datasette's sqlite3 connection to it.
Readable = Database | sqlite3.Connection

#: Claim names: the list total a site prints, (per series) the newest id it showed, and
#: how many URLs its sitemaps list (all of them read in one run: none skipped as old).
LIST_TOTAL = "list_total"
NEWEST = "newest_id:"
SITEMAP_URLS = "sitemap_urls"

# Answers that are the site's own word that it has nothing at this id; a 5xx, a 429 or a
# network failure is not (the id stays never tried, and a later backfill asks again).
_GONE_STATUSES = frozenset({"not_article", "empty"})


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def record(
    db: Database,
    *,
    site: str | None,
    url: str,
    article_url: str,
    http_status: int,
    status: str,
    archived: bool,
) -> None:
    """Note in ``article_ids`` what one save says about the ids of ``url`` (requested) and
    ``article_url`` (the article's key); inside the save's transaction. A gone id is recorded
    once with its first reason; an article found later at that id replaces it."""
    if not site:
        return
    requested = article_id(url)
    if archived:
        found = article_id(article_url) or requested
        if found is not None:
            db.execute(
                """INSERT INTO article_ids(site, series, number, state, reason, url, recorded_at)
                   VALUES (?, ?, ?, 'archived', NULL, ?, ?)
                   ON CONFLICT DO UPDATE SET state = 'archived', reason = NULL,
                       url = excluded.url, recorded_at = excluded.recorded_at
                   WHERE state != 'archived'""",
                [site, found.series, found.number, article_url, _now()],
            )
        if requested is not None and found is not None and requested != found:
            _gone(db, site, requested.series, requested.number, url, f"moved to {found.number}")
        return
    if requested is None:
        return
    if 400 <= http_status < 500 and http_status != 429:
        _gone(db, site, requested.series, requested.number, url, f"http_{http_status}")
    elif http_status < 400 and status in _GONE_STATUSES:
        _gone(db, site, requested.series, requested.number, url, status)


def _gone(db: Database, site: str, series: str, number: int, url: str, reason: str) -> None:
    db.execute(
        """INSERT INTO article_ids(site, series, number, state, reason, url, recorded_at)
           VALUES (?, ?, ?, 'gone', ?, ?, ?) ON CONFLICT DO NOTHING""",
        [site, series, number, reason, url, _now()],
    )


def claim(db: Database, *, site: str, name: str, value: int, source: str | None = None) -> None:
    """Keep what the site says of itself (``list_total``, ``newest_id:SERIES``); a newest id
    only grows."""
    keep = "max(value, excluded.value)" if name.startswith(NEWEST) else "excluded.value"
    with db.atomic():
        db.execute(
            f"""INSERT INTO site_claims(site, name, value, source, recorded_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET value = {keep}, source = excluded.source,
                    recorded_at = excluded.recorded_at""",
            [site, name, value, source, _now()],
        )


def known_ids(db: Database, site: str) -> dict[str, set[int]]:
    """Per series, the ids of ``site`` archived or known gone: what a backfill skips."""
    known: dict[str, set[int]] = {}
    for series, number in db.execute(
        "SELECT series, number FROM article_ids WHERE site = ?", [site]
    ):
        known.setdefault(series, set()).add(number)
    return known


def rebuild(db: Database) -> None:
    """Fill ``article_ids`` from the captures already archived (the migration's first run)."""
    # Read as the rows come (another cursor writes article_ids meanwhile): an archive of
    # 300k captures is not held in memory.
    rows = db.execute(
        """SELECT c.site, c.url, coalesce(a.url, c.canonical_url, c.final_url), c.status,
                  coalesce(c.extraction_status, ''), a.id IS NOT NULL AND a.capture_id = c.id
           FROM captures c LEFT JOIN articles a ON a.id = c.article_id ORDER BY c.id"""
    )
    for site, url, article_url, http_status, status, archived in rows:
        record(
            db,
            site=site,
            url=url,
            article_url=article_url,
            http_status=http_status,
            status=status,
            archived=bool(archived) or status in ("ok", "partial"),
        )


def holes(numbers: Iterable[int], newest: int, *, first: int = 1) -> list[tuple[int, int]]:
    """The ranges of ids from ``first`` to ``newest`` that are not in ``numbers``."""
    out: list[tuple[int, int]] = []
    expected = first
    for number in sorted(set(numbers)):
        if number > newest:
            break
        if number > expected:
            out.append((expected, number - 1))
        expected = max(expected, number + 1)
    if expected <= newest:
        out.append((expected, newest))
    return out


@dataclass(slots=True)
class Series:
    """One id series of a site: what is archived, gone (and why), and the holes."""

    name: str
    min_id: int
    max_id: int  # the newest id archived, gone or shown by the site
    archived: int
    gone: dict[int, str]  # id -> reason
    holes: list[tuple[int, int]]
    template: str  # an article URL of the series, to build retry URLs from

    @property
    def never_tried(self) -> int:
        return sum(hi - lo + 1 for lo, hi in self.holes)

    def retry_url(self, number: int) -> str:
        return id_url(self.template, number)


@dataclass(slots=True)
class SiteCoverage:
    """A site's coverage: its id series, its months and its own claims against ours."""

    site: str
    articles: int
    series: list[Series] = field(default_factory=list)
    months: dict[str, int] = field(default_factory=dict)  # YYYY-MM -> articles published
    thin_months: list[str] = field(default_factory=list)  # under a third of the median
    claims: dict[str, int] = field(default_factory=dict)

    @property
    def hole_count(self) -> int:
        return sum(s.never_tried for s in self.series)

    def to_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "articles": self.articles,
            "claims": self.claims,
            "never_tried": self.hole_count,
            "series": [
                {
                    "series": s.name,
                    "min_id": s.min_id,
                    "max_id": s.max_id,
                    "archived": s.archived,
                    "gone": len(s.gone),
                    "gone_ids": {str(k): v for k, v in sorted(s.gone.items())},
                    "never_tried": s.never_tried,
                    "holes": [[lo, hi] for lo, hi in s.holes],
                }
                for s in self.series
            ],
            "months": self.months,
            "thin_months": self.thin_months,
        }


def thin_months(months: dict[str, int]) -> list[str]:
    """Months between the first and the last with articles under a third of the median
    (a month with none inside that span counts as 0)."""
    if not months:
        return []
    span = month_span(min(months), max(months))
    counts = {m: months.get(m, 0) for m in span}
    median = statistics.median(counts.values())
    return [m for m, n in counts.items() if n < median / 3]


def month_span(first: str, last: str) -> Iterator[str]:
    year, month = int(first[:4]), int(first[5:7])
    while f"{year:04d}-{month:02d}" <= last:
        yield f"{year:04d}-{month:02d}"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def report(db: Readable, site: str) -> SiteCoverage:
    """The coverage of ``site`` as the archive knows it now (``db``: the archive, or a
    sqlite3 connection to it, as datasette gives)."""
    articles = db.execute("SELECT count(*) FROM articles WHERE site = ?", [site]).fetchone()[0]
    coverage = SiteCoverage(site=site, articles=articles)
    coverage.claims = dict(
        db.execute("SELECT name, value FROM site_claims WHERE site = ?", [site]).fetchall()
    )
    coverage.months = dict(
        db.execute(
            """SELECT substr(published_date, 1, 7), count(*) FROM articles
               WHERE site = ? AND published_date IS NOT NULL GROUP BY 1 ORDER BY 1""",
            [site],
        ).fetchall()
    )
    coverage.thin_months = thin_months(coverage.months)
    # Aggregates in SQL and only the ids themselves in memory: a site may have a million.
    names = {
        row[0]
        for row in db.execute("SELECT DISTINCT series FROM article_ids WHERE site = ?", [site])
    }
    names |= {name[len(NEWEST) :] for name in coverage.claims if name.startswith(NEWEST)}
    for name in sorted(names):
        if series := _series(db, site, name, coverage.claims.get(NEWEST + name, 0)):
            coverage.series.append(series)
    return coverage


def _series(db: Readable, site: str, name: str, claimed: int) -> Series | None:
    where = "WHERE site = ? AND series = ?"
    numbers = [
        row[0]
        for row in db.execute(
            f"SELECT number FROM article_ids {where} ORDER BY number", [site, name]
        )
    ]
    newest = max([*numbers[-1:], claimed])
    row = db.execute(f"SELECT url FROM article_ids {where} LIMIT 1", [site, name]).fetchone()
    template = row[0] if row else _claim_source(db, site, NEWEST + name)
    if template is None or newest < 1:
        return None
    gone = db.execute(
        f"SELECT number, coalesce(reason, '') FROM article_ids {where} AND state = 'gone'",
        [site, name],
    ).fetchall()
    return Series(
        name=name,
        min_id=numbers[0] if numbers else newest,
        max_id=newest,
        archived=len(numbers) - len(gone),
        gone=dict(gone),
        holes=holes(numbers, newest),
        template=template,
    )


def _claim_source(db: Readable, site: str, name: str) -> str | None:
    row = db.execute(
        "SELECT source FROM site_claims WHERE site = ? AND name = ?", [site, name]
    ).fetchone()
    return row[0] if row and article_id(row[0] or "") else None


def sites(db: Readable) -> list[str]:
    """Sites with articles, ids or claims, by name."""
    rows = db.execute(
        """SELECT site FROM articles WHERE site IS NOT NULL UNION SELECT site FROM article_ids
           UNION SELECT site FROM site_claims ORDER BY 1"""
    )
    return [row[0] for row in rows]
