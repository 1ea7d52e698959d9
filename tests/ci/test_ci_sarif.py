"""SARIF 2.1.0: valid against the published schema, with rule help, precise regions, and
fingerprints that survive a second run and lines moving."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from analyzer.ci import render_sarif
from analyzer.fetch.local import load_local_function
from analyzer.pipeline import AnalysisOptions, analyse_function
from analyzer.report import ReportFormat, render_reports
from analyzer.report.sarif import FINGERPRINT_NAME, RULES
from analyzer.runtimes import get_runtime
from tests.ci.conftest import SARIF_SCHEMA, run, sarif_errors
from tests.iac.sample_repos import SHARED_LAYER, Files, write_files

Repository = Callable[[Files], Path]


def _log(root: Path) -> dict[str, object]:
    return json.loads(render_sarif(run(root), generated_at="2026-12-04T16:00:00+00:00"))


def test_the_kept_schema_is_the_published_sarif_2_1_0_schema() -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))

    assert schema["id"] == (
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    )
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    # The validator is live: a log without its version is refused.
    assert sarif_errors({"runs": []}) == [": 'version' is a required property"]


def test_the_ci_log_is_valid_sarif(repository: Repository) -> None:
    log = _log(repository(SHARED_LAYER))

    assert sarif_errors(log) == []


def test_rules_carry_help_text_and_links(repository: Repository) -> None:
    log = _log(repository(SHARED_LAYER))

    [sarif_run] = log["runs"]  # type: ignore[index]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [
        "iac-deprecated-runtime",
        "iac-layer-incompatible",
        "iac-runtime-not-ready",
        "removed-stdlib-api",
        "removed-stdlib-module",
    ]
    module_rule = rules[4]
    assert module_rule["helpUri"] == "https://peps.python.org/pep-0594/"
    assert module_rule["help"]["text"] == RULES["removed-stdlib-module"].help
    assert module_rule["shortDescription"]["text"] == (
        "Imports a standard-library module that a newer Python removes"
    )


def test_results_have_precise_regions_levels_and_functions(repository: Repository) -> None:
    log = _log(repository(SHARED_LAYER))

    results = log["runs"][0]["results"]  # type: ignore[index]
    assert [
        (
            result["ruleId"],
            result["level"],
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["locations"][0]["physicalLocation"]["region"],
            result["properties"]["functions"],
        )
        for result in results
    ] == [
        (
            "removed-stdlib-module",
            "error",
            "layers/helpers/python/helpers.py",
            {"startLine": 1, "startColumn": 8, "endLine": 1},
            ["OrdersFunction", "RefundsFunction"],
        ),
        (
            "removed-stdlib-api",
            "error",
            "layers/helpers/python/helpers.py",
            {"startLine": 3, "startColumn": 11, "endLine": 3},
            ["OrdersFunction", "RefundsFunction"],
        ),
        (
            "iac-deprecated-runtime",
            "warning",
            "template.yaml",
            {"startLine": 8, "startColumn": 11},
            ["OrdersFunction", "RefundsFunction"],
        ),
        (
            "iac-layer-incompatible",
            "warning",
            "template.yaml",
            {"startLine": 8, "startColumn": 11},
            ["OrdersFunction", "RefundsFunction"],
        ),
        (
            "iac-runtime-not-ready",
            "error",
            "template.yaml",
            {"startLine": 14, "startColumn": 16},
            ["OrdersFunction"],
        ),
    ]
    assert all(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        for result in results
    )
    assert all("baselineState" not in result for result in results)


def _fingerprints(log: dict[str, object]) -> dict[tuple[str, str], str]:
    return {
        (
            result["ruleId"],
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        ): result["partialFingerprints"][FINGERPRINT_NAME]
        for result in log["runs"][0]["results"]  # type: ignore[index]
    }


def test_fingerprints_are_stable_across_runs_and_when_lines_move(tmp_path: Path) -> None:
    root = write_files(tmp_path / "repo", SHARED_LAYER)
    first = _log(root)
    second = _log(root)
    helpers = root / "layers" / "helpers" / "python" / "helpers.py"
    helpers.write_text('"""Shared helpers."""\n\n' + helpers.read_text(encoding="utf-8"))
    moved = _log(root)

    assert _fingerprints(first) == _fingerprints(second)
    assert _fingerprints(moved) == _fingerprints(first)
    assert len(set(_fingerprints(first).values())) == 5
    lines = [
        result["locations"][0]["physicalLocation"]["region"]["startLine"]
        for result in moved["runs"][0]["results"]  # type: ignore[index]
    ]
    assert lines[:2] == [3, 5]


def test_the_sarif_format_of_scan_merges_targets_into_one_result(tmp_path: Path) -> None:
    code = write_files(
        tmp_path / "function", {"app.py": "import imp\n\n\ndef handler(e, c):\n    pass\n"}
    )
    function = load_local_function(code, tmp_path / "work", handler="app.handler")
    targets = [get_runtime(name) for name in ("python3.11", "python3.12")]
    reports = analyse_function(function, targets, AnalysisOptions(check_dependencies=False))

    log = json.loads(render_reports(ReportFormat.SARIF, reports))

    assert sarif_errors(log) == []
    [result] = log["runs"][0]["results"]
    assert (result["ruleId"], result["level"]) == ("removed-stdlib-module", "error")
    assert result["properties"]["targets"] == ["python3.11", "python3.12"]
    assert result["properties"]["severity"] == "blocker"


def test_paths_are_uri_encoded(tmp_path: Path) -> None:
    files = {
        name.replace("src/", "my src/"): text
        for name, text in {
            "template.yaml": SHARED_LAYER["template.yaml"].replace(
                "CodeUri: src/", "CodeUri: my src/"
            ),
            "src/orders.py": "import asynchat\n\n\ndef handler(event, context):\n    return 1\n",
            "src/refunds.py": SHARED_LAYER["src/refunds.py"],
            "layers/helpers/python/helpers.py": "X = 1\n",
        }.items()
    }
    log = _log(write_files(tmp_path / "repo", files))

    uris = [
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in log["runs"][0]["results"]  # type: ignore[index]
    ]
    assert "my%20src/orders.py" in uris
    assert sarif_errors(log) == []


def test_paths_in_messages_are_repository_paths_as_the_locations_are(
    repository: Repository,
) -> None:
    root = repository(
        {
            "template.yaml": """
                Transform: AWS::Serverless-2016-10-31
                Resources:
                  OrdersFunction:
                    Type: AWS::Serverless::Function
                    Properties:
                      CodeUri: src/
                      Handler: pkg.app.handler
                      Runtime: python3.12
                """,
            "src/pkg/__init__.py": "",
            "src/pkg/app.py": "import json\n\n\ndef handle(event, context):\n    return 1\n",
        }
    )

    log = _log(root)

    results = log["runs"][0]["results"]  # type: ignore[index]
    texts = {
        result["ruleId"]: (
            result["message"]["text"],
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        )
        for result in results
    }
    assert texts["handler-missing"] == (
        "handler 'pkg.app.handler': module pkg.app (src/pkg/app.py) defines no 'handler' at "
        "module level, so every invocation fails with Runtime.HandlerNotFound (did you mean "
        "pkg/app.handle?). Fix: Define handler(event, context) in src/pkg/app.py, or set the "
        "handler to a function the module defines. Functions: OrdersFunction.",
        "src/pkg/app.py",
    )
    # The pointer names the same place, without a line the finding does not have.
    assert texts["iac-runtime-not-ready"][0].startswith(
        "python3.12 here is blocked by `pkg.app.handler` in src/pkg/app.py. Fix: "
    )
