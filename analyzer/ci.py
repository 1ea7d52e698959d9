"""The ``ci`` command: a repository's functions, found from its templates, analysed and judged.

What it does, in order:

1. Read every template of the repository once (``analyzer.iac``).
2. For each Python function, decide its target and source runtimes (``plan_runtimes``),
   bring its code and layers onto disk (a folder in place; a zip extracted; a folder
   narrowed to its package patterns copied), and group functions with the same code,
   layers, architecture and source runtime into one *code unit*.
3. Analyse each code unit once, for every target its functions need, as ``scan`` does;
   functions that share a unit and differ only by handler share the source analysis.
4. Give each function its report: the code findings for its target, with paths made
   relative to the repository, plus the findings on its template
   (``analyzer.iac.findings``), scored together.
5. Merge the findings of all functions into distinct findings (one per rule, place,
   symbol and component), compare them with a baseline report when one is given, and
   decide which fail the check (``--fail-on``).

Runtimes, where the command line is silent: the **target** is the runtime the template
sets when it is one this tool targets (python3.10 or later), since that is what the next
deployment runs; otherwise (an older runtime, or none resolvable) the default target,
python3.11. The **source** is ``--from``; else the template's runtime when it is older
than the target (the function runs on it now); else python3.9, the default source of
local input. So a template bumped to python3.12 is checked as a move from python3.9 to
python3.12, and a template still on python3.8 as a move from python3.8 to python3.11.

Baseline: findings match when they have the same rule, path, symbol and component (the
``finding_key`` of ``analyzer.report.sarif``, which leaves the line out, so code moving
up or down does not make a finding new). Within one key, findings on the same line pair
first, then the rest pair in line order. A finding with no partner in the baseline is
``new``; one whose severity got worse (a deprecation that the new target removes) is
``updated``; both count as new for ``--fail-on``. Baseline findings with no partner now
are fixed (``absent``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.errors import ArchiveError, InputError
from analyzer.iac import Template, TemplateFunction, read_repository
from analyzer.iac.findings import (
    deprecated_runtime_finding,
    function_build_method_finding,
    layer_findings,
    not_analysed_finding,
    runtime_not_ready_finding,
)
from analyzer.iac.local_paths import relative_posix
from analyzer.iac.model import IAC_STAGE, LayerDefinition
from analyzer.models import (
    AnalysisError,
    Finding,
    Function,
    FunctionReport,
    Layer,
    Location,
    Runtime,
    Severity,
)
from analyzer.pipeline import AnalysisOptions, PackageAnalysis, report_for
from analyzer.report.sarif import SarifEntry, finding_key, merge_findings
from analyzer.runtimes import (
    ARCHITECTURES,
    DEFAULT_SOURCE,
    DEFAULT_TARGET,
    RUNTIMES,
    TARGET_RUNTIMES,
    UnknownRuntimeError,
    get_runtime,
)

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

NEW = "new"
UPDATED = "updated"
UNCHANGED = "unchanged"
ABSENT = "absent"
_COUNTS_AS_NEW = (NEW, UPDATED)
RUNTIME_FROM_TEMPLATE = "template"
RUNTIME_FROM_OPTION = "option"
RUNTIME_FROM_DEFAULT = "default"
SUMMARY_ROWS = 60
"""Findings listed per table of the Markdown summary; the SARIF file has all of them."""


@dataclass(frozen=True)
class CiRequest:
    """What ``lambda-analyzer ci`` was asked to do."""

    path: Path
    target: str | None = None
    source_runtime: str | None = None
    fail_on: Severity | None = Severity.HIGH
    """The mildest severity that fails the check; ``None`` never fails."""
    baseline: Path | None = None
    templates: tuple[Path, ...] = ()
    excludes: tuple[str, ...] = ()
    check_dependencies: bool = True
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    vulnerabilities: bool = True
    advisories: Path | None = None
    cache_dir: Path | None = None
    use_cache: bool = True
    workers: int | None = None
    today: dt.date | None = None
    """The date runtime deprecations are judged on; today when ``None``."""

    @property
    def options(self) -> AnalysisOptions:
        """The analysis options of each code unit."""
        return AnalysisOptions(
            check_dependencies=self.check_dependencies,
            index_url=self.index_url,
            extra_index_urls=self.extra_index_urls,
            vulnerabilities=self.vulnerabilities,
            advisories=self.advisories,
            cache_dir=self.cache_dir,
            use_cache=self.use_cache,
            workers=self.workers,
        )


@dataclass(frozen=True)
class CiFunction:
    """A function of the repository, where its template defines it, and its report."""

    definition: TemplateFunction
    report: FunctionReport
    target_from: str
    """``template``, ``option`` (``--target``) or ``default``: where the target came from."""
    not_analysed: str | None = None
    """Why its verdict means nothing, when it does not: no code in the repository, or a
    runtime known only at deploy time (then its code was checked for an assumed target)."""


@dataclass(frozen=True)
class CiFinding:
    """A distinct finding of the repository, with the functions that report it."""

    finding: Finding
    functions: tuple[str, ...]
    targets: tuple[str, ...]
    fingerprint: str
    baseline_state: str | None
    """``new``, ``updated`` or ``unchanged`` against the baseline; ``None`` without one."""
    failing: bool

    @property
    def is_new(self) -> bool:
        """Whether it counts as new: no baseline, or not in it, or worse than in it."""
        return self.baseline_state is None or self.baseline_state in _COUNTS_AS_NEW


@dataclass(frozen=True)
class CiResult:
    """Everything ``ci`` found, ready for the renderers and the exit code."""

    root: Path
    templates: tuple[Template, ...]
    functions: tuple[CiFunction, ...]
    findings: tuple[CiFinding, ...]
    fixed: tuple[Finding, ...] = ()
    """Baseline findings that are gone."""
    errors: tuple[AnalysisError, ...] = ()
    """Templates that could not be read."""
    fail_on: Severity | None = Severity.HIGH
    has_baseline: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def reports(self) -> list[FunctionReport]:
        """The function reports, in template order: what ``--json`` writes."""
        return [function.report for function in self.functions]

    @property
    def failing(self) -> list[CiFinding]:
        """The findings that fail the check, worst first."""
        return _worst_first(finding for finding in self.findings if finding.failing)

    @property
    def exit_code(self) -> int:
        """1 when a finding fails the check, else 0."""
        return 1 if self.failing else 0


# ------------------------------------------------------------------------------------ runtimes


def checked_target(name: str) -> str:
    """``name`` as a target runtime; ``InputError`` when it is not one."""
    try:
        runtime = get_runtime(name).name
    except UnknownRuntimeError as error:
        raise InputError(str(error)) from None
    if runtime not in TARGET_RUNTIMES:
        raise InputError(f"{runtime} is not a target; choose one of {', '.join(TARGET_RUNTIMES)}")
    return runtime


def plan_runtimes(
    template_runtime: str | None, target: str | None, source: str | None
) -> tuple[Runtime, Runtime, str]:
    """The target and source runtimes of a function, and where the target came from.

    See the module's docstring for the rule.
    """
    known = RUNTIMES.get(template_runtime) if template_runtime else None
    if target is not None:
        target_runtime, origin = get_runtime(checked_target(target)), RUNTIME_FROM_OPTION
    elif known is not None and known.name in TARGET_RUNTIMES:
        target_runtime, origin = known, RUNTIME_FROM_TEMPLATE
    else:
        target_runtime, origin = get_runtime(DEFAULT_TARGET), RUNTIME_FROM_DEFAULT
    if source is not None:
        try:
            source_runtime = get_runtime(source)
        except UnknownRuntimeError as error:
            raise InputError(str(error)) from None
    elif known is not None and known.python < target_runtime.python:
        source_runtime = known
    else:
        source_runtime = get_runtime(DEFAULT_SOURCE)
    return target_runtime, source_runtime, origin


# --------------------------------------------------------------------------- code on the disk


@dataclass(frozen=True)
class _Placed:
    """Code or a layer on disk, and how its paths show in the repository."""

    root: Path
    prefix: str
    """What a path inside it is shown under, relative to the repository."""


class _Workspace:
    """Brings code folders, zips and layers onto disk once each, inside one temporary folder."""

    def __init__(self, repository: Path, workdir: Path) -> None:
        self.repository = repository
        self.workdir = workdir
        self.placed: dict[tuple[str, tuple[str, ...]], _Placed | str] = {}
        self.folders = 0

    def place(self, path: str, patterns: tuple[str, ...] = ()) -> _Placed | str:
        """The folder holding ``path``'s content, or why it cannot be had (a sentence)."""
        key = (path, patterns)
        known = self.placed.get(key)
        if known is None:
            known = self._place(Path(path), patterns)
            self.placed[key] = known
        return known

    def _fresh(self, stem: str) -> Path:
        self.folders += 1
        folder = self.workdir / f"{self.folders:04d}-{re.sub(r'[^A-Za-z0-9_.-]', '_', stem)}"
        folder.mkdir(parents=True)
        return folder

    def _place(self, path: Path, patterns: tuple[str, ...]) -> _Placed | str:
        from analyzer.fetch.archive import DEFAULT_LIMITS, IncompleteExtractionError, safe_extract

        prefix = relative_posix(path, self.repository)
        if path.is_dir():
            return _Placed(_narrowed(path, patterns, self._fresh), prefix)
        if path.suffix == ".py":
            # ``archive_file`` with ``source_file``: the package is that one file.
            folder = self._fresh(path.stem)
            shutil.copy2(path, folder / path.name)
            return _Placed(folder, relative_posix(path.parent, self.repository))
        folder = self._fresh(path.stem)
        try:
            safe_extract(path, folder, DEFAULT_LIMITS)
        except IncompleteExtractionError as error:
            logger.warning("%s: %s; the rest is not analysed", prefix, error)
        except ArchiveError as error:
            return f"{prefix}: {error}"
        return _Placed(folder, f"{prefix}!")


def _narrowed(folder: Path, patterns: tuple[str, ...], fresh: Callable[[str], Path]) -> Path:
    """``folder`` itself, or a copy holding only the files its package patterns keep."""
    if not patterns:
        return folder
    matchers = [(pattern.startswith("!"), _glob(pattern.lstrip("!"))) for pattern in patterns]
    kept: list[str] = []
    dropped = 0
    for current, subfolders, files in os.walk(folder):
        subfolders.sort()
        relative = relative_posix(Path(current), folder)
        for name in sorted(files):
            path = name if relative == "." else f"{relative}/{name}"
            included = True
            for negated, matcher in matchers:
                if matcher.fullmatch(path):
                    included = not negated
            if included:
                kept.append(path)
            else:
                dropped += 1
    if not dropped:
        return folder
    copy = fresh(folder.name)
    for path in kept:
        destination = copy / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        source = folder / path
        if not source.is_symlink():
            shutil.copy2(source, destination)
    return copy


def _glob(pattern: str) -> re.Pattern[str]:
    """A package pattern (``**``, ``*``, ``?``, ``[...]``, ``{a,b}``) as a regular expression."""
    pattern = pattern.removeprefix("./")
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            parts.append(".*")
            index += 2
            continue
        if char == "*":
            parts.append("[^/]*")
        elif char == "?":
            parts.append("[^/]")
        elif char == "[" and "]" in pattern[index + 1 :]:
            end = pattern.index("]", index + 1)
            parts.append("[" + pattern[index + 1 : end].replace("!", "^", 1) + "]")
            index = end
        elif char == "{" and "}" in pattern[index + 1 :]:
            end = pattern.index("}", index + 1)
            options = pattern[index + 1 : end].split(",")
            parts.append("(?:" + "|".join(re.escape(option) for option in options) + ")")
            index = end
        else:
            parts.append(re.escape(char))
        index += 1
    return re.compile("".join(parts))


# ------------------------------------------------------------------------------------- planning


@dataclass
class _Planned:
    """One function ready for analysis."""

    definition: TemplateFunction
    function: Function
    target: Runtime
    target_from: str
    errors: list[AnalysisError]
    code: _Placed | None
    layer_prefixes: dict[str, str]
    not_analysed: str | None = None
    not_analysed_severity: Severity = Severity.HIGH


def _plan(definition: TemplateFunction, request: CiRequest, workspace: _Workspace) -> _Planned:
    runtime_value = definition.runtime.value if definition.runtime else None
    target, source, origin = plan_runtimes(runtime_value, request.target, request.source_runtime)
    errors = [
        AnalysisError(IAC_STAGE, problem, definition.template) for problem in definition.problems
    ]
    if definition.runtime is None:
        errors.append(
            AnalysisError(
                IAC_STAGE,
                f"no runtime could be read for {definition.name}; analysed as {source.name} "
                f"moving to {target.name}",
                definition.template,
            )
        )

    architecture = definition.architecture.value if definition.architecture else "x86_64"
    if architecture not in ARCHITECTURES:
        errors.append(
            AnalysisError(
                IAC_STAGE,
                f"unknown architecture {architecture!r}; x86_64 assumed",
                definition.template,
            )
        )
        architecture = "x86_64"

    code: _Placed | None = None
    code_problem = definition.code_problem
    if definition.code is not None:
        placed = workspace.place(definition.code.value, definition.code_patterns)
        if isinstance(placed, str):
            errors.append(AnalysisError(IAC_STAGE, placed, definition.template))
            code_problem = placed
        else:
            code = placed
    # A function that cannot be judged must not read as ready: it gets a finding saying so.
    not_analysed: str | None = None
    not_analysed_severity = Severity.HIGH
    if code is None:
        why = code_problem or "the template names no code"
        not_analysed = f"no code in the repository to analyse ({why}); its readiness is unknown"
        if definition.package_type == "Image":
            # An image's code is never in a template, and the template sets no runtime to
            # move: a note, not a failure.
            not_analysed_severity = Severity.INFO
    elif definition.runtime is None and request.target is None:
        why = definition.runtime_problem or "the template sets none"
        not_analysed = (
            f"its runtime is unknown ({why}); its code was checked for {target.name} only, so "
            "its readiness on the runtime it deploys with is unknown"
        )

    layers: list[Layer] = []
    layer_prefixes: dict[str, str] = {}
    for reference in definition.layers:
        layer = reference.definition
        if layer is None:
            errors.append(
                AnalysisError(
                    IAC_STAGE,
                    f"layer {reference.text} is not defined in the repository; its content "
                    "is not analysed",
                    reference.location.path,
                )
            )
            continue
        placed_layer = _place_layer(layer, workspace, errors)
        if placed_layer is not None:
            name = _layer_name(layer, layer_prefixes)
            layers.append(Layer(name=name, root=str(placed_layer.root)))
            layer_prefixes[name] = placed_layer.prefix

    function = Function(
        name=definition.name,
        code_root=str(code.root) if code is not None else "",
        source_runtime=source.name,
        handler=definition.handler.value if definition.handler else None,
        architecture=architecture,
        layers=tuple(layers),
        package_type=definition.package_type,
    )
    return _Planned(
        definition,
        function,
        target,
        origin,
        errors,
        code,
        layer_prefixes,
        not_analysed,
        not_analysed_severity,
    )


def _place_layer(
    layer: LayerDefinition, workspace: _Workspace, errors: list[AnalysisError]
) -> _Placed | None:
    for problem in layer.problems:
        errors.append(AnalysisError(IAC_STAGE, f"layer {layer.name}: {problem}", layer.template))
    if layer.content is None:
        return None
    placed = workspace.place(layer.content.value)
    if isinstance(placed, str):
        errors.append(AnalysisError(IAC_STAGE, placed, layer.template))
        return None
    return placed


def _layer_name(layer: LayerDefinition, taken: dict[str, str]) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", layer.name)
    candidate, counter = name, 2
    while candidate in taken:
        candidate, counter = f"{name}-{counter}", counter + 1
    return candidate


_UnitKey = tuple[str, tuple[tuple[str, str], ...], str, str]


def _unit_key(planned: _Planned) -> _UnitKey:
    function = planned.function
    layers = tuple((layer.name, layer.root) for layer in function.layers)
    return (function.code_root, layers, function.architecture, function.source_runtime)


# ------------------------------------------------------------------------------------ analysis


def _analyse_unit(
    functions: Sequence[Function], targets: Sequence[Runtime], options: AnalysisOptions
) -> list[PackageAnalysis]:
    """The analysis of each of ``functions``, which share code, layers and runtimes.

    The package, its sources and its dependencies are read once; only what depends on the
    handler (the import graph, the handler check, the reach of each finding) is done per
    distinct handler.
    """
    from analyzer.pipeline import analyse_package_handlers

    handlers = list(dict.fromkeys(function.handler for function in functions))
    by_handler = analyse_package_handlers(functions[0], handlers, targets, options)
    return [
        dataclasses.replace(by_handler[function.handler], function=function)
        for function in functions
    ]


# ----------------------------------------------------------------------------------- reporting


def _shown(path: str, planned: _Planned) -> str:
    """A path of a finding (inside the code or a layer) as a path of the repository."""
    if path.startswith("layers/"):
        name, _, rest = path.removeprefix("layers/").partition("/")
        prefix = planned.layer_prefixes.get(name)
        if prefix is not None:
            return _join(prefix, rest)
    if planned.code is None:
        return path
    return _join(planned.code.prefix, path)


def _join(prefix: str, path: str) -> str:
    if prefix == ".":
        return path
    if prefix.endswith("!"):
        return f"{prefix}/{path}"
    return f"{prefix}/{path}" if path else prefix


_PATH_WORD = re.compile(r"(?<![\w./!-])[\w+@-][\w.+@/-]*")
"""A word that may be a relative path: a message's ``links.py:9`` or ``(pkg/mod.py)``."""


def _relocated(finding: Finding, planned: _Planned) -> Finding:
    location = dataclasses.replace(finding.location, path=_shown(finding.location.path, planned))
    return dataclasses.replace(
        finding,
        location=location,
        message=_paths_shown(finding.message, planned),
        fix=_paths_shown(finding.fix, planned),
    )


def _paths_shown(text: str, planned: _Planned) -> str:
    """``text`` with each path of the code or a layer it names shown as a repository path.

    Messages name files as the analysis saw them, relative to the function's code (``links.py:9
    imports six.moves through it``). A word is taken for a path only when it names a file
    of the code or of a layer, so module names and prose stay as they are.
    """
    roots = _path_roots(planned)
    if not roots:
        return text

    def shown(match: re.Match[str]) -> str:
        word = match.group(0)
        path = word.rstrip("./")
        if ("." not in path and "/" not in path) or not _names_file(path, roots):
            return word
        return _shown(path, planned) + word[len(path) :]

    return _PATH_WORD.sub(shown, text)


def _path_roots(planned: _Planned) -> dict[str, Path]:
    """Where each path prefix of the analysis is on disk: ``""`` for the code, and
    ``layers/<name>/`` for each layer whose paths are shown elsewhere."""
    roots: dict[str, Path] = {}
    if planned.code is not None and planned.code.prefix != ".":
        roots[""] = planned.code.root
    for layer in planned.function.layers:
        if planned.layer_prefixes.get(layer.name, f"layers/{layer.name}") != f"layers/{layer.name}":
            roots[f"layers/{layer.name}/"] = Path(layer.root)
    return roots


def _names_file(path: str, roots: dict[str, Path]) -> bool:
    if ".." in path.split("/"):
        return False
    for prefix, root in roots.items():
        if prefix and path.startswith(prefix):
            return (root / path.removeprefix(prefix)).is_file()
    code = roots.get("")
    return code is not None and not path.startswith("layers/") and (code / path).is_file()


# TODO: check layers that no function of the repository uses (a report per layer, which the
# report schema has no place for yet, would retire this).
def _template_findings(
    planned: _Planned,
    runtime_users: dict[Location, list[str]],
    today: dt.date,
) -> list[Finding]:
    definition = planned.definition
    target = planned.target.name
    findings: list[Finding] = []
    if definition.runtime is not None:
        users = runtime_users.get(definition.runtime.location, [definition.name])
        deprecated = deprecated_runtime_finding(
            definition.runtime, definition.template, users, target, today
        )
        if deprecated is not None:
            findings.append(deprecated)
    build_method = function_build_method_finding(definition, target, today)
    if build_method is not None:
        findings.append(build_method)
    if planned.not_analysed is not None:
        findings.append(
            not_analysed_finding(definition, planned.not_analysed, planned.not_analysed_severity)
        )
    seen: set[str] = set()
    for reference in definition.layers:
        layer = reference.definition
        if layer is None or layer.name in seen:
            continue
        seen.add(layer.name)
        findings.extend(layer_findings(layer, definition, target, today))
    return findings


def _function_report(
    planned: _Planned,
    analysis: PackageAnalysis,
    runtime_users: dict[Location, list[str]],
    today: dt.date,
) -> FunctionReport:
    from analyzer.score import score

    report = report_for(analysis, planned.target)
    code_findings = [_relocated(finding, planned) for finding in report.findings]
    template_findings = _template_findings(planned, runtime_users, today)
    scored = code_findings + template_findings
    value, verdict, breakdown = score(scored)

    pointer = None
    if planned.target_from == RUNTIME_FROM_TEMPLATE:
        pointer = runtime_not_ready_finding(planned.definition, code_findings)
    findings = scored + ([pointer] if pointer is not None else [])
    dependencies = tuple(
        dataclasses.replace(
            row, source=dataclasses.replace(row.source, path=_shown(row.source.path, planned))
        )
        for row in report.dependencies
    )
    errors = tuple(planned.errors) + tuple(
        dataclasses.replace(error, path=_shown(error.path, planned)) if error.path else error
        for error in report.errors
    )
    return dataclasses.replace(
        report,
        function=planned.function,
        score=value,
        verdict=verdict,
        breakdown=breakdown,
        findings=tuple(sorted(findings, key=lambda finding: finding.sort_key)),
        dependencies=dependencies,
        errors=errors,
    )


# ------------------------------------------------------------------------------------ baseline


def load_baseline(path: Path) -> list[FunctionReport]:
    """The reports of a previous ``ci --json`` run; ``InputError`` naming the file if not one."""
    from analyzer.report.json import from_text

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a JSON report (not UTF-8 text)") from None
    try:
        return from_text(text)
    except InputError as error:
        raise InputError(f"{path}: {error}") from None


def compare(
    current: Sequence[SarifEntry], baseline: Sequence[SarifEntry]
) -> tuple[list[str], list[Finding]]:
    """The baseline state of each of ``current``, and the baseline findings that are gone."""
    states = [NEW] * len(current)
    by_key: dict[tuple[str, str, str, str], list[int]] = {}
    for index, entry in enumerate(baseline):
        by_key.setdefault(finding_key(entry.finding), []).append(index)
    matched: set[int] = set()

    def pair(index: int, partner: int) -> None:
        matched.add(partner)
        now, before = current[index].finding, baseline[partner].finding
        worse = _rank(now) < _rank(before)
        states[index] = UPDATED if worse else UNCHANGED

    groups: dict[tuple[str, str, str, str], list[int]] = {}
    for index, entry in enumerate(current):
        groups.setdefault(finding_key(entry.finding), []).append(index)
    for key, indexes in groups.items():
        candidates = by_key.get(key, [])
        line_of = {partner: baseline[partner].finding.location.line for partner in candidates}
        unpaired: list[int] = []
        for index in indexes:
            line = current[index].finding.location.line
            partner = next((p for p in candidates if p not in matched and line_of[p] == line), None)
            if partner is None:
                unpaired.append(index)
            else:
                pair(index, partner)
        rest = [partner for partner in candidates if partner not in matched]
        for index, partner in zip(unpaired, rest, strict=False):
            pair(index, partner)
    fixed = [entry.finding for index, entry in enumerate(baseline) if index not in matched]
    return states, fixed


def _rank(finding: Finding) -> int:
    return finding.severity.rank if finding.severity is not None else len(Severity)


def _entries(reports: Iterable[FunctionReport]) -> list[SarifEntry]:
    return merge_findings(
        (finding, report.function.name, report.target.name)
        for report in reports
        for finding in report.findings
    )


# ----------------------------------------------------------------------------------------- run


def run_ci(request: CiRequest, *, progress: Progress | None = None) -> CiResult:
    """Find, analyse and judge the functions of the repository at ``request.path``."""
    timings: dict[str, float] = {}
    today = request.today or dt.date.today()
    root = request.path.resolve()
    if request.target is not None:
        checked_target(request.target)
    baseline = load_baseline(request.baseline) if request.baseline is not None else None

    started = time.perf_counter()
    templates = read_repository(root, templates=request.templates, excludes=request.excludes)
    definitions = [
        definition
        for template in templates
        for definition in template.functions
        if definition.is_python
    ]
    timings["templates"] = time.perf_counter() - started
    if not definitions:
        read = ", ".join(template.path for template in templates) or "none"
        raise InputError(
            f"{root}: no Python Lambda function found in SAM, CloudFormation, Serverless or "
            f"Terraform templates (templates read: {read})"
        )

    with tempfile.TemporaryDirectory(prefix="lambda-analyzer-ci-") as workdir:
        started = time.perf_counter()
        workspace = _Workspace(root, Path(workdir))
        planned = [_plan(definition, request, workspace) for definition in definitions]
        timings["prepare"] = time.perf_counter() - started

        started = time.perf_counter()
        analyses = _analyse_all(planned, request.options, progress)
        timings["analyse"] = time.perf_counter() - started

        runtime_users: dict[Location, list[str]] = {}
        for definition in definitions:
            if definition.runtime is not None:
                runtime_users.setdefault(definition.runtime.location, []).append(definition.name)
        # Still inside the workspace: the paths a message names are looked up in the code.
        functions = tuple(
            CiFunction(
                plan.definition,
                _function_report(plan, analysis, runtime_users, today),
                plan.target_from,
                plan.not_analysed,
            )
            for plan, analysis in zip(planned, analyses, strict=True)
        )

    entries = _entries(function.report for function in functions)
    fixed: list[Finding] = []
    states: list[str | None] = [None] * len(entries)
    if baseline is not None:
        compared, fixed = compare(entries, _entries(baseline))
        states = list(compared)
    findings = tuple(
        CiFinding(
            finding=entry.finding,
            functions=entry.functions,
            targets=entry.targets,
            fingerprint=str(entry.fingerprint),
            baseline_state=state,
            failing=_fails(entry.finding, state, request.fail_on),
        )
        for entry, state in zip(entries, states, strict=True)
    )
    return CiResult(
        root=root,
        templates=tuple(templates),
        functions=functions,
        findings=findings,
        fixed=tuple(fixed),
        errors=tuple(error for template in templates for error in template.errors),
        fail_on=request.fail_on,
        has_baseline=baseline is not None,
        timings=timings,
    )


def _worst_first(findings: Iterable[CiFinding]) -> list[CiFinding]:
    return sorted(findings, key=lambda finding: finding.finding.sort_key)


def _fails(finding: Finding, state: str | None, fail_on: Severity | None) -> bool:
    if fail_on is None or finding.severity is None:
        return False
    if state is not None and state not in _COUNTS_AS_NEW:
        return False
    return finding.severity.rank <= fail_on.rank


def _analyse_all(
    planned: Sequence[_Planned], options: AnalysisOptions, progress: Progress | None
) -> list[PackageAnalysis]:
    units: dict[_UnitKey, list[int]] = {}
    for index, plan in enumerate(planned):
        if plan.code is not None:
            units.setdefault(_unit_key(plan), []).append(index)
    results: list[PackageAnalysis | None] = [None] * len(planned)
    for done, indexes in enumerate(units.values()):
        if progress is not None:
            progress("analysing functions", done, len(units))
        functions = [planned[index].function for index in indexes]
        targets = list(
            {planned[index].target.name: planned[index].target for index in indexes}.values()
        )
        logger.info(
            "analysing %s for %s", functions[0].code_root, ", ".join(t.name for t in targets)
        )
        for index, analysis in zip(
            indexes, _analyse_unit(functions, targets, options), strict=True
        ):
            results[index] = analysis
    if progress is not None:
        progress("analysing functions", len(units), len(units))
    return [
        result if result is not None else PackageAnalysis(plan.function, {}, {}, (), (), 0)
        for plan, result in zip(planned, results, strict=True)
    ]


# ------------------------------------------------------------------------------------ renderers


def render_sarif(result: CiResult, *, generated_at: str | None = None) -> str:
    """The SARIF 2.1.0 log of ``result``: every distinct finding, with its baseline state."""
    from analyzer.report.sarif import dumps, sarif_log

    entries = [
        SarifEntry(
            finding.finding,
            finding.functions,
            finding.targets,
            baseline_state=finding.baseline_state,
            fingerprint=finding.fingerprint,
        )
        for finding in result.findings
    ]
    log = sarif_log(
        entries,
        notifications=_not_analysed(result),
        generated_at=generated_at,
        automation_id="lambda-analyzer/ci/",
        properties={
            "failOn": result.fail_on.value if result.fail_on is not None else "never",
            "failing": len(result.failing),
            "fixed": len(result.fixed),
        },
    )
    return dumps(log)


def _not_analysed(result: CiResult) -> list[str]:
    lines = [
        f"{error.path}: {error.message}" if error.path else error.message for error in result.errors
    ]
    for function in result.functions:
        for error in function.report.errors:
            if error.stage == IAC_STAGE:
                lines.append(f"{function.definition.name}: {error.message}")
    return list(dict.fromkeys(lines))


def _verdict_line(result: CiResult) -> str:
    failing = len(result.failing)
    if result.fail_on is None:
        return "passes (--fail-on never)"
    scope = "new " if result.has_baseline else ""
    threshold = result.fail_on.value
    if failing:
        noun = "finding" if failing == 1 else "findings"
        return f"fails: {failing} {scope}{noun} at {threshold} or worse"
    return f"passes: no {scope}finding at {threshold} or worse"


def _where(location: Location | None) -> str:
    if location is None:
        return "-"
    return f"{location.path}:{location.line}" if location.line is not None else location.path


def _runtime_cell(function: CiFunction) -> str:
    runtime = function.definition.runtime
    return runtime.value if runtime is not None else "?"


def _move_cell(function: CiFunction) -> str:
    """The move the function was checked for, and where its target came from."""
    origin = {
        RUNTIME_FROM_TEMPLATE: "target from the template",
        RUNTIME_FROM_OPTION: "target from --target",
        RUNTIME_FROM_DEFAULT: "default target",
    }[function.target_from]
    report = function.report
    return f"{report.function.source_runtime} → {report.target.name} ({origin})"


def render_text(result: CiResult) -> str:
    """A short plain-text account of ``result`` for a terminal or a CI log."""
    lines = [
        f"lambda-analyzer ci: {len(result.functions)} function(s) in "
        f"{len(result.templates)} template(s) under {result.root}",
    ]
    for function in result.functions:
        report = function.report
        new = sum(
            1
            for finding in result.findings
            if function.definition.name in finding.functions and finding.is_new
        )
        extra = f", {new} new" if result.has_baseline else ""
        judged = (
            f"not analysed: {function.not_analysed}"
            if function.not_analysed is not None
            else f"{report.verdict.value} {report.score}/100"
        )
        lines.append(
            f"  {function.definition.name} ({_where(function.definition.location)}): runtime "
            f"{_runtime_cell(function)}, checked as {_move_cell(function).replace('→', '->')}: "
            f"{judged}, {len(report.findings)} finding(s){extra}"
        )
    if result.failing:
        lines.append("failing:")
        for finding in result.failing:
            item = finding.finding
            severity = item.severity.value if item.severity else "-"
            lines.append(f"  {severity} {item.rule_id} {_where(item.location)}: {item.message}")
    if result.has_baseline:
        unchanged = sum(1 for finding in result.findings if not finding.is_new)
        lines.append(f"baseline: {unchanged} unchanged, {len(result.fixed)} fixed")
    for problem in _not_analysed(result):
        lines.append(f"not analysed: {problem}")
    lines.append(f"result: {_verdict_line(result)}")
    return "\n".join(lines) + "\n"


def render_summary(result: CiResult) -> str:
    """``result`` as GitHub-flavoured Markdown for a pull-request comment or a job summary."""
    from analyzer.report.markdown import code, text

    blocks = [
        f"## lambda-analyzer: {text(_verdict_line(result))}",
        _functions_table(result, code, text),
    ]
    failing = result.failing
    if failing:
        blocks += ["### Findings that fail the check", _findings_table(failing, code, text)]
    others = _worst_first(finding for finding in result.findings if not finding.failing)
    if others:
        label = "Other findings" if failing else "Findings"
        blocks.append(
            f"<details><summary>{label} ({len(others)})</summary>\n\n"
            + _findings_table(others, code, text)
            + "\n\n</details>"
        )
    if result.has_baseline:
        unchanged = sum(1 for finding in result.findings if not finding.is_new)
        new = len(result.findings) - unchanged
        blocks.append(
            f"Compared with the baseline: {new} new or worse, {unchanged} unchanged, "
            f"{len(result.fixed)} fixed."
        )
    problems = _not_analysed(result)
    if problems:
        blocks.append(
            "### Not analysed\n\n" + "\n".join(f"- {text(problem)}" for problem in problems)
        )
    return "\n\n".join(blocks) + "\n"


def _functions_table(result: CiResult, code: Callable[..., str], text: Callable[[str], str]) -> str:
    rows = [
        "| function | defined at | runtime | checked as | verdict | score | findings |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for function in result.functions:
        report = function.report
        rows.append(
            "| "
            + " | ".join(
                (
                    code(function.definition.name, in_table=True),
                    code(_where(function.definition.location), in_table=True),
                    text(_runtime_cell(function)),
                    text(_move_cell(function)),
                    "**not analysed**"
                    if function.not_analysed is not None
                    else f"**{report.verdict.value}**",
                    "-" if function.not_analysed is not None else str(report.score),
                    str(len(report.findings)),
                )
            )
            + " |"
        )
    return "\n".join(rows)


def _findings_table(
    findings: Sequence[CiFinding], code: Callable[..., str], text: Callable[[str], str]
) -> str:
    rows = [
        "| severity | rule | where | what | fix |",
        "| --- | --- | --- | --- | --- |",
    ]
    for finding in findings[:SUMMARY_ROWS]:
        item = finding.finding
        severity = item.severity.value if item.severity else "-"
        state = f" ({finding.baseline_state})" if finding.baseline_state else ""
        rows.append(
            "| "
            + " | ".join(
                (
                    f"{severity}{state}",
                    code(item.rule_id, in_table=True),
                    code(_where(item.location), in_table=True),
                    text(item.message),
                    text(item.fix),
                )
            )
            + " |"
        )
    if len(findings) > SUMMARY_ROWS:
        rows.append(f"\n… and {len(findings) - SUMMARY_ROWS} more in the SARIF file.")
    return "\n".join(rows)


# ---------------------------------------------------------------------------------- the command

FAIL_ON_CHOICES = ("blocker", "high", "medium", "low", "never")


def parse_fail_on(text: str) -> Severity | None:
    """``--fail-on``: the mildest severity that fails the check, or ``None`` for ``never``."""
    value = text.strip().lower()
    if value == "never":
        return None
    if value not in FAIL_ON_CHOICES:
        raise InputError(f"--fail-on {text!r}: choose one of {', '.join(FAIL_ON_CHOICES)}")
    return Severity(value)


@dataclass(frozen=True)
class CiOutputs:
    """Files ``ci`` writes besides its terminal output."""

    sarif: Path | None = None
    summary: Path | None = None
    json_report: Path | None = None


def execute(request: CiRequest, outputs: CiOutputs = CiOutputs()) -> CiResult:
    """Run the check and write the SARIF log, Markdown summary and JSON report asked for."""
    result = run_ci(request)
    generated_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    if outputs.sarif is not None:
        _write_file(outputs.sarif, render_sarif(result, generated_at=generated_at))
    if outputs.summary is not None:
        _write_file(outputs.summary, render_summary(result))
    if outputs.json_report is not None:
        from analyzer.report.interface import RenderOptions
        from analyzer.report.json import render

        _write_file(
            outputs.json_report,
            render(result.reports, options=RenderOptions(generated_at=generated_at)),
        )
    return result


def _write_file(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot write {path}: {error.strerror or error}") from None
