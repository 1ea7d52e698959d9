"""Findings on templates: how old a runtime is on a given day, layers that do not fit, bumps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from analyzer.iac.findings import (
    deprecated_runtime_finding,
    layer_findings,
    runtime_not_ready_finding,
    runtime_status,
)
from analyzer.iac.model import LayerDefinition, Setting, TemplateFormat, TemplateFunction
from analyzer.models import Category, ComponentKind, Finding, Location, Reach, Severity
from tests.iac.conftest import functions_by_name, read_templates
from tests.iac.sample_repos import SHARED_LAYER

TODAY = dt.date(2026, 12, 4)


@pytest.mark.parametrize(
    ("runtime", "day", "expected"),
    [
        # python3.9: deprecated 2025-12-15, creation blocked 2027-02-01, updates 2027-03-03.
        ("python3.9", dt.date(2025, 12, 14), None),
        ("python3.9", dt.date(2025, 12, 15), ("deprecated", Severity.MEDIUM)),
        ("python3.9", dt.date(2027, 2, 1), ("creation blocked", Severity.HIGH)),
        ("python3.9", dt.date(2027, 3, 3), ("updates blocked", Severity.BLOCKER)),
        ("python3.11", TODAY, None),
        ("python3.7", TODAY, ("no longer supported", Severity.BLOCKER)),
        ("nodejs20.x", TODAY, None),
    ],
)
def test_runtime_status_follows_the_dates_of_the_catalogue(
    runtime: str, day: dt.date, expected: tuple[str, Severity] | None
) -> None:
    assert runtime_status(runtime, day) == expected


def test_a_deprecated_runtime_setting_is_a_finding_at_its_line() -> None:
    setting = Setting("python3.9", Location("template.yaml", 7, 14), "Globals.Function.Runtime")

    finding = deprecated_runtime_finding(setting, "template.yaml", ["A", "B"], "python3.12", TODAY)

    assert finding is not None
    assert (finding.rule_id, finding.location, finding.severity) == (
        "iac-deprecated-runtime",
        Location("template.yaml", 7, 14),
        Severity.MEDIUM,
    )
    assert finding.message == (
        "Globals.Function.Runtime sets python3.9: python3.9 is deprecated (since 2025-12-15); "
        "creating functions on it is blocked from 2027-02-01, updating them from 2027-03-03; "
        "used by A, B"
    )
    assert finding.fix.startswith("move Globals.Function.Runtime to python3.12")
    assert finding.symbol == "Globals.Function.Runtime"
    assert finding.component.kind is ComponentKind.TEMPLATE
    assert finding.category is Category.CONFIGURATION


def test_a_supported_runtime_setting_is_no_finding() -> None:
    setting = Setting("python3.12", Location("template.yaml", 7, 14), "Runtime")

    assert deprecated_runtime_finding(setting, "template.yaml", ["A"], "python3.12", TODAY) is None


def _layer(runtimes: list[str], build_method: str | None = None) -> LayerDefinition:
    return LayerDefinition(
        name="Libs",
        template="t.yaml",
        location=Location("t.yaml", 3),
        content=None,
        compatible_runtimes=tuple(
            Setting(name, Location("t.yaml", 10 + index, 11), "Libs.CompatibleRuntimes")
            for index, name in enumerate(runtimes)
        ),
        build_method=(
            Setting(build_method, Location("t.yaml", 20, 20), "Libs.Metadata.BuildMethod")
            if build_method
            else None
        ),
    )


def _function(runtime: str) -> TemplateFunction:
    return TemplateFunction(
        name="Fn",
        template="t.yaml",
        template_format=TemplateFormat.SAM,
        location=Location("t.yaml", 30),
        runtime=Setting(runtime, Location("t.yaml", 34, 16), "Fn.Properties.Runtime"),
        handler=None,
        architecture=None,
        code=None,
    )


def test_a_layer_for_deprecated_runtimes_only_and_not_for_the_function() -> None:
    findings = layer_findings(
        _layer(["python3.8", "python3.9"], "python3.9"),
        _function("python3.12"),
        "python3.12",
        TODAY,
    )

    assert [(f.rule_id, f.location.line, f.symbol, f.severity) for f in findings] == [
        ("iac-deprecated-runtime", 10, "Libs.CompatibleRuntimes", Severity.MEDIUM),
        ("iac-deprecated-runtime", 20, "Libs.Metadata.BuildMethod", Severity.MEDIUM),
        ("iac-layer-incompatible", 10, "Libs.CompatibleRuntimes", Severity.MEDIUM),
        ("iac-layer-incompatible", 20, "Libs.Metadata.BuildMethod", Severity.MEDIUM),
    ]
    assert findings[2].message == (
        "layer Libs does not list python3.12 among its compatible runtimes "
        "(python3.8, python3.9); functions using it run on python3.12 (t.yaml:34)"
    )


def test_a_layer_that_lists_the_function_runtime_is_fine() -> None:
    findings = layer_findings(
        _layer(["python3.9", "python3.12"], "python3.12"),
        _function("python3.12"),
        "python3.12",
        TODAY,
    )

    assert findings == []


def _code_finding(severity: Severity, line: int, symbol: str | None = "imp") -> Finding:
    return Finding(
        rule_id="removed-stdlib-module",
        category=Category.REMOVED_MODULE,
        message="imp was removed",
        location=Location("handlers/legacy.py", line, 8),
        fix="use importlib",
        symbol=symbol,
        reach=Reach.IMPORT,
        severity=severity,
    )


def test_a_bump_the_code_is_not_ready_for_points_at_the_runtime_line() -> None:
    function = _function("python3.12")
    code = [_code_finding(Severity.HIGH, 9), _code_finding(Severity.BLOCKER, 3)]

    finding = runtime_not_ready_finding(function, code)

    assert finding is not None
    assert (finding.rule_id, finding.location, finding.severity) == (
        "iac-runtime-not-ready",
        Location("t.yaml", 34, 16),
        Severity.BLOCKER,
    )
    assert finding.message == (
        "python3.12 here is blocked by `imp` in handlers/legacy.py:3 and 1 more"
    )


def test_no_bump_finding_when_nothing_breaks() -> None:
    assert (
        runtime_not_ready_finding(_function("python3.12"), [_code_finding(Severity.MEDIUM, 3)])
        is None
    )


def test_the_shared_case_layer_findings_come_from_a_real_template(tmp_path: Path) -> None:
    functions = functions_by_name(read_templates(tmp_path, SHARED_LAYER))
    orders = functions["OrdersFunction"]
    layer = orders.layers[0].definition
    assert layer is not None

    findings = layer_findings(layer, orders, "python3.12", TODAY)

    assert [(f.rule_id, f.location.path, f.location.line) for f in findings] == [
        ("iac-deprecated-runtime", "template.yaml", 8),
        ("iac-layer-incompatible", "template.yaml", 8),
    ]
