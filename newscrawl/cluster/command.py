"""``scrapy archive-writer [--idle-exit SECONDS]``: save a crawl cluster's records into the
archive at ``ARCHIVE_DB_PATH`` (see ``newscrawl.cluster.writer``).

Exit 0 when stopped by SIGTERM or Ctrl-C (the batch in hand committed first) or after
``--idle-exit`` seconds with an empty stream and no node running; 2 for a usage error (no
``REDIS_URL``, a bad option or setting, a file at ``ARCHIVE_DB_PATH`` that is not an
archive); 1 when Redis or the archive fails. Each error is one line on stderr.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sqlite3
import sys
from typing import Any, ClassVar, NoReturn

from scrapy.commands import ScrapyCommand
from scrapy.utils.log import configure_logging

from archive.files import ArchiveFileError
from newscrawl.cluster.settings import STREAM
from newscrawl.config import ConfigError, check_settings
from newscrawl.outcomes import EXIT_USAGE

logger = logging.getLogger(__name__)


def usage_error(message: str) -> NoReturn:
    """One line on stderr and exit 2, as ``scrapy crawl`` does (not Scrapy's usage text)."""
    sys.stderr.write(f"scrapy archive-writer: error: {message}\n")
    sys.exit(EXIT_USAGE)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "INFO"}

    def syntax(self) -> str:
        return "[--idle-exit SECONDS]"

    def short_desc(self) -> str:
        return "Save a crawl cluster's records from Redis into the archive (one writer)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--idle-exit",
            type=float,
            default=None,
            metavar="SECONDS",
            help="exit 0 after SECONDS with an empty stream and no crawl node running",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        settings = self.settings
        path = settings.get("ARCHIVE_DB_PATH")
        if args:
            usage_error(f"unexpected argument {args[0]!r}")
        if opts.idle_exit is not None and opts.idle_exit < 0:
            usage_error("--idle-exit: expected a number of seconds >= 0")
        if not settings.get("REDIS_URL"):
            usage_error("setting REDIS_URL is empty: expected the cluster's Redis URL")
        if not path:
            usage_error("setting ARCHIVE_DB_PATH is empty: expected the archive's path")
        try:  # the values, and a file at the path that is not an archive, as the crawl does
            check_settings(settings, archive=True)
        except ConfigError as error:
            usage_error(str(error))
        try:
            # Imported here: Scrapy loads every command to list them, and an install without
            # the ``cluster`` extra has no redis.
            from redis.exceptions import RedisError
            from scrapy_redis.connection import get_redis_from_settings

            from newscrawl.cluster.writer import ArchiveWriter
        except ImportError as error:
            usage_error(f"{error.name} is not installed: pip install 'newscrawl[cluster]'")
        configure_logging(settings)
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            logger.info("Signal %d: committing the current batch and exiting", signum)
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        writer = ArchiveWriter(
            get_redis_from_settings(settings),
            str(path),
            stream=settings.get("NEWSCRAWL_CLUSTER_STREAM") or STREAM,
            batch=settings.getint("ARCHIVE_COMMIT_EVERY", 100),
        )
        logger.info("Archive writer: %s -> %s", writer.stream, path)
        try:
            writer.run(idle_exit=opts.idle_exit, stopping=lambda: stopping)
        except RedisError as error:
            sys.stderr.write(f"scrapy archive-writer: error: Redis: {error}\n")
            self.exitcode = 1
        except (ArchiveFileError, sqlite3.Error) as error:  # a full disk, a damaged file
            # An ArchiveFileError names its file; SQLite's own errors do not.
            where = "" if isinstance(error, ArchiveFileError) else f"{path}: "
            sys.stderr.write(f"scrapy archive-writer: error: archive {where}{error}\n")
            self.exitcode = 1
        saves = sum(writer.saved.values())
        rate = saves / writer.busy if writer.busy else 0.0
        logger.info(
            "Archive writer saved: %s in %.1f s of work (%.0f saves/s)",
            dict(writer.saved) or "nothing",
            writer.busy,
            rate,
        )
