"""Settings checked before the first request: a bad value is one sentence naming the setting.

Scrapy reads a setting when a component is built, deep inside the crawl's start, and a value
it cannot convert surfaces as "invalid literal for int()" inside a traceback. ``check_settings``
reads every project setting (and the few Scrapy ones a user commonly sets by hand) the way
the components will, and raises :class:`ConfigError` naming the first one that is wrong.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.files import ArchiveFileError
from archive.schema import open_db_readonly

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

__all__ = ["ConfigError", "check_settings"]


class ConfigError(ValueError):
    """A setting or argument is invalid; the message names it and says what is expected."""


def _number(kind: type, *, low: float, low_ok: bool = True) -> Callable[[Any], str | None]:
    """A checker for a number ``>= low`` (or ``> low``); returns what is expected, or None."""
    bound = f"{'>=' if low_ok else '>'} {low:g}"
    expected = f"{'a whole number' if kind is int else 'a number'} {bound}"

    def check(value: Any) -> str | None:
        try:
            number = kind(str(value).strip())
        except (TypeError, ValueError):
            return expected
        if isinstance(number, float) and not math.isfinite(number):
            return expected
        return None if (number >= low if low_ok else number > low) else expected

    return check


def _workers(value: Any) -> str | None:
    if value in (None, "", "auto"):
        return None
    return _number(int, low=0)(value) and "auto or a whole number >= 0"


def _bool(value: Any) -> str | None:
    if isinstance(value, bool) or str(value).strip().lower() in {"0", "1", "true", "false"}:
        return None
    return "True or False"


def _thresholds(value: Any) -> str | None:
    items = value.split(",") if isinstance(value, str) else value
    try:
        ok = len(items) == 3 and all(int(str(x).strip()) >= 0 for x in items)
    except (TypeError, ValueError):
        ok = False
    return None if ok else "three whole numbers such as 50000,20,20"


CHECKS: dict[str, Callable[[Any], str | None]] = {
    "ARCHIVE_COMMIT_EVERY": _number(int, low=1),
    "ARCHIVE_COMMIT_SECONDS": _number(float, low=0, low_ok=False),
    "NEWSCRAWL_REVISIT_DAYS": _number(float, low=0),
    "NEWSCRAWL_MAX_LIST_PAGES": _number(int, low=1),
    "NEWSCRAWL_GENERIC_LIST_PAGES": _number(int, low=0),
    "NEWSCRAWL_NOT_ARTICLE_SHAPE_HITS": _number(int, low=0),
    "NEWSCRAWL_RETRY_MAX_DELAY": _number(float, low=0),
    "NEWSCRAWL_RETRY_BACKOFF_BASE": _number(float, low=0),
    "NEWSCRAWL_EXTRACT_WORKERS": _workers,
    "NEWSCRAWL_EXTRACT_NICE": _number(int, low=0),
    "NEWSCRAWL_GC_THRESHOLDS": _thresholds,
    "CONCURRENT_REQUESTS": _number(int, low=1),
    "CONCURRENT_REQUESTS_PER_DOMAIN": _number(int, low=1),
    "DOWNLOAD_DELAY": _number(float, low=0),
    "DOWNLOAD_TIMEOUT": _number(float, low=0, low_ok=False),
    "DOWNLOAD_MAXSIZE": _number(int, low=0),
    "DNS_TIMEOUT": _number(float, low=0, low_ok=False),
    "RETRY_TIMES": _number(int, low=0),
    "ROBOTSTXT_OBEY": _bool,
    "AUTOTHROTTLE_ENABLED": _bool,
}


def check_settings(settings: BaseSettings, *, archive: bool = True) -> None:
    """Raise ConfigError for the first setting a component would reject or misread.

    ``archive``: whether the run saves into the archive (ArchivePipeline enabled), which then
    needs a non-empty ``ARCHIVE_DB_PATH``.
    """
    for name, check in CHECKS.items():
        value = settings.get(name)
        if value is None:
            continue
        expected = check(value)
        if expected:
            raise ConfigError(f"setting {name}={value!r}: expected {expected}")
    if not archive:
        return
    path = str(settings.get("ARCHIVE_DB_PATH") or "").strip()
    if not path:
        raise ConfigError(
            "setting ARCHIVE_DB_PATH is empty: expected the path of the archive's SQLite file"
        )
    _check_archive(Path(path))


def _check_archive(path: Path) -> None:
    """An existing ARCHIVE_DB_PATH must be an archive this code knows (or an empty file):
    said before the crawl starts, not as a traceback when the pipeline opens it."""
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return
    try:
        open_db_readonly(path).close()
    except ArchiveFileError as error:
        raise ConfigError(f"setting ARCHIVE_DB_PATH: {error}") from None
