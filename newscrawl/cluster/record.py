"""The record a crawl node sends to the archive writer: a Page's capture and article as bytes.

One :func:`frame` message: a JSON line (the capture's fields, the article row, the packed
blob's key) followed by the blob's compressed bytes: the raw body travels once, already
compressed by the extraction worker, and JSON keeps the record readable with ``redis-cli``.
The archive memory a node asks for (``newscrawl.cluster.memory``) is framed the same way.
No Scrapy here.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from archive.blobs import Blob, decompress, pack_blob
from archive.reads import Capture
from newscrawl.items import Page

VERSION = 1


def frame(header: dict[str, Any], payload: bytes) -> bytes:
    """A message of the cluster: one JSON line (``v`` its version), then raw bytes."""
    line = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return line + b"\n" + payload


def unframe(data: bytes, *, name: str, version: int) -> tuple[dict[str, Any], bytes]:
    """The header and payload of a :func:`frame` message of ``version``; ValueError for
    other bytes (``name`` says what was expected)."""
    line, sep, payload = data.partition(b"\n")
    if not sep:
        raise ValueError(f"not {name}: no header line")
    header = json.loads(line)
    if header.get("v") != version:
        raise ValueError(f"{name} of version {header.get('v')!r}, expected {version}")
    return header, payload


def encode_page(page: Page) -> bytes:
    """``page`` (extracted, its bytes packed or not) as one record for the archive writer."""
    blob = page.blob if page.blob is not None else pack_blob(page.body)
    header = {
        "v": VERSION,
        "url": page.url,
        "final_url": page.final_url,
        "status": page.status,
        "fetched_at": page.fetched_at.isoformat(),
        "headers": page.headers,
        "encoding": page.encoding,
        "site": page.site,
        "blob": {"sha256": blob.sha256, "size": blob.size, "compression": blob.compression},
        "article": page.article_row(),
    }
    return frame(header, blob.data)


def decode_record(data: bytes) -> tuple[Capture, dict[str, Any]]:
    """The Capture and article row of a record made by :func:`encode_page`.

    Raises ValueError for bytes that are not such a record (another version, no header)."""
    header, packed = unframe(data, name="a page record", version=VERSION)
    meta = header["blob"]
    blob = Blob(meta["sha256"], meta["size"], meta["compression"], packed)
    capture = Capture(
        url=header["url"],
        final_url=header["final_url"],
        status=header["status"],
        # The archive's own ISO format, read back exactly (not a date parser's guess).
        fetched_at=datetime.fromisoformat(header["fetched_at"]),
        headers=header["headers"],
        encoding=header["encoding"],
        body=decompress(blob.compression, blob.data),
        site=header["site"],
        blob=blob,
    )
    return capture, header["article"]
