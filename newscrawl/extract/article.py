"""The record that extraction returns: typed, with the raw strings kept beside normalized values."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """How far extraction got; stored with every record so failures are data, not log lines."""

    OK = "ok"
    PARTIAL = "partial"  # a body, but a field archivists rely on (title, date) is missing
    EMPTY = "empty"  # nothing usable: empty input, binary, no text
    NOT_ARTICLE = "not_article"  # a real page, but a list, home or error page


@dataclass(frozen=True, slots=True)
class Image:
    """An image of the article body and its caption, when the page gives one."""

    src: str
    caption: str | None = None


@dataclass(slots=True)
class Article:
    """One article page, extracted.

    ``published``/``modified`` are timezone-aware datetimes (+09:00 when the page gives no
    zone) or a plain ``date`` when the page shows only a day; ``*_raw`` keep the strings
    they were read from so a wrong normalization can be seen and fixed later.
    """

    url: str
    canonical_url: str  # the URL it is archived under (newscrawl.urls.article_identity)
    site: str
    title: str | None = None
    subtitle: str | None = None
    reporters: list[str] = field(default_factory=list)
    reporter_emails: list[str] = field(default_factory=list)
    published: datetime | date | None = None
    modified: datetime | date | None = None
    published_raw: str | None = None
    modified_raw: str | None = None
    section: str | None = None
    body: str = ""
    images: list[Image] = field(default_factory=list)
    language: str | None = None
    encoding: str | None = None
    cms: str = "generic"
    status: Status = Status.EMPTY
    messages: list[str] = field(default_factory=list)
    #: A canonical URL the page declared on another site (syndication, a mirror): kept for
    #: study, never the article's URL.
    declared_canonical: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: datetimes as ISO 8601 strings, the status as its value."""
        # Built by hand: dataclasses.asdict deep-copies every field, a visible cost per page.
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["reporters"] = list(self.reporters)
        out["reporter_emails"] = list(self.reporter_emails)
        out["messages"] = list(self.messages)
        out["images"] = [{"src": i.src, "caption": i.caption} for i in self.images]
        for key in ("published", "modified"):
            value = getattr(self, key)
            out[key] = value.isoformat() if value is not None else None
        out["status"] = str(self.status)
        return out
