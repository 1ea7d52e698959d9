"""What a dependency source yields: requirements with their file and line, grouped in sets."""

from __future__ import annotations

import re
import sys
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

from analyzer.deps.target import TargetEnvironment
from analyzer.models import Category, Component, ComponentKind, Finding, Location, Reach

_EGG = re.compile(r"#(?:.*&)?egg=(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)")
"""The project name a path or URL requirement gives in its ``#egg=`` fragment."""
_NAMED_REFERENCE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*@")
"""``name @ URL`` (PEP 508): the project name before the reference."""

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

TOMLDecodeError = tomllib.TOMLDecodeError


def load_toml(text: str) -> dict[str, Any]:
    """A TOML document (raises :data:`TOMLDecodeError`)."""
    return tomllib.loads(text)


@dataclass(frozen=True)
class DeclaredRequirement:
    """One requirement as a file states it, and where."""

    requirement: Requirement | None
    """``None`` for a direct reference pip would install from a path or URL."""
    location: Location
    text: str
    """The requirement as written (without options such as ``--hash``)."""
    hashes: tuple[str, ...] = ()
    direct_reference: str | None = None
    """Why the requirement is not looked up on the index (a path, a URL, an editable)."""
    vendored: bool = False

    @property
    def name(self) -> NormalizedName:
        """The project's normalised name; for a path or URL, the name it gives (``name @ URL``
        or ``#egg=``), else the reference as written (normalising would mangle a path)."""
        if self.requirement is None:
            named = _NAMED_REFERENCE.match(self.text) or _EGG.search(self.text)
            return canonicalize_name(named["name"]) if named else NormalizedName(self.text)
        return canonicalize_name(self.requirement.name)

    @property
    def pinned_version(self) -> str | None:
        """The version of an ``==`` (or ``===``) pin without wildcard, else ``None``."""
        if self.requirement is None:
            return None
        specifiers = list(self.requirement.specifier)
        if (
            len(specifiers) == 1
            and specifiers[0].operator in ("==", "===")
            and not (specifiers[0].version.endswith(".*"))
        ):
            return specifiers[0].version
        return None

    def applies_to(self, target: TargetEnvironment) -> bool:
        """Whether the requirement's environment marker holds for ``target``."""
        if self.requirement is None:
            return True
        return target.marker_applies(self.requirement.marker)


@dataclass(frozen=True)
class LockGraph:
    """The edges of a lock file, to tell which locked packages a target installs.

    ``roots`` and each entry of ``edges`` are (dependency name, marker, extras asked)
    triples; a dependency is installed when its marker holds for the target.
    """

    roots: tuple[tuple[NormalizedName, Marker | None], ...]
    edges: Mapping[NormalizedName, tuple[tuple[NormalizedName, Marker | None], ...]]

    def reachable(self, target: TargetEnvironment) -> set[NormalizedName]:
        """The locked packages that an install for ``target`` reaches."""
        seen: set[NormalizedName] = set()
        pending = [name for name, marker in self.roots if target.marker_applies(marker)]
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            for dependency, marker in self.edges.get(name, ()):
                if dependency not in seen and target.marker_applies(marker):
                    pending.append(dependency)
        return seen


@dataclass(frozen=True)
class RequirementSet:
    """Requirements installed together: one requirement file with its includes, one lock."""

    name: str
    """The root file's path relative to the function root."""
    kind: str
    """``requirements``, ``pyproject``, ``pipfile-lock``, ``poetry-lock``, ``uv-lock`` or
    ``vendored``."""
    requirements: tuple[DeclaredRequirement, ...]
    constraints: tuple[DeclaredRequirement, ...] = ()
    lock_graph: LockGraph | None = None
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()

    @property
    def locked(self) -> bool:
        """Whether the set comes from a lock file (every entry pinned)."""
        return self.kind.endswith("-lock")

    @property
    def vendored(self) -> bool:
        """Whether the set lists distributions already inside the package."""
        return self.kind == "vendored"

    def requirements_for(self, target: TargetEnvironment) -> tuple[DeclaredRequirement, ...]:
        """The requirements an install for ``target`` takes."""
        reachable = self.lock_graph.reachable(target) if self.lock_graph is not None else None
        return tuple(
            declared
            for declared in self.requirements
            if declared.applies_to(target) and (reachable is None or declared.name in reachable)
        )


@dataclass(frozen=True)
class SourceReading:
    """What one source read: its requirement sets and the lines it could not use."""

    sets: tuple[RequirementSet, ...] = ()
    findings: tuple[Finding, ...] = ()
    files: tuple[str, ...] = field(default=())
    """Every file read, relative to the function root."""


class DependencySource(ABC):
    """A kind of file that declares dependencies (one implementation per format)."""

    kind: str = ""

    @abstractmethod
    def discover(self, function_root: Path) -> Sequence[Path]:
        """The files of this kind the function holds."""

    @abstractmethod
    def read(self, function_root: Path, path: Path) -> SourceReading:
        """The requirements of ``path``; unusable lines become ``requirement-invalid``."""


def relative_path(function_root: Path, path: Path) -> str:
    """``path`` as a POSIX path relative to the function root."""
    try:
        return path.relative_to(function_root).as_posix()
    except ValueError:
        return path.as_posix()


def invalid_requirement(path: str, line: int | None, text: str, reason: str) -> Finding:
    """A ``requirement-invalid`` finding for a line pip would refuse."""
    shown = text if len(text) <= 120 else text[:117] + "..."
    return Finding(
        rule_id="requirement-invalid",
        category=Category.DEPENDENCY,
        message=f"cannot read requirement {shown!r}: {reason}",
        location=Location(path, line),
        fix="Write the line as a PEP 508 requirement (name, extras, version, marker) or a "
        "pip option; pip refuses the file as it is.",
        component=Component(ComponentKind.REQUIREMENTS, path),
        reach=Reach.PACKAGE,
    )


def find_line(lines: Sequence[str], needles: Sequence[str], start: int = 0) -> int | None:
    """The 1-based number of the first line at or after ``start`` holding any of ``needles``."""
    for index in range(start, len(lines)):
        if any(needle in lines[index] for needle in needles):
            return index + 1
    return None
