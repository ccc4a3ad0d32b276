"""Debris that templates leave inside article paragraphs: photo credits glued to the
text, image buttons, stock-quote widgets, the ends of commented-out ad tags and the
brackets a cut credit leaves behind."""

from __future__ import annotations

import re

_CREDIT_WORD = r"(?:사진|자료\s?사진|사진\s?제공|그래픽|일러스트|자료|영상|사진\s?출처|출처)"
_PICTURE_WORD = r"(?:사진|자료\s?사진|사진\s?제공|그래픽|일러스트|영상|사진\s?출처)"
# "(사진=한빛시 제공)", "<그래픽=김가람 기자>", "[사진 제공: 한빛시]" anywhere in a paragraph;
# "(자료: 통계청)" cites the source of a figure in the text and stays.
_BRACKETED_CREDIT = re.compile(
    rf"\s*[(\[<〈【]\s*{_PICTURE_WORD}\s*[=:：]\s*[^)\]>〉】\n]{{1,40}}[)\]>〉】]"
)
# "…하고 있다. 사진=한빛일보" and "…했다.[사진]한빛일보 DB" closing a paragraph.
_TRAILING_CREDIT = re.compile(
    rf"(?<=[.!?\"”’)])\s*(?:{_CREDIT_WORD}\s*[=:：]|\[\s*{_CREDIT_WORD}\s*\])\s*[^.!?=\n]{{1,30}}$"
)
# "사진=한빛시 제공 한빛시가…" and "[사진]한빛일보 DB 한빛시가…" opening one: the source is
# one word, or runs to a closing 제공/DB/캡처 within a few words. ("자료: 통계청에 따르면…"
# opens a sentence.)
_LEADING_CREDIT = re.compile(
    rf"^\s*(?:{_PICTURE_WORD}\s*[=:：]|\[\s*{_PICTURE_WORD}\s*\])\s*"
    r"(?:[^\s=]{1,20}(?:\s+[^\s=]{1,20}){0,2}?\s*(?:제공|DB|캡처|갈무리|촬영)\b|[^\s=]{1,20})\s*"
)
# A line that is only a credit: "[사진]한빛일보 DB", "그래픽=김가람 기자".
_CREDIT_LINE = re.compile(
    rf"^\s*/?\s*(?:{_CREDIT_WORD}\s*[=:：]|\[\s*{_CREDIT_WORD}\s*\])\s*[^.!?=\n]{{0,30}}$"
)
# Image and video buttons: "기사 이미지 보기", "사진 크게 보기", "원본 보기".
_BUTTON = re.compile(
    r"(?:기사\s*)?(?:이미지|사진|그림|동영상|영상)\s*(?:크게\s*|원본\s*)?(?:보기|확대|재생)"
    r"|(?:크게|원본)\s*보기"
)
_BUTTON_LINE = re.compile(rf"^\W*(?:{_BUTTON.pattern})\W*$")
# A stock-quote widget line: a 6-digit code or a market name, and a price move.
_MARKET = re.compile(
    r"(?<!\d)\d{6}(?!\d)|코스피|코스닥|KOSPI|KOSDAQ|나스닥|NASDAQ|현재가|전일\s*대비"
)
_PRICE = re.compile(r"(?<![\d,])\d{1,3}(?:,\d{3})+(?![\d,])")  # 52,300
_PRICE_MOVE = re.compile(r"[▲▼△▽↑↓]\s*[\d,.]+|[+\-]\s?\d+(?:\.\d+)?\s?%|등락률")
# The visible ends of ad code that a template commented out badly.
_CODE_DEBRIS = re.compile(r"^(?:\s*(?:\*/|/\*|-->|<!--|//\s*-->|//\s*\]\]>|\]\]>))+\s*")
_CODE_DEBRIS_END = re.compile(r"(?:\s*(?:\*/|/\*|-->|<!--))+\s*$")
# Script text that a broken ad tag printed: "googletag.cmd.push(function(){…});".
_CODE_MARKS = re.compile(
    r"googletag|adsbygoogle|document\.write|window\.\w+|function\s*\(|\bvar\s+\w+\s*=|"
    r"\}\s*\)\s*;|\(\s*\)\s*;|=>\s*\{|\.push\(|<\/?script|<\/?div"
)
_HANGUL = re.compile(r"[가-힣]")
_LEADING_CLOSER = re.compile(r"^\s*[\]】)〕>］）]+\s*")
_WORD = re.compile(r"\w")
_SENTENCE_END = re.compile(r"(?:다|요|죠)\s*[.!?]\s*$")


# What a saved page shows for an address Cloudflare hid: "김가람 기자 [email protected]".
_PROTECTED_EMAIL = re.compile(r"\s*\[\s*(?:email\s+protected|이메일\s*보호됨)\s*\]", re.I)


def strip_residue(text: str) -> str:
    """The paragraph without glued photo credits, buttons and code debris ('' if that
    was all of it)."""
    if "[" in text and ("protected" in text or "보호됨" in text):
        text = _PROTECTED_EMAIL.sub("", text)
    if "*" in text or "-->" in text or "<!--" in text or "]]>" in text:
        text = _CODE_DEBRIS_END.sub("", _CODE_DEBRIS.sub("", text))
    if text[:1] in "]】)〕>］）":
        text = _LEADING_CLOSER.sub("", text)  # what a cut credit bracket left behind
    if "보기" in text or "확대" in text or "재생" in text:
        if _BUTTON_LINE.match(text):
            return ""
        text = re.sub(r"\s*기사\s*이미지\s*보기\s*", " ", text).strip()
    if any(word in text for word in ("사진", "자료", "그래픽", "영상", "출처", "일러스트")):
        if _CREDIT_LINE.match(text):
            return ""
        text = _BRACKETED_CREDIT.sub("", text)
        text = _TRAILING_CREDIT.sub("", text)
        lead = _LEADING_CREDIT.match(text)
        if lead and len(text) - lead.end() >= 20:  # a credit opening a real paragraph
            text = text[lead.end() :]
    return text.strip() if _WORD.search(text) else ""


def is_code(text: str) -> bool:
    """A line of script or markup printed as text: two code marks, or one and no Hangul."""
    if not any(c in text for c in "(;{<=."):
        return False  # every mark has one of these
    marks = len(_CODE_MARKS.findall(text))
    return marks >= 2 or (marks == 1 and _HANGUL.search(text) is None)


def is_stock_widget(text: str) -> bool:
    """A short line of quotes (``한빛전자 123456 | 52,300 ▲1,200 +2.35%``, or in a quote box
    without code nor market, ``한빛전자 52,300 +2.35%``), not a sentence."""
    if len(text) > 120 or _PRICE_MOVE.search(text) is None or _SENTENCE_END.search(text):
        return False
    if _MARKET.search(text) is not None:
        return True
    # A name, a price and its move: a few words at most, none a verb ending a clause.
    return len(text) <= 60 and _PRICE.search(text) is not None and len(text.split()) <= 5
