"""What a page hides from sight: copies of the text for screen readers and for print,
headings for screen readers, collapsed boxes. None of it is text, title nor byline."""

from __future__ import annotations

import re
from copy import deepcopy
from functools import lru_cache

import lxml.etree

from newscrawl.extract.dom import Element, lines_of, text_of

# Class names of text kept for screen readers or print only.
# One class token each: "blind", "sr-only", "screen_out", "is-hidden", "txt-blind",
# "visually-hidden"; not the responsive "hidden-xs", "mobile-hide", "hide-on-print", which
# are visible on some screen.
_HIDDEN_CLASS = re.compile(
    r"(?!(?:mobile|mo|m|pc|desktop|tablet|xs|sm|md|lg|xl)[-_])(?:[a-z0-9]+[-_])?"
    r"(?:blind|hidden|hide|invisible|offscreen|sr[-_]only|screen[-_]?out|screen-reader-text|"
    r"visually[-_]?hidden|a11y(?:[-_]hidden)?|sound_only|print[-_]only|only[-_]print|ir[-_]pm)"
    r"(?:[-_](?:text|txt|title|tit))?",
    re.I,
)


@lru_cache(maxsize=4096)
def hidden_class(classes: str) -> bool:
    """Whether one of the class tokens hides the element from sight."""
    return any(_HIDDEN_CLASS.fullmatch(token) for token in classes.split())


def out_of_sight(el: Element) -> bool:
    """Whether the element or one of its ancestors is hidden, by style or by class."""
    return any(_hidden_here(node) for node in (el, *el.iterancestors()))


def without_hidden(root: Element) -> str | None:
    """The document serialized without its out-of-sight elements (tails kept), or None
    when it has none. For trafilatura, which knows display:none but not ``blind`` or
    ``sr-only`` copies of the text."""
    copy = deepcopy(root)
    hidden = [el for el in copy.iter() if isinstance(el.tag, str) and _hidden_here(el)]
    if not hidden:
        return None
    for el in hidden:
        _remove_keeping_tail(el)
    return lxml.etree.tostring(copy, method="html", encoding="unicode")


def _hidden_here(el: Element) -> bool:
    classes = el.get("class")
    return is_hidden(el) or bool(classes and hidden_class(classes))


def _remove_keeping_tail(el: Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def is_hidden(el: Element) -> bool:
    """Whether the page hides the element from sight: copies for screen readers and for
    print, headings for screen readers, collapsed boxes. Class names are not read here."""
    if el.get("aria-hidden") == "true" or el.get("hidden") is not None:
        return True
    style = el.get("style")
    if not style:
        return False
    style = style.replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def visible_text(el: Element) -> str:
    """An element's text without the parts it hides ("<span class="blind">기사 제목</span>")."""
    if not any(_hidden_here(d) for d in el.iterdescendants() if isinstance(d.tag, str)):
        return text_of(el)
    return " ".join(line.text for line in lines_of(el, _hidden_here)).strip()
