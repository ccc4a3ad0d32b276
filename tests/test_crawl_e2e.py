"""End to end: real ``scrapy crawl news`` processes against miniature sites on loopback.

Two sites are served from 127.0.0.1 (an NDSoft site in UTF-8 and a GnuBoard site in EUC-KR,
see tests/mocksite/sites.py); the tests read the SQLite archive the crawl wrote and the
servers' request logs.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from archive.blobs import decompress
from tests.crawl_run import Crawl
from tests.mocksite import corpus_missing
from tests.mocksite.server import MockServer, serving
from tests.mocksite.sites import GnuboardSite, NdsoftSite
from tests.shared import REPO

pytestmark = pytest.mark.e2e
if reason := corpus_missing():
    pytest.skip(reason, allow_module_level=True)


@dataclass
class Mock:
    """Both mock sites, their servers, a registry naming them and the archive path."""

    nd: NdsoftSite
    gb: GnuboardSite
    nd_server: MockServer
    gb_server: MockServer
    registry: Path
    db: Path
    tmp: Path

    def crawl(self, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
        """Run one crawl to completion; fail the test with its log when it fails."""
        proc = subprocess.run(
            self.command(*args, **settings), cwd=REPO, capture_output=True, text=True, timeout=90
        )
        assert proc.returncode == 0, proc.stderr[-4000:]
        assert "Traceback" not in proc.stderr, proc.stderr[-4000:]
        return proc

    def command(self, *args: str, **settings: str) -> list[str]:
        # The registry and the archive are where tests.crawl_run.Crawl puts them in tmp.
        return Crawl(self.tmp).command(*args, **{"ROBOTSTXT_OBEY": "True", **settings})

    def rows(self, sql: str, *params: object, db: Path | None = None) -> list[tuple]:
        with sqlite3.connect(db or self.db) as conn:
            return conn.execute(sql, params).fetchall()

    def article_requests(self) -> Counter[str]:
        """How often each article URL (path+query) was requested, over both servers."""
        log = self.nd_server.log + self.gb_server.log
        return Counter(p for p in log if "articleView" in p or "wr_id=" in p)

    def clear_logs(self) -> None:
        self.nd_server.log.clear()
        self.gb_server.log.clear()


REGISTRY = """
[[site]]
name = "mock-nd"
title = "목포 뉴스"
home_url = "{nd}"
cms = "ndsoft"
region = "전남"

[[site]]
name = "mock-gb"
title = "경북 뉴스"
home_url = "{gb}"
cms = "gnuboard"
region = "경북"
"""


@contextmanager
def _mock_sites(tmp: Path) -> Iterator[Mock]:
    nd, gb = NdsoftSite(), GnuboardSite()
    with serving(nd) as nd_server, serving(gb) as gb_server:
        nd.base, gb.base = nd_server.base_url.rstrip("/"), gb_server.base_url.rstrip("/")
        registry = Crawl(tmp).registry
        registry.write_text(
            REGISTRY.format(nd=nd_server.base_url, gb=gb_server.base_url), encoding="utf-8"
        )
        yield Mock(nd, gb, nd_server, gb_server, registry, Crawl(tmp).db, tmp)


@pytest.fixture
def mock(tmp_path: Path) -> Iterator[Mock]:
    with _mock_sites(tmp_path) as sites:
        yield sites


@dataclass
class FirstRun:
    """One first crawl of both sites, shared by the tests that each check one of its
    outcomes (so one broken concern is one red test, for the price of one crawl)."""

    mock: Mock
    proc: subprocess.CompletedProcess[str]
    nd_log: list[str]  # the servers' request logs right after the crawl
    gb_log: list[str]

    def article_requests(self) -> Counter[str]:
        return Counter(p for p in self.nd_log + self.gb_log if "articleView" in p or "wr_id=" in p)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirstRun]:
    with _mock_sites(tmp_path_factory.mktemp("first-run")) as mock:
        proc = mock.crawl(*BOTH)
        yield FirstRun(mock, proc, list(mock.nd_server.log), list(mock.gb_server.log))


BOTH = ("-a", "site=mock-nd,mock-gb")
ND_IDS = {f"idxno={i}" for i in range(1001, 1013)}
GB_IDS = {f"wr_id={i}" for i in range(201, 208)}


def summary(proc: subprocess.CompletedProcess[str], site: str) -> dict[str, int]:
    """The per-site summary line the run logged, as a dict."""
    line = re.search(rf"Site {site}: (.*)", proc.stderr)
    assert line, proc.stderr[-3000:]
    return {k: int(v) for k, v in (part.split(" ") for part in line.group(1).split(", "))}


def archived_ids(mock: Mock, db: Path | None = None) -> set[str]:
    urls = [u for (u,) in mock.rows("select url from articles", db=db)]
    return {u.rsplit("?", 1)[1].split("&")[-1] for u in urls}


def test_first_run_archives_every_article_once(first_run: FirstRun) -> None:
    # From feed, sitemap, list pages and home page; the redirect's target (reachable only
    # through it) too; neither the 404, the empty page nor non-articles.
    assert archived_ids(first_run.mock) == ND_IDS | GB_IDS


def test_first_run_records_each_sites_cms(first_run: FirstRun) -> None:
    sites = dict(first_run.mock.rows("select name, cms from sites"))
    assert sites == {"mock-nd": "ndsoft", "mock-gb": "gnuboard"}


def test_first_run_decodes_euc_kr_pages(first_run: FirstRun) -> None:
    rows = first_run.mock.rows("select title from articles where site = 'mock-gb'")
    assert {t for (t,) in rows} == {f"대구시 스마트시티 전략 논의 {i}호" for i in range(1, 8)}


def test_first_run_requests_each_article_once(first_run: FirstRun) -> None:
    # URL variants (print view, utm_source, GnuBoard &page=) are the same canonical URL.
    requests = first_run.article_requests()
    assert set(requests) and all(n == 1 for n in requests.values()), requests
    assert not any("articlePrint" in p or "utm_source" in p for p in requests)


def test_first_run_keeps_out_of_robots_disallowed_and_non_article_pages(
    first_run: FirstRun,
) -> None:
    assert first_run.nd_log  # the log was kept, or the checks below are moot
    assert not [p for p in first_run.nd_log if "/admin/" in p]
    assert not [p for p in first_run.nd_log if "/com/company.html" in p]


def test_first_run_captures_every_fetched_article_page(first_run: FirstRun) -> None:
    # The 404 and the non-article page included.
    statuses = Counter(s for (s,) in first_run.mock.rows("select status from captures"))
    assert statuses == {200: 12 + 7 + 1, 404: 2}


def test_first_run_keeps_a_redirects_target_as_final_url(first_run: FirstRun) -> None:
    mock = first_run.mock
    redirected = mock.rows("select url, final_url from captures where url like '%idxno=999'")
    assert redirected == [(mock.nd.url(999), mock.nd.url(1012))]


def test_first_run_logs_what_it_did_per_site(first_run: FirstRun) -> None:
    assert summary(first_run.proc, "mock-nd") == {
        "discovered": 15,
        "fetched": 14,
        "new": 12,
        "updated": 0,
        "unchanged": 0,
        "failed": 2,
        "skipped": 1,
    }


def test_first_run_is_recorded_in_crawl_runs(first_run: FirstRun) -> None:
    assert first_run.mock.rows("select count(*) from crawl_runs") == [(1,)]


def test_second_run_fetches_only_articles_inside_the_revisit_window(mock: Mock) -> None:
    mock.crawl(*BOTH)
    mock.clear_logs()
    proc = mock.crawl(*BOTH)
    # Only the two articles published 3 hours ago are fetched again (corrections); list
    # pagination stops at page 2, the first page with nothing new.
    assert set(mock.article_requests()) == {
        "/news/articleView.html?idxno=1001",
        "/bbs/board.php?bo_table=news&wr_id=201",
    }
    assert mock.nd_server.requests_for("page=2") and not mock.nd_server.requests_for("page=3")
    counts = summary(proc, "mock-nd")
    assert (counts["fetched"], counts["new"], counts["unchanged"]) == (1, 0, 1)
    assert counts["skipped"] == counts["discovered"] - 1
    assert mock.rows("select count(*) from articles") == [(19,)]


def test_correction_inside_the_revisit_window_becomes_a_revision(mock: Mock) -> None:
    mock.crawl(*BOTH)
    mock.nd.by_id[1001].extra = " (정정) 결승전 장소를 바로잡습니다."
    proc = mock.crawl(*BOTH)
    assert summary(proc, "mock-nd")["updated"] == 1
    body = mock.rows("select body from articles where url = ?", mock.nd.url(1001))[0][0]
    assert "결승전 장소를 바로잡습니다" in body
    assert mock.rows(
        "select count(*) from revisions r join articles a on a.id = r.article_id where a.url = ?",
        mock.nd.url(1001),
    ) == [(2,)]


def test_url_argument_archives_a_site_never_seen(mock: Mock) -> None:
    url = mock.gb_server.base_url
    mock.crawl("-a", f"url={url}", NEWSCRAWL_SITES_FILE="")
    name = "127.0.0.1-" + url.rstrip("/").rsplit(":", 1)[1]
    assert mock.rows("select name, cms, home_url from sites") == [(name, "gnuboard", url)]
    assert archived_ids(mock) == GB_IDS


def test_max_articles_bounds_the_run(mock: Mock) -> None:
    mock.crawl("-a", "site=mock-nd", "-a", "max_articles=3")
    assert sum(mock.article_requests().values()) == 3
    assert mock.rows("select count(*) from articles") == [(3,)]


def test_a_run_after_a_bounded_run_reads_lists_to_the_end(mock: Mock) -> None:
    # The bounded run archived the newest articles only: the next run must not stop at the
    # first list page whose articles are all archived, or the older ones are never fetched.
    mock.crawl("-a", "site=mock-nd", "-a", "max_articles=3")
    mock.clear_logs()
    proc = mock.crawl("-a", "site=mock-nd")
    assert "reading lists to the end" in proc.stderr
    assert archived_ids(mock) == ND_IDS
    lists_read = [p for p in mock.nd_server.log if "articleList" in p]
    # Complete now: a third run is incremental again and stops at a page with nothing new.
    mock.clear_logs()
    proc = mock.crawl("-a", "site=mock-nd")
    assert "reading lists to the end" not in proc.stderr
    assert len([p for p in mock.nd_server.log if "articleList" in p]) < len(lists_read)


def _wait_for_captures(mock: Mock, n: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the crawl ended before it could be interrupted"
        try:
            if mock.rows("select count(*) from captures")[0][0] >= n:
                return
        except sqlite3.Error:
            pass  # not created yet, or busy: poll again
        time.sleep(0.05)
    raise AssertionError(f"fewer than {n} captures after {timeout}s")


def _assert_complete_and_unique(mock: Mock) -> None:
    assert archived_ids(mock) == ND_IDS | GB_IDS
    # Nothing duplicated: one capture per article URL, except the two recent articles the
    # second run revisits; one revision per article, as no content changed.
    per_url = Counter(u for (u,) in mock.rows("select final_url from captures where status = 200"))
    recent = {mock.nd.url(1001), mock.gb.url(201)}
    assert all(n == 1 for u, n in per_url.items() if u not in recent), per_url
    assert mock.rows("select count(*) from revisions") == [(19,)]


def test_sigkill_midway_then_restart_loses_and_duplicates_nothing(mock: Mock) -> None:
    mock.nd_server.delay = mock.gb_server.delay = 0.15
    # Commits of two saves: the kill lands between commits, with saves in flight.
    proc = subprocess.Popen(
        mock.command(*BOTH, ARCHIVE_COMMIT_EVERY="2"),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for_captures(mock, 4, proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    archived_before = mock.rows("select count(*) from articles")[0][0]
    assert 0 < archived_before < 19
    mock.nd_server.delay = mock.gb_server.delay = 0
    mock.crawl(*BOTH)
    _assert_complete_and_unique(mock)


def test_jobdir_pause_and_resume(mock: Mock) -> None:
    jobdir = mock.tmp / "job"
    mock.nd_server.delay = mock.gb_server.delay = 0.15
    proc = subprocess.Popen(
        mock.command(*BOTH, JOBDIR=str(jobdir), ARCHIVE_COMMIT_EVERY="2"),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for_captures(mock, 4, proc)
    proc.send_signal(signal.SIGINT)  # Scrapy's pause: finish in-flight requests, keep the queue
    _, stderr = proc.communicate(timeout=60)
    assert "shutdown" in stderr, stderr[-3000:]
    assert mock.rows("select count(*) from articles")[0][0] < 19
    mock.nd_server.delay = mock.gb_server.delay = 0
    mock.crawl(*BOTH, JOBDIR=str(jobdir))
    _assert_complete_and_unique(mock)


def test_since_backfills_list_pages_down_to_the_date(mock: Mock) -> None:
    since = (mock.nd.articles[0].published - timedelta(days=15, hours=12)).date()
    mock.crawl("-a", "site=mock-nd", "-a", f"since={since.isoformat()}")
    # List page 2 shows articles older than the date: pagination stops there, so page 3 and
    # the articles only it lists are left for a later backfill; of page 2's articles, only
    # those published on or after the date are archived.
    assert mock.nd_server.requests_for("page=2") and not mock.nd_server.requests_for("page=3")
    on_or_after = {a.id for a in mock.nd.articles if a.published.date() >= since}
    assert archived_ids(mock) == {f"idxno={i}" for i in range(1001, 1009) if i in on_or_after}


# What extraction decided about each page, without what differs between two runs anyway
# (row ids, fetched_at, first_seen/last_seen, response headers carrying the Date).
ARTICLE_FIELDS = """
    url, site, title, subtitle, reporters, reporter_emails, published_at, modified_at,
    published_raw, modified_raw, section, body, images, language, cms, content_hash, status,
    messages, revision_count
"""
CAPTURE_FIELDS = """
    url, final_url, site, status, encoding, sha256, size, extraction_status,
    extraction_messages, canonical_url
"""
REVISION_FIELDS = """
    a.url, r.number, r.origin, r.content_hash, r.title, r.subtitle, r.body, r.reporters,
    r.published_at, r.modified_at
"""


def _one_variant(url: str) -> str:
    """A GnuBoard article URL without the list page it was linked from (``&page=N``).

    The same article is linked as ``wr_id=N`` (feed, sitemap) and ``wr_id=N&page=P`` (list
    pages); the crawl fetches whichever it meets first, and that order varies from run to
    run, inline or not (same bytes, same canonical URL).
    """
    return re.sub(r"&page=\d+", "", url)


def _content(db: Path) -> dict[str, Counter[tuple]]:
    """The archive's articles, captures and revisions as multisets of comparable rows."""
    with sqlite3.connect(db) as conn:
        return {
            "articles": Counter(conn.execute(f"select {ARTICLE_FIELDS} from articles")),
            "captures": Counter(
                (_one_variant(url), _one_variant(final_url), *rest)
                for url, final_url, *rest in conn.execute(f"select {CAPTURE_FIELDS} from captures")
            ),
            "revisions": Counter(
                conn.execute(
                    f"select {REVISION_FIELDS} from revisions r"
                    " join articles a on a.id = r.article_id"
                )
            ),
        }


def test_extraction_in_worker_processes_archives_what_inline_extraction_does(
    first_run: FirstRun,
) -> None:
    """Protects the production path: extraction and blob packing in worker processes.

    Every other test extracts inline (NEWSCRAWL_EXTRACT_WORKERS=0); production runs
    prepare_page in forkserver workers, which pickle the Page over and the Article and the
    packed Blob back. That path must archive exactly what the inline one does, with every
    capture's raw bytes stored intact.
    """
    # The inline run is the shared first run; the workers crawl the same sites (same servers,
    # same articles and dates) into a fresh archive: into the first one, this crawl would
    # skip everything already archived and compare nothing.
    mock, inline = first_run.mock, first_run.proc
    workers_db = mock.tmp / "workers.db"
    proc = mock.crawl(*BOTH, NEWSCRAWL_EXTRACT_WORKERS="2", ARCHIVE_DB_PATH=str(workers_db))
    # Two workers, at the default priority drop that keeps them off the crawler's CPU.
    assert "Extracting in 2 worker process(es), nice 10" in proc.stderr, proc.stderr[-3000:]
    assert "Extracting in" not in inline.stderr  # really inline, or the comparison is moot
    assert summary(proc, "mock-nd") == summary(inline, "mock-nd")
    assert summary(proc, "mock-gb") == summary(inline, "mock-gb")

    assert archived_ids(mock, workers_db) == ND_IDS | GB_IDS  # not two equally empty archives
    workers, inlined = _content(workers_db), _content(mock.db)
    for table in ("articles", "captures", "revisions"):
        # Counter subtraction shows the rows each side has and the other lacks.
        only_workers, only_inline = workers[table] - inlined[table], inlined[table] - workers[table]
        assert not only_workers and not only_inline, (table, only_workers, only_inline)

    # The workers pack the raw bytes (sha256 + zstd) away from the archive: each capture
    # must find its blob (left join: a missing one shows as NULL) and the bytes must match
    # the digest and size the capture recorded.
    rows = mock.rows(
        "select c.id, c.sha256, c.size, b.size, b.compression, b.data"
        " from captures c left join blobs b on b.sha256 = c.sha256",
        db=workers_db,
    )
    assert len(rows) == sum(workers["captures"].values()) == 12 + 7 + 1 + 2
    for capture_id, sha256, size, blob_size, compression, data in rows:
        assert data is not None, f"capture {capture_id}: blob {sha256} missing"
        raw = decompress(compression, data)
        assert hashlib.sha256(raw).hexdigest() == sha256, capture_id
        assert len(raw) == size == blob_size, capture_id
    verify = subprocess.run(
        [sys.executable, "-m", "archive", "verify", str(workers_db)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
