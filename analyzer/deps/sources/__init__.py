"""Where a function declares its dependencies: one source per file format."""

from __future__ import annotations

import logging
from pathlib import Path

from analyzer.deps.sources.interface import (
    DeclaredRequirement,
    DependencySource,
    LockGraph,
    RequirementSet,
    SourceReading,
    invalid_requirement,
    relative_path,
)
from analyzer.deps.sources.pipfile_lock import PipfileLockSource
from analyzer.deps.sources.poetry_lock import PoetryLockSource
from analyzer.deps.sources.pyproject import PyprojectSource
from analyzer.deps.sources.requirements_txt import RequirementsTxtSource
from analyzer.deps.sources.uv_lock import UvLockSource
from analyzer.deps.sources.vendored import VendoredSource
from analyzer.models import Finding

logger = logging.getLogger(__name__)

SOURCES: tuple[DependencySource, ...] = (
    RequirementsTxtSource(),
    PyprojectSource(),
    PipfileLockSource(),
    PoetryLockSource(),
    UvLockSource(),
)
"""The declaring formats, read in this order. A lock file supersedes ``pyproject.toml``."""

__all__ = [
    "SOURCES",
    "DeclaredRequirement",
    "DependencySource",
    "LockGraph",
    "RequirementSet",
    "SourceReading",
    "VendoredSource",
    "read_sources",
]


def read_sources(function_root: Path, include_vendored: bool) -> SourceReading:
    """Every requirement set the function declares (and vendors), and unusable lines."""
    sets: list[RequirementSet] = []
    findings: list[Finding] = []
    files: list[str] = []
    for source in SOURCES:
        for path in source.discover(function_root):
            try:
                reading = source.read(function_root, path)
            except (OSError, ValueError, RecursionError) as error:
                shown = relative_path(function_root, path)
                reason = f"cannot be read ({type(error).__name__})"
                findings.append(invalid_requirement(shown, None, shown, reason))
                files.append(shown)
                continue
            sets.extend(reading.sets)
            findings.extend(reading.findings)
            files.extend(reading.files)
    if any(requirement_set.kind in ("poetry-lock", "uv-lock") for requirement_set in sets):
        # The lock is what gets installed; the pyproject ranges it was locked from are not.
        sets = [requirement_set for requirement_set in sets if requirement_set.kind != "pyproject"]
    if include_vendored:
        vendored = VendoredSource()
        reading = vendored.read_all(function_root, vendored.discover(function_root))
        sets.extend(reading.sets)
        findings.extend(reading.findings)
        files.extend(reading.files)
    logger.debug("dependency sources: %s", ", ".join(files) or "none")
    return SourceReading(tuple(sets), tuple(findings), tuple(files))
