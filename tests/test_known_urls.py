"""KnownUrls: the run's archived URLs as fingerprints, answering what FetchPolicy asks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from newscrawl.crawl.known import KnownUrls
from newscrawl.crawl.policy import Decision, FetchPolicy

KST = timezone(timedelta(hours=9))
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
URL = "https://www.jnilbo.com/news/articleView.html?idxno={}"


def test_lookups_give_back_the_publication_time() -> None:
    published = datetime(2026, 12, 3, 9, 30, tzinfo=KST)
    known = KnownUrls.build([(URL.format(1), published), (URL.format(2), None)])
    assert len(known) == 2
    assert URL.format(1) in known and URL.format(2) in known
    assert URL.format(3) not in known and 42 not in known
    assert known[URL.format(1)] == published  # the same instant, in UTC
    assert known[URL.format(2)] is None
    with pytest.raises(KeyError):
        known[URL.format(3)]


def test_a_day_or_a_naive_time_is_taken_as_utc_and_duplicates_keep_the_first() -> None:
    day, naive = date(2026, 1, 2), datetime(2026, 1, 2, 3, 4)
    known = KnownUrls.build([(URL.format(1), day), (URL.format(2), naive), (URL.format(1), None)])
    assert len(known) == 2
    assert known[URL.format(1)] == datetime(2026, 1, 2, tzinfo=UTC)
    assert known[URL.format(2)] == datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


def test_it_cannot_be_iterated_it_keeps_no_urls() -> None:
    with pytest.raises(TypeError):
        list(KnownUrls.build([(URL.format(1), None)]))


def test_the_policy_decides_the_same_as_with_a_dict() -> None:
    entries = {
        URL.format(1): NOW - timedelta(hours=3),  # inside the revisit window
        URL.format(2): NOW - timedelta(days=30),  # archived long ago
        URL.format(3): None,  # a page fetched for good without a date
    }
    urls = [URL.format(n) for n in (1, 2, 3, 4, 4)]
    as_dict = FetchPolicy(known=dict(entries), now=NOW)
    compact = FetchPolicy(known=KnownUrls.build(entries.items()), now=NOW)
    decisions = [compact.decide(u) for u in urls]
    assert decisions == [as_dict.decide(u) for u in urls]
    assert decisions == [
        Decision.REVISIT,
        Decision.ARCHIVED,
        Decision.ARCHIVED,
        Decision.FETCH,
        Decision.DUPLICATE,
    ]


def test_an_article_takes_16_bytes() -> None:
    known = KnownUrls.build((URL.format(n), NOW) for n in range(100_000))
    assert known.nbytes == 100_000 * 16
