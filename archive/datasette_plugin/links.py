"""The reading room's URLs inside one database, built by datasette's own URL builder (so
``base_url`` and names that need escaping hold)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

__all__ = ["CAPTURE_ROUTE", "DIFF_ROUTE", "ArchiveUrls"]

#: Routes the plugin registers (datasette's own row route has one segment fewer).
DIFF_ROUTE = r"^/(?P<database>[^/]+)/articles/(?P<id>\d+)/diff$"
CAPTURE_ROUTE = r"^/(?P<database>[^/]+)/captures/(?P<id>\d+)/page$"


class ArchiveUrls:
    """Links to the article page, a revision diff and a captured page of ``database``."""

    def __init__(self, datasette: Any, database: str) -> None:
        self._urls = datasette.urls
        self.database = database

    def article(self, article_id: int) -> str:
        return self._urls.row(self.database, "articles", str(article_id))

    def diff(self, article_id: int, *, old: int | None = None, new: int | None = None) -> str:
        query = urlencode({k: v for k, v in (("old", old), ("new", new)) if v is not None})
        base = f"{self._urls.database(self.database)}/articles/{article_id}/diff"
        return f"{base}?{query}" if query else base

    def capture(self, capture_id: int) -> str:
        return f"{self._urls.database(self.database)}/captures/{capture_id}/page"

    def table(self, table: str) -> str:
        return self._urls.table(self.database, table)
