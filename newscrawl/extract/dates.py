"""Korean news date strings → timezone-aware datetimes, and labelled dates in page text.

Korean pages print dates in a handful of shapes (``2021.03.23 20:20``, ``2021. 3. 23. 오후
8:20``, ``2021년 3월 23일 20시 20분``, GnuBoard's ``21-03-23 20:20``) that generic parsers
misread: dateutil turns ``21-03-23`` into 2023-03-21. So our own regexes come first and
dateutil is only a last resort for English strings. Everything here is called on every
page, hence precompiled patterns and no exceptions escaping for any ``str`` input.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from dateutil import parser as du_parser

KST = timezone(timedelta(hours=9), "KST")

__all__ = [
    "KST",
    "LabelledDate",
    "find_labelled_dates",
    "later",
    "parse_date",
    "pick_published_modified",
    "to_iso",
]

# A date expression is short; looking further only costs time on garbage input.
_MAX_CHARS = 200
# Older dates on a news page are footers (newspaper registration), not articles.
_MIN_YEAR, _MAX_YEAR = 1990, 2100

_DATE = r"""
(?<![\d.])                      # not the tail of a longer number or a version string
(?:
    (?P<y>\d{4}|\d{2})(?P<sep>[.\-/])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})(?!\d)\.?
  | (?P<ky>\d{4}|\d{2})\s*년\s*(?P<km>\d{1,2})\s*월\s*(?P<kd>\d{1,2})\s*일
)
(?:\s*\(\s*[월화수목금토일]\s*\)|\s*[월화수목금토일]요일)?     # weekday, ignored
(?:
    \s*(?:[T,]|\((?=\s*(?:\d|오전|오후)))?\s*   # "2025.03.04 (19:42)": a time in brackets
    (?:(?P<ap>오전|오후|[AaPp]\.?[Mm]\.?)\s*)?
    (?P<H>\d{1,2})
    (?:
        \s*:\s*(?P<M>\d{2})(?:\s*:\s*(?P<S>\d{2})(?:[.,]\d{1,9})?)?
      | \s*시(?:\s*(?P<KM>\d{1,2})\s*분)?(?:\s*(?P<KS>\d{1,2})\s*초)?
    )
    (?:\s*(?P<ap2>[AaPp]\.?[Mm]\.?)(?![A-Za-z]))?
    (?:\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?|KST|UTC|GMT)(?![A-Za-z0-9]))?
    (?:\s*\))?
)?
"""
_DATE_RE = re.compile(_DATE, re.VERBOSE)

# Label words, longest first so "기사입력" wins over "입력"; the look-behind rejects a label
# glued to a preceding word ("댓글 내용입력", "회원정보수정", "인터넷신문등록번호").
_LABEL_RE = re.compile(
    r"""
    (?<![가-힣A-Za-z])
    (?P<label>
        기사\s?입력|최초\s?입력|입력|등록|작성|게재|게시|발행|송고|기사\s?전송|전송
      | 최종\s?수정|기사\s?수정|수정|최종\s?업데이트|업데이트|최종\s?편집|갱신
      | 최종\s?승인|기사\s?승인|승인
      | (?i:posted|published|updated|modified)(?:\s+on)?
    )
    (?P<suffix>일시|일자|시간|시각|일)?
    \s*[:：]?\s*
    """
    + _DATE,
    re.VERBOSE,
)

_PUBLISHED_LABELS = (
    "기사입력", "최초입력", "입력", "등록", "작성", "게재", "게시", "발행", "송고", "기사전송",
    "전송", "posted",
)  # fmt: skip
_LABEL_CLASS = {
    **dict.fromkeys(_PUBLISHED_LABELS, "입력"),
    "published": "입력",
    **dict.fromkeys(
        ("수정", "최종수정", "기사수정", "업데이트", "최종업데이트", "최종편집", "갱신"),
        "수정",
    ),
    "updated": "수정",
    "modified": "수정",
    "승인": "승인",
    "최종승인": "승인",
    "기사승인": "승인",
}
# "2025.03.04 19:42 입력": the label after the date, on pages that print no label first.
_TRAILING_LABEL_RE = re.compile(
    _DATE + r"\s*(?P<label>입력|송고|수정|업데이트)(?![가-힣])", re.VERBOSE
)
# "등록일자"/"발행일자" name the newspaper's registration in every footer, not the article.
_REGISTRATION_LABELS = frozenset({"등록", "발행"})

_HANGUL_RE = re.compile(r"[가-힣]")
_ENGLISH_MONTH_RE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?![a-z])", re.I
)
_DU_TZINFOS = {"KST": KST, "UTC": UTC, "GMT": UTC}
# Two defaults differing in every field reveal which fields dateutil invented.
_DU_DEFAULTS = (datetime(2000, 1, 1, 0, 0, 0), datetime(2004, 2, 2, 1, 1, 1))


@dataclass(frozen=True)
class LabelledDate:
    """A date printed after a label on the page.

    ``label`` is normalized to "입력", "수정" or "승인"; ``raw`` is the matched text
    (label and date) so a wrong normalization can be seen later.
    """

    label: str
    value: datetime | date
    raw: str


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # GnuBoard prints two-digit years; nothing on the web predates 1990.
        year += 1900 if year >= 90 else 2000
    return year


def _hour(hour: int, marker: str | None) -> int | None:
    """Apply 오전/오후 (AM/PM); None when the combination is impossible."""
    if not marker:
        return hour
    pm = marker == "오후" or marker[0] in "Pp"
    if hour > 12:
        # Some sites print "오후 13:20": the marker is redundant, "오전 13:20" is nonsense.
        return hour if pm else None
    if pm:
        return hour if hour == 12 else hour + 12
    return 0 if hour == 12 else hour


def _zone(text: str | None, default: tzinfo) -> tzinfo | None:
    if not text:
        return default
    if text in ("Z", "UTC", "GMT"):
        return UTC
    if text == "KST":
        return KST
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 14 or minutes >= 60:
        return None
    offset = timedelta(hours=hours, minutes=minutes)
    if text[0] == "-":
        offset = -offset
    return KST if offset == KST.utcoffset(None) else timezone(offset)


def _value(m: re.Match[str], tz: tzinfo) -> datetime | date | None:
    """Build the value of one date match; None for impossible dates."""
    y, mo, d = (m["y"], m["m"], m["d"]) if m["y"] else (m["ky"], m["km"], m["kd"])
    year = _year(y)
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    try:
        day = date(year, int(mo), int(d))
    except ValueError:
        return None
    if m["H"] is None:
        return day
    hour = _hour(int(m["H"]), m["ap"] or m["ap2"])
    zone = _zone(m["tz"], tz)
    if hour is None or zone is None:
        return None
    minute = int(m["M"] or m["KM"] or 0)
    second = int(m["S"] or m["KS"] or 0)
    try:
        return datetime.combine(day, time(hour, minute, second), tzinfo=zone)
    except ValueError:
        return None


def _dateutil(text: str, tz: tzinfo) -> datetime | date | None:
    """Last resort for English dates ("Tue, 23 Mar 2021 20:20:00 +0900")."""
    results = []
    for default in _DU_DEFAULTS:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results.append(du_parser.parse(text, default=default, tzinfos=_DU_TZINFOS))
        except (ValueError, OverflowError, TypeError):
            return None
    first, second = results
    if first.date() != second.date() or not _MIN_YEAR <= first.year <= _MAX_YEAR:
        return None  # dateutil filled in part of the date from its default
    if first.hour != second.hour:
        return first.date()  # no time given: stays date-only
    return first if first.tzinfo else first.replace(tzinfo=tz)


def parse_date(text: str, *, tz: tzinfo = KST) -> datetime | date | None:
    """Parse one date expression, possibly surrounded by a label or noise.

    Returns an aware datetime (the string's own offset, else ``tz``), a ``date`` when only
    a day is given, or None when there is no valid date. Never raises for a ``str``.
    """
    head = text[:_MAX_CHARS]
    m = _DATE_RE.search(head)
    if m:
        # A Korean-shaped match that is impossible (month 13) is not retried with dateutil,
        # which would happily reinterpret it.
        return _value(m, tz)
    if _HANGUL_RE.search(head) or not _ENGLISH_MONTH_RE.search(head):
        return None
    return _dateutil(head.strip(), tz)


def find_labelled_dates(text: str, *, tz: tzinfo = KST) -> list[LabelledDate]:
    """Every ``LABEL [:] DATE`` in a block of visible text, in page order."""
    found = []
    for m in _LABEL_RE.finditer(text):
        label = re.sub(r"\s+", "", m["label"]).lower().removesuffix("on")
        if label in _REGISTRATION_LABELS and m["suffix"] == "일자":
            continue
        value = _value(m, tz)
        if value is not None:
            found.append(LabelledDate(_LABEL_CLASS[label], value, m.group(0).strip()))
    if found or ("입력" not in text and "수정" not in text and "송고" not in text):
        return found
    # Only where no label comes first: "입력 A 수정 B" would read as "A 수정".
    for m in _TRAILING_LABEL_RE.finditer(text):
        value = _value(m, tz)
        if value is not None:
            found.append(LabelledDate(_LABEL_CLASS[m["label"]], value, m.group(0).strip()))
    return found


def _key(value: datetime | date) -> datetime:
    """A sort key putting dates and aware datetimes on one time line (dates at 00:00 KST)."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time.min, tzinfo=KST)


def later(a: datetime | date, b: datetime | date) -> bool:
    """Whether ``a`` is later than ``b``, compared at the coarser of their precisions."""
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a > b
    day_a = a.date() if isinstance(a, datetime) else a
    day_b = b.date() if isinstance(b, datetime) else b
    return day_a > day_b


def _earliest(items: list[LabelledDate]) -> LabelledDate | None:
    # A date-only 입력-class value beside timed ones is a footer ("등록일: 2015-01-02"),
    # so timed values are preferred whenever the page has any.
    timed = [i for i in items if isinstance(i.value, datetime)]
    pool = timed or items
    return min(pool, key=lambda i: _key(i.value)) if pool else None


def pick_published_modified(
    found: list[LabelledDate],
) -> tuple[LabelledDate | None, LabelledDate | None]:
    """Choose (published, modified) among labelled dates.

    Published is the earliest 입력 (under "업데이트 … 입력 …" the nested 입력 is the
    original), else the earliest 승인. Modified is the latest 수정-class value later than
    published, else None.
    """
    published = _earliest([f for f in found if f.label == "입력"]) or _earliest(
        [f for f in found if f.label == "승인"]
    )
    edits = [f for f in found if f.label == "수정"]
    if published is not None:
        edits = [f for f in edits if later(f.value, published.value)]
    modified = max(edits, key=lambda i: _key(i.value)) if edits else None
    return published, modified


def to_iso(value: datetime | date | None) -> str | None:
    """ISO 8601 text of a parsed value (``2021-03-23T20:20:00+09:00``), None for None."""
    return None if value is None else value.isoformat()
