"""What happened to a request, a site and a run, in words that stats, logs and exit codes share.

``failure_reason`` names why a request was given up (``dns``, ``http_429``, ``too_large``...);
the spider counts each under ``failed/REASON`` and ``site/NAME/failed/REASON``. ``judge``
reads those stats at the end of a run and gives each site, and the run, one status with
its reason: ``ok``, ``partial``, ``failed`` or ``interrupted``. The crawl command turns the
run's verdict into the exit status; the archive records it in ``crawl_runs``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scrapy import exceptions as scrapy_errors
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "NETWORK_REASONS",
    "UNREACHABLE_REASONS",
    "SiteVerdict",
    "Verdict",
    "failure_counts",
    "failure_reason",
    "judge",
    "truncation",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

# Reasons that say the host cannot be reached at all: retrying them for minutes never helps.
UNREACHABLE_REASONS = frozenset({"dns", "connection_refused"})
# Reasons that say the network path to the host failed (no HTTP answer came back).
NETWORK_REASONS = UNREACHABLE_REASONS | {"timeout", "connection_lost", "tls", "dataloss"}

_BY_TYPE: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((scrapy_errors.CannotResolveHostError, net.DNSLookupError), "dns"),
    (
        (scrapy_errors.DownloadConnectionRefusedError, net.ConnectionRefusedError),
        "connection_refused",
    ),
    ((scrapy_errors.DownloadTimeoutError, net.TimeoutError, net.TCPTimedOutError), "timeout"),
    ((scrapy_errors.ResponseDataLossError,), "dataloss"),
    ((scrapy_errors.DownloadCancelledError,), "too_large"),  # DOWNLOAD_MAXSIZE, announced
    ((net.SSLError,), "tls"),
    ((net.ConnectionLost, net.ConnectionDone, net.ConnectError), "connection_lost"),
    ((scrapy_errors.DownloadFailedError,), "connection_lost"),
)


_TRUNCATED = {
    "dataloss": "body cut short: the connection ended before its Content-Length",
    "partial": "body maybe cut short: the connection ended, no Content-Length to check",
    "gzip_truncated": "body cut short: the gzip stream ends early",
}


def truncation(response: Response) -> str | None:
    """The message for a body Scrapy kept although it is incomplete (response flags), if any.

    ``dataloss`` needs DOWNLOAD_FAIL_ON_DATALOSS off (on, the request fails and is retried);
    ``gzip_truncated`` comes from newscrawl.middlewares.CheckedHttpCompressionMiddleware.
    """
    found = [_TRUNCATED[f] for f in response.flags if f in _TRUNCATED]
    return "; ".join(found) or None


def failure_reason(error: BaseException | None) -> str:
    """The reason a request was given up, as a short stat-friendly word."""
    if isinstance(error, HttpError):
        return f"http_{error.response.status}"
    if isinstance(error, scrapy_errors.IgnoreRequest):
        if reason := getattr(error, "reason", None):  # our own middlewares name theirs
            return str(reason)
        # Scrapy raises bare IgnoreRequests; only their messages tell them apart.
        message = str(error)
        if "robots.txt" in message:
            return "robots"
        if "redirect" in message:
            return "redirect_loop"
        if "DOWNLOAD_MAXSIZE" in message:  # a body that decompresses past the bound
            return "too_large"
        return "ignored"
    for types, reason in _BY_TYPE:
        if isinstance(error, types):
            return reason
    if "SSL" in type(error).__name__ or "TLS" in type(error).__name__:
        return "tls"
    return "error"


@dataclass(frozen=True, slots=True)
class SiteVerdict:
    """One site's outcome in a run: a status and the sentence that explains it."""

    status: str  # ok | partial | failed | interrupted
    reason: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """A run's outcome: its status, reason, per-site verdicts and exit status."""

    status: str
    reason: str
    sites: dict[str, SiteVerdict] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 when every site was crawled (``ok`` or ``partial``), else 1."""
        bad = self.status == "interrupted" or any(v.status == "failed" for v in self.sites.values())
        return EXIT_FAILED if bad else EXIT_OK

    def sentences(self) -> list[str]:
        """One line per site, then one for the run: what the log ends with."""
        lines = [f"Site {name} {v.status}: {v.reason}" for name, v in self.sites.items()]
        lines.append(f"Run {self.status}: {self.reason}")
        return lines


def _failures(stats: Mapping[str, Any], prefix: str) -> dict[str, int]:
    return {
        key.removeprefix(prefix): int(value)
        for key, value in stats.items()
        if key.startswith(prefix) and isinstance(value, int | float)
    }


def failure_counts(stats: Mapping[str, Any], site: str) -> dict[str, int]:
    """Requests of ``site`` given up, per reason (``site/NAME/failed/REASON`` stats)."""
    return _failures(stats, f"site/{site}/failed/")


def _listed(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{reason} {n}" for reason, n in sorted(counts.items(), key=lambda i: -i[1]))


def judge_site(stats: Mapping[str, Any], name: str, *, finished: bool) -> SiteVerdict:
    """The verdict on one site from its ``site/NAME/...`` stats."""

    def count(key: str) -> int:
        value = stats.get(f"site/{name}/{key}", 0)
        return int(value) if isinstance(value, int | float) else 0

    if unreachable := stats.get(f"site/{name}/unreachable"):
        return SiteVerdict("failed", f"unreachable: {unreachable}")
    if robots := stats.get(f"site/{name}/robots_unreachable"):
        return SiteVerdict("failed", f"robots.txt unreachable: {robots}")
    failures = _failures(stats, f"site/{name}/failed/")
    if failures and not count("responses"):
        return SiteVerdict("failed", f"every request failed ({_listed(failures)})")
    requested = count("to_fetch") + count("revisits")
    article_failures = _failures(stats, f"site/{name}/article_failed/")
    if requested and not count("fetched") and article_failures:
        return SiteVerdict(
            "failed", f"all {requested} article requests failed ({_listed(article_failures)})"
        )
    if (home := stats.get(f"site/{name}/home_failed")) and not count("discovered"):
        return SiteVerdict("failed", f"home page failed ({home}) and no article was found")
    saved = {k: count(k) for k in ("new", "updated", "unchanged")}
    done = ", ".join(f"{v} {k}" for k, v in saved.items())
    if (sent := count("sent")) and not any(saved.values()):
        # A cluster node: the archive writer alone knows what its pages made in the archive.
        done = f"{sent} sent to the archive writer"
    if not finished:
        return SiteVerdict("interrupted", f"the run stopped before the site was done ({done})")
    if count("failed"):
        detail = f"; {_listed(article_failures)}" if article_failures else ""
        return SiteVerdict(
            "partial", f"{count('failed')} of {requested} articles failed{detail} ({done})"
        )
    return SiteVerdict("ok", f"{count('discovered')} articles discovered ({done})")


def judge(stats: Mapping[str, Any], sites: list[str], *, finish_reason: str) -> Verdict:
    """The verdict on a run: per site, then the run as a whole."""
    finished = finish_reason == "finished"
    verdicts = {name: judge_site(stats, name, finished=finished) for name in sites}
    failed = [n for n, v in verdicts.items() if v.status == "failed"]
    if not finished:
        return Verdict("interrupted", f"the run stopped early ({finish_reason})", verdicts)
    if failed and len(failed) == len(verdicts):
        reason = f"every site failed: {', '.join(failed)}"
        if all(v.reason.startswith("unreachable:") for v in verdicts.values()):
            # Offline, or no DNS: what a cron user should check first.
            reason += " (no host could be reached: is the network down?)"
        return Verdict("failed", reason, verdicts)
    if failed:
        reason = f"{len(failed)} of {len(verdicts)} sites failed: {', '.join(failed)}"
        return Verdict("partial", reason, verdicts)
    partial = [n for n, v in verdicts.items() if v.status == "partial"]
    if partial:
        reason = f"{len(verdicts)} sites crawled; some articles failed in {', '.join(partial)}"
        return Verdict("partial", reason, verdicts)
    return Verdict("ok", f"{len(verdicts)} site(s) crawled", verdicts)
