"""No suggested facets on an archive's growing tables, unless the reader asks for them.

On every table page datasette suggests facets: for each column it counts the distinct
values over the whole table (a query a column, up to ``facet_suggest_time_limit_ms`` each,
run as many as there are columns and facet kinds). On an archive that is most of the page's
time, and it grows with the archive: at 300,000 articles the articles table took 3.2 s to
open, 0.7 s without the suggestions; a search of it 1.9-3.7 s, 0.3-1.0 s without. So a
request for one of these tables gets ``_nosuggest=1`` added, unless it names ``_nosuggest``
itself: ``?_nosuggest=`` (empty) brings the suggestions back. The facets of metadata.yml
and those a reader adds (``_facet=``) are computed as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from datasette.utils import tilde_decode

from archive.datasette_plugin.metadata import archive_databases

__all__ = ["GROWING_TABLES", "without_suggestions"]

#: Tables with a row (or more) per article or per fetch.
GROWING_TABLES = frozenset({"articles", "revisions", "captures", "blobs", "article_ids"})

Scope = MutableMapping[str, Any]
App = Callable[[Scope, Any, Any], Awaitable[None]]


def without_suggestions(datasette: Any, app: App) -> App:
    """``app`` with ``_nosuggest=1`` added to requests for a growing archive table."""

    async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
        if scope.get("type") == "http" and _growing_table(datasette, scope):
            query = scope.get("query_string", b"")
            if not any(
                name == "_nosuggest"
                for name, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True)
            ):
                scope = dict(scope, query_string=(query + b"&" if query else b"") + b"_nosuggest=1")
        await app(scope, receive, send)

    return wrapped


def _growing_table(datasette: Any, scope: Scope) -> bool:
    path = str(scope.get("path", ""))
    base = datasette.setting("base_url")
    if base != "/" and path.startswith(base):
        path = "/" + path[len(base) :]
    parts = path.strip("/").split("/")
    if len(parts) != 2:  # /DB/TABLE (or TABLE.json, .csv): a table page, not a row
        return False
    database, table = tilde_decode(parts[0]), tilde_decode(parts[1].split(".", 1)[0])
    return table in GROWING_TABLES and database in archive_databases(datasette)
