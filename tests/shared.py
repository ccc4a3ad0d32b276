"""Where ../shared (corpus, labels, scorer) lives, and a clear skip when it is absent."""

from __future__ import annotations

import importlib.util
import json
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
LABELS = CORPUS / "labels-dev.jsonl"
SCORER = SHARED / "eval" / "score.py"
SEED = CORPUS / "seed"


def missing(*paths: Path) -> str | None:
    """Why a test cannot read these files of ../shared here, or None when it can: the one
    place that finds ../shared, for tests, the mock sites and the benches."""
    for path in paths:
        if not path.exists():
            return f"../shared/corpus not present: {path} is missing"
    return None


def require_shared(*paths: Path) -> None:
    """Skip the calling test when ../shared (or one of ``paths``) is not beside the checkout
    (CI always has it)."""
    if reason := missing(LABELS, *paths):
        pytest.skip(reason)


@cache
def labels() -> list[dict[str, Any]]:
    """The hand-checked records of labels-dev.jsonl (empty when ../shared is absent)."""
    if not LABELS.is_file():
        return []
    return [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line]


def corpus_pages() -> list[Path]:
    """Every saved page of the corpus, labelled or not, seed files included."""
    if not CORPUS.is_dir():
        return []
    return sorted((CORPUS / "pages").glob("*.html")) + sorted(SEED.glob("*.html"))


@cache
def scorer() -> ModuleType:
    """../shared/eval/score.py as a module, to judge fields exactly the way CI does."""
    spec = importlib.util.spec_from_file_location("shared_score", SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
