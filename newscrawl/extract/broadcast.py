"""What broadcasters print around a news script: the spoken sign-off that names the
reporter (and the anchor's hand-over that does too), 제보 (tip-off) blocks, hashtag lines,
the ``(끝)`` mark and programme tags. Crew credits are in ``crew.py``.

These are rules about the shape of a line, not about any one station: a call sign
(``KBS``, ``TJB``, ``JTBC``) or a Hangul name ending in 방송/뉴스/TV stands where the
station's name does.
"""

from __future__ import annotations

import re

from newscrawl.extract.byline import Byline

# A station: a call sign (KBS, MBC, YTN, JTBC, KNN, TJB, KCTV, G1) with an optional region
# (MBC경남, KBS 대전), or a Hangul name ending in 방송/뉴스/TV (한빛방송, 연합뉴스TV, 채널A).
_STATION = (
    r"(?:(?:[A-Z]{1,4}(?:BS|BC|TV|N|B)|G1)(?:\s?[가-힣]{2,3}(?=\s))?"
    r"|[가-힣A-Za-z0-9]{1,10}(?:방송|뉴스|TV|티브이)|채널\s?[A-Z가-힣]|TV[가-힣]{2,3})"
    r"(?:\s?\d{0,2}(?:뉴스|News|NEWS|TV)\s?\d{0,2})?"
)
_NAMES = r"[가-힣]{2,4}(?:\s*[,·ㆍ]\s*[가-힣]{2,4}){0,3}"
# "KBS 뉴스 홍길동입니다." / "광주에서 한빛방송 김가람입니다." / "지금까지 YTN 홍길동이었습니다."
# It opens a sentence and closes the line; the name is right before 입니다.
_SIGN_OFF = re.compile(
    rf"(?:^|(?<=[.!?\"”’])\s*)(?P<all>(?:지금까지\s*)?(?:[가-힣]{{1,8}}에서\s*)?{_STATION}\s*"
    rf"(?P<names>{_NAMES}?)(?:\s*(?:기자|앵커|특파원))?(?:입니다|이었습니다|였습니다)\.?)\s*$"
)
_NAME_SPLIT = re.compile(r"\s*[,·ㆍ]\s*")
# Words that stand where the name does in "KBS 뉴스입니다." (the programme, not a person).
_NOT_NAMES = frozenset({"뉴스", "방송", "소식", "보도", "날씨", "속보", "특보", "기자", "앵커"})

# A 제보 heading or prompt: "■ 제보하기", "[제보] ", "여러분의 제보를 기다립니다".
_TIP_HEADING = re.compile(
    r"^\W*(?:[가-힣A-Za-z0-9]{1,12}\s*)?제보\s*(?:하기|안내|방법|창구|채널|전화|메일|접수)?\W*$"
    r"|제보를?\s*기다립니다|제보해\s*주(?:세요|십시오)|제보\s*(?:하기|전화|이메일|메일|접수)\s*[:：▷▶☎]"
)
# A line that a mark opens, as blocks and prompts are printed.
_MARKED = re.compile(r"^\s*[※■□▶▷◆◇●☞★▣◈]")
# Not "■ 시민 제보로 드러난 비리", a subheading of the text.
_TIP_WORD = re.compile(r"제보(?:하기|는|를|가|\s*(?:안내|방법|전화|메일|창구|접수))")
# A contact line of such a block: the channel, then an address or a number.
_CONTACT = re.compile(
    r"^\W*\s*(?:☎|https?://|전화|유선|휴대폰|문자|카카오톡|카톡|이메일|e-?mail|메일|홈페이지|"
    r"인터넷|유튜브|인스타그램|페이스북|트위터|텔레그램|라인|앱|어플|팩스|주소)",
    re.I,
)
# The same block on one line: "※ '당신의 제보가 뉴스가 됩니다' [카카오톡] … [전화] 02-…".
_TIP_CHANNEL = re.compile(r"카카오톡|카톡|채널\s*추가|텔레그램|☎|전화|이메일|메일|e-?mail", re.I)
_CLAUSE_END = re.compile(r"[다요]\s*[.!?]\s*[\"”’']?\s*$")
_PHONE = re.compile(r"\d{2,4}-\d{3,4}-\d{4}|\b1[5-9]\d\d-\d{4}\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HASHTAGS = re.compile(r"^(?:#[^\s#]+\s*)+$")
# "(끝)", "<끝>", "/끝/" closing a wire text or a script.
_END_MARK = re.compile(r"\s*(?:[(\[<〈【]\s*끝\s*[)\]>〉】]|/\s*끝\s*/)\s*$")
# A programme or desk tag on a line of its own: "[KBS 뉴스9]", "<한빛뉴스 830>", "[MBC경남]".
# Speaker labels (<앵커>, [기자], <리포트>) are printed text and stay.
_TAG = (
    rf"[\[<〈【(]\s*(?:{_STATION}(?:\s*[가-힣A-Za-z0-9]{{1,8}})?"
    r"|[가-힣A-Za-z0-9 ]{0,12}(?:뉴스|데스크|투데이|뉴스룸|와이드|브리핑|라이브)\s?\d{0,4})"
    r"\s*[\]>〉】)]"
)
_PROGRAMME = re.compile(rf"^\s*{_TAG}\s*$")
_LEADING_PROGRAMME = re.compile(rf"^\s*{_TAG}\s*(?=\S)")
MAX_LINE = 80  # blocks and tags are short lines


def sign_off(text: str) -> tuple[str, Byline | None]:
    """Cut a closing ``… ○○○입니다.`` sign-off: (the text before it, its byline), or the
    text unchanged and None."""
    if "니다" not in text:
        return text, None
    # Only the end can sign off; the look-behind still sees the sentence before ``pos``.
    m = _SIGN_OFF.search(text, max(0, len(text) - MAX_LINE))
    if m is None or not m["names"]:
        return text, None
    names = tuple(n for n in _NAME_SPLIT.split(m["names"]) if n)
    if any(n in _NOT_NAMES or n.endswith(("뉴스", "방송")) for n in names):
        return text, None
    return text[: m.start("all")].rstrip(), Byline(names=names)


# The anchor hands over: "자세한 내용, 김가람 기자가 보도합니다." / "김가람 기자입니다." /
# "김가람 기자의 보도입니다." name the script's reporter.
_HANDOFF = re.compile(
    r"(?<![가-힣])(?P<name>[가-힣]{2,4})\s?(?:기자|특파원)"
    r"(?:(?:가|이|를|을)?\s(?:[가-힣]+\s)?(?:보도|취재|정리|전해|전합|알아|짚어|만나|만났|다녀|분석|"
    r"연결|돌아|살펴|들여다|담았|따라가)|(?:입니다|의\s?보도입니다)\.?\s*$)"
)


def handoff(text: str) -> str | None:
    """The reporter an anchor's lead hands over to, or None."""
    if "기자" not in text and "특파원" not in text:
        return None
    m = _HANDOFF.search(text)
    return m["name"] if m and m["name"] not in _NOT_NAMES else None


def is_tip_heading(text: str) -> bool:
    """A line that opens (or is) a 제보 block."""
    if len(text) > 2 * MAX_LINE or "제보" not in text:
        return False
    if len(text) <= MAX_LINE and _TIP_HEADING.search(text):
        return True
    if len(text) <= 60 and _MARKED.match(text) and _TIP_WORD.search(text):
        return True  # "※ '당신의 제보가 뉴스가 됩니다'", "▶ 제보 안내 : …"
    # One line with its channels; a sentence that mentions a tip and a phone number stays.
    has_contact = _TIP_CHANNEL.search(text) or _PHONE.search(text) or _EMAIL.search(text)
    if has_contact and not _CLAUSE_END.search(text):
        return True
    # "■ 제보하기 ▷ 카카오톡 : … ▷ 전화 : … ▷ 이메일 : … 구독해주세요!": a marked block of
    # channels that a plea closes, printed as one paragraph.
    channels = len(_TIP_CHANNEL.findall(text)) + len(_PHONE.findall(text))
    return bool(_MARKED.match(text)) and _TIP_WORD.search(text) is not None and channels >= 3


def is_contact(text: str) -> bool:
    """A line of a 제보 block: a channel and its address or number."""
    if len(text) > MAX_LINE:
        return False
    return bool(_CONTACT.match(text) or _PHONE.search(text) or _EMAIL.search(text))


def is_hashtags(text: str) -> bool:
    """A line of hashtags only: ``#한빛시 #새청사``."""
    return text.startswith("#") and _HASHTAGS.match(text) is not None


def is_programme_tag(text: str) -> bool:
    """A bracketed programme or station tag alone on its line."""
    return len(text) <= 30 and _PROGRAMME.match(text) is not None


def strip_programme_tag(text: str) -> str:
    """The paragraph without a programme tag opening it ("[HBS 대전] 한빛시가…")."""
    if text[:1] not in "[<〈【(":
        return text
    return _LEADING_PROGRAMME.sub("", text, count=1)


def strip_end_mark(text: str) -> str:
    """The text without a closing ``(끝)``."""
    if "끝" not in text:
        return text
    return _END_MARK.sub("", text)
