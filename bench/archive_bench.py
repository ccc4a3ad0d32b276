"""Archive benchmark: saves per second, bytes per article and Korean search latency.

Builds N articles of realistic Korean length from the text of ../shared/corpus (paragraphs
of the labelled bodies and of the saved pages, shuffled), saves them with archive.save()
(capture + article + revision + search index, one transaction each) and, in the same run,
with a naive baseline: row-by-row sqlite-utils inserts into tables with a default FTS5
table (unicode61, kept by sqlite-utils' triggers). Then times searches of 2-, 3- and
5-syllable queries on both.

Queries are word-initial syllables of corpus words (what a person types: 경주, 포항시,
스마트시티), drawn with the corpus's own word frequencies, so frequent words are queried
often. The baseline searches the same strings; its "found" column shows what the default
tokenizer misses (particles attach to words).

    python bench/archive_bench.py            # 100,000 articles (a few minutes, ~3 GB in /tmp)
    python bench/archive_bench.py -n 10000 --keep /tmp/bench
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime, timedelta
from functools import partial
from html import escape
from pathlib import Path

from lxml import html as lxml_html
from sqlite_utils import Database

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import Capture, GroupCommit, open_db, save, search
from archive.blobs import compress_blob

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


def run_archive(
    path: Path, articles, group: int = 1, *, slice_size: int = 100_000
) -> tuple[float, float]:
    """Save every article; ``group`` > 1 commits that many saves at a time (GroupCommit),
    as the crawler does, each save still in its own savepoint."""
    db = open_db(path)
    latencies = []
    wall, cpu = time.perf_counter(), time.process_time()
    slice_start = wall
    with GroupCommit(db, every=group, seconds=3600) as committer:
        store = committer.save if group > 1 else partial(save, db)
        for done, (capture, article) in enumerate(articles, 1):
            start = time.perf_counter()
            store(capture, article)
            latencies.append(time.perf_counter() - start)
            if done % slice_size == 0:
                now = time.perf_counter()
                print(
                    f"  {path.stem}: {done - slice_size:>9,}-{done:<9,} "
                    f"{slice_size / (now - slice_start):6.0f} saves/s",
                    flush=True,
                )
                slice_start = now
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    latencies.sort()
    print(
        f"{path.stem} save latency: p50 {latencies[len(latencies) // 2] * 1e3:.2f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99)] * 1e3:.2f} ms, "
        f"max {latencies[-1] * 1e3:.0f} ms"
    )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return wall, cpu


def run_naive(path: Path, articles) -> tuple[float, float]:
    db = Database(path)
    db.enable_wal()
    captures, rows = db["captures"], db["articles"]
    captures.create(
        {"id": int, "url": str, "fetched_at": str, "headers": str, "body": bytes}, pk="id"
    )
    rows.create({"url": str, "site": str, "title": str, "body": str, "published_at": str}, pk="url")
    rows.enable_fts(["title", "body"], create_triggers=True)
    wall, cpu = time.perf_counter(), time.process_time()
    for capture, article in articles:
        captures.insert(
            {
                "url": capture.url,
                "fetched_at": capture.fetched_at.isoformat(),
                "headers": json.dumps(dict(capture.headers)),
                "body": zlib.compress(capture.body),
            }
        )
        rows.insert(
            {
                "url": article["canonical_url"],
                "site": capture.site,
                "title": article["title"],
                "body": article["body"],
                "published_at": article["published"],
                "reporters": json.dumps(article["reporters"], ensure_ascii=False),
            },
            alter=True,
        )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return wall, cpu


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--articles", type=int, default=100_000)
    parser.add_argument("-q", "--queries", type=int, default=200, help="per query length")
    parser.add_argument("--keep", type=Path, help="write the databases here and keep them")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument(
        "--skip-single", action="store_true", help="skip the run of one commit a save"
    )
    parser.add_argument(
        "--group", type=int, default=100, help="saves a commit in the group-commit run"
    )
    args = parser.parse_args()
    if not (CORPUS / "labels-dev.jsonl").exists():
        print(f"error: corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    paragraphs, reporters = corpus_paragraphs()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="archive-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    ours_path, naive_path = workdir / "archive.db", workdir / "naive.db"
    for path in (ours_path, naive_path, workdir / f"grouped{args.group}.db"):
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
    n = args.articles
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
    try:
        results = {}
        grouped_path = workdir / f"grouped{args.group}.db"
        if args.skip_single:
            ours_path = grouped_path
        else:
            wall, cpu = run_archive(ours_path, make_articles(n, paragraphs, reporters))
            results["archive"] = (wall, cpu, db_bytes(ours_path))
        grouped = run_archive(grouped_path, make_articles(n, paragraphs, reporters), args.group)
        results[f"archive, {args.group} saves a commit"] = (*grouped, db_bytes(grouped_path))
        if not args.skip_naive:
            wall, cpu = run_naive(naive_path, make_articles(n, paragraphs, reporters))
            results["naive"] = (wall, cpu, db_bytes(naive_path))
        print()
        print(f"{'':30} {'saves/s':>9} {'(CPU)':>9} {'bytes/article':>14}")
        for name, (wall, cpu, size) in results.items():
            print(f"{name:30} {n / wall:9.0f} {n / cpu:9.0f} {size / n:14,.0f}")

        ours = open_db(ours_path)
        naive = None if args.skip_naive else Database(naive_path)

        def ours_one(q: str) -> int:
            return len(search(ours, q, limit=20))

        def naive_one(q: str) -> int:
            assert naive is not None
            return len(list(naive["articles"].search(q, limit=20)))

        print()
        print(f"search, {args.queries} queries per length, top 20 by bm25 (ms; found = mean hits)")
        print(
            f"{'length':>6} {'archive p50':>12} {'p95':>7} {'found':>6}   {'naive p50':>10} "
            f"{'p95':>7} {'found':>6}   examples"
        )
        for length in (2, 3, 5):
            queries = query_set(paragraphs, length, args.queries)
            p50, p95, found = time_queries(ours_one, queries)
            line = f"{length:>6} {p50:12.2f} {p95:7.2f} {found:6.1f}"
            if naive is not None:
                np50, np95, nfound = time_queries(naive_one, queries)
                line += f"   {np50:10.2f} {np95:7.2f} {nfound:6.1f}"
            print(line + "   " + " ".join(dict.fromkeys(queries[:4])))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
