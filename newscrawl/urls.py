"""The one definition of an article's canonical URL, shared by discovery, extraction, archive."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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
