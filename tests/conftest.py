"""Fixtures shared by every test folder: where the benchmarks and samples live."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_functions"


def shared_folder() -> Path:
    """The read-only benchmark folder beside the repository (``LAMBDA_ANALYZER_SHARED`` wins)."""
    configured = os.environ.get("LAMBDA_ANALYZER_SHARED")
    return Path(configured) if configured else REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    folder = shared_folder()
    if not folder.is_dir():
        pytest.fail(f"the benchmark folder {folder} is missing; set LAMBDA_ANALYZER_SHARED")
    return folder


@pytest.fixture(autouse=True)
def _no_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports follow ``COLUMNS``, which pytest-xdist's workers set: every test starts without
    it, as a command run from a script does, and sets it where width is the point."""
    monkeypatch.delenv("COLUMNS", raising=False)
