"""A miniature generic newspaper (no NDSoft or GnuBoard markup), built from a pattern here.

Its article ids start with a letter (``/news/article/A2026071220290000630``), one article has
a slug URL with no digits at all, and most articles declare a canonical on another host: a
story syndicated from 연합뉴스 or 뉴시스 (``rel=canonical`` or only ``og:url``), a staging
mirror. With ``sitemap=True`` its robots.txt names a sitemap that lists every article (one
twice, with a tracking parameter), the home page, eight section pages and a page robots.txt
forbids; without, its articles are found through its section list, three a page.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from tests.mocksite.server import Resource

KST = timezone(timedelta(hours=9))
NAME = "남도타임즈"


@dataclass(slots=True)
class GenericArticle:
    """One article: its path on the site and the canonical URL its page declares."""

    path: str
    title: str
    published: datetime
    canonical: str | None = None  # as the page writes it (absolute or relative)
    og_only: bool = False  # declared in og:url only, no rel=canonical


class GenericSite:
    """A generic site whose pages declare canonicals on other hosts."""

    cms = "generic"
    per_page = 3
    sections = 8

    def __init__(self, base_url: str = "", *, sitemap: bool = True, now: datetime | None = None):
        self.base = base_url.rstrip("/")
        self.has_sitemap = sitemap
        now = (now or datetime.now(KST)).astimezone(KST).replace(second=0, microsecond=0)
        ids = [f"A2026071220290000{630 + i}" for i in range(5)]
        when = [now - timedelta(days=10 + i) for i in range(6)]
        self.articles = [
            GenericArticle(
                f"/news/article/{ids[0]}",
                "광주 도심 폭우 피해 잇따라",
                when[0],
                f"https://www.yna.co.kr/view/AKR{ids[0][1:]}",
            ),
            GenericArticle(
                f"/news/article/{ids[1]}",
                "전남 섬 지역 여객선 운항 재개",
                when[1],
                f"https://www.newsis.com/view/NISX{ids[1][1:9]}_0001",
                og_only=True,
            ),
            GenericArticle(
                f"/news/article/{ids[2]}",
                "목포 구도심 문화거리 새 단장",
                when[2],
                f"/news/article/{ids[2]}?utm_source=canonical",  # its own URL, a variant
            ),
            GenericArticle(
                f"/news/article/{ids[3]}",
                "순천만 정원 방문객 역대 최다",
                when[3],
                f"https://staging.paper-cdn.net/news/article/{ids[3]}",
            ),
            GenericArticle(f"/news/article/{ids[4]}", "여수 밤바다 축제 개막", when[4]),
            GenericArticle(
                "/story/namdo-food-festival-opens",
                "남도 음식 문화 큰잔치 열려",
                when[5],
                "https://www.yna.co.kr/view/AKR20260712000999",
            ),
        ]
        self.by_path = {a.path: a for a in self.articles}

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def article_html(self, a: GenericArticle) -> bytes:
        head = [
            f"<title>{html.escape(a.title)} - {NAME}</title>",
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{html.escape(a.title)}">',
            f'<meta property="article:published_time" content="{a.published.isoformat()}">',
        ]
        if a.canonical and a.og_only:
            head.append(f'<meta property="og:url" content="{html.escape(a.canonical)}">')
        elif a.canonical:
            head.append(f'<link rel="canonical" href="{html.escape(a.canonical)}">')
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": a.title,
            "datePublished": a.published.isoformat(),
            "author": {"@type": "Person", "name": "김민수"},
        }
        head.append(
            f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
        )
        paragraphs = [
            f"{a.title} 소식이다. 지역 주민들은 이번 일을 두고 다양한 의견을 내놓았다.",
            "시는 관계 기관과 함께 현장을 점검하고 필요한 지원 방안을 마련하겠다고 밝혔다.",
            f"기사 식별 경로 {a.path} 를 본문에 남겨 둔다. 김민수 기자",
        ]
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        page = (
            '<!doctype html><html lang="ko"><head><meta charset="utf-8">'
            + "".join(head)
            + "</head><body><header><nav><a href='/'>홈</a>"
            + " <a href='/news/list?sc=society'>사회</a></nav></header><article>"
            + f"<h1 class='headline'>{html.escape(a.title)}</h1>"
            + f"<div class='byline'>김민수 기자 · 입력 {a.published:%Y.%m.%d %H:%M}</div>"
            + f"<div id='article-body' itemprop='articleBody'>{body}</div>"
            + f"</article><footer>{NAME} · 전남 목포시</footer></body></html>"
        )
        return page.encode("utf-8")

    def links_page(self, title: str, links: list[tuple[str, str]]) -> bytes:
        items = "".join(
            f'<li><a href="{html.escape(u)}">{html.escape(t)}</a></li>' for u, t in links
        )
        return (
            f"<!doctype html><html lang='ko'><head><meta charset='utf-8'><title>{title}</title>"
            f"</head><body><h1>{title}</h1><ul>{items}</ul></body></html>"
        ).encode()

    def home(self) -> bytes:
        shown = self.articles[:3] if self.has_sitemap else self.articles[:1]
        links = [(a.path, a.title) for a in shown]
        links += [("/news/list?sc=society", "사회"), ("/about", "회사소개")]
        return self.links_page(NAME, links)

    def list_page(self, page: int) -> bytes:
        listed = [a for a in self.articles if a.path.startswith("/news/article/")]
        chunk = listed[(page - 1) * self.per_page : page * self.per_page]
        links = [(a.path, f"{a.title} {a.published:%Y.%m.%d}") for a in chunk]
        if page * self.per_page < len(listed):
            links.append((f"/news/list?sc=society&page={page + 1}", "다음"))
        return self.links_page(f"사회 {page}", links)

    def sitemap(self) -> bytes:
        ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        locs = [self.url("/")]
        locs += [self.url(a.path) for a in self.articles]
        locs.append(self.url(self.articles[0].path) + "?utm_source=sitemap")
        locs += [self.url(f"/section/{n}") for n in range(1, self.sections + 1)]
        locs.append(self.url("/private/news/article/A2026071220290000999"))  # robots.txt: no
        urls = "".join(f"<url><loc>{html.escape(u)}</loc></url>" for u in locs)
        return f'<?xml version="1.0" encoding="utf-8"?><urlset {ns}>{urls}</urlset>'.encode()

    def __call__(self, path: str, query: dict[str, str]) -> Resource | None:
        if path == "/":
            return Resource(self.home())
        if path == "/robots.txt":
            text = "User-agent: *\nDisallow: /private/\n"
            if self.has_sitemap:
                text += f"Sitemap: {self.base}/sitemap.xml\n"
            return Resource(text.encode(), content_type="text/plain")
        if path == "/sitemap.xml" and self.has_sitemap:
            return Resource(self.sitemap(), content_type="application/xml; charset=utf-8")
        if path == "/news/list":
            return Resource(self.list_page(int(query.get("page", "1"))))
        if path.startswith("/section/"):
            links = [(a.path, a.title) for a in self.articles] + [("/", "홈")]
            return Resource(self.links_page(f"섹션 {path.rsplit('/', 1)[1]}", links))
        if path == "/about":
            return Resource(self.links_page("회사소개", []))
        if path in self.by_path:
            return Resource(self.article_html(self.by_path[path]))
        return None
