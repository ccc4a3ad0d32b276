"""Feed exports (``-o``/``-O items.jsonl``): one JSON-friendly record per fetched page.

A ``Page`` carries raw bytes, response headers and the packed blob for the archive; Scrapy's
exporters cannot write bytes (``TypeError``) and a feed has no use for them. When the run
has ``FEEDS``, the last pipeline hands the exporters ``feed_record(page)`` instead: the
page's URLs, site and HTTP status, and what extraction made of it, dates as ISO 8601.
"""

from __future__ import annotations

from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawl.items import Page

__all__ = ["FEED_FIELDS", "FeedRecordPipeline", "feed_record"]

# The order of a CSV feed's columns (FEED_EXPORT_FIELDS may choose others).
FEED_FIELDS = (
    "url",
    "final_url",
    "canonical_url",
    "site",
    "status",
    "fetched_at",
    "extraction_status",
    "title",
    "subtitle",
    "reporters",
    "reporter_emails",
    "published",
    "modified",
    "section",
    "body",
    "images",
    "cms",
    "messages",
)


def feed_record(page: Page) -> dict[str, Any]:
    """The page as a flat dict of strings, numbers and lists (no bytes, no datetimes), its
    keys in FEED_FIELDS order."""
    article = page.article.to_dict() if page.article is not None else {}
    own = {
        "url": page.url,
        "final_url": page.final_url,
        "site": page.site,
        "status": page.status,
        "fetched_at": page.fetched_at.isoformat(),
        "extraction_status": article.get("status"),
        "messages": [*article.get("messages", []), *page.notes],
    }
    return {key: own[key] if key in own else article.get(key) for key in FEED_FIELDS}


class FeedRecordPipeline:
    """Turn each Page into its ``feed_record`` for the feed exporters; off without FEEDS."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getdict("FEEDS"):
            # Without a message: Scrapy logs a NotConfigured's message at WARNING, and a run
            # without feeds is the usual case, nothing to warn about.
            raise NotConfigured
        return cls()

    def process_item(self, item: Any) -> Any:
        return feed_record(item) if isinstance(item, Page) else item
