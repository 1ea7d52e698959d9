"""Package layout: the files of a function and its layers, and the module index per runtime."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from analyzer.bundle.layout import (
    Candidate,
    FileKind,
    ModuleIndex,
    ModuleKind,
    collect_package,
    extension_suffixes,
    layer_path_findings,
)
from analyzer.errors import InputError
from analyzer.models import (
    FUNCTION_CODE,
    AnalysisError,
    Category,
    Component,
    ComponentKind,
    Function,
    Layer,
    Location,
    Reach,
)
from analyzer.runtimes import RUNTIMES

if TYPE_CHECKING:
    from conftest import CompiledExtensions, Interpreter

PY39 = RUNTIMES["python3.9"]
PY311 = RUNTIMES["python3.11"]
CP39_SUFFIX = ".cpython-39-x86_64-linux-gnu.so"

Files = dict[str, "str | bytes | Path"]


def write_tree(root: Path, files: Files) -> Path:
    """Write ``files`` (text, bytes, or a real file to copy) under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, target)
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    return root


def make_function(
    tmp_path: Path, code: Files, layers: dict[str, Files] | None = None, handler: str = "app.h"
) -> Function:
    """A function whose code and layers are written under ``tmp_path``."""
    root = write_tree(tmp_path / "function", code)
    layer_objects = tuple(
        Layer(name, str(write_tree(tmp_path / "layers" / name, files)))
        for name, files in (layers or {}).items()
    )
    return Function("demo", str(root), "python3.9", handler, layers=layer_objects)


def record_lines(*paths: str) -> str:
    return "".join(f"{path},,\n" for path in paths)


def dist_info(name: str, version: str, *paths: str, top_level: str | None = None) -> Files:
    """A minimal real ``*.dist-info`` folder whose RECORD lists ``paths``."""
    folder = f"{name}-{version}.dist-info"
    record = record_lines(*paths, f"{folder}/METADATA", f"{folder}/RECORD")
    return {
        f"{folder}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{folder}/RECORD": record,
        f"{folder}/top_level.txt": (top_level or name) + "\n",
        f"{folder}/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }


def modules_to_files(index: ModuleIndex) -> dict[str, tuple[str, str | None]]:
    return {name: (entry.kind.value, entry.path) for name, entry in index.modules.items()}


# --------------------------------------------------------------------------- collect_package


def test_files_get_display_paths_kinds_and_components(tmp_path: Path) -> None:
    code = {
        "app.py": "def h(event, context): pass\n",
        "__pycache__/app.cpython-39.pyc": b"\x61\x0d\x0d\x0a" + bytes(12),
        "six.py": "",
        "legacy.pyc": b"\x61\x0d\x0d\x0a" + bytes(12),
        "data/config.json": "{}",
        **dist_info("six", "1.16.0", "six.py"),
    }
    layers = {
        "shared": {
            "python/helpers.py": "",
            "python/fast/__init__.py": "",
            "python/fast/_speed.abi3.so": b"\x7fELF",
            **{
                f"python/{path}": text
                for path, text in dist_info(
                    "fast", "2.0", "fast/__init__.py", "fast/_speed.abi3.so"
                ).items()
            },
        }
    }
    function = make_function(tmp_path, code, layers)

    package = collect_package(function)

    by_path = package.by_path
    assert [f.path for f in package.files if f.layer is None] == [
        "__pycache__/app.cpython-39.pyc",
        "app.py",
        "data/config.json",
        "legacy.pyc",
        "six-1.16.0.dist-info/METADATA",
        "six-1.16.0.dist-info/RECORD",
        "six-1.16.0.dist-info/WHEEL",
        "six-1.16.0.dist-info/top_level.txt",
        "six.py",
    ]
    assert by_path["app.py"].component == FUNCTION_CODE
    assert by_path["six.py"].component == Component(ComponentKind.VENDORED, "six", "1.16.0")
    assert by_path["six.py"].distribution == "six"
    speed = by_path["layers/shared/python/fast/_speed.abi3.so"]
    assert speed.component == Component(ComponentKind.LAYER, "shared")
    assert (speed.layer, speed.distribution, speed.distribution_version) == (
        "shared",
        "fast",
        "2.0",
    )
    assert speed.relative == "python/fast/_speed.abi3.so"
    assert speed.kind is FileKind.NATIVE
    assert by_path["layers/shared/python/helpers.py"].distribution is None
    assert [f.path for f in package.sources] == [
        "app.py",
        "six.py",
        "layers/shared/python/fast/__init__.py",
        "layers/shared/python/helpers.py",
    ]
    assert [(f.path, f.cached) for f in package.bytecode] == [
        ("__pycache__/app.cpython-39.pyc", True),
        ("legacy.pyc", False),
    ]
    assert [f.path for f in package.native_files] == ["layers/shared/python/fast/_speed.abi3.so"]
    assert package.dist_info_folders == (
        "six-1.16.0.dist-info",
        "layers/shared/python/fast-2.0.dist-info",
    )
    assert [d.name for d in package.distributions] == ["six", "fast"]
    assert package.components == (
        FUNCTION_CODE,
        Component(ComponentKind.VENDORED, "six", "1.16.0"),
        Component(ComponentKind.LAYER, "shared"),
    )
    assert package.errors == ()


def test_symbolic_links_are_reported_not_followed(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"secret.py": "TOKEN = 1\n"})
    function = make_function(tmp_path, {"app.py": ""})
    root = Path(function.code_root)
    (root / "escape").symlink_to(outside, target_is_directory=True)
    (root / "link.py").symlink_to(outside / "secret.py")

    package = collect_package(function)

    assert [f.path for f in package.files] == ["app.py"]
    assert package.errors == (
        AnalysisError("read", "symbolic link not followed", "escape"),
        AnalysisError("read", "symbolic link not followed", "link.py"),
    )


def test_file_name_that_is_not_utf8_is_reported_and_skipped(tmp_path: Path) -> None:
    function = make_function(tmp_path, {"app.py": ""})
    os.close(os.open(os.fsencode(function.code_root) + b"/bad\xff.py", os.O_CREAT | os.O_WRONLY))

    package = collect_package(function)

    assert [f.path for f in package.files] == ["app.py"]
    assert package.errors == (
        AnalysisError("read", "name is not valid UTF-8; not analysed", "bad\\udcff.py"),
    )


def test_walk_stops_at_the_file_cap_with_an_analysis_error(tmp_path: Path) -> None:
    code = {f"m{number:02}.py": "" for number in range(10)}
    function = make_function(tmp_path, code, {"extra": {"python/x.py": ""}})

    package = collect_package(function, max_files=4)

    assert [f.path for f in package.files] == ["m00.py", "m01.py", "m02.py", "m03.py"]
    assert package.errors == (
        AnalysisError(
            "read",
            "stopped after 4 files; the rest of the package was not analysed",
            "m04.py",
        ),
    )


def test_missing_layer_folder_is_an_analysis_error(tmp_path: Path) -> None:
    function = make_function(tmp_path, {"app.py": ""})
    function = Function(
        "demo",
        function.code_root,
        "python3.9",
        "app.h",
        layers=(Layer("gone", str(tmp_path / "nowhere")),),
    )

    package = collect_package(function)

    assert [f.path for f in package.files] == ["app.py"]
    assert package.errors == (
        AnalysisError(
            "bundle", f"layer gone: {tmp_path / 'nowhere'} is not a folder", "layers/gone/"
        ),
    )


def test_missing_code_root_is_an_input_error(tmp_path: Path) -> None:
    function = Function("demo", str(tmp_path / "nowhere"), "python3.9", "app.h")

    with pytest.raises(InputError, match="is not a folder"):
        collect_package(function)


# --------------------------------------------------------------------------- the module index


def test_extension_suffixes_match_the_installed_interpreters(
    interpreters: dict[str, Interpreter],
) -> None:
    for version, interpreter in interpreters.items():
        runtime = RUNTIMES[f"python{version}"]
        assert extension_suffixes(runtime, "x86_64") == interpreter.extension_suffixes


def test_arm64_names_its_own_multiarch_triplet() -> None:
    assert extension_suffixes(PY311, "arm64") == (
        ".cpython-311-aarch64-linux-gnu.so",
        ".abi3.so",
        ".so",
    )


def test_package_then_extension_then_source_then_bytecode_in_one_folder(tmp_path: Path) -> None:
    code = {
        "a/__init__.py": "",
        "a.abi3.so": b"\x7fELF",
        "a.py": "",
        "b.abi3.so": b"\x7fELF",
        "b.py": "",
        "b.pyc": b"",
        "c.py": "",
        "c.pyc": b"",
        "d.pyc": b"",
        "e/__init__.pyc": b"",
        "e/__init__.abi3.so": b"\x7fELF",
    }
    package = collect_package(make_function(tmp_path, code))

    index = ModuleIndex.for_runtime(package, PY311)

    assert modules_to_files(index) == {
        "a": ("package", "a/__init__.py"),
        "b": ("extension", "b.abi3.so"),
        "c": ("source", "c.py"),
        "d": ("bytecode", "d.pyc"),
        "e": ("package", "e/__init__.abi3.so"),
    }


def test_version_tagged_extension_is_a_module_only_on_its_version(tmp_path: Path) -> None:
    code = {
        f"fast{CP39_SUFFIX}": b"\x7fELF",
        "stable.abi3.so": b"\x7fELF",
        "plain.so": b"\x7fELF",
        f"pkg/_speedups{CP39_SUFFIX}": b"\x7fELF",
        "pkg/__init__.py": "",
        "win.cp39-win_amd64.pyd": b"MZ",
        "libz.so.1": b"\x7fELF",
    }
    package = collect_package(make_function(tmp_path, code))

    on_39 = ModuleIndex.for_runtime(package, PY39)
    on_311 = ModuleIndex.for_runtime(package, PY311)
    on_311_arm = ModuleIndex.for_runtime(package, PY311, architecture="arm64")

    assert modules_to_files(on_39) == {
        "fast": ("extension", f"fast{CP39_SUFFIX}"),
        "pkg": ("package", "pkg/__init__.py"),
        "pkg._speedups": ("extension", f"pkg/_speedups{CP39_SUFFIX}"),
        "plain": ("extension", "plain.so"),
        "stable": ("extension", "stable.abi3.so"),
    }
    assert modules_to_files(on_311) == {
        "pkg": ("package", "pkg/__init__.py"),
        "plain": ("extension", "plain.so"),
        "stable": ("extension", "stable.abi3.so"),
    }
    not_loaded = (
        "python3.11 on x86_64 loads extension modules named "
        "*.cpython-311-x86_64-linux-gnu.so, *.abi3.so, *.so only"
    )
    assert dict(on_311.candidates) == {
        "fast": (Candidate("fast", f"fast{CP39_SUFFIX}", not_loaded),),
        "pkg._speedups": (Candidate("pkg._speedups", f"pkg/_speedups{CP39_SUFFIX}", not_loaded),),
        "win": (
            Candidate(
                "win",
                "win.cp39-win_amd64.pyd",
                "Linux interpreters never load a .pyd or .dylib file as a module",
            ),
        ),
    }
    assert "fast" not in on_39.candidates
    assert sorted(on_311_arm.modules) == ["pkg", "plain", "stable"]


def test_function_code_comes_before_layers_and_site_packages_before_python(
    tmp_path: Path,
) -> None:
    code = {"util.py": "", "app.py": ""}
    layers = {
        "tools": {
            "python/util.py": "",
            "python/lib/python3.9/site-packages/jmespath/__init__.py": "",
            "python/jmespath/__init__.py": "",
            "python/only_here.py": "",
        }
    }
    package = collect_package(make_function(tmp_path, code, layers))

    on_39 = ModuleIndex.for_runtime(package, PY39)
    on_311 = ModuleIndex.for_runtime(package, PY311)

    assert on_39.resolve("util") is not None
    assert on_39.file_of("util") == "util.py"
    assert on_39.file_of("jmespath") == (
        "layers/tools/python/lib/python3.9/site-packages/jmespath/__init__.py"
    )
    assert on_311.file_of("jmespath") == "layers/tools/python/jmespath/__init__.py"
    assert on_39.file_of("only_here") == "layers/tools/python/only_here.py"
    jmespath_39 = on_39.resolve("jmespath")
    assert jmespath_39 is not None
    assert jmespath_39.search_root == "/opt/python/lib/python3.9/site-packages"


def test_a_later_layer_replaces_an_earlier_layers_files_one_by_one(tmp_path: Path) -> None:
    layers = {
        "first": {"python/common.py": "", "python/pkg/__init__.py": "", "python/pkg/a.py": ""},
        "second": {"python/common.py": "", "python/pkg/__init__.py": "", "python/pkg/b.py": ""},
    }
    package = collect_package(make_function(tmp_path, {"app.py": ""}, layers))

    index = ModuleIndex.for_runtime(package, PY311)

    assert modules_to_files(index) == {
        "app": ("source", "app.py"),
        "common": ("source", "layers/second/python/common.py"),
        "pkg": ("package", "layers/second/python/pkg/__init__.py"),
        "pkg.a": ("source", "layers/first/python/pkg/a.py"),
        "pkg.b": ("source", "layers/second/python/pkg/b.py"),
    }
    assert package.replaced == frozenset(
        {"layers/first/python/common.py", "layers/first/python/pkg/__init__.py"}
    )


def test_namespace_package_joins_folders_and_loses_to_a_regular_package(tmp_path: Path) -> None:
    code = {"ns/a.py": "", "thing/a.py": ""}
    layers = {"extra": {"python/ns/b.py": "", "python/thing/__init__.py": ""}}
    package = collect_package(make_function(tmp_path, code, layers))

    index = ModuleIndex.for_runtime(package, PY311)

    namespace = index.resolve("ns")
    assert namespace is not None
    assert namespace.kind is ModuleKind.NAMESPACE
    assert namespace.path is None
    assert namespace.portions == ("ns", "layers/extra/python/ns")
    assert index.file_of("ns.a") == "ns/a.py"
    assert index.file_of("ns.b") == "layers/extra/python/ns/b.py"
    assert index.file_of("thing") == "layers/extra/python/thing/__init__.py"
    assert "thing.a" not in index
    assert index.candidates["thing.a"] == (
        Candidate(
            "thing.a",
            "thing/a.py",
            "another module of the same name, or its package, takes precedence on python3.11",
        ),
    )


def test_package_module_named_like_the_stdlib_shadows_it(tmp_path: Path) -> None:
    code = {"imp.py": "", "json/extra.py": "", "app.py": ""}
    package = collect_package(make_function(tmp_path, code))

    index = ModuleIndex.for_runtime(package, PY311)

    assert index.provides("imp")
    assert index.provides("imp.anything")
    # A folder without __init__.py loses to the stdlib's regular json package.
    assert not index.provides("json")
    assert not index.provides("os")
    assert index.top_level_modules() == frozenset({"app", "imp"})


def test_module_index_matches_importlib_on_real_interpreters(
    tmp_path: Path,
    interpreters: dict[str, Interpreter],
    compiled_extensions: CompiledExtensions,
) -> None:
    code = {
        "app.py": "",
        "shadow.py": "",
        "ns/a.py": "",
        "both/__init__.py": "",
        "both.py": "",
        f"_probe{CP39_SUFFIX}": compiled_extensions.cp39,
        "_probe.py": "",
        "stable/_probe.abi3.so": compiled_extensions.abi3,
        "stable/_probe.py": "",
        "stable/__init__.py": "",
    }
    layers = {
        "one": {
            "python/shadow.py": "",
            "python/ns/b.py": "",
            "python/layered.py": "",
            "python/lib/python3.9/site-packages/old.py": "",
            "python/lib/python3.11/site-packages/new.py": "",
        },
        "two": {"python/layered.py": "", "python/lib/python3.9/site-packages/layered.py": ""},
    }
    function = make_function(tmp_path, code, layers)
    package = collect_package(function)
    opt = tmp_path / "opt"
    for layer in function.layers:
        shutil.copytree(layer.root, opt, dirs_exist_ok=True)
    names = [
        "app",
        "shadow",
        "ns.a",
        "ns.b",
        "both",
        "_probe",
        "stable._probe",
        "layered",
        "old",
        "new",
    ]

    for version in ("3.9", "3.11"):
        runtime = RUNTIMES[f"python{version}"]
        index = ModuleIndex.for_runtime(package, runtime)
        expected = {}
        for name in names:
            path = index.file_of(name)
            if path is not None and path.startswith("layers/"):
                path = "/opt/" + path.split("/", 2)[2]
            elif path is not None:
                path = "/var/task/" + path
            expected[name] = path
        assert expected == _importlib_origins(
            interpreters[version], Path(function.code_root), opt, runtime.layer_paths, names
        ), version


def _importlib_origins(
    interpreter: Interpreter, task: Path, opt: Path, layer_paths: tuple[str, ...], names: list[str]
) -> dict[str, str | None]:
    """Where the real interpreter finds each module, with Lambda's sys.path, paths rewritten."""
    search = [str(task), *(str(opt / layer_path) for layer_path in layer_paths)]
    script = (
        "import importlib.util, json, sys\n"
        f"sys.path[:0] = {search!r}\n"
        "origins = {}\n"
        f"for name in {names!r}:\n"
        "    try:\n"
        "        spec = importlib.util.find_spec(name)\n"
        "    except ImportError:\n"
        "        spec = None\n"
        "    origins[name] = spec.origin if spec is not None and spec.has_location else None\n"
        "print(json.dumps(origins))\n"
    )
    result = interpreter.run("-I", "-S", "-B", "-c", script)
    assert result.returncode == 0, result.stderr
    origins: dict[str, str | None] = json.loads(result.stdout)
    rewritten: dict[str, str | None] = {}
    for name, origin in origins.items():
        if origin is None:
            rewritten[name] = None
        elif origin.startswith(str(task) + os.sep):
            rewritten[name] = "/var/task/" + origin[len(str(task)) + 1 :]
        else:
            rewritten[name] = "/opt/" + origin[len(str(opt)) + 1 :]
    return rewritten


# --------------------------------------------------------------------------- layer folders


def copy_case(bundle_cases: Path, tmp_path: Path, case: str) -> Function:
    """A function built from a shared case (copied), as its configuration describes it."""
    target = tmp_path / case
    shutil.copytree(bundle_cases / case, target)
    configuration = json.loads((target / "configuration.json").read_text())
    layers = tuple(
        Layer(name, str(target / "layers" / name), arn)
        for arn in (layer["Arn"] for layer in configuration.get("Layers", []))
        for name in [arn.split(":")[6]]
    )
    return Function(
        configuration["FunctionName"],
        str(target / "function"),
        configuration["Runtime"],
        configuration["Handler"],
        configuration["Architectures"][0],
        layers=layers,
    )


def test_layer_site_packages_for_one_version_breaks_later_runtimes(
    bundle_cases: Path, tmp_path: Path
) -> None:
    function = copy_case(bundle_cases, tmp_path, "layer-py39-site-packages")
    package = collect_package(function)

    findings = layer_path_findings(package, function, PY39, [PY311, RUNTIMES["python3.12"]])

    assert len(findings) == 1
    finding = findings[0]
    assert finding.rule_id == "layer-path-version"
    assert finding.category is Category.PACKAGING
    assert finding.location == Location("layers/query-utils/python/lib/python3.9/site-packages")
    assert finding.component == Component(ComponentKind.LAYER, "query-utils")
    assert finding.breaks_in == (3, 10)
    assert finding.broken_on == (
        "python3.8",
        "python3.10",
        "python3.11",
        "python3.12",
        "python3.13",
        "python3.14",
    )
    assert finding.symbol == "jmespath"
    assert finding.reach is Reach.PACKAGE
    assert "jmespath can no longer be imported" in finding.message
    assert finding.fix.startswith("Move the content of python/lib/python3.9/site-packages/ to")


def test_no_layer_path_finding_when_python_folder_also_provides_the_module(
    tmp_path: Path,
) -> None:
    layers = {
        "dup": {
            "python/lib/python3.9/site-packages/jmespath/__init__.py": "",
            "python/jmespath/__init__.py": "",
        }
    }
    function = make_function(tmp_path, {"app.py": ""}, layers)
    package = collect_package(function)

    assert layer_path_findings(package, function, PY39, [PY311]) == []


def test_no_layer_path_finding_for_the_source_version_or_an_unsearched_folder(
    tmp_path: Path,
) -> None:
    layers = {
        "old": {"python/lib/python3.8/site-packages/gone.py": ""},
        "now": {"python/lib/python3.9/site-packages/kept.py": ""},
    }
    function = make_function(tmp_path, {"app.py": ""}, layers)
    package = collect_package(function)

    assert layer_path_findings(package, function, PY39, [PY39]) == []
    findings = layer_path_findings(package, function, PY39, [PY311])
    assert [finding.location.path for finding in findings] == [
        "layers/now/python/lib/python3.9/site-packages"
    ]
