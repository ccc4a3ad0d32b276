"""One fixture page per CMS family (written for these tests), one test per field."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from newscrawl.extract import Article, extract

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
KST = timezone(timedelta(hours=9))


def page(name: str, url: str, encoding: str = "utf-8") -> Article:
    return extract((FIXTURES / name).read_text("utf-8").encode(encoding), url)


@pytest.fixture(scope="module")
def ndsoft() -> Article:
    return page("ndsoft.html", "https://www.kbmaeil.com/news/articleView.html?idxno=1001")


@pytest.fixture(scope="module")
def gnuboard() -> Article:
    # Served in EUC-KR, as many GnuBoard papers still do.
    url = "http://www.adilbo.kr/bbs/board.php?bo_table=news&wr_id=77"
    return page("gnuboard.html", url, encoding="cp949")


@pytest.fixture(scope="module")
def jsonld() -> Article:
    return page("jsonld.html", "https://www.usnews.kr/news/2023/10/05/123")


def test_ndsoft_profile(ndsoft: Article) -> None:
    assert ndsoft.cms == "ndsoft"


def test_ndsoft_title_has_no_site_or_section(ndsoft: Article) -> None:
    assert ndsoft.title == "포항시, 영일만 해상풍력 단지 조성 착수"


def test_ndsoft_subtitle_keeps_its_lines(ndsoft: Article) -> None:
    assert ndsoft.subtitle == "2030년까지 1GW 규모\n지역 기업 참여 확대"


def test_ndsoft_reporter_without_dateline(ndsoft: Article) -> None:
    assert ndsoft.reporters == ["박동혁"]
    assert ndsoft.reporter_emails == ["dhpark@kbmaeil.com"]


def test_ndsoft_published_is_the_original_under_update(ndsoft: Article) -> None:
    # 입력 09:15 nested under 업데이트 is publication; the meta time adds the seconds.
    assert ndsoft.published == datetime(2024, 4, 2, 9, 15, 33, tzinfo=KST)
    assert ndsoft.modified == datetime(2024, 4, 3, 10, 2, tzinfo=KST)
    assert ndsoft.modified_raw == "업데이트 2024.04.03 10:02"


def test_ndsoft_section(ndsoft: Article) -> None:
    assert ndsoft.section == "경제"


def test_ndsoft_body(ndsoft: Article) -> None:
    assert ndsoft.body.split("\n") == [
        "포항시가 영일만 일대에 해상풍력 단지를 조성하는 사업에 착수했다고 2일 밝혔다.",
        "시는 2030년까지 1GW 규모의 발전 설비를 갖추고 지역 기업의 참여를 늘릴 계획이다.",
        '이강덕 포항시장은 "에너지 전환의 중심 도시로 거듭나겠다"고 말했다.',
    ]


def test_ndsoft_images_keep_captions(ndsoft: Article) -> None:
    assert ndsoft.images[0].src == "https://www.kbmaeil.com/news/photo/1001_1.jpg"
    assert ndsoft.images[0].caption == "영일만 앞바다 전경. 포항시 제공"


def test_gnuboard_profile_and_encoding(gnuboard: Article) -> None:
    assert (gnuboard.cms, gnuboard.encoding, gnuboard.status) == ("gnuboard", "cp949", "ok")


def test_gnuboard_title(gnuboard: Article) -> None:
    assert gnuboard.title == "안동시, 하회마을 야간 개장"


def test_gnuboard_two_digit_year_and_pm(gnuboard: Article) -> None:
    assert gnuboard.published == datetime(2022, 7, 1, 19, 5, tzinfo=KST)


def test_gnuboard_reporter_from_credit_not_account(gnuboard: Article) -> None:
    # The board account is "관리자"; the article's own credit names the reporter.
    assert gnuboard.reporters == ["권오석"]
    assert gnuboard.reporter_emails == ["oskwon@adilbo.kr"]


def test_gnuboard_body_once_without_caption_credit_or_comments(gnuboard: Article) -> None:
    assert gnuboard.body == (
        "안동시가 여름 휴가철을 맞아 하회마을을 밤 10시까지 개장한다.\n"
        "야간 개장 기간에는 선유줄불놀이 공연도 열린다."
    )


def test_jsonld_title_and_dates(jsonld: Article) -> None:
    assert jsonld.title == "울산 태화강 국가정원 방문객 1천만명 돌파"
    assert jsonld.published == datetime(2023, 10, 5, 14, 30, tzinfo=KST)
    assert jsonld.modified == datetime(2023, 10, 5, 18, 0, tzinfo=KST)


def test_jsonld_person_authors_only(jsonld: Article) -> None:
    assert jsonld.reporters == ["정혜원"]
    assert jsonld.reporter_emails == ["hwjung@usnews.kr"]


def test_jsonld_section_and_body(jsonld: Article) -> None:
    assert jsonld.section == "사회"
    assert jsonld.body.split("\n") == [
        "울산 태화강 국가정원을 찾은 방문객이 지정 이후 처음으로 1천만명을 넘어섰다.",
        "울산시는 5일 국가정원 지정 4년 만에 누적 방문객이 1천만명을 돌파했다고 밝혔다.",
        "시는 이를 기념해 이달 말까지 다양한 행사를 연다.",
    ]


def test_list_page_is_not_an_article() -> None:
    article = page("list_page.html", "https://www.kbmaeil.com/news/articleList.html")
    assert article.status == "not_article"
    assert article.body == ""
    assert article.messages


def test_date_only_value_stays_date_only() -> None:
    html = (
        "<html><head><title>t</title></head><body><h1>제목입니다</h1>"
        "<div class='byline'>입력 2021.03.23</div><div class='article_body'><p>"
        + "본문 문장입니다. " * 20
        + "</p></div></body></html>"
    )
    article = extract(html, "https://example.kr/a/1")
    assert article.published == date(2021, 3, 23)
    assert article.to_dict()["published"] == "2021-03-23"


def test_naive_meta_time_gets_kst() -> None:
    html = (
        '<html><head><meta property="article:published_time" content="2021-03-23T20:20:00">'
        "</head><body><h1>제목</h1><div class='article_body'><p>"
        + "본문 문장입니다. " * 20
        + "</p></div></body></html>"
    )
    assert extract(html, "https://example.kr/a/2").to_dict()["published"] == (
        "2021-03-23T20:20:00+09:00"
    )


@pytest.mark.parametrize(
    ("name", "url", "cms"),
    [
        ("ndsoft.html", "https://x.kr/news/articleView.html?idxno=1", "ndsoft"),
        ("gnuboard.html", "http://x.kr/bbs/board.php?bo_table=news&wr_id=1", "gnuboard"),
        ("jsonld.html", "https://x.kr/a", "generic"),
    ],
)
def test_profile_is_chosen_by_fingerprint(name: str, url: str, cms: str) -> None:
    assert extract((FIXTURES / name).read_text("utf-8"), url).cms == cms
