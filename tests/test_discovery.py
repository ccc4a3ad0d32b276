"""discovery: feeds, robots.txt, sitemaps, list pages and article-URL rules, on strings."""

from __future__ import annotations

import gzip
from datetime import date, datetime, timedelta, timezone

import pytest

from newscrawl import discovery as d

KST = timezone(timedelta(hours=9))
BASE = "https://www.jnilbo.com/"

NDSOFT_RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>\xec\xa0\x84\xeb\x82\xa8\xec\x9d\xbc\xeb\xb3\xb4</title>
<item><title>A</title><link>https://www.jnilbo.com/news/articleView.html?idxno=1</link>
<pubDate>2025-12-06 16:43:04</pubDate></item>
<item><title>B</title><link> /news/articleView.html?idxno=2 </link>
<pubDate>Sat, 06 Dec 2025 07:00:00 GMT</pubDate></item>
</channel></rss>"""

ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry>
<link rel="alternate" href="https://ex.kr/a/1"/><link rel="edit" href="https://ex.kr/edit/1"/>
<published>2025-12-06T16:43:04+09:00</published></entry></feed>"""

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://www.jnilbo.com/news/articleView.html?idxno=1</loc>
<lastmod>2025-12-07T00:00:00+09:00</lastmod>
<news:news><news:publication_date>2025-12-06T16:43:04+09:00</news:publication_date></news:news>
</url>
<url><loc>https://www.jnilbo.com/news/articleView.html?idxno=2</loc><lastmod>2025-12-05</lastmod></url>
</urlset>"""

INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://www.jnilbo.com/sitemap-2025-12.xml</loc><lastmod>2025-12-06</lastmod></sitemap>
<sitemap><loc>https://www.jnilbo.com/sitemap-2020-01.xml.gz</loc></sitemap>
</sitemapindex>"""


def test_ndsoft_rss_with_its_own_date_format() -> None:
    feed = d.parse_feed(NDSOFT_RSS, BASE)
    assert feed.broken is None
    links = feed.links
    assert [link.url for link in links] == [
        "https://www.jnilbo.com/news/articleView.html?idxno=1",
        "https://www.jnilbo.com/news/articleView.html?idxno=2",
    ]
    assert links[0].published == datetime(2025, 12, 6, 16, 43, 4, tzinfo=KST)
    assert links[1].published == datetime(2025, 12, 6, 16, 0, tzinfo=KST)


def test_atom_takes_the_alternate_link() -> None:
    (link,) = d.parse_feed(ATOM, "https://ex.kr/").links
    assert link.url == "https://ex.kr/a/1"
    assert link.published == datetime(2025, 12, 6, 16, 43, 4, tzinfo=KST)


@pytest.mark.parametrize(
    ("body", "feed_reason", "sitemap_reason"),
    [
        (b"", "not_xml", "not_xml"),
        (b"\xff\xfe", "not_xml", "not_xml"),
        (b"<html><body>not a feed", "not_a_feed", "not_a_sitemap"),
        (b"\x1f\x8bgarbage", "gzip", "gzip"),
        (gzip.compress(b"<html>a soft 404</html>"), "not_a_feed", "not_a_sitemap"),
        (NEWS_SITEMAP, "not_a_feed", None),
        (NDSOFT_RSS, None, "not_a_sitemap"),
    ],
)
def test_a_broken_document_says_why(
    body: bytes, feed_reason: str | None, sitemap_reason: str | None
) -> None:
    feed, sitemap = d.parse_feed(body, BASE), d.parse_sitemap(body, BASE)
    assert (feed.broken and feed.broken.reason) == feed_reason
    assert (sitemap.broken and sitemap.broken.reason) == sitemap_reason
    if feed.broken:
        assert feed.links == [] and feed.broken.message
    if sitemap.broken:
        assert sitemap.urls == sitemap.sitemaps == [] and sitemap.broken.message


def test_an_empty_sitemap_is_not_a_broken_one() -> None:
    empty = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'
    assert d.parse_sitemap(empty, BASE) == d.Sitemap()
    assert d.parse_feed(b"<rss><channel></channel></rss>", BASE) == d.Feed()


def test_a_sitemap_past_the_size_bound_is_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(d, "MAX_XML_BYTES", 100)
    broken = d.parse_sitemap(gzip.compress(NEWS_SITEMAP), BASE).broken
    assert broken is not None and broken.reason == "too_large"


def test_news_sitemap_keeps_publication_date_over_lastmod() -> None:
    sitemap = d.parse_sitemap(NEWS_SITEMAP, BASE)
    assert sitemap.sitemaps == []
    first, second = sitemap.urls
    assert first.published == datetime(2025, 12, 6, 16, 43, 4, tzinfo=KST)
    assert second.published == datetime(2025, 12, 5, tzinfo=KST)


def test_sitemap_index_and_gzip() -> None:
    index = d.parse_sitemap(gzip.compress(INDEX), BASE)
    assert [s.url for s in index.sitemaps] == [
        "https://www.jnilbo.com/sitemap-2025-12.xml",
        "https://www.jnilbo.com/sitemap-2020-01.xml.gz",
    ]
    assert index.sitemaps[0].published == datetime(2025, 12, 6, tzinfo=KST)
    assert index.sitemaps[1].published is None
    assert index.urls == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-12-06T16:43:04+09:00", datetime(2025, 12, 6, 16, 43, 4, tzinfo=KST)),
        ("2025-12-06T07:43:04Z", datetime(2025, 12, 6, 16, 43, 4, tzinfo=KST)),
        ("2025-12-06 16:43", datetime(2025, 12, 6, 16, 43, tzinfo=KST)),
        ("Sat, 06 Dec 2025 16:43:04 +0900", datetime(2025, 12, 6, 16, 43, 4, tzinfo=KST)),
        ("2025-13-45", None),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(text: str | None, expected: datetime | None) -> None:
    assert d.parse_date(text) == expected


@pytest.mark.parametrize(
    ("html", "cms"),
    [
        (
            '<a href="/news/articleView.html?idxno=1">a</a><link href="/rss/allArticle.xml">',
            "ndsoft",
        ),
        (
            '<a href="/bbs/board.php?bo_table=news&wr_id=3">a</a><script>g5_bbs_url=""</script>',
            "gnuboard",
        ),
        ('<a href="/view/2025/12/06/story">a</a>', "generic"),
    ],
)
def test_detect_cms(html: str, cms: str) -> None:
    assert d.detect_cms(html, "https://x.kr/") == cms


@pytest.mark.parametrize(
    ("url", "cms", "expected"),
    [
        ("https://www.jnilbo.com/news/articleView.html?idxno=90000015817", "ndsoft", True),
        ("https://www.jnilbo.com/news/articleView.html?mod=news&idxno=1", "ndsoft", True),
        ("https://www.jnilbo.com/news/articleList.html?sc_section_code=S1N1", "ndsoft", False),
        ("https://www.kbsm.net/bbs/board.php?bo_table=news&wr_id=263381", "gnuboard", True),
        ("https://www.kbsm.net/bbs/board.php?wr_id=263381&bo_table=news&page=2", "gnuboard", True),
        ("https://www.kbsm.net/bbs/board.php?bo_table=news&page=2", "gnuboard", False),
        ("https://www.busan.com/view/busan/view.php?code=2025120618000012345", "generic", True),
        ("https://www.imaeil.com/page/view/2025120616430012345", "generic", True),
        ("https://www.busan.com/list.php?section=society", "generic", False),
        ("https://www.busan.com/photo/20251206123456.jpg", "generic", False),
        ("https://www.paper.co.kr/news/article/A2026071220290000630", "generic", True),
        ("https://www.paper.co.kr/view.php?id=NISX20260712_0001", "generic", True),
        ("https://www.paper.co.kr/news/article/A123", "generic", False),
        ("https://www.paper.co.kr/story/namdo-food-festival-opens", "generic", False),
        ("javascript:void(0)", "generic", False),
    ],
)
def test_is_article_url(url: str, cms: str, expected: bool) -> None:
    assert d.is_article_url(url, cms) is expected


def test_site_pattern_overrides_the_cms_rule() -> None:
    pattern = r"newsitem\.asp\?pk_no=\d+"
    assert d.is_article_url(
        "http://www.daejonilbo.com/news/newsitem.asp?pk_no=1412361", "generic", pattern=pattern
    )
    assert not d.is_article_url(
        "http://www.daejonilbo.com/news/list.asp?pk_no=1", "generic", pattern=pattern
    )


def test_list_urls_and_pagination() -> None:
    first = "https://www.jnilbo.com/news/articleList.html?view_type=sm"
    assert d.is_list_url(first, "ndsoft")
    assert d.list_page_number(first) == 1
    second = d.next_list_page(first)
    assert second == first + "&page=2"
    assert d.next_list_page(second) == first + "&page=3"
    board = "https://www.kbsm.net/bbs/board.php?bo_table=news&page=4"
    assert d.is_list_url(board, "gnuboard") and not d.is_list_url(board + "&wr_id=1", "gnuboard")
    assert d.next_list_page(board) == "https://www.kbsm.net/bbs/board.php?bo_table=news&page=5"


def test_page_links_feed_links_and_dates() -> None:
    html = """<html><head>
    <link rel="alternate" type="application/rss+xml" href="/rss/allArticle.xml"></head>
    <body><a href="/a?id=1#top">1</a><a href="/a?id=1">again</a><a href="mailto:x@y.kr">m</a>
    <a href="javascript:go()">j</a><a href="https://other.kr/b">2</a>
    <em>2025.12.06 16:43</em> <span>2025-11-30</span> <i>2025년 1월 2일</i></body></html>"""
    assert d.page_links(html, BASE) == ["https://www.jnilbo.com/a?id=1", "https://other.kr/b"]
    assert d.feed_links(html, BASE) == ["https://www.jnilbo.com/rss/allArticle.xml"]
    assert d.page_dates(html) == [date(2025, 12, 6), date(2025, 11, 30), date(2025, 1, 2)]


def test_same_site_counts_www_and_m_as_one() -> None:
    assert d.same_site("https://m.jnilbo.com/x", "https://www.jnilbo.com/")
    assert d.same_site("http://jnilbo.com/x", "https://www.jnilbo.com/")
    assert not d.same_site("https://www.kbsm.net/x", "https://www.jnilbo.com/")
    assert not d.same_site("http://127.0.0.1:2/x", "http://127.0.0.1:1/")

    assert d.same_site("https://a.example.co.kr/x", "https://b.example.co.kr/")
    assert not d.same_site("https://example.co.kr/x", "https://other.co.kr/")
    assert d.same_site("https://m.paper.kr/x", "https://www.paper.co.kr/", aliases=["paper.kr"])


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.paper.co.kr/story/namdo-food-festival-opens", True),
        ("https://www.paper.co.kr/news/article/A2026071220290000630", True),
        ("https://www.paper.co.kr/section/3", True),  # fetched; extraction tells what it is
        ("https://www.paper.co.kr/", False),
        ("https://www.paper.co.kr", False),
        ("https://www.paper.co.kr/photo/2026/a.JPG", False),
        ("https://www.paper.co.kr/sitemap-2.xml", False),
        ("https://www.paper.co.kr/files/report.pdf?dl=1", False),
        ("ftp://www.paper.co.kr/a", False),
        ("http://[oops/a", False),
    ],
)
def test_is_page_url_judges_sitemap_and_feed_entries_by_kind_not_by_shape(
    url: str, expected: bool
) -> None:
    assert d.is_page_url(url) is expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.paper.co.kr/news/list?sc=society", True),
        ("https://www.paper.co.kr/section/politics", True),
        ("https://www.paper.co.kr/category/economy/", True),
        ("https://www.paper.co.kr/news/", True),
        ("https://www.paper.co.kr/list.php?sector=3", True),
        ("https://www.paper.co.kr/news/article/A2026071220290000630", False),  # an article
        ("https://www.paper.co.kr/news/view.php?id=2026071212345", False),
        ("https://www.paper.co.kr/member/login?next=/news/list", False),
        ("https://www.paper.co.kr/about", False),
        ("https://www.paper.co.kr/newsletter", False),
        ("https://www.paper.co.kr/", False),
    ],
)
def test_generic_list_urls(url: str, expected: bool) -> None:
    assert d.is_list_url(url, "generic") is expected


def test_next_page_link_is_the_one_the_list_shows() -> None:
    first = "https://www.paper.co.kr/news/list?sc=society"
    links = [
        "https://www.paper.co.kr/news/list?sc=society&page=3",
        "https://www.paper.co.kr/news/list?sc=society&page=2",
        "https://www.paper.co.kr/news/article/A2026071220290000630",
    ]
    assert d.next_page_link(links, first) == links[1]
    assert d.next_page_link(links, links[1]) == links[0]
    assert d.next_page_link(links, links[0]) is None  # the last page
    wordpress = "https://blog.paper.kr/category/local/"
    following = ["https://blog.paper.kr/category/local/page/2/"]
    assert d.next_page_link(following, wordpress) == following[0]
    assert d.list_page_number(following[0]) == 2
    assert d.next_page_link(["https://blog.paper.kr/category/local/page/3/"], following[0])
    assert d.next_page_link(["https://other.kr/news/list?sc=society&page=2"], first) is None
    another_list = "https://www.paper.co.kr/news/list?sc=economy&page=2"
    assert d.next_page_link([another_list], first) is None
