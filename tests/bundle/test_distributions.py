"""Vendored distributions from dist-info and egg-info: metadata, files, owners, bad input."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from analyzer.bundle.distributions import (
    MAX_METADATA_BYTES,
    Distribution,
    analysis_errors,
    find_distributions,
    find_owner,
    owner_index,
    record_findings,
)
from analyzer.models import AnalysisError, Category, Component, ComponentKind, Location

DISTRIBUTION_DATA = Path(__file__).resolve().parents[1] / "data" / "distributions"
SIX_WHEEL = DISTRIBUTION_DATA / "six-1.16.0-py2.py3-none-any.whl"
SIX_LEGACY_INSTALL = DISTRIBUTION_DATA / "six-legacy-install"


def install_six(target: Path) -> Path:
    """Unpack six's real wheel into ``target``, as ``pip install -t`` lays it out."""
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(SIX_WHEEL) as wheel:
        wheel.extractall(target)
    return target


def copy_case(bundle_cases: Path, relative: str, target: Path) -> Path:
    """A writable copy of part of a shared case."""
    shutil.copytree(bundle_cases / relative, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    target.chmod(0o755)
    return target


# --- reading real metadata ----------------------------------------------------------------


def test_wheel_installed_distribution(tmp_path: Path) -> None:
    install_six(tmp_path)

    [six] = find_distributions(tmp_path)

    assert six == Distribution(
        name="six",
        display_name="six",
        version="1.16.0",
        top_level=("six",),
        files=(
            "six.py",
            "six-1.16.0.dist-info/LICENSE",
            "six-1.16.0.dist-info/METADATA",
            "six-1.16.0.dist-info/WHEEL",
            "six-1.16.0.dist-info/top_level.txt",
            "six-1.16.0.dist-info/RECORD",
        ),
        wheel_tags=("py2-none-any", "py3-none-any"),
        metadata_path="six-1.16.0.dist-info",
        requires_python=">=2.7, !=3.0.*, !=3.1.*, !=3.2.*",
        requires_dist=(),
        metadata_format="dist-info",
        import_root="",
        missing_files=(),
        problems=(),
    )
    assert six.component == Component(ComponentKind.VENDORED, "six", "1.16.0")
    assert record_findings(six) == []


def test_legacy_egg_info_install(tmp_path: Path) -> None:
    shutil.copytree(SIX_LEGACY_INSTALL, tmp_path / "package")

    [six] = find_distributions(tmp_path / "package")

    assert (six.name, six.version, six.top_level, six.metadata_format) == (
        "six",
        "1.16.0",
        ("six",),
        "egg-info",
    )
    assert six.metadata_path == "six-1.16.0-py3.9.egg-info"
    assert six.files == (
        "__pycache__/six.cpython-39.pyc",
        "six.py",
        "six-1.16.0-py3.9.egg-info/PKG-INFO",
        "six-1.16.0-py3.9.egg-info/SOURCES.txt",
        "six-1.16.0-py3.9.egg-info/dependency_links.txt",
        "six-1.16.0-py3.9.egg-info/top_level.txt",
    )
    # The listed __pycache__ file was never copied; caches are not reported missing.
    assert not (tmp_path / "package" / "__pycache__").exists()
    assert six.missing_files == ()
    assert six.wheel_tags == ()
    assert six.requires_python == ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*"
    assert six.problems == ()


def test_arm_wheel_tags_and_requirements(bundle_cases: Path) -> None:
    [psutil] = find_distributions(bundle_cases / "host-metrics-psutil-arm-build" / "function")

    assert (psutil.name, psutil.version, psutil.top_level) == ("psutil", "6.0.0", ("psutil",))
    assert psutil.wheel_tags == (
        "cp36-abi3-manylinux_2_17_aarch64",
        "cp36-abi3-manylinux2014_aarch64",
    )
    assert "psutil/_psutil_linux.abi3.so" in psutil.files
    assert len(psutil.files) == 36
    assert psutil.requires_dist[0] == ("ipaddress ; (python_version < \"3.0\") and extra == 'test'")
    assert psutil.missing_files == ()


def test_layer_distributions_carry_the_layer_prefix(bundle_cases: Path) -> None:
    root = bundle_cases / "checksum-cffi-layer" / "layers" / "native-helpers"

    cffi, pycparser = find_distributions(root, "layers/native-helpers/")

    assert (cffi.name, cffi.version, cffi.top_level) == (
        "cffi",
        "1.15.1",
        ("_cffi_backend", "cffi"),
    )
    assert cffi.metadata_path == "layers/native-helpers/python/cffi-1.15.1.dist-info"
    assert cffi.import_root == "layers/native-helpers/python"
    assert cffi.requires_dist == ("pycparser",)
    assert cffi.wheel_tags == ("cp39-cp39-manylinux_2_17_x86_64", "cp39-cp39-manylinux2014_x86_64")
    assert "layers/native-helpers/python/_cffi_backend.cpython-39-x86_64-linux-gnu.so" in cffi.files
    assert (pycparser.name, pycparser.version) == ("pycparser", "2.21")
    assert pycparser.wheel_tags == ("py2-none-any", "py3-none-any")


def test_display_name_and_canonical_name(bundle_cases: Path) -> None:
    [psycopg2] = find_distributions(bundle_cases / "orders-db-psycopg2-binary" / "function")

    assert (psycopg2.name, psycopg2.display_name, psycopg2.top_level) == (
        "psycopg2-binary",
        "psycopg2-binary",
        ("psycopg2",),
    )
    assert psycopg2.metadata_path == "psycopg2_binary-2.9.9.dist-info"


# --- owners -------------------------------------------------------------------------------


def test_owner_index_maps_files_and_top_level_names(bundle_cases: Path) -> None:
    root = bundle_cases / "checksum-cffi-layer" / "layers" / "native-helpers"
    cffi, pycparser = find_distributions(root, "layers/native-helpers/")

    index = owner_index([cffi, pycparser])

    assert index["cffi"] is cffi
    assert index["_cffi_backend"] is cffi
    assert index["pycparser"] is pycparser
    assert index["layers/native-helpers/python/cffi"] is cffi
    assert index["layers/native-helpers/python/pycparser/c_parser.py"] is pycparser
    so = "layers/native-helpers/python/_cffi_backend.cpython-39-x86_64-linux-gnu.so"
    assert find_owner(index, so) is cffi
    assert find_owner(index, "layers/native-helpers/python/cffi/not_listed.py") is cffi
    assert find_owner(index, "layers/native-helpers/python/handler.py") is None


def test_bytecode_cache_belongs_to_its_source(tmp_path: Path) -> None:
    install_six(tmp_path)
    index = owner_index(find_distributions(tmp_path))

    owner = find_owner(index, "__pycache__/six.cpython-311.pyc")

    assert owner is not None and owner.name == "six"
    assert find_owner(index, "__pycache__/handler.cpython-311.pyc") is None


def test_nested_distribution_is_not_a_top_level_import(tmp_path: Path) -> None:
    install_six(tmp_path / "vendored" / "_vendor")

    [six] = find_distributions(tmp_path)
    index = owner_index([six])

    assert six.import_root == "vendored/_vendor"
    assert six.files[0] == "vendored/_vendor/six.py"
    assert "six" not in index
    assert index["vendored/_vendor/six"] is six
    assert find_owner(index, "vendored/_vendor/six.py") is six


def write_dist_info(root: Path, folder: str, metadata: str, record: str, top_level: str) -> Path:
    """A minimal dist-info, for input no real release ships."""
    dist_info = root / folder
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(metadata)
    (dist_info / "RECORD").write_text(record)
    (dist_info / "top_level.txt").write_text(top_level)
    return dist_info


def test_namespace_package_shared_by_two_distributions(tmp_path: Path) -> None:
    for name in ("google_auth", "google_api_core"):
        package = name.split("_", 1)[1]
        (tmp_path / "google" / package).mkdir(parents=True)
        (tmp_path / "google" / package / "__init__.py").write_text("")
        write_dist_info(
            tmp_path,
            f"{name}-1.0.dist-info",
            f"Metadata-Version: 2.1\nName: {name.replace('_', '-')}\nVersion: 1.0\n",
            f"google/{package}/__init__.py,,\n{name}-1.0.dist-info/RECORD,,\n",
            "google\n",
        )

    api_core, auth = find_distributions(tmp_path)
    index = owner_index([api_core, auth])

    assert "google" not in index
    assert find_owner(index, "google/auth/__init__.py") is auth
    assert find_owner(index, "google/api_core/__init__.py") is api_core


# --- missing files --------------------------------------------------------------------------


def test_files_removed_after_installation_are_reported(bundle_cases: Path, tmp_path: Path) -> None:
    root = copy_case(bundle_cases, "host-metrics-psutil-abi3/function", tmp_path / "function")
    shutil.rmtree(root / "psutil" / "tests")
    (root / "psutil" / "_pssunos.py").unlink()

    [psutil] = find_distributions(root)
    findings = record_findings(psutil)

    assert "psutil/tests/test_linux.py" in psutil.missing_files
    # RECORD lists 19 files under psutil/tests/, and _pssunos.py.
    assert len(psutil.missing_files) == 20
    assert [(f.rule_id, f.location, f.category) for f in findings] == [
        ("record-missing-file", Location("psutil/_pssunos.py"), Category.PACKAGING),
        ("record-missing-file", Location("psutil/tests"), Category.PACKAGING),
    ]
    assert findings[0].component == Component(ComponentKind.VENDORED, "psutil", "6.0.0")
    assert (findings[0].breaks_in, findings[0].broken_on) == (None, None)
    assert "the file psutil/_pssunos.py" in findings[0].message
    assert "the folder psutil/tests" in findings[1].message
    assert "psutil==6.0.0" in findings[0].fix


def test_missing_file_finding_in_a_layer(bundle_cases: Path, tmp_path: Path) -> None:
    root = copy_case(
        bundle_cases, "checksum-cffi-layer/layers/native-helpers", tmp_path / "native-helpers"
    )
    (root / "python" / "cffi" / "api.py").unlink()
    layer = Component(ComponentKind.LAYER, "native-helpers")

    cffi, _ = find_distributions(root, "layers/native-helpers/")
    findings = record_findings(cffi, layer)

    assert [(f.location.path, f.component) for f in findings] == [
        ("layers/native-helpers/python/cffi/api.py", layer)
    ]


def test_paths_outside_the_package_are_not_files(tmp_path: Path) -> None:
    install_six(tmp_path)
    record = tmp_path / "six-1.16.0.dist-info" / "RECORD"
    record.write_text(
        record.read_text()
        + "../../bin/six-tool,sha256=abc,10\n"
        + "/etc/passwd,,\n"
        + "six-1.16.0.data/scripts/six-tool,,\n"
        + "__pycache__/six.cpython-39.pyc,,\n"
    )

    [six] = find_distributions(tmp_path)

    assert "../../bin/six-tool" not in six.files
    assert not any(path.endswith("passwd") for path in six.files)
    assert "six-1.16.0.data/scripts/six-tool" in six.files
    assert six.missing_files == ()


# --- malformed metadata ---------------------------------------------------------------------


def test_record_with_non_utf8_bytes(tmp_path: Path) -> None:
    install_six(tmp_path)
    record = tmp_path / "six-1.16.0.dist-info" / "RECORD"
    record.write_bytes(record.read_bytes() + b"caf\xe9.py,,\n" + b"gone.py,,\n")

    [six] = find_distributions(tmp_path)

    assert six.problems == ("RECORD line 7 is not UTF-8; skipped",)
    assert six.missing_files == ("gone.py",)
    assert analysis_errors([six]) == [
        AnalysisError("bundle", "RECORD line 7 is not UTF-8; skipped", "six-1.16.0.dist-info")
    ]


def test_metadata_without_a_name_takes_the_folder_name(tmp_path: Path) -> None:
    install_six(tmp_path)
    (tmp_path / "six-1.16.0.dist-info" / "METADATA").write_bytes(
        b"Metadata-Version: 2.1\nSummary: caf\xe9\n\nno headers here\n"
    )

    [six] = find_distributions(tmp_path)

    assert (six.name, six.version, six.top_level) == ("six", "1.16.0", ("six",))
    assert six.problems == (
        "METADATA is not UTF-8 (byte 34); bad bytes replaced",
        "metadata has no Name field; name taken from the folder",
    )


def test_missing_metadata_record_and_top_level(tmp_path: Path) -> None:
    install_six(tmp_path)
    dist_info = tmp_path / "six-1.16.0.dist-info"
    (dist_info / "top_level.txt").unlink()
    (dist_info / "METADATA").unlink()

    [six] = find_distributions(tmp_path)

    assert (six.name, six.version, six.top_level) == ("six", "1.16.0", ("six",))
    assert six.problems == ("METADATA is missing",)

    (dist_info / "RECORD").unlink()
    [six] = find_distributions(tmp_path)
    assert (six.files, six.top_level) == ((), ())
    assert six.problems == ("METADATA is missing", "RECORD is missing")


def test_top_level_derived_from_record(bundle_cases: Path, tmp_path: Path) -> None:
    root = copy_case(
        bundle_cases, "checksum-cffi-layer/layers/native-helpers", tmp_path / "native-helpers"
    )
    (root / "python" / "cffi-1.15.1.dist-info" / "top_level.txt").unlink()

    cffi, _ = find_distributions(root)

    assert cffi.top_level == ("_cffi_backend", "cffi")


def test_invalid_wheel_tag_and_version(tmp_path: Path) -> None:
    install_six(tmp_path)
    dist_info = tmp_path / "six-1.16.0.dist-info"
    (dist_info / "WHEEL").write_text("Wheel-Version: 1.0\nTag: py3-none\nTag: py3-none-any\n")
    metadata = dist_info / "METADATA"
    metadata.write_text(metadata.read_text().replace("Version: 1.16.0", "Version: one"))

    [six] = find_distributions(tmp_path)

    assert six.wheel_tags == ("py3-none-any",)
    assert six.version == "one"
    assert six.problems == (
        "WHEEL tag 'py3-none' is not a valid tag",
        "version 'one' is not a valid version",
    )


def test_oversized_record_is_skipped(tmp_path: Path) -> None:
    install_six(tmp_path)
    with (tmp_path / "six-1.16.0.dist-info" / "RECORD").open("r+b") as record:
        record.truncate(MAX_METADATA_BYTES + 1)

    [six] = find_distributions(tmp_path)

    assert six.files == ()
    assert six.problems == (f"RECORD is larger than {MAX_METADATA_BYTES} bytes; skipped",)


def test_symlinked_metadata_is_not_followed(tmp_path: Path) -> None:
    elsewhere = install_six(tmp_path / "elsewhere")
    root = tmp_path / "function"
    root.mkdir()
    (root / "six-1.16.0.dist-info").symlink_to(elsewhere / "six-1.16.0.dist-info")
    (root / "linked").symlink_to(elsewhere)

    assert find_distributions(root) == []


# --- egg-info variants ----------------------------------------------------------------------


def test_egg_info_requires_become_requirements(tmp_path: Path) -> None:
    shutil.copytree(SIX_LEGACY_INSTALL, tmp_path / "package")
    egg_info = tmp_path / "package" / "six-1.16.0-py3.9.egg-info"
    (egg_info / "requires.txt").write_text(
        'idna>=2.5\n\n[security]\npyOpenSSL>=0.14\n\n[socks:sys_platform == "win32"]\n'
        'win-inet-pton\n\n[:python_version < "3"]\nipaddress\n'
    )

    [six] = find_distributions(tmp_path / "package")

    assert six.requires_dist == (
        "idna>=2.5",
        'pyOpenSSL>=0.14; extra == "security"',
        'win-inet-pton; extra == "socks" and (sys_platform == "win32")',
        'ipaddress; python_version < "3"',
    )


def test_single_file_egg_info(tmp_path: Path) -> None:
    (tmp_path / "legacy_mod.py").write_text("")
    (tmp_path / "legacy_mod-0.3-py3.9.egg-info").write_text(
        "Metadata-Version: 1.0\nName: Legacy_Mod\nVersion: 0.3\nSummary: old\n"
    )

    [legacy] = find_distributions(tmp_path)

    assert (legacy.name, legacy.display_name, legacy.version, legacy.files) == (
        "legacy-mod",
        "Legacy_Mod",
        "0.3",
        (),
    )
    assert legacy.metadata_format == "egg-info"


def test_sdist_egg_info_names_top_level_from_sources_present(tmp_path: Path) -> None:
    egg_info = tmp_path / "six.egg-info"
    shutil.copytree(SIX_LEGACY_INSTALL / "six-1.16.0-py3.9.egg-info", egg_info)
    (egg_info / "installed-files.txt").unlink()
    (egg_info / "top_level.txt").unlink()
    shutil.copyfile(SIX_LEGACY_INSTALL / "six.py", tmp_path / "six.py")

    [six] = find_distributions(tmp_path)

    # SOURCES.txt lists setup.py, test_six.py and documentation too; only six.py is here.
    assert six.top_level == ("six",)
    assert six.version == "1.16.0"


@pytest.mark.parametrize("bad", [b"\xff\xfe\x00garbage", b"\x00" * 64, b""])
def test_binary_junk_in_metadata_never_raises(tmp_path: Path, bad: bytes) -> None:
    install_six(tmp_path)
    dist_info = tmp_path / "six-1.16.0.dist-info"
    for name in ("METADATA", "WHEEL", "top_level.txt", "RECORD"):
        (dist_info / name).write_bytes(bad)

    [six] = find_distributions(tmp_path)

    assert six.name == "six"
    assert six.version == "1.16.0"
    assert not any("\0" in path for path in six.files)
