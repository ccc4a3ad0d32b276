"""End to end: a generic site never seen before (``-a url=``), crawled by a real ``scrapy crawl``.

Its sitemap lists letter-prefixed article ids and a slug URL that no URL heuristic accepts, and
its pages declare canonicals on other hosts (syndication, a staging mirror): every article must
be archived exactly once, under the URL it was served from, with the foreign canonical kept in
``declared_canonical``. Without a sitemap, the site's section list (and its pagination) is
walked instead. The mock site is built from a pattern in tests/mocksite/generic.py.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl.urls import canonical_url
from tests.crawl_run import FAST as CRAWL_FAST
from tests.mocksite.generic import GenericSite
from tests.mocksite.server import MockServer, serving
from tests.shared import REPO

pytestmark = pytest.mark.e2e

FAST = {**CRAWL_FAST, "NEWSCRAWL_SITES_FILE": ""}


def crawl(server: MockServer, db: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    sets = [
        a
        for k, v in {**FAST, "ARCHIVE_DB_PATH": str(db), **settings}.items()
        for a in ("-s", f"{k}={v}")
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"url={server.base_url}", *sets],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-4000:]
    return proc


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def site() -> Iterator[tuple[GenericSite, MockServer]]:
    generic = GenericSite()
    with serving(generic) as server:
        generic.base = server.base_url.rstrip("/")
        yield generic, server


@pytest.fixture
def unlisted() -> Iterator[tuple[GenericSite, MockServer]]:
    generic = GenericSite(sitemap=False)
    with serving(generic) as server:
        generic.base = server.base_url.rstrip("/")
        yield generic, server


def test_sitemap_articles_archived_once_under_the_served_url(
    site: tuple[GenericSite, MockServer], tmp_path: Path
) -> None:
    generic, server = site
    db = tmp_path / "news.db"
    proc = crawl(server, db)
    name = "127.0.0.1-" + server.base_url.rstrip("/").rsplit(":", 1)[1]
    assert rows(db, "select name, cms from sites") == [(name, "generic")]
    archived = dict(rows(db, "select url, declared_canonical from articles"))
    # Every article, the letter-prefixed ids and the slug URL, under the URL it was served from.
    assert archived == {
        generic.url(a.path): (
            canonical_url(a.canonical) if a.canonical and not a.canonical.startswith("/") else None
        )
        for a in generic.articles
    }
    assert {s for (s,) in rows(db, "select distinct site from articles")} == {name}
    # Each fetched once: the sitemap's utm_source variant is the same article.
    served = Counter(p for p in server.log if p.startswith(("/news/article/", "/story/")))
    assert served == Counter({a.path: 1 for a in generic.articles}), served
    # The captures say what each page declared, too.
    declared = rows(
        db, "select count(*) from captures where declared_canonical like 'https://www.yna.co.kr/%'"
    )
    assert declared == [(2,)]
    # A site with a sitemap is not walked through its section lists.
    assert not server.requests_for("/news/list")
    # What its sitemap lists is kept as the site's own claim, beside what was archived.
    listed = generic.sitemap().count(b"<loc>")
    assert rows(db, "select name, value from site_claims") == [("sitemap_urls", listed)]
    assert "Site " + name in proc.stderr


def test_section_pages_listed_in_a_sitemap_are_learned_as_not_articles(
    site: tuple[GenericSite, MockServer], tmp_path: Path
) -> None:
    generic, server = site
    generic.sections = 12
    db = tmp_path / "news.db"
    # Two requests in the downloader at a time: a refused shape is checked when a request
    # enters it, so the requests already inside are fetched all the same.
    proc = crawl(server, db, CONCURRENT_REQUESTS="2")
    sections = server.requests_for("/section/")
    # After three non-article pages of the shape /section/{n} (and no article), the rest
    # are refused before they are fetched.
    assert 3 <= len(sections) <= 3 + 2 + 2, sections
    refused = re.search(r"'site/[^']+/skipped/not_article_shape': (\d+)", proc.stderr)
    assert refused, proc.stderr[-3000:]
    assert int(refused.group(1)) + len(sections) == generic.sections
    statuses = rows(
        db, "select distinct extraction_status from captures where url like '%/section/%'"
    )
    assert statuses == [("not_article",)]
    assert "/section/{n} are not articles" in proc.stderr
    # Trusted is not unruly: robots.txt still keeps the sitemap's /private/ entry out.
    assert not server.requests_for("/private/")
    assert re.search(r"'site/[^']+/skipped/robots': 1\b", proc.stderr), proc.stderr[-3000:]
    # Not a section page and not an article: the home page the sitemap lists is not refetched
    # as an article.
    assert server.log.count("/") == 1


def test_a_site_without_sitemap_or_feed_is_found_through_its_section_list(
    unlisted: tuple[GenericSite, MockServer], tmp_path: Path
) -> None:
    generic, server = unlisted
    db = tmp_path / "news.db"
    crawl(server, db)
    # The section list and its second page were walked (after robots.txt and the
    # conventional /sitemap.xml answered with nothing); the slug URL, on no list, is not found.
    assert server.requests_for("/news/list?sc=society") and server.requests_for("page=2")
    listed = [a for a in generic.articles if a.path.startswith("/news/article/")]
    archived = {u for (u,) in rows(db, "select url from articles")}
    assert archived == {generic.url(a.path) for a in listed}
    assert not server.requests_for("/about")
