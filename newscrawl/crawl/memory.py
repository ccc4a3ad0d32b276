"""What the archive already holds for the sites of a run, read once when the spider starts."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import archive
from newscrawl.crawl.known import KnownUrls
from newscrawl.urls import canonical_url

# The archive keeps a date without a time (a page that printed only its day) as the
# newspaper's calendar day.
_KST = timezone(timedelta(hours=9))


@dataclass(slots=True)
class ArchiveMemory:
    """The archive's answers to a run's questions, per canonical URL and per site."""

    #: canonical URL -> publication time; None for an archived page without one, or a page
    #: fetched for good that held no article (a 404, a redirect source, a section page)
    known: KnownUrls = field(default_factory=lambda: KnownUrls.build(()))
    #: per site: sitemaps last modified before this day are not read again
    cutoffs: dict[str, date | None] = field(default_factory=dict)
    #: sites whose last run stopped early (crash, Ctrl-C, budget): lists are read to the end
    catch_up: set[str] = field(default_factory=set)


def archived_time(value: str | None) -> datetime | None:
    """A publication time as the archive stores it (ISO 8601; a day alone is a KST day)."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:  # written by hand, or by an older version: not worth a crash
        return None
    return when if when.tzinfo else when.replace(tzinfo=_KST)


def read_archive(
    db_path: str,
    *,
    spider: str,
    sites: list[str],
    own_run: int | None,
    since: date | None,
    revisit: timedelta,
    running: Collection[int] = (),
) -> ArchiveMemory:
    """Read the archive at ``db_path`` for ``sites``; ``own_run`` is the run now starting,
    ``running`` the runs of the same crawl on a cluster's other nodes (not earlier runs).

    The rows go straight into the compact :class:`KnownUrls` (16 bytes an article): a
    dict of a million URLs first would hold ~180 MB at the start of every run.
    """
    memory = ArchiveMemory()
    newest: dict[str, datetime | None] = {}
    db = archive.open_db(db_path)

    def known() -> Iterator[tuple[str, datetime | None]]:
        for name in sites:
            latest: datetime | None = None
            for url, value in archive.known_articles(db, site=name):
                when = archived_time(value)
                if when is not None and (latest is None or when > latest):
                    latest = when
                yield url, when
            newest[name] = latest
        # Without these every run would fetch the same dead links again (an article's own
        # URL came first above, with its time, and keeps it).
        for name in sites:
            for url in archive.captured_urls(db, site=name, below_status=500):
                yield canonical_url(url), None

    try:
        own = [] if own_run is None else [own_run]
        memory.catch_up = archive.incomplete_sites(db, spider, sites, exclude_runs=[*own, *running])
        memory.known = KnownUrls.build(known())
        for name in sites:
            latest = newest.get(name)
            if since:
                memory.cutoffs[name] = since
            elif latest and name not in memory.catch_up:
                memory.cutoffs[name] = (latest - revisit).date()
            else:
                memory.cutoffs[name] = None
    finally:
        db.close()
    return memory
