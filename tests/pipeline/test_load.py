"""What ``scan`` reads from a local path: a case folder's layout, and paths with no Python."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.errors import InputError
from analyzer.pipeline import ScanRequest, scan_target
from tests.conftest import SAMPLES

TARGETS = ("python3.11", "python3.13")


def _findings(request: ScanRequest) -> list[tuple[str, str, str, int | None, str | None]]:
    return [
        (
            report.target.name,
            finding.rule_id,
            finding.location.path,
            finding.location.line,
            finding.severity.value if finding.severity else None,
        )
        for report in scan_target(request)
        for finding in report.findings
    ]


def test_a_case_folder_is_read_with_its_configuration_and_function_folder() -> None:
    sample = SAMPLES / "image-intake"
    as_folder = ScanRequest(str(sample), TARGETS, check_dependencies=False)
    spelled_out = ScanRequest(
        str(sample / "function"),
        TARGETS,
        config=sample / "configuration.json",
        check_dependencies=False,
    )

    found = _findings(as_folder)
    assert found == _findings(spelled_out)
    assert ("python3.13", "removed-stdlib-module", "intake.py", 5, "blocker") in found
    [report, _] = scan_target(as_folder)
    assert report.function.handler == "intake.handler"


@pytest.mark.parametrize(
    "files",
    [{}, {"index.js": "exports.handler = async () => 1;\n", "README.md": "# a node function\n"}],
    ids=["empty", "node"],
)
def test_a_path_without_python_code_is_refused(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)

    with pytest.raises(InputError) as raised:
        scan_target(ScanRequest(str(tmp_path), TARGETS, check_dependencies=False))
    assert str(raised.value) == (
        f"{tmp_path}: no Python code (no .py, .pyc or extension module) in the package or its "
        "layers"
    )


def test_a_finding_in_a_vendored_library_says_to_upgrade_the_library_first() -> None:
    sample = SAMPLES / "leaderboard-ranker"
    [report, _] = scan_target(ScanRequest(str(sample), TARGETS, check_dependencies=False))

    [finding] = [
        f
        for f in report.findings
        if (f.location.path, f.location.line, f.symbol)
        == ("sortedcontainers/sorteddict.py", 5, "collections.Set")
    ]
    assert finding.fix == (
        "upgrade the vendored sortedcontainers 1.5.10 to a release that supports the target, and "
        "rebuild the package; in this copy the line needs: use collections.abc.Set instead"
    )
    own = [f for f in report.findings if f.component.kind.value == "function"]
    assert all(not f.fix.startswith("upgrade the vendored") for f in own)


def test_a_zip_whose_every_member_is_refused_is_not_analysed(tmp_path: Path) -> None:
    import zipfile

    from analyzer.models import Verdict

    archive = tmp_path / "escape.zip"
    with zipfile.ZipFile(archive, "w") as writer:
        writer.writestr("../evil.py", "import imp\n")
        writer.writestr("/abs.py", "import imp\n")

    [report, _] = scan_target(ScanRequest(str(archive), TARGETS, check_dependencies=False))

    assert report.verdict is Verdict.NOT_ANALYSED
    assert [(f.rule_id, f.severity.value if f.severity else None) for f in report.findings] == [
        ("not-analysed", "high")
    ]
    assert [error.message for error in report.errors] == [
        "escape.zip: member '../evil.py' not extracted (parent folder reference (..) in path)",
        "escape.zip: member '/abs.py' not extracted (absolute path)",
    ]


def test_a_message_quoting_hostile_input_is_clipped(tmp_path: Path) -> None:
    dots = "." * 100_000
    (tmp_path / "lambda_function.py").write_text(
        f"from {dots}x import y\n\n\ndef lambda_handler(event, context):\n    return 1\n"
    )

    [report, _] = scan_target(ScanRequest(str(tmp_path), TARGETS, check_dependencies=False))

    [error] = report.errors
    start = "line 1: relative import in a module that is not in a package (from ..."
    assert error.message.startswith(start)
    assert error.message.endswith("... (99664 more characters)")
    assert len(error.message) == 500 + len("... (99664 more characters)")
