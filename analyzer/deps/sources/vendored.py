"""Distributions already inside the package: ``*.dist-info`` and ``*.egg-info`` folders."""

from __future__ import annotations

import email.parser
import email.policy
import os
from collections.abc import Sequence
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from analyzer.deps.sources.interface import (
    DeclaredRequirement,
    DependencySource,
    RequirementSet,
    SourceReading,
    invalid_requirement,
    relative_path,
)
from analyzer.models import Finding, Location

MAX_DEPTH = 6
"""Deep enough for a layer's ``python/lib/python3.X/site-packages/``."""
MAX_METADATA_BYTES = 1024 * 1024
_METADATA_FILES = {".dist-info": "METADATA", ".egg-info": "PKG-INFO"}
_SKIPPED_FOLDERS = {"__pycache__", ".git", "node_modules"}


def _metadata_file(folder: Path) -> Path | None:
    for suffix, file_name in _METADATA_FILES.items():
        if folder.name.endswith(suffix):
            candidate = folder / file_name
            return candidate if candidate.is_file() and not candidate.is_symlink() else None
    return None


class VendoredSource(DependencySource):
    """Every ``*.dist-info``/``*.egg-info`` folder in the package (symbolic links not followed)."""

    kind = "vendored"

    def discover(self, function_root: Path) -> Sequence[Path]:
        """Metadata files of vendored distributions, in path order."""
        found: list[Path] = []
        root_depth = len(function_root.parts)
        for folder, subfolders, _files in os.walk(function_root, followlinks=False):
            here = Path(folder)
            kept = []
            for name in sorted(subfolders):
                child = here / name
                if child.is_symlink() or name in _SKIPPED_FOLDERS:
                    continue
                metadata = _metadata_file(child)
                if metadata is not None:
                    found.append(metadata)
                elif len(child.parts) - root_depth < MAX_DEPTH:
                    kept.append(name)
            subfolders[:] = kept
        return sorted(found)

    def read(self, function_root: Path, path: Path) -> SourceReading:
        """Name and version of one vendored distribution."""
        return self.read_all(function_root, [path])

    def read_all(self, function_root: Path, paths: Sequence[Path]) -> SourceReading:
        """All vendored distributions as one set (they are installed already, together)."""
        requirements: list[DeclaredRequirement] = []
        findings: list[Finding] = []
        for path in paths:
            declared, finding = self._read_one(function_root, path)
            if declared is not None:
                requirements.append(declared)
            if finding is not None:
                findings.append(finding)
        if not requirements:
            return SourceReading(findings=tuple(findings))
        requirement_set = RequirementSet("vendored distributions", self.kind, tuple(requirements))
        files = tuple(relative_path(function_root, path) for path in paths)
        return SourceReading((requirement_set,), tuple(findings), files)

    def _read_one(
        self, function_root: Path, path: Path
    ) -> tuple[DeclaredRequirement | None, Finding | None]:
        shown = relative_path(function_root, path)
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_METADATA_BYTES)
        except OSError:
            return None, None
        message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(
            raw, headersonly=True
        )
        name = message.get("Name")
        version = message.get("Version")
        if not name or not version:
            # Fall back on the folder name, name-version.dist-info.
            stem = path.parent.name.rsplit(".", 1)[0]
            name, _, version = stem.partition("-")
        text_lines = raw.decode("utf-8", errors="replace").splitlines()
        line = next(
            (number for number, text in enumerate(text_lines, 1) if text.startswith("Version:")),
            None,
        )
        try:
            Version(version)
            requirement = Requirement(f"{canonicalize_name(name)}=={version}")
        except (InvalidVersion, InvalidRequirement) as error:
            return None, invalid_requirement(shown, line, f"{name} {version}", str(error))
        declared = DeclaredRequirement(
            requirement, Location(shown, line), f"{name}=={version}", vendored=True
        )
        return declared, None
