"""Crew credits of a report: "촬영기자:김가람/영상편집:이나래", "(취재: 오하늬 / 영상취재:
서누리 / 구성: 한별·윤슬기)". They name the crew, not text; the one credited with 취재 (or
글, 리포터) is the reporter."""

from __future__ import annotations

import re

from newscrawl.extract.byline import Byline

_REPORTER_ROLE = r"(?:취재|글|리포터|기자)"
_CREW_ROLE = (
    r"(?:촬영\s*기자|촬영\s*감독|영상\s*(?:취재|편집|촬영|디자인|그래픽|제공|제작)|그래픽|"
    r"자료\s*조사|촬영|편집|카메라|CG|구성|연출|조연출|화면\s*제공|자막\s*뉴스|디자인|리서처|"
    r"내레이션|제작|기획|인턴|사진|진행)"
)
_ROLES = rf"(?:{_CREW_ROLE}|{_REPORTER_ROLE})"
# Where one credit ends and the next begins: "/", "|", or the next "역할 :".
_SPLIT = re.compile(rf"\s*[/|]\s*|\s*,?\s+(?={_ROLES}\s*[:：])|\s*,\s*(?={_ROLES}\s*[:：])")
_CREDIT = re.compile(rf"(?P<role>{_ROLES})\s*[:：]\s*(?P<names>[^:：]{{1,40}})")
_NAME = re.compile(r"[가-힣]{2,4}")
_NAMES = re.compile(r"[가-힣]{2,4}(?:\s*[·,、ㆍ]\s*[가-힣]{2,4}|\s+[가-힣]{2,4}){0,5}")
_SPACED_ROLE = re.compile(r"(영상|촬영|자료|화면|자막)\s+(?=[가-힣]{2}\s*[:：])")
_SENTENCE = re.compile(r"[다요]\s*[.!?]|[.!?]\s*$")
_TAIL = re.compile(rf"\s*[(\[]\s*{_ROLES}\s*[:：][^()\[\]]{{1,160}}[)\]]\s*$")
MAX_CREW = 200


def crew_credits(text: str) -> Byline | None:
    """The reporters of a line of crew credits (an empty Byline when it names only the
    crew), or None when the line is not one."""
    if len(text) > MAX_CREW or (":" not in text and "：" not in text):
        return None
    inner = text.strip()
    if inner[:1] in "([" and inner[-1:] in ")]":
        inner = inner[1:-1]
    inner = _SPACED_ROLE.sub(r"\1", inner)  # "영상 제작 :" is one role, not "영상" and "제작"
    reporters: list[str] = []
    crew = 0
    for part in _SPLIT.split(inner.strip()):
        m = _CREDIT.fullmatch(part.strip())
        if m is None or _SENTENCE.search(m["names"]):
            return None
        if re.fullmatch(_REPORTER_ROLE, m["role"]):
            if not _NAMES.fullmatch(m["names"].strip()):
                return None
            reporters.extend(_NAME.findall(m["names"]))
        else:
            crew += 1  # a crew credit may name a desk: "제작 : 디지털뉴스제작부"
    if not crew:
        return None  # "취재: 김가람" alone is a byline, for the byline rules
    return Byline(names=tuple(dict.fromkeys(reporters)))


def strip_crew_credits(text: str) -> tuple[str, Byline | None]:
    """The paragraph without crew credits in brackets at its end, and their reporters."""
    if ":" not in text and "：" not in text:
        return text, None
    m = _TAIL.search(text)
    if m is None or (credits := crew_credits(m.group(0).strip())) is None:
        return text, None
    return text[: m.start()].rstrip(), credits
