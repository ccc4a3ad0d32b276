"""Items that travel through the pipelines: what a spider fetched, and what extraction made."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from newscrawl.extract.article import Article

__all__ = ["Article", "Page"]


@dataclass(slots=True)
class Page:
    """One fetched article response, kept whole so it can be archived and re-extracted."""

    url: str  # the URL the spider requested
    final_url: str  # after redirects
    status: int
    headers: dict[str, list[str]]
    body: bytes
    encoding: str | None  # what the HTTP header declared, if anything
    fetched_at: datetime  # UTC
    site: str  # registry name of the site
    article: Article | None = field(default=None)
