"""Two miniature newspapers: an NDSoft site (UTF-8) and a GnuBoard 5 site (EUC-KR).

Each has a home page, robots.txt with a Sitemap: line, an RSS feed, a sitemap, list pages with
pagination, articles (real page markup with title, id and dates substituted), a 404, a redirect,
a duplicate URL variant, a non-article page and a robots-forbidden article link.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from tests.mocksite import GNUBOARD_TEMPLATE, NDSOFT_TEMPLATE
from tests.mocksite.server import Resource, redirect

KST = timezone(timedelta(hours=9))


@dataclass(slots=True)
class MockArticle:
    """One article of a mock site; change ``extra`` to publish a correction."""

    id: int
    title: str
    published: datetime
    extra: str = ""


def _articles(first_id: int, count: int, now: datetime, title: str) -> list[MockArticle]:
    """Newest first: the first article is 3 hours old (inside the revisit window), the rest
    are 10+ days old (outside it)."""
    out = []
    for i in range(count):
        age = timedelta(hours=3) if i == 0 else timedelta(days=10 + i)
        when = (now - age).astimezone(KST).replace(second=0, microsecond=0)
        out.append(MockArticle(first_id + i, f"{title} {i + 1}호", when))
    return out


def _page(title: str, links: list[tuple[str, str]], head: str = "") -> str:
    items = "\n".join(f'<li><a href="{html.escape(u)}">{html.escape(t)}</a></li>' for u, t in links)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
        f"<body><h1>{title}</h1><ul>{items}</ul></body></html>"
    )


class NdsoftSite:
    """A jnilbo.com-like NDSoft site: ``/news/articleView.html?idxno=N``."""

    cms = "ndsoft"
    per_page = 4

    def __init__(self, base_url: str = "", *, count: int = 12, now: datetime | None = None):
        self.base = base_url.rstrip("/")
        now = now or datetime.now(KST)
        self.articles = _articles(1001, count, now, "광주FC 코리아컵 소식")
        self.by_id = {a.id: a for a in self.articles}
        self.template = NDSOFT_TEMPLATE.read_text(encoding="utf-8")
        self.listed = self.articles[:-1]  # the last one is reachable only through a redirect
        self.redirect_id, self.missing_id, self.empty_id = 999, 1099, 1098

    def url(self, idxno: int, view: str = "articleView") -> str:
        return f"{self.base}/news/{view}.html?idxno={idxno}"

    def article_html(self, a: MockArticle) -> bytes:
        page = self.template.replace("광주FC, 퇴장 악재속 코리아컵 준우승", a.title)
        page = page.replace("90000015817", str(a.id)).replace("https://www.jnilbo.com", self.base)
        page = page.replace("2025-12-06T16:43", a.published.strftime("%Y-%m-%dT%H:%M"))
        page = page.replace("2025.12.06 16:43", a.published.strftime("%Y.%m.%d %H:%M"))
        page = page.replace("2025-12-06", a.published.strftime("%Y-%m-%d"))
        page = page.replace("2025.12.06", a.published.strftime("%Y.%m.%d"))
        page = page.replace("준우승에 그쳤다.", f"준우승에 그쳤다. 기사 번호 {a.id}.{a.extra}")
        return page.encode("utf-8")

    def home(self) -> str:
        links = [(self.url(a.id), a.title) for a in self.articles[:3]]
        links += [
            (self.url(self.articles[1].id, "articlePrint"), "인쇄"),  # duplicate: print view
            (self.url(self.articles[2].id) + "&utm_source=home", "공유"),  # duplicate: tracking
            ("/news/articleList.html?view_type=sm", "전체기사"),
            ("/com/company.html", "회사소개"),  # not an article
            ("/admin/news/articleView.html?idxno=7777", "관리"),  # forbidden by robots.txt
        ]
        feed = '<link rel="alternate" type="application/rss+xml" href="/rss/allArticle.xml">'
        return _page("목포 뉴스 - 전남", links, feed)

    def list_page(self, page: int) -> str:
        chunk = self.listed[(page - 1) * self.per_page : page * self.per_page]
        links = [(self.url(a.id), f"{a.title} {a.published:%Y.%m.%d %H:%M}") for a in chunk]
        if page == 3:
            links += [
                (self.url(self.missing_id), "삭제된 기사"),
                (self.url(self.redirect_id), "옛 주소"),
            ]
            links += [(self.url(self.empty_id), "없는 기사")]
        links.append((f"/news/articleList.html?view_type=sm&page={page + 1}", "다음"))
        return _page(f"전체기사 {page}", links)

    def feed(self) -> str:
        items = "".join(
            f"<item><title>{html.escape(a.title)}</title><link>{self.url(a.id)}</link>"
            f"<pubDate>{a.published:%Y-%m-%d %H:%M:%S}</pubDate></item>"
            for a in self.articles[:4]
        )
        head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
        return f"{head}<channel>{items}</channel></rss>"

    def sitemap(self, name: str) -> str:
        ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        if name == "index":
            when = self.articles[0].published.isoformat()
            return (
                f'<?xml version="1.0"?><sitemapindex {ns}><sitemap>'
                f"<loc>{self.base}/sitemap-news.xml</loc><lastmod>{when}</lastmod></sitemap></sitemapindex>"
            )
        news = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
        urls = "".join(
            f"<url><loc>{self.url(a.id)}</loc><news:news><news:publication_date>"
            f"{a.published.isoformat()}</news:publication_date></news:news></url>"
            for a in self.articles[:5]
        )
        return f'<?xml version="1.0"?><urlset {ns} {news}>{urls}</urlset>'

    def __call__(self, path: str, query: dict[str, str]) -> Resource | None:
        xml = "application/xml; charset=utf-8"
        if path == "/":
            return Resource(self.home().encode())
        if path == "/robots.txt":
            text = f"User-agent: *\nDisallow: /admin/\nSitemap: {self.base}/sitemap.xml\n"
            return Resource(text.encode(), content_type="text/plain")
        if path == "/rss/allArticle.xml":
            return Resource(self.feed().encode(), content_type=xml)
        if path == "/sitemap.xml":
            return Resource(self.sitemap("index").encode(), content_type=xml)
        if path == "/sitemap-news.xml":
            return Resource(self.sitemap("news").encode(), content_type=xml)
        if path == "/news/articleList.html":
            return Resource(self.list_page(int(query.get("page", "1"))).encode())
        if path == "/com/company.html":
            return Resource(_page("회사소개", []).encode())
        if path in ("/news/articleView.html", "/news/articlePrint.html"):
            idxno = int(query.get("idxno", "0"))
            if idxno == self.redirect_id:
                return redirect(self.url(self.articles[-1].id))
            if idxno == self.empty_id:
                return Resource(_page("존재하지 않는 기사입니다", []).encode())
            if idxno in self.by_id:
                return Resource(self.article_html(self.by_id[idxno]))
        return None


class GnuboardSite:
    """A kbsm.net-like GnuBoard 5 site in EUC-KR: ``/bbs/board.php?bo_table=news&wr_id=N``."""

    cms = "gnuboard"
    per_page = 3
    charset = "euc-kr"

    def __init__(self, base_url: str = "", *, count: int = 7, now: datetime | None = None):
        self.base = base_url.rstrip("/")
        now = now or datetime.now(KST)
        self.articles = _articles(201, count, now, "대구시 스마트시티 전략 논의")
        self.by_id = {a.id: a for a in self.articles}
        self.template = GNUBOARD_TEMPLATE.read_bytes().decode("cp949")
        self.listed = self.articles[:-1]
        self.redirect_id, self.missing_id = 250, 299

    def url(self, wr_id: int, page: int | None = None) -> str:
        extra = f"&page={page}" if page else ""
        return f"{self.base}/bbs/board.php?bo_table=news&wr_id={wr_id}{extra}"

    def encode(self, text: str) -> bytes:
        return text.replace("charset='utf-8'", "charset='euc-kr'").encode(self.charset)

    def article_html(self, a: MockArticle) -> bytes:
        page = self.template.replace(
            "대구시, 세계 16개 도시와 뉴노멀 시대 스마트시티 전략 논의", a.title
        )
        page = page.replace("263381", str(a.id)).replace("https://www.kbsm.net", self.base)
        page = page.replace("</span>21-03-23 20:20", f"</span>{a.published:%y-%m-%d %H:%M}")
        page = page.replace("논의했다.", f"논의했다. 글 번호 {a.id}.{a.extra}")
        return page.encode(self.charset)

    def home(self) -> str:
        links = [(self.url(a.id), a.title) for a in self.articles[:2]]
        links += [
            ("/bbs/board.php?bo_table=news", "뉴스"),
            ("/bbs/board.php?bo_table=news&sca=정치", "정치"),
            ("/bbs/content.php?co_id=company", "회사소개"),  # not an article
        ]
        feed = '<link rel="alternate" type="application/rss+xml" href="/bbs/rss.php?bo_table=news">'
        return _page("경북 뉴스", links, feed)

    def list_page(self, page: int) -> str:
        chunk = self.listed[(page - 1) * self.per_page : page * self.per_page]
        # GnuBoard carries the list page in article links: a duplicate URL variant.
        links = [(self.url(a.id, page), f"{a.title} {a.published:%y-%m-%d}") for a in chunk]
        if page == 2:
            links += [
                (self.url(self.missing_id), "삭제된 글"),
                (self.url(self.redirect_id), "옛 글"),
            ]
        links.append((f"/bbs/board.php?bo_table=news&page={page + 1}", "다음"))
        return _page(f"뉴스 {page} 페이지", links)

    def feed(self) -> str:
        items = "".join(
            f"<item><title>{html.escape(a.title)}</title><link>{html.escape(self.url(a.id))}</link>"
            f"<pubDate>{a.published:%a, %d %b %Y %H:%M:%S +0900}</pubDate></item>"
            for a in self.articles[:3]
        )
        head = '<?xml version="1.0" encoding="euc-kr"?><rss version="2.0">'
        return f"{head}<channel>{items}</channel></rss>"

    def __call__(self, path: str, query: dict[str, str]) -> Resource | None:
        page_type = f"text/html; charset={self.charset}"
        if path == "/":
            return Resource(self.encode(self.home()), content_type=page_type)
        if path == "/robots.txt":
            text = f"User-agent: *\nDisallow: /adm/\nSitemap: {self.base}/sitemap.xml\n"
            return Resource(text.encode(), content_type="text/plain")
        if path == "/bbs/rss.php":
            return Resource(self.feed().encode(self.charset), content_type="text/xml")
        if path == "/sitemap.xml":
            urls = "".join(
                f"<url><loc>{html.escape(self.url(a.id))}</loc>"
                f"<lastmod>{a.published.isoformat()}</lastmod></url>"
                for a in self.articles[:4]
            )
            ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
            body = f'<?xml version="1.0"?><urlset {ns}>{urls}</urlset>'
            return Resource(body.encode(), content_type="application/xml")
        if path == "/bbs/content.php":
            return Resource(self.encode(_page("회사소개", [])), content_type=page_type)
        if path == "/bbs/board.php" and query.get("bo_table") == "news":
            if "wr_id" not in query:
                return Resource(
                    self.encode(self.list_page(int(query.get("page", "1")))), content_type=page_type
                )
            wr_id = int(query["wr_id"])
            if wr_id == self.redirect_id:
                return redirect(self.url(self.articles[-1].id), status=302)
            if wr_id in self.by_id:
                return Resource(self.article_html(self.by_id[wr_id]), content_type=page_type)
        return None
