"""Pipelines built by from_crawler: extraction attached to pages, archive rows and stats."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

import archive
from newscrawl.extract.article import Status
from newscrawl.items import Page
from newscrawl.pipelines import (
    ArchivePipeline,
    ExtractPipeline,
    extract_workers,
    site_summary,
)
from newscrawl.preparation import Prepared, prepare_page
from newscrawl.spiders.news import NewsSpider
from newscrawl.workers import WorkerPool
from tests.mocksite import corpus_missing
from tests.mocksite.sites import NdsoftSite

BASE = "http://127.0.0.1:9/"
needs_corpus = pytest.mark.skipif(bool(corpus_missing()), reason=str(corpus_missing()))


def page(body: bytes, url: str, *, status: int = 200, site: str = "mock-nd") -> Page:
    return Page(
        url=url,
        final_url=url,
        status=status,
        headers={"Content-Type": ["text/html; charset=utf-8"]},
        body=body,
        encoding="utf-8",
        fetched_at=datetime(2025, 12, 6, 8, 0, tzinfo=UTC),
        site=site,
    )


def run(coro_or_value: object) -> object:
    if asyncio.iscoroutine(coro_or_value):
        return asyncio.run(coro_or_value)
    return coro_or_value


@pytest.mark.parametrize(
    ("value", "cpus", "workers"),
    [("auto", 1, 0), ("auto", 2, 2), ("auto", 16, 4), (None, 8, 4), ("0", 8, 0), (3, 2, 3)],
)
def test_extract_workers(value: object, cpus: int, workers: int) -> None:
    assert extract_workers(value, cpus) == workers


def test_extract_workers_rejects_negative() -> None:
    with pytest.raises(ValueError, match="NEWSCRAWL_EXTRACT_WORKERS"):
        extract_workers("-1", 4)


@needs_corpus
def test_extract_pipeline_attaches_the_article_and_counts_it() -> None:
    crawler = get_crawler(NewsSpider, {"NEWSCRAWL_EXTRACT_WORKERS": 0})
    crawler.stats.open_spider()
    pipeline = ExtractPipeline.from_crawler(crawler)
    site = NdsoftSite(BASE)
    item = run(pipeline.process_item(page(site.article_html(site.articles[0]), site.url(1001))))
    assert item.article.status is Status.OK
    assert item.article.title == site.articles[0].title
    assert item.article.site == "mock-nd"
    assert crawler.stats.get_value("extract/ok") == 1


def test_error_pages_are_not_articles_without_running_extraction() -> None:
    crawler = get_crawler(NewsSpider, {"NEWSCRAWL_EXTRACT_WORKERS": 0})
    crawler.stats.open_spider()
    pipeline = ExtractPipeline.from_crawler(crawler)
    item = run(pipeline.process_item(page(b"<h1>Not Found</h1>", BASE + "x", status=404)))
    assert item.article.status is Status.NOT_ARTICLE
    assert item.article.messages == ["HTTP 404"]
    assert crawler.stats.get_value("extract/not_article") == 1


def test_other_items_pass_through() -> None:
    pipeline = ExtractPipeline.from_crawler(get_crawler(NewsSpider))
    assert run(pipeline.process_item({"a": 1})) == {"a": 1}


def test_archive_pipeline_needs_a_path() -> None:
    with pytest.raises(NotConfigured, match="ARCHIVE_DB_PATH"):
        ArchivePipeline.from_crawler(get_crawler(NewsSpider, {"ARCHIVE_DB_PATH": ""}))


def test_site_summary_reads_per_site_stats() -> None:
    stats = {"site/a/new": 3, "site/a/fetched": 4, "site/b/skipped": 2}
    assert site_summary(stats, ["a", "b"]) == {
        "a": {
            "discovered": 0,
            "fetched": 4,
            "new": 3,
            "updated": 0,
            "unchanged": 0,
            "failed": 0,
            "skipped": 0,
        },
        "b": {
            "discovered": 0,
            "fetched": 0,
            "new": 0,
            "updated": 0,
            "unchanged": 0,
            "failed": 0,
            "skipped": 2,
        },
    }


def open_pipelines(tmp_path: Path) -> tuple[Crawler, ExtractPipeline, ArchivePipeline]:
    """Both pipelines of a kbsm crawl archiving into tmp_path/news.db, opened."""
    crawler = get_crawler(NewsSpider, {"ARCHIVE_DB_PATH": str(tmp_path / "news.db")})
    crawler.spider = NewsSpider.from_crawler(crawler, site="kbsm")
    crawler.stats.open_spider()
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()
    return crawler, ExtractPipeline(crawler), pipeline


@needs_corpus
def test_archive_pipeline_saves_counts_and_records_the_run(tmp_path: Path) -> None:
    crawler, extract_pipeline, pipeline = open_pipelines(tmp_path)
    site = NdsoftSite(BASE)
    good = page(site.article_html(site.articles[0]), site.url(1001), site="kbsm")
    missing = page(b"<h1>Not Found</h1>", site.url(1099), status=404, site="kbsm")
    for item in (good, missing):
        pipeline.process_item(run(extract_pipeline.process_item(item)))
    crawler.stats.set_value("site/kbsm/fetched", 2)
    pipeline.spider_closed(crawler.spider, "finished")
    assert crawler.stats.get_value("site/kbsm/new") == 1
    assert crawler.stats.get_value("archive/failed") == 1
    db = archive.open_db(tmp_path / "news.db")
    assert db.execute("select name, cms, region from sites").fetchall() == [
        ("kbsm", "ndsoft", "경북")
    ]
    assert db.execute("select count(*) from captures").fetchone() == (2,)
    assert db.execute("select url from articles").fetchall() == [(site.url(1001),)]
    (stats,) = db.execute("select stats from crawl_runs where finished_at is not null").fetchone()
    assert json.loads(stats)["sites"]["kbsm"]["new"] == 1
    db.close()


@needs_corpus
def test_a_failed_timed_commit_is_counted_and_the_run_goes_on(tmp_path: Path, monkeypatch) -> None:
    crawler, extract_pipeline, pipeline = open_pipelines(tmp_path)
    assert pipeline.group is not None
    now = [0.0]
    pipeline.group.clock = lambda: now[0]
    site = NdsoftSite(BASE)
    first = page(site.article_html(site.articles[0]), site.url(1001), site="kbsm")
    pipeline.process_item(run(extract_pipeline.process_item(first)))

    def broken(*args: object, **options: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(sys.modules["archive.search"], "index_article", broken)
    now[0] = 5.0  # the group is due
    pipeline._flush_if_due()  # logs, counts, and does not raise into the timer
    assert crawler.stats.get_value("archive/commit_failed") == 1
    monkeypatch.undo()
    second = page(site.article_html(site.articles[1]), site.url(1002), site="kbsm")
    pipeline.process_item(run(extract_pipeline.process_item(second)))
    pipeline.spider_closed(crawler.spider, "finished")
    db = archive.open_db(tmp_path / "news.db")
    # the rolled-back group's page is not archived (the next run fetches it); later ones are
    assert db.execute("select url from articles").fetchall() == [(site.url(1002),)]
    db.close()


def prepare_or_die(item: Page) -> Prepared:
    """prepare_page, except that a page whose URL ends in /die kills its worker process."""
    if item.url.endswith("/die"):
        os._exit(1)
    return prepare_page(item)


def test_a_page_that_kills_its_worker_is_archived_as_failed_and_the_rest_go_on() -> None:
    crawler = get_crawler(NewsSpider, {"NEWSCRAWL_EXTRACT_WORKERS": 1})
    crawler.stats.open_spider()
    pipeline = ExtractPipeline.from_crawler(crawler)
    # The real pool, with a function that dies on one page (prepare_page never does).
    pipeline.pool = WorkerPool(prepare_or_die, 1)
    doc = f"<html><head><title>t</title></head><body><p>{'가나다 ' * 40}</p></body></html>".encode()

    async def both() -> list[Page]:
        try:
            return await asyncio.gather(
                pipeline.process_item(page(doc.replace(b"t</title>", b"ok</title>"), BASE + "ok")),
                pipeline.process_item(page(doc, BASE + "die")),
            )
        finally:
            pipeline.close_spider()

    good, dead = asyncio.run(both())
    assert good.article.status is not Status.EMPTY
    # the worker made the article's search-index text too, the archive's writer is spared it
    assert good.indexed is not None
    assert good.indexed.grams_for(good.article.title, good.article.body) is not None
    assert dead.article.status is Status.EMPTY
    assert dead.indexed is None
    assert dead.article.messages[0].startswith("extraction killed its worker process")
    assert dead.blob is not None and dead.blob.size == len(dead.body)
    assert crawler.stats.get_value("extract/crashed") == 1


def test_an_extraction_that_raises_is_recorded_on_the_page(monkeypatch) -> None:
    crawler = get_crawler(NewsSpider, {"NEWSCRAWL_EXTRACT_WORKERS": 0})
    crawler.stats.open_spider()
    pipeline = ExtractPipeline.from_crawler(crawler)

    def broken(item: Page) -> Prepared:
        raise KeyError("a bug")

    monkeypatch.setattr(sys.modules["newscrawl.pipelines"], "prepare_page", broken)
    item = run(pipeline.process_item(page(b"<p>x</p>", BASE + "x")))
    assert item.article.status is Status.EMPTY
    assert item.article.messages == ["extraction raised KeyError: 'a bug'"]
    assert item.blob is not None and item.blob.sha256 == hashlib.sha256(b"<p>x</p>").hexdigest()
    assert crawler.stats.get_value("extract/raised") == 1
