"""The quality gate: `scrapy extract` over labels-dev, scored by ../shared/eval/score.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.shared import CORPUS, LABELS, REPO, SCORER, labels, require_shared, scorer

FLOORS = json.loads((Path(__file__).parent / "quality_floors.json").read_text("utf-8"))


def scrapy_extract(files: list[Path], urls: list[str]) -> list[dict[str, Any]]:
    args = [sys.executable, "-m", "scrapy", "extract"]
    for url in urls:
        args += ["--url", url]
    done = subprocess.run(
        args + [str(f) for f in files], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    require_shared()
    rows = labels()
    records = scrapy_extract([CORPUS / r["file"] for r in rows], [r["url"] for r in rows])
    out = tmp_path_factory.mktemp("quality")
    predictions = out / "newscrawl.jsonl"
    with predictions.open("w", encoding="utf-8") as f:
        for row, record in zip(rows, records, strict=True):
            f.write(json.dumps({"id": row["id"], **record}, ensure_ascii=False) + "\n")
    done = subprocess.run(
        [sys.executable, str(SCORER), str(LABELS), str(predictions), "--out", str(out / "r.json")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    print(done.stdout)
    return json.loads((out / "r.json").read_text("utf-8"))["systems"]["newscrawl"]["summary"]


@pytest.mark.parametrize("metric", sorted(FLOORS["min"]))
def test_at_or_above_floor(report: dict[str, Any], metric: str) -> None:
    assert report[metric] >= FLOORS["min"][metric]


@pytest.mark.parametrize("metric", sorted(FLOORS["max"]))
def test_at_or_below_ceiling(report: dict[str, Any], metric: str) -> None:
    assert report[metric] <= FLOORS["max"][metric]


def test_duplicates_no_more_than_the_articles_themselves(report: dict[str, Any]) -> None:
    # One labelled article repeats a sentence itself; the body must repeat nothing more.
    label_rate = sum(bool(scorer().duplicates(r["body"])) for r in labels()) / len(labels())
    assert report["dup"] <= label_rate


def test_every_corpus_page_extracts_with_a_status() -> None:
    require_shared()
    files = sorted((CORPUS / "pages").glob("*.html"))
    records = scrapy_extract(files, [])
    assert [r["file"] for r in records] == [str(f) for f in files]
    for record in records:
        assert record["status"] == "ok", (record["file"], record["messages"])
        assert record["title"] and record["body"] and record["published"]
        assert record["published"].endswith("+09:00")
