"""``datasette serve`` as a real process on a free loopback port, for the reading-room tests."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.redis_server import free_port


@contextmanager
def datasette_serving(
    *args: str, cwd: Path, ready: str = "/-/versions.json", timeout: float = 60
) -> Iterator[str]:
    """Run ``datasette serve ARGS`` for the block; yields its base URL once ``ready`` (a path)
    answers. Stopped with SIGTERM, killed if it does not end in 10 s."""
    port = free_port()
    where = ["--port", str(port), "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", *args, *where],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=cwd,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(base + ready, timeout=10):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    stderr = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"datasette did not start: {stderr}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
