"""How archive values read in datasette's tables: names instead of JSON arrays, Korean
time instead of ISO strings, a line of the body instead of the whole text, and links to
the article page, the diff and the captured page.

Raw values stay what the JSON and CSV exports give; only the HTML cell changes.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from archive.datasette_plugin.times import kst

__all__ = ["render"]

_TIMES = frozenset(
    {"published_at", "modified_at", "first_seen", "last_seen", "fetched_at"}
    | {"started_at", "finished_at", "first_fetched", "last_changed"}
)
_NAME_LISTS = frozenset({"reporters", "reporter_emails", "sites"})
_EXCERPT = 90


def _get(row: Any, key: str) -> Any:
    try:
        return row[key]
    except (KeyError, IndexError, TypeError):
        return None


def _json(value: Any) -> Any:
    if not isinstance(value, str):
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "…"


def _stats(stats: dict[str, Any]) -> Markup:
    # Scrapy's counters: the archive's outcomes first, then the rest, one per line.
    keys = sorted(stats, key=lambda k: (not k.startswith("archive/"), k))
    summary = ", ".join(
        f"{k.removeprefix('archive/')} {stats[k]}" for k in keys if k.startswith("archive/")
    )
    lines = Markup("").join(
        Markup("<tr><td>{}</td><td>{}</td></tr>").format(k, stats[k]) for k in keys
    )
    return Markup(
        '<details class="newscrawl-stats"><summary>{} counters{}</summary>'
        "<table>{}</table></details>"
    ).format(len(stats), f": {summary}" if summary else "", lines)


def _headers(headers: dict[str, Any]) -> Markup:
    # Folded: a response carries a dozen headers; the content type is what a reader wants.
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    shown = ", ".join(content_type) if isinstance(content_type, list) else content_type
    lines = Markup("").join(
        Markup("<tr><td>{}</td><td>{}</td></tr>").format(
            k, ", ".join(map(str, v)) if isinstance(v, list) else v
        )
        for k, v in headers.items()
    )
    return Markup(
        '<details class="newscrawl-stats"><summary>{} headers{}</summary>'
        "<table>{}</table></details>"
    ).format(len(headers), f": {shown}" if shown else "", lines)


def render(*, row: Any, value: Any, column: str, table: str | None, urls: Any) -> Any:
    """The HTML of one cell of an archive database, or None for datasette's own."""
    if value is None:
        return None
    # A foreign key datasette expanded to its label: a site without a title read "None".
    if isinstance(value, dict) and "value" in value and value.get("label") is None:
        return str(value["value"])
    if column in _TIMES and isinstance(value, str):
        return Markup('<span title="{}">{}</span>').format(value, kst(value))
    if column in _NAME_LISTS and isinstance(_json(value), list):
        return ", ".join(str(name) for name in _json(value)) or Markup("&nbsp;")
    if table == "crawl_runs" and column == "stats" and isinstance(_json(value), dict):
        return _stats(_json(value))
    if table == "captures" and column == "headers" and isinstance(_json(value), dict):
        return _headers(_json(value))
    if column in {"messages", "extraction_messages"} and isinstance(_json(value), list):
        return "; ".join(str(m) for m in _json(value))
    if table == "articles" and column == "images" and isinstance(_json(value), list):
        return f"{len(_json(value))} images"
    if table == "articles" and column == "title" and _get(row, "id") is not None:
        return Markup('<a href="{}">{}</a>').format(urls.article(row["id"]), value)
    if table == "articles" and column == "body" and isinstance(value, str):
        return _excerpt(value)
    if table == "revisions" and column == "body" and isinstance(value, str):
        article, number = _get(row, "article_id"), _get(row, "number")
        if article is None or not isinstance(number, int) or number < 2:
            return _excerpt(value)  # the first version changed nothing
        return Markup('{} <a href="{}">changes</a>').format(
            _excerpt(value), urls.diff(article, new=number)
        )
    if table == "captures" and column == "final_url" and _get(row, "id") is not None:
        return Markup('<a href="{}">view as captured</a> {}').format(urls.capture(row["id"]), value)
    # Canned queries (search, revised_articles, by reporter) list articles by id.
    if table is None and column == "title" and _get(row, "id") is not None and _get(row, "url"):
        return Markup('<a href="{}">{}</a>').format(urls.article(row["id"]), value)
    # The revised_articles query: its versions count opens the latest change.
    if table is None and column == "versions" and _get(row, "id") is not None:
        return Markup('<a href="{}">{} versions: what changed</a>').format(
            urls.diff(row["id"]), value
        )
    return None
