"""Native extensions in a deployment package: what their names and binary headers say."""

from __future__ import annotations

import itertools
import logging
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection
from packaging.tags import parse_tag

from analyzer.models import (
    Category,
    Component,
    ComponentKind,
    Finding,
    Location,
    PythonVersion,
    format_version,
)
from analyzer.runtimes import RUNTIMES, TARGET_RUNTIMES

logger = logging.getLogger(__name__)

BinaryKind = Literal["elf", "mach-o", "pe", "unknown"]
AbiKind = Literal["cpython", "abi3", "untagged", "other"]

_ELF_MAGIC = b"\x7fELF"
# Mach-O thin (32/64-bit, either byte order) and universal ("fat") headers; see <mach-o/loader.h>
# and <mach-o/fat.h>.
_MACHO_MAGICS = (
    b"\xfe\xed\xfa\xce",
    b"\xce\xfa\xed\xfe",
    b"\xfe\xed\xfa\xcf",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"\xbe\xba\xfe\xca",
)
_PE_MAGIC = b"MZ"

_NATIVE_SUFFIXES = (".so", ".pyd", ".dylib", ".dll")
_VERSIONED_SO = re.compile(r"\.so(\.\d+)+$")

# CPython's extension-module file names (PEP 3149): `cpython-<major><minor><abiflags>-<multiarch>`,
# as in importlib.machinery.EXTENSION_SUFFIXES; Windows uses `cp<major><minor>-<platform>`.
_CPYTHON_TAG = re.compile(
    r"^cpython-(?P<major>\d)(?P<minor>\d+)(?P<flags>[a-z]*)(?:-(?P<rest>.+))?$"
)
_WINDOWS_TAG = re.compile(r"^cp(?P<major>\d)(?P<minor>\d+)(?P<flags>[a-z]*)-(?P<rest>.+)$")

# Multiarch CPU names (and Windows platform names) as Lambda's architecture names where there
# is one; other CPUs keep a plain name.
_TAG_ARCHITECTURES = {
    "x86_64": "x86_64",
    "amd64": "x86_64",
    "win_amd64": "x86_64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "win_arm64": "arm64",
    "i386": "x86",
    "i686": "x86",
    "win32": "x86",
    "arm": "arm",
    "powerpc64le": "ppc64le",
    "powerpc64": "ppc64",
    "s390x": "s390x",
    "riscv64": "riscv64",
}
_ELF_MACHINES = {
    "EM_X86_64": "x86_64",
    "EM_AARCH64": "arm64",
    "EM_386": "x86",
    "EM_ARM": "arm",
    "EM_PPC64": "ppc64",
    "EM_PPC": "ppc",
    "EM_S390": "s390x",
    "EM_RISCV": "riscv64",
    "EM_MIPS": "mips",
}
_WHEEL_PLATFORM_ARCH = {"x86_64": "x86_64", "arm64": "aarch64"}

_WHEEL_INTERPRETER = re.compile(r"^cp(\d)(\d+)$")
_LOWEST_TARGET = min(RUNTIMES[name].python for name in TARGET_RUNTIMES)
_GLIBC_VERSION = re.compile(r"^GLIBC_(\d+)\.(\d+)(?:\.\d+)?$")
# Elf_Verneed and Elf_Vernaux entries are 16 bytes in both ELF classes; no well-formed section
# holds more entries than its size allows, whatever its header claims.
_VERSION_ENTRY_SIZE = 16

# Folders of a layer that Lambda puts on sys.path (analyzer.runtimes.LAYER_PATH_SOURCE).
_LAYER_IMPORT_ROOT = re.compile(r"^layers/[^/]+/python/(?:lib/python\d+\.\d+/site-packages/)?")

ARCHITECTURE_DOCUMENTATION = "https://docs.aws.amazon.com/lambda/latest/dg/foundation-arch.html"
ABI_DOCUMENTATION = "https://docs.python.org/3/c-api/stable.html"
GLIBC_DOCUMENTATION = "https://docs.aws.amazon.com/linux/al2023/ug/compare-with-al2.html"
PACKAGING_DOCUMENTATION = "https://docs.aws.amazon.com/lambda/latest/dg/python-package.html"


@dataclass(frozen=True)
class NativeExtension:
    """A compiled file of a deployment package, as its name and binary header describe it.

    ``module`` is the dotted module name the file provides, or ``None`` for a shared library
    that no import statement can load by name (``libpq.so.5``, ``.dylib``, ``.dll``).
    ``abi`` comes from the file name: ``cpython`` (one interpreter version, in
    ``python_version``), ``abi3`` (the stable ABI), ``untagged`` (``_x.so``: any interpreter
    looks at it, its Python ABI is unknown) or ``other`` (a name no CPython on Linux looks at,
    such as a PyPy tag). ``tag_arch`` and ``elf_machine`` are Lambda architecture names
    (``x86_64``, ``arm64``) where one applies. ``error`` says why the binary could not be read.
    """

    relative_path: str
    module: str | None
    kind: BinaryKind
    abi: AbiKind
    python_version: PythonVersion | None
    tag_arch: str | None
    elf_machine: str | None
    max_glibc: tuple[int, int] | None
    error: str | None
    abi_flags: str = ""
    """Flags after the version in a ``cpython-`` tag: ``d`` (debug build), ``t`` (free-threaded)."""
    tag_platform: str | None = None
    """The rest of the multiarch tag, such as ``linux-gnu``."""

    @property
    def file_name(self) -> str:
        """The file's name without its folder."""
        return self.relative_path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class _NameTag:
    module_stem: str | None
    abi: AbiKind
    python_version: PythonVersion | None
    abi_flags: str
    tag_arch: str | None
    tag_platform: str | None


def is_native_file(name: str) -> bool:
    """Whether a file name looks like a compiled library or extension module."""
    lowered = name.lower()
    return lowered.endswith(_NATIVE_SUFFIXES) or _VERSIONED_SO.search(lowered) is not None


def import_root_relative(relative_path: str) -> str:
    """``relative_path`` relative to the folder on ``sys.path`` that holds it.

    A layer file (``layers/<name>/python/...``) is imported from ``python/`` or from
    ``python/lib/pythonX.Y/site-packages/``; function code is imported from its root.
    """
    return _LAYER_IMPORT_ROOT.sub("", relative_path, count=1)


def module_name(relative_path: str) -> str | None:
    """The dotted module a native file provides, or ``None`` when no import finds it by name.

    ``psutil/_psutil_linux.abi3.so`` gives ``psutil._psutil_linux``.
    """
    parts = import_root_relative(relative_path).split("/")
    stem = _parse_name(parts[-1]).module_stem
    if stem is None or not all(part.isidentifier() for part in parts[:-1]):
        return None
    return ".".join([*parts[:-1], stem])


def _parse_name(file_name: str) -> _NameTag:
    pieces = file_name.split(".")
    suffix = pieces[-1].lower()
    if suffix not in ("so", "pyd") or len(pieces) > 3:
        return _NameTag(None, "untagged", None, "", None, None)
    stem = pieces[0] if pieces[0].isidentifier() else None
    if len(pieces) == 2:
        return _NameTag(stem, "untagged", None, "", None, None)
    tag = pieces[1]
    if tag == "abi3":
        return _NameTag(stem, "abi3", None, "", None, None)
    match = (_CPYTHON_TAG if suffix == "so" else _WINDOWS_TAG).match(tag)
    if match is None:
        return _NameTag(stem, "other", None, "", None, None)
    version = (int(match["major"]), int(match["minor"]))
    rest = match["rest"]
    if rest is None:
        return _NameTag(stem, "cpython", version, match["flags"], None, None)
    if suffix == "pyd":
        return _NameTag(stem, "cpython", version, match["flags"], _tag_architecture(rest), "win")
    cpu, _, platform = rest.partition("-")
    architecture = _tag_architecture(cpu) if platform else None
    return _NameTag(stem, "cpython", version, match["flags"], architecture, platform or rest)


def _tag_architecture(cpu: str) -> str:
    return _TAG_ARCHITECTURES.get(cpu, cpu)


def inspect_extension(path: Path, relative_path: str) -> NativeExtension:
    """Read the native file at ``path`` from its name and headers; never raises for bad content.

    Only headers are read, never the whole file. A truncated or corrupt binary gives a record
    with ``error`` set. ``relative_path`` is the POSIX path used in findings.
    """
    name_tag = _parse_name(relative_path.rsplit("/", 1)[-1])
    kind: BinaryKind = "unknown"
    elf_machine: str | None = None
    max_glibc: tuple[int, int] | None = None
    error: str | None = None
    try:
        with path.open("rb") as stream:
            magic = stream.read(4)
            kind = _binary_kind(magic)
            if not magic:
                error = "empty file"
            elif kind == "unknown":
                error = "not an ELF, Mach-O or PE file"
            elif kind == "elf":
                elf_machine, max_glibc, error = _read_elf(stream)
    except OSError as exc:
        error = f"cannot read file: {exc.strerror or exc}"
    if error is not None:
        logger.debug("%s: %s", relative_path, error)
    return NativeExtension(
        relative_path=relative_path,
        module=module_name(relative_path),
        kind=kind,
        abi=name_tag.abi,
        python_version=name_tag.python_version,
        tag_arch=name_tag.tag_arch,
        elf_machine=elf_machine,
        max_glibc=max_glibc,
        error=error,
        abi_flags=name_tag.abi_flags,
        tag_platform=name_tag.tag_platform,
    )


def find_extensions(root: Path, prefix: str = "") -> list[NativeExtension]:
    """Every native file under ``root`` (symbolic links are not followed), sorted by path.

    ``prefix`` is put before each relative path, such as ``layers/<name>/`` for a layer.
    """
    extensions = [
        inspect_extension(path, prefix + path.relative_to(root).as_posix())
        for path in _walk_files(root)
        if is_native_file(path.name)
    ]
    return sorted(extensions, key=lambda extension: extension.relative_path)


def _walk_files(root: Path) -> Iterator[Path]:
    for folder, _, files in os.walk(root):
        for file_name in files:
            path = Path(folder, file_name)
            if not path.is_symlink() and path.is_file():
                yield path


def _binary_kind(magic: bytes) -> BinaryKind:
    if magic.startswith(_ELF_MAGIC):
        return "elf"
    if magic in _MACHO_MAGICS:
        return "mach-o"
    if magic.startswith(_PE_MAGIC):
        return "pe"
    return "unknown"


def _read_elf(stream: IO[bytes]) -> tuple[str | None, tuple[int, int] | None, str | None]:
    """The machine, the highest GLIBC symbol version needed, and what went wrong, if anything."""
    # pyelftools raises assorted exception types (its own, construct's, struct's, ValueError,
    # KeyError) on hostile input; any of them means the file is corrupt, not that we are.
    try:
        elf = ELFFile(stream)
        machine = str(elf["e_machine"])
    except Exception as exc:
        return None, None, f"corrupt ELF header: {_describe(exc)}"
    architecture = _ELF_MACHINES.get(machine, machine.removeprefix("EM_").lower())
    try:
        problem = _check_tables(elf)
        if problem is not None:
            return architecture, None, problem
        return architecture, _max_glibc(elf), None
    except Exception as exc:
        return architecture, None, f"corrupt ELF sections: {_describe(exc)}"


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _check_tables(elf: ELFFile) -> str | None:
    """Why the header tables cannot be trusted, or ``None``; bounds every later loop.

    A segment or section header table past the end of the file means the file was cut
    short: the dynamic loader refuses it.
    """
    size = int(elf.stream_len)
    for segment in elf.iter_segments():
        if int(segment["p_offset"]) + int(segment["p_filesz"]) > size:
            return f"truncated ELF: a segment ends past the file's {size} bytes"
    table_start = int(elf["e_shoff"])
    if table_start == 0:
        return None
    entry_size = int(elf["e_shentsize"])
    if entry_size < elf.structs.Elf_Shdr.sizeof():
        return "corrupt ELF header: section header entries too small"
    if table_start + int(elf.num_sections()) * entry_size > size:
        return f"truncated ELF: section headers end past the file's {size} bytes"
    return None


# TODO: GLIBCXX_/CXXABI_ needs (libstdc++) and DT_NEEDED libraries are not checked against
# what each runtime image ships, e.g. libcrypt.so.1 absent from Amazon Linux 2023 (a table of
# each image's libraries and libstdc++ version would retire this).
def _max_glibc(elf: ELFFile) -> tuple[int, int] | None:
    highest: tuple[int, int] | None = None
    for section in elf.iter_sections():
        if not isinstance(section, GNUVerNeedSection):
            continue
        section_end = int(section["sh_offset"]) + int(section["sh_size"])
        if section_end > int(elf.stream_len):
            raise ValueError("version-needs section ends past the end of the file")
        limit = int(section["sh_size"]) // _VERSION_ENTRY_SIZE
        for _, auxiliaries in itertools.islice(section.iter_versions(), limit):
            for auxiliary in itertools.islice(auxiliaries, limit):
                match = _GLIBC_VERSION.match(auxiliary.name)
                if match is None:
                    continue
                version = (int(match[1]), int(match[2]))
                if highest is None or version > highest:
                    highest = version
    return highest


def extension_findings(
    ext: NativeExtension,
    component: Component,
    *,
    source_python: PythonVersion,
    architecture: str,
    wheel_tags: Sequence[str] = (),
) -> list[Finding]:
    """What keeps ``ext`` from loading, independent of the target runtime.

    ``source_python`` is the Python the function runs on today and ``architecture`` its
    Lambda architecture (``x86_64`` or ``arm64``). ``wheel_tags`` are those of the
    distribution that installed the file, if known: an ``abi3`` file's lowest Python comes
    only from them (``cp312-abi3-...``). The import graph, not this function, decides
    whether the module is needed, so ``reach`` stays unknown.
    """
    if ext.kind in ("mach-o", "pe"):
        return [_not_loadable(ext, component, architecture)]
    findings: list[Finding] = []
    if ext.error is not None:
        findings.append(_unreadable(ext, component))
        if ext.elf_machine is not None and ext.elf_machine != architecture:
            findings.append(_arch_mismatch(ext, component, architecture))
        return findings
    if _arch_differs(ext, architecture):
        findings.append(_arch_mismatch(ext, component, architecture))
    abi_finding = _abi_mismatch(ext, component, source_python, architecture)
    if abi_finding is None and ext.abi == "abi3":
        abi_finding = _stable_abi_too_new(ext, component, wheel_tags, architecture)
    if abi_finding is not None:
        findings.append(abi_finding)
    # A build for another machine says nothing about the glibc the right build would need.
    if ext.max_glibc is not None and ext.elf_machine == architecture:
        glibc_finding = _glibc_too_new(ext, component, ext.max_glibc, architecture)
        if glibc_finding is not None:
            findings.append(glibc_finding)
    return findings


def _arch_differs(ext: NativeExtension, architecture: str) -> bool:
    return any(
        found is not None and found != architecture for found in (ext.elf_machine, ext.tag_arch)
    )


def _distribution_name(ext: NativeExtension, component: Component) -> str:
    if component.kind is ComponentKind.VENDORED:
        return component.name
    if ext.module is not None:
        return ext.module.split(".", 1)[0]
    return "the package that ships it"


def _wheel_platform(architecture: str) -> str:
    return f"manylinux2014_{_WHEEL_PLATFORM_ARCH.get(architecture, architecture)}"


def _reinstall(ext: NativeExtension, component: Component, architecture: str) -> str:
    return (
        f"pip install --platform {_wheel_platform(architecture)} --implementation cp "
        f"--python-version <target> --only-binary=:all: --upgrade -t <package folder> "
        f"{_distribution_name(ext, component)}"
    )


def _finding(
    ext: NativeExtension,
    component: Component,
    rule_id: str,
    message: str,
    fix: str,
    documentation: str,
    *,
    requires: PythonVersion | None = None,
    breaks_in: PythonVersion | None = None,
    broken_on: tuple[str, ...] | None = None,
) -> Finding:
    return Finding(
        rule_id=rule_id,
        category=Category.NATIVE,
        message=message,
        location=Location(ext.relative_path),
        fix=fix,
        component=component,
        symbol=ext.module,
        documentation=documentation,
        requires=requires,
        breaks_in=breaks_in,
        broken_on=broken_on,
    )


def _imports(ext: NativeExtension) -> str:
    return f"'import {ext.module}'" if ext.module is not None else "loading it"


def _not_loadable(ext: NativeExtension, component: Component, architecture: str) -> Finding:
    system = "macOS (Mach-O)" if ext.kind == "mach-o" else "Windows (PE)"
    return _finding(
        ext,
        component,
        "native-not-loadable",
        f"{ext.file_name} is a {system} binary; Lambda runs Linux, so {_imports(ext)} fails "
        "on every runtime",
        "Install the Linux build instead of the one from the build machine: "
        + _reinstall(ext, component, architecture),
        PACKAGING_DOCUMENTATION,
        broken_on=tuple(RUNTIMES),
    )


def _unreadable(ext: NativeExtension, component: Component) -> Finding:
    return _finding(
        ext,
        component,
        "native-unreadable",
        f"{ext.file_name} could not be read as a native library ({ext.error}); whether it "
        "loads on the target runtime is unknown",
        "Check the file: rebuild the deployment package from its requirements, or remove the "
        "file if nothing loads it",
        PACKAGING_DOCUMENTATION,
    )


def _arch_mismatch(ext: NativeExtension, component: Component, architecture: str) -> Finding:
    built_for = ext.elf_machine if ext.elf_machine not in (None, architecture) else ext.tag_arch
    if ext.elf_machine not in (None, architecture):
        how = f"its ELF machine is {built_for}; the loader rejects it"
    else:
        how = f"its file name is tagged for {built_for}, so the interpreter never looks at it"
    return _finding(
        ext,
        component,
        "native-arch-mismatch",
        f"{ext.file_name} is built for {built_for} but the function runs on {architecture}: "
        f"{how}, and {_imports(ext)} fails on every runtime",
        f"Install the {architecture} build: "
        + _reinstall(ext, component, architecture)
        + f", or set the function's architecture to {built_for}",
        ARCHITECTURE_DOCUMENTATION,
        broken_on=tuple(RUNTIMES),
    )


def _abi_mismatch(
    ext: NativeExtension,
    component: Component,
    source_python: PythonVersion,
    architecture: str,
) -> Finding | None:
    if ext.abi == "other":
        return _finding(
            ext,
            component,
            "native-abi-mismatch",
            f"{ext.file_name} is named for an interpreter other than CPython on Linux; no "
            f"Lambda runtime looks at that file name, so {_imports(ext)} fails everywhere",
            "Install the CPython build: " + _reinstall(ext, component, architecture),
            ABI_DOCUMENTATION,
            broken_on=tuple(RUNTIMES),
        )
    # TODO: an untagged `_x.so` built against one version's full C API is not checked
    # (comparing its undefined Py* symbols with each version's exports would retire this).
    if ext.abi != "cpython" or ext.python_version is None:
        return None
    built_for = format_version(ext.python_version)
    if "d" in ext.abi_flags or "t" in ext.abi_flags:
        build = "a debug" if "d" in ext.abi_flags else "a free-threaded"
        return _finding(
            ext,
            component,
            "native-abi-mismatch",
            f"{ext.file_name} is built for {build} CPython {built_for}; Lambda's interpreters "
            f"are standard builds and never look at that file name, so {_imports(ext)} fails "
            "on every runtime",
            "Install the release build: " + _reinstall(ext, component, architecture),
            ABI_DOCUMENTATION,
            broken_on=tuple(RUNTIMES),
        )
    next_version = (ext.python_version[0], ext.python_version[1] + 1)
    today = format_version(source_python)
    note = "" if ext.python_version == source_python else f" (the function runs {today} today)"
    return _finding(
        ext,
        component,
        "native-abi-mismatch",
        f"{ext.file_name} is built for CPython {built_for} only{note}: other interpreters do "
        f"not even look at that file name, so on {format_version(next_version)} and later "
        f"the module is missing and {_imports(ext)} fails with ModuleNotFoundError",
        f"Upgrade {_distribution_name(ext, component)} to a release with an abi3 wheel or a "
        "wheel for the target version, and rebuild the package for the target runtime: "
        + _reinstall(ext, component, architecture),
        ABI_DOCUMENTATION,
        requires=ext.python_version,
        breaks_in=next_version,
    )


def stable_abi_minimum(wheel_tags: Sequence[str]) -> PythonVersion | None:
    """The lowest CPython an ``abi3`` wheel supports, from tags such as ``cp39-abi3-...``."""
    minimums: list[PythonVersion] = []
    for text in wheel_tags:
        try:
            tags = parse_tag(text)
        except ValueError:
            continue
        for tag in tags:
            match = _WHEEL_INTERPRETER.match(tag.interpreter)
            if tag.abi == "abi3" and match is not None:
                minimums.append((int(match[1]), int(match[2])))
    return min(minimums) if minimums else None


def _stable_abi_too_new(
    ext: NativeExtension,
    component: Component,
    wheel_tags: Sequence[str],
    architecture: str,
) -> Finding | None:
    minimum = stable_abi_minimum(wheel_tags)
    if minimum is None or minimum <= _LOWEST_TARGET:
        return None
    built_for = format_version(minimum)
    return _finding(
        ext,
        component,
        "native-abi-mismatch",
        f"{ext.file_name} comes from a wheel tagged cp{minimum[0]}{minimum[1]}-abi3: it is "
        f"built for the stable ABI of CPython {built_for} and later, and before {built_for} "
        f"{_imports(ext)} may fail with an undefined symbol",
        f"Install a release of {_distribution_name(ext, component)} whose wheel supports the "
        "target version: " + _reinstall(ext, component, architecture),
        ABI_DOCUMENTATION,
        requires=minimum,
    )


def _glibc_too_new(
    ext: NativeExtension,
    component: Component,
    needed: tuple[int, int],
    architecture: str,
) -> Finding | None:
    too_old = [runtime for runtime in RUNTIMES.values() if runtime.glibc < needed]
    if not too_old:
        return None
    needed_text = f"{needed[0]}.{needed[1]}"
    systems = sorted({(runtime.operating_system, runtime.glibc) for runtime in too_old})
    system_text = "; ".join(
        f"{system} (glibc {glibc[0]}.{glibc[1]}: "
        + ", ".join(runtime.name for runtime in too_old if runtime.operating_system == system)
        + ")"
        for system, glibc in systems
    )
    fine = [runtime.name for runtime in RUNTIMES.values() if runtime.glibc >= needed]
    alternative = f", or target {fine[0]} or later" if fine else ""
    return _finding(
        ext,
        component,
        "native-glibc-too-new",
        f"{ext.file_name} needs glibc {needed_text} (it links GLIBC_{needed_text} symbol "
        f"versions), newer than {system_text}: there {_imports(ext)} fails with "
        f'"version `GLIBC_{needed_text}\' not found"',
        "Install a build for an older glibc, such as a manylinux2014 wheel (glibc 2.17): "
        + _reinstall(ext, component, architecture)
        + alternative,
        GLIBC_DOCUMENTATION,
        broken_on=tuple(runtime.name for runtime in too_old),
    )
