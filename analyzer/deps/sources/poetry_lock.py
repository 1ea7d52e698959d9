"""``poetry.lock``: locked packages, installed as far as the project's dependencies reach."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name

from analyzer.deps.sources.interface import (
    DeclaredRequirement,
    DependencySource,
    LockGraph,
    RequirementSet,
    SourceReading,
    TOMLDecodeError,
    invalid_requirement,
    load_toml,
    relative_path,
)
from analyzer.models import Finding, Location

Edge = tuple[NormalizedName, Marker | None]


def package_lines(lines: Sequence[str]) -> dict[tuple[str, str], int]:
    """The line of ``name = ...`` of each ``[[package]]``, by (normalised name, version)."""
    found: dict[tuple[str, str], int] = {}
    in_package = False
    name: str | None = None
    name_line = 0
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_package = stripped == "[[package]]"
            name = None
            continue
        if not in_package:
            continue
        key, _, value = stripped.partition("=")
        if key.strip() == "name":
            name = canonicalize_name(value.strip().strip('"'))
            name_line = number
        elif key.strip() == "version" and name is not None:
            found[(name, value.strip().strip('"'))] = name_line
    return found


def _marker(text: Any) -> Marker | None:
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return Marker(text)
    except InvalidMarker:
        return None


def _poetry_edges(package: dict[str, Any]) -> tuple[Edge, ...]:
    edges: list[Edge] = []
    dependencies = package.get("dependencies", {})
    if not isinstance(dependencies, dict):
        return ()
    for name, value in dependencies.items():
        for entry in value if isinstance(value, list) else [value]:
            if isinstance(entry, dict):
                if entry.get("optional"):
                    continue
                edges.append((canonicalize_name(name), _marker(entry.get("markers"))))
            else:
                edges.append((canonicalize_name(name), None))
    return tuple(edges)


def _project_roots(function_root: Path) -> tuple[Edge, ...] | None:
    """The dependencies ``pyproject.toml`` declares, or ``None`` when it cannot say."""
    path = function_root / "pyproject.toml"
    if not path.is_file():
        return None
    try:
        document = load_toml(path.read_text(encoding="utf-8", errors="replace"))
    except TOMLDecodeError:
        return None
    roots: list[Edge] = []
    project = document.get("project")
    if isinstance(project, dict):
        for text in project.get("dependencies", []) or []:
            try:
                requirement = Requirement(str(text))
            except InvalidRequirement:
                continue
            roots.append((canonicalize_name(requirement.name), requirement.marker))
    tool = document.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    if isinstance(poetry, dict) and isinstance(poetry.get("dependencies"), dict):
        pseudo = {
            "dependencies": {
                name: value
                for name, value in poetry["dependencies"].items()
                if name.lower() != "python"
            }
        }
        roots.extend(_poetry_edges(pseudo))
    return tuple(roots) if roots else None


class PoetryLockSource(DependencySource):
    """``poetry.lock`` at the function's root, walked from ``pyproject.toml``'s dependencies."""

    kind = "poetry-lock"

    def discover(self, function_root: Path) -> Sequence[Path]:
        """``poetry.lock`` at the top of the function folder."""
        path = function_root / "poetry.lock"
        return [path] if path.is_file() and not path.is_symlink() else []

    def read(self, function_root: Path, path: Path) -> SourceReading:
        """Every locked package of ``path``, with the graph that says which a target needs."""
        shown = relative_path(function_root, path)
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            document = load_toml(text)
        except TOMLDecodeError as error:
            finding = invalid_requirement(shown, getattr(error, "lineno", None), shown, str(error))
            return SourceReading(findings=(finding,), files=(shown,))
        lines = package_lines(text.splitlines())
        requirements: list[DeclaredRequirement] = []
        findings: list[Finding] = []
        edges: dict[NormalizedName, tuple[Edge, ...]] = {}
        for package in document.get("package", []) or []:
            if not isinstance(package, dict) or package.get("category") == "dev":
                continue
            name = canonicalize_name(str(package.get("name", "")))
            version = str(package.get("version", ""))
            location = Location(shown, lines.get((name, version)))
            edges[name] = _poetry_edges(package)
            source = package.get("source")
            if isinstance(source, dict) and source.get("type") in (
                "git",
                "directory",
                "file",
                "url",
            ):
                requirements.append(
                    DeclaredRequirement(
                        None, location, name, direct_reference=f"a {source['type']} package"
                    )
                )
                continue
            try:
                requirement = Requirement(f"{name}=={version}")
            except InvalidRequirement as error:
                findings.append(invalid_requirement(shown, location.line, name, str(error)))
                continue
            requirements.append(DeclaredRequirement(requirement, location, f"{name}=={version}"))
        roots = _project_roots(function_root)
        graph = LockGraph(roots, edges) if roots is not None else None
        requirement_set = RequirementSet(shown, self.kind, tuple(requirements), lock_graph=graph)
        return SourceReading((requirement_set,), tuple(findings), (shown,))
