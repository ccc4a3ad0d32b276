"""Golden tests: every labelled corpus page, one test per field, judged like score.py."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from newscrawl.extract import extract
from tests.shared import CORPUS, labels, require_shared, scorer

LABELLED = [label["id"] for label in labels()] or ["(no ../shared)"]


@cache
def predicted(page_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    label = next(lab for lab in labels() if lab["id"] == page_id)
    article = extract((CORPUS / label["file"]).read_bytes(), label["url"])
    return label, article.to_dict()


def _case(page_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    require_shared()
    return predicted(page_id)


@pytest.mark.parametrize("page_id", LABELLED)
def test_title(page_id: str) -> None:
    label, got = _case(page_id)
    assert scorer().norm(got["title"]) == scorer().norm(label["title"])


@pytest.mark.parametrize("page_id", LABELLED)
def test_subtitle(page_id: str) -> None:
    label, got = _case(page_id)
    assert (got["subtitle"] or None) == (label.get("subtitle") or None)


@pytest.mark.parametrize("page_id", LABELLED)
def test_reporters(page_id: str) -> None:
    label, got = _case(page_id)
    assert got["reporters"] == label["reporters"]


@pytest.mark.parametrize("page_id", LABELLED)
def test_reporter_emails(page_id: str) -> None:
    label, got = _case(page_id)
    assert set(got["reporter_emails"]) == set(label.get("reporter_emails") or [])


@pytest.mark.parametrize("page_id", LABELLED)
def test_published_instant(page_id: str) -> None:
    label, got = _case(page_id)
    scores = scorer().published_scores(
        label["published"], got["published"], scorer().parse_offset("+09:00")
    )
    assert scores["instant"], (got["published"], label["published"])


@pytest.mark.parametrize("page_id", LABELLED)
def test_published_is_timezone_aware(page_id: str) -> None:
    _, got = _case(page_id)
    assert got["published"] is None or got["published"].endswith("+09:00")


@pytest.mark.parametrize("page_id", LABELLED)
def test_body_f1(page_id: str) -> None:
    label, got = _case(page_id)
    counts = scorer().page_counts(label["body"], got["body"])
    assert counts.f1 >= 0.97


@pytest.mark.parametrize("page_id", LABELLED)
def test_body_has_no_boilerplate(page_id: str) -> None:
    label, got = _case(page_id)
    assert scorer().leaks(got["body"], label.get("boilerplate") or []) == []


@pytest.mark.parametrize("page_id", LABELLED)
def test_body_repeats_nothing_the_article_does_not(page_id: str) -> None:
    label, got = _case(page_id)
    assert scorer().duplicates(got["body"], label["body"]) == []


@pytest.mark.parametrize("page_id", LABELLED)
def test_status_ok(page_id: str) -> None:
    _, got = _case(page_id)
    assert got["status"] == "ok", got["messages"]
