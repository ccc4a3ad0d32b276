"""The crawl's exit status, its last log lines and crawl_runs tell the truth (issue 10).

Real ``scrapy crawl news`` processes: usage and configuration errors exit 2 with one line
and no request; a dead site (a closed loopback port) and a host that cannot resolve (an
RFC 6761 ``.invalid`` name) are given up in seconds and make the run exit 1.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.crawl_run import REPO, Crawl, closed_port, site_entry
from tests.mocksite.server import serving
from tests.mocksite.troubled import TroubledSite, ok

pytestmark = pytest.mark.e2e


@pytest.fixture
def crawl(tmp_path: Path) -> Crawl:
    crawl = Crawl(tmp_path)
    crawl.write_registry(site_entry("kbsm", "https://www.kbsm.net/"))
    return crawl


@pytest.mark.parametrize(
    ("args", "settings", "message"),
    [
        (["-a", "sites=kbsm"], {}, "unknown argument -a sites (did you mean site?); known: site,"),
        (["-a", "sitez=kbsm"], {}, "unknown argument -a sitez (did you mean site?)"),
        (["-a", "max_article=5"], {}, "-a max_article (did you mean max_articles?)"),
        (["-a", "max_articles=0"], {}, "-a max_articles='0': expected a positive whole number"),
        (["-a", "since=2025-02-30"], {}, "-a since='2025-02-30': expected a date as YYYY-MM-DD"),
        (["-a", "url=notaurl"], {}, "-a url='notaurl': expected an http(s) URL with a host"),
        (["-a", "url=javascript:alert(1)"], {}, "-a url='javascript:alert(1)': expected"),
        (["-a", "site=kbsmx"], {}, "unknown site(s): kbsmx (did you mean kbsm? see sites.toml)"),
        (["-a", "region=경복"], {}, "unknown region '경복'"),
        (["-a", "site=kbsm"], {"ARCHIVE_DB_PATH": ""}, "setting ARCHIVE_DB_PATH is empty"),
        (
            ["-a", "site=kbsm"],
            {"ARCHIVE_DB_PATH": "/proc/no/news.db"},
            "setting ARCHIVE_DB_PATH='/proc/no/news.db': [Errno 2]",
        ),
        (
            ["-a", "site=kbsm"],
            {"NEWSCRAWL_EXTRACT_WORKERS": "abc"},
            "setting NEWSCRAWL_EXTRACT_WORKERS='abc': expected auto or a whole number >= 0",
        ),
        (
            ["-a", "site=kbsm"],
            {"NEWSCRAWL_REVISIT_DAYS": "two"},
            "setting NEWSCRAWL_REVISIT_DAYS='two': expected a number >= 0",
        ),
        (
            ["-a", "site=kbsm"],
            {"ARCHIVE_COMMIT_EVERY": "0"},
            "setting ARCHIVE_COMMIT_EVERY='0': expected a whole number >= 1",
        ),
        (
            ["-a", "site=kbsm"],
            {"NEWSCRAWL_MAX_LIST_PAGES": "-3"},
            "setting NEWSCRAWL_MAX_LIST_PAGES='-3': expected a whole number >= 1",
        ),
    ],
)
def test_a_usage_error_is_one_line_and_exit_2(
    crawl: Crawl, args: list[str], settings: dict[str, str], message: str
) -> None:
    run = crawl.run(*args, **settings)
    assert run.returncode == 2, run.stderr[-3000:]
    assert run.stderr.count("\n") == 1, run.stderr[-3000:]  # one line, nothing before it
    assert run.stderr.startswith("scrapy crawl: error: ")
    assert message in run.stderr
    assert not crawl.db.exists()  # checked before anything was opened or requested


def test_a_broken_registry_is_one_line_naming_the_entry(crawl: Crawl) -> None:
    crawl.write_registry(
        site_entry("kbsm", "https://www.kbsm.net/"),
        site_entry("bad", "https://bad.example.kr/", cms="wordpress"),
    )
    run = crawl.run("-a", "site=kbsm")
    assert run.returncode == 2
    assert run.stderr == (
        "scrapy crawl: error: site 'bad' (entry 2): cms 'wordpress' is not one of"
        " generic, gnuboard, ndsoft\n"
    )
    crawl.registry.write_text("[[site]\nname = 'x'", encoding="utf-8")
    run = crawl.run()
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.startswith(f"scrapy crawl: error: {crawl.registry}: ")


def test_an_unknown_spider_is_one_line() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "newz"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 2
    assert out.stderr == "scrapy crawl: error: no spider named 'newz'; known: news\n"


def _run_record(crawl: Crawl) -> tuple[str, str, dict]:
    ((status, reason, stats),) = crawl.rows("select status, reason, stats from crawl_runs")
    return status, reason, json.loads(stats)


def test_dead_and_unresolvable_sites_fail_in_seconds_with_exit_1(crawl: Crawl) -> None:
    port = closed_port()
    crawl.write_registry(
        site_entry("dead", f"http://127.0.0.1:{port}/"),
        site_entry("nowhere", "http://news.nowhere.invalid/", cms="gnuboard"),
    )
    run = crawl.run()
    assert run.returncode == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    assert run.seconds < 45  # one retry each, no backoff: seconds, not minutes
    # The log ends with one sentence per site and one for the run, at WARNING.
    assert run.last_lines(3) == [
        line for line in run.last_lines(3) if "[newscrawl.commands.crawl] WARNING:" in line
    ]
    last = "\n".join(run.last_lines(3))
    assert f"Site dead failed: unreachable: connection refused (127.0.0.1:{port})" in last
    assert "Site nowhere failed: unreachable: DNS lookup failed (news.nowhere.invalid)" in last
    offline = "every site failed: dead, nowhere (no host could be reached: is the network down?)"
    assert f"Run failed: {offline}" in last
    status, reason, stats = _run_record(crawl)
    assert (status, reason) == ("failed", offline)
    assert stats["sites"]["dead"]["status"] == "failed"
    assert stats["sites"]["dead"]["failures"] == {"connection_refused": 2}  # home, robots.txt
    assert stats["sites"]["nowhere"]["failures"] == {"dns": 2}
    # No feed, sitemap or list page was even tried once both probes failed.
    assert "articleList" not in run.stderr and "allArticle" not in run.stderr


def test_one_dead_site_among_good_ones_still_exits_1_and_says_which(crawl: Crawl) -> None:
    site = TroubledSite({1: [ok(1)], 2: [ok(2)]})
    with serving(site) as server:
        site.base = server.base_url.rstrip("/")
        crawl.write_registry(
            site_entry("good", server.base_url),
            site_entry("dead", f"http://127.0.0.1:{closed_port()}/", region="전남"),
        )
        run = crawl.run(LOG_LEVEL="WARNING")
    assert run.returncode == 1, run.stderr[-3000:]
    last = run.last_lines(3)
    assert last[0].endswith("Site good ok: 2 articles discovered (2 new, 0 updated, 0 unchanged)")
    assert "Site dead failed: unreachable: connection refused" in last[1]
    assert last[2].endswith("Run partial: 1 of 2 sites failed: dead")
    assert _run_record(crawl)[0] == "partial"
    assert crawl.rows("select count(*) from articles") == [(2,)]


def test_a_good_run_exits_0_and_records_ok(crawl: Crawl) -> None:
    site = TroubledSite({1: [ok(1)]})
    with serving(site) as server:
        site.base = server.base_url.rstrip("/")
        crawl.write_registry(site_entry("good", server.base_url))
        run = crawl.run(LOG_LEVEL="WARNING")
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.last_lines(1)[0].endswith("Run ok: 1 site(s) crawled")
    status, _, stats = _run_record(crawl)
    assert status == "ok" and stats["complete"] is True
    assert stats["sites"]["good"]["status"] == "ok"


def test_a_log_file_in_a_directory_not_yet_made_gets_the_verdict(crawl: Crawl) -> None:
    site = TroubledSite({1: [ok(1)]})
    log = crawl.tmp / "logs" / "crawl.log"
    with serving(site) as server:
        site.base = server.base_url.rstrip("/")
        crawl.write_registry(site_entry("good", server.base_url))
        run = crawl.run(LOG_FILE=str(log), LOG_LEVEL="WARNING")
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stderr == ""  # cron mails nothing when all is well
    assert log.read_text(encoding="utf-8").splitlines()[-1].endswith("Run ok: 1 site(s) crawled")


def test_ctrl_c_makes_the_run_interrupted_with_exit_1(crawl: Crawl) -> None:
    site = TroubledSite({i: [ok(i)] for i in range(1, 21)})
    with serving(site, delay=0.3) as server:
        site.base = server.base_url.rstrip("/")
        crawl.write_registry(site_entry("slow", server.base_url))
        proc = subprocess.Popen(
            crawl.command(), cwd=REPO, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
        )
        deadline = time.monotonic() + 60
        while len(server.requests_for("articleView")) < 2:
            assert proc.poll() is None and time.monotonic() < deadline, "no article requested"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1, stderr[-3000:]
    last = stderr.strip().splitlines()[-1]
    assert last.endswith("Run interrupted: the run stopped early (shutdown)"), last
    assert crawl.rows("select status from crawl_runs") == [("interrupted",)]


def test_an_archive_path_that_is_not_an_archive_is_one_line_and_left_alone(
    crawl: Crawl,
) -> None:
    crawl.db.parent.mkdir(parents=True, exist_ok=True)
    other = sqlite3.connect(crawl.db)
    other.execute("CREATE TABLE notes (text TEXT)")
    other.commit()
    other.close()
    before = crawl.db.read_bytes()
    run = crawl.run("-a", "site=kbsm")
    assert run.returncode == 2, run.stderr[-3000:]
    assert run.stderr == (
        f"scrapy crawl: error: setting ARCHIVE_DB_PATH: {crawl.db}: not a newscrawl archive:"
        " an SQLite database with other tables (notes)\n"
    )
    assert crawl.db.read_bytes() == before
    crawl.db.write_bytes(b"not a database at all, just some text\n")
    run = crawl.run("-a", "site=kbsm")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.endswith(": not an SQLite database\n")
