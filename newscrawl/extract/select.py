"""A small CSS selector engine over a one-pass index of the page.

lxml's cssselect turns ``.byline`` into an XPath that concatenates every element's class
string, once per selector: a dozen selectors over a news page cost milliseconds. Here the
page is walked once (ids, class tokens, document order) and selectors are dictionary
look-ups. Supported: ``tag``, ``#id``, ``.class``, ``[attr]``, ``[attr=v]``, ``[attr^=v]``,
compounds of those, the descendant combinator, and comma-separated alternatives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

from newscrawl.extract.dom import Element

_COMPOUND = re.compile(
    r"""(?P<tag>[a-zA-Z][\w-]*)|\#(?P<id>[\w-]+)|\.(?P<cls>[\w-]+)"""
    r"""|\[\s*(?P<attr>[\w:-]+)\s*(?:(?P<op>\^?=)\s*['"]?(?P<value>[^'"\]]*)['"]?\s*)?\]"""
)


@dataclass(frozen=True, slots=True)
class Compound:
    """One simple-selector sequence, such as ``h1.heading`` or ``a[href^='mailto:']``."""

    tag: str | None = None
    id: str | None = None
    classes: tuple[str, ...] = ()
    attrs: tuple[tuple[str, str, str], ...] = ()  # (name, "=" | "^=" | "", value)

    def matches(self, el: Element) -> bool:
        if self.tag and el.tag != self.tag:
            return False
        if self.id and el.get("id") != self.id:
            return False
        if self.classes:
            tokens = (el.get("class") or "").split()
            if any(c not in tokens for c in self.classes):
                return False
        for name, op, value in self.attrs:
            actual = el.get(name)
            if actual is None or (op == "=" and actual != value):
                return False
            if op == "^=" and not actual.startswith(value):
                return False
        return True


def _compound(text: str) -> Compound:
    tag, id_, classes, attrs = None, None, [], []
    pos = 0
    for match in _COMPOUND.finditer(text):
        if match.start() != pos:
            raise ValueError(f"unsupported selector: {text!r}")
        pos = match.end()
        if match["tag"]:
            tag = match["tag"].lower()
        elif match["id"]:
            id_ = match["id"]
        elif match["cls"]:
            classes.append(match["cls"])
        else:
            attrs.append((match["attr"], match["op"] or "", match["value"] or ""))
    if pos != len(text):
        raise ValueError(f"unsupported selector: {text!r}")
    return Compound(tag, id_, tuple(classes), tuple(attrs))


# The class tokens and ids that some compiled Selector looks its candidates up by. The page
# index keeps only these: a news page has hundreds of class tokens and selectors ask for ~60.
_WANTED_CLASSES: set[str] = set()
_WANTED_IDS: set[str] = set()


def _elements(found: object) -> list[Element]:
    # lxml types xpath() as any XPath value; an expression of the form //*[...] gives elements.
    return cast("list[Element]", found)


class PageIndex:
    """Ids and class tokens wanted by selectors, from one walk."""

    __slots__ = ("by_class", "by_id", "classes", "ids", "root")

    def __init__(self, root: Element) -> None:
        self.root = root
        self.by_class: dict[str, list[Element]] = {}
        self.by_id: dict[str, list[Element]] = {}
        # Copies: a selector compiled after this walk asks for keys the walk did not keep.
        self.classes, self.ids = frozenset(_WANTED_CLASSES), frozenset(_WANTED_IDS)
        wanted_classes, wanted_ids = self.classes, self.ids
        by_class, by_id = self.by_class, self.by_id
        for el in root.iter():
            if classes := el.get("class"):
                for token in classes.split():
                    if token in wanted_classes:
                        by_class.setdefault(token, []).append(el)
            if (id_ := el.get("id")) and id_ in wanted_ids:
                by_id.setdefault(id_, []).append(el)

    def candidates(self, last: Compound) -> list[Element]:
        if last.id:
            if last.id not in self.ids:
                return _elements(self.root.xpath("//*[@id=$v]", v=last.id))
            return self.by_id.get(last.id, [])
        if last.classes:
            token = last.classes[0]
            if token not in self.classes:
                return [el for el in self.root.iter() if token in (el.get("class") or "").split()]
            return self.by_class.get(token, [])
        if last.tag:
            return list(self.root.iter(last.tag))
        name, op, value = last.attrs[0]
        if op == "=":
            return _elements(self.root.xpath(f"//*[@{name}=$v]", v=value))
        return _elements(self.root.xpath(f"//*[@{name}]"))


class Selector:
    """A compiled selector list; calling it on a ``PageIndex`` gives matches in page order."""

    __slots__ = ("alternatives", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.alternatives = [
            [_compound(part) for part in alt.split()] for alt in text.split(",") if alt.strip()
        ]
        for chain in self.alternatives:
            for compound in chain:
                if compound.id:
                    _WANTED_IDS.add(compound.id)
                elif compound.classes:
                    _WANTED_CLASSES.add(compound.classes[0])

    def __call__(self, index: PageIndex) -> list[Element]:
        found: dict[Element, None] = {}
        sources = 0  # alternatives that matched; one alone gives its matches in page order
        for chain in self.alternatives:
            last, ancestors = chain[-1], chain[:-1]
            before = len(found)
            for el in _candidates(index, chain):
                if last.matches(el) and _has_ancestors(el, ancestors):
                    found[el] = None
            sources += len(found) > before
        if sources <= 1:
            return list(found)
        return sorted(found, key=document_position)


def document_position(el: Element) -> list[int]:
    """A key that sorts elements in document order: the child indexes on the path from the
    root. Selectors sort a handful of matches; numbering the whole page cost more."""
    key = []
    parent = el.getparent()
    while parent is not None:
        key.append(parent.index(el))
        el, parent = parent, parent.getparent()
    key.reverse()
    return key


def _candidates(index: PageIndex, chain: list[Compound]) -> list[Element]:
    """Elements that may match ``chain``, in page order. For ``.article-writer a`` these are
    the <a> inside .article-writer elements, not every <a> of the page."""
    last = chain[-1]
    if last.id or last.classes or len(chain) == 1:
        return index.candidates(last)
    for k in range(len(chain) - 2, -1, -1):
        scope = chain[k]
        if scope.id or scope.classes:
            found: dict[Element, None] = {}
            for el in index.candidates(scope):
                if scope.matches(el) and _has_ancestors(el, chain[:k]):
                    descendants = el.iter(last.tag) if last.tag else el.iter()
                    found.update(dict.fromkeys(d for d in descendants if d is not el))
            return list(found)
    return index.candidates(last)


def _has_ancestors(el: Element, chain: list[Compound]) -> bool:
    if not chain:
        return True
    wanted = len(chain) - 1
    for ancestor in el.iterancestors():
        if chain[wanted].matches(ancestor):
            wanted -= 1
            if wanted < 0:
                return True
    return False
