"""A miniature NDSoft site whose articles misbehave on purpose, built without the corpus.

Each article id maps to a list of answers given in turn (the last one repeats): a 429 or 503
with ``Retry-After``, a redirect to itself, a gzip bomb, a truncated body, then maybe a 200.
"""

from __future__ import annotations

import gzip
import html
from collections import defaultdict

from tests.mocksite.server import Resource, redirect

ARTICLE = "/news/articleView.html?idxno={}"


def article_page(idxno: int) -> bytes:
    """A small article page in NDSoft's markup: title, date, reporter and body."""
    body = f"경북 지역 소식 {idxno}번 기사 본문입니다. " * 20
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>기사 {idxno}</title>"
        f"<meta property='og:title' content='지역 소식 {idxno}'>"
        "<meta property='article:published_time' content='2025-12-01T09:00:00+09:00'>"
        f"</head><body><h3 class='heading'>지역 소식 {idxno}</h3>"
        f"<article id='article-view-content-div'><p>{html.escape(body)}</p>"
        "<p>홍길동 기자 hong@example.kr</p></article></body></html>"
    ).encode()


def ok(idxno: int) -> Resource:
    return Resource(article_page(idxno))


def too_many(retry_after: str = "1", status: int = 429) -> Resource:
    return Resource(b"slow down", status=status, headers={"Retry-After": retry_after})


def gzip_bomb(size: int) -> Resource:
    """A gzip body of ``size`` zero bytes: a few KB on the wire, ``size`` once decompressed."""
    return Resource(
        gzip.compress(b"\0" * size), content_type="text/html", headers={"Content-Encoding": "gzip"}
    )


def gzip_cut_short(idxno: int) -> Resource:
    """A gzip body whose stream stops early, sent whole (its Content-Length is right)."""
    packed = gzip.compress(article_page(idxno) + b"<!-- " + b"x" * 4000 + b" -->")
    return Resource(packed[: len(packed) - 40], headers={"Content-Encoding": "gzip"})


def truncated(idxno: int) -> Resource:
    """An answer whose connection ends before the announced Content-Length."""
    body = article_page(idxno)
    return Resource(body[: len(body) // 2], headers={"Content-Length": str(len(body))}, close=True)


class TroubledSite:
    """Home page and robots.txt answer; ``answers[idxno]`` says how each article does."""

    cms = "ndsoft"

    def __init__(self, answers: dict[int, list[Resource]]) -> None:
        self.base = ""
        self.answers = answers
        self.served: dict[int, int] = defaultdict(int)

    def url(self, idxno: int) -> str:
        return self.base + ARTICLE.format(idxno)

    def __call__(self, path: str, query: dict[str, str]) -> Resource | None:
        if path == "/":
            links = "".join(
                f'<li><a href="{self.url(i)}">기사 {i}</a></li>' for i in sorted(self.answers)
            )
            return Resource(f"<html><body><ul>{links}</ul></body></html>".encode())
        if path == "/robots.txt":
            return Resource(b"User-agent: *\nAllow: /\n", content_type="text/plain")
        if path == "/news/articleView.html" and query.get("idxno", "").isdigit():
            idxno = int(query["idxno"])
            if idxno not in self.answers:
                return None
            turns = self.answers[idxno]
            answer = turns[min(self.served[idxno], len(turns) - 1)]
            self.served[idxno] += 1
            return answer
        return None


def redirect_to(idxno: int) -> Resource:
    """A redirect to another article of the site."""
    return redirect(ARTICLE.format(idxno), status=301)


def self_redirect(idxno: int) -> Resource:
    """A redirect from an article to itself: a loop Scrapy's duplicate filter ends."""
    return redirect(ARTICLE.format(idxno), status=302)
