"""Tests for ``check_dependencies`` end to end, against the local index."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from analyzer.deps import DependencyOptions, DependencyResult, check_dependencies
from analyzer.models import AnalysisError, ComponentKind, Location
from analyzer.runtimes import get_runtime
from tests.deps.conftest import PRIVATE_PASSWORD, PRIVATE_USER, LocalIndex, write_function

PY311 = get_runtime("python3.11")
PY312 = get_runtime("python3.12")

MIXED_REQUIREMENTS = (
    "purepkg==2.0\n"
    "cponly==1.0\n"
    "abi3pkg==1.0\n"
    "newglibc==1.0\n"
    "sdistonly==1.0\n"
    "yankedpkg>=1.0\n"
    "newpython==1.0 ; python_version >= '3.11'\n"
)


def _options(index_url: str, **overrides: object) -> DependencyOptions:
    values: dict[str, object] = {
        "index_url": index_url,
        "vulnerabilities": False,
        "use_cache": False,
        "timeout": 5.0,
    }
    values.update(overrides)
    return DependencyOptions(**values)  # type: ignore[arg-type]


def _rows(result: DependencyResult, target: str) -> list[tuple[object, ...]]:
    return [
        (row.name, row.version, row.source.line, row.status, row.fitting_version)
        for row in result.rows_by_target[target]
    ]


def _findings(result: DependencyResult) -> list[tuple[object, ...]]:
    return sorted(
        (f.rule_id, f.location.path, f.location.line, f.broken_on, f.component.name)
        for f in result.findings
    )


@pytest.mark.parametrize("flavour", ["simple", "html", "html-nometa"])
def test_each_pin_gets_its_fit_on_each_target(
    local_index: LocalIndex, tmp_path: Path, flavour: str
) -> None:
    root = write_function(tmp_path, {"requirements.txt": MIXED_REQUIREMENTS})
    result = check_dependencies(root, [PY311, PY312], "x86_64", _options(local_index.url(flavour)))

    assert result.errors == ()
    assert _rows(result, "python3.11") == [
        ("purepkg", "2.0", 1, "wheel", None),
        ("cponly", "1.0", 2, "sdist-only", "2.0"),
        ("abi3pkg", "1.0", 3, "wheel", None),
        ("newglibc", "1.0", 4, "no-distribution", None),
        ("sdistonly", "1.0", 5, "sdist-only", None),
        ("yankedpkg", "1.0", 6, "wheel", None),
        ("newpython", "1.0", 7, "no-distribution", None),
    ]
    assert _rows(result, "python3.12") == [
        ("purepkg", "2.0", 1, "wheel", None),
        ("cponly", "1.0", 2, "sdist-only", "2.0"),
        ("abi3pkg", "1.0", 3, "wheel", None),
        ("newglibc", "1.0", 4, "wheel", None),
        ("sdistonly", "1.0", 5, "sdist-only", None),
        ("yankedpkg", "1.0", 6, "wheel", None),
        ("newpython", "1.0", 7, "wheel", None),
    ]
    details = {row.name: row.detail for row in result.rows_by_target["python3.11"]}
    assert details["abi3pkg"] == "abi3pkg-1.0-cp37-abi3-manylinux2014_x86_64.whl"
    assert details["cponly"] == "cponly-1.0.tar.gz: the project publishes binary wheels"
    assert details["sdistonly"] == "sdistonly-1.0.tar.gz: the sdist holds Python sources only"
    assert details["newglibc"] == (
        "no wheel for CPython 3.11, manylinux x86_64 (glibc 2.26) and no sdist"
    )
    assert details["newpython"] == "the release requires Python >=3.12"

    assert _findings(result) == [
        ("dependency-no-wheel", "requirements.txt", 2, ("python3.11", "python3.12"), "cponly"),
        ("dependency-no-wheel", "requirements.txt", 4, ("python3.11",), "newglibc"),
        ("dependency-no-wheel", "requirements.txt", 7, ("python3.11",), "newpython"),
        (
            "dependency-sdist-only",
            "requirements.txt",
            5,
            ("python3.11", "python3.12"),
            "sdistonly",
        ),
    ]
    cponly = next(f for f in result.findings if f.component.name == "cponly")
    assert cponly.component.kind is ComponentKind.REQUIREMENTS
    assert cponly.component.version == "1.0"
    assert cponly.fix == (
        "Upgrade to cponly>=2.0, the lowest release with a wheel for python3.11, python3.12, "
        "and test the upgrade."
    )
    assert all(f.fix for f in result.findings)

    (verdict_311,) = result.verdicts["python3.11"]
    (verdict_312,) = result.verdicts["python3.12"]
    assert (verdict_311.installs_from_wheels, verdict_311.installs) == (False, False)
    assert (verdict_312.installs_from_wheels, verdict_312.installs) == (False, True)
    assert dict(verdict_312.resolved) == {
        "abi3pkg": "1.0",
        "cponly": "1.0",
        "helper": "1.0",
        "newglibc": "1.0",
        "newpython": "1.0",
        "purepkg": "2.0",
        "sdistonly": "1.0",
        "yankedpkg": "1.0",
    }
    assert result.installs_from_wheels("python3.12") is False


def test_a_set_of_wheels_installs_and_pulls_its_dependencies(
    local_index: LocalIndex, tmp_path: Path
) -> None:
    root = write_function(tmp_path, {"requirements.txt": "purepkg\nabi3pkg==1.0\n"})
    result = check_dependencies(root, [PY311], "x86_64", _options(local_index.url("simple")))
    assert result.findings == ()
    assert result.installs_from_wheels("python3.11") is True
    (verdict,) = result.verdicts["python3.11"]
    assert verdict.resolved == (("abi3pkg", "1.0"), ("helper", "1.0"), ("purepkg", "2.0"))


def test_an_exact_pin_of_a_yanked_release_is_still_installed(
    local_index: LocalIndex, tmp_path: Path
) -> None:
    root = write_function(tmp_path, {"requirements.txt": "yankedpkg==1.1\n"})
    result = check_dependencies(root, [PY311], "x86_64", _options(local_index.url("simple")))
    (row,) = result.rows_by_target["python3.11"]
    assert (row.version, row.status, row.detail) == (
        "1.1",
        "wheel",
        "yankedpkg-1.1-py3-none-any.whl (yanked: broken upload)",
    )


def test_architecture_decides_the_platform_tag(local_index: LocalIndex, tmp_path: Path) -> None:
    root = write_function(tmp_path, {"requirements.txt": "armonly==1.0\nabi3pkg==1.0\n"})
    arm = check_dependencies(root, [PY311], "arm64", _options(local_index.url("simple")))
    assert _rows(arm, "python3.11") == [
        ("armonly", "1.0", 1, "wheel", None),
        ("abi3pkg", "1.0", 2, "no-distribution", None),
    ]
    assert _findings(arm) == [
        ("dependency-no-wheel", "requirements.txt", 2, ("python3.11",), "abi3pkg")
    ]
    assert arm.findings[0].message == (
        "abi3pkg 1.0 has no wheel for python3.11 (aarch64): no wheel for CPython 3.11, "
        "manylinux aarch64 (glibc 2.26) and no sdist"
    )
    x86 = check_dependencies(root, [PY311], "x86_64", _options(local_index.url("simple")))
    assert _findings(x86) == [
        ("dependency-no-wheel", "requirements.txt", 1, ("python3.11",), "armonly")
    ]


def test_a_version_conflict_is_quoted(local_index: LocalIndex, tmp_path: Path) -> None:
    root = write_function(tmp_path, {"requirements.txt": "conflicta==1.0\nhelper==1.0\n"})
    result = check_dependencies(root, [PY311], "x86_64", _options(local_index.url("simple")))
    (finding,) = result.findings
    assert (finding.rule_id, finding.location, finding.broken_on) == (
        "dependency-conflict",
        Location("requirements.txt", 2),
        ("python3.11",),
    )
    assert finding.message == (
        "the requirements of requirements.txt do not install on python3.11: helper: "
        "helper==1.0 (requirements.txt:2) and helper<1.0 (required by conflicta 1.0) "
        "cannot both hold"
    )


def test_a_dependency_built_from_an_sdist_is_blamed_on_its_requirement(
    local_index: LocalIndex, tmp_path: Path
) -> None:
    root = write_function(tmp_path, {"requirements.txt": "helper==1.0\nneedsdist==1.0\n"})
    result = check_dependencies(root, [PY311], "x86_64", _options(local_index.url("simple")))
    assert _findings(result) == [
        ("dependency-sdist-only", "requirements.txt", 2, ("python3.11",), "sdistonly")
    ]
    (verdict,) = result.verdicts["python3.11"]
    assert (verdict.installs_from_wheels, verdict.installs) == (False, True)


def test_an_sdist_with_c_sources_and_no_wheels_breaks(
    local_index: LocalIndex, tmp_path: Path
) -> None:
    root = write_function(tmp_path, {"requirements.txt": "nativesdist==1.0\n"})
    result = check_dependencies(root, [PY311], "x86_64", _options(local_index.url("simple")))
    (finding,) = result.findings
    assert (finding.rule_id, finding.location.line, finding.broken_on) == (
        "dependency-no-wheel",
        1,
        ("python3.11",),
    )
    assert "the sdist holds C, C++, Cython or Rust sources" in finding.message


def test_invalid_lines_are_findings_and_the_rest_is_checked(
    local_index: LocalIndex, tmp_path: Path
) -> None:
    root = write_function(
        tmp_path, {"requirements.txt": "helper==1.0\nthis is == not valid\nunknown-project==1\n"}
    )
    result = check_dependencies(root, [PY311], "x86_64", _options(local_index.url("simple")))
    assert _findings(result) == [
        ("dependency-no-wheel", "requirements.txt", 3, ("python3.11",), "unknown-project"),
        ("requirement-invalid", "requirements.txt", 2, None, "requirements.txt"),
    ]
    assert _rows(result, "python3.11") == [
        ("helper", "1.0", 1, "wheel", None),
        ("unknown-project", "1", 3, "no-distribution", None),
    ]


def test_vendored_distributions_are_rows_not_findings(
    local_index: LocalIndex, tmp_path: Path
) -> None:
    root = write_function(
        tmp_path,
        {
            "cponly-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: cponly\nVersion: 1.0\n",
            "handler.py": "def handler(event, context):\n    return 1\n",
        },
    )
    result = check_dependencies(root, [PY311], "x86_64", _options(local_index.url("simple")))
    (row,) = result.rows_by_target["python3.11"]
    assert (row.name, row.version, row.status, row.fitting_version, row.source.path) == (
        "cponly",
        "1.0",
        "vendored",
        "2.0",
        "cponly-1.0.dist-info/METADATA",
    )
    assert row.detail.startswith("installed in the package; for a rebuild on python3.11: sdist")
    assert result.findings == ()
    assert result.verdicts == {}


def test_no_requirements_returns_at_once_without_the_network(
    local_index: LocalIndex, tmp_path: Path
) -> None:
    root = write_function(tmp_path, {"handler.py": "def handler(event, context):\n    pass\n"})
    local_index.clear()
    result = check_dependencies(
        root, [PY311], "x86_64", _options(local_index.url("simple"), vulnerabilities=True)
    )
    assert result == DependencyResult()
    assert local_index.asked("/") == []


def test_an_unreachable_index_marks_the_part_not_checked(
    closed_port_url: str, tmp_path: Path
) -> None:
    root = write_function(tmp_path, {"requirements.txt": "helper==1.0\nnot valid!\n"})
    result = check_dependencies(root, [PY311], "x86_64", _options(closed_port_url))
    assert _rows(result, "python3.11") == [("helper", "1.0", 1, "not-checked", None)]
    assert result.rows_by_target["python3.11"][0].detail.startswith(
        f"{closed_port_url}helper/: cannot be reached"
    )
    (error,) = result.errors
    assert error.stage == "deps"
    assert error.message.startswith(f"dependencies not checked: {closed_port_url}helper/")
    assert [f.rule_id for f in result.findings] == ["requirement-invalid"]
    assert result.installs_from_wheels("python3.11") is None
    assert result.checked is False


@pytest.mark.parametrize("flavour", ["garbage", "badjson"])
def test_a_garbage_answer_marks_the_part_not_checked(
    local_index: LocalIndex, tmp_path: Path, flavour: str
) -> None:
    root = write_function(tmp_path, {"requirements.txt": "helper==1.0\n"})
    result = check_dependencies(root, [PY311], "x86_64", _options(local_index.url(flavour)))
    (error,) = result.errors
    assert "not a Simple API page" in error.message
    assert _rows(result, "python3.11") == [("helper", "1.0", 1, "not-checked", None)]


def test_private_index_credentials_never_reach_output_or_logs(
    local_index: LocalIndex, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    root = write_function(tmp_path, {"requirements.txt": "helper==1.0\n"})
    good = check_dependencies(root, [PY311], "x86_64", _options(local_index.private_url()))
    assert _rows(good, "python3.11") == [("helper", "1.0", 1, "wheel", None)]
    assert good.indexes == (f"{local_index.base_url}/private/simple/",)

    bad_url = local_index.private_url(password="Leaky-Pa55word")
    bad = check_dependencies(root, [PY311], "x86_64", _options(bad_url))
    (error,) = bad.errors
    assert "HTTP 401" in error.message
    shown = repr(good) + repr(bad) + caplog.text
    for secret in (PRIVATE_PASSWORD, "Leaky-Pa55word", f"{PRIVATE_USER}:"):
        assert secret not in shown


def test_pip_configuration_supplies_the_index(
    local_index: LocalIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "pip.conf"
    config.write_text(f"[global]\nindex-url = {local_index.url('html')}\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    root = write_function(tmp_path / "fn", {"requirements.txt": "helper==1.0\n"})
    result = check_dependencies(root, [PY311], "x86_64", _options(None))  # type: ignore[arg-type]
    assert result.indexes == (local_index.url("html"),)
    assert _rows(result, "python3.11") == [("helper", "1.0", 1, "wheel", None)]


def test_a_fleet_sharing_pins_asks_the_index_once_per_project(
    local_index: LocalIndex, tmp_path: Path
) -> None:
    options = _options(local_index.url("simple"), use_cache=True, cache_dir=tmp_path / "cache")
    first = write_function(tmp_path / "one", {"requirements.txt": "purepkg==2.0\n"})
    second = write_function(tmp_path / "two", {"requirements.txt": "purepkg==2.0\nhelper\n"})
    local_index.clear()
    check_dependencies(first, [PY311, PY312], "x86_64", options)
    check_dependencies(second, [PY311, PY312], "x86_64", options)
    assert sorted(local_index.asked("/simple/")) == [
        "/simple/simple/helper/",
        "/simple/simple/purepkg/",
    ]

    from analyzer.deps import clear_run_cache

    clear_run_cache()
    local_index.clear()
    again = check_dependencies(second, [PY311], "x86_64", options)
    assert local_index.asked("/") == []  # answered by the on-disk cache
    assert _rows(again, "python3.11") == [
        ("purepkg", "2.0", 1, "wheel", None),
        ("helper", "1.0", 2, "wheel", None),
    ]


def test_an_unknown_architecture_is_an_analysis_error(
    local_index: LocalIndex, tmp_path: Path
) -> None:
    root = write_function(tmp_path, {"requirements.txt": "helper==1.0\n"})
    result = check_dependencies(root, [PY311], "mips", _options(local_index.url("simple")))
    assert result.errors == (
        AnalysisError("deps", "dependencies not checked: unknown architecture 'mips'"),
    )


def test_a_file_included_by_two_requirement_files_gives_one_row_and_finding(
    local_index: LocalIndex, tmp_path: Path
) -> None:
    root = write_function(
        tmp_path,
        {
            "requirements.txt": "newglibc==1.0\n",
            "requirements-dev.txt": "-r requirements.txt\nhelper==1.0\n",
        },
    )
    result = check_dependencies(root, [PY311], "x86_64", _options(local_index.url("simple")))
    assert [
        (r.name, r.source.path, r.source.line) for r in result.rows_by_target["python3.11"]
    ] == [
        ("newglibc", "requirements.txt", 1),
        ("helper", "requirements-dev.txt", 2),
    ]
    assert _findings(result) == [
        ("dependency-no-wheel", "requirements.txt", 1, ("python3.11",), "newglibc")
    ]
    assert [v.requirement_set for v in result.verdicts["python3.11"]] == [
        "requirements-dev.txt",
        "requirements.txt",
    ]


def test_extras_bring_their_own_dependencies(local_index: LocalIndex, tmp_path: Path) -> None:
    root = write_function(tmp_path, {"requirements.txt": "purepkg[fast]==2.0\n"})
    result = check_dependencies(root, [PY311], "x86_64", _options(local_index.url("simple")))
    (verdict,) = result.verdicts["python3.11"]
    assert verdict.resolved == (("cponly", "2.0"), ("helper", "1.0"), ("purepkg", "2.0"))
    assert verdict.installs_from_wheels is True


def test_an_index_url_line_in_the_requirement_file_is_used(
    local_index: LocalIndex, tmp_path: Path
) -> None:
    root = write_function(
        tmp_path, {"requirements.txt": f"--index-url {local_index.url('html')}\nhelper==1.0\n"}
    )
    result = check_dependencies(root, [PY311], "x86_64", _options(None))  # type: ignore[arg-type]
    assert result.indexes == (local_index.url("html"),)
    assert _rows(result, "python3.11") == [("helper", "1.0", 2, "wheel", None)]
