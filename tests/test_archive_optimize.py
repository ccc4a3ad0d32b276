"""``python -m archive optimize``: one index segment, ANALYZE, a compact copy; errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive import GroupCommit, open_db, search
from archive.cli import main
from archive.schema import SEARCH_TABLE
from tests.archive_helpers import article, capture

WORDS = ["경주시", "포항", "대구", "안동", "구미"]


def _segments(path: Path) -> int:
    # FTS5's structure record lists the segments; fts5_structure() is a debug build's, so
    # count the distinct segment ids of the leaf pages (rowid >> 37, see fts5_index.c).
    with sqlite3.connect(path) as db:
        return db.execute(
            f"SELECT count(DISTINCT id >> 37) FROM {SEARCH_TABLE}_data WHERE id >> 37 > 0"
        ).fetchone()[0]


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    path = tmp_path / "news.db"
    db = open_db(path)
    # one group commit, one index segment, each
    for i in range(12):
        with GroupCommit(db, every=100) as group:
            url = f"https://www.kbsm.net/news/{i}"
            body = f"{WORDS[i % 5]}에서 {i}번째 소식을 전했다."
            group.save(capture(url, minutes=i), article(url, title=f"소식 {i}", body=body))
    db.close()
    return path


def _hits(path: Path, query: str) -> list[int]:
    db = open_db(path)
    try:
        return [hit.id for hit in search(db, query, limit=50)]
    finally:
        db.close()


def test_optimize_merges_the_index_analyzes_and_copies(archive_path, tmp_path, capsys):
    before = {word: _hits(archive_path, word) for word in WORDS}
    assert _segments(archive_path) > 1
    copy = tmp_path / "copy.db"
    assert main(["optimize", str(archive_path), "--into", str(copy)]) == 0
    err = capsys.readouterr().err
    assert "search index merged in" in err and f"wrote {copy}" in err
    assert _segments(archive_path) == 1
    for path in (archive_path, copy):
        assert {word: _hits(path, word) for word in WORDS} == before
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0] > 0
            db.execute(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('integrity-check')")
    assert main(["verify", str(copy)]) == 0


def test_optimize_without_a_copy(archive_path, capsys):
    assert main(["optimize", str(archive_path)]) == 0
    assert "wrote" not in capsys.readouterr().err
    assert _segments(archive_path) == 1


@pytest.mark.parametrize("case", ["copy exists", "copy is the archive", "missing", "not sqlite"])
def test_optimize_refuses_in_one_line(archive_path, tmp_path, capsys, case):
    target, into = str(archive_path), None
    if case == "copy exists":
        into = tmp_path / "copy.db"
        into.write_bytes(b"keep me")
    elif case == "copy is the archive":
        into = archive_path
    elif case == "missing":
        target = str(tmp_path / "nothing.db")
    else:
        target = str(tmp_path / "notes.txt")
        Path(target).write_text("not an archive\n" * 100)
    args = ["optimize", target] + ([] if into is None else ["--into", str(into)])
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    if case == "copy exists":
        assert into.read_bytes() == b"keep me"
    if case == "missing":
        assert not Path(target).exists()
