"""Korean bylines → reporter names and e-mail addresses.

A byline mixes names with role words (기자, 특파원), datelines (``서울=``, ``순천, 광양``),
outlets (``뉴시스``) and e-mails. The text is cut into tokens, each token is classified,
and a name is a Hangul word right before a role word (plus names joined to it by ``·``),
or, without any role word, the lone name beside an e-mail address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Byline", "byline_line", "clean_name", "parse_byline", "split_lead_credit"]

# Longer roles first so "선임기자" is one role, not a name "선임" plus "기자".
_ROLE = (
    r"(?:선임|수석|수습|객원|전문|인턴|사진|영상|취재|대)?기자단?|특파원|(?:객원)?논설위원"
    r"|편집위원|전문위원|해설위원|칼럼니스트|통신원|앵커|리포터|에디터|(?:기상)?캐스터|PD"
)
_ROLE_RE = re.compile(rf"(?:{_ROLE})")
# A name glued to its role, as GnuBoard boards print it: "김범수기자".
_GLUED_RE = re.compile(rf"([가-힣]{{2,4}}?)({_ROLE})")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# An address cut after its "@" by the template ("김가람 기자 kim2529@"): still an address.
_PARTIAL_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@(?![A-Za-z0-9-]+\.)")
_MORE_RE = re.compile(r"외\s*(\d{1,3})\s*명")
_TOKEN_RE = re.compile(r"(?P<word>[가-힣A-Za-z0-9]+)|(?P<eq>=)|(?P<join>[·ㆍ‧•,/&])|\S")
_HANGUL_NAME_RE = re.compile(r"[가-힣]{2,5}")
_LATIN_NAME_RE = re.compile(r"[A-Z][a-z]+(?:-[A-Za-z]+)?")

_OUTLETS = frozenset(
    {
        "뉴스1", "뉴시스", "연합뉴스", "노컷뉴스", "뉴스핌", "머니투데이", "이데일리",
        "스포츠조선", "경북신문", "뉴스타파", "매일신문", "영남일보", "국제신문", "부산일보",
        "경인일보", "전남일보", "광주일보", "대전일보", "강원일보", "제주일보", "한겨레",
        "경향", "조선비즈", "아시아경제", "한국경제", "매일경제", "파이낸셜뉴스", "헤럴드경제",
        "오마이뉴스", "프레시안", "데일리안", "쿠키뉴스", "시사저널", "스포츠서울", "마이데일리",
        "스포티비", "엑스포츠", "조이뉴스24", "아이뉴스24", "디지털타임스", "블로터",
        "KBS", "MBC", "SBS", "YTN", "JTBC", "MBN", "TBC", "OBS", "EBS", "CBS", "TV조선",
    }
)  # fmt: skip
_OUTLET_SUFFIXES = (
    "일보", "신문", "뉴스", "방송", "닷컴", "타임스", "타임즈", "통신", "미디어", "저널", "경제",
    "투데이", "데일리", "TV", "티브이", "스포츠", "포스트", "헤럴드", "프레스",
)  # fmt: skip
# Sports papers and online outlets name themselves first: 스포츠월드, 뉴스웨이, 뉴스토마토.
_OUTLET_PREFIXES = ("스포츠", "뉴스")
# Hangul words of name length that are credit vocabulary, not people.
_NOT_NAMES = frozenset(
    {
        "사진", "영상", "그래픽", "정리", "취재", "편집", "제공", "자료", "출처", "기사",
        "댓글", "다른", "보기", "기사보기", "구독", "문의", "제보", "메일", "이메일", "전화",
        "연락처", "바로가기", "더보기", "보도자료", "선임", "수석", "수습", "객원", "전문",
        "인턴", "저작권자", "무단전재", "재배포", "금지", "기자의", "전체", "오늘",
        "입력", "수정", "승인", "등록", "발행", "송고", "업데이트", "관리자", "운영자", "편집국",
        "보도국", "편집부", "뉴스룸", "온라인", "디지털", "작성자", "글쓴이", "필자", "기자명",
    }
)  # fmt: skip
# Desks stand where a name would: "사회부 기자", "디지털뉴스팀 기자".
_DESK_RE = re.compile(r"[가-힣]{1,8}(?:부|팀|센터|데스크|부장|팀장|국장|차장|실장|본부)")
_CALL_SIGN = re.compile(r"[A-Z][A-Z0-9]{1,4}")
_STATION = re.compile(r"[A-Z]{1,4}(?:BS|BC|TV|N)")
_CREDIT_WORDS = frozenset({"글", "그림", "사진", "영상", "정리", "취재", "편집", "구성", "대담"})
# A wire's slogan before its reporter's address: "◎공감언론 뉴시스 kim@…".
_SLOGAN_WORDS = frozenset({"공감언론"})
# Newsrooms that sign instead of a reporter: "한빛경제 뉴스룸 newsroom@…" names nobody.
_DESK_WORDS = frozenset({"뉴스룸", "편집국", "보도국", "편집부", "온라인뉴스팀", "디지털뉴스팀"})
_ROLE_PREFIXES = frozenset({"선임", "수석", "수습", "객원", "전문", "인턴", "사진", "영상", "취재"})
# Markers of a copyright line, which closes an article like a byline but is not one.
_COPYRIGHT_RE = re.compile(r"저작권|무단|재배포|©|ⓒ|copyright|all rights", re.I)
_SENTENCE_END_RE = re.compile(r"(?:다|요|죠|까|네|음|함|임)\s*[.!?…\"'”’)]*\s*$")
_URL_RE = re.compile(r"https?://|www\.", re.I)

_OPEN, _CLOSE = r"[\[【(〔<［（]", r"[\]】)〕>］）]"
# "[서울=뉴시스]이현주 기자 = ", "(포항=뉴스1) 최창호 기자 =", "[경북신문=김범수기자]".
_BRACKET_CREDIT_RE = re.compile(
    rf"\s*{_OPEN}\s*(?P<inner>[^\]】)〕>］）=\n]{{1,30}}=[^\]】)〕>］）\n]{{0,40}}?)\s*{_CLOSE}"
    rf"(?:\s*(?P<tail>[가-힣A-Za-z·ㆍ,\s]{{2,40}}?(?:{_ROLE}))\s*=)?\s*"
)
# "[한빛일보 ] 김가람 기자 = ": the outlet bracketed alone, the reporter after it.
_OUTLET_CREDIT_RE = re.compile(
    rf"\s*{_OPEN}\s*(?P<inner>[^\]】)〕>］）=\n]{{1,30}}?)\s*{_CLOSE}"
    rf"\s*(?P<tail>[가-힣A-Za-z·ㆍ,\s]{{2,40}}?(?:{_ROLE}))\s*=\s*"
)
# "[한빛일보 김가람 기자]", "[매체 이름, 이름 수습기자]": a bracket that holds a byline.
_BYLINE_BRACKET_RE = re.compile(
    rf"\s*{_OPEN}\s*(?P<inner>[^\]】)〕>］）=\n]{{2,40}}?)\s*{_CLOSE}\s*"
)
# A credit without brackets: "서울=이정준 기자 = 본문…".
_BARE_CREDIT_RE = re.compile(
    rf"\s*(?P<tail>(?:[가-힣A-Za-z]{{1,10}}\s*=\s*)?[가-힣·ㆍ,\s]{{2,40}}?(?:{_ROLE}))\s*=\s*"
)
# "입력 : 2025.01.02 10:30" beside a byline ("김가람 기자 | 입력 : …"): dates, not names.
_DATE_PART_RE = re.compile(
    r"(?:기사\s*)?(?:입력|수정|승인|등록|발행|송고|업데이트|최종\s*수정)\s*[:：]?"
    r"[\d\s.:/()\-년월일시분오전후APMapm]*"
)
# "[한빛데일리 김가람 기자 kim@… / 사진=HBS '쇼']": a photo credit after the byline.
_PHOTO_PART_RE = re.compile(r"\s*[/|]\s*(?:사진|영상|그래픽|자료)\s*[=:][^\]\[/|】]*")
_DATE_LABELS = ("입력", "수정", "승인", "등록", "발행", "송고", "업데이트")
_WORD_RE = re.compile(r"[가-힣A-Za-z0-9]+")
_MAX_LINE = 80
_MAX_NAMES = 6  # reporters sharing one role word
_MAX_TEXT = 300  # a byline is short; cap the work on whatever the caller passes


@dataclass(frozen=True)
class Byline:
    """Reporters credited by a byline, in page order."""

    names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    more: int = 0  # "외 N명": further reporters the page does not name


@dataclass
class _Token:
    kind: str  # name, latin, role, place, outlet, desk, join, word, punct
    text: str
    used: bool = False


def _names_outlet(word: str) -> bool:
    """An outlet's name for sure: a known one, a paper's or a station's shape."""
    return word in _OUTLETS or word.endswith(_OUTLET_SUFFIXES) or bool(_STATION.fullmatch(word))


def _is_outlet(word: str) -> bool:
    # A call sign or an acronym in capitals (HBS, KNN, G1) names an outlet in a byline.
    return (
        word in _OUTLETS
        or word.endswith(_OUTLET_SUFFIXES)
        or (len(word) > 3 and word.startswith(_OUTLET_PREFIXES))
        or bool(_CALL_SIGN.fullmatch(word))
    )


def _classify(word: str, before_eq: bool) -> list[_Token]:
    """Tokens for one word; a glued "김범수기자" becomes a name and a role."""
    if _ROLE_RE.fullmatch(word):
        return [_Token("role", word)]
    if word in _CREDIT_WORDS or word in _SLOGAN_WORDS:
        return [_Token("credit", word)]  # "글·사진=", "그림 김가람": what the person did
    if word in _DESK_WORDS:
        return [_Token("desk", word)]
    if before_eq:
        return [_Token("place", word)]  # "서울=", "스포츠조선=", "글·사진="
    if _is_outlet(word):
        return [_Token("outlet", word)]
    glued = _GLUED_RE.fullmatch(word)
    if glued and glued[1] not in _NOT_NAMES:
        return [_Token("name", glued[1]), _Token("role", glued[2])]
    if _DESK_RE.fullmatch(word):
        return [_Token("desk", word)]
    if _HANGUL_NAME_RE.fullmatch(word) and word not in _NOT_NAMES:
        return [_Token("name", word)]
    if _LATIN_NAME_RE.fullmatch(word):
        return [_Token("latin", word)]
    return [_Token("word", word)]


def _tokens(text: str) -> list[_Token]:
    matches = list(_TOKEN_RE.finditer(text))
    out: list[_Token] = []
    for i, m in enumerate(matches):
        if m["word"]:
            before_eq = i + 1 < len(matches) and matches[i + 1]["eq"] is not None
            out.extend(_classify(m["word"], before_eq))
        else:
            out.append(_Token("join" if m["join"] else "punct", m.group(0)))
    return out


def _names_before_roles(toks: list[_Token], *, spaced: bool = False) -> list[str]:
    """Names credited by each role word. With ``spaced``, names that only a space
    separates share the role too ("이름 이름 이름 기자"): after a dateline's "=" the words
    before the role are people, while elsewhere "광양 구현모 기자" starts with a place."""
    names: list[str] = []
    for i, tok in enumerate(toks):
        if tok.kind != "role":
            continue
        j = i - 1
        # "김범수 선임 기자": a spaced-out role prefix belongs to the role.
        while j >= 0 and toks[j].text in _ROLE_PREFIXES:
            toks[j].used = True
            j -= 1
        # "이름 한빛닷컴 기자", "이름 사회부 기자": an affiliation between name and role.
        if j >= 1 and toks[j].kind in ("outlet", "desk") and toks[j - 1].kind == "name":
            toks[j].used = True
            j -= 1
        if j >= 0 and toks[j].kind == "name":
            group = [toks[j]]
            # "홍길동·김철수 기자": names joined by a separator share the role.
            while j >= 1 and len(group) < _MAX_NAMES:
                if j >= 2 and toks[j - 1].kind == "join" and toks[j - 2].kind == "name":
                    j -= 2
                elif spaced and toks[j - 1].kind == "name" and not toks[j - 1].used:
                    j -= 1
                else:
                    break
                group.insert(0, toks[j])
        else:
            # "John Smith 기자": up to three capitalized Latin words.
            group = []
            while j >= 0 and toks[j].kind == "latin" and len(group) < 3:
                group.insert(0, toks[j])
                j -= 1
            if group:
                group = [_Token("name", " ".join(t.text for t in group)), *group]
        for t in group:
            t.used = True
        names.extend(t.text for t in group if t.kind == "name")
    return names


def _analyse(text: str, *, bare: bool = False, spaced: bool = False) -> tuple[Byline, int]:
    """The byline in ``text`` and a count of words that are not byline vocabulary.

    Without a role word, lone names count only beside an e-mail (or when ``bare``).
    ``spaced``: see _names_before_roles.
    """
    text = text[:_MAX_TEXT]
    emails = tuple(dict.fromkeys(_EMAIL_RE.findall(text)))
    rest = _PARTIAL_EMAIL_RE.sub(" ", _EMAIL_RE.sub(" ", text))
    more_m = _MORE_RE.search(rest)
    more = int(more_m[1]) if more_m else 0
    rest = _MORE_RE.sub(" ", rest)
    toks = _tokens(rest)
    names = _names_before_roles(toks, spaced=spaced)
    has_role = any(t.kind == "role" for t in toks)
    lone = [t for t in toks if t.kind == "name"]
    if (
        not has_role
        and (emails or bare)
        and 0 < len(lone) <= 3
        and not any(t.kind in ("word", "latin") for t in toks)
    ):
        for t in lone:
            t.used = True
        names = [t.text for t in lone]
    if not names and not has_role and any(t.kind == "desk" for t in toks):
        emails = ()  # a newsroom's address, not a reporter's
    last_used = max((i for i, t in enumerate(toks) if t.used), default=-1)
    # Unused names before the credited ones are datelines ("순천, 광양"); after them, text.
    stray = sum(
        (t.kind in ("word", "latin") and not t.used)
        or (t.kind == "name" and not t.used and i > last_used)
        for i, t in enumerate(toks)
    )
    return Byline(tuple(dict.fromkeys(names)), emails, more), stray


def parse_byline(text: str, *, bare: bool = False) -> Byline:
    """Names, e-mails and the "외 N명" count of a byline such as ``김범수 기자 a@b.kr``.

    ``bare``: the text comes from an element that only holds bylines, so up to three
    names with no role word and no e-mail are reporters too.
    """
    return _analyse(text, bare=bare)[0]


def split_lead_credit(paragraph: str) -> tuple[str, Byline | None]:
    """Remove a wire-style credit opening a body paragraph.

    ``[서울=뉴시스]이현주 기자 = 삼성전자가…`` → ("삼성전자가…", Byline(("이현주",))); also
    ``[한빛일보 ] 김가람 기자 =`` and brackets that hold only a byline (``[한빛일보 김가람,
    이나래 수습기자]``). A credit without a name gives an empty Byline; bracketed tags
    (``[앵커]``, ``[속보]``) are text, so the paragraph comes back unchanged with None.
    """
    if "=" in paragraph:  # the wire forms have one; most paragraphs have none
        m = _BRACKET_CREDIT_RE.match(paragraph) or _OUTLET_CREDIT_RE.match(paragraph)
        if m:
            tail = _analyse(m["tail"], spaced=True)[0] if m["tail"] else Byline()
            return paragraph[m.end() :], _joined(parse_byline(m["inner"]), tail)
        m = _BARE_CREDIT_RE.match(paragraph)
        if m:
            return paragraph[m.end() :], _analyse(m["tail"], spaced=True)[0]
    m = _BYLINE_BRACKET_RE.match(paragraph)
    if m and (credit := _bracketed_byline(m["inner"])) is not None:
        return paragraph[m.end() :], credit
    return paragraph, None


def _bracketed_byline(inner: str) -> Byline | None:
    """The byline a bracket holds: names credited by a role word, an outlet and names
    (``한빛일보 김가람``), or an outlet alone (``파이낸셜뉴스``: an empty Byline); None for
    tags such as ``앵커``, ``속보``, ``부산 Live``."""
    words = _WORD_RE.findall(inner)
    outlet = any(_is_outlet(w) for w in words)
    if len(words) == 1 and words[0] == inner.strip() and _names_outlet(words[0]):
        return Byline()  # "[한빛일보]", "[HBS]"; not a tag such as "[AI]", "[MLB]"
    if not outlet and not _ROLE_RE.search(inner):
        return None
    # Names side by side share the role only after a known outlet ("[한빛일보 김가람 이나래
    # 기자]"); "[더팩트 허다정 기자]" starts with an outlet no list knows, which is far more
    # common than two reporters with no separator between them.
    byline, stray = _analyse(inner, bare=outlet, spaced=outlet)
    return byline if byline.names and not stray else None


def _joined(first: Byline, second: Byline) -> Byline:
    return Byline(
        tuple(dict.fromkeys(first.names + second.names)),
        tuple(dict.fromkeys(first.emails + second.emails)),
        max(first.more, second.more),
    )


def byline_line(line: str) -> Byline | None:
    """The Byline when a whole short line is only a byline or e-mail, else None.

    Used to cut trailing ``김범수 기자 news1213@naver.com`` lines off a body; sentences
    (``기자회견에서 밝혔다.``) and copyright lines are not bylines.
    """
    line = line.strip()
    if not line or len(line) > _MAX_LINE or _COPYRIGHT_RE.search(line):
        return None
    if _SENTENCE_END_RE.search(line):
        return None
    if "=" in line or ":" in line:
        line = _PHOTO_PART_RE.sub(" ", line)
    if line[0] in "[【(〔<［（" and (bracketed := _BYLINE_BRACKET_RE.fullmatch(line)):
        return _bracketed_byline(bracketed["inner"])
    if any(label in line for label in _DATE_LABELS):
        line = _DATE_PART_RE.sub(" ", line)
    byline, stray = _analyse(line)
    if stray:
        return None
    if not (byline.names or byline.emails):
        # "한빛경제 뉴스룸 newsroom@…": a signature line that names nobody
        return Byline() if _EMAIL_RE.search(line) and _DESK_WORDS & set(line.split()) else None
    return byline


def clean_name(raw: str) -> str | None:
    """The bare name in one author string from meta tags or JSON-LD, or None.

    ``서울=이정준 기자`` → "이정준"; ``안병준`` → "안병준"; an outlet (``한국일보``) or a URL
    → None. With several names, the first.
    """
    if _URL_RE.search(raw):
        return None
    byline, _ = _analyse(raw, bare=True)
    return byline.names[0] if byline.names else None
