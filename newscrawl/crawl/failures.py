"""The spider's accounting of what went wrong: every request given up is counted under its
reason, per site; answers, redirect loops and bodies cut short are counted from Scrapy's
signals; at the end the run is judged (``newscrawl.outcomes.judge``).

``FailureAccounting`` is a mixin of NewsSpider: it uses the spider's ``sites``, ``crawler``
and ``_count``, and keeps the spider's module about discovery.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.http import Response
from twisted.python.failure import Failure

from newscrawl.outcomes import Verdict, failure_reason, judge, truncation

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from newscrawl.sites import Site

logger = logging.getLogger(__name__)

# Answers that say a guessed URL does not exist (or is not for us): normal, not failures.
_MISSING = frozenset({"http_401", "http_403", "http_404", "http_410"})
# Requests refused by the crawl's own rules (robots.txt, a URL shape learned as not an
# article): skipped, not failures of the site.
SKIP_REASONS = frozenset({"robots", "not_article_shape"})


def failed_request(failure: Failure) -> Request:
    """The request a failure passed to an errback belongs to.

    Scrapy sets ``failure.request`` before calling an errback; Twisted's ``Failure`` does not
    declare the attribute, so it is read here, once, with its type.
    """
    request = getattr(failure, "request", None)
    if not isinstance(request, Request):
        raise TypeError(f"{failure!r} carries no request: not a Scrapy errback's failure")
    return request


class FailureAccounting:
    """Errbacks and signal handlers that count outcomes under ``site/NAME/...``."""

    crawler: Crawler
    sites: dict[str, Site]
    verdict: Verdict | None = None

    # Provided by the spider.
    def _count(self, site: Site, key: str, n: int = 1) -> None:
        raise NotImplementedError

    def _site(self, response: Any) -> Site:
        raise NotImplementedError

    def connect_signals(self) -> None:
        """Listen to the answers and dropped requests of the crawl."""
        self.crawler.signals.connect(self.response_received, signal=signals.response_received)
        self.crawler.signals.connect(self.request_dropped, signal=signals.request_dropped)

    def _give_up(self, site: Site, failure: Failure, *, guessed: bool = False) -> str:
        """Count a request the crawl gave up on under its reason; return the reason.

        ``guessed``: a discovery URL tried on the chance that it exists (robots.txt, a feed,
        a list page): its 404 is an answer, counted as ``missing/REASON``, not a failure.
        """
        reason = failure_reason(failure.value)
        if reason in SKIP_REASONS:
            return reason
        assert self.crawler.stats is not None
        kind = "missing" if guessed and reason in _MISSING else "failed"
        self.crawler.stats.inc_value(f"{kind}/{reason}")
        self._count(site, f"{kind}/{reason}")
        return reason

    def response_received(self, response: Response, request: Request) -> None:
        """Count the answers a site gave, whatever their status: it was reachable."""
        name = request.meta.get("site")
        if name in self.sites:
            self._count(self.sites[name], "responses")
            if cut := truncation(response):
                self._count(self.sites[name], "truncated")
                logger.warning("%s: %s: %s", name, response.url, cut)

    def request_dropped(self, request: Request) -> None:
        """A redirect back to a URL of its own chain is a loop the scheduler drops silently.

        A redirect to a URL requested by another way (http to https, a print view) is a
        duplicate, dropped as such: the page is fetched, or failed, under that other request.
        """
        name = request.meta.get("site")
        chain = request.meta.get("redirect_urls")
        if name not in self.sites or not chain:
            return
        site = self.sites[name]
        if request.url not in chain:
            self._count(site, "redirected_to_known")
            return
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("failed/redirect_loop")
        self._count(site, "failed/redirect_loop")
        logger.warning(
            "%s: redirect loop: %s -> %s", name, request.meta["redirect_urls"][0], request.url
        )
        if request.meta.get("kind") == "article":
            self._count(site, "failed")
            self._count(site, "article_failed/redirect_loop")

    def closed(self, reason: str) -> None:
        """Judge the run from its stats (``newscrawl.outcomes``); the crawl command reports it."""
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        self.verdict = judge(stats, list(self.sites), finish_reason=reason)

    def article_failed(self, failure: Failure) -> None:
        """An article given up: a failure of the site, unless robots.txt forbade it."""
        site = self._site(failure)
        reason = self._give_up(site, failure)
        if reason in SKIP_REASONS:  # our own rule said no: not a failure
            self._count(site, "skipped")
            self._count(site, f"skipped/{reason}")
            return
        self._count(site, "failed")
        self._count(site, f"article_failed/{reason}")
        logger.warning(
            "%s: %s failed (%s): %s", site.name, failed_request(failure).url, reason, failure.value
        )
