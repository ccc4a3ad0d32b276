"""ListsOnHold: a generic site's section pages wait until its robots.txt, feeds and sitemaps
have answered, and are walked only when none of them listed a page."""

from __future__ import annotations

from newscrawl.crawl.lists import ListsOnHold

ROBOTS, SITEMAP, FEED = "https://p.kr/robots.txt", "https://p.kr/sitemap.xml", "https://p.kr/rss"
LISTS = ["https://p.kr/news/list?sc=1", "https://p.kr/news/list?sc=2"]


def test_lists_are_walked_when_the_last_answer_listed_nothing() -> None:
    lists = ListsOnHold()
    lists.hold("p", [*LISTS, LISTS[0]])
    assert lists.asked("p", ROBOTS) and lists.asked("p", FEED)
    assert lists.answered("p", ROBOTS) == []  # the feed is still awaited
    assert lists.asked("p", SITEMAP)  # robots.txt named a sitemap
    assert lists.answered("p", FEED) == []
    assert lists.answered("p", SITEMAP) == LISTS  # once each
    assert lists.answered("p", SITEMAP) == []  # and only once


def test_lists_are_dropped_when_a_sitemap_or_feed_listed_pages() -> None:
    lists = ListsOnHold()
    lists.hold("p", LISTS)
    lists.asked("p", ROBOTS)
    lists.asked("p", SITEMAP)
    lists.listed("p")
    assert lists.answered("p", SITEMAP) == []
    assert lists.answered("p", ROBOTS) == []


def test_a_url_asked_twice_is_requested_and_awaited_once() -> None:
    lists = ListsOnHold()
    lists.hold("p", LISTS)
    assert lists.asked("p", SITEMAP)
    assert not lists.asked("p", SITEMAP)  # the registry and robots.txt both name it
    assert lists.answered("p", SITEMAP) == LISTS


def test_sites_are_apart_and_a_site_without_held_lists_gets_none() -> None:
    lists = ListsOnHold()
    lists.hold("p", LISTS)
    lists.asked("p", ROBOTS)
    lists.asked("q", ROBOTS)
    lists.listed("q")
    assert lists.answered("q", ROBOTS) == []
    assert lists.answered("p", ROBOTS) == LISTS
    assert lists.answered("r", None) == []
