"""feed_record: what -o/-O exports for a page, with or without an article, as JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from newscrawl.extract.article import Article, Status
from newscrawl.feeds import FEED_FIELDS, feed_record
from newscrawl.items import Page

URL = "https://www.kbsm.net/news/articleView.html?idxno=1"


def page(article: Article | None) -> Page:
    return Page(
        url=URL,
        final_url=URL,
        status=200,
        headers={"Content-Type": ["text/html"]},
        body=b"\x00raw bytes",
        encoding="utf-8",
        fetched_at=datetime(2025, 12, 6, 3, 0, tzinfo=UTC),
        site="kbsm",
        article=article,
        notes=["body cut short: the gzip stream ends early"],
    )


def test_a_record_is_json_in_field_order_without_raw_bytes() -> None:
    article = Article(
        url=URL,
        canonical_url=URL,
        site="kbsm",
        title="제목",
        reporters=["홍길동"],
        published=datetime.fromisoformat("2025-12-06T09:00:00+09:00"),
        body="본문",
        status=Status.OK,
        messages=["no subtitle"],
    )
    record = feed_record(page(article))
    assert list(record) == list(FEED_FIELDS)
    assert json.loads(json.dumps(record, ensure_ascii=False)) == record
    assert record["published"] == "2025-12-06T09:00:00+09:00"
    assert record["fetched_at"] == "2025-12-06T03:00:00+00:00"
    assert (record["status"], record["extraction_status"], record["title"]) == (200, "ok", "제목")
    assert record["messages"] == ["no subtitle", "body cut short: the gzip stream ends early"]


def test_a_page_without_an_article_still_has_its_fetch() -> None:
    record = feed_record(page(None))
    assert (record["url"], record["site"], record["status"]) == (URL, "kbsm", 200)
    assert record["title"] is None and record["extraction_status"] is None
    assert record["messages"] == ["body cut short: the gzip stream ends early"]
