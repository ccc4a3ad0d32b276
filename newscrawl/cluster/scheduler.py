"""scrapy-redis' scheduler, plus what a cluster of crawl nodes needs from it.

- **No request lost with a node.** scrapy-redis pops a request out of Redis when a node
  takes it; a node killed then would lose it. Here a request moves from the queue to the
  node's in-flight hash (``news:inflight:NODE``) in one Lua script, and stays there until
  the engine is done with it (download, callback, the items' pipelines, the requests it
  made queued). Each node refreshes a heartbeat key; when one stops
  (``NEWSCRAWL_CLUSTER_NODE_TTL``), the first node to notice moves its hash back into the
  queue, again in one script that first checks the heartbeat is still gone.
- **Every step atomic.** A node can be killed between any two Redis commands, so no request
  is ever in none of the queue and an in-flight hash: popping and recording it are one
  script; marking a request seen in the dupefilter and queueing it are one script (else a
  killed node could leave it seen and not queued, and the node re-reading its parent page
  would drop it as a duplicate); requeueing a dead node's hash is one script.
- **A node that is leaving requeues nothing.** Once the engine heard "nothing pending" it
  closes; a dead node's requests it requeued then would stay in the queue with no node
  left to fetch them.
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

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall

from newscrawl.cluster.lists import SharedLists, lists_prefix
from newscrawl.cluster.settings import NODE_TTL

logger = logging.getLogger(__name__)

# The dupefilter's SADD and the queue's ZADD in one step (scrapy-redis' PriorityQueue: the
# score is minus the priority). KEYS: dupefilter, queue; ARGV: fingerprint, score, request.
_ENQUEUE = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""
# The queue's first request into the node's in-flight hash, under "SCORE ID" (the score, to
# put it back where it was). KEYS: queue, in-flight hash; ARGV: id.
_POP = """
local top = redis.call('ZPOPMIN', KEYS[1])
if #top == 0 then
  return false
end
local field = top[2] .. ' ' .. ARGV[1]
redis.call('HSET', KEYS[2], field, top[1])
return {field, top[1]}
"""
# A dead node's in-flight requests back into the queue, if its heartbeat is still gone.
# KEYS: heartbeat, in-flight hash, queue. Returns how many, or -1 for a node alive again.
_REQUEUE = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return -1
end
local entries = redis.call('HGETALL', KEYS[2])
for i = 1, #entries, 2 do
  local score = string.match(entries[i], '^(%S+) ')
  redis.call('ZADD', KEYS[3], score, entries[i + 1])
end
redis.call('DEL', KEYS[2])
return #entries / 2
"""


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
        scheduler.ttl = crawler.settings.getfloat("NEWSCRAWL_CLUSTER_NODE_TTL", NODE_TTL)
        scheduler.node = node_name()
        return scheduler

    # --- Redis keys ----------------------------------------------------------------------------
    def _key(self, kind: str, node: str = "") -> str:
        return f"{self.spider.name}:{kind}:{node or self.node}"

    def open(self, spider: Any) -> None:
        super().open(spider)
        if not isinstance(self.queue, PriorityQueue):
            raise ValueError(
                f"SCHEDULER_QUEUE_CLASS={self.queue_cls}: the cluster's scripts need "
                "scrapy_redis.queue.PriorityQueue"
            )
        engine_requests_in_progress(self.crawler.engine)  # fails now, not silently later
        self._enqueue = self.server.register_script(_ENQUEUE)
        self._pop = self.server.register_script(_POP)
        self._requeue = self.server.register_script(_REQUEUE)
        self.inflight: dict[str, Request] = {}
        self.leaving = False
        self._beat()
        if not self._other_nodes() and not len(self.queue):
            # Fingerprints left by a run whose last nodes closed at the same moment.
            self.df.clear()
            SharedLists(self.server, prefix=lists_prefix(spider.name)).clear()
        self._timer = LoopingCall(self._tick)
        self._timer.start(min(0.5, self.ttl / 4), now=False)
        logger.info("Cluster node %s: %d request(s) queued", self.node, len(self.queue))

    def flush(self) -> None:
        super().flush()
        SharedLists(self.server, prefix=lists_prefix(self.spider.name)).clear()

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
        data = self.queue._encode_request(request)
        if filtered:
            fingerprint = self.df.request_fingerprint(request)
            keys = [self.df.key, self.queue.key]
            if not self._enqueue(keys=keys, args=[fingerprint, -request.priority, data]):
                self.df.log(request, self.spider)
                return False
        else:
            self.server.zadd(self.queue.key, {data: -request.priority})
        # scrapy-redis' own stats, without the ``spider`` argument Scrapy 2.19 deprecates.
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        popped = self._pop(keys=[self.queue.key, self._key("inflight")], args=[uuid.uuid4().hex])
        if not popped:
            return None
        field, data = popped
        request = self.queue._decode_request(data)
        self.stats.inc_value("scheduler/dequeued/redis")
        self.inflight[field.decode()] = request
        return request

    def hold(self, request: Request) -> str:
        """Keep ``request`` in this node's in-flight hash while the node holds it back (a
        retry waiting for its backoff, newscrawl.middlewares): a node killed meanwhile would
        lose it. Returns the token for :meth:`release_hold`, once it is queued again."""
        field = f"{-request.priority} {uuid.uuid4().hex}"
        self.server.hset(self._key("inflight"), field, self.queue._encode_request(request))
        return field

    def release_hold(self, token: str) -> None:
        self.server.hdel(self._key("inflight"), token)

    def has_pending_requests(self) -> bool:
        # Another node's requests may yield more; a dead node's come back to the queue.
        pending = bool(len(self.queue)) or self._orphans()
        # The engine closes the spider when told "nothing": from then on this node must
        # not requeue a dead node's requests, it would leave them with no node to fetch them.
        self.leaving = not pending
        return pending

    # --- the node's timer ----------------------------------------------------------------------
    def _tick(self) -> None:
        try:
            self._beat()
            self._release_finished()
            if not self.leaving:
                self._requeue_dead()
            wake_engine(self.crawler.engine)
        except Exception:  # Redis away for a moment: the next tick tries again
            logger.exception("Cluster node %s: heartbeat failed", self.node)

    def _beat(self) -> None:
        self.server.set(self._key("node"), "1", px=int(self.ttl * 1000))

    def _release_finished(self) -> None:
        in_progress = engine_requests_in_progress(self.crawler.engine)
        done = [k for k, r in self.inflight.items() if r not in in_progress]
        if done:
            self.server.hdel(self._key("inflight"), *done)
            for key in done:
                del self.inflight[key]

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
            keys = [self._key("node", node), self._key("inflight", node), self.queue.key]
            requeued = self._requeue(keys=keys)
            if requeued <= 0:  # alive again, or another node was first
                continue
            self.crawler.stats.inc_value("cluster/requeued", requeued)
            logger.warning(
                "Cluster node %s: node %s is gone; %d request(s) back in the queue",
                self.node,
                node,
                requeued,
            )


# --- Scrapy's private state, in one place ---------------------------------------------------
# Scrapy has no public API or signal for either (2.19): a request is done for the engine when
# its download, callback, the callback's items (through every pipeline) and requests are
# all handled, which only the engine's slot tracks; and the engine asks the scheduler again
# only when a download ends or every 5 s. tests/test_cluster.py fails if Scrapy changes them.


def engine_requests_in_progress(engine: Any) -> set[Request]:
    """The requests the engine has not handled to the end: the engine slot's ``inprogress``.

    Raises AttributeError when Scrapy no longer has it: a node that believed every request
    done would release them all, and lose those of a node killed later."""
    slot = engine._slot
    if slot is None:  # the spider is closed: nothing is in progress
        return set()
    in_progress: set[Request] = slot.inprogress
    return in_progress


def wake_engine(engine: Any) -> None:
    """Have the engine ask the scheduler for requests now: another node queued some, or
    finished, and waiting up to 5 s for the engine's own heartbeat would slow the crawl."""
    slot = engine._slot
    if slot is not None:
        slot.nextcall.schedule()
