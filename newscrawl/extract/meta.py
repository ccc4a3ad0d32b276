"""Page metadata from JSON-LD, OpenGraph, ``article:*`` and author meta tags."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from newscrawl.extract.dom import Element, squash

ARTICLE_TYPES = frozenset(
    {
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "BlogPosting",
        "Report",
        "LiveBlogPosting",
    }
)
_JSON_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(slots=True)
class PageMeta:
    """What the page says about itself, before looking at its visible text."""

    meta: dict[str, str] = field(default_factory=dict)  # first value per lower-cased key
    authors_meta: list[str] = field(default_factory=list)  # every author-ish meta value
    ld: dict[str, Any] | None = None  # the first JSON-LD object of an article type
    canonical: str | None = None
    lang: str | None = None

    def get(self, *keys: str) -> str | None:
        """The first non-empty meta value among ``keys``."""
        for key in keys:
            value = self.meta.get(key)
            if value:
                return value
        return None

    def ld_str(self, key: str) -> str | None:
        """A string field of the JSON-LD article, squashed."""
        if not self.ld:
            return None
        value = self.ld.get(key)
        if isinstance(value, list) and value:
            value = value[0]
        return squash(value) if isinstance(value, str) and value.strip() else None

    def ld_authors(self) -> list[str]:
        """Names of the JSON-LD article's authors that are persons (not organizations)."""
        if not self.ld:
            return []
        authors = self.ld.get("author")
        if authors is None:
            return []
        if not isinstance(authors, list):
            authors = [authors]
        names = []
        for author in authors:
            if isinstance(author, str):
                names.append(author)
            elif isinstance(author, dict) and "Organization" not in str(author.get("@type")):
                name = author.get("name")
                if isinstance(name, str):
                    names.append(name)
        return [squash(n) for n in names if n and n.strip()]


_AUTHOR_KEYS = ("dable:author", "article:author", "og:article:author", "author", "byline")


def read_meta(root: Element) -> PageMeta:
    """Collect the metadata of a parsed document."""
    page = PageMeta()
    for el in root.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        value = squash(el.get("content"))
        if not key or not value:
            continue
        page.meta.setdefault(key, value)
        if key in _AUTHOR_KEYS:
            page.authors_meta.append(value)
    for el in root.iter("link"):
        if (el.get("rel") or "").lower() == "canonical" and (href := el.get("href")):
            page.canonical = href.strip()
            break
    page.lang = (root.get("lang") or page.meta.get("content-language") or "").strip() or None
    for obj in _ld_objects(root):
        types = obj.get("@type")
        types = types if isinstance(types, list) else [types]
        if any(t in ARTICLE_TYPES for t in types if isinstance(t, str)):
            page.ld = obj
            break
    return page


def _ld_objects(root: Element) -> Iterator[dict[str, Any]]:
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(_JSON_CONTROL.sub(" ", script.text), strict=False)
        except ValueError:
            continue
        yield from _flatten(data)


def _flatten(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _flatten(data["@graph"], depth + 1)
