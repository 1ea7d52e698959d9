"""The catalogue of Lambda Python runtimes: interpreter, OS, glibc, paths and dates."""

from __future__ import annotations

import datetime as dt

from analyzer.models import PythonVersion, Runtime

RUNTIMES_SOURCE = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"
"""Dates and operating systems: the 'Supported runtimes' and 'Deprecated runtimes' tables."""

GLIBC_SOURCE = (
    "https://docs.aws.amazon.com/linux/al2023/ug/compare-with-al2.html "
    "(Amazon Linux 2 ships glibc 2.26, Amazon Linux 2023 glibc 2.34)"
)
LAYER_PATH_SOURCE = (
    "https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html#packaging-layers-paths"
)

AMAZON_LINUX_2 = "Amazon Linux 2"
AMAZON_LINUX_2023 = "Amazon Linux 2023"
_GLIBC = {AMAZON_LINUX_2: (2, 26), AMAZON_LINUX_2023: (2, 34)}
ARCHITECTURES = ("x86_64", "arm64")


def _runtime(
    minor: int,
    operating_system: str,
    deprecation: str | None,
    block_create: str | None,
    block_update: str | None,
) -> Runtime:
    return Runtime(
        name=f"python3.{minor}",
        python=(3, minor),
        operating_system=operating_system,
        glibc=_GLIBC[operating_system],
        architectures=ARCHITECTURES,
        layer_paths=(f"python/lib/python3.{minor}/site-packages", "python"),
        deprecation=deprecation,
        block_create=block_create,
        block_update=block_update,
        source=RUNTIMES_SOURCE,
    )


# Rows: (minor, operating system, deprecation, block function create, block function update).
# Source: RUNTIMES_SOURCE, as published; AWS moves dates, so a row is a forecast until it passes.
RUNTIMES: dict[str, Runtime] = {
    runtime.name: runtime
    for runtime in (
        _runtime(8, AMAZON_LINUX_2, "2024-10-14", "2025-02-28", "2025-03-31"),
        _runtime(9, AMAZON_LINUX_2, "2025-12-15", "2027-02-01", "2027-03-03"),
        _runtime(10, AMAZON_LINUX_2, "2026-10-31", "2026-11-30", "2027-01-15"),
        _runtime(11, AMAZON_LINUX_2, "2027-06-30", "2027-07-31", "2027-08-31"),
        _runtime(12, AMAZON_LINUX_2023, "2028-10-31", "2028-11-30", "2029-01-10"),
        _runtime(13, AMAZON_LINUX_2023, "2029-06-30", "2029-07-31", "2029-08-31"),
        _runtime(14, AMAZON_LINUX_2023, "2029-06-30", "2029-07-31", "2029-08-31"),
    )
}

SOURCE_RUNTIMES = tuple(RUNTIMES)
"""Runtimes a function may be on today."""
TARGET_RUNTIMES = ("python3.10", "python3.11", "python3.12", "python3.13", "python3.14")
"""Runtimes the analysis can target."""
DEFAULT_TARGET = "python3.11"
DEFAULT_SOURCE = "python3.9"


class UnknownRuntimeError(ValueError):
    """A runtime name that is not a Lambda Python runtime this tool knows."""


def get_runtime(name: str) -> Runtime:
    """The runtime called ``name`` (``python3.11``; ``3.11`` is accepted too)."""
    key = name.strip().lower()
    if not key.startswith("python"):
        key = f"python{key}"
    try:
        return RUNTIMES[key]
    except KeyError:
        known = ", ".join(RUNTIMES)
        raise UnknownRuntimeError(f"unknown runtime {name!r}; known runtimes: {known}") from None


def runtime_for_version(version: PythonVersion) -> Runtime | None:
    """The Lambda runtime that runs Python ``version``, if there is one."""
    return RUNTIMES.get(f"python{version[0]}.{version[1]}")


def lifecycle_stage(runtime: Runtime, today: dt.date) -> str:
    """Where ``runtime`` stands on ``today``: supported, deprecated, or past a block date."""
    stages = (
        (runtime.block_update, "updates blocked"),
        (runtime.block_create, "creation blocked"),
        (runtime.deprecation, "deprecated"),
    )
    for date_text, stage in stages:
        if date_text is not None and dt.date.fromisoformat(date_text) <= today:
            return stage
    return "supported"
