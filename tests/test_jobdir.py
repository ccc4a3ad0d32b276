"""JobDir: a JOBDIR left by a crawl that never closed starts afresh; a finished job's goes."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl.jobdir import RUNNING_MARK, JobDir
from newscrawl.spiders.news import NewsSpider


def scrapy_state(jobdir: Path) -> None:
    (jobdir / "requests.queue").mkdir(parents=True)
    (jobdir / "requests.queue" / "active.json").write_text("[]")
    (jobdir / "requests.seen").write_text("fingerprint\n")
    (jobdir / "spider.state").write_bytes(b"state")


def extension(jobdir: Path) -> JobDir:
    crawler = get_crawler(NewsSpider, {"JOBDIR": str(jobdir)})
    crawler.stats.open_spider()
    return JobDir.from_crawler(crawler)


def test_off_without_a_jobdir() -> None:
    with pytest.raises(NotConfigured):
        JobDir.from_crawler(get_crawler(NewsSpider, {}))


def test_state_of_a_crawl_that_never_closed_is_dropped(tmp_path: Path) -> None:
    jobdir = tmp_path / "job"
    scrapy_state(jobdir)
    (jobdir / RUNNING_MARK).write_text("123\n")
    ext = extension(jobdir)
    assert sorted(p.name for p in jobdir.iterdir()) == []
    ext.spider_opened(None)  # type: ignore[arg-type]
    assert (jobdir / RUNNING_MARK).exists()
    assert ext.crawler.stats.get_value("jobdir/dropped_stale") == 1


def test_state_of_a_clean_pause_is_kept_for_the_resume(tmp_path: Path) -> None:
    jobdir = tmp_path / "job"
    scrapy_state(jobdir)
    ext = extension(jobdir)
    ext.spider_opened(None)  # type: ignore[arg-type]
    ext.spider_closed(None, "shutdown")  # type: ignore[arg-type]
    ext.engine_stopped()
    assert sorted(p.name for p in jobdir.iterdir()) == [
        "requests.queue",
        "requests.seen",
        "spider.state",
    ]
    assert extension(jobdir).dropped_stale is False


def test_a_finished_job_removes_its_jobdir(tmp_path: Path) -> None:
    jobdir = tmp_path / "job"
    scrapy_state(jobdir)
    ext = extension(jobdir)
    ext.spider_opened(None)  # type: ignore[arg-type]
    ext.spider_closed(None, "finished")  # type: ignore[arg-type]
    ext.engine_stopped()
    assert not jobdir.exists()
