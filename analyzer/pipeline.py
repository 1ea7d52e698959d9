"""The stages joined for one function: fetch, bundle, rules, deps, score."""

from __future__ import annotations

import dataclasses
import logging
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.models import (
    AnalysisError,
    Component,
    DependencyRow,
    Finding,
    Function,
    FunctionReport,
    Runtime,
    SourceAnalysis,
)
from analyzer.runtimes import DEFAULT_SOURCE, get_runtime

LOG = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""Called with a stage's name, the work done and the work in all (0 when unknown)."""


@dataclass(frozen=True)
class AnalysisOptions:
    """How far the analysis goes beyond the package itself."""

    check_dependencies: bool = True
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    vulnerabilities: bool = True
    advisories: Path | None = None
    cache_dir: Path | None = None
    use_cache: bool = True
    workers: int | None = None


@dataclass(frozen=True)
class PackageAnalysis:
    """Everything learnt of one function that does not depend on the target runtime.

    Dependency rows and native or layer findings do depend on it; they are kept per
    target in ``findings_by_target`` and ``dependencies_by_target``.
    """

    function: Function
    findings_by_target: Mapping[str, tuple[Finding, ...]]
    dependencies_by_target: Mapping[str, tuple[DependencyRow, ...]]
    errors: tuple[AnalysisError, ...]
    components: tuple[Component, ...]
    files_analysed: int
    timings: Mapping[str, float] = field(default_factory=dict)


def analyse_function(
    function: Function,
    targets: Sequence[Runtime],
    options: AnalysisOptions = AnalysisOptions(),
    *,
    errors: Iterable[AnalysisError] = (),
    progress: Progress | None = None,
    template_findings: Mapping[str, Sequence[Finding]] | None = None,
) -> list[FunctionReport]:
    """The readiness reports of ``function`` for each of ``targets``; ``template_findings``
    (by target name) are what the function's infrastructure templates say, added as they are."""
    analysis = analyse_package(function, targets, options, errors=errors, progress=progress)
    if template_findings:
        analysis = dataclasses.replace(
            analysis,
            findings_by_target={
                name: (*findings, *template_findings.get(name, ()))
                for name, findings in analysis.findings_by_target.items()
            },
        )
    return [report_for(analysis, target) for target in targets]


def report_for(analysis: PackageAnalysis, target: Runtime) -> FunctionReport:
    """Judge and score what was learnt for one target."""
    from analyzer.score import judge, score

    judged = judge(analysis.findings_by_target.get(target.name, ()), target)
    value, verdict, breakdown = score(judged)
    return FunctionReport(
        function=analysis.function,
        target=target,
        score=value,
        verdict=verdict,
        breakdown=breakdown,
        findings=tuple(judged),
        dependencies=analysis.dependencies_by_target.get(target.name, ()),
        errors=analysis.errors,
        components=analysis.components,
        files_analysed=analysis.files_analysed,
        timings=dict(analysis.timings),
    )


def analyse_package(
    function: Function,
    targets: Sequence[Runtime],
    options: AnalysisOptions = AnalysisOptions(),
    *,
    errors: Iterable[AnalysisError] = (),
    progress: Progress | None = None,
) -> PackageAnalysis:
    """Read, analyse and relate everything in ``function``'s package and layers."""
    analyses = analyse_package_handlers(
        function, (function.handler,), targets, options, errors=errors, progress=progress
    )
    return analyses[function.handler]


def analyse_package_handlers(
    function: Function,
    handlers: Sequence[str | None],
    targets: Sequence[Runtime],
    options: AnalysisOptions = AnalysisOptions(),
    *,
    errors: Iterable[AnalysisError] = (),
    progress: Progress | None = None,
) -> dict[str | None, PackageAnalysis]:
    """``analyse_package`` for several functions that share ``function``'s package and
    layers but start at different handlers: the package is read, analysed and checked once,
    and only the import graph (what each handler reaches) is built per handler."""
    from analyzer.bundle.distributions import analysis_errors, record_findings
    from analyzer.bundle.graph import apply_reach, build_import_graph
    from analyzer.bundle.handler import check_handler, handler_module_name
    from analyzer.bundle.layout import ModuleIndex, collect_package, layer_path_findings

    timings: dict[str, float] = {}
    all_errors = list(errors)
    if function.package_type != "Zip" or not function.code_root:
        # Nothing was read, so nothing can be promised: the report must not say ready.
        unread = (_not_analysed(function, all_errors),)
        by_target = {target.name: unread for target in targets}
        return {
            handler: PackageAnalysis(
                dataclasses.replace(function, handler=handler),
                by_target,
                {},
                tuple(all_errors),
                (),
                0,
                timings,
            )
            for handler in handlers
        }

    started = time.perf_counter()
    source_runtime = get_runtime(function.source_runtime or DEFAULT_SOURCE)
    package = collect_package(function)
    all_errors.extend(package.errors)
    all_errors.extend(analysis_errors(package.distributions))
    source_index = ModuleIndex.for_runtime(package, source_runtime)
    target_indexes = {target.name: ModuleIndex.for_runtime(package, target) for target in targets}
    timings["bundle"] = time.perf_counter() - started

    started = time.perf_counter()
    analyses = _analyse_sources(package, source_index, options, progress)
    timings["rules"] = time.perf_counter() - started

    started = time.perf_counter()
    shared: list[Finding] = []
    if not analyses and not package.native_files and all_errors:
        # Everything Python in the package was refused or lost (unsafe or encrypted members,
        # a cap reached): what is left cannot be called ready.
        shared.append(_not_analysed(function, all_errors))
    for analysis in analyses.values():
        shared.extend(_in_its_component(finding) for finding in analysis.findings)
    shared.extend(_binary_findings(package, source_runtime))
    layer_findings = layer_path_findings(package, function, source_runtime, targets)
    record: list[Finding] = []
    for distribution in package.distributions:
        record.extend(record_findings(distribution, _component_of(package, distribution)))
    timings["bundle"] += time.perf_counter() - started

    dependency_findings: tuple[Finding, ...] = ()
    dependencies_by_target: dict[str, tuple[DependencyRow, ...]] = {}
    if options.check_dependencies:
        started = time.perf_counter()
        dependency_findings, dependencies_by_target, dependency_errors = _check_dependencies(
            function, targets, options
        )
        all_errors.extend(dependency_errors)
        timings["deps"] = time.perf_counter() - started

    results: dict[str | None, PackageAnalysis] = {}
    for handler in handlers:
        started = time.perf_counter()
        one = dataclasses.replace(function, handler=handler)
        graph = build_import_graph(source_index, analyses, handler_module_name(handler))
        base = [*shared, *check_handler(one, source_index, analyses), *layer_findings, *record]
        findings_by_target = {
            target.name: tuple(
                apply_reach(base, graph.reach_of_path, target_index=target_indexes[target.name])
            )
            + dependency_findings
            for target in targets
        }
        handler_timings = dict(timings)
        handler_timings["bundle"] = handler_timings.get("bundle", 0.0) + (
            time.perf_counter() - started
        )
        results[handler] = PackageAnalysis(
            function=one,
            findings_by_target=findings_by_target,
            dependencies_by_target=dependencies_by_target,
            errors=(*all_errors, *graph.errors),
            components=package.components,
            files_analysed=len(analyses),
            timings=handler_timings,
        )
    return results


def _in_its_component(finding: Finding) -> Finding:
    """A finding in a vendored library is fixed by upgrading the library, not by editing its
    copy: its fix says so first, and keeps what the line itself needs."""
    from analyzer.models import ComponentKind

    component = finding.component
    if component.kind is not ComponentKind.VENDORED or finding.fix.lower().startswith("upgrade"):
        return finding
    release = f"{component.name} {component.version}" if component.version else component.name
    return dataclasses.replace(
        finding,
        fix=(
            f"upgrade the vendored {release} to a release that supports the target, and "
            f"rebuild the package; in this copy the line needs: {finding.fix}"
        ),
    )


def _not_analysed(function: Function, errors: Sequence[AnalysisError]) -> Finding:
    """The finding of a function whose code could not be read (an image, a refused download)."""
    from analyzer.models import Category, Location, Reach, Severity

    why = errors[0].message if errors else f"package type {function.package_type}"
    return Finding(
        rule_id="not-analysed",
        category=Category.CONFIGURATION,
        message=f"the function's code was not analysed ({why}); its readiness is unknown",
        location=Location(function.arn or function.name),
        fix=(
            "scan the deployment package itself (a zip or folder), or, for a container image, "
            "rebuild it on the target's base image and test it"
        ),
        reach=Reach.PACKAGE,
        severity=Severity.HIGH,
    )


def _analyse_sources(
    package: object,
    source_index: object,
    options: AnalysisOptions,
    progress: Progress | None,
) -> dict[str, SourceAnalysis]:
    from analyzer.bundle.layout import ModuleIndex, Package
    from analyzer.rules.engine import SourceJob, analyse_files

    assert isinstance(package, Package) and isinstance(source_index, ModuleIndex)
    local_modules = frozenset(
        name for name in source_index.modules if "." not in name and source_index.provides(name)
    )
    sources = package.sources
    jobs = [
        SourceJob(
            file=Path(source.absolute),
            path=source.path,
            module=source_index.module_of_path.get(source.path),
            local_modules=local_modules,
        )
        for source in sources
    ]
    if progress is not None:
        progress("analysing source", 0, len(jobs))
    results = analyse_files(jobs, workers=options.workers)
    if progress is not None:
        progress("analysing source", len(jobs), len(jobs))
    analyses: dict[str, SourceAnalysis] = {}
    for source, analysis in zip(sources, results, strict=True):
        findings = tuple(
            dataclasses.replace(finding, component=source.component)
            for finding in analysis.findings
        )
        analyses[source.path] = dataclasses.replace(analysis, findings=findings)
    return analyses


def _binary_findings(package: object, source_runtime: Runtime) -> list[Finding]:
    """Native extensions and ``.pyc``-only modules that cannot load everywhere."""
    from analyzer.bundle.layout import Package
    from analyzer.bundle.native import extension_findings, inspect_extension
    from analyzer.bundle.pyc import inspect_pyc, pyc_findings

    assert isinstance(package, Package)
    architecture = package.function.architecture
    wheel_tags: dict[tuple[str | None, str | None], tuple[str, ...]] = {
        (distribution.name, distribution.version): distribution.wheel_tags
        for distribution in package.distributions
    }
    findings: list[Finding] = []
    for native in package.native_files:
        extension = inspect_extension(Path(native.absolute), native.path)
        findings.extend(
            extension_findings(
                extension,
                native.component,
                source_python=source_runtime.python,
                architecture=architecture,
                wheel_tags=wheel_tags.get((native.distribution, native.distribution_version), ()),
            )
        )
    sources = {source.path for source in package.sources}
    for compiled in package.bytecode:
        if compiled.cached:
            continue
        if compiled.path.removesuffix("c") in sources:
            continue
        module = inspect_pyc(Path(compiled.absolute), compiled.path)
        findings.extend(
            pyc_findings(module, compiled.component, source_python=source_runtime.python)
        )
    return findings


def _component_of(package: object, distribution: object) -> Component | None:
    from analyzer.bundle.distributions import Distribution
    from analyzer.bundle.layout import Package

    assert isinstance(package, Package) and isinstance(distribution, Distribution)
    for package_file in package.files:
        if package_file.path.startswith(distribution.metadata_path):
            return package_file.component
    return None


def _check_dependencies(
    function: Function, targets: Sequence[Runtime], options: AnalysisOptions
) -> tuple[tuple[Finding, ...], dict[str, tuple[DependencyRow, ...]], list[AnalysisError]]:
    from analyzer.deps import DependencyOptions, check_dependencies

    result = check_dependencies(
        Path(function.code_root),
        targets,
        function.architecture,
        DependencyOptions(
            index_url=options.index_url,
            extra_index_urls=options.extra_index_urls,
            cache_dir=options.cache_dir,
            use_cache=options.use_cache,
            vulnerabilities=options.vulnerabilities,
            advisories_dir=options.advisories,
        ),
    )
    return result.findings, dict(result.rows_by_target), list(result.errors)


# --------------------------------------------------------------------------- scan requests


@dataclass(frozen=True)
class ScanRequest:
    """What ``lambda-analyzer scan`` was asked to do."""

    target: str
    target_runtimes: tuple[str, ...]
    source_runtime: str | None = None
    handler: str | None = None
    architecture: str | None = None
    config: Path | None = None
    layers: tuple[Path, ...] = ()
    region: str | None = None
    profile: str | None = None
    cache_dir: Path | None = None
    use_cache: bool = True
    check_dependencies: bool = True
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    vulnerabilities: bool = True
    advisories: Path | None = None

    @property
    def options(self) -> AnalysisOptions:
        return AnalysisOptions(
            check_dependencies=self.check_dependencies,
            index_url=self.index_url,
            extra_index_urls=self.extra_index_urls,
            vulnerabilities=self.vulnerabilities,
            advisories=self.advisories,
            cache_dir=self.cache_dir,
            use_cache=self.use_cache,
        )


def scan_target(request: ScanRequest, *, progress: Progress | None = None) -> list[FunctionReport]:
    """Load the function ``request`` names (a local path, or a function in AWS) and analyse it."""
    targets = [get_runtime(name) for name in request.target_runtimes]
    with tempfile.TemporaryDirectory(prefix="lambda-analyzer-") as workdir:
        function, errors = load_function(request, Path(workdir))
        templates: dict[str, list[Finding]] = {}
        case = _case_of(Path(request.target), request)
        if case is not None:
            templates, template_errors = case_template_findings(case, targets)
            errors.extend(template_errors)
        return analyse_function(
            function,
            targets,
            request.options,
            errors=errors,
            progress=progress,
            template_findings=templates,
        )


def load_function(request: ScanRequest, workdir: Path) -> tuple[Function, list[AnalysisError]]:
    """The function named by ``request``, on disk under ``workdir`` when it is fetched."""
    from analyzer.errors import InputError
    from analyzer.fetch.lambda_api import is_function_target
    from analyzer.fetch.local import load_local_function, read_configuration

    path = Path(request.target)
    errors: list[AnalysisError] = []
    remote = is_function_target(request.target)
    if remote and (request.config is not None or request.layers):
        raise InputError(
            f"{request.target}: --config and --layer describe a local package; a deployed "
            "function's configuration and layers come from AWS"
        )
    if not remote:
        config_path = request.config
        if config_path is None and _is_case_folder(path):
            # The layout of sample_functions/ and of batch folders: the configuration beside
            # the code, layers under layers/<name>/.
            config_path, path = path / "configuration.json", path / "function"
        config = read_configuration(config_path) if config_path else None
        function = load_local_function(
            path,
            workdir,
            config=config,
            layers=request.layers,
            runtime=request.source_runtime,
            handler=request.handler,
            architecture=request.architecture,
            errors=errors,
        )
        if not errors and not _holds_python(function):
            raise InputError(
                f"{request.target}: no Python code (no .py, .pyc or extension module) in the "
                "package or its layers"
            )
        return function, errors
    return _load_remote(request, workdir)


def case_template_findings(
    case: Path, targets: Sequence[Runtime]
) -> tuple[dict[str, list[Finding]], list[AnalysisError]]:
    """What the templates under ``case/iac`` say of the runtimes and layers they deploy, per
    target: the findings ``lambda-analyzer ci`` gives a template (deprecated runtimes, layers
    that do not fit), with paths relative to ``case``."""
    import datetime as dt

    from analyzer.iac.discover import read_repository
    from analyzer.iac.findings import (
        deprecated_runtime_finding,
        function_build_method_finding,
        layer_findings,
    )

    templates = read_repository(case, excludes=("function", "layers"))
    today = dt.date.today()
    errors = [error for template in templates for error in template.errors]
    definitions = [function for template in templates for function in template.functions]
    users: dict[object, list[str]] = {}
    for definition in definitions:
        if definition.runtime is not None:
            users.setdefault(definition.runtime.location, []).append(definition.name)
    found: dict[str, list[Finding]] = {target.name: [] for target in targets}
    for target in targets:
        seen: set[tuple[str, str, int | None]] = set()
        for definition in definitions:
            candidates: list[Finding] = []
            if definition.runtime is not None:
                deprecated = deprecated_runtime_finding(
                    definition.runtime,
                    definition.template,
                    users[definition.runtime.location],
                    target.name,
                    today,
                )
                candidates += [deprecated] if deprecated is not None else []
            build = function_build_method_finding(definition, target.name, today)
            candidates += [build] if build is not None else []
            for reference in definition.layers:
                if reference.definition is not None:
                    candidates += layer_findings(
                        reference.definition, definition, target.name, today
                    )
            for finding in candidates:
                # A setting shared by several functions (SAM Globals) is one finding.
                key = (finding.rule_id, finding.location.path, finding.location.line)
                if key not in seen:
                    seen.add(key)
                    found[target.name].append(finding)
    return found, errors


def _case_of(path: Path, request: ScanRequest) -> Path | None:
    """The case folder whose ``iac/`` templates deploy the scanned code: the folder given, in
    the layout of the shared cases, or the one holding ``function/`` (or ``function.zip``)
    when that is what was given, as its ``layers/`` are looked for beside it."""
    if request.config is None and _is_case_folder(path):
        case = path
    elif path.name in ("function", "function.zip"):
        case = path.parent
    else:
        return None
    return case if (case / "iac").is_dir() else None


def _is_case_folder(path: Path) -> bool:
    return (path / "configuration.json").is_file() and (path / "function").is_dir()


_PYTHON_SUFFIXES = (".py", ".pyc", ".so", ".pyd")


def _holds_python(function: Function) -> bool:
    """Whether the function's code or layers hold a file Python could import."""
    import os

    roots = [function.code_root, *(layer.root for layer in function.layers)]
    for root in roots:
        if not root:
            continue
        for _folder, _dirs, files in os.walk(root):
            if any(name.endswith(_PYTHON_SUFFIXES) for name in files):
                return True
    return False


def _load_remote(request: ScanRequest, workdir: Path) -> tuple[Function, list[AnalysisError]]:
    from analyzer.fetch.cache import open_cache
    from analyzer.fetch.remote import fetch_function

    fetched = fetch_function(
        request.target,
        region=request.region,
        profile=request.profile,
        cache=open_cache(request.cache_dir, enabled=request.use_cache),
        workdir=workdir,
        runtime=request.source_runtime,
        handler=request.handler,
        architecture=request.architecture,
    )
    return fetched.function, list(fetched.errors)
