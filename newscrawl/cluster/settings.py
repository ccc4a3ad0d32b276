"""The settings cluster mode changes, applied when ``REDIS_URL`` is set (and only then).

``NewsSpider.update_settings`` calls :func:`apply_cluster_settings`, so ``-s REDIS_URL=...``
on the command line (or in a Scrapyd job) is the whole switch: scrapy-redis' scheduler and
dupefilter, the per-site lock, and the stream pipeline in place of the archive pipeline.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings

PRIORITY = "spider"

# The stream of page records; nodes wait while it holds this many unsaved records.
STREAM = "newscrawl:records"
STREAM_MAXLEN = 1000
# A node that has not refreshed its heartbeat for this long is dead: another node puts its
# in-flight requests back in the queue, its site locks expire.
NODE_TTL = 5.0
# How long a node without the archive file waits for the writer to send what the archive
# holds (newscrawl.cluster.memory) before it refuses to crawl.
MEMORY_TIMEOUT = 60.0

#: Read by the scheduler, the lock, the stream pipeline and the writer, each with the same
#: value as its fallback (a component made without cluster mode's settings, as in tests).
DEFAULTS = {
    "NEWSCRAWL_CLUSTER_STREAM": STREAM,
    "NEWSCRAWL_CLUSTER_STREAM_MAXLEN": STREAM_MAXLEN,
    "NEWSCRAWL_CLUSTER_NODE_TTL": NODE_TTL,
    "NEWSCRAWL_CLUSTER_MEMORY_TIMEOUT": MEMORY_TIMEOUT,
}


def apply_cluster_settings(settings: BaseSettings) -> bool:
    """Switch ``settings`` to cluster mode when ``REDIS_URL`` is set; whether it was."""
    if not settings.get("REDIS_URL"):
        return False
    for name, value in DEFAULTS.items():
        settings.setdefault(name, value)
    settings.set("SCHEDULER", "newscrawl.cluster.scheduler.ClusterScheduler", PRIORITY)
    settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", PRIORITY)
    # A sorted set: the scheduler's scripts pop and requeue with its scores.
    settings.set("SCHEDULER_QUEUE_CLASS", "scrapy_redis.queue.PriorityQueue", PRIORITY)
    # The queue outlives a node: other nodes keep crawling, a killed one is replaced. The
    # last node to finish clears it (ClusterScheduler.close).
    settings.set("SCHEDULER_PERSIST", True, PRIORITY)
    # A JOBDIR is one machine's resume state; in a cluster Redis holds it.
    settings.set("JOBDIR", None, PRIORITY)
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    # After robots.txt (100) and the shapes (90), before the retry and the download itself:
    # the lock is taken only by a request that will be sent.
    middlewares["newscrawl.cluster.politeness.SiteLock"] = 120
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares, PRIORITY)
    pipelines = dict(settings.getdict("ITEM_PIPELINES"))
    pipelines["newscrawl.pipelines.ArchivePipeline"] = None  # nodes never open SQLite to write
    pipelines["newscrawl.cluster.stream.StreamPipeline"] = 800
    settings.set("ITEM_PIPELINES", pipelines, PRIORITY)
    return True


def redis_unreachable(settings: BaseSettings) -> str | None:
    """Why a cluster node cannot start with ``settings`` (its Redis does not answer, or the
    ``cluster`` extra is not installed), in one line; None when it can."""
    try:
        from redis.exceptions import RedisError
        from scrapy_redis.connection import get_redis_from_settings
    except ImportError as error:
        return f"{error.name} is not installed: pip install 'newscrawl[cluster]'"
    server = get_redis_from_settings(settings)
    try:
        server.ping()
    except RedisError as error:
        return f"Redis at REDIS_URL does not answer: {error}"
    finally:
        server.close()
    return None
