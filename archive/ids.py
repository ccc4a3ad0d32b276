"""Sequential article ids in URLs: NDSoft's ``articleView.html?idxno=N`` and GnuBoard's
``board.php?bo_table=T&wr_id=N``.

Pure URL knowledge (no Scrapy, no newscrawl): the archive uses it to keep its coverage of
each site's id space, the crawler to request every id of a range. An id lives in a *series*:
``idxno`` for NDSoft (one numbering per site), ``bo_table=T`` for GnuBoard (one per board).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["ArticleId", "article_id", "id_url"]

_NDSOFT_PATH = re.compile(r"/article(?:View|Print)\.html$", re.I)
_GNUBOARD_PATH = re.compile(r"/board\.php$", re.I)
_NUMBER = re.compile(r"^[0-9]{1,12}$")
_BOARD = re.compile(r"^\w{1,64}$")


@dataclass(frozen=True, slots=True)
class ArticleId:
    """The series an article id belongs to and the id itself."""

    series: str  # "idxno" (NDSoft) or "bo_table=NAME" (GnuBoard)
    number: int


def article_id(url: str) -> ArticleId | None:
    """The sequential id of an NDSoft or GnuBoard article URL; None for any other URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if _NDSOFT_PATH.search(parts.path):
        number = query.get("idxno", "")
        return ArticleId("idxno", int(number)) if _NUMBER.match(number) else None
    if _GNUBOARD_PATH.search(parts.path):
        board, number = query.get("bo_table", ""), query.get("wr_id", "")
        if _BOARD.match(board) and _NUMBER.match(number):
            return ArticleId(f"bo_table={board}", int(number))
    return None


def id_url(template: str, number: int) -> str:
    """``template`` (an article URL of the series) with its id replaced by ``number``; other
    query parameters than the board and the id are dropped (a list page, a search)."""
    found = article_id(template)
    if found is None:
        raise ValueError(f"{template!r} is not an NDSoft or GnuBoard article URL")
    parts = urlsplit(template)
    if found.series == "idxno":
        query = [("idxno", str(number))]
    else:
        query = [("bo_table", found.series.split("=", 1)[1]), ("wr_id", str(number))]
    path = _NDSOFT_PATH.sub("/articleView.html", parts.path)
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))
