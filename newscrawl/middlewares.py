"""Retries that wait without blocking, and that give up fast when waiting cannot help.

Scrapy's RetryMiddleware re-queues a failed request at once, which is exactly what a server
answering 429 asked us not to do. BackoffRetryMiddleware keeps its settings (``RETRY_TIMES``,
``RETRY_HTTP_CODES``, ``dont_retry``) and builds retries with Scrapy's ``get_retry_request``,
but hands each retry to the scheduler only after ``Retry-After`` (or an exponential backoff).
The wait holds nothing: not a download slot, and not one of the CONCURRENT_REQUESTS, which a
request sleeping in a middleware, or queued behind a slot whose delay was raised, would hold
(Scrapy counts both as active), stopping every other site of the crawl meanwhile.

A host that does not resolve or refuses connections is retried once, at once: minutes of
backoff would not bring it back within a run. ``.invalid`` names fail without a lookup.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import CannotResolveHostError, DontCloseSpider, IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.asyncio import call_later
from scrapy.utils.response import response_status_message

from newscrawl.outcomes import NETWORK_REASONS, UNREACHABLE_REASONS, failure_reason

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

# Request meta key: seconds the scheduler must hold this retry back.
_WAIT = "newscrawl_retry_wait"
# RFC 6761: special-use names that never resolve; resolvers "SHOULD" answer at once.
_NEVER_RESOLVES = (".invalid",)


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or HTTP-date), None if unusable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class NetworkErrorsWithoutTraceback(logging.Filter):
    """Drop the traceback Scrapy's robots.txt middleware logs with a DNS or connection error.

    A host that is down is an outcome, not a bug: the one-line message names the host and the
    cause, and the spider's verdict on the site follows; 20 lines of traceback add nothing.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and failure_reason(error) in NETWORK_REASONS:
            record.exc_info = None
            record.exc_text = None
        return True


def _quiet_robots_errors() -> None:
    robots_logger = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
    if not any(isinstance(f, NetworkErrorsWithoutTraceback) for f in robots_logger.filters):
        robots_logger.addFilter(NetworkErrorsWithoutTraceback())


class BackoffRetryMiddleware(RetryMiddleware):
    """Retries that wait ``Retry-After`` or ``base * 2**(attempt-1)`` seconds, off the slot;
    unresolvable or refusing hosts get one immediate retry."""

    def __init__(
        self, settings: BaseSettings, *, max_delay: float = 300.0, base: float = 5.0
    ) -> None:
        super().__init__(settings)
        self.max_delay = max_delay
        self.base = base
        self.waiting = 0  # retries held back, not yet handed to the scheduler
        # Hosts whose name did not resolve, even on a retry: later requests to them in this
        # run fail at once, instead of each waiting for the resolver again (DNS_TIMEOUT).
        self.unresolved: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        mw = cls(
            crawler.settings,
            max_delay=crawler.settings.getfloat("NEWSCRAWL_RETRY_MAX_DELAY", 300.0),
            base=crawler.settings.getfloat("NEWSCRAWL_RETRY_BACKOFF_BASE", 5.0),
        )
        mw.crawler = crawler
        crawler.signals.connect(mw.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(mw.spider_idle, signal=signals.spider_idle)
        _quiet_robots_errors()
        return mw

    def delay_for(self, attempt: int, retry_after: str | None) -> float:
        """How long to wait before retry number ``attempt`` (1-based)."""
        asked = retry_after_seconds(retry_after)
        delay = asked if asked is not None else self.base * 2 ** max(0, attempt - 1)
        return min(delay, self.max_delay)

    def process_request(self, request: Request) -> None:
        host = (urlsplit(request.url).hostname or "").rstrip(".")
        if host.endswith(_NEVER_RESOLVES):
            raise CannotResolveHostError(f"DNS lookup failed: {host} is a reserved name")
        if host in self.unresolved:
            request.meta["dont_retry"] = True
            raise CannotResolveHostError(f"DNS lookup failed: {host} did not resolve before")

    # Scrapy 2.14+ calls middlewares without the spider argument and awaits coroutines; the
    # base classes still declare the older synchronous signature, hence the ignores.
    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry_request(request, response_status_message(response.status))
        if retry is None:
            return response
        header = response.headers.get(b"Retry-After")
        asked = header.decode("latin-1") if header else None
        return self._later(retry, self.delay_for(retry.meta["retry_times"], asked))

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        if request.meta.get("dont_retry", False) or not isinstance(
            exception, self.exceptions_to_retry
        ):
            return None
        reason = failure_reason(exception)
        if reason in UNREACHABLE_REASONS:
            # Another try in a few seconds may pass a glitch; minutes of backoff only delay
            # the verdict (the site's failure) of a host that is down or does not exist.
            retry = self._retry_request(request, exception, max_retry_times=1)
            if retry is None and reason == "dns":
                self.unresolved.add((urlsplit(request.url).hostname or "").rstrip("."))
            return retry
        retry = self._retry_request(request, exception)
        if retry is None:
            return None
        return self._later(retry, self.delay_for(retry.meta["retry_times"], None))

    def _retry_request(
        self, request: Request, reason: str | Exception, *, max_retry_times: int | None = None
    ) -> Request | None:
        limit = request.meta.get("max_retry_times", self.max_retry_times)
        if max_retry_times is not None:
            limit = min(limit, max_retry_times)
        assert self.crawler.spider is not None
        return get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=reason,
            max_retry_times=limit,
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
            give_up_log_level=request.meta.get("give_up_log_level", self.give_up_log_level),
        )

    def _later(self, retry: Request, delay: float) -> Request:
        """Mark the retry to be held back ``delay`` seconds once it reaches the scheduler."""
        if delay > 0:
            retry.meta[_WAIT] = delay
        return retry

    def request_scheduled(self, request: Request) -> None:
        """Hold a marked retry back until its time; the engine drops it for now, silently."""
        delay = request.meta.pop(_WAIT, None)
        if not delay:
            return
        self.crawler.stats.inc_value("retry/backoff_seconds", delay)
        logger.info("Backing off %.1fs before retrying %s", delay, request.url)
        self.waiting += 1
        # A cluster node keeps it in Redis meanwhile (newscrawl.cluster.scheduler).
        hold = getattr(getattr(self.crawler.engine, "scheduler", None), "hold", None)
        call_later(delay, self._release, request, hold(request) if hold else None)
        raise IgnoreRequest("held back until its retry time")  # the engine drops it silently

    def _release(self, request: Request, held: str | None = None) -> None:
        self.waiting -= 1
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None and self.crawler.crawling:
            engine.crawl(request)
            if held is not None:  # queued again: no longer only in this node's hands
                engine.scheduler.release_hold(held)  # type: ignore[union-attr]

    def spider_idle(self) -> None:
        if self.waiting:
            raise DontCloseSpider


class CheckedHttpCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, which keeps what it could read of a gzip stream cut short,
    plus the check it lacks: such a response gets the flag ``gzip_truncated``.

    The check costs nothing: a gzip stream ends with the length of its data (mod 2**32), so
    a stream cut short ends with something else. (A body of several gzip members, which no
    news site sends, would be flagged too; the flag is a warning, the page is kept.)
    """

    def process_response(  # type: ignore[override]  # Scrapy 2.14+: no spider argument
        self, request: Request, response: Response
    ) -> Request | Response:
        encodings = response.headers.getlist("Content-Encoding")
        gzipped = request.method != "HEAD" and [e.strip().lower() for e in encodings] in (
            [b"gzip"],
            [b"x-gzip"],
        )
        raw = response.body if gzipped else b""
        result = super().process_response(request, response)
        if gzipped and isinstance(result, Response) and result is not response:
            size = int.from_bytes(raw[-4:], "little") if len(raw) >= 18 else -1
            if size != len(result.body) % 2**32:
                result.flags = [*result.flags, "gzip_truncated"]
        return result


# Scrapy reads a refresh in the first 4,096 characters: at most 4 bytes each in UTF-8.
_REFRESH_SPAN = 4 * 4096
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class QuickMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirect, without decoding pages that have no refresh.

    Scrapy's decodes every HTML response (about 0.15 ms for a 100 KB page) to look for a
    ``<meta http-equiv="refresh">``; a byte search for "refresh" first skips nearly all.
    """

    def process_response(  # type: ignore[override]  # Scrapy 2.14+: no spider argument
        self, request: Request, response: Response
    ) -> Request | Response:
        body = response.body
        if (
            isinstance(response, HtmlResponse)
            and b"refresh" not in body[:_REFRESH_SPAN].lower()
            and not body.startswith(_UTF16_BOMS)
        ):
            return response
        return super().process_response(request, response)
