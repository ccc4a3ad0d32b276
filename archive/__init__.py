"""The SQLite archive of newscrawl: captures, articles, revisions and Korean full-text search.

It never imports Scrapy or newscrawl, so it can be used (and queried) on its own.
"""

from archive.blobs import Blob, pack_blob
from archive.commits import GroupCommit
from archive.schema import open_db
from archive.search import Hit, rebuild_index, search
from archive.store import (
    Capture,
    SaveResult,
    captured_urls,
    finish_run,
    incomplete_sites,
    iter_captures,
    known_articles,
    load_capture,
    save,
    save_extraction,
    start_run,
    upsert_site,
)

__all__ = [
    "Blob",
    "Capture",
    "GroupCommit",
    "Hit",
    "SaveResult",
    "captured_urls",
    "finish_run",
    "incomplete_sites",
    "iter_captures",
    "known_articles",
    "load_capture",
    "open_db",
    "pack_blob",
    "rebuild_index",
    "save",
    "save_extraction",
    "search",
    "start_run",
    "upsert_site",
]
