"""Thin pipelines: ExtractPipeline (Page -> Article) and ArchivePipeline (-> the archive).

Both are built by ``from_crawler`` and count every outcome in stats. The archive pipeline saves
each page atomically (``archive.save`` in a savepoint) and commits them in groups
(``ARCHIVE_COMMIT_EVERY`` saves or ``ARCHIVE_COMMIT_SECONDS``, whichever comes first), so a killed
run loses the pages of about its last second (and those still waiting for extraction), which
the next run fetches again; it keeps every fetched page as a capture, even when extraction
found no article.
At the end of a run it logs one summary line per site and records the run in ``crawl_runs``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

import archive
from archive import coverage
from newscrawl.items import Page
from newscrawl.outcomes import Verdict, failure_counts, judge
from newscrawl.preparation import Prepared, failed_page, prepare_page
from newscrawl.workers import WorkerPool

logger = logging.getLogger(__name__)

SUMMARY_KEYS = ("discovered", "fetched", "new", "updated", "unchanged", "failed", "skipped")
#: A cluster node's: it sends pages to the archive writer, which alone knows what the archive
#: made of them (new, updated, unchanged, failed) and adds that to the run's crawl_runs row.
NODE_SUMMARY_KEYS = ("discovered", "fetched", "sent", "skipped")
#: How a summary line names a count, where not by its key.
_LABELS = {"sent": "sent to the archive writer"}


def site_summary(
    stats: Mapping[str, Any], sites: list[str], *, keys: tuple[str, ...] = SUMMARY_KEYS
) -> dict[str, dict[str, int]]:
    """Per site, the counts of ``keys`` from ``site/NAME/KEY`` stats (0 when absent)."""
    return {s: {k: int(stats.get(f"site/{s}/{k}", 0)) for k in keys} for s in sites}


def run_report(
    stats: Mapping[str, Any],
    sites: list[str],
    *,
    spider: Spider | None,
    reason: str,
    keys: tuple[str, ...] = SUMMARY_KEYS,
) -> tuple[dict[str, Any], Verdict]:
    """The end of a run: log one summary line per site and return the ``crawl_runs`` record
    with the run's verdict. Shared by the archive pipeline and a cluster node's stream."""
    summary = site_summary(stats, sites, keys=keys)
    for name, counts in summary.items():
        line = ", ".join(f"{_LABELS.get(k, k)} {v}" for k, v in counts.items())
        logger.info("Site %s: %s", name, line)
    totals = {k: sum(c[k] for c in summary.values()) for k in keys}
    # A run that stopped early (crash, Ctrl-C, its article budget) leaves list pages unread:
    # the next run reads lists past their known pages (archive.incomplete_sites).
    policy = getattr(spider, "policy", None)
    complete = reason == "finished" and not getattr(policy, "budget_spent", False)
    verdict = judge(stats, list(summary), finish_reason=reason)
    per_site: dict[str, dict[str, Any]] = {
        name: {
            **counts,
            "status": verdict.sites[name].status,
            "reason": verdict.sites[name].reason,
            "failures": failure_counts(stats, name),
        }
        for name, counts in summary.items()
    }
    record = {"finish_reason": reason, "complete": complete, **totals, "sites": per_site}
    return record, verdict


def extract_workers(value: object, cpu_count: int | None) -> int:
    """Worker processes for extraction: ``auto`` is one per CPU, at most 4, and none (inline)
    on a single CPU, where a worker would only add the trip to it."""
    if value in (None, "", "auto"):
        cpus = cpu_count or 1
        return min(4, cpus) if cpus > 1 else 0
    workers = int(str(value))
    if workers < 0:
        raise ValueError(f"NEWSCRAWL_EXTRACT_WORKERS={value!r}: expected auto or a number >= 0")
    return workers


class ExtractPipeline:
    """Run ``newscrawl.extract`` on every Page and attach the Article; never drops a page.

    Extraction is pure CPU, so with ``NEWSCRAWL_EXTRACT_WORKERS`` > 0 it runs in a pool of
    worker processes while the crawler keeps downloading; with 0 it runs inline. The workers
    run ``NEWSCRAWL_EXTRACT_NICE`` steps below the crawler's priority: with as many workers
    as CPUs, the crawler process (downloads, the archive) gets a CPU whenever it wants one,
    and the workers take the rest.
    """

    def __init__(self, crawler: Crawler, *, workers: int = 0, nice: int = 0) -> None:
        self.crawler = crawler
        self.workers = workers
        self.nice = nice
        self.pool: WorkerPool[Page, Prepared] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        value = crawler.settings.get("NEWSCRAWL_EXTRACT_WORKERS", "auto")
        return cls(
            crawler,
            workers=extract_workers(value, os.cpu_count()),
            nice=crawler.settings.getint("NEWSCRAWL_EXTRACT_NICE", 10),
        )

    def open_spider(self) -> None:
        if self.workers:
            self.pool = WorkerPool(
                prepare_page, self.workers, preload=("newscrawl.preparation",), nice=self.nice
            )
            self.pool.warm_up()  # its imports overlap the crawl's first requests
            logger.info("Extracting in %d worker process(es), nice %d", self.workers, self.nice)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        stats = self.crawler.stats
        assert stats is not None
        try:
            if self.pool is not None:
                prepared = await self.pool.run(item)
            else:
                prepared = prepare_page(item)
        except BrokenProcessPool as error:
            # WorkerPool ran the page alone to be sure: this page kills the worker (a crash in
            # a C library, memory). Its capture is archived with the failure, like any other.
            logger.warning("%s: extraction killed its worker process", item.url)
            prepared = failed_page(item, f"extraction killed its worker process: {error}")
            stats.inc_value("extract/crashed")
        except Exception as error:  # a bug in extraction; recorded with the page, not lost
            logger.exception("%s: extraction raised", item.url)
            prepared = failed_page(item, f"extraction raised {type(error).__name__}: {error}")
            stats.inc_value("extract/raised")
        item.article, item.blob, item.indexed = prepared.article, prepared.blob, prepared.indexed
        stats.inc_value(f"extract/{item.article.status}")
        return item


class ArchivePipeline:
    """Save each Page (capture + article + revision) into the SQLite archive at ARCHIVE_DB_PATH."""

    def __init__(
        self, crawler: Crawler, path: str, *, every: int = 100, seconds: float = 1.0
    ) -> None:
        self.crawler = crawler
        self.path = path
        self.every = every
        self.seconds = seconds
        self.db: Any = None
        self.group: archive.GroupCommit | None = None
        self._flusher: LoopingCall | None = None
        self.run_id: int | None = None
        self.sites_saved: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = crawler.settings.get("ARCHIVE_DB_PATH")
        if not path:
            raise NotConfigured("ARCHIVE_DB_PATH is empty: there is no archive to save into")
        pipeline = cls(
            crawler,
            str(path),
            every=crawler.settings.getint("ARCHIVE_COMMIT_EVERY", 100),
            seconds=crawler.settings.getfloat("ARCHIVE_COMMIT_SECONDS", 1.0),
        )
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def _sites(self) -> dict[str, Any]:
        return getattr(self.crawler.spider, "sites", {}) or {}

    def open_spider(self) -> None:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.db = archive.open_db(self.path)
        spider = self.crawler.spider
        self.run_id = archive.start_run(
            self.db, spider.name if spider else "news", list(self._sites())
        )
        # The spider asks the archive about earlier runs; this one is not earlier.
        self.crawler.stats.set_value("archive/run_id", self.run_id)
        self.group = archive.GroupCommit(self.db, every=self.every, seconds=self.seconds)
        # A slow, polite crawl may save one page a minute: commit what waits anyway. Checked
        # four times per period: checked once, a group could wait almost two periods, and
        # a killed run lose that much.
        self._flusher = LoopingCall(self._flush_if_due)
        self._flusher.start(self.seconds / 4, now=False)
        logger.info("Archiving into %s (run %s)", self.path, self.run_id)

    def _flush_if_due(self) -> None:
        if self.group is None or not self.group.due():
            return
        try:
            self.group.commit()
        except Exception:
            # The group was rolled back whole (archive.GroupCommit); an exception here would
            # stop the timer for the rest of the run. Its pages are not archived, so the
            # next run fetches them again.
            logger.exception("Archive commit failed; the last group of saves was rolled back")
            self.crawler.stats.inc_value("archive/commit_failed")

    def _upsert_site(self, name: str) -> None:
        """Record a site once per run, after its home page told the CMS family."""
        site = self._sites().get(name)
        if site is not None:
            archive.upsert_site(
                self.db,
                name=site.name,
                title=site.title,
                home_url=site.home_url,
                cms=site.cms,
                region=site.region,
            )
        self.sites_saved.add(name)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        if item.site not in self.sites_saved:
            self._upsert_site(item.site)
        assert self.group is not None
        result = self.group.save(item.capture(), item.article_row(), prepared=item.indexed)
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"archive/{result}")
        stats.inc_value(f"site/{item.site}/{result}")
        # The bytes are archived; do not keep them alive in later signals.
        item.body, item.blob, item.indexed = b"", None, None
        return item

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Log the per-site summary, record the run in ``crawl_runs`` and close the database."""
        if self.db is None:
            return
        if self._flusher is not None and self._flusher.running:
            self._flusher.stop()
        if self.group is not None:
            self.group.commit()
        # What the sites said of themselves (a backfill's list totals and newest ids).
        for (site, name), (value, source) in getattr(spider, "claims", {}).items():
            coverage.claim(self.db, site=site, name=name, value=value, source=source)
        stats = dict(self.crawler.stats.get_stats()) if self.crawler.stats else {}
        record, verdict = run_report(stats, list(self._sites()), spider=spider, reason=reason)
        if self.run_id is not None:
            archive.finish_run(
                self.db, self.run_id, record, status=verdict.status, reason=verdict.reason
            )
        self.db.close()
        self.db = None
