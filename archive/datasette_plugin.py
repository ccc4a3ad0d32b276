"""A datasette plugin: the articles table's search box finds Korean terms of any length.

datasette turns ``?_search=`` into ``MATCH escape_fts(:search)``, which quotes each word:
``"경주시"`` is one token, never found in an index of bigrams. In an archive database (one
that has the ``articles_search`` index) this plugin replaces ``escape_fts`` with
:func:`archive.grams.fts_query`, the expression the ``search`` command and canned query use:
``"경주 주시"``, which finds 경주시 inside 경주시는. Other databases keep datasette's own.

Registered as a ``datasette`` entry point in pyproject.toml, so installing newscrawl
installs it.
"""

from __future__ import annotations

import sqlite3

from datasette import hookimpl

from archive.grams import fts_query
from archive.schema import SEARCH_TABLE


def escape_fts(query: str | None) -> str:
    # '""' matches nothing: a query without letters or digits finds no article.
    return fts_query(query or "") or '""'


@hookimpl(trylast=True)  # after datasette's own prepare_connection defines escape_fts
def prepare_connection(conn: sqlite3.Connection) -> None:
    try:
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [SEARCH_TABLE]
        ).fetchone()
    except sqlite3.DatabaseError:
        return  # not a database datasette can read either; it reports that itself
    if found:
        conn.create_function("escape_fts", 1, escape_fts, deterministic=True)
