"""URL shapes that turned out not to be articles, learned during a run.

A sitemap may list section pages, a generic site may link tag or author pages that look like
articles: fetched, they are recorded as ``not_article`` (extraction decides from the content).
Once a shape of URL — the path and query with every run of digits replaced by ``{n}`` — gave
``threshold`` such pages and no article, its siblings are not fetched for the rest of the run.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

from newscrawl.extract.article import Status
from newscrawl.items import Page

logger = logging.getLogger(__name__)

_DIGITS = re.compile(r"\d+")


def url_shape(url: str) -> str:
    """``/section/{n}?page={n}`` for ``https://x.kr/section/12?page=3``: digits become a
    placeholder, query keys are sorted, the host is left out (shapes are kept per site)."""
    parts = urlsplit(url)
    path = _DIGITS.sub("{n}", parts.path or "/")
    query = sorted((k, _DIGITS.sub("{n}", v)) for k, v in parse_qsl(parts.query, True))
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")


class ShapeMemory:
    """Per site and URL shape, how many fetched pages were articles and how many were not."""

    def __init__(self, *, threshold: int = 3) -> None:
        self.threshold = threshold
        self.articles: Counter[tuple[str, str]] = Counter()
        self.not_articles: Counter[tuple[str, str]] = Counter()

    def record(self, site: str, url: str, status: str) -> bool:
        """Count one extracted page; True when this page made its shape refused."""
        key = (site, url_shape(url))
        if status in (Status.OK, Status.PARTIAL):
            self.articles[key] += 1
            return False
        if status != Status.NOT_ARTICLE:
            return False  # an empty or binary page says nothing about its shape
        self.not_articles[key] += 1
        return self.not_articles[key] == self.threshold and not self.articles[key]

    def refuses(self, site: str, url: str) -> bool:
        """Whether pages of this URL's shape were never articles, ``threshold`` times over."""
        key = (site, url_shape(url))
        return self.not_articles[key] >= self.threshold and not self.articles[key]


class NotArticleShape(IgnoreRequest):
    """An article request dropped because its URL shape gave only non-article pages."""

    reason = "not_article_shape"


class NotArticleShapes:
    """Downloader middleware: drop article requests whose URL shape was learned as not an
    article (``NEWSCRAWL_NOT_ARTICLE_SHAPE_HITS`` pages of it, none an article; 0 turns it
    off). It learns from the pages that went through the pipelines (``item_scraped``) and
    checks each request as it enters the downloader, so the siblings one sitemap queued at
    once are spared too — all but those already inside (up to ``CONCURRENT_REQUESTS``)."""

    def __init__(self, crawler: Crawler, *, threshold: int) -> None:
        self.crawler = crawler
        self.memory = ShapeMemory(threshold=threshold)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        threshold = crawler.settings.getint("NEWSCRAWL_NOT_ARTICLE_SHAPE_HITS", 3)
        if threshold <= 0:
            raise NotConfigured("NEWSCRAWL_NOT_ARTICLE_SHAPE_HITS is 0: no shape is learned")
        middleware = cls(crawler, threshold=threshold)
        crawler.signals.connect(middleware.item_scraped, signal=signals.item_scraped)
        return middleware

    def item_scraped(self, item: Any) -> None:
        if not isinstance(item, Page) or item.article is None or item.status >= 400:
            return  # an HTTP error says the page is gone, not that its shape is no article
        if self.memory.record(item.site, item.final_url, item.article.status):
            logger.info(
                "%s: pages shaped %s are not articles; their siblings are skipped this run",
                item.site,
                url_shape(item.final_url),
            )
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(f"site/{item.site}/not_article_shapes")

    def process_request(self, request: Request) -> None:
        site = request.meta.get("site")
        if "source" not in request.meta or site is None:
            return  # not an article request (home, robots, feed, sitemap, list), or an id of
            # a backfill: one of its ids that was no article says nothing of the next one
        if self.memory.refuses(site, request.url):
            raise NotArticleShape(f"URL shape {url_shape(request.url)} gave no article")
