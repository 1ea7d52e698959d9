"""What the terminal shows: reports laid out for their width, and -q's one line a report."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLES

SAMPLE = "sensor-fanout"


def _cli(*args: str | Path, columns: str | None) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    if columns is not None:
        environment["COLUMNS"] = columns
    return subprocess.run(
        [sys.executable, "-m", "analyzer.cli", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        env={**environment, "PYTHONPATH": str(REPO)},
    )


def _widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


@pytest.mark.parametrize("columns", ["80", "132"])
def test_scan_fits_the_columns_it_is_given(columns: str) -> None:
    result = _cli(
        "scan",
        SAMPLES / f"{SAMPLE}.zip",
        "--config",
        SAMPLES / SAMPLE / "configuration.json",
        "--no-deps",
        "--matrix",
        columns=columns,
    )
    assert result.returncode == 1, result.stderr
    assert _widest(result.stdout) == int(columns)  # the rule between reports spans the width


def test_a_report_written_to_a_file_keeps_the_default_width(tmp_path: Path) -> None:
    output = tmp_path / "report.txt"
    result = _cli(
        "scan",
        SAMPLES / f"{SAMPLE}.zip",
        "--config",
        SAMPLES / SAMPLE / "configuration.json",
        "--no-deps",
        "--output",
        output,
        columns="80",
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert _widest(output.read_text()) == 100


def test_the_fleet_report_fits_80_columns(tmp_path: Path) -> None:
    result = _cli(
        "batch",
        SAMPLES,
        "--no-deps",
        "--matrix",
        "--db",
        tmp_path / "fleet.sqlite3",
        columns="80",
    )
    assert result.returncode == 0, result.stderr
    assert _widest(result.stdout) <= 80
    lines = result.stdout.splitlines()
    first = lines.index("1 sensor-fanout  123456789012/eu-west-1")
    assert lines[first + 1 : first + 5] == [
        "  python3.8 (updates blocked, deprecation 2024-10-14) · invocations -",
        "  code 4926deeaa911",
        "  3.10 blocked 49 · 3.11 blocked 20 · 3.12 blocked 20 · 3.13 blocked 20",
        "  3.14 blocked 20",
    ]


def test_quiet_prints_one_line_a_report() -> None:
    result = _cli(
        "scan",
        SAMPLES / "image-intake",
        "--no-deps",
        "--target",
        "python3.13",
        "-q",
        columns=None,
    )

    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "image-intake  python3.9 -> python3.13  49/100 blocked\n",
        "",
    )


def test_a_link_left_out_of_a_folder_is_a_warning_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "lambda_function.py").write_text(
        "import helpers\n\n\ndef lambda_handler(event, context):\n    return 1\n"
    )
    (tmp_path / "helpers.py").symlink_to("/etc/hostname")

    result = _cli("scan", tmp_path, "--no-deps", "--fail-on", "never", columns=None)

    assert (result.returncode, result.stderr) == (
        1,
        "WARNING analyzer.bundle.layout: helpers.py: symbolic link not followed; not analysed\n",
    )
