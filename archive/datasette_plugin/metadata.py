"""The archive's datasette metadata (metadata.yml), for every database that is an archive.

datasette keys metadata by database name, which is the file's stem: metadata.yml names
its block ``news`` and applies only to news.db. The plugin hands the same block to
datasette under the name of each attached database that holds the archive's tables, so
descriptions, facets, the search box and the canned queries follow the data, not the name.
"""

from __future__ import annotations

import copy
import html
import sqlite3
import time
from functools import cache
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "ALL_COLUMNS",
    "ARCHIVE_TABLES",
    "METADATA_PATH",
    "ArchiveDetector",
    "archive_databases",
    "archive_metadata",
]

METADATA_PATH = Path(__file__).resolve().parents[1] / "metadata.yml"

#: A database holding these is an archive (written by archive.schema).
ARCHIVE_TABLES = frozenset({"articles", "revisions", "captures", "blobs", "articles_search"})

#: The query parameter that shows every column of the articles table.
ALL_COLUMNS = "_columns"

#: Default name of the archive's block in metadata.yml.
_BLOCK = "news"


@cache
def _loaded() -> dict[str, Any]:
    return yaml.safe_load(METADATA_PATH.read_text(encoding="utf-8"))


def _columns_html(table: dict[str, Any]) -> str:
    # datasette prints column descriptions above the rows (1,200 px of them for articles);
    # here they stay one click away, and the page opens on data (the CSS hides datasette's
    # own list on archive tables).
    columns = table.get("columns") or {}
    if not columns:
        return ""
    items = "".join(
        f"<dt>{html.escape(name)}</dt><dd>{html.escape(text)}</dd>"
        for name, text in columns.items()
    )
    return (
        f'<details class="newscrawl-columns"><summary>About the {len(columns)} columns</summary>'
        f"<dl>{items}</dl></details>"
    )


@cache
def _database_block() -> dict[str, Any]:
    block = copy.deepcopy(_loaded()["databases"][_BLOCK])
    for table in block.get("tables", {}).values():
        if "description" in table and "description_html" not in table:
            table["description_html"] = (
                f"<p>{html.escape(table['description'])}</p>{_columns_html(table)}"
            )
    # The articles table shows its reading columns (articles-columns.css) unless asked.
    block["tables"]["articles"]["description_html"] += (
        f'<p class="newscrawl-all-columns"><a href="?{ALL_COLUMNS}=all">Show all columns</a></p>'
    )
    return block


def archive_metadata(databases: list[str]) -> dict[str, Any]:
    """Metadata for a datasette serving these archive databases (none: empty)."""
    if not databases:
        return {}
    top = {k: v for k, v in _loaded().items() if k != "databases"}
    # A copy each time: datasette merges other metadata sources into what hooks return.
    return copy.deepcopy({**top, "databases": {name: _database_block() for name in databases}})


class ArchiveDetector:
    """Which of datasette's databases are archives, remembered per database file.

    ``get_metadata`` is synchronous and called many times a page, so the answer is cached:
    a yes for good, a no for :attr:`RECHECK` seconds (a crawl may create the tables in a
    file datasette already serves).
    """

    RECHECK = 10.0

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], tuple[bool, float]] = {}

    def __call__(self, datasette: Any) -> list[str]:
        names = []
        for name, database in datasette.databases.items():
            path = getattr(database, "path", None)
            if not path or getattr(database, "is_memory", False):
                continue
            key = (name, str(path))
            known = self._known.get(key)
            if known is None or not (known[0] or time.monotonic() - known[1] < self.RECHECK):
                known = (_holds_archive(Path(path)), time.monotonic())
                self._known[key] = known
            if known[0]:
                names.append(name)
        return names


def _holds_archive(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error:
        return False  # not a database; datasette says so itself
    finally:
        conn.close()
    return tables >= ARCHIVE_TABLES


#: The plugin's one detector (its cache lives as long as the process).
archive_databases = ArchiveDetector()
