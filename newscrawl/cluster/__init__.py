"""Cluster mode: several crawl nodes on scrapy-redis, one archive writer.

Switched on by the ``REDIS_URL`` setting (``newscrawl.cluster.settings``). Nodes share one
request queue and dupefilter in Redis (``scheduler``), take a per-site lock before each
request (``politeness``), and push what they fetched to a Redis stream (``stream``) instead
of opening SQLite; ``scrapy archive-writer`` (``writer``) saves the stream into the archive.
"""
