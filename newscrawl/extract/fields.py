"""Field resolution: a profile's answer first, then the page's metadata, then heuristics."""

from __future__ import annotations

import re
from datetime import date, datetime

from newscrawl.extract.byline import Byline, clean_name, parse_byline
from newscrawl.extract.cms.base import HEADINGS, Profile
from newscrawl.extract.dates import (
    LabelledDate,
    find_labelled_dates,
    later,
    parse_date,
    pick_published_modified,
)
from newscrawl.extract.dom import squash, text_of
from newscrawl.extract.meta import PageMeta

# How sites append their name or section to <title> and og:title.
_TITLE_SEPARATORS = re.compile(r"\s+[-|:<>·]\s+|\s*::\s*|\s*ㅣ\s*|\s+[–—]\s+|\s*\|\s*")
_BARE_STAMP = re.compile(
    r"(?:19|20)\d\d[-./]\s?\d{1,2}[-./]\s?\d{1,2}\.?\s*(?:오전|오후|AM|PM)?\s*\d{1,2}:\d{2}(?::\d{2})?"
)
_NOT_WORD = re.compile(r"[\W_]+")


def resolve_title(profile: Profile, meta: PageMeta) -> str | None:
    """The headline as printed: the profile's, else a page heading that the metadata
    titles name, else JSON-LD's headline, else <title> without the site name."""
    if title := profile.title():
        return title
    headline = meta.ld_str("headline")
    titles = [
        t for t in (meta.get("og:title"), meta.get("twitter:title"), meta.get("dable:title")) if t
    ]
    tag = profile.root.find(".//title")
    if tag is not None and (text := text_of(tag)):
        titles.append(text)
    candidates = [headline, *titles] if headline else titles
    if not candidates:
        return None
    keys = {_alnum(c) for c in candidates}
    best = None
    for el in HEADINGS(profile.index)[:40]:
        heading = text_of(el)
        if len(heading) < 4 or (best and len(heading) <= len(best)):
            continue
        if _alnum(heading) in keys or any(
            c.startswith(heading) or c.endswith(heading) for c in candidates
        ):
            best = heading
    if best:
        return best
    trimmed = [_trim_site(t, meta.get("og:site_name")) for t in titles]
    if headline:
        # Some CMSs drop quotes from the JSON-LD headline; og:title keeps them.
        same = [t for t in trimmed if _alnum(t) == _alnum(headline) and len(t) > len(headline)]
        return same[0] if same else headline
    return trimmed[0]


def _alnum(text: str) -> str:
    return _NOT_WORD.sub("", text)


def _trim_site(title: str, site_name: str | None) -> str:
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) <= 1:
        return title.strip()
    if site_name:
        parts = [p for p in parts if site_name not in p] or parts
    return max(parts, key=len).strip()


def resolve_reporters(profile: Profile, meta: PageMeta, body_bylines: list[Byline]) -> Byline:
    """Names and e-mails: the body's own credit and byline lines, then the profile's
    byline elements, then JSON-LD and author meta. ``외 N명`` pulls the others from JSON-LD."""
    sources: list[Byline] = []
    if body_bylines:
        sources.append(_merge(body_bylines))
    sources.append(_merge([parse_byline(t) for t in profile.byline_texts()]))
    ld_names = [n for n in (clean_name(a) for a in meta.ld_authors()) if n]
    sources.append(Byline(names=tuple(ld_names)))
    meta_bylines = [parse_byline(a) for a in meta.authors_meta]
    sources.append(_merge(meta_bylines))
    names: tuple[str, ...] = ()
    more = 0
    for source in sources:
        if source.names:
            names, more = source.names, source.more
            break
    if more and ld_names:
        names = tuple(dict.fromkeys([*names, *ld_names]))
    emails = tuple(dict.fromkeys(e for s in sources for e in s.emails))
    return Byline(names=names, emails=emails)


def _merge(bylines: list[Byline]) -> Byline:
    names = tuple(dict.fromkeys(n for b in bylines for n in b.names))
    emails = tuple(dict.fromkeys(e.lower() for b in bylines for e in b.emails))
    return Byline(names=names, emails=emails, more=max((b.more for b in bylines), default=0))


Stamp = datetime | date


def resolve_dates(
    date_text: str, meta: PageMeta
) -> tuple[Stamp | None, str | None, Stamp | None, str | None]:
    """(published, raw, modified, raw): the page's visible 입력/수정 lines, made precise by
    the metadata when both name the same minute; metadata alone when nothing is printed."""
    visible = find_labelled_dates(date_text)
    shown_pub, shown_mod = pick_published_modified(visible)
    meta_pub_raw = meta.ld_str("datePublished") or meta.get(
        "article:published_time",
        "og:article:published_time",
        "pubdate",
        "publishdate",
        "date",
        "dc.date.issued",
        "article:published",
        "pdate",
    )
    meta_mod_raw = meta.ld_str("dateModified") or meta.get(
        "article:modified_time", "og:article:modified_time", "article:modified", "lastmod"
    )
    meta_pub = parse_date(meta_pub_raw) if meta_pub_raw else None
    if shown_pub is None and meta_pub is None and (bare := _BARE_STAMP.search(date_text)):
        # A date printed with no label beside the byline (older mobile templates).
        meta_pub, meta_pub_raw = parse_date(bare.group(0)), bare.group(0)
    meta_mod = parse_date(meta_mod_raw) if meta_mod_raw else None
    published, published_raw = _prefer(shown_pub, meta_pub, meta_pub_raw)
    modified, modified_raw = _prefer(shown_mod, meta_mod, meta_mod_raw)
    # A "modification" no later than publication is the CMS repeating the first time.
    if modified is not None and published is not None and not later(modified, published):
        modified, modified_raw = None, None
    return published, published_raw, modified, modified_raw


def _prefer(
    shown: LabelledDate | None, from_meta: Stamp | None, meta_raw: str | None
) -> tuple[Stamp | None, str | None]:
    if shown is None:
        return from_meta, meta_raw if from_meta is not None else None
    if (
        isinstance(shown.value, datetime)
        and isinstance(from_meta, datetime)
        and abs((from_meta - shown.value).total_seconds()) < 60
        and from_meta.replace(second=0, microsecond=0)
        == shown.value.replace(second=0, microsecond=0)
    ):
        return from_meta, meta_raw
    if (
        not isinstance(shown.value, datetime)
        and isinstance(from_meta, datetime)
        and from_meta.date() == shown.value
    ):
        return from_meta, meta_raw
    return shown.value, shown.raw


def resolve_section(profile: Profile, meta: PageMeta) -> str | None:
    section = profile.section() or meta.ld_str("articleSection") or meta.get("article:section")
    return squash(section) or None
