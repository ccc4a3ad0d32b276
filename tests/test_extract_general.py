"""Layouts outside the tuned CMS families (issue 11): one small page per class of failure,
written for these tests with invented outlets and varied markup, and one test per class
and field, so that one broken rule is one red test."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from newscrawl.extract import Article, extract
from newscrawl.extract.visibility import hidden_class

FIXTURES = Path(__file__).parent / "fixtures" / "extract" / "general"


# The expected record of every page, hand-checked: its fields, and the strings of the page
# that must never reach the body.
LABELS = {
    row["id"]: row
    for row in map(json.loads, (FIXTURES / "labels.jsonl").read_text("utf-8").splitlines())
}


@cache
def page(name: str) -> Article:
    url = LABELS[name]["url"] if name in LABELS else f"https://news.example.kr/{name}"
    return extract((FIXTURES / f"{name}.html").read_bytes(), url)


def field(article: Article, name: str) -> Any:
    value = getattr(article, name)
    return value.isoformat() if name == "published" and value is not None else value


@pytest.mark.parametrize(
    "name", ["title", "subtitle", "reporters", "reporter_emails", "published", "body"]
)
@pytest.mark.parametrize("page_id", sorted(LABELS))
def test_labelled_field(page_id: str, name: str) -> None:
    assert field(page(page_id), name) == LABELS[page_id][name]


@pytest.mark.parametrize("page_id", sorted(LABELS))
def test_labelled_boilerplate_stays_out(page_id: str) -> None:
    body = page(page_id).body
    assert [s for s in LABELS[page_id]["boilerplate"] if s in body] == []


# Broadcast scripts ----------------------------------------------------------------------


def test_sign_off_line_names_the_reporter() -> None:
    article = page("broadcast")
    assert article.reporters == ["김가람"]
    assert "김가람입니다" not in article.body


def test_sign_off_glued_to_the_last_sentence_is_cut() -> None:
    article = page("broadcast_script")  # no known container: trafilatura's text
    assert article.reporters == ["이나래"]
    assert article.body.endswith("주말에는 셔틀버스도 다닐 예정입니다.")


def test_reporter_the_anchor_hands_over_to() -> None:
    # No sign-off, no byline: "현장에 나가 있는 오하늬 기자 연결합니다." in the anchor's lead.
    assert page("broadcast_handoff").reporters == ["오하늬"]


def test_time_in_brackets_after_the_date() -> None:
    article = page("broadcast_handoff")
    assert article.published is not None and article.published.isoformat() == (
        "2025-08-19T20:31:00+09:00"
    )
    assert article.modified is not None and article.modified.isoformat() == (
        "2025-08-19T21:05:00+09:00"
    )


@pytest.mark.parametrize("name", ["broadcast", "broadcast_script"])
def test_tip_block_goes_with_its_contacts(name: str) -> None:
    article = page(name)
    assert "제보" not in article.body
    assert not re.search(r"\d{3}-\d{3,4}-\d{4}|@|카카오톡", article.body)
    assert article.reporter_emails == []  # a tip address is not the reporter's


@pytest.mark.parametrize("name", ["broadcast", "broadcast_script"])
def test_hashtag_lines_go(name: str) -> None:
    assert "#" not in page(name).body


def test_end_mark_goes() -> None:
    assert "끝" not in page("credits").body


@pytest.mark.parametrize("name", ["broadcast", "broadcast_script", "broadcast_handoff"])
def test_crew_credits_go_and_name_nobody(name: str) -> None:
    article = page(name)
    assert not re.search(r"촬영기자|영상취재|영상편집|박다솜|최다온|임바다", article.body)
    assert not {"박다솜", "최다온", "임바다", "장새벽"} & set(article.reporters)


def test_programme_tags_go_and_speaker_labels_stay() -> None:
    body = page("broadcast").body
    assert "HBS 뉴스9" not in body
    assert body.splitlines()[0] == "<앵커>"
    assert "<기자>" in body.splitlines()


def test_programme_tag_goes_on_the_trafilatura_path() -> None:
    assert "가온뉴스 830" not in page("broadcast_script").body


@pytest.mark.parametrize(
    "hidden",
    [
        "뉴스 본문 영역",  # <h2 class="blind">
        "기사 본문",  # <h4 class="screen_out">
        "음성으로 듣기",  # <div class="sr-only">, a copy of the text
        "인쇄용 사본",  # <div class="print-only">
        "숨겨진 원고",  # style="display: none"
        "보이지 않는 안내",  # aria-hidden="true"
    ],
)
def test_hidden_copies_and_screen_reader_headings_go(hidden: str) -> None:
    assert hidden not in page("broadcast").body


def test_hidden_copy_is_not_a_repeat_of_the_lead() -> None:
    body = page("broadcast").body
    assert body.count("새벽 버스 노선을 두 배로 늘리기로 했습니다") == 1


def test_broadcast_body_keeps_every_script_paragraph() -> None:
    body = page("broadcast").body.splitlines()
    assert len(body) == 6
    assert body[-1].startswith("시는 이를 위해 올해 예산 40억 원을")


def test_time_stamp_line_is_not_body() -> None:
    assert not page("broadcast_script").body.startswith("2025")


# Credits ----------------------------------------------------------------------------------


def test_several_names_before_one_role_word() -> None:
    article = page("credits")
    assert article.reporters == ["김가람", "이나래", "박다솜"]
    assert article.body.startswith("정부가 인구 감소 지역을")


def test_affiliation_between_name_and_role_is_a_byline() -> None:
    assert "한빛닷컴" not in page("credits").body


def test_bracket_without_equals_sign() -> None:
    article = page("credits_bracket")
    assert article.reporters == ["최다온", "윤하늘"]
    assert article.body.startswith("다온시가 전통시장")


def test_outlet_bracketed_alone_before_the_reporter() -> None:
    article = page("credits_spacing")
    assert article.reporters == ["한별"]
    assert article.body.startswith("새봄군이 귀농을")


def test_byline_with_dates_after_a_bar() -> None:
    article = page("byline_dated")
    assert article.reporters == ["서하준"]
    assert "입력" not in article.body and "서하준" not in article.body


def test_bare_name_in_a_byline_element() -> None:
    assert page("byline_bare").reporters == ["윤슬기"]


def test_reporter_box_after_the_body() -> None:
    article = page("reporter_box")
    assert article.reporters == ["강푸름"]
    assert article.reporter_emails == ["purum@pureun.example"]
    assert "다른 기사" not in article.body


def test_byline_line_printed_right_after_the_text() -> None:
    article = page("byline_after")
    assert article.reporters == ["서누리"]  # not the name in a list of other articles
    assert article.reporter_emails == ["nuri@nuri.example"]


@pytest.mark.parametrize(
    ("classes", "hidden"),
    [
        ("blind", True),
        ("sr-only", True),
        ("screen_out", True),
        ("txt-blind", True),
        ("visually-hidden", True),
        ("a11y-hidden", True),
        ("hidden-xs", False),  # responsive: visible on other screens
        ("mobile-hide", False),
        ("hide-on-print", False),
        ("headline", False),
    ],
)
def test_hidden_class(classes: str, hidden: bool) -> None:
    assert hidden_class(classes) is hidden


def test_byline_printed_between_headline_and_text() -> None:
    # An older NDSoft skin on a mobile page, in EUC-KR: "정하람 기자 | 승인 …" under the title.
    article = page("mobile_euckr")
    assert (article.cms, article.encoding) == ("ndsoft", "cp949")
    assert article.reporters == ["정하람"]


# Photo credits, captions and widgets ---------------------------------------------------


def test_photo_credit_opening_a_paragraph_goes() -> None:
    assert page("photo").body.startswith("한빛전자가 올해 2분기")


@pytest.mark.parametrize(
    "debris",
    [
        "사진=",  # glued before the first sentence
        "[사진]",  # glued after a sentence
        "DB",  # "(사진=한빛경제 DB)" inside a paragraph
        "기사 이미지 보기",  # a button
        "123456",  # a stock-quote widget
        "▲",
        "*/",  # the end of a commented-out ad tag
        "본사 전경",  # a photo box's teaser
    ],
)
def test_photo_and_widget_debris_goes(debris: str) -> None:
    assert debris not in page("photo").body


def test_no_lone_bracket_after_a_cut_credit() -> None:
    article = page("photo")
    assert article.reporters == ["윤서진"]
    assert all(re.search(r"\w", line) for line in article.body.splitlines())
    assert "]" not in article.body


def test_photo_and_widget_page_keeps_its_four_paragraphs() -> None:
    assert len(page("photo").body.splitlines()) == 4


def test_teaser_after_an_image_before_the_first_sentence() -> None:
    body = page("photo_teaser").body
    assert body.startswith("맑은시가 도심 하천인")
    assert "현장 모습" not in body


# Deck and headline --------------------------------------------------------------------------


def test_deck_printed_as_the_first_lines_is_the_subtitle() -> None:
    article = page("deck_title")
    assert article.subtitle == "총사업비 1200억원 투입\n시민 공모로 설계안 확정"
    assert article.body.startswith("별내시가 새 시청사")


def test_deck_of_plain_lines_on_the_trafilatura_path() -> None:
    article = page("deck_plain")
    assert article.subtitle == "마을마다 최대 5억원 지원\n주말 갯벌 체험 프로그램 운영"
    assert article.body.startswith("바다시가 해안 마을 10곳을")


def test_visible_headline_wins_over_a_shortened_og_title() -> None:
    assert page("deck_title").title == "별내시 새 청사 착공…2028년 시민 품으로"


def test_og_title_suffix_is_not_the_title() -> None:
    assert page("broadcast").title == "한빛시, 새벽 버스 노선 두 배로 늘린다"


def test_headline_is_one_part_of_the_title_and_the_logo_is_not() -> None:
    # <title>새 청사 첫 삽 – 한빛시민신문 온라인판</title>, no og:site_name; the logo is an
    # h1 linking home whose text is the title's other, longer part.
    assert page("title_parts").title == "새 청사 첫 삽"


def test_title_from_a_headline_class() -> None:
    assert page("photo").title == "한빛전자, 2분기 영업이익 두 배"


# What must stay ------------------------------------------------------------------------------


def _paragraphs(name: str) -> list[str]:
    html = (FIXTURES / f"{name}.html").read_text("utf-8")
    body = html[html.index('<div class="article-text">') :]
    return [
        re.sub(r"<[^>]+>", "", p).replace("&quot;", '"')
        for p in re.findall(r"<p>(.*?)</p>", body, re.S)
    ]


def test_article_text_that_looks_like_debris_stays() -> None:
    # Sentences ending in 입니다, [앵커] and quotes in brackets, 제보 and a phone number in a
    # sentence, a (자료: …) citation, "#1", 사진작가, a bold lead: all article text.
    assert page("legit").body.splitlines() == _paragraphs("legit")


def test_no_reporter_invented_from_article_text() -> None:
    assert page("legit").reporters == []


def test_no_deck_taken_from_a_bold_lead_sentence() -> None:
    assert page("legit").subtitle is None


# Layouts of outlets never seen (issue 11, second pass) ---------------------------------------


def test_broadcaster_container_known_by_its_id() -> None:
    # The script sits in a container public scrapers name (#cont_newstext, .detail-body);
    # the video player above it prints "동영상 영역 시작" and its clock.
    article = page("broadcast_player")
    assert article.body.startswith("[앵커]")
    assert not re.search(r"동영상|\d\d:\d\d / ", article.body)


def test_reporter_box_gives_the_address_of_the_reporter_who_signed_off() -> None:
    article = page("broadcast_player")
    assert article.reporters == ["한결"]
    assert article.reporter_emails == ["gyeol@sbn.example"]  # not the tip address


def test_portal_prompts_after_the_text_go() -> None:
    body = page("portal_naver").body
    assert body.endswith("대여 요금은 지금처럼 1시간에 1천원이다.")
    assert "▶" not in body


def test_portal_update_time_in_its_own_attribute() -> None:
    modified = page("portal_naver").modified
    assert modified is not None and modified.isoformat() == "2025-05-20T10:40:55+09:00"


@pytest.mark.parametrize("quote", ["이 기사의 주요 종목", "관련 종목", "48,250", "▼ 210"])
def test_quote_boxes_inside_a_business_article_go(quote: str) -> None:
    assert quote not in page("business").body


def test_business_article_keeps_its_numbers() -> None:
    body = page("business").body
    assert "체중이 평균 14% 줄어든" in body and len(body.splitlines()) == 4


def test_container_named_like_an_article_body() -> None:
    # "m-view-body" / "mArticleBody" on a mobile page, "news_body_area" on an EUC-KR one:
    # no known selector, so trafilatura took the section label, the byline line and the
    # app prompt (mobile) or the photo caption (EUC-KR).
    mobile = page("mobile")
    assert mobile.body.startswith("다솜군이 비어 있는")
    assert mobile.messages == []  # not trafilatura's text
    euckr = page("euckr_table")
    assert (euckr.encoding, euckr.messages) == ("cp949", [])
    assert euckr.body.startswith("세움시가 시립도서관")


def test_wrapper_of_a_body_is_not_the_body() -> None:
    from newscrawl.extract.cms.base import _names_body

    assert _names_body("m-view-body", None) and _names_body(None, "mArticleBody")
    assert _names_body("news_body_area", None) and _names_body("articleTxt", None)
    assert not _names_body("article-body-wrap", None)
    assert not _names_body("news_list", "m-view-head")
    assert not _names_body("cmt_view_txt", None) and not _names_body("preview_text", None)
    assert not _names_body("view_cont related_news_txt", None)


def test_old_ndsoft_table_skin() -> None:
    article = page("ndsoft_old")
    assert article.cms == "ndsoft"
    assert article.subtitle == "대합실 두 배로 넓혀…다음 달 1일 개장"


def test_related_heading_early_in_a_short_article_goes_alone() -> None:
    body = page("agency_tail").body
    assert "관련기사" not in body and body.endswith("회사는 설명했다.")


def test_newsroom_and_slogan_lines_name_nobody() -> None:
    article = page("agency_tail")
    assert article.reporters == ["강이슬"]
    assert article.reporter_emails == ["isle@nuri.example"]  # not the newsroom's address


def test_tip_block_printed_as_one_paragraph_goes() -> None:
    # "■ 제보하기 ▷ 카카오톡 : … ▷ 전화 : … ▷ 이메일 : … 구독해주세요!" ends like a sentence.
    body = page("broadcast_tip").body
    assert "제보" not in body and "@" not in body
    assert body.endswith("내다봤습니다.")


@pytest.mark.parametrize(
    "note", ["바로가기", "관련이 없습니다", "먼저 볼 수 있는 기사", "연관기사", "작은 학교"]
)
def test_portal_notes_around_the_text_go(note: str) -> None:
    assert note not in page("portal_daum_old").body


def test_named_container_inside_a_named_wrapper() -> None:
    text = "가온시가 새 청사를 짓는다. " * 10
    html = (
        "<html><body><h1>가온시 새 청사</h1><div class='view_content'>"
        "<div class='btns'>공유 인쇄 스크랩</div>"
        f"<div class='articleTxt'>{text}</div>"
        "<div class='cmt'>첫 댓글입니다</div></div></body></html>"
    )
    from newscrawl.extract.cms.base import named_container
    from newscrawl.extract.dom import parse

    chosen = named_container(parse(html))
    assert chosen is not None and chosen.get("class") == "articleTxt"
    assert extract(html, "https://news.example.kr/a/2").body == text.strip()


@pytest.mark.parametrize(
    ("old", "new", "encoding"),
    [
        (b'<meta http-equiv="Content-Type" content="text/html; charset=euc-kr">', b"", None),
        (b"charset=euc-kr", b"charset=utf-8", None),  # a wrong declaration
        (b"", b"", "text/html; charset=utf-8"),  # a wrong HTTP header
    ],
)
def test_euc_kr_page_without_a_right_declaration(
    old: bytes, new: bytes, encoding: str | None
) -> None:
    raw = (FIXTURES / "euckr_table.html").read_bytes()
    article = extract(
        raw.replace(old, new) if old else raw, LABELS["euckr_table"]["url"], encoding=encoding
    )
    assert (article.encoding, article.title) == ("cp949", LABELS["euckr_table"]["title"])
    assert article.body == LABELS["euckr_table"]["body"]


def test_writers_in_a_list_of_other_articles_are_not_reporters() -> None:
    # A column list in the sidebar prints its writers with the byline's class (.writer).
    assert page("sidebar_writers").reporters == ["주하늘"]


def test_co_reporters_listed_with_links_to_their_pages_stay() -> None:
    text = "가온시가 새 청사를 짓는다. " * 8
    items = "".join(
        f'<li><a href="/r/{i}" class="reporter">{name} 기자</a></li>'
        for i, name in enumerate(["주하늘", "차은비", "노을빛"])
    )
    html = (
        f"<html><body><h1>가온시 새 청사</h1><ul class='reporters'>{items}</ul>"
        f"<div class='article-body'>{text}</div></body></html>"
    )
    assert extract(html, "https://news.example.kr/a/3").reporters == ["주하늘", "차은비", "노을빛"]


def test_list_of_columns_after_the_text_names_nobody() -> None:
    # No byline anywhere: neither the writers' boxes nor the lines after the text may
    # credit the column list's writers ("…바다가 산다남궁별 논설위원" read as a byline).
    text = "가온시가 새 청사를 짓는다. " * 8
    items = "".join(
        f'<li><a href="/op/{i}">{title}</a><span class="writer_name">{who}</span></li>'
        for i, (title, who) in enumerate(
            [
                ("섬이 살아야 바다가 산다", "남궁별 논설위원"),
                ("뱃길도 길이다", "차은비 객원기자"),
                ("봄 바다의 약속", "노을빛 시인"),
            ]
        )
    )
    html = (
        f"<html><body><h1>가온시 새 청사</h1><div class='article-body'>{text}</div>"
        f"<ul class='op'>{items}</ul></body></html>"
    )
    assert extract(html, "https://news.example.kr/a/4").reporters == []
