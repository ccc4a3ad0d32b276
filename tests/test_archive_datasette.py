"""metadata.yml describes everything, and a real datasette serves search, facets and queries."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request

import pytest
import yaml

from archive import open_db, save
from archive.queries import CANNED
from tests.archive_helpers import article, capture, corpus_labels, label_article
from tests.datasette_server import datasette_serving
from tests.shared import REPO

METADATA = REPO / "archive" / "metadata.yml"


def metadata() -> dict:
    return yaml.safe_load(METADATA.read_text(encoding="utf-8"))


def test_every_table_and_column_is_described(tmp_path):
    db = open_db(tmp_path / "news.db")
    tables = metadata()["databases"]["news"]["tables"]
    shadow = re.compile(r"^articles_search_(data|idx|docsize|config|content)$")
    for table in db.table_names():
        if shadow.match(table):
            continue  # FTS5's own storage; datasette hides it
        assert tables.get(table, {}).get("description"), f"table {table} is not described"
        described = tables[table].get("columns", {})
        xinfo = db.execute(f"PRAGMA table_xinfo([{table}])").fetchall()
        columns = [row[1] for row in xinfo if row[6] != 1]  # 1: hidden (FTS5 internals)
        for column in columns:
            assert described.get(column), f"column {table}.{column} is not described"
        assert set(described) <= set(columns), f"{table}: described columns that do not exist"


def test_canned_queries_are_the_ones_the_cli_uses():
    queries = metadata()["databases"]["news"]["queries"]
    assert set(queries) == set(CANNED)
    for name, sql in CANNED.items():
        assert queries[name]["sql"].strip() == sql.strip(), name
        assert queries[name]["title"] and queries[name]["description"]


def get_json(base: str, path: str, **params: str) -> dict:
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    labels = corpus_labels()
    path = tmp_path_factory.mktemp("datasette") / "news.db"
    db = open_db(path)
    for i, label in enumerate(labels):
        save(
            db,
            capture(label["url"], body=label["body"].encode(), minutes=i, site=None),
            label_article(label),
        )
    # a revised article and an extraction failure, for the canned queries
    save(
        db,
        capture("https://www.kbsm.net/news/9", minutes=100),
        article("https://www.kbsm.net/news/9"),
    )
    save(
        db,
        capture("https://www.kbsm.net/news/9", body=b"v2", minutes=200),
        article("https://www.kbsm.net/news/9", body="경주시는 고쳐 쓴 기사다."),
    )
    save(
        db,
        capture("https://www.kbsm.net/list", minutes=300),
        article("https://www.kbsm.net/list", status="not_article"),
    )
    db.close()
    with datasette_serving(str(path), "-m", str(METADATA), cwd=REPO, timeout=30) as base:
        yield base, {label["url"]: label for label in labels}


def test_search_box_of_articles_finds_two_syllables(server):
    base, labels = server
    data = get_json(base, "/news/articles.json", _search="대구", _shape="objects")
    expected = {url for url, label in labels.items() if "대구" in label["title"] + label["body"]}
    assert {row["url"] for row in data["rows"]} == expected
    published = [row["published_at"] for row in data["rows"]]
    assert published == sorted(published, reverse=True)  # sorted by published_at desc


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("대구시", ["대구시"]),
        ("코로나19", ["코로나19"]),
        ("경주시", ["경주시"]),
        ("대구시 코로나", ["대구시", "코로나"]),
    ],
)
def test_search_box_finds_longer_terms_inside_words(server, query, terms):
    # the archive's datasette plugin makes ?_search= build the bigram phrase query
    base, labels = server
    texts = {url: (label["title"], label["body"]) for url, label in labels.items()}
    texts["https://www.kbsm.net/news/9"] = ("경주시, 관광객 맞이 준비", "경주시는 고쳐 쓴 기사다.")
    expected = {
        url for url, fields in texts.items() if all(any(t in f for f in fields) for t in terms)
    }
    data = get_json(base, "/news/articles.json", _search=query, _shape="objects", _size="max")
    assert expected, f"the fixture has no article with {terms}"
    assert {row["url"] for row in data["rows"]} == expected


def test_facets_site_reporters_and_month(server):
    base, labels = server
    data = get_json(base, "/news/articles.json", _size="0")
    facets = data["facet_results"]
    assert {"site", "reporters", "published_month"} <= set(facets)
    sites = {item["value"]: item["count"] for item in facets["site"]["results"]}
    assert sites["www.mk.co.kr"] == sum(
        1 for label in labels.values() if label["site"] == "www.mk.co.kr"
    )
    assert facets["reporters"]["type"] == "array"
    assert "김범수" in {item["value"] for item in facets["reporters"]["results"]}
    assert "2021-03" in {item["value"] for item in facets["published_month"]["results"]}


def test_canned_search_query_ranks_and_finds_inside_words(server):
    base, labels = server
    data = get_json(base, "/news/search.json", q="스마트시티", _shape="objects")
    rows = data["rows"]
    expected = {
        url for url, label in labels.items() if "스마트시티" in label["title"] + label["body"]
    }
    assert {row["url"] for row in rows} == expected
    assert "【스마트시티】" in rows[0]["snippet"]
    ranks = [row["rank"] for row in rows]
    assert ranks == sorted(ranks)


def test_canned_revised_and_failures_queries(server):
    base, _ = server
    revised = get_json(base, "/news/revised_articles.json", _shape="objects")["rows"]
    assert [(r["url"], r["versions"]) for r in revised] == [("https://www.kbsm.net/news/9", 2)]
    failures = get_json(base, "/news/extraction_failures.json", _shape="objects")["rows"]
    assert [(r["final_url"], r["extraction_status"]) for r in failures] == [
        ("https://www.kbsm.net/list", "not_article")
    ]
    by_reporter = get_json(
        base, "/news/articles_by_reporter.json", reporter="김범수", _shape="objects"
    )["rows"]
    assert "https://www.kbsm.net/news/9" in {r["url"] for r in by_reporter}
