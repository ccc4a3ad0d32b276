"""Article.to_dict(): JSON-ready, complete, and a copy."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime, timedelta, timezone

from newscrawl.extract.article import Article, Image, Status


def make() -> Article:
    return Article(
        url="https://a.kr/1",
        canonical_url="https://a.kr/1",
        site="a.kr",
        reporters=["김범수"],
        published=datetime(2021, 3, 23, 20, 20, tzinfo=timezone(timedelta(hours=9))),
        modified=date(2021, 3, 24),
        images=[Image("https://a.kr/1.jpg", "사진")],
        status=Status.OK,
        messages=["note"],
    )


def test_same_fields_as_asdict_with_json_values() -> None:
    article = make()
    expected = asdict(article)
    expected |= {"published": "2021-03-23T20:20:00+09:00", "modified": "2021-03-24"}
    expected["status"] = "ok"
    assert article.to_dict() == expected
    json.dumps(article.to_dict())


def test_is_a_copy() -> None:
    article = make()
    out = article.to_dict()
    out["reporters"].append("x")
    out["images"][0]["caption"] = "changed"
    assert article.reporters == ["김범수"]
    assert article.images[0].caption == "사진"
