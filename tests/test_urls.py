"""canonical_url: the URL variants of one article map to one string."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newscrawl.urls import canonical_url

ND = "https://www.jnilbo.com/news/articleView.html?idxno=90000015817"
GB = "https://www.kbsm.net/bbs/board.php?bo_table=news&wr_id=263381"


@pytest.mark.parametrize(
    "variant",
    [
        ND,
        ND + "&utm_source=naver&utm_medium=referral",
        ND + "#comments",
        "https://m.jnilbo.com/news/articleView.html?idxno=90000015817",
        "https://www.jnilbo.com/news/articlePrint.html?idxno=90000015817",
        "HTTPS://WWW.JNILBO.COM/news/articleView.html?idxno=90000015817&fbclid=abc",
        "https://www.jnilbo.com:443/news/articleView.html?idxno=90000015817",
    ],
)
def test_ndsoft_variants(variant: str) -> None:
    assert canonical_url(variant) == ND


@pytest.mark.parametrize(
    "variant",
    [
        GB,
        "https://www.kbsm.net/bbs/board.php?wr_id=263381&bo_table=news",
        GB + "&page=3",
        GB + "&sca=%EC%A0%95%EC%B9%98&sfl=wr_subject&stx=%EB%8C%80%EA%B5%AC",
    ],
)
def test_gnuboard_variants(variant: str) -> None:
    assert canonical_url(variant) == GB


def test_different_articles_stay_different() -> None:
    assert canonical_url(ND) != canonical_url(ND.replace("15817", "15818"))
    assert canonical_url(GB) != canonical_url(GB.replace("bo_table=news", "bo_table=column"))


def test_loopback_port_is_kept() -> None:
    url = "http://127.0.0.1:8765/news/articleView.html?idxno=1&utm_source=x"
    assert canonical_url(url) == "http://127.0.0.1:8765/news/articleView.html?idxno=1"


@given(st.integers(min_value=1, max_value=10**12), st.sampled_from(["", "&utm_source=x", "#a"]))
def test_idempotent(idxno: int, suffix: str) -> None:
    once = canonical_url(f"https://m.example.co.kr/news/articleView.html?idxno={idxno}{suffix}")
    assert canonical_url(once) == once
