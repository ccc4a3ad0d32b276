"""Known-URL memory at a million articles: a dict of URL strings against KnownUrls.

    python bench/known_urls_bench.py [--articles 1000000]

Builds both from the same synthetic canonical URLs (NDSoft-like, ~60 characters) with
publication times, and prints, measured with tracemalloc, the memory each holds once built
and the peak while building, and the time of a million lookups. Target: well under 100 MB.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newscrawl.crawl.known import KnownUrls

START = datetime(2020, 1, 1, tzinfo=UTC)


def pairs(n: int):
    for i in range(n):
        url = f"https://www.paper{i % 300}.co.kr/news/articleView.html?idxno={1_000_000 + i}"
        yield url, START + timedelta(minutes=i) if i % 50 else None


def measure(label: str, build) -> object:
    gc.collect()
    tracemalloc.start()
    value = build()
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<10} held {held / 2**20:7.1f} MB   peak while building {peak / 2**20:7.1f} MB")
    return value


def lookups(known, n: int) -> float:
    urls = [u for u, _ in pairs(n)]
    start = time.perf_counter()
    for url in urls:
        _ = url in known and known[url]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    n = parser.parse_args().articles
    print(f"{n:,} canonical URLs with publication times")
    as_dict = measure("dict", lambda: dict(pairs(n)))
    print(f"{'':<10} {n:,} lookups {lookups(as_dict, n):.2f} s")
    del as_dict
    compact = measure("KnownUrls", lambda: KnownUrls.build(pairs(n)))
    arrays = compact.nbytes / 2**20
    print(f"{'':<10} {n:,} lookups {lookups(compact, n):.2f} s  (arrays: {arrays:.1f} MB)")


if __name__ == "__main__":
    main()
