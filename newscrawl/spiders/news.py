"""The one generic spider: ``scrapy crawl news -a site=NAME[,NAME...]``, ``-a region=경북``,
``-a url=HOME_URL``; options ``-a since=YYYY-MM-DD`` and ``-a max_articles=N``.

Per site: the home page first (it tells the CMS family and announces feeds), then robots.txt
(its ``Sitemap:`` lines), feeds, sitemaps and list pages, each yielding article requests that
the FetchPolicy lets through. Article responses become ``Page`` items; the pipelines extract
and archive them. Every outcome is counted in stats under ``site/NAME/...``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, Self
from urllib.parse import urljoin

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from newscrawl import discovery
from newscrawl.discovery import Link
from newscrawl.items import Page
from newscrawl.sites import DEFAULT_REGISTRY, Site, load_registry, select_sites, site_for_url
from newscrawl.spiders.lists import ListsOnHold
from newscrawl.spiders.memory import ArchiveMemory, read_archive
from newscrawl.spiders.policy import Decision, FetchPolicy, parse_count, parse_since

logger = logging.getLogger(__name__)

# Kept as captures even though they are errors: a 404 or 500 is what the site said.
KEPT_ERROR_STATUSES = [400, 401, 403, 404, 410, 451, 500, 502, 503, 504]
_PRIORITY = {"home": 40, "robots": 35, "feed": 30, "sitemap": 25, "list": 10, "article": 50}


class NewsSpider(Spider):
    """Crawl Korean regional newspapers from the site registry (or any home URL)."""

    name = "news"

    def __init__(
        self,
        site: str | None = None,
        region: str | None = None,
        url: str | None = None,
        since: str | None = None,
        max_articles: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.site_names = [n for n in (site or "").split(",") if n.strip()]
        self.region = region
        self.home_url = url
        self.since = parse_since(since)
        self.max_articles = parse_count(max_articles, "max_articles")
        self.sites: dict[str, Site] = {}
        self.cutoffs: dict[str, date | None] = {}  # per site: older sitemaps are not re-read
        # Sites whose last run stopped early: lists are read past pages with nothing new.
        self.catch_up: set[str] = set()
        self.policy = FetchPolicy(known={}, now=datetime.now(UTC))
        self.lists = ListsOnHold()

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        if not settings.get("USER_AGENT"):
            contact = settings.get("NEWSCRAWL_CONTACT") or "no contact given"
            settings.set("USER_AGENT", f"newscrawl/0.1 (+{contact})", priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        registry = load_registry(settings.get("NEWSCRAWL_SITES_FILE") or DEFAULT_REGISTRY)
        if spider.home_url:
            chosen = [site_for_url(spider.home_url, registry)]
        else:
            chosen = select_sites(registry, names=spider.site_names, region=spider.region)
        if not chosen:
            raise ValueError(f"no site matches site={spider.site_names} region={spider.region}")
        spider.sites = {s.name: s for s in chosen}
        spider.revisit = timedelta(days=settings.getfloat("NEWSCRAWL_REVISIT_DAYS", 2))
        spider.max_list_pages = settings.getint("NEWSCRAWL_MAX_LIST_PAGES", 200)
        spider.generic_list_pages = settings.getint("NEWSCRAWL_GENERIC_LIST_PAGES", 10)
        spider.db_path = settings.get("ARCHIVE_DB_PATH")
        return spider

    # --- start ---------------------------------------------------------------------------------
    def _load_archive(self) -> None:
        """Read what the archive already holds, per site, into the fetch policy."""
        memory = ArchiveMemory()
        if self.db_path:
            memory = read_archive(
                self.db_path,
                spider=self.name,
                sites=list(self.sites),
                own_run=self.crawler.stats.get_value("archive/run_id"),
                since=self.since,
                revisit=self.revisit,
            )
        self.cutoffs, self.catch_up = memory.cutoffs, memory.catch_up
        self.policy = FetchPolicy(
            known=memory.known,
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

    async def start(self) -> AsyncIterator[Request]:
        self._load_archive()
        for site in self.sites.values():
            yield self._request(site, site.home_url, "home", errback=self.home_failed)

    def _request(self, site: Site, url: str, kind: str, **kwargs: Any) -> Request:
        callback = getattr(self, f"parse_{kind}")
        meta = {"site": site.name, "cms": site.cms, **kwargs.pop("meta", {})}
        return Request(url, callback=callback, meta=meta, priority=_PRIORITY[kind], **kwargs)

    def _site(self, response: Response | Failure) -> Site:
        request = response.request
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
        logger.warning(
            "%s: home page failed (%s); using the registry only", site.name, failure.value
        )
        yield from self._discover(site, None)

    def _discover(self, site: Site, home: Response | None) -> Iterator[Request]:
        """Requests for robots.txt, feeds, sitemaps and list pages of a site."""
        base = site.home_url
        robots = urljoin(base, "/robots.txt")
        self.lists.asked(site.name, robots)
        yield self._request(
            site,
            robots,
            "robots",
            errback=self.quiet_failure,
            meta={"dont_obey_robotstxt": True, "held_by": robots},
        )
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
        found = discovery.robots_sitemaps(response.text, response.url)
        if not found and not site.sitemaps:
            found = [urljoin(site.home_url, "/sitemap.xml")]  # the conventional place
        for url in found:
            yield from self._site_list(site, url, "sitemap")
        yield from self._answered(site, response)

    def _site_list(self, site: Site, url: str, kind: str) -> Iterator[Request]:
        """A request for a feed or sitemap, once per run; list pages wait for its answer."""
        if self.lists.asked(site.name, url):
            yield self._request(site, url, kind, errback=self.quiet_failure, meta={"held_by": url})

    def _answered(self, site: Site, answer: Response | Failure) -> Iterator[Request]:
        """A robots.txt, feed or sitemap answered: when it was the last one and none listed an
        article, the site's held list pages are walked instead."""
        held_by = answer.request.meta.get("held_by") if answer.request else None
        for url in self.lists.answered(site.name, held_by):
            yield self._request(site, url, "list", errback=self.quiet_failure)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        site = self._site(response)
        links = discovery.parse_feed(response.body, response.url)
        yield from self._articles(site, links, "feed", trusted=True)
        yield from self._answered(site, response)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        site = self._site(response)
        sitemap = discovery.parse_sitemap(response.body, response.url)
        cutoff = self.cutoffs.get(site.name)
        for child in sitemap.sitemaps:
            if cutoff and child.published and child.published.date() < cutoff:
                self._count(site, "sitemaps_pruned")
                continue
            yield from self._site_list(site, child.url, "sitemap")
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

    def quiet_failure(self, failure: Failure) -> Iterator[Request]:
        """A missing feed, sitemap or list page is normal for a guessed URL: log, count, go on."""
        site = self._site(failure)
        self._count(site, "discovery_failed")
        logger.info("%s: %s: %s", site.name, failure.request.url, failure.value)
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
        yield Page.from_response(
            response, site.name, fetched_at=datetime.now(UTC), site_hosts=site.hosts
        )

    def article_failed(self, failure: Failure) -> None:
        site = self._site(failure)
        if failure.check(IgnoreRequest):  # robots.txt said no, or a middleware dropped it
            self._count(site, "skipped")
            self._count(site, f"skipped/{getattr(failure.value, 'reason', 'forbidden')}")
            return
        self._count(site, "failed")
        logger.warning("%s: %s failed: %s", site.name, failure.request.url, failure.value)
