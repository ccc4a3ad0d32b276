"""A crawl node's archive pipeline: records go to a Redis stream, never into SQLite.

The stream carries three kinds of entries, each with the node's name and run key:
``run-start`` (spider, sites), ``page`` (a record of ``newscrawl.cluster.record``) and
``run-end`` (the run's ``crawl_runs`` record and verdict, computed as on one machine). The
writer (``newscrawl.cluster.writer``) turns them into the same rows ``ArchivePipeline``
writes. Back-pressure: while the stream holds ``NEWSCRAWL_CLUSTER_STREAM_MAXLEN`` entries the
writer has not saved, the node waits before adding one (its downloads wait with it).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy_redis.connection import get_redis_from_settings
from twisted.internet.task import LoopingCall

from newscrawl.cluster.record import encode_page
from newscrawl.cluster.runs import ALIVE_PREFIX
from newscrawl.cluster.settings import NODE_TTL, STREAM, STREAM_MAXLEN
from newscrawl.items import Page
from newscrawl.pipelines import NODE_SUMMARY_KEYS, run_report

logger = logging.getLogger(__name__)


class StreamPipeline:
    """Send each Page to the Redis stream ``NEWSCRAWL_CLUSTER_STREAM`` (cluster mode)."""

    def __init__(
        self,
        crawler: Crawler,
        server: Any,
        *,
        stream: str,
        maxlen: int,
        ttl: float = NODE_TTL,
        poll: float = 0.1,
    ) -> None:
        self.crawler = crawler
        self.server = server
        self.stream = stream
        self.maxlen = maxlen
        self.ttl = ttl
        self.poll = poll
        self.run_key = uuid.uuid4().hex  # the writer's handle on this node's crawl_runs row
        # Lives from run-start until run-end is in the stream: without it, and without a
        # run-end, the writer finishes the run as interrupted (newscrawl.cluster.runs).
        self.alive_key = ALIVE_PREFIX + self.run_key
        self._keeper = LoopingCall(self._keep_alive)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("REDIS_URL is empty: records go to the archive, not a stream")
        pipeline = cls(
            crawler,
            get_redis_from_settings(settings),
            stream=settings.get("NEWSCRAWL_CLUSTER_STREAM", STREAM),
            maxlen=settings.getint("NEWSCRAWL_CLUSTER_STREAM_MAXLEN", STREAM_MAXLEN),
            ttl=settings.getfloat("NEWSCRAWL_CLUSTER_NODE_TTL", NODE_TTL),
        )
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def _sites(self) -> dict[str, Any]:
        return getattr(self.crawler.spider, "sites", {}) or {}

    def _add(self, kind: str, data: bytes) -> None:
        self.server.xadd(self.stream, {"kind": kind, "run": self.run_key, "data": data})

    def open_spider(self) -> None:
        spider = self.crawler.spider
        sites = [
            {
                "name": s.name,
                "title": s.title,
                "home_url": s.home_url,
                "cms": s.cms,
                "region": s.region,
            }
            for s in self._sites().values()
        ]
        self._keep_alive()
        self._keeper.start(self.ttl / 3, now=False)
        name = spider.name if spider else "news"
        start = {"spider": name, "sites": sites, "heartbeat": self.alive_key}
        self._add("run-start", json.dumps(start, ensure_ascii=False).encode())
        logger.info("Sending records to Redis stream %s (run %s)", self.stream, self.run_key)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        stats = self.crawler.stats
        waited = False
        # XLEN counts what the writer has not saved yet: it deletes entries once committed.
        while self.server.xlen(self.stream) >= self.maxlen:
            waited = True
            await asyncio.sleep(self.poll)
        if waited:
            stats.inc_value("cluster/stream_full_waits")
        self._add("page", encode_page(item))
        stats.inc_value("cluster/records_sent")
        # On one machine the archive pipeline counts new/updated/...; here only the writer
        # knows, so the node counts what it sent and the writer completes the run's record.
        stats.inc_value(f"site/{item.site}/sent")
        # The record does not carry the workers' index text (it would more than double the
        # record in Redis): the writer makes it again.
        item.body, item.blob, item.indexed = b"", None, None
        return item

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Send the run's record: the per-site summary and verdict of this node's run."""
        stats = dict(self.crawler.stats.get_stats()) if self.crawler.stats else {}
        record, verdict = run_report(
            stats, list(self._sites()), spider=spider, reason=reason, keys=NODE_SUMMARY_KEYS
        )
        end = {"record": record, "status": verdict.status, "reason": verdict.reason}
        self._add("run-end", json.dumps(end, ensure_ascii=False, default=str).encode())
        if self._keeper.running:
            self._keeper.stop()
        self.server.delete(self.alive_key)  # only now: the run's end is in the stream

    def _keep_alive(self) -> None:
        try:
            self.server.set(self.alive_key, "1", px=int(self.ttl * 1000))
        except Exception:  # Redis away for a moment: the next round tries again
            logger.exception("Refreshing run %s's heartbeat failed", self.run_key)
