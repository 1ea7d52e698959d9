"""Compiled-only modules (``.pyc`` without source) and the Python version their bytecode is for."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from analyzer.bundle.native import import_root_relative
from analyzer.models import Category, Component, Finding, Location, PythonVersion, format_version
from analyzer.runtimes import RUNTIMES

logger = logging.getLogger(__name__)

MAGIC_SOURCE = (
    "CPython Lib/importlib/_bootstrap_external.py (up to 3.12) and "
    "Include/internal/pycore_magic_number.h (3.13 on), 'Known values'"
)
PYC_DOCUMENTATION = "https://peps.python.org/pep-3147/"

# Rows: (first magic, last magic, version), the magic numbers each version's alphas, betas and
# release candidates used. Source: MAGIC_SOURCE. Only the release magic (below) loads on a
# released interpreter; the ranges name the version a pre-release file came from.
_MAGIC_RANGES: tuple[tuple[int, int, PythonVersion], ...] = (
    (3000, 3131, (3, 0)),
    (3141, 3151, (3, 1)),
    (3160, 3180, (3, 2)),
    (3190, 3230, (3, 3)),
    (3250, 3310, (3, 4)),
    (3320, 3351, (3, 5)),
    (3360, 3379, (3, 6)),
    (3390, 3394, (3, 7)),
    (3400, 3413, (3, 8)),
    (3420, 3425, (3, 9)),
    (3430, 3439, (3, 10)),
    (3450, 3495, (3, 11)),
    (3500, 3531, (3, 12)),
    (3550, 3571, (3, 13)),
    (3600, 3627, (3, 14)),
    (62171, 62211, (2, 7)),
)
# From 3.11 on, 3.n uses magic numbers from 2900 + 50 * n (MAGIC_SOURCE), so later versions
# are named without a table row.
_FORMULA_START = 3450

# The magic number each released version reads and writes (importlib.util.MAGIC_NUMBER).
# 3.9 to 3.13 confirmed on CPython 3.9.18, 3.10.13, 3.11.7, 3.12.1 and 3.13.0; 3.8 (3413,
# "3.8b4") and 3.14 (3627, "3.14rc3") from MAGIC_SOURCE.
RELEASE_MAGIC: dict[PythonVersion, int] = {
    (3, 8): 3413,
    (3, 9): 3425,
    (3, 10): 3439,
    (3, 11): 3495,
    (3, 12): 3531,
    (3, 13): 3571,
    (3, 14): 3627,
}

_OLDEST_RUNTIME = min(runtime.python for runtime in RUNTIMES.values())
_HEADER_SIZE = 4
_MAGIC_TAIL = b"\r\n"


@dataclass(frozen=True)
class CompiledModule:
    """A ``.pyc`` file with no ``.py`` beside it, and the bytecode version its header names.

    ``loadable`` is whether any interpreter would import it: a ``.pyc`` in the legacy place
    (beside where the source would be) is imported without source; one in ``__pycache__``
    without its source is never imported (PEP 3147). ``magic`` is ``None`` and ``error`` set
    when the header cannot be read.
    """

    relative_path: str
    module: str | None
    loadable: bool
    magic: int | None
    python_version: PythonVersion | None
    error: str | None = None

    @property
    def file_name(self) -> str:
        """The file's name without its folder."""
        return self.relative_path.rsplit("/", 1)[-1]


def python_version_for_magic(magic: int) -> PythonVersion | None:
    """The Python version whose bytecode carries ``magic``, or ``None`` for an unknown value."""
    for first, last, version in _MAGIC_RANGES:
        if first <= magic <= last:
            return version
    if _FORMULA_START <= magic < 10000:
        return (3, (magic - 2900) // 50)
    return None


def read_magic(path: Path) -> tuple[int | None, str | None]:
    """The magic number of the ``.pyc`` at ``path``, or ``None`` and why it cannot be read."""
    try:
        with path.open("rb") as stream:
            header = stream.read(_HEADER_SIZE)
    except OSError as exc:
        return None, f"cannot read file: {exc.strerror or exc}"
    if len(header) < _HEADER_SIZE:
        return None, f"truncated header ({len(header)} bytes)"
    if header[2:] != _MAGIC_TAIL:
        return None, "not a .pyc file (no magic number)"
    return int.from_bytes(header[:2], "little"), None


def inspect_pyc(path: Path, relative_path: str, *, loadable: bool = True) -> CompiledModule:
    """Read the header of the ``.pyc`` at ``path``; never raises for bad content."""
    magic, error = read_magic(path)
    version = python_version_for_magic(magic) if magic is not None else None
    if magic is not None and version is None:
        error = f"unknown magic number {magic}"
    if error is not None:
        logger.debug("%s: %s", relative_path, error)
    return CompiledModule(
        relative_path=relative_path,
        module=_module_name(relative_path) if loadable else None,
        loadable=loadable,
        magic=magic,
        python_version=version,
        error=error,
    )


def find_compiled_modules(root: Path, prefix: str = "") -> list[CompiledModule]:
    """Every ``.pyc`` under ``root`` with no ``.py`` beside it, sorted by path.

    Bytecode caches of existing sources are left out: the interpreter recompiles them.
    ``prefix`` is put before each relative path, such as ``layers/<name>/`` for a layer.
    """
    found: list[CompiledModule] = []
    for folder, _, files in os.walk(root):
        folder_path = Path(folder)
        in_cache = folder_path.name == "__pycache__"
        source_folder = folder_path.parent if in_cache else folder_path
        for file_name in files:
            path = folder_path / file_name
            if not file_name.endswith(".pyc") or path.is_symlink() or not path.is_file():
                continue
            stem = file_name.split(".", 1)[0]
            if (source_folder / f"{stem}.py").exists():
                continue
            if not in_cache and _is_package(folder_path / stem):
                continue
            relative_path = prefix + path.relative_to(root).as_posix()
            found.append(inspect_pyc(path, relative_path, loadable=not in_cache))
    return sorted(found, key=lambda compiled: compiled.relative_path)


def _is_package(folder: Path) -> bool:
    """Whether ``folder`` is a regular package, which the import system prefers to a module."""
    if not folder.is_dir() or folder.is_symlink():
        return False
    return any(child.name.startswith("__init__.") for child in folder.iterdir())


def _module_name(relative_path: str) -> str | None:
    parts = import_root_relative(relative_path).split("/")
    stem = parts[-1].removesuffix(".pyc")
    names = parts[:-1] if stem == "__init__" else [*parts[:-1], stem]
    if not names or not all(name.isidentifier() for name in names):
        return None
    return ".".join(names)


def pyc_findings(
    compiled: CompiledModule,
    component: Component,
    *,
    source_python: PythonVersion,
) -> list[Finding]:
    """Why an importable ``.pyc``-only module fails on some runtimes, independent of the target.

    A ``.pyc`` loads only on the interpreter whose magic number it carries; any other raises
    ``ImportError: bad magic number``. Files no interpreter imports give no finding.
    """
    if not compiled.loadable:
        return []
    release = None
    if compiled.python_version is not None:
        release = RELEASE_MAGIC.get(compiled.python_version)
    source = compiled.file_name.removesuffix(".pyc") + ".py"
    fix = (
        f"Ship the source {source} instead of the compiled file, or recompile it with the "
        "target's interpreter (python3.X -m compileall -b) and redeploy"
    )
    imports = f"'import {compiled.module}'" if compiled.module else "importing it"
    if compiled.error is not None or compiled.python_version is None:
        message = (
            f"{compiled.file_name} has no source beside it and its header cannot be read "
            f"({compiled.error}): {imports} fails on every runtime"
        )
        return [_finding(compiled, component, message, fix, broken_on=tuple(RUNTIMES))]

    built_for = format_version(compiled.python_version)
    if compiled.magic != release and compiled.python_version in RELEASE_MAGIC:
        message = (
            f"{compiled.file_name} has no source beside it and holds bytecode of a {built_for} "
            f"pre-release (magic number {compiled.magic}), which no released interpreter "
            f"loads: {imports} fails with 'bad magic number' on every runtime"
        )
        return [_finding(compiled, component, message, fix, broken_on=tuple(RUNTIMES))]

    if compiled.python_version < _OLDEST_RUNTIME:
        message = (
            f"{compiled.file_name} has no source beside it and holds Python {built_for} "
            f"bytecode, which no Lambda runtime loads: {imports} fails with 'bad magic number' "
            "on every runtime"
        )
        return [_finding(compiled, component, message, fix, broken_on=tuple(RUNTIMES))]

    next_version = (compiled.python_version[0], compiled.python_version[1] + 1)
    today = format_version(source_python)
    note = "" if compiled.python_version == source_python else f" (the function runs {today})"
    message = (
        f"{compiled.file_name} has no source beside it and holds Python {built_for} bytecode"
        f"{note}; other versions reject it, so from {format_version(next_version)} on "
        f"{imports} fails with 'ImportError: bad magic number'"
    )
    return [
        _finding(
            compiled,
            component,
            message,
            fix,
            requires=compiled.python_version,
            breaks_in=next_version,
        )
    ]


def _finding(
    compiled: CompiledModule,
    component: Component,
    message: str,
    fix: str,
    *,
    requires: PythonVersion | None = None,
    breaks_in: PythonVersion | None = None,
    broken_on: tuple[str, ...] | None = None,
) -> Finding:
    return Finding(
        rule_id="pyc-magic-mismatch",
        category=Category.PACKAGING,
        message=message,
        location=Location(compiled.relative_path),
        fix=fix,
        component=component,
        symbol=compiled.module,
        requires=requires,
        breaks_in=breaks_in,
        broken_on=broken_on,
        documentation=PYC_DOCUMENTATION,
    )
