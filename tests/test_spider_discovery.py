"""The spider's discovery callbacks on built responses: which requests each one yields."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.spiders.news import NewsSpider

HOME = "https://www.paper.co.kr/"
REGISTRY = """
[[site]]
name = "paper"
title = "남도타임즈"
home_url = "https://www.paper.co.kr/"
cms = "generic"
region = "전남"
aliases = ["paper.kr"]
"""


@pytest.fixture
def spider(tmp_path: Path) -> NewsSpider:
    registry = tmp_path / "sites.toml"
    registry.write_text(REGISTRY, encoding="utf-8")
    crawler = get_crawler(NewsSpider, {"NEWSCRAWL_SITES_FILE": str(registry)})
    crawler.stats.open_spider()
    return NewsSpider.from_crawler(crawler, site="paper")


def answer(kind: type, url: str, body: str, **meta: str) -> TextResponse:
    request = Request(url, meta={"site": "paper", "cms": "generic", **meta})
    return kind(url=url, body=body.encode(), encoding="utf-8", request=request)


def urls(requests: object, kind: str) -> list[str]:
    return [r.url for r in requests if r.callback.__name__ == f"parse_{kind}"]


def test_a_sitemap_entry_of_the_site_is_fetched_whatever_it_looks_like(spider: NewsSpider) -> None:
    locs = [
        "https://www.paper.co.kr/news/article/A2026071220290000630",
        "https://www.paper.co.kr/story/namdo-food-festival-opens",
        "https://m.paper.co.kr/news/article/A2026071220290000631",
        "https://www.paper.kr/news/article/A2026071220290000632",  # an alias of the paper
        "https://www.paper.co.kr/",  # the home page
        "https://www.paper.co.kr/images/2026/a.jpg",
        "https://www.other.co.kr/news/article/A2026071220290000633",  # another site
        "https://www.paper.co.kr/news/article/A2026071220290000630?utm_source=sitemap",
    ]
    body = "".join(f"<url><loc>{u}</loc></url>" for u in locs)
    sitemap = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'
    out = list(spider.parse_sitemap(answer(XmlResponse, HOME + "sitemap.xml", sitemap)))
    assert urls(out, "article") == locs[:4]
    assert all(r.meta["source"] == "sitemap" for r in out)


def test_links_found_in_html_must_look_like_articles(spider: NewsSpider) -> None:
    page = """<a href="/news/article/A2026071220290000630">a</a>
    <a href="/story/namdo-food-festival-opens">slug</a><a href="/about">about</a>
    <a href="https://www.other.co.kr/news/article/A2026071220290000633">other</a>
    <a href="/news/list?sc=society&page=2">next</a>"""
    listing = answer(HtmlResponse, HOME + "news/list?sc=society", page)
    out = list(spider.parse_list(listing))
    assert urls(out, "article") == [HOME + "news/article/A2026071220290000630"]
    assert urls(out, "list") == [HOME + "news/list?sc=society&page=2"]  # the page's own link


def test_section_pages_wait_for_robots_and_sitemaps_to_list_nothing(spider: NewsSpider) -> None:
    home = '<a href="/news/list?sc=society">사회</a><a href="/section/economy">경제</a>'
    out = list(spider.parse_home(answer(HtmlResponse, HOME, home)))
    assert urls(out, "list") == []  # held back
    robots_url = HOME + "robots.txt"
    assert urls(out, "robots") == [robots_url]
    robots = answer(TextResponse, robots_url, "User-agent: *\n", held_by=robots_url)
    out = list(spider.parse_robots(robots))
    assert urls(out, "sitemap") == [HOME + "sitemap.xml"]  # the conventional place
    assert urls(out, "list") == []  # the sitemap is awaited
    failed = list(
        spider.parse_sitemap(
            answer(XmlResponse, HOME + "sitemap.xml", "<html/>", held_by=HOME + "sitemap.xml")
        )
    )
    assert urls(failed, "list") == [HOME + "news/list?sc=society", HOME + "section/economy"]


def test_section_pages_are_not_walked_when_a_sitemap_lists_articles(spider: NewsSpider) -> None:
    home = '<a href="/news/list?sc=society">사회</a>'
    list(spider.parse_home(answer(HtmlResponse, HOME, home)))
    robots_url = HOME + "robots.txt"
    sitemap_url = HOME + "sitemap.xml"
    robots = f"Sitemap: {sitemap_url}\n"
    list(spider.parse_robots(answer(TextResponse, robots_url, robots, held_by=robots_url)))
    sitemap = "<urlset><url><loc>https://www.paper.co.kr/story/x</loc></url></urlset>"
    out = list(spider.parse_sitemap(answer(XmlResponse, sitemap_url, sitemap, held_by=sitemap_url)))
    assert urls(out, "article") == [HOME + "story/x"]
    assert urls(out, "list") == []


def test_robots_sitemap_lines_are_followed(spider: NewsSpider) -> None:
    robots_url = HOME + "robots.txt"
    robots = "User-agent: *\nDisallow: /admin/\nsitemap: /a.xml\nSitemap: https://x.kr/s.xml\n"
    out = list(spider.parse_robots(answer(TextResponse, robots_url, robots)))
    assert urls(out, "sitemap") == [HOME + "a.xml", "https://x.kr/s.xml"]


@pytest.mark.parametrize(
    ("kind", "body", "reason"),
    [
        ("sitemap", "<html><body>a soft 404</body></html>", "not_a_sitemap"),
        ("feed", "<html><body>a soft 404</body></html>", "not_a_feed"),
        ("sitemap", "", "not_xml"),
    ],
)
def test_a_broken_feed_or_sitemap_is_counted_and_logged(
    spider: NewsSpider, caplog: pytest.LogCaptureFixture, kind: str, body: str, reason: str
) -> None:
    url = HOME + f"{kind}.xml"
    parse = getattr(spider, f"parse_{kind}")
    assert list(parse(answer(XmlResponse, url, body))) == []
    stats = spider.crawler.stats.get_stats()
    assert stats[f"site/paper/discovery_broken/{kind}"] == 1
    assert stats[f"site/paper/discovery_broken/{kind}/{reason}"] == 1
    assert f"{kind} {url} is broken" in caplog.text


def test_an_empty_sitemap_is_not_counted_broken(spider: NewsSpider) -> None:
    empty = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'
    assert list(spider.parse_sitemap(answer(XmlResponse, HOME + "sitemap.xml", empty))) == []
    assert not any("discovery_broken" in k for k in spider.crawler.stats.get_stats())
