"""Date lines of layouts outside the tuned families (issue 11): broadcasters and older skins
print the time in brackets, the label after the date, or "기사승인"."""

from __future__ import annotations

from datetime import datetime

import pytest

from newscrawl.extract.dates import KST, find_labelled_dates, pick_published_modified


def at(hour: int, minute: int) -> datetime:
    return datetime(2025, 3, 4, hour, minute, tzinfo=KST)


@pytest.mark.parametrize(
    ("text", "published", "modified"),
    [
        ("입력 2025.03.04 (19:42)", at(19, 42), None),
        ("입력 2025.03.04 (19:42) 수정 2025.03.04 (20:10)", at(19, 42), at(20, 10)),
        ("입력 2025.03.04(화) 19:42", at(19, 42), None),
        ("기사승인 2025.03.04 19:42", at(19, 42), None),
        ("기사전송 2025-03-04 19:42", at(19, 42), None),
        ("게시 2025.03.04 19:42", at(19, 42), None),
        ("2025.03.04 19:42 입력", at(19, 42), None),
        ("2025년 03월 04일 19시 42분 입력", at(19, 42), None),
        ("2025.03.04 19:42 입력 / 2025.03.04 20:10 수정", at(19, 42), at(20, 10)),
        # a label first wins: the second date is not read as "19:42 수정"
        ("입력 2025.03.04 19:42 수정 2025.03.04 20:10", at(19, 42), at(20, 10)),
    ],
)
def test_labelled_dates(text: str, published: datetime, modified: datetime | None) -> None:
    got_published, got_modified = pick_published_modified(find_labelled_dates(text))
    assert got_published is not None and got_published.value == published
    assert (got_modified.value if got_modified else None) == modified


@pytest.mark.parametrize(
    "text", ["2025.03.04 19:42", "2025년 예산 입력 작업", "회원정보수정 2025.03.04"]
)
def test_no_labelled_date(text: str) -> None:
    assert find_labelled_dates(text) == []


@pytest.mark.parametrize(
    ("meta", "published"),
    [
        ('property="og:regDate" content="20190416113200"', "2019-04-16T11:32:00+09:00"),
        ('property="og:regDate" content="201904161132"', "2019-04-16T11:32:00+09:00"),
        (
            'itemprop="datePublished" content="2019-04-16T11:32:00+09:00"',
            "2019-04-16T11:32:00+09:00",
        ),
        ('property="og:regDate" content="20191316113200"', None),  # month 13
    ],
)
def test_date_only_in_metadata(meta: str, published: str | None) -> None:
    from newscrawl.extract import extract

    html = (
        f"<html><head><meta {meta}><title>가온시 새 청사</title></head><body>"
        "<h1>가온시 새 청사</h1><div class='article-body'>"
        + "가온시가 새 청사를 짓는다. " * 8
        + "</div></body></html>"
    )
    article = extract(html, "https://news.example.kr/a/1")
    assert (article.published.isoformat() if article.published else None) == published
