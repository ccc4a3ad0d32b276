"""The generic path on the article-extraction-benchmark (181 English pages), beside trafilatura.

    python bench/aeb_compare.py [--out DIR]

Writes both systems' bodies in the benchmark's format and prints ../shared/eval/score.py --aeb
for them in one table (newscrawl should be at least as good as trafilatura).
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import trafilatura

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newscrawl.extract import extract  # noqa: E402

AEB = REPO.parent / "shared" / "aeb"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    truth = json.loads((AEB / "ground-truth.json").read_text("utf-8"))
    out = args.out or Path(tempfile.mkdtemp(prefix="aeb-"))
    out.mkdir(parents=True, exist_ok=True)
    ours, theirs = {}, {}
    for key, item in truth.items():
        data = gzip.decompress((AEB / "html" / f"{key}.html.gz").read_bytes())
        ours[key] = {"articleBody": extract(data, item["url"]).body}
        theirs[key] = {"articleBody": trafilatura.extract(data, url=item["url"]) or ""}
    files = []
    for name, preds in (("newscrawl", ours), ("trafilatura-here", theirs)):
        path = out / f"{name}.json"
        path.write_text(json.dumps(preds, ensure_ascii=False), "utf-8")
        files.append(str(path))
    score = REPO.parent / "shared" / "eval" / "score.py"
    published = AEB / "output" / "trafilatura.json.gz"
    cmd = [sys.executable, str(score), "--aeb", str(AEB / "ground-truth.json"), *files]
    if published.exists():
        cmd.append(str(published))
    return subprocess.run(cmd, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
