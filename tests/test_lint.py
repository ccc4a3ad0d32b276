"""The code style the project keeps: ruff check and ruff format, and mypy over the packages,
as configured in pyproject."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from tests.shared import REPO


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    # The test extra installs ruff beside pytest, in the same environment.
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_ruff_check() -> None:
    done = ruff("check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format() -> None:
    done = ruff("format", "--check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy() -> None:
    # The files, strictness and per-package exceptions are [tool.mypy] in pyproject.toml.
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install -e '.[test]')")
    done = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    block = readme.split("<!-- test-command -->", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    command = block.strip()
    assert command.endswith("python -m pytest -q")
    ci = (REPO / ".ci" / "run").read_text("utf-8")
    assert "test-command" in ci and 'bash -euo pipefail -c "$cmd"' in ci
    # The first command of the README sets up and runs a real crawl.
    first = readme.split("```sh\n", 1)[1].split("```", 1)[0]
    assert "scrapy crawl news" in first and "pip install" in first
