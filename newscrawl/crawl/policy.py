"""Which discovered article URLs a run fetches: the incremental rules, without Scrapy.

An article already in the archive is not fetched again unless it was published inside the
revisit window (newspapers correct articles in their first days). ``since`` bounds a backfill
by date and ``max_articles`` bounds a run by count. Decisions are made on canonical URLs, so a
tracking parameter or a print view never causes a second fetch.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from ipaddress import ip_address
from urllib.parse import urlsplit

from newscrawl.config import ConfigError
from newscrawl.urls import canonical_url

# The ``-a`` arguments; names starting with "_" are Scrapyd's (``_job``) and pass unchecked.
ARGUMENTS = ("site", "region", "url", "since", "max_articles", "backfill", "ids")


def check_arguments(kwargs: Mapping[str, object]) -> None:
    """Refuse ``-a`` names the spider does not know, suggesting the closest known one."""
    for name in kwargs:
        if name.startswith("_") or name in ARGUMENTS:
            continue
        close = difflib.get_close_matches(name, ARGUMENTS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ConfigError(f"unknown argument -a {name}{hint}; known: {', '.join(ARGUMENTS)}")


def parse_since(value: str | None) -> date | None:
    """The ``-a since=YYYY-MM-DD`` option."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"-a since={value!r}: expected a date as YYYY-MM-DD") from None


def parse_count(value: str | None, name: str) -> int | None:
    """A positive whole-number option such as ``-a max_articles=N``."""
    if value in (None, ""):
        return None
    if not str(value).isdigit() or int(value) < 1:
        raise ValueError(f"-a {name}={value!r}: expected a positive whole number")
    return int(value)


BACKFILL_MODES = ("ids",)


def parse_backfill(mode: str | None, ids: str | None) -> tuple[int, int] | None:
    """The ``-a backfill=ids [-a ids=FROM-TO]`` options: the id range asked for (FROM <= TO),
    ``(1, 0)`` for the default range; None when no backfill is asked."""
    if mode is None:
        if ids is not None:
            raise ValueError(f"-a ids={ids!r} needs -a backfill=ids")
        return None
    if mode not in BACKFILL_MODES:
        raise ValueError(f"-a backfill={mode!r}: expected {' or '.join(BACKFILL_MODES)}")
    if ids is None:
        return (1, 0)
    low, dash, high = ids.partition("-")
    if not (dash and low.strip().isdigit() and high.strip().isdigit()):
        raise ValueError(f"-a ids={ids!r}: expected FROM-TO, two whole numbers such as 1-5000")
    first, last = int(low), int(high)
    if not 1 <= first <= last:
        raise ValueError(f"-a ids={ids!r}: expected 1 <= FROM <= TO")
    return (first, last)


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$", re.I)


def _is_host(host: str) -> bool:
    """A DNS name with a dot (or ``localhost``), or an IP address."""
    try:
        ip_address(host.strip("[]"))
        return True
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    return (len(labels) > 1 or host == "localhost") and all(_LABEL.match(x) for x in labels)


def parse_url(value: str | None) -> str | None:
    """The ``-a url=HOME`` option: an http(s) URL, or a bare host that gets ``https://``.

    ``notaurl`` (no dot), ``javascript:...`` or ``ftp://...`` would otherwise become a site
    whose every request fails; they are refused before the run starts.
    """
    if value is None:
        return None
    text = value.strip()
    url = text if "://" in text else f"https://{text}"
    parts = urlsplit(url)
    problem = None
    if parts.scheme not in ("http", "https"):
        problem = "expected an http(s) URL such as https://www.kbsm.net/"
    else:
        try:
            port_ok = parts.port is None or 0 < parts.port < 65536
        except ValueError:
            port_ok = False
        if not parts.hostname or not _is_host(parts.hostname) or not port_ok:
            problem = "expected an http(s) URL with a host name, such as https://www.kbsm.net/"
    if problem:
        raise ValueError(f"-a url={value!r}: {problem}")
    return url


class Decision(StrEnum):
    """What to do with one discovered article URL."""

    FETCH = "fetch"
    REVISIT = "revisit"  # archived, but recent enough that a correction may be waiting
    DUPLICATE = "duplicate"  # already scheduled in this run (another source or URL variant)
    ARCHIVED = "archived"  # archived and outside the revisit window
    TOO_OLD = "too_old"  # published before ``since``
    BUDGET = "budget"  # ``max_articles`` reached


@dataclass(slots=True)
class FetchPolicy:
    """The incremental rules of one run; ``known`` maps canonical URL to published time."""

    known: Mapping[str, datetime | None]
    now: datetime
    revisit: timedelta = timedelta(days=2)
    since: date | None = None
    max_articles: int | None = None
    scheduled: set[str] = field(default_factory=set)
    fetches: int = 0

    def is_recent(self, published: datetime | None) -> bool:
        """Inside the revisit window (an unknown date is not recent: revisiting costs a fetch)."""
        return published is not None and published >= self.now - self.revisit

    def too_old(self, published: datetime | date | None) -> bool:
        """Published before ``since``, on the newspaper's own calendar (an unknown date is
        not too old: the article is archived)."""
        if self.since is None or published is None:
            return False
        day = published.date() if isinstance(published, datetime) else published
        return day < self.since

    def is_new(self, url: str, published: datetime | None = None) -> bool:
        """Not archived, or archived but due for a revisit: what list pagination counts."""
        key = canonical_url(url)
        if key not in self.known:
            return True
        return self.is_recent(self.known[key] or published)

    @property
    def budget_spent(self) -> bool:
        """Whether ``max_articles`` fetches have been scheduled."""
        return self.max_articles is not None and self.fetches >= self.max_articles

    def decide(self, url: str, published: datetime | None = None) -> Decision:
        """Decide once per canonical URL; FETCH and REVISIT count against the budget."""
        key = canonical_url(url)
        if key in self.scheduled:
            return Decision.DUPLICATE
        self.scheduled.add(key)
        if key in self.known:
            if not self.is_recent(self.known[key] or published):
                return Decision.ARCHIVED
            decision = Decision.REVISIT
        elif self.too_old(published):
            return Decision.TOO_OLD
        else:
            decision = Decision.FETCH
        if self.budget_spent:
            return Decision.BUDGET
        self.fetches += 1
        return decision
