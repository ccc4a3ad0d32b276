"""What the archive already holds for the sites of a run, read once when the spider starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import archive
from newscrawl.discovery import parse_date
from newscrawl.urls import canonical_url


@dataclass(slots=True)
class ArchiveMemory:
    """The archive's answers to a run's questions, per canonical URL and per site."""

    #: canonical URL -> publication time; None for an archived page without one, or a page
    #: fetched for good that held no article (a 404, a redirect source, a section page)
    known: dict[str, datetime | None] = field(default_factory=dict)
    #: per site: sitemaps last modified before this day are not read again
    cutoffs: dict[str, date | None] = field(default_factory=dict)
    #: sites whose last run stopped early (crash, Ctrl-C, budget): lists are read to the end
    catch_up: set[str] = field(default_factory=set)


def read_archive(
    db_path: str,
    *,
    spider: str,
    sites: list[str],
    own_run: int | None,
    since: date | None,
    revisit: timedelta,
) -> ArchiveMemory:
    """Read the archive at ``db_path`` for ``sites``; ``own_run`` is the run now starting."""
    memory = ArchiveMemory()
    db = archive.open_db(db_path)
    try:
        memory.catch_up = archive.incomplete_sites(db, spider, sites, exclude_run=own_run)
        for name in sites:
            published = {
                url: parse_date(value)
                for url, value in archive.known_articles(db, site=name).items()
            }
            memory.known.update(published)
            # Without these every run would fetch the same dead links again.
            for url in archive.captured_urls(db, site=name, below_status=500):
                memory.known.setdefault(canonical_url(url), None)
            newest = max((d for d in published.values() if d is not None), default=None)
            if since:
                memory.cutoffs[name] = since
            elif newest and name not in memory.catch_up:
                memory.cutoffs[name] = (newest - revisit).date()
            else:
                memory.cutoffs[name] = None
    finally:
        db.close()
    return memory
