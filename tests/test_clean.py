"""Body cleaning, one rule at a time."""

from __future__ import annotations

import pytest

from newscrawl.extract.clean import clean_lines, drop_repeats, is_boilerplate
from newscrawl.extract.dom import Line

TEXT = [
    "권영진 대구시장이 23일 대만 타이베이시에서 열린 행사의 온라인 포럼에 참가했다.",
    "시에 따르면 주요 도시 정상회의가 올해는 온라인으로 진행됐다.",
    "권 시장은 “앞으로도 해외도시와 협력을 확대해 나가겠다”고 밝혔다.",
]


def lines(*texts: str) -> list[Line]:
    return [Line(t) for t in texts]


def test_a_body_printed_twice_comes_back_once() -> None:
    doubled = lines(*TEXT, "김범수 news1213@naver.com", *TEXT, "김범수 news1213@naver.com")
    cleaned = clean_lines(doubled)
    assert cleaned.paragraphs == TEXT
    assert cleaned.bylines[0].names == ("김범수",)
    assert cleaned.bylines[0].emails == ("news1213@naver.com",)


def test_lead_credit_goes_to_the_byline() -> None:
    cleaned = clean_lines(lines("[경북신문=김범수기자] " + TEXT[0], *TEXT[1:]))
    assert cleaned.paragraphs == TEXT
    assert cleaned.bylines[0].names == ("김범수",)


def test_summary_box_repeating_the_text_goes() -> None:
    summary = TEXT[0] + " " + TEXT[1]
    assert drop_repeats([summary, *TEXT], []) == TEXT


def test_paragraph_order_is_kept_and_nothing_else_dropped() -> None:
    text = [f"{i}번째 문단은 서로 다른 문장으로 이루어져 있으며 충분히 길다." for i in range(12)]
    assert clean_lines(lines(*text)).paragraphs == text


@pytest.mark.parametrize(
    "line",
    [
        "저작권자 © 경북신문 무단전재 및 재배포 금지",
        "저작권자 © 전남일보 무단전재 및 재배포, AI학습 및 활용 금지",
        "Copyright ⓒ 뉴스타파. All rights reserved. 무단 전재 및 재배포 금지.",
        "Copyright (c) 매경AX. All rights reserved. 무단 전재, 재배포 및 AI학습 이용 금지",
        "<저작권자ⓒ대전일보사. 무단전재-재배포 금지>",
        "ⓒ 한국일보",
        "댓글목록",
        "등록된 댓글이 없습니다.",
        "기사의 본문 내용은 이 글자크기로 변경됩니다.",
        "이 기사가 마음에 들었다면, 좋아요를 눌러주세요.",
        "기자의 다른 기사보기",
        "이 기사는 언론사에서 사회 섹션으로 분류했습니다.",
        "음성으로 듣기 번역 글자크기 인쇄",
        "기사 듣기",
        "읽어주기 기능은 크롬기반의 브라우저에서만 사용하실 수 있습니다.",
        "동영상영역 시작",
    ],
)
def test_footer_and_widget_lines(line: str) -> None:
    assert is_boilerplate(line)
    assert clean_lines(lines(TEXT[0], line)).paragraphs == [TEXT[0]]


@pytest.mark.parametrize("line", [*TEXT, "기자회견에서 시장은 재배포 계획을 설명했다."])
def test_article_sentences_are_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)


@pytest.mark.parametrize(
    "caption",
    ["↑↑ 권영진 대구시장이 포럼에서 발표하고 있다.", "▲ 하회마을 야경. 안동시 제공"],
)
def test_photo_captions_go(caption: str) -> None:
    cleaned = clean_lines([Line(caption, after_image=True), *lines(*TEXT)])
    assert cleaned.paragraphs == TEXT


def test_bullet_list_in_text_stays_when_not_a_caption() -> None:
    item = "▲드라이브스루 선별진료소 ▲QR코드 출입자 관리 등 대구시의 노력을 소개했다."
    assert clean_lines(lines(TEXT[0], item)).paragraphs == [TEXT[0], item]


def test_related_list_after_the_text_is_cut() -> None:
    tail = ["관련기사", "포항 지진 7년 흔적", "경주 벚꽃 개화"]
    cleaned = clean_lines(lines(*TEXT, *tail))
    assert cleaned.paragraphs == TEXT


def test_link_lines_are_promotions() -> None:
    promo = Line("▶ 코로나19 속보 보기", link_share=1.0)
    assert clean_lines([*lines(*TEXT), promo]).paragraphs == TEXT


def test_byline_glued_to_the_last_sentence() -> None:
    cleaned = clean_lines(lines(TEXT[0], "이닝을 마쳤다.부산=선수민 기자 sunsoo@sportschosun.com"))
    assert cleaned.paragraphs == [TEXT[0], "이닝을 마쳤다."]
    assert cleaned.bylines[-1].names == ("선수민",)


def test_headline_repeated_in_the_container_goes() -> None:
    cleaned = clean_lines(
        lines("대구시 스마트시티 전략", *TEXT), headlines=("대구시 스마트시티 전략",)
    )
    assert cleaned.paragraphs == TEXT


# Broadcast scripts, photo credits and debris (issue 11): each rule alone, with the
# article text it must leave alone.

SCRIPT = [
    "한빛시가 다음 달부터 새벽 버스 노선을 두 배로 늘립니다.",
    "첫차 시간도 30분 앞당겨 오전 4시에 출발하게 됩니다.",
]


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("HBS 뉴스 김가람입니다.", "김가람"),
        ("MBC뉴스 김철수입니다.", "김철수"),
        ("한빛방송 이나래입니다.", "이나래"),
        ("광주에서 KBC 박다솜입니다.", "박다솜"),
        ("지금까지 YTN 홍길동이었습니다.", "홍길동"),
        ("한빛뉴스TV 한별입니다", "한별"),
        ("SBS 8뉴스 윤하늘입니다.", "윤하늘"),
        ("HBS 대전 오하늬입니다.", "오하늬"),
        ("워싱턴에서 HBS 뉴스 서누리입니다.", "서누리"),
        ("채널A 뉴스 강푸름입니다.", "강푸름"),
    ],
)
def test_sign_off_line_is_a_byline(line: str, name: str) -> None:
    cleaned = clean_lines(lines(*SCRIPT, line))
    assert cleaned.paragraphs == SCRIPT
    assert [b.names for b in cleaned.bylines] == [(name,)]


def test_sign_off_glued_to_the_last_sentence() -> None:
    cleaned = clean_lines(lines(SCRIPT[0], SCRIPT[1] + " 한빛방송 김가람입니다."))
    assert cleaned.paragraphs == SCRIPT
    assert cleaned.bylines[0].names == ("김가람",)


@pytest.mark.parametrize(
    "line",
    [
        "올해 목표는 흑자 전환입니다.",
        "이것은 KBS 뉴스입니다.",
        "KBS 뉴스입니다.",
        "SK 소속입니다.",
        "“저는 한빛방송 김가람입니다.”",
        "그는 MBC 기자 출신입니다.",
    ],
)
def test_sentences_ending_in_imnida_stay(line: str) -> None:
    cleaned = clean_lines(lines(*SCRIPT, line))
    assert cleaned.paragraphs == [*SCRIPT, line]
    assert not any(b.names for b in cleaned.bylines)


@pytest.mark.parametrize(
    "block",
    [
        [
            "■ 제보하기",
            "▷ 전화 02-123-4567",
            "▷ 이메일 jebo@hbs.example",
            "▷ 카카오톡 : 'HBS제보' 검색",
        ],
        ["한빛방송은 여러분의 제보를 기다립니다.", "☎ 061-000-1234", "report@hanbit.example"],
        ["[제보]", "카톡 @한빛제보"],
        [
            "※ '당신의 제보가 뉴스가 됩니다'",
            "[카카오톡] HBS 검색해 채널 추가",
            "[전화] 02-000-8585",
            "[메일] social@hbs.example",
        ],
    ],
)
def test_tip_block_goes_with_its_contacts(block: list[str]) -> None:
    cleaned = clean_lines(lines(*SCRIPT, *block))
    assert cleaned.paragraphs == SCRIPT
    assert not any(b.emails for b in cleaned.bylines)


def test_contact_lines_outside_a_tip_block_stay() -> None:
    text = [*SCRIPT, "문의 전화 02-123-4567로 하면 된다고 시는 설명했다."]
    assert clean_lines(lines(*text)).paragraphs == text


def test_reporter_line_after_a_tip_heading_is_still_a_byline() -> None:
    cleaned = clean_lines(lines(*SCRIPT, "■ 제보하기", "김가람 기자 kim@hanbit.example"))
    assert cleaned.paragraphs == SCRIPT
    assert cleaned.bylines[0].names == ("김가람",)


@pytest.mark.parametrize(
    "line", ["#한빛시 #새벽버스", "#봄나들이", "[HBS 뉴스9]", "<한빛뉴스 830>", "[MBC경남]", "(끝)"]
)
def test_hashtags_programme_tags_and_end_marks_go(line: str) -> None:
    assert clean_lines(lines(*SCRIPT, line)).paragraphs == SCRIPT


@pytest.mark.parametrize(
    "line", ["<앵커>", "[앵커]", "<기자>", "[리포트]", "[인터뷰]", "#1 과제는 재원이다."]
)
def test_speaker_labels_and_text_with_hash_stay(line: str) -> None:
    assert clean_lines(lines(SCRIPT[0], line, SCRIPT[1])).paragraphs == [SCRIPT[0], line, SCRIPT[1]]


def test_end_mark_after_the_last_sentence() -> None:
    assert clean_lines(lines(SCRIPT[0], SCRIPT[1] + " (끝)")).paragraphs == SCRIPT


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("사진=한빛시 제공 " + TEXT[0], TEXT[0]),
        ("[사진]한빛일보 DB " + TEXT[0], TEXT[0]),
        (TEXT[0] + " 사진=한빛일보", TEXT[0]),
        (TEXT[0] + "[사진]한빛일보 DB", TEXT[0]),
        (TEXT[0] + "(사진=한빛시 제공)", TEXT[0]),
        ("*/ " + TEXT[0], TEXT[0]),
        ("] " + TEXT[0], TEXT[0]),
        (TEXT[0] + " 기사 이미지 보기", TEXT[0]),
    ],
)
def test_credits_and_debris_glued_to_a_paragraph(line: str, kept: str) -> None:
    assert clean_lines(lines(line, *TEXT[1:])).paragraphs == [kept, *TEXT[1:]]


@pytest.mark.parametrize(
    "line",
    [
        "[사진]한빛일보 DB",
        "그래픽=김가람 기자",
        "기사 이미지 보기",
        "사진 크게 보기",
        "*/",
        "]",
        "-->",
        "한빛전자 123456 | 52,300 ▲1,200 +2.35%",
        "코스피 2,650.12 ▼12.30 -0.46%",
        "2025-04-02 20:10",
        "googletag.cmd.push(function(){googletag.display('div-gpt-ad-1');});",
        "(adsbygoogle = window.adsbygoogle || []).push({});",
    ],
)
def test_debris_lines_go(line: str) -> None:
    assert clean_lines(lines(TEXT[0], line, *TEXT[1:])).paragraphs == TEXT


@pytest.mark.parametrize(
    "line",
    [
        "통계청 자료에 따르면 올해 물가는 3% 올랐다.",
        "자료: 통계청에 따르면 올해 소비자 물가는 지난해보다 3.2% 올라 석 달째 3%대를 이어갔다.",
        "코스피는 전일 대비 1.2% 오른 2,650에 마감했다.",
        "사진작가 김가람 씨는 40년 동안 바다만 찍었다.",
        "지역 광고 시장은 10년 새 절반으로 줄었다(자료: 한빛언론재단).",
        "자바스크립트의 function() 문법을 배운다고 그는 말했다.",
    ],
)
def test_text_about_photos_and_stocks_stays(line: str) -> None:
    assert clean_lines(lines(TEXT[0], line)).paragraphs == [TEXT[0], line]


def test_deck_printed_as_first_lines() -> None:
    deck = [
        Line("총사업비 1200억원 투입", emphasis=True),
        Line("시민 공모로 설계안 확정", heading=True),
    ]
    cleaned = clean_lines([*deck, *lines(*TEXT)])
    assert cleaned.deck == ["총사업비 1200억원 투입", "시민 공모로 설계안 확정"]
    assert cleaned.paragraphs == TEXT


@pytest.mark.parametrize(
    "first",
    [
        Line(TEXT[0], emphasis=True),  # a bold lead sentence
        Line("㈜한빛전자", emphasis=True),  # one word: a name, not a deck
        Line("총사업비 1200억원 투입"),  # plain text
    ],
)
def test_no_deck(first: Line) -> None:
    cleaned = clean_lines([first, *lines(*TEXT[1:])])
    assert cleaned.deck == []
    assert cleaned.paragraphs[0] == first.text


def test_teaser_after_an_image_before_the_first_sentence() -> None:
    cleaned = clean_lines([Line("한빛전자 본사 전경", after_image=True), *lines(*TEXT)])
    assert cleaned.paragraphs == TEXT


def test_short_line_after_an_image_later_in_the_text_stays() -> None:
    text = [TEXT[0], "두 번째 이야기", TEXT[1]]
    cleaned = clean_lines([Line(TEXT[0]), Line(text[1], after_image=True), Line(TEXT[1])])
    assert cleaned.paragraphs == text


def test_credit_line_after_an_image_is_a_byline_not_a_teaser() -> None:
    cleaned = clean_lines([Line("[한빛일보=김가람 기자]", after_image=True), *lines(*TEXT)])
    assert cleaned.paragraphs == TEXT
    assert cleaned.bylines[0].names == ("김가람",)


@pytest.mark.parametrize(
    "line",
    [
        "촬영기자:김가람/영상편집:이나래/그래픽:박다솜",
        "(영상취재 : 김가람, 영상편집 : 이나래, CG : 박다솜)",
        "영상취재: 이나래 / 영상편집: 박다솜",
        "※ '당신의 제보가 뉴스가 됩니다' [카카오톡] HBS 검색해 채널 추가 [전화] 02-000-8585",
        "기사문의 및 제보 : 카톡/라인 hbs1234",
        "※ ⓒ HBS : 무단복제 및 재배포 금지",
    ],
)
def test_crew_credits_one_line_tips_and_copyright_go(line: str) -> None:
    cleaned = clean_lines(lines(*SCRIPT, line))
    assert cleaned.paragraphs == SCRIPT
    assert not any(b.names or b.emails for b in cleaned.bylines)


def test_crew_credits_glued_to_the_last_paragraph() -> None:
    last = SCRIPT[1] + " (영상취재 : 김가람, 영상편집 : 이나래)"
    assert clean_lines(lines(SCRIPT[0], last)).paragraphs == SCRIPT


@pytest.mark.parametrize(
    "line",
    [
        "■ 시민 제보로 드러난 비리",
        "경찰은 목격자 제보를 받는다며 전화 112로 신고해 달라고 당부했다.",
        "시장은 이렇게 말했다: 우리는 끝까지 간다.",
        "인터뷰: 김가람 한빛대 교수",
    ],
)
def test_sentences_about_tips_and_colons_stay(line: str) -> None:
    assert clean_lines(lines(*SCRIPT, line)).paragraphs == [*SCRIPT, line]


@pytest.mark.parametrize(
    ("lead", "name"),
    [
        ("자세한 내용을 김가람 기자가 정리했습니다.", "김가람"),
        ("현장에 나가 있는 이나래 기자 연결합니다.", "이나래"),
        ("박다솜 특파원이 전해드립니다.", "박다솜"),
        ("지난 1년을 오하늬 기자가 돌아봤습니다.", "오하늬"),
        ("시민기자상 수상자를 만났습니다. 서누리 기자입니다.", "서누리"),
        ("한별 기자의 보도입니다.", "한별"),
    ],
)
def test_anchor_handoff_names_a_weak_reporter(lead: str, name: str) -> None:
    cleaned = clean_lines(lines(lead, *SCRIPT))
    assert cleaned.handoffs == [name]
    assert cleaned.paragraphs == [lead, *SCRIPT]  # the lead is printed text and stays


@pytest.mark.parametrize(
    "lead", ["김가람 기자가 말했다.", "“저는 한빛일보 김가람 기자입니다”라고 그는 소개했다."]
)
def test_reporter_quoted_in_the_text_is_no_handoff(lead: str) -> None:
    assert clean_lines(lines(lead, *SCRIPT)).handoffs == []


def test_byline_on_the_copyright_line_is_kept() -> None:
    footer = (
        "dschoi@hanbit.example 최두선 기자 #한빛시 #새청사 "
        + "※ 저작권자 ⓒ 한빛뉴스, 무단전재-재배포 금지"
    )
    cleaned = clean_lines(lines(*TEXT, footer))
    assert cleaned.paragraphs == TEXT
    assert cleaned.bylines[0].names == ("최두선",)
    assert cleaned.bylines[0].emails == ("dschoi@hanbit.example",)


def test_copyright_line_naming_no_reporter() -> None:
    cleaned = clean_lines(lines(*TEXT, "<저작권자 © 한빛뉴스 무단전재 및 재배포 금지>"))
    assert cleaned.paragraphs == TEXT
    assert cleaned.bylines == []


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("김가람 기자 다른기사 보기", ("김가람",)),
        ("김가람 기자 kim@hanbit.example 기자의 다른 기사 보기", ("김가람",)),
        ("이나래 기자 구독하기", ("이나래",)),
        ("다른기사 더보기", ()),
        ("기자 구독", ()),
    ],
)
def test_reporter_prompts_go_and_keep_the_name(line: str, names: tuple) -> None:
    cleaned = clean_lines(lines(*TEXT, line))
    assert cleaned.paragraphs == TEXT
    assert tuple(n for b in cleaned.bylines for n in b.names) == names


@pytest.mark.parametrize("tag", ["[HBS 대전] ", "<한빛뉴스 830>", "[뉴스데스크] "])
def test_programme_tag_opening_a_paragraph_goes(tag: str) -> None:
    assert clean_lines(lines(tag + SCRIPT[0], SCRIPT[1])).paragraphs == SCRIPT


@pytest.mark.parametrize("tag", ["[앵커] ", "[속보] ", "[인터뷰] "])
def test_label_opening_a_paragraph_stays(tag: str) -> None:
    assert clean_lines(lines(tag + SCRIPT[0], SCRIPT[1])).paragraphs == [tag + SCRIPT[0], SCRIPT[1]]


def test_deck_of_plain_lines_needs_two_of_them() -> None:
    deck = ["총사업비 1200억원 투입", "시민 공모로 설계안 확정"]
    cleaned = clean_lines(lines(*deck, *TEXT))
    assert cleaned.deck == deck
    assert cleaned.paragraphs == TEXT


@pytest.mark.parametrize(
    "text",
    [
        ["<앵커>", "총사업비 1200억원 투입", *TEXT],  # a script opens with its label
        ["첫째 줄 짧은 글", "둘째 줄 짧은 글", "셋째 줄", "넷째 줄 짧은 글"],  # nothing but lines
        ["Q 어떻게 시작했나", "처음에는 혼자였다. 지금은 스무 명이 함께 일한다."],  # short answer
    ],
)
def test_no_deck_before_labels_lists_or_short_answers(text: list[str]) -> None:
    cleaned = clean_lines(lines(*text))
    assert cleaned.deck == []
    assert cleaned.paragraphs == text


def test_cloudflare_hidden_address_beside_a_byline() -> None:
    cleaned = clean_lines(lines(*TEXT, "김가람 기자 [email protected]"))
    assert cleaned.paragraphs == TEXT
    assert cleaned.bylines[0].names == ("김가람",)


def test_text_glued_after_a_caption_and_its_credit_stays() -> None:
    glued = "▲ 김가람 시장이 23일 발언하고 있다. (사진=한빛시 제공) " + TEXT[0]
    assert clean_lines(lines(glued, *TEXT[1:])).paragraphs == TEXT


@pytest.mark.parametrize(
    "line",
    [
        "(취재: 오하늬 / 영상취재: 서누리 / 구성: 한별·윤슬기 / 편집: 강푸름)",
        "취재 : 오하늬 / 영상 제작 : 서누리, 한별 / CG : 윤슬기",
    ],
)
def test_crew_credits_name_the_reporter_credited_with_reporting(line: str) -> None:
    cleaned = clean_lines(lines(*SCRIPT, line))
    assert cleaned.paragraphs == SCRIPT
    assert [b.names for b in cleaned.bylines] == [("오하늬",)]


def test_crew_credits_glued_to_the_last_paragraph_name_the_reporter() -> None:
    last = SCRIPT[1] + " (취재: 오하늬 / 영상취재: 서누리)"
    cleaned = clean_lines(lines(SCRIPT[0], last))
    assert cleaned.paragraphs == SCRIPT
    assert [b.names for b in cleaned.bylines] == [("오하늬",)]


@pytest.mark.parametrize(
    "line", ["편집: 이 문서는 매우 중요하다고 그는 말했다.", "취재: 김가람 기자의 현장 메모"]
)
def test_text_with_a_role_and_a_colon_stays(line: str) -> None:
    assert clean_lines(lines(*SCRIPT, line)).paragraphs == [*SCRIPT, line]


@pytest.mark.parametrize(
    "line",
    [
        "이 기사의 주요 종목",
        "관련 종목",
        "관련종목 시세",
        "한누리바이오 48,250 +3.54%",  # a quote box line without code or market name
        "다온제약12,870▼ 210-1.61%",
        "▶ 가온일보 단독 뉴스 모아보기",
        "앱 설치하고 속보 알림 받기",
        "00:00 / 02:11",
    ],
)
def test_quote_box_portal_prompt_and_player_lines_go(line: str) -> None:
    assert clean_lines(lines(*TEXT[:2], line, TEXT[2])).paragraphs == TEXT


@pytest.mark.parametrize(
    "line",
    [
        "한누리바이오 주가는 이날 48,250원으로 3.54% 올랐다.",
        "관련 종목의 주가가 일제히 올랐다.",
        "코스닥 상장사 12곳이 관련 종목으로 묶였다.",
        "회사는 신제품 설명회 영상을 모아 보기 쉽게 정리했다고 밝혔다.",
        "경기는 1:0 / 2:1로 끝났다.",
    ],
)
def test_sentences_about_stocks_and_prompts_stay(line: str) -> None:
    assert clean_lines(lines(*TEXT[:2], line, TEXT[2])).paragraphs == [*TEXT[:2], line, TEXT[2]]


@pytest.mark.parametrize(
    "line",
    [
        "이 기사는 2025년 1월 2일 프리미엄 콘텐츠 서비스 '마켓인'에 출고된 기사입니다.",
        "이 기사는 가온일보 홈페이지에서 하루 먼저 볼 수 있는 기사입니다.",
        "※ 본 기사는 투자 참고용으로, 투자 권유를 목적으로 하지 않습니다.",
        "이 기사는 인공지능(AI)이 작성했습니다.",
        "※ 이 기사는 가온일보와 제휴를 통해 게재합니다.",
        "※ 사진은 기사 내용과 직접적인 관련이 없습니다.",
        "기사제공 가온일보",
        "[가온일보 바로가기] [가온일보 구독하기]",
        "▶ 가온신문이 독자님께 다가갑니다. 후원하기",
        "구독 좋아요 알림설정",
        "<가온일보> 기사 더 보기",
        "/사진=가온통신",
    ],
)
def test_notes_on_how_the_article_ran_go(line: str) -> None:
    assert clean_lines(lines(*TEXT[:2], line, TEXT[2])).paragraphs == TEXT


@pytest.mark.parametrize(
    "line",
    [
        "이 기사는 시민 500명의 설문을 바탕으로 작성됐다.",
        "회사는 AI가 만든 요약 기사를 시범 운영한다고 밝혔다.",
        "관련 기사는 내일 이어진다.",
        "사진은 지난해 촬영됐다.",
    ],
)
def test_sentences_about_articles_and_photos_stay(line: str) -> None:
    assert clean_lines(lines(*TEXT[:2], line, TEXT[2])).paragraphs == [*TEXT[:2], line, TEXT[2]]


@pytest.mark.parametrize(
    "heading", ["<연관기사>", "함께 보면 좋은 기사", "관련 영상", "가온 핫클릭"]
)
def test_related_headings_end_the_text(heading: str) -> None:
    cleaned = clean_lines(lines(*TEXT, heading, "가온시 새 청사 착공…2028년 완공"))
    assert cleaned.paragraphs == TEXT


@pytest.mark.parametrize(
    "line",
    [
        "이 기사를 공유합니다",
        "AI 요약",
        "오디오 듣기",
        "가나다라마바사",  # the font-size sample
        "광고",
        "ADVERTISEMENT",
        "이전 기사",
        "목록보기",
        "카카오톡 공유",
        "카카오톡 페이스북 URL 복사",
        "좋아요 3 슬퍼요 0 화나요 1",
        "재생 시간 01:58",
        "※ 이 기사는 가온일보 지면에 실린 기사입니다.",
        "가온일보 뉴스레터 신청하기",
        "카카오톡 채널 추가하기",
        "[가온일보 무료 구독]",
        "언론사가 선정한 주요기사 혹은 심층기획 기사입니다.",
    ],
)
def test_controls_counters_and_prompts_go(line: str) -> None:
    assert clean_lines(lines(*TEXT[:2], line, TEXT[2])).paragraphs == TEXT


@pytest.mark.parametrize(
    "line",
    [
        "광고 시장이 커졌다.",
        "닫기 버튼을 누르면 된다.",
        "시민들은 카카오톡으로 공유했다.",
        "좋아요 수가 100만을 넘었다.",
        "이전 기사에서 보도했다.",
        "시는 뉴스레터 구독자를 늘리기로 했다.",
    ],
)
def test_sentences_with_control_words_stay(line: str) -> None:
    assert clean_lines(lines(*TEXT[:2], line, TEXT[2])).paragraphs == [*TEXT[:2], line, TEXT[2]]
