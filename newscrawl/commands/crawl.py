"""``scrapy crawl``, with an exit status that says how the run went.

Scrapy's own command exits 0 whenever the spider could be started, even when no site
answered. This one checks the arguments and settings first (a spider's ``configure``) and
exits 2 with one line on stderr when they are wrong (1 when a cluster node's Redis does not
answer); after the run it logs one sentence per site and exits 0 when every site was crawled,
1 when a site failed or the run was stopped.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.spiderloader import get_spider_loader

from newscrawl.cluster.settings import redis_unreachable
from newscrawl.outcomes import EXIT_FAILED, EXIT_USAGE

if TYPE_CHECKING:
    import argparse

logger = logging.getLogger(__name__)


class Command(ScrapyCrawlCommand):
    """Run a spider; exit 0 if every site was crawled, 1 if one failed, 2 on a usage error."""

    def short_desc(self) -> str:
        return "Run a spider; exit 0: every site crawled, 1: a site failed, 2: usage error"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        # Here, before Scrapy sets up logging and the reactor: a mistake is one line.
        if len(args) != 1 or self.settings is None:
            return
        # The directories of the files the run writes: cron's "-s LOG_FILE=logs/crawl.log" on
        # a fresh checkout, and an archive path that cannot be (one line, not a traceback).
        for name in ("LOG_FILE", "ARCHIVE_DB_PATH"):
            path = self.settings.get(name)
            if not path:
                continue
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                sys.stderr.write(f"scrapy crawl: error: setting {name}={path!r}: {error}\n")
                sys.exit(EXIT_USAGE)
        loader = get_spider_loader(self.settings)
        try:
            spidercls = loader.load(args[0])
        except KeyError:
            known = ", ".join(loader.list())
            sys.stderr.write(f"scrapy crawl: error: no spider named {args[0]!r}; known: {known}\n")
            sys.exit(EXIT_USAGE)
        configure = getattr(spidercls, "configure", None)
        if configure is None:
            return
        try:
            # A spider of our own, built only to check: the crawl builds its own.
            configure(spidercls(**opts.spargs), self.settings)
        except ValueError as error:  # ConfigError, RegistryError: each names the culprit
            sys.stderr.write(f"scrapy crawl: error: {error}\n")
            sys.exit(EXIT_USAGE)
        # A cluster node whose Redis is away: one line, not the engine's tracebacks.
        if self.settings.get("REDIS_URL") and (reason := redis_unreachable(self.settings)):
            sys.stderr.write(f"scrapy crawl: error: {reason}\n")
            sys.exit(EXIT_FAILED)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            super().run(args, opts)  # Scrapy's usage errors
            return
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = EXIT_FAILED
            return
        verdict = getattr(crawler.spider, "verdict", None)
        if verdict is None:
            return
        # At WARNING, so a cron job running with LOG_LEVEL=WARNING still ends its log with it.
        for line in verdict.sentences():
            logger.warning("%s", line)
        self.exitcode = verdict.exit_code
