"""HTML parsing and the conversion of a body container into lines of visible text."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import lxml.etree

Element = lxml.etree._Element

# Plain etree elements: lxml.html's class lookup per element proxy costs a third of a parse.
_PARSER = lxml.etree.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.I)
_WS = re.compile(r"[ \t\r\n\f\v\u00a0\u200b\u3000\ufeff]+")

# Never article text wherever they appear.
SKIP_TAGS = frozenset(
    """script style noscript iframe object embed video audio svg canvas form button input
    select textarea option label figure figcaption img picture source ins aside nav map
    template head title meta link dialog""".split()
)
# Elements that end a line of text before and after them.
BLOCK_TAGS = frozenset(
    """p div section article header footer main h1 h2 h3 h4 h5 h6 ul ol li dl dt dd table
    thead tbody tfoot tr td th blockquote pre address center hr body html""".split()
)
HEADING_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])


# UTF-8 bytes are parsed as they are: handing lxml a str makes it encode the whole document
# to UTF-8 again first (a tenth of the parse on a 100 KB page). One parser per thread, because
# its error log is how parse_utf8 learns whether the bytes were UTF-8.
_UTF8_PARSERS = threading.local()
_INVALID_ENCODING = lxml.etree.ErrorTypes.ERR_INVALID_ENCODING


class NotUtf8(ValueError):
    """Bytes given to :func:`parse_utf8` are not valid UTF-8."""


def parse(text: str) -> Element | None:
    """Parse a document leniently; None when there is nothing to parse."""
    text = _XML_DECL.sub("", text, count=1).replace("\x00", "")
    if not text.strip():
        return None
    return _parse(text, _PARSER)


def parse_utf8(data: bytes) -> Element | None:
    """:func:`parse` for bytes without a BOM, read as UTF-8; NotUtf8 if they are not UTF-8.

    libxml2 checks every byte as it parses, so the document need not be decoded in Python
    first to learn whether it is UTF-8 (80 µs on a 100 KB Korean page, a twentieth of its
    extraction). Every byte it reads, that is: what follows the name in a DOCTYPE is skipped
    unread, by browsers too, so bad bytes there do not make a page "not UTF-8".
    """
    if b"\x00" in data:
        data = data.replace(b"\x00", b"")
    if not data or data.isspace():
        return None
    parser = getattr(_UTF8_PARSERS, "parser", None)
    if parser is None:
        parser = _UTF8_PARSERS.parser = lxml.etree.HTMLParser(
            remove_comments=True, remove_pis=True, collect_ids=False, encoding="utf-8"
        )
    root = _parse(data, parser)
    if any(error.type == _INVALID_ENCODING for error in parser.error_log):
        raise NotUtf8("the bytes are not valid UTF-8")
    return root


def _parse(document: str | bytes, parser: lxml.etree.HTMLParser) -> Element | None:
    try:
        return lxml.etree.fromstring(document, parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return None


def squash(text: str | None) -> str:
    """Whitespace runs (including NBSP and ideographic spaces) to one space, stripped."""
    return _WS.sub(" ", text or "").strip()


def text_of(el: Element | None) -> str:
    """The squashed text content of an element, scripts and styles excluded."""
    if el is None:
        return ""
    parts: list[str] = []
    _collect(el, parts)
    return squash(" ".join(parts))


def _collect(el: Element, parts: list[str]) -> None:
    if isinstance(el.tag, str) and el.tag not in ("script", "style", "noscript", "template"):
        if el.text:
            parts.append(el.text)
        for child in el:
            _collect(child, parts)
    if el.tail:
        parts.append(el.tail)


@dataclass(slots=True)
class Line:
    """One line of visible text of a body container."""

    text: str
    heading: bool = False  # from h1-h6: a printed subheading
    after_image: bool = False  # the line follows an image: a caption when it reads like one
    link_share: float = 0.0  # share of the characters inside <a>: related-article links
    emphasis: bool = False  # every character inside <b>/<strong>: a subheading or a deck


class LineWriter:
    """Walks a container and cuts its text into lines at block elements and <br>.

    ``skip`` decides, per element, whether the element (not its tail) is left out.
    """

    def __init__(self, skip: Callable[[Element], bool]) -> None:
        self.skip = skip
        self.lines: list[Line] = []
        self._buf: list[str] = []
        self._image = False
        self._heading = 0
        self._link = 0
        self._link_chars = 0
        self._bold = 0
        self._plain_chars = 0  # characters outside <b>/<strong> in the current line

    def add(self, text: str) -> None:
        self._buf.append(text)
        if self._link:
            self._link_chars += len(text.strip())
        if not self._bold:
            self._plain_chars += len(text.strip())

    def flush(self) -> None:
        if not self._buf:  # every block start and end flushes; most find nothing
            return
        raw = "".join(self._buf)
        text = squash(raw)
        self._buf.clear()
        link_chars, self._link_chars = self._link_chars, 0
        plain_chars, self._plain_chars = self._plain_chars, 0
        if text:
            share = min(1.0, link_chars / max(1, len(text.replace(" ", ""))))
            self.lines.append(
                Line(
                    text,
                    heading=self._heading > 0,
                    after_image=self._image,
                    link_share=share,
                    emphasis=plain_chars == 0,
                )
            )
            self._image = False

    def walk(self, el: Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or self.skip(el):
            if tag in ("img", "figure", "picture", "video", "iframe"):
                self.flush()
                self._image = True
            return
        if tag == "br":
            self.flush()
            return
        self.enter(el, tag)

    def walk_container(self, container: Element) -> None:
        """Walk ``container`` itself unskipped: it was chosen as the text's element, even
        when its class names read like a widget's."""
        tag = container.tag if isinstance(container.tag, str) else ""
        if tag and tag not in SKIP_TAGS:
            self.enter(container, tag)

    def enter(self, el: Element, tag: str) -> None:
        """The text of an element that is not skipped, children walked."""
        block = tag in BLOCK_TAGS
        heading = tag in HEADING_TAGS
        link = tag == "a"
        bold = tag in ("b", "strong")
        if block:
            self.flush()
        self._heading += heading
        self._link += link
        self._bold += bold
        if el.text:
            self.add(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                self.add(child.tail)
        if block:
            self.flush()
        self._heading -= heading
        self._link -= link
        self._bold -= bold


def lines_of(container: Element, skip: Callable[[Element], bool]) -> list[Line]:
    """The lines of visible text of ``container``, in document order."""
    writer = LineWriter(skip)
    writer.walk_container(container)
    writer.flush()
    return writer.lines
