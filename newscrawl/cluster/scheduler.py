"""scrapy-redis' scheduler, plus what a cluster of crawl nodes needs from it.

- **No request lost with a node.** scrapy-redis pops a request out of Redis when a node
  takes it; a node killed then would lose it. Here every popped request is also kept in the
  node's in-flight hash (``news:inflight:NODE``) until the engine is done with it (download,
  callback, the items' pipelines, the requests it made queued). Each node refreshes a
  heartbeat key; when one stops (``NEWSCRAWL_CLUSTER_NODE_TTL``), the first node to notice
  renames its hash (atomic: only one node wins) and puts its requests back in the queue.
- **Articles fetched once across nodes.** The spider marks article requests ``dont_filter``
  (on one machine its archive memory decides); in a cluster, two nodes reading two list
  pages would fetch the same article, so a first article request goes through the shared
  dupefilter anyway. Retries and redirects (which carry ``retry_times`` or
  ``redirect_urls``) pass, as Scrapy means them to.
- **A node stays while the cluster works.** It does not close while another node has
  requests in flight (they may yield more); the last node to finish clears the queue and
  the dupefilter, so the next run starts afresh.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import Any, Self

from redis.exceptions import ResponseError
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall

logger = logging.getLogger(__name__)


def node_name() -> str:
    """This node's name: host, process id and a random suffix (a restarted node is new)."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class ClusterScheduler(Scheduler):
    """scrapy-redis' Scheduler with in-flight requests kept in Redis and node heartbeats."""

    crawler: Crawler
    ttl: float
    node: str

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.ttl = crawler.settings.getfloat("NEWSCRAWL_CLUSTER_NODE_TTL", 5.0)
        scheduler.node = node_name()
        return scheduler

    # --- Redis keys ----------------------------------------------------------------------------
    def _key(self, kind: str, node: str = "") -> str:
        return f"{self.spider.name}:{kind}:{node or self.node}"

    def open(self, spider: Any) -> None:
        super().open(spider)
        self.inflight: dict[str, Request] = {}
        self._beat()
        if not self._other_nodes() and not len(self.queue):
            # Fingerprints left by a run whose last nodes closed at the same moment.
            self.df.clear()
        self._timer = LoopingCall(self._tick)
        self._timer.start(min(0.5, self.ttl / 4), now=False)
        logger.info("Cluster node %s: %d request(s) queued", self.node, len(self.queue))

    def close(self, reason: str) -> None:
        if self._timer.running:
            self._timer.stop()
        self._release_finished()
        self.server.delete(self._key("node"))
        if not self.server.hlen(self._key("inflight")):
            self.server.delete(self._key("inflight"))
        # A request queued since this node went idle means another node is still at work
        # (its heartbeat may only be late on a loaded machine): its queue is not ours to clear.
        last = not self._other_nodes() and not self._orphans() and not len(self.queue)
        if reason == "finished" and last:
            logger.info("Cluster node %s: last node to finish, clearing the queue", self.node)
            self.flush()

    # --- requests ------------------------------------------------------------------------------
    def enqueue_request(self, request: Request) -> bool:
        meta = request.meta
        first_article = (
            meta.get("kind") == "article"
            and "retry_times" not in meta
            and "redirect_urls" not in meta
        )
        filtered = not request.dont_filter or first_article
        if filtered and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        # scrapy-redis' own enqueue and dequeue, without the ``spider`` argument to stats that
        # Scrapy 2.19 deprecates.
        self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        request = self.queue.pop(self.idle_before_close)
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
            key = uuid.uuid4().hex
            self.server.hset(self._key("inflight"), key, self.queue._encode_request(request))
            self.inflight[key] = request
        return request

    def has_pending_requests(self) -> bool:
        if len(self.queue):
            return True
        # Another node's requests may yield more; a dead node's come back to the queue.
        return self._orphans()

    # --- the node's timer ----------------------------------------------------------------------
    def _tick(self) -> None:
        try:
            self._beat()
            self._release_finished()
            self._requeue_dead()
            self._wake_engine()
        except Exception:  # Redis away for a moment: the next tick tries again
            logger.exception("Cluster node %s: heartbeat failed", self.node)

    def _beat(self) -> None:
        self.server.set(self._key("node"), "1", px=int(self.ttl * 1000))

    def _release_finished(self) -> None:
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None) if engine else None
        # The engine's own set of requests not yet handled to the end (Scrapy's private
        # state; there is no signal for "callback output and its items done").
        in_progress: set[Any] = getattr(slot, "inprogress", set())
        done = [k for k, r in self.inflight.items() if r not in in_progress]
        if done:
            self.server.hdel(self._key("inflight"), *done)
            for key in done:
                del self.inflight[key]

    def _wake_engine(self) -> None:
        # The engine asks an empty scheduler again (and whether the spider is idle) only
        # every 5 s; requests queued by other nodes, or their end, should not wait that long.
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()

    def _nodes_of(self, kind: str) -> set[str]:
        prefix = self._key(kind, "-")[:-1]
        return {
            k.decode()[len(prefix) :] for k in self.server.scan_iter(match=f"{prefix}*", count=100)
        }

    def _other_nodes(self) -> set[str]:
        return self._nodes_of("node") - {self.node}

    def _orphans(self) -> bool:
        """Whether any other node (alive or dead) has requests in flight."""
        others = self._nodes_of("inflight") - {self.node}
        return any(self.server.hlen(self._key("inflight", n)) for n in others)

    def _requeue_dead(self) -> None:
        alive = self._nodes_of("node")
        for node in self._nodes_of("inflight") - alive - {self.node}:
            claimed = self._key("reaping", f"{node}-by-{self.node}")
            try:
                self.server.rename(self._key("inflight", node), claimed)
            except ResponseError:  # another node claimed it first
                continue
            encoded = self.server.hvals(claimed)
            for data in encoded:
                self.queue.push(self.queue._decode_request(data))
            self.server.delete(claimed)
            self.crawler.stats.inc_value("cluster/requeued", len(encoded))
            logger.warning(
                "Cluster node %s: node %s is gone; %d request(s) back in the queue",
                self.node,
                node,
                len(encoded),
            )
