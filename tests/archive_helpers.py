"""Shared helpers of the archive tests: captures and articles to save, the shared corpus."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from archive import Capture
from tests.shared import labels, require_shared

T0 = datetime(2025, 5, 27, 1, 0, tzinfo=UTC)


def corpus_labels() -> list[dict[str, Any]]:
    """The hand-checked records of ../shared/corpus (real Korean article text)."""
    require_shared()
    return labels()


def capture(
    url: str = "https://www.kbsm.net/news/1",
    *,
    body: bytes = b"<html>page</html>",
    minutes: int = 0,
    site: str | None = "kbsm",
) -> Capture:
    """A capture fetched ``minutes`` after T0."""
    return Capture(
        url=url,
        final_url=url,
        status=200,
        fetched_at=T0 + timedelta(minutes=minutes),
        headers={"Content-Type": "text/html; charset=utf-8", "Set-Cookie": ["a=1", "b=2"]},
        encoding="utf-8",
        body=body,
        site=site,
    )


def article(url: str = "https://www.kbsm.net/news/1", **fields: Any) -> dict[str, Any]:
    """An Article.to_dict()-shaped mapping; ``fields`` override the defaults."""
    record: dict[str, Any] = {
        "url": url,
        "canonical_url": url,
        "site": "www.kbsm.net",
        "title": "경주시, 관광객 맞이 준비",
        "subtitle": None,
        "reporters": ["김범수"],
        "reporter_emails": ["news1213@naver.com"],
        "published": "2021-03-23T20:20:00+09:00",
        "modified": None,
        "published_raw": "2021-03-23 20:20",
        "modified_raw": None,
        "section": "사회",
        "body": "경주시는 23일 관광객을 맞을 준비를 마쳤다.\n포항과 대구에서도 손님이 온다.",
        "images": [{"src": "https://www.kbsm.net/a.jpg", "caption": "보문단지"}],
        "language": "ko",
        "encoding": "utf-8",
        "cms": "gnuboard",
        "status": "ok",
        "messages": [],
    }
    record.update(fields)
    return record


def label_article(label: dict[str, Any]) -> dict[str, Any]:
    """An article mapping from a corpus label."""
    return article(
        label["url"],
        site=label["site"],
        title=label["title"],
        subtitle=label.get("subtitle"),
        reporters=label.get("reporters") or [],
        reporter_emails=label.get("reporter_emails") or [],
        published=label.get("published"),
        modified=label.get("modified"),
        body=label["body"],
        section=None,
        images=[],
    )
