"""The URLs a run already knows, compactly: 16 bytes an article instead of ~190.

A million archived articles as a dict of canonical URL strings to datetimes take ~190 MB in
the crawler process; here each is an 8-byte fingerprint of its canonical URL (blake2b) in a
sorted array, beside its publication time in seconds (8 bytes), looked up by bisection:
16 MB for a million. Two URLs share a fingerprint with a probability of about n²/2⁶⁵ (3e-8
at a million): the cost of a collision is one article not fetched again in its revisit
window, which the next run's list pages do not bring back either, so it is counted here as
acceptable, not as impossible.
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time
from heapq import merge
from itertools import islice

#: The publication time of an article archived without one.
_NO_DATE = -(2**63)
_CHUNK = 100_000


def fingerprint(url: str) -> int:
    """A signed 64-bit fingerprint of a canonical URL."""
    digest = hashlib.blake2b(url.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class KnownUrls(Mapping[str, datetime | None]):
    """A read-only map of canonical URL -> publication time (UTC), kept as fingerprints.

    What ``FetchPolicy.known`` needs: ``url in known`` and ``known[url]``. The URLs
    themselves are not kept, so the map cannot be iterated.
    """

    __slots__ = ("_fingerprints", "_published")

    def __init__(self, fingerprints: array[int], published: array[int]) -> None:
        self._fingerprints = fingerprints
        self._published = published

    @classmethod
    def build(cls, pairs: Iterable[tuple[str, datetime | date | None]]) -> KnownUrls:
        """From (canonical URL, publication time) pairs; a URL given twice keeps its first
        time. Naive datetimes and days are taken as UTC.

        Sorted in chunks, then merged: sorting a million at once needs a list of a million
        indices (36 MB) beside the arrays."""
        runs = []
        items = iter(pairs)
        while chunk := list(islice(items, _CHUNK)):
            fps = [fingerprint(url) for url, _ in chunk]
            order = sorted(range(len(chunk)), key=fps.__getitem__)
            times = [_NO_DATE if (when := chunk[i][1]) is None else _seconds(when) for i in order]
            runs.append((array("q", (fps[i] for i in order)), array("q", times)))
            del chunk, fps, order, times
        fingerprints, published = array("q"), array("q")
        last = None
        # heapq.merge is stable: of equal fingerprints, the earliest run's comes first.
        for fp, seconds in merge(*(zip(f, t, strict=True) for f, t in runs), key=_first):
            if fp != last:
                fingerprints.append(fp)
                published.append(seconds)
                last = fp
        return cls(fingerprints, published)

    def _index(self, url: object) -> int | None:
        if not isinstance(url, str):
            return None
        fp = fingerprint(url)
        i = bisect_left(self._fingerprints, fp)
        if i < len(self._fingerprints) and self._fingerprints[i] == fp:
            return i
        return None

    def __contains__(self, url: object) -> bool:
        return self._index(url) is not None

    def __getitem__(self, url: str) -> datetime | None:
        i = self._index(url)
        if i is None:
            raise KeyError(url)
        seconds = self._published[i]
        return None if seconds == _NO_DATE else datetime.fromtimestamp(seconds, UTC)

    def __len__(self) -> int:
        return len(self._fingerprints)

    def __iter__(self) -> Iterator[str]:
        raise TypeError("KnownUrls keeps fingerprints, not URLs: it cannot be iterated")

    def to_bytes(self) -> bytes:
        """The two arrays, little-endian, one after the other: what a cluster node receives
        from the archive writer (``newscrawl.cluster.memory``)."""
        fingerprints, published = self._fingerprints, self._published
        if sys.byteorder == "big":
            fingerprints, published = array("q", fingerprints), array("q", published)
            fingerprints.byteswap()
            published.byteswap()
        return fingerprints.tobytes() + published.tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> KnownUrls:
        """The map :meth:`to_bytes` wrote; ValueError for bytes of another shape."""
        if len(data) % 16:
            raise ValueError(f"known URLs: {len(data)} bytes is not 16 bytes an article")
        half = len(data) // 2
        fingerprints, published = array("q"), array("q")
        fingerprints.frombytes(data[:half])
        published.frombytes(data[half:])
        if sys.byteorder == "big":
            fingerprints.byteswap()
            published.byteswap()
        return cls(fingerprints, published)

    @property
    def nbytes(self) -> int:
        """The arrays' size in bytes."""
        return self._fingerprints.itemsize * len(
            self._fingerprints
        ) + self._published.itemsize * len(self._published)


def _first(pair: tuple[int, int]) -> int:
    return pair[0]


def _seconds(when: datetime | date) -> int:
    if not isinstance(when, datetime):  # a day without a time: its start, in UTC
        when = datetime.combine(when, time())
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp())
