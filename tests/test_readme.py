"""The README's generated parts match the code they describe."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_rule_list_in_readme_is_generated_from_the_catalogue() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "update_readme.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_sample_report_in_the_readme_is_what_the_command_prints() -> None:
    import os
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    sample = readme.split("## A sample report", 1)[1]
    command = re.search(r"`(lambda-analyzer scan [^`]+)`", sample, re.DOTALL)
    shown = re.search(r"```\n(.*?)```", sample, re.DOTALL)
    assert command is not None and shown is not None
    arguments = command[1].split()[1:]
    environment = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    result = subprocess.run(
        [sys.executable, "-m", "analyzer.cli", *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={**environment, "PYTHONPATH": str(REPO)},
    )
    assert (result.returncode, result.stdout) == (1, shown[1])
