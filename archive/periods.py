"""``--since`` and ``--until``: ISO date prefixes, checked before they filter anything.

Dates are compared as text with the archive's ISO timestamps, so a prefix such as ``2025``
or ``2025-05`` selects a whole year or month. A prefix that is not a real date
(``2025-13``, ``garbage``) would silently select everything or nothing; it is refused.
"""

from __future__ import annotations

import re
from datetime import date, datetime

__all__ = ["UNTIL_END", "date_prefix"]

#: Appended to an ``until`` prefix to include all of it (``2025-05`` keeps 2025-05-31T23:59):
#: U+FFFF sorts after every ASCII character in SQLite's binary text comparison.
UNTIL_END = "\uffff"

_YEAR_MONTH = re.compile(r"(\d{4})(?:-(\d{2}))?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def date_prefix(value: str) -> str:
    """``value`` if it is a year, a year-month, a date or an ISO datetime; else ValueError.

    Accepted: ``2025``, ``2025-05``, ``2025-05-27``, ``2025-05-27T09``,
    ``2025-05-27T09:30``, ``2025-05-27T09:30:00`` (and an offset after a full time).
    """
    value = value.strip()
    if found := _YEAR_MONTH.fullmatch(value):
        year, month = found.groups()
        if int(year) >= 1 and (month is None or 1 <= int(month) <= 12):
            return value
    elif _DATE.fullmatch(value[:10]):
        try:
            if len(value) == 10:
                date.fromisoformat(value)
                return value
            if value[10] == "T" and len(value) >= 13:
                # "2025-05-27T09" is a prefix, not ISO: complete it to check it.
                datetime.fromisoformat(value + (":00" if len(value) == 13 else ""))
                return value
        except ValueError:
            pass
    raise ValueError(
        f"{value!r} is not a date: use YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]"
    )
