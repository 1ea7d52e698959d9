"""Compiled-only modules: magic numbers, what is imported without source, and the findings."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from analyzer.bundle.pyc import (
    RELEASE_MAGIC,
    CompiledModule,
    find_compiled_modules,
    inspect_pyc,
    pyc_findings,
    python_version_for_magic,
    read_magic,
)
from analyzer.models import Category, Component, ComponentKind, Location, Reach

if TYPE_CHECKING:
    from conftest import Interpreter

OWN_CODE = Component(ComponentKind.FUNCTION, "function")
ALL_RUNTIMES = (
    "python3.8",
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
)
MODULE_SOURCE = "VALUE = 42\n"


@pytest.fixture(scope="module")
def compiled_pycs(
    tmp_path_factory: pytest.TempPathFactory, interpreters: dict[str, Interpreter]
) -> dict[str, Path]:
    """``legacy.pyc`` compiled by each installed interpreter, by version (``"3.9"``)."""
    build = tmp_path_factory.mktemp("pyc")
    source = build / "legacy.py"
    source.write_text(MODULE_SOURCE)
    compiled = {}
    for version, interpreter in interpreters.items():
        target = build / version / "legacy.pyc"
        target.parent.mkdir()
        script = (
            "import py_compile, sys; "
            "py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)"
        )
        interpreter.run("-c", script, str(source), str(target)).check_returncode()
        compiled[version] = target
    return compiled


def place(source: Path, folder: Path, relative_path: str) -> Path:
    """Copy a real .pyc to ``folder/relative_path``."""
    target = folder / relative_path
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def rules_of(compiled: CompiledModule, source_python: tuple[int, int] = (3, 9)) -> list[tuple]:
    return [
        (finding.rule_id, finding.requires, finding.breaks_in, finding.broken_on)
        for finding in pyc_findings(compiled, OWN_CODE, source_python=source_python)
    ]


# --- magic numbers ------------------------------------------------------------------------


def test_release_magic_matches_each_installed_interpreter(
    interpreters: dict[str, Interpreter],
) -> None:
    script = (
        "import importlib.util; print(int.from_bytes(importlib.util.MAGIC_NUMBER[:2], 'little'))"
    )
    measured = {
        tuple(int(part) for part in version.split(".")): int(interpreter.run("-c", script).stdout)
        for version, interpreter in interpreters.items()
    }

    assert measured == {
        (3, 9): 3425,
        (3, 10): 3439,
        (3, 11): 3495,
        (3, 12): 3531,
        (3, 13): 3571,
    }
    for version, magic in measured.items():
        assert RELEASE_MAGIC[version] == magic
        assert python_version_for_magic(magic) == version


@pytest.mark.parametrize(
    ("magic", "version"),
    [
        (3413, (3, 8)),
        (3400, (3, 8)),
        (3420, (3, 9)),
        (3450, (3, 11)),
        (3500, (3, 12)),
        (3550, (3, 13)),
        (3600, (3, 14)),
        (3627, (3, 14)),
        (3650, (3, 15)),
        (3394, (3, 7)),
        (3379, (3, 6)),
        (62211, (2, 7)),
        (3440, None),
        (1234, None),
        (20121, None),
    ],
)
def test_python_version_for_magic(magic: int, version: tuple[int, int] | None) -> None:
    assert python_version_for_magic(magic) == version


def test_release_magic_of_3_14_is_its_last_release_candidate() -> None:
    assert RELEASE_MAGIC[(3, 14)] == 3627


# --- which files are compiled-only modules ------------------------------------------------


def test_legacy_pyc_without_source_breaks_in_the_next_version(
    compiled_pycs: dict[str, Path], tmp_path: Path
) -> None:
    place(compiled_pycs["3.9"], tmp_path, "legacy.pyc")

    [compiled] = find_compiled_modules(tmp_path)

    assert compiled == CompiledModule(
        relative_path="legacy.pyc",
        module="legacy",
        loadable=True,
        magic=3425,
        python_version=(3, 9),
        error=None,
    )
    [finding] = pyc_findings(compiled, OWN_CODE, source_python=(3, 9))
    assert finding.rule_id == "pyc-magic-mismatch"
    assert finding.category is Category.PACKAGING
    assert finding.location == Location("legacy.pyc", None)
    assert (finding.requires, finding.breaks_in, finding.broken_on) == ((3, 9), (3, 10), None)
    assert finding.reach is Reach.UNKNOWN
    assert finding.symbol == "legacy"
    assert "bad magic number" in finding.message
    assert "legacy.py" in finding.fix


def test_legacy_pyc_loads_only_on_its_own_version(
    compiled_pycs: dict[str, Path], interpreters: dict[str, Interpreter], tmp_path: Path
) -> None:
    """The fact behind the finding, measured: 3.9 imports it, 3.10 and 3.13 reject it."""
    place(compiled_pycs["3.9"], tmp_path, "legacy.pyc")
    script = (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import legacy; print(legacy.VALUE)"
    )

    results = {}
    for version in ("3.9", "3.10", "3.13"):
        run = interpreters[version].run("-I", "-S", "-B", "-c", script)
        results[version] = run.stdout.strip() or run.stderr.strip().splitlines()[-1]

    assert results == {
        "3.9": "42",
        "3.10": "ImportError: bad magic number in 'legacy': b'a\\r\\r\\n'",
        "3.13": "ImportError: bad magic number in 'legacy': b'a\\r\\r\\n'",
    }


def test_pycache_file_without_source_is_never_imported(
    compiled_pycs: dict[str, Path], interpreters: dict[str, Interpreter], tmp_path: Path
) -> None:
    """PEP 3147: a __pycache__ file is used only beside its source, on 3.9 as on 3.13."""
    place(compiled_pycs["3.9"], tmp_path, "__pycache__/orphan.cpython-39.pyc")
    script = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import orphan"

    [compiled] = find_compiled_modules(tmp_path)

    assert (compiled.relative_path, compiled.loadable, compiled.module, compiled.magic) == (
        "__pycache__/orphan.cpython-39.pyc",
        False,
        None,
        3425,
    )
    assert pyc_findings(compiled, OWN_CODE, source_python=(3, 9)) == []
    for version in ("3.9", "3.13"):
        run = interpreters[version].run("-I", "-S", "-B", "-c", script)
        assert run.stderr.strip().splitlines()[-1] == (
            "ModuleNotFoundError: No module named 'orphan'"
        )


def test_bytecode_beside_its_source_is_ignored(
    compiled_pycs: dict[str, Path], tmp_path: Path
) -> None:
    (tmp_path / "mod.py").write_text(MODULE_SOURCE)
    place(compiled_pycs["3.9"], tmp_path, "__pycache__/mod.cpython-39.pyc")
    place(compiled_pycs["3.9"], tmp_path, "mod.pyc")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "util.py").write_text(MODULE_SOURCE)
    place(compiled_pycs["3.11"], tmp_path, "pkg/__pycache__/util.cpython-311.pyc")

    assert find_compiled_modules(tmp_path) == []


def test_package_folder_wins_over_a_legacy_pyc(
    compiled_pycs: dict[str, Path], interpreters: dict[str, Interpreter], tmp_path: Path
) -> None:
    place(compiled_pycs["3.9"], tmp_path, "helpers.pyc")
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "__init__.py").write_text("VALUE = 'package'\n")
    folder = str(tmp_path)
    script = f"import sys; sys.path.insert(0, {folder!r}); import helpers; print(helpers.VALUE)"

    assert find_compiled_modules(tmp_path) == []
    assert interpreters["3.13"].run("-I", "-S", "-B", "-c", script).stdout == "package\n"


def test_package_of_compiled_modules(compiled_pycs: dict[str, Path], tmp_path: Path) -> None:
    place(compiled_pycs["3.9"], tmp_path, "pkg/__init__.pyc")
    place(compiled_pycs["3.9"], tmp_path, "pkg/util.pyc")
    (tmp_path / "pkg" / "data.py").write_text(MODULE_SOURCE)

    found = find_compiled_modules(tmp_path, "layers/shared/python/")

    assert [(c.relative_path, c.module, c.python_version) for c in found] == [
        ("layers/shared/python/pkg/__init__.pyc", "pkg", (3, 9)),
        ("layers/shared/python/pkg/util.pyc", "pkg.util", (3, 9)),
    ]


def test_bytecode_of_a_newer_python_works_only_there(
    compiled_pycs: dict[str, Path], tmp_path: Path
) -> None:
    path = place(compiled_pycs["3.12"], tmp_path, "legacy.pyc")

    compiled = inspect_pyc(path, "legacy.pyc")
    [finding] = pyc_findings(compiled, OWN_CODE, source_python=(3, 9))

    assert (compiled.magic, compiled.python_version) == (3531, (3, 12))
    assert (finding.requires, finding.breaks_in, finding.broken_on) == ((3, 12), (3, 13), None)
    assert "(the function runs 3.9)" in finding.message


@pytest.mark.parametrize("version", ["3.10", "3.11", "3.13"])
def test_each_interpreters_bytecode_is_recognised(
    compiled_pycs: dict[str, Path], version: str
) -> None:
    minor = int(version.split(".")[1])

    compiled = inspect_pyc(compiled_pycs[version], "legacy.pyc")

    assert rules_of(compiled) == [("pyc-magic-mismatch", (3, minor), (3, minor + 1), None)]


# --- files no runtime loads, and hostile headers -------------------------------------------


def write_header(folder: Path, name: str, header: bytes) -> Path:
    path = folder / name
    path.write_bytes(header + b"\0" * 12)
    return path


def test_pre_release_bytecode_loads_nowhere(tmp_path: Path) -> None:
    path = write_header(tmp_path, "early.pyc", (3626).to_bytes(2, "little") + b"\r\n")

    compiled = inspect_pyc(path, "early.pyc")

    assert (compiled.magic, compiled.python_version) == (3626, (3, 14))
    assert rules_of(compiled) == [("pyc-magic-mismatch", None, None, ALL_RUNTIMES)]


def test_python_2_bytecode_loads_nowhere(tmp_path: Path) -> None:
    path = write_header(tmp_path, "old.pyc", (62211).to_bytes(2, "little") + b"\r\n")

    compiled = inspect_pyc(path, "old.pyc")

    assert compiled.python_version == (2, 7)
    assert rules_of(compiled) == [("pyc-magic-mismatch", None, None, ALL_RUNTIMES)]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", "truncated header (0 bytes)"),
        (b"a\r", "truncated header (2 bytes)"),
        (b"print('not bytecode')\n", "not a .pyc file (no magic number)"),
        ((1234).to_bytes(2, "little") + b"\r\n" + b"\0" * 12, "unknown magic number 1234"),
    ],
)
def test_unreadable_headers_are_error_records(tmp_path: Path, content: bytes, error: str) -> None:
    path = tmp_path / "broken.pyc"
    path.write_bytes(content)

    [compiled] = find_compiled_modules(tmp_path)

    assert (compiled.module, compiled.error) == ("broken", error)
    assert rules_of(compiled) == [("pyc-magic-mismatch", None, None, ALL_RUNTIMES)]


def test_read_magic_of_a_missing_file(tmp_path: Path) -> None:
    magic, error = read_magic(tmp_path / "gone.pyc")

    assert magic is None
    assert error is not None and error.startswith("cannot read file")
