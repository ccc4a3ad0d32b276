"""The archive's datasette plugin: the reading room.

For every database that holds the archive's tables, whatever the file is called:

- the metadata of metadata.yml (descriptions, facets, search box, canned queries), with
  the column descriptions folded away so a table opens on its rows;
- the articles table's search box finds Korean terms of any length (below), and while a
  search is active shows each match with the passage that matched;
- the row page of an article is an article page (headline, byline, KST times, the body in
  paragraphs, revisions and captures), a diff page shows what changed between versions,
  and a capture can be viewed as fetched, in a sandbox;
- a site's coverage page (``/DB/sites/NAME/coverage``, all sites at ``/DB/sites/-/coverage``):
  articles per month as a chart, gone ids with their reasons, holes with retry commands;
- cells read as text: reporters as names, times in KST, run stats as counters;
- no suggested facets on the tables that grow with the archive (``suggestions``): they
  counted every column over the whole table on every page, seconds at 300,000 articles.

Search: datasette turns ``?_search=`` into ``MATCH escape_fts(:search)``, which quotes each
word: ``"경주시"`` is one token, never found in an index of bigrams. In an archive
database this plugin replaces ``escape_fts`` with :func:`archive.queries.search_expression`,
the expression the ``search`` command uses: ``"경주 주시"``, which finds 경주시 inside
경주시는; it also registers that function for the canned ``search`` query, which calls it
instead of copying its rules in SQL. Other databases keep datasette's own.

Registered as a ``datasette`` entry point in pyproject.toml, so installing newscrawl
installs it. Written for datasette 0.65 (``get_metadata`` is the 0.65 hook).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from datasette import hookimpl

from archive.datasette_plugin import cells, coverage_page, suggestions, views
from archive.datasette_plugin.links import CAPTURE_ROUTE, DIFF_ROUTE, ArchiveUrls
from archive.datasette_plugin.metadata import ALL_COLUMNS, archive_metadata
from archive.datasette_plugin.metadata import archive_databases as _archives
from archive.queries import register_functions, search_expression
from archive.schema import SEARCH_TABLE


@hookimpl(trylast=True)  # after datasette's own prepare_connection defines escape_fts
def prepare_connection(conn: sqlite3.Connection) -> None:
    try:
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [SEARCH_TABLE]
        ).fetchone()
    except sqlite3.DatabaseError:
        return  # not a database datasette can read either; it reports that itself
    if found:
        # The search box and the canned search query call the command line's own rules.
        register_functions(conn)
        conn.create_function("escape_fts", 1, search_expression, deterministic=True)


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    # Suggested facets count every column over the whole table: off on the growing tables.
    return lambda app: suggestions.without_suggestions(datasette, app)


@hookimpl
def get_metadata(datasette: Any) -> dict[str, Any]:
    return archive_metadata(_archives(datasette))


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Any:
    if database not in _archives(datasette):
        return None
    return cells.render(
        row=row, value=value, column=column, table=table, urls=ArchiveUrls(datasette, database)
    )


@hookimpl
def extra_css_urls(
    view_name: str, database: str | None, table: str | None, request: Any, datasette: Any
) -> list[str]:
    if database is None or database not in _archives(datasette):
        return []
    css = [views.CSS_URL]
    # The articles table shows the reading columns unless the reader chose columns.
    chosen = request is not None and {"_col", "_nocol", ALL_COLUMNS} & set(request.args.keys())
    if view_name == "table" and table == "articles" and not chosen:
        css.append(views.ARTICLES_CSS_URL)
    return [datasette.urls.path(url) for url in css]


@hookimpl
def extra_template_vars(
    view_name: str, database: str | None, table: str | None, request: Any, datasette: Any
) -> Callable[[], Awaitable[dict[str, Any]]]:
    async def template_vars() -> dict[str, Any]:
        found: dict[str, Any] = {"newscrawl_article": None, "newscrawl_search": None}
        if database is None or database not in _archives(datasette) or table != "articles":
            return found
        urls = ArchiveUrls(datasette, database)
        if view_name == "row":
            found["newscrawl_article"] = await views.article_vars(
                datasette, database, request, urls
            )
        elif view_name == "table" and request is not None and request.args.get("_search"):
            found["newscrawl_search"] = views.search_vars(
                datasette, database, request.args["_search"]
            )
        return found

    return template_vars


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (views.CSS_ROUTE, views.css),
        (views.ARTICLES_CSS_ROUTE, views.articles_css),
        (DIFF_ROUTE, views.diff_page),
        (CAPTURE_ROUTE, views.capture_page),
        (coverage_page.COVERAGE_ROUTE, coverage_page.coverage_page),
        (coverage_page.COVERAGE_INDEX_ROUTE, coverage_page.coverage_index),
    ]
