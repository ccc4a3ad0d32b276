"""SincePipeline: with ``-a since``, an article published before the date is not archived."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl.crawl.policy import FetchPolicy
from newscrawl.extract.article import Article, Status
from newscrawl.items import Page
from newscrawl.since import SincePipeline
from newscrawl.spiders.news import NewsSpider


def page(published: datetime | date | None) -> Page:
    url = "http://127.0.0.1:9/news/articleView.html?idxno=1"
    return Page(
        url=url,
        final_url=url,
        status=200,
        headers={},
        body=b"<p>x</p>",
        encoding="utf-8",
        fetched_at=datetime(2025, 12, 6, tzinfo=UTC),
        site="mock-nd",
        article=Article(
            url=url, canonical_url=url, site="mock-nd", status=Status.OK, published=published
        ),
    )


@pytest.fixture
def pipeline() -> SincePipeline:
    crawler = get_crawler(NewsSpider, {})
    crawler.stats.open_spider()
    crawler.spider = NewsSpider(site="mock-nd")
    now = datetime(2025, 12, 6, tzinfo=UTC)
    crawler.spider.policy = FetchPolicy(known={}, now=now, since=date(2025, 12, 1))
    return SincePipeline.from_crawler(crawler)


def test_an_article_published_before_since_is_dropped_and_counted(pipeline: SincePipeline) -> None:
    with pytest.raises(DropItem, match="before since=2025-12-01") as dropped:
        pipeline.process_item(page(datetime.fromisoformat("2025-11-30T23:00:00+09:00")))
    assert dropped.value.log_level == "INFO"
    stats = pipeline.crawler.stats
    assert stats.get_value("site/mock-nd/skipped/too_old") == 1
    assert stats.get_value("site/mock-nd/skipped") == 1


@pytest.mark.parametrize("published", [datetime.fromisoformat("2025-12-01T00:10:00+09:00"), None])
def test_an_article_on_or_after_since_or_undated_is_kept(
    pipeline: SincePipeline, published: datetime | None
) -> None:
    item = page(published)
    assert pipeline.process_item(item) is item
    assert pipeline.crawler.stats.get_value("site/mock-nd/skipped/too_old") is None


def test_without_since_nothing_is_dropped(pipeline: SincePipeline) -> None:
    pipeline.crawler.spider.policy.since = None
    item = page(date(1999, 1, 1))
    assert pipeline.process_item(item) is item
