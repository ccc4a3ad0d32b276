"""Archive benchmark: saves per second as the archive grows, bytes per article, Korean search.

Builds N articles of realistic Korean length from the text of ../shared/corpus (paragraphs
of the labelled bodies and of the saved pages, shuffled) and saves them as the crawler does:
the extraction workers have packed the raw bytes and made the search-index text
(archive.IndexText), timed apart, and the writer saves with archive.GroupCommit, 100 saves a
commit (capture + article + revision + search index, each save atomic); --unprepared leaves
all that to the writer. Optionally also archive.save() committing each one (unprepared). In the same
run, batch by batch, the same articles go into a plain sqlite-utils baseline: the same
texts with an FTS5 trigram index kept by sqlite-utils' triggers, 100 rows a transaction.
Printed: saves/s (wall and CPU) and save-latency percentiles per slice of --slice articles,
so a slow-down shows; at each --search-at size, bytes per article and search p50/p95 of
2-, 3- and 5-syllable queries on both, with the mean number of hits (of 20).

Queries are word-initial syllables of corpus words (what a person types: 경주, 포항시,
스마트시티), drawn with the corpus's own word frequencies, so frequent words are queried
often. The baseline searches the same strings; its "found" column shows what the trigram
tokenizer misses (nothing under three characters).

    python bench/archive_bench.py            # 100,000 articles (a few minutes, ~3 GB in /tmp)
    python bench/archive_bench.py -n 1000000 --skip-single --search-at 100000,300000 \
        --baseline-until 300000              # ~22 minutes on 2 quiet CPUs, ~25 GB
    python bench/archive_bench.py -n 10000 --keep /tmp/bench

Where the time went (issue 15, measured on the 2-CPU machines here):

- Search. FTS5's bm25() computes its IDF by counting every match of every phrase in the
  whole archive before ranking one row (xQueryPhrase over the full doclist), then reads the
  positions of every ranked match. At 100,000 articles a 5-syllable query ranking only 20
  rows took 7 ms p50 / 18 ms p95 in bm25 alone, more than counting all its matches (3 / 8
  ms); ranking 10,000 took 16 / 43 ms; at 300,000 the old search was 34-89 ms p50 and
  74-147 ms p95. Reading the newest 1,000 matches by rowid (FTS5 consumes ORDER BY rowid
  DESC and stops) cost 0.4-1.5 ms p50 at 100,000 and does not grow with the archive; the
  bodies of 1,000 candidates cost 10-30 ms to read and count words in, their titles 1-3
  ms: the ranking uses the titles (archive.search.RANK_WINDOW, TITLE_SCORE_SQL).
- Saves, the first profile. Per save, at 300,000 articles (10,000 saves, 100 a commit,
  CPU): FTS5 insert of the bigram text ~170-195 us, archive.grams.index_text ~95 us, the
  commit itself (FTS5 writing the group's segment, its merges, the WAL) ~170-250 us, of
  which automerge ~70 us; the row inserts ~250 us together. CPU per save stayed flat from
  100,000 to 300,000 (1,160-1,530 saves a CPU-second in repeated 8,000-10,000-save runs,
  the spread being when FTS5's merges fall); the slow-down of the earlier runs was wall
  time spent waiting: for the CPU (other processes; /proc/self/schedstat run-queue time)
  and for the disk (checkpoints: wal_autocheckpoint 10000 pages, fsync). A larger page
  cache (cache_size 64 MB, mmap 1 GB) did not measurably change saves/s at 300,000: the
  hot pages (index tails, the sha256 indexes of ~8 MB per 100,000 articles) stay in the OS
  page cache.
- Where a save's CPU goes now (10,000 saves on a copy of a 300,000-article archive, per
  statement, on a shared machine so +-10%): the commit ~235 us (FTS5 writing the group's
  segment ~110 us of it, measured alone: a 20,000-document FTS5 table with automerge 16 or
  0 costs the same, so the segment write dominates, not the merges; automerge 4 was 182
  us), FTS5 insert ~85-125 us, index_text ~85 us (unless the workers made it), inserts of
  article ~35, capture ~35, blob ~16-30, revision ~17, id coverage ~12 us, the capture's
  extraction update ~18 us. Tried and left: columnsize=0, pgsz 8000 and a larger hash for
  FTS5 (no gain); wal_autocheckpoint 0 (20% more CPU: the WAL index grows); 1,000 or 3,000
  pages instead of 10,000 (no difference beyond the noise).
- At 1,000,000 articles (one run on a quiet machine, README "The archive at a million
  articles"): 1,494 saves a second by the clock on average, 1,315 over the last 100,000
  (1,679 and 1,490 per CPU second); 19,909 bytes an article; search p95 6-10 ms for 2, 3
  and 5 syllables, all finding 20 of 20. 21.5 minutes in all.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import math
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

from lxml import html as lxml_html
from sqlite_utils import Database

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import Capture, GroupCommit, IndexText, open_db, save, search
from archive.blobs import compress_blob, pack_blob

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
HANGUL_WORD = re.compile(r"[가-힣]+")
SITES = ["kbsm", "jnilbo", "daejonilbo", "kyongbuk", "idaegu"]


def corpus_paragraphs() -> tuple[list[str], list[str]]:
    """Paragraphs of Korean text in the corpus, and the reporters named in its labels."""
    paragraphs: set[str] = set()
    reporters: set[str] = set()
    for line in (CORPUS / "labels-dev.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        paragraphs.update(p.strip() for p in (record.get("body") or "").split("\n"))
        reporters.update(record.get("reporters") or [])
    for page in sorted((CORPUS / "pages").glob("*.html")):
        raw = page.read_bytes()
        for encoding in ("utf-8", "cp949"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            continue
        tree = lxml_html.fromstring(text)
        for junk in tree.xpath("//script|//style"):
            junk.drop_tree()
        for node in tree.xpath("//text()"):
            line = " ".join(node.split())
            if len(line) >= 40 and len(HANGUL_WORD.findall(line)) >= 5:
                paragraphs.add(line)
    return sorted(p for p in paragraphs if p), sorted(reporters)


def make_articles(n: int, paragraphs: list[str], reporters: list[str], seed: int = 7):
    """Yield (capture, article) pairs: bodies of ~1,500 characters, like the labels."""
    rnd = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(n):
        body_parts, length = [], 0
        target = max(400, int(rnd.gauss(1550, 350)))
        while length < target:
            part = rnd.choice(paragraphs)
            body_parts.append(part)
            length += len(part)
        body = "\n".join(body_parts)
        title = rnd.choice(paragraphs)[: rnd.randint(20, 45)]
        site = SITES[i % len(SITES)]
        url = f"https://{site}.example.kr/news/articleView.html?idxno={i}"
        published = start + timedelta(minutes=7 * i)
        page = (
            '<!doctype html><html lang="ko"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title></head><body><article><h1>{escape(title)}</h1>"
            + "".join(f"<p>{escape(p)}</p>" for p in body_parts)
            + "</article></body></html>"
        ).encode()
        capture = Capture(
            url=url,
            final_url=url,
            status=200,
            fetched_at=published + timedelta(hours=1),
            headers={"Content-Type": "text/html; charset=utf-8"},
            encoding="utf-8",
            body=page,
            site=site,
        )
        article = {
            "url": url,
            "canonical_url": url,
            "site": f"{site}.example.kr",
            "title": title,
            "subtitle": None,
            "reporters": [rnd.choice(reporters)] if reporters else [],
            "reporter_emails": [],
            "published": (published + timedelta(hours=9)).isoformat().replace("+00:00", "+09:00"),
            "modified": None,
            "section": rnd.choice(["사회", "정치", "경제", "지역"]),
            "body": body,
            "images": [],
            "language": "ko",
            "status": "ok",
            "messages": [],
        }
        yield capture, article


def query_set(paragraphs: list[str], length: int, count: int, seed: int = 11) -> list[str]:
    """Word-initial ``length``-syllable strings of corpus words, frequency-weighted."""
    rnd = random.Random(seed + length)
    words = [w for p in paragraphs for w in HANGUL_WORD.findall(p) if len(w) >= length]
    return [rnd.choice(words)[:length] for _ in range(count)]


def db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def percentiles(latencies: list[float]) -> str:
    """p50 / p95 / p99 / p99.9 / max of save latencies (seconds), in ms."""
    ordered = sorted(latencies)
    at = [ordered[min(len(ordered) - 1, int(len(ordered) * q))] for q in (0.5, 0.95, 0.99, 0.999)]
    return " / ".join(f"{x * 1e3:.2f}" for x in at) + f" / {ordered[-1] * 1e3:.0f}"


def run_single(path: Path, articles) -> tuple[float, float]:
    """Save every article with archive.save(), one transaction and commit each."""
    db = open_db(path)
    latencies = []
    wall, cpu = time.perf_counter(), time.process_time()
    for capture, article in articles:
        start = time.perf_counter()
        save(db, capture, article)
        latencies.append(time.perf_counter() - start)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"one commit a save, latency ms p50/p95/p99/p99.9/max: {percentiles(latencies)}")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return wall, cpu


class Grouped:
    """The archive as the crawler writes it: archive.GroupCommit, ``group`` saves a commit."""

    def __init__(self, path: Path, group: int) -> None:
        self.path = path
        self.db = open_db(path)
        self.committer = GroupCommit(self.db, every=group, seconds=3600)
        self.latencies: list[float] = []
        self.wall = self.cpu = 0.0

    def add(self, batch) -> tuple[float, float]:
        """Save ``batch``; returns its (wall, CPU) seconds, and keeps each save's latency."""
        store, latencies = self.committer.save, self.latencies
        wall, cpu = time.perf_counter(), time.process_time()
        for capture, article, prepared in batch:
            start = time.perf_counter()
            store(capture, article, prepared=prepared)
            latencies.append(time.perf_counter() - start)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        self.wall, self.cpu = self.wall + wall, self.cpu + cpu
        return wall, cpu

    def search_one(self, query: str) -> int:
        self.committer.commit()
        return len(search(self.db, query, limit=20))

    def close(self) -> None:
        self.committer.commit()
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.close()


class Baseline:
    """Plain sqlite-utils: the same rows with an FTS5 trigram index kept by sqlite-utils'
    triggers, 100 rows a transaction (insert_all), raw pages zlib-compressed in captures;
    searched with table.search() (bm25 over every match). The trigram tokenizer finds
    words inside words from three characters; two-syllable queries find nothing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = Database(path)
        self.db.enable_wal()
        self.db["captures"].create(
            {"id": int, "url": str, "fetched_at": str, "headers": str, "body": bytes}, pk="id"
        )
        self.db["articles"].create(
            {"url": str, "site": str, "title": str, "body": str, "published_at": str},
            pk="url",
        )
        self.db["articles"].enable_fts(["title", "body"], create_triggers=True, tokenize="trigram")
        self.wall = self.cpu = 0.0

    def add(self, batch) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        captures = (
            {
                "url": capture.url,
                "fetched_at": capture.fetched_at.isoformat(),
                "headers": json.dumps(dict(capture.headers)),
                "body": zlib.compress(capture.body),
            }
            for capture, _, _ in batch
        )
        self.db["captures"].insert_all(captures, batch_size=100)
        rows = (
            {
                "url": article["canonical_url"],
                "site": capture.site,
                "title": article["title"],
                "body": article["body"],
                "published_at": article["published"],
            }
            for capture, article, _ in batch
        )
        self.db["articles"].insert_all(rows, batch_size=100)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        self.wall, self.cpu = self.wall + wall, self.cpu + cpu
        return wall, cpu

    def search_one(self, query: str) -> int:
        return len(list(self.db["articles"].search(query, limit=20)))

    def close(self) -> None:
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.close()


def prepare(batch, *, unprepared: bool) -> tuple[list, float]:
    """(capture, article, IndexText) of each pair, and the CPU seconds it took: what the
    crawl's extraction workers do before the archive sees a page (newscrawl.preparation:
    the raw bytes packed, the index text made). ``unprepared``: nothing is made, the save
    does it all (a caller of archive.save without workers)."""
    if unprepared:
        return [(capture, article, None) for capture, article in batch], 0.0
    cpu = time.process_time()
    out = [
        (
            dataclasses.replace(capture, blob=pack_blob(capture.body)),
            article,
            IndexText.of(article["title"], article["body"]),
        )
        for capture, article in batch
    ]
    return out, time.process_time() - cpu


def time_queries(run_one, queries: list[str]) -> tuple[float, float, float]:
    """(p50 ms, p95 ms, mean results) over ``queries``, after one warm-up pass."""
    for q in queries[:20]:
        run_one(q)
    latencies, found = [], []
    for q in queries:
        t = time.perf_counter()
        found.append(run_one(q))
        latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, round(0.95 * len(latencies)) - 1)]
    return statistics.median(latencies), p95, statistics.mean(found)


def search_report(stores, paragraphs: list[str], count: int) -> None:
    """Search p50 / p95 and mean hits of each store, 2-, 3- and 5-syllable queries."""
    header = f"{'length':>6}"
    for name in stores:
        header += f" {name + ' p50':>14} {'p95':>7} {'found':>6}"
    print(header + "   examples")
    for length in (2, 3, 5):
        queries = query_set(paragraphs, length, count)
        line = f"{length:>6}"
        for store in stores.values():
            p50, p95, found = time_queries(store.search_one, queries)
            line += f" {p50:14.2f} {p95:7.2f} {found:6.1f}"
        print(line + "   " + " ".join(dict.fromkeys(queries[:4])), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--articles", type=int, default=100_000)
    parser.add_argument("-q", "--queries", type=int, default=200, help="per query length")
    parser.add_argument("--keep", type=Path, help="write the databases here and keep them")
    parser.add_argument("--skip-naive", action="store_true", help="skip the baseline")
    parser.add_argument(
        "--skip-single", action="store_true", help="skip the run of one commit a save"
    )
    parser.add_argument(
        "--group", type=int, default=100, help="saves a commit in the group-commit run"
    )
    parser.add_argument(
        "--baseline-until",
        type=int,
        help="grow the baseline only this far (it is the slower: 1M of it takes ~25 minutes)",
    )
    parser.add_argument("--slice", type=int, default=100_000, help="print saves/s every N")
    parser.add_argument(
        "--unprepared",
        action="store_true",
        help="save bare pages: the writer packs the bytes and makes the index text itself",
    )
    parser.add_argument(
        "--search-at",
        default="100000,300000",
        help="comma-separated sizes at which to time searches (and at the end, always)",
    )
    args = parser.parse_args()
    if not (CORPUS / "labels-dev.jsonl").exists():
        print(f"error: corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    n, step = args.articles, args.slice
    try:
        search_at = {int(size) for size in args.search_at.split(",") if size.strip()}
    except ValueError:
        parser.error(f"--search-at takes sizes like 100000,300000, not {args.search_at!r}")
        return 2
    search_at = {size for size in search_at if 0 < size < n} | {n}
    paragraphs, reporters = corpus_paragraphs()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="archive-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    single_path, grouped_path = workdir / "single.db", workdir / f"grouped{args.group}.db"
    baseline_path = workdir / "baseline.db"
    for path in (single_path, grouped_path, baseline_path):
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
    print(f"{n:,} articles from {len(paragraphs)} corpus paragraphs; databases in {workdir}")
    # The synthetic pages are small (article markup only); real pages cost more to compress.
    pages = [p.read_bytes() for p in sorted((CORPUS / "pages").glob("*.html"))]
    start = time.process_time()
    for page in pages:
        compress_blob(page)
    per_page = (time.process_time() - start) / max(1, len(pages)) * 1e3
    mean_kb = sum(map(len, pages)) / max(1, len(pages)) / 1024
    print(
        f"(a real corpus page, {mean_kb:.0f} KB on average, adds {per_page:.1f} ms of zstd a save)"
    )
    stores: dict = {}
    baseline = None
    try:
        results = {}
        if not args.skip_single:
            wall, cpu = run_single(single_path, make_articles(n, paragraphs, reporters))
            results["archive, 1 save a commit"] = (wall, cpu, db_bytes(single_path))
        ours = stores["archive"] = Grouped(grouped_path, args.group)
        if not args.skip_naive:
            stores["baseline"] = baseline = Baseline(baseline_path)
        # Both stores get the same articles, a batch at a time (the articles are generated
        # once, outside the timings): the same sizes are searched at the same moments.
        articles = make_articles(n, paragraphs, reporters)
        done, batch_size = 0, math.gcd(step, *search_at, 10_000)
        slice_wall, slice_cpu, slice_start = 0.0, 0.0, 0
        prepare_cpu = 0.0
        while done < n:
            pairs = list(itertools.islice(articles, min(batch_size, n - done)))
            batch, cpu = prepare(pairs, unprepared=args.unprepared)
            prepare_cpu += cpu
            wall, cpu = ours.add(batch)
            slice_wall, slice_cpu = slice_wall + wall, slice_cpu + cpu
            done += len(batch)
            if "baseline" in stores and args.baseline_until and done > args.baseline_until:
                stores.pop("baseline").close()
            for name, store in stores.items():
                if name != "archive":
                    store.add(batch)
            if done % step == 0 or done == n:
                count = done - slice_start
                print(
                    f"archive {slice_start:>9,}-{done:<9,} {count / slice_wall:6.0f} saves/s "
                    f"({count / slice_cpu:.0f} CPU), latency ms p50/p95/p99/p99.9/max "
                    f"{percentiles(ours.latencies[slice_start:])}",
                    flush=True,
                )
                slice_wall, slice_cpu, slice_start = 0.0, 0.0, done
            if done in search_at:
                print(f"\nat {done:,} articles:")
                for name, store in stores.items():
                    print(
                        f"  {name}: {done / store.wall:.0f} saves/s since the start "
                        f"({done / store.cpu:.0f} CPU), "
                        f"{db_bytes(store.path) / done:,.0f} bytes/article"
                    )
                print(
                    f"search, {args.queries} queries per length, top 20 "
                    "(ms; found = mean hits, of 20)"
                )
                search_report(stores, paragraphs, args.queries)
                print(flush=True)
        print(f"archive save latency ms p50/p95/p99/p99.9/max: {percentiles(ours.latencies)}")
        if not args.unprepared:
            print(
                f"prepared before the saves, as the extraction workers do: "
                f"{prepare_cpu / n * 1e6:.0f} us CPU an article (bytes packed, index text made)"
            )
        grouped_size = db_bytes(ours.path)
        results[f"archive, {args.group} saves a commit"] = (ours.wall, ours.cpu, grouped_size)
        if baseline is not None and "baseline" in stores:
            results["baseline"] = (baseline.wall, baseline.cpu, db_bytes(baseline.path))
        print()
        print(f"{'':30} {'saves/s':>9} {'(CPU)':>9} {'bytes/article':>14}")
        for name, (wall, cpu, size) in results.items():
            print(f"{name:30} {n / wall:9.0f} {n / cpu:9.0f} {size / n:14,.0f}")
    finally:
        for store in stores.values():
            store.close()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
