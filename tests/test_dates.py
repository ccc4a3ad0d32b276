"""Korean date strings and labelled dates, as real news pages print them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newscrawl.extract.dates import (
    KST,
    LabelledDate,
    find_labelled_dates,
    parse_date,
    pick_published_modified,
    to_iso,
)


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=KST)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021.03.23 20:20", kst(2021, 3, 23, 20, 20)),
        ("2021-03-23 20:20:05", kst(2021, 3, 23, 20, 20, 5)),
        ("2021/03/23 20:20", kst(2021, 3, 23, 20, 20)),
        ("2021. 3. 23. 20:20", kst(2021, 3, 23, 20, 20)),
        ("2021.03.23. 20:20", kst(2021, 3, 23, 20, 20)),
        ("21-03-23 20:20", kst(2021, 3, 23, 20, 20)),  # GnuBoard, not 2023-03-21
        ("2021-03-23 오후 8:20", kst(2021, 3, 23, 20, 20)),
        ("2021-03-23 오전 02:32:44", kst(2021, 3, 23, 2, 32, 44)),
        ("2021-03-23 오후 12:10", kst(2021, 3, 23, 12, 10)),
        ("2021-03-23 오전 12:05", kst(2021, 3, 23, 0, 5)),
        ("2021-03-23 PM 8:20", kst(2021, 3, 23, 20, 20)),
        ("2021-03-23 AM 8:20", kst(2021, 3, 23, 8, 20)),
        ("2021-03-23 8:20 PM", kst(2021, 3, 23, 20, 20)),
        ("2024.05.30. 오전 11:40", kst(2024, 5, 30, 11, 40)),
        ("2021년 3월 23일", date(2021, 3, 23)),
        ("2021년 3월 23일 20시 20분", kst(2021, 3, 23, 20, 20)),
        ("2021년 03월 23일 (화) 오후 8:20", kst(2021, 3, 23, 20, 20)),
        ("2025-12-06 17:25 (토)", kst(2025, 12, 6, 17, 25)),
        ("2025-12-06T16:43:04+09:00", kst(2025, 12, 6, 16, 43, 4)),
        ("2025-05-15T20:00:52.000+0900", kst(2025, 5, 15, 20, 0, 52)),
        ("2020-07-07T10:42:42Z", datetime(2020, 7, 7, 10, 42, 42, tzinfo=UTC)),
        ("2025-05-28T00:13:03", kst(2025, 5, 28, 0, 13, 3)),
        ("2025-05-28", date(2025, 5, 28)),
        ("입력 : 2025-05-28 00:13:03 수정", kst(2025, 5, 28, 0, 13, 3)),
        ("Tue, 23 Mar 2021 20:20:00 +0900", kst(2021, 3, 23, 20, 20)),
        ("March 23, 2021", date(2021, 3, 23)),
    ],
)
def test_parse_date(text: str, expected: datetime | date) -> None:
    value = parse_date(text)
    assert value == expected
    assert type(value) is type(expected)  # a date-only value stays date-only
    if isinstance(value, datetime):
        assert value.utcoffset() == expected.utcoffset()


def test_parse_date_keeps_page_offset() -> None:
    value = parse_date("2021-03-23T20:20:00-05:00")
    assert isinstance(value, datetime)
    assert value.utcoffset() == timedelta(hours=-5)


def test_parse_date_uses_given_zone_for_naive() -> None:
    utc = UTC
    assert parse_date("2021-03-23 20:20", tz=utc) == datetime(2021, 3, 23, 20, 20, tzinfo=utc)


@pytest.mark.parametrize(
    "text",
    [
        "2021-13-01 10:00",  # month 13
        "2021-02-30",  # February 30
        "2021-03-23 25:00",  # hour 25
        "2021-03-23 오전 13:00",
        "1966.03.08",  # before 1990: a footer, not an article
        "2101-01-01",
        "2021-03-23T10:00+25:00",
        "March 2021",  # no day: dateutil would invent one
        "",
        "garbage",
        "댓글 0",
        "03/23/2021",
        "x" * 100_000,
    ],
)
def test_parse_date_rejects(text: str) -> None:
    assert parse_date(text) is None


def test_parse_date_only_reads_the_head() -> None:
    assert parse_date("가" * 500 + " 2021.03.23 20:20") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("입력 2021.03.23 20:20", [("입력", kst(2021, 3, 23, 20, 20), "입력 2021.03.23 20:20")]),
        ("입력 : 2025-05-28 00:13:03", [("입력", kst(2025, 5, 28, 0, 13, 3), None)]),
        ("입력2025.05.28 00:13", [("입력", kst(2025, 5, 28, 0, 13), "입력2025.05.28 00:13")]),
        ("수정 2025.05.15 20:57", [("수정", kst(2025, 5, 15, 20, 57), None)]),
        ("승인 2021.03.23 20:20", [("승인", kst(2021, 3, 23, 20, 20), None)]),
        (
            "업데이트 2025.12.06 17:18 입력 2025.12.06 16:43",
            [("수정", kst(2025, 12, 6, 17, 18), None), ("입력", kst(2025, 12, 6, 16, 43), None)],
        ),
        ("기사입력 2021-03-23 오후 8:20", [("입력", kst(2021, 3, 23, 20, 20), None)]),
        ("최종편집: 2021-03-23 오전 02:32:44", [("수정", kst(2021, 3, 23, 2, 32, 44), None)]),
        ("작성일21-03-23 20:20", [("입력", kst(2021, 3, 23, 20, 20), "작성일21-03-23 20:20")]),
        ("작성일 : 21-03-23 20:20", [("입력", kst(2021, 3, 23, 20, 20), None)]),
        (
            "기사입력 2021.03.23 | 최종수정 2021.03.24",
            [("입력", date(2021, 3, 23), "기사입력 2021.03.23"), ("수정", date(2021, 3, 24), None)],
        ),
        ("등록 2021-03-23 20:20:00", [("입력", kst(2021, 3, 23, 20, 20), None)]),
        ("입력 2020.08.27 20:27", [("입력", kst(2020, 8, 27, 20, 27), None)]),
        ("게재 일시 없음 송고 2021.03.23 20:20", [("입력", kst(2021, 3, 23, 20, 20), None)]),
        ("Updated: 2021-03-24 10:00", [("수정", kst(2021, 3, 24, 10, 0), None)]),
        (
            "입력 2024.05.30. 오전 11:40 수정 2024.05.30. 오전 11:41 기사원문",
            [("입력", kst(2024, 5, 30, 11, 40), None), ("수정", kst(2024, 5, 30, 11, 41), None)],
        ),
        ("등록번호 : 가00196 | 등록일자 : 1966.03.08", []),
        ("등록일자 : 2009.01.16 | 등록(발행)일자 : 2009.01.16", []),
        ("인터넷신문등록번호 서울 아 51553 발행일자 2018. 11. 23", []),
        ("입력했습니다", []),
        ("댓글 내용입력 0 / 400 등록", []),
        ("회원정보수정 2021.03.23 20:20", []),
        ("입력 2021.13.23 20:20", []),
        ("", []),
    ],
)
def test_find_labelled_dates(text: str, expected: list[tuple]) -> None:
    found = find_labelled_dates(text)
    assert [(f.label, f.value) for f in found] == [(label, value) for label, value, _ in expected]
    for item, (_, _, raw) in zip(found, expected, strict=True):
        assert item.raw in text
        if raw is not None:
            assert item.raw == raw


def _ld(label: str, value: datetime | date) -> LabelledDate:
    return LabelledDate(label, value, f"{label} {value}")


@pytest.mark.parametrize(
    ("found", "published", "modified"),
    [
        ([], None, None),
        (
            find_labelled_dates("업데이트 2025.12.06 17:18 입력 2025.12.06 16:43"),
            kst(2025, 12, 6, 16, 43),
            kst(2025, 12, 6, 17, 18),
        ),
        (
            find_labelled_dates("기사입력 2013-10-24 03:00:00 기사수정 2013-10-24 03:00:00"),
            kst(2013, 10, 24, 3),
            None,  # a 수정 equal to 입력 is no modification
        ),
        (
            [_ld("승인", kst(2021, 3, 23, 20, 20)), _ld("수정", kst(2021, 3, 24, 9, 0))],
            kst(2021, 3, 23, 20, 20),
            kst(2021, 3, 24, 9, 0),
        ),
        (
            [_ld("입력", kst(2021, 3, 23, 21)), _ld("승인", kst(2021, 3, 23, 20))],
            kst(2021, 3, 23, 21),  # 입력 wins over an earlier 승인
            None,
        ),
        (
            # The footer's date-only "등록일" must not beat the article's timed 입력.
            find_labelled_dates("입력 2025.12.06 16:43 … 등록일: 2015-01-02"),
            kst(2025, 12, 6, 16, 43),
            None,
        ),
        (
            find_labelled_dates("기사입력 2021.03.23 | 최종수정 2021.03.24"),
            date(2021, 3, 23),
            date(2021, 3, 24),
        ),
        (
            [
                _ld("입력", kst(2021, 3, 23, 20)),
                _ld("수정", kst(2021, 3, 25)),
                _ld("수정", kst(2021, 3, 24)),
                _ld("수정", kst(2021, 3, 22)),
            ],
            kst(2021, 3, 23, 20),
            kst(2021, 3, 25),
        ),
    ],
)
def test_pick_published_modified(
    found: list[LabelledDate], published: datetime | date | None, modified: datetime | date | None
) -> None:
    got_published, got_modified = pick_published_modified(found)
    assert (got_published.value if got_published else None) == published
    assert (got_modified.value if got_modified else None) == modified


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (date(2021, 3, 23), "2021-03-23"),
        (kst(2021, 3, 23, 20, 20), "2021-03-23T20:20:00+09:00"),
    ],
)
def test_to_iso(value: datetime | date | None, expected: str | None) -> None:
    assert to_iso(value) == expected


@given(st.text(max_size=400))
def test_parse_date_never_raises(text: str) -> None:
    value = parse_date(text)
    assert value is None or isinstance(value, date)
    if isinstance(value, datetime):
        assert value.tzinfo is not None


_DATEISH = st.text(alphabet="0123456789.-/: T+Z년월일시분오전후입력수정승인등록PMAM", max_size=60)


@given(st.one_of(st.text(max_size=400), _DATEISH))
def test_find_labelled_dates_never_raises(text: str) -> None:
    found = find_labelled_dates(text)
    pick_published_modified(found)
    assert all(f.label in ("입력", "수정", "승인") for f in found)


@given(_DATEISH)
def test_parse_date_dateish_never_raises(text: str) -> None:
    parse_date(text)
