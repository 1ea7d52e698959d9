"""Fixtures of the ``ci`` tests: sample repositories, the SARIF schema, a fixed date."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from analyzer.ci import CiRequest, CiResult, run_ci
from tests.conftest import REPO
from tests.iac.sample_repos import Files, write_files

TODAY = dt.date(2026, 12, 4)
"""python3.9 is deprecated on this day, and no block date of it has passed."""
SARIF_SCHEMA = REPO / "analyzer" / "schema" / "sarif-2.1.0.json"


def run(root: Path, **options: Any) -> CiResult:
    """``ci`` on ``root`` in this process: no dependency check, judged on ``TODAY``."""
    options.setdefault("check_dependencies", False)
    options.setdefault("today", TODAY)
    return run_ci(CiRequest(root, **options))


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``lambda-analyzer`` in a child process, as a CI job runs it."""
    return subprocess.run(
        [sys.executable, "-m", "analyzer.cli", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**_clean_environment(), "PYTHONPATH": str(REPO)},
    )


def _clean_environment() -> dict[str, str]:
    import os

    return {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}


def sarif_errors(log: object) -> list[str]:
    """Every violation of the SARIF 2.1.0 schema kept in the repository by ``log``."""
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(log)
    ]


@pytest.fixture
def repository(tmp_path: Path) -> Callable[[Files], Path]:
    """Writes a sample repository into a fresh folder and returns the folder."""
    counter = iter(range(1000))

    def make(files: Files) -> Path:
        return write_files(tmp_path / f"repo-{next(counter)}", files)

    return make
