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
