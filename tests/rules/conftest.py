"""Fixtures of the source-rule tests: the installed interpreters that confirm version facts."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

MEASURED_VERSIONS = ("3.9", "3.10", "3.11", "3.12", "3.13")
RUNNER = Path(__file__).with_name("example_runner.py")


def find_interpreter(version: str) -> str | None:
    """A working ``python<version>``: on PATH, or under the pyenv root."""
    candidates = []
    on_path = shutil.which(f"python{version}")
    if on_path:
        candidates.append(on_path)
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates.extend(sorted(glob.glob(f"{root}/versions/{version}.*/bin/python{version}")))
    for candidate in candidates:
        result = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2], sys.executable)"],
            capture_output=True,
            text=True,
            check=False,
        )
        found, _, executable = result.stdout.strip().partition(" ")
        if result.returncode == 0 and found == version:
            # The interpreter itself, not a shim that needs this environment to find it.
            return executable or candidate
    return None


@pytest.fixture(scope="session")
def interpreters() -> dict[str, str]:
    """Every interpreter of 3.9 to 3.13 found on this machine."""
    found = {version: find_interpreter(version) for version in MEASURED_VERSIONS}
    present = {version: path for version, path in found.items() if path is not None}
    if not present:
        pytest.skip("no python3.9 .. python3.13 here: the version facts cannot be confirmed")
    return present


def run_examples(interpreter: str, programs: Sequence[str], folder: Path) -> list[str]:
    """The outcome of each program on one interpreter (see ``example_runner.py``)."""
    result = subprocess.run(
        [interpreter, "-I", "-S", str(RUNNER)],
        input=json.dumps(list(programs)),
        capture_output=True,
        text=True,
        cwd=folder,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(folder), "TMPDIR": str(folder)},
        check=True,
        timeout=300,
    )
    outcomes: list[str] = json.loads(result.stdout)
    return outcomes
