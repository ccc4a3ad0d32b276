"""Politeness across the cluster: one request in flight per site, and the delay after it.

Why a lock per site in Redis, not a queue per site: scrapy-redis gives the cluster one
request queue, and what each node pops is spread over all sites; a lock (``SET key token NX
PX``) taken just before a request goes to the download slot, and turned into a cool-down of
``DOWNLOAD_DELAY`` when it leaves the downloader, keeps Scrapy's own per-slot rules on every
node and adds the cluster-wide one, with no second queue to keep in step. A request that
finds its site locked waits for it without blocking the reactor (a poll with
``asyncio.sleep``); other sites' requests go on.

A lock is a lease of ``NEWSCRAWL_CLUSTER_NODE_TTL`` seconds that its node renews while the
request waits in the local download slot and downloads (however long that takes): a node
killed while holding one delays its site by that much, no more. (Should a dead node's
request still be answered after that, the site would see two requests at once for a
moment: the kernel closes a killed process's connections, so a server rarely does.)

The lock is keyed by the URL's host and port, the site a polite crawler must not hit twice
at once (robots.txt included).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy_redis.connection import get_redis_from_settings
from twisted.internet.task import LoopingCall

from newscrawl.cluster.settings import NODE_TTL

logger = logging.getLogger(__name__)

# Turn our own lock into a cool-down (or delete it); never touch another node's lock.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if tonumber(ARGV[2]) > 0 then
    return redis.call('SET', KEYS[1], 'cooldown', 'PX', ARGV[2])
  end
  return redis.call('DEL', KEYS[1])
end
return 0
"""
META = "cluster_site_lock"


class SiteLock:
    """Downloader middleware: a Redis lock per site around each download (cluster mode)."""

    def __init__(
        self, crawler: Crawler, server: Any, *, delay: float, hold: float, poll: float = 0.05
    ) -> None:
        self.crawler = crawler
        self.server = server
        self.delay = delay
        self.hold = hold
        self.poll = poll
        self._release_script = server.register_script(_RELEASE)
        self._renew_script = server.register_script(_RENEW)
        self.held: dict[str, str] = {}  # lock key -> token, of this node's requests
        # Set when this node frees a site: its own requests waiting for it try at once
        # instead of at their next poll (other nodes' requests poll).
        self._freed: dict[str, asyncio.Event] = {}
        self._renewer = LoopingCall(self.renew)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("REDIS_URL is empty: no cluster, no cluster-wide site lock")
        lock = cls(
            crawler,
            get_redis_from_settings(settings),
            delay=settings.getfloat("DOWNLOAD_DELAY"),
            hold=settings.getfloat("NEWSCRAWL_CLUSTER_NODE_TTL", NODE_TTL),
        )
        crawler.signals.connect(lock.request_left, signal=signals.request_left_downloader)
        crawler.signals.connect(lock.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(lock.spider_closed, signal=signals.spider_closed)
        return lock

    def spider_opened(self, spider: Any = None) -> None:
        self._renewer.start(self.hold / 3, now=False)

    def spider_closed(self, spider: Any = None) -> None:
        if self._renewer.running:
            self._renewer.stop()

    def renew(self) -> None:
        """Extend this node's leases: a lock is lost only with its node."""
        try:
            for key, token in list(self.held.items()):
                self._renew_script(keys=[key], args=[token, int(self.hold * 1000)])
        except Exception:  # Redis away for a moment: the next round tries again
            logger.exception("Renewing the site locks failed")

    def key(self, request: Request) -> str:
        parts = urlsplit(request.url)
        return f"newscrawl:site-lock:{parts.hostname}:{parts.port or parts.scheme}"

    async def process_request(self, request: Request, spider: Any = None) -> None:
        key, token = self.key(request), uuid.uuid4().hex
        waited = False
        while not self.server.set(key, token, nx=True, px=int(self.hold * 1000)):
            waited = True
            freed = self._freed.setdefault(key, asyncio.Event())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(freed.wait(), self.poll)
        if waited:
            self.crawler.stats.inc_value("cluster/site_lock_waits")
        request.meta[META] = (key, token)
        self.held[key] = token

    def request_left(self, request: Request, spider: Any = None) -> None:
        """The request's download ended (response or error): the site cools down, then is
        free for any node."""
        held = request.meta.pop(META, None)
        if held is None:
            return
        key, token = held
        self.held.pop(key, None)
        self._release_script(keys=[key], args=[token, int(self.delay * 1000)])
        if (freed := self._freed.pop(key, None)) is not None:
            if self.delay:  # the cool-down first
                asyncio.get_event_loop().call_later(self.delay, freed.set)
            else:
                freed.set()
