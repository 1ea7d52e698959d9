"""A full resolve of a requirement set for a target, with resolvelib and the index's metadata."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version
from resolvelib import AbstractProvider, BaseReporter, ResolutionImpossible, Resolver
from resolvelib.resolvers import RequirementInformation, ResolutionTooDeep

from analyzer.deps.fit import (
    best_wheel,
    files_by_version,
    installable_sdist,
    is_exact_pin,
    matching_versions,
)
from analyzer.deps.index import DistributionFile, IndexClient
from analyzer.deps.sources import DeclaredRequirement
from analyzer.deps.target import TargetEnvironment
from analyzer.models import Location

logger = logging.getLogger(__name__)

MAX_ROUNDS = 5000


@dataclass(frozen=True)
class ResolverRequirement:
    """A requirement as the resolver sees it: a project, extras and a specifier."""

    name: NormalizedName
    extras: frozenset[str]
    specifier: SpecifierSet
    declared: DeclaredRequirement | None = field(default=None, compare=False)
    """The file line it comes from, for a top-level requirement."""

    @property
    def identifier(self) -> str:
        """``name`` or ``name[extra,...]``: extras are resolved as their own project."""
        return _identifier(self.name, self.extras)

    def __str__(self) -> str:
        extras = f"[{','.join(sorted(self.extras))}]" if self.extras else ""
        return f"{self.name}{extras}{self.specifier}"


def _identifier(name: str, extras: frozenset[str]) -> str:
    return f"{name}[{','.join(sorted(extras))}]" if extras else name


@dataclass(frozen=True)
class Candidate:
    """One release of a project, through the file that would be installed."""

    name: NormalizedName
    version: Version
    extras: frozenset[str]
    file: DistributionFile = field(compare=False)

    @property
    def identifier(self) -> str:
        """The identifier of the requirement it answers."""
        return _identifier(self.name, self.extras)

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


@dataclass(frozen=True)
class Resolution:
    """The outcome of one resolve."""

    ok: bool
    pins: Mapping[NormalizedName, Candidate] = field(default_factory=dict)
    roots: Mapping[NormalizedName, Location] = field(default_factory=dict)
    """For every resolved project, the top-level requirement that brought it in."""
    conflict: str | None = None
    conflict_location: Location | None = None
    missing: tuple[NormalizedName, ...] = ()
    """Projects for which no requirement could be met at all (nothing installable)."""
    unknown_metadata: tuple[str, ...] = ()
    """Candidates whose requirements could not be read (treated as having none)."""


class IndexProvider(AbstractProvider[ResolverRequirement, Candidate, str]):
    """resolvelib's provider over an :class:`IndexClient` for one target."""

    def __init__(
        self,
        client: IndexClient,
        target: TargetEnvironment,
        *,
        allow_sdists: bool,
        constraints: Mapping[NormalizedName, Sequence[SpecifierSet]],
    ) -> None:
        self.client = client
        self.target = target
        self.allow_sdists = allow_sdists
        self.constraints = constraints
        self.unknown_metadata: list[str] = []

    def identify(self, requirement_or_candidate: ResolverRequirement | Candidate) -> str:
        return requirement_or_candidate.identifier

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[RequirementInformation[ResolverRequirement, Candidate]]],
        backtrack_causes: Sequence[RequirementInformation[ResolverRequirement, Candidate]],
    ) -> Any:
        requirements = [info.requirement for info in information[identifier]]
        pinned = any(
            specifier.operator in ("==", "===")
            for requirement in requirements
            for specifier in requirement.specifier
        )
        in_conflict = any(cause.requirement.name == identifier for cause in backtrack_causes)
        return (not in_conflict, not pinned, identifier)

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[ResolverRequirement]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> list[Candidate]:
        asked = list(requirements[identifier])
        if not asked:
            return []
        name, extras = asked[0].name, asked[0].extras
        specifiers = [requirement.specifier for requirement in asked]
        specifiers.extend(self.constraints.get(name, ()))
        excluded = {candidate.version for candidate in incompatibilities[identifier]}
        releases = files_by_version(self.client.project_files(name))
        found: list[Candidate] = []
        for version in matching_versions(releases, specifiers):
            if version in excluded:
                continue
            allow_yanked = is_exact_pin(specifiers, version)
            file = best_wheel(releases[version], self.target, allow_yanked=allow_yanked)
            if file is None and self.allow_sdists:
                file = installable_sdist(releases[version], self.target, allow_yanked=allow_yanked)
            if file is not None:
                found.append(Candidate(name, version, extras, file))
        return found

    def is_satisfied_by(self, requirement: ResolverRequirement, candidate: Candidate) -> bool:
        return requirement.specifier.contains(candidate.version, prereleases=True)

    def get_dependencies(self, candidate: Candidate) -> list[ResolverRequirement]:
        dependencies: list[ResolverRequirement] = []
        if candidate.extras:
            # The extras' candidate stands for its base release too.
            dependencies.append(
                ResolverRequirement(
                    candidate.name, frozenset(), SpecifierSet(f"=={candidate.version}")
                )
            )
        metadata = self.client.core_metadata(candidate.file)
        if metadata is None:
            self.unknown_metadata.append(str(candidate))
            return dependencies
        for line in metadata.get_all("Requires-Dist") or []:
            try:
                requirement = Requirement(str(line))
            except InvalidRequirement:
                logger.debug("%s: unreadable Requires-Dist %r", candidate, line)
                continue
            if not self.target.marker_applies(requirement.marker, candidate.extras):
                continue
            dependencies.append(
                ResolverRequirement(
                    canonicalize_name(requirement.name),
                    frozenset(canonicalize_name(extra) for extra in requirement.extras),
                    requirement.specifier,
                )
            )
        return dependencies


def top_level_requirements(
    requirements: Iterable[DeclaredRequirement],
) -> list[ResolverRequirement]:
    """The index requirements of a set, as the resolver takes them."""
    resolved: list[ResolverRequirement] = []
    for declared in requirements:
        if declared.requirement is None or declared.direct_reference is not None:
            continue
        resolved.append(
            ResolverRequirement(
                declared.name,
                frozenset(canonicalize_name(extra) for extra in declared.requirement.extras),
                declared.requirement.specifier,
                declared,
            )
        )
    return resolved


def prefetch_metadata(
    client: IndexClient, requirements: Sequence[ResolverRequirement], target: TargetEnvironment
) -> None:
    """Read the metadata of every exact pin's wheel at once, before the resolve asks in turn."""
    files: list[DistributionFile] = []
    for requirement in requirements:
        releases = files_by_version(client.project_files(requirement.name))
        for version in matching_versions(releases, [requirement.specifier])[:1]:
            if is_exact_pin([requirement.specifier], version):
                wheel = best_wheel(releases[version], target, allow_yanked=True)
                if wheel is not None:
                    files.append(wheel)
    with ThreadPoolExecutor(max_workers=client.workers) as pool:
        list(pool.map(client.core_metadata, files))


def resolve(
    client: IndexClient,
    target: TargetEnvironment,
    requirements: Sequence[ResolverRequirement],
    constraints: Mapping[NormalizedName, Sequence[SpecifierSet]],
    *,
    allow_sdists: bool,
) -> Resolution:
    """Resolve ``requirements`` for ``target``; raises ``PackageIndexError`` if the index fails."""
    provider = IndexProvider(client, target, allow_sdists=allow_sdists, constraints=constraints)
    resolver: Resolver[ResolverRequirement, Candidate, str] = Resolver(provider, BaseReporter())
    try:
        result = resolver.resolve(requirements, max_rounds=MAX_ROUNDS)
    except ResolutionImpossible as error:
        causes: list[RequirementInformation[ResolverRequirement, Candidate]] = list(error.causes)
        return _impossible(causes, provider)
    except ResolutionTooDeep:
        return Resolution(
            ok=False,
            conflict=f"the resolver gave up after {MAX_ROUNDS} rounds",
            unknown_metadata=tuple(provider.unknown_metadata),
        )
    pins = {
        candidate.name: candidate for candidate in result.mapping.values() if not candidate.extras
    }
    top = {requirement.identifier: requirement for requirement in requirements}
    roots: dict[NormalizedName, Location] = {}
    for identifier, candidate in result.mapping.items():
        root = _root_of(identifier, result.graph, top)
        if root is not None and candidate.name not in roots:
            roots[candidate.name] = root
    return Resolution(
        ok=True, pins=pins, roots=roots, unknown_metadata=tuple(provider.unknown_metadata)
    )


def _root_of(
    identifier: str, graph: Any, top: Mapping[str, ResolverRequirement]
) -> Location | None:
    seen: set[str] = set()
    pending: list[str] = [identifier]
    while pending:
        current = pending.pop(0)
        if current in seen:
            continue
        seen.add(current)
        requirement = top.get(current)
        if requirement is not None and requirement.declared is not None:
            return requirement.declared.location
        pending.extend(parent for parent in graph.iter_parents(current) if parent is not None)
    return None


def _impossible(
    causes: list[RequirementInformation[ResolverRequirement, Candidate]],
    provider: IndexProvider,
) -> Resolution:
    by_name: dict[str, list[RequirementInformation[ResolverRequirement, Candidate]]] = {}
    for cause in causes:
        by_name.setdefault(cause.requirement.name, []).append(cause)
    parts: list[str] = []
    location: Location | None = None
    missing: list[NormalizedName] = []
    for name, infos in by_name.items():
        asked = [_describe_cause(info) for info in infos]
        if len(infos) == 1:
            parts.append(f"nothing installable satisfies {asked[0]}")
            missing.append(infos[0].requirement.name)
        else:
            parts.append(f"{name}: " + " and ".join(asked) + " cannot both hold")
        for info in infos:
            declared = info.requirement.declared
            if location is None and declared is not None:
                location = declared.location
    return Resolution(
        ok=False,
        conflict="; ".join(parts),
        conflict_location=location,
        missing=tuple(missing) if len(missing) == len(by_name) else (),
        unknown_metadata=tuple(provider.unknown_metadata),
    )


def _describe_cause(info: RequirementInformation[ResolverRequirement, Candidate]) -> str:
    requirement = info.requirement
    if info.parent is not None:
        return f"{requirement} (required by {info.parent})"
    declared = requirement.declared
    where = f" ({declared.location})" if declared is not None else ""
    return f"{requirement}{where}"
