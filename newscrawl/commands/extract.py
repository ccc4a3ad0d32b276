"""``scrapy extract [--url URL] FILE...``: one JSON object a line per saved page.

This is the interface by which extraction is judged: keep the keys and their meaning.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.extract import extract

KEYS = (
    "file",
    "url",
    "title",
    "subtitle",
    "reporters",
    "reporter_emails",
    "published",
    "modified",
    "body",
    "cms",
    "status",
    "messages",
)
_PAGE_URL = re.compile(
    rb"""<(?:link[^>]+rel=["']?canonical["']?[^>]+href|meta[^>]+property=["']?og:url["']?"""
    rb"""[^>]+content)=["']?([^"' >]+)""",
    re.I,
)


def page_url(data: bytes) -> str | None:
    """The URL a saved page gives for itself (rel=canonical or og:url), if any."""
    match = _PAGE_URL.search(data[:200_000])
    if not match:
        return None
    url = html.unescape(match.group(1).decode("ascii", "replace"))
    return url if url.startswith(("http://", "https://")) else None


def record(path: Path, data: bytes, url: str | None) -> dict[str, Any]:
    """The output line of one file's bytes."""
    url = url or page_url(data) or path.resolve().as_uri()
    article = extract(data, url).to_dict()
    return {"file": str(path), **{key: article[key] for key in KEYS if key != "file"}}


def unreadable_record(path: Path, url: str | None, error: OSError) -> dict[str, Any]:
    """The output line of a file that could not be read: an ``empty`` record saying why."""
    return {
        **dict.fromkeys(KEYS),
        "file": str(path),
        "url": url,
        "reporters": [],
        "reporter_emails": [],
        "body": "",
        "status": "empty",
        "messages": [f"cannot read file: {error.strerror or error}"],
    }


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--url URL] FILE..."

    def short_desc(self) -> str:
        return "Extract articles from saved HTML files, one JSON object a line"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--url",
            action="append",
            default=[],
            help="the page's URL (once for all files, or once per file in order); "
            "default: the page's canonical URL",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give at least one FILE")
        urls: list[str | None] = list(opts.url)
        if len(urls) > 1 and len(urls) != len(args):
            raise UsageError(f"{len(urls)} --url values for {len(args)} files")
        if len(urls) <= 1:
            urls = (urls or [None]) * len(args)
        out = sys.stdout
        for name, url in zip(args, urls, strict=True):
            path = Path(name)
            # The read error itself, not a message's wording, says the file failed.
            try:
                data = path.read_bytes()
            except OSError as error:
                line = unreadable_record(path, url, error)
                sys.stderr.write(f"error: {name}: {line['messages'][0]}\n")
                self.exitcode = 1
            else:
                line = record(path, data, url)
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        out.flush()
