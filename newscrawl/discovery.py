"""Pure discovery: feeds, robots.txt, sitemaps, list pages and article URLs per CMS family.

No Scrapy here: bytes or text and a base URL in, links out, so every rule is unit-tested on
strings. Dates found beside a link (``pubDate``, ``news:publication_date``, ``lastmod``) travel
with it, because the spider uses them to skip old articles and to prune sitemap indexes;
Scrapy's own sitemap parser drops ``news:publication_date``, hence this module.
"""

from __future__ import annotations

import gzip
import logging
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree, html

from newscrawl import urls
from newscrawl.extract.dates import KST
from newscrawl.extract.dates import parse_date as parse_korean_date

logger = logging.getLogger(__name__)

MAX_XML_BYTES = 50 * 1024 * 1024  # a decompressed sitemap larger than this is not a sitemap

# Where each CMS family lists its articles and publishes its feeds, relative to the home URL.
DEFAULT_FEEDS = {"ndsoft": ("/rss/allArticle.xml",), "gnuboard": (), "generic": ()}
DEFAULT_LIST_PAGES = {
    "ndsoft": ("/news/articleList.html?view_type=sm",),
    "gnuboard": (),  # the board name differs per site; found on the home page
    "generic": (),
}
_ARTICLE = {
    "ndsoft": re.compile(r"/articleView\.html\?(?:[^#]*&)?idxno=\d+", re.I),
    "gnuboard": re.compile(r"/board\.php\?(?=[^#]*\bbo_table=\w+)(?=[^#]*\bwr_id=\d+)", re.I),
}
_LIST = {
    "ndsoft": re.compile(r"/articleList\.html(?:\?|$)", re.I),
    "gnuboard": re.compile(r"/board\.php\?(?![^#]*\bwr_id=)[^#]*\bbo_table=\w+", re.I),
}
# Generic sites: a long number in the path or query is the most common article id, at times
# behind a letter or two (``/news/article/A2026071220290000630``, ``?id=NISX2026...``). Only
# links found in HTML pages are judged by it: a sitemap or feed entry is the site's own word.
_GENERIC_ID = re.compile(
    r"(?:/|=)[A-Za-z]{0,4}\d{5,}(?:\.\w+)?(?:[/?&#_]|$)|/20\d{2}/?\d{2}/?\d{2}/.+"
)
# Generic sites: section and list pages, walked (with their pagination) when a site has no
# sitemap or feed.
_GENERIC_LIST = re.compile(
    r"(?:^|[/_.?&=-])(?:list|lists|section|sections|sector|category|categories|cate|"
    r"subsection|series|news)(?:$|[/_.?&=-])",
    re.I,
)
_STATIC = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|pdf|hwp|zip|mp3|mp4|css|js|xml|gz|rss)(?:\?|$)", re.I
)
_NOT_ARTICLE = re.compile(
    r"login|logout|member|search|articleList|\.(?:jpe?g|png|gif|pdf|hwp|zip|mp4|css|js)(?:\?|$)",
    re.I,
)
# Root elements of RSS 2.0 (rss), RSS 1.0 (RDF) and Atom (feed).
_FEED_ROOTS = frozenset({"rss", "rdf", "feed"})
# Dates printed on a list page, in raw HTML: four-digit years only. Not extract.dates' parser:
# over the corpus pages its two-digit years read phone numbers and version strings as dates
# (2088-04-09 on mk.co.kr pages) and it is 17 times slower on whole pages.
_DATE = re.compile(r"(20\d{2}|19\d{2})[.\-/년]\s?(\d{1,2})[.\-/월]\s?(\d{1,2})")


@dataclass(frozen=True, slots=True)
class Link:
    """A discovered URL and the date the source gave for it, if any."""

    url: str
    published: datetime | None = None


@dataclass(frozen=True, slots=True)
class Broken:
    """Why a feed or sitemap could not be read, so a broken one never looks empty."""

    reason: str  # a stat-friendly word: gzip, too_large, not_xml, not_a_feed, not_a_sitemap
    message: str


@dataclass(slots=True)
class Sitemap:
    """A parsed sitemap: child sitemaps (an index) and/or page URLs (a urlset); ``broken``
    says why none could be read."""

    sitemaps: list[Link] = field(default_factory=list)
    urls: list[Link] = field(default_factory=list)
    broken: Broken | None = None


@dataclass(slots=True)
class Feed:
    """A parsed RSS or Atom feed: its links; ``broken`` says why none could be read."""

    links: list[Link] = field(default_factory=list)
    broken: Broken | None = None


def parse_date(text: str | None) -> datetime | None:
    """A feed or sitemap date as an aware datetime (naive times are KST, a bare day is its
    KST midnight): ISO 8601 / W3C, RFC 822 or NDSoft's ``2025-12-06 16:43:04``."""
    value = parse_korean_date(text) if text else None
    if value is None or isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day, tzinfo=KST)


def _xml_root(body: bytes) -> etree._Element | Broken:
    """Parse feed or sitemap XML, gunzipping ``.xml.gz`` bodies; why not, when it is not XML."""
    if body[:2] == b"\x1f\x8b":
        inflate = zlib.decompressobj(wbits=31)
        try:
            body = inflate.decompress(body, MAX_XML_BYTES)
        except (zlib.error, gzip.BadGzipFile) as error:
            return Broken("gzip", f"not a readable gzip stream: {error}")
        if inflate.unconsumed_tail:
            return Broken("too_large", f"more than {MAX_XML_BYTES} bytes once decompressed")
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(body.strip(), parser=parser)
    except (etree.XMLSyntaxError, ValueError) as error:
        return Broken("not_xml", f"not XML: {error}")
    if root is None:  # recover=True gives up without raising on what is no XML at all
        return Broken("not_xml", "not XML: no element could be read")
    return root


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _child_text(element: etree._Element, *names: str) -> str | None:
    """Text of the first descendant whose local name is one of ``names`` (namespaces ignored)."""
    for child in element.iter():
        if _local(child.tag) in names and child.text and child.text.strip():
            return child.text.strip()
    return None


def parse_feed(body: bytes, base_url: str) -> Feed:
    """Links of an RSS 2.0 / RSS 1.0 / Atom feed, with their publication dates."""
    root = _xml_root(body)
    if isinstance(root, Broken):
        return Feed(broken=root)
    if _local(root.tag) not in _FEED_ROOTS:
        return Feed(broken=Broken("not_a_feed", f"a <{_local(root.tag)}> document, not a feed"))
    links: list[Link] = []
    for item in root.iter():
        name = _local(item.tag)
        if name == "item":
            url = _child_text(item, "link") or _child_text(item, "guid")
            when = _child_text(item, "pubdate", "date", "published", "updated")
        elif name == "entry":
            url = next(
                (
                    a.get("href")
                    for a in item
                    if _local(a.tag) == "link" and a.get("rel", "alternate") == "alternate"
                ),
                None,
            )
            when = _child_text(item, "published", "updated")
        else:
            continue
        if url:
            links.append(Link(urljoin(base_url, url.strip()), parse_date(when)))
    return Feed(links)


def parse_sitemap(body: bytes, base_url: str) -> Sitemap:
    """A sitemap, index or news sitemap, dated by ``news:publication_date`` or ``lastmod``."""
    out = Sitemap()
    root = _xml_root(body)
    if isinstance(root, Broken):
        out.broken = root
        return out
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        out.broken = Broken("not_a_sitemap", f"a <{kind}> document, not a sitemap")
        return out
    for entry in root:
        name = _local(entry.tag)
        if name not in ("url", "sitemap"):
            continue
        loc = _child_text(entry, "loc")
        if not loc:
            continue
        when = parse_date(_child_text(entry, "publication_date")) or parse_date(
            _child_text(entry, "lastmod")
        )
        link = Link(urljoin(base_url, loc), when)
        (out.sitemaps if kind == "sitemapindex" or name == "sitemap" else out.urls).append(link)
    return out


def detect_cms(text: str, url: str) -> str:
    """Fingerprint the CMS family of a home page: ``ndsoft``, ``gnuboard`` or ``generic``."""
    ndsoft = len(re.findall(r"articleView\.html\?idxno=|/rss/allArticle\.xml|ndsoft", text, re.I))
    gnuboard = len(re.findall(r"/bbs/board\.php\?bo_table=|g5_bbs_url|gnuboard", text, re.I))
    if ndsoft == gnuboard == 0:
        return "generic"
    return "ndsoft" if ndsoft >= gnuboard else "gnuboard"


def same_site(url: str, home_url: str, *, aliases: Iterable[str] = ()) -> bool:
    """Whether ``url`` is on the site of ``home_url`` or of one of its ``aliases`` (one
    registrable domain: ``www.``, ``m.`` and other subdomains are one site)."""
    return urls.same_site(url, home_url, aliases=aliases)


def is_page_url(url: str) -> bool:
    """Whether a URL a sitemap or feed lists may be an article page: http(s), not the home
    page, not an image, document or feed."""
    if not url.startswith(("http://", "https://")):
        return False
    try:
        path = urlsplit(url).path
    except ValueError:
        return False
    return path not in ("", "/") and not _STATIC.search(path)


def is_article_url(url: str, cms: str, *, pattern: str | None = None) -> bool:
    """Whether a URL names an article page of a site of this CMS family."""
    if not url.startswith(("http://", "https://")):
        return False
    if pattern:
        return re.search(pattern, url) is not None
    rule = _ARTICLE.get(cms)
    if rule is not None:
        return rule.search(url) is not None
    return (
        not _NOT_ARTICLE.search(url)
        and _GENERIC_ID.search(urlsplit(url).path + "?" + urlsplit(url).query) is not None
    )


def is_list_url(url: str, cms: str) -> bool:
    """Whether a URL is a paginated article list of this CMS family; on a generic site, a
    link that names a list, section or category and is not an article or a file."""
    rule = _LIST.get(cms)
    if rule is not None:
        return rule.search(url) is not None
    if cms != "generic" or not is_page_url(url) or _NOT_ARTICLE.search(url):
        return False
    parts = urlsplit(url)
    where = f"{parts.path}?{parts.query}"
    return _GENERIC_LIST.search(where) is not None and not _GENERIC_ID.search(where)


def next_page_link(links: Iterable[str], url: str) -> str | None:
    """The link of a list page to its following page — the same list (path and parameters
    but ``page``) with ``page=N+1`` or a path ending ``/page/N+1`` (WordPress) — or None when
    the page shows none."""
    following = list_page_number(url) + 1
    for link in links:
        if list_page_number(link) == following and _list_of(link) == _list_of(url):
            return link
    return None


def _list_of(url: str) -> tuple[str, str, list[tuple[str, str]]]:
    """What names a list apart from its page: host, path without ``/page/N``, other params."""
    parts = urlsplit(url)
    path = re.sub(r"/page/\d+/?$", "", parts.path).rstrip("/")
    query = sorted((k, v) for k, v in parse_qsl(parts.query) if k != "page")
    return parts.netloc.lower(), path, query


def page_links(text: str | bytes, base_url: str) -> list[str]:
    """Every ``<a href>`` of a page, absolute, fragments dropped, in page order, once each."""
    try:
        doc = html.fromstring(text, base_url=base_url)
    except (etree.ParserError, ValueError):
        return []
    seen: dict[str, None] = {}
    for found in _strings(doc.xpath("//a/@href")):
        href = found.strip()
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        seen.setdefault(urljoin(base_url, href).split("#", 1)[0], None)
    return list(seen)


def feed_links(text: str | bytes, base_url: str) -> list[str]:
    """Feeds a page announces with ``<link rel="alternate" type="application/rss+xml">``."""
    try:
        doc = html.fromstring(text, base_url=base_url)
    except (etree.ParserError, ValueError):
        return []
    hrefs = _strings(
        doc.xpath("//link[contains(@type, 'rss') or contains(@type, 'atom')][@href]/@href")
    )
    return list(dict.fromkeys(urljoin(base_url, h.strip()) for h in hrefs))


def _strings(found: object) -> list[str]:
    # lxml types xpath() as any XPath value; an attribute path gives a list of strings.
    return [str(value) for value in found] if isinstance(found, list) else []


def list_page_number(url: str) -> int:
    """The ``page`` parameter of a list URL, or its ``/page/N`` path end (1 when absent)."""
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        if key == "page" and value.isdigit():
            return int(value)
    found = re.search(r"/page/(\d+)/?$", parts.path)
    return int(found.group(1)) if found else 1


def next_list_page(url: str) -> str:
    """The following page of a list: ``page=N`` set to N+1 (NDSoft and GnuBoard both use it)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    query.append(("page", str(list_page_number(url) + 1)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def page_dates(text: str) -> list[date]:
    """Dates printed on a list page (``2025.12.06``, ``2025-12-06``, ``2025년 12월 6일``)."""
    found = []
    for y, m, d in _DATE.findall(text):
        try:
            found.append(date(int(y), int(m), int(d)))
        except ValueError:
            continue
    return found
