"""``ci`` on sample repositories: targets from templates, findings with repository paths."""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer.ci import plan_runtimes
from analyzer.errors import InputError
from analyzer.models import Severity, Verdict
from tests.ci.conftest import run
from tests.iac.sample_repos import (
    CLEAN_HANDLER,
    CLOUDFORMATION_JSON,
    IMP_HANDLER,
    SAM_WITH_GLOBALS,
    SERVERLESS,
    SHARED_LAYER,
    TERRAFORM_WITH_MODULE,
    Files,
)

Repository = Callable[[Files], Path]
CASE = "sam-template-python39-pins"


@pytest.mark.parametrize("target", ["python3.11", "python3.12", "python3.13"])
def test_the_sam_case_gives_its_three_deprecated_runtime_findings(
    shared: Path, target: str
) -> None:
    result = run(shared / "cases" / CASE, target=target)

    [function] = result.functions
    assert function.report.verdict is Verdict.NEEDS_WORK
    assert [
        (finding.rule_id, finding.location.path, finding.location.line, finding.severity)
        for finding in function.report.findings
    ] == [
        ("iac-deprecated-runtime", "iac/template.yaml", 7, Severity.MEDIUM),
        ("iac-deprecated-runtime", "iac/template.yaml", 19, Severity.MEDIUM),
        ("iac-deprecated-runtime", "iac/template.yaml", 21, Severity.MEDIUM),
    ]
    assert [finding.symbol for finding in function.report.findings] == [
        "Globals.Function.Runtime",
        "SharedLibs.CompatibleRuntimes",
        "SharedLibs.Metadata.BuildMethod",
    ]
    assert result.exit_code == 0


@pytest.mark.parametrize(
    ("template_runtime", "target", "source", "expected"),
    [
        ("python3.12", None, None, ("python3.12", "python3.9", "template")),
        ("python3.9", None, None, ("python3.11", "python3.9", "default")),
        ("python3.8", None, None, ("python3.11", "python3.8", "default")),
        ("python3.10", None, None, ("python3.10", "python3.9", "template")),
        (None, None, None, ("python3.11", "python3.9", "default")),
        ("python3.12", "python3.13", None, ("python3.13", "python3.12", "option")),
        ("python3.12", None, "python3.11", ("python3.12", "python3.11", "template")),
    ],
)
def test_the_target_is_the_template_runtime_unless_older_or_overridden(
    template_runtime: str | None,
    target: str | None,
    source: str | None,
    expected: tuple[str, str, str],
) -> None:
    target_runtime, source_runtime, origin = plan_runtimes(template_runtime, target, source)

    assert (target_runtime.name, source_runtime.name, origin) == expected


def test_sam_globals_repository(repository: Repository) -> None:
    result = run(repository(SAM_WITH_GLOBALS))

    functions = {function.definition.name: function for function in result.functions}
    # The Node.js function is not analysed at all.
    assert list(functions) == ["OrdersFunction", "BillingFunction"]
    orders, billing = functions["OrdersFunction"].report, functions["BillingFunction"].report
    assert (orders.target.name, orders.function.source_runtime) == ("python3.11", "python3.9")
    assert (orders.function.handler, orders.function.architecture) == ("app.handler", "arm64")
    assert [(f.rule_id, str(f.location)) for f in orders.findings] == [
        ("iac-deprecated-runtime", "template.yaml:9:14")
    ]
    assert (billing.target.name, billing.verdict, billing.findings) == (
        "python3.12",
        Verdict.READY,
        (),
    )
    assert billing.function.handler == "billing/main.lambda_handler"
    assert [error.message for error in billing.errors] == [
        "layer arn:aws:lambda:us-east-1:123456789012:layer:powertools:3 is not defined in the "
        "repository; its content is not analysed"
    ]


def test_cloudformation_json_repository(repository: Repository) -> None:
    result = run(repository(CLOUDFORMATION_JSON))

    report, archive = (function.report for function in result.functions)
    assert [(f.rule_id, str(f.location), f.severity) for f in report.findings] == [
        ("iac-layer-incompatible", "stack/template.json:8:32", Severity.MEDIUM)
    ]
    assert report.files_analysed == 2  # the function's file and the layer's
    assert (archive.target.name, archive.files_analysed) == ("python3.11", 0)
    assert [error.message for error in archive.errors] == [
        "ArchiveFunction.Properties.Code is in S3 or a registry; the code is not in the repository"
    ]


def test_serverless_functions_share_the_service_folder_less_its_excluded_files(
    repository: Repository,
) -> None:
    result = run(repository(SERVERLESS))

    legacy = next(f.report for f in result.functions if f.definition.name == "legacy")
    assert legacy.target.name == "python3.11"
    assert [(f.rule_id, str(f.location), f.severity) for f in legacy.findings] == [
        ("removed-stdlib-module", "service/handlers/legacy.py:1:8", Severity.MEDIUM),
        ("removed-stdlib-api", "service/handlers/legacy.py:5:12", Severity.MEDIUM),
    ]
    # tests/** is left out of the package by its patterns, so asynchat there is not reported.
    paths = {finding.finding.location.path for finding in result.findings}
    assert paths == {"service/handlers/legacy.py", "service/serverless.yml"}


def test_terraform_repository(repository: Repository) -> None:
    result = run(repository(TERRAFORM_WITH_MODULE))

    api, worker = (function.report for function in result.functions)
    assert (api.function.name, api.target.name, api.function.architecture) == (
        "aws_lambda_function.api",
        "python3.11",
        "arm64",
    )
    assert [(f.rule_id, str(f.location)) for f in api.findings] == [
        ("iac-deprecated-runtime", "infra/main.tf:3:13"),
        ("iac-deprecated-runtime", "infra/main.tf:22:5"),
    ]
    assert [layer.name for layer in api.function.layers] == ["aws_lambda_layer_version.deps"]
    assert (worker.function.name, worker.target.name, worker.verdict) == (
        "module.worker.aws_lambda_function.this",
        "python3.12",
        Verdict.READY,
    )


def test_two_functions_sharing_code_and_a_layer_are_analysed_once(
    repository: Repository, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="analyzer.ci"):
        result = run(repository(SHARED_LAYER))

    analysed = [record for record in caplog.records if record.getMessage().startswith("analysing")]
    assert len(analysed) == 1
    orders, refunds = (function.report for function in result.functions)
    # The layer's ``imp`` is imported by orders.py at module level, and by nothing refunds.py
    # imports: the same files, judged by each handler's reach.
    assert [(f.rule_id, f.location.path, f.location.line, f.severity) for f in orders.findings] == [
        ("removed-stdlib-module", "layers/helpers/python/helpers.py", 1, Severity.BLOCKER),
        ("removed-stdlib-api", "layers/helpers/python/helpers.py", 3, Severity.BLOCKER),
        ("iac-runtime-not-ready", "template.yaml", 14, Severity.BLOCKER),
        ("iac-deprecated-runtime", "template.yaml", 8, Severity.MEDIUM),
        ("iac-layer-incompatible", "template.yaml", 8, Severity.MEDIUM),
    ]
    assert orders.findings[2].message == (
        "python3.12 here is blocked by `imp` in layers/helpers/python/helpers.py:1 and 1 more"
    )
    assert (orders.verdict, refunds.verdict) == (Verdict.BLOCKED, Verdict.NEEDS_WORK)
    assert {f.rule_id: f.severity for f in refunds.findings} == {
        "iac-deprecated-runtime": Severity.MEDIUM,
        "iac-layer-incompatible": Severity.MEDIUM,
        "removed-stdlib-module": Severity.INFO,
        "removed-stdlib-api": Severity.INFO,
    }


def test_distinct_findings_merge_the_functions_that_share_them(repository: Repository) -> None:
    result = run(repository(SHARED_LAYER))

    assert [
        (f.finding.rule_id, f.finding.location.line, f.functions, f.failing)
        for f in result.findings
    ] == [
        ("removed-stdlib-module", 1, ("OrdersFunction", "RefundsFunction"), True),
        ("removed-stdlib-api", 3, ("OrdersFunction", "RefundsFunction"), True),
        ("iac-deprecated-runtime", 8, ("OrdersFunction", "RefundsFunction"), False),
        ("iac-layer-incompatible", 8, ("OrdersFunction", "RefundsFunction"), False),
        ("iac-runtime-not-ready", 14, ("OrdersFunction",), True),
    ]
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("fail_on", "exit_code"),
    [(Severity.BLOCKER, 1), (Severity.HIGH, 1), (Severity.MEDIUM, 1), (None, 0)],
)
def test_the_exit_code_follows_fail_on(
    repository: Repository, fail_on: Severity | None, exit_code: int
) -> None:
    root = repository(SHARED_LAYER)

    assert run(root, fail_on=fail_on).exit_code == exit_code


def test_medium_findings_fail_only_at_fail_on_medium(repository: Repository) -> None:
    root = repository(TERRAFORM_WITH_MODULE)

    assert run(root, fail_on=Severity.HIGH).exit_code == 0
    failing = run(root, fail_on=Severity.MEDIUM).failing
    assert [(f.finding.rule_id, f.finding.location.line) for f in failing] == [
        ("iac-deprecated-runtime", 3),
        ("iac-deprecated-runtime", 22),
    ]


def test_code_in_a_zip_is_reported_inside_the_zip(repository: Repository) -> None:
    root = repository(
        {
            "main.tf": """
                resource "aws_lambda_function" "a" {
                  runtime  = "python3.12"
                  handler  = "app.handler"
                  filename = "build/a.zip"
                }
                """,
        }
    )
    (root / "build").mkdir()
    with zipfile.ZipFile(root / "build" / "a.zip", "w") as archive:
        archive.writestr("app.py", "import imp\n\n\ndef handler(event, context):\n    return 1\n")

    [function] = run(root).functions

    assert [(f.rule_id, str(f.location)) for f in function.report.findings] == [
        ("removed-stdlib-module", "build/a.zip!/app.py:1:8"),
        ("iac-runtime-not-ready", "main.tf:2:14"),
    ]


def test_a_repository_without_python_functions_is_a_user_error(repository: Repository) -> None:
    root = repository({"index.js": CLEAN_HANDLER})

    with pytest.raises(InputError, match="no Python Lambda function found"):
        run(root)


def test_an_unknown_target_is_a_user_error(repository: Repository) -> None:
    root = repository({"template.yaml": _sam("python3.12"), "src/app.py": IMP_HANDLER})

    with pytest.raises(InputError, match=r"python3\.9 is not a target"):
        run(root, target="python3.9")


def _sam(runtime: str) -> str:
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


def test_sharing_the_analysis_gives_each_handler_what_its_own_analysis_gives(
    repository: Repository,
) -> None:
    from analyzer.models import Function, Layer
    from analyzer.pipeline import AnalysisOptions, analyse_function
    from analyzer.runtimes import get_runtime

    root = repository(SHARED_LAYER)
    result = run(root)

    for function in result.functions:
        alone = Function(
            name=function.definition.name,
            code_root=str(root / "src"),
            source_runtime="python3.9",
            handler=function.report.function.handler,
            layers=(Layer("HelpersLayer", str(root / "layers" / "helpers")),),
        )
        [report] = analyse_function(
            alone, [get_runtime("python3.12")], AnalysisOptions(check_dependencies=False)
        )
        expected = {
            (
                f.rule_id,
                f.location.path.replace("layers/HelpersLayer/", "layers/helpers/"),
                f.location.line,
                f.severity,
                f.reach,
            )
            for f in report.findings
        }
        shared = {
            (f.rule_id, f.location.path, f.location.line, f.severity, f.reach)
            for f in function.report.findings
            if not f.rule_id.startswith("iac-")
        }
        assert shared == expected, function.definition.name
        assert expected  # both handlers see the layer's findings, at their own severity
