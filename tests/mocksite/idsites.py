"""Two miniature newspapers whose article ids are sequential, for id-range backfills: an NDSoft
site and a GnuBoard board of ``count`` ids each, whose feed and list pages show only the
newest ``shown`` articles; some ids answer 404 (``missing``), some a deleted-post page and
some a page that is no article (``not_articles``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.mocksite.server import Resource
from tests.mocksite.sites import KST, GnuboardSite, MockArticle, NdsoftSite, _page

MISSING = (13, 57, 58, 120, 199)  # 404
NOT_ARTICLES = (77, 150)  # a deleted-post page, a photo index page
DELETED = "<script>alert('삭제된 기사입니다.');history.back();</script>"


def _numbered(count: int, title: str, skip: set[int]) -> list[MockArticle]:
    """Articles 1..count but ``skip``, newest (highest id) first, one a day to yesterday."""
    start = datetime.now(KST).replace(hour=9, minute=0, second=0, microsecond=0)
    start -= timedelta(days=count)
    return [
        MockArticle(n, f"{title} {n}호", start + timedelta(days=n - 1))
        for n in range(count, 0, -1)
        if n not in skip
    ]


def _not_article(number: int) -> str:
    if number == NOT_ARTICLES[0]:  # what NDSoft and GnuBoard answer for a deleted post
        return f"<!doctype html><html><head><meta charset='utf-8'>{DELETED}</head></html>"
    links = [(f"/photo/{i}.jpg", f"사진 {i}") for i in range(5)]
    return _page("포토 뉴스", links)


class IdRange:
    """What both sites add to their family's mock: ids 1..count, of which the feed and the
    first list page show only the newest ``shown``."""

    articles: list[MockArticle]

    def number(self, count: int, title: str, *, shown: int) -> None:
        self.articles = _numbered(count, title, {*MISSING, *NOT_ARTICLES})
        self.by_id = {a.id: a for a in self.articles}
        self.listed = self.articles[:shown]
        self.per_page = shown

    def feed(self) -> str:
        saved, self.articles = self.articles, self.listed
        try:
            return super().feed()  # of the family the site also derives from
        finally:
            self.articles = saved


class NdsoftIdSite(IdRange, NdsoftSite):
    """NDSoft: ``/news/articleView.html?idxno=1..count``; lists print ``총 N건``."""

    def __init__(self, base_url: str = "", *, count: int = 200, shown: int = 20) -> None:
        super().__init__(base_url, count=1)
        self.number(count, "전남 소식", shown=shown)

    def home(self) -> str:
        links = [(self.url(a.id), a.title) for a in self.articles[3:6]]  # not the newest
        links.append(("/news/articleList.html?view_type=sm", "전체기사"))
        return _page("목포 뉴스 - 전남", links)

    def list_page(self, page: int) -> str:
        chunk = self.listed if page == 1 else []  # the site pages no further back
        links = [(self.url(a.id), a.title) for a in chunk]
        return _page(f"전체기사 {page}", links).replace(
            "<ul>", f"<p>총 {len(self.articles):,}건의 기사가 있습니다</p><ul>"
        )

    def __call__(self, path: str, query: dict[str, str]) -> Resource | None:
        if path == "/robots.txt":
            return Resource(b"User-agent: *\nDisallow: /admin/\n", content_type="text/plain")
        if path == "/news/articleView.html":
            number = int(query.get("idxno", "0"))
            if number in NOT_ARTICLES:
                return Resource(_not_article(number).encode())
            if number not in self.by_id:
                return None
            return Resource(self.article_html(self.by_id[number]))
        return super().__call__(path, query)


class GnuboardIdSite(IdRange, GnuboardSite):
    """GnuBoard, in EUC-KR: ``/bbs/board.php?bo_table=news&wr_id=1..count``."""

    def __init__(self, base_url: str = "", *, count: int = 200, shown: int = 20) -> None:
        super().__init__(base_url, count=1)
        self.number(count, "경북 소식", shown=shown)
        self.redirect_id = self.missing_id = -1

    def list_page(self, page: int) -> str:
        chunk = self.listed if page == 1 else []
        links = [(self.url(a.id), a.title) for a in chunk]
        return _page(f"뉴스 {page} 페이지", links)

    def __call__(self, path: str, query: dict[str, str]) -> Resource | None:
        if path == "/robots.txt":
            return Resource(b"User-agent: *\nDisallow: /adm/\n", content_type="text/plain")
        if path == "/bbs/board.php" and "wr_id" in query:
            number = int(query["wr_id"])
            if number in NOT_ARTICLES:
                page_type = f"text/html; charset={self.charset}"
                return Resource(self.encode(_not_article(number)), content_type=page_type)
        return super().__call__(path, query)
