"""Tests for the offline OSV advisory service and the vulnerability findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from packaging.version import Version
from pip_audit._service import ResolvedDependency

from analyzer.deps import DependencyOptions, check_advisories_dir, check_dependencies
from analyzer.deps.vulnerabilities import (
    OsvFolderService,
    VulnerabilityCheckError,
    audit,
    cvss3_base_score,
    vulnerability_service,
    vulnerability_severity,
)
from analyzer.errors import InputError
from analyzer.models import ComponentKind, Location, Severity
from analyzer.runtimes import get_runtime
from tests.deps.conftest import LocalIndex, write_function

CRITICAL_VECTOR = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"


def _advisory(
    identifier: str,
    package: str,
    events: list[dict[str, str]],
    *,
    vector: str | None = None,
    label: str | None = None,
    aliases: tuple[str, ...] = (),
) -> dict[str, object]:
    advisory: dict[str, object] = {
        "schema_version": "1.4.0",
        "id": identifier,
        "aliases": list(aliases),
        "summary": f"{package} does something unsafe",
        "published": "2021-03-01T00:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": package},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
            }
        ],
    }
    if vector:
        advisory["severity"] = [{"type": "CVSS_V3", "score": vector}]
    if label:
        advisory["database_specific"] = {"severity": label}
    return advisory


@pytest.fixture
def advisories(tmp_path: Path) -> Path:
    folder = tmp_path / "advisories"
    (folder / "nested").mkdir(parents=True)
    critical = _advisory(
        "GHSA-aaaa-bbbb-cccc",
        "VulnPkg",
        [{"introduced": "0"}, {"fixed": "1.1"}],
        vector=CRITICAL_VECTOR,
        aliases=("CVE-2021-0001",),
    )
    moderate = _advisory(
        "PYSEC-2021-7",
        "helper",
        [{"introduced": "0.5"}, {"last_affected": "1.0"}],
        label="MODERATE",
    )
    (folder / "vulnpkg.json").write_text(json.dumps(critical))
    (folder / "nested" / "helper.json").write_text(json.dumps([moderate]))
    (folder / "broken.json").write_text("{not json")
    return folder


def test_cvss3_base_scores_follow_the_specification() -> None:
    assert cvss3_base_score(CRITICAL_VECTOR) == 9.8
    assert cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N") == 6.1
    assert cvss3_base_score("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N") == 0.0
    assert cvss3_base_score("CVSS:4.0/AV:N/AC:L") is None


def test_severity_table() -> None:
    assert vulnerability_severity(9.8, fixed=True) is Severity.HIGH
    assert vulnerability_severity(9.0, fixed=False) is Severity.HIGH
    assert vulnerability_severity(7.5, fixed=True) is Severity.MEDIUM
    assert vulnerability_severity(None, fixed=True) is Severity.MEDIUM
    assert vulnerability_severity(5.0, fixed=False) is Severity.LOW


def test_folder_service_answers_like_osv(advisories: Path) -> None:
    service = OsvFolderService(advisories)
    _spec, results = service.query(ResolvedDependency(name="vulnpkg", version=Version("1.0")))
    (result,) = results
    # As in pip-audit, a PYSEC or CVE identifier is preferred as the primary one.
    assert (result.id, result.aliases, result.fix_versions) == (
        "CVE-2021-0001",
        {"GHSA-aaaa-bbbb-cccc"},
        [Version("1.1")],
    )
    assert result.score == 9.8
    assert service.query(ResolvedDependency(name="vulnpkg", version=Version("1.1")))[1] == []
    assert service.query(ResolvedDependency(name="helper", version=Version("0.4")))[1] == []
    (helper,) = service.query(ResolvedDependency(name="helper", version=Version("1.0")))[1]
    assert (helper.id, helper.fix_versions, helper.score) == ("PYSEC-2021-7", [], 5.0)
    assert service.query(ResolvedDependency(name="helper", version=Version("1.0.1")))[1] == []


def test_audit_turns_results_into_known_vulnerabilities(advisories: Path) -> None:
    found = audit(OsvFolderService(advisories), [("vulnpkg", "1.0"), ("purepkg", "2.0")])
    assert [(v.name, v.version, v.id, v.fix_versions, v.severity) for v in found] == [
        ("vulnpkg", "1.0", "CVE-2021-0001", ("1.1",), Severity.HIGH)
    ]


def test_vulnerabilities_of_the_resolved_set_are_findings(
    local_index: LocalIndex, tmp_path: Path, advisories: Path
) -> None:
    root = write_function(tmp_path / "fn", {"requirements.txt": "vulnpkg==1.0\npurepkg==2.0\n"})
    options = DependencyOptions(
        index_url=local_index.url("simple"), use_cache=False, advisories_dir=advisories
    )
    result = check_dependencies(root, [get_runtime("python3.11")], "x86_64", options)
    assert result.errors == ()
    found = sorted(
        (f.rule_id, f.location.line, f.symbol, f.severity, f.component.name, f.component.version)
        for f in result.findings
    )
    assert found == [
        ("vulnerability", 1, "CVE-2021-0001", Severity.HIGH, "vulnpkg", "1.0"),
        # helper comes in through purepkg, so it is blamed on purepkg's line.
        ("vulnerability", 2, "PYSEC-2021-7", Severity.LOW, "helper", "1.0"),
    ]
    vulnpkg = next(f for f in result.findings if f.component.name == "vulnpkg")
    assert vulnpkg.location == Location("requirements.txt", 1)
    assert vulnpkg.fix == "Upgrade vulnpkg to 1.1 or later (fixed in 1.1)."
    assert vulnpkg.component.kind is ComponentKind.REQUIREMENTS
    assert vulnpkg.message == (
        "vulnpkg 1.0 has a known vulnerability CVE-2021-0001 (GHSA-aaaa-bbbb-cccc): "
        "VulnPkg does something unsafe"
    )


def test_no_vulns_skips_the_audit(
    local_index: LocalIndex, tmp_path: Path, advisories: Path
) -> None:
    root = write_function(tmp_path / "fn", {"requirements.txt": "vulnpkg==1.0\n"})
    options = DependencyOptions(
        index_url=local_index.url("simple"),
        use_cache=False,
        advisories_dir=advisories,
        vulnerabilities=False,
    )
    result = check_dependencies(root, [get_runtime("python3.11")], "x86_64", options)
    assert result.findings == ()
    assert result.vulnerabilities == ()


def test_pins_are_audited_even_when_the_index_is_down(
    closed_port_url: str, tmp_path: Path, advisories: Path
) -> None:
    root = write_function(tmp_path / "fn", {"requirements.txt": "vulnpkg==1.0\n"})
    options = DependencyOptions(
        index_url=closed_port_url, use_cache=False, advisories_dir=advisories, timeout=2
    )
    result = check_dependencies(root, [get_runtime("python3.11")], "x86_64", options)
    assert [f.rule_id for f in result.findings] == ["vulnerability"]
    assert len(result.errors) == 1


def test_vendored_distributions_are_audited(
    local_index: LocalIndex, tmp_path: Path, advisories: Path
) -> None:
    root = write_function(
        tmp_path / "fn",
        {"vulnpkg-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: VulnPkg\nVersion: 1.0\n"},
    )
    options = DependencyOptions(
        index_url=local_index.url("simple"), use_cache=False, advisories_dir=advisories
    )
    result = check_dependencies(root, [get_runtime("python3.11")], "x86_64", options)
    (finding,) = result.findings
    assert (finding.rule_id, finding.location, finding.component.kind) == (
        "vulnerability",
        Location("vulnpkg-1.0.dist-info/METADATA", 3),
        ComponentKind.VENDORED,
    )


def test_a_missing_advisories_folder_is_a_usage_error_before_any_work(
    closed_port_url: str, tmp_path: Path
) -> None:
    root = write_function(tmp_path / "fn", {"requirements.txt": "vulnpkg==1.0\n"})
    missing = tmp_path / "nonexistent"
    options = DependencyOptions(index_url=closed_port_url, use_cache=False, advisories_dir=missing)

    with pytest.raises(InputError) as refused:
        check_dependencies(root, [get_runtime("python3.11")], "x86_64", options)

    assert str(refused.value) == f"--advisories {missing}: no such folder"


def test_an_advisories_path_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "advisories.json"
    not_a_folder.write_text("[]")

    with pytest.raises(InputError) as refused:
        check_advisories_dir(not_a_folder)

    assert str(refused.value) == f"--advisories {not_a_folder}: not a folder of OSV advisories"


def test_an_advisories_folder_is_not_needed_when_vulnerabilities_are_skipped(
    local_index: LocalIndex, tmp_path: Path
) -> None:
    root = write_function(tmp_path / "fn", {"requirements.txt": "vulnpkg==1.0\n"})
    options = DependencyOptions(
        index_url=local_index.url("simple"),
        use_cache=False,
        advisories_dir=tmp_path / "nonexistent",
        vulnerabilities=False,
    )

    result = check_dependencies(root, [get_runtime("python3.11")], "x86_64", options)

    assert result.vulnerabilities == ()


def test_an_unreachable_advisory_service_is_one_line_naming_no_host(
    monkeypatch: pytest.MonkeyPatch, closed_port_url: str, tmp_path: Path
) -> None:
    proxy = closed_port_url.removesuffix("/simple/")
    for name in ("HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(name, proxy)  # every request goes to a closed port of 127.0.0.1
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    service = vulnerability_service(None, tmp_path / "advisories", 5.0)

    with pytest.raises(VulnerabilityCheckError) as raised:
        audit(service, [("requests", "2.19.0")])
    assert str(raised.value) == (
        "the advisory service cannot be reached; use --no-vulns, or --advisories DIR with OSV "
        "advisories kept offline"
    )
