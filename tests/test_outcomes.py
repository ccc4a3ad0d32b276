"""Outcomes without a crawl: why a request was given up, the verdict on sites and runs, the
checks of settings and arguments, and the retry middleware's decisions."""

from __future__ import annotations

import asyncio
import re

import pytest
from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet import error as net

from newscrawl.config import ConfigError, check_settings
from newscrawl.crawl.policy import check_arguments, parse_url
from newscrawl.middlewares import BackoffRetryMiddleware
from newscrawl.outcomes import failure_reason, judge
from newscrawl.spiders.news import NewsSpider


def http_error(status: int) -> HttpError:
    return HttpError(Response("https://x.kr/", status=status), "Ignoring non-200 response")


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (CannotResolveHostError("x"), "dns"),
        (net.DNSLookupError("x"), "dns"),
        (DownloadConnectionRefusedError("x"), "connection_refused"),
        (DownloadTimeoutError("x"), "timeout"),
        (ResponseDataLossError(), "dataloss"),
        (net.ConnectionLost(), "connection_lost"),
        (http_error(429), "http_429"),
        (IgnoreRequest("Forbidden by robots.txt"), "robots"),
        (IgnoreRequest("max redirections reached"), "redirect_loop"),
        (IgnoreRequest("... exceeded DOWNLOAD_MAXSIZE (9 B) during decompression."), "too_large"),
        (ValueError("bug"), "error"),
    ],
)
def test_failure_reason(error: BaseException, reason: str) -> None:
    assert failure_reason(error) == reason


def test_a_site_whose_home_and_robots_failed_is_failed_and_the_run_exits_1() -> None:
    stats = {
        "site/dead/unreachable": "connection refused (127.0.0.1:9)",
        "site/dead/failed/connection_refused": 2,
        "site/good/discovered": 3,
        "site/good/to_fetch": 3,
        "site/good/fetched": 3,
        "site/good/responses": 5,
        "site/good/new": 3,
    }
    verdict = judge(stats, ["good", "dead"], finish_reason="finished")
    assert verdict.sites["dead"].status == "failed"
    assert verdict.sites["dead"].reason == "unreachable: connection refused (127.0.0.1:9)"
    assert verdict.sites["good"].status == "ok"
    assert (verdict.status, verdict.exit_code) == ("partial", 1)
    assert verdict.sentences()[-1] == "Run partial: 1 of 2 sites failed: dead"


@pytest.mark.parametrize(
    ("stats", "status", "reason"),
    [
        ({"site/s/robots_unreachable": "timed out (s.kr)"}, "failed", "robots.txt unreachable"),
        (
            {"site/s/failed/http_503": 4, "site/s/discovery_failed": 4},
            "failed",
            "every request failed (http_503 4)",
        ),
        (
            {
                "site/s/responses": 3,
                "site/s/to_fetch": 2,
                "site/s/failed": 2,
                "site/s/failed/timeout": 2,
                "site/s/article_failed/timeout": 2,
            },
            "failed",
            "all 2 article requests failed (timeout 2)",
        ),
        (
            {
                "site/s/responses": 3,
                "site/s/to_fetch": 2,
                "site/s/fetched": 1,
                "site/s/new": 1,
                "site/s/failed": 1,
                "site/s/article_failed/http_429": 1,
            },
            "partial",
            "1 of 2 articles failed; http_429 1",
        ),
        ({"site/s/responses": 3}, "ok", "0 articles discovered"),
        (
            {"site/s/responses": 4, "site/s/home_failed": "http_404"},
            "failed",
            "home page failed (http_404) and no article was found",
        ),
        (
            {"site/s/responses": 4, "site/s/home_failed": "http_500", "site/s/discovered": 2},
            "ok",
            "2 articles discovered",
        ),
    ],
)
def test_site_verdicts(stats: dict, status: str, reason: str) -> None:
    verdict = judge(stats, ["s"], finish_reason="finished").sites["s"]
    assert verdict.status == status
    assert reason in verdict.reason


def test_a_stopped_run_is_interrupted_and_not_a_success() -> None:
    verdict = judge({"site/s/responses": 3}, ["s"], finish_reason="shutdown")
    assert (verdict.status, verdict.sites["s"].status, verdict.exit_code) == (
        "interrupted",
        "interrupted",
        1,
    )


def test_partial_sites_are_still_a_success() -> None:
    stats = {"site/s/responses": 3, "site/s/to_fetch": 2, "site/s/fetched": 2, "site/s/failed": 1}
    verdict = judge(stats, ["s"], finish_reason="finished")
    assert (verdict.status, verdict.exit_code) == ("partial", 0)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NEWSCRAWL_EXTRACT_WORKERS", "abc", "expected auto or a whole number >= 0"),
        ("NEWSCRAWL_EXTRACT_WORKERS", "-1", "expected auto or a whole number >= 0"),
        ("NEWSCRAWL_REVISIT_DAYS", "nan", "expected a number >= 0"),
        ("ARCHIVE_COMMIT_SECONDS", "0", "expected a number > 0"),
        ("NEWSCRAWL_GC_THRESHOLDS", "1,2", "expected three whole numbers"),
        ("ROBOTSTXT_OBEY", "yes please", "expected True or False"),
    ],
)
def test_bad_settings_are_named(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(f"setting {name}='{value}': {message}")):
        check_settings(Settings({name: value, "ARCHIVE_DB_PATH": "news.db"}))


def test_good_settings_pass_and_an_archive_needs_a_path() -> None:
    check_settings(Settings({"NEWSCRAWL_EXTRACT_WORKERS": "auto", "ARCHIVE_DB_PATH": "a.db"}))
    check_settings(Settings({"ARCHIVE_DB_PATH": ""}), archive=False)
    with pytest.raises(ConfigError, match="ARCHIVE_DB_PATH is empty"):
        check_settings(Settings({"ARCHIVE_DB_PATH": " "}))


def test_arguments_scrapyd_ones_pass_typos_get_a_suggestion() -> None:
    check_arguments({"site": "kbsm", "_job": "abc123"})
    with pytest.raises(ConfigError, match=r"-a regoin \(did you mean region\?\)"):
        check_arguments({"regoin": "경북"})
    with pytest.raises(ConfigError, match=re.escape("-a url=... names one site")):
        NewsSpider(site="kbsm", url="https://www.kbsm.net/")


@pytest.mark.parametrize("value", ["notaurl", "javascript:alert(1)", "ftp://x.kr/", "http://:80/"])
def test_bad_urls_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="-a url="):
        parse_url(value)


def test_bare_hosts_and_loopback_urls_are_accepted() -> None:
    assert parse_url("www.kbsm.net") == "https://www.kbsm.net"
    assert parse_url("http://127.0.0.1:8080/") == "http://127.0.0.1:8080/"


def retry_middleware() -> BackoffRetryMiddleware:
    crawler = get_crawler(NewsSpider, {"RETRY_TIMES": 3, "NEWSCRAWL_RETRY_BACKOFF_BASE": 2})
    crawler.spider = crawler._create_spider(site="kbsm")
    return BackoffRetryMiddleware.from_crawler(crawler)


def test_unreachable_hosts_get_one_immediate_retry() -> None:
    mw = retry_middleware()
    request = Request("https://www.kbsm.net/")
    retry = asyncio.run(mw.process_exception(request, CannotResolveHostError("x")))
    assert isinstance(retry, Request) and "newscrawl_retry_wait" not in retry.meta
    assert asyncio.run(mw.process_exception(retry, CannotResolveHostError("x"))) is None


def test_a_name_that_did_not_resolve_is_not_looked_up_again_in_the_run() -> None:
    mw = retry_middleware()
    request = Request("https://gone.example.kr/")
    retry = asyncio.run(mw.process_exception(request, CannotResolveHostError("x")))
    assert asyncio.run(mw.process_exception(retry, CannotResolveHostError("x"))) is None
    later = Request("https://gone.example.kr/robots.txt")
    with pytest.raises(CannotResolveHostError, match="did not resolve before"):
        mw.process_request(later)
    assert later.meta["dont_retry"] is True
    assert mw.process_request(Request("https://www.kbsm.net/")) is None


def test_other_failures_wait_their_backoff_off_the_downloader() -> None:
    mw = retry_middleware()
    request = Request("https://www.kbsm.net/")
    retry = asyncio.run(mw.process_exception(request, DownloadTimeoutError("x")))
    assert retry.meta["newscrawl_retry_wait"] == 2.0
    response = Response(request.url, status=429, headers={"Retry-After": "7"}, request=request)
    retry = asyncio.run(mw.process_response(request, response))
    assert retry.meta["newscrawl_retry_wait"] == 7.0


def test_a_reserved_name_fails_without_a_lookup() -> None:
    mw = retry_middleware()
    with pytest.raises(
        CannotResolveHostError, match=re.escape("nowhere.invalid is a reserved name")
    ):
        mw.process_request(Request("http://news.nowhere.invalid/"))
    assert mw.process_request(Request("https://www.kbsm.net/")) is None
