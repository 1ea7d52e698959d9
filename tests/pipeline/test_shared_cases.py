"""The function packages of the shared benchmark cases, each with the verdict it must reach."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.models import FunctionReport, Severity
from analyzer.pipeline import ScanRequest, scan_target
from tests.conftest import shared_folder

# Every case, scanned as `scan CASE/function --config CASE/configuration.json` does, without
# the package index: what its answer key says of the package (source, binaries, layers) and
# of its templates (iac/) is checked here. Findings of the pins need the index and are
# exercised by tests/deps; a target whose key holds one is checked for its other findings only.
PACKAGE_CASES = sorted(
    case.name
    for case in (shared_folder() / "cases").iterdir()
    if (case / "expected.json").is_file()
)
_ERROR = {Severity.BLOCKER, Severity.HIGH}
_ELSEWHERE = ("dependency-",)


def scan_case(case: Path, tmp_path: Path) -> dict[str, FunctionReport]:
    request = ScanRequest(
        target=str(case / "function"),
        target_runtimes=("python3.11", "python3.12", "python3.13"),
        config=case / "configuration.json",
        check_dependencies=False,
    )
    return {report.target.name: report for report in scan_target(request)}


@pytest.mark.parametrize("case_name", PACKAGE_CASES)
def test_case_verdicts_and_findings(case_name: str, shared: Path, tmp_path: Path) -> None:
    case = shared / "cases" / case_name
    expected = json.loads((case / "expected.json").read_text())
    reports = scan_case(case, tmp_path)
    for target, answer in expected["targets"].items():
        report = reports[target]
        package_only = [f for f in answer["findings"] if not f["kind"].startswith(_ELSEWHERE)]
        if len(package_only) == len(answer["findings"]):
            assert report.verdict.value == answer["verdict"], (target, report.findings)
        for wanted in package_only:
            matches = [
                finding
                for finding in report.findings
                if finding.rule_id == wanted["kind"]
                and finding.location.path == wanted["path"]
                and (wanted["line"] is None or finding.location.line == wanted["line"])
            ]
            assert matches, (target, wanted)
            is_error = wanted["severity"] == "error"
            assert any((m.severity in _ERROR) == is_error for m in matches), (target, wanted)
