"""The ``deps`` stage: each pin against the index for each target, a full resolve, advisories."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from analyzer.deps.cache import DEFAULT_TTL_SECONDS, DiskCache, default_cache_dir
from analyzer.deps.fit import (
    NO_DISTRIBUTION,
    SDIST_ONLY,
    WHEEL,
    PinFit,
    files_by_version,
    fit_requirement,
    lowest_fitting_version,
    sdist_native_code,
)
from analyzer.deps.index import DistributionFile, IndexClient
from analyzer.deps.pipconfig import index_configuration, redact_text, redact_url
from analyzer.deps.resolve import (
    Resolution,
    prefetch_metadata,
    resolve,
    top_level_requirements,
)
from analyzer.deps.sources import (
    DeclaredRequirement,
    RequirementSet,
    SourceReading,
    read_sources,
)
from analyzer.deps.target import LAMBDA_MACHINES, TargetEnvironment
from analyzer.deps.vulnerabilities import (
    KnownVulnerability,
    VulnerabilityCheckError,
    audit,
    check_advisories_dir,
    vulnerability_service,
)
from analyzer.errors import PackageIndexError
from analyzer.models import (
    AnalysisError,
    Category,
    Component,
    ComponentKind,
    DependencyRow,
    Finding,
    Location,
    Reach,
    Runtime,
)

logger = logging.getLogger(__name__)

STAGE = "deps"
VENDORED = "vendored"
NOT_CHECKED = "not-checked"


@dataclass(frozen=True)
class DependencyOptions:
    """How to reach the index and the advisories."""

    index_url: str | None = None
    """``--index-url``; ``None`` reads pip's configuration (and requirement files)."""
    extra_index_urls: tuple[str, ...] = ()
    cache_dir: Path | None = None
    """Where the on-disk index cache lives; ``None`` is the user cache folder."""
    use_cache: bool = True
    """Whether to read and write the on-disk cache (the in-memory one always serves a run)."""
    vulnerabilities: bool = True
    advisories_dir: Path | None = None
    """A folder of OSV advisories to use instead of the online service."""
    timeout: float = 15.0
    include_vendored: bool = True
    cache_ttl: float = DEFAULT_TTL_SECONDS


@dataclass(frozen=True)
class SetVerdict:
    """Whether one requirement set installs on one target."""

    requirement_set: str
    installs_from_wheels: bool | None
    """``None`` when the index could not be asked."""
    installs: bool | None
    """Whether it installs when sdists may be built."""
    conflict: str | None = None
    resolved: tuple[tuple[str, str], ...] = ()
    """(name, version) of every distribution the resolve installs."""
    unknown_metadata: tuple[str, ...] = ()


@dataclass(frozen=True)
class DependencyResult:
    """The dependency part of a report, for every target asked."""

    rows_by_target: dict[str, tuple[DependencyRow, ...]] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    errors: tuple[AnalysisError, ...] = ()
    verdicts: dict[str, tuple[SetVerdict, ...]] = field(default_factory=dict)
    vulnerabilities: tuple[KnownVulnerability, ...] = ()
    sources: tuple[str, ...] = ()
    """Files read, relative to the function root."""
    indexes: tuple[str, ...] = ()
    """Index URLs asked, without credentials."""

    @property
    def checked(self) -> bool:
        """Whether the index answered for everything (no analysis error)."""
        return not self.errors

    def installs_from_wheels(self, target: str) -> bool | None:
        """Whether every requirement set installs from wheels on ``target`` (``None``: unknown)."""
        verdicts = self.verdicts.get(target, ())
        if any(verdict.installs_from_wheels is None for verdict in verdicts):
            return None
        return all(verdict.installs_from_wheels for verdict in verdicts)


_CLIENTS: dict[tuple[object, ...], IndexClient] = {}
_CLIENTS_LOCK = threading.Lock()


def clear_run_cache() -> None:
    """Forget the in-memory index answers of this run."""
    with _CLIENTS_LOCK:
        for client in _CLIENTS.values():
            if client.cache is not None:
                client.cache.close()
        _CLIENTS.clear()


def _client_for(urls: tuple[str, ...], options: DependencyOptions) -> IndexClient:
    cache_dir = (options.cache_dir or default_cache_dir()) if options.use_cache else None
    key = (urls, options.timeout, cache_dir, options.cache_ttl)
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            cache = DiskCache(cache_dir, options.cache_ttl) if cache_dir is not None else None
            client = IndexClient(urls, timeout=options.timeout, cache=cache)
            _CLIENTS[key] = client
        return client


@dataclass
class _PinOutcome:
    declared: DeclaredRequirement
    fits: dict[str, PinFit] = field(default_factory=dict)


@dataclass
class _Run:
    client: IndexClient
    targets: list[TargetEnvironment]
    rows: dict[str, list[DependencyRow]] = field(default_factory=lambda: defaultdict(list))
    verdicts: dict[str, list[SetVerdict]] = field(default_factory=lambda: defaultdict(list))
    outcomes: dict[tuple[str, int | None, str], _PinOutcome] = field(default_factory=dict)
    resolutions: list[tuple[RequirementSet, TargetEnvironment, Resolution]] = field(
        default_factory=list
    )
    errors: list[AnalysisError] = field(default_factory=list)
    seen_rows: set[tuple[str, str, int | None, str]] = field(default_factory=set)


def check_dependencies(
    function_root: Path,
    targets: Sequence[Runtime],
    architecture: str,
    options: DependencyOptions,
) -> DependencyResult:
    """Check a function's dependencies for each target runtime on ``architecture``.

    An index that fails leaves the rows ``not-checked`` and an analysis error saying why; a
    line that does not parse is a ``requirement-invalid`` finding. Only a usage error raises:
    ``InputError`` for an advisories folder that is missing or unreadable, before any work.
    """
    if options.vulnerabilities and options.advisories_dir is not None:
        check_advisories_dir(options.advisories_dir)
    reading = read_sources(function_root, options.include_vendored)
    if not reading.sets:
        return DependencyResult(findings=reading.findings, sources=reading.files)
    environments = [TargetEnvironment(runtime, architecture) for runtime in targets]
    try:
        return _check(reading, environments, architecture, options)
    except Exception as error:  # the stage's boundary: one function's oddity never stops a batch
        logger.warning("dependency check failed: %s", redact_text(repr(error)))
        logger.debug("dependency check failure", exc_info=True)
        reason = f"internal error ({type(error).__name__}: {error})"
        return _not_checked(reading.sets, environments, reading, reason, options)


def _check(
    reading: SourceReading,
    environments: list[TargetEnvironment],
    architecture: str,
    options: DependencyOptions,
) -> DependencyResult:
    if architecture not in LAMBDA_MACHINES:
        return _not_checked(
            reading.sets, environments, reading, f"unknown architecture {architecture!r}", options
        )
    file_index = next((s.index_url for s in reading.sets if s.index_url), None)
    file_extras = tuple(url for s in reading.sets for url in s.extra_index_urls)
    configuration = index_configuration(
        options.index_url, options.extra_index_urls, None, file_index, file_extras
    )
    if not configuration.urls:
        return _not_checked(
            reading.sets, environments, reading, "no package index is configured", options
        )
    client = _client_for(configuration.urls, options)
    logger.debug("package indexes (%s): %s", configuration.origin, ", ".join(client.display_urls))

    names = {
        declared.name
        for requirement_set in reading.sets
        for declared in (*requirement_set.requirements, *requirement_set.constraints)
        if declared.requirement is not None and declared.direct_reference is None
    }
    failures = client.prefetch(names)
    if failures:
        reason = str(failures[sorted(failures)[0]])
        return _not_checked(reading.sets, environments, reading, reason, options, client)

    run = _Run(client, environments)
    for environment in environments:
        for requirement_set in reading.sets:
            try:
                _check_set(run, requirement_set, environment)
            except PackageIndexError as error:
                run.errors.append(_index_error(str(error)))
                run.verdicts[environment.name].append(
                    SetVerdict(requirement_set.name, None, None, redact_text(str(error)))
                )

    findings = [*reading.findings, *_pin_findings(run), *_resolution_findings(run)]
    vulnerabilities, vulnerability_findings, vulnerability_errors = _vulnerabilities(
        run, reading.sets, options
    )
    findings.extend(vulnerability_findings)
    return DependencyResult(
        rows_by_target={name: tuple(rows) for name, rows in run.rows.items()},
        findings=_unique(findings),
        errors=tuple(dict.fromkeys([*run.errors, *vulnerability_errors])),
        verdicts={name: tuple(verdicts) for name, verdicts in run.verdicts.items()},
        vulnerabilities=tuple(vulnerabilities),
        sources=reading.files,
        indexes=client.display_urls,
    )


def _index_error(reason: str) -> AnalysisError:
    return AnalysisError(STAGE, f"dependencies not checked: {redact_text(reason)}")


def _not_checked(
    sets: Sequence[RequirementSet],
    environments: Sequence[TargetEnvironment],
    reading: SourceReading,
    reason: str,
    options: DependencyOptions,
    client: IndexClient | None = None,
) -> DependencyResult:
    shown_reason = redact_text(reason)
    rows: dict[str, tuple[DependencyRow, ...]] = {}
    verdicts: dict[str, tuple[SetVerdict, ...]] = {}
    for environment in environments:
        rows[environment.name] = tuple(
            DependencyRow(
                declared.name,
                declared.pinned_version,
                declared.location,
                NOT_CHECKED,
                detail=shown_reason,
            )
            for requirement_set in sets
            for declared in requirement_set.requirements_for(environment)
        )
        verdicts[environment.name] = tuple(
            SetVerdict(requirement_set.name, None, None, shown_reason)
            for requirement_set in sets
            if not requirement_set.vendored
        )
    pins = _exact_pins(sets)
    vulnerabilities, findings, errors = _audit_releases(pins, options)
    return DependencyResult(
        rows_by_target=rows,
        findings=_unique([*reading.findings, *findings]),
        errors=(_index_error(reason), *errors),
        verdicts=verdicts,
        vulnerabilities=tuple(vulnerabilities),
        sources=reading.files,
        indexes=client.display_urls if client is not None else (),
    )


def _constraints_for(
    requirement_set: RequirementSet, environment: TargetEnvironment
) -> dict[NormalizedName, list[SpecifierSet]]:
    constraints: dict[NormalizedName, list[SpecifierSet]] = defaultdict(list)
    for declared in requirement_set.constraints:
        if declared.requirement is not None and declared.applies_to(environment):
            constraints[declared.name].append(declared.requirement.specifier)
    return constraints


def _check_set(run: _Run, requirement_set: RequirementSet, environment: TargetEnvironment) -> None:
    constraints = _constraints_for(requirement_set, environment)
    requirements = requirement_set.requirements_for(environment)
    for declared in requirements:
        # A file included by several requirement files is one row, not one per includer.
        row_key = (environment.name, declared.location.path, declared.location.line, declared.name)
        if row_key not in run.seen_rows:
            run.seen_rows.add(row_key)
            run.rows[environment.name].append(_row(run, declared, environment, constraints))
    if requirement_set.vendored:
        return
    top_level = top_level_requirements(requirements)
    prefetch_metadata(run.client, top_level, environment)
    wheels_only = resolve(run.client, environment, top_level, constraints, allow_sdists=False)
    resolution = wheels_only
    if not wheels_only.ok:
        resolution = resolve(run.client, environment, top_level, constraints, allow_sdists=True)
    run.resolutions.append((requirement_set, environment, resolution))
    run.verdicts[environment.name].append(
        SetVerdict(
            requirement_set.name,
            installs_from_wheels=wheels_only.ok,
            installs=resolution.ok,
            conflict=resolution.conflict,
            resolved=tuple(
                sorted((str(name), str(pin.version)) for name, pin in resolution.pins.items())
            ),
            unknown_metadata=resolution.unknown_metadata,
        )
    )


def _row(
    run: _Run,
    declared: DeclaredRequirement,
    environment: TargetEnvironment,
    constraints: Mapping[NormalizedName, Sequence[SpecifierSet]],
) -> DependencyRow:
    if declared.requirement is None or declared.direct_reference is not None:
        return DependencyRow(
            declared.name,
            declared.pinned_version,
            declared.location,
            NOT_CHECKED,
            detail=f"not looked up on the index: {declared.direct_reference}",
        )
    releases = files_by_version(run.client.project_files(declared.name))
    specifiers = [declared.requirement.specifier, *constraints.get(declared.name, ())]
    fit = fit_requirement(run.client, releases, specifiers, environment)
    key = (declared.location.path, declared.location.line, declared.name)
    run.outcomes.setdefault(key, _PinOutcome(declared)).fits[environment.name] = fit
    version = str(fit.version) if fit.version is not None else declared.pinned_version
    fitting = str(fit.fitting_version) if fit.fitting_version is not None else None
    if declared.vendored:
        detail = f"installed in the package; for a rebuild on {environment.name}: {fit.status}"
        detail += f" ({fit.detail})" if fit.detail else ""
        return DependencyRow(declared.name, version, declared.location, VENDORED, detail, fitting)
    return DependencyRow(declared.name, version, declared.location, fit.status, fit.detail, fitting)


def _component(declared: DeclaredRequirement, version: str | None) -> Component:
    kind = ComponentKind.VENDORED if declared.vendored else ComponentKind.REQUIREMENTS
    return Component(kind, declared.name, version)


def _pin_findings(run: _Run) -> list[Finding]:
    findings: list[Finding] = []
    environments = {environment.name: environment for environment in run.targets}
    for outcome in run.outcomes.values():
        declared = outcome.declared
        if declared.vendored:
            continue
        broken = [
            name
            for name, fit in outcome.fits.items()
            if fit.status == NO_DISTRIBUTION
            or (fit.status == SDIST_ONLY and fit.native is not None and fit.native.native is True)
        ]
        built = [
            name
            for name, fit in outcome.fits.items()
            if fit.status == SDIST_ONLY and name not in broken
        ]
        releases = files_by_version(run.client.project_files(declared.name))
        if broken:
            findings.append(_no_wheel_finding(declared, outcome, broken, releases, environments))
        if built:
            findings.append(_sdist_only_finding(declared, outcome, built, releases, environments))
    return findings


def _targets_text(names: Sequence[str], environments: Mapping[str, TargetEnvironment]) -> str:
    machine = environments[names[0]].machine
    return f"{', '.join(names)} ({machine})"


def _upgrade_hint(
    name: str,
    releases: Mapping[Version, Sequence[DistributionFile]],
    names: Sequence[str],
    environments: Mapping[str, TargetEnvironment],
    above: Version | None,
) -> tuple[str | None, str]:
    """The lowest release to move to (when one fits every target in ``names``) and the fix."""
    wanted = [environments[target] for target in names]
    fitting = lowest_fitting_version(releases, wanted, above)
    if fitting is not None:
        return str(fitting), (
            f"Upgrade to {name}>={fitting}, the lowest release with a wheel for "
            f"{', '.join(names)}, and test the upgrade."
        )
    per_target = {
        target.name: lowest_fitting_version(releases, [target], above) for target in wanted
    }
    found = [f"{version} for {target}" for target, version in per_target.items() if version]
    missing = [target for target, version in per_target.items() if version is None]
    rebuild = (
        "build it on the target runtime (a container image of the runtime, e.g. "
        "sam build --use-container) and deploy the built package"
    )
    if not found:
        return (
            None,
            f"No release of {name} has a wheel for {', '.join(names)}: replace it, or {rebuild}.",
        )
    return None, (
        f"Upgrade {name}; the lowest releases with a wheel are {', '.join(found)}; none has "
        f"one for {', '.join(missing)}: replace it there, or {rebuild}."
    )


def _no_wheel_finding(
    declared: DeclaredRequirement,
    outcome: _PinOutcome,
    broken: Sequence[str],
    releases: Mapping[Version, Sequence[DistributionFile]],
    environments: Mapping[str, TargetEnvironment],
) -> Finding:
    fit = outcome.fits[broken[0]]
    version = str(fit.version) if fit.version is not None else declared.pinned_version
    shown = f"{declared.name} {version}" if version else declared.text
    if fit.status == SDIST_ONLY and fit.native is not None:
        why = f"only an sdist, which needs a compiler to build ({fit.native.reason})"
    else:
        why = fit.detail or "nothing installable"
    _fitting, fix = _upgrade_hint(declared.name, releases, broken, environments, fit.version)
    return Finding(
        rule_id="dependency-no-wheel",
        category=Category.DEPENDENCY,
        message=f"{shown} has no wheel for {_targets_text(broken, environments)}: {why}",
        location=declared.location,
        fix=fix,
        component=_component(declared, version),
        symbol=declared.name,
        broken_on=tuple(broken),
        reach=Reach.PACKAGE,
        mechanical=_fitting is not None,
    )


def _sdist_only_finding(
    declared: DeclaredRequirement,
    outcome: _PinOutcome,
    built: Sequence[str],
    releases: Mapping[Version, Sequence[DistributionFile]],
    environments: Mapping[str, TargetEnvironment],
) -> Finding:
    fit = outcome.fits[built[0]]
    version = str(fit.version) if fit.version is not None else declared.pinned_version
    reason = fit.native.reason if fit.native is not None else ""
    sdist = fit.sdist.filename if fit.sdist is not None else "its sdist"
    fitting, hint = _upgrade_hint(declared.name, releases, built, environments, fit.version)
    fix = (
        hint
        if fitting is not None
        else "Nothing to change if the build has pip's build tools; or build a wheel "
        "once and deploy it with the package."
    )
    return Finding(
        rule_id="dependency-sdist-only",
        category=Category.DEPENDENCY,
        message=(
            f"{declared.name} {version} has no wheel for {_targets_text(built, environments)}: "
            f"pip builds {sdist} at deploy time ({reason})"
        ),
        location=declared.location,
        fix=fix,
        component=_component(declared, version),
        symbol=declared.name,
        broken_on=tuple(built),
        reach=Reach.PACKAGE,
        mechanical=fitting is not None,
    )


def _resolution_findings(run: _Run) -> list[Finding]:
    conflicts: dict[tuple[str, str], tuple[Location, list[str]]] = {}
    transitive: dict[tuple[str, str, str], tuple[Location, list[str], bool, str]] = {}
    for requirement_set, environment, resolution in run.resolutions:
        declared_names = {declared.name for declared in requirement_set.requirements}
        if not resolution.ok and resolution.conflict is not None:
            if _explained_by_pins(run, requirement_set, environment, resolution):
                continue
            location = resolution.conflict_location or Location(requirement_set.name)
            entry = conflicts.setdefault(
                (requirement_set.name, resolution.conflict), (location, [])
            )
            entry[1].append(environment.name)
            continue
        for name, pin in resolution.pins.items():
            if pin.file.is_wheel or name in declared_names:
                continue
            releases = files_by_version(run.client.project_files(name))
            native_code = sdist_native_code(run.client, releases, pin.file)
            location = resolution.roots.get(name, Location(requirement_set.name))
            key = (location.path, str(name), str(pin.version))
            found = transitive.setdefault(
                key, (location, [], native_code.native is True, native_code.reason)
            )
            found[1].append(environment.name)
    findings: list[Finding] = []
    for (set_name, conflict), (location, broken) in conflicts.items():
        findings.append(
            Finding(
                rule_id="dependency-conflict",
                category=Category.DEPENDENCY,
                message=f"the requirements of {set_name} do not install on "
                f"{', '.join(broken)}: {conflict}",
                location=location,
                fix="Relax or change the pins named in the conflict so that one release "
                "satisfies every requirement on the target runtime.",
                component=Component(ComponentKind.REQUIREMENTS, set_name),
                broken_on=tuple(broken),
                reach=Reach.PACKAGE,
            )
        )
    environments = {environment.name: environment for environment in run.targets}
    for (_path, project, version), (location, names, is_native, reason) in transitive.items():
        rule = "dependency-no-wheel" if is_native else "dependency-sdist-only"
        releases = files_by_version(run.client.project_files(project))
        fitting, fix = _upgrade_hint(project, releases, names, environments, Version(version))
        if fitting is not None:
            fix = (
                f"Add {project}>={fitting} to the requirement file: the lowest release with "
                f"a wheel for {', '.join(names)}."
            )
        findings.append(
            Finding(
                rule_id=rule,
                category=Category.DEPENDENCY,
                message=f"{project} {version}, a dependency of this requirement, has no wheel "
                f"for {', '.join(names)}: only an sdist ({reason})",
                location=location,
                fix=fix,
                component=Component(ComponentKind.REQUIREMENTS, project, version),
                symbol=project,
                broken_on=tuple(names),
                reach=Reach.PACKAGE,
                mechanical=fitting is not None,
            )
        )
    return findings


def _explained_by_pins(
    run: _Run,
    requirement_set: RequirementSet,
    environment: TargetEnvironment,
    resolution: Resolution,
) -> bool:
    """Whether the resolve failed only because top-level pins have nothing installable."""
    if not resolution.missing:
        return False
    for name in resolution.missing:
        outcomes = [
            outcome
            for outcome in run.outcomes.values()
            if outcome.declared.name == name
            and outcome.declared in requirement_set.requirements
            and environment.name in outcome.fits
        ]
        if not outcomes or any(
            outcome.fits[environment.name].status == WHEEL for outcome in outcomes
        ):
            return False
    return True


def _exact_pins(sets: Iterable[RequirementSet]) -> dict[tuple[str, str], DeclaredRequirement]:
    pins: dict[tuple[str, str], DeclaredRequirement] = {}
    for requirement_set in sets:
        for declared in requirement_set.requirements:
            version = declared.pinned_version
            if version is not None and declared.direct_reference is None:
                pins.setdefault((declared.name, version), declared)
    return pins


def _vulnerabilities(
    run: _Run, sets: Sequence[RequirementSet], options: DependencyOptions
) -> tuple[list[KnownVulnerability], list[Finding], list[AnalysisError]]:
    releases = _exact_pins(sets)
    for requirement_set, _environment, resolution in run.resolutions:
        declared_by_name = {declared.name: declared for declared in requirement_set.requirements}
        for name, pin in resolution.pins.items():
            key = (str(name), str(pin.version))
            if key in releases:
                continue
            declared = declared_by_name.get(name)
            if declared is None:
                location = resolution.roots.get(name, Location(requirement_set.name))
                declared = DeclaredRequirement(None, location, f"{name}=={pin.version}")
            releases[key] = declared
    return _audit_releases(releases, options)


def _audit_releases(
    releases: Mapping[tuple[str, str], DeclaredRequirement], options: DependencyOptions
) -> tuple[list[KnownVulnerability], list[Finding], list[AnalysisError]]:
    if not options.vulnerabilities or not releases:
        return [], [], []
    try:
        cache_dir = options.cache_dir or default_cache_dir()
        service = vulnerability_service(
            options.advisories_dir, cache_dir / "advisories", options.timeout
        )
        found = audit(service, releases)
    except (VulnerabilityCheckError, OSError) as error:
        message = f"vulnerabilities not checked: {redact_text(str(error))}"
        return [], [], [AnalysisError(STAGE, message)]
    findings = [_vulnerability_finding(item, releases[(item.name, item.version)]) for item in found]
    return found, findings, []


def _vulnerability_finding(
    vulnerability: KnownVulnerability, declared: DeclaredRequirement
) -> Finding:
    aliases = f" ({', '.join(vulnerability.aliases)})" if vulnerability.aliases else ""
    description = vulnerability.description
    if len(description) > 200:
        description = description[:197] + "..."
    if vulnerability.fix_versions:
        fix = (
            f"Upgrade {vulnerability.name} to {vulnerability.fix_versions[0]} or later "
            f"(fixed in {', '.join(vulnerability.fix_versions)})."
        )
    else:
        fix = f"No fixed release of {vulnerability.name} is known: replace it or limit exposure."
    return Finding(
        rule_id="vulnerability",
        category=Category.VULNERABILITY,
        message=f"{vulnerability.name} {vulnerability.version} has a known vulnerability "
        f"{vulnerability.id}{aliases}: {description}",
        location=declared.location,
        fix=fix,
        component=_component(declared, vulnerability.version)
        if declared.requirement is not None
        else Component(ComponentKind.REQUIREMENTS, vulnerability.name, vulnerability.version),
        symbol=vulnerability.id,
        reach=Reach.PACKAGE,
        mechanical=bool(vulnerability.fix_versions),
        severity=vulnerability.severity,
    )


def _unique(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(dict.fromkeys(findings))


__all__ = [
    "DependencyOptions",
    "DependencyResult",
    "SetVerdict",
    "check_dependencies",
    "clear_run_cache",
    "redact_url",
]
