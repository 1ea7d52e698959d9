"""``Pipfile.lock``: the ``default`` packages pipenv installs, with their markers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from analyzer.deps.sources.interface import (
    DeclaredRequirement,
    DependencySource,
    RequirementSet,
    SourceReading,
    find_line,
    invalid_requirement,
    relative_path,
)
from analyzer.models import Finding, Location


class PipfileLockSource(DependencySource):
    """``Pipfile.lock`` at the function's root; its ``develop`` packages are not deployed."""

    kind = "pipfile-lock"

    def discover(self, function_root: Path) -> Sequence[Path]:
        """``Pipfile.lock`` at the top of the function folder."""
        path = function_root / "Pipfile.lock"
        return [path] if path.is_file() and not path.is_symlink() else []

    def read(self, function_root: Path, path: Path) -> SourceReading:
        """The pinned ``default`` packages of ``path``."""
        shown = relative_path(function_root, path)
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            finding = invalid_requirement(shown, error.lineno, shown, error.msg)
            return SourceReading(findings=(finding,), files=(shown,))
        default = document.get("default") if isinstance(document, dict) else None
        if not isinstance(default, dict):
            return SourceReading(files=(shown,))
        lines = text.splitlines()
        start = (find_line(lines, ['"default"']) or 1) - 1
        requirements: list[DeclaredRequirement] = []
        findings: list[Finding] = []
        for name, entry in default.items():
            line = find_line(lines, [f'"{name}":'], start)
            location = Location(shown, line)
            if not isinstance(entry, dict):
                findings.append(invalid_requirement(shown, line, name, "not a table"))
                continue
            if any(key in entry for key in ("git", "path", "file", "editable")):
                requirements.append(
                    DeclaredRequirement(
                        None, location, name, direct_reference="a VCS, path or file entry"
                    )
                )
                continue
            extras = entry.get("extras") or []
            extras_text = f"[{','.join(extras)}]" if extras else ""
            marker = f" ; {entry['markers']}" if entry.get("markers") else ""
            requirement_text = f"{name}{extras_text}{entry.get('version', '')}{marker}"
            try:
                requirement = Requirement(requirement_text)
            except InvalidRequirement as error:
                findings.append(invalid_requirement(shown, line, requirement_text, str(error)))
                continue
            hashes = tuple(str(value) for value in entry.get("hashes", []))
            requirements.append(
                DeclaredRequirement(requirement, location, requirement_text, hashes)
            )
        requirement_set = RequirementSet(shown, self.kind, tuple(requirements))
        return SourceReading((requirement_set,), tuple(findings), (shown,))
