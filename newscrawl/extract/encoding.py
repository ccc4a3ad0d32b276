"""Bytes to text the way a browser would, surviving the wrong declarations regional sites make."""

from __future__ import annotations

from dataclasses import dataclass, field

from charset_normalizer import from_bytes
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

# w3lib maps labels as browsers do (EUC-KR to cp949, the superset with the 8,822 Hangul
# syllables EUC-KR lacks, which sites write anyway; latin-1 to cp1252); these WHATWG labels
# of EUC-KR are missing from its table.
_MISSING_LABELS = {"x-windows-949": "cp949", "windows-949": "cp949"}


@dataclass(slots=True)
class Decoded:
    """Decoded text, the codec that produced it, and notes on what was distrusted."""

    text: str
    encoding: str
    messages: list[str] = field(default_factory=list)


def normalize_encoding(name: str | None) -> str | None:
    """A Python codec name for a declared charset label, or None if the label is unknown."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    return resolve_encoding(_MISSING_LABELS.get(label, label))


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _declarations(data: bytes, declared: str | None) -> tuple[str | None, str | None]:
    """The codecs the HTTP header (``declared``) and the ``<meta>`` charset name, if known."""
    http = None
    if declared:
        http = normalize_encoding(http_content_type_encoding(declared) or declared)
    return http, normalize_encoding(html_body_declared_encoding(data[:8192]))


def likely_utf8(data: bytes, *, declared: str | None = None) -> bool:
    """Whether :func:`decode_html` reads ``data`` as UTF-8, without a message, exactly when
    the bytes are valid UTF-8: they are not ASCII, have no BOM, and no charset other than
    UTF-8 is declared. A parser that checks UTF-8 as it reads can then take the bytes first.
    """
    if data.isascii() or read_bom(data)[0]:
        return False
    return all(codec in (None, "utf-8") for codec in _declarations(data, declared))


def decode_html(data: bytes, *, declared: str | None = None) -> Decoded:
    """Decode an HTML document.

    Order: BOM, then the HTTP ``Content-Type`` charset (``declared`` may be that header
    or a bare charset name), then the ``<meta>`` charset, then detection. A declaration
    is only trusted if the bytes decode under it without error; UTF-8 bytes under a
    legacy declaration (a common mistake of Korean CMS templates) are read as UTF-8.
    """
    bom = read_bom(data)
    if bom[0]:
        bom_codec = normalize_encoding(bom[0]) or "utf-8"
        return Decoded(data[len(bom[1]) :].decode(bom_codec, "replace"), bom_codec)
    messages: list[str] = []
    http, meta = _declarations(data, declared)
    has_non_ascii = not data.isascii()
    if has_non_ascii and (utf8 := _strict(data, "utf-8")) is not None:
        for label, codec in (("HTTP", http), ("meta", meta)):
            if codec and codec != "utf-8":
                messages.append(f"{label} charset {codec} ignored: the bytes are valid UTF-8")
                break
        return Decoded(utf8, "utf-8", messages)
    for label, codec in (("HTTP", http), ("meta", meta)):
        if not codec:
            continue
        text = _strict(data, codec)
        if text is not None:
            return Decoded(text, codec, messages)
        messages.append(f"{label} charset {codec} does not decode the bytes")
    if not has_non_ascii:
        return Decoded(data.decode("ascii"), "ascii", messages)
    for codec in ("cp949",):
        text = _strict(data, codec)
        if text is not None:
            return Decoded(text, codec, [*messages, f"charset detected as {codec}"])
    guess = from_bytes(data[:200_000]).best()
    codec = normalize_encoding(guess.encoding if guess else None) or "utf-8"
    messages.append(f"charset detected as {codec}, undecodable bytes replaced")
    return Decoded(data.decode(codec, "replace"), codec, messages)
