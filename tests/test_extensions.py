"""GcTuning: the crawler process's collector frozen and re-thresholded when the spider opens."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from scrapy import signals
from scrapy.utils.test import get_crawler

from newscrawl import settings
from newscrawl.extensions import GcTuning, gc_thresholds
from newscrawl.spiders.news import NewsSpider


@pytest.fixture
def collector_restored() -> Iterator[None]:
    """The collector as it was before the test: other tests must not run frozen."""
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_spider_opened_freezes_and_sets_the_thresholds(collector_restored: None) -> None:
    crawler = get_crawler(NewsSpider, {"NEWSCRAWL_GC_THRESHOLDS": "4000,7,9"})
    extension = GcTuning.from_crawler(crawler)
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    crawler.signals.send_catch_log(signals.spider_opened, spider=None)
    assert gc.get_threshold() == (4000, 7, 9)
    assert gc.get_freeze_count() > 1000  # this test process's modules, at the least
    assert extension.thresholds == (4000, 7, 9)


def test_the_project_enables_it() -> None:
    assert "newscrawl.extensions.GcTuning" in settings.EXTENSIONS
    assert gc_thresholds(settings.NEWSCRAWL_GC_THRESHOLDS) == (50_000, 20, 20)


@pytest.mark.parametrize("value", ["1,2", "a,b,c", [0, 10, 10], None, "5,5,5,5"])
def test_bad_thresholds_name_the_setting(value: object) -> None:
    with pytest.raises(ValueError, match="NEWSCRAWL_GC_THRESHOLDS"):
        gc_thresholds(value)
