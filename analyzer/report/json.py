"""The JSON report: a versioned document (``analyzer/schema/report.schema.json``) and its reader.

The document is the contract later commands read back (``ci --baseline``, the fleet report),
so ``from_document`` is the exact inverse of ``to_document`` for everything the schema keeps.
It leaves out where the code lay on this machine (``Function.code_root`` and ``Layer.root``):
those folders are temporary or private, and reading a report back yields them as ``""``.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from collections.abc import Mapping, Sequence
from typing import Any

from analyzer import __version__
from analyzer.errors import InputError
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
    PythonVersion,
    Reach,
    Runtime,
    ScoreBreakdown,
    Severity,
    Verdict,
    format_version,
    parse_version,
)
from analyzer.report.interface import DEFAULT_OPTIONS, RenderOptions
from analyzer.runtimes import RUNTIMES

SCHEMA_VERSION = 1
"""Raised whenever a field is removed, renamed or changes meaning; adding one is allowed only
together with the schema file, which rejects unknown fields."""
TOOL_NAME = "lambda-analyzer"
SCHEMA_RESOURCE = "schema/report.schema.json"

JsonObject = dict[str, Any]


def render(reports: Sequence[FunctionReport], *, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    """``reports`` as an indented JSON document, ending with a newline."""
    document = to_document(
        reports,
        generated_at=options.generated_at,
        catalogue_version=options.catalogue_version,
    )
    # ASCII escapes: a path read from a Linux file system may hold lone surrogates (bytes that
    # are not UTF-8), which no UTF-8 file can take raw but a JSON \u escape carries intact.
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def to_document(
    reports: Sequence[FunctionReport],
    *,
    generated_at: str | None = None,
    catalogue_version: str | None = None,
) -> JsonObject:
    """The JSON document of ``reports``: one entry per function and target, in the given order."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "catalogue_version": catalogue_version,
        "generated_at": generated_at,
        "reports": [_report_entry(report) for report in reports],
    }


def load_schema() -> JsonObject:
    """The JSON Schema (draft 2020-12) that every document ``to_document`` makes follows."""
    return dict(_schema())


@functools.cache
def _schema() -> Mapping[str, Any]:
    text = importlib.resources.files("analyzer").joinpath(SCHEMA_RESOURCE).read_text("utf-8")
    schema: Mapping[str, Any] = json.loads(text)
    return schema


def from_text(text: str) -> list[FunctionReport]:
    """The reports of a JSON report read from a file; ``InputError`` when it is not one."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"report is not valid JSON: {error}") from None
    return from_document(document)


def from_document(document: object) -> list[FunctionReport]:
    """The reports held by a JSON report document: the inverse of ``to_document``.

    The document is checked against the schema first, so a file written by hand or by
    another version of the tool fails with one ``InputError`` line instead of a traceback.
    """
    _check(document)
    assert isinstance(document, dict)  # NOTE: the schema requires an object at the top
    return [_read_report(entry) for entry in document["reports"]]


def _check(document: object) -> None:
    import jsonschema  # NOTE: imported here; only reading reports back needs it

    if isinstance(document, dict):
        version = document.get("schema_version")
        if isinstance(version, int) and version != SCHEMA_VERSION:
            raise InputError(
                f"report schema version {version} is not supported "
                f"(this tool reads version {SCHEMA_VERSION})"
            )
    validator = jsonschema.Draft202012Validator(_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "document"
        raise InputError(f"not a lambda-analyzer report: {where}: {error.message}")


def _version(version: PythonVersion | None) -> str | None:
    return format_version(version) if version is not None else None


def _read_version(text: str | None) -> PythonVersion | None:
    return parse_version(text) if text is not None else None


def _report_entry(report: FunctionReport) -> JsonObject:
    return {
        "function": _function_entry(report.function),
        "target": _target_entry(report.target),
        "score": report.score,
        "verdict": report.verdict.value,
        "breakdown": {
            "base": report.breakdown.base,
            "deductions": dict(report.breakdown.deductions),
            "counts": dict(report.breakdown.counts),
        },
        "findings": [_finding_entry(finding) for finding in report.findings],
        "dependencies": [_dependency_entry(row) for row in report.dependencies],
        "errors": [
            {"stage": error.stage, "message": error.message, "path": error.path}
            for error in report.errors
        ],
        "components": [_component_entry(component) for component in report.components],
        "files_analysed": report.files_analysed,
        "timings": dict(report.timings),
    }


def _read_report(entry: JsonObject) -> FunctionReport:
    breakdown = entry["breakdown"]
    return FunctionReport(
        function=_read_function(entry["function"]),
        target=_read_target(entry["target"]),
        score=entry["score"],
        verdict=Verdict(entry["verdict"]),
        breakdown=ScoreBreakdown(
            base=breakdown["base"],
            deductions=dict(breakdown["deductions"]),
            counts=dict(breakdown["counts"]),
        ),
        findings=tuple(_read_finding(finding) for finding in entry["findings"]),
        dependencies=tuple(_read_dependency(row) for row in entry["dependencies"]),
        errors=tuple(
            AnalysisError(stage=error["stage"], message=error["message"], path=error["path"])
            for error in entry["errors"]
        ),
        components=tuple(_read_component(component) for component in entry["components"]),
        files_analysed=entry["files_analysed"],
        timings={stage: float(seconds) for stage, seconds in entry["timings"].items()},
    )


def _function_entry(function: Function) -> JsonObject:
    return {
        "name": function.name,
        "arn": function.arn,
        "source_runtime": function.source_runtime,
        "architecture": function.architecture,
        "handler": function.handler,
        "package_type": function.package_type,
        "code_sha256": function.code_sha256,
        "layers": [
            {"name": layer.name, "arn": layer.arn, "code_sha256": layer.code_sha256}
            for layer in function.layers
        ],
        "overrides": list(function.overrides),
    }


def _read_function(entry: JsonObject) -> Function:
    return Function(
        name=entry["name"],
        code_root="",
        source_runtime=entry["source_runtime"],
        handler=entry["handler"],
        architecture=entry["architecture"],
        arn=entry["arn"],
        layers=tuple(
            Layer(name=layer["name"], root="", arn=layer["arn"], code_sha256=layer["code_sha256"])
            for layer in entry["layers"]
        ),
        code_sha256=entry["code_sha256"],
        package_type=entry["package_type"],
        overrides=tuple(entry["overrides"]),
    )


def _target_entry(runtime: Runtime) -> JsonObject:
    return {
        "name": runtime.name,
        "python": format_version(runtime.python),
        "operating_system": runtime.operating_system,
        "glibc": format_version(runtime.glibc),
        "deprecation": runtime.deprecation,
        "block_create": runtime.block_create,
        "block_update": runtime.block_update,
    }


def _read_target(entry: JsonObject) -> Runtime:
    # The document keeps what a reader of the report needs; the rest of the runtime's
    # description comes from the catalogue when it knows the runtime.
    known = RUNTIMES.get(entry["name"])
    return Runtime(
        name=entry["name"],
        python=parse_version(entry["python"]),
        operating_system=entry["operating_system"],
        glibc=parse_version(entry["glibc"]),
        architectures=known.architectures if known else (),
        layer_paths=known.layer_paths if known else (),
        deprecation=entry["deprecation"],
        block_create=entry["block_create"],
        block_update=entry["block_update"],
        source=known.source if known else "report document",
    )


def _component_entry(component: Component) -> JsonObject:
    return {"kind": component.kind.value, "name": component.name, "version": component.version}


def _read_component(entry: JsonObject) -> Component:
    return Component(ComponentKind(entry["kind"]), entry["name"], entry["version"])


def _finding_entry(finding: Finding) -> JsonObject:
    # Flat path/line keys and string versions: the corpus scorer reads findings in this shape.
    return {
        "rule_id": finding.rule_id,
        "category": finding.category.value,
        "severity": finding.severity.value if finding.severity is not None else None,
        "message": finding.message,
        "path": finding.location.path,
        "line": finding.location.line,
        "column": finding.location.column,
        "end_line": finding.location.end_line,
        "component": _component_entry(finding.component),
        "symbol": finding.symbol,
        "breaks_in": _version(finding.breaks_in),
        "requires": _version(finding.requires),
        "deprecated_in": _version(finding.deprecated_in),
        "broken_on": list(finding.broken_on) if finding.broken_on is not None else None,
        "reach": finding.reach.value,
        "import_chain": list(finding.import_chain),
        "fix": finding.fix,
        "mechanical": finding.mechanical,
        "optional": finding.optional,
        "documentation": finding.documentation,
    }


def _read_finding(entry: JsonObject) -> Finding:
    broken_on = entry["broken_on"]
    severity = entry["severity"]
    return Finding(
        rule_id=entry["rule_id"],
        category=Category(entry["category"]),
        message=entry["message"],
        location=Location(
            path=entry["path"],
            line=entry["line"],
            column=entry["column"],
            end_line=entry["end_line"],
        ),
        fix=entry["fix"],
        component=_read_component(entry["component"]),
        symbol=entry["symbol"],
        breaks_in=_read_version(entry["breaks_in"]),
        requires=_read_version(entry["requires"]),
        deprecated_in=_read_version(entry["deprecated_in"]),
        broken_on=tuple(broken_on) if broken_on is not None else None,
        reach=Reach(entry["reach"]),
        import_chain=tuple(entry["import_chain"]),
        mechanical=entry["mechanical"],
        optional=entry["optional"],
        documentation=entry["documentation"],
        severity=Severity(severity) if severity is not None else None,
    )


def _dependency_entry(row: DependencyRow) -> JsonObject:
    return {
        "name": row.name,
        "version": row.version,
        "source": {
            "path": row.source.path,
            "line": row.source.line,
            "column": row.source.column,
            "end_line": row.source.end_line,
        },
        "status": row.status,
        "detail": row.detail,
        "fitting_version": row.fitting_version,
    }


def _read_dependency(entry: JsonObject) -> DependencyRow:
    source = entry["source"]
    return DependencyRow(
        name=entry["name"],
        version=entry["version"],
        source=Location(
            path=source["path"],
            line=source["line"],
            column=source["column"],
            end_line=source["end_line"],
        ),
        status=entry["status"],
        detail=entry["detail"],
        fitting_version=entry["fitting_version"],
    )
