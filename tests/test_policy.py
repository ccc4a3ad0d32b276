"""FetchPolicy: which discovered article URLs an incremental run fetches."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from newscrawl.crawl.policy import Decision, FetchPolicy

NOW = datetime(2025, 12, 6, 12, 0, tzinfo=UTC)
U = "https://www.jnilbo.com/news/articleView.html?idxno="


def policy(**options: object) -> FetchPolicy:
    known = {
        U + "1": datetime.fromisoformat("2025-12-06T09:00:00+09:00"),  # inside the window
        U + "2": datetime.fromisoformat("2025-11-01T09:00:00+09:00"),  # a month old
        U + "3": None,  # archived without a date
    }
    return FetchPolicy(known=known, now=NOW, revisit=timedelta(days=2), **options)


def test_new_article_is_fetched_once_across_url_variants() -> None:
    p = policy()
    assert p.decide(U + "9") is Decision.FETCH
    assert p.decide(U + "9&utm_source=rss") is Decision.DUPLICATE
    assert p.decide(U.replace("articleView", "articlePrint") + "9") is Decision.DUPLICATE


def test_archived_articles_are_skipped_unless_recent() -> None:
    p = policy()
    assert p.decide(U + "1") is Decision.REVISIT
    assert p.decide(U + "2") is Decision.ARCHIVED
    assert p.decide(U + "3") is Decision.ARCHIVED
    # An archived article without a date is revisited when the source dates it as recent.
    assert policy().decide(U + "3", published=NOW - timedelta(hours=1)) is Decision.REVISIT


def test_is_new_counts_unarchived_and_revisits() -> None:
    p = policy()
    assert p.is_new(U + "9") and p.is_new(U + "1")
    assert not p.is_new(U + "2")


def test_since_skips_older_unarchived_articles() -> None:
    p = policy(since=date(2025, 12, 1))
    assert p.decide(U + "10", published=datetime(2025, 11, 30, tzinfo=UTC)) is Decision.TOO_OLD
    assert p.decide(U + "11", published=datetime(2025, 12, 2, tzinfo=UTC)) is Decision.FETCH
    assert p.decide(U + "12") is Decision.FETCH  # no date given: cannot tell, fetch


def test_max_articles_bounds_fetches_and_revisits() -> None:
    p = policy(max_articles=2)
    assert [p.decide(U + str(i)) for i in (1, 20, 21)] == [
        Decision.REVISIT,
        Decision.FETCH,
        Decision.BUDGET,
    ]
    assert p.budget_spent


def test_too_old_is_on_the_newspapers_calendar_and_keeps_unknown_dates() -> None:
    p = policy(since=date(2025, 12, 1))
    kst_midnight = datetime.fromisoformat("2025-12-01T00:30:00+09:00")  # 2025-11-30 in UTC
    assert not p.too_old(kst_midnight)
    assert p.too_old(datetime.fromisoformat("2025-11-30T23:59:00+09:00"))
    assert p.too_old(date(2025, 11, 30)) and not p.too_old(date(2025, 12, 1))
    assert not p.too_old(None)
    assert not policy().too_old(date(1999, 1, 1))  # no since: nothing is too old
