"""A capture replayed as a page: the stored bytes decoded, under a banner, in a sandbox.

The page is served with :data:`CSP`: ``sandbox`` (no scripts, no forms, an opaque origin)
and ``default-src 'none'`` with inline styles and ``data:`` images only, so opening an
archived page runs none of its code and sends no request anywhere, to the live site
included (its absolute image and style URLs are simply not loaded).
"""

from __future__ import annotations

import codecs
import html
import json
import re

__all__ = ["CSP", "decode_capture", "replay_html"]

CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "base-uri 'none'; form-action 'none'"
)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_BODY_TAG = re.compile(r"<body\b[^>]*>", re.I)


def _known(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name)
    except LookupError:
        return None
    # Korean pages labelled euc-kr are written in its superset cp949 (as browsers read them).
    return "cp949" if codec.name in {"euc_kr", "cp949"} else codec.name


def _header_charset(headers_json: str | None) -> str | None:
    try:
        headers = json.loads(headers_json or "{}")
    except ValueError:
        return None
    for name, values in headers.items():
        if name.lower() == "content-type":
            for value in values if isinstance(values, list) else [values]:
                found = _HEADER_CHARSET.search(str(value))
                if found:
                    return found.group(1)
    return None


def decode_capture(body: bytes, *, encoding: str | None, headers_json: str | None) -> str:
    """The text of a capture: the capture's encoding, else the header's or the page's
    ``<meta charset>``, else UTF-8 if it decodes, else cp949; undecodable bytes replaced."""
    meta = _META_CHARSET.search(body[:4096])
    candidates = [
        encoding,
        _header_charset(headers_json),
        meta.group(1).decode("ascii", "replace") if meta else None,
    ]
    for name in candidates:
        codec = _known(name)
        if codec:
            return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp949", errors="replace")


def replay_html(text: str, *, url: str, fetched_kst: str, status: int, article_href: str) -> str:
    """The captured page with a banner naming its URL and capture time at the top."""
    banner = (
        '<div style="all:initial;display:block;font:14px/1.5 sans-serif;background:#fff3c4;'
        'color:#222;border-bottom:2px solid #c9a400;padding:8px 12px">'
        f"<strong>Archived capture</strong> — fetched {html.escape(fetched_kst)} "
        f"(HTTP {status}) from <code>{html.escape(url)}</code>. "
        "Scripts are disabled and nothing is loaded from the live site. "
        f'<a href="{html.escape(article_href)}">Back to the archive</a>'
        "</div>"
    )
    body = _BODY_TAG.search(text)
    if body is None:
        return banner + text
    return text[: body.end()] + banner + text[body.end() :]
