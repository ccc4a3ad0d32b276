"""``-a since=YYYY-MM-DD``: a backfill archives only articles published on or after the date.

The spider already skips links whose date (from a feed or a sitemap) is before it, and stops
list pagination at a page of older articles; but most links carry no date, so the date of
an article is known only once its page is extracted. :class:`SincePipeline` drops such a
page after extraction, before the archive: neither article nor capture is kept, counted
``site/NAME/skipped/too_old``. Not even the capture, because the archive remembers every
captured URL as known: a later backfill reaching further back would then never fetch it.
The price is that a second run with the same ``since`` fetches those few pages again.
"""

from __future__ import annotations

from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.items import Page


class SincePipeline:
    """Drop a Page whose article was published before the run's ``since`` (the spider's
    FetchPolicy decides); an article without a known date is kept."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page) or item.article is None:
            return item
        policy = getattr(self.crawler.spider, "policy", None)
        published = item.article.published
        if policy is None or not policy.too_old(published):
            return item
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"site/{item.site}/skipped")
        stats.inc_value(f"site/{item.site}/skipped/too_old")
        raise DropItem(
            f"{item.url}: published {published}, before since={policy.since}", log_level="INFO"
        )
