"""End to end: ``scrapy crawl news -a backfill=ids`` against miniature NDSoft and GnuBoard
sites of 200 sequential ids whose feed and lists show only the newest 20 (tests/mocksite/
idsites.py), and ``python -m archive coverage`` on the archive before and after."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.cli import main as archive_main
from tests.mocksite import corpus_missing
from tests.mocksite.idsites import MISSING, NOT_ARTICLES, GnuboardIdSite, NdsoftIdSite
from tests.mocksite.server import serving

pytestmark = pytest.mark.e2e
if reason := corpus_missing():
    pytest.skip(reason, allow_module_level=True)

from tests.test_crawl_e2e import REGISTRY, REPO, Mock  # noqa: E402

IDS = 200
ARTICLES = IDS - len(MISSING) - len(NOT_ARTICLES)  # 193
ND = ("-a", "site=mock-nd", "-a", "backfill=ids")
GB = ("-a", "site=mock-gb", "-a", "backfill=ids")


@pytest.fixture
def mock(tmp_path: Path) -> Iterator[Mock]:
    nd, gb = NdsoftIdSite(count=IDS), GnuboardIdSite(count=IDS)
    with serving(nd) as nd_server, serving(gb) as gb_server:
        nd.base, gb.base = nd_server.base_url.rstrip("/"), gb_server.base_url.rstrip("/")
        registry = tmp_path / "sites.toml"
        registry.write_text(
            REGISTRY.format(nd=nd_server.base_url, gb=gb_server.base_url), encoding="utf-8"
        )
        yield Mock(nd, gb, nd_server, gb_server, registry, tmp_path / "news.db", tmp_path)  # type: ignore[arg-type]


def coverage(mock: Mock, site: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    capsys.readouterr()
    status = archive_main(["coverage", str(mock.db), "--site", site, "--json"])
    out = capsys.readouterr().out
    return status, json.loads(out)["sites"][0]


def id_requests_in_order(log: list[str], key: str) -> list[int]:
    """The article ids requested (path+query log of a mock server), in order."""
    return [int(p.rsplit(f"{key}=", 1)[1].split("&")[0]) for p in log if f"{key}=" in p]


def id_requests(log: list[str], key: str) -> Counter[int]:
    return Counter(id_requests_in_order(log, key))


def expected_gone(reasons: tuple[str, str]) -> dict[str, str]:
    gone = {str(n): "http_404" for n in MISSING}
    gone.update({str(n): r for n, r in zip(NOT_ARTICLES, reasons, strict=True)})
    return dict(sorted(gone.items(), key=lambda item: int(item[0])))


def test_ndsoft_backfill_archives_every_id_and_coverage_says_so(
    mock: Mock, capsys: pytest.CaptureFixture[str]
) -> None:
    mock.crawl("-a", "site=mock-nd")  # an ordinary run: the newest 20 that the lists show
    status, before = coverage(mock, "mock-nd", capsys)
    assert status == 1
    assert before["articles"] == 20
    (series,) = before["series"]
    assert series["holes"] == [[1, 179], [199, 199]]  # 199 is a 404 no list shows
    assert before["claims"]["list_total"] == ARTICLES  # 총 193건
    mock.clear_logs()

    # A delay, as every real crawl has: with none, Scrapy's downloader starts all the queued
    # requests of a site at once and the order they reach the server is a race.
    proc = mock.crawl(*ND, DOWNLOAD_DELAY="0.005")
    assert "backfill of idxno ids 1-200" in proc.stderr
    requested = id_requests(mock.nd_server.log, "idxno")
    assert max(requested.values()) == 1  # no id twice
    assert set(requested) == {*range(1, 180), 199}  # not those the first run archived
    order = id_requests_in_order(mock.nd_server.log, "idxno")
    assert order[0] == 199  # newest first (a small window in flight)
    assert all(a > b for a, b in zip(order, order[4:], strict=False)), order

    status, after = coverage(mock, "mock-nd", capsys)
    assert status == 0
    (series,) = after["series"]
    assert (series["min_id"], series["max_id"]) == (1, IDS)
    assert (after["articles"], series["archived"], series["never_tried"]) == (ARTICLES, ARTICLES, 0)
    assert series["gone_ids"] == expected_gone(("empty", "not_article"))
    assert series["holes"] == []
    capsys.readouterr()
    assert archive_main(["coverage", str(mock.db)]) == 0
    text = capsys.readouterr().out
    assert "idxno 1-200: 193 archived, 7 gone, 0 never tried" in text
    assert "gone (http_404): 13, 57-58, 120, 199" in text

    mock.clear_logs()
    mock.crawl(*ND)  # nothing left: only the probes
    assert not id_requests(mock.nd_server.log, "idxno")


def test_gnuboard_backfill_of_a_board_and_a_range(
    mock: Mock, capsys: pytest.CaptureFixture[str]
) -> None:
    mock.crawl(*GB, "-a", "ids=101-150")
    requested = id_requests(mock.gb_server.log, "wr_id")
    assert set(requested) - {200, 198} == set(range(101, 151))  # probes read 200 and 198
    status, part = coverage(mock, "mock-gb", capsys)
    assert status == 1
    (series,) = part["series"]
    assert series["series"] == "bo_table=news"
    assert series["holes"] == [[1, 100], [151, IDS]]

    mock.crawl(*GB)
    status, after = coverage(mock, "mock-gb", capsys)
    assert status == 0
    (series,) = after["series"]
    assert (series["archived"], series["never_tried"]) == (ARTICLES, 0)
    assert series["gone_ids"] == expected_gone(("empty", "not_article"))


@pytest.mark.parametrize("name", ["mock-nd", "mock-gb"])
def test_backfill_killed_halfway_finishes_with_the_same_command(
    mock: Mock, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ND if name == "mock-nd" else GB
    server, key = (mock.nd_server, "idxno") if name == "mock-nd" else (mock.gb_server, "wr_id")
    settings = {"JOBDIR": str(mock.tmp / "job"), "CONCURRENT_REQUESTS_PER_DOMAIN": "4"}
    server.delay = 0.03
    proc = subprocess.Popen(
        mock.command(*args, **settings),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while _count(mock) < ARTICLES // 3:
            assert proc.poll() is None, "the backfill ended before it could be killed"
            assert time.monotonic() < deadline, "the backfill made no progress"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    before = _count(mock)
    assert ARTICLES // 3 <= before < ARTICLES
    status, halfway = coverage(mock, name, capsys)
    assert status == 1 and halfway["never_tried"] > 0

    server.delay = 0
    mock.clear_logs()
    proc = mock.crawl(*args, **settings)
    assert "its last crawl did not close" in proc.stderr
    again = id_requests(server.log, key)
    assert max(again.values()) == 1
    assert len(again) < IDS - before + 10  # what was left (and the probes), not all again
    status, after = coverage(mock, name, capsys)
    assert status == 0
    assert after["articles"] == ARTICLES and after["never_tried"] == 0
    assert not (mock.tmp / "job").exists()  # a finished job's directory goes


def _count(mock: Mock) -> int:
    try:
        return mock.rows("select count(*) from articles")[0][0]
    except Exception:  # not created yet, or busy
        return 0


def test_backfill_paused_with_ctrl_c_resumes_to_completeness(
    mock: Mock, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = {"JOBDIR": str(mock.tmp / "job"), "CONCURRENT_REQUESTS_PER_DOMAIN": "4"}
    mock.nd_server.delay = 0.03
    proc = subprocess.Popen(
        mock.command(*ND, **settings),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while _count(mock) < ARTICLES // 3:
        assert proc.poll() is None, "the backfill ended before it could be paused"
        assert time.monotonic() < deadline, "the backfill made no progress"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1, stderr[-3000:]  # interrupted: paused
    assert (mock.tmp / "job" / "requests.queue").exists()
    first = id_requests(mock.nd_server.log, "idxno")

    mock.nd_server.delay = 0
    mock.clear_logs()
    mock.crawl(*ND, **settings)
    second = id_requests(mock.nd_server.log, "idxno")
    # The paused job's queued ids and the ids the archive says are left: a few of those
    # (the ones in flight at the pause) may be asked twice, never the whole range.
    assert sum(second.values()) <= IDS - len(first) + 16
    status, after = coverage(mock, "mock-nd", capsys)
    assert status == 0
    assert after["articles"] == ARTICLES and after["never_tried"] == 0
