"""What the crawl does with a fetched Page to make it ready for the archive: extract its
Article (``newscrawl.extract``) and pack its raw bytes, in the extraction workers or inline.

No Scrapy here: the worker processes import this module, and Scrapy and Twisted would add
~28 MB to each of them. Besides the Article, a worker packs the page's raw bytes for the
archive (sha256 and zstd) and makes the article's search-index text (character bigrams),
pure CPU that the crawler process, the busier one and the archive's one writer, is spared.
"""

from __future__ import annotations

from dataclasses import dataclass

from archive.blobs import Blob, pack_blob
from archive.saves import ARTICLE_STATUSES
from archive.search import IndexText
from newscrawl.extract import extract
from newscrawl.extract.article import Article, Status
from newscrawl.items import Page
from newscrawl.urls import canonical_url

__all__ = ["Prepared", "extract_page", "failed_page", "prepare_page"]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A page made ready for the archive: its Article, its raw bytes packed and, for an
    article, the bigram text the search index will hold."""

    article: Article
    blob: Blob
    indexed: IndexText | None = None


def extract_page(page: Page) -> Article:
    """The Article of a fetched page; an HTTP error page is recorded as not an article.

    The article's URL is the one the page was fetched from (after redirects), or a canonical
    it declares on its own site (``page.site_hosts`` included), never another site's."""
    if page.status >= 400:
        return _unextracted(page, Status.NOT_ARTICLE, f"HTTP {page.status}")
    article = extract(page.body, page.final_url, encoding=page.encoding, site_hosts=page.site_hosts)
    article.site = page.site
    return article


def prepare_page(page: Page) -> Prepared:
    """:func:`extract_page`, the packed raw bytes and the index text, in one call (one trip
    to a worker)."""
    article = extract_page(page)
    indexed = None
    if article.status in ARTICLE_STATUSES:
        # What the archive will store and index (archive.articles.article_fields).
        indexed = IndexText.of(article.title, article.body or "")
    return Prepared(article, pack_blob(page.body), indexed)


def failed_page(page: Page, message: str) -> Prepared:
    """A page whose extraction did not return (it raised, or killed its worker process):
    an ``empty`` Article saying why, and the raw bytes packed, so the capture is archived."""
    return Prepared(_unextracted(page, Status.EMPTY, message), pack_blob(page.body))


def _unextracted(page: Page, status: Status, message: str) -> Article:
    """The Article of a page that extraction did not read: only its address and why."""
    return Article(
        url=page.final_url,
        canonical_url=canonical_url(page.final_url),
        site=page.site,
        status=status,
        messages=[message],
    )
