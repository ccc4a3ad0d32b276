"""`scrapy extract`: the stable JSON-lines interface by which extraction is judged."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from newscrawl.commands.extract import KEYS, page_url
from tests.shared import REPO

FIXTURES = Path(__file__).parent / "fixtures" / "extract"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "extract", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_one_line_per_file_with_the_stable_keys() -> None:
    done = run(str(FIXTURES / "ndsoft.html"), str(FIXTURES / "jsonld.html"))
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [tuple(line) for line in lines] == [KEYS, KEYS]
    assert lines[0]["published"] == "2024-04-02T09:15:33+09:00"
    assert lines[0]["cms"] == "ndsoft"


def test_url_defaults_to_the_pages_canonical() -> None:
    done = run(str(FIXTURES / "ndsoft.html"))
    assert json.loads(done.stdout)["url"] == (
        "https://www.kbmaeil.com/news/articleView.html?idxno=1001"
    )


def test_url_option_is_used() -> None:
    done = run(
        "--url", "https://a.kr/bbs/board.php?bo_table=n&wr_id=1", str(FIXTURES / "jsonld.html")
    )
    assert json.loads(done.stdout)["url"] == "https://a.kr/bbs/board.php?bo_table=n&wr_id=1"


def test_missing_file_is_a_record_and_an_error_exit() -> None:
    done = run(str(FIXTURES / "no-such-page.html"))
    assert done.returncode == 1
    record = json.loads(done.stdout)
    assert record["status"] == "empty"
    assert "no-such-page.html" in done.stderr


def test_an_unreadable_file_among_others_fails_the_run_and_keeps_its_line(tmp_path: Path) -> None:
    done = run(str(FIXTURES / "ndsoft.html"), str(tmp_path))  # a directory cannot be read
    assert done.returncode == 1
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["status"] != "empty" and first["body"]
    assert second["status"] == "empty" and second["messages"][0].startswith("cannot read file")
    assert done.stderr.count("error:") == 1 and str(tmp_path) in done.stderr


def test_no_file_is_a_usage_error() -> None:
    done = run()
    assert done.returncode == 2
    assert "FILE" in done.stderr


def test_page_url_reads_canonical_or_og_url() -> None:
    assert page_url(b'<link rel="canonical" href="https://x.kr/a?b=1&amp;c=2">') == (
        "https://x.kr/a?b=1&c=2"
    )
    assert page_url(b'<meta property="og:url" content="http://y.kr/n/1">') == "http://y.kr/n/1"
    assert page_url(b"<html></html>") is None
