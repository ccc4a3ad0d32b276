"""Crawler-process extensions: the garbage collector tuned for a long-running crawl.

CPython's cyclic collector walks every tracked object of the generations it collects, and
its default thresholds (700, 10, 10) suit small programs. A crawler process holds a large,
long-lived heap (Scrapy's components, the request queue, the archive's known URLs) and
allocates thousands of short-lived objects a page, so full collections keep walking the
same long-lived objects: measured on the 5,000-page loopback crawl (bench/crawl_bench.py),
0.3 ms of CPU a page. Freezing what exists once the spider is open moves it out of the
collector's sight (``gc.freeze``), and a larger first threshold runs collections less often.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterable
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def gc_thresholds(value: str | Iterable[object] | None) -> tuple[int, int, int]:
    """The three collector thresholds of a setting: a list or a comma-separated string."""
    parts = value.split(",") if isinstance(value, str) else (value or ())
    try:
        first, second, third = (int(str(part).strip()) for part in parts)
    except ValueError:  # not numbers, or not three of them
        first = second = third = 0
    if min(first, second, third) < 1:
        raise ValueError(
            f"NEWSCRAWL_GC_THRESHOLDS={value!r}: expected three whole numbers >= 1, "
            "as for gc.set_threshold"
        )
    return first, second, third


class GcTuning:
    """At ``spider_opened``: collect once, freeze the surviving objects, set the thresholds
    of ``NEWSCRAWL_GC_THRESHOLDS``. Disable it with ``EXTENSIONS = {...GcTuning: None}``."""

    def __init__(self, thresholds: tuple[int, int, int]) -> None:
        self.thresholds = thresholds

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(gc_thresholds(crawler.settings.get("NEWSCRAWL_GC_THRESHOLDS")))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        gc.collect()  # garbage of the start-up is freed, not frozen for the whole run
        gc.freeze()
        gc.set_threshold(*self.thresholds)
        logger.debug("gc: %d objects frozen, thresholds %s", gc.get_freeze_count(), self.thresholds)
