"""What pip on a Lambda runtime accepts: wheel tags, marker environment and Python version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.version import Version

from analyzer.models import Runtime

LAMBDA_MACHINES = {"x86_64": "x86_64", "arm64": "aarch64"}
"""Lambda's architecture names and the machine name wheels and markers use for them."""

# Each manylinux platform tag on or below a glibc, with the legacy alias of PEP 513 (2.5),
# PEP 571 (2.12) and PEP 599 (2.17) beside its PEP 600 spelling. The older two exist for
# x86_64 (and i686) only; the first aarch64 wheels are manylinux2014.
_LEGACY_MANYLINUX = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
_LEGACY_ONLY_X86 = {12, 5}
_FIRST_GLIBC_MINOR = {"x86_64": 5, "aarch64": 17}


def manylinux_platforms(glibc: tuple[int, int], machine: str) -> list[str]:
    """Platform tags a glibc ``glibc`` Linux on ``machine`` accepts, most specific first."""
    platforms: list[str] = []
    for minor in range(glibc[1], _FIRST_GLIBC_MINOR.get(machine, 17) - 1, -1):
        platforms.append(f"manylinux_{glibc[0]}_{minor}_{machine}")
        legacy = _LEGACY_MANYLINUX.get(minor)
        if legacy is not None and (machine == "x86_64" or minor not in _LEGACY_ONLY_X86):
            platforms.append(f"{legacy}_{machine}")
    return platforms


@dataclass(frozen=True)
class TargetEnvironment:
    """One Lambda runtime on one architecture, seen as pip sees an install target."""

    runtime: Runtime
    architecture: str
    """Lambda's name: ``x86_64`` or ``arm64``."""

    @property
    def name(self) -> str:
        """The runtime's name, such as ``python3.11``."""
        return self.runtime.name

    @property
    def machine(self) -> str:
        """The machine name of wheel tags and markers (``aarch64`` for Lambda's ``arm64``)."""
        return LAMBDA_MACHINES.get(self.architecture, self.architecture)

    @property
    def python_version(self) -> Version:
        """The interpreter's version as pip's ``--python-version X.Y`` takes it (patch 0).

        A runtime's patch release moves with every Lambda update, so the lowest is assumed,
        as pip does for ``--python-version``.
        """
        major, minor = self.runtime.python
        return Version(f"{major}.{minor}.0")

    @property
    def description(self) -> str:
        """``CPython 3.11, manylinux x86_64 (glibc 2.26)``."""
        glibc = ".".join(str(part) for part in self.runtime.glibc)
        return f"CPython {self.runtime.version_text}, manylinux {self.machine} (glibc {glibc})"

    @cached_property
    def platforms(self) -> tuple[str, ...]:
        """Platform tags of the runtime, most specific first."""
        return tuple(manylinux_platforms(self.runtime.glibc, self.machine))

    @cached_property
    def wheel_tags(self) -> tuple[Tag, ...]:
        """Every tag a wheel may carry to install here, most preferred first."""
        major, minor = self.runtime.python
        interpreter = f"cp{major}{minor}"
        tags = [
            *cpython_tags((major, minor), [interpreter], self.platforms),
            *compatible_tags((major, minor), interpreter, self.platforms),
        ]
        return tuple(dict.fromkeys(tags))

    @cached_property
    def tag_priority(self) -> Mapping[Tag, int]:
        """Each supported tag's rank: lower is preferred."""
        return {tag: rank for rank, tag in enumerate(self.wheel_tags)}

    def wheel_rank(self, tags: frozenset[Tag]) -> int | None:
        """The best rank among a wheel's tags, or ``None`` when the wheel does not fit."""
        ranks = [self.tag_priority[tag] for tag in tags if tag in self.tag_priority]
        return min(ranks) if ranks else None

    @cached_property
    def marker_environment(self) -> dict[str, str]:
        """PEP 508 marker values of the runtime (Amazon Linux, CPython)."""
        version = self.python_version
        return {
            "implementation_name": "cpython",
            "implementation_version": str(version),
            "os_name": "posix",
            "platform_machine": self.machine,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_system": "Linux",
            "platform_version": "",
            "python_full_version": str(version),
            "python_version": self.runtime.version_text,
            "sys_platform": "linux",
        }

    def marker_applies(self, marker: Marker | None, extras: frozenset[str] = frozenset()) -> bool:
        """Whether ``marker`` holds here, for a requirement asked with ``extras``."""
        if marker is None:
            return True
        for extra in extras or frozenset({""}):
            if marker.evaluate({**self.marker_environment, "extra": extra}):
                return True
        return False

    def python_fits(self, requires_python: SpecifierSet | None) -> bool:
        """Whether a file's ``Requires-Python`` admits the runtime's interpreter."""
        if requires_python is None:
            return True
        return requires_python.contains(self.python_version, prereleases=True)
