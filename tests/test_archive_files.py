"""Recognising an archive: readers never change a file, writers accept only archives."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive import open_db, save
from archive.files import DamagedArchive, NotAnArchive, UnknownSchema, is_archive_file
from archive.periods import date_prefix
from archive.schema import open_db_readonly
from archive.search import MAX_QUERY_TERMS, search, search_terms
from tests.archive_helpers import article, capture


def fingerprint(path: Path) -> tuple[str, int]:
    """The file's content digest and modification time: what 'unchanged' means."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def make_archive(path: Path) -> Path:
    db = open_db(path)
    save(db, capture(body="<html>경주</html>".encode()), article())
    db.close()
    return path


def make_unrelated(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('mine')")
    conn.commit()
    conn.close()
    return path


def journal_mode(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("readonly", [True, False])
def test_an_unrelated_database_is_refused_and_left_as_it_was(tmp_path, readonly):
    path = make_unrelated(tmp_path / "notes.db")
    before = fingerprint(path)
    with pytest.raises(NotAnArchive, match=r"notes\.db: not a newscrawl archive.*\(notes\)"):
        (open_db_readonly if readonly else open_db)(path)
    assert fingerprint(path) == before
    assert journal_mode(path) == "delete"
    assert sorted(os.listdir(tmp_path)) == ["notes.db"]


def test_an_empty_file_is_no_archive_to_read_but_one_to_write(tmp_path):
    path = tmp_path / "news.db"
    path.touch()
    with pytest.raises(NotAnArchive, match="empty file"):
        open_db_readonly(path)
    assert path.stat().st_size == 0
    db = open_db(path)
    assert "articles" in db.table_names()
    db.close()


def test_a_missing_file_is_not_created_by_a_reader(tmp_path):
    with pytest.raises(NotAnArchive, match="no such file"):
        open_db_readonly(tmp_path / "typo.db")
    assert not (tmp_path / "typo.db").exists()


def test_garbage_and_truncated_files(tmp_path):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all\n" * 100)
    for readonly in (True, False):
        with pytest.raises(NotAnArchive, match="not an SQLite database"):
            (open_db_readonly if readonly else open_db)(garbage)
    whole = make_archive(tmp_path / "whole.db").read_bytes()
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(whole[: len(whole) // 2])
    for readonly in (True, False):
        with pytest.raises(DamagedArchive, match=r"truncated\.db: truncated: \d+ bytes"):
            (open_db_readonly if readonly else open_db)(truncated)
    assert truncated.read_bytes() == whole[: len(whole) // 2]


def test_a_newer_schema_is_refused_by_readers_and_writers(tmp_path):
    path = make_archive(tmp_path / "news.db")
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('archive', '9999_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    before = fingerprint(path)
    for readonly in (True, False):
        with pytest.raises(UnknownSchema, match="schema version 9999_from_the_future is newer"):
            (open_db_readonly if readonly else open_db)(path)
    assert fingerprint(path) == before


def test_a_reader_reads_and_cannot_write(tmp_path):
    path = make_archive(tmp_path / "news.db")
    before = fingerprint(path)
    db = open_db_readonly(path)
    assert db.execute("SELECT title FROM articles").fetchone()[0] == "경주시, 관광객 맞이 준비"
    with pytest.raises(sqlite3.OperationalError, match=r"readonly|read-only"):
        db.execute("DELETE FROM articles")
    db.close()
    assert fingerprint(path) == before


def test_output_paths_that_are_the_archive(tmp_path, monkeypatch):
    path = make_archive(tmp_path / "news.db")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link.db").symlink_to(path)
    os.link(path, tmp_path / "hard.db")
    for same in ("news.db", path, f"{path}-wal", f"{path}-shm", "./sub/../news.db", "link.db"):
        assert is_archive_file(same, path), same
    assert is_archive_file("hard.db", "news.db")
    assert not is_archive_file("other.db", path)
    assert not is_archive_file("news.db.jsonl", path)


@pytest.mark.parametrize(
    "good", ["2025", "2025-05", "2025-05-27", "2025-05-27T09", "2025-05-27T09:30:00+09:00"]
)
def test_date_prefixes_accepted(good):
    assert date_prefix(good) == good


@pytest.mark.parametrize(
    "bad", ["garbage", "2025-13", "2025-02-30", "2025-5", "25", "2025-05-27T25:00", ""]
)
def test_date_prefixes_refused(bad):
    with pytest.raises(ValueError, match="is not a date"):
        date_prefix(bad)


def test_search_terms_are_distinct_and_capped():
    assert search_terms("경주 포항 경주 POHANG pohang") == ["경주", "포항", "pohang"]
    words = [f"단어{i}" for i in range(1000)]
    assert search_terms(" ".join(words)) == words[:MAX_QUERY_TERMS]


def test_a_thousand_word_query_answers_fast(tmp_path):
    path = make_archive(tmp_path / "news.db")
    db = open_db_readonly(path)
    query = " ".join(f"{chr(0xAC00 + i)}{chr(0xAD00 + i)}{i}" for i in range(1000))
    started = time.perf_counter()
    assert search(db, query) == []
    # 1,000 AND-ed phrases took 0.8 s on a 300-article archive (43 s reported on a large
    # one); 32 take ~15 ms. The bound leaves room for a loaded machine.
    assert time.perf_counter() - started < 0.5
    assert [h.url for h in search(db, "경주시 " * 500)] == ["https://www.kbsm.net/news/1"]


def _count_elsewhere(path: Path) -> int:
    """Captures counted by another process, which closes its connection afterwards."""
    query = "SELECT count(*) FROM captures"
    code = f"import sqlite3; print(sqlite3.connect({str(path)!r}).execute({query!r}).fetchone()[0])"
    return int(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
        ).stdout
    )


def test_opening_again_keeps_the_first_connection_s_locks(tmp_path):
    # SQLite's locks are POSIX locks: a process that opened and closed the database file
    # itself (to read its header) dropped them, another process then took itself for the
    # last reader and deleted the WAL that the first connection was still writing.
    path = tmp_path / "news.db"
    db = open_db(path)
    save(db, capture(), article())
    open_db_readonly(path).close()
    open_db(path).close()
    assert _count_elsewhere(path) == 1
    save(db, capture("https://www.kbsm.net/news/2"), article("https://www.kbsm.net/news/2"))
    assert _count_elsewhere(path) == 2
    db.close()


def test_a_writer_starts_again_after_a_first_migration_that_failed(tmp_path):
    path = tmp_path / "news.db"
    conn = sqlite3.connect(path)  # what sqlite-utils leaves when 0001_initial fails
    conn.execute(
        "CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT, "
        "name TEXT, applied_at TEXT)"
    )
    conn.commit()
    conn.close()
    with pytest.raises(NotAnArchive, match="no archive migrations applied"):
        open_db_readonly(path)
    db = open_db(path)
    assert "articles" in db.table_names()
    db.close()
