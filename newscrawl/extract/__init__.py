"""Pure article extraction: HTML (bytes or str) and its URL in, an ``Article`` out.

No Scrapy here (a test checks it): the crawler, ``scrapy extract`` and re-extraction of
stored captures all call ``extract()``. It never raises on bad input; what went wrong is
in the record's ``status`` and ``messages``.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable
from urllib.parse import urljoin, urlsplit

from newscrawl.extract.article import Article, Image, Status
from newscrawl.extract.clean import Cleaned, clean_lines
from newscrawl.extract.cms import Profile, choose_profile
from newscrawl.extract.dates import find_labelled_dates
from newscrawl.extract.dom import (
    Element,
    Line,
    NotUtf8,
    lines_of,
    parse,
    parse_utf8,
    squash,
    text_of,
)
from newscrawl.extract.encoding import decode_html, likely_utf8
from newscrawl.extract.fields import (
    resolve_dates,
    resolve_reporters,
    resolve_section,
    resolve_title,
)
from newscrawl.extract.meta import PageMeta, read_meta
from newscrawl.extract.visibility import without_hidden
from newscrawl.extract.zone import head_zone, header_zone, tail_lines
from newscrawl.urls import article_identity, canonical_url

__all__ = ["Article", "Image", "Status", "extract"]

_BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "gzip-compressed data",
}
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_NOT_HANGUL = re.compile(r"[^\uac00-\ud7a3]+")
_NOT_LETTER = re.compile(r"[\W\d_]+")
MIN_BODY = 80  # characters; less is a teaser, a list item or an error message
MAX_BYTES = 20_000_000


def extract(
    html: bytes | str, url: str, *, encoding: str | None = None, site_hosts: Iterable[str] = ()
) -> Article:
    """Extract one article page.

    ``html`` as bytes is decoded like a browser would (BOM, ``encoding`` — an HTTP
    Content-Type value or charset name —, the meta charset, then detection); as str it
    is used as is. ``url`` is the page's address (after redirects), used for the site,
    relative links and the article's URL. ``site_hosts`` are the home host and aliases of
    the site it was fetched for: a canonical declared on one of them is the same site
    (:func:`newscrawl.urls.article_identity`).
    """
    host = (urlsplit(url).hostname or "").lower()
    article = Article(url=url, canonical_url=_safe_canonical(url), site=host)
    try:
        return _extract(html, url, encoding, article, tuple(site_hosts))
    except RecursionError:
        article.status = Status.EMPTY
        article.messages.append("markup nested too deeply to read")
        return article


def _extract(
    html: bytes | str, url: str, encoding: str | None, article: Article, site_hosts: tuple[str, ...]
) -> Article:
    text: str | None = None  # the decoded document; None while only the bytes were needed
    if isinstance(html, bytes):
        if not html or html.isspace():
            return _fail(article, Status.EMPTY, "empty document")
        for magic, what in _BINARY_MAGIC.items():
            if html.startswith(magic):
                return _fail(article, Status.EMPTY, f"not HTML: {what}")
        if len(html) > MAX_BYTES:
            article.messages.append(f"document cut at {MAX_BYTES} bytes")
            html = html[:MAX_BYTES]
        is_utf8, root = _parse_if_utf8(html, encoding)
        if is_utf8:
            article.encoding = "utf-8"
        else:
            decoded = decode_html(html, declared=encoding)
            article.encoding = decoded.encoding
            article.messages.extend(decoded.messages)
            text = decoded.text
            if text.count("\x00") > 16:
                return _fail(article, Status.EMPTY, "not HTML: binary data")
            root = _parse_decoded(html, decoded.encoding, text)
    else:
        text = html
        if text.count("\x00") > 16:
            return _fail(article, Status.EMPTY, "not HTML: binary data")
        root = parse(text)
    if root is None:
        return _fail(article, Status.EMPTY, "no markup to parse")

    meta = read_meta(root)
    identity = article_identity(url, meta.canonical or meta.get("og:url"), site_hosts=site_hosts)
    article.canonical_url, article.declared_canonical = identity.url, identity.declared_canonical
    profile = choose_profile(root, meta, url)
    article.cms = profile.name
    article.title = resolve_title(profile, meta)
    subtitle = profile.subtitle()
    article.subtitle = subtitle if subtitle and subtitle != article.title else None
    container = profile.body_container()
    cleaned = _body(profile, container, article, lambda: _text(html, text), url)
    article.body = cleaned.text
    article.messages.extend(cleaned.messages)
    if cleaned.deck and article.subtitle is None:
        article.subtitle = "\n".join(cleaned.deck)

    date_text = profile.date_text()
    if not find_labelled_dates(date_text):
        date_text = header_zone(root, article.title, container)
    published, published_raw, modified, modified_raw = resolve_dates(date_text, meta)
    article.published, article.published_raw = published, published_raw
    article.modified, article.modified_raw = modified, modified_raw

    byline = resolve_reporters(
        profile,
        meta,
        cleaned.bylines,
        head=lambda: head_zone(root, article.title, container),
        tail=lambda: tail_lines(container),
        handoffs=tuple(cleaned.handoffs),
    )
    article.reporters = list(byline.names)
    article.reporter_emails = list(byline.emails)
    article.section = resolve_section(profile, meta)
    article.images = _images(container, url) if container is not None else []
    article.language = _language(meta.lang, article.title, article.body)
    article.status = _status(article, meta, container is not None, root)
    return article


def _parse_if_utf8(html: bytes, declared: str | None) -> tuple[bool, Element | None]:
    """Parse bytes that are likely UTF-8 without decoding them: (True, root) if they were.

    For these, UTF-8 is what decode_html would choose exactly when they are valid UTF-8, and
    the parser checks that; their decoded text is needed only for trafilatura.
    """
    if not likely_utf8(html, declared=declared) or html.count(b"\x00") > 16:
        return False, None
    try:
        return True, parse_utf8(html)
    except NotUtf8:
        return False, None


def _parse_decoded(html: bytes, encoding: str, text: str) -> Element | None:
    """Parse a document decode_html decoded: UTF-8 as its bytes (faster), others as text."""
    if encoding == "utf-8" and not html.startswith(codecs.BOM_UTF8):
        try:
            return parse_utf8(html)
        except NotUtf8:  # Python decoded what libxml2 finds invalid: trust the decoded text
            pass
    return parse(text)


def _text(html: bytes | str, text: str | None) -> str:
    """The decoded document: ``text``, or the bytes that were parsed as valid UTF-8."""
    if text is not None:
        return text
    assert isinstance(html, bytes)
    return html.decode("utf-8", "replace")


def _body(
    profile: Profile,
    container: Element | None,
    article: Article,
    page_text: Callable[[], str],
    url: str,
) -> Cleaned:
    headlines = (article.title, article.subtitle)
    cleaned = Cleaned()
    if container is not None:
        cleaned = clean_lines(lines_of(container, profile.skip), headlines=headlines)
    korean = bool(_HANGUL.search(article.title or "")) or bool(_HANGUL.search(cleaned.text))
    if cleaned.text and (profile.name != "generic" or (korean and len(cleaned.text) >= MIN_BODY)):
        return cleaned
    # No known container, or a page in another language: trafilatura's heuristics. Imported
    # here: it adds ~10 MB to every crawler process, and CMS pages never need it.
    import trafilatura

    # Korean pages print hidden copies for screen readers (class "blind", "screen_out"),
    # which trafilatura would read as text.
    source = (without_hidden(profile.root) if korean else None) or page_text()
    doc = trafilatura.bare_extraction(
        source, url=url, with_metadata=False, include_comments=False, include_tables=True
    )
    found = (getattr(doc, "text", None) or "") if doc is not None else ""
    if not found:
        return cleaned
    if not korean and not _HANGUL.search(found):
        return Cleaned(paragraphs=[p for p in found.split("\n") if p.strip()])
    fallback = clean_lines([Line(p) for p in found.split("\n")], headlines=headlines)
    fallback.messages.insert(0, "body found by trafilatura")
    return fallback if len(fallback.text) > len(cleaned.text) else cleaned


def _images(container: Element, url: str) -> list[Image]:
    images: list[Image] = []
    for img in container.iter("img"):
        src = img.get("src") or img.get("data-src") or img.get("data-original")
        if not src or src.startswith("data:"):
            continue
        caption = None
        figure = next((a for a in img.iterancestors("figure")), None)
        if figure is not None:
            caption = text_of(figure.find(".//figcaption")) or None
        else:
            sibling = img.getnext()
            if sibling is not None and sibling.tag in ("em", "span", "p", "figcaption"):
                caption = text_of(sibling) or None
        images.append(
            Image(src=urljoin(url, src.strip()), caption=caption or squash(img.get("alt")) or None)
        )
        if len(images) >= 50:
            break
    return images


def _language(declared: str | None, title: str | None, body: str) -> str | None:
    sample = f"{title or ''} {body[:2000]}"
    hangul = len(sample) - len(_NOT_HANGUL.sub("", sample))
    # Letters are never more than the characters: counting them (a Unicode category test per
    # character, dearer) is only needed when Hangul is a small share of the sample.
    if hangul > 0.3 * len(sample):
        return "ko"
    letters = len(sample) - len(_NOT_LETTER.sub("", sample))
    if letters and hangul / letters > 0.3:
        return "ko"
    if declared:
        return declared.split("-")[0].lower() or None
    return None


def _status(article: Article, meta: PageMeta, has_container: bool, root: Element) -> Status:
    signals = bool(meta.ld) or meta.get("og:type") == "article" or article.published is not None
    if not signals and not has_container and _link_share(root) > 0.4:
        article.messages.append("mostly links, no article markup, metadata or date: a list page")
        article.body = ""
        return Status.NOT_ARTICLE
    if not article.body or (len(article.body) < MIN_BODY and not has_container):
        if not article.body and not text_of(root.find("body")):
            article.messages.append("the page has no visible text")
            return Status.EMPTY
        article.messages.append(
            "no article text found" + ("" if signals else ": not an article page")
        )
        return Status.NOT_ARTICLE if not signals or not article.body else Status.PARTIAL
    if not signals and not has_container:
        article.messages.append("no article markup, metadata or date: text kept as found")
    missing = [name for name in ("title", "published") if not getattr(article, name)]
    if missing:
        article.messages.append("missing: " + ", ".join(missing))
        return Status.PARTIAL
    return Status.OK


def _link_share(root: Element) -> float:
    body = root.find("body")
    total = len(text_of(body)) if body is not None else 0
    if not total:
        return 0.0
    linked = sum(len(text_of(a)) for a in root.iter("a"))
    return linked / total


def _fail(article: Article, status: Status, message: str) -> Article:
    article.status = status
    article.messages.append(message)
    return article


def _safe_canonical(url: str) -> str:
    try:
        return canonical_url(url)
    except ValueError:
        return url
