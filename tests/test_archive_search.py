"""Korean full-text search: the bigram index, real corpus text, and SQL == Python queries."""

from __future__ import annotations

import importlib
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from archive import open_db, rebuild_index, save, search
from archive.grams import fts_query, index_text, query_terms
from archive.queries import SEARCH_SQL, register_functions
from archive.search import search_terms
from tests.archive_helpers import article, capture, corpus_labels, label_article


def test_index_text_is_bigrams_then_last_character_per_word():
    assert index_text("경주시는 x, AI노트북").split() == [
        "경주",
        "주시",
        "시는",
        "는",
        "x",
        "ai",
        "i노",
        "노트",
        "트북",
        "북",
    ]
    assert index_text(None) == index_text("") == index_text("…!") == ""


def _bigram_tokens(text: str) -> list[str]:
    """The index's definition, plainly: per word (letters and digits), bigrams, last char."""
    tokens = []
    for word in re.findall(r"[^\W_]+", text.lower()):
        tokens += [word[i : i + 2] for i in range(len(word) - 1)] + [word[-1]]
    return tokens


_TEXT = st.text(
    alphabet=st.sampled_from(
        [*"가나다 abZ09.,!?\"'()[]·…‘’“”「」_-\t\n①½ǅßİ", "\u3000", "\u00a0", "\u2028"]
    )
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(_TEXT, st.text()))
def test_index_text_tokens_match_the_definition(text: str) -> None:
    assert index_text(text).split() == _bigram_tokens(text)


def _indexed_text(text: str) -> str:
    """The exact text stored (a row is deleted from the contentless index by giving this text
    again, so any change to it must bump GRAMS_VERSION): per character of a word, itself,
    the next character or a space, and a space; three spaces after each word."""
    out = []
    for word in re.findall(r"[^\W_]+", text.lower()):
        out += [f"{c}{word[i + 1] if i + 1 < len(word) else ' '} " for i, c in enumerate(word)]
        out.append("   ")
    return "".join(out)


@settings(max_examples=500, deadline=None)
@given(st.one_of(_TEXT, st.text()))
def test_index_text_is_exactly_the_stored_form(text: str) -> None:
    assert index_text(text) == _indexed_text(text)


def test_fts_query_by_term_length():
    assert fts_query("시") == '"시"*'
    assert fts_query("경주") == '"경주"'
    assert fts_query("경주시") == '"경주 주시"'
    assert fts_query("경주시, 포항!") == '"경주 주시" AND "포항"'
    assert fts_query("  ") is None


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory):
    labels = corpus_labels()
    db = open_db(tmp_path_factory.mktemp("search") / "news.db")
    for i, label in enumerate(labels):
        save(
            db,
            capture(label["url"], body=label["body"].encode(), minutes=i, site=None),
            label_article(label),
        )
    return db, {label["url"]: label for label in labels}


def containing(labels, *terms):
    """URLs of the labelled articles whose title or body contains every term."""
    return {
        url
        for url, label in labels.items()
        if all(t.lower() in f"{label['title']}\n{label['body']}".lower() for t in terms)
    }


@pytest.mark.parametrize(
    "query",
    [
        "대구",  # two syllables
        "광주",
        "시장",
        "트럼프",  # three
        "대구시",  # inside 대구시장 (particles and suffixes attach)
        "스마트시티",  # five, inside 스마트시티를
        "비트코인",
        "경상도",
    ],
)
def test_search_finds_exactly_the_articles_containing_the_term(corpus_db, query):
    db, labels = corpus_db
    expected = containing(labels, query)
    assert expected, f"corpus changed: nothing contains {query}"
    assert {hit.url for hit in search(db, query, limit=100)} == expected


def test_particle_attached_word_is_found(corpus_db):
    db, labels = corpus_db
    seed = "https://www.kbsm.net/bbs/board.php?bo_table=news&wr_id=263381"
    # the seed article writes 대구시장이: 대구시 with more attached
    assert "대구시장이" in labels[seed]["body"]
    assert seed in {hit.url for hit in search(db, "대구시")}


def test_one_syllable_query_finds_word_final_syllables(corpus_db):
    db, labels = corpus_db
    assert {h.url for h in search(db, "폭", limit=100)} == containing(labels, "폭")


def test_several_terms_and_together(corpus_db):
    db, labels = corpus_db
    both = containing(labels, "트럼프", "비트코인")
    assert both and both != containing(labels, "트럼프")
    assert {h.url for h in search(db, "트럼프 비트코인", limit=100)} == both


def test_results_are_ranked_and_snippets_mark_the_term(corpus_db):
    db, _ = corpus_db
    hits = search(db, "대구", limit=100)
    ranks = [h.rank for h in hits]
    assert ranks == sorted(ranks)  # bm25: lower is better
    # the article titled with 대구시 comes before one that mentions 대구 once in the body
    assert hits[0].title and "대구" in hits[0].title
    for hit in hits:
        assert "[대구]" in hit.snippet


def test_site_and_since_filters(corpus_db):
    db, _ = corpus_db
    assert {h.site for h in search(db, "시장", site="www.mk.co.kr", limit=100)} == {"www.mk.co.kr"}
    recent = search(db, "시장", since="2025-05-28", limit=100)
    assert recent and all(h.published_at >= "2025-05-28" for h in recent)


def test_canned_sql_search_returns_what_the_python_search_returns(corpus_db):
    db, _ = corpus_db
    register_functions(db.conn)
    for query in ["대구", "스마트시티", "트럼프 비트코인", "폭", "경상도, 전라도"]:
        sql_ids = [r["id"] for r in db.query(SEARCH_SQL, {"q": query})]
        assert sql_ids == [h.id for h in search(db, query, limit=50)], query


def test_empty_query_finds_nothing_in_both(corpus_db):
    db, _ = corpus_db
    assert search(db, " ?! ") == []
    register_functions(db.conn)
    assert list(db.query(SEARCH_SQL, {"q": " ?! "})) == []


def test_rebuild_index_gives_the_same_results(tmp_path):
    db = open_db(tmp_path / "news.db")
    save(db, capture(), article())
    before = [h.id for h in search(db, "관광객")]
    assert rebuild_index(db) == 1
    assert [h.id for h in search(db, "관광객")] == before == [1]


# Words in the scripts where a SQL copy of the rules once disagreed with Python: Hangul,
# Latin (with accents), full-width digits and letters, Cyrillic.
_WORDS = [
    "경주시는",
    "포항",
    "대구",
    "２０２５년",
    "경주",
    "Москва",
    "москвы",
    "Ｓｅｏｕｌ",
    "seoul",
    "Café",
    "AI노트북",
    "2025",
]
_QUERY_CHARS = sorted(set("".join(_WORDS).lower() + "".join(_WORDS)) | set(" ,.!?-·“”'\""))


@pytest.fixture(scope="module")
def scripts_db(tmp_path_factory):
    db = open_db(tmp_path_factory.mktemp("scripts") / "news.db")
    texts = [" ".join(_WORDS[i : i + 3]) for i in range(0, len(_WORDS), 2)]
    for i, text in enumerate(texts):
        url = f"https://www.kbsm.net/news/{i}"
        save(db, capture(url, minutes=i), article(url, title=f"제목 {i}", body=text))
    register_functions(db.conn)
    return db, texts


def _found_by_definition(query: str, texts: list[str]) -> set[int]:
    """Articles in which every query term occurs inside a word, by plain Python."""
    found = set()
    for article_id, text in enumerate(texts, start=1):
        words = query_terms(f"제목 {article_id - 1} {text}")
        if all(any(term in word for word in words) for term in search_terms(query)):
            found.add(article_id)
    return found if search_terms(query) else set()


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(_QUERY_CHARS), max_size=8))
@example("경주 ２０２５")
@example("Москва")
@example("ＳＥＯＵＬ")
@example("café 2025")
def test_sql_search_finds_what_python_search_finds(scripts_db, query):
    db, texts = scripts_db
    sql_ids = {r["id"] for r in db.query(SEARCH_SQL, {"q": query})}
    python_ids = {h.id for h in search(db, query, limit=100)}
    assert sql_ids == python_ids == _found_by_definition(query, texts)


def test_the_scripts_the_sql_copy_missed_are_found(scripts_db):
    db, _ = scripts_db
    for query in ["경주 ２０２５", "Москва", "ｓｅｏｕｌ"]:
        assert list(db.query(SEARCH_SQL, {"q": query})), query


@settings(max_examples=150, deadline=None)
@given(
    words=st.lists(
        st.text(st.sampled_from(list("가나다라마바")), min_size=1, max_size=6),
        min_size=1,
        max_size=8,
    ),
    data=st.data(),
)
def test_any_substring_of_a_word_is_found(tmp_path_factory, words, data):
    text = " ".join(words)
    word = data.draw(st.sampled_from(words))
    start = data.draw(st.integers(0, len(word) - 1))
    term = word[start : data.draw(st.integers(start + 1, len(word)))]
    db = open_db(tmp_path_factory.mktemp("prop") / "news.db")
    save(db, capture(), article(title="제목", body=text))
    assert len(search(db, term)) == 1
    absent = "하" + term
    assert (len(search(db, absent)) == 1) == bool(re.search(absent, text))


def test_past_the_rank_window_only_the_newest_matches_are_ranked(tmp_path, monkeypatch):
    # importlib: the package attribute archive.search is the function, not the module
    search_module = importlib.import_module("archive.search")
    db = open_db(tmp_path / "news.db")
    for i in range(5):
        url = f"https://www.kbsm.net/news/{i}"
        # the oldest article is the best match (경주 in its title and twice in its body)
        body = "경주 경주 경주시" if i == 0 else "경주에서"
        save(
            db, capture(url, minutes=i), article(url, title="경주" if i == 0 else "소식", body=body)
        )
    assert search(db, "경주")[0].url == "https://www.kbsm.net/news/0"
    monkeypatch.setattr(search_module, "RANK_WINDOW", 2)
    assert {h.url for h in search(db, "경주")} == {
        "https://www.kbsm.net/news/3",
        "https://www.kbsm.net/news/4",
    }


def test_canned_query_uses_the_same_rank_window():
    from archive.search import RANK_WINDOW

    assert f"LIMIT {RANK_WINDOW}\n" in SEARCH_SQL


def _numbered_articles(db, specs):
    """Save one article per (site, title, body), oldest first, ids 1, 2, ..."""
    for i, (site, title, body) in enumerate(specs):
        url = f"https://www.{site}.net/news/{i}"
        save(db, capture(url, minutes=i, site=site), article(url, title=title, body=body))


def test_ranking_is_title_occurrences_then_newest(tmp_path):
    db = open_db(tmp_path / "news.db")
    _numbered_articles(
        db,
        [
            ("kbsm", "경주 경주시 소식", "경주"),  # 1: the word twice in the title
            ("kbsm", "경주 소식", "본문"),  # 2: once in the title (경주 in the title only)
            ("kbsm", "소식", "경주 경주 경주 경주"),  # 3: body only, however often
            ("kbsm", "소식", "경주에서"),  # 4: body only, newest
        ],
    )
    assert [h.id for h in search(db, "경주")] == [1, 2, 4, 3]
    ranks = [h.rank for h in search(db, "경주")]
    assert ranks[0] < ranks[1] < ranks[2] == ranks[3] == 0
    # several words: each word's occurrences in the title count
    assert [h.id for h in search(db, "경주 소식")] == [1, 2, 4, 3]


def test_filters_choose_the_window_so_older_articles_of_a_site_are_found(tmp_path, monkeypatch):
    search_module = importlib.import_module("archive.search")
    monkeypatch.setattr(search_module, "RANK_WINDOW", 2)
    db = open_db(tmp_path / "news.db")
    _numbered_articles(db, [("jnilbo", "광주", "광주")] + [("kbsm", "광주", "광주")] * 3)
    assert {h.id for h in search(db, "광주")} == {3, 4}
    # the window is the newest matches of jnilbo, not the newest matches then filtered
    assert [h.id for h in search(db, "광주", site="jnilbo")] == [1]
