"""``python -m archive``: statistics, search, export, verification, WARC output, coverage
and optimize.

Every command but ``optimize`` reads the archive through a read-only connection
(``open_db_readonly``): a wrong file given by mistake is refused, never created, migrated
or switched to WAL; ``optimize`` opens it as a writer, and refuses a file that is not an
archive just the same. Misuse
and failures end in one line on stderr (``error: ...``) and a non-zero exit status: 2 for
a wrong command line or a file that is not an archive (missing, not SQLite, another
database, a newer schema), 1 for a damaged archive or when ``verify`` finds a problem. A
closed pipe (``export ... | head``) ends the command quietly, exit 0.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TextIO

import click
from sqlite_utils import Database

from archive import coverage
from archive.files import ArchiveFileError, DamagedArchive, describe, is_archive_file
from archive.grams import query_terms
from archive.maintenance import optimize
from archive.periods import UNTIL_END, date_prefix
from archive.progress import progress
from archive.queries import STATS, run
from archive.reads import load_capture
from archive.schema import known_migrations, open_db, open_db_readonly
from archive.search import MAX_QUERY_TERMS, search, search_terms
from archive.verify import verify
from archive.warc import capture_ids, write_warc

__all__ = ["cli", "configure_logging", "main"]

EXPORT_COLUMNS = (
    "id",
    "url",
    "site",
    "title",
    "subtitle",
    "reporters",
    "reporter_emails",
    "published_at",
    "modified_at",
    "section",
    "body",
    "status",
    "revision_count",
    "first_seen",
    "last_seen",
)
_JSON_COLUMNS = ("reporters", "reporter_emails")


class ArchiveError(click.ClickException):
    """A wrong command line or file, reported as one line (exit 2)."""

    exit_code = 2


class ArchiveFailure(click.ClickException):
    """A damaged archive or a failed check, reported as one line (exit 1)."""

    exit_code = 1


@contextmanager
def _archive(path: str) -> Iterator[Database]:
    """The archive at ``path``, read-only; what goes wrong becomes one line naming it."""
    try:
        db = open_db_readonly(path)
    except ArchiveFileError as error:
        if error.reason == "no such file":
            raise ArchiveError(f"no such archive: {path}") from None
        failure = ArchiveFailure if isinstance(error, DamagedArchive) else ArchiveError
        raise failure(str(error)) from None
    try:
        yield db
    except sqlite3.DatabaseError as error:
        # A damaged page is met only when a query reads it (a broken index, a lost page);
        # a missing column, when the archive predates a migration (readers never migrate).
        raise ArchiveFailure(f"{path}: {describe(error)}{_pending_hint(db)}") from None
    finally:
        db.close()


def _pending_hint(db: Database) -> str:
    try:
        applied = {
            row[0]
            for row in db.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = 'archive'"
            )
        }
    except sqlite3.Error:
        return ""
    pending = [name for name in known_migrations() if name not in applied]
    if not pending:
        return ""
    return (
        f" (the archive predates {', '.join(pending)}; any writer, such as scrapy crawl, "
        "brings it up to date)"
    )


@contextmanager
def _output(path: str, db_path: str, mode: str, **options: Any) -> Iterator[IO[Any]]:
    """``path`` opened for writing, unless it is the archive itself (or its -wal, -shm).

    Written under a new temporary name beside it and renamed at the end, so a failed run
    leaves no half-written file where a complete one is expected.
    """
    if is_archive_file(path, db_path):
        raise ArchiveError(f"{path} would overwrite the archive; choose another output file")
    target = Path(path)
    partial: Path | None = None
    try:
        handle, name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part"
        )
        partial = Path(name)
        # mkstemp makes the file private (0600); the output gets the usual umask mode.
        umask = os.umask(0)
        os.umask(umask)
        partial.chmod(0o666 & ~umask)
        with open(handle, mode, **options) as stream:
            yield stream
        os.replace(partial, target)
    except OSError as error:
        raise ArchiveFailure(f"cannot write {path}: {error.strerror or error}") from None
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)


def _check_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date_prefix(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _period_options(what: str) -> Callable[[Any], Any]:
    def decorate(function: Any) -> Any:
        function = click.option(
            "--until",
            metavar="DATE",
            callback=_check_date,
            help=f"Only {what} up to the end of DATE (2025 keeps all of 2025).",
        )(function)
        return click.option(
            "--since",
            metavar="DATE",
            callback=_check_date,
            help=f"Only {what} on or after DATE (ISO prefix: 2025, 2025-05, 2025-05-27).",
        )(function)

    return decorate


def _site_option(function: Any) -> Any:
    return click.option("--site", help="Only this site (its registry name).")(function)


class _PipeClosed(Exception):
    """The reader of standard output went away (``| head``): the command is done."""


class _Commands(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        # Click turns a broken pipe into exit status 1; for a shell it is no error.
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise _PipeClosed() from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Query and check a newscrawl archive (a SQLite file, opened read-only)."""


def _print_table(rows: list[dict[str, Any]], out: TextIO) -> None:
    if not rows:
        click.echo("  (none)", file=out)
        return
    columns = list(rows[0])
    cells = [["" if row[c] is None else str(row[c]) for c in columns] for row in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(columns)]
    click.echo("  " + "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)), file=out)
    for line in cells:
        padded = (v.ljust(w) for v, w in zip(line, widths, strict=True))
        click.echo("  " + "  ".join(padded).rstrip(), file=out)


@cli.command()
@click.argument("db_path", metavar="DB")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=1))
def stats(db_path: str, limit: int) -> None:
    """Articles per site and month, top reporters, extraction results and failures."""
    with _archive(db_path) as db:
        for title, sql in STATS.items():
            click.echo(f"{title}:")
            _print_table(run(db, sql, {"limit": limit}), sys.stdout)


@cli.command(name="search")
@click.argument("db_path", metavar="DB")
@click.argument("query")
@_site_option
@_period_options("articles published")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
def search_command(
    db_path: str,
    query: str,
    site: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Articles containing every word of QUERY (inside words too: 경주 finds 경주시는).

    A repeated word counts once; only the first 32 distinct words are searched.
    """
    with _archive(db_path) as db:
        distinct = len(dict.fromkeys(query_terms(query)))
        if distinct > MAX_QUERY_TERMS:
            words = " ".join(search_terms(query)[-3:])
            click.echo(
                f"notice: the query has {distinct} distinct words; only the first "
                f"{MAX_QUERY_TERMS} are searched (up to '{words}')",
                err=True,
            )
        hits = search(db, query, site=site, since=since, until=until, limit=limit)
    for hit in hits:
        if as_json:
            record = {
                "id": hit.id,
                "url": hit.url,
                "site": hit.site,
                "title": hit.title,
                "published_at": hit.published_at,
                "rank": hit.rank,
                "snippet": hit.snippet,
            }
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            click.echo(f"{hit.published_at or '':25.25} {hit.site or ''}  {hit.title or ''}")
            click.echo(f"    {hit.url}")
            click.echo(f"    {hit.snippet}")
    if not as_json:
        click.echo(f"{len(hits)} result{'s' if len(hits) != 1 else ''}", err=True)


def _export_filter(site: str | None, since: str | None, until: str | None) -> tuple[str, list[str]]:
    where, params = [], []
    if site:
        where.append("site = ?")
        params.append(site)
    if since:
        where.append("published_at >= ?")
        params.append(since)
    if until:
        where.append("published_at <= ?")
        params.append(until + UNTIL_END)
    return (f"WHERE {' AND '.join(where)}" if where else ""), params


def _write_export(db: Database, fmt: str, clause: str, params: list[str], out: IO[str]) -> int:
    total = db.execute(f"SELECT count(*) FROM articles {clause}", params).fetchone()[0]
    sql = f"SELECT {', '.join(EXPORT_COLUMNS)} FROM articles {clause} ORDER BY published_at, id"
    rows = progress(db.query(sql, params), total=total, desc="export", unit="article")
    count = 0
    if fmt == "jsonl":
        for row in rows:
            for column in _JSON_COLUMNS:
                row[column] = json.loads(row[column])
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    else:
        # JSON arrays stay JSON text in CSV: a reporter name may contain a comma.
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


@cli.command()
@click.argument("db_path", metavar="DB")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    help="Output format (required unless --excel).",
)
@click.option(
    "--excel",
    is_flag=True,
    help="CSV for Excel: UTF-8 with a byte order mark, which Korean Excel needs to read "
    "Hangul (it reads plain UTF-8 CSV as CP949). Implies --format csv.",
)
@_site_option
@_period_options("articles published")
@click.option("-o", "--output", metavar="FILE", help="Write here instead of standard output.")
def export(
    db_path: str,
    fmt: str | None,
    excel: bool,
    site: str | None,
    since: str | None,
    until: str | None,
    output: str | None,
) -> None:
    """Articles (current versions) as JSON lines or CSV, oldest publication first."""
    if excel:
        if fmt == "jsonl":
            raise click.UsageError("--excel writes CSV; it cannot be used with --format jsonl")
        fmt = "csv"
    if fmt is None:
        raise click.UsageError("missing option '--format' (jsonl or csv)")
    clause, params = _export_filter(site, since, until)
    # Check the output before opening the archive: no file is created for a refused run.
    if output is not None and is_archive_file(output, db_path):
        raise ArchiveError(f"{output} would overwrite the archive; choose another output file")
    encoding = "utf-8-sig" if excel else "utf-8"
    with _archive(db_path) as db:
        if output is None or output == "-":
            stdout = sys.stdout
            if isinstance(stdout, io.TextIOWrapper):
                stdout.reconfigure(encoding="utf-8")  # whatever the locale: UTF-8 is promised
            if excel:
                stdout.write("\ufeff")
            _write_export(db, fmt, clause, params, stdout)
            stdout.flush()
            return
        # newline="": the csv module writes its own \r\n line ends.
        with _output(output, db_path, "w", encoding=encoding, newline="") as stream:
            count = _write_export(db, fmt, clause, params, stream)
    click.echo(f"wrote {count} articles to {output}", err=True)


@cli.command(name="verify")
@click.argument("db_path", metavar="DB")
def verify_command(db_path: str) -> None:
    """SQLite's integrity checks, then every capture's raw bytes rehashed; exit 1 on a problem.

    Each blob is decompressed; its sha256 and length must equal the blob's key and size and
    the sha256 and size of every capture that refers to it.
    """
    with _archive(db_path) as db:
        problems = 0
        track = lambda keys: progress(keys, desc="verify", unit="blob")  # noqa: E731
        for problem in verify(db, track=track):
            click.echo(f"bad: {problem}", err=True)
            problems += 1
        captures = db.execute("SELECT count(*) FROM captures").fetchone()[0]
        blobs = db.execute("SELECT count(*) FROM blobs").fetchone()[0]
    if problems:
        raise ArchiveFailure(f"{problems} problem(s) in {db_path}")
    click.echo(f"ok: {captures} captures, {blobs} distinct raw pages, all sha256 and sizes match")


@cli.command(name="optimize")
@click.argument("db_path", metavar="DB")
@click.option(
    "--into", metavar="COPY", help="Also write a compact copy here (VACUUM INTO; a new file)."
)
def optimize_command(db_path: str, into: str | None) -> None:
    """Merge the search index into one segment and ANALYZE; the one command that writes.

    Holds the archive's write lock while the index is rewritten (minutes for a million
    articles): run it when no crawl writes. Never needed for speed; see the README.
    """
    if into is not None and is_archive_file(into, db_path):
        raise ArchiveError(f"{into} would overwrite the archive; choose another output file")
    if into is not None and Path(into).exists():
        raise ArchiveError(f"{into} exists; --into writes only a new file")
    if not Path(db_path).is_file() or Path(db_path).stat().st_size == 0:
        # open_db() would make an archive of a missing or empty file.
        raise ArchiveError(f"no such archive: {db_path}")
    try:
        db = open_db(db_path)
    except ArchiveFileError as error:
        failure = ArchiveFailure if isinstance(error, DamagedArchive) else ArchiveError
        raise failure(str(error)) from None
    try:
        done = optimize(db, into=into)
    except sqlite3.DatabaseError as error:
        raise ArchiveFailure(f"{db_path}: {describe(error)}") from None
    finally:
        db.close()
    click.echo(
        f"search index merged in {done.merge_seconds:.1f} s, ANALYZE in "
        f"{done.analyze_seconds:.1f} s",
        err=True,
    )
    if into is not None:
        click.echo(
            f"wrote {into} ({done.copy_bytes or 0:,} bytes) in {done.vacuum_seconds or 0:.1f} s",
            err=True,
        )


@cli.command(name="warc")
@click.argument("db_path", metavar="DB")
@click.argument("out", metavar="OUT.warc.gz")
@_site_option
@_period_options("captures fetched (UTC)")
def warc_command(
    db_path: str, out: str, site: str | None, since: str | None, until: str | None
) -> None:
    """Captures as WARC response records (replayable with pywb)."""
    if is_archive_file(out, db_path):
        raise ArchiveError(f"{out} would overwrite the archive; choose another output file")
    with _archive(db_path) as db:
        ids = capture_ids(db, site=site, since=since, until=until)
        captures = ((i, load_capture(db, i)) for i in progress(ids, desc="warc", unit="capture"))
        with _output(out, db_path, "wb") as stream:
            count = write_warc(captures, stream)
    click.echo(f"wrote {count} records to {out}", err=True)


#: Holes printed per series; the rest are counted (--json lists them all).
_HOLES_SHOWN = 20


@cli.command(name="coverage")
@click.argument("db_path", metavar="DB")
@_site_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object: every site, every hole.")
def coverage_command(db_path: str, site: str | None, as_json: bool) -> None:
    """What each site's archive holds of its article ids (NDSoft, GnuBoard): archived, gone
    (with the site's reason), never tried (holes, as id ranges); the site's own total against
    ours; the months with under a third of the median articles. Exit 1 when a site has holes.
    """
    with _archive(db_path) as db:
        names = coverage.sites(db)
        if site is not None:
            if site not in names:
                raise ArchiveError(f"no site {site!r} in {db_path}")
            names = [site]
        reports = [coverage.report(db, name) for name in names]
    if as_json:
        record = {
            "complete": not any(r.hole_count for r in reports),
            "sites": [r.to_dict() for r in reports],
        }
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        for report in reports:
            _print_coverage(report)
    holed = [r for r in reports if r.hole_count]
    if holed:
        listed = ", ".join(f"{r.site} ({r.hole_count} ids never tried)" for r in holed)
        raise ArchiveFailure(f"holes in {len(holed)} site(s): {listed}")


def _print_coverage(report: coverage.SiteCoverage) -> None:
    claimed = report.claims.get(coverage.LIST_TOTAL)
    says = f"; the site says {claimed}" if claimed is not None else ""
    if (listed := report.claims.get(coverage.SITEMAP_URLS)) is not None:
        says += f"; its sitemaps list {listed}"
    click.echo(f"{report.site}: {report.articles} articles{says}")
    if not report.series:
        click.echo("  no sequential article ids (not NDSoft or GnuBoard): no holes known")
    for series in report.series:
        click.echo(
            f"  {series.name} {series.min_id}-{series.max_id}: {series.archived} archived, "
            f"{len(series.gone)} gone, {series.never_tried} never tried"
        )
        reasons: dict[str, list[int]] = {}
        for number, reason in sorted(series.gone.items()):
            reasons.setdefault(reason, []).append(number)
        for reason, numbers in reasons.items():
            click.echo(f"    gone ({reason}): {_ranges(numbers)}")
        shown = series.holes[:_HOLES_SHOWN]
        if shown:
            ranges = ", ".join(f"{lo}-{hi}" if lo != hi else str(lo) for lo, hi in shown)
            more = len(series.holes) - len(shown)
            click.echo(f"    holes: {ranges}" + (f" and {more} more ranges" if more else ""))
            first, last = series.holes[0][0], series.holes[-1][1]
            click.echo(
                f"    retry: scrapy crawl news -a site={report.site} -a backfill=ids "
                f"-a ids={first}-{last}"
            )
    if report.thin_months:
        counts = ", ".join(f"{m} ({report.months.get(m, 0)})" for m in report.thin_months)
        click.echo(f"  months with few articles: {counts}")


def _ranges(numbers: list[int]) -> str:
    """``1-3, 7`` for [1, 2, 3, 7]."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and spans[-1][1] == number - 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(f"{lo}-{hi}" if lo != hi else str(lo) for lo, hi in spans)


def _quiet_stdout() -> None:
    # The reader is gone: what is still buffered for it would fail again at exit, with
    # "Exception ignored ... BrokenPipeError" and status 120.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


class _LogLine(logging.Formatter):
    """A log record as the command's other lines: ``warning: ...``."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def configure_logging() -> None:
    """Warnings of the archive package on stderr, one line each (for ``python -m archive``)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LogLine())
    logger = logging.getLogger("archive")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status instead of raising SystemExit."""
    try:
        cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="python -m archive",
            standalone_mode=False,
        )
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        # Click prints usage, a hint and the error on three lines; one clear line is asked.
        message = error.format_message()
        if not (argv if argv is not None else sys.argv[1:]):
            message = f"missing command ({', '.join(cli.commands)}); see --help"
        message = message[0].lower() + message[1:] if message else message
        click.echo(f"error: {' '.join(message.split())}", err=True)
        return error.exit_code
    except click.Abort:
        click.echo("error: aborted", err=True)
        return 1
    except (BrokenPipeError, _PipeClosed):
        # `python -m archive export ... | head` closed the pipe: not an error.
        _quiet_stdout()
        return 0
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0
