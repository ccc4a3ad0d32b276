"""Decoding like a browser, and surviving wrong declarations."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.extract import extract
from newscrawl.extract.dom import NotUtf8, parse_utf8
from newscrawl.extract.encoding import decode_html, likely_utf8, normalize_encoding

KOREAN = "<html><head>{meta}</head><body><p>경북신문 김범수 기자 똠방각하 뷁</p></body></html>"


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("EUC-KR", "cp949"),
        ("euc_kr", "cp949"),
        ("ks_c_5601-1987", "cp949"),
        ("UTF8", "utf-8"),
        ("iso-8859-1", "cp1252"),
        ("latin1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("windows-949", "cp949"),
        ("x-windows-949", "cp949"),
        ("uhc", "cp949"),
        (' "utf-8" ', "utf-8"),
        ("gb2312", "gb18030"),
        ("x-unknown", None),
        ("", None),
    ],
)
def test_normalize_encoding(label: str, codec: str | None) -> None:
    assert normalize_encoding(label) == codec


def test_euckr_declared_is_read_as_cp949_with_its_extra_syllables() -> None:
    html = KOREAN.format(meta='<meta charset="euc-kr">')
    decoded = decode_html(html.encode("cp949"))
    assert decoded.encoding == "cp949"
    assert "똠방각하 뷁" in decoded.text


def test_bom_wins() -> None:
    html = KOREAN.format(meta='<meta charset="euc-kr">')
    decoded = decode_html(b"\xef\xbb\xbf" + html.encode("utf-8"))
    assert decoded.encoding == "utf-8"
    assert "김범수" in decoded.text


def test_http_header_before_meta() -> None:
    html = KOREAN.format(meta='<meta charset="utf-8">')
    decoded = decode_html(html.encode("cp949"), declared="text/html; charset=EUC-KR")
    assert decoded.encoding == "cp949"
    assert decoded.messages == []


def test_utf8_bytes_under_a_legacy_declaration() -> None:
    html = KOREAN.format(
        meta='<meta http-equiv="Content-Type" content="text/html; charset=euc-kr">'
    )
    decoded = decode_html(html.encode("utf-8"))
    assert decoded.encoding == "utf-8"
    assert "meta charset cp949 ignored" in decoded.messages[0]


def test_no_declaration_is_detected() -> None:
    decoded = decode_html(KOREAN.format(meta="").encode("cp949"))
    assert decoded.encoding == "cp949"
    assert "김범수" in decoded.text


def test_ascii_only() -> None:
    assert decode_html(b"<p>plain</p>").text == "<p>plain</p>"


@pytest.mark.parametrize(
    ("data", "declared", "likely"),
    [
        (KOREAN.format(meta="").encode("utf-8"), None, True),
        (KOREAN.format(meta='<meta charset="utf-8">').encode("utf-8"), "text/html", True),
        (KOREAN.format(meta="").encode("utf-8"), "text/html; charset=x-unknown", True),
        (b"<p>plain ASCII</p>", None, False),  # decoding ASCII costs nothing
        (b"\xef\xbb\xbf" + KOREAN.format(meta="").encode("utf-8"), None, False),
        (KOREAN.format(meta='<meta charset="euc-kr">').encode("utf-8"), None, False),
        (KOREAN.format(meta="").encode("utf-8"), "text/html; charset=EUC-KR", False),
    ],
)
def test_likely_utf8(data: bytes, declared: str | None, likely: bool) -> None:
    assert likely_utf8(data, declared=declared) is likely


def test_parse_utf8_reads_valid_utf8() -> None:
    root = parse_utf8(KOREAN.format(meta="").encode("utf-8"))
    assert root is not None
    assert "똠방각하" in "".join(root.itertext())


@pytest.mark.parametrize(
    "data",
    [
        KOREAN.format(meta="").encode("cp949"),
        b"<html><head><script>var s = '\xb0\xa1';</script></head><body>x</body></html>",
        b"<html><body><p title='\xb0\xa1'>x</p><!-- \xed\xa0\x80 --></body></html>",
        b"<html><body>x\xea\xb0",  # cut inside a character
    ],
)
def test_parse_utf8_refuses_bytes_that_are_not_utf8(data: bytes) -> None:
    with pytest.raises(NotUtf8):
        parse_utf8(data)


def test_bytes_after_a_doctype_name_are_not_read() -> None:
    """The one place where the parser's check and decode_html differ: a legacy byte after
    the DOCTYPE's name, which no browser reads. decode_html, decoding every byte, falls back
    to detection for the page; the parser reads what it shows, all valid UTF-8."""
    data = b"<!DOCTYPE html \xb0\xa1>" + KOREAN.format(meta="").encode("utf-8")
    assert decode_html(data).messages == ["charset detected as utf-8, undecodable bytes replaced"]
    root = parse_utf8(data)
    assert root is not None
    assert "똠방각하 뷁" in "".join(root.itertext())
    article = extract(data, "https://www.example.kr/a/1")
    assert article.encoding == "utf-8"
    assert not any("charset" in message for message in article.messages)


_PIECES = st.sampled_from(
    [
        b"<p>",
        b"</p>",
        b"<html><head>",
        b">",
        b"<meta charset=euc-kr>",
        b"<meta charset=utf-8>",
        "김범수 기자".encode(),
        "김범수 기자".encode("cp949"),
        "똠방각하".encode(),
        "\ufeff".encode(),
        b"\xb0",
        b"\xed\xa0\x80",
        b"\x00",
        b"plain text ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_PIECES, min_size=1, max_size=30).map(b"".join),
    st.sampled_from([None, "text/html; charset=utf-8", "text/html; charset=euc-kr"]),
)
def test_extract_chooses_the_encoding_decode_html_chooses(
    data: bytes, declared: str | None
) -> None:
    """Parsing likely-UTF-8 bytes before decoding them must never change the choice."""
    article = extract(data, "https://www.example.kr/a/1", encoding=declared)
    if article.encoding is not None:  # None: refused before decoding (empty, binary)
        assert article.encoding == decode_html(data, declared=declared).encoding
