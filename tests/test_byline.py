"""Korean bylines, lead credits and author strings, as real news pages print them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newscrawl.extract.byline import (
    Byline,
    byline_line,
    clean_name,
    parse_byline,
    split_lead_credit,
)


@pytest.mark.parametrize(
    ("text", "names", "emails", "more"),
    [
        ("[경북신문=김범수기자]", ("김범수",), (), 0),
        ("(포항=뉴스1) 최창호 기자 =", ("최창호",), (), 0),
        ("김범수 기자 news1213@naver.com", ("김범수",), ("news1213@naver.com",), 0),
        ("김범수기자", ("김범수",), (), 0),
        ("/이용선기자 photokid@hanmail.net", ("이용선",), ("photokid@hanmail.net",), 0),
        ("홍길동·김철수 기자", ("홍길동", "김철수"), (), 0),
        ("홍길동ㆍ김철수 기자", ("홍길동", "김철수"), (), 0),
        ("서울=이정준 기자", ("이정준",), (), 0),
        (
            "순천, 광양 구현모 기자 ninek@hankookilbo.com",
            ("구현모",),
            ("ninek@hankookilbo.com",),
            0,
        ),
        ("박준석 기자 외 1명", ("박준석",), (), 1),
        ("김범수 news1213@naver.com", ("김범수",), ("news1213@naver.com",), 0),
        ("스포츠조선=선수민 기자", ("선수민",), (), 0),
        ("이현주 기자(lovelypsyche@newsis.com)", ("이현주",), ("lovelypsyche@newsis.com",), 0),
        ("[서울=뉴시스]이현주 기자 = ", ("이현주",), (), 0),
        ("대구=김범수 기자, 안동=이철우 기자", ("김범수", "이철우"), (), 0),
        ("글·사진=김범수 기자", ("김범수",), (), 0),
        ("뉴스타파 webmaster@newstapa.org", (), ("webmaster@newstapa.org",), 0),
        ("김범수 선임기자", ("김범수",), (), 0),
        ("김범수 선임 기자", ("김범수",), (), 0),
        ("홍길동 논설위원", ("홍길동",), (), 0),
        ("워싱턴=김철수 특파원", ("김철수",), (), 0),
        ("이철우 수습기자", ("이철우",), (), 0),
        ("홍길동 PD", ("홍길동",), (), 0),
        ("사회부 김범수 기자", ("김범수",), (), 0),
        ("김가람 한빛닷컴 기자", ("김가람",), (), 0),  # affiliation between name and role
        ("김가람 한빛경제TV 기자 kim@x.kr", ("김가람",), ("kim@x.kr",), 0),
        ("김가람 사회부 기자", ("김가람",), (), 0),
        ("김가람 기자 | 입력 : 2025.03.04 10:20", ("김가람",), (), 0),
        ("John Smith 기자", ("John Smith",), (), 0),
        ("김범수 기자 a@b.kr, 이철우 기자 c@d.kr", ("김범수", "이철우"), ("a@b.kr", "c@d.kr"), 0),
        ("기자의 다른 기사보기", (), (), 0),
        ("댓글 0", (), (), 0),
        ("기자", (), (), 0),
        ("사회부 기자", (), (), 0),
        ("김범수", (), (), 0),  # a lone word is not a byline without a role or an e-mail
        ("", (), (), 0),
    ],
)
def test_parse_byline(text: str, names: tuple, emails: tuple, more: int) -> None:
    assert parse_byline(text) == Byline(names, emails, more)


@pytest.mark.parametrize(
    ("paragraph", "rest", "names"),
    [
        ("[경북신문=김범수기자] 권영진 대구시장이…", "권영진 대구시장이…", ("김범수",)),
        ("[서울=뉴시스]이현주 기자 = 삼성전자가…", "삼성전자가…", ("이현주",)),
        ("(포항=뉴스1) 최창호 기자 = 경북 포항시가…", "경북 포항시가…", ("최창호",)),
        ("[서울=뉴시스] 삼성전자가…", "삼성전자가…", ()),
        ("【서울=뉴시스】 삼성전자가…", "삼성전자가…", ()),
        ("【서울=뉴시스】이현주 기자 = 삼성전자가…", "삼성전자가…", ("이현주",)),
        ("[대구=뉴시스]", "", ()),
        ("[대구=뉴시스]홍길동·김철수 기자 = 대구시가…", "대구시가…", ("홍길동", "김철수")),
        ("서울=이정준 기자 = 정부가…", "정부가…", ("이정준",)),
        # several names before one role word, after a dateline
        (
            "(세종=한빛통신) 김가람 이나래 박다솜 기자 = 정부가…",
            "정부가…",
            ("김가람", "이나래", "박다솜"),
        ),
        ("세종=김가람 이나래 기자 = 정부가…", "정부가…", ("김가람", "이나래")),
        # brackets without "=": a byline inside, or an outlet and a name
        ("[한빛타임즈 김가람, 이나래 수습기자] 한빛시가…", "한빛시가…", ("김가람", "이나래")),
        ("[한빛일보 김가람 기자]한빛시가…", "한빛시가…", ("김가람",)),
        ("[한빛일보 김가람] 한빛시가…", "한빛시가…", ("김가람",)),
        # an outlet alone in the bracket: a credit naming nobody
        ("[한빛뉴스] 한빛시가…", "한빛시가…", ()),
        ("(한빛일보) 한빛시가…", "한빛시가…", ()),
        ("[HBS] 한빛시가…", "한빛시가…", ()),
        # odd spacing: the outlet bracketed alone, the reporter after it
        ("[한빛일보 ] 김가람 기자 = 한빛시가…", "한빛시가…", ("김가람",)),
        ("[ 한빛일보 = 김가람 기자 ] 한빛시가…", "한빛시가…", ("김가람",)),
    ],
)
def test_split_lead_credit(paragraph: str, rest: str, names: tuple) -> None:
    got_rest, byline = split_lead_credit(paragraph)
    assert got_rest == rest
    assert byline is not None
    assert byline.names == names


@pytest.mark.parametrize(
    "paragraph",
    [
        "[앵커] 오늘 오후 대구에서…",
        "[편집자주] 이 기사는…",
        "[속보] 대구시가…",
        "[부산 Live] 해운대에서…",
        "[인터뷰] 김가람 한빛대 교수는…",
        "[앵커 멘트] 오늘 오후…",
        "[AI] 한빛시가…",  # a section tag in capitals, not an outlet
        "[MLB] 김하성이…",
        "(서울시 제공) 청계천에서…",
        "권영진 대구시장이 23일 오후…",
        "기자회견에서 밝혔다.",
        "",
    ],
)
def test_split_lead_credit_leaves_text(paragraph: str) -> None:
    assert split_lead_credit(paragraph) == (paragraph, None)


@pytest.mark.parametrize(
    ("line", "names", "emails"),
    [
        ("김범수 news1213@naver.com", ("김범수",), ("news1213@naver.com",)),
        ("김범수 기자", ("김범수",), ()),
        ("/이용선기자 photokid@hanmail.net", ("이용선",), ("photokid@hanmail.net",)),
        ("이현주 기자(lovelypsyche@newsis.com)", ("이현주",), ("lovelypsyche@newsis.com",)),
        ("순천, 광양 구현모 기자 ninek@hankookilbo.com", ("구현모",), ("ninek@hankookilbo.com",)),
        ("news1213@naver.com", (), ("news1213@naver.com",)),
        ("  박준석 기자 외 1명  ", ("박준석",), ()),
        ("김가람 기자 | 입력 : 2025.03.04 10:20 | 수정 : 2025.03.04 11:00", ("김가람",), ()),
        ("김가람 한빛닷컴 기자", ("김가람",), ()),
        ("[한빛일보 김가람 기자]", ("김가람",), ()),
        ("[한빛일보 김가람]", ("김가람",), ()),
        (
            "[한빛데일리 김가람 기자 kim@hanbit.example / 사진=HBS '노래쇼']",
            ("김가람",),
            ("kim@hanbit.example",),
        ),
        ("글·사진=김가람 기자", ("김가람",), ()),
        ("HBS 오하늬 (hanui@hbs.example)", ("오하늬",), ("hanui@hbs.example",)),
        ("김가람 기자 kim2529@", ("김가람",), ()),  # an address the template cut short
    ],
)
def test_byline_line(line: str, names: tuple, emails: tuple) -> None:
    byline = byline_line(line)
    assert byline is not None
    assert (byline.names, byline.emails) == (names, emails)


@pytest.mark.parametrize(
    "line",
    [
        "<저작권자 © 경북신문 무단전재 및 재배포금지>",
        "Copyright ⓒ 뉴시스. All rights reserved.",
        "기자회견에서 밝혔다.",
        "김 기자는 말했다.",
        "김범수 기자가 취재했다.",
        "홍길동 기자입니다.",
        "기자의 다른 기사보기",
        "댓글 0",
        "김범수",
        "사진=연합뉴스",
        "입력 2025.03.04 10:20",
        "[앵커]",
        "[속보]",
        "김범수 기자 " + "가나다 " * 30,
        "",
    ],
)
def test_byline_line_rejects(line: str) -> None:
    assert byline_line(line) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("서울=이정준 기자", "이정준"),
        ("순천, 광양 구현모 기자 ninek@hankookilbo.com", "구현모"),
        ("박준석 기자 외 1명", "박준석"),
        ("안병준", "안병준"),
        (" 안병준 ", "안병준"),
        ("스포츠조선=선수민 기자", "선수민"),
        ("김범수기자", "김범수"),
        ("한국일보", None),
        ("뉴시스", None),
        ("https://www.facebook.com/hkilbo", None),
        ("webmaster@newstapa.org", None),
        ("", None),
    ],
)
def test_clean_name(raw: str, expected: str | None) -> None:
    assert clean_name(raw) == expected


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("윤슬기", ("윤슬기",)),
        ("윤슬기 · 한별", ("윤슬기", "한별")),
        ("관리자", ()),  # a board account, not a person
        ("편집국", ()),
        ("한빛일보", ()),
        ("입력 2025.01.01", ()),
        ("정치부장", ()),
        ("기자의 다른 기사", ()),
    ],
)
def test_bare_names_of_a_byline_element(text: str, names: tuple) -> None:
    assert parse_byline(text, bare=True).names == names


_BYLINEISH = st.text(
    alphabet="김범수이현주기자특파원=[]()【】·, @.abc서울뉴시스외1명\n", max_size=80
)


@given(st.one_of(st.text(max_size=400), _BYLINEISH))
def test_never_raises(text: str) -> None:
    byline = parse_byline(text)
    assert all(name and "기자" not in name for name in byline.names)
    rest, lead = split_lead_credit(text)
    assert lead is None or len(rest) <= len(text)
    byline_line(text)
    clean_name(text)


def test_newsroom_signature_is_a_byline_line_naming_nobody() -> None:
    byline = byline_line("누리경제 뉴스룸 newsroom@nuri.example")
    assert byline is not None and byline.names == () and byline.emails == ()


def test_wire_slogan_before_the_reporters_address() -> None:
    byline = byline_line("◎공감언론 누리경제 isle@nuri.example")
    assert byline is not None and byline.names == ()
    assert byline.emails == ("isle@nuri.example",)


def test_a_sentence_about_the_newsroom_is_not_a_byline() -> None:
    assert byline_line("편집국 관계자는 newsroom@nuri.example 로 제보를 받는다고 밝혔다.") is None


@pytest.mark.parametrize(
    "credit",
    ["[가온스포츠 허다정 기자]", "[스포츠가온 허다정 기자]", "[뉴스가온 허다정 기자]"],
)
def test_sports_and_online_outlets_in_a_bracket_are_not_names(credit: str) -> None:
    text, byline = split_lead_credit(f"{credit} 가온FC가 새 감독을 선임했다.")
    assert byline is not None and byline.names == ("허다정",)
    assert text == "가온FC가 새 감독을 선임했다."


@pytest.mark.parametrize(
    ("credit", "names"),
    [
        ("[더팩트 허다정 기자]", ("허다정",)),  # an outlet no list knows
        ("[위키가온 허다정·김하늘 기자]", ("허다정", "김하늘")),
        ("[한빛일보 허다정 김하늘 기자]", ("허다정", "김하늘")),  # a known outlet first
    ],
)
def test_first_word_of_a_bracketed_credit_is_the_outlet(credit: str, names: tuple) -> None:
    byline = split_lead_credit(f"{credit} 가온시가 새 청사를 짓는다.")[1]
    assert byline is not None and byline.names == names
