"""Progress of a long command, shown on a terminal only: silent under cron and in pipes."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

__all__ = ["progress"]

T = TypeVar("T")


def progress(
    items: Iterable[T], *, total: int | None = None, desc: str, unit: str = "row"
) -> Iterator[T]:
    """``items``, with a progress bar on standard error when it is a terminal.

    For any long loop (``python -m archive warc|export|verify``, ``scrapy reextract``):
    standard output stays the command's data, and a cron job's mail stays empty.
    """
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    # leave=False: the finished bar is erased, the command's own summary line follows.
    yield from tqdm(
        items,
        total=total,
        desc=desc,
        unit=unit,
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        leave=False,
        dynamic_ncols=True,
    )
