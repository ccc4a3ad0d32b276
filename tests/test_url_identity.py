"""The URL identity rule end to end without a crawl: extraction applies it, the archive keeps
the declared canonical beside the article, and re-extraction of stored captures keeps the rule.
Pages are built here from a pattern (tests/mocksite/generic.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import archive
from newscrawl.commands.reextract import reextract
from newscrawl.extract import extract
from newscrawl.extract.article import Status
from newscrawl.items import Page
from newscrawl.preparation import extract_page
from newscrawl.sites import Site
from tests.mocksite.generic import GenericArticle, GenericSite

BASE = "https://m.namdotimes.co.kr"
WHEN = datetime(2026, 7, 12, 11, 29, tzinfo=UTC)
SYNDICATED = "https://www.yna.co.kr/view/AKR20260712000100054"


def html(canonical: str | None, *, og_only: bool = False, path: str = "/news/article/A1") -> bytes:
    site = GenericSite(BASE)
    return site.article_html(GenericArticle(path, "광주 도심 폭우 피해", WHEN, canonical, og_only))


def page(body: bytes, url: str, *, site_hosts: tuple[str, ...] = ()) -> Page:
    return Page(url, url, 200, {}, body, "utf-8", WHEN, "namdo", site_hosts=site_hosts)


@pytest.mark.parametrize("og_only", [False, True])
def test_extract_keeps_a_foreign_canonical_aside(og_only: bool) -> None:
    article = extract(html(SYNDICATED, og_only=og_only), f"{BASE}/news/article/A1?utm_source=x")
    assert article.status is Status.OK
    assert article.canonical_url == "https://www.namdotimes.co.kr/news/article/A1"
    assert article.declared_canonical == SYNDICATED
    assert article.site == "m.namdotimes.co.kr"  # the host it was fetched from
    assert article.to_dict()["declared_canonical"] == SYNDICATED


def test_extract_takes_a_canonical_of_its_own_site() -> None:
    declared = "https://news.namdotimes.co.kr/view/A1"
    article = extract(html(declared), f"{BASE}/news/article/A1")
    assert (article.canonical_url, article.declared_canonical) == (declared, None)


def test_extract_page_counts_the_sites_aliases_as_its_own() -> None:
    declared = "https://www.namdo.kr/news/article/A1"
    body, url = html(declared), f"{BASE}/news/article/A1"
    plain = extract_page(page(body, url))
    assert (plain.canonical_url, plain.declared_canonical) == (
        "https://www.namdotimes.co.kr/news/article/A1",
        declared,
    )
    site = Site(
        "namdo", "남도타임즈", "https://www.namdotimes.co.kr/", "generic", aliases=("namdo.kr",)
    )
    aliased = extract_page(page(body, url, site_hosts=site.hosts))
    assert (aliased.canonical_url, aliased.declared_canonical) == (declared, None)
    assert aliased.site == "namdo"


def test_an_article_is_recognised_from_its_content_not_its_url() -> None:
    # A URL that says nothing, a page that says it is an article.
    article = extract(html(None, path="/story/namdo-food-festival"), f"{BASE}/story/x")
    assert article.status is Status.OK
    # An article-looking URL, a page of links.
    links = GenericSite(BASE).links_page(
        "사회", [(f"/news/article/A{i}", f"기사 {i}") for i in range(20)]
    )
    listing = extract(links, f"{BASE}/news/article/A2026071220290000630")
    assert listing.status is Status.NOT_ARTICLE


def capture(url: str, body: bytes, minutes: int = 0) -> archive.Capture:
    return archive.Capture(
        url=url,
        final_url=url,
        status=200,
        fetched_at=datetime(2026, 7, 12, 12, minutes, tzinfo=UTC),
        headers={},
        encoding="utf-8",
        body=body,
        site="namdo",
    )


def test_archive_stores_the_declared_canonical_on_article_and_capture(tmp_path: Path) -> None:
    db = archive.open_db(tmp_path / "news.db")
    url = f"{BASE}/news/article/A1"
    body = html(SYNDICATED)
    first = extract_page(page(body, url)).to_dict()
    assert archive.save(db, capture(url, body), first) is archive.SaveResult.NEW
    own = "https://www.namdotimes.co.kr/news/article/A1"
    assert db.execute("select url, site, declared_canonical from articles").fetchall() == [
        (own, "namdo", SYNDICATED)
    ]
    assert db.execute("select canonical_url, declared_canonical from captures").fetchall() == [
        (own, SYNDICATED)
    ]
    # The page stops declaring it: the article's column follows its newest capture.
    later = html(None)
    again = extract_page(page(later, url)).to_dict()
    assert archive.save(db, capture(url, later, 5), again) is archive.SaveResult.UNCHANGED
    assert db.execute("select declared_canonical from articles").fetchall() == [(None,)]
    db.close()


def test_reextract_keeps_the_rule_for_articles_stored_under_a_foreign_url(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    db = archive.open_db(path)
    archive.upsert_site(db, name="namdo", home_url="https://www.namdotimes.co.kr/")
    url = f"{BASE}/news/article/A1"
    old = extract_page(page(html(SYNDICATED), url)).to_dict()
    old["canonical_url"], old["declared_canonical"] = SYNDICATED, None  # the old extractor
    archive.save(db, capture(url, html(SYNDICATED)), old)
    alias = f"{BASE}/news/article/A2"
    archive.save(
        db, capture(alias, html("https://www.namdo.kr/a/2")), {**old, "canonical_url": alias}
    )
    db.close()
    site = Site(
        "namdo", "남도타임즈", "https://www.namdotimes.co.kr/", "generic", aliases=("namdo.kr",)
    )
    counts = reextract(path, registry={"namdo": site})
    assert counts["status/ok"] == 2
    db = archive.open_db(path)
    rows = dict(db.execute("select url, declared_canonical from articles").fetchall())
    db.close()
    # The capture's article now lives under the URL it was fetched from, with the foreign
    # canonical aside; the alias's canonical is the site's own. (The row stored under the
    # foreign URL by the old extractor is left as it was: a re-extraction adds, never deletes.)
    assert rows["https://www.namdotimes.co.kr/news/article/A1"] == SYNDICATED
    assert rows["https://www.namdo.kr/a/2"] is None
