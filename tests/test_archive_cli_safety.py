"""``python -m archive`` run as a real process on the wrong files: one line, an exit status,
and the file left exactly as it was."""

from __future__ import annotations

import csv
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import zstandard

from archive import open_db, save
from tests.archive_helpers import article, capture
from tests.shared import REPO
from tests.terminal import on_terminal
from tests.test_archive_files import fingerprint, journal_mode, make_unrelated

COMMANDS = [
    ["stats", "{db}"],
    ["search", "{db}", "경주"],
    ["export", "{db}", "--format", "jsonl"],
    ["verify", "{db}"],
    ["warc", "{db}", "{out}"],
]


def current_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def run_archive(*args: str | Path, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "archive", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        **options,
    )


def one_error_line(done: subprocess.CompletedProcess) -> str:
    """The single stderr line of a failed command (no traceback, no usage text)."""
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: "), done.stderr
    return lines[0]


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    path = tmp_path / "news.db"
    db = open_db(path)
    for i in range(3):
        url = f"https://www.kbsm.net/news/{i}"
        body = f"<html>경주 기사 {i}{'.' * i}</html>".encode()
        save(db, capture(url, body=body, minutes=i), article(url, title=f"경주 {i}"))
    db.close()
    return path


def commands(db: Path, out: Path) -> list[list[str]]:
    return [[a.format(db=db, out=out) for a in command] for command in COMMANDS]


def test_an_unrelated_database_is_refused_by_every_command_and_unchanged(tmp_path):
    path = make_unrelated(tmp_path / "notes.db")
    before = fingerprint(path)
    what = "an SQLite database with other tables (notes)"
    for command in commands(path, tmp_path / "out.warc.gz"):
        done = run_archive(*command)
        assert done.returncode == 2, command
        line = one_error_line(done)
        assert line == f"error: {path}: not a newscrawl archive: {what}"
    assert fingerprint(path) == before
    assert journal_mode(path) == "delete"
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("notes",)]
    conn.close()
    assert sorted(os.listdir(tmp_path)) == ["notes.db"]  # no -wal, no output file


@pytest.mark.parametrize(
    ("content", "status", "message"),
    [
        (b"", 2, "not a newscrawl archive: empty file"),
        (b"<html>not a database</html>\n" * 50, 2, "not an SQLite database"),
    ],
)
def test_empty_and_garbage_files(tmp_path, content, status, message):
    path = tmp_path / "news.db"
    path.write_bytes(content)
    for command in commands(path, tmp_path / "out.warc.gz"):
        done = run_archive(*command)
        assert done.returncode == status
        assert one_error_line(done) == f"error: {path}: {message}"
    assert path.read_bytes() == content
    assert sorted(os.listdir(tmp_path)) == ["news.db"]


def test_a_truncated_archive(archive_path):
    whole = archive_path.read_bytes()
    archive_path.write_bytes(whole[: len(whole) // 2])
    done = run_archive("stats", archive_path)
    assert done.returncode == 1
    assert one_error_line(done).startswith(f"error: {archive_path}: truncated: ")


def test_a_damaged_index_is_one_line_and_verify_names_it(archive_path):
    conn = sqlite3.connect(archive_path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    (root,) = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'articles_site_published'"
    ).fetchone()
    conn.close()
    with archive_path.open("r+b") as stream:
        stream.seek((root - 1) * page_size)
        stream.write(b"\xff" * page_size)
    done = run_archive("stats", archive_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith(f"error: {archive_path}: damaged (database disk image is malformed)")
    )
    done = run_archive("verify", archive_path)
    assert done.returncode == 1
    assert "bad: database: integrity_check" in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("error: 1 problem(s)")


def test_an_unknown_schema_version_is_refused(archive_path):
    conn = sqlite3.connect(archive_path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('archive', '0099_next_year', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    done = run_archive("search", archive_path, "경주")
    assert done.returncode == 2
    assert one_error_line(done).startswith(
        f"error: {archive_path}: schema version 0099_next_year is newer than this newscrawl"
    )


def test_reading_changes_no_byte_of_the_archive(archive_path, tmp_path):
    before = fingerprint(archive_path)
    for command in commands(archive_path, tmp_path / "out.warc.gz"):
        assert run_archive(*command).returncode == 0, command
    assert fingerprint(archive_path) == before
    # SQLite's WAL files, if a reader made them (a WAL archive needs the index to be read),
    # hold no page: nothing was written.
    for suffix in ("-wal", "-journal"):
        extra = Path(f"{archive_path}{suffix}")
        assert not extra.exists() or extra.stat().st_size == 0


def _as_nobody(*args: str | Path) -> subprocess.CompletedProcess:
    """``python -m archive`` as the user nobody (root ignores file modes), or a skip.

    This interpreter may live where nobody cannot reach it (/root/.pyenv): then the
    system's python of the same version runs, with this checkout and its packages.
    """
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("reading as another user needs root and setpriv")
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    path = os.pathsep.join([str(REPO), sysconfig.get_paths()["purelib"]])
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for python in (sys.executable, shutil.which(version, path="/usr/bin:/usr/local/bin")):
        if python is None:
            continue
        command = [*nobody, "env", f"PYTHONPATH={path}", "LANG=C.UTF-8", python]
        probe = subprocess.run(
            [*command, "-c", "import archive.cli"], capture_output=True, cwd="/", timeout=120
        )
        if probe.returncode == 0:
            return subprocess.run(
                [*command, "-m", "archive", *map(str, args)],
                capture_output=True,
                text=True,
                cwd="/",
                timeout=120,
            )
    pytest.skip("no python interpreter that the user nobody can run")


def test_a_read_only_archive_in_a_read_only_directory_is_readable(archive_path, tmp_path):
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    archived = Path(shutil.copy2(archive_path, shelf / "news.db"))
    archived.chmod(0o444)
    shelf.chmod(0o555)
    opened = []  # pytest's directories are private: let nobody pass through them
    for directory in [tmp_path, *tmp_path.parents]:
        mode = directory.stat().st_mode
        if not mode & 0o001:
            opened.append((directory, mode))
            directory.chmod(mode | 0o001)
    before = fingerprint(archived)
    try:
        stats = _as_nobody("stats", archived)
        found = _as_nobody("search", archived, "경주", "--json")
    finally:
        for directory, mode in opened:
            directory.chmod(mode)
        shelf.chmod(0o755)
    assert stats.returncode == 0, stats.stderr
    assert "kbsm  2021-03  3" in stats.stdout
    # SQLite cannot create the WAL index beside the file: it is read as immutable, and
    # the log says so.
    assert stats.stderr == (
        f"warning: {archived}: read-only directory, reading the file as immutable\n"
    )
    assert found.returncode == 0 and len(found.stdout.splitlines()) == 3
    assert sorted(os.listdir(shelf)) == ["news.db"]
    assert fingerprint(archived) == before


def test_verify_finds_a_capture_pointed_at_another_blob_and_an_edited_size(archive_path):
    assert run_archive("verify", archive_path).returncode == 0
    conn = sqlite3.connect(archive_path)
    shas = [row[0] for row in conn.execute("SELECT sha256 FROM captures ORDER BY id")]
    # Capture 1 now names capture 2's raw page, itself intact (a different size).
    conn.execute("UPDATE captures SET sha256 = ? WHERE id = 1", [shas[1]])
    conn.execute("UPDATE captures SET size = size + 1 WHERE id = 3")
    conn.commit()
    conn.close()
    done = run_archive("verify", archive_path)
    assert done.returncode == 1
    bad = [line for line in done.stderr.splitlines() if line.startswith("bad: ")]
    assert len(bad) == 2, done.stderr
    assert bad[0].startswith("bad: capture 1: size mismatch: capture says ")
    assert "https://www.kbsm.net/news/0" in bad[0]
    assert bad[1].startswith("bad: capture 3: size mismatch: capture says ")
    assert done.stderr.strip().splitlines()[-1] == f"error: 2 problem(s) in {archive_path}"


def test_verify_finds_a_blob_whose_bytes_were_replaced(archive_path):
    conn = sqlite3.connect(archive_path)
    conn.execute(
        "UPDATE blobs SET data = ? WHERE rowid = 2",
        [zstandard.ZstdCompressor().compress(b"<html>other text...</html>")],
    )
    conn.commit()
    conn.close()
    done = run_archive("verify", archive_path)
    assert done.returncode == 1
    assert "bad: capture 2: sha256 mismatch: capture says " in done.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["warc", "{db}", "{db}"],
        ["warc", "{db}", "{db}-wal"],
        ["export", "{db}", "--format", "csv", "-o", "{db}"],
        ["export", "{db}", "--format", "jsonl", "--output", "{link}"],
    ],
)
def test_an_output_over_the_archive_is_refused(archive_path, tmp_path, command):
    link = tmp_path / "link.db"
    link.symlink_to(archive_path)
    before = fingerprint(archive_path)
    done = run_archive(*(a.format(db=archive_path, link=link) for a in command))
    assert done.returncode == 2
    assert one_error_line(done).endswith("would overwrite the archive; choose another output file")
    assert fingerprint(archive_path) == before
    assert run_archive("verify", archive_path).returncode == 0


def test_export_into_a_closed_pipe_is_not_an_error(archive_path):
    db = open_db(archive_path)
    for i in range(3, 200):
        url = f"https://www.kbsm.net/news/{i}"
        save(db, capture(url, body=f"<p>{i}</p>".encode()), article(url, body="본문 " * 400))
    db.close()
    process = subprocess.Popen(
        [sys.executable, "-m", "archive", "export", str(archive_path), "--format", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith(b"{")
    process.stdout.close()  # as `| head -1` does, with ~400 KB still to come
    assert process.wait(timeout=120) == 0
    assert process.stderr.read() == b""


@pytest.mark.parametrize(
    "command",
    [
        ["search", "{db}", "경주", "--since", "2025-13"],
        ["search", "{db}", "경주", "--until", "yesterday"],
        ["export", "{db}", "--format", "csv", "--since", "2025-02-30"],
        ["warc", "{db}", "{out}", "--since", "garbage"],
    ],
)
def test_a_bad_date_is_a_usage_error(archive_path, tmp_path, command):
    out = tmp_path / "out.warc.gz"
    done = run_archive(*(a.format(db=archive_path, out=out) for a in command))
    assert done.returncode == 2
    line = one_error_line(done)
    assert line.startswith("error: invalid value for '--") and "is not a date" in line
    assert not out.exists()


def test_until_keeps_the_whole_period(archive_path, tmp_path):
    done = run_archive("export", archive_path, "--format", "jsonl", "--until", "2021-03")
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 3
    done = run_archive("export", archive_path, "--format", "jsonl", "--until", "2021-02")
    assert done.returncode == 0 and done.stdout == ""
    out = tmp_path / "out.warc.gz"
    assert run_archive("warc", archive_path, out, "--until", "2025-05-27T01:01").returncode == 0
    assert (
        "wrote 2 records"
        in run_archive("warc", archive_path, out, "--until", "2025-05-27T01:01").stderr
    )


def test_a_thousand_word_query_says_what_is_searched(archive_path):
    query = " ".join(["경주"] + [f"낱말{i}" for i in range(999)])
    done = run_archive("search", archive_path, query)
    assert done.returncode == 0
    assert done.stderr.splitlines()[0].startswith(
        "notice: the query has 1000 distinct words; only the first 32 are searched"
    )
    assert done.stderr.splitlines()[-1] == "0 results"


def test_excel_csv_has_a_byte_order_mark(archive_path, tmp_path):
    out = tmp_path / "articles.csv"
    done = run_archive("export", archive_path, "--excel", "-o", out)
    assert done.returncode == 0 and done.stderr == f"wrote 3 articles to {out}\n"
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["title"] for r in rows] == ["경주 0", "경주 1", "경주 2"]
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".part")]
    assert out.stat().st_mode & 0o777 == 0o666 & ~current_umask()


def test_progress_shows_on_a_terminal_only(archive_path, tmp_path):
    out = tmp_path / "out.warc.gz"
    piped = run_archive("warc", archive_path, out)
    assert piped.returncode == 0 and piped.stderr == f"wrote 3 records to {out}\n"
    status, text = on_terminal(
        [sys.executable, "-m", "archive", "warc", str(archive_path), str(out)]
    )
    assert status == 0
    assert "warc:" in text and "/3 [" in text and "capture/s" in text  # "warc: 0%|  | 0/3 [..]"
    assert f"wrote 3 records to {out}" in text


def test_verify_finds_a_damaged_search_index_without_writing(archive_path):
    conn = sqlite3.connect(archive_path)
    conn.execute("DELETE FROM articles_search_data WHERE id > 10")  # segments lost
    conn.commit()
    conn.close()
    before = fingerprint(archive_path)
    done = run_archive("verify", archive_path)
    assert done.returncode == 1
    assert "bad: articles_search: search index is damaged" in done.stderr
    # FTS5's check is an INSERT; it runs in a transaction that is rolled back.
    assert fingerprint(archive_path) == before
