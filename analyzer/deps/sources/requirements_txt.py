"""``requirements*.txt``: pip's requirement file format, with ``-r``, ``-c``, hashes and options."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from analyzer.deps.sources.interface import (
    DeclaredRequirement,
    DependencySource,
    RequirementSet,
    SourceReading,
    invalid_requirement,
    relative_path,
)
from analyzer.models import Finding, Location

# pip's own requirement-file options: those that take a value, and flags.
_VALUE_OPTIONS = {
    "-i": "index-url",
    "--index-url": "index-url",
    "--extra-index-url": "extra-index-url",
    "-r": "requirement",
    "--requirement": "requirement",
    "-c": "constraint",
    "--constraint": "constraint",
    "-e": "editable",
    "--editable": "editable",
    "-f": "find-links",
    "--find-links": "find-links",
    "--trusted-host": "trusted-host",
    "--only-binary": "only-binary",
    "--no-binary": "no-binary",
    "--use-feature": "use-feature",
    "--config-settings": "config-settings",
    "--global-option": "global-option",
}
_FLAG_OPTIONS = {"--no-index", "--pre", "--prefer-binary", "--require-hashes", "-Z"}
_PER_REQUIREMENT_OPTIONS = ("--hash", "--global-option", "--config-settings")
_ENV_VARIABLE = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)\}")
_COMMENT = re.compile(r"(^|\s+)#.*$")
_ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz")
MAX_INCLUDE_DEPTH = 10


@dataclass
class _Reading:
    function_root: Path
    requirements: list[DeclaredRequirement] = field(default_factory=list)
    constraints: list[DeclaredRequirement] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    index_url: str | None = None
    extra_index_urls: list[str] = field(default_factory=list)


def logical_lines(text: str) -> list[tuple[int, str]]:
    """The file's lines as pip reads them: continuations joined, comments removed.

    Each line keeps the number of its first physical line.
    """
    lines: list[tuple[int, str]] = []
    pending: list[str] = []
    first = 0
    for number, physical in enumerate(text.splitlines(), start=1):
        if not pending:
            first = number
        stripped = _COMMENT.sub("", physical)
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(stripped)
        joined = " ".join(part.strip() for part in pending).strip()
        pending = []
        if joined:
            lines.append((first, joined))
    if pending:
        joined = " ".join(part.strip() for part in pending).strip()
        if joined:
            lines.append((first, joined))
    return lines


def _expand_variables(line: str) -> str:
    # pip expands ${VAR} (upper case, digits, underscore) from the environment.
    return _ENV_VARIABLE.sub(lambda match: os.environ.get(match["name"], match[0]), line)


def _looks_like_direct_reference(text: str) -> bool:
    return (
        text.startswith((".", "/", "~"))
        or "://" in text.split("@", 1)[0]
        or text.lower().endswith(_ARCHIVE_SUFFIXES)
    )


def _split_options(line: str) -> tuple[str, list[str]]:
    """The requirement part of a line, and its per-requirement options (``--hash=...``)."""
    tokens = line.split(" ")
    for index, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(tokens[:index]).strip(), tokens[index:]
    return line.strip(), []


class RequirementsTxtSource(DependencySource):
    """Every ``requirements*.txt`` at the function's root, each read as pip reads it."""

    kind = "requirements"

    def discover(self, function_root: Path) -> Sequence[Path]:
        """``requirements*.txt`` files at the top of the function folder."""
        # TODO: requirement files in sub-folders (requirements/prod.txt) are read only when a
        # top-level file includes them (a discovery that tells deployed sets from dev ones).
        return sorted(
            path
            for path in function_root.glob("requirements*.txt")
            if path.is_file() and not path.is_symlink()
        )

    def read(self, function_root: Path, path: Path) -> SourceReading:
        """The requirement set of ``path``, its includes and constraints."""
        reading = _Reading(function_root.resolve())
        self._read_file(reading, path, constraint=False, depth=0, seen=set())
        name = relative_path(function_root, path)
        requirement_set = RequirementSet(
            name=name,
            kind=self.kind,
            requirements=tuple(reading.requirements),
            constraints=tuple(reading.constraints),
            index_url=reading.index_url,
            extra_index_urls=tuple(reading.extra_index_urls),
        )
        return SourceReading((requirement_set,), tuple(reading.findings), tuple(reading.files))

    def _read_file(
        self, reading: _Reading, path: Path, *, constraint: bool, depth: int, seen: set[Path]
    ) -> None:
        shown = relative_path(reading.function_root, path.resolve())
        reading.files.append(shown)
        try:
            data = path.read_bytes()
        except OSError as error:
            reading.findings.append(
                invalid_requirement(shown, None, shown, f"cannot be read ({error.strerror})")
            )
            return
        if b"\0" in data:
            # A binary file would give a finding for every line of noise: one says it all.
            reading.findings.append(
                invalid_requirement(shown, None, shown, "not a text file (it holds NUL bytes)")
            )
            return
        text = data.decode("utf-8", errors="replace")
        seen.add(path.resolve())
        for number, line in logical_lines(text):
            self._read_line(reading, path, shown, number, line, constraint, depth, seen)

    def _read_line(
        self,
        reading: _Reading,
        path: Path,
        shown: str,
        number: int,
        line: str,
        constraint: bool,
        depth: int,
        seen: set[Path],
    ) -> None:
        if line.startswith("-"):
            self._read_option(reading, path, shown, number, line, constraint, depth, seen)
            return
        expanded = _expand_variables(line)
        requirement_text, options = _split_options(expanded)
        hashes = tuple(
            option.split("=", 1)[1]
            for option in options
            if option.startswith("--hash=") and "=" in option
        )
        unknown = [
            option
            for option in options
            if option.startswith("-") and not option.startswith(_PER_REQUIREMENT_OPTIONS)
        ]
        location = Location(shown, number)
        if unknown:
            reading.findings.append(
                invalid_requirement(shown, number, line, f"unknown option {unknown[0]}")
            )
            return
        target = reading.constraints if constraint else reading.requirements
        if _looks_like_direct_reference(requirement_text):
            target.append(
                DeclaredRequirement(
                    None,
                    location,
                    requirement_text,
                    hashes,
                    direct_reference="a path or URL, installed without the index",
                )
            )
            return
        try:
            requirement = Requirement(requirement_text)
        except InvalidRequirement as error:
            reading.findings.append(invalid_requirement(shown, number, line, str(error)))
            return
        direct = "a direct URL reference" if requirement.url else None
        target.append(DeclaredRequirement(requirement, location, requirement_text, hashes, direct))

    def _read_option(
        self,
        reading: _Reading,
        path: Path,
        shown: str,
        number: int,
        line: str,
        constraint: bool,
        depth: int,
        seen: set[Path],
    ) -> None:
        try:
            tokens = shlex.split(line)
        except ValueError as error:
            reading.findings.append(invalid_requirement(shown, number, line, str(error)))
            return
        option, _, inline_value = tokens[0].partition("=")
        if option in _FLAG_OPTIONS:
            return
        if option not in _VALUE_OPTIONS:
            reading.findings.append(
                invalid_requirement(shown, number, line, f"unknown option {option}")
            )
            return
        value = inline_value or (tokens[1] if len(tokens) > 1 else "")
        if not value:
            reading.findings.append(
                invalid_requirement(shown, number, line, f"{option} needs a value")
            )
            return
        kind = _VALUE_OPTIONS[option]
        if kind in ("requirement", "constraint"):
            self._include(reading, path, shown, number, line, value, kind, constraint, depth, seen)
        elif kind == "index-url":
            reading.index_url = _expand_variables(value)
        elif kind == "extra-index-url":
            reading.extra_index_urls.append(_expand_variables(value))
        elif kind == "editable":
            reading.requirements.append(
                DeclaredRequirement(
                    None,
                    Location(shown, number),
                    value,
                    direct_reference="an editable install of a local project",
                )
            )

    def _include(
        self,
        reading: _Reading,
        path: Path,
        shown: str,
        number: int,
        line: str,
        value: str,
        kind: str,
        constraint: bool,
        depth: int,
        seen: set[Path],
    ) -> None:
        included = (path.parent / value).resolve()
        if not included.is_relative_to(reading.function_root):
            reading.findings.append(
                invalid_requirement(shown, number, line, "includes a file outside the function")
            )
            return
        if not included.is_file():
            reading.findings.append(
                invalid_requirement(shown, number, line, f"included file {value} does not exist")
            )
            return
        if included in seen or depth >= MAX_INCLUDE_DEPTH:
            return
        self._read_file(
            reading,
            included,
            constraint=constraint or kind == "constraint",
            depth=depth + 1,
            seen=seen,
        )
