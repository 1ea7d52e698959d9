"""``pyproject.toml``: ``[project].dependencies`` and ``[tool.poetry.dependencies]``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from analyzer.deps.sources.interface import (
    DeclaredRequirement,
    DependencySource,
    RequirementSet,
    SourceReading,
    TOMLDecodeError,
    find_line,
    invalid_requirement,
    load_toml,
    relative_path,
)
from analyzer.models import Finding, Location

_POETRY_VERSION = re.compile(r"^\s*(?P<op>\^|~(?!=))?\s*(?P<version>\d+(?:\.\d+)*)\s*$")


def poetry_to_pep440(constraint: str) -> str:
    """A Poetry version constraint (``^1.2``, ``~1.2.3``, ``1.2.*``, ``>=1,<2``) in PEP 440.

    Raises ``ValueError`` for what PEP 440 cannot say (``||`` alternatives).
    """
    text = constraint.strip()
    if text in ("", "*"):
        return ""
    if "||" in text:
        raise ValueError(f"alternatives ('||') have no PEP 440 spelling: {constraint}")
    parts = [part for part in re.split(r"\s*,\s*|\s+(?=[<>=!~^])", text) if part]
    return ",".join(_poetry_part(part) for part in parts)


def _poetry_part(part: str) -> str:
    match = _POETRY_VERSION.match(part)
    if match is None:
        return part.replace(" ", "")
    numbers = [int(number) for number in match["version"].split(".")]
    operator = match["op"]
    if operator is None:
        return f"=={match['version']}"
    if operator == "~":
        upper = [numbers[0] + 1] if len(numbers) == 1 else [numbers[0], numbers[1] + 1]
    else:
        # Caret: the first non-zero component may not change.
        significant = next(
            (index for index, number in enumerate(numbers) if number != 0), len(numbers) - 1
        )
        upper = [*numbers[:significant], numbers[significant] + 1]
    return f">={match['version']},<{'.'.join(str(number) for number in upper)}"


class PyprojectSource(DependencySource):
    """The runtime dependencies a ``pyproject.toml`` at the function's root declares."""

    kind = "pyproject"

    def discover(self, function_root: Path) -> Sequence[Path]:
        """``pyproject.toml`` at the top of the function folder."""
        path = function_root / "pyproject.toml"
        return [path] if path.is_file() and not path.is_symlink() else []

    def read(self, function_root: Path, path: Path) -> SourceReading:
        """The ``[project]`` and Poetry dependencies of ``path``."""
        shown = relative_path(function_root, path)
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            document = load_toml(text)
        except TOMLDecodeError as error:
            finding = invalid_requirement(shown, _toml_error_line(error), shown, str(error))
            return SourceReading(findings=(finding,), files=(shown,))
        lines = text.splitlines()
        requirements: list[DeclaredRequirement] = []
        findings: list[Finding] = []
        project = document.get("project")
        if isinstance(project, dict):
            self._read_pep621(project, lines, shown, requirements, findings)
        tool = document.get("tool")
        poetry = tool.get("poetry") if isinstance(tool, dict) else None
        if isinstance(poetry, dict) and isinstance(poetry.get("dependencies"), dict):
            self._read_poetry(poetry["dependencies"], lines, shown, requirements, findings)
        if not requirements:
            return SourceReading(findings=tuple(findings), files=(shown,))
        requirement_set = RequirementSet(shown, self.kind, tuple(requirements))
        return SourceReading((requirement_set,), tuple(findings), (shown,))

    def _read_pep621(
        self,
        project: dict[str, Any],
        lines: Sequence[str],
        shown: str,
        requirements: list[DeclaredRequirement],
        findings: list[Finding],
    ) -> None:
        dependencies = project.get("dependencies", [])
        if not isinstance(dependencies, list):
            return
        start = (find_line(lines, ["dependencies"]) or 1) - 1
        for text in dependencies:
            line = find_line(lines, [f'"{text}"', f"'{text}'"], start)
            if not isinstance(text, str):
                findings.append(invalid_requirement(shown, line, str(text), "not a string"))
                continue
            try:
                requirement = Requirement(text)
            except InvalidRequirement as error:
                findings.append(invalid_requirement(shown, line, text, str(error)))
                continue
            direct = "a direct URL reference" if requirement.url else None
            requirements.append(
                DeclaredRequirement(requirement, Location(shown, line), text, (), direct)
            )

    def _read_poetry(
        self,
        dependencies: dict[str, Any],
        lines: Sequence[str],
        shown: str,
        requirements: list[DeclaredRequirement],
        findings: list[Finding],
    ) -> None:
        start = (find_line(lines, ["[tool.poetry.dependencies]"]) or 1) - 1
        for name, value in dependencies.items():
            if name.lower() == "python":
                continue
            line = find_line(lines, [f"{name} =", f'"{name}" =', f"{name}="], start)
            location = Location(shown, line)
            for entry in value if isinstance(value, list) else [value]:
                declared = self._poetry_entry(name, entry, location, shown, findings)
                if declared is not None:
                    requirements.append(declared)

    def _poetry_entry(
        self, name: str, entry: Any, location: Location, shown: str, findings: list[Finding]
    ) -> DeclaredRequirement | None:
        if isinstance(entry, str):
            entry = {"version": entry}
        if not isinstance(entry, dict):
            findings.append(invalid_requirement(shown, location.line, name, "not a constraint"))
            return None
        if entry.get("optional"):
            return None
        # TODO: a Poetry "python" key (the interpreters a dependency is for) is ignored
        # (translate it into a python_version marker).
        for direct in ("git", "path", "url"):
            if direct in entry:
                return DeclaredRequirement(
                    None, location, name, direct_reference=f"a {direct} dependency"
                )
        extras = entry.get("extras") or []
        try:
            specifier = poetry_to_pep440(str(entry.get("version", "*")))
            extras_text = f"[{','.join(extras)}]" if extras else ""
            marker = f" ; {entry['markers']}" if entry.get("markers") else ""
            text = f"{name}{extras_text}{specifier}{marker}"
            requirement = Requirement(text)
        except (ValueError, InvalidRequirement) as error:
            findings.append(invalid_requirement(shown, location.line, name, str(error)))
            return None
        return DeclaredRequirement(requirement, location, text)


def _toml_error_line(error: TOMLDecodeError) -> int | None:
    line = getattr(error, "lineno", None)
    if isinstance(line, int):
        return line
    match = re.search(r"line (\d+)", str(error))
    return int(match.group(1)) if match else None
