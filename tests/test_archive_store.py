"""Storage semantics of archive.saves, archive.runs and archive.reads on temporary databases."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard

import archive.articles
from archive import (
    SaveResult,
    finish_run,
    iter_captures,
    known_articles,
    open_db,
    save,
    save_extraction,
    search,
    start_run,
    upsert_site,
)
from archive.schema import MIGRATIONS
from tests.archive_helpers import T0, article, capture


@pytest.fixture
def db(tmp_path: Path):
    database = open_db(tmp_path / "sub" / "news.db")
    yield database
    database.close()


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_open_creates_parent_dir_wal_foreign_keys_and_busy_timeout(tmp_path):
    db = open_db(tmp_path / "a" / "b" / "news.db")
    assert (tmp_path / "a" / "b" / "news.db").is_file()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000
    assert {"sites", "captures", "blobs", "articles", "revisions", "crawl_runs"} <= set(
        db.table_names()
    )


def test_reopening_applies_no_migration_twice(tmp_path):
    open_db(tmp_path / "news.db").close()
    db = open_db(tmp_path / "news.db")
    names = [r["name"] for r in db.query("SELECT name FROM _sqlite_migrations")]
    assert names[0] == "0001_initial" and len(names) == len(set(names))  # none applied twice
    assert {"0002_run_status", "0003_declared_canonical", "0004_reading_room"} <= set(names)
    assert not MIGRATIONS.pending(db)


def test_first_save_is_new_with_one_revision(db):
    assert save(db, capture(), article()) is SaveResult.NEW
    row = db.execute("SELECT * FROM articles").fetchone()
    got = dict(
        zip([d[0] for d in db.execute("SELECT * FROM articles").description], row, strict=True)
    )
    assert got["url"] == "https://www.kbsm.net/news/1"
    assert got["site"] == "kbsm"  # the registry name of the capture, not the host
    assert json.loads(got["reporters"]) == ["김범수"]
    assert json.loads(got["reporter_emails"]) == ["news1213@naver.com"]
    assert got["published_at"] == "2021-03-23T20:20:00+09:00"
    assert got["published_month"] == "2021-03"
    assert got["first_seen"] == got["last_seen"] == "2025-05-27T01:00:00+00:00"
    assert got["revision_count"] == 1
    assert count(db, "revisions") == 1
    assert count(db, "captures") == 1
    capture_row = db.execute(
        "SELECT extraction_status, article_id, headers FROM captures"
    ).fetchone()
    assert capture_row[:2] == ("ok", got["id"])
    assert json.loads(capture_row[2])["Set-Cookie"] == ["a=1", "b=2"]


def test_identical_refetch_is_unchanged_and_only_moves_last_seen(db):
    save(db, capture(), article())
    assert save(db, capture(minutes=60), article()) is SaveResult.UNCHANGED
    first, last, revisions = db.execute(
        "SELECT first_seen, last_seen, revision_count FROM articles"
    ).fetchone()
    assert (first, last, revisions) == (
        "2025-05-27T01:00:00+00:00",
        "2025-05-27T02:00:00+00:00",
        1,
    )
    assert count(db, "revisions") == 1
    assert count(db, "captures") == 2  # every fetch is kept ...
    assert count(db, "blobs") == 1  # ... but identical bytes once


def test_changed_body_is_updated_and_keeps_the_previous_revision(db):
    save(db, capture(), article())
    corrected = article(body="경주시는 24일 관광객을 맞을 준비를 마쳤다. (날짜 정정)")
    result = save(db, capture(body=b"<html>v2</html>", minutes=90), corrected)
    assert result is SaveResult.UPDATED
    revisions = list(db.query("SELECT number, body, origin FROM revisions ORDER BY number"))
    assert [r["number"] for r in revisions] == [1, 2]
    assert revisions[0]["body"] == article()["body"]
    assert revisions[1]["body"] == corrected["body"]
    assert {r["origin"] for r in revisions} == {"fetch"}
    current = db.execute("SELECT body, revision_count, capture_id FROM articles").fetchone()
    assert current[:2] == (corrected["body"], 2)
    assert current[2] == db.execute("SELECT max(id) FROM captures").fetchone()[0]
    # the index follows: the new text is found, the old one no longer
    assert [h.url for h in search(db, "정정")] == ["https://www.kbsm.net/news/1"]
    assert search(db, "포항") == []


def test_changed_title_alone_makes_a_revision(db):
    save(db, capture(), article())
    assert save(db, capture(minutes=5), article(title="경주시, 관광객 맞이")) is SaveResult.UPDATED
    assert count(db, "revisions") == 2


def test_metadata_change_without_content_change_is_unchanged_but_refreshed(db):
    save(db, capture(), article())
    result = save(db, capture(minutes=5), article(reporters=["김범수", "이정준"]))
    assert result is SaveResult.UNCHANGED
    assert json.loads(db.execute("SELECT reporters FROM articles").fetchone()[0]) == [
        "김범수",
        "이정준",
    ]
    assert count(db, "revisions") == 1


def test_failed_extraction_keeps_capture_and_never_overwrites_an_article(db):
    save(db, capture(), article())
    failed = article(title=None, body="", status="empty", messages=["no body text"])
    assert save(db, capture(body=b"", minutes=10), failed) is SaveResult.FAILED
    assert db.execute("SELECT title, status FROM articles").fetchone() == (
        article()["title"],
        "ok",
    )
    statuses = [r[0] for r in db.execute("SELECT extraction_status FROM captures ORDER BY id")]
    assert statuses == ["ok", "empty"]
    failure = db.execute(
        "SELECT extraction_messages, article_id FROM captures WHERE extraction_status = 'empty'"
    ).fetchone()
    assert json.loads(failure[0]) == ["no body text"]
    assert failure[1] == db.execute("SELECT id FROM articles").fetchone()[0]


def test_not_article_without_existing_article_creates_no_article(db):
    result = save(
        db,
        capture("https://www.kbsm.net/list"),
        article("https://www.kbsm.net/list", status="not_article"),
    )
    assert result is SaveResult.FAILED
    assert count(db, "articles") == 0
    assert db.execute("SELECT extraction_status, canonical_url FROM captures").fetchone() == (
        "not_article",
        "https://www.kbsm.net/list",
    )


def test_failure_in_the_middle_of_a_save_rolls_everything_back(db, monkeypatch):
    save(db, capture(), article())
    before = {t: count(db, t) for t in ("captures", "blobs", "articles", "revisions")}
    before_body = db.execute("SELECT body FROM articles").fetchone()[0]

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    # after the capture, blob and revision rows are written, before the article update
    monkeypatch.setattr(archive.articles, "update_content", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        save(db, capture(body=b"<html>new bytes</html>", minutes=30), article(body="바뀐 본문"))
    assert {t: count(db, t) for t in before} == before
    assert db.execute("SELECT body FROM articles").fetchone()[0] == before_body
    assert not db.conn.in_transaction
    # the search index was rolled back too: the half-saved text is not found
    assert search(db, "바뀐") == []
    assert len(search(db, "경주")) == 1


def test_rollback_of_a_new_article(db, monkeypatch):
    # the index is written last in a save: everything before it must be undone
    monkeypatch.setattr(sys.modules["archive.search"], "index_article", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        save(db, capture(), article())
    assert [count(db, t) for t in ("captures", "blobs", "articles", "revisions", "sites")] == [
        0,
        0,
        0,
        0,
        0,
    ]


def test_naive_fetch_time_is_refused(db):
    naive = capture()
    naive.fetched_at = naive.fetched_at.replace(tzinfo=None)
    with pytest.raises(ValueError, match="timezone-aware"):
        save(db, naive, article())
    assert count(db, "captures") == 0


def test_raw_bytes_are_compressed_and_come_back_identical(db):
    page = "<html><body>경주시는 관광객을 맞는다</body></html>".encode() * 50
    save(db, capture(body=page), article())
    data, size = db.execute("SELECT data, size FROM blobs").fetchone()
    assert size == len(page) and len(data) < len(page)
    assert zstandard.ZstdDecompressor().decompress(data) == page
    [(_, got)] = list(iter_captures(db))
    assert got.body == page
    assert got.fetched_at == T0
    assert got.headers["Set-Cookie"] == ["a=1", "b=2"]


def test_save_extraction_makes_no_capture_and_marks_reextract(db):
    save(db, capture(), article())
    capture_id = db.execute("SELECT id FROM captures").fetchone()[0]
    fixed = article(body="경주시는 관광객을 맞을 준비를 마쳤다.")  # a better extractor
    assert save_extraction(db, capture_id, fixed) is SaveResult.UPDATED
    assert count(db, "captures") == 1
    assert [r[0] for r in db.execute("SELECT origin FROM revisions ORDER BY number")] == [
        "fetch",
        "reextract",
    ]
    assert save_extraction(db, capture_id, fixed) is SaveResult.UNCHANGED
    with pytest.raises(LookupError):
        save_extraction(db, 999, fixed)


def test_older_capture_with_other_text_is_kept_but_not_made_current(db):
    save(db, capture(minutes=100), article(body="나중 판"))
    result = save(db, capture(body=b"old", minutes=0), article(body="처음 판"))
    assert result is SaveResult.UPDATED
    assert db.execute("SELECT body, first_seen FROM articles").fetchone() == (
        "나중 판",
        "2025-05-27T01:00:00+00:00",
    )
    assert count(db, "revisions") == 2


def test_sites_known_articles_and_runs(db):
    upsert_site(
        db,
        name="kbsm",
        title="경북신문",
        home_url="https://www.kbsm.net/",
        cms="gnuboard",
        region="경북",
    )
    upsert_site(
        db,
        name="kbsm",
        title="경북신문",
        home_url="https://www.kbsm.net/",
        cms="gnuboard",
        region="경상북도",
    )
    assert db.execute("SELECT region FROM sites").fetchall() == [("경상북도",)]
    save(db, capture(), article())
    save(
        db,
        capture("https://x.kr/2", site=None),
        article("https://x.kr/2", site="x.kr", published=None),
    )
    assert dict(known_articles(db)) == {
        "https://www.kbsm.net/news/1": "2021-03-23T20:20:00+09:00",
        "https://x.kr/2": None,
    }
    assert dict(known_articles(db, "kbsm")) == {
        "https://www.kbsm.net/news/1": "2021-03-23T20:20:00+09:00"
    }
    assert dict(known_articles(db, "x.kr")) == {"https://x.kr/2": None}  # the host when no registry
    run_id = start_run(db, "news", ["kbsm"])
    finish_run(db, run_id, {"archive/new": 2, "finish_time": T0})
    run = db.execute("SELECT spider, sites, finished_at, stats, status FROM crawl_runs").fetchone()
    assert run[0] == "news" and json.loads(run[1]) == ["kbsm"] and run[2]
    assert json.loads(run[3])["archive/new"] == 2
    assert run[4] is None  # no verdict given


def test_finish_run_records_the_verdict(db):
    run_id = start_run(db, "news", ["kbsm", "dead"])
    finish_run(db, run_id, {"complete": True}, status="partial", reason="1 of 2 sites failed: dead")
    assert db.execute("SELECT status, reason FROM crawl_runs").fetchall() == [
        ("partial", "1 of 2 sites failed: dead")
    ]


def test_iter_captures_filters_by_site_and_fetch_time(db):
    save(db, capture("https://a.kr/1", minutes=0, site="a"), article("https://a.kr/1"))
    save(db, capture("https://b.kr/1", minutes=60, site="b"), article("https://b.kr/1"))
    assert [c.url for _, c in iter_captures(db, site="b")] == ["https://b.kr/1"]
    assert [c.url for _, c in iter_captures(db, since="2025-05-27T01:30")] == ["https://b.kr/1"]
    assert [c.url for _, c in iter_captures(db, since=T0)] == ["https://a.kr/1", "https://b.kr/1"]


def test_archive_imports_neither_scrapy_nor_newscrawl():
    code = (
        "import sys, archive, archive.cli, archive.warc, archive.verify, archive.queries;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'newscrawl')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        check=True,
    )
    assert out.stdout.strip() == "[]"


def test_incomplete_sites_names_sites_whose_last_run_stopped_early(db):
    from archive import incomplete_sites

    crashed = start_run(db, "news", ["kbsm"])  # never finished: a crash
    assert crashed
    budget = start_run(db, "news", ["jnilbo"])
    finish_run(db, budget, {"finish_reason": "finished", "complete": False})
    done = start_run(db, "news", ["idaegu"])
    finish_run(db, done, {"finish_reason": "finished", "complete": True})
    other = start_run(db, "other-spider", ["daejon"])
    assert other
    sites = ["kbsm", "jnilbo", "idaegu", "daejon"]
    assert incomplete_sites(db, "news", sites) == {"kbsm", "jnilbo"}
    # A later complete run of kbsm settles it; the caller's own (running) run does not count.
    fixed = start_run(db, "news", ["kbsm"])
    finish_run(db, fixed, {"complete": True})
    assert incomplete_sites(db, "news", sites) == {"jnilbo"}
    current = start_run(db, "news", sites)
    assert incomplete_sites(db, "news", sites, exclude_runs=[current]) == {"jnilbo"}
    assert incomplete_sites(db, "news", sites) == set(sites)  # itself, unfinished


def test_captured_urls_are_the_sites_fetches_below_a_status(db):
    from dataclasses import replace

    from archive import captured_urls

    moved = replace(capture("https://www.kbsm.net/old"), final_url="https://www.kbsm.net/news/1")
    save(db, moved, article())
    gone = replace(capture("https://www.kbsm.net/gone"), status=404)
    save(db, gone, article("https://www.kbsm.net/gone", status="not_article"))
    down = replace(capture("https://www.kbsm.net/down"), status=503)
    save(db, down, article("https://www.kbsm.net/down", status="not_article"))
    other = capture("https://other.kr/1", site="other")
    save(db, other, article("https://other.kr/1"))
    assert set(captured_urls(db, site="kbsm")) == {
        "https://www.kbsm.net/old",
        "https://www.kbsm.net/news/1",
        "https://www.kbsm.net/gone",
    }
