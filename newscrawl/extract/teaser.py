"""Lists of other articles (columns, related news, rankings) that templates print beside an
article, with the same classes for their writers as the article's byline."""

from __future__ import annotations

import re

from newscrawl.extract.dom import Element, text_of

MIN_TEASER_ITEMS = 3  # items of a list of other articles, each with its link
# A link to a reporter's page ("김가람 기자"), as co-reporters are listed, is not away.
_PERSON_LINK = re.compile(r"(?:기자|특파원|위원|에디터|(?i:PD))\s*$")


def in_teaser(el: Element) -> bool:
    """Whether the element sits in a navigation bar, a footer, or an item of a list whose
    every item links somewhere (columns, related news): a byline there is another
    article's. The article's own info list (name, 입력, 수정) has items without links."""
    for ancestor in el.iterancestors():
        if ancestor.tag in ("nav", "footer"):
            return True
        if ancestor.tag == "li":
            return is_teaser_item(ancestor)
    return False


def is_teaser_item(item: Element) -> bool:
    """Whether a <li> is one of a list of links to other articles."""
    parent = item.getparent()
    items = [] if parent is None else [c for c in parent if c.tag == "li"]
    return len(items) >= MIN_TEASER_ITEMS and all(map(_links_away, items))


def _links_away(item: Element) -> bool:
    for a in item.iter("a"):
        text = text_of(a)
        if len(text) < 4 or (a.get("href") or "").startswith("mailto:"):
            continue
        if not _PERSON_LINK.search(text):
            return True
    return False
