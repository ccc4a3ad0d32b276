"""``python -m archive``: statistics, search, export, verification and WARC output.

Misuse and failures end in one line on stderr (``error: ...``) and a non-zero exit status:
2 for a wrong command line or a missing archive, 1 when ``verify`` finds a problem.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import click
from sqlite_utils import Database

from archive.queries import STATS, run
from archive.schema import open_db
from archive.search import search
from archive.store import iter_captures
from archive.verify import verify
from archive.warc import write_warc

__all__ = ["cli", "main"]

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
    """A failure to report as one line, not a traceback."""

    exit_code = 2


def _open(path: str) -> Database:
    # open_db would create a new, empty archive: a typo must not do that silently.
    if not Path(path).is_file():
        raise ArchiveError(f"no such archive: {path}")
    return open_db(path)


def _since_option(function: Any) -> Any:
    return click.option(
        "--since",
        metavar="DATE",
        help="Only articles published on or after DATE (ISO prefix: 2025, 2025-05, 2025-05-27).",
    )(function)


def _site_option(function: Any) -> Any:
    return click.option("--site", help="Only this site (its registry name).")(function)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Query and check a newscrawl archive (a SQLite file)."""


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
@click.option("--limit", default=10, show_default=True, help="Rows of the top-N sections.")
def stats(db_path: str, limit: int) -> None:
    """Articles per site and month, top reporters, extraction results and failures."""
    db = _open(db_path)
    for title, sql in STATS.items():
        click.echo(f"{title}:")
        _print_table(run(db, sql, {"limit": limit}), sys.stdout)


@cli.command(name="search")
@click.argument("db_path", metavar="DB")
@click.argument("query")
@_site_option
@_since_option
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
def search_command(
    db_path: str, query: str, site: str | None, since: str | None, limit: int, as_json: bool
) -> None:
    """Articles containing every word of QUERY (inside words too: 경주 finds 경주시는)."""
    db = _open(db_path)
    hits = search(db, query, site=site, since=since, limit=limit)
    for hit in hits:
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "id": hit.id,
                        "url": hit.url,
                        "site": hit.site,
                        "title": hit.title,
                        "published_at": hit.published_at,
                        "rank": hit.rank,
                        "snippet": hit.snippet,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            click.echo(f"{hit.published_at or '':25.25} {hit.site or ''}  {hit.title or ''}")
            click.echo(f"    {hit.url}")
            click.echo(f"    {hit.snippet}")
    if not as_json:
        click.echo(f"{len(hits)} result{'s' if len(hits) != 1 else ''}", err=True)


def _export_rows(db: Database, site: str | None, since: str | None):
    where, params = [], []
    if site:
        where.append("site = ?")
        params.append(site)
    if since:
        where.append("published_at >= ?")
        params.append(since)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    sql = f"SELECT {', '.join(EXPORT_COLUMNS)} FROM articles {clause} ORDER BY published_at, id"
    return db.query(sql, params)


@cli.command()
@click.argument("db_path", metavar="DB")
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), required=True, help="Output format."
)
@_site_option
@_since_option
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="Write here instead of standard output.",
)
def export(db_path: str, fmt: str, site: str | None, since: str | None, output: TextIO) -> None:
    """Articles (current versions) as JSON lines or CSV, oldest publication first."""
    db = _open(db_path)
    rows = _export_rows(db, site, since)
    if fmt == "jsonl":
        for row in rows:
            for column in _JSON_COLUMNS:
                row[column] = json.loads(row[column])
            output.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        # JSON arrays stay JSON text in CSV: a reporter name may contain a comma.
        writer = csv.DictWriter(output, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


@cli.command(name="verify")
@click.argument("db_path", metavar="DB")
def verify_command(db_path: str) -> None:
    """Integrity check, and every capture's sha256 recomputed; exit 1 on any problem."""
    db = _open(db_path)
    problems = 0
    for problem in verify(db):
        click.echo(f"bad: {problem}", err=True)
        problems += 1
    captures = db.execute("SELECT count(*) FROM captures").fetchone()[0]
    blobs = db.execute("SELECT count(*) FROM blobs").fetchone()[0]
    if problems:
        click.echo(f"error: {problems} problem(s) in {db_path}", err=True)
        sys.exit(1)
    click.echo(f"ok: {captures} captures, {blobs} distinct raw pages, all sha256 match")


@cli.command(name="warc")
@click.argument("db_path", metavar="DB")
@click.argument("out", metavar="OUT.warc.gz", type=click.Path(dir_okay=False, writable=True))
@_site_option
@click.option("--since", metavar="DATE", help="Only captures fetched on or after DATE (UTC).")
def warc_command(db_path: str, out: str, site: str | None, since: str | None) -> None:
    """Captures as WARC response records (replayable with pywb)."""
    db = _open(db_path)
    count = write_warc(iter_captures(db, site=site, since=since), out)
    click.echo(f"wrote {count} records to {out}", err=True)


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
        click.echo(f"error: {message[0].lower() + message[1:] if message else message}", err=True)
        return error.exit_code
    except click.Abort:
        click.echo("error: aborted", err=True)
        return 1
    except BrokenPipeError:
        # `python -m archive export ... | head` closed the pipe: not an error.
        return 0
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0
