"""Miniature news sites built at test time from the real pages in ../shared/corpus.

Nothing from the corpus is copied into the repository: the templates are read when a test (or
the bench) runs, and tests skip with a reason when ../shared is absent.
"""

from __future__ import annotations

from tests.shared import CORPUS, missing

NDSOFT_TEMPLATE = CORPUS / "pages" / "ndsoft-www.jnilbo.com-90000015817.html"
GNUBOARD_TEMPLATE = CORPUS / "seed" / "kbsm-gnuboard-seed.euckr.html"


def corpus_missing() -> str | None:
    """Why the mock sites cannot be built here, or None when they can."""
    return missing(NDSOFT_TEMPLATE, GNUBOARD_TEMPLATE)
