"""BackoffRetryMiddleware: Retry-After is honoured, otherwise exponential backoff, capped."""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.utils.test import get_crawler

from newscrawl.middlewares import BackoffRetryMiddleware, retry_after_seconds

NOW = datetime(2025, 12, 6, 12, 0, tzinfo=UTC)


def test_retry_after_forms() -> None:
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Sat, 06 Dec 2025 12:00:30 GMT", now=NOW) == 30.0
    assert retry_after_seconds("Sat, 06 Dec 2025 11:00:00 GMT", now=NOW) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_delay_prefers_retry_after_and_caps_it() -> None:
    crawler = get_crawler(
        settings_dict={"NEWSCRAWL_RETRY_MAX_DELAY": 60, "NEWSCRAWL_RETRY_BACKOFF_BASE": 2}
    )
    mw = BackoffRetryMiddleware.from_crawler(crawler)
    assert [mw.delay_for(n, None) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert mw.delay_for(1, "7") == 7.0
    assert mw.delay_for(1, "3600") == 60.0
    assert mw.delay_for(10, None) == 60.0
