"""Pinned and vendored dependencies against the package index for a target runtime."""

from __future__ import annotations

from analyzer.deps.check import (
    DependencyOptions,
    DependencyResult,
    SetVerdict,
    check_dependencies,
    clear_run_cache,
)
from analyzer.deps.vulnerabilities import check_advisories_dir

__all__ = [
    "DependencyOptions",
    "DependencyResult",
    "SetVerdict",
    "check_advisories_dir",
    "check_dependencies",
    "clear_run_cache",
]
