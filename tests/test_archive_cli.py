"""``python -m archive``: stats, search, export, verify, warc, and one-line errors."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard
from warcio.archiveiterator import ArchiveIterator

from archive import open_db, save
from archive.cli import main
from tests.archive_helpers import article, capture
from tests.shared import REPO


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    path = tmp_path / "news.db"
    db = open_db(path)
    save(db, capture(body="<html>경주 첫 기사</html>".encode()), article())
    save(
        db,
        capture("https://www.kbsm.net/news/2", body=b"<html>two</html>", minutes=5),
        article(
            "https://www.kbsm.net/news/2",
            title="포항 해수욕장 개장",
            body="포항시는 해수욕장을 열었다.\n피서객이 몰렸다.",
            reporters=["이정준", "김범수"],
            published="2021-06-01T09:00:00+09:00",
        ),
    )
    save(
        db,
        capture("https://www.kbsm.net/list", body=b"<html>list</html>", minutes=6),
        article("https://www.kbsm.net/list", status="not_article", messages=["a list page"]),
    )
    db.close()
    return path


def run_cli(*args: str, capsys) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_stats(archive_path, capsys):
    code, out, _ = run_cli("stats", str(archive_path), capsys=capsys)
    assert code == 0
    assert "articles per site and month:" in out
    assert "kbsm  2021-03  1" in out and "kbsm  2021-06  1" in out
    assert re.search(r"김범수 +2\n", out)  # top reporters
    assert "not_article" in out and "https://www.kbsm.net/list" in out  # failures


def test_search_text_and_json(archive_path, capsys):
    code, out, err = run_cli("search", str(archive_path), "포항", capsys=capsys)
    assert code == 0
    # the article titled with 포항 ranks above the one that mentions it in its body
    assert out.index("포항 해수욕장 개장") < out.index("경주시, 관광객 맞이 준비")
    assert "[포항]시는" in out
    assert "2 results" in err
    code, out, _ = run_cli("search", str(archive_path), "경주시", "--json", capsys=capsys)
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["url"] for r in rows] == ["https://www.kbsm.net/news/1"]
    code, out, _ = run_cli(
        "search", str(archive_path), "포항", "--since", "2021-07", "--json", capsys=capsys
    )
    assert out == ""


def test_export_jsonl_and_csv(archive_path, capsys):
    code, out, _ = run_cli("export", str(archive_path), "--format", "jsonl", capsys=capsys)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["url"] for r in rows] == [
        "https://www.kbsm.net/news/1",
        "https://www.kbsm.net/news/2",
    ]
    assert rows[1]["reporters"] == ["이정준", "김범수"]
    code, out, _ = run_cli(
        "export", str(archive_path), "--format", "csv", "--since", "2021-06", capsys=capsys
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["title"] for r in rows] == ["포항 해수욕장 개장"]
    assert json.loads(rows[0]["reporters"]) == ["이정준", "김범수"]


def test_verify_passes_then_names_a_corrupted_capture(archive_path, capsys):
    code, out, _ = run_cli("verify", str(archive_path), capsys=capsys)
    assert code == 0 and out.startswith("ok: 3 captures")
    db = open_db(archive_path)
    sha = db.execute("SELECT sha256 FROM captures WHERE url = 'https://www.kbsm.net/news/2'")
    sha = sha.fetchone()[0]
    with db.atomic():
        db.execute(
            "UPDATE blobs SET data = ? WHERE sha256 = ?",
            [zstandard.ZstdCompressor().compress(b"tampered"), sha],
        )
    capture_id = db.execute("SELECT id FROM captures WHERE sha256 = ?", [sha]).fetchone()[0]
    db.close()
    code, out, err = run_cli("verify", str(archive_path), capsys=capsys)
    assert code == 1
    assert f"capture {capture_id}: sha256 mismatch" in err
    assert "https://www.kbsm.net/news/2" in err
    assert f"capture {capture_id}: size mismatch" in err
    assert f"blobs {sha}: sha256 mismatch" in err
    assert err.strip().splitlines()[-1].startswith("error: 4 problem(s)")


def test_warc_output_reads_back_with_warcio(archive_path, tmp_path, capsys):
    out = tmp_path / "out.warc.gz"
    code, _, err = run_cli("warc", str(archive_path), str(out), capsys=capsys)
    assert code == 0 and "wrote 3 records" in err
    with out.open("rb") as stream:
        records = list(
            (
                r.rec_type,
                r.rec_headers.get_header("WARC-Target-URI"),
                r.http_headers,
                r.content_stream().read(),
            )
            for r in ArchiveIterator(stream)
        )
    assert records[0][0] == "warcinfo"
    responses = [r for r in records if r[0] == "response"]
    assert [r[1] for r in responses] == [
        "https://www.kbsm.net/news/1",
        "https://www.kbsm.net/news/2",
        "https://www.kbsm.net/list",
    ]
    _, _, http, payload = responses[0]
    assert payload == "<html>경주 첫 기사</html>".encode()
    assert http.get_statuscode() == "200"
    assert http.get_header("Content-Type") == "text/html; charset=utf-8"
    assert http.get_header("Content-Length") == str(len(payload))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["stats", "{missing}"], "error: no such archive: {missing}"),
        (["search", "{db}"], "error: missing argument 'QUERY'."),
        (["export", "{db}", "--format", "xml"], "error: invalid value for '--format'"),
        (["frobnicate"], "error: no such command 'frobnicate'."),
        ([], "error: missing command"),
    ],
)
def test_misuse_is_one_error_line_and_nonzero_exit(archive_path, tmp_path, args, message):
    missing = str(tmp_path / "nope.db")
    argv = [a.format(db=archive_path, missing=missing) for a in args]
    done = subprocess.run(
        [sys.executable, "-m", "archive", *argv], capture_output=True, text=True, cwd=REPO
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(message.format(missing=missing))
    assert not (tmp_path / "nope.db").exists()  # a typo does not create an archive


def test_an_archive_older_than_the_code_is_read_and_a_failure_says_why(
    archive_path, capsys, monkeypatch
):
    # As after an upgrade that adds a migration: readers do not migrate; a query that needs
    # what the migration adds fails in one line that says how to bring the archive up.
    monkeypatch.setattr(
        "archive.cli.known_migrations", lambda: ["0001_initial", "0002_future_columns"]
    )
    code, out, _ = run_cli("search", str(archive_path), "포항", "--json", capsys=capsys)
    assert code == 0 and len(out.splitlines()) == 2
    conn = sqlite3.connect(archive_path)
    conn.execute("DROP INDEX captures_extraction_status")
    conn.execute("ALTER TABLE captures DROP COLUMN extraction_status")
    conn.commit()
    conn.close()
    code, _, err = run_cli("stats", str(archive_path), capsys=capsys)
    assert code == 1
    assert err.strip().splitlines()[-1] == (
        f"error: {archive_path}: no such column: extraction_status (the archive predates "
        "0002_future_columns; any writer, such as scrapy crawl, brings it up to date)"
    )


def test_paths_with_uri_characters_and_hangul(archive_path, tmp_path, capsys):
    odd = tmp_path / "보관 함" / "news?v=1#x%20.db"
    odd.parent.mkdir()
    archive_path.rename(odd)
    code, out, _ = run_cli("search", str(odd), "포항", "--json", capsys=capsys)
    assert code == 0 and len(out.splitlines()) == 2
