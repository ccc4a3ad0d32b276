"""Decoding like a browser, and surviving wrong declarations."""

from __future__ import annotations

import pytest

from newscrawl.extract.encoding import decode_html, normalize_encoding

KOREAN = "<html><head>{meta}</head><body><p>경북신문 김범수 기자 똠방각하 뷁</p></body></html>"


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("EUC-KR", "cp949"),
        ("euc_kr", "cp949"),
        ("ks_c_5601-1987", "cp949"),
        ("UTF8", "utf-8"),
        ("iso-8859-1", "cp1252"),
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
