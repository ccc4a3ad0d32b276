"""Id coverage of a site (archive.ids, archive.coverage): kept by every save, reported with
its holes, and the ``-a backfill``/``-a ids`` arguments of the crawl."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlite_utils import Database

from archive import coverage, open_db, save, save_extraction
from archive.coverage import holes, thin_months
from archive.ids import ArticleId, article_id, id_url
from archive.schema import MIGRATIONS
from newscrawl.crawl.backfill import IdCursor
from newscrawl.crawl.policy import check_arguments, parse_backfill
from tests.archive_helpers import article, capture

ND = "https://www.jnilbo.com/news/articleView.html?idxno={}"
GB = "https://www.kbsm.net/bbs/board.php?bo_table=news&wr_id={}"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (ND.format(42), ArticleId("idxno", 42)),
        ("https://m.jnilbo.com/news/articlePrint.html?idxno=7&x=1", ArticleId("idxno", 7)),
        (GB.format(263381) + "&page=2", ArticleId("bo_table=news", 263381)),
        ("https://www.kbsm.net/bbs/board.php?wr_id=5&bo_table=free", ArticleId("bo_table=free", 5)),
        ("https://www.jnilbo.com/news/articleList.html?page=2", None),
        ("https://www.kbsm.net/bbs/board.php?bo_table=news", None),
        ("https://www.jnilbo.com/news/articleView.html?idxno=abc", None),
        ("https://example.com/2025/05/27/story", None),
    ],
)
def test_article_id_of_ndsoft_and_gnuboard_urls(url: str, expected: ArticleId | None) -> None:
    assert article_id(url) == expected


def test_id_url_replaces_the_id_and_drops_view_parameters() -> None:
    assert id_url(ND.format(9) + "&utm_source=x", 3) == ND.format(3)
    assert id_url(GB.format(9) + "&page=4&sca=x", 1) == GB.format(1)
    with pytest.raises(ValueError, match="not an NDSoft or GnuBoard"):
        id_url("https://example.com/a", 1)


def test_holes_are_the_missing_ranges_up_to_the_newest() -> None:
    assert holes([2, 3, 7], 10) == [(1, 1), (4, 6), (8, 10)]
    assert holes(range(1, 11), 10) == []
    assert holes([], 3) == [(1, 3)]
    assert holes([5, 12], 6, first=5) == [(6, 6)]


def test_thin_months_are_under_a_third_of_the_median_gaps_count_as_zero() -> None:
    months = {"2025-01": 30, "2025-02": 28, "2025-04": 31, "2025-05": 9, "2025-06": 30}
    assert thin_months(months) == ["2025-03", "2025-05"]
    assert thin_months({}) == []


@pytest.fixture
def db(tmp_path: Path):
    database = open_db(tmp_path / "news.db")
    yield database
    database.close()


def ids(db: Database) -> dict[int, tuple[str, str | None]]:
    rows = db.execute("SELECT number, state, reason FROM article_ids ORDER BY number")
    return {n: (state, reason) for n, state, reason in rows}


def fetched(url: str, status: int = 200, *, final: str | None = None, minutes: int = 0):
    page = capture(url, minutes=minutes, body=f"<html>{url} {status}</html>".encode())
    return dataclasses.replace(page, status=status, final_url=final or url)


def test_every_save_keeps_the_ids_archived_and_gone_with_their_reason(db: Database) -> None:
    save(db, fetched(GB.format(1)), article(GB.format(1)))
    save(db, fetched(GB.format(2), 404), article(GB.format(2), status="empty"))
    save(db, fetched(GB.format(3)), article(GB.format(3), status="not_article"))
    save(db, fetched(GB.format(4), 503), article(GB.format(4), status="empty"))  # try again
    save(db, fetched(GB.format(5)), article(GB.format(6), title="옮긴 글"))  # redirected
    save(db, fetched("https://www.kbsm.net/bbs/content.php?co_id=a"), article("x", status="ok"))
    assert ids(db) == {
        1: ("archived", None),
        2: ("gone", "http_404"),
        3: ("gone", "not_article"),
        5: ("gone", "moved to 6"),
        6: ("archived", None),
    }


def test_a_gone_id_keeps_its_first_reason_until_an_article_is_found(db: Database) -> None:
    save(db, fetched(GB.format(2), 404), article(GB.format(2), status="empty"))
    save(db, fetched(GB.format(2), 410, minutes=1), article(GB.format(2), status="empty"))
    assert ids(db) == {2: ("gone", "http_404")}
    save(db, fetched(GB.format(2), minutes=2), article(GB.format(2)))
    assert ids(db) == {2: ("archived", None)}
    # A later failed fetch of an archived article does not make it gone.
    save(db, fetched(GB.format(2), 404, minutes=3), article(GB.format(2), status="empty"))
    assert ids(db) == {2: ("archived", None)}


def test_a_reextraction_that_finds_the_article_makes_the_id_archived(db: Database) -> None:
    save(db, fetched(GB.format(8)), article(GB.format(8), status="not_article"))
    assert ids(db) == {8: ("gone", "not_article")}
    capture_id = db.execute("SELECT id FROM captures").fetchone()[0]
    save_extraction(db, capture_id, article(GB.format(8)))
    assert ids(db) == {8: ("archived", None)}


def test_the_migration_fills_the_ids_of_an_archive_made_before_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = open_db(path)
    save(old, fetched(ND.format(1)), article(ND.format(1)))
    save(old, fetched(ND.format(2), 404), article(ND.format(2), status="empty"))
    old.execute("DROP VIEW id_coverage")
    old.execute("DROP TABLE article_ids")
    old.execute("DROP TABLE site_claims")
    old.execute("DELETE FROM _sqlite_migrations WHERE name = '0006_coverage'")
    old.conn.commit()
    old.close()
    db = open_db(path)
    assert not MIGRATIONS.pending(db)
    assert ids(db) == {1: ("archived", None), 2: ("gone", "http_404")}
    db.close()


def test_report_counts_archived_gone_holes_months_and_claims(db: Database) -> None:
    for n in (1, 2, 4, 5):
        save(db, fetched(ND.format(n)), article(ND.format(n)))
    save(db, fetched(ND.format(3), 404), article(ND.format(3), status="empty"))
    coverage.claim(db, site="kbsm", name="newest_id:idxno", value=9, source=ND.format(9))
    coverage.claim(db, site="kbsm", name="newest_id:idxno", value=8, source=ND.format(8))
    coverage.claim(db, site="kbsm", name="list_total", value=8)
    report = coverage.report(db, "kbsm")
    assert report.claims == {"newest_id:idxno": 9, "list_total": 8}
    (series,) = report.series
    assert (series.min_id, series.max_id, series.archived) == (1, 9, 4)
    assert series.gone == {3: "http_404"}
    assert series.holes == [(6, 9)] and series.never_tried == 4
    assert series.retry_url(7) == ND.format(7)
    assert report.hole_count == 4 and report.articles == 4
    assert report.months == {"2021-03": 4}
    view = db.execute("SELECT * FROM id_coverage").fetchall()
    assert view == [("kbsm", "idxno", 1, 9, 4, 1, 4)]


def test_a_site_without_sequential_ids_has_no_holes(db: Database) -> None:
    url = "https://example.com/2025/05/27/story"
    save(db, fetched(url), article(url, site="example"))
    report = coverage.report(db, "kbsm")
    assert report.series == [] and report.hole_count == 0 and report.articles == 1


def test_id_cursor_goes_down_skipping_known_ids() -> None:
    cursor = IdCursor(template=ND.format(1), first=2, last=9, skip={8, 5})
    assert cursor.take(3) == [9, 7, 6]
    assert cursor.take(10) == [4, 3, 2]
    assert cursor.take(1) == []


@pytest.mark.parametrize("order_among_equals", ["LifoMemoryQueue", "FifoMemoryQueue"])
def test_a_backfill_window_goes_newest_first_by_priority(order_among_equals: str) -> None:
    """The newest id of a window goes first whatever order a queue gives requests of equal
    priority: Scrapy's memory queue is last in first out, a FIFO queue first in first out, and
    the cluster's Redis queue orders equal scores by their encoded bytes."""
    from scrapy import Request, squeues
    from scrapy.pqueues import ScrapyPriorityQueue
    from scrapy.utils.test import get_crawler

    from newscrawl.spiders.news import NewsSpider

    crawler = get_crawler(NewsSpider, {})
    crawler.stats.open_spider()
    spider = NewsSpider.from_crawler(crawler, site="kbsm", backfill="ids")
    spider.backfill_init()
    site = spider.sites["kbsm"]
    spider._cursors[("kbsm", "idxno")] = IdCursor(template=ND.format(1), first=1, last=9, skip={8})

    queue_class = getattr(squeues, order_among_equals)
    queue = ScrapyPriorityQueue.from_crawler(crawler, queue_class, key="")
    for request in spider._next(site, "idxno", 3):
        queue.push(request)
    popped: list[Request] = []
    while queue:
        popped.append(queue.pop())  # type: ignore[arg-type]
    assert [article_id(r.url).number for r in popped] == [9, 7, 6]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("backfill", "ids", "expected"),
    [
        (None, None, None),
        ("ids", None, (1, 0)),
        ("ids", "1-5000", (1, 5000)),
        ("ids", "7-7", (7, 7)),
    ],
)
def test_backfill_arguments(backfill: str | None, ids: str | None, expected: object) -> None:
    assert parse_backfill(backfill, ids) == expected


@pytest.mark.parametrize(
    ("backfill", "ids", "message"),
    [
        ("dates", None, "-a backfill='dates': expected ids"),
        ("ids", "500-100", "expected 1 <= FROM <= TO"),
        ("ids", "0-100", "expected 1 <= FROM <= TO"),
        ("ids", "100", "expected FROM-TO"),
        ("ids", "a-b", "expected FROM-TO"),
        (None, "1-5", "-a ids='1-5' needs -a backfill=ids"),
    ],
)
def test_backfill_arguments_refused(backfill: str | None, ids: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_backfill(backfill, ids)


def test_backfill_and_ids_are_known_arguments() -> None:
    check_arguments({"site": "kbsm", "backfill": "ids", "ids": "1-5"})


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"site": "imaeil"}, "needs sequential article ids .*imaeil is not such a site"),
        ({"site": "kbsm", "since": "2025-01-01"}, "-a since does not apply to -a backfill"),
    ],
)
def test_a_backfill_refuses_generic_sites_and_since(
    arguments: dict[str, str], message: str, tmp_path: Path
) -> None:
    from scrapy.settings import Settings

    from newscrawl.config import ConfigError
    from newscrawl.spiders.news import NewsSpider

    spider = NewsSpider(**arguments, backfill="ids")
    with pytest.raises(ConfigError, match=message):
        spider.configure(Settings({"ARCHIVE_DB_PATH": str(tmp_path / "news.db")}))


def test_coverage_command_exit_status_and_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from archive.cli import main

    path = tmp_path / "news.db"
    db = open_db(path)
    url = "https://example.com/2025/05/27/story"
    save(db, capture(url, site="example"), article(url))
    db.close()
    assert main(["coverage", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "example: 1 articles" in out and "no sequential article ids" in out and not err

    db = open_db(path)
    save(db, fetched(GB.format(3)), article(GB.format(3)))
    db.close()
    assert main(["coverage", str(path), "--site", "kbsm"]) == 1
    out, err = capsys.readouterr()
    assert "bo_table=news 3-3: 1 archived, 0 gone, 2 never tried" in out
    assert "retry: scrapy crawl news -a site=kbsm -a backfill=ids -a ids=1-2" in out
    assert err == "error: holes in 1 site(s): kbsm (2 ids never tried)\n"

    assert main(["coverage", str(path), "--site", "nowhere"]) == 2
    assert capsys.readouterr().err == f"error: no site 'nowhere' in {path}\n"
