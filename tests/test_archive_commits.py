"""Group commit: several saves per transaction, each save still atomic on its own."""

from __future__ import annotations

from pathlib import Path

import pytest

import archive.store
from archive import GroupCommit, SaveResult, open_db, search
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


def test_search_is_in_sync_inside_the_group(tmp_path: Path) -> None:
    db = open_db(tmp_path / "news.db")
    with GroupCommit(db, every=100) as group:
        group.save(capture(url(1)), article(url(1), title="포항 해상풍력 착수"))
        assert [hit.url for hit in search(db, "포항")] == [url(1)]


def test_a_failing_save_rolls_back_only_itself(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "news.db"
    db = open_db(path)
    with GroupCommit(db, every=100) as group:
        group.save(capture(url(1)), article(url(1)))

        def broken(*args, **kwargs):
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(archive.store, "index_article", broken)
        with pytest.raises(RuntimeError):
            group.save(capture(url(2)), article(url(2)))
        monkeypatch.undo()
        group.save(capture(url(3)), article(url(3)))
    other = open_db(path)
    urls = [r[0] for r in other.execute("SELECT url FROM articles ORDER BY url").fetchall()]
    assert urls == [url(1), url(3)]
    # The broken save left no capture, blob or revision behind either.
    assert other.execute("SELECT count(*) FROM captures").fetchone()[0] == 2
    assert other.execute("SELECT count(*) FROM revisions").fetchone()[0] == 2


def test_leaving_the_block_commits(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    with GroupCommit(open_db(path), every=100) as group:
        group.save(capture(url(1)), article(url(1)))
    assert committed_articles(path) == 1


@pytest.mark.parametrize(("every", "seconds"), [(0, 1.0), (10, 0)])
def test_bad_limits(tmp_path: Path, every: int, seconds: float) -> None:
    with pytest.raises(ValueError):
        GroupCommit(open_db(tmp_path / "news.db"), every=every, seconds=seconds)
