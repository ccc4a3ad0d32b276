"""Field resolution: a profile's answer first, then the page's metadata, then heuristics."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from urllib.parse import urlsplit

from newscrawl.extract.byline import Byline, byline_line, clean_name, parse_byline
from newscrawl.extract.cms.base import HEADINGS, HEADLINES, Profile
from newscrawl.extract.dates import (
    KST,
    LabelledDate,
    find_labelled_dates,
    later,
    parse_date,
    pick_published_modified,
)
from newscrawl.extract.dom import Element, squash, text_of
from newscrawl.extract.meta import PageMeta
from newscrawl.extract.visibility import out_of_sight, visible_text

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
    trimmed = [_trim_site(t, meta.get("og:site_name")) for t in titles]
    if best := _printed_headline(profile, [*candidates, *trimmed], meta.get("og:site_name")):
        return best
    if headline:
        # Some CMSs drop quotes from the JSON-LD headline; og:title keeps them.
        same = [t for t in trimmed if _alnum(t) == _alnum(headline) and len(t) > len(headline)]
        return same[0] if same else headline
    return trimmed[0]


def _printed_headline(profile: Profile, candidates: list[str], site_name: str | None) -> str | None:
    """The visible heading (h1-h3 or a headline element) that the metadata titles name:
    the same words, one cut from the other (a shortened og:title), or mostly the same
    characters (an edited one).

    Sites append " - 매체명" to og:title or shorten it, while the page prints the headline
    in full; the printed one is the record's. A heading no longer than half of a title is
    a site or section name that the title happens to contain, not the headline.
    """
    keys = {key for key in (_alnum(c) for c in candidates if c) if len(key) >= 4}
    if not keys:
        return None
    # "About bugs – Vortex Cannon": the headline is one whole part of a title, and the site's
    # name another, which the page prints as its logo.
    parts = {_alnum(p) for c in candidates if c for p in _TITLE_SEPARATORS.split(c)}
    parts.discard(_alnum(site_name or ""))
    home = "{0.scheme}://{0.netloc}".format(urlsplit(profile.url))
    pairs = [(k, _pairs(k)) for k in keys]
    best, best_score = None, 0.0
    for el in [*HEADLINES(profile.index)[:8], *HEADINGS(profile.index)[:40]]:
        heading = visible_text(el)
        key = _alnum(heading)
        if len(key) < 4:
            continue
        if key in keys:
            score = 3.0
        elif key in parts:
            score = 2.5
        elif any(
            (k.startswith(key) or k.endswith(key) or key.startswith(k)) and 2 * len(key) > len(k)
            for k in keys
        ):
            score = 2.0
        elif best_score >= 1.0:
            continue  # a looser match cannot beat a whole one
        else:
            score = _similarity(key, pairs)
            if score < TITLE_SIMILARITY:
                continue
        # Ties go to the longer heading: a section heading may repeat part of the title.
        if (score, len(heading)) <= (best_score, len(best or "")):
            continue
        if not _is_logo(el, home) and not out_of_sight(el):
            best, best_score = heading, score
    return best


_LOGO = re.compile(r"logo|brand|site[-_]?(?:name|title)|masthead", re.I)
_HOME = frozenset({"/", "./", "#", "index.html", "/index.html"})


def _is_logo(el: Element, home: str) -> bool:
    """A heading that is the site's logo: a link home, or in a logo or brand box (up to
    three levels up: a whole page's wrapper may carry a brand class)."""
    for depth, node in enumerate((el, *el.iterancestors())):
        if depth > 3:
            break
        if node.tag == "a" and _links_home(node, home):
            return True
        names = f"{node.get('class') or ''} {node.get('id') or ''}"
        if len(names) > 3 and _LOGO.search(names):
            return True
    return any(_links_home(link, home) for link in el.iter("a"))


def _links_home(link: Element, home: str) -> bool:
    href = (link.get("href") or "").strip()
    return href in _HOME or href.rstrip("/") == home


TITLE_SIMILARITY = 0.6  # share of shared character pairs (Dice) of a loosely matching heading


def _pairs(text: str) -> Counter[str]:
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def _similarity(key: str, titles: list[tuple[str, Counter[str]]]) -> float:
    """The best Dice coefficient of ``key``'s character pairs against the titles'."""
    mine = _pairs(key)
    size = len(key) - 1
    best = 0.0
    for title, theirs in titles:
        total = size + len(title) - 1
        if total <= 0 or 2 * min(size, len(title) - 1) / total <= best:
            continue  # the lengths alone cannot beat the best so far
        best = max(best, 2 * sum((mine & theirs).values()) / total)
    return best


def _alnum(text: str) -> str:
    return _NOT_WORD.sub("", text)


def _trim_site(title: str, site_name: str | None) -> str:
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) <= 1:
        return title.strip()
    if site_name:
        parts = [p for p in parts if site_name not in p] or parts
    return max(parts, key=len).strip()


def resolve_reporters(
    profile: Profile,
    meta: PageMeta,
    body_bylines: list[Byline],
    *,
    head: Callable[[], str] = str,
    tail: Callable[[], list[str]] = list,
    handoffs: tuple[str, ...] = (),
) -> Byline:
    """Names and e-mails: the body's own credit and byline lines, then the profile's
    byline elements, then JSON-LD and author meta, then reporter boxes found by their class
    names, then a byline line printed right after the text (``tail``) or a "이름 기자"
    between the headline and the text (``head``), then the reporter an anchor hands over to
    (``handoffs``), each asked for only when all before it named nobody. ``외 N명`` pulls
    the others from JSON-LD."""
    sources: list[Byline] = []
    if body_bylines:
        sources.append(_merge(body_bylines))
    bare = profile.BARE_NAMES
    sources.append(_merge([parse_byline(t, bare=bare) for t in profile.byline_texts()]))
    ld_names = [n for n in (clean_name(a) for a in meta.ld_authors()) if n]
    sources.append(Byline(names=tuple(ld_names)))
    meta_bylines = [parse_byline(a) for a in meta.authors_meta]
    sources.append(_merge(meta_bylines))
    if not any(source.names for source in sources):
        sources.append(_merge([parse_byline(t, bare=True) for t in profile.byline_boxes()]))
    if not any(source.names for source in sources):
        # Whole byline lines only: after the text come lists and boxes of other articles.
        sources.append(_merge([b for b in map(byline_line, tail()) if b is not None]))
    if not any(source.names for source in sources):
        # Only names credited by a role word: the stretch also holds menus and buttons.
        sources.append(parse_byline(head()))
    if not any(source.names for source in sources):
        sources.append(Byline(names=tuple(dict.fromkeys(handoffs))))
    names: tuple[str, ...] = ()
    more = 0
    for source in sources:
        if source.names:
            names, more = source.names, source.more
            break
    if more and ld_names:
        names = tuple(dict.fromkeys([*names, *ld_names]))
    emails = tuple(dict.fromkeys(e for s in sources for e in s.emails))
    if names and not emails:
        # Broadcasters and agencies name the reporter in the text (sign-off, credit) and
        # print the address only in the reporter box: taken where the box names them too.
        boxes = [parse_byline(t, bare=True) for t in profile.byline_boxes()]
        lines = [b for b in map(byline_line, tail()) if b is not None]
        emails = tuple(
            dict.fromkeys(
                e.lower() for b in (*boxes, *lines) if set(b.names) & set(names) for e in b.emails
            )
        )
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
        "datepublished",  # <meta itemprop="datePublished">
        "og:regdate",  # Kakao and Daum pages: "20190416113200"
        "parsely-pub-date",
        "publish-date",
    )
    meta_mod_raw = meta.ld_str("dateModified") or meta.get(
        "article:modified_time",
        "og:article:modified_time",
        "article:modified",
        "lastmod",
        "datemodified",
        "og:updated_time",
    )
    meta_pub = _meta_date(meta_pub_raw) if meta_pub_raw else None
    if shown_pub is None and meta_pub is None and (bare := _BARE_STAMP.search(date_text)):
        # A date printed with no label beside the byline (older mobile templates).
        meta_pub, meta_pub_raw = parse_date(bare.group(0)), bare.group(0)
    meta_mod = _meta_date(meta_mod_raw) if meta_mod_raw else None
    published, published_raw = _prefer(shown_pub, meta_pub, meta_pub_raw)
    modified, modified_raw = _prefer(shown_mod, meta_mod, meta_mod_raw)
    # A "modification" no later than publication is the CMS repeating the first time.
    if modified is not None and published is not None and not later(modified, published):
        modified, modified_raw = None, None
    return published, published_raw, modified, modified_raw


_COMPACT_STAMP = re.compile(r"((?:19|20)\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?")


def _meta_date(raw: str) -> Stamp | None:
    """A metadata date: what parse_date reads, and the digits-only "YYYYMMDDHHMM[SS]" some
    Korean templates write (in Korean time)."""
    compact = _COMPACT_STAMP.fullmatch(raw.strip())
    if compact is None:
        return parse_date(raw)
    y, mo, d, h, mi = (int(g) for g in compact.groups()[:5])
    try:
        return datetime(y, mo, d, h, mi, int(compact[6] or 0), tzinfo=KST)
    except ValueError:
        return None


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
