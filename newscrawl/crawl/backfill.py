"""Id-range backfills: ``-a backfill=ids [-a ids=FROM-TO]`` requests every article id of a
site's sequential series (NDSoft ``idxno``, GnuBoard ``wr_id`` per board), newest first.

The site's home page, feeds and first list pages are read once (*probes*) for the newest id
and an article URL to build the others from (:func:`archive.ids.id_url`). Then each series
keeps a small window of id requests in flight: each answer asks for the next id down, so the
site's delay and AutoThrottle pace the walk and a million ids never sit in the queue. Ids the
archive holds as archived or gone (``article_ids``) are skipped: after a kill, the same
command asks for what is left. ``IdBackfill`` is a mixin of NewsSpider.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

import archive
from archive.coverage import LIST_TOTAL, NEWEST, SITEMAP_URLS, known_ids
from archive.ids import article_id, id_url
from newscrawl import discovery
from newscrawl.crawl.failures import failed_request

if TYPE_CHECKING:
    from newscrawl.items import Page
    from newscrawl.sites import Site

logger = logging.getLogger(__name__)

#: The CMS families whose article ids are sequential.
SEQUENTIAL = ("ndsoft", "gnuboard")
# NDSoft list pages: "총 12,345건" (the site's own count of its articles).
_LIST_TOTAL = re.compile(r"총\s*([0-9][0-9,]*)\s*건")
_NDSOFT_ARTICLE = "/news/articleView.html?idxno=1"


@dataclass(slots=True)
class IdCursor:
    """The ids of one series still to request, from ``last`` down to ``first``."""

    template: str
    first: int
    last: int
    skip: set[int] = field(default_factory=set)

    def take(self, n: int) -> list[int]:
        """Up to ``n`` next ids, newest first, leaving out those in ``skip``."""
        out: list[int] = []
        while len(out) < n and self.last >= self.first:
            if self.last not in self.skip:
                out.append(self.last)
            self.last -= 1
        return out


@dataclass(slots=True)
class SiteProbe:
    """What the probes of one site found: per series the newest id and an article URL."""

    pending: set[str] = field(default_factory=set)
    newest: dict[str, tuple[int, str]] = field(default_factory=dict)

    def saw(self, url: str) -> None:
        found = article_id(url)
        if found and found.number > self.newest.get(found.series, (0, ""))[0]:
            self.newest[found.series] = (found.number, url)


class IdBackfill:
    """Probes, cursors and callbacks of an id-range backfill."""

    crawler: Any
    sites: dict[str, Site]
    db_path: str | None
    policy: Any
    kept_statuses: list[int]  # the error answers kept as captures (a 404 is a gone id)
    id_range: tuple[int, int] | None = None

    if TYPE_CHECKING:  # provided by NewsSpider and FailureAccounting, which come later
        # in the MRO: stubs defined here would hide them.

        def _count(self, site: Site, key: str, n: int = 1) -> None: ...

        def _site(self, response: Any) -> Site: ...

        def parse_article(self, response: Response) -> Iterator[Page]: ...

        def article_failed(self, failure: Failure) -> None: ...

        def _give_up(self, site: Site, failure: Failure, *, guessed: bool = False) -> str: ...

    # --- what sites say of themselves ----------------------------------------------------------
    @property
    def claims(self) -> dict[tuple[str, str], tuple[int, str]]:
        """(site, name) -> (value, source URL): the list totals and newest ids the sites
        showed in this run; the archive pipeline keeps them (archive.coverage.claim)."""
        if "_claims" not in self.__dict__:
            self._claims: dict[tuple[str, str], tuple[int, str]] = {}
        return self._claims

    def note_claims(self, site: Site, response: Response, links: list[str]) -> None:
        """Note the newest article id among ``links`` (a feed's, a first list page's) and, on
        an NDSoft list page, the total it prints (``총 N건``)."""
        if site.cms not in SEQUENTIAL:
            return
        probe = SiteProbe()
        for url in links:
            if site.owns(url):
                probe.saw(url)
        for series, (number, url) in probe.newest.items():
            key = (site.name, NEWEST + series)
            if number > self.claims.get(key, (0, ""))[0]:
                self.claims[key] = (number, url)
        is_list = response.meta.get("kind") == "list" and hasattr(response, "text")
        if is_list and (total := _LIST_TOTAL.search(response.text)):
            value = int(total.group(1).replace(",", ""))
            self.claims[(site.name, LIST_TOTAL)] = (value, response.url)

    def note_sitemap(self, site: Site, response: Response, *, urls: int, pruned: bool) -> None:
        """Add a sitemap's article URLs to what the site's sitemaps claim, as long as every
        sitemap of the site was read this run (one skipped as older than the archive's
        newest makes the count a part, not the site's claim)."""
        key = (site.name, SITEMAP_URLS)
        if pruned or key in self._sitemaps_pruned:
            self._sitemaps_pruned.add(key)
            self.claims.pop(key, None)
            return
        counted = self.claims.get(key, (0, ""))[0]
        self.claims[key] = (counted + urls, site.home_url)

    # --- start ---------------------------------------------------------------------------------
    def backfill_init(self) -> None:
        """Set up the backfill's state (the spider's __init__ calls it): a resumed job's
        queued requests may be answered before ``backfill_start`` runs."""
        self._probes: dict[str, SiteProbe] = {}
        self._sitemaps_pruned: set[tuple[str, str]] = set()
        self._cursors: dict[tuple[str, str], IdCursor] = {}
        self._known: dict[str, dict[str, set[int]]] = {}

    def backfill_start(self) -> Iterator[Request]:
        """The probes of every site; the id requests follow once a site's probes answered."""
        window = self.crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 1)
        self._window = max(2, 2 * window)
        if self.db_path:
            db = archive.open_db(self.db_path)
            try:
                self._known = {name: known_ids(db, name) for name in self.sites}
            finally:
                db.close()
        for site in self.sites.values():
            self._probes[site.name] = SiteProbe()
            base = site.home_url
            feeds = [*site.feeds, *(urljoin(base, f) for f in discovery.DEFAULT_FEEDS[site.cms])]
            lists = [
                *site.list_pages,
                *(urljoin(base, p) for p in discovery.DEFAULT_LIST_PAGES[site.cms]),
            ]
            yield from self._probe(site, base, "home")
            for url in dict.fromkeys(feeds):
                yield from self._probe(site, url, "feed")
            for url in dict.fromkeys(lists):
                yield from self._probe(site, url, "list")

    def _probe(self, site: Site, url: str, kind: str) -> Iterator[Request]:
        probe = self._probes[site.name]
        if url in probe.pending or not site.owns(url):
            return
        probe.pending.add(url)
        yield Request(
            url,
            callback=self.parse_probe,
            dont_filter=True,  # a paused job resumed must read them again: its cursors are gone
            errback=self.probe_failed,
            priority=40,
            meta={"site": site.name, "cms": site.cms, "kind": kind, "probe_url": url},
        )

    # --- probes --------------------------------------------------------------------------------
    def parse_probe(self, response: Response) -> Iterator[Request]:
        site = self._site(response)
        probe = self._probes.get(site.name)
        if probe is None or response.meta["probe_url"] not in probe.pending:
            return  # a paused job's copy of a probe: this run asked (or asks) its own
        kind = response.meta["kind"]
        if kind == "feed":
            links = [link.url for link in discovery.parse_feed(response.body, response.url).links]
        else:
            links = discovery.page_links(response.body, response.url)
        for url in links:
            if site.owns(url):
                probe.saw(url)
        if kind != "home":  # a home page's links are chosen, not the newest
            self.note_claims(site, response, links)
        if kind == "home":  # feeds the page announces, and (GnuBoard) its boards' first pages
            for url in discovery.feed_links(response.body, response.url):
                yield from self._probe(site, url, "feed")
            if site.cms == "gnuboard":
                boards = [u for u in links if discovery.is_list_url(u, site.cms)]
                for url in [u for u in boards if "sca=" not in u][:5]:
                    yield from self._probe(site, url, "list")
        yield from self._probed(site, response.meta["probe_url"])

    def probe_failed(self, failure: Failure) -> Iterator[Request]:
        site = self._site(failure)
        request = failed_request(failure)
        reason = self._give_up(site, failure, guessed=True)
        self._count(site, "discovery_failed")
        if request.meta["kind"] == "home":
            self.crawler.stats.set_value(f"site/{site.name}/home_failed", reason)
        logger.info("%s: %s: %s", site.name, request.url, failure.value)
        yield from self._probed(site, request.meta["probe_url"])

    def _probed(self, site: Site, url: str) -> Iterator[Request]:
        probe = self._probes.get(site.name)
        if probe is None or url not in probe.pending:
            return  # a paused job's copy of a probe, answered already
        probe.pending.discard(url)
        if probe.pending:
            return
        first, last = self.id_range or (1, 0)
        newest = dict(probe.newest)
        if not newest and site.cms == "ndsoft" and last:
            template = urljoin(site.home_url, _NDSOFT_ARTICLE)
            newest = {"idxno": (0, template)}
        if not newest:
            logger.warning("%s: no article id found on its home page, feeds or lists", site.name)
            self._count(site, "backfill_no_ids")
            return
        known = self._known.get(site.name, {})
        for series, (number, template) in sorted(newest.items()):
            top = last or max(number, max(known.get(series, ()), default=0))
            skip = known.get(series, set())
            cursor = IdCursor(template=template, first=first, last=top, skip=skip)
            in_range = top - first + 1
            already = sum(first <= n <= top for n in skip)
            logger.info(
                "%s: backfill of %s ids %d-%d: %d to request, %d archived or gone",
                site.name,
                series,
                first,
                top,
                max(0, in_range - already),
                already,
            )
            self._count(site, "skipped", already)
            self._count(site, "skipped/archived_or_gone", already)
            self._cursors[(site.name, series)] = cursor
            yield from self._next(site, series, self._window)

    # --- ids -----------------------------------------------------------------------------------
    def _next(self, site: Site, series: str, n: int = 1) -> Iterator[Request]:
        cursor = self._cursors.get((site.name, series))
        if cursor is None:  # a request of an earlier (paused) job, answered before the probes
            return
        # Newest first, each a step above the next: among equal priorities the order is the
        # queue's (LIFO in memory, FIFO elsewhere, encoded bytes in the cluster's Redis).
        numbers = cursor.take(n)
        for rank, number in enumerate(numbers):
            if self.policy.budget_spent:
                return
            self.policy.fetches += 1
            self._count(site, "discovered")
            self._count(site, "to_fetch")
            yield Request(
                id_url(cursor.template, number),
                callback=self.parse_backfill,
                errback=self.backfill_failed,
                # The archive, not a JOBDIR's fingerprints, says which ids are left.
                dont_filter=True,
                priority=50 + len(numbers) - 1 - rank,
                meta={
                    "site": site.name,
                    "cms": site.cms,
                    "kind": "article",
                    "backfill": series,
                    "handle_httpstatus_list": self.kept_statuses,
                },
            )

    def _done(self, site: Site, request: Request) -> None:
        found = article_id(request.url)
        cursor = self._cursors.get((site.name, request.meta["backfill"]))
        if found and cursor:  # an id of a paused job's queue is not asked again
            cursor.skip.add(found.number)

    def parse_backfill(self, response: Response) -> Iterator[Page | Request]:
        site = self._site(response)
        assert response.request is not None  # a response to a request of this spider
        self._done(site, response.request)
        yield from self.parse_article(response)
        yield from self._next(site, response.meta["backfill"])

    def backfill_failed(self, failure: Failure) -> Iterator[Request]:
        site = self._site(failure)
        request = failed_request(failure)
        self._done(site, request)
        self.article_failed(failure)
        yield from self._next(site, request.meta["backfill"])
