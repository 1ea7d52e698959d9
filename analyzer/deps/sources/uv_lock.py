"""``uv.lock``: locked packages, installed as far as the workspace's dependencies reach."""

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
from analyzer.deps.sources.poetry_lock import package_lines
from analyzer.models import Finding, Location

Edge = tuple[NormalizedName, Marker | None]
_LOCAL_SOURCES = ("editable", "virtual", "directory", "path", "git", "url")


def _edges(entries: Any) -> tuple[Edge, ...]:
    edges: list[Edge] = []
    for entry in entries or []:
        if not isinstance(entry, dict) or "name" not in entry:
            continue
        marker: Marker | None = None
        if isinstance(entry.get("marker"), str):
            try:
                marker = Marker(entry["marker"])
            except InvalidMarker:
                marker = None
        edges.append((canonicalize_name(str(entry["name"])), marker))
    return tuple(edges)


class UvLockSource(DependencySource):
    """``uv.lock`` at the function's root, walked from its workspace members."""

    kind = "uv-lock"

    def discover(self, function_root: Path) -> Sequence[Path]:
        """``uv.lock`` at the top of the function folder."""
        path = function_root / "uv.lock"
        return [path] if path.is_file() and not path.is_symlink() else []

    def read(self, function_root: Path, path: Path) -> SourceReading:
        """Every locked registry package of ``path``, with its dependency graph."""
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
        roots: list[Edge] = []
        for package in document.get("package", []) or []:
            if not isinstance(package, dict):
                continue
            name = canonicalize_name(str(package.get("name", "")))
            version = str(package.get("version", ""))
            edges[name] = edges.get(name, ()) + _edges(package.get("dependencies"))
            raw_source = package.get("source")
            source: dict[str, Any] = raw_source if isinstance(raw_source, dict) else {}
            local = next((key for key in _LOCAL_SOURCES if key in source), None)
            if local in ("editable", "virtual"):
                # A workspace member: the function's own project, the root of the graph.
                roots.extend(_edges(package.get("dependencies")))
                continue
            location = Location(shown, lines.get((name, version)))
            if local is not None:
                requirements.append(
                    DeclaredRequirement(None, location, name, direct_reference=f"a {local} package")
                )
                continue
            # A package locked at several versions holds each for the markers of its fork.
            forks = [str(marker) for marker in package.get("resolution-markers", []) or []]
            marker_text = " or ".join(f"({marker})" for marker in forks)
            requirement_text = f"{name}=={version}" + (f" ; {marker_text}" if forks else "")
            try:
                requirement = Requirement(requirement_text)
            except InvalidRequirement as error:
                findings.append(invalid_requirement(shown, location.line, name, str(error)))
                continue
            requirements.append(DeclaredRequirement(requirement, location, requirement_text))
        graph = LockGraph(tuple(roots), edges) if roots else None
        requirement_set = RequirementSet(shown, self.kind, tuple(requirements), lock_graph=graph)
        return SourceReading((requirement_set,), tuple(findings), (shown,))
