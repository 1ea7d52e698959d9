"""The bundled sample functions reach the verdicts measured on real interpreters."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from analyzer.pipeline import ScanRequest, scan_target
from tests.conftest import REPO, SAMPLES

SAMPLE_NAMES = sorted(path.parent.name for path in SAMPLES.glob("*/expected.json"))
TARGETS = ("python3.10", "python3.11", "python3.12", "python3.13")


def test_there_are_at_least_six_samples() -> None:
    assert len(SAMPLE_NAMES) >= 6


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_verdicts_match_the_measured_ones(name: str) -> None:
    expected = json.loads((SAMPLES / name / "expected.json").read_text())["verdicts"]
    reports = scan_target(
        ScanRequest(
            target=str(SAMPLES / f"{name}.zip"),
            config=SAMPLES / name / "configuration.json",
            target_runtimes=TARGETS,
            check_dependencies=False,
        )
    )
    verdicts = {report.target.name: report.verdict.value for report in reports}
    assert verdicts == {target: expected[target] for target in TARGETS}


def test_sample_zips_and_configurations_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_samples.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
