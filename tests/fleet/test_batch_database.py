"""The results database: created with write-ahead logging, refused when foreign or newer,
migrated from schema 1."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import zlib
from pathlib import Path

import pytest
from fleet_world import SAMPLES

from analyzer.batch import SCHEMA_VERSION, decode_report, encode_report, open_database
from analyzer.errors import InputError
from analyzer.fleet import load_fleet
from analyzer.models import FunctionReport
from analyzer.pipeline import ScanRequest, scan_target

# Schema 1, as the first release wrote it: one report per function and target.
SCHEMA_1 = """
CREATE TABLE functions (
    key TEXT PRIMARY KEY, name TEXT NOT NULL, arn TEXT, account TEXT, region TEXT,
    runtime TEXT, package_type TEXT, architecture TEXT, code_sha256 TEXT,
    content_hash TEXT, tags TEXT NOT NULL DEFAULT '{}', invocations INTEGER,
    status TEXT NOT NULL, error TEXT, attempts INTEGER NOT NULL DEFAULT 0,
    targets TEXT NOT NULL DEFAULT '[]', tool_version TEXT, scanned_at TEXT);
CREATE TABLE reports (
    function_key TEXT NOT NULL, target TEXT NOT NULL, content_hash TEXT,
    score INTEGER NOT NULL, verdict TEXT NOT NULL, report BLOB NOT NULL,
    PRIMARY KEY (function_key, target));
PRAGMA user_version = 1;
"""


@pytest.fixture(scope="module")
def nightly_report() -> FunctionReport:
    """A real report: nightly-report-export on python3.12 (distutils is gone there)."""
    request = ScanRequest(
        target=str(SAMPLES / "nightly-report-export" / "function"),
        target_runtimes=("python3.12",),
        config=SAMPLES / "nightly-report-export" / "configuration.json",
        check_dependencies=False,
    )
    return scan_target(request)[0]


def test_a_new_database_has_the_current_schema_and_writes_ahead(tmp_path: Path) -> None:
    database = open_database(tmp_path / "results.sqlite3")
    connection = database.connection

    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
    assert {"meta", "runs", "functions", "analyses", "scan_log"} <= tables
    database.close()


def test_a_file_that_is_not_sqlite_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite3"
    path.write_text("these are notes, not a database\n" * 20)

    with pytest.raises(InputError, match=r"results\.sqlite3: not a results database"):
        open_database(path)


def test_a_database_of_something_else_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    connection.close()

    with pytest.raises(
        InputError, match=re.escape(f"{path}: not a results database of lambda-analyzer")
    ):
        open_database(path)


def test_a_database_of_a_newer_schema_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite3"
    open_database(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA user_version = 3")
    connection.close()

    with pytest.raises(InputError) as caught:
        open_database(path)

    assert str(caught.value) == (
        f"{path}: made by a newer lambda-analyzer (database schema 3; this version reads "
        "schema 2 and older); upgrade lambda-analyzer or use another --db"
    )


def test_a_database_of_schema_1_is_migrated_and_keeps_its_results(
    tmp_path: Path, nightly_report: FunctionReport
) -> None:
    path = tmp_path / "results.sqlite3"
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA_1)
    blob = encode_report(nightly_report, "2024-05-01T10:00:00+00:00", None)
    connection.execute(
        "INSERT INTO functions (key, name, runtime, status, targets, tool_version, scanned_at, "
        "content_hash, tags) VALUES ('local:/fn/nightly', 'nightly-report-export', 'python3.9', "
        "'done', '[\"python3.12\"]', '0.0.9', '2024-05-01T10:00:00+00:00', 'c1', "
        '\'{"team": "data"}\')'
    )
    connection.execute(
        "INSERT INTO functions (key, name, status, error, targets) VALUES "
        "('local:/fn/broken', 'broken', 'failed', 'corrupt zip', '[\"python3.12\"]')"
    )
    connection.execute(
        "INSERT INTO reports VALUES ('local:/fn/nightly', 'python3.12', 'c1', ?, ?, ?)",
        (nightly_report.score, nightly_report.verdict.value, blob),
    )
    connection.commit()
    connection.close()

    database = open_database(path)
    migrated = database.connection
    assert migrated.execute("PRAGMA user_version").fetchone()[0] == 2
    tables = {name for (name,) in migrated.execute("SELECT name FROM sqlite_master")}
    assert "reports" not in tables
    assert migrated.execute(
        "SELECT key, analysis_key, status FROM functions ORDER BY key"
    ).fetchall() == [
        ("local:/fn/broken", None, "failed"),
        ("local:/fn/nightly", "v1:local:/fn/nightly", "done"),
    ]
    assert migrated.execute(
        "SELECT function_key, status, run_id FROM scan_log ORDER BY function_key"
    ).fetchall() == [("local:/fn/broken", "failed", None), ("local:/fn/nightly", "done", None)]
    database.close()

    report = load_fleet(path, today=dt.date(2025, 6, 1))
    nightly = next(
        function for function in report.functions if function.name == "nightly-report-export"
    )
    assert nightly.tags == {"team": "data"}
    assert nightly.results["python3.12"].verdict == "blocked"
    assert nightly.results["python3.12"].score == nightly_report.score
    assert [
        (blocker.label, blocker.where) for blocker in nightly.results["python3.12"].blockers
    ] == [("removed-stdlib-module (distutils)", "settings.py:4")]
    assert report.status == {"done": 1, "failed": 1}

    # Opening again neither migrates again nor loses anything.
    again = open_database(path)
    assert again.connection.execute("SELECT count(*) FROM analyses").fetchone()[0] == 1
    again.close()


def test_a_stored_report_reads_back_equal(nightly_report: FunctionReport) -> None:
    blob = encode_report(nightly_report, "2024-05-01T10:00:00+00:00", "rules-1")
    document = json.loads(zlib.decompress(blob))

    assert document["catalogue_version"] == "rules-1"
    read = decode_report(blob)
    assert read.findings == nightly_report.findings
    assert (read.score, read.verdict) == (nightly_report.score, nightly_report.verdict)
