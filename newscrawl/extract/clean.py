"""Body cleaning: from the lines of a body container to the article text, once.

Removes what Korean pages print around and inside the article: a second copy of the
text, summary boxes, photo captions, the leading credit bracket, byline and e-mail
lines, copyright lines, comment boxes, related-article lists, share prompts.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from newscrawl.extract.broadcast import (
    handoff,
    is_contact,
    is_hashtags,
    is_programme_tag,
    is_tip_heading,
    sign_off,
    strip_end_mark,
    strip_programme_tag,
)
from newscrawl.extract.byline import Byline, byline_line, parse_byline, split_lead_credit
from newscrawl.extract.chrome import is_chrome
from newscrawl.extract.crew import crew_credits, strip_crew_credits
from newscrawl.extract.dom import Line
from newscrawl.extract.residue import is_code, is_stock_widget, strip_residue

# A line with one of these is a footer or a widget, never article text. Two patterns: what
# may appear anywhere in the line, and what only starts one (tried once, at the start).
# Case is ignored only around Latin words: a whole-pattern re.I made every line's search
# six times dearer.
_BOILERPLATE = re.compile(
    r"저작권자|무단\s*전재|무단전재|재배포\s*금지|재배포금지|(?i:AI)\s*학습"
    r"|(?i:All\s+rights\s+reserved|Copyrights?\s*(?:ⓒ|©|\(c\)))|재판매\s*및\s*(?i:DB)\s*금지"
    r"|무단\s*(?:복제|복사|도용|게재|사용)\s*(?:및|,|·)"
    r"|기사의 본문 내용은 이 글자크기로|좋아요를 눌러주세요|구독하기$|구독신청$|기자의 다른 기사"
    r"|네이버\s*(?:채널|메인)에서|네이버\s*구독|네이버에서 .{0,20}구독"
    r"|기사 섹션 분류 안내|섹션으로 분류했습니다"
    r"|댓글이 있습니다\.?$|다른\s*기사\s*(?:보기|더\s*보기)|기자\s*구독"
    r"|기자\s*페이지\s*(?:가기|바로가기)?$|^.{0,20}(?:주요|인기|추천|많이\s*본)\s*(?:뉴스|기사)$"
)
_BOILERPLATE_START = re.compile(
    r"\s*(?:ⓒ|©)"
    r"|(?:댓글목록|댓글\s*\d+\s*$|댓글쓰기|댓글을 입력|댓글 작성|등록된 댓글이 없습니다|로그인 후)"
    r"|(?:공유하기|URL\s*복사|기사\s*스크랩|스크랩|인쇄하기|프린트|글자\s*크기|기사\s*공유|SNS\s*기사보내기)"
    r"|(?:AI 요약은|본문 요약봇)|좋아요\s*\d*$|\d+\s*개의 댓글"
    r"|(?:(?:기사|본문|음성으로)\s*(?:듣기|읽어\s*주기)|번역하기|요약\s*보기|글씨\s*크기)"
    r"|(?:읽어\s*주기\s*기능|동영상\s*영역\s*(?:시작|끝)|자동\s*재생$)"
    r"|\s*<?\s*(?:사진|그래픽|영상)\s*=\s*[^>]{0,30}>?\s*$",
    re.I,
)
# The article ends before these: the rest is lists and widgets.
_STOP = re.compile(
    r"^\s*[\[<〈【]?\s*(?:관련\s*기사|이 기사와 관련된 기사|관련\s*뉴스|많이\s*본\s*(?:뉴스|기사)"
    r"|인기\s*기사|추천\s*기사|댓글목록|이 시각 (?:주요|인기)|주요\s*뉴스|최신\s*뉴스"
    r"|핫\s*이슈|연관\s*기사|관련\s*(?:동?영상|포토)|함께\s*(?:보면|읽으면)\s*좋은\s*(?:기사|뉴스)"
    r"|\S{1,10}\s*핫\s*클릭)\s*[\]>〉】]?\s*$"
)
_CAPTION_START = re.compile(r"^\s*(?:↑↑|↑|△|▲|▶\s*사진|<\s*사진|\[\s*사진)")
_CREDIT = re.compile(
    r"(?:사진|그래픽|자료|영상)\s*[=:]|제공\)?\.?\s*$|/\s*\S{1,10}\s*$|뉴시스$|연합뉴스$"
)
_BULLET = re.compile(r"^\s*[▲▶▷☞■□●◆◇※→·-]")
_CAPTION_THEN_TEXT = re.compile(
    r"^\s*(?:↑↑?|▲|△)[^\n]{0,200}?(?:[(\[<]\s*(?:사진|그래픽|자료)\s*[=:][^)\]>]{1,30}[)\]>]"
    r"|(?:사진|그래픽|자료)\s*=\s*\S+(?:\s*(?:제공|DB))?)\s*(?P<rest>\S.{39,})$"
)
_BULLET_CHARS = "▲▶▷☞■□●◆◇※→·-–—"
_BULLET_MARK = re.compile(rf"^\s*[{re.escape(_BULLET_CHARS)}]+\s*")
# A line that only states when the article was posted or updated.
_DATE_LINE = re.compile(
    r"^\s*(?:(?:기사)?입력|수정|승인|업데이트|최종\s*수정|등록|작성일)\s*[:：]?\s*[\[(]?\s*\d{2,4}[-./]"
)
# A line that is only a time stamp, without a label: "2025-04-02 20:10", "2025.4.2(수) 오후 8:10".
_STAMP_LINE = re.compile(
    r"^\s*(?:19|20)\d\d\s?[-./년]\s?\d{1,2}\s?[-./월]\s?\d{1,2}\s?일?\.?\s*(?:\(?[월화수목금토일]\)?)?"
    r"\s*(?:(?:오전|오후|AM|PM)?\s*\d{1,2}\s?[:시]\s?\d{2}(?:\s?[:분]\s?\d{2})?\s?(?:초|분)?)?\s*$"
)
# A byline glued to the end of the last sentence: "...처리했다.부산=선수민 기자 sunsoo@…".
_TRAILING_BYLINE = re.compile(
    r"(?<=[.!?\"”’)])\s*((?:[가-힣]{1,6}\s?=\s?)?[가-힣]{2,4}(?:·[가-힣]{2,4})*\s?"
    r"(?:기자|특파원|선임기자|객원기자)(?:\s*[\w.+-]+@[\w-]+(?:\.[\w-]+)+)?)\s*$"
)
_SENTENCE = re.compile(r"(?<=[.!?。！？\"”’])\s+")
MIN_REPEAT = 20  # shorter units (a name, a one-word line) may repeat in a real article
# A deck printed as the body's first lines: short emphasised lines that are not sentences.
_DECK_MARK = re.compile(r"^\s*[-–—]\s*\S")
_SENTENCE_END = re.compile(r"[.!?。]\s*[\"”’']?\s*$")
MAX_DECK_LINES = 6
MAX_DECK_LINE = 80
MIN_LEAD = 40  # characters of the first paragraph after a deck
_LABEL = re.compile(r"^\s*[\[<〈【(][^\]>〉】)]{1,20}[\]>〉】)]")


@dataclass(slots=True)
class Cleaned:
    """The article paragraphs and the byline information found on the way."""

    paragraphs: list[str] = field(default_factory=list)
    bylines: list[Byline] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    deck: list[str] = field(default_factory=list)  # sub-headline lines printed in the body
    handoffs: list[str] = field(default_factory=list)  # "김가람 기자가 보도합니다": weak names

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def is_boilerplate(text: str) -> bool:
    """Whether a line is a footer, widget or prompt line."""
    return (
        _BOILERPLATE_START.match(text) is not None
        or _BOILERPLATE.search(text) is not None
        or is_chrome(text)
    )


def is_caption(line: Line) -> bool:
    """Photo caption lines: ↑↑/▲ lines, and credit-ending lines right after an image."""
    text = line.text
    if text.startswith(("↑↑", "△")):
        return True
    if _CAPTION_START.match(text) and (line.after_image or _CREDIT.search(text)):
        return True
    return line.after_image and len(text) < 200 and _CREDIT.search(text) is not None


def clean_lines(lines: list[Line], *, headlines: tuple[str | None, ...] = ()) -> Cleaned:
    """The article text of a container's lines, in order, each paragraph once."""
    out = Cleaned()
    skip = {_key(h) for h in headlines if h}
    skip |= {_key(part) for h in headlines if h for part in h.split("\n")}
    kept: list[tuple[str, Line]] = []
    in_tips = False  # inside a 제보 block: its contact lines go with it
    for index, line in enumerate(lines):
        text = line.text
        if _STOP.match(text):
            if index > len(lines) // 3:
                out.messages.append(f"body cut at {text[:20]!r}")
                break
            continue  # too early to end a short article: only the heading goes
        if is_tip_heading(text):
            in_tips = True
            continue
        if in_tips and is_contact(text) and not _names_in(text):
            continue
        in_tips = False
        if is_boilerplate(text):
            if (salvaged := _byline_before_footer(text)) is not None:
                out.bylines.append(salvaged)
            continue
        if is_caption(line):
            # "▲ 캡션. (사진=한빛시 제공) 한빛시가…": the text glued after the caption stays.
            glued_text = _CAPTION_THEN_TEXT.match(text)
            if glued_text is None:
                continue
            text = glued_text["rest"]
        if _key(text) in skip:
            continue
        if text[:1] in _BULLET_CHARS and _key(_BULLET_MARK.sub("", text)) in skip:
            continue  # "- 제목": the headline again, as a list item
        if is_hashtags(text) or is_programme_tag(text):
            continue
        if (crew := crew_credits(text)) is not None:
            if crew.names:
                out.bylines.append(crew)
            continue
        if is_stock_widget(text) or is_code(text):
            continue
        if line.link_share >= 0.7 and (len(text) < 120 or _BULLET.match(text)):
            continue  # a related-article or promotion link
        if len(text) <= 60 and (_DATE_LINE.match(text) or _STAMP_LINE.match(text)):
            continue
        text, crew = strip_crew_credits(strip_end_mark(strip_residue(text)))
        if crew is not None and crew.names:
            out.bylines.append(crew)
        text = strip_programme_tag(text)
        text, credit = split_lead_credit(text)
        if credit is not None:
            out.bylines.append(credit)
            text = strip_residue(text)  # a bracket the credit's markup left behind
        text, glued = _split_glued_byline(text)
        if glued is not None:
            out.bylines.append(glued)
        text, signed = sign_off(text)
        if signed is not None:
            out.bylines.append(signed)
        if (byline := byline_line(text)) is not None:
            out.bylines.append(byline)
            continue
        text = text.strip()
        if len(kept) < 3 and (name := handoff(text)):
            out.handoffs.append(name)
        if line.after_image and not kept and len(text) <= 60 and not _SENTENCE_END.search(text):
            continue  # a photo box's teaser before the first sentence
        if text:
            kept.append((text, line))
    deck = _leading_deck(kept)
    out.deck = [text for text, _ in kept[:deck]]
    out.paragraphs = drop_repeats([text for text, _ in kept[deck:]], out.messages)
    return out


# Where a footer or a prompt starts on a line that opens with the byline:
# "kim@x.kr 김가람 기자 #태그 ※ 저작권자 ⓒ 한빛일보, 무단전재-재배포 금지",
# "김가람 기자 다른기사 보기".
_FOOTER_START = re.compile(
    r"[※<\[(]?\s*(?:저작권자|ⓒ|©|(?i:copyright)|(?:이\s*)?기자의\s*다른|다른\s*기사|구독"
    r"|기자\s*페이지)"
)
_HASHTAG = re.compile(r"#[^\s#]+")


def _byline_before_footer(text: str) -> Byline | None:
    """The byline printed on a footer line before the footer itself, if any."""
    start = _FOOTER_START.search(text)
    if start is None or start.start() < 4:
        return None
    byline = byline_line(_HASHTAG.sub(" ", text[: start.start()]))
    return byline if byline is not None and byline.names else None


def _names_in(text: str) -> bool:
    byline = byline_line(text)
    return byline is not None and bool(byline.names)


def _leading_deck(kept: list[tuple[str, Line]]) -> int:
    """How many of the first lines are a deck: short lines that are not sentences before
    the first paragraph of text. Headings, bold lines and "- " lines may be one alone;
    plain lines only two or more together (one is as likely a kicker or a label)."""
    count = plain = 0
    for text, line in kept[: MAX_DECK_LINES + 1]:
        if len(text) > MAX_DECK_LINE or " " not in text or _SENTENCE_END.search(text):
            break
        if _LABEL.match(text):
            break  # <앵커>, [인터뷰]: printed labels open the text itself
        plain += not (line.heading or line.emphasis or _DECK_MARK.match(text))
        count += 1
    if count > MAX_DECK_LINES or count == len(kept) or (plain and count < 2):
        return 0  # a list of headings, or a page of nothing else: not a deck
    following = kept[count][0]
    if len(following) < MIN_LEAD or not _SENTENCE_END.search(following):
        return 0  # the lines run into more short lines, not into the article's first sentence
    return count


def _split_glued_byline(text: str) -> tuple[str, Byline | None]:
    if "기자" not in text and "특파원" not in text:  # the roles _TRAILING_BYLINE ends with
        return text, None
    glued = _TRAILING_BYLINE.search(text)
    if glued is None:
        return text, None
    rest = text[: glued.start()].strip()
    byline = parse_byline(glued.group(1))
    if not rest or not byline.names:
        return text, None
    return rest, byline


def drop_repeats(paragraphs: list[str], messages: list[str]) -> list[str]:
    """Each paragraph once; paragraphs whose every sentence is printed elsewhere go too.

    The second rule removes summary boxes and decks that repeat sentences of the text;
    the longest paragraphs are kept, so the article text itself always survives.
    """
    seen: set[str] = set()
    unique: list[str] = []
    keys: list[str] = []
    for text in paragraphs:
        key = _key(text)
        if len(key) >= MIN_REPEAT and key in seen:
            continue
        seen.add(key)
        unique.append(text)
        keys.append(key)
    if len(unique) < len(paragraphs):
        messages.append(f"{len(paragraphs) - len(unique)} repeated paragraphs removed")
    sentences = [[s for s in _SENTENCE.split(key) if len(s) >= MIN_REPEAT] for key in keys]
    counts = Counter(s for group in sentences for s in group)
    if len(counts) == sum(len(group) for group in sentences):
        return unique  # no sentence is printed twice, so no paragraph repeats the others
    alive = [True] * len(unique)
    # Longest first: a box compiled from sentences of the text goes, the text stays.
    for i in sorted(range(len(unique)), key=lambda i: -len(unique[i])):
        own = Counter(sentences[i])
        if own and all(counts[s] > n for s, n in own.items()):
            alive[i] = False
            counts -= own
            messages.append(f"repeated text removed: {unique[i][:30]!r}")
    return [p for p, keep in zip(unique, alive, strict=True) if keep]
