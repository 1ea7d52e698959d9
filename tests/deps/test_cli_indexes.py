"""The index options reach the dependency check from each command that checks dependencies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from tests.deps.conftest import LocalIndex, write_function

RUNNER = CliRunner()


def _function(root: Path) -> Path:
    return write_function(
        root,
        {
            "app.py": "def handler(event, context):\n    return 1\n",
            "requirements.txt": "helper==1.0\n",
        },
    )


def _statuses(output: str) -> list[tuple[str, str, str, int]]:
    (report,) = json.loads(output)["reports"]
    return [
        (row["name"], row["version"], row["status"], row["source"]["line"])
        for row in report["dependencies"]
    ]


@pytest.mark.parametrize("extra", [False, True])
def test_scan_looks_in_the_extra_index_too(
    local_index: LocalIndex, closed_port_url: str, tmp_path: Path, extra: bool
) -> None:
    root = _function(tmp_path / "fn")
    args = ["scan", str(root), "--handler", "app.handler", "--format", "json", "--no-vulns"]
    args += ["--index-url", f"{local_index.base_url}/empty/simple/"]
    if extra:
        args += ["--extra-index-url", local_index.url("simple")]
    result = RUNNER.invoke(app, args)
    status = "wheel" if extra else "no-distribution"
    assert _statuses(result.stdout) == [("helper", "1.0", status, 1)]


@pytest.mark.parametrize("extra", [False, True])
def test_ci_looks_in_the_extra_index_too(
    local_index: LocalIndex, tmp_path: Path, extra: bool
) -> None:
    _function(tmp_path / "repo" / "src")
    (tmp_path / "repo" / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      CodeUri: src/\n"
        "      Handler: app.handler\n"
        "      Runtime: python3.11\n"
    )
    report = tmp_path / "report.json"
    args = ["ci", str(tmp_path / "repo"), "--json", str(report), "--no-vulns"]
    args += ["--index-url", f"{local_index.base_url}/empty/simple/"]
    if extra:
        args += ["--extra-index-url", local_index.url("simple")]
    RUNNER.invoke(app, args)
    status = "wheel" if extra else "no-distribution"
    assert _statuses(report.read_text()) == [("helper", "1.0", status, 1)]


@pytest.mark.parametrize("extra", [False, True])
def test_batch_looks_in_the_extra_index_too(
    local_index: LocalIndex, tmp_path: Path, extra: bool
) -> None:
    root = _function(tmp_path / "fn")
    inventory = tmp_path / "inventory.txt"
    inventory.write_text(f"{root}\n")
    args = ["batch", str(inventory), "--db", str(tmp_path / "fleet.sqlite3")]
    args += ["--format", "json", "--no-vulns", "--quiet"]
    args += ["--index-url", f"{local_index.base_url}/empty/simple/"]
    if extra:
        args += ["--extra-index-url", local_index.url("simple")]
    result = RUNNER.invoke(app, args)
    (function,) = json.loads(result.stdout)["functions"]
    outcome = function["results"]["python3.11"]
    blockers = [(row["rule_id"], row["path"], row["line"]) for row in outcome["top_blockers"]]
    assert (outcome["verdict"], blockers) == (
        ("ready", []) if extra else ("blocked", [("dependency-no-wheel", "requirements.txt", 1)])
    )


@pytest.mark.parametrize("command", ["scan", "batch", "ci"])
def test_a_missing_advisories_folder_is_refused_before_any_work(
    tmp_path: Path, command: str
) -> None:
    root = _function(tmp_path / "fn")
    database = tmp_path / "fleet.sqlite3"
    extra = ["--db", str(database)] if command == "batch" else []
    missing = tmp_path / "advisories"

    result = RUNNER.invoke(app, [command, str(root), *extra, "--advisories", str(missing)])

    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"lambda-analyzer: error: --advisories {missing}: no such folder\n",
    )
    assert not database.exists()
