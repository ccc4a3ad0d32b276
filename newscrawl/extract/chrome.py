"""The page's chrome printed inside an article container: buttons, reaction counters, share
bars, players, portal and app prompts, quote-box headings and notes on how the article ran.

Templates of outlets this project has never seen print them as plain lines among the
paragraphs (the markup that would mark them is a div with a layout class), so they are
recognized by what the whole line says, never by a word inside a sentence.
"""

from __future__ import annotations

import re

# Prompts and notes, searched in the line (each alternative anchored where it must be).
_PROMPTS = re.compile(
    # Business papers' quote boxes: "이 기사의 주요 종목", "관련 종목" (the quotes: residue.py).
    r"^\s*(?:이\s*기사의?\s*)?(?:주요|관련|언급된?)\s*종목(?:\s*(?:정보|시세|보기))?\s*$"
    # Portal and app prompts: "▶ 가온일보 단독 뉴스 모아보기", "앱 설치하고 속보 알림 받기".
    r"|^.{0,30}(?:모아\s*보기|보러\s*가기|알림\s*받기|앱\s*(?:설치|다운로드)(?:하기)?)\s*!?$"
    # Notes on where and how the article ran, printed after (or before) it: "이 기사는
    # 프리미엄 서비스에 먼저 출고된 기사입니다", "본 기사는 투자 참고용으로…", "이 기사는
    # 인공지능(AI)이 작성했습니다", "※ 이 기사는 지면에 실린 기사입니다"; and the photo
    # disclaimer "사진은 기사 내용과 관련 없음".
    r"|^\W{0,3}(?:이|본|해당)\s*기사는\s.{0,60}?(?:출고|먼저\s*볼\s*수|선공개|제휴"
    r"|투자\s*(?:참고|권유)|인공지능|(?i:AI)(?:가|이|로|를|\s*기자)|로봇|지면에\s*실린|자동\s*번역"
    r"|섹션\s*분류)"
    r"|사진은\s*(?:기사\s*)?(?:내용|본문)과\s*(?:직접\s*)?(?:적인\s*)?(?:관련|관계)\s*(?:이\s*|가\s*)?없"
    # Daum and Naver sports: "기사제공 한빛일보"; prompts: "[한빛일보 바로가기]", "후원하기",
    # "구독 좋아요 알림설정", "<한빛일보> 기사 더 보기".
    r"|^\s*기사\s*제공\s*[:：]?\s*\S{1,15}\s*$|(?:바로\s*가기|구독\s*하기|후원\s*하기)\s*[\]】>)]?\s*$"
    r"|알림\s*설정\s*$|(?:기사|뉴스)\s*더\s*보기\s*$"
    # "한빛일보 뉴스레터 신청하기", "카카오톡 채널 추가하기", "[한빛일보 무료 구독]".
    r"|^.{0,25}(?:뉴스레터\s*(?:신청|구독)(?:하기)?|무료\s*구독(?:\s*신청)?|채널\s*추가(?:하기)?)"
    r"\s*[\]】>)!]?\s*$"
    # Naver's PICK box and its subscription notes.
    r"|언론사가\s*선정한\s*주요\s*기사|구독\s*설정에서\s*해제|^\s*구독\s*중인\s*언론사\s*$"
)
# A whole line that is only a control's label ("닫기", "이전 기사", "카카오톡 공유"), a
# reaction counter ("좋아요 0 슬퍼요 0") or a player's clock ("00:00 / 02:11").
_SHARE = (
    r"(?:페이스북|트위터|카카오톡|카카오스토리|카카오|네이버\s*밴드|밴드|라인|링크\s*복사"
    r"|(?i:URL)\s*복사)"
)
_REACTION = (
    r"(?:좋아요|슬퍼요|화나요|추천해요|훈훈해요|놀랐어요|응원해요|후속\s*기사\s*원해요|팬이에요"
    r"|쏠쏠정보|흥미진진|공감백배|분석탁월|최고예요|궁금해요)"
)
_CONTROL = re.compile(
    r"[\s\[\]<>()▶▷►·|/]*(?:"
    r"이\s*기사를\s*공유합니다|(?:기사\s*|(?i:AI)\s*|인공지능\s*)?요약(?:\s*하기|\s*보기)?|닫기|열기"
    r"|(?:오디오|음성)\s*(?:듣기|재생)|북마크|광고|(?i:advertisement)|(?:이전|다음)\s*기사"
    r"|맨\s*위로|(?:기사\s*)?목록\s*(?:보기)?|메일\s*보내기|기사\s*추천|번역\s*언어\s*(?:선택)?"
    r"|(?:뉴스레터|무료\s*구독)\s*(?:신청|구독)?(?:하기)?|채널\s*추가(?:하기)?|(?i:PICK)\s*안내"
    r"|가나다라마바사|(?:재생\s*시간\s*)?\d{1,2}:\d{2}(?::\d{2})?(?:\s*/\s*\d{1,2}:\d{2}(?::\d{2})?)?"
    rf"|(?:{_SHARE}\s*(?:공유(?:하기)?)?\s*)+|(?:{_REACTION}\s*\d*\s*)+"
    r")[\s\[\]<>()|/]*"
)
MAX_CONTROL = 40  # characters: a control's label is short


def is_chrome(text: str) -> bool:
    """Whether a line is a control, a counter, a prompt or a note on the article."""
    if len(text) <= MAX_CONTROL and _CONTROL.fullmatch(text):
        return True
    return _PROMPTS.search(text) is not None
