"""Times as a Korean reader reads them: the archive stores UTC fetch times and publication
times with their offset; pages show both in Korean time, labelled, so they compare."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

__all__ = ["KST", "kst"]

KST = timezone(timedelta(hours=9), "KST")


def kst(value: str | None) -> str:
    """``2021-03-23T20:20:00+09:00`` -> ``2021-03-23 20:20 KST``; a date stays a date.

    A time without an offset is shown as stored (its zone is unknown); a value that is not
    ISO 8601 is shown as stored too, never dropped.
    """
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) == 10:  # a bare date: the page printed only the day
        return date.fromisoformat(value).isoformat()
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(KST).strftime("%Y-%m-%d %H:%M KST")
