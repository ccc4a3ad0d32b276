"""The crawl's rules and state, beside the spider that applies them.

Kept out of ``newscrawl/spiders/``, which Scrapy imports whole (SPIDER_MODULES) on every
command: ``policy`` (which URLs a run fetches), ``memory`` (what the archive already holds),
``lists`` (generic list pages held back), ``failures`` and ``backfill`` (NewsSpider's mixins:
failure accounting and id-range backfills).
"""
