"""read_archive: what a starting run learns from the archive, per canonical URL and site."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import archive
from newscrawl.crawl.memory import ArchiveMemory, archived_time, read_archive
from tests.archive_helpers import article, capture

KBSM = "https://www.kbsm.net/news/articleView.html?idxno="
JNILBO = "https://www.jnilbo.com/news/articleView.html?idxno="


def build(path: Path) -> None:
    db = archive.open_db(path)
    archive.save(
        db, capture(KBSM + "1"), article(KBSM + "1", published="2025-05-20T09:00:00+09:00")
    )
    archive.save(
        db, capture(KBSM + "2"), article(KBSM + "2", published="2025-05-26T23:30:00+09:00")
    )
    gone = capture(KBSM + "3")
    gone.status = 404
    archive.save(db, gone, {"url": KBSM + "3", "status": "not_article", "messages": ["HTTP 404"]})
    jnilbo = capture(JNILBO + "9", site="jnilbo")
    archive.save(db, jnilbo, article(JNILBO + "9", published="2025-05-01T08:00:00+09:00"))
    # jnilbo's last run was killed: no finish recorded
    archive.start_run(db, "news", ["jnilbo"])
    kbsm_run = archive.start_run(db, "news", ["kbsm"])
    archive.finish_run(db, kbsm_run, {"complete": True})
    db.close()


def memory_of(tmp_path: Path, since: date | None = None) -> ArchiveMemory:
    path = tmp_path / "news.db"
    build(path)
    return read_archive(
        str(path),
        spider="news",
        sites=["kbsm", "jnilbo"],
        own_run=None,
        since=since,
        revisit=timedelta(days=2),
    )


def test_known_urls_cutoffs_and_catch_up(tmp_path: Path) -> None:
    memory = memory_of(tmp_path)
    assert memory.known[KBSM + "2"] == datetime.fromisoformat("2025-05-26T23:30:00+09:00")
    assert memory.known[KBSM + "3"] is None  # a 404 fetched for good: not fetched again
    # Kept as fingerprints (it cannot be listed): exactly these four URLs.
    assert len(memory.known) == 4
    assert all(url in memory.known for url in (KBSM + "1", KBSM + "2", KBSM + "3", JNILBO + "9"))
    assert KBSM + "4" not in memory.known
    # sitemaps older than the newest article less the revisit window are not re-read...
    assert memory.cutoffs["kbsm"] == date(2025, 5, 24)
    # ...except for a site whose last run stopped early
    assert memory.catch_up == {"jnilbo"}
    assert memory.cutoffs["jnilbo"] is None


def test_since_sets_every_cutoff(tmp_path: Path) -> None:
    memory = memory_of(tmp_path, since=date(2025, 1, 1))
    assert memory.cutoffs == {"kbsm": date(2025, 1, 1), "jnilbo": date(2025, 1, 1)}


def test_archived_times_are_read_as_the_archive_writes_them() -> None:
    assert archived_time("2025-05-26T23:30:00+09:00") == datetime.fromisoformat(
        "2025-05-26T23:30:00+09:00"
    )
    # A day alone is the newspaper's (KST) day, not a UTC one.
    assert archived_time("2025-05-26") == datetime.fromisoformat("2025-05-26T00:00:00+09:00")
    assert archived_time(None) is None
    assert archived_time("26일 오후") is None  # not ISO: not an archive's own value
