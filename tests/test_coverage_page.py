"""The coverage page of a site in datasette: the month chart, gone ids and holes with the
command that retries them."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from datasette.app import Datasette

from archive import coverage, open_db, save
from archive.datasette_plugin.coverage_page import month_chart
from tests.archive_helpers import article, capture

ND = "https://www.jnilbo.com/news/articleView.html?idxno={}"


@pytest.fixture(scope="module")
def archive_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("coverage") / "jeonnam.db"
    db = open_db(path)
    for n in (1, 2, 3, 6):
        published = f"2021-0{1 + n // 3}-10T09:00:00+09:00"
        save(
            db,
            capture(ND.format(n), minutes=n, site="jnilbo"),
            article(ND.format(n), published=published),
        )
    gone = dataclasses.replace(capture(ND.format(4), site="jnilbo"), status=404)
    save(db, gone, article(ND.format(4), status="empty"))
    coverage.claim(db, site="jnilbo", name="newest_id:idxno", value=10, source=ND.format(10))
    coverage.claim(db, site="jnilbo", name="list_total", value=9)
    db.close()
    return path


def get(path: Path, url: str) -> Any:
    async def fetch() -> Any:
        return await Datasette([str(path)]).client.get(url)

    return asyncio.run(fetch())


def test_coverage_page_shows_gone_ids_holes_and_retry_commands(archive_db: Path) -> None:
    response = get(archive_db, "/jeonnam/sites/jnilbo/coverage")
    assert response.status_code == 200
    page = lxml.html.fromstring(response.text)
    summary = page.cssselect(".newscrawl-coverage-summary")[0].text_content()
    assert "4 articles archived; the site says 9" in " ".join(summary.split())
    assert "5 ids never tried" in summary
    assert [li.text_content() for li in page.cssselect(".newscrawl-gone li")] == ["4: http_404"]
    holes = [" ".join(li.text_content().split()) for li in page.cssselect(".newscrawl-holes li")]
    assert holes == [
        "5 scrapy crawl news -a site=jnilbo -a backfill=ids -a ids=5-5",
        "7–10 scrapy crawl news -a site=jnilbo -a backfill=ids -a ids=7-10",
    ]
    assert page.cssselect(".newscrawl-holes a")[1].get("href") == ND.format(7)
    bars = page.cssselect("svg.newscrawl-chart rect")
    assert [b.text_content() for b in bars] == [
        "2021-01: 2 articles",
        "2021-02: 1 articles",
        "2021-03: 1 articles",
    ]


def test_coverage_index_and_unknown_sites(archive_db: Path) -> None:
    index = lxml.html.fromstring(get(archive_db, "/jeonnam/sites/-/coverage").text)
    rows = [
        [td.text_content().strip() for td in tr.cssselect("td")]
        for tr in index.cssselect("tbody tr")
    ]
    assert rows == [["jnilbo", "4", "9", "1", "5"]]
    assert get(archive_db, "/jeonnam/sites/nowhere/coverage").status_code == 404
    assert get(archive_db, "/nodb/sites/jnilbo/coverage").status_code == 404


def test_month_chart_marks_thin_months_and_escapes() -> None:
    chart = month_chart({"2025-01": 30, "2025-03": 3}, ["2025-02", "2025-03"])
    page = lxml.html.fromstring(f"<div>{chart}</div>")
    fills = [r.get("fill") for r in page.cssselect("rect")]
    assert fills == ["#1c7ed6", "#d9480f", "#d9480f"]
    assert month_chart({}, []) == ""
