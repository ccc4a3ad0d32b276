"""Retries and give-ups in real crawls: 429/503 wait their Retry-After without holding a
download slot; redirect loops, gzip bombs and cut-short bodies are counted under their own
reason; feeds (-O items.jsonl) get JSON-friendly records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.crawl_run import Crawl, site_entry
from tests.mocksite.server import Resource, serving
from tests.mocksite.troubled import (
    ARTICLE,
    TroubledSite,
    article_page,
    gzip_bomb,
    gzip_cut_short,
    ok,
    redirect_to,
    self_redirect,
    too_many,
    truncated,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def crawl(tmp_path: Path) -> Crawl:
    return Crawl(tmp_path)


def requested_at(server, idxno: int) -> list[float]:
    path = ARTICLE.format(idxno)
    with server.lock:
        return [t for t, p in server.times if p == path]


def site_record(crawl: Crawl, name: str) -> dict:
    ((stats,),) = crawl.rows("select stats from crawl_runs")
    return json.loads(stats)["sites"][name]


def test_429_and_503_are_retried_after_their_retry_after(crawl: Crawl) -> None:
    site = TroubledSite(
        {
            1: [too_many("1"), ok(1)],
            2: [too_many("1", status=503), ok(2)],
            3: [too_many("1")],  # never better: given up after RETRY_TIMES retries
        }
    )
    with serving(site) as server:
        site.base = server.base_url.rstrip("/")
        crawl.write_registry(site_entry("busy", server.base_url))
        run = crawl.run(RETRY_TIMES="2")
        assert run.returncode == 0, run.stderr[-3000:]  # partial: some articles failed
        for idxno in (1, 2):
            first, second = requested_at(server, idxno)
            assert second - first >= 0.9, (idxno, second - first)  # Retry-After: 1
        assert len(requested_at(server, 3)) == 3
    assert {u for (u,) in crawl.rows("select url from articles")} == {site.url(1), site.url(2)}
    record = site_record(crawl, "busy")
    assert record["failures"] == {"http_429": 1}
    assert (record["status"], record["failed"], record["skipped"]) == ("partial", 1, 0)
    assert "1 of 3 articles failed; http_429 1" in record["reason"]
    assert "Traceback" not in run.stderr


def test_a_retry_waiting_for_retry_after_holds_no_download_slot(crawl: Crawl) -> None:
    # One download at a time for the whole crawl: a retry that slept in the downloader
    # would stop the other site for its 3 seconds.
    slow = TroubledSite({1: [too_many("3"), ok(1)]})
    other = TroubledSite({i: [ok(i)] for i in range(1, 9)})
    with serving(slow) as slow_server, serving(other, delay=0.3) as other_server:
        slow.base = slow_server.base_url.rstrip("/")
        other.base = other_server.base_url.rstrip("/")
        crawl.write_registry(
            site_entry("slow", slow_server.base_url),
            site_entry("other", other_server.base_url, region="전남"),
        )
        run = crawl.run(CONCURRENT_REQUESTS="1")
        assert run.returncode == 0, run.stderr[-3000:]
        refused, retried = requested_at(slow_server, 1)
        assert retried - refused >= 2.5
        with other_server.lock:
            meanwhile = [p for t, p in other_server.times if refused < t < refused + 2.5]
    # The other site's eight articles take 0.3 s each: most of them fit in the wait.
    assert len(meanwhile) >= 2, meanwhile
    assert crawl.rows("select count(*) from articles") == [(9,)]


def test_redirect_loops_gzip_bombs_and_cut_bodies_are_failures_with_reasons(
    crawl: Crawl,
) -> None:
    site = TroubledSite(
        {
            1: [self_redirect(1)],
            2: [gzip_bomb(400_000)],
            3: [truncated(3)],
            4: [ok(4)],
            5: [redirect_to(4)],  # a duplicate of 4, not a loop and not a failure
        }
    )
    with serving(site) as server:
        site.base = server.base_url.rstrip("/")
        crawl.write_registry(site_entry("odd", server.base_url))
        run = crawl.run(DOWNLOAD_MAXSIZE="200000", RETRY_TIMES="1")
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    record = site_record(crawl, "odd")
    assert record["failures"] == {"redirect_loop": 1, "too_large": 1, "dataloss": 1}
    # None of them is "skipped", the count of what robots.txt or the archive kept us from.
    assert (record["failed"], record["skipped"], record["new"]) == (3, 0, 1)
    # Article requests skip the dupefilter (the archive decides), so a loop ends at
    # REDIRECT_MAX_TIMES; other requests' loops are caught when the scheduler drops them.
    assert "failed (redirect_loop)" in run.stderr


def test_a_server_that_hangs_is_a_timeout(crawl: Crawl) -> None:
    site = TroubledSite({1: [ok(1)], 2: [Resource(article_page(2), stall=4)]})
    with serving(site) as server:
        site.base = server.base_url.rstrip("/")
        crawl.write_registry(site_entry("hangs", server.base_url))
        run = crawl.run(DOWNLOAD_TIMEOUT="1", RETRY_TIMES="1")
        assert len(requested_at(server, 2)) == 2  # one retry after the backoff
    assert run.returncode == 0, run.stderr[-3000:]
    record = site_record(crawl, "hangs")
    assert record["failures"] == {"timeout": 1}
    assert record["status"] == "partial" and "timeout 1" in record["reason"]


def test_bodies_cut_short_but_kept_say_so_in_the_archive(crawl: Crawl) -> None:
    site = TroubledSite({3: [truncated(3)], 5: [gzip_cut_short(5)], 6: [ok(6)]})
    with serving(site) as server:
        site.base = server.base_url.rstrip("/")
        crawl.write_registry(site_entry("odd", server.base_url))
        run = crawl.run(DOWNLOAD_FAIL_ON_DATALOSS="False")
    assert run.returncode == 0, run.stderr[-3000:]
    cut = "body cut short: the connection ended before its Content-Length"
    gz = "body cut short: the gzip stream ends early"
    assert f"odd: {site.url(3)}: {cut}" in run.stderr
    assert f"odd: {site.url(5)}: {gz}" in run.stderr
    messages = dict(crawl.rows("select url, messages from articles"))
    assert cut in json.loads(messages[site.url(3)])
    assert gz in json.loads(messages[site.url(5)])
    assert not any("cut short" in m for m in json.loads(messages[site.url(6)]))


def test_feed_export_writes_json_records(crawl: Crawl) -> None:
    site = TroubledSite({1: [ok(1)], 2: [ok(2)]})
    feed = crawl.tmp / "items.jsonl"
    with serving(site) as server:
        site.base = server.base_url.rstrip("/")
        crawl.write_registry(site_entry("good", server.base_url))
        run = crawl.run("-O", str(feed))
    assert run.returncode == 0, run.stderr[-3000:]
    assert "TypeError" not in run.stderr and "] ERROR:" not in run.stderr
    records = sorted(
        (json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()),
        key=lambda r: r["url"],
    )
    assert [r["url"] for r in records] == [site.url(1), site.url(2)]
    first = records[0]
    assert (first["site"], first["status"], first["extraction_status"]) == ("good", 200, "ok")
    assert first["title"] == "지역 소식 1"
    assert first["published"] == "2025-12-01T09:00:00+09:00"
    assert "1번 기사 본문입니다" in first["body"]
    assert "headers" not in first and "blob" not in first  # raw bytes stay in the archive
    # The archive was written as well.
    assert crawl.rows("select count(*) from articles") == [(2,)]
