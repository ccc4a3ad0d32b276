"""newscrawl.extract.select, the project's own CSS engine, against cssselect (lxml's).

select.py answers selectors from a one-pass index of the page instead of cssselect's XPath,
which makes it much faster and a second implementation of CSS: every selector the profiles
use must select the same elements, in the same order, as cssselect does on every page of
the corpus, and on small pages built for the corners of the grammar it supports.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from lxml.cssselect import CSSSelector

from newscrawl.extract.cms import PROFILES, base, gnuboard, naver, ndsoft
from newscrawl.extract.dom import Element, parse
from newscrawl.extract.encoding import decode_html
from newscrawl.extract.select import PageIndex, Selector
from tests.shared import corpus_pages, require_shared


def _selectors() -> dict[str, Selector]:
    """Every compiled selector of the profiles and their modules, by where it is defined."""
    found: dict[str, Selector] = {}
    modules: tuple[ModuleType, ...] = (base, gnuboard, naver, ndsoft)
    for module in modules:
        for name, value in vars(module).items():
            if isinstance(value, Selector):
                found[f"{module.__name__.rsplit('.', 1)[-1]}.{name}"] = value
    for cls in (base.Profile, *PROFILES):
        for name, value in vars(cls).items():
            if isinstance(value, Selector):
                found[f"{cls.__name__}.{name}"] = value
    return found


SELECTORS = _selectors()
PAGES = corpus_pages()


def test_the_profiles_selectors_are_found() -> None:
    # A rename in the profiles must not leave this comparison with nothing to compare.
    assert {"base.BODY", "base.BYLINE", "NDSoftProfile.TITLE"} <= set(SELECTORS)
    assert len(SELECTORS) >= 15


@cache
def _page(path: Path) -> Element:
    root = parse(decode_html(path.read_bytes()).text)
    assert root is not None
    return root


def _paths(root: Element, elements: list[Element]) -> list[str]:
    tree = root.getroottree()
    return [tree.getpath(el) for el in elements]


def _same_as_cssselect(root: Element, selector: Selector) -> None:
    ours = selector(PageIndex(root))
    theirs = CSSSelector(selector.text, translator="html")(root)
    assert _paths(root, ours) == _paths(root, theirs), selector.text


@pytest.mark.parametrize("name", sorted(SELECTORS))
@pytest.mark.parametrize("page", PAGES or [None], ids=lambda p: p.name if p else "no-corpus")
def test_selector_selects_what_cssselect_selects(page: Path | None, name: str) -> None:
    require_shared()
    assert page is not None
    _same_as_cssselect(_page(page), SELECTORS[name])


SMALL_PAGE = """<html><body>
<div id="main" class="article-view   wide">
  <h1 class="heading">title</h1><h3 class="heading">second heading</h3>
  <div class="article-writer"><a href="mailto:a@b.kr">a</a><span><a href="/r/1">r</a></span>
    <div class="article-writer inner"><a href="mailto:c@d.kr">c</a></div></div>
  <p class="byline	reporter">tab-separated classes</p>
  <div itemprop="articleBody"><p>x</p><div class="sub_title">s</div></div>
</div>
<div class="heading-like">not a heading class</div><h2 class="subheading">deck</h2>
<span rel="author">rel author</span><p id="dic_area">naver body</p>
</body></html>"""


@pytest.mark.parametrize(
    "text",
    [
        "h1",
        "#main",
        ".heading",
        "h1.heading, h3.heading",
        "h3.heading, h1.heading",  # alternatives: still document order
        ".article-writer a",  # nested scopes: each <a> once
        ".article-writer span a",
        "#main .article-writer a[href^='mailto:']",
        "[itemprop=articleBody]",
        "[rel]",
        "[rel=author]",
        ".byline",  # classes separated by a tab
        ".reporter, .byline",  # one element matched by two alternatives: once
        "div .sub_title",
        "h2.subheading, #dic_area, .nowhere",
        ".heading-like",
        "#missing, .missing",
    ],
)
def test_grammar_corners_select_what_cssselect_selects(text: str) -> None:
    root = parse(SMALL_PAGE)
    assert root is not None
    _same_as_cssselect(root, Selector(text))


@pytest.mark.parametrize("text", ["a > b", "p:first-child", "a + b", "li:nth-child(2)"])
def test_unsupported_selectors_are_refused_not_misread(text: str) -> None:
    with pytest.raises(ValueError, match="unsupported selector"):
        Selector(text)
