"""The site registry: `sites.toml` loaded into validated `Site` records.

Validation happens once, at the start of a run, and every error names the entry it is about,
so a typo in one of dozens of entries is found without reading a traceback.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from newscrawl.urls import registrable_domain, same_site

__all__ = [
    "CMS_FAMILIES",
    "DEFAULT_REGISTRY",
    "REGIONS",
    "RegistryError",
    "Site",
    "load_registry",
    "select_sites",
    "site_for_url",
]

DEFAULT_REGISTRY = Path(__file__).with_name("sites.toml")
CMS_FAMILIES = frozenset({"ndsoft", "gnuboard", "generic"})
# The seventeen 광역시·도, in the short form the papers use for themselves.
_REGION_NAMES = (
    "서울 부산 대구 인천 광주 대전 울산 세종 경기 강원 충북 충남 전북 전남 경북 경남 제주"
)
REGIONS = frozenset(_REGION_NAMES.split(" "))
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_KEYS = {"name", "title", "home_url", "cms", "region", "feeds", "sitemaps", "list_pages"}
_OPTIONAL = {"article_pattern", "aliases"}
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")


class RegistryError(ValueError):
    """A registry entry is invalid; the message names the entry and the field."""


@dataclass(frozen=True, slots=True)
class Site:
    """One newspaper: where it lives, which CMS serves it, and where its articles are listed."""

    name: str
    title: str
    home_url: str
    cms: str
    region: str | None = None
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    list_pages: tuple[str, ...] = ()
    article_pattern: str | None = None
    aliases: tuple[str, ...] = ()  # other hosts of the same paper (another domain, a CDN)

    @property
    def host(self) -> str:
        """Host (and port) of the home page, without a leading ``www.``."""
        netloc = urlsplit(self.home_url).netloc.lower()
        return netloc.removeprefix("www.")

    @property
    def hosts(self) -> tuple[str, ...]:
        """The home page's host (and port) and the aliases: every URL on one of their sites
        (:func:`newscrawl.urls.site_key`) belongs to this paper."""
        return (urlsplit(self.home_url).netloc.lower(), *self.aliases)

    def owns(self, url: str) -> bool:
        """Whether ``url`` is on this paper's site: its home's or an alias's."""
        home, *aliases = self.hosts
        return same_site(url, home, aliases=aliases)

    def with_cms(self, cms: str) -> Site:
        """The same site served by another CMS family (after detection on the home page)."""
        return replace(self, cms=cms)


def _urls(entry: Mapping[str, Any], key: str, home: str, where: str) -> tuple[str, ...]:
    values = entry.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise RegistryError(f"{where}: {key} must be a list of URLs")
    return tuple(urljoin(home, v) for v in values)


def _aliases(entry: Mapping[str, Any], home: str, where: str) -> tuple[str, ...]:
    """The ``aliases`` of an entry: host names, each of a site other than the home's."""
    values = entry.get("aliases", [])
    if not isinstance(values, list):
        raise RegistryError(f"{where}: aliases must be a list of host names")
    for value in values:
        if not isinstance(value, str) or not _HOST.match(value):
            raise RegistryError(
                f"{where}: alias {value!r} is not a host name (like 'www.example.co.kr')"
            )
        if not registrable_domain(value):
            raise RegistryError(f"{where}: alias {value!r} is a public suffix, not a site")
        if same_site(value, home):
            raise RegistryError(
                f"{where}: alias {value!r} is already on the home_url's site; "
                "aliases name other domains"
            )
    return tuple(dict.fromkeys(values))


def _site(entry: Any, index: int) -> Site:
    """Validate one ``[[site]]`` table; raise RegistryError naming it."""
    if not isinstance(entry, dict):
        raise RegistryError(f"site entry {index}: not a table")
    name = entry.get("name")
    where = f"site {name!r} (entry {index})" if name else f"site entry {index}"
    unknown = set(entry) - _KEYS - _OPTIONAL
    if unknown:
        raise RegistryError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    if not isinstance(name, str) or not _NAME.match(name):
        raise RegistryError(f"{where}: name must be lowercase letters, digits, '-', '_' or '.'")
    title = entry.get("title")
    if not isinstance(title, str) or not title.strip():
        raise RegistryError(f"{where}: title is missing")
    home = entry.get("home_url")
    parts = urlsplit(home) if isinstance(home, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise RegistryError(f"{where}: home_url {home!r} is not an absolute http(s) URL")
    assert isinstance(home, str)  # parts is None otherwise
    cms = entry.get("cms")
    if cms not in CMS_FAMILIES:
        raise RegistryError(f"{where}: cms {cms!r} is not one of {', '.join(sorted(CMS_FAMILIES))}")
    region = entry.get("region")
    if region not in REGIONS:
        raise RegistryError(f"{where}: region {region!r} is not a 광역시·도 short name")
    pattern = entry.get("article_pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except (re.error, TypeError) as exc:
            raise RegistryError(
                f"{where}: article_pattern is not a regular expression: {exc}"
            ) from exc
    return Site(
        name=name,
        title=title.strip(),
        aliases=_aliases(entry, home, where),
        home_url=home,
        cms=cms,
        region=region,
        feeds=_urls(entry, "feeds", home, where),
        sitemaps=_urls(entry, "sitemaps", home, where),
        list_pages=_urls(entry, "list_pages", home, where),
        article_pattern=pattern,
    )


def load_registry(path: str | Path = DEFAULT_REGISTRY) -> dict[str, Site]:
    """Read and validate a registry file; names are unique, order is kept."""
    try:
        if Path(path) == DEFAULT_REGISTRY:
            # Through the package's loader: inside a Scrapyd egg (a zip) it is no plain file.
            text = resources.files("newscrawl").joinpath("sites.toml").read_text("utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RegistryError(f"{path}: {exc}") from exc
    entries = data.get("site")
    if not isinstance(entries, list) or not entries:
        raise RegistryError(f"{path}: no [[site]] entries")
    sites: dict[str, Site] = {}
    for index, entry in enumerate(entries, start=1):
        site = _site(entry, index)
        if site.name in sites:
            raise RegistryError(f"site {site.name!r} (entry {index}): duplicate name")
        sites[site.name] = site
    return sites


def select_sites(
    registry: Mapping[str, Site], *, names: Iterable[str] = (), region: str | None = None
) -> list[Site]:
    """The sites a run covers: the named ones, or those of a region, or all of them."""
    wanted = [n.strip() for n in names if n.strip()]
    unknown = [n for n in wanted if n not in registry]
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(registry), n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise RegistryError(f"unknown site(s): {', '.join(unknown)} ({hint}see sites.toml)")
    sites = [registry[n] for n in wanted] if wanted else list(registry.values())
    if region:
        if region not in REGIONS:
            raise RegistryError(f"unknown region {region!r}; one of {' '.join(sorted(REGIONS))}")
        sites = [s for s in sites if s.region == region]
    return sites


def site_for_url(url: str, registry: Mapping[str, Site] | None = None) -> Site:
    """The site of a home URL: its registry entry if it has one, else a new site to detect.

    The entry whose home host is the URL's (``www.`` aside) wins; else the one whose site
    holds it (``m.PAPER`` finds ``www.PAPER``, an alias finds its paper)."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RegistryError(f"url {url!r} is not an absolute http(s) URL")
    home = f"{parts.scheme}://{parts.netloc}{parts.path or '/'}"
    host = parts.netloc.lower().removeprefix("www.")
    sites = list((registry or {}).values())
    for site in sites:
        if site.host == host:
            return site
    for site in sites:
        if site.owns(home):
            return site
    name = re.sub(r"[^a-z0-9_.-]", "-", host)
    return Site(name=name, title=host, home_url=home, cms="generic", region=None)
