"""A save given the search-index text made beforehand (archive.IndexText, made by the crawl's
extraction workers) uses it only when it is that of the title and body stored."""

from __future__ import annotations

import dataclasses
import pickle

from archive import GroupCommit, IndexText, open_db, save, search
from archive.grams import GRAMS_VERSION
from tests.archive_helpers import article, capture

TITLE, BODY = "경주시, 관광객 맞이 준비", "포항 시민들이 모였다."


def _found(db, query):
    return [hit.url for hit in search(db, query)]


def _marked(title=TITLE, body=BODY, **changes):
    # Grams that are not those of the text, but a word of their own: a search for the word
    # shows whether the save indexed these or made the text again.
    made = IndexText.of(title, body)
    return dataclasses.replace(made, body_grams=made.body_grams + " 표식 식", **changes)


def test_prepared_text_of_the_stored_title_and_body_is_what_is_indexed(tmp_path):
    db = open_db(tmp_path / "a.db")
    save(db, capture(), article(title=TITLE, body=BODY), prepared=_marked())
    assert _found(db, "표식") == ["https://www.kbsm.net/news/1"]
    assert _found(db, "경주시") == _found(db, "포항") == ["https://www.kbsm.net/news/1"]


def test_prepared_text_of_another_text_or_version_is_made_again(tmp_path):
    db = open_db(tmp_path / "a.db")
    stale = [
        _marked(body="다른 본문"),
        _marked(title="다른 제목"),
        _marked(version=GRAMS_VERSION + 1),
    ]
    for i, prepared in enumerate(stale):
        url = f"https://www.kbsm.net/news/{i}"
        save(db, capture(url), article(url, title=TITLE, body=BODY), prepared=prepared)
    assert _found(db, "표식") == []
    assert len(_found(db, "포항")) == 3


def test_group_commit_passes_it_on(tmp_path):
    db = open_db(tmp_path / "a.db")
    url = "https://www.kbsm.net/news/1"
    with GroupCommit(db, every=10) as group:
        group.save(capture(url), article(url, title=TITLE, body=BODY), prepared=_marked())
    assert _found(db, "표식") == [url]


def test_new_versions_with_prepared_text_keep_the_index_intact(tmp_path):
    db = open_db(tmp_path / "a.db")
    url = "https://www.kbsm.net/news/1"
    for minutes, body in enumerate([BODY, "새 본문 내용", BODY]):
        save(
            db,
            capture(url, minutes=minutes),
            article(url, title=TITLE, body=body),
            prepared=IndexText.of(TITLE, body),
        )
    db.execute("INSERT INTO articles_search(articles_search, rank) VALUES ('integrity-check', 1)")
    assert _found(db, "포항") == [url]
    assert _found(db, "본문") == []


def test_it_pickles_for_the_trip_from_a_worker():
    made = IndexText.of(TITLE, BODY)
    assert pickle.loads(pickle.dumps(made)) == made
