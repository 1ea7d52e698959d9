"""The deps stage on the shared cases, against a local index that lists the same releases."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from analyzer.deps import DependencyOptions, DependencyResult, check_dependencies
from analyzer.runtimes import get_runtime
from tests.deps.conftest import LocalIndex

TARGETS = [get_runtime(name) for name in ("python3.10", "python3.11", "python3.12", "python3.13")]


def _case(shared: Path, name: str, tmp_path: Path) -> tuple[Path, dict[str, object]]:
    case = shared / "cases" / name
    function = tmp_path / name
    shutil.copytree(case / "function", function)
    expected = json.loads((case / "expected.json").read_text())
    return function, expected


def test_numpy_pin_has_no_wheel_from_python311(
    shared: Path, local_index: LocalIndex, tmp_path: Path
) -> None:
    function, expected = _case(shared, "requirements-pin-numpy-1-21", tmp_path)
    options = DependencyOptions(index_url=local_index.url("simple"), vulnerabilities=False)
    result = check_dependencies(function, TARGETS, str(expected["architecture"]), options)

    (finding,) = result.findings
    (wanted,) = expected["findings"]  # type: ignore[misc]
    assert (finding.rule_id, finding.location.path, finding.location.line) == (
        wanted["kind"],
        wanted["path"],
        wanted["line"],
    )
    assert finding.broken_on == tuple(sorted(wanted["severity_by_target"]))
    assert finding.component.name == "numpy" and finding.component.version == "1.21.6"
    assert finding.fix.startswith(
        "Upgrade numpy; the lowest releases with a wheel are 1.23.2 for python3.11; "
        "none has one for python3.12, python3.13"
    )
    assert [row.status for row in result.rows_by_target["python3.10"]] == ["wheel"]
    assert result.installs_from_wheels("python3.10") is True
    assert result.installs_from_wheels("python3.11") is False


def test_a_function_without_requirements_has_no_dependency_part(
    shared: Path, local_index: LocalIndex, tmp_path: Path
) -> None:
    function, expected = _case(shared, "sam-template-python39-pins", tmp_path)
    local_index.clear()
    options = DependencyOptions(index_url=local_index.url("simple"))
    result = check_dependencies(function, TARGETS, str(expected["architecture"]), options)
    assert result == DependencyResult()
    assert local_index.asked("/") == []
