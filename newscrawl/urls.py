"""The one definition of an article's URL identity, shared by discovery, extraction, archive:
the canonical form of a URL, which site a URL belongs to, and which URL an article is kept
under when its page declares a canonical of its own."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Parameters that identify a visitor or a campaign, never an article.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "from",
        "sns",
        "share",
        "cmpid",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "utm_id",
    }
)
# Print and mobile views of NDSoft and GnuBoard pages name the same article.
VIEW_PARAMS = frozenset({"print", "mode", "sca", "sfl", "stx", "sop", "spt", "page", "replyAll"})
_PRINT_PATH = re.compile(r"/articlePrint\.html$", re.I)
_MOBILE_HOST = re.compile(r"^(?:m|mobile)\.", re.I)


# Pure and asked again for the same URL: by the spider for each place an article is linked
# from, and by extraction for the page's URL and its rel=canonical, mostly the same string.
@lru_cache(maxsize=8192)
def canonical_url(url: str) -> str:
    """Map the URL variants of one article to one string.

    ``m.``/``mobile.`` hosts become ``www.`` (the desktop site of Korean papers lives there),
    a bare host keeps no ``www.`` added, tracking and view parameters go, the query is
    sorted, the fragment dropped, and NDSoft print views become ``articleView.html``.
    """
    parts = urlsplit(url.strip())
    scheme = (parts.scheme or "http").lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if _MOBILE_HOST.match(host):
        host = "www." + host.split(".", 1)[1]
    netloc = host
    if parts.port and not (
        (scheme == "http" and parts.port == 80) or (scheme == "https" and parts.port == 443)
    ):
        netloc = f"{host}:{parts.port}"
    path = _PRINT_PATH.sub("/articleView.html", parts.path or "/")
    if len(path) > 1:
        path = path.rstrip("/")
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and k not in VIEW_PARAMS and not k.startswith("utm_")
    ]
    rebuilt = urlunsplit((scheme, netloc, path, urlencode(query), ""))
    return canonicalize_url(rebuilt)


# --- which site a URL belongs to, and which URL an article is archived under -----------------
# The public-suffix list snapshot bundled with tldextract, never fetched: a crawl (and every
# extraction worker) must not depend on, or wait for, publicsuffix.org. Private suffixes
# (blogspot.com, github.io, cloudfront.net) count too: two blogs on one of them are two sites.
@lru_cache(maxsize=1)
def _suffix_list() -> Any:
    import tldextract  # on first use, once per process: import and snapshot take ~80 ms

    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )


def registrable_domain(host: str) -> str:
    """``example.co.kr`` for ``a.b.example.co.kr``; empty for an IP address, ``localhost`` or
    a public suffix itself (``co.kr``)."""
    return str(_suffix_list().extract_str(host.lower()).top_domain_under_public_suffix)


@lru_cache(maxsize=4096)
def site_key(url_or_host: str) -> str:
    """What makes two URLs one site: the registrable domain (``example.co.kr`` for
    ``a.example.co.kr``; ``.co.kr``, ``.or.kr``, ``.go.kr`` are public suffixes), so ``www.``,
    ``m.`` and every other subdomain are one site. A host without a public suffix (an IP
    address, ``localhost``) has no registrable domain: its host and port are the site.
    Empty for a string with no host."""
    text = url_or_host.strip()
    try:
        parts = urlsplit(text if "//" in text else f"//{text}")
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:  # an unbalanced [ in the host, a port out of range: no site
        return ""
    if not host:
        return ""
    domain = registrable_domain(host)
    if domain:
        return domain
    return f"{host}:{port}" if port else host


def same_site(url: str, other: str, *, aliases: Iterable[str] = ()) -> bool:
    """Whether ``url`` is on the site of ``other`` (a URL or a host) or of one of ``aliases``,
    the other hosts of the same paper (registry ``aliases``)."""
    key = site_key(url)
    return bool(key) and (key == site_key(other) or any(key == site_key(a) for a in aliases))


@dataclass(frozen=True, slots=True)
class Identity:
    """The URL an article is archived under, and a canonical it declared on another site."""

    url: str
    declared_canonical: str | None = None


def article_identity(
    fetched_url: str, declared: str | None, *, site_hosts: Iterable[str] = ()
) -> Identity:
    """The one rule of an article's URL identity.

    An article is archived under the canonical form of the URL it was fetched from (after
    redirects), unless the page declares a canonical (``rel=canonical``, ``og:url``) on the
    same site — the fetched URL's registrable domain, or one of ``site_hosts``, the site's
    home host and aliases — then under the declared one. A canonical on another site (a
    syndicated copy, a staging mirror, a CDN host) is returned as ``declared_canonical``, so
    it can be studied; it never changes the URL. A declared canonical that is not an http(s)
    URL, or that points to a home page from an article (a CMS default), is ignored.
    """
    own = _safe_canonical(fetched_url)
    if not declared or not declared.strip():
        return Identity(own)
    try:
        target = urljoin(fetched_url, declared.strip())
        canon, page = urlsplit(target), urlsplit(fetched_url)
        host = canon.hostname
    except ValueError:  # an unbalanced [ in the host
        return Identity(own)
    if canon.scheme not in ("http", "https") or not host:
        return Identity(own)
    if canon.path in ("", "/") and page.path not in ("", "/"):
        return Identity(own)
    declared_url = _safe_canonical(target)
    if same_site(target, fetched_url, aliases=site_hosts):
        return Identity(declared_url)
    return Identity(own, declared_canonical=declared_url)


def _safe_canonical(url: str) -> str:
    try:
        return canonical_url(url)
    except ValueError:
        return url
