"""A JOBDIR that resumes to completeness after a crash and goes away when its job is done.

Scrapy keeps a job's request queue (``requests.queue/``), the fingerprints of the requests
it has seen (``requests.seen``) and ``spider.state`` in JOBDIR, and leaves them consistent
only when the crawl closes: a clean pause (Ctrl-C once) resumes where it stopped. After
SIGKILL, the OOM killer or a power loss they are stale: the fingerprints of the home page,
lists, feeds and sitemaps say "seen", so the same command sends no request at all, while
the queue holds what it held at the last clean close, or nothing.

So :class:`JobDir` marks a JOBDIR while a crawl runs on it. A run that finds the mark of one
that never closed drops the stale queue, fingerprints and state before the scheduler opens
them and starts afresh: discovery is read again and the archive (the spider's FetchPolicy)
decides which articles are left; the crashed run is incomplete in ``crawl_runs``, so its
lists are read to the end. A job that finished (finish reason ``finished``) has its
directory removed, so that the same command later starts a new job instead of resuming one
that is done.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)

#: In JOBDIR while a crawl runs on it; left behind by a crawl that did not close.
RUNNING_MARK = "newscrawl.running"
#: What Scrapy keeps in a JOBDIR, consistent only after a crawl closed.
SCRAPY_STATE = ("requests.queue", "requests.seen", "spider.state")


class JobDir:
    """Drop a JOBDIR's stale state after a crash; remove the JOBDIR of a finished job."""

    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path
        self.reason: str | None = None
        self.dropped_stale = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            # Without a message: Scrapy logs a message at WARNING, and every hourly cron
            # run (no JOBDIR) would end its WARNING-level log with it.
            raise NotConfigured
        extension = cls(crawler, Path(jobdir))
        # Here and not at spider_opened: the scheduler opens the queue before that signal.
        extension.drop_stale()
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    @property
    def mark(self) -> Path:
        return self.path / RUNNING_MARK

    def drop_stale(self) -> None:
        """Remove Scrapy's state from a JOBDIR whose last crawl never closed."""
        if not self.mark.exists():
            return
        logger.warning(
            "JOBDIR %s: its last crawl did not close (killed?); starting the job afresh, "
            "the archive says which articles are left",
            self.path,
        )
        for name in SCRAPY_STATE:
            stale = self.path / name
            if stale.is_dir():
                shutil.rmtree(stale)
            else:
                stale.unlink(missing_ok=True)
        self.mark.unlink()
        self.dropped_stale = True

    def spider_opened(self, spider: Spider) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        self.mark.write_text(f"{os.getpid()}\n", encoding="ascii")
        if self.dropped_stale and self.crawler.stats is not None:
            self.crawler.stats.set_value("jobdir/dropped_stale", 1)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.reason = reason

    def engine_stopped(self) -> None:
        """After the scheduler closed its queue and SpiderState wrote ``spider.state``."""
        if self.reason is None:
            return  # the spider never opened: nothing of this run is in the JOBDIR
        if self.reason != "finished":  # closed cleanly before its end: resumable
            self.mark.unlink(missing_ok=True)
            logger.info("JOBDIR %s kept: the same command resumes the job", self.path)
            return
        try:
            shutil.rmtree(self.path)
        except OSError as error:  # the mark stays, so the next run starts afresh anyway
            logger.warning("JOBDIR %s: the finished job's directory stays: %s", self.path, error)
            return
        logger.info("JOBDIR %s removed: the job is finished", self.path)
