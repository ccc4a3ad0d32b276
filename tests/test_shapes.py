"""URL shapes learned as not articles (newscrawl.shapes), and their downloader middleware."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl.extract.article import Article, Status
from newscrawl.items import Page
from newscrawl.shapes import NotArticleShape, NotArticleShapes, ShapeMemory, url_shape
from newscrawl.spiders.news import NewsSpider

SECTION = "https://www.paper.co.kr/section/{}"


@pytest.mark.parametrize(
    ("url", "shape"),
    [
        ("https://www.paper.co.kr/section/12", "/section/{n}"),
        ("https://www.paper.co.kr/news/article/A2026071220290000630", "/news/article/A{n}"),
        ("https://x.kr/list.php?page=3&sc=society", "/list.php?page={n}&sc=society"),
        ("https://x.kr/list.php?sc=society&page=4", "/list.php?page={n}&sc=society"),
        ("https://x.kr", "/"),
    ],
)
def test_url_shape(url: str, shape: str) -> None:
    assert url_shape(url) == shape


def test_three_non_articles_and_no_article_refuse_the_shape() -> None:
    memory = ShapeMemory(threshold=3)
    assert not memory.record("p", SECTION.format(1), Status.NOT_ARTICLE)
    assert not memory.record("p", SECTION.format(2), Status.NOT_ARTICLE)
    assert not memory.refuses("p", SECTION.format(9))
    assert memory.record("p", SECTION.format(3), Status.NOT_ARTICLE)  # learned now
    assert memory.refuses("p", SECTION.format(9))
    assert not memory.record("p", SECTION.format(4), Status.NOT_ARTICLE)  # reported once
    assert not memory.refuses("other-site", SECTION.format(9))  # shapes are per site
    assert not memory.refuses("p", "https://www.paper.co.kr/news/article/A1")


@pytest.mark.parametrize("status", [Status.OK, Status.PARTIAL])
def test_one_article_of_the_shape_keeps_it_fetched(status: Status) -> None:
    memory = ShapeMemory(threshold=3)
    memory.record("p", SECTION.format(1), status)
    for n in range(2, 9):
        memory.record("p", SECTION.format(n), Status.NOT_ARTICLE)
    assert not memory.refuses("p", SECTION.format(20))


def test_empty_pages_teach_nothing() -> None:
    memory = ShapeMemory(threshold=1)
    memory.record("p", SECTION.format(1), Status.EMPTY)
    assert not memory.refuses("p", SECTION.format(2))


def page(url: str, status: Status, http: int = 200) -> Page:
    item = Page(url, url, http, {}, b"", None, datetime(2026, 7, 12, tzinfo=UTC), "p")
    item.article = Article(url=url, canonical_url=url, site="p", status=status)
    return item


def article_request(url: str) -> Request:
    return Request(url, meta={"site": "p", "source": "sitemap"})


def test_middleware_learns_from_scraped_pages_and_drops_article_requests() -> None:
    crawler = get_crawler(NewsSpider, {"NEWSCRAWL_NOT_ARTICLE_SHAPE_HITS": 2})
    middleware = NotArticleShapes.from_crawler(crawler)
    middleware.item_scraped(page(SECTION.format(1), Status.NOT_ARTICLE))
    middleware.item_scraped(page(SECTION.format(2), Status.NOT_ARTICLE, http=404))  # gone
    middleware.item_scraped("not a page")
    assert middleware.process_request(article_request(SECTION.format(7))) is None
    middleware.item_scraped(page(SECTION.format(3), Status.NOT_ARTICLE))
    with pytest.raises(NotArticleShape) as raised:
        middleware.process_request(article_request(SECTION.format(7)))
    assert raised.value.reason == "not_article_shape"
    assert crawler.stats.get_value("site/p/not_article_shapes") == 1
    # Discovery requests (no "source") are never refused: a section page may be a list.
    assert middleware.process_request(Request(SECTION.format(7), meta={"site": "p"})) is None


def test_middleware_off_with_zero() -> None:
    crawler = get_crawler(settings_dict={"NEWSCRAWL_NOT_ARTICLE_SHAPE_HITS": 0})
    with pytest.raises(NotConfigured):
        NotArticleShapes.from_crawler(crawler)
