"""Pages per second of newscrawl's extract() against trafilatura alone, same pages, same run.

    python bench/extract_speed.py [--rounds 5] [--pages DIR ...]

Both get the raw bytes of every corpus page (../shared/corpus) each round; the figures are
medians over rounds, and the ratio is extract() / trafilatura (>= 1.0 means not slower).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newscrawl.extract import extract  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"


def pages(dirs: list[Path]) -> list[tuple[str, bytes]]:
    found = [p for d in dirs for p in sorted(d.glob("*.html"))]
    return [(f"https://{p.stem}.example/", p.read_bytes()) for p in found]


def rate(
    run: Callable[[bytes, str], object], docs: list[tuple[str, bytes]], rounds: int
) -> list[float]:
    rates = []
    for _ in range(rounds):
        started = time.perf_counter()
        for url, data in docs:
            run(data, url)
        rates.append(len(docs) / (time.perf_counter() - started))
    return rates


def ours(data: bytes, url: str) -> object:
    return extract(data, url)


def baseline(data: bytes, url: str) -> object:
    return trafilatura.bare_extraction(data, url=url, with_metadata=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--pages", type=Path, nargs="*", default=[CORPUS / "pages", CORPUS / "seed"]
    )
    args = parser.parse_args()
    docs = pages(args.pages)
    if not docs:
        print(f"no pages under {args.pages}", file=sys.stderr)
        return 2
    rate(ours, docs[:3], 1)  # warm imports and caches of both before timing
    rate(baseline, docs[:3], 1)
    # Interleave rounds so drifts in machine load hit both alike.
    ours_rates, base_rates = [], []
    for _ in range(args.rounds):
        ours_rates += rate(ours, docs, 1)
        base_rates += rate(baseline, docs, 1)
    mb = sum(len(d) for _, d in docs) / 1e6
    o, b = statistics.median(ours_rates), statistics.median(base_rates)
    print(f"{len(docs)} pages, {mb:.1f} MB, {args.rounds} rounds (medians)")
    print(f"newscrawl extract()                         {o:8.1f} pages/s")
    print(f"trafilatura bare_extraction(with_metadata)  {b:8.1f} pages/s")
    print(f"ratio extract / trafilatura                 {o / b:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
