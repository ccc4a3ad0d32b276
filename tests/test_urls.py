"""The URL identity rule: canonical_url maps the URL variants of one article to one string,
site_key/same_site say which URLs are one site, article_identity which URL an article is
archived under."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newscrawl.urls import (
    Identity,
    _suffix_list,
    article_identity,
    canonical_url,
    registrable_domain,
    same_site,
    site_key,
)

ND = "https://www.jnilbo.com/news/articleView.html?idxno=90000015817"
GB = "https://www.kbsm.net/bbs/board.php?bo_table=news&wr_id=263381"


@pytest.mark.parametrize(
    "variant",
    [
        ND,
        ND + "&utm_source=naver&utm_medium=referral",
        ND + "#comments",
        "https://m.jnilbo.com/news/articleView.html?idxno=90000015817",
        "https://www.jnilbo.com/news/articlePrint.html?idxno=90000015817",
        "HTTPS://WWW.JNILBO.COM/news/articleView.html?idxno=90000015817&fbclid=abc",
        "https://www.jnilbo.com:443/news/articleView.html?idxno=90000015817",
    ],
)
def test_ndsoft_variants(variant: str) -> None:
    assert canonical_url(variant) == ND


@pytest.mark.parametrize(
    "variant",
    [
        GB,
        "https://www.kbsm.net/bbs/board.php?wr_id=263381&bo_table=news",
        GB + "&page=3",
        GB + "&sca=%EC%A0%95%EC%B9%98&sfl=wr_subject&stx=%EB%8C%80%EA%B5%AC",
    ],
)
def test_gnuboard_variants(variant: str) -> None:
    assert canonical_url(variant) == GB


def test_different_articles_stay_different() -> None:
    assert canonical_url(ND) != canonical_url(ND.replace("15817", "15818"))
    assert canonical_url(GB) != canonical_url(GB.replace("bo_table=news", "bo_table=column"))


def test_loopback_port_is_kept() -> None:
    url = "http://127.0.0.1:8765/news/articleView.html?idxno=1&utm_source=x"
    assert canonical_url(url) == "http://127.0.0.1:8765/news/articleView.html?idxno=1"


@given(st.integers(min_value=1, max_value=10**12), st.sampled_from(["", "&utm_source=x", "#a"]))
def test_idempotent(idxno: int, suffix: str) -> None:
    once = canonical_url(f"https://m.example.co.kr/news/articleView.html?idxno={idxno}{suffix}")
    assert canonical_url(once) == once


# --- site_key / same_site: one site is one registrable domain -----------------------------------
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.jnilbo.com/news/1", "https://m.jnilbo.com/news/1"),
        ("https://jnilbo.com/", "www.jnilbo.com"),
        ("https://a.example.co.kr/x", "https://b.example.co.kr/y"),  # .co.kr is a public suffix
        ("https://news.seoul.go.kr/a", "https://www.seoul.go.kr/"),
        ("https://www.kbsm.net:8443/a", "https://www.kbsm.net/"),  # a port is not another site
        ("HTTPS://WWW.JNILBO.COM./a", "https://jnilbo.com/"),
    ],
)
def test_same_site(a: str, b: str) -> None:
    assert same_site(a, b)
    assert same_site(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.co.kr/a", "https://other.co.kr/a"),  # only the public suffix shared
        ("https://www.jnilbo.com/", "https://www.yna.co.kr/"),
        ("https://www.example.or.kr/", "https://www.example.go.kr/"),
        ("https://paper.blogspot.com/", "https://other.blogspot.com/"),  # a private suffix
        ("http://127.0.0.1:8001/", "http://127.0.0.1:8002/"),  # no domain: host and port
        ("https://www.jnilbo.com/", "not a url"),
        ("https://www.jnilbo.com/", ""),
        ("http://[::1/", "http://[::1/"),
    ],
)
def test_other_site(a: str, b: str) -> None:
    assert not same_site(a, b)
    assert not same_site(b, a)


def test_site_key() -> None:
    assert site_key("https://m.news.example.co.kr:8080/a?b=1") == "example.co.kr"
    assert site_key("127.0.0.1:8765") == "127.0.0.1:8765"
    assert site_key("http://localhost/") == "localhost"
    assert site_key("co.kr") == "co.kr"  # a public suffix alone: not anyone's domain
    assert registrable_domain("co.kr") == ""
    assert site_key("") == site_key("http://[bad") == ""


def test_alias_hosts_count_as_same_site() -> None:
    assert same_site("https://m.kbsm.co.kr/a", "https://www.kbsm.net/", aliases=["kbsm.co.kr"])
    assert not same_site("https://m.kbsm.co.kr/a", "https://www.kbsm.net/")
    assert not same_site("https://www.yna.co.kr/", "www.kbsm.net", aliases=["kbsm.co.kr"])


def test_the_suffix_list_is_never_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the public suffix list must come from the bundled snapshot")

    _suffix_list.cache_clear()
    site_key.cache_clear()
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    assert site_key("https://a.b.example.co.kr/") == "example.co.kr"


# --- article_identity: the URL an article is archived under -------------------------------------
FETCHED = "https://m.paper.co.kr/news/article/A2026071220290000630?utm_source=naver"
OWN = "https://www.paper.co.kr/news/article/A2026071220290000630"


@pytest.mark.parametrize(
    ("declared", "url"),
    [
        (None, OWN),
        ("", OWN),
        (OWN, OWN),  # the same host
        (
            "https://paper.co.kr/news/article/A2026071220290000630",
            "https://paper.co.kr/news/article/A2026071220290000630",
        ),
        ("https://www.paper.co.kr/news/article/A1", "https://www.paper.co.kr/news/article/A1"),
        ("https://edition.paper.co.kr/n/9?utm_medium=x", "https://edition.paper.co.kr/n/9"),
        (
            "/news/article/A2026071220290000630#top",
            "https://www.paper.co.kr/news/article/A2026071220290000630",
        ),
        ("../view/7", "https://www.paper.co.kr/news/view/7"),  # relative to the fetched URL
    ],
)
def test_a_canonical_on_the_same_site_is_the_url(declared: str | None, url: str) -> None:
    assert article_identity(FETCHED, declared) == Identity(url)


@pytest.mark.parametrize(
    "declared",
    [
        "https://www.yna.co.kr/view/AKR20260712000100054",  # syndicated from 연합뉴스
        "https://www.newsis.com/view/NISX20260712_0001",  # or from 뉴시스
        "https://other.co.kr/news/article/A2026071220290000630",  # shares only .co.kr
        "https://paper-staging.netlify.app/news/article/A2026071220290000630",
    ],
)
def test_a_canonical_on_another_site_is_kept_aside(declared: str) -> None:
    identity = article_identity(FETCHED, declared)
    assert identity.url == OWN
    assert identity.declared_canonical == canonical_url(declared)


@pytest.mark.parametrize(
    "declared",
    [
        "javascript:void(0)",
        "mailto:desk@paper.co.kr",
        "http://[oops/",
        "data:text/html,<p>x</p>",
        "   ",
        "https://www.yna.co.kr/",  # an article pointing at a home page: a CMS default
        "/",
    ],
)
def test_garbage_or_home_canonical_is_ignored(declared: str) -> None:
    assert article_identity(FETCHED, declared) == Identity(OWN)


def test_a_canonical_on_an_alias_host_is_the_same_site() -> None:
    fetched = "https://www.paper.co.kr/news/1"
    declared = "https://www.paper.kr/news/1"
    assert article_identity(fetched, declared) == Identity(fetched, declared)
    hosts = ("www.paper.co.kr", "paper.kr")
    assert article_identity(fetched, declared, site_hosts=hosts) == Identity(declared)
    # fetched from the alias, canonical on the home site: the home host is one of site_hosts
    assert article_identity(declared, fetched, site_hosts=hosts) == Identity(fetched)


def test_the_fetched_url_after_redirects_is_the_one_given() -> None:
    # Redirected to a CDN host that declares the paper's URL: with the paper's hosts known,
    # the declared canonical is on the paper's site.
    fetched = "https://cdn.example-cdn.com/news/1"
    declared = "https://www.paper.co.kr/news/1"
    assert article_identity(fetched, declared, site_hosts=("www.paper.co.kr",)).url == declared
