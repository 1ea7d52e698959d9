"""Known vulnerabilities through pip-audit's services, and an offline OSV folder service."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from pip_audit._service import (
    Dependency,
    OsvService,
    ResolvedDependency,
    VulnerabilityResult,
    VulnerabilityService,
)

from analyzer.errors import InputError
from analyzer.models import Severity

logger = logging.getLogger(__name__)

# CVSS v3.x base metric weights (FIRST, CVSS v3.1 specification, section 7.4).
_CVSS3_WEIGHTS: dict[str, dict[str, float]] = {
    "AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
    "AC": {"L": 0.77, "H": 0.44},
    "UI": {"N": 0.85, "R": 0.62},
    "C": {"H": 0.56, "L": 0.22, "N": 0.0},
    "I": {"H": 0.56, "L": 0.22, "N": 0.0},
    "A": {"H": 0.56, "L": 0.22, "N": 0.0},
}
_CVSS3_PRIVILEGES = {"U": {"N": 0.85, "L": 0.62, "H": 0.27}, "C": {"N": 0.85, "L": 0.68, "H": 0.5}}
_LABEL_SCORES = {"CRITICAL": 9.0, "HIGH": 7.0, "MODERATE": 5.0, "MEDIUM": 5.0, "LOW": 2.0}


def _round_up(value: float) -> float:
    # CVSS v3.1 Appendix A: round up to one decimal, immune to floating point noise.
    scaled = round(value * 100000)
    if scaled % 10000 == 0:
        return scaled / 100000.0
    return (math.floor(scaled / 10000) + 1) / 10.0


def cvss3_base_score(vector: str) -> float | None:
    """The base score of a ``CVSS:3.x/AV:N/...`` vector, or ``None`` if it is not one."""
    parts = vector.strip().split("/")
    if not parts or not parts[0].startswith("CVSS:3"):
        return None
    metrics = dict(part.split(":", 1) for part in parts[1:] if ":" in part)
    try:
        scope = metrics["S"]
        weights = {key: _CVSS3_WEIGHTS[key][metrics[key]] for key in _CVSS3_WEIGHTS}
        privileges = _CVSS3_PRIVILEGES[scope][metrics["PR"]]
    except KeyError:
        return None
    impact_base = 1 - (1 - weights["C"]) * (1 - weights["I"]) * (1 - weights["A"])
    if scope == "U":
        impact = 6.42 * impact_base
    else:
        impact = 7.52 * (impact_base - 0.029) - 3.25 * (impact_base - 0.02) ** 15
    exploitability = 8.22 * weights["AV"] * weights["AC"] * privileges * weights["UI"]
    if impact <= 0:
        return 0.0
    if scope == "U":
        return _round_up(min(impact + exploitability, 10))
    return _round_up(min(1.08 * (impact + exploitability), 10))


@dataclass(frozen=True)
class ScoredVulnerabilityResult(VulnerabilityResult):  # type: ignore[misc]
    """pip-audit's result with the advisory's severity score (CVSS base, or its label's)."""

    score: float | None = None


def vulnerability_severity(score: float | None, fixed: bool) -> Severity:
    """How a known vulnerability weighs in the readiness score.

    Critical (CVSS 9.0 or more) is ``high``; any other with a fixed release is ``medium``
    (upgrade); one without a fix is ``low`` (nothing to do but watch).
    """
    if score is not None and score >= 9.0:
        return Severity.HIGH
    return Severity.MEDIUM if fixed else Severity.LOW


def _advisory_score(advisory: dict[str, Any]) -> float | None:
    scores = [
        cvss3_base_score(str(entry.get("score", "")))
        for entry in advisory.get("severity", []) or []
        if isinstance(entry, dict) and str(entry.get("type", "")).startswith("CVSS_V3")
    ]
    numeric = [score for score in scores if score is not None]
    if numeric:
        return max(numeric)
    database = advisory.get("database_specific")
    label = database.get("severity") if isinstance(database, dict) else None
    return _LABEL_SCORES.get(str(label).upper()) if label else None


def _sort_key(value: str) -> Version:
    return Version("0") if value == "0" else Version(value)


def _in_range(version: Version, events: Sequence[dict[str, str]]) -> bool:
    """OSV range evaluation over ECOSYSTEM versions (events read in version order)."""
    ordered: list[tuple[Version, int, str]] = []
    for event in events:
        for kind, rank in (("introduced", 0), ("fixed", 1), ("last_affected", 2), ("limit", 3)):
            if kind in event:
                try:
                    ordered.append((_sort_key(str(event[kind])), rank, kind))
                except InvalidVersion:
                    continue
    affected = False
    for boundary, _rank, kind in sorted(ordered):
        if kind == "introduced" and version >= boundary:
            affected = True
        elif (kind in ("fixed", "limit") and version >= boundary) or (
            kind == "last_affected" and version > boundary
        ):
            affected = False
    return affected


def check_advisories_dir(folder: Path) -> None:
    """Refuse, as a usage error, an ``--advisories`` folder that is missing or unreadable:
    an empty answer from it would read as "no known vulnerabilities"."""
    if not folder.exists():
        raise InputError(f"--advisories {folder}: no such folder")
    if not folder.is_dir():
        raise InputError(f"--advisories {folder}: not a folder of OSV advisories")
    try:
        next(folder.iterdir(), None)
    except OSError as error:
        raise InputError(
            f"--advisories {folder}: cannot be read ({error.strerror or error})"
        ) from None


class OsvFolderService(VulnerabilityService):  # type: ignore[misc]
    """Advisories in OSV format read from a folder of ``*.json`` files (one entry, or a list).

    The offline counterpart of pip-audit's ``OsvService``: what it answers for a
    dependency is what the OSV API would answer from the same entries.
    """

    def __init__(self, folder: Path) -> None:
        check_advisories_dir(folder)
        self.folder = folder
        self._by_package: dict[str, list[dict[str, Any]]] = {}
        for path in sorted(folder.rglob("*.json")):
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
                logger.warning("skipping advisory file %s: %s", path.name, error)
                continue
            for advisory in document if isinstance(document, list) else [document]:
                self._add(advisory)

    def _add(self, advisory: Any) -> None:
        if not isinstance(advisory, dict) or "id" not in advisory or advisory.get("withdrawn"):
            return
        for affected in advisory.get("affected", []) or []:
            package = affected.get("package", {}) if isinstance(affected, dict) else {}
            if package.get("ecosystem") == "PyPI" and package.get("name"):
                key = canonicalize_name(str(package["name"]))
                if advisory not in self._by_package.setdefault(key, []):
                    self._by_package[key].append(advisory)

    def query(self, spec: Dependency) -> tuple[Dependency, list[VulnerabilityResult]]:
        """The advisories affecting ``spec``'s version, with the versions that fix them."""
        if spec.is_skipped():
            return spec, []
        results: list[VulnerabilityResult] = []
        for advisory in self._by_package.get(spec.canonical_name, []):
            fixes = self._affecting(advisory, spec.canonical_name, spec.version)
            if fixes is None:
                continue
            description = advisory.get("summary") or advisory.get("details") or "N/A"
            ids = [str(advisory["id"]), *[str(alias) for alias in advisory.get("aliases", [])]]
            ids.sort(key=lambda text: (not text.startswith("PYSEC"), not text.startswith("CVE")))
            results.append(
                ScoredVulnerabilityResult(
                    ids[0],
                    str(description).replace("\n", " "),
                    sorted(fixes),
                    set(ids[1:]),
                    self._parse_rfc3339(advisory.get("published")),
                    _advisory_score(advisory),
                )
            )
        return spec, results

    @staticmethod
    def _affecting(advisory: dict[str, Any], name: str, version: Version) -> list[Version] | None:
        """The fixed versions of an advisory that affects ``version``, else ``None``."""
        hit = False
        fixes: set[Version] = set()
        for affected in advisory.get("affected", []) or []:
            package = affected.get("package", {})
            if canonicalize_name(str(package.get("name", ""))) != name:
                continue
            listed = {str(item) for item in affected.get("versions", []) or []}
            if str(version) in listed:
                hit = True
            for version_range in affected.get("ranges", []) or []:
                if version_range.get("type") not in ("ECOSYSTEM", "SEMVER"):
                    continue
                events = version_range.get("events", []) or []
                if _in_range(version, events):
                    hit = True
                for event in events:
                    try:
                        fixed = Version(str(event["fixed"])) if "fixed" in event else None
                    except InvalidVersion:
                        fixed = None
                    if fixed is not None and fixed > version:
                        fixes.add(fixed)
        return sorted(fixes) if hit else None


@dataclass(frozen=True)
class KnownVulnerability:
    """One advisory that affects one installed release."""

    name: str
    version: str
    id: str
    aliases: tuple[str, ...]
    description: str
    fix_versions: tuple[str, ...]
    score: float | None

    @property
    def severity(self) -> Severity:
        """Its weight in the score (see :func:`vulnerability_severity`)."""
        return vulnerability_severity(self.score, bool(self.fix_versions))


class VulnerabilityCheckError(Exception):
    """The advisory service could not be asked; its text holds no credentials."""


def vulnerability_service(
    advisories_dir: Path | None, cache_dir: Path | None, timeout: float
) -> VulnerabilityService:
    """The offline folder service for ``advisories_dir``, else pip-audit's OSV service."""
    if advisories_dir is not None:
        return OsvFolderService(advisories_dir)
    # TODO: pip-audit's OsvService drops the advisories' CVSS vectors, so online results weigh
    # as "fix known" or "no fix" only (an online service built on OsvFolderService's parsing).
    return OsvService(cache_dir=cache_dir, timeout=math.ceil(timeout))


def audit(
    service: VulnerabilityService, releases: Iterable[tuple[str, str]]
) -> list[KnownVulnerability]:
    """Ask ``service`` about each (name, version); raises :class:`VulnerabilityCheckError`."""
    specs: list[Dependency] = []
    for name, version in sorted(set(releases)):
        try:
            specs.append(ResolvedDependency(name=name, version=Version(version)))
        except InvalidVersion:
            logger.debug("not auditing %s %s: not a PEP 440 version", name, version)
    found: list[KnownVulnerability] = []
    try:
        answers: Iterator[tuple[Dependency, list[VulnerabilityResult]]] = service.query_all(
            iter(specs)
        )
        for spec, results in answers:
            for result in results:
                found.append(
                    KnownVulnerability(
                        name=spec.canonical_name,
                        version=str(spec.version),
                        id=str(result.id),
                        aliases=tuple(sorted(str(alias) for alias in result.aliases)),
                        description=str(result.description),
                        fix_versions=tuple(str(fixed) for fixed in sorted(result.fix_versions)),
                        score=getattr(result, "score", None),
                    )
                )
    except Exception as error:  # any failure of a third-party service is reported, not raised
        raise VulnerabilityCheckError(_failure_text(error)) from None
    return found


OFFLINE_HINT = "use --no-vulns, or --advisories DIR with OSV advisories kept offline"


def _failure_text(error: BaseException) -> str:
    """What went wrong with the advisory service, in a line that names no host: the
    exception's own text carries the service's address and the resolver's details."""
    import requests

    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for link in chain:
        if isinstance(link, requests.HTTPError) and link.response is not None:
            return f"the advisory service answered HTTP {link.response.status_code}"
    for link in chain:
        if isinstance(link, (requests.ConnectionError, requests.Timeout, ConnectionError)):
            return f"the advisory service cannot be reached; {OFFLINE_HINT}"
        if isinstance(link, OSError):
            return f"the advisory service cannot be reached ({type(link).__name__}); {OFFLINE_HINT}"
    return f"the advisory service failed ({type(error).__name__})"
