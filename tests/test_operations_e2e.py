"""End to end, operations: a JOBDIR crawl killed with SIGKILL and run again, Ctrl-C during
start-up, ``-a since``, and ``scrapy reextract`` beside a crawl; real ``scrapy`` processes
against the mock sites on loopback (tests/mocksite)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl.jobdir import RUNNING_MARK
from tests.mocksite import corpus_missing
from tests.mocksite.server import Resource, serving
from tests.mocksite.sites import GnuboardSite, NdsoftSite

pytestmark = pytest.mark.e2e
if reason := corpus_missing():
    pytest.skip(reason, allow_module_level=True)

from tests.test_crawl_e2e import REGISTRY, REPO, Mock, archived_ids, summary  # noqa: E402

REEXTRACT = [sys.executable, "-m", "scrapy", "reextract"]
ARTICLES = 240  # a few hundred, so that a kill lands mid-run


class Timed:
    """A mock site that also notes when each article page was requested (monotonic)."""

    def __init__(self, site: NdsoftSite) -> None:
        self.site = site
        self.requested: list[tuple[float, str]] = []
        self.lock = threading.Lock()

    def __call__(self, path: str, query: dict[str, str]) -> Resource | None:
        if path == "/news/articleView.html":
            with self.lock:
                self.requested.append((time.monotonic(), query.get("idxno", "")))
        return self.site(path, query)


@pytest.fixture
def big(tmp_path: Path) -> Iterator[tuple[Mock, Timed]]:
    """The NDSoft mock site with ARTICLES articles, 20 to a list page (the GnuBoard one small)."""
    nd, gb = NdsoftSite(count=ARTICLES), GnuboardSite()
    nd.per_page = 20
    nd.missing_id, nd.empty_id = 9099, 9098  # clear of the articles' ids
    timed = Timed(nd)
    with serving(timed) as nd_server, serving(gb) as gb_server:
        nd.base, gb.base = nd_server.base_url.rstrip("/"), gb_server.base_url.rstrip("/")
        registry = tmp_path / "sites.toml"
        registry.write_text(
            REGISTRY.format(nd=nd_server.base_url, gb=gb_server.base_url), encoding="utf-8"
        )
        yield Mock(nd, gb, nd_server, gb_server, registry, tmp_path / "news.db", tmp_path), timed


def count(mock: Mock, sql: str) -> int:
    try:
        return mock.rows(sql)[0][0]
    except sqlite3.Error:  # not created yet, or busy
        return 0


def wait_until(mock: Mock, sql: str, n: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while count(mock, sql) < n:
        assert proc.poll() is None, "the crawl ended before it could be interrupted"
        assert time.monotonic() < deadline, f"{sql} < {n} after {timeout}s"
        time.sleep(0.02)


def test_jobdir_crawl_killed_with_sigkill_resumes_to_completeness(
    big: tuple[Mock, Timed],
) -> None:
    mock, timed = big
    jobdir = mock.tmp / "job"
    args = ("-a", "site=mock-nd")
    settings = {"JOBDIR": str(jobdir), "CONCURRENT_REQUESTS_PER_DOMAIN": "4"}
    mock.nd_server.delay = 0.03
    proc = subprocess.Popen(  # with extraction workers, as in production
        mock.command(*args, **settings, NEWSCRAWL_EXTRACT_WORKERS="2"),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(mock, "select count(*) from articles", ARTICLES // 4, proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        proc.wait()
    archived = {u.rsplit("=", 1)[1] for (u,) in mock.rows("select url from captures")}
    before = len(mock.rows("select id from articles"))
    assert 0 < before < ARTICLES
    assert (jobdir / RUNNING_MARK).exists()  # the killed run never closed its job

    # The loss window: how long before the kill the oldest page that did not reach the
    # archive was requested (ARCHIVE_COMMIT_SECONDS plus the wait for extraction).
    lost = [t for t, idxno in timed.requested if idxno not in archived]
    window = killed_at - min(lost) if lost else 0.0
    print(f"\nSIGKILL lost {len(lost)} fetched page(s), the oldest requested {window:.2f}s before")
    assert window < 10, window  # README: about a second; generous for a loaded machine

    mock.nd_server.delay = 0
    timed.requested.clear()
    proc = mock.crawl(*args, **settings)
    assert "its last crawl did not close" in proc.stderr
    # Every article once: no capture twice (but the one inside the revisit window, which
    # a second run fetches again), none missing.
    assert archived_ids(mock) == {f"idxno={a.id}" for a in mock.nd.articles}
    per_url = Counter(u for (u,) in mock.rows("select final_url from captures where status = 200"))
    recent = mock.nd.url(mock.nd.articles[0].id)
    assert all(n == 1 for u, n in per_url.items() if u != recent), per_url
    assert mock.rows("select count(*) from revisions") == [(ARTICLES,)]
    assert not jobdir.exists()  # finished: the job is done

    # The same command later is a new (incremental) job, not a resume of the finished one.
    mock.clear_logs()
    mock.crawl(*args, **settings)
    assert mock.nd_server.requests_for("/news/articleList.html")
    assert not jobdir.exists()


def test_jobdir_paused_cleanly_is_kept_and_resumed(big: tuple[Mock, Timed]) -> None:
    mock, _ = big
    jobdir = mock.tmp / "job"
    settings = {"JOBDIR": str(jobdir), "CONCURRENT_REQUESTS_PER_DOMAIN": "4"}
    mock.nd_server.delay = 0.03
    proc = subprocess.Popen(
        mock.command("-a", "site=mock-nd", **settings),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_until(mock, "select count(*) from articles", ARTICLES // 4, proc)
    proc.send_signal(signal.SIGINT)  # Scrapy's pause
    _, stderr = proc.communicate(timeout=60)
    assert "the same command resumes the job" in stderr, stderr[-3000:]
    assert (jobdir / "requests.seen").exists() and not (jobdir / RUNNING_MARK).exists()
    mock.nd_server.delay = 0
    proc = mock.crawl("-a", "site=mock-nd", **settings)
    assert "did not close" not in proc.stderr
    assert archived_ids(mock) == {f"idxno={a.id}" for a in mock.nd.articles}
    per_url = Counter(u for (u,) in mock.rows("select final_url from captures where status = 200"))
    assert max(per_url.values()) == 1, per_url
    assert not jobdir.exists()


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("after", [0.0, 0.15, 0.5])
def test_ctrl_c_during_start_up_never_hangs(big: tuple[Mock, Timed], after: float) -> None:
    """Ctrl-C as a terminal sends it (to the whole process group) while the extraction
    workers' forkserver imports its modules, or its first workers start."""
    mock, _ = big
    mock.nd_server.delay = 0.02
    jobdir = mock.tmp / "job"  # the issue saw the hang in a JOBDIR run too
    proc = subprocess.Popen(
        mock.command("-a", "site=mock-nd", NEWSCRAWL_EXTRACT_WORKERS="2", JOBDIR=str(jobdir)),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stderr is not None
    log: list[str] = []
    try:
        for line in proc.stderr:  # until the pipeline starts the forkserver
            log.append(line)
            if "Extracting in 2 worker process(es)" in line:
                break
        time.sleep(after)
        os.killpg(proc.pid, signal.SIGINT)
        started = time.monotonic()
        _, rest = proc.communicate(timeout=60)
        took = time.monotonic() - started
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    stderr = "".join(log) + rest
    print(f"\nCtrl-C {after}s after the forkserver start: the crawl ended {took:.2f}s later")
    assert took < 30, stderr[-3000:]
    for trouble in ("KeyboardInterrupt", "EOFError", "BrokenProcessPool", "Traceback"):
        assert trouble not in stderr, stderr[-3000:]
    # No good page archived as failed: extraction of every captured article ran.
    articles = {mock.nd.url(a.id) for a in mock.nd.articles}
    failed = (
        mock.rows("select url from captures where extraction_status = 'empty'")
        if (mock.db.exists())
        else []
    )
    assert not [u for (u,) in failed if u in articles], failed
    # (Interrupted before its engine ran, Scrapy ends without closing the spider: the JOBDIR
    # keeps its mark, and the next run on it starts the job afresh; see the SIGKILL test.)
    # The forkserver and the workers are gone with the crawler.
    deadline = time.monotonic() + 10
    while group_alive(proc.pid):
        assert time.monotonic() < deadline, "extraction processes outlived the crawl"
        time.sleep(0.05)


def test_since_archives_only_articles_published_on_or_after_it(big: tuple[Mock, Timed]) -> None:
    mock, _ = big
    since = mock.nd.articles[30].published.date()
    proc = mock.crawl("-a", "site=mock-nd", "-a", f"since={since.isoformat()}")
    expected = {f"idxno={a.id}" for a in mock.nd.articles if a.published.date() >= since}
    assert archived_ids(mock) == expected
    # The list page that crosses the date is read whole: its older articles are fetched,
    # found too old once extracted, and neither archived nor kept as captures.
    too_old = int(proc.stderr.split("'site/mock-nd/skipped/too_old': ")[1].split(",")[0])
    assert too_old > 0
    assert count(mock, "select count(*) from captures where status = 200") == len(expected)
    assert summary(proc, "mock-nd")["skipped"] >= too_old


def test_reextract_while_a_crawl_writes_the_same_archive(big: tuple[Mock, Timed]) -> None:
    mock, _ = big
    mock.crawl("-a", "site=mock-gb")  # captures for reextract to work on
    mock.nd_server.delay = 0.02
    crawl = subprocess.Popen(
        mock.command("-a", "site=mock-nd", CONCURRENT_REQUESTS_PER_DOMAIN="4"),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(mock, "select count(*) from articles where site = 'mock-nd'", 20, crawl)
        runs = []
        while crawl.poll() is None and len(runs) < 5:  # again and again while it writes
            runs.append(
                subprocess.run(
                    [*REEXTRACT, "--site", "mock-gb", "-s", f"ARCHIVE_DB_PATH={mock.db}"],
                    cwd=REPO,
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
            )
        _, crawl_log = crawl.communicate(timeout=120)
    finally:
        if crawl.poll() is None:
            crawl.kill()
            crawl.wait()
    assert runs
    for run in runs:
        assert run.returncode == 0, run.stderr[-3000:]
        assert "re-extracted" in run.stdout
    assert crawl.returncode == 0, crawl_log[-3000:]
    assert "locked" not in crawl_log and "Traceback" not in crawl_log, crawl_log[-3000:]
    assert count(mock, "select count(*) from articles where site = 'mock-nd'") == ARTICLES
