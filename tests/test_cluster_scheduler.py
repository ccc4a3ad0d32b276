"""The cluster scheduler's bookkeeping against a real redis-server: a request is always in the
queue or in one node's in-flight hash, a dead node's come back, a leaving node requeues
nothing; and the two pieces of Scrapy's private state it reads are still there."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import redis
from scrapy import Request, Spider
from scrapy.core.engine import ExecutionEngine, _Slot
from scrapy.utils.reactor import CallLaterOnce
from scrapy.utils.test import get_crawler

from newscrawl.cluster.lists import SharedLists, lists_prefix
from newscrawl.cluster.scheduler import (
    ClusterScheduler,
    engine_requests_in_progress,
    wake_engine,
)
from tests.redis_server import REDIS_SERVER, redis_server


class News(Spider):
    name = "news"


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    with redis_server(tmp_path) as url:
        yield url


class Node:
    """A ClusterScheduler opened on a crawler whose engine is a stand-in: its slot's
    ``inprogress`` is the set the test fills, as the engine would."""

    def __init__(self, url: str) -> None:
        settings = {
            "REDIS_URL": url,
            "SCHEDULER_PERSIST": True,
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
            "NEWSCRAWL_CLUSTER_NODE_TTL": 5.0,
        }
        self.crawler = get_crawler(News, settings)
        self.in_progress: set[Request] = set()
        self.woken = 0
        nextcall = SimpleNamespace(schedule=self._wake)
        slot = SimpleNamespace(inprogress=self.in_progress, nextcall=nextcall)
        self.crawler.engine = SimpleNamespace(_slot=slot)  # type: ignore[assignment]
        self.spider = News.from_crawler(self.crawler)
        self.crawler.spider = self.spider
        self.scheduler = ClusterScheduler.from_crawler(self.crawler)
        self.scheduler.open(self.spider)
        self.server: Any = self.scheduler.server

    def _wake(self) -> None:
        self.woken += 1

    def take(self) -> Request | None:
        """What the engine does with a request it gets: start handling it."""
        request = self.scheduler.next_request()
        if request is not None:
            self.in_progress.add(request)
        return request

    def die(self) -> None:
        """SIGKILL: the timer stops, the heartbeat lapses; the in-flight hash stays."""
        self.scheduler._timer.stop()
        self.server.delete(self.scheduler._key("node"))

    def inflight(self) -> int:
        return self.server.hlen(self.scheduler._key("inflight"))


def article(n: int, priority: int = 0) -> Request:
    return Request(f"http://news.example/{n}", priority=priority, meta={"kind": "article"})


def test_a_request_taken_is_in_flight_until_the_engine_is_done(redis_url: str) -> None:
    node = Node(redis_url)
    node.scheduler.enqueue_request(article(1))
    request = node.take()
    assert request is not None and request.url == "http://news.example/1"
    assert len(node.scheduler.queue) == 0 and node.inflight() == 1  # moved in one step
    node.scheduler._tick()
    assert node.inflight() == 1  # still handled by the engine
    node.in_progress.discard(request)
    node.scheduler._tick()
    assert node.inflight() == 0
    assert node.woken >= 2  # each tick asks the engine for requests


def test_a_first_article_request_is_seen_and_queued_together(redis_url: str) -> None:
    node = Node(redis_url)
    first = article(1).replace(dont_filter=True)  # as the spider makes them
    assert node.scheduler.enqueue_request(first) is True
    assert node.server.scard(node.scheduler.df.key) == 1 and len(node.scheduler.queue) == 1
    assert node.scheduler.enqueue_request(article(1).replace(dont_filter=True)) is False
    retry = article(1).replace(dont_filter=True, meta={"kind": "article", "retry_times": 1})
    assert node.scheduler.enqueue_request(retry) is True  # a retry passes, as Scrapy means
    assert len(node.scheduler.queue) == 2


def test_a_dead_nodes_requests_come_back_in_priority_order(redis_url: str) -> None:
    dead, other = Node(redis_url), Node(redis_url)
    dead.scheduler.enqueue_request(article(1, priority=0))
    dead.scheduler.enqueue_request(article(2, priority=5))
    assert [dead.take().url for _ in range(2)] == [  # type: ignore[union-attr]
        "http://news.example/2",
        "http://news.example/1",
    ]
    dead.die()
    other.scheduler._tick()
    assert dead.inflight() == 0
    assert other.crawler.stats.get_value("cluster/requeued") == 2
    assert other.take().url == "http://news.example/2"  # type: ignore[union-attr]
    assert other.take().url == "http://news.example/1"  # type: ignore[union-attr]


def test_a_node_alive_again_keeps_its_requests(redis_url: str) -> None:
    slow, other = Node(redis_url), Node(redis_url)
    slow.scheduler.enqueue_request(article(1))
    slow.take()
    slow.die()
    slow.scheduler._beat()  # back before the script ran: a late heartbeat, not a death
    other.scheduler._nodes_of = lambda kind: (  # type: ignore[method-assign]
        {other.scheduler.node} if kind == "node" else {slow.scheduler.node}
    )
    other.scheduler._requeue_dead()  # it saw no heartbeat; the script checks again
    assert slow.inflight() == 1 and len(other.scheduler.queue) == 0


def test_a_leaving_node_requeues_nothing(redis_url: str) -> None:
    leaving, dead = Node(redis_url), Node(redis_url)
    assert leaving.scheduler.has_pending_requests() is False  # the engine will close it
    dead.scheduler.enqueue_request(article(1))
    dead.take()
    dead.die()
    leaving.scheduler._tick()
    assert dead.inflight() == 1  # left for a node that stays: it saw them pending
    stays = Node(redis_url)
    assert stays.scheduler.has_pending_requests() is True
    stays.scheduler._tick()
    assert dead.inflight() == 0 and len(stays.scheduler.queue) == 1


def test_scrapy_still_tracks_requests_where_the_cluster_reads_them() -> None:
    """Fails when Scrapy changes the private state ``engine_requests_in_progress`` and
    ``wake_engine`` read (scrapy/core/engine.py): then they need another way."""
    crawler = get_crawler(News)
    engine = ExecutionEngine(crawler, lambda _: None)
    assert engine_requests_in_progress(engine) == set()  # no spider open yet
    woken = []
    slot = _Slot(True, CallLaterOnce(lambda: None), scheduler=None)  # type: ignore[arg-type]
    slot.nextcall.schedule = lambda delay=0: woken.append(delay)  # type: ignore[method-assign]
    engine._slot = slot
    request = Request("http://news.example/1")
    slot.add_request(request)
    assert request in engine_requests_in_progress(engine)
    slot.remove_request(request)
    assert request not in engine_requests_in_progress(engine)
    wake_engine(engine)
    assert woken == [0]
    # The engine adds a request when its download starts and removes it after the output of
    # its callback (items through the pipelines, requests scheduled) is handled.
    assert "self._slot.add_request(request)" in inspect.getsource(ExecutionEngine._download)
    handled = inspect.getsource(ExecutionEngine._start_scheduled_request)
    assert handled.index("_handle_downloader_output") < handled.index("_remove_request")


def test_a_retry_held_back_stays_in_flight_until_queued_again(redis_url: str) -> None:
    node, other = Node(redis_url), Node(redis_url)
    retry = article(1, priority=-1).replace(meta={"kind": "article", "retry_times": 1})
    token = node.scheduler.hold(retry)  # waiting for its backoff, in no queue of Scrapy's
    assert node.inflight() == 1
    node.scheduler._tick()
    assert node.inflight() == 1  # not the engine's: only its release ends the hold
    node.scheduler.enqueue_request(retry)
    node.scheduler.release_hold(token)
    assert node.inflight() == 0 and len(node.scheduler.queue) == 1
    node.take()
    node.scheduler.hold(retry)
    node.die()  # killed during the backoff: the retry comes back at its priority
    other.scheduler._tick()
    assert node.inflight() == 0 and other.take().url == "http://news.example/1"  # type: ignore[union-attr]


# --- a generic site's held list pages, shared -----------------------------------------------------
def test_the_held_lists_of_one_node_are_walked_by_the_node_of_the_last_answer(
    redis_url: str,
) -> None:
    a, b = (SharedLists(redis.Redis.from_url(redis_url), prefix="news:lists") for _ in "ab")
    a.hold("site", ["http://s.example/list/1", "http://s.example/list/2"])
    assert a.asked("site", "http://s.example/robots.txt") is True
    assert b.asked("site", "http://s.example/robots.txt") is False  # asked by another node
    assert b.asked("site", "http://s.example/feed") is True
    assert b.answered("site", "http://s.example/robots.txt") == []  # the feed is awaited
    assert a.answered("site", "http://s.example/feed") == [
        "http://s.example/list/1",
        "http://s.example/list/2",
    ]
    assert b.answered("site", None) == []  # walked once


def test_held_lists_are_not_walked_when_a_feed_listed_pages(redis_url: str) -> None:
    a, b = (SharedLists(redis.Redis.from_url(redis_url), prefix="news:lists") for _ in "ab")
    a.hold("site", ["http://s.example/list/1"])
    a.asked("site", "http://s.example/feed")
    b.listed("site")
    assert b.answered("site", "http://s.example/feed") == []


def test_the_last_node_clears_the_shared_lists_with_the_queue(redis_url: str) -> None:
    node = Node(redis_url)
    lists = SharedLists(node.server, prefix=lists_prefix("news"))
    lists.hold("site", ["http://s.example/list/1"])
    node.scheduler.close("finished")
    assert not node.server.keys("news:lists:*")
