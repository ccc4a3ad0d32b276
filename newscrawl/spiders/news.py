"""The one generic spider: ``scrapy crawl news -a site=NAME[,NAME...]``, ``-a region=경북``,
``-a url=HOME_URL``; options ``-a since=YYYY-MM-DD`` and ``-a max_articles=N``; an id-range
backfill with ``-a backfill=ids [-a ids=FROM-TO]`` (``crawl/backfill.py``).

Per site: the home page first (it tells the CMS family and announces feeds), then robots.txt
(its ``Sitemap:`` lines), feeds, sitemaps and list pages, each yielding article requests that
the FetchPolicy lets through. Article responses become ``Page`` items; the pipelines extract
and archive them. Every outcome is counted in stats under ``site/NAME/...``, every request
given up under its reason (``crawl/failures.py``), and the run is judged at the end
(``newscrawl.outcomes``). Arguments are checked when the spider is built (``configure``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from newscrawl import discovery
from newscrawl.cluster.lists import SharedLists, lists_prefix
from newscrawl.cluster.settings import MEMORY_TIMEOUT, apply_cluster_settings
from newscrawl.config import ConfigError, check_settings
from newscrawl.crawl.backfill import SEQUENTIAL, IdBackfill
from newscrawl.crawl.failures import FailureAccounting, failed_request
from newscrawl.crawl.lists import ListsOnHold
from newscrawl.crawl.memory import ArchiveMemory, read_archive
from newscrawl.crawl.policy import (
    Decision,
    FetchPolicy,
    check_arguments,
    parse_backfill,
    parse_count,
    parse_since,
    parse_url,
)
from newscrawl.discovery import Link
from newscrawl.items import Page
from newscrawl.outcomes import NETWORK_REASONS, Verdict, truncation
from newscrawl.pipelines import ArchivePipeline
from newscrawl.sites import DEFAULT_REGISTRY, Site, load_registry, select_sites, site_for_url

logger = logging.getLogger(__name__)

# Kept as captures even though they are errors: a 404 or 500 is what the site said.
KEPT_ERROR_STATUSES = [400, 401, 403, 404, 410, 451, 500, 502, 503, 504]
_PRIORITY = {"home": 40, "robots": 35, "feed": 30, "sitemap": 25, "list": 10, "article": 50}
_CAUSES = {
    "dns": "DNS lookup failed",
    "connection_refused": "connection refused",
    "timeout": "timed out",
    "connection_lost": "connection lost",
    "tls": "TLS handshake failed",
    "dataloss": "response cut short",
}


class NewsSpider(IdBackfill, FailureAccounting, Spider):
    """Crawl Korean regional newspapers from the site registry (or any home URL)."""

    name = "news"
    kept_statuses = KEPT_ERROR_STATUSES

    def __init__(
        self,
        site: str | None = None,
        region: str | None = None,
        url: str | None = None,
        since: str | None = None,
        max_articles: str | None = None,
        backfill: str | None = None,
        ids: str | None = None,
        **kwargs: Any,
    ) -> None:
        check_arguments(kwargs)
        super().__init__(**kwargs)
        if url is not None and (site or region):
            raise ConfigError("-a url=... names one site: give it without -a site or -a region")
        self.site_names = [n for n in (site or "").split(",") if n.strip()]
        if site is not None and not self.site_names:
            raise ConfigError(f"-a site={site!r}: expected one or more site names")
        self.region = region
        self.home_url = parse_url(url)
        try:
            self.since = parse_since(since)
            self.max_articles = parse_count(max_articles, "max_articles")
            self.id_range = parse_backfill(backfill, ids)
        except ValueError as error:
            raise ConfigError(str(error)) from None
        self.backfill_init()
        self.sites: dict[str, Site] = {}
        self.cutoffs: dict[str, date | None] = {}  # per site: older sitemaps are not re-read
        # Sites whose last run stopped early: lists are read past pages with nothing new.
        self.catch_up: set[str] = set()
        self.policy = FetchPolicy(known={}, now=datetime.now(UTC))
        self.lists: ListsOnHold | SharedLists = ListsOnHold()
        self.redis: Any = None  # a cluster node's connection (REDIS_URL)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        apply_cluster_settings(settings)  # REDIS_URL set: a node of a crawl cluster
        if not settings.get("USER_AGENT"):
            contact = settings.get("NEWSCRAWL_CONTACT") or "no contact given"
            settings.set("USER_AGENT", f"newscrawl/0.1 (+{contact})", priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.configure(crawler.settings)
        spider.connect_signals()
        return spider

    def configure(self, settings: BaseSettings) -> None:
        """Choose the sites and read the settings; raise ConfigError or RegistryError (both
        ValueErrors naming what is wrong) before any request is made.

        The crawl command calls this on a spider of its own before the crawl starts, so a
        mistake is one line on stderr and exit status 2 instead of a traceback.
        """
        pipelines = settings.getdict("ITEM_PIPELINES") if settings.get("ITEM_PIPELINES") else {}
        archiving = any(
            "ArchivePipeline" in str(path) and order is not None
            for path, order in pipelines.items()
        )
        check_settings(settings, archive=archiving)
        registry = load_registry(settings.get("NEWSCRAWL_SITES_FILE") or DEFAULT_REGISTRY)
        if self.home_url:
            chosen = [site_for_url(self.home_url, registry)]
        else:
            chosen = select_sites(registry, names=self.site_names, region=self.region)
        if not chosen:
            raise ConfigError(f"no site in the registry has region {self.region}")
        self.sites = {s.name: s for s in chosen}
        if self.id_range is not None:
            self._check_backfill()
        self.revisit = timedelta(days=settings.getfloat("NEWSCRAWL_REVISIT_DAYS", 2))
        self.max_list_pages = settings.getint("NEWSCRAWL_MAX_LIST_PAGES", 200)
        self.generic_list_pages = settings.getint("NEWSCRAWL_GENERIC_LIST_PAGES", 10)
        self.db_path = settings.get("ARCHIVE_DB_PATH")
        if settings.get("REDIS_URL"):  # a node of a crawl cluster
            if not Path(str(self.db_path or "")).is_file():
                # A node reads the archive only where it can (its writer's machine): it
                # never creates one, and never over a network filesystem by default.
                self.db_path = None
            from scrapy_redis.connection import get_redis_from_settings

            self.redis = get_redis_from_settings(settings)
            # The nodes share their held lists.
            self.lists = SharedLists(self.redis, prefix=lists_prefix(self.name))
        self.verdict: Verdict | None = None

    def _check_backfill(self) -> None:
        if self.since:
            raise ConfigError("-a since does not apply to -a backfill=ids (give -a ids=FROM-TO)")
        others = [s.name for s in self.sites.values() if s.cms not in SEQUENTIAL]
        if others:
            raise ConfigError(
                f"-a backfill=ids needs sequential article ids (NDSoft or GnuBoard); "
                f"{', '.join(others)} is not such a site"
            )

    # --- start ---------------------------------------------------------------------------------
    async def _load_archive(self) -> None:
        """Read what the archive already holds, per site, into the fetch policy."""
        memory = ArchiveMemory()
        if self.db_path:
            memory = read_archive(
                self.db_path,
                spider=self.name,
                sites=list(self.sites),
                own_run=self._own_run(),
                since=self.since,
                revisit=self.revisit,
            )
        elif self.redis is not None:
            memory = await self._memory_from_writer()
        self.cutoffs, self.catch_up = memory.cutoffs, memory.catch_up
        self.policy = FetchPolicy(
            known=memory.known,  # 16 bytes an article (newscrawl.crawl.known)
            now=datetime.now(UTC),
            revisit=self.revisit,
            since=self.since,
            max_articles=self.max_articles,
        )
        logger.info(
            "Crawling %d site(s): %s; %d article(s) already archived",
            len(self.sites),
            ", ".join(self.sites),
            len(memory.known),
        )
        if self.catch_up:
            logger.info("Last run stopped early for %s: reading lists to the end", self.catch_up)

    async def _memory_from_writer(self) -> ArchiveMemory:
        """A cluster node without the archive file asks the archive writer for its memory;
        without an answer it does not crawl (every archived article would be fetched again)."""
        # Imported here: redis is installed only with the ``cluster`` extra.
        from newscrawl.cluster.memory import MemoryUnanswered, ask_writer

        settings = self.crawler.settings
        try:
            return await ask_writer(
                self.redis,
                spider=self.name,
                sites=list(self.sites),
                since=self.since,
                revisit=self.revisit,
                timeout=settings.getfloat("NEWSCRAWL_CLUSTER_MEMORY_TIMEOUT", MEMORY_TIMEOUT),
            )
        except MemoryUnanswered as error:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("cluster/memory_unanswered")
            logger.error("Not crawling: %s", error)
            raise CloseSpider("archive_memory_unanswered") from None

    def _own_run(self) -> int | None:
        """The run the archive pipeline opened for this crawl (it owns the run), if any."""
        pipeline = self.crawler.get_item_pipeline(ArchivePipeline)
        return pipeline.run_id if pipeline is not None else None

    async def start(self) -> AsyncIterator[Request]:
        await self._load_archive()
        if self.id_range is not None:
            for request in self.backfill_start():
                yield request
            return
        for site in self.sites.values():
            yield self._request(site, site.home_url, "home", errback=self.home_failed)

    def _request(self, site: Site, url: str, kind: str, **kwargs: Any) -> Request:
        callback = getattr(self, f"parse_{kind}")
        meta = {"site": site.name, "cms": site.cms, "kind": kind, **kwargs.pop("meta", {})}
        return Request(url, callback=callback, meta=meta, priority=_PRIORITY[kind], **kwargs)

    def _site(self, response: Response | Failure) -> Site:
        request = response.request if isinstance(response, Response) else failed_request(response)
        assert request is not None  # a response handed to a callback has its request
        site = self.sites[request.meta["site"]]
        cms = request.meta.get("cms", site.cms)
        return site if cms == site.cms else site.with_cms(cms)

    def _count(self, site: Site, key: str, n: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"site/{site.name}/{key}", n)

    # --- discovery -----------------------------------------------------------------------------
    def parse_home(self, response: Response) -> Iterator[Request]:
        site = self._site(response)
        text = response.text if hasattr(response, "text") else ""
        detected = discovery.detect_cms(text, response.url)
        # A registry site (it has a region) keeps its cms unless the page clearly says another.
        if detected != site.cms and (detected != "generic" or not site.region):
            if site.region:
                logger.warning(
                    "%s: registry says cms=%s, home page says %s", site.name, site.cms, detected
                )
            site = site.with_cms(detected)
            self.sites[site.name] = site
        links = discovery.page_links(response.body, response.url)
        if site.cms == "generic" and not site.list_pages:
            # Walked only if the site turns out to have no sitemap or feed (ListsOnHold).
            lists = [u for u in links if site.owns(u) and discovery.is_list_url(u, site.cms)]
            self.lists.hold(site.name, lists[: self.generic_list_pages])
        yield from self._discover(site, response)
        yield from self._articles(site, links, "home")

    def home_failed(self, failure: Failure) -> Iterator[Request]:
        site = self._site(failure)
        reason = self._give_up(site, failure)
        assert self.crawler.stats is not None
        self.crawler.stats.set_value(f"site/{site.name}/home_failed", reason)
        if reason in NETWORK_REASONS:
            # Maybe the host is down: ask robots.txt alone before queueing dozens of guessed
            # discovery URLs that would each fail (and be retried) the same way.
            logger.info("%s: home page failed (%s); trying robots.txt", site.name, reason)
            yield self._robots_request(site, probe=True)
            return
        logger.warning(
            "%s: home page failed (%s); using the registry only", site.name, failure.value
        )
        yield from self._discover(site, None)

    def _robots_request(self, site: Site, *, probe: bool = False) -> Request:
        robots = urljoin(site.home_url, "/robots.txt")
        self.lists.asked(site.name, robots)  # held list pages wait for its answer too
        return self._request(
            site,
            robots,
            "robots",
            errback=self.robots_failed,
            meta={"dont_obey_robotstxt": True, "probe": probe, "held_by": robots},
        )

    def _discover(
        self, site: Site, home: Response | None, *, robots: bool = True
    ) -> Iterator[Request]:
        """Requests for robots.txt, feeds, sitemaps and list pages of a site."""
        base = site.home_url
        if robots:
            yield self._robots_request(site)
        feeds = [*site.feeds, *(urljoin(base, f) for f in discovery.DEFAULT_FEEDS[site.cms])]
        lists = [
            *site.list_pages,
            *(urljoin(base, p) for p in discovery.DEFAULT_LIST_PAGES[site.cms]),
        ]
        if home is not None:
            feeds += discovery.feed_links(home.body, home.url)
            if site.cms == "gnuboard":  # boards are named per site: take the home page's boards
                boards = [
                    u
                    for u in discovery.page_links(home.body, home.url)
                    if discovery.is_list_url(u, site.cms) and "sca=" not in u
                ]
                lists += boards[:5]
        for url in dict.fromkeys(u for u in feeds if site.owns(u)):
            yield from self._site_list(site, url, "feed")
        for url in dict.fromkeys(site.sitemaps):
            yield from self._site_list(site, url, "sitemap")
        for url in dict.fromkeys(lists):
            yield self._request(site, url, "list", errback=self.quiet_failure)

    def parse_robots(self, response: Response) -> Iterator[Request]:
        site = self._site(response)
        if response.meta.get("probe"):  # the home page failed, the host answers: go on
            yield from self._discover(site, None, robots=False)
        found = list(sitemap_urls_from_robots(response.body, base_url=response.url))
        if not found and not site.sitemaps:
            found = [urljoin(site.home_url, "/sitemap.xml")]  # the conventional place
        for url in found:
            yield from self._site_list(site, url, "sitemap")
        yield from self._answered(site, response)

    def _broken(self, site: Site, kind: str, url: str, broken: discovery.Broken) -> None:
        """A feed or sitemap that answered but could not be read: counted, never taken for
        an empty one."""
        self._count(site, f"discovery_broken/{kind}")
        self._count(site, f"discovery_broken/{kind}/{broken.reason}")
        logger.warning("%s: %s %s is broken: %s", site.name, kind, url, broken.message)

    def _site_list(self, site: Site, url: str, kind: str) -> Iterator[Request]:
        """A request for a feed or sitemap, once per run; list pages wait for its answer."""
        if self.lists.asked(site.name, url):
            yield self._request(site, url, kind, errback=self.quiet_failure, meta={"held_by": url})

    def _answered(self, site: Site, answer: Response | Failure) -> Iterator[Request]:
        """A robots.txt, feed or sitemap answered: when it was the last one and none listed an
        article, the site's held list pages are walked instead."""
        request = answer.request if isinstance(answer, Response) else failed_request(answer)
        held_by = request.meta.get("held_by") if request else None
        for url in self.lists.answered(site.name, held_by):
            yield self._request(site, url, "list", errback=self.quiet_failure)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        site = self._site(response)
        feed = discovery.parse_feed(response.body, response.url)
        if feed.broken:
            self._broken(site, "feed", response.url, feed.broken)
        self.note_claims(site, response, [link.url for link in feed.links])
        yield from self._articles(site, feed.links, "feed", trusted=True)
        yield from self._answered(site, response)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        site = self._site(response)
        sitemap = discovery.parse_sitemap(response.body, response.url)
        if sitemap.broken:
            self._broken(site, "sitemap", response.url, sitemap.broken)
        cutoff = self.cutoffs.get(site.name)
        pruned = False
        for child in sitemap.sitemaps:
            if cutoff and child.published and child.published.date() < cutoff:
                self._count(site, "sitemaps_pruned")
                pruned = True
                continue
            yield from self._site_list(site, child.url, "sitemap")
        self.note_sitemap(site, response, urls=len(sitemap.urls), pruned=pruned)
        yield from self._articles(site, sitemap.urls, "sitemap", trusted=True)
        yield from self._answered(site, response)

    def parse_list(self, response: Response) -> Iterator[Request]:
        site = self._site(response)
        links_found = discovery.page_links(response.body, response.url)
        links = [Link(u) for u in links_found]
        articles = [link for link in links if self._is_article(site, link.url)]
        new = sum(self.policy.is_new(link.url) for link in articles)
        yield from self._articles(site, articles, "list")
        page = discovery.list_page_number(response.url)
        if page == 1:
            self.note_claims(site, response, links_found)
        go_on = bool(articles) and page < self.max_list_pages and not self.policy.budget_spent
        if self.since:  # a backfill pages on through archived pages until it passes the date
            dates = [d for d in discovery.page_dates(response.text) if d.year >= 1995]
            go_on = go_on and (not dates or min(dates) >= self.since)
        elif site.name not in self.catch_up:  # incremental: stop at a page with nothing new
            go_on = go_on and new > 0
        logger.debug("%s: list page %d: %d articles, %d new", site.name, page, len(articles), new)
        if site.cms == "generic":  # its own next-page link: generic lists page in many ways
            following = discovery.next_page_link(links_found, response.url)
        else:  # NDSoft and GnuBoard both take page=N
            following = discovery.next_list_page(response.url)
        if go_on and following:
            yield self._request(site, following, "list", errback=self.quiet_failure)

    def robots_failed(self, failure: Failure) -> Iterator[Request]:
        """No robots.txt is normal (404); no answer at all means the site is out of reach."""
        site = self._site(failure)
        reason = self._give_up(site, failure, guessed=True)
        probe = failed_request(failure).meta.get("probe")
        if reason not in NETWORK_REASONS:
            self._count(site, "discovery_failed")
            logger.info("%s: %s: %s", site.name, failed_request(failure).url, failure.value)
            if probe:
                yield from self._discover(site, None, robots=False)
            yield from self._answered(site, failure)
            return
        host = urlsplit(failed_request(failure).url).netloc
        cause = f"{_CAUSES.get(reason, reason)} ({host})"
        stats = self.crawler.stats
        assert stats is not None
        if probe:
            stats.set_value(f"site/{site.name}/unreachable", cause)
            logger.warning(
                "%s: unreachable: %s on the home page and robots.txt; giving up on the site",
                site.name,
                cause,
            )
        else:
            stats.set_value(f"site/{site.name}/robots_unreachable", cause)
            logger.warning("%s: robots.txt unreachable: %s", site.name, cause)
        yield from self._answered(site, failure)

    def quiet_failure(self, failure: Failure) -> Iterator[Request]:
        """A missing feed, sitemap or list page is normal for a guessed URL: log, count, go on."""
        site = self._site(failure)
        self._give_up(site, failure, guessed=True)
        self._count(site, "discovery_failed")
        logger.info("%s: %s: %s", site.name, failed_request(failure).url, failure.value)
        yield from self._answered(site, failure)

    # --- articles ------------------------------------------------------------------------------
    def _is_article(self, site: Site, url: str) -> bool:
        """Whether a link found in an HTML page looks like an article of the site."""
        return site.owns(url) and discovery.is_article_url(
            url, site.cms, pattern=site.article_pattern
        )

    def _articles(
        self, site: Site, links: Iterable[Link | str], source: str, *, trusted: bool = False
    ) -> Iterator[Request]:
        """Article requests for the links the policy lets through.

        Sitemap and feed entries are ``trusted``: the site's own word that they are content, so
        any page URL of the site is fetched whatever it looks like (extraction then says
        whether it is an article); links found in HTML pages must look like articles."""
        for link in links:
            link = link if isinstance(link, Link) else Link(link)
            if trusted:
                if not site.owns(link.url) or not discovery.is_page_url(link.url):
                    continue
                self.lists.listed(site.name)
            elif not self._is_article(site, link.url):
                continue
            decision = self.policy.decide(link.url, link.published)
            if decision is Decision.DUPLICATE:
                continue
            self._count(site, "discovered")
            if decision in (Decision.FETCH, Decision.REVISIT):
                self._count(site, "revisits" if decision is Decision.REVISIT else "to_fetch")
                # dont_filter: the policy (which reads the archive) is what keeps an article
                # from being fetched twice, not a JOBDIR's fingerprints, which a killed run
                # leaves for requests whose pages never reached the archive.
                yield self._request(
                    site,
                    link.url,
                    "article",
                    dont_filter=True,
                    errback=self.article_failed,
                    meta={"handle_httpstatus_list": KEPT_ERROR_STATUSES, "source": source},
                )
            else:
                self._count(site, "skipped")
                self._count(site, f"skipped/{decision}")

    def parse_article(self, response: Response) -> Iterator[Page]:
        site = self._site(response)
        self._count(site, "fetched")
        page = Page.from_response(
            response, site.name, fetched_at=datetime.now(UTC), site_hosts=site.hosts
        )
        if cut := truncation(response):
            page.notes.append(cut)
        yield page
