"""Functions ``ci`` cannot judge (code not in the repository, a runtime known only at deploy
time, a container image) read as not analysed, never as ready, in every output."""

from __future__ import annotations

import json
from pathlib import Path

from analyzer.ci import render_sarif, render_summary, render_text
from analyzer.report.json import render
from tests.ci.conftest import run, run_cli
from tests.iac.sample_repos import CLEAN_HANDLER, Files, write_files

UNJUDGED: Files = {
    "template.yaml": """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          S3Function:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: s3://artifacts/s3.zip
              Handler: app.handler
              Runtime: python3.12
          SubFunction:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: app.handler
              Runtime: !Sub "python${Version}"
          ImageFunction:
            Type: AWS::Serverless::Function
            Properties:
              PackageType: Image
              ImageUri: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1
          CleanFunction:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: app.handler
              Runtime: python3.12
        """,
    "src/app.py": CLEAN_HANDLER,
}
S3_REASON = (
    "no code in the repository to analyse (code S3Function.Properties.CodeUri "
    "s3://artifacts/s3.zip is not in the repository); its readiness is unknown"
)
SUB_REASON = (
    "its runtime is unknown (SubFunction.Properties.Runtime is !Sub python${Version}, which is "
    "known only at deploy time); its code was checked for python3.11 only, so its readiness "
    "on the runtime it deploys with is unknown"
)
IMAGE_REASON = (
    "no code in the repository to analyse (ImageFunction is a container image; its code is "
    "not in the template); its readiness is unknown"
)


def test_each_function_that_cannot_be_judged_says_so_on_its_summary_line(
    tmp_path: Path,
) -> None:
    result = run(write_files(tmp_path, UNJUDGED))

    lines = render_text(result).splitlines()

    assert lines[1:5] == [
        "  S3Function (template.yaml:3): runtime python3.12, checked as python3.9 -> python3.12 "
        f"(target from the template): not analysed: {S3_REASON}, 1 finding(s)",
        "  SubFunction (template.yaml:9): runtime ?, checked as python3.9 -> python3.11 "
        f"(default target): not analysed: {SUB_REASON}, 1 finding(s)",
        "  ImageFunction (template.yaml:15): runtime ?, checked as python3.9 -> python3.11 "
        f"(default target): not analysed: {IMAGE_REASON}, 1 finding(s)",
        "  CleanFunction (template.yaml:20): runtime python3.12, checked as python3.9 -> "
        "python3.12 (target from the template): ready 100/100, 0 finding(s)",
    ]
    assert lines[-1] == "result: fails: 2 findings at high or worse"
    summary = render_summary(result)
    assert (
        "| `S3Function` | `template.yaml:3` | python3.12 | python3.9 → python3.12 (target from "
        "the template) | **not analysed** | - | 1 |"
    ) in summary.splitlines()


def test_the_json_report_and_sarif_log_carry_a_not_analysed_finding_per_function(
    tmp_path: Path,
) -> None:
    result = run(write_files(tmp_path, UNJUDGED))

    reports = json.loads(render(result.reports))["reports"]
    sarif = json.loads(render_sarif(result, generated_at="2026-12-04T16:00:00+00:00"))

    assert [
        (
            report["function"]["name"],
            report["verdict"],
            [(f["rule_id"], f["severity"], f["line"]) for f in report["findings"]],
        )
        for report in reports
    ] == [
        ("S3Function", "not-analysed", [("not-analysed", "high", 3)]),
        ("SubFunction", "not-analysed", [("not-analysed", "high", 9)]),
        ("ImageFunction", "ready", [("not-analysed", "info", 15)]),
        ("CleanFunction", "ready", []),
    ]
    assert reports[0]["findings"][0]["message"] == f"S3Function could not be analysed: {S3_REASON}"
    assert [
        (r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in sarif["runs"][0]["results"]
    ] == [("not-analysed", "error", 3), ("not-analysed", "error", 9), ("not-analysed", "note", 15)]


def test_a_function_that_cannot_be_judged_fails_ci_at_fail_on_high_and_a_target_settles_the_runtime(
    tmp_path: Path,
) -> None:
    root = write_files(tmp_path, UNJUDGED)

    default = run_cli("ci", root, "--no-deps")
    never = run_cli("ci", root, "--no-deps", "--fail-on", "never")
    targeted = run(root, target="python3.12")

    assert (default.returncode, never.returncode) == (1, 0), default.stderr
    assert [
        function.definition.name for function in targeted.functions if function.not_analysed
    ] == ["S3Function", "ImageFunction"]
