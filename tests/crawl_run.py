"""Running ``scrapy crawl news`` as a real process against loopback sites, for the tests of
exit status, retries and feeds: the command line, a registry file and the archive's rows."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.shared import REPO

FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "NEWSCRAWL_RETRY_BACKOFF_BASE": "0.1",
    "NEWSCRAWL_EXTRACT_WORKERS": "0",
    "LOG_LEVEL": "INFO",
}


def site_entry(name: str, home_url: str, *, cms: str = "ndsoft", region: str = "경북") -> str:
    return (
        f'[[site]]\nname = "{name}"\ntitle = "{name}"\nhome_url = "{home_url}"\n'
        f'cms = "{cms}"\nregion = "{region}"\n'
    )


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Run:
    """A finished crawl: exit status, stderr (the log), wall time."""

    returncode: int
    stderr: str
    seconds: float

    def last_lines(self, n: int = 5) -> list[str]:
        return self.stderr.strip().splitlines()[-n:]


@dataclass
class Crawl:
    """A registry and an archive in ``tmp``; ``run`` starts a crawl over them."""

    tmp: Path

    @property
    def registry(self) -> Path:
        return self.tmp / "sites.toml"

    @property
    def db(self) -> Path:
        return self.tmp / "news.db"

    def write_registry(self, *entries: str) -> None:
        self.registry.write_text("\n".join(entries), encoding="utf-8")

    def command(self, *args: str, **settings: str) -> list[str]:
        merged = {
            **FAST,
            "NEWSCRAWL_SITES_FILE": str(self.registry),
            "ARCHIVE_DB_PATH": str(self.db),
            **settings,
        }
        sets = [a for k, v in merged.items() for a in ("-s", f"{k}={v}")]
        return [sys.executable, "-m", "scrapy", "crawl", "news", *args, *sets]

    def run(self, *args: str, timeout: float = 120, **settings: str) -> Run:
        start = time.monotonic()
        proc = subprocess.run(
            self.command(*args, **settings),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Run(proc.returncode, proc.stderr, time.monotonic() - start)

    def rows(self, sql: str, *params: object) -> list[tuple]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql, params).fetchall()
