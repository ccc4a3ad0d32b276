"""The site registry: the shipped sites.toml is valid, and a bad entry is named in the error."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscrawl.sites import (
    DEFAULT_REGISTRY,
    REGIONS,
    RegistryError,
    load_registry,
    select_sites,
    site_for_url,
)

GOOD = """
[[site]]
name = "kbsm"
title = "경북신문"
home_url = "https://www.kbsm.net/"
cms = "ndsoft"
region = "경북"
feeds = ["/rss/allArticle.xml"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_registry_has_twenty_regional_papers_across_regions() -> None:
    sites = load_registry(DEFAULT_REGISTRY)
    assert len(sites) >= 20
    assert "kbsm" in sites
    assert len({s.region for s in sites.values()}) >= 12
    assert all(s.region in REGIONS for s in sites.values())


def test_shipped_registry_urls_are_absolute_https_or_http() -> None:
    for site in load_registry().values():
        assert site.home_url.startswith(("https://", "http://")), site.name


def test_relative_feed_urls_are_resolved_against_home(tmp_path: Path) -> None:
    site = load_registry(write(tmp_path, GOOD))["kbsm"]
    assert site.feeds == ("https://www.kbsm.net/rss/allArticle.xml",)
    assert site.host == "kbsm.net"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('cms = "ndsoft"', 'cms = "wordpress"'), "site 'kbsm' (entry 1): cms 'wordpress'"),
        (('region = "경북"', 'region = "Gyeongbuk"'), "site 'kbsm' (entry 1): region"),
        (('home_url = "https://www.kbsm.net/"', 'home_url = "www.kbsm.net"'), "home_url"),
        (('name = "kbsm"', 'name = "KBSM News"'), "name must be lowercase"),
        (('title = "경북신문"', 'titel = "경북신문"'), "unknown key(s) titel"),
        (('feeds = ["/rss/allArticle.xml"]', 'feeds = "/rss"'), "feeds must be a list"),
    ],
)
def test_invalid_entry_is_named(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    with pytest.raises(RegistryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_registry(write(tmp_path, GOOD.replace(*change)))


def test_duplicate_names_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match=r"site 'kbsm' \(entry 2\): duplicate name"):
        load_registry(write(tmp_path, GOOD + GOOD))


def test_bad_regex_is_rejected(tmp_path: Path) -> None:
    text = GOOD + 'article_pattern = "view(\\\\d+"\n'
    with pytest.raises(RegistryError, match="article_pattern is not a regular expression"):
        load_registry(write(tmp_path, text))


def test_select_by_names_and_region() -> None:
    registry = load_registry()
    assert [s.name for s in select_sites(registry, names=["kbsm", "jnilbo"])] == ["kbsm", "jnilbo"]
    gyeongbuk = select_sites(registry, region="경북")
    assert gyeongbuk and all(s.region == "경북" for s in gyeongbuk)
    with pytest.raises(RegistryError, match="unknown site"):
        select_sites(registry, names=["nosuchpaper"])
    with pytest.raises(RegistryError, match="unknown region"):
        select_sites(registry, region="Atlantis")


def test_site_for_url_finds_registry_entry_or_makes_a_new_site() -> None:
    registry = load_registry()
    assert site_for_url("http://www.kbsm.net/", registry).name == "kbsm"
    assert site_for_url("kbsm.net", registry).name == "kbsm"
    new = site_for_url("http://127.0.0.1:8080/", registry)
    assert (new.name, new.home_url, new.region) == (
        "127.0.0.1-8080",
        "http://127.0.0.1:8080/",
        None,
    )
    with pytest.raises(RegistryError):
        site_for_url("ftp://example.com/")


@pytest.mark.parametrize(
    "url",
    ["https://m.kbsm.net/", "https://mobile.kbsm.net/news/", "http://kbsm.net", "m.kbsm.net"],
)
def test_site_for_url_finds_the_www_entry_from_another_host_of_its_site(url: str) -> None:
    site = site_for_url(url, load_registry())
    assert (site.name, site.home_url) == ("kbsm", "https://www.kbsm.net/")


def test_site_for_url_does_not_take_a_co_kr_neighbour_for_a_registry_site() -> None:
    registry = load_registry()  # kyongbuk.co.kr is in it; other.co.kr shares only the suffix
    assert site_for_url("https://m.kyongbuk.co.kr/", registry).name == "kyongbuk"
    assert site_for_url("https://www.other.co.kr/", registry).name == "other.co.kr"


def test_site_for_url_keeps_loopback_ports_apart(tmp_path: Path) -> None:
    text = GOOD.replace("https://www.kbsm.net/", "http://127.0.0.1:8001/")
    registry = load_registry(write(tmp_path, text))
    assert site_for_url("http://127.0.0.1:8001/", registry).name == "kbsm"
    assert site_for_url("http://127.0.0.1:8002/", registry).name == "127.0.0.1-8002"


def test_aliases_are_hosts_of_the_same_paper(tmp_path: Path) -> None:
    text = GOOD + 'aliases = ["www.kbsm.co.kr", "cdn.kbsmimg.com"]\n'
    site = load_registry(write(tmp_path, text))["kbsm"]
    assert site.aliases == ("www.kbsm.co.kr", "cdn.kbsmimg.com")
    assert site.hosts == ("www.kbsm.net", "www.kbsm.co.kr", "cdn.kbsmimg.com")
    assert site.owns("https://m.kbsm.co.kr/news/articleView.html?idxno=1")
    assert site.owns("https://m.kbsm.net/news/articleView.html?idxno=1")
    assert not site.owns("https://www.yna.co.kr/view/AKR20260712")
    registry = {"kbsm": site}
    assert site_for_url("https://kbsm.co.kr/", registry).name == "kbsm"


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ('"www.kbsm.co.kr"', "aliases must be a list"),
        ('["https://www.kbsm.co.kr/"]', "not a host name"),
        ('["co.kr"]', "is a public suffix"),
        ('["m.kbsm.net"]', "already on the home_url's site"),
        ("[3]", "not a host name"),
    ],
)
def test_bad_aliases_are_named(tmp_path: Path, aliases: str, message: str) -> None:
    text = GOOD + f"aliases = {aliases}\n"
    with pytest.raises(RegistryError, match=rf"site 'kbsm' \(entry 1\): .*{message}"):
        load_registry(write(tmp_path, text))
