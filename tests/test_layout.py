"""The layout the README describes: modules stay where their imports cost least."""

from __future__ import annotations

import subprocess
import sys

from scrapy.utils.misc import walk_modules_iter
from scrapy.utils.spider import iter_spider_classes

from newscrawl import settings
from tests.shared import REPO


def test_spider_modules_hold_only_spiders() -> None:
    # Scrapy imports every module of SPIDER_MODULES on every command: the crawl's rules and
    # state live in newscrawl/crawl/, so each module walked here must define a spider.
    modules = [m for package in settings.SPIDER_MODULES for m in walk_modules_iter(package)]
    without = [
        m.__name__
        for m in modules
        if m.__name__ not in settings.SPIDER_MODULES and not list(iter_spider_classes(m))
    ]
    assert without == [], f"not spiders, move them out of spiders/: {without}"
    assert "newscrawl.spiders.news" in {m.__name__ for m in modules}


def test_preparation_imports_neither_scrapy_nor_twisted() -> None:
    # The extraction worker processes import newscrawl.preparation; Scrapy and Twisted
    # would add ~28 MB to each of them.
    code = (
        "import sys, newscrawl.preparation;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
