"""The ``ci`` command line: its files, its exit codes, its one-line errors."""

from __future__ import annotations

from pathlib import Path

from tests.ci.conftest import run_cli
from tests.iac.sample_repos import SHARED_LAYER, write_files


def test_the_summary_and_json_files_are_written_and_the_exit_code_is_1(tmp_path: Path) -> None:
    root = write_files(tmp_path / "repo", SHARED_LAYER)
    summary, report = tmp_path / "out" / "summary.md", tmp_path / "out" / "report.json"

    result = run_cli("ci", root, "--no-deps", "--summary", summary, "--json", report)

    assert result.returncode == 1, result.stderr
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## lambda-analyzer: fails: 3 findings at high or worse\n")
    assert (
        "| `OrdersFunction` | `template.yaml:9` | python3.12 | "
        "python3.9 → python3.12 (target from the template) | **blocked** |"
    ) in text
    assert "### Findings that fail the check" in text
    assert report.read_text(encoding="utf-8").startswith('{\n  "schema_version": 1,')
    assert result.stdout.splitlines()[0] == (
        f"lambda-analyzer ci: 2 function(s) in 1 template(s) under {root.resolve()}"
    )


def test_fail_on_never_reports_without_failing(tmp_path: Path) -> None:
    root = write_files(tmp_path / "repo", SHARED_LAYER)

    result = run_cli("ci", root, "--no-deps", "--fail-on", "never", "--quiet")

    assert (result.returncode, result.stdout) == (0, "result: passes (--fail-on never)\n")


def test_user_errors_are_one_line_and_exit_2(tmp_path: Path) -> None:
    root = write_files(tmp_path / "repo", SHARED_LAYER)
    empty = tmp_path / "empty"
    empty.mkdir()

    bad_fail_on = run_cli("ci", root, "--no-deps", "--fail-on", "sometimes")
    bad_target = run_cli("ci", root, "--no-deps", "--target", "python2.7")
    no_templates = run_cli("ci", empty, "--no-deps")

    assert (bad_fail_on.returncode, bad_fail_on.stderr) == (
        2,
        "lambda-analyzer: error: --fail-on 'sometimes': choose one of blocker, high, medium, "
        "low, never\n",
    )
    assert bad_target.returncode == 2
    assert bad_target.stderr.startswith("lambda-analyzer: error: unknown runtime 'python2.7'")
    assert no_templates.returncode == 2
    assert no_templates.stderr == (
        f"lambda-analyzer: error: {empty.resolve()}: no Python Lambda function found in SAM, "
        "CloudFormation, Serverless or Terraform templates (templates read: none)\n"
    )
