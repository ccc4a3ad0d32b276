"""The reading room's pages: template variables of the article page and of a search, the
revision diff, the captured page and the stylesheets."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from datasette.utils import tilde_decode
from datasette.utils.asgi import BadRequest, NotFound, Response
from markupsafe import Markup, escape

from archive.blobs import decompress
from archive.datasette_plugin.captured import CSP, decode_capture, replay_html
from archive.datasette_plugin.links import ArchiveUrls
from archive.datasette_plugin.metadata import archive_databases
from archive.datasette_plugin.reading import load_article, load_capture_page, load_diff
from archive.datasette_plugin.times import kst
from archive.grams import query_terms
from archive.search import snippet

__all__ = [
    "ARTICLES_CSS_ROUTE",
    "ARTICLES_CSS_URL",
    "CSS_ROUTE",
    "CSS_URL",
    "article_vars",
    "articles_css",
    "capture_page",
    "css",
    "diff_page",
    "search_vars",
]

_STATIC = Path(__file__).resolve().parent / "static"
CSS_URL = "/-/newscrawl/reading-room.css"
CSS_ROUTE = r"^/-/newscrawl/reading-room\.css$"
ARTICLES_CSS_URL = "/-/newscrawl/articles-columns.css"
ARTICLES_CSS_ROUTE = r"^/-/newscrawl/articles-columns\.css$"
# Marks the search terms inside a snippet before escaping (control characters never occur
# in article text, which extraction normalises).
_MARK = ("\x02", "\x03")


def _stylesheet(name: str) -> Response:
    return Response(
        (_STATIC / name).read_text(encoding="utf-8"),
        content_type="text/css; charset=utf-8",
        headers={"Cache-Control": "max-age=3600"},
    )


async def css() -> Response:
    return _stylesheet("reading-room.css")


async def articles_css() -> Response:
    return _stylesheet("articles-columns.css")


async def _archive(datasette: Any, request: Any, tables: list[str]) -> str:
    """The name of the archive database the URL names, after the reader's permissions."""
    try:
        database = datasette.get_database(route=tilde_decode(request.url_vars["database"]))
    except KeyError:
        raise NotFound("Database not found") from None
    if database.name not in archive_databases(datasette):
        raise NotFound(f"{database.name} is not a newscrawl archive")
    # datasette's cascade: the first rule with an opinion (table, database, instance) decides.
    for table in tables:
        await datasette.ensure_permissions(
            request.actor,
            [
                ("view-table", (database.name, table)),
                ("view-database", database.name),
                "view-instance",
            ],
        )
    return database.name


async def article_vars(
    datasette: Any, database: str, request: Any, urls: ArchiveUrls
) -> dict[str, Any] | None:
    try:
        article_id = int(request.url_vars.get("pks", ""))
    except ValueError:
        return None
    article = await datasette.get_database(database).execute_fn(
        lambda conn: load_article(conn, article_id)
    )
    return None if article is None else {"article": article, "urls": urls}


def search_vars(datasette: Any, database: str, query: str) -> dict[str, Any]:
    """The active search of the articles table, and how to show each row's passage."""
    terms = query_terms(query)

    async def snippets(display_rows: list[Any]) -> dict[str, Markup]:
        ids = []
        for row in display_rows:
            for cell in row:
                if cell["column"] == "id" and str(cell["raw"]).isdigit():
                    ids.append(int(cell["raw"]))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        result = await datasette.get_database(database).execute(
            f"SELECT id, body FROM articles WHERE id IN ({marks})", ids
        )
        found = {}
        for article_id, body in result.rows:
            text = escape(snippet(body or "", terms, width=160, mark=_MARK))
            found[str(article_id)] = Markup(
                str(text).replace(_MARK[0], "<mark>").replace(_MARK[1], "</mark>")
            )
        return found

    return {"query": query, "terms": terms, "snippets": snippets}


def _optional_int(request: Any, name: str) -> int | None:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise BadRequest(f"{name} must be a revision number, not {value!r}")
    return int(value)


async def diff_page(datasette: Any, request: Any) -> Response:
    database = await _archive(datasette, request, ["articles", "revisions"])
    article_id = int(request.url_vars["id"])
    old, new = _optional_int(request, "old"), _optional_int(request, "new")
    diff = await datasette.get_database(database).execute_fn(
        lambda conn: load_diff(conn, article_id, old=old, new=new)
    )
    if diff is None:
        raise NotFound("No such article or revision")
    urls = ArchiveUrls(datasette, database)
    return Response.html(
        await datasette.render_template(
            "newscrawl/diff.html",
            {"diff": diff, "links": urls, "database": database, "table": "articles"},
            request=request,
            view_name="newscrawl_diff",
        )
    )


async def capture_page(datasette: Any, request: Any) -> Response:
    database = await _archive(datasette, request, ["captures", "blobs"])
    capture_id = int(request.url_vars["id"])
    row = await datasette.get_database(database).execute_fn(
        lambda conn: load_capture_page(conn, capture_id)
    )
    if row is None:
        raise NotFound("No such capture")
    raw = decompress(row["compression"], row["data"])
    text = decode_capture(raw, encoding=row["encoding"], headers_json=row["headers"])
    if not _is_html(row["headers"], text):
        text = f"<!DOCTYPE html><body><pre>{html.escape(text)}</pre></body>"
    urls = ArchiveUrls(datasette, database)
    back = urls.article(row["article_id"]) if row["article_id"] else urls.table("captures")
    page = replay_html(
        text,
        url=row["final_url"],
        fetched_kst=kst(row["fetched_at"]),
        status=row["status"],
        article_href=back,
    )
    return Response(
        page,
        content_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


def _is_html(headers_json: str | None, text: str) -> bool:
    try:
        headers = json.loads(headers_json or "{}")
    except ValueError:
        headers = {}
    for name, values in headers.items():
        if name.lower() == "content-type":
            value = " ".join(values) if isinstance(values, list) else str(values)
            return "html" in value.lower()
    return "<html" in text[:2048].lower()
