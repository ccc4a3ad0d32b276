"""What a cluster node's archive memory costs: bytes in Redis and seconds at the node's start.

    python bench/cluster_memory_bench.py [--articles 100000] [--sites 10]

Builds an archive of synthetic articles (one capture each, rows written directly), then
times, on a redis-server of its own on loopback: the local read a node on the archive's
machine makes (``read_archive``), and the whole exchange a node elsewhere makes (question,
the writer's reading and answer, the node's decoding), with the answer's size in Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis

import archive
from newscrawl.cluster.memory import ANSWER_PREFIX, answer_questions, ask_writer, encode_memory
from newscrawl.crawl.memory import read_archive
from tests.redis_server import redis_server

START = datetime(2020, 1, 1, tzinfo=UTC)


def build(path: Path, articles: int, sites: int) -> list[str]:
    archive.open_db(str(path)).close()  # the schema
    names = [f"paper{s}" for s in range(sites)]
    conn = sqlite3.connect(path)
    conn.executemany("INSERT INTO sites(name) VALUES (?)", [(n,) for n in names])
    conn.execute("INSERT INTO blobs(sha256, size, compression, data) VALUES ('x', 0, 'none', '')")
    captures, rows = [], []
    for i in range(articles):
        site = names[i % sites]
        url = f"https://www.{site}.co.kr/news/articleView.html?idxno={1_000_000 + i}"
        when = (START + timedelta(minutes=i)).isoformat()
        captures.append((i + 1, url, url, 200, when, "{}", "x", 0, site))
        rows.append((i + 1, url, site, when, "h", "ok", when, when, i + 1))
    conn.executemany(
        "INSERT INTO captures(id, url, final_url, status, fetched_at, headers, sha256, size, "
        "site) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        captures,
    )
    conn.executemany(
        "INSERT INTO articles(id, url, site, published_at, content_hash, status, first_seen, "
        "last_seen, capture_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    conn.close()
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--sites", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "news.db"
        sites = build(db, args.articles, args.sites)
        options = {"spider": "news", "sites": sites, "since": None, "revisit": timedelta(days=2)}
        started = time.perf_counter()
        memory = read_archive(str(db), own_run=None, **options)  # type: ignore[arg-type]
        local = time.perf_counter() - started
        size = len(encode_memory(memory))
        with redis_server(Path(tmp)) as url:
            server = redis.Redis.from_url(url)
            before = int(server.info("memory")["used_memory"])

            def writer() -> None:
                while not answer_questions(server, str(db)):
                    time.sleep(0.01)

            thread = threading.Thread(target=writer)
            started = time.perf_counter()
            thread.start()
            node = asyncio.run(ask_writer(server, timeout=600, poll=0.01, **options))  # type: ignore[arg-type]
            remote = time.perf_counter() - started
            thread.join()
            # The answer again, kept as the writer keeps it, for Redis' own count.
            server.set(ANSWER_PREFIX + "bench", encode_memory(node), ex=60)
            held = int(server.info("memory")["used_memory"]) - before
        print(
            json.dumps(
                {
                    "articles": args.articles,
                    "known_urls": len(memory.known),
                    "answer_bytes": size,
                    "redis_used_memory_delta": held,
                    "local_read_s": round(local, 2),
                    "node_elsewhere_s": round(remote, 2),
                }
            )
        )


if __name__ == "__main__":
    main()
