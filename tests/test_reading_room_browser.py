"""The reading room in a real browser: headless Chromium opens datasette's pages over an
archive written by a loopback crawl, and the tests assert what a reader sees.

The archive file is deliberately not called news.db (the plugin must recognise it by its
tables). Screenshots of each page are kept in ``$NEWSCRAWL_SCREENSHOT_DIR`` (default: a
``newscrawl-screenshots`` directory in the system temp dir) for CI to collect.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import lxml.html
import pytest

from tests.datasette_server import datasette_serving
from tests.mocksite import corpus_missing
from tests.mocksite.server import MockServer, serving
from tests.mocksite.sites import GnuboardSite
from tests.shared import REPO

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "/usr/bin/chromium is absent (CI installs Debian's chromium and fonts-noto-cjk)",
        allow_module_level=True,
    )
if reason := corpus_missing():
    pytest.skip(reason, allow_module_level=True)

SHOTS = Path(
    os.environ.get("NEWSCRAWL_SCREENSHOT_DIR")
    or Path(tempfile.gettempdir()) / "newscrawl-screenshots"
)
KST = timezone(timedelta(hours=9))
# A script that would mark the page, and an image from a loopback server we watch.
HOSTILE = (
    ' <script>document.documentElement.setAttribute("data-script", "ran");</script>'
    '<img src="{beacon}">'
)
CORRECTION = " (정정) 토론회 장소를 바로잡습니다."

REGISTRY = """
[[site]]
name = "mock-gb"
title = "경북 뉴스"
home_url = "{gb}"
cms = "gnuboard"
region = "경북"
"""


@dataclass
class Room:
    base: str  # datasette's URL of the archive database, e.g. http://127.0.0.1:PORT/daegu-2021
    site: GnuboardSite
    server: MockServer
    db: Path
    tmp: Path
    live_dom: str  # the corrected-to-be article fetched live, scripts allowed (the control)
    live_beacon: bool  # whether that live page requested the beacon image (the control)

    def rows(self, sql: str, *params: object) -> list[tuple]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql, params).fetchall()


def chromium(url: str, tmp: Path, *, shot: str | None = None) -> str:
    """The DOM of ``url`` after Chromium loaded it (scripts allowed to run); a screenshot too."""
    profile = tempfile.mkdtemp(prefix="chromium-", dir=tmp)  # no shared profile between runs
    args = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--window-size=1280,2000",
        "--virtual-time-budget=3000",  # timers and load events run before the dump
    ]
    if shot:
        SHOTS.mkdir(parents=True, exist_ok=True)
        args.append(f"--screenshot={SHOTS / shot}")
    proc = subprocess.run(
        [*args, "--dump-dom", url], capture_output=True, text=True, timeout=120, cwd=tmp
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def crawl(registry: Path, db: Path) -> None:
    settings = {
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "NEWSCRAWL_EXTRACT_WORKERS": "0",
        "NEWSCRAWL_SITES_FILE": str(registry),
        "ARCHIVE_DB_PATH": str(db),
        "LOG_LEVEL": "INFO",
    }
    sets = [a for k, v in settings.items() for a in ("-s", f"{k}={v}")]
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news", "-a", "site=mock-gb", *sets],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    tmp = tmp_path_factory.mktemp("reading-room")
    site = GnuboardSite()
    with serving(site) as server:
        site.base = server.base_url.rstrip("/")
        registry = tmp / "sites.toml"
        registry.write_text(REGISTRY.format(gb=server.base_url), encoding="utf-8")
        db = tmp / "daegu-2021.db"
        newest = site.articles[0]  # inside the revisit window: the second crawl sees its fix
        newest.extra = HOSTILE.format(beacon=f"{server.base_url}beacon.gif")
        crawl(registry, db)
        server.log.clear()
        live_dom = chromium(site.url(newest.id), tmp)
        live_beacon = bool(server.requests_for("beacon"))
        newest.extra = CORRECTION
        crawl(registry, db)
        server.log.clear()
        with datasette_serving(str(db), cwd=tmp, ready="/daegu-2021.json") as root:
            yield Room(f"{root}/daegu-2021", site, server, db, tmp, live_dom, live_beacon)


def texts(dom: str, css: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in lxml.html.fromstring(dom).cssselect(css)]


def script_ran(dom: str) -> bool:
    """Whether the hostile script marked the page it is in."""
    return lxml.html.fromstring(dom).getroottree().getroot().get("data-script") == "ran"


def article_id(room: Room, wr_id: int) -> int:
    return room.rows("SELECT id FROM articles WHERE url = ?", room.site.url(wr_id))[0][0]


def test_article_page_reads_as_an_article(room: Room) -> None:
    newest = room.site.articles[0]
    aid = article_id(room, newest.id)
    title, body, published = room.rows(
        "SELECT title, body, published_at FROM articles WHERE id = ?", aid
    )[0]
    dom = chromium(f"{room.base}/articles/{aid}", room.tmp, shot="article.png")
    assert texts(dom, "h1.newscrawl-headline") == [title] == [newest.title]
    # every paragraph of the body, each its own <p>, in order
    paragraphs = [" ".join(p.split()) for p in body.splitlines() if p.strip()]
    assert len(paragraphs) >= 3
    assert texts(dom, ".newscrawl-body p") == paragraphs
    assert any("바로잡습니다" in p for p in paragraphs)  # the corrected version
    # published in Korean time, as the page printed it (the mock prints KST)
    shown = f"{newest.published:%Y-%m-%d %H:%M} KST"
    assert datetime.fromisoformat(published).astimezone(KST).strftime("%Y-%m-%d %H:%M KST") == shown
    assert shown in texts(dom, ".newscrawl-times")[0]
    page = lxml.html.fromstring(dom)
    assert page.cssselect(".newscrawl-source a")[0].get("href") == room.site.url(newest.id)
    assert "경북 뉴스" in texts(dom, ".newscrawl-kicker")[0]  # the site by its name
    # two revisions with a diff link, two captures each viewable as captured
    links = [a.get("href") for a in page.cssselect(".newscrawl-history a")]
    assert f"/daegu-2021/articles/{aid}/diff?old=1&new=2" in links
    assert sum("/captures/" in href and href.endswith("/page") for href in links) == 2


def test_search_box_finds_a_two_syllable_word_with_its_passage(room: Room) -> None:
    query = urllib.parse.urlencode({"_search": "장소"})
    dom = chromium(f"{room.base}/articles?{query}", room.tmp, shot="search.png")
    # only the corrected article says 장소; its row shows the passage, the word marked
    assert texts(dom, ".newscrawl-search td.col-title") == [room.site.articles[0].title]
    assert texts(dom, ".newscrawl-search td.col-match mark") == ["장소"]
    assert "1 row where search matches" in " ".join(texts(dom, "h3"))
    everyone = chromium(
        f"{room.base}/articles?{urllib.parse.urlencode({'_search': '전략'})}", room.tmp
    )
    titles = texts(everyone, ".newscrawl-search td.col-title")
    assert sorted(titles) == sorted(a.title for a in room.site.articles)


def test_articles_table_opens_on_data(room: Room) -> None:
    dom = chromium(f"{room.base}/articles", room.tmp, shot="articles-table.png")
    page = lxml.html.fromstring(dom)
    # column documentation folded away, the reading columns' stylesheet applied
    assert page.cssselect("details.newscrawl-columns")
    assert any("articles-columns.css" in (link.get("href") or "") for link in page.iter("link"))
    reporters = texts(dom, "td.col-reporters")
    assert reporters and not any(r.startswith("[") for r in reporters)  # names, not JSON
    assert all(t.endswith("KST") for t in texts(dom, "td.col-published_at"))


def test_diff_shows_the_correction_word_by_word(room: Room) -> None:
    aid = article_id(room, room.site.articles[0].id)
    dom = chromium(f"{room.base}/articles/{aid}/diff", room.tmp, shot="diff.png")
    assert texts(dom, ".newscrawl-diff-field ins") == ["(정정) 토론회 장소를 바로잡습니다."]
    assert texts(dom, ".newscrawl-diff-field del") == []
    assert "Version 1" in texts(dom, ".newscrawl-diff-versions")[0]


def test_captured_page_is_replayed_in_a_sandbox(room: Room) -> None:
    newest = room.site.articles[0]
    (first_capture,) = room.rows(
        "SELECT id FROM captures WHERE url = ? ORDER BY fetched_at LIMIT 1",
        room.site.url(newest.id),
    )[0]
    url = f"{room.base}/captures/{first_capture}/page"
    with urllib.request.urlopen(url, timeout=30) as response:
        csp = response.headers["Content-Security-Policy"]
    directives = {d.strip().split(" ")[0] for d in csp.split(";")}
    assert {"sandbox", "default-src"} <= directives and "default-src 'none'" in csp
    assert "script-src" not in csp and "allow-scripts" not in csp
    # The control: the same page live, scripts allowed, replaced itself and fetched the beacon.
    assert script_ran(room.live_dom) and room.live_beacon
    room.server.log.clear()
    dom = chromium(url, room.tmp, shot="captured.png")
    assert not script_ran(dom)
    assert 'setAttribute("data-script", "ran")' in dom  # the script is there, inert
    assert newest.title in dom  # EUC-KR bytes decoded with the capture's encoding
    assert re.search(r"Archived capture</strong> — fetched \d{4}-\d\d-\d\d \d\d:\d\d KST", dom)
    assert room.site.url(newest.id) in texts(dom, "code")
    assert room.server.requests_for("beacon") == []  # nothing requested from the "live site"
