"""SARIF 2.1.0 for code-scanning services: one rule per finding kind, one result per finding.

The schema the output is checked against in the tests is ``analyzer/schema/sarif-2.1.0.json``,
an unmodified copy of ``sarif-2.1/schema/sarif-schema-2.1.0.json`` from the OASIS SARIF TC's
repository (github.com/oasis-tcs/sarif-spec, commit a560296), the errata01 schema published
at ``SCHEMA_URI``; OASIS publishes it under its IPR policy (RF on RAND terms), freely
available for all to use.

A finding that several functions share (a Globals runtime, a module in a shared code
folder) or that several targets report is one result, at its worst severity, listing the
functions and targets. Each result carries a fingerprint that does not depend on its line
(``finding_keys``), so a result keeps its identity when code above it moves.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from analyzer import __version__
from analyzer.models import Finding, FunctionReport, Severity
from analyzer.report.interface import DEFAULT_OPTIONS, RenderOptions
from analyzer.runtimes import LAYER_PATH_SOURCE, RUNTIMES_SOURCE

SARIF_VERSION = "2.1.0"
SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SCHEMA_RESOURCE = "schema/sarif-2.1.0.json"
TOOL_NAME = "lambda-analyzer"
TOOL_URI = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"
FINGERPRINT_NAME = "lambdaAnalyzerFinding/v1"
SOURCE_ROOT = "%SRCROOT%"
"""The base every result's path is relative to: the analysed folder or repository."""

JsonObject = dict[str, Any]

_LEVELS: dict[Severity, str] = {
    Severity.BLOCKER: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "warning",
    Severity.INFO: "note",
}

_WHATS_NEW = "https://docs.python.org/3/whatsnew/index.html"
_TAGS = "https://packaging.python.org/en/latest/specifications/platform-compatibility-tags/"


@dataclass(frozen=True)
class RuleHelp:
    """What a code-scanning service shows for a rule: a title, a paragraph and a link."""

    name: str
    short: str
    help: str
    uri: str | None


# One row per finding kind. The help says what the kind means and what to do, in general;
# each result's own message and fix say it for the one finding.
RULES: dict[str, RuleHelp] = {
    "behaviour-change": RuleHelp(
        "BehaviourChange",
        "Relies on standard-library behaviour that changes in a newer Python",
        "The call still exists on the newer runtime but behaves differently (it may raise "
        "where it used to work). Adapt the call as the release notes describe.",
        _WHATS_NEW,
    ),
    "dependency-conflict": RuleHelp(
        "DependencyConflict",
        "The pinned dependencies cannot be installed together for the target runtime",
        "No set of distributions satisfies every pin for the target's interpreter, platform "
        "and architecture. Relax or move the pins named in the message.",
        "https://pip.pypa.io/en/stable/topics/dependency-resolution/",
    ),
    "dependency-no-wheel": RuleHelp(
        "DependencyNoWheel",
        "A pinned dependency has no wheel for the target runtime",
        "The package index has no built distribution of the pinned version for the target's "
        "Python version, platform and architecture, so the deployment package cannot be "
        "built for it. Move to the lowest version that has one (named in the message).",
        _TAGS,
    ),
    "dependency-sdist-only": RuleHelp(
        "DependencySdistOnly",
        "A pinned dependency is published only as a source distribution",
        "Building it needs a compiler and headers matching the Lambda runtime; a wheel-only "
        "build fails. Pin a version that ships wheels, or build in a Lambda-like image.",
        _TAGS,
    ),
    "deprecated-api": RuleHelp(
        "DeprecatedApi",
        "Uses a deprecated standard-library API",
        "The API still works on the target but warns, and a later Python removes it. Move to "
        "the replacement named in the message.",
        _WHATS_NEW,
    ),
    "handler-missing": RuleHelp(
        "HandlerMissing",
        "The configured handler does not exist in the code",
        "Lambda imports the handler's module and looks the function up in it at cold start; "
        "when either is missing every invocation fails. Fix the handler setting or the code.",
        "https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html",
    ),
    "iac-deprecated-runtime": RuleHelp(
        "IacDeprecatedRuntime",
        "A template sets a Lambda runtime that is deprecated or past a block date",
        "After deprecation a runtime gets no security patches; after the block dates, "
        "functions on it can no longer be created, then no longer updated, so deployments "
        "fail. Move the setting to a supported runtime once the code is ready for it.",
        RUNTIMES_SOURCE,
    ),
    "iac-layer-incompatible": RuleHelp(
        "IacLayerIncompatible",
        "A function uses a layer built or declared for another runtime",
        "The layer's compatible runtimes (or the interpreter it is built with) do not "
        "include the function's runtime, so packages with compiled code in it may not "
        "import there. Rebuild the layer for the runtime and declare it.",
        "https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html",
    ),
    "iac-runtime-not-ready": RuleHelp(
        "IacRuntimeNotReady",
        "A template moves a function to a runtime its code is not ready for",
        "The runtime set here is newer than the code supports: the findings the message "
        "names break the function on it. Fix them before deploying, or keep the runtime.",
        RUNTIMES_SOURCE,
    ),
    "layer-path-version": RuleHelp(
        "LayerPathVersion",
        "A layer installs packages under a Python-version-specific path",
        "Lambda puts python/lib/pythonX.Y/site-packages on sys.path only for runtime X.Y; "
        "after the move the packages are not found. Install them under python/ instead.",
        LAYER_PATH_SOURCE,
    ),
    "native-abi-mismatch": RuleHelp(
        "NativeAbiMismatch",
        "A compiled extension built for another Python version",
        "The interpreter only loads extension modules whose ABI tag it accepts, so the "
        "import fails on the target. Reinstall the distribution from a wheel for the target.",
        _TAGS,
    ),
    "native-arch-mismatch": RuleHelp(
        "NativeArchMismatch",
        "A compiled extension for another CPU architecture",
        "The shared object cannot be loaded by a process of the function's architecture. "
        "Build or install it for the architecture the function runs on.",
        "https://docs.aws.amazon.com/lambda/latest/dg/foundation-arch.html",
    ),
    "native-glibc-too-new": RuleHelp(
        "NativeGlibcTooNew",
        "A compiled extension needs a newer glibc than the runtime's operating system",
        "The binary references glibc symbol versions the runtime's Amazon Linux does not "
        "have, so loading it fails. Use a wheel built for an older manylinux tag.",
        RUNTIMES_SOURCE,
    ),
    "native-not-loadable": RuleHelp(
        "NativeNotLoadable",
        "A binary that cannot load on Lambda at all",
        "Lambda runs Linux; a Mach-O or PE file (a package installed on macOS or Windows) "
        "cannot be loaded. Build the deployment package on Linux or from Linux wheels.",
        "https://docs.aws.amazon.com/lambda/latest/dg/python-package.html",
    ),
    "needs-newer-stdlib": RuleHelp(
        "NeedsNewerStdlib",
        "Uses a standard-library feature that the runtime's Python does not have",
        "The code needs a newer Python than the runtime provides. Keep the feature behind a "
        "version check, or move to a runtime that has it.",
        _WHATS_NEW,
    ),
    "needs-newer-syntax": RuleHelp(
        "NeedsNewerSyntax",
        "Uses syntax that the runtime's Python does not parse",
        "The module fails to compile on the runtime, so importing it fails. Rewrite the "
        "construct, or move to a runtime that parses it.",
        _WHATS_NEW,
    ),
    "parse-error": RuleHelp(
        "ParseError",
        "A source file that does not parse",
        "The file could not be read as Python, so it could not be checked; if the handler "
        "imports it, the import fails. Fix or remove the file.",
        None,
    ),
    "pyc-magic-mismatch": RuleHelp(
        "PycMagicMismatch",
        "Bytecode compiled for another Python version, without its source",
        "A .pyc whose magic number belongs to another Python cannot be imported, and with no "
        ".py beside it nothing else can be. Ship the source instead of the bytecode.",
        "https://peps.python.org/pep-3147/",
    ),
    "record-missing-file": RuleHelp(
        "RecordMissingFile",
        "A vendored distribution lists a file that is not in the package",
        "The distribution's RECORD names a file the deployment package lacks, so it was "
        "installed partly or trimmed. Reinstall it into the package.",
        "https://packaging.python.org/en/latest/specifications/recording-installed-packages/",
    ),
    "removed-parameter": RuleHelp(
        "RemovedParameter",
        "Passes a parameter that a newer Python no longer accepts",
        "The call raises TypeError on the target. Drop the argument or use the replacement "
        "named in the message.",
        _WHATS_NEW,
    ),
    "removed-stdlib-api": RuleHelp(
        "RemovedStdlibApi",
        "Uses a standard-library name that a newer Python removes",
        "The attribute or function is gone on the target, so the code raises "
        "AttributeError or ImportError. Use the replacement named in the message.",
        _WHATS_NEW,
    ),
    "removed-stdlib-module": RuleHelp(
        "RemovedStdlibModule",
        "Imports a standard-library module that a newer Python removes",
        "The import raises ModuleNotFoundError on the target. Move to the successor module "
        "or a maintained package named in the message.",
        "https://peps.python.org/pep-0594/",
    ),
    "requirement-invalid": RuleHelp(
        "RequirementInvalid",
        "A requirement that cannot be read",
        "The line is not a valid requirement, so neither pip nor this check can use it. "
        "Fix its syntax.",
        "https://pip.pypa.io/en/stable/reference/requirements-file-format/",
    ),
    "vulnerability": RuleHelp(
        "Vulnerability",
        "A pinned dependency with a known vulnerability",
        "An advisory lists the pinned version as affected. Move to a fixed version.",
        "https://osv.dev/",
    ),
}


def rule_help(rule_id: str) -> RuleHelp:
    """The help of ``rule_id``; a kind without a row gets a plain one from its name."""
    known = RULES.get(rule_id)
    if known is not None:
        return known
    name = "".join(part.capitalize() for part in rule_id.split("-"))
    return RuleHelp(name, rule_id.replace("-", " ").capitalize(), rule_id, None)


# ------------------------------------------------------------------------------ fingerprints

FindingKey = tuple[str, str, str, str]


def finding_key(finding: Finding) -> FindingKey:
    """What identifies a finding without its line: rule, path, symbol and component."""
    return (
        finding.rule_id,
        finding.location.path,
        finding.symbol or "",
        finding.component.key,
    )


def finding_fingerprints(findings: Sequence[Finding]) -> list[str]:
    """A fingerprint per finding, stable across runs and independent of line numbers.

    It hashes ``finding_key`` with the finding's rank among the findings of the same key
    ordered by position: the second ``imp`` import in a file stays the second when lines
    are added above both, and two identical findings still get different fingerprints.
    """
    order = sorted(
        range(len(findings)),
        key=lambda index: (
            finding_key(findings[index]),
            findings[index].location.line or 0,
            findings[index].location.column or 0,
        ),
    )
    fingerprints = [""] * len(findings)
    previous: FindingKey | None = None
    occurrence = 0
    for index in order:
        key = finding_key(findings[index])
        occurrence = occurrence + 1 if key == previous else 0
        previous = key
        text = "\x1f".join((*key, str(occurrence)))
        fingerprints[index] = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[
            :32
        ]
    return fingerprints


# ------------------------------------------------------------------------------------ entries


@dataclass(frozen=True)
class SarifEntry:
    """One result to write: a finding at its worst severity, with who reports it."""

    finding: Finding
    functions: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    baseline_state: str | None = None
    """SARIF's ``new``, ``unchanged``, ``updated`` or ``absent``; ``None`` without a baseline."""
    fingerprint: str | None = None


def position_key(finding: Finding) -> tuple[str, str, int, int, str, str]:
    """What makes two findings the same result: rule, place, symbol and component."""
    return (
        finding.rule_id,
        finding.location.path,
        finding.location.line or 0,
        finding.location.column or 0,
        finding.symbol or "",
        finding.component.key,
    )


def merge_findings(
    reported: Iterable[tuple[Finding, str, str]],
) -> list[SarifEntry]:
    """One entry per distinct finding of ``(finding, function, target)`` triples.

    Each keeps the worst severity seen, and the functions and targets that reported it,
    in the order they came. Entries come out sorted by path, line and rule.
    """
    merged: dict[tuple[str, str, int, int, str, str], tuple[Finding, list[str], list[str]]] = {}
    for finding, function, target in reported:
        key = position_key(finding)
        known = merged.get(key)
        if known is None:
            merged[key] = (finding, [function], [target])
            continue
        worst, functions, targets = known
        if _rank(finding) < _rank(worst):
            worst = finding
        if function not in functions:
            functions.append(function)
        if target not in targets:
            targets.append(target)
        merged[key] = (worst, functions, targets)
    ordered = sorted(merged.values(), key=lambda item: _order(item[0]))
    fingerprints = finding_fingerprints([finding for finding, _, _ in ordered])
    return [
        SarifEntry(finding, tuple(functions), tuple(targets), fingerprint=fingerprint)
        for (finding, functions, targets), fingerprint in zip(ordered, fingerprints, strict=True)
    ]


def _rank(finding: Finding) -> int:
    return finding.severity.rank if finding.severity is not None else len(Severity)


def _order(finding: Finding) -> tuple[str, int, int, str]:
    location = finding.location
    return (location.path, location.line or 0, location.column or 0, finding.rule_id)


# ------------------------------------------------------------------------------------- render


def render(reports: Sequence[FunctionReport], *, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    """``reports`` as a SARIF 2.1.0 log, ending with a newline."""
    entries = merge_findings(
        (finding, report.function.name, report.target.name)
        for report in reports
        for finding in report.findings
    )
    notifications = [
        f"{report.function.name}: {error.message}" + (f" ({error.path})" if error.path else "")
        for report in reports
        for error in report.errors
    ]
    log = sarif_log(entries, notifications=notifications, generated_at=options.generated_at)
    return dumps(log)


def dumps(log: Mapping[str, Any]) -> str:
    """A SARIF log as indented JSON text, ending with a newline."""
    return json.dumps(log, indent=2, ensure_ascii=True) + "\n"


def sarif_log(
    entries: Sequence[SarifEntry],
    *,
    notifications: Sequence[str] = (),
    generated_at: str | None = None,
    automation_id: str | None = None,
    properties: Mapping[str, Any] | None = None,
) -> JsonObject:
    """The SARIF log of ``entries``: one run, its rules, its results.

    ``notifications`` (what could not be analysed) become tool execution notifications of
    the run's invocation; ``automation_id`` names the run for services that keep several
    categories of results apart.
    """
    rule_ids = sorted({entry.finding.rule_id for entry in entries})
    rule_index = {rule_id: index for index, rule_id in enumerate(rule_ids)}
    fingerprints = (
        finding_fingerprints([entry.finding for entry in entries])
        if any(entry.fingerprint is None for entry in entries)
        else [str(entry.fingerprint) for entry in entries]
    )
    invocation: JsonObject = {"executionSuccessful": True}
    if generated_at is not None:
        invocation["endTimeUtc"] = generated_at
    if notifications:
        invocation["toolExecutionNotifications"] = [
            {"level": "warning", "message": {"text": text}} for text in notifications
        ]
    run: JsonObject = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": TOOL_URI,
                "rules": [_rule(rule_id) for rule_id in rule_ids],
            }
        },
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",
        "results": [
            _result(entry, rule_index[entry.finding.rule_id], fingerprint)
            for entry, fingerprint in zip(entries, fingerprints, strict=True)
        ],
    }
    if automation_id is not None:
        run["automationDetails"] = {"id": automation_id}
    if properties:
        run["properties"] = dict(properties)
    return {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def _rule(rule_id: str) -> JsonObject:
    described = rule_help(rule_id)
    rule: JsonObject = {
        "id": rule_id,
        "name": described.name,
        "shortDescription": {"text": described.short},
        "fullDescription": {"text": described.help},
        "help": {
            "text": described.help,
            "markdown": f"**{described.short}.** {described.help}"
            + (f"\n\n[Reference]({described.uri})" if described.uri else ""),
        },
        "properties": {"tags": ["lambda", "python-runtime"]},
    }
    if described.uri is not None:
        rule["helpUri"] = described.uri
    return rule


def _result(entry: SarifEntry, rule_index: int, fingerprint: str) -> JsonObject:
    finding = entry.finding
    result: JsonObject = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.severity] if finding.severity is not None else "warning",
        "message": {"text": _message(entry)},
        "locations": [{"physicalLocation": _physical_location(finding)}],
        "partialFingerprints": {FINGERPRINT_NAME: fingerprint},
        "properties": _result_properties(entry),
    }
    if entry.baseline_state is not None:
        result["baselineState"] = entry.baseline_state
    return result


def _message(entry: SarifEntry) -> str:
    finding = entry.finding
    text = finding.message.rstrip(".") + "."
    if finding.fix:
        text += f" Fix: {finding.fix.rstrip('.')}."
    if entry.functions:
        text += f" Functions: {', '.join(entry.functions)}."
    return text


def _physical_location(finding: Finding) -> JsonObject:
    location = finding.location
    physical: JsonObject = {
        "artifactLocation": {
            "uri": quote(location.path, safe="/!-._~"),
            "uriBaseId": SOURCE_ROOT,
        }
    }
    if location.line is not None and location.line >= 1:
        region: JsonObject = {"startLine": location.line}
        if location.column is not None and location.column >= 1:
            region["startColumn"] = location.column
        if location.end_line is not None and location.end_line >= location.line:
            region["endLine"] = location.end_line
        physical["region"] = region
    return physical


def _result_properties(entry: SarifEntry) -> JsonObject:
    finding = entry.finding
    properties: JsonObject = {
        "severity": finding.severity.value if finding.severity else None,
        "category": finding.category.value,
        "component": finding.component.key,
        "reach": finding.reach.value,
        "fix": finding.fix,
        "mechanical": finding.mechanical,
    }
    if finding.symbol:
        properties["symbol"] = finding.symbol
    if entry.functions:
        properties["functions"] = list(entry.functions)
    if entry.targets:
        properties["targets"] = list(entry.targets)
    if finding.documentation:
        properties["documentation"] = finding.documentation
    for name, version in (
        ("breaksIn", finding.breaks_in),
        ("requires", finding.requires),
        ("deprecatedIn", finding.deprecated_in),
    ):
        if version is not None:
            properties[name] = f"{version[0]}.{version[1]}"
    return properties


def load_schema() -> JsonObject:
    """The SARIF 2.1.0 JSON Schema (draft-04) kept in the package."""
    return dict(_schema())


@functools.cache
def _schema() -> Mapping[str, Any]:
    text = importlib.resources.files("analyzer").joinpath(SCHEMA_RESOURCE).read_text("utf-8")
    schema: Mapping[str, Any] = json.loads(text)
    return schema
