"""Native extensions: names, ELF headers, glibc symbol versions, and the findings they give."""

from __future__ import annotations

import shutil
import struct
import subprocess
import tracemalloc
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection

from analyzer.bundle.native import (
    NativeExtension,
    extension_findings,
    find_extensions,
    import_root_relative,
    inspect_extension,
    is_native_file,
    module_name,
    stable_abi_minimum,
)
from analyzer.models import Category, Component, ComponentKind, Location, Reach
from analyzer.runtimes import RUNTIMES

if TYPE_CHECKING:
    from conftest import CompiledExtensions, Interpreter

NATIVE_DATA = Path(__file__).resolve().parents[1] / "data" / "native"
PROBE = Component(ComponentKind.VENDORED, "probe", "1.0")
ALL_RUNTIMES = (
    "python3.8",
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
)
AMAZON_LINUX_2_RUNTIMES = ("python3.8", "python3.9", "python3.10", "python3.11")
AARCH64_PROBE = NATIVE_DATA / "aarch64" / "_probe.cpython-39-aarch64-linux-gnu.so"
MACOS_SPEEDUPS = NATIVE_DATA / "macos" / "_speedups.cpython-39-darwin.so"
WINDOWS_SPEEDUPS = NATIVE_DATA / "windows" / "_speedups.cp39-win_amd64.pyd"


def findings_for(
    extension: NativeExtension, architecture: str = "x86_64"
) -> list[tuple[str, object, object, object]]:
    """(rule id, breaks_in, requires, broken_on) of each finding, in order."""
    return [
        (finding.rule_id, finding.breaks_in, finding.requires, finding.broken_on)
        for finding in extension_findings(
            extension, PROBE, source_python=(3, 9), architecture=architecture
        )
    ]


def copy_as(source: Path, folder: Path, relative_path: str) -> Path:
    """Copy a real binary to ``folder/relative_path`` (renaming it)."""
    target = folder / relative_path
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def readelf_max_glibc(path: Path) -> tuple[int, int] | None:
    """The highest GLIBC_x.y version need, as binutils' readelf prints it."""
    output = subprocess.run(
        ["readelf", "--version-info", "--wide", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    versions = set()
    for word in output.replace(":", " ").split():
        if word.startswith("GLIBC_") and word[6:].replace(".", "").isdigit():
            major, minor = word[6:].split(".")[:2]
            versions.add((int(major), int(minor)))
    return max(versions) if versions else None


# --- what a compiled extension says -------------------------------------------------------


def test_cp39_extension_is_read_from_its_name_and_elf_header(
    compiled_extensions: CompiledExtensions,
) -> None:
    path = compiled_extensions.cp39

    extension = inspect_extension(path, "_probe.cpython-39-x86_64-linux-gnu.so")

    assert extension == NativeExtension(
        relative_path="_probe.cpython-39-x86_64-linux-gnu.so",
        module="_probe",
        kind="elf",
        abi="cpython",
        python_version=(3, 9),
        tag_arch="x86_64",
        elf_machine="x86_64",
        max_glibc=None,
        error=None,
        abi_flags="",
        tag_platform="linux-gnu",
    )


def test_extension_suffix_of_each_interpreter_is_parsed(
    compiled_extensions: CompiledExtensions, interpreters: dict[str, Interpreter]
) -> None:
    py311 = interpreters["3.11"]
    assert py311.tagged_suffix == ".cpython-311-x86_64-linux-gnu.so"

    extension = inspect_extension(
        compiled_extensions.cp311, f"app/vendor/_probe{py311.tagged_suffix}"
    )

    assert (extension.module, extension.abi, extension.python_version) == (
        "app.vendor._probe",
        "cpython",
        (3, 11),
    )


def test_abi3_and_untagged_extensions_have_no_python_version(
    compiled_extensions: CompiledExtensions,
) -> None:
    abi3 = inspect_extension(compiled_extensions.abi3, "pkg/_probe.abi3.so")
    untagged = inspect_extension(compiled_extensions.untagged, "pkg/_probe.so")

    assert (abi3.module, abi3.abi, abi3.python_version, abi3.elf_machine) == (
        "pkg._probe",
        "abi3",
        None,
        "x86_64",
    )
    assert (untagged.module, untagged.abi, untagged.python_version, untagged.tag_arch) == (
        "pkg._probe",
        "untagged",
        None,
        None,
    )
    assert findings_for(abi3) == []
    assert findings_for(untagged) == []


@pytest.mark.parametrize(
    ("wheel_tags", "minimum"),
    [
        (("cp36-abi3-manylinux_2_17_x86_64", "cp36-abi3-manylinux2014_x86_64"), (3, 6)),
        (("cp312-abi3-manylinux_2_28_x86_64",), (3, 12)),
        (("cp37.cp312-abi3-manylinux2014_x86_64",), (3, 7)),
        (("cp39-cp39-manylinux2014_x86_64",), None),
        (("py3-none-any",), None),
        (("not a tag",), None),
        ((), None),
    ],
)
def test_stable_abi_minimum_from_wheel_tags(
    wheel_tags: tuple[str, ...], minimum: tuple[int, int] | None
) -> None:
    assert stable_abi_minimum(wheel_tags) == minimum


def test_abi3_wheel_for_a_newer_python_than_a_target(
    compiled_extensions: CompiledExtensions,
) -> None:
    extension = inspect_extension(compiled_extensions.abi3, "pkg/_probe.abi3.so")

    def rules(wheel_tags: tuple[str, ...]) -> list[tuple[str, object, object]]:
        findings = extension_findings(
            extension, PROBE, source_python=(3, 9), architecture="x86_64", wheel_tags=wheel_tags
        )
        return [(f.rule_id, f.requires, f.breaks_in) for f in findings]

    assert rules(("cp312-abi3-manylinux_2_17_x86_64",)) == [("native-abi-mismatch", (3, 12), None)]
    assert rules(("cp39-abi3-manylinux_2_17_x86_64",)) == []
    assert rules(("cp310-abi3-manylinux_2_17_x86_64",)) == []


def test_highest_glibc_version_need_is_read(compiled_extensions: CompiledExtensions) -> None:
    needs_2_28 = inspect_extension(compiled_extensions.glibc_2_28, "_probe.abi3.so")
    needs_2_36 = inspect_extension(compiled_extensions.glibc_2_36, "_probe.abi3.so")

    assert needs_2_28.max_glibc == (2, 28)
    assert needs_2_36.max_glibc == (2, 36)


@pytest.mark.parametrize(
    "case_file",
    [
        "password-check-bcrypt-2-28/function/bcrypt/_bcrypt.abi3.so",
        "host-metrics-psutil-abi3/function/psutil/_psutil_linux.abi3.so",
        "host-metrics-psutil-abi3/function/psutil/_psutil_posix.abi3.so",
        "host-metrics-psutil-arm-build/function/psutil/_psutil_linux.abi3.so",
        "checksum-cffi-layer/layers/native-helpers/python/"
        "_cffi_backend.cpython-39-x86_64-linux-gnu.so",
    ],
)
def test_max_glibc_agrees_with_readelf(bundle_cases: Path, case_file: str) -> None:
    path = bundle_cases / case_file

    extension = inspect_extension(path, case_file)

    assert extension.error is None
    assert extension.max_glibc == readelf_max_glibc(path)


def test_max_glibc_of_compiled_probes_agrees_with_readelf(
    compiled_extensions: CompiledExtensions,
) -> None:
    for path in (compiled_extensions.glibc_2_28, compiled_extensions.glibc_2_36):
        assert inspect_extension(path, path.name).max_glibc == readelf_max_glibc(path)


# --- findings ---------------------------------------------------------------------------


def test_cp39_extension_breaks_in_3_10(compiled_extensions: CompiledExtensions) -> None:
    extension = inspect_extension(
        compiled_extensions.cp39, "pkg/_probe.cpython-39-x86_64-linux-gnu.so"
    )

    findings = extension_findings(extension, PROBE, source_python=(3, 9), architecture="x86_64")

    assert len(findings) == 1
    finding = findings[0]
    assert finding.rule_id == "native-abi-mismatch"
    assert finding.category is Category.NATIVE
    assert finding.location == Location("pkg/_probe.cpython-39-x86_64-linux-gnu.so", None)
    assert (finding.breaks_in, finding.requires, finding.broken_on) == ((3, 10), (3, 9), None)
    assert finding.reach is Reach.UNKNOWN
    assert finding.component == PROBE
    assert finding.symbol == "pkg._probe"
    assert "ModuleNotFoundError" in finding.message
    assert "pip install --platform manylinux2014_x86_64" in finding.fix
    assert "probe" in finding.fix


def test_cp39_extension_is_not_even_looked_at_by_3_10(
    compiled_extensions: CompiledExtensions, interpreters: dict[str, Interpreter]
) -> None:
    """The fact behind breaks_in: 3.9 imports the file, 3.10 and 3.11 find no module."""
    folder = str(compiled_extensions.cp39.parent)
    script = f"import sys; sys.path.insert(0, {folder!r}); import _probe; print(_probe.probe())"
    results = {}
    for version in ("3.9", "3.10", "3.11"):
        run = interpreters[version].run("-I", "-S", "-c", script)
        results[version] = run.stdout.strip() or run.stderr.strip().splitlines()[-1]

    assert results == {
        "3.9": "0",
        "3.10": "ModuleNotFoundError: No module named '_probe'",
        "3.11": "ModuleNotFoundError: No module named '_probe'",
    }


def test_extension_built_for_a_newer_python_works_only_there(
    compiled_extensions: CompiledExtensions,
) -> None:
    extension = inspect_extension(
        compiled_extensions.cp311, "_probe.cpython-311-x86_64-linux-gnu.so"
    )

    findings = extension_findings(extension, PROBE, source_python=(3, 9), architecture="x86_64")

    assert [(f.rule_id, f.requires, f.breaks_in) for f in findings] == [
        ("native-abi-mismatch", (3, 11), (3, 12))
    ]
    assert "the function runs 3.9 today" in findings[0].message


def test_glibc_2_28_breaks_the_amazon_linux_2_runtimes(
    compiled_extensions: CompiledExtensions,
) -> None:
    extension = inspect_extension(compiled_extensions.glibc_2_28, "pkg/_probe.abi3.so")

    findings = extension_findings(extension, PROBE, source_python=(3, 9), architecture="x86_64")

    assert [(f.rule_id, f.broken_on, f.breaks_in) for f in findings] == [
        ("native-glibc-too-new", AMAZON_LINUX_2_RUNTIMES, None)
    ]
    assert findings[0].location == Location("pkg/_probe.abi3.so")
    assert "GLIBC_2.28" in findings[0].message
    assert "python3.12 or later" in findings[0].fix


def test_glibc_2_36_breaks_every_runtime(compiled_extensions: CompiledExtensions) -> None:
    extension = inspect_extension(compiled_extensions.glibc_2_36, "_probe.abi3.so")

    assert findings_for(extension) == [("native-glibc-too-new", None, None, ALL_RUNTIMES)]


def test_runtime_names_in_findings_are_the_catalogue() -> None:
    assert tuple(RUNTIMES) == ALL_RUNTIMES


def test_aarch64_extension_on_an_x86_64_function(tmp_path: Path) -> None:
    extension = inspect_extension(AARCH64_PROBE, "_probe.cpython-39-aarch64-linux-gnu.so")

    assert (extension.elf_machine, extension.tag_arch, extension.max_glibc) == (
        "arm64",
        "arm64",
        (2, 25),
    )
    assert findings_for(extension, "x86_64") == [
        ("native-arch-mismatch", None, None, ALL_RUNTIMES),
        ("native-abi-mismatch", (3, 10), (3, 9), None),
    ]
    assert findings_for(extension, "arm64") == [("native-abi-mismatch", (3, 10), (3, 9), None)]


def test_glibc_needs_of_a_build_for_another_machine_are_not_reported(
    compiled_extensions: CompiledExtensions,
) -> None:
    extension = inspect_extension(compiled_extensions.glibc_2_28, "_probe.abi3.so")

    assert [rule for rule, *_ in findings_for(extension, "arm64")] == ["native-arch-mismatch"]


def test_file_name_tagged_for_another_architecture_is_a_mismatch(
    compiled_extensions: CompiledExtensions, tmp_path: Path
) -> None:
    relative = "_probe.cpython-39-aarch64-linux-gnu.so"
    path = copy_as(compiled_extensions.cp39, tmp_path, relative)

    extension = inspect_extension(path, relative)
    findings = extension_findings(extension, PROBE, source_python=(3, 9), architecture="x86_64")

    assert (extension.elf_machine, extension.tag_arch) == ("x86_64", "arm64")
    assert [f.rule_id for f in findings] == ["native-arch-mismatch", "native-abi-mismatch"]
    assert "file name is tagged for arm64" in findings[0].message


def test_macos_binary_cannot_load(tmp_path: Path) -> None:
    extension = inspect_extension(MACOS_SPEEDUPS, "markupsafe/_speedups.cpython-39-darwin.so")

    assert (extension.kind, extension.module, extension.error) == (
        "mach-o",
        "markupsafe._speedups",
        None,
    )
    assert findings_for(extension) == [("native-not-loadable", None, None, ALL_RUNTIMES)]


def test_macos_binary_with_a_linux_name_cannot_load(tmp_path: Path) -> None:
    path = copy_as(MACOS_SPEEDUPS, tmp_path, "markupsafe/_speedups.so")

    extension = inspect_extension(path, "markupsafe/_speedups.so")

    assert (extension.kind, extension.abi) == ("mach-o", "untagged")
    assert findings_for(extension) == [("native-not-loadable", None, None, ALL_RUNTIMES)]


def test_windows_extension_cannot_load() -> None:
    extension = inspect_extension(WINDOWS_SPEEDUPS, "markupsafe/_speedups.cp39-win_amd64.pyd")

    assert (
        extension.kind,
        extension.module,
        extension.abi,
        extension.python_version,
        extension.tag_arch,
    ) == ("pe", "markupsafe._speedups", "cpython", (3, 9), "x86_64")
    findings = extension_findings(extension, PROBE, source_python=(3, 9), architecture="x86_64")
    assert [(f.rule_id, f.broken_on) for f in findings] == [("native-not-loadable", ALL_RUNTIMES)]
    assert "Windows" in findings[0].message


@pytest.mark.parametrize(
    ("file_name", "abi", "version", "flags", "arch", "broken_on"),
    [
        ("_x.cpython-39d-x86_64-linux-gnu.so", "cpython", (3, 9), "d", "x86_64", ALL_RUNTIMES),
        ("_x.cpython-313t-x86_64-linux-gnu.so", "cpython", (3, 13), "t", "x86_64", ALL_RUNTIMES),
        ("_x.pypy39-pp73-x86_64-linux-gnu.so", "other", None, "", None, ALL_RUNTIMES),
    ],
)
def test_names_no_lambda_interpreter_looks_at(
    compiled_extensions: CompiledExtensions,
    tmp_path: Path,
    file_name: str,
    abi: str,
    version: tuple[int, int] | None,
    flags: str,
    arch: str | None,
    broken_on: tuple[str, ...],
) -> None:
    path = copy_as(compiled_extensions.cp39, tmp_path, file_name)

    extension = inspect_extension(path, file_name)

    assert (extension.abi, extension.python_version, extension.abi_flags, extension.tag_arch) == (
        abi,
        version,
        flags,
        arch,
    )
    assert findings_for(extension) == [("native-abi-mismatch", None, None, broken_on)]


# --- module names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative_path", "expected"),
    [
        ("_cffi_backend.cpython-39-x86_64-linux-gnu.so", "_cffi_backend"),
        ("psutil/_psutil_linux.abi3.so", "psutil._psutil_linux"),
        ("yaml/_yaml.cpython-39-x86_64-linux-gnu.so", "yaml._yaml"),
        ("pkg/sub/_x.so", "pkg.sub._x"),
        ("markupsafe/_speedups.cp39-win_amd64.pyd", "markupsafe._speedups"),
        (
            "layers/native-helpers/python/_cffi_backend.cpython-39-x86_64-linux-gnu.so",
            "_cffi_backend",
        ),
        (
            "layers/x/python/lib/python3.9/site-packages/psutil/_psutil_posix.abi3.so",
            "psutil._psutil_posix",
        ),
        ("psycopg2_binary.libs/libpq-e8a0bae0.so.5.16", None),
        ("numpy.libs/libgfortran-2e0d59d6.so.5.0.0", None),
        ("pkg/libssl.dylib", None),
        ("pkg/helper.dll", None),
        ("my-pkg/_x.so", None),
    ],
)
def test_module_name_from_relative_path(relative_path: str, expected: str | None) -> None:
    assert module_name(relative_path) == expected


def test_import_root_of_layer_paths() -> None:
    assert import_root_relative("layers/a/python/lib/python3.11/site-packages/x/y.py") == "x/y.py"
    assert import_root_relative("layers/a/python/x/y.py") == "x/y.py"
    assert import_root_relative("x/y.py") == "x/y.py"


@pytest.mark.parametrize(
    ("name", "native"),
    [
        ("_x.abi3.so", True),
        ("libpq.so.5.16", True),
        ("_x.pyd", True),
        ("libssl.dylib", True),
        ("helper.DLL", True),
        ("module.py", False),
        ("notes.so.txt", False),
    ],
)
def test_native_file_names(name: str, native: bool) -> None:
    assert is_native_file(name) is native


# --- the shared cases ---------------------------------------------------------------------


def test_arm_build_of_psutil_on_an_x86_64_function(bundle_cases: Path) -> None:
    root = bundle_cases / "host-metrics-psutil-arm-build" / "function"

    extensions = find_extensions(root)

    assert [(e.relative_path, e.module, e.abi, e.elf_machine, e.max_glibc) for e in extensions] == [
        ("psutil/_psutil_linux.abi3.so", "psutil._psutil_linux", "abi3", "arm64", (2, 17)),
        ("psutil/_psutil_posix.abi3.so", "psutil._psutil_posix", "abi3", "arm64", (2, 17)),
    ]
    psutil = Component(ComponentKind.VENDORED, "psutil", "6.0.0")
    findings = [
        finding
        for extension in extensions
        for finding in extension_findings(
            extension, psutil, source_python=(3, 9), architecture="x86_64"
        )
    ]
    assert [(f.rule_id, f.location.path, f.broken_on) for f in findings] == [
        ("native-arch-mismatch", "psutil/_psutil_linux.abi3.so", ALL_RUNTIMES),
        ("native-arch-mismatch", "psutil/_psutil_posix.abi3.so", ALL_RUNTIMES),
    ]
    assert "set the function's architecture to arm64" in findings[0].fix


def test_bcrypt_built_for_glibc_2_28(bundle_cases: Path) -> None:
    root = bundle_cases / "password-check-bcrypt-2-28" / "function"

    [extension] = find_extensions(root)

    assert (extension.relative_path, extension.elf_machine, extension.max_glibc) == (
        "bcrypt/_bcrypt.abi3.so",
        "x86_64",
        (2, 28),
    )
    bcrypt = Component(ComponentKind.VENDORED, "bcrypt", "4.1.2")
    findings = extension_findings(extension, bcrypt, source_python=(3, 9), architecture="x86_64")
    assert [(f.rule_id, f.broken_on) for f in findings] == [
        ("native-glibc-too-new", AMAZON_LINUX_2_RUNTIMES)
    ]
    assert "bcrypt" in findings[0].fix


def test_cffi_backend_in_a_layer(bundle_cases: Path) -> None:
    root = bundle_cases / "checksum-cffi-layer" / "layers" / "native-helpers"

    [extension] = find_extensions(root, "layers/native-helpers/")

    path = "layers/native-helpers/python/_cffi_backend.cpython-39-x86_64-linux-gnu.so"
    assert (extension.relative_path, extension.module, extension.max_glibc) == (
        path,
        "_cffi_backend",
        (2, 14),
    )
    layer = Component(ComponentKind.LAYER, "native-helpers")
    findings = extension_findings(extension, layer, source_python=(3, 9), architecture="x86_64")
    assert [(f.rule_id, f.location, f.breaks_in, f.component) for f in findings] == [
        ("native-abi-mismatch", Location(path), (3, 10), layer)
    ]


def test_abi3_psutil_for_x86_64_is_fine(bundle_cases: Path) -> None:
    root = bundle_cases / "host-metrics-psutil-abi3" / "function"

    extensions = find_extensions(root)

    assert [e.max_glibc for e in extensions] == [(2, 7), (2, 3)]
    assert [findings_for(e) for e in extensions] == [[], []]


# --- hostile input ------------------------------------------------------------------------


def test_zero_byte_file_is_an_error_record(tmp_path: Path) -> None:
    path = tmp_path / "_x.so"
    path.write_bytes(b"")

    extension = inspect_extension(path, "_x.so")

    assert (extension.kind, extension.error) == ("unknown", "empty file")
    assert findings_for(extension) == [("native-unreadable", None, None, None)]


def test_text_file_named_so_is_an_error_record(tmp_path: Path) -> None:
    path = tmp_path / "libc.so"
    path.write_text("/* GNU ld script */\nGROUP ( /lib/libc.so.6 )\n")

    extension = inspect_extension(path, "libc.so")

    assert (extension.kind, extension.error) == ("unknown", "not an ELF, Mach-O or PE file")


@pytest.mark.parametrize("length", [4, 20, 63, 200, 4096])
def test_truncated_elf_is_an_error_record(
    compiled_extensions: CompiledExtensions, tmp_path: Path, length: int
) -> None:
    path = tmp_path / "_probe.cpython-39-x86_64-linux-gnu.so"
    path.write_bytes(compiled_extensions.cp39.read_bytes()[:length])

    extension = inspect_extension(path, "pkg/" + path.name)

    assert extension.kind == "elf"
    assert extension.error is not None
    assert extension.max_glibc is None
    findings = extension_findings(extension, PROBE, source_python=(3, 9), architecture="x86_64")
    assert [f.rule_id for f in findings] == ["native-unreadable"]
    assert findings[0].location == Location("pkg/" + path.name)


def test_truncated_elf_keeps_the_machine_of_an_intact_header(
    compiled_extensions: CompiledExtensions, tmp_path: Path
) -> None:
    path = tmp_path / "_probe.abi3.so"
    path.write_bytes(AARCH64_PROBE.read_bytes()[:4096])

    extension = inspect_extension(path, path.name)

    assert extension.elf_machine == "arm64"
    assert extension.error is not None and extension.error.startswith("truncated ELF")
    assert [rule for rule, *_ in findings_for(extension, "x86_64")] == [
        "native-unreadable",
        "native-arch-mismatch",
    ]


def test_truncated_elf_without_section_headers_is_an_error_record(
    compiled_extensions: CompiledExtensions, tmp_path: Path
) -> None:
    """Sections are optional for the loader; a cut segment is not."""
    data = bytearray(compiled_extensions.glibc_2_28.read_bytes()[:6000])
    # Elf64_Ehdr: e_shoff at byte 40, e_shnum at byte 60.
    struct.pack_into("<Q", data, 40, 0)
    struct.pack_into("<H", data, 60, 0)
    path = tmp_path / "_probe.abi3.so"
    path.write_bytes(bytes(data))

    extension = inspect_extension(path, path.name)

    assert extension.elf_machine == "x86_64"
    assert extension.error == "truncated ELF: a segment ends past the file's 6000 bytes"


def test_elf_with_garbage_section_headers_is_an_error_record(
    compiled_extensions: CompiledExtensions, tmp_path: Path
) -> None:
    data = bytearray(compiled_extensions.glibc_2_28.read_bytes())
    with compiled_extensions.glibc_2_28.open("rb") as stream:
        elf = ELFFile(stream)
        table_start, count, entry_size = elf["e_shoff"], elf["e_shnum"], elf["e_shentsize"]
    garbage = bytes((index * 97 + 13) % 256 for index in range(count * entry_size))
    data[table_start : table_start + len(garbage)] = garbage
    path = tmp_path / "_probe.abi3.so"
    path.write_bytes(bytes(data))

    extension = inspect_extension(path, path.name)

    assert extension.elf_machine == "x86_64"
    assert extension.error is not None and extension.error.startswith("corrupt ELF")
    assert extension.max_glibc is None


def test_version_needs_that_loop_forever_are_bounded(
    compiled_extensions: CompiledExtensions, tmp_path: Path
) -> None:
    """sh_info claims 2**32-1 entries and the first entry points at itself."""
    data = bytearray(compiled_extensions.glibc_2_28.read_bytes())
    with compiled_extensions.glibc_2_28.open("rb") as stream:
        elf = ELFFile(stream)
        index, section = next(
            (i, s) for i, s in enumerate(elf.iter_sections()) if isinstance(s, GNUVerNeedSection)
        )
        header_offset = elf["e_shoff"] + index * elf["e_shentsize"]
        verneed_offset = section["sh_offset"]
    # Elf64_Shdr: sh_info at byte 44; Elf_Verneed: vn_next at byte 12 (both little-endian).
    struct.pack_into("<I", data, header_offset + 44, 0xFFFFFFFF)
    struct.pack_into("<I", data, verneed_offset + 12, 0)
    path = tmp_path / "_probe.abi3.so"
    path.write_bytes(bytes(data))
    with path.open("rb") as stream:
        patched = ELFFile(stream).get_section(index)
        assert patched.num_versions() == 0xFFFFFFFF

    extension = inspect_extension(path, path.name)

    assert extension.error is None
    assert extension.max_glibc is not None


def test_huge_file_is_read_by_its_headers_only(
    compiled_extensions: CompiledExtensions, tmp_path: Path
) -> None:
    path = tmp_path / "_probe.cpython-39-x86_64-linux-gnu.so"
    shutil.copyfile(compiled_extensions.glibc_2_28, path)
    with path.open("r+b") as stream:
        stream.truncate(200 * 1024 * 1024)

    tracemalloc.start()
    try:
        extension = inspect_extension(path, path.name)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert extension.max_glibc == (2, 28)
    assert extension.error is None
    assert peak < 5 * 1024 * 1024


def test_unreadable_file_is_an_error_record(tmp_path: Path) -> None:
    extension = inspect_extension(tmp_path / "missing.so", "missing.so")

    assert extension.kind == "unknown"
    assert extension.error is not None and extension.error.startswith("cannot read file")


# --- walking a package --------------------------------------------------------------------


def test_find_extensions_walks_the_tree_without_following_links(
    compiled_extensions: CompiledExtensions, tmp_path: Path
) -> None:
    copy_as(compiled_extensions.cp39, tmp_path, "pkg/_probe.cpython-39-x86_64-linux-gnu.so")
    copy_as(compiled_extensions.abi3, tmp_path, "_probe.abi3.so")
    copy_as(WINDOWS_SPEEDUPS, tmp_path, "pkg/win/_speedups.cp39-win_amd64.pyd")
    (tmp_path / "pkg" / "__init__.py").write_text("")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    copy_as(compiled_extensions.untagged, outside, "_secret.so")
    (tmp_path / "pkg" / "linked.so").symlink_to(outside / "_secret.so")

    extensions = find_extensions(tmp_path, "layers/l/")

    assert [(e.relative_path, e.kind) for e in extensions] == [
        ("layers/l/_probe.abi3.so", "elf"),
        ("layers/l/pkg/_probe.cpython-39-x86_64-linux-gnu.so", "elf"),
        ("layers/l/pkg/win/_speedups.cp39-win_amd64.pyd", "pe"),
    ]
