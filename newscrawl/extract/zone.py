"""The stretch of visible text between the headline and the end of the article body,
where pages print their 입력/수정 lines (sidebars and related lists are outside it)."""

from __future__ import annotations

from lxml import etree

from newscrawl.extract.dom import SKIP_TAGS, Element, lines_of, squash
from newscrawl.extract.teaser import is_teaser_item

_INVISIBLE = frozenset({"script", "style", "noscript", "template", "head", "title", "iframe"})
MAX_ZONE = 4000


def header_zone(root: Element, title: str | None, container: Element | None) -> str:
    """Visible text from the first printing of ``title`` to the end of ``container``."""
    parts: list[str] = []
    end = None
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _INVISIBLE or not tag:
                walker.skip_subtree()  # its "end" event still comes, with the tail
                continue
            if el.text:
                parts.append(el.text)
        else:
            if el is container:
                end = len(" ".join(parts))
                break  # nothing after the body is read: the sidebars and footer are skipped
            if el.tail:
                parts.append(el.tail)
    text = " ".join(parts)
    start = 0
    if title:
        found = text.find(title[: min(len(title), 30)])
        if found >= 0 and (end is None or found < end):
            start = found
    stop = end if end is not None else start + MAX_ZONE
    zone = text[start:stop]
    if len(zone) > 3 * MAX_ZONE:
        # Dates sit just under the headline, or right after a long body.
        zone = zone[:MAX_ZONE] + " " + zone[-MAX_ZONE:]
    return squash(zone)


MAX_HEAD = 600  # characters between a headline and its text: the byline line, dates, buttons


def head_zone(root: Element, title: str | None, container: Element | None) -> str:
    """Visible text after the first printing of ``title`` and before ``container`` starts,
    where templates print "김가람 기자 | 승인 …" lines; empty without a title or container."""
    if not title or container is None:
        return ""
    parts: list[str] = []
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if el is container:
                break
            if tag in _INVISIBLE or not tag:
                walker.skip_subtree()
                continue
            if el.text:
                parts.append(el.text)
        elif el.tail:
            parts.append(el.tail)
    text = squash(" ".join(parts))
    found = text.rfind(title[: min(len(title), 30)])
    if found < 0:
        return ""
    return text[found + len(title) :][:MAX_HEAD]


MAX_TAIL_LINES = 12


def tail_lines(container: Element | None) -> list[str]:
    """The first lines of text printed right after ``container`` (its next siblings, else
    its parent's), where templates put "김가람 기자 kim@…" under the article."""
    if container is None:
        return []
    lines: list[str] = []
    for el in (container, container.getparent()):
        if el is None:
            break
        for sibling in el.itersiblings():
            if not isinstance(sibling.tag, str) or sibling.tag in SKIP_TAGS:
                continue
            # Lists of other articles print their writers: "제목 김가람 기자" is not a byline.
            lines.extend(line.text for line in lines_of(sibling, _not_tail))
            if len(lines) >= MAX_TAIL_LINES:
                return lines[:MAX_TAIL_LINES]
        if lines:
            break
    return lines


def _not_tail(el: Element) -> bool:
    return el.tag in SKIP_TAGS or (el.tag == "li" and is_teaser_item(el))
