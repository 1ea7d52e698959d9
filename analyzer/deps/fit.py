"""Which file of a project installs on a target: a fitting wheel, only an sdist, or nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from analyzer.deps.index import DistributionFile, IndexClient
from analyzer.deps.target import TargetEnvironment

WHEEL = "wheel"
SDIST_ONLY = "sdist-only"
NO_DISTRIBUTION = "no-distribution"


def files_by_version(files: Iterable[DistributionFile]) -> dict[Version, list[DistributionFile]]:
    """The files of each release."""
    releases: dict[Version, list[DistributionFile]] = defaultdict(list)
    for file in files:
        releases[file.version].append(file)
    return dict(releases)


def best_wheel(
    files: Iterable[DistributionFile], target: TargetEnvironment, *, allow_yanked: bool
) -> DistributionFile | None:
    """The wheel pip would pick for ``target`` among ``files``, or ``None``."""
    ranked: list[tuple[int, str, DistributionFile]] = []
    for file in files:
        if not file.is_wheel or (file.yanked is not None and not allow_yanked):
            continue
        if not target.python_fits(file.requires_python):
            continue
        rank = target.wheel_rank(file.tags)
        if rank is not None:
            ranked.append((rank, file.filename, file))
    return min(ranked, key=lambda item: (item[0], item[1]))[2] if ranked else None


def installable_sdist(
    files: Iterable[DistributionFile], target: TargetEnvironment, *, allow_yanked: bool
) -> DistributionFile | None:
    """An sdist whose ``Requires-Python`` admits ``target``, or ``None``."""
    for file in sorted(files, key=lambda item: item.filename):
        if file.is_wheel or (file.yanked is not None and not allow_yanked):
            continue
        if target.python_fits(file.requires_python):
            return file
    return None


def matching_versions(
    versions: Iterable[Version], specifiers: Sequence[SpecifierSet]
) -> list[Version]:
    """Versions every specifier admits, newest first, with pip's pre-release rule."""
    candidates = sorted(set(versions), reverse=True)
    for specifier in specifiers:
        candidates = list(specifier.filter(candidates))
    return candidates


def is_exact_pin(specifiers: Sequence[SpecifierSet], version: Version) -> bool:
    """Whether a specifier pins ``version`` with ``==``/``===`` (PEP 592 then allows yanked)."""
    for specifier_set in specifiers:
        for specifier in specifier_set:
            if specifier.operator == "===" and specifier.version == str(version):
                return True
            if (
                specifier.operator == "=="
                and not specifier.version.endswith(".*")
                and Version(specifier.version) == version
            ):
                return True
    return False


@dataclass(frozen=True)
class NativeCode:
    """Whether an sdist holds code that needs a compiler, and how that was told."""

    native: bool | None
    reason: str


def sdist_native_code(
    client: IndexClient, releases: dict[Version, list[DistributionFile]], sdist: DistributionFile
) -> NativeCode:
    """Whether building ``sdist`` needs a compiler, told as cheaply as possible.

    Binary wheels of any release say yes; only pure wheels say no; else a look inside the
    sdist when it is small.
    """
    wheels = [file for files in releases.values() for file in files if file.is_wheel]
    if any(tag.platform != "any" for wheel in wheels for tag in wheel.tags):
        return NativeCode(True, "the project publishes binary wheels")
    if wheels:
        return NativeCode(False, "the project's wheels are pure Python")
    probe = client.sdist_probe(sdist)
    if probe is None:
        return NativeCode(None, "whether it holds C code is unknown (sdist not inspected)")
    if probe.has_native_code:
        return NativeCode(True, "the sdist holds C, C++, Cython or Rust sources")
    return NativeCode(False, "the sdist holds Python sources only")


@dataclass(frozen=True)
class PinFit:
    """How one requirement fares on one target."""

    status: str
    """``wheel``, ``sdist-only`` or ``no-distribution``."""
    version: Version | None
    """The version pip would take (the pin, or the best match of a range)."""
    wheel: DistributionFile | None = None
    sdist: DistributionFile | None = None
    native: NativeCode | None = None
    fitting_version: Version | None = None
    """The lowest later version with a fitting wheel, when ``version`` has none."""
    detail: str = ""


def lowest_fitting_version(
    releases: Mapping[Version, Sequence[DistributionFile]],
    targets: Sequence[TargetEnvironment],
    above: Version | None,
) -> Version | None:
    """The lowest final release after ``above`` with a wheel for every target."""
    for version in sorted(releases):
        if version.is_prerelease or (above is not None and version <= above):
            continue
        files = releases[version]
        if all(best_wheel(files, target, allow_yanked=False) for target in targets):
            return version
    return None


def fit_requirement(
    client: IndexClient,
    releases: dict[Version, list[DistributionFile]],
    specifiers: Sequence[SpecifierSet],
    target: TargetEnvironment,
) -> PinFit:
    """What an install of a requirement (its specifiers and constraints) gets on ``target``."""
    matching = matching_versions(releases, specifiers)
    if not releases:
        return PinFit(NO_DISTRIBUTION, None, detail="the project is not on the index")
    if not matching:
        fitting = lowest_fitting_version(releases, [target], None)
        return PinFit(
            NO_DISTRIBUTION,
            None,
            fitting_version=fitting,
            detail="no release on the index matches the requirement",
        )
    for version in matching:
        allow_yanked = is_exact_pin(specifiers, version)
        wheel = best_wheel(releases[version], target, allow_yanked=allow_yanked)
        if wheel is not None:
            yanked = f" (yanked: {wheel.yanked})" if wheel.yanked else ""
            return PinFit(WHEEL, version, wheel=wheel, detail=f"{wheel.filename}{yanked}")
    for version in matching:
        allow_yanked = is_exact_pin(specifiers, version)
        sdist = installable_sdist(releases[version], target, allow_yanked=allow_yanked)
        if sdist is not None:
            native = sdist_native_code(client, releases, sdist)
            return PinFit(
                SDIST_ONLY,
                version,
                sdist=sdist,
                native=native,
                fitting_version=lowest_fitting_version(releases, [target], version),
                detail=f"{sdist.filename}: {native.reason}",
            )
    version = matching[0]
    return PinFit(
        NO_DISTRIBUTION,
        version,
        fitting_version=lowest_fitting_version(releases, [target], version),
        detail=_why_nothing_fits(releases[version], target),
    )


def _why_nothing_fits(files: Sequence[DistributionFile], target: TargetEnvironment) -> str:
    if files and all(file.yanked is not None for file in files):
        return "every file of the release is yanked"
    if files and not any(target.python_fits(file.requires_python) for file in files):
        required = next(str(file.requires_python) for file in files if file.requires_python)
        return f"the release requires Python {required}"
    return f"no wheel for {target.description} and no sdist"
