"""Small reports, built from the data model, that the renderer tests draw."""

from __future__ import annotations

from typing import Any

from analyzer.models import (
    AnalysisError,
    Category,
    Component,
    ComponentKind,
    DependencyRow,
    Finding,
    Function,
    FunctionReport,
    Layer,
    Location,
    Reach,
    ScoreBreakdown,
    Severity,
    Verdict,
)
from analyzer.runtimes import get_runtime

ORDERS_ARN = "arn:aws:lambda:us-east-1:123456789012:function:orders-api"
HELPERS_ARN = "arn:aws:lambda:us-east-1:123456789012:layer:helpers:3"
ATTRDICT = Component(ComponentKind.VENDORED, "attrdict", "2.0.1")


def build_function(**changes: Any) -> Function:
    """The ``orders-api`` function on python3.9, with ``changes`` applied."""
    fields: dict[str, Any] = {
        "name": "orders-api",
        "code_root": "/tmp/orders-api",
        "source_runtime": "python3.9",
        "handler": "app.handler",
        "arn": ORDERS_ARN,
    }
    fields.update(changes)
    return Function(**fields)


def imp_blocker(**changes: Any) -> Finding:
    """``import imp`` at module level of the handler's module: a cold-start failure on 3.12."""
    fields: dict[str, Any] = {
        "rule_id": "removed-stdlib-module",
        "category": Category.REMOVED_MODULE,
        "message": "imp was removed in Python 3.12",
        "location": Location("app.py", 3, 0),
        "fix": "replace imp with importlib",
        "symbol": "imp",
        "breaks_in": (3, 12),
        "reach": Reach.IMPORT,
        "import_chain": ("app",),
        "severity": Severity.BLOCKER,
    }
    fields.update(changes)
    return Finding(**fields)


def utcnow_low(**changes: Any) -> Finding:
    """``datetime.utcnow()`` inside a function: deprecated in 3.12, still works."""
    fields: dict[str, Any] = {
        "rule_id": "deprecated-api",
        "category": Category.DEPRECATED,
        "message": "datetime.datetime.utcnow() is deprecated since Python 3.12",
        "location": Location("util.py", 14, 8),
        "fix": "use datetime.datetime.now(datetime.UTC)",
        "symbol": "datetime.datetime.utcnow",
        "deprecated_in": (3, 12),
        "reach": Reach.CALL,
        "severity": Severity.LOW,
    }
    fields.update(changes)
    return Finding(**fields)


def mapping_alias(path: str, line: int, **changes: Any) -> Finding:
    """``collections.Mapping`` in vendored attrdict 2.0.1, reached at import."""
    module = path.removesuffix(".py").replace("/", ".")
    fields: dict[str, Any] = {
        "rule_id": "removed-stdlib-api",
        "category": Category.REMOVED_NAME,
        "message": "collections.Mapping was removed in Python 3.10",
        "location": Location(path, line, 0),
        "fix": "upgrade attrdict, or import Mapping from collections.abc",
        "component": ATTRDICT,
        "symbol": "collections.Mapping",
        "breaks_in": (3, 10),
        "deprecated_in": (3, 3),
        "reach": Reach.IMPORT,
        "import_chain": ("app", "attrdict", module),
        "mechanical": True,
        "severity": Severity.BLOCKER,
    }
    fields.update(changes)
    return Finding(**fields)


def build_report(
    findings: tuple[Finding, ...] = (),
    *,
    target: str = "python3.12",
    **changes: Any,
) -> FunctionReport:
    """A report of ``orders-api`` for ``target``, scored from its findings' severities."""
    counts: dict[str, int] = {}
    for finding in findings:
        if finding.severity is not None:
            counts[finding.severity.value] = counts.get(finding.severity.value, 0) + 1
    points = {"blocker": 25, "high": 10, "medium": 5, "low": 2, "info": 0}
    deductions = {severity: points[severity] * count for severity, count in counts.items()}
    score = max(0, 100 - sum(deductions.values()))
    if "blocker" in counts:
        verdict = Verdict.BLOCKED
    elif findings:
        verdict = Verdict.NEEDS_WORK
    else:
        verdict = Verdict.READY
    fields: dict[str, Any] = {
        "function": build_function(),
        "target": get_runtime(target),
        "score": score,
        "verdict": verdict,
        "breakdown": ScoreBreakdown(100, deductions, counts),
        "findings": findings,
        "files_analysed": 3,
    }
    fields.update(changes)
    return FunctionReport(**fields)


def full_report() -> FunctionReport:
    """A report with every field of the model filled in, for the JSON contract."""
    return build_report(
        (
            imp_blocker(documentation="https://docs.python.org/3/whatsnew/3.12.html#imp"),
            utcnow_low(location=Location("util.py", 14, 8, end_line=15)),
            Finding(
                rule_id="native-glibc-too-new",
                category=Category.NATIVE,
                message="_speedups.so needs GLIBC_2.28; Amazon Linux 2 has 2.26",
                location=Location("layers/helpers/python/fast/_speedups.so"),
                fix="rebuild the layer for manylinux2014",
                component=Component(ComponentKind.LAYER, "helpers"),
                broken_on=("python3.10", "python3.11"),
                reach=Reach.PACKAGE,
                optional=True,
                severity=Severity.INFO,
            ),
        ),
        function=build_function(
            layers=(Layer("helpers", "/tmp/layers/helpers", HELPERS_ARN, "c2hhMjU2"),),
            code_sha256="b3JkZXJzLWFwaQ==",
            overrides=("handler", "architecture"),
            architecture="arm64",
        ),
        dependencies=(
            DependencyRow(
                "numpy",
                "1.21.0",
                Location("requirements.txt", 2),
                "sdist-only",
                "no cp312 wheel for manylinux aarch64",
                "1.26.0",
            ),
            DependencyRow("attrdict", "2.0.1", Location("attrdict-2.0.1.dist-info"), "vendored"),
        ),
        errors=(AnalysisError("rules", "not UTF-8", "legacy/latin.py"), AnalysisError("deps", "x")),
        components=(Component(ComponentKind.FUNCTION, "function"), ATTRDICT),
        timings={"bundle": 0.012, "rules": 0.25},
    )
