"""A threaded HTTP server on 127.0.0.1 that serves one miniature site and logs every request."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass(slots=True)
class Resource:
    """One HTTP answer."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    close: bool = False  # close the connection after the answer
    stall: float = 0.0  # seconds to wait before answering (a server that hangs)


def redirect(location: str, status: int = 301) -> Resource:
    return Resource(status=status, headers={"Location": location}, content_type="text/html")


NOT_FOUND = Resource(b"<html><body><h1>404 Not Found</h1></body></html>", status=404)

# A site is a function from (path, query parameters) to a Resource, or None for a 404.
Resolver = Callable[[str, dict[str, str]], "Resource | None"]


class MockServer(ThreadingHTTPServer):
    """Serves ``resolver`` on a free loopback port; ``log`` keeps every requested path+query."""

    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops the SYNs of a crawler opening 16 connections
    # at once, and the kernel retries a dropped SYN only after a second.
    request_queue_size = 128

    def __init__(self, resolver: Resolver, *, delay: float = 0.0, host: str = "127.0.0.1") -> None:
        # Another 127.x.y.z address is another host to Scrapy (a download slot of its own).
        super().__init__((host, 0), _Handler)
        self.resolver = resolver
        self.delay = delay  # seconds per article page, to make a crawl slow enough to kill
        self.log: list[str] = []
        self.times: list[tuple[float, str]] = []  # (time.monotonic(), path+query) per request
        # (start, end, path+query) per answered request: end is after its last byte was sent
        self.spans: list[tuple[float, float, str]] = []
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}/"

    def requests_for(self, needle: str) -> list[str]:
        with self.lock:
            return [p for p in self.log if needle in p]


class _Handler(BaseHTTPRequestHandler):
    server: MockServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        start = time.monotonic()
        with self.server.lock:
            self.server.log.append(self.path)
            self.server.times.append((time.monotonic(), self.path))
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        resource = self.server.resolver(parts.path, query) or NOT_FOUND
        if self.server.delay and resource.status == 200 and "text/html" in resource.content_type:
            time.sleep(self.server.delay)
        time.sleep(resource.stall)
        self.send_response(resource.status)
        self.send_header("Content-Type", resource.content_type)
        if "Content-Length" not in resource.headers:
            self.send_header("Content-Length", str(len(resource.body)))
        for key, value in resource.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(resource.body)
        self.wfile.flush()
        with self.server.lock:
            self.server.spans.append((start, time.monotonic(), self.path))
        if resource.close:  # a body shorter than its Content-Length: end the connection
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass  # the request log above is what tests read


@contextmanager
def serving(
    resolver: Resolver, *, delay: float = 0.0, host: str = "127.0.0.1"
) -> Iterator[MockServer]:
    """Run a MockServer in a background thread for the duration of the block."""
    server = MockServer(resolver, delay=delay, host=host)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
