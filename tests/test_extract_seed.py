"""The founding example: both seed files give exactly the expected record."""

from __future__ import annotations

import json

import pytest

from newscrawl.extract import extract
from tests.shared import SEED, require_shared

FIELDS = (
    "url",
    "site",
    "cms",
    "title",
    "subtitle",
    "reporters",
    "reporter_emails",
    "published",
    "modified",
    "body",
)


@pytest.mark.parametrize("name", ["kbsm-gnuboard-seed.html", "kbsm-gnuboard-seed.euckr.html"])
@pytest.mark.parametrize("field", FIELDS)
def test_seed_field(name: str, field: str) -> None:
    require_shared()
    expected = json.loads((SEED / "kbsm-gnuboard-seed.expected.json").read_text("utf-8"))
    record = extract((SEED / name).read_bytes(), expected["url"]).to_dict()
    assert record[field] == expected[field]


def test_seed_euckr_is_decoded_as_cp949() -> None:
    require_shared()
    article = extract(
        (SEED / "kbsm-gnuboard-seed.euckr.html").read_bytes(), "https://www.kbsm.net/"
    )
    assert article.encoding == "cp949"
    assert article.status == "ok"
