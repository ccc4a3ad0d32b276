"""Bad input never raises: each gives a record with a status and a reason."""

from __future__ import annotations

import subprocess
import sys
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newscrawl.extract import Status, extract

URL = "https://www.example.kr/news/articleView.html?idxno=1"
ARTICLE = (
    "<html><head><meta charset='utf-8'><title>제목 - 신문</title></head><body>"
    "<h1>포항 영일만 해상풍력</h1><div class='byline'>입력 2024.04.02 09:15</div>"
    "<div id='article-view-content-div'><p>포항시가 해상풍력 단지 조성에 나섰다.</p>"
    "<p>시는 2030년까지 사업을 마칠 계획이다.</p></div></body></html>"
)


def test_empty_bytes() -> None:
    article = extract(b"", URL)
    assert article.status == Status.EMPTY
    assert article.messages == ["empty document"]


def test_whitespace_only() -> None:
    assert extract(b" \n\t ", URL).status == Status.EMPTY


def test_pdf() -> None:
    article = extract(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", URL)
    assert article.status == Status.EMPTY
    assert "not HTML: a PDF document" in article.messages


def test_binary_noise() -> None:
    article = extract(bytes(range(256)) * 64, URL)
    assert article.status in (Status.EMPTY, Status.NOT_ARTICLE)
    assert article.messages


def test_ten_megabyte_page_is_read_in_bounded_time() -> None:
    filler = "<div class='ad'><a href='/x'>광고 링크</a></div>" * 200_000
    html = ARTICLE.replace("</body>", filler + "</body>").encode("utf-8")
    assert len(html) > 10_000_000
    started = time.perf_counter()
    article = extract(html, URL)
    assert time.perf_counter() - started < 60
    assert "포항시가 해상풍력 단지 조성에 나섰다." in article.body


def test_broken_markup() -> None:
    html = ARTICLE.replace("</p>", "").replace("</div>", "<div><span><b>")[:-20]
    article = extract(html.encode("utf-8"), URL)
    assert "포항시가 해상풍력 단지 조성에 나섰다." in article.body
    assert article.status in (Status.OK, Status.PARTIAL)


def test_deeply_nested_markup() -> None:
    html = "<html><body>" + "<div>" * 5000 + "본문" + "</div>" * 5000 + "</body></html>"
    article = extract(html.encode("utf-8"), URL)
    assert article.status in (Status.EMPTY, Status.NOT_ARTICLE, Status.PARTIAL)


def test_wrong_charset_declaration_utf8_bytes_under_euckr() -> None:
    html = ARTICLE.replace("charset='utf-8'", "charset='euc-kr'").encode("utf-8")
    article = extract(html, URL)
    assert article.encoding == "utf-8"
    assert "포항시가" in article.body
    assert any("ignored" in m for m in article.messages)


def test_wrong_http_charset_cp949_bytes_under_utf8() -> None:
    html = ARTICLE.replace("charset='utf-8'", "").encode("cp949")
    article = extract(html, URL, encoding="text/html; charset=UTF-8")
    assert article.encoding == "cp949"
    assert "포항시가" in article.body


def test_page_that_is_no_article() -> None:
    html = (
        "<html><head><title>로그인</title></head><body><form><input name=id></form></body></html>"
    )
    article = extract(html.encode("utf-8"), "https://www.example.kr/login")
    assert article.status in (Status.EMPTY, Status.NOT_ARTICLE)
    assert article.body == ""
    assert article.messages


def test_xml_declaration_in_str_input() -> None:
    html = '<?xml version="1.0" encoding="utf-8"?>' + ARTICLE
    assert "포항시가" in extract(html, URL).body


def test_garbage_url() -> None:
    article = extract(ARTICLE, "not a url at all")
    assert article.status in (Status.OK, Status.PARTIAL)


_TAGS = st.sampled_from(["div", "p", "span", "a", "b", "br", "h1", "figure", "script", "table"])
_TEXT = st.text(
    alphabet=st.sampled_from(list("가나다라 입력수정기자=[]()<>&;:.@ 0123456789-\n")), max_size=40
)


@st.composite
def markup(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 30))):
        tag = draw(_TAGS)
        parts.append(f"<{tag}>{draw(_TEXT)}")
        if draw(st.booleans()):
            parts.append(f"</{tag}>")
    return "".join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markup(), st.sampled_from(["utf-8", "cp949", None]))
def test_random_markup_never_raises(html: str, encoding: str | None) -> None:
    data = html.encode(encoding or "utf-8", "replace")
    article = extract(data, URL, encoding=encoding)
    assert isinstance(article.status, Status)
    assert article.to_dict()["status"] in {s.value for s in Status}


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(data: bytes) -> None:
    assert isinstance(extract(data, URL).status, Status)


def test_extraction_is_pure() -> None:
    code = (
        "import sys, newscrawl.extract;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
