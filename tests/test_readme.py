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
