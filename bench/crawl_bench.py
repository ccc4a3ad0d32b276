"""Crawl benchmark: the full pipeline against a bare Scrapy spider, on one loopback site.

    python bench/crawl_bench.py [--articles 5000] [--keep DIR]

Serves an NDSoft-like site of N article pages (the real jnilbo.com page of ../shared/corpus with
id, title and dates substituted), then, in the same run and against the same server:

1. bare: a Scrapy spider that reads the sitemap and only writes each response body to disk,
   the upper bound of what any pipeline can reach with these download settings;
2. full: ``scrapy crawl news -a url=...``: discovery, fetch policy, extraction, archive.

Both run as child processes with the same download settings; for each it prints pages per
second (article pages / wall time), CPU seconds per page and peak RSS, both summed over the
child's whole process tree (extraction workers included), then the full/bare ratio.
Targets: ratio >= 0.5, full peak RSS < 300 MB.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.mocksite import NDSOFT_TEMPLATE, corpus_missing  # noqa: E402
from tests.mocksite.server import Resource, serving  # noqa: E402

PER_SITEMAP = 1000
# The same download settings for both spiders: loopback, so no politeness delay, and the
# per-domain concurrency raised to what a run over dozens of sites has in flight overall.
SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "ROBOTSTXT_OBEY": "True",
    "LOG_LEVEL": "WARNING",
    "LOGSTATS_INTERVAL": "0",
}

BARE_SPIDER = '''
import hashlib
from pathlib import Path
from scrapy.spiders import SitemapSpider

class BareSpider(SitemapSpider):
    """Fetch every sitemap URL and write the body to disk: nothing else."""
    name = "bare"
    sitemap_rules = [("articleView", "parse")]

    def __init__(self, url, out, **kwargs):
        super().__init__(**kwargs)
        self.sitemap_urls = [url + "robots.txt"]
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)

    def parse(self, response):
        name = hashlib.sha1(response.url.encode()).hexdigest()
        (self.out / name).write_bytes(response.body)
'''


class BenchSite:
    """N NDSoft articles, a robots.txt, a sitemap index of 1,000-URL sitemaps, a home page."""

    TITLE, ID, HOST = "광주FC, 퇴장 악재속 코리아컵 준우승", "90000015817", "https://www.jnilbo.com"

    def __init__(self, count: int) -> None:
        self.count = count
        self.template = NDSOFT_TEMPLATE.read_text(encoding="utf-8")
        self.base = ""
        self._pieces: list[bytes | str] = []

    def article(self, idxno: int) -> bytes:
        # The server shares the two CPUs with the crawl it serves, so it assembles each page
        # from pre-encoded pieces (~10 µs) rather than substituting into 106 KiB of text.
        if not self._pieces:
            page = self.template.replace(self.HOST, self.base)
            # even indices: the page's text; odd: which value goes between them
            parts = re.split(f"({re.escape(self.TITLE)}|{self.ID})", page)
            self._pieces = [p.encode() if i % 2 == 0 else p for i, p in enumerate(parts)]
        values = {self.TITLE: f"벤치마크 기사 {idxno}".encode(), self.ID: str(idxno).encode()}
        return b"".join(p if isinstance(p, bytes) else values[p] for p in self._pieces)

    def url(self, idxno: int) -> str:
        return f"{self.base}/news/articleView.html?idxno={idxno}"

    def __call__(self, path: str, query: dict[str, str]) -> Resource | None:
        xml = "application/xml"
        ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        if path == "/":
            links = "".join(f'<a href="{self.url(i)}">{i}</a>' for i in range(1, 11))
            return Resource(f"<html><body>{links}</body></html>".encode())
        if path == "/robots.txt":
            return Resource(f"User-agent: *\nSitemap: {self.base}/sitemap.xml\n".encode())
        if path == "/sitemap.xml":
            parts = range(0, self.count, PER_SITEMAP)
            body = "".join(
                f"<sitemap><loc>{self.base}/sitemap-{p // PER_SITEMAP}.xml</loc></sitemap>"
                for p in parts
            )
            return Resource(f"<sitemapindex {ns}>{body}</sitemapindex>".encode(), content_type=xml)
        if path.startswith("/sitemap-"):
            n = int(path.removeprefix("/sitemap-").removesuffix(".xml"))
            ids = range(n * PER_SITEMAP + 1, min(self.count, (n + 1) * PER_SITEMAP) + 1)
            body = "".join(f"<url><loc>{html.escape(self.url(i))}</loc></url>" for i in ids)
            return Resource(f"<urlset {ns}>{body}</urlset>".encode(), content_type=xml)
        if path == "/news/articleView.html" and query.get("idxno", "").isdigit():
            idxno = int(query["idxno"])
            if 1 <= idxno <= self.count:
                return Resource(self.article(idxno))
        return None


@dataclass
class Result:
    name: str
    pages: int
    wall: float
    cpu: float
    peak_rss_mb: float
    harness_cpu: float  # this process: the loopback server and the sampling loop

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.wall if self.wall else 0.0

    def row(self) -> str:
        return (
            f"{self.name:<5} {self.pages:>6} pages {self.wall:>7.1f} s "
            f"{self.pages_per_second:>8.1f} pages/s {self.cpu / max(self.pages, 1) * 1000:>7.2f} "
            f"CPU ms/page  peak RSS {self.peak_rss_mb:>6.1f} MB  "
            f"(server {self.harness_cpu / max(self.pages, 1) * 1000:.2f} CPU ms/page)"
        )


def _tree(session: int) -> dict[int, tuple[float, int]]:
    """CPU seconds and RSS bytes of every live process of a session (the child's tree)."""
    tick, page = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE")
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(stat[3]) == session:  # field 6 of stat: the session id
            cpu = (int(stat[11]) + int(stat[12])) / tick  # utime + stime
            found[int(entry)] = (cpu, int(stat[21]) * page)  # rss in pages
    return found


def run_child(name: str, argv: list[str], count_pages: Callable[[], int]) -> Result:
    """Run a child in its own session; measure wall time, and CPU time and peak RSS summed
    over its whole process tree (extraction workers included), sampled every 50 ms."""
    start, harness = time.perf_counter(), time.process_time()
    child = subprocess.Popen([sys.executable, *argv], start_new_session=True)
    peak_rss, cpu_seen = 0, {}
    while child.poll() is None:
        tree = _tree(child.pid)
        peak_rss = max(peak_rss, sum(rss for _, rss in tree.values()))
        cpu_seen.update({pid: cpu for pid, (cpu, _) in tree.items()})
        time.sleep(0.05)
    wall, harness = time.perf_counter() - start, time.process_time() - harness
    if child.returncode != 0:
        raise SystemExit(f"{name} crawl failed with status {child.returncode}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # exact figure for the main process
    main_cpu = usage.ru_utime + usage.ru_stime - sum(getattr(run_child, "spent", [0]))
    run_child.spent = [*getattr(run_child, "spent", []), main_cpu]  # type: ignore[attr-defined]
    cpu = main_cpu + sum(c for pid, c in cpu_seen.items() if pid != child.pid)
    return Result(name, count_pages(), wall, cpu, peak_rss / 2**20, harness)


def settings_args(extra: dict[str, str] | None = None) -> list[str]:
    return [arg for k, v in {**SETTINGS, **(extra or {})}.items() for arg in ("-s", f"{k}={v}")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--keep", type=Path, help="keep the database and bodies in this directory")
    parser.add_argument(
        "-s",
        dest="full_settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy setting for the full run only (e.g. NEWSCRAWL_EXTRACT_WORKERS=2)",
    )
    options = parser.parse_args()
    if reason := corpus_missing():
        raise SystemExit(reason)
    work = options.keep or Path(tempfile.mkdtemp(prefix="crawl-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    site = BenchSite(options.articles)
    os.chdir(REPO)  # scrapy finds scrapy.cfg (the project settings) from here
    with serving(site) as server:
        site.base = server.base_url.rstrip("/")
        url = server.base_url
        spider_file = work / "bare_spider.py"
        spider_file.write_text(BARE_SPIDER, encoding="utf-8")
        bodies = work / "bodies"
        bare = run_child(
            "bare",
            [
                "-m",
                "scrapy",
                "runspider",
                str(spider_file),
                "-a",
                f"url={url}",
                "-a",
                f"out={bodies}",
                *settings_args({"ITEM_PIPELINES": "{}"}),
            ],
            lambda: len(list(bodies.iterdir())),
        )
        db = work / "bench.db"

        def archived() -> int:
            with sqlite3.connect(db) as conn:
                return conn.execute("select count(*) from captures").fetchone()[0]

        full = run_child(
            "full",
            [
                "-m",
                "scrapy",
                "crawl",
                "news",
                "-a",
                f"url={url}",
                *settings_args(
                    {"ARCHIVE_DB_PATH": str(db)}
                    | dict(kv.split("=", 1) for kv in options.full_settings)
                ),
            ],
            archived,
        )
    print(
        f"loopback site: {options.articles} NDSoft article pages of "
        f"{len(site.article(1)) / 1024:.0f} KiB; python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs"
    )
    print(bare.row())
    print(full.row())
    ratio = full.pages_per_second / bare.pages_per_second if bare.pages_per_second else 0
    print(
        f"full/bare pages per second: {ratio:.2f} (target >= 0.50); "
        f"full peak RSS {full.peak_rss_mb:.0f} MB (target < 300 MB)"
    )
    if not options.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
