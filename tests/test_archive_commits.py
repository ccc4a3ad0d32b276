"""Group commit: several saves per transaction, each save still atomic on its own."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import archive.articles
import archive.saves
from archive import GroupCommit, SaveResult, open_db, search
from archive.schema import SEARCH_TABLE
from tests.archive_helpers import article, capture


def url(n: int) -> str:
    return f"https://www.kbsm.net/news/{n}"


def committed_articles(path: Path) -> int:
    other = open_db(path)  # another connection sees committed data only
    try:
        return other.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        other.close()


def test_commits_after_every_n_saves(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    db = open_db(path)
    group = GroupCommit(db, every=3, seconds=3600)
    for n in range(2):
        assert group.save(capture(url(n)), article(url(n))) is SaveResult.NEW
    assert committed_articles(path) == 0
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
    group.save(capture(url(2)), article(url(2)))
    assert committed_articles(path) == 3
    assert group.pending == 0


def test_commits_when_the_group_is_old(tmp_path: Path) -> None:
    now = [0.0]
    path = tmp_path / "news.db"
    group = GroupCommit(open_db(path), every=100, seconds=1.0, clock=lambda: now[0])
    group.save(capture(url(1)), article(url(1)))
    assert not group.due()
    now[0] = 1.5
    assert group.due()
    group.save(capture(url(2)), article(url(2)))
    assert committed_articles(path) == 2


def found(path: Path, query: str) -> list[str]:
    other = open_db(path)
    try:
        return sorted(hit.url for hit in search(other, query))
    finally:
        other.close()


def test_the_index_is_committed_with_the_group(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    db = open_db(path)
    with GroupCommit(db, every=100) as group:
        group.save(capture(url(1)), article(url(1), title="포항 해상풍력 착수"))
        # one article saved twice in the group: indexed, removed and indexed again, in order
        group.save(capture(url(2)), article(url(2), body="전주 비빔밥 축제"))
        group.save(capture(url(2), minutes=5), article(url(2), body="울산 조선업 회복"))
        assert found(path, "포항") == []  # nothing is visible before the commit
    assert found(path, "포항") == [url(1)]
    assert found(path, "울산") == [url(2)]
    assert found(path, "전주") == []
    db.execute(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rank) VALUES ('integrity-check', 0)")


def test_a_failing_save_rolls_back_only_itself(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "news.db"
    db = open_db(path)
    with GroupCommit(db, every=100) as group:
        group.save(capture(url(1)), article(url(1)))

        def broken(*args, **kwargs):
            raise RuntimeError("disk on fire")

        # fails after the capture and article rows of the save were written
        monkeypatch.setattr(archive.articles, "insert_revision", broken)
        with pytest.raises(RuntimeError):
            group.save(capture(url(2)), article(url(2), title="군산 새만금 착공"))
        monkeypatch.undo()
        group.save(capture(url(3)), article(url(3)))
    other = open_db(path)
    urls = [r[0] for r in other.execute("SELECT url FROM articles ORDER BY url").fetchall()]
    assert urls == [url(1), url(3)]
    # The broken save left no capture, blob, revision or index entry behind either.
    assert other.execute("SELECT count(*) FROM captures").fetchone()[0] == 2
    assert other.execute("SELECT count(*) FROM revisions").fetchone()[0] == 2
    assert found(path, "새만금") == []
    assert found(path, "경주시") == [url(1), url(3)]


def test_a_failing_index_write_rolls_back_the_group(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "news.db"
    group = GroupCommit(open_db(path), every=100)
    group.save(capture(url(1)), article(url(1)))
    group.save(capture(url(2)), article(url(2)))

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(sys.modules["archive.search"], "index_article", broken)
    with pytest.raises(RuntimeError):
        group.commit()
    # an article without its index entry is never committed: the group is gone whole
    assert committed_articles(path) == 0
    monkeypatch.undo()
    group.save(capture(url(3)), article(url(3)))
    group.commit()
    assert committed_articles(path) == 1
    assert found(path, "경주시") == [url(3)]


def test_leaving_the_block_commits(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    with GroupCommit(open_db(path), every=100) as group:
        group.save(capture(url(1)), article(url(1)))
    assert committed_articles(path) == 1


@pytest.mark.parametrize(("every", "seconds"), [(0, 1.0), (10, 0)])
def test_bad_limits(tmp_path: Path, every: int, seconds: float) -> None:
    with pytest.raises(ValueError):
        GroupCommit(open_db(tmp_path / "news.db"), every=every, seconds=seconds)


def test_save_extraction_in_a_group(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    db = open_db(path)
    archive.saves.save(db, capture(url(1)), article(url(1), body="전주 비빔밥 축제"))
    with GroupCommit(db, every=100) as group:
        result = group.save_extraction(1, article(url(1), body="울산 조선업 회복"))
        assert result is SaveResult.UPDATED
    assert found(path, "울산") == [url(1)]
    assert found(path, "전주") == []
    origins = db.execute("SELECT origin FROM revisions ORDER BY number").fetchall()
    assert [o[0] for o in origins] == ["fetch", "reextract"]
