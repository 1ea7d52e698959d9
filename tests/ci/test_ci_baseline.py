"""A pull request's view: with the base branch's report as baseline, only what it adds fails."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from analyzer.ci import CiOutputs, CiRequest, execute
from analyzer.errors import InputError
from tests.ci.conftest import TODAY, run, run_cli, sarif_errors
from tests.iac.sample_repos import write_files

APP = """
    import json

    from legacy import load


    def handler(event, context):
        return json.dumps(load(event))
    """
LEGACY = """
    import imp


    def load(event):
        return imp.new_module(event["name"]).__name__
    """


def _template(runtime: str) -> str:
    return f"""
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Orders:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: app.handler
              Runtime: {runtime}
        """


def _git(root: Path, *args: str) -> str:
    git = shutil.which("git")
    assert git is not None, "git is needed to build the pull request's commits"
    result = subprocess.run(
        [git, "-c", "user.name=dev", "-c", "user.email=dev@example.com", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def _commit(root: Path, message: str) -> str:
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", message)
    return _git(root, "rev-parse", "HEAD")


@pytest.fixture
def pull_request(tmp_path: Path) -> tuple[Path, str, str]:
    """A repository whose second commit bumps the template from python3.9 to python3.12."""
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q")
    write_files(root, {"template.yaml": _template("python3.9"), "src/app.py": APP})
    write_files(root, {"src/legacy.py": LEGACY})
    base = _commit(root, "orders function on python3.9")
    write_files(root, {"template.yaml": _template("python3.12")})
    head = _commit(root, "move orders to python3.12")
    return root, base, head


def test_the_base_commit_has_no_new_finding_against_its_own_report(
    pull_request: tuple[Path, str, str], tmp_path: Path
) -> None:
    root, base, _ = pull_request
    _git(root, "checkout", "-q", base)
    report = tmp_path / "base.json"

    first = run_cli("ci", root, "--no-deps", "--json", report, "--fail-on", "medium")
    again = run_cli("ci", root, "--no-deps", "--baseline", report, "--fail-on", "medium")

    # Alone, the base commit fails at medium: imp is deprecated on python3.11, the default
    # target of a python3.9 template, and python3.9 is deprecated.
    assert first.returncode == 1, first.stderr
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.splitlines()[-2:] == [
        "baseline: 3 unchanged, 0 fixed",
        "result: passes: no new finding at medium or worse",
    ]


def test_the_bump_commit_fails_on_exactly_what_the_bump_introduced(
    pull_request: tuple[Path, str, str], tmp_path: Path
) -> None:
    root, base, head = pull_request
    _git(root, "checkout", "-q", base)
    report = tmp_path / "base.json"
    assert run_cli("ci", root, "--no-deps", "--json", report).returncode == 0
    _git(root, "checkout", "-q", head)
    sarif = tmp_path / "head.sarif"

    result = run_cli("ci", root, "--no-deps", "--baseline", report, "--sarif", sarif)

    assert result.returncode == 1, result.stderr
    log = json.loads(sarif.read_text(encoding="utf-8"))
    assert sarif_errors(log) == []
    assert [
        (
            entry["ruleId"],
            entry["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            entry["locations"][0]["physicalLocation"]["region"]["startLine"],
            entry["baselineState"],
            entry["properties"]["severity"],
        )
        for entry in log["runs"][0]["results"]
    ] == [
        ("removed-stdlib-module", "src/legacy.py", 1, "updated", "blocker"),
        ("removed-stdlib-api", "src/legacy.py", 5, "updated", "high"),
        ("iac-runtime-not-ready", "template.yaml", 8, "new", "blocker"),
    ]
    assert log["runs"][0]["properties"] == {"failOn": "high", "failing": 3, "fixed": 1}
    assert "failing:" in result.stdout
    assert result.stdout.splitlines()[-2:] == [
        "baseline: 0 unchanged, 1 fixed",
        "result: fails: 3 new findings at high or worse",
    ]


def test_findings_that_only_moved_are_not_new(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "repo",
        {"template.yaml": _template("python3.12"), "src/app.py": APP, "src/legacy.py": LEGACY},
    )
    report = tmp_path / "base.json"
    execute(CiRequest(root, check_dependencies=False, today=TODAY), CiOutputs(json_report=report))
    legacy = root / "src" / "legacy.py"
    legacy.write_text('"""Loading, as it was."""\n\n' + legacy.read_text(encoding="utf-8"))

    result = run(root, baseline=report)

    assert [(f.finding.location.line, f.baseline_state) for f in result.findings] == [
        (3, "unchanged"),
        (7, "unchanged"),
        (8, "unchanged"),
    ]
    assert result.exit_code == 0


def test_a_second_use_of_a_removed_module_is_new(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "repo",
        {"template.yaml": _template("python3.12"), "src/app.py": APP, "src/legacy.py": LEGACY},
    )
    report = tmp_path / "base.json"
    execute(CiRequest(root, check_dependencies=False, today=TODAY), CiOutputs(json_report=report))
    write_files(root, {"src/other.py": "import imp\n"})

    result = run(root, baseline=report)

    assert [(f.finding.location.path, f.baseline_state, f.failing) for f in result.findings] == [
        ("src/legacy.py", "unchanged", False),
        ("src/legacy.py", "unchanged", False),
        ("src/other.py", "new", False),  # nothing imports it: info, below --fail-on
        ("template.yaml", "unchanged", False),
    ]


def test_a_baseline_that_is_not_a_report_is_a_user_error(tmp_path: Path) -> None:
    root = write_files(tmp_path / "repo", {"template.yaml": _template("python3.12")})
    (tmp_path / "junk.json").write_text('{"runs": []}\n')

    with pytest.raises(InputError, match=r"junk\.json: not a lambda-analyzer report"):
        run(root, baseline=tmp_path / "junk.json")
