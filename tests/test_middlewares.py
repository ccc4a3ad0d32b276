"""BackoffRetryMiddleware: Retry-After is honoured, otherwise exponential backoff, capped.
QuickMetaRefreshMiddleware: Scrapy's meta-refresh redirects, skipping pages without one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.middlewares import (
    BackoffRetryMiddleware,
    QuickMetaRefreshMiddleware,
    retry_after_seconds,
)

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


REFRESH = '<meta http-equiv="Refresh" content="0; url=/news/7.html">'


def refresh_response(head: str, encoding: str = "utf-8") -> HtmlResponse:
    page = f"<html><head>{head}</head><body>{'본문 ' * 2000}</body></html>"
    body = page.encode(encoding)
    if encoding == "utf-16":
        assert body.startswith((b"\xff\xfe", b"\xfe\xff"))
    return HtmlResponse("https://www.kbsm.net/old", body=body, encoding=encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "cp949", "utf-16"])
def test_meta_refresh_is_followed(encoding: str) -> None:
    mw = QuickMetaRefreshMiddleware.from_crawler(get_crawler())
    request = Request("https://www.kbsm.net/old")
    result = mw.process_response(request, refresh_response(REFRESH, encoding))
    assert isinstance(result, Request)
    # (Scrapy's own parsing leaves UTF-16's byte-order mark on the URL as "?%FF%FE")
    assert result.url.split("?")[0] == "https://www.kbsm.net/news/7.html"


class DecodeCountingResponse(HtmlResponse):
    """An HTML response that counts how often its body is decoded (read as ``text``)."""

    decoded = 0

    @property
    def text(self) -> str:
        self.decoded += 1
        return super().text


def counting_response(head: str) -> DecodeCountingResponse:
    plain = refresh_response(head)
    return DecodeCountingResponse(plain.url, body=plain.body, encoding="utf-8")


def test_a_page_without_refresh_is_passed_through_undecoded() -> None:
    mw = QuickMetaRefreshMiddleware.from_crawler(get_crawler())
    response = counting_response("<title>경북신문</title>")
    assert mw.process_response(Request(response.url), response) is response
    assert response.decoded == 0


def test_a_page_with_refresh_is_decoded_by_scrapy_to_find_it() -> None:
    # The control of the test above: Scrapy reads a refresh from the decoded text, so a
    # count of 0 there means the byte search skipped the decoding, not that Scrapy changed
    # how it reads pages.
    mw = QuickMetaRefreshMiddleware.from_crawler(get_crawler())
    response = counting_response(REFRESH)
    assert isinstance(mw.process_response(Request(response.url), response), Request)
    assert response.decoded >= 1
