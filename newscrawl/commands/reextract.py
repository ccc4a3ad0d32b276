"""``scrapy reextract [--site NAME] [--since DATE]``: extract again from stored captures.

Nothing is fetched: every capture in the archive (of one site, or fetched since a date) is run
through ``newscrawl.extract`` again and saved with ``archive.save_extraction``, which updates the
article and adds a revision when the result changed. So an extractor fix improves the whole
archive without a re-crawl. The URL identity rule is the crawl's: a capture's article is kept
under the URL it was fetched from, or a canonical declared on its site (the home host in the
archive's ``sites`` table, and the registry's aliases).
"""

from __future__ import annotations

import argparse
import logging
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

import archive
from archive.progress import progress
from newscrawl.items import Page
from newscrawl.preparation import extract_page
from newscrawl.sites import DEFAULT_REGISTRY, RegistryError, Site, load_registry

logger = logging.getLogger(__name__)


# Saves per transaction: enough to write the search index once for many saves, few enough
# that a crawl writing the same archive waits for them a few tens of milliseconds at most.
WRITE_EVERY = 20


def reextract(
    db_path: str | Path,
    *,
    site: str | None = None,
    since: date | None = None,
    registry: Mapping[str, Site] | None = None,
) -> Counter[str]:
    """Re-run extraction over the stored captures; returns counts per save result.

    ``registry`` gives the sites' aliases (hosts whose canonicals count as the site's own).
    A crawl may write the same archive meanwhile: captures are read and extracted outside
    any transaction, and their articles written in short transactions of WRITE_EVERY saves
    (each save still atomic), so neither holds the write lock for the other long.
    """
    db = archive.open_db(db_path)
    hosts = site_hosts(db, registry or {})
    counts: Counter[str] = Counter()
    since_dt = datetime(since.year, since.month, since.day, tzinfo=UTC) if since else None
    extracted: list[tuple[int, dict[str, Any]]] = []
    try:
        captures = archive.iter_captures(db, site=site, since=since_dt)
        # A bar on a terminal only: a cron job's log and mail stay as they were.
        for capture_id, capture in progress(captures, desc="re-extracting", unit="page"):
            page = Page(
                url=capture.url,
                final_url=capture.final_url,
                status=capture.status,
                headers={},
                body=capture.body,
                encoding=capture.encoding,
                fetched_at=capture.fetched_at,
                site=capture.site or "",
                site_hosts=hosts.get(capture.site or "", ()),
            )
            article = extract_page(page)
            extracted.append((capture_id, article.to_dict()))
            counts[f"status/{article.status}"] += 1
            if len(extracted) >= WRITE_EVERY:
                _write(db, extracted, counts)
        _write(db, extracted, counts)
    finally:
        db.close()
    return counts


def site_hosts(db: Any, registry: Mapping[str, Site]) -> dict[str, tuple[str, ...]]:
    """Per site name, its home host (as the archive recorded it) and registry aliases."""
    hosts: dict[str, tuple[str, ...]] = {
        name: (urlsplit(home).netloc.lower(),)
        for name, home in db.execute("SELECT name, home_url FROM sites WHERE home_url != ''")
    }
    hosts.update({site.name: site.hosts for site in registry.values()})
    return hosts


def _write(db: Any, extracted: list[tuple[int, dict[str, Any]]], counts: Counter[str]) -> None:
    """Save ``extracted`` in one transaction, then empty it."""
    with archive.GroupCommit(db, every=len(extracted) + 1, seconds=3600) as group:
        for capture_id, article in extracted:
            counts[str(group.save_extraction(capture_id, article))] += 1
    extracted.clear()


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "INFO"}

    def syntax(self) -> str:
        return "[--site NAME] [--since YYYY-MM-DD]"

    def short_desc(self) -> str:
        return "Extract articles again from the archived captures, without fetching"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--site", metavar="NAME", help="only captures of this site")
        parser.add_argument(
            "--since", metavar="DATE", help="only captures fetched on or after YYYY-MM-DD"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        try:
            since = date.fromisoformat(opts.since) if opts.since else None
        except ValueError:
            raise UsageError(f"--since {opts.since!r}: expected YYYY-MM-DD") from None
        path = self.settings.get("ARCHIVE_DB_PATH")
        if not path or not Path(path).exists():
            raise UsageError(f"no archive at ARCHIVE_DB_PATH={path!r}", print_help=False)
        try:
            registry = load_registry(self.settings.get("NEWSCRAWL_SITES_FILE") or DEFAULT_REGISTRY)
        except RegistryError as exc:
            raise UsageError(str(exc), print_help=False) from None
        counts = reextract(path, site=opts.site, since=since, registry=registry)
        total = sum(v for k, v in counts.items() if not k.startswith("status/"))
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        print(f"re-extracted {total} capture(s) from {path}: {summary or 'nothing to do'}")
