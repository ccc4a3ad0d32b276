"""The archive's schema: sqlite-utils migrations, applied whenever a database is opened."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlite_utils import Database, Migrations

from archive import coverage
from archive.files import ArchiveFileError, check_file, check_schema, open_readonly

__all__ = [
    "BUSY_TIMEOUT_MS",
    "MIGRATIONS",
    "SEARCH_TABLE",
    "known_migrations",
    "open_db",
    "open_db_readonly",
]

log = logging.getLogger(__name__)

#: The FTS5 table over article titles and bodies (as bigrams, see :mod:`archive.grams`).
SEARCH_TABLE = "articles_search"

#: A crawler, a re-extraction and datasette may use one archive at once: writers wait this
#: long for each other instead of failing with "database is locked".
BUSY_TIMEOUT_MS = 30_000

MIGRATIONS = Migrations("archive")


@MIGRATIONS(name="0001_initial")
def _initial(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE sites (
            name TEXT PRIMARY KEY,
            title TEXT,
            home_url TEXT,
            cms TEXT,
            region TEXT
        )"""
    )
    # Raw bytes live once per distinct content (sha256), however often they are fetched.
    db.execute(
        """
        CREATE TABLE blobs (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            compression TEXT NOT NULL,
            data BLOB NOT NULL
        )"""
    )
    db.execute(
        """
        CREATE TABLE captures (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            final_url TEXT NOT NULL,
            site TEXT REFERENCES sites(name),
            status INTEGER NOT NULL,
            fetched_at TEXT NOT NULL,
            headers TEXT NOT NULL,
            encoding TEXT,
            sha256 TEXT NOT NULL REFERENCES blobs(sha256),
            size INTEGER NOT NULL,
            extraction_status TEXT,
            extraction_messages TEXT,
            canonical_url TEXT,
            article_id INTEGER REFERENCES articles(id)
        )"""
    )
    db.execute("CREATE INDEX captures_fetched_at ON captures(fetched_at)")
    db.execute("CREATE INDEX captures_site ON captures(site, fetched_at)")
    db.execute("CREATE INDEX captures_sha256 ON captures(sha256)")
    db.execute("CREATE INDEX captures_article_id ON captures(article_id)")
    db.execute("CREATE INDEX captures_extraction_status ON captures(extraction_status)")
    # An integer id, not the URL, is the rowid the search index points at: VACUUM may
    # renumber the implicit rowid of a table whose primary key is text.
    db.execute(
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            site TEXT REFERENCES sites(name),
            title TEXT,
            subtitle TEXT,
            reporters TEXT NOT NULL DEFAULT '[]',
            reporter_emails TEXT NOT NULL DEFAULT '[]',
            published_at TEXT,
            modified_at TEXT,
            published_raw TEXT,
            modified_raw TEXT,
            published_month TEXT GENERATED ALWAYS AS (substr(published_at, 1, 7)) VIRTUAL,
            section TEXT,
            body TEXT,
            images TEXT NOT NULL DEFAULT '[]',
            language TEXT,
            cms TEXT,
            content_hash TEXT NOT NULL,
            status TEXT NOT NULL,
            messages TEXT NOT NULL DEFAULT '[]',
            revision_count INTEGER NOT NULL DEFAULT 1,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            capture_id INTEGER NOT NULL REFERENCES captures(id)
        )"""
    )
    db.execute("CREATE INDEX articles_site_published ON articles(site, published_at)")
    db.execute("CREATE INDEX articles_published_at ON articles(published_at)")
    db.execute(
        """
        CREATE TABLE revisions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            number INTEGER NOT NULL,
            capture_id INTEGER NOT NULL REFERENCES captures(id),
            fetched_at TEXT NOT NULL,
            origin TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            title TEXT,
            subtitle TEXT,
            body TEXT,
            reporters TEXT NOT NULL DEFAULT '[]',
            published_at TEXT,
            modified_at TEXT,
            UNIQUE (article_id, number)
        )"""
    )
    db.execute("CREATE INDEX revisions_capture_id ON revisions(capture_id)")
    db.execute(
        """
        CREATE TABLE crawl_runs (
            id INTEGER PRIMARY KEY,
            spider TEXT NOT NULL,
            sites TEXT NOT NULL DEFAULT '[]',
            started_at TEXT NOT NULL,
            finished_at TEXT,
            stats TEXT
        )"""
    )
    # Contentless: the bigram text is derived, so storing it would double the file for
    # nothing; saves.py recomputes it to delete a row (FTS5 'delete' command).
    db.execute(
        f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5(title, body, content='', tokenize='ascii')"
    )
    # A title hit is worth more than a body hit.
    db.execute(
        f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rank) VALUES ('rank', 'bm25(4.0, 1.0)')"
    )
    # Every commit writes one small segment. Merging 16 at a time (default 4) costs ~15%
    # less CPU a save; crisismerge 64 (default 16) keeps FTS5 from merging a whole level in
    # one commit, which stalled single saves for seconds at 100k articles (bench).
    db.execute(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rank) VALUES ('automerge', 16)")
    db.execute(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rank) VALUES ('crisismerge', 64)")


@MIGRATIONS(name="0002_run_status")
def _run_status(db: Database) -> None:
    # A run's verdict (ok, partial, failed, interrupted) and the sentence that explains it;
    # each site's own verdict is in the per-site record inside ``stats``.
    db.execute("ALTER TABLE crawl_runs ADD COLUMN status TEXT")
    db.execute("ALTER TABLE crawl_runs ADD COLUMN reason TEXT")


@MIGRATIONS(name="0003_declared_canonical")
def _declared_canonical(db: Database) -> None:
    # A canonical URL the page declared on another site (a syndicated copy names the agency's
    # URL): kept beside the article, never as its url. NULL when it declared none, or its own.
    db.execute("ALTER TABLE articles ADD COLUMN declared_canonical TEXT")
    db.execute("ALTER TABLE captures ADD COLUMN declared_canonical TEXT")
    db.execute(
        "CREATE INDEX articles_declared_canonical ON articles(declared_canonical) "
        "WHERE declared_canonical IS NOT NULL"
    )


@MIGRATIONS(name="0004_reading_room")
def _reading_room(db: Database) -> None:
    # datasette's date facet and __date filters take UTC days, which put an article
    # published at 08:00 KST on the previous day. A day in Korean time, computed (VIRTUAL:
    # nothing to rewrite, no save code to change); date() reads the stored offset.
    db.execute(
        "ALTER TABLE articles ADD COLUMN published_date TEXT "
        "GENERATED ALWAYS AS (date(published_at, '+9 hours')) VIRTUAL"
    )
    db.execute("CREATE INDEX articles_published_date ON articles(published_date)")
    db.execute(
        "ALTER TABLE captures ADD COLUMN fetched_date TEXT "
        "GENERATED ALWAYS AS (date(fetched_at, '+9 hours')) VIRTUAL"
    )


@MIGRATIONS(name="0006_coverage")
def _coverage(db: Database) -> None:
    # Per site and id series (archive.ids): each id tried is archived or gone (with the
    # site's reason); ids up to the newest are otherwise never tried (archive.coverage).
    db.execute(
        """
        CREATE TABLE article_ids (
            site TEXT NOT NULL,
            series TEXT NOT NULL,
            number INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('archived', 'gone')),
            reason TEXT,
            url TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (site, series, number)
        ) WITHOUT ROWID"""
    )
    # What a site says of itself: its list total, the newest id its feed or list showed.
    db.execute(
        """
        CREATE TABLE site_claims (
            site TEXT NOT NULL,
            name TEXT NOT NULL,
            value INTEGER NOT NULL,
            source TEXT,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (site, name)
        )"""
    )
    db.execute(
        """
        CREATE VIEW id_coverage AS
        SELECT i.site, i.series, min(i.number) AS min_id,
               max(max(i.number), coalesce(c.value, 0)) AS max_id,
               sum(i.state = 'archived') AS archived, sum(i.state = 'gone') AS gone,
               max(max(i.number), coalesce(c.value, 0)) - count(*) AS never_tried
        FROM article_ids i
        LEFT JOIN site_claims c ON c.site = i.site AND c.name = 'newest_id:' || i.series
        GROUP BY i.site, i.series"""
    )
    coverage.rebuild(db)  # the captures archived before


def open_db(path: str | Path) -> Database:
    """Open (or create) the archive at ``path`` and bring its schema up to date.

    The parent directory is created. The connection uses WAL (readers such as datasette do
    not block the crawler), ``foreign_keys=ON`` and a busy timeout. Only a new or empty
    file or an archive is accepted: anything else raises :class:`archive.files.NotAnArchive`
    (or DamagedArchive, UnknownSchema) and is left as it was. To read only, see
    :func:`open_db_readonly`.
    """
    path = Path(path)
    known = known_migrations()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        check_file(path)
    db = Database(path)
    # Before anything else: even reading the schema can meet a writer's lock.
    db.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        check_schema(db, path, known, allow_new=True)
    except ArchiveFileError:
        db.close()
        raise
    db.enable_wal()
    db.conn.execute("PRAGMA foreign_keys = ON")
    # In WAL mode NORMAL is safe against application crashes (a power loss may drop the
    # last commits, never corrupt); FULL would fsync on every save.
    db.conn.execute("PRAGMA synchronous = NORMAL")
    # Each save rewrites a few hot pages (index tails, the FTS structure record): a larger
    # WAL between checkpoints copies each of them back once instead of many times, for
    # ~8% more saves a second (bench). The WAL may grow to ~40 MB before a checkpoint.
    db.conn.execute("PRAGMA wal_autocheckpoint = 10000")
    pending = MIGRATIONS.pending(db)
    if pending:
        log.info("applying migrations to %s: %s", path, ", ".join(m.name for m in pending))
        MIGRATIONS.apply(db)
    return db


def known_migrations() -> list[str]:
    """The names of this code's migrations, in order (an archive may apply no others)."""
    return [migration.name for migration in MIGRATIONS.pending(Database(memory=True))]


def open_db_readonly(path: str | Path) -> Database:
    """Open the existing archive at ``path`` for reading only (:func:`open_readonly`).

    Nothing is created, migrated or switched to WAL; a file that is not an archive of a
    schema this code knows raises :class:`archive.files.ArchiveFileError`.
    """
    return open_readonly(path, known_migrations())
