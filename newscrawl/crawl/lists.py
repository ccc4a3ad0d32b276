"""The list pages of generic sites, held back until the site's own lists have answered.

A sitemap or feed is the site's word on what its articles are, and the cheapest way to find
them; walking section pages with their pagination costs many more requests. So a generic
site's section pages (found on its home page) are walked only when robots.txt, every feed and
every sitemap of the site have answered and none of them listed a page of the site.
"""

from __future__ import annotations

from collections import Counter, defaultdict


class ListsOnHold:
    """Per site: held list pages, the robots.txt/feed/sitemap requests not yet answered, and
    how many pages those listed."""

    def __init__(self) -> None:
        self._held: dict[str, list[str]] = {}
        self._asked: defaultdict[str, set[str]] = defaultdict(set)
        self._waiting: defaultdict[str, set[str]] = defaultdict(set)
        self._listed: Counter[str] = Counter()

    def hold(self, site: str, urls: list[str]) -> None:
        """Keep ``urls`` (list pages) until the site's own lists have answered."""
        self._held[site] = list(dict.fromkeys(urls))

    def asked(self, site: str, url: str) -> bool:
        """Note a robots.txt, feed or sitemap request; False when it was asked before (it is
        then not requested again, and not waited for twice)."""
        if url in self._asked[site]:
            return False
        self._asked[site].add(url)
        self._waiting[site].add(url)
        return True

    def listed(self, site: str) -> None:
        """A feed or sitemap listed a page of the site."""
        self._listed[site] += 1

    def answered(self, site: str, url: str | None) -> list[str]:
        """Note an answer (or a failure) to ``url``; the held list pages to walk now: all of
        them when it was the last awaited answer and no page was listed, else none."""
        if url is not None:
            self._waiting[site].discard(url)
        if self._waiting[site] or site not in self._held:
            return []
        held = self._held.pop(site)
        return [] if self._listed[site] else held
