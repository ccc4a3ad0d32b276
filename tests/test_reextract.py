"""``scrapy reextract``: stored captures are extracted again, without fetching anything."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import archive
from newscrawl.commands.reextract import reextract
from newscrawl.extract import extract
from tests.mocksite import corpus_missing
from tests.mocksite.sites import NdsoftSite
from tests.shared import REPO
from tests.terminal import on_terminal

pytestmark = pytest.mark.skipif(bool(corpus_missing()), reason=str(corpus_missing()))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """An archive of three captures whose articles were saved by an 'older extractor'
    (a wrong title), plus one capture of another site."""
    site = NdsoftSite("http://127.0.0.1:9")
    path = tmp_path / "news.db"
    db = archive.open_db(path)
    for i, a in enumerate(site.articles[:4]):
        body = site.article_html(a)
        article = extract(body, site.url(a.id)).to_dict()
        article["title"] = "제목 없음"  # what the buggy extractor produced
        capture = archive.Capture(
            url=site.url(a.id),
            final_url=site.url(a.id),
            status=200,
            fetched_at=datetime(2025, 12, 1 + i, tzinfo=UTC),
            headers={"Content-Type": "text/html; charset=utf-8"},
            encoding="utf-8",
            body=body,
            site="other" if i == 3 else "mock-nd",
        )
        assert archive.save(db, capture, article) == archive.SaveResult.NEW
    db.close()
    return path


def titles(path: Path) -> dict[str, str]:
    db = archive.open_db(path)
    try:
        return dict(db.execute("select url, title from articles").fetchall())
    finally:
        db.close()


def test_reextract_updates_articles_and_adds_revisions(db_path: Path) -> None:
    counts = reextract(db_path, site="mock-nd")
    assert counts["updated"] == 3 and counts["status/ok"] == 3
    fixed = titles(db_path)
    assert sum(t.startswith("광주FC 코리아컵 소식") for t in fixed.values()) == 3
    assert list(fixed.values()).count("제목 없음") == 1  # the other site was not touched
    db = archive.open_db(db_path)
    origins = [o for (o,) in db.execute("select origin from revisions where origin = 'reextract'")]
    db.close()
    assert len(origins) == 3
    assert reextract(db_path, site="mock-nd")["unchanged"] == 3  # idempotent


def test_reextract_since_filters_on_fetch_date(db_path: Path) -> None:
    counts = reextract(db_path, since=date(2025, 12, 3))
    assert counts["updated"] == 2


def run_reextract(db_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "reextract", *args, "-s", f"ARCHIVE_DB_PATH={db_path}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_command_line(db_path: Path) -> None:
    proc = run_reextract(db_path, "--site", "mock-nd")
    assert proc.returncode == 0, proc.stderr
    assert "re-extracted 3 capture(s)" in proc.stdout
    bad = run_reextract(db_path, "--since", "yesterday")
    assert bad.returncode != 0 and "expected YYYY-MM-DD" in bad.stderr


def test_progress_on_a_terminal_only(db_path: Path) -> None:
    piped = run_reextract(db_path)
    assert piped.returncode == 0 and "re-extracting" not in piped.stderr
    status, text = on_terminal(
        [sys.executable, "-m", "scrapy", "reextract", "-s", f"ARCHIVE_DB_PATH={db_path}"]
    )
    assert status == 0
    assert "re-extracting:" in text and "page/s" in text, text[-2000:]


def test_reextract_beside_a_crawl_writing_the_same_archive(tmp_path: Path) -> None:
    """A crawl commits a group of saves every fraction of a second while ``reextract``
    rewrites the articles of the same archive: neither dies with "database is locked"."""
    site = NdsoftSite("http://127.0.0.1:9", count=30)
    path = tmp_path / "news.db"
    body = site.article_html(site.articles[0])
    extracted = extract(body, site.url(site.articles[0].id)).to_dict()

    def capture(url: str) -> archive.Capture:
        return archive.Capture(
            url=url,
            final_url=url,
            status=200,
            fetched_at=datetime(2025, 12, 1, tzinfo=UTC),
            headers={},
            encoding="utf-8",
            body=body,
            site="mock-nd",
        )

    db = archive.open_db(path)
    for a in site.articles:  # what reextract works on
        assert archive.save(db, capture(site.url(a.id)), {**extracted, "url": site.url(a.id)})
    db.close()

    crawling, errors, saved = threading.Event(), [], []

    def crawl() -> None:
        """The crawler's side: ArchivePipeline's group commit, a group every 50 ms."""
        db = archive.open_db(path)
        try:
            with archive.GroupCommit(db, every=10, seconds=0.05) as group:
                for n in range(100_000):
                    url = f"{site.base}/news/articleView.html?idxno={50_000 + n}"
                    article = {**extracted, "url": url, "title": f"기사 {n}"}
                    saved.append(group.save(capture(url), article))
                    if group.due():
                        group.commit()
                    crawling.set()
                    if len(saved) >= 20 and not reextracting.is_set():
                        break
                    time.sleep(0.002)
        except Exception as error:  # what the test reports
            errors.append(error)
        finally:
            crawling.set()
            db.close()

    reextracting = threading.Event()
    reextracting.set()
    writer = threading.Thread(target=crawl)
    writer.start()
    try:
        assert crawling.wait(30)
        counts = reextract(path, site="mock-nd")
    finally:
        reextracting.clear()
        writer.join(60)
    assert not errors, errors
    assert sum(counts[k] for k in ("updated", "unchanged")) >= len(site.articles)
    assert len(saved) >= 20
