"""The record a crawl node sends to the archive writer: a Page's capture and article as bytes.

One JSON line (the capture's fields, the article row, the packed blob's key) followed by the
blob's compressed bytes: the raw body travels once, already compressed by the extraction
worker, and JSON keeps the record readable with ``redis-cli``. No Scrapy here.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from archive.blobs import Blob, decompress, pack_blob
from archive.reads import Capture
from newscrawl.items import Page

VERSION = 1


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
    line = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return line + b"\n" + blob.data


def decode_record(data: bytes) -> tuple[Capture, dict[str, Any]]:
    """The Capture and article row of a record made by :func:`encode_page`.

    Raises ValueError for bytes that are not such a record (another version, no header)."""
    line, sep, packed = data.partition(b"\n")
    if not sep:
        raise ValueError("not a page record: no header line")
    header = json.loads(line)
    if header.get("v") != VERSION:
        raise ValueError(f"page record version {header.get('v')!r}, expected {VERSION}")
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
