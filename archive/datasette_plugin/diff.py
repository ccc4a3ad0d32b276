"""What changed between two versions of an article, word by word.

Korean words (어절) carry their particles, so a correction of 경주시는 to 경주시가 shows
as that one word replaced; finer (syllable) diffs scatter a sentence into fragments.
Whitespace is kept as tokens of its own, so the text reads as it was written and a new
paragraph (a newline) shows where it was added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

__all__ = ["Change", "word_diff"]

_TOKEN = re.compile(r"\s+|\S+")


@dataclass(frozen=True, slots=True)
class Change:
    """A run of text: ``same`` in both versions, ``removed`` from the old, ``added`` in the new."""

    kind: str
    text: str


def word_diff(old: str | None, new: str | None) -> list[Change]:
    """The changes that turn ``old`` into ``new``, in reading order; adjacent runs merged."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    # autojunk would treat frequent tokens (spaces, common particles) as noise in long bodies
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    changes: list[Change] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(changes, "same", "".join(a[i1:i2]))
            continue
        _append(changes, "removed", "".join(a[i1:i2]))
        _append(changes, "added", "".join(b[j1:j2]))
    return changes


def _append(changes: list[Change], kind: str, text: str) -> None:
    if not text:
        return
    if changes and changes[-1].kind == kind:
        changes[-1] = Change(kind, changes[-1].text + text)
    else:
        changes.append(Change(kind, text))
