"""The inventory, batch and report commands, as a user runs them."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from fleet_cases import add_function
from fleet_world import (
    ACCOUNT_A,
    DENIED_REGION,
    PAGE_FUNCTIONS,
    REGION_1,
    REGION_2,
    ROLE_ARN,
    SAMPLES,
    FleetEnv,
)
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.fetch.inventory import read_inventory

RUNNER = CliRunner()


def test_inventory_writes_the_file_and_says_what_it_could_not_list(
    fleet_env: FleetEnv, tmp_path: Path
) -> None:
    output = tmp_path / "inventory.csv"
    result = RUNNER.invoke(
        app,
        [
            "inventory",
            "--profile",
            "team-a",
            "--profile",
            "team-b",
            "--role-arn",
            ROLE_ARN,
            "--region",
            REGION_1,
            "--region",
            REGION_2,
            "--region",
            DENIED_REGION,
            "--invocations",
            "7",
            "--state-machines",
            "--output",
            str(output),
        ],
    )

    assert result.exit_code == 1, result.output  # one region refused: not the whole fleet
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"inventory: {PAGE_FUNCTIONS + 7} functions (1 container images) in 3 accounts and 3 "
        f"regions, written to {output}"
    )
    assert lines[1:] == [
        f"inventory: not listed: profile team-a, {DENIED_REGION}: access denied "
        "(AccessDeniedException); the caller needs lambda:ListFunctions",
        f"inventory: not listed: profile team-b, {DENIED_REGION}: access denied "
        "(AccessDeniedException); the caller needs lambda:ListFunctions",
        f"inventory: not listed: {ROLE_ARN}, {DENIED_REGION}: access denied "
        "(AccessDeniedException); the caller needs lambda:ListFunctions",
    ]
    assert len(read_inventory(output).functions) == PAGE_FUNCTIONS + 7


def test_inventory_without_output_prints_json(fleet_env: FleetEnv) -> None:
    result = RUNNER.invoke(
        app, ["inventory", "--profile", "team-b", "--runtime", "python3.11", "--quiet"]
    )

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [entry["name"] for entry in document["functions"]] == ["billing-2"]
    assert result.stderr == ""


def test_inventory_takes_any_python_runtime_and_refuses_others(fleet_env: FleetEnv) -> None:
    old = RUNNER.invoke(app, ["inventory", "--profile", "team-b", "--runtime", "2.7", "-q"])
    other = RUNNER.invoke(app, ["inventory", "--profile", "team-b", "--runtime", "nodejs20.x"])

    assert old.exit_code == 0
    assert json.loads(old.stdout)["functions"] == []
    assert (other.exit_code, other.stderr) == (
        2,
        "lambda-analyzer: error: --runtime takes a Python runtime such as python3.9 (or 3.9), "
        "not 'nodejs20.x'\n",
    )


def test_batch_then_report_from_the_database(fleet_env: FleetEnv, tmp_path: Path) -> None:
    inventory = tmp_path / "inventory.json"
    RUNNER.invoke(
        app, ["inventory", "--profile", "team-a", "--region", REGION_2, "--output", str(inventory)]
    )
    database = tmp_path / "results.sqlite3"

    scanned = RUNNER.invoke(
        app,
        [
            "batch",
            str(inventory),
            "--db",
            str(database),
            "--target",
            "python3.12",
            "--no-deps",
            "--workers",
            "1",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--format",
            "csv",
            "--output",
            str(tmp_path / "fleet.csv"),
        ],
    )

    assert scanned.exit_code == 0, scanned.output
    assert scanned.stderr.startswith(
        "batch: 3 done, 0 failed of 3 (0 unchanged since an earlier run, 2 packages analysed) in "
    )
    csv_lines = (tmp_path / "fleet.csv").read_text().splitlines()
    assert [line.split(",")[1] for line in csv_lines[1:]] == [
        "reports-copy",
        "reports-nightly",
        "reports-images",
    ]

    html = tmp_path / "fleet.html"
    reported = RUNNER.invoke(
        app,
        [
            "report",
            str(database),
            "--format",
            "html",
            "--group-by",
            "account",
            "--output",
            str(html),
        ],
    )
    assert reported.exit_code == 0, reported.output
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert f"<td>{ACCOUNT_A}</td>" in html.read_text()

    as_json = RUNNER.invoke(app, ["report", str(database), "--format", "json"])
    assert json.loads(as_json.stdout)["summaries"]["python3.12"]["verdicts"] == {
        "blocked": 2,
        "not-analysed": 0,
        "needs-work": 1,
        "ready": 0,
    }


def test_batch_exits_1_when_a_function_could_not_be_scanned(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    add_function(fleet, "fine", "customer-sync")
    (fleet / "broken.zip").write_bytes(b"not a zip")

    result = RUNNER.invoke(
        app,
        [
            "batch",
            str(fleet),
            "--db",
            str(tmp_path / "r.sqlite3"),
            "--no-deps",
            "--workers",
            "1",
            "--no-cache",
            "--quiet",
            "--format",
            "json",
        ],
    )

    assert result.exit_code == 1
    assert json.loads(result.stdout)["failures"] == {"corrupt-archive": 1}


def test_report_refuses_what_it_cannot_use(tmp_path: Path) -> None:
    missing = RUNNER.invoke(app, ["report", str(tmp_path / "none.sqlite3")])
    bad_format = RUNNER.invoke(app, ["report", str(tmp_path / "none.sqlite3"), "--format", "pdf"])
    bad_group = RUNNER.invoke(app, ["batch", str(tmp_path), "--group-by", "team"])

    assert (missing.exit_code, missing.stderr) == (
        2,
        f"lambda-analyzer: error: {tmp_path / 'none.sqlite3'}: no such results database\n",
    )
    assert (bad_format.exit_code, bad_format.stderr) == (
        2,
        "lambda-analyzer: error: --format takes table, json, csv, markdown, html, not 'pdf'\n",
    )
    assert (bad_group.exit_code, bad_group.stderr) == (
        2,
        "lambda-analyzer: error: --group-by takes tag:KEY, account or region, not 'team'\n",
    )


def test_a_database_damaged_inside_is_one_line_for_report_and_batch(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    add_function(fleet, "fine", "customer-sync")
    database = tmp_path / "r.sqlite3"
    first = RUNNER.invoke(app, ["batch", str(fleet), "--db", str(database), "--no-deps", "-q"])
    assert first.exit_code == 0, first.output
    with database.open("r+b") as stream:  # a page inside the file, past the header
        stream.seek(4096)
        stream.write(b"\xff" * 3000)

    report = RUNNER.invoke(app, ["report", str(database)])
    batch = RUNNER.invoke(app, ["batch", str(fleet), "--db", str(database), "--no-deps", "-q"])

    line = (
        "lambda-analyzer: error: the results database cannot be read (database disk image is "
        "malformed); keep it aside and use another --db\n"
    )
    assert (report.exit_code, report.stderr) == (2, line)
    assert (batch.exit_code, batch.stderr) == (2, line)


def test_a_batch_on_a_terminal_shows_a_progress_bar(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    for name in ("customer-sync", "image-intake"):
        add_function(fleet, name, name)
    command = [
        sys.executable,
        "-m",
        "analyzer.cli",
        "batch",
        str(fleet),
        "--db",
        str(tmp_path / "r.sqlite3"),
        "--no-deps",
        "--no-cache",
        "--workers",
        "1",
        "--output",
        str(tmp_path / "report.txt"),
    ]
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        command,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=SAMPLES.parent,
        env={**os.environ, "COLUMNS": "160", "TERM": "xterm"},
    )
    os.close(follower)
    shown = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 0

    text = shown.decode("utf-8", "replace")
    assert "2 done, 0 failed, 0 remaining" in text
    assert "functions/s" in text
    assert "eta" in text
    assert "batch: 2 done, 0 failed of 2" in text


def test_a_function_name_without_any_region_is_an_input_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    names = tmp_path / "names.txt"
    names.write_text("orders-api\n")

    result = RUNNER.invoke(
        app,
        ["batch", str(names), "--db", str(tmp_path / "r.sqlite3"), "--no-deps", "--format=json"],
    )

    assert result.exit_code == 1
    [function] = json.loads(result.stdout)["functions"]
    assert (function["status"], function["failure_kind"], function["error"]) == (
        "failed",
        "input",
        "function orders-api: a function name needs --region or a region in the AWS configuration",
    )
