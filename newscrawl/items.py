"""Items that travel through the pipelines: what a spider fetched, and what extraction made."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from archive.blobs import Blob
from archive.reads import Capture
from archive.search import IndexText
from newscrawl.extract.article import Article

if TYPE_CHECKING:
    from scrapy.http import Response

_CHARSET = re.compile(rb"charset=[\"']?([\w.:-]+)", re.I)

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
    # The site's home host and aliases: a canonical the page declares on one of them is
    # the same site (newscrawl.urls.article_identity).
    site_hosts: tuple[str, ...] = ()
    article: Article | None = field(default=None)
    blob: Blob | None = field(default=None)  # the raw bytes packed for the archive
    indexed: IndexText | None = field(default=None)  # the article's search-index text
    # What the crawl noticed about the response itself (a body cut short); the archive adds
    # these to the article's messages.
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_response(
        cls,
        response: Response,
        site: str,
        *,
        fetched_at: datetime,
        site_hosts: tuple[str, ...] = (),
    ) -> Page:
        """The Page of a Scrapy response; ``url`` is the first URL before any redirect."""
        charset = _CHARSET.search(response.headers.get(b"Content-Type") or b"")
        return cls(
            url=response.meta.get("redirect_urls", [response.url])[0],
            final_url=response.url,
            status=response.status,
            headers={
                k.decode("latin-1"): [v.decode("latin-1") for v in vs]
                for k, vs in response.headers.items()
            },
            body=response.body,
            encoding=charset.group(1).decode("ascii").lower() if charset else None,
            fetched_at=fetched_at,
            site=site,
            site_hosts=site_hosts,
        )

    def capture(self) -> Capture:
        """The archive's Capture of this page: the one place a Page becomes a capture."""
        return Capture(
            url=self.url,
            final_url=self.final_url,
            status=self.status,
            fetched_at=self.fetched_at,
            headers=self.headers,
            encoding=self.encoding,
            body=self.body,
            site=self.site,
            blob=self.blob,
        )

    def article_row(self) -> dict[str, Any]:
        """What ``archive.save`` takes for the article: its dict, with the crawl's notes added
        to its messages; empty when extraction has not run."""
        article = self.article.to_dict() if self.article is not None else {}
        if self.notes and article:
            article["messages"] = [*article.get("messages", []), *self.notes]
        return article
