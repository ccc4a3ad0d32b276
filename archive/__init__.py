"""The SQLite archive of newscrawl: captures, articles, revisions and Korean full-text search.

It never imports Scrapy or newscrawl, so it can be used (and queried) on its own.
"""

from archive.blobs import Blob, pack_blob
from archive.commits import GroupCommit
from archive.reads import Capture, captured_urls, iter_captures, known_articles, load_capture
from archive.runs import finish_run, incomplete_sites, start_run
from archive.saves import SaveResult, save, save_extraction, upsert_site
from archive.schema import open_db
from archive.search import Hit, IndexText, rebuild_index, search

__all__ = [
    "Blob",
    "Capture",
    "GroupCommit",
    "Hit",
    "IndexText",
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
