"""The reading room's parts: KST times, word diffs, captured pages, metadata for any file
name, readable cells, and the pages of an in-process datasette over a small archive."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from datasette.app import Datasette
from hypothesis import given
from hypothesis import strategies as st

from archive import open_db, save
from archive.datasette_plugin import cells
from archive.datasette_plugin.captured import CSP, decode_capture, replay_html
from archive.datasette_plugin.diff import word_diff
from archive.datasette_plugin.metadata import ArchiveDetector, archive_metadata
from archive.datasette_plugin.suggestions import without_suggestions
from archive.datasette_plugin.times import kst
from archive.queries import CANNED
from tests.archive_helpers import article, capture

URL = "https://www.kbsm.net/news/articleView.html?idxno=7"
BODY_1 = "경주시는 23일 관광객을 맞을 준비를 마쳤다.\n포항과 대구에서도 손님이 온다."
BODY_2 = "경주시가 24일 관광객을 맞을 준비를 마쳤다.\n포항과 대구에서도 손님이 온다.\n정정 보도다."


# --- times ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("2021-03-23T20:20:00+09:00", "2021-03-23 20:20 KST"),
        ("2025-05-27T01:00:00+00:00", "2025-05-27 10:00 KST"),  # a UTC fetch time
        ("2021-03-22T23:30:00+00:00", "2021-03-23 08:30 KST"),  # the next day in Korea
        ("2021-03-23", "2021-03-23"),  # only the day was printed
        ("2021-03-23T20:20:00", "2021-03-23 20:20"),  # no offset: shown as stored
        ("어제 오후", "어제 오후"),  # not ISO: never dropped
        (None, ""),
    ],
)
def test_kst(stored, shown):
    assert kst(stored) == shown


# --- diffs ---------------------------------------------------------------------------


def test_word_diff_replaces_whole_korean_words():
    changes = [(c.kind, c.text) for c in word_diff(BODY_1, BODY_2)]
    assert changes == [
        ("removed", "경주시는"),
        ("added", "경주시가"),
        ("same", " "),
        ("removed", "23일"),
        ("added", "24일"),
        ("same", " 관광객을 맞을 준비를 마쳤다.\n포항과 대구에서도 손님이 온다."),
        ("added", "\n정정 보도다."),
    ]


def test_word_diff_of_equal_texts_is_one_run():
    assert [(c.kind, c.text) for c in word_diff(BODY_1, BODY_1)] == [("same", BODY_1)]
    assert word_diff(None, "") == []


@given(
    st.text(alphabet="경주시는 가나\n다.", max_size=40),
    st.text(alphabet="경주시는 가나\n다.", max_size=40),
)
def test_word_diff_rebuilds_both_versions(old, new):
    changes = word_diff(old, new)
    assert "".join(c.text for c in changes if c.kind != "added") == old
    assert "".join(c.text for c in changes if c.kind != "removed") == new


# --- captured pages ------------------------------------------------------------------


PAGE = (
    "<html><head><meta charset='euc-kr'><title>경북신문</title></head>"
    "<body><p>경주시</p></body></html>"
)


@pytest.mark.parametrize(
    ("raw", "encoding", "headers", "expected"),
    [
        (PAGE.encode("cp949"), None, "{}", "경주시"),  # <meta charset>
        (PAGE.encode("cp949"), "euc-kr", "{}", "경주시"),  # the capture's encoding
        (
            "<p>똠방각하</p>".encode("cp949"),
            None,
            '{"Content-Type": ["text/html; charset=EUC-KR"]}',
            "똠방각하",
        ),  # cp949 beyond EUC-KR
        ("<p>경주시</p>".encode(), None, "{}", "경주시"),  # undeclared UTF-8
        ("<p>경주시</p>".encode("cp949"), None, "{}", "경주시"),  # undeclared, not UTF-8
        ("<p>경주시</p>".encode(), "no-such-codec", "not json", "경주시"),
    ],
)
def test_decode_capture(raw, encoding, headers, expected):
    assert expected in decode_capture(raw, encoding=encoding, headers_json=headers)


def test_replay_puts_an_escaped_banner_first_in_the_body():
    page = replay_html(
        '<html><body class="x"><p>기사</p></body></html>',
        url="https://a.kr/?a=1&b=<2>",
        fetched_kst="2025-05-27 10:00 KST",
        status=200,
        article_href="/news/articles/1",
    )
    head, rest = page.split('<body class="x">')
    assert head == "<html>"
    assert rest.index("Archived capture") < rest.index("<p>기사</p>")
    assert "https://a.kr/?a=1&amp;b=&lt;2&gt;" in rest and "2025-05-27 10:00 KST" in rest
    assert (
        replay_html("<p>조각</p>", url="u", fetched_kst="t", status=404, article_href="/")[
            -len("<p>조각</p>") :
        ]
        == "<p>조각</p>"
    )


def test_csp_sandboxes_and_blocks_every_request():
    directives = {}
    for directive in filter(None, (d.strip() for d in CSP.split(";"))):
        name, _, value = directive.partition(" ")
        directives[name] = value
    assert directives["sandbox"] == ""  # no allow-scripts, no allow-same-origin
    assert directives["default-src"] == "'none'"
    assert directives["img-src"] == "data:"
    assert "script-src" not in directives and "connect-src" not in directives


# --- schema: KST days ----------------------------------------------------------------


def test_published_date_is_the_korean_day(tmp_path):
    db = open_db(tmp_path / "a.db")
    cases = {
        "2021-03-23T08:20:00+09:00": "2021-03-23",  # the UTC day would be 03-22
        "2021-03-23T23:59:00+09:00": "2021-03-23",
        "2021-03-22T23:30:00+00:00": "2021-03-23",
        "2021-03-23": "2021-03-23",
        None: None,
    }
    for i, published in enumerate(cases):
        url = f"https://www.kbsm.net/news/{i}"
        save(db, capture(url, minutes=i), article(url, published=published))
    got = dict(db.execute("SELECT published_at, published_date FROM articles").fetchall())
    assert got == cases
    # fetched 2025-05-27 01:00 UTC and later: 10:00 KST the same day
    assert {d for (d,) in db.execute("SELECT fetched_date FROM captures")} == {"2025-05-27"}
    assert db.execute(
        "SELECT count(*) FROM articles WHERE published_date = '2021-03-23'"
    ).fetchone() == (4,)


# --- metadata for any file name ------------------------------------------------------


def test_metadata_applies_to_each_archive_by_its_name():
    meta = archive_metadata(["daegu", "gyeongbuk_2021"])
    assert set(meta["databases"]) == {"daegu", "gyeongbuk_2021"}
    block = meta["databases"]["daegu"]
    articles = block["tables"]["articles"]
    assert articles["fts_table"] == "articles_search"
    assert "published_date" in articles["facets"]
    assert {n: q["sql"].strip() for n, q in block["queries"].items()} == {
        n: sql.strip() for n, sql in CANNED.items()
    }
    # column descriptions folded into a <details> of the table's description
    details = lxml.html.fromstring(articles["description_html"]).cssselect("details dt")
    assert [dt.text for dt in details] == list(articles["columns"])
    assert archive_metadata([]) == {}


def test_detector_recognises_archives_by_their_tables(tmp_path):
    open_db(tmp_path / "crawl.db").close()
    plain = sqlite3.connect(tmp_path / "plain.db")
    plain.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY)")
    plain.commit()
    plain.close()
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)

    class Db:
        def __init__(self, path: Path) -> None:
            self.path, self.is_memory = str(path), False

    class Ds:
        def __init__(self) -> None:
            self.databases = {n: Db(tmp_path / f"{n}.db") for n in ("crawl", "plain", "junk")}

    assert ArchiveDetector()(Ds()) == ["crawl"]


# --- cells ---------------------------------------------------------------------------


class Urls:
    def article(self, article_id):
        return f"/db/articles/{article_id}"

    def diff(self, article_id, *, old=None, new=None):
        return f"/db/articles/{article_id}/diff?new={new}"

    def capture(self, capture_id):
        return f"/db/captures/{capture_id}/page"


def cell(column: str, value: Any, table: str | None = "articles", **row: Any) -> str:
    return str(cells.render(row=row, value=value, column=column, table=table, urls=Urls()))


def test_cells_read_as_text():
    assert cell("reporters", '["한승우", "김범수"]') == "한승우, 김범수"
    assert cell("published_at", "2021-03-23T20:20:00+09:00") == (
        '<span title="2021-03-23T20:20:00+09:00">2021-03-23 20:20 KST</span>'
    )
    assert cell("title", "<경주>", id=3) == '<a href="/db/articles/3">&lt;경주&gt;</a>'
    assert len(cell("body", "가" * 500)) == 91  # one line, not the whole text
    assert cell("site", {"value": "kbsm", "label": None}) == "kbsm"
    second = cell("body", "고친 본문", table="revisions", article_id=2, number=2)
    assert second == '고친 본문 <a href="/db/articles/2/diff?new=2">changes</a>'
    assert cell("body", "첫 본문", table="revisions", article_id=2, number=1) == "첫 본문"
    stats = cell("stats", json.dumps({"archive/new": 5, "downloader/x": 1}), table="crawl_runs")
    assert "2 counters: new 5" in stats and "<td>downloader/x</td><td>1</td>" in stats
    headers = cell(
        "headers", '{"Content-Type": ["text/html; charset=utf-8"], "X": ["1"]}', "captures"
    )
    assert "2 headers: text/html; charset=utf-8" in headers and "<td>X</td><td>1</td>" in headers
    assert "view as captured" in cell("final_url", "https://a.kr/1", table="captures", id=4)
    assert cell("versions", 3, table=None, id=9) == (
        '<a href="/db/articles/9/diff?new=None">3 versions: what changed</a>'
    )
    assert cells.render(row={}, value="x", column="url", table="articles", urls=Urls()) is None


# --- an in-process datasette over an archive not called news.db ----------------------


@pytest.fixture(scope="module")
def archive_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("room") / "gyeongju-2021.db"
    db = open_db(path)
    page = f"<html><head><meta charset='euc-kr'></head><body><p>{BODY_1}</p></body></html>"
    first = capture(URL, body=page.encode("cp949"), minutes=0)
    first.encoding = None
    first.headers = {"Content-Type": "text/html"}
    fields = {"reporters": ["한승우"], "reporter_emails": ["han@kbsm.net"]}
    save(db, first, article(URL, body=BODY_1, **fields))
    save(db, capture(URL, body=b"<p>v2</p>", minutes=60), article(URL, body=BODY_2, **fields))
    db.close()
    return path


def get(path: Path, url: str) -> Any:
    async def fetch():
        return await Datasette([str(path)]).client.get(url)

    return asyncio.run(fetch())


def test_article_page_of_any_file_name(archive_db):
    response = get(archive_db, "/gyeongju-2021/articles/1")
    assert response.status_code == 200
    page = lxml.html.fromstring(response.text)
    assert [h.text for h in page.cssselect("h1.newscrawl-headline")] == ["경주시, 관광객 맞이 준비"]
    assert [p.text for p in page.cssselect(".newscrawl-body p")] == BODY_2.splitlines()
    assert "2021-03-23 20:20 KST" in page.cssselect(".newscrawl-times")[0].text_content()
    assert page.cssselect(".newscrawl-source a")[0].get("href") == URL
    assert "한승우 han@kbsm.net" in page.cssselect(".newscrawl-byline")[0].text_content()
    assert "/gyeongju-2021/articles/1/diff?old=1&new=2" in [
        a.get("href") for a in page.cssselect("a")
    ]


def test_diff_page_and_unknown_revisions(archive_db):
    page = lxml.html.fromstring(get(archive_db, "/gyeongju-2021/articles/1/diff").text)
    assert [e.text for e in page.cssselect("del")][-2:] == ["경주시는", "23일"]
    assert [e.text for e in page.cssselect("ins")][-3:] == ["경주시가", "24일", "\n정정 보도다."]
    assert get(archive_db, "/gyeongju-2021/articles/1/diff?old=7").status_code == 404
    assert get(archive_db, "/gyeongju-2021/articles/99/diff").status_code == 404
    assert get(archive_db, "/gyeongju-2021/articles/1/diff?new=x").status_code == 400


def test_captured_page_is_decoded_and_sandboxed(archive_db):
    response = get(archive_db, "/gyeongju-2021/captures/1/page")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "경주시는 23일" in response.text and "Archived capture" in response.text
    assert get(archive_db, "/gyeongju-2021/captures/99/page").status_code == 404


def test_search_box_metadata_and_queries_follow_the_file(archive_db):
    data = get(archive_db, "/gyeongju-2021/articles.json?_search=정정&_shape=objects").json()
    assert [row["url"] for row in data["rows"]] == [URL]
    html = get(archive_db, "/gyeongju-2021/articles?_search=정정").text
    assert "<mark>정정</mark>" in html
    assert get(archive_db, "/gyeongju-2021/search.json?q=경주시").status_code == 200
    table = get(archive_db, "/gyeongju-2021/articles").text
    columns = len(get(archive_db, "/gyeongju-2021/articles.json?_shape=objects").json()["rows"][0])
    assert f"About the {columns} columns" in table and 'class="column-descriptions"' in table
    assert "articles-columns.css" in table
    every = get(archive_db, "/gyeongju-2021/articles?_columns=all").text
    assert "articles-columns.css" not in every and "reading-room.css" in every


def test_other_databases_keep_datasettes_own_pages(archive_db, tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT)")
    conn.execute("INSERT INTO articles VALUES (1, '다른 표')")
    conn.commit()
    conn.close()

    async def fetch(url):
        return await Datasette([str(archive_db), str(other)]).client.get(url)

    row = asyncio.run(fetch("/other/articles/1"))
    assert row.status_code == 200 and "newscrawl-headline" not in row.text
    assert "다른 표" in row.text
    assert asyncio.run(fetch("/other/articles/1/diff")).status_code == 404
    assert "newscrawl-headline" in asyncio.run(fetch("/gyeongju-2021/articles/1")).text


def test_sqlite_utils_cli_searches_as_the_readme_says(archive_db):
    sql = (
        "SELECT a.id, a.title FROM articles a WHERE a.id IN "
        "(SELECT rowid FROM articles_search WHERE articles_search MATCH search_expression(:q))"
    )
    functions = "from archive.queries import search_expression"
    command = ["query", str(archive_db), sql, "-p", "q", "정정", "--functions", functions]
    proc = subprocess.run(
        [sys.executable, "-m", "sqlite_utils", *command],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [{"id": 1, "title": "경주시, 관광객 맞이 준비"}]


def test_links_hold_for_a_file_name_datasette_must_escape(archive_db, tmp_path):
    odd = tmp_path / "gb news.v2.db"
    odd.write_bytes(archive_db.read_bytes())

    async def fetch_all() -> list[int]:
        client = Datasette([str(odd)]).client
        page = await client.get("/gb~20news~2Ev2/articles/1")
        hrefs = [a.get("href") for a in lxml.html.fromstring(page.text).cssselect("a")]
        room = [h for h in hrefs if h.endswith("/page") or "/diff" in h]
        assert len(room) == 3  # one diff, two captures
        return [(await client.get(h)).status_code for h in room]

    assert asyncio.run(fetch_all()) == [200, 200, 200]


def test_growing_tables_suggest_no_facets_unless_asked(archive_db, tmp_path):
    # Suggestions count every column over the whole table: seconds at 300,000 articles.
    for table in ("articles", "captures", "revisions"):
        data = get(archive_db, f"/gyeongju-2021/{table}.json").json()
        assert data["suggested_facets"] == []
        asked = get(archive_db, f"/gyeongju-2021/{table}.json?_nosuggest=").json()
        assert asked["suggested_facets"], table
    # the facets of metadata.yml are still computed
    facets = get(archive_db, "/gyeongju-2021/articles.json").json()["facet_results"]
    assert {"site", "published_date"} <= set(facets)
    # other databases keep datasette's suggestions
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, kind TEXT)")
    conn.executemany("INSERT INTO articles(kind) VALUES (?)", [("a",), ("b",), ("a",)])
    conn.commit()
    conn.close()
    assert get(other, "/other/articles.json").json()["suggested_facets"]


def test_only_growing_archive_tables_are_asked_for_no_suggestions(archive_db):
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["query_string"])

    datasette = Datasette([str(archive_db)])
    wrapped = without_suggestions(datasette, app)
    for path, query in [
        ("/gyeongju-2021/articles.json", b"_search=x"),
        ("/gyeongju-2021/revisions", b""),
        ("/gyeongju-2021/captures.csv", b"_nosuggest="),
        ("/gyeongju-2021/sites", b""),
        ("/gyeongju-2021/articles/1", b""),
        ("/gyeongju-2021", b""),
    ]:
        asyncio.run(wrapped({"type": "http", "path": path, "query_string": query}, None, None))
    assert seen == [b"_search=x&_nosuggest=1", b"_nosuggest=1", b"_nosuggest=", b"", b"", b""]


def test_revisions_open_newest_recorded_first(archive_db):
    # By id, not fetched_at: the revisions table has no index on fetched_at, and sorting
    # the whole table took datasette past its time limit at 300,000 articles.
    data = get(archive_db, "/gyeongju-2021/revisions.json?_shape=objects").json()
    assert "order by id desc" in data["query"]["sql"]
    assert [row["number"] for row in data["rows"]] == [2, 1]
