"""Crawl benchmark: the full pipeline against a bare Scrapy spider, on one loopback site.

    python bench/crawl_bench.py [--articles 5000] [--rounds 3] [--keep DIR] [-s NAME=VALUE ...]

Serves an NDSoft-like site of N article pages (the real jnilbo.com page of ../shared/corpus with
id, title and dates substituted), then, against the same server, runs each of these once a
round, alternately (bare, full, bare, full, ...), so that a drift in the machine's load hits
both alike:

1. bare: a Scrapy spider that reads the sitemap and only writes each response body to disk,
   the upper bound of what any pipeline can reach with these download settings;
2. full: ``scrapy crawl news -a url=...``: discovery, fetch policy, extraction, archive.

Both run as child processes with the same download settings (``-s`` adds settings to the full
run only), each against a fresh output directory or archive. For each run it prints pages per
second (article pages / wall time), CPU milliseconds per page and peak RSS, both summed over
the child's whole process tree (extraction workers included). Then, because a single run can
be 20% off the next one on a small VM, it prints the medians of the rounds, the full/bare
ratio of the medians with the range of the per-round ratios, and the full run's peak RSS over
all rounds.
Targets: ratio >= 0.50, full peak RSS < 300 MB.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import resource
import shutil
import sqlite3
import statistics
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


@dataclass
class Round:
    bare: Result
    full: Result

    @property
    def ratio(self) -> float:
        return _ratio(self.full.pages_per_second, self.bare.pages_per_second)


def _ratio(full: float, bare: float) -> float:
    return full / bare if bare else 0.0


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


def _reaped_cpu() -> float:
    """CPU seconds of the children this process has reaped (with what they reaped) so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(name: str, argv: list[str], count_pages: Callable[[], int]) -> Result:
    """Run a child in its own session; measure wall time, and CPU time and peak RSS summed
    over its whole process tree (extraction workers included), sampled every 50 ms."""
    reaped_before = _reaped_cpu()
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
    # poll() reaped the child, the only process this one reaps meanwhile (the server is a
    # thread): the difference is the child's own CPU, exact, whatever ran before it.
    main_cpu = _reaped_cpu() - reaped_before
    # The rest of the tree is not in it: the extraction workers are children of
    # multiprocessing's forkserver, which outlives the crawler, so neither the crawler nor we
    # reap it or them; their CPU is the last sample of each (short of at most its last 50 ms).
    cpu = main_cpu + sum(c for pid, c in cpu_seen.items() if pid != child.pid)
    return Result(name, count_pages(), wall, cpu, peak_rss / 2**20, harness)


def settings_args(extra: dict[str, str] | None = None) -> list[str]:
    return [arg for k, v in {**SETTINGS, **(extra or {})}.items() for arg in ("-s", f"{k}={v}")]


def run_bare(spider_file: Path, url: str, bodies: Path) -> Result:
    argv = ["-m", "scrapy", "runspider", str(spider_file), "-a", f"url={url}"]
    argv += ["-a", f"out={bodies}", *settings_args({"ITEM_PIPELINES": "{}"})]
    return run_child("bare", argv, lambda: len(list(bodies.iterdir())))


def run_full(url: str, db: Path, extra: dict[str, str]) -> Result:
    def archived() -> int:
        with sqlite3.connect(db) as conn:
            return conn.execute("select count(*) from captures").fetchone()[0]

    argv = ["-m", "scrapy", "crawl", "news", "-a", f"url={url}"]
    argv += settings_args({"ARCHIVE_DB_PATH": str(db), **extra})
    return run_child("full", argv, archived)


def run_round(
    number: int, url: str, spider_file: Path, work: Path, extra: dict[str, str], keep: bool
) -> Round:
    """One bare run, then one full run, each into this round's fresh directory: a full run
    over a previous round's archive would skip every article as already archived."""
    here = work / f"round-{number}"
    shutil.rmtree(here, ignore_errors=True)  # --keep DIR may hold an earlier invocation's
    here.mkdir(parents=True)
    bare = run_bare(spider_file, url, here / "bodies")
    print(f"round {number}  {bare.row()}", flush=True)
    if not keep:
        # Deleted at once, the bodies' dirty pages are mostly dropped rather than written
        # back to disk while the full run is measured.
        shutil.rmtree(here / "bodies")
    full = run_full(url, here / "bench.db", extra)
    print(f"round {number}  {full.row()}", flush=True)
    if not keep:
        shutil.rmtree(here)
    return Round(bare, full)


def summary(rounds: list[Round]) -> str:
    bare = statistics.median(r.bare.pages_per_second for r in rounds)
    full = statistics.median(r.full.pages_per_second for r in rounds)
    ratios = [r.ratio for r in rounds]
    peak = max(r.full.peak_rss_mb for r in rounds)
    return (
        f"median of {len(rounds)} rounds: bare {bare:.1f} pages/s, full {full:.1f} pages/s\n"
        f"full/bare pages per second: {_ratio(full, bare):.2f} median "
        f"(per round {min(ratios):.2f}-{max(ratios):.2f}; target >= 0.50); "
        f"full peak RSS {peak:.0f} MB (target < 300 MB)"
    )


def positive(text: str) -> int:
    if (value := int(text)) < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=positive, default=5000)
    parser.add_argument(
        "--rounds", type=positive, default=3, help="bare and full runs, alternately (default 3)"
    )
    parser.add_argument(
        "--keep", type=Path, help="keep each round's database and bodies in DIR/round-N"
    )
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
    extra = dict(kv.split("=", 1) for kv in options.full_settings)
    work = options.keep or Path(tempfile.mkdtemp(prefix="crawl-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    site = BenchSite(options.articles)
    os.chdir(REPO)  # scrapy finds scrapy.cfg (the project settings) from here
    with serving(site) as server:
        site.base = server.base_url.rstrip("/")
        print(
            f"loopback site: {options.articles} NDSoft article pages of "
            f"{len(site.article(1)) / 1024:.0f} KiB; python {sys.version.split()[0]}, "
            f"{os.cpu_count()} CPUs; {options.rounds} rounds",
            flush=True,
        )
        spider_file = work / "bare_spider.py"
        spider_file.write_text(BARE_SPIDER, encoding="utf-8")
        rounds = [
            run_round(n, server.base_url, spider_file, work, extra, keep=bool(options.keep))
            for n in range(1, options.rounds + 1)
        ]
    print(summary(rounds))
    if not options.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
