"""The import graph from the handler: reach, chains, failing imports, reach of findings."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import cffi
import pytest

from analyzer.bundle.graph import (
    FailedImport,
    ImportGraph,
    ModuleReach,
    apply_reach,
    build_import_graph,
    find_native_imports,
)
from analyzer.bundle.layout import (
    Candidate,
    FileKind,
    ModuleIndex,
    Package,
    PackageFile,
    collect_package,
    layer_path_findings,
)
from analyzer.bundle.native import extension_findings, inspect_extension
from analyzer.models import (
    AnalysisError,
    Category,
    Finding,
    Function,
    ImportRecord,
    Layer,
    Location,
    Reach,
    SourceAnalysis,
)
from analyzer.rules.engine import analyse_source
from analyzer.rules.imports import collect_imports
from analyzer.runtimes import RUNTIMES

if TYPE_CHECKING:
    from conftest import CompiledExtensions, Interpreter

PY39 = RUNTIMES["python3.9"]
PY311 = RUNTIMES["python3.11"]
CP39_SUFFIX = ".cpython-39-x86_64-linux-gnu.so"
ELF = b"\x7fELF"

Files = dict[str, "str | bytes"]


def write_tree(root: Path, files: Files) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    return root


def make_package(tmp_path: Path, code: Files, layers: dict[str, Files] | None = None) -> Package:
    root = write_tree(tmp_path / "function", code)
    layer_objects = tuple(
        Layer(name, str(write_tree(tmp_path / "layers" / name, files)))
        for name, files in (layers or {}).items()
    )
    return collect_package(Function("demo", str(root), "python3.9", "app.h", layers=layer_objects))


def imp(
    module: str,
    line: int = 1,
    *names: str,
    level: int = 0,
    lazy: bool = False,
    guarded: bool = False,
) -> ImportRecord:
    """``imp("a")`` is ``import a``; ``imp("a", 1, "b")`` is ``from a import b`` on line 1."""
    return ImportRecord(module, level, names, line, not lazy, guarded)


def analysis(path: str, *imports: ImportRecord, names: tuple[str, ...] = ()) -> SourceAnalysis:
    return SourceAnalysis(path, imports=imports, top_level_names=frozenset(names))


def analyses_of(*items: SourceAnalysis) -> dict[str, SourceAnalysis]:
    return {item.path: item for item in items}


def real_analyses(package: Package) -> dict[str, SourceAnalysis]:
    """The imports of every source file, read by the source engine's import collector."""
    result = {}
    for source in package.sources:
        text = Path(source.absolute).read_text(encoding="utf-8", errors="replace")
        imports, names = collect_imports(ast.parse(text))
        result[source.path] = SourceAnalysis(source.path, imports=imports, top_level_names=names)
    return result


def reach_table(graph: ImportGraph) -> dict[str, tuple[Reach, tuple[str, ...]]]:
    return {name: (found.reach, found.chain) for name, found in graph.modules.items()}


def finding(path: str, rule_id: str = "removed-stdlib-api", reach: Reach = Reach.IMPORT) -> Finding:
    return Finding(
        rule_id=rule_id,
        category=Category.REMOVED_NAME,
        message="m",
        location=Location(path, None if reach is Reach.PACKAGE else 3),
        fix="f",
        reach=reach,
    )


def native_finding(path: str) -> Finding:
    return Finding(
        rule_id="native-abi-mismatch",
        category=Category.NATIVE,
        message="m",
        location=Location(path),
        fix="f",
    )


# --------------------------------------------------------------------------- reach and chains


def test_each_module_gets_how_the_handler_reaches_it_and_the_shortest_chain(
    tmp_path: Path,
) -> None:
    names = ("app", "a", "b", "c", "d", "e", "f", "unused")
    package = make_package(tmp_path, {f"{name}.py": "" for name in names})
    analyses = analyses_of(
        analysis(
            "app.py",
            imp("a", 1),
            imp("b", 3, lazy=True),
            imp("c", 5, guarded=True),
        ),
        analysis("a.py", imp("d", 1)),
        analysis("b.py", imp("e", 1)),
        analysis("c.py", imp("f", 1)),
    )

    graph = build_import_graph(ModuleIndex.for_runtime(package, PY311), analyses, "app")

    assert reach_table(graph) == {
        "app": (Reach.IMPORT, ("app",)),
        "a": (Reach.IMPORT, ("app", "a")),
        "d": (Reach.IMPORT, ("app", "a", "d")),
        "b": (Reach.CALL, ("app", "b")),
        "e": (Reach.CALL, ("app", "b", "e")),
        "c": (Reach.GUARDED, ("app", "c")),
        "f": (Reach.GUARDED, ("app", "c", "f")),
        "unused": (Reach.UNREACHED, ()),
    }
    assert graph.reach_of_path["e.py"] == ModuleReach("e", "e.py", Reach.CALL, ("app", "b", "e"))
    assert graph.failed_imports == ()
    assert graph.errors == ()


def test_the_most_harmful_path_wins_even_when_longer(tmp_path: Path) -> None:
    package = make_package(tmp_path, {"app.py": "", "a.py": "", "b.py": "", "x.py": ""})
    analyses = analyses_of(
        analysis("app.py", imp("x", 1, guarded=True), imp("b", 2, lazy=True), imp("a", 3)),
        analysis("a.py", imp("b", 1)),
        analysis("b.py", imp("x", 1)),
    )

    graph = build_import_graph(ModuleIndex.for_runtime(package, PY311), analyses, "app")

    assert reach_table(graph)["x"] == (Reach.IMPORT, ("app", "a", "b", "x"))
    assert reach_table(graph)["b"] == (Reach.IMPORT, ("app", "a", "b"))


def test_an_import_cycle_is_walked_once(tmp_path: Path) -> None:
    package = make_package(tmp_path, {"app.py": "", "a.py": "", "b.py": "", "c.py": ""})
    analyses = analyses_of(
        analysis("app.py", imp("a")),
        analysis("a.py", imp("b")),
        analysis("b.py", imp("a"), imp("c", 2, lazy=True)),
        analysis("c.py", imp("app"), imp("a")),
    )

    graph = build_import_graph(ModuleIndex.for_runtime(package, PY311), analyses, "app")

    assert reach_table(graph) == {
        "app": (Reach.IMPORT, ("app",)),
        "a": (Reach.IMPORT, ("app", "a")),
        "b": (Reach.IMPORT, ("app", "a", "b")),
        "c": (Reach.CALL, ("app", "a", "b", "c")),
    }
    assert graph.edges["b"] == ("a", "c")


def test_a_dotted_import_runs_every_package_on_the_way(tmp_path: Path) -> None:
    code = {
        "app.py": "",
        "pkg/__init__.py": "",
        "pkg/sub/__init__.py": "",
        "pkg/sub/mod.py": "",
        "pkg/sub/other.py": "",
    }
    package = make_package(tmp_path, code)
    analyses = analyses_of(analysis("app.py", imp("pkg.sub.mod")))

    graph = build_import_graph(ModuleIndex.for_runtime(package, PY311), analyses, "app")

    assert reach_table(graph) == {
        "app": (Reach.IMPORT, ("app",)),
        "pkg": (Reach.IMPORT, ("app", "pkg")),
        "pkg.sub": (Reach.IMPORT, ("app", "pkg.sub")),
        "pkg.sub.mod": (Reach.IMPORT, ("app", "pkg.sub.mod")),
        "pkg.sub.other": (Reach.UNREACHED, ()),
    }


def test_from_imports_reach_submodules_and_relative_imports_resolve_in_the_package(
    tmp_path: Path,
) -> None:
    code = {
        "app.py": "",
        "pkg/__init__.py": "",
        "pkg/core.py": "",
        "pkg/sub/__init__.py": "",
        "pkg/sub/mod.py": "",
        "pkg/sub/sibling.py": "",
        "pkg/other/__init__.py": "",
        "pkg/other/thing.py": "",
        "pkg/never.py": "",
    }
    package = make_package(tmp_path, code)
    analyses = analyses_of(
        analysis("app.py", imp("pkg", 1, "sub", "VERSION")),
        analysis("pkg/__init__.py", imp("core", 1, "X", level=1), names=("VERSION",)),
        analysis("pkg/sub/__init__.py", imp("mod", 1, "run", level=1)),
        analysis(
            "pkg/sub/mod.py",
            imp("", 1, "sibling", level=1),
            imp("other", 2, "thing", level=2),
        ),
    )

    graph = build_import_graph(ModuleIndex.for_runtime(package, PY311), analyses, "app")

    reached = {name: reach.chain for name, reach in graph.modules.items() if reach.chain}
    assert reached == {
        "app": ("app",),
        "pkg": ("app", "pkg"),
        "pkg.sub": ("app", "pkg.sub"),
        "pkg.core": ("app", "pkg", "pkg.core"),
        "pkg.sub.mod": ("app", "pkg.sub", "pkg.sub.mod"),
        "pkg.sub.sibling": ("app", "pkg.sub", "pkg.sub.mod", "pkg.sub.sibling"),
        "pkg.other": ("app", "pkg.sub", "pkg.sub.mod", "pkg.other"),
        "pkg.other.thing": ("app", "pkg.sub", "pkg.sub.mod", "pkg.other.thing"),
    }
    assert graph.reach("pkg.never") is Reach.UNREACHED


def test_relative_import_beyond_the_top_level_package_is_reported_and_ignored(
    tmp_path: Path,
) -> None:
    package = make_package(tmp_path, {"app.py": "", "pkg/__init__.py": "", "pkg/mod.py": ""})
    analyses = analyses_of(
        analysis("app.py", imp("pkg.mod"), imp("", 4, "helpers", level=1)),
        analysis("pkg/mod.py", imp("", 7, "x", level=3)),
    )

    graph = build_import_graph(ModuleIndex.for_runtime(package, PY311), analyses, "app")

    assert graph.reach("pkg.mod") is Reach.IMPORT
    assert graph.edges == {"app": ("pkg", "pkg.mod")}
    assert graph.errors == (
        AnalysisError(
            "bundle",
            "line 4: relative import in a module that is not in a package "
            "(from . import helpers in module app); it fails when it runs, and is left out "
            "of the import graph",
            "app.py",
        ),
        AnalysisError(
            "bundle",
            "line 7: relative import beyond the top-level package (from ... import x in "
            "module pkg.mod); it fails when it runs, and is left out of the import graph",
            "pkg/mod.py",
        ),
    )


def test_namespace_package_modules_are_reached_through_it(tmp_path: Path) -> None:
    package = make_package(
        tmp_path, {"app.py": "", "ns/a.py": ""}, {"extra": {"python/ns/b.py": ""}}
    )
    analyses = analyses_of(analysis("app.py", imp("ns.a"), imp("ns", 2, "b")))

    graph = build_import_graph(ModuleIndex.for_runtime(package, PY311), analyses, "app")

    assert reach_table(graph) == {
        "app": (Reach.IMPORT, ("app",)),
        "ns": (Reach.IMPORT, ("app", "ns")),
        "ns.a": (Reach.IMPORT, ("app", "ns.a")),
        "ns.b": (Reach.IMPORT, ("app", "ns.b")),
    }
    assert graph.reach_of_path["layers/extra/python/ns/b.py"].reach is Reach.IMPORT


def test_stdlib_and_missing_modules_are_not_in_the_graph(tmp_path: Path) -> None:
    package = make_package(tmp_path, {"app.py": "", "pkg/__init__.py": ""})
    analyses = analyses_of(
        analysis("app.py", imp("os.path"), imp("collections", 2, "Mapping"), imp("pkg.missing"))
    )

    graph = build_import_graph(ModuleIndex.for_runtime(package, PY311), analyses, "app")

    assert sorted(graph.modules) == ["app", "pkg"]
    assert graph.edges == {"app": ("pkg",)}
    assert graph.failed_imports == ()


def test_function_module_wins_over_a_layer_module_of_the_same_name(tmp_path: Path) -> None:
    layers = {
        "first": {"python/util.py": "", "python/common.py": ""},
        "second": {"python/common.py": ""},
    }
    package = make_package(tmp_path, {"app.py": "", "util.py": ""}, layers)
    analyses = analyses_of(analysis("app.py", imp("util"), imp("common", 2)))

    graph = build_import_graph(ModuleIndex.for_runtime(package, PY311), analyses, "app")

    assert {path: found.reach for path, found in graph.reach_of_path.items()} == {
        "app.py": Reach.IMPORT,
        "util.py": Reach.IMPORT,
        "layers/first/python/util.py": Reach.UNREACHED,
        "layers/first/python/common.py": Reach.UNREACHED,
        "layers/second/python/common.py": Reach.IMPORT,
    }


# --------------------------------------------------------------------------- failing imports


def speedups_package(tmp_path: Path) -> Package:
    return make_package(
        tmp_path,
        {
            "app.py": "",
            "pkg/__init__.py": "",
            f"pkg/_speed{CP39_SUFFIX}": ELF,
            "pkg/_fallback.py": "",
            "opt/__init__.py": "",
            f"opt/_accel{CP39_SUFFIX}": ELF,
            "named/__init__.py": "",
            f"named/_speed{CP39_SUFFIX}": ELF,
        },
    )


SPEEDUP_ANALYSES = analyses_of(
    analysis("app.py", imp("pkg"), imp("opt", 2), imp("named", 3, "_speed")),
    analysis("pkg/__init__.py", imp("_speed", 2, "fast", level=1)),
    analysis(
        "opt/__init__.py",
        imp("_accel", 4, "fast", level=1, guarded=True),
        imp("pkg", 6, "_fallback", guarded=True),
    ),
    analysis("named/__init__.py", names=("_speed",)),
)


def test_an_extension_the_target_does_not_load_is_a_failed_import_where_it_is_imported(
    tmp_path: Path,
) -> None:
    package = speedups_package(tmp_path)
    index = ModuleIndex.for_runtime(package, PY311)

    graph = build_import_graph(index, SPEEDUP_ANALYSES, "app")

    not_loaded = (
        "python3.11 on x86_64 loads extension modules named "
        "*.cpython-311-x86_64-linux-gnu.so, *.abi3.so, *.so only"
    )
    assert graph.failed_imports == (
        FailedImport(
            importer="pkg",
            path="pkg/__init__.py",
            line=2,
            module="pkg._speed",
            reach=Reach.IMPORT,
            chain=("app", "pkg", "pkg._speed"),
            candidates=(Candidate("pkg._speed", f"pkg/_speed{CP39_SUFFIX}", not_loaded),),
        ),
        FailedImport(
            importer="opt",
            path="opt/__init__.py",
            line=4,
            module="opt._accel",
            reach=Reach.GUARDED,
            chain=("app", "opt", "opt._accel"),
            candidates=(Candidate("opt._accel", f"opt/_accel{CP39_SUFFIX}", not_loaded),),
        ),
    )
    assert graph.reach_of_path[f"pkg/_speed{CP39_SUFFIX}"] == ModuleReach(
        "pkg._speed",
        f"pkg/_speed{CP39_SUFFIX}",
        Reach.IMPORT,
        ("app", "pkg", "pkg._speed"),
        resolved=False,
    )
    # "from named import _speed" takes the name the package binds; it never loads the file.
    assert graph.reach_of_path[f"named/_speed{CP39_SUFFIX}"].reach is Reach.UNREACHED
    assert graph.reach("pkg._fallback") is Reach.GUARDED


def test_the_same_extension_loads_on_its_own_version(tmp_path: Path) -> None:
    package = speedups_package(tmp_path)

    graph = build_import_graph(ModuleIndex.for_runtime(package, PY39), SPEEDUP_ANALYSES, "app")

    assert graph.failed_imports == ()
    assert graph.modules["pkg._speed"] == ModuleReach(
        "pkg._speed", f"pkg/_speed{CP39_SUFFIX}", Reach.IMPORT, ("app", "pkg", "pkg._speed")
    )
    assert graph.reach("opt._accel") is Reach.GUARDED
    assert graph.reach("named._speed") is Reach.UNREACHED


def test_without_a_handler_every_reach_is_unknown(tmp_path: Path) -> None:
    package = speedups_package(tmp_path)
    index = ModuleIndex.for_runtime(package, PY311)

    graph = build_import_graph(index, SPEEDUP_ANALYSES, None)
    missing = build_import_graph(index, SPEEDUP_ANALYSES, "handlers.main")

    for unknown in (graph, missing):
        assert {found.reach for found in unknown.modules.values()} == {Reach.UNKNOWN}
        assert {failure.reach for failure in unknown.failed_imports} == {Reach.UNKNOWN}
        assert unknown.reach("anything") is Reach.UNKNOWN
    assert graph.errors == ()
    assert missing.errors == (
        AnalysisError(
            "bundle",
            "handler module handlers.main is not in the package on python3.11; reach is unknown",
        ),
    )


def test_shared_libraries_take_the_reach_of_their_distributions_extension(
    tmp_path: Path,
) -> None:
    record = "".join(
        f"{path},,\n"
        for path in (
            "pq/__init__.py",
            "pq/_pq.abi3.so",
            "pq.libs/libpq-9f2c.so.5",
            "pq-1.0.dist-info/METADATA",
            "pq-1.0.dist-info/RECORD",
        )
    )
    code: Files = {
        "app.py": "",
        "pq/__init__.py": "",
        "pq/_pq.abi3.so": ELF,
        "pq.libs/libpq-9f2c.so.5": ELF,
        "pq-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: pq\nVersion: 1.0\n",
        "pq-1.0.dist-info/RECORD": record,
        "stray/libfoo.so.1": ELF,
    }
    package = make_package(tmp_path, code)
    analyses = analyses_of(
        analysis("app.py", imp("pq")), analysis("pq/__init__.py", imp("_pq", 1, "c", level=1))
    )

    graph = build_import_graph(ModuleIndex.for_runtime(package, PY311), analyses, "app")

    library = graph.reach_of_path["pq.libs/libpq-9f2c.so.5"]
    assert (library.reach, library.chain) == (Reach.IMPORT, ("app", "pq", "pq._pq"))
    assert "stray/libfoo.so.1" not in graph.reach_of_path
    found = apply_reach(
        [native_finding("pq.libs/libpq-9f2c.so.5"), native_finding("stray/libfoo.so.1")],
        graph.reach_of_path,
    )
    assert [(f.reach, f.import_chain) for f in found] == [
        (Reach.IMPORT, ("app", "pq", "pq._pq")),
        (Reach.UNKNOWN, ()),
    ]


@pytest.fixture(scope="module")
def cffi_module(
    tmp_path_factory: pytest.TempPathFactory, interpreters: dict[str, Interpreter]
) -> Path:
    """A real cffi out-of-line module, ``_padding.abi3.so``, compiled for CPython 3.9."""
    build = tmp_path_factory.mktemp("cffi")
    ffi = cffi.FFI()
    ffi.cdef("int pad(int);")
    ffi.set_source("_padding", "static int pad(int n) { return n + 1; }", py_limited_api=True)
    source = build / "_padding.c"
    ffi.emit_c_code(str(source))
    target = build / "_padding.abi3.so"
    subprocess.run(
        [
            "gcc",
            "-shared",
            "-fPIC",
            "-O1",
            "-DPy_LIMITED_API=0x03090000",
            f"-I{interpreters['3.9'].include}",
            "-o",
            str(target),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    return target


def test_a_cffi_module_imports_cffi_backend_when_it_loads(
    tmp_path: Path,
    cffi_module: Path,
    compiled_extensions: CompiledExtensions,
    interpreters: dict[str, Interpreter],
) -> None:
    code: Files = {
        "app.py": "",
        "bindings/__init__.py": "",
        "bindings/_padding.abi3.so": cffi_module.read_bytes(),
        f"_cffi_backend{CP39_SUFFIX}": compiled_extensions.cp39.read_bytes(),
    }
    package = make_package(tmp_path, code)
    analyses = analyses_of(analysis("app.py", imp("bindings", 3, "_padding")))
    source_graph = build_import_graph(ModuleIndex.for_runtime(package, PY39), analyses, "app")
    target_graph = build_import_graph(ModuleIndex.for_runtime(package, PY311), analyses, "app")

    assert find_native_imports(source_graph.index) == {
        "bindings/_padding.abi3.so": ("_cffi_backend",)
    }
    assert source_graph.modules["_cffi_backend"] == ModuleReach(
        "_cffi_backend",
        f"_cffi_backend{CP39_SUFFIX}",
        Reach.IMPORT,
        ("app", "bindings._padding", "_cffi_backend"),
    )
    assert [
        (f.importer, f.path, f.line, f.module, f.reach, f.chain, f.via)
        for f in target_graph.failed_imports
    ] == [
        (
            "bindings._padding",
            "bindings/_padding.abi3.so",
            None,
            "_cffi_backend",
            Reach.IMPORT,
            ("app", "bindings._padding", "_cffi_backend"),
            ("app.py", 3),
        )
    ]
    # What the graph says is what CPython does: the module needs _cffi_backend to load.
    result = interpreters["3.9"].run(
        "-I",
        "-S",
        "-c",
        f"import sys; sys.path.insert(0, {str(cffi_module.parent)!r}); import _padding",
    )
    assert result.stderr.strip().splitlines()[-1] == (
        "ModuleNotFoundError: No module named '_cffi_backend'"
    )


# --------------------------------------------------------------------------- apply_reach


def layered_graph(tmp_path: Path, handler: str | None = "app") -> ImportGraph:
    code = {
        "app.py": "",
        "eager.py": "",
        "lazy.py": "",
        "optional.py": "",
        "unused.py": "",
        "yaml/__init__.py": "",
        "yaml/cyaml.py": "",
        f"yaml/_yaml{CP39_SUFFIX}": ELF,
        f"core{CP39_SUFFIX}": ELF,
        f"unused_ext{CP39_SUFFIX}": ELF,
    }
    package = make_package(tmp_path, code)
    analyses = analyses_of(
        analysis(
            "app.py",
            imp("eager"),
            imp("lazy", 5, lazy=True),
            imp("optional", 6, guarded=True),
            imp("yaml", 7),
            imp("core", 8),
        ),
        analysis("yaml/__init__.py", imp("cyaml", 3, "*", level=1, guarded=True)),
        analysis("yaml/cyaml.py", imp("yaml._yaml", 2, "CParser")),
    )
    return build_import_graph(ModuleIndex.for_runtime(package, PY39), analyses, handler)


def test_source_findings_take_the_reach_of_their_module(tmp_path: Path) -> None:
    graph = layered_graph(tmp_path)
    findings = [
        finding("eager.py", reach=Reach.IMPORT),
        finding("eager.py", reach=Reach.CALL),
        finding("eager.py", reach=Reach.GUARDED),
        finding("lazy.py", reach=Reach.IMPORT),
        finding("lazy.py", reach=Reach.CALL),
        finding("optional.py", reach=Reach.IMPORT),
        finding("optional.py", reach=Reach.CALL),
        finding("unused.py", reach=Reach.IMPORT),
        finding("unused.py", reach=Reach.GUARDED),
        finding("elsewhere/tool.txt", reach=Reach.IMPORT),
    ]

    result = apply_reach(findings, graph.reach_of_path)

    assert [(f.location.path, f.reach, f.import_chain) for f in result] == [
        ("eager.py", Reach.IMPORT, ("app", "eager")),
        ("eager.py", Reach.CALL, ("app", "eager")),
        ("eager.py", Reach.GUARDED, ("app", "eager")),
        ("lazy.py", Reach.CALL, ("app", "lazy")),
        ("lazy.py", Reach.CALL, ("app", "lazy")),
        ("optional.py", Reach.GUARDED, ("app", "optional")),
        ("optional.py", Reach.CALL, ("app", "optional")),
        ("unused.py", Reach.UNREACHED, ()),
        ("unused.py", Reach.UNREACHED, ()),
        ("elsewhere/tool.txt", Reach.IMPORT, ()),
    ]


def test_native_findings_take_the_reach_of_their_extension_module(tmp_path: Path) -> None:
    graph = layered_graph(tmp_path)
    findings = [
        native_finding(f"core{CP39_SUFFIX}"),
        native_finding(f"yaml/_yaml{CP39_SUFFIX}"),
        native_finding(f"unused_ext{CP39_SUFFIX}"),
    ]

    result = apply_reach(findings, graph.reach_of_path)

    assert [(f.reach, f.optional, f.import_chain) for f in result] == [
        (Reach.IMPORT, False, ("app", "core")),
        (Reach.GUARDED, True, ("app", "yaml", "yaml.cyaml", "yaml._yaml")),
        (Reach.UNREACHED, False, ()),
    ]


def test_a_foreign_library_in_an_imported_package_may_be_opened_by_path(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        {
            "app.py": "",
            "crypto/__init__.py": "",
            "crypto/cipher/__init__.py": "",
            "crypto/cipher/_raw_ecb.abi3.so": b"",
            "unused/__init__.py": "",
            "unused/_raw.abi3.so": b"",
        },
    )
    analyses = analyses_of(analysis("app.py", imp("crypto.cipher", 1)))
    graph = build_import_graph(ModuleIndex.for_runtime(package, PY311), analyses, "app")
    arch = "native-arch-mismatch"
    findings = [
        replace(native_finding("crypto/cipher/_raw_ecb.abi3.so"), rule_id=arch),
        replace(native_finding("crypto/cipher/_raw_ecb.abi3.so"), rule_id="native-glibc-too-new"),
        # A wrong ABI tag only matters to an import, which never happens here.
        native_finding("crypto/cipher/_raw_ecb.abi3.so"),
        replace(native_finding("unused/_raw.abi3.so"), rule_id=arch),
    ]

    result = apply_reach(findings, graph.reach_of_path)

    assert [f.reach for f in result] == [
        Reach.UNKNOWN,
        Reach.UNKNOWN,
        Reach.UNREACHED,
        Reach.UNREACHED,
    ]


def test_bytecode_only_module_findings_take_the_reach_of_the_module(tmp_path: Path) -> None:
    package = make_package(tmp_path, {"app.py": "", "legacy.pyc": b"", "old.pyc": b""})
    analyses = analyses_of(analysis("app.py", imp("legacy", 4, lazy=True)))
    graph = build_import_graph(ModuleIndex.for_runtime(package, PY311), analyses, "app")
    findings = [
        replace(native_finding("legacy.pyc"), rule_id="pyc-magic-mismatch"),
        replace(native_finding("old.pyc"), rule_id="pyc-magic-mismatch"),
    ]

    result = apply_reach(findings, graph.reach_of_path)

    assert [(f.reach, f.import_chain) for f in result] == [
        (Reach.CALL, ("app", "legacy")),
        (Reach.UNREACHED, ()),
    ]


def test_without_a_handler_source_reach_stays_and_native_reach_is_unknown(
    tmp_path: Path,
) -> None:
    graph = layered_graph(tmp_path, handler=None)
    findings = [
        finding("unused.py", reach=Reach.IMPORT),
        finding("lazy.py", reach=Reach.GUARDED),
        native_finding(f"core{CP39_SUFFIX}"),
    ]

    result = apply_reach(findings, graph.reach_of_path)

    assert [(f.reach, f.optional, f.import_chain) for f in result] == [
        (Reach.IMPORT, False, ()),
        (Reach.GUARDED, False, ()),
        (Reach.UNKNOWN, False, ()),
    ]


def test_an_extension_replaced_by_a_fallback_on_the_target_is_not_loaded_there(
    tmp_path: Path,
) -> None:
    code = {"app.py": "", f"speed{CP39_SUFFIX}": ELF, "speed.py": ""}
    package = make_package(tmp_path, code)
    source_index = ModuleIndex.for_runtime(package, PY39)
    graph = build_import_graph(source_index, analyses_of(analysis("app.py", imp("speed"))), "app")

    kept = apply_reach([native_finding(f"speed{CP39_SUFFIX}")], graph.reach_of_path)
    on_311 = apply_reach(
        [native_finding(f"speed{CP39_SUFFIX}")],
        graph.reach_of_path,
        target_index=ModuleIndex.for_runtime(package, PY311),
    )

    assert source_index.file_of("speed") == f"speed{CP39_SUFFIX}"
    assert [(f.reach, f.import_chain) for f in kept] == [(Reach.IMPORT, ("app", "speed"))]
    assert [(f.reach, f.import_chain) for f in on_311] == [(Reach.UNREACHED, ())]


def test_a_package_compiled_module_by_module_imports_what_its_sources_import(
    tmp_path: Path,
) -> None:
    code: Files = {
        "app.py": "",
        "fast/__init__.py": "",
        f"fast/__init__{CP39_SUFFIX}": ELF,
        "fast/core.py": "",
        f"fast/core{CP39_SUFFIX}": ELF,
        "fast/unused.py": "",
        f"fast/unused{CP39_SUFFIX}": ELF,
    }
    package = make_package(tmp_path, code)
    analyses = analyses_of(
        analysis("app.py", imp("fast")), analysis("fast/__init__.py", imp("core", 1, "x", level=1))
    )
    graph = build_import_graph(ModuleIndex.for_runtime(package, PY39), analyses, "app")
    findings = [native_finding(f"fast/core{CP39_SUFFIX}"), finding("fast/core.py")]

    on_39 = apply_reach(findings, graph.reach_of_path)
    on_311 = apply_reach(
        findings, graph.reach_of_path, target_index=ModuleIndex.for_runtime(package, PY311)
    )

    assert graph.index.file_of("fast") == f"fast/__init__{CP39_SUFFIX}"
    assert {path: found.reach for path, found in graph.reach_of_path.items()} == {
        "app.py": Reach.IMPORT,
        f"fast/__init__{CP39_SUFFIX}": Reach.IMPORT,
        "fast/__init__.py": Reach.IMPORT,
        f"fast/core{CP39_SUFFIX}": Reach.IMPORT,
        "fast/core.py": Reach.IMPORT,
        f"fast/unused{CP39_SUFFIX}": Reach.UNREACHED,
        "fast/unused.py": Reach.UNREACHED,
    }
    assert [(f.reach, f.import_chain) for f in on_39] == [
        (Reach.IMPORT, ("app", "fast", "fast.core")),
        (Reach.IMPORT, ("app", "fast", "fast.core")),
    ]
    assert [(f.reach, f.import_chain) for f in on_311] == [
        (Reach.UNREACHED, ()),
        (Reach.IMPORT, ("app", "fast", "fast.core")),
    ]


# --------------------------------------------------------------------------- the shared cases


def copy_case(bundle_cases: Path, tmp_path: Path, case: str) -> Function:
    target = tmp_path / case
    shutil.copytree(bundle_cases / case, target)
    configuration = json.loads((target / "configuration.json").read_text())
    layers = tuple(
        Layer(arn.split(":")[6], str(target / "layers" / arn.split(":")[6]), arn)
        for arn in (layer["Arn"] for layer in configuration.get("Layers", []))
    )
    return Function(
        configuration["FunctionName"],
        str(target / "function"),
        configuration["Runtime"],
        configuration["Handler"],
        configuration["Architectures"][0],
        layers=layers,
    )


def test_layer_for_python39_only_is_reached_at_import_time(
    bundle_cases: Path, tmp_path: Path
) -> None:
    function = copy_case(bundle_cases, tmp_path, "layer-py39-site-packages")
    package = collect_package(function)
    analyses = real_analyses(package)
    source_graph = build_import_graph(ModuleIndex.for_runtime(package, PY39), analyses, "app")
    target_graph = build_import_graph(ModuleIndex.for_runtime(package, PY311), analyses, "app")

    findings = apply_reach(
        layer_path_findings(package, function, PY39, [PY311]), source_graph.reach_of_path
    )

    assert [(f.rule_id, f.location.path, f.reach, f.import_chain) for f in findings] == [
        (
            "layer-path-version",
            "layers/query-utils/python/lib/python3.9/site-packages",
            Reach.IMPORT,
            ("app", "jmespath"),
        )
    ]
    assert [(f.path, f.line, f.module, f.reach) for f in target_graph.failed_imports] == [
        ("app.py", 5, "jmespath", Reach.IMPORT)
    ]


def test_layer_folder_nothing_imports_is_unreached(bundle_cases: Path, tmp_path: Path) -> None:
    function = copy_case(bundle_cases, tmp_path, "layer-py39-site-packages")
    (Path(function.code_root) / "app.py").write_text("def handler(event, context):\n    pass\n")
    package = collect_package(function)
    graph = build_import_graph(
        ModuleIndex.for_runtime(package, PY39), real_analyses(package), "app"
    )

    findings = apply_reach(
        layer_path_findings(package, function, PY39, [PY311]), graph.reach_of_path
    )

    assert [(f.rule_id, f.reach, f.import_chain) for f in findings] == [
        ("layer-path-version", Reach.UNREACHED, ())
    ]


def native_findings(package: Package, function: Function) -> list[Finding]:
    result = []
    for native_file in package.native_files:
        extension = inspect_extension(Path(native_file.absolute), native_file.path)
        result += extension_findings(
            extension,
            native_file.component,
            source_python=PY39.python,
            architecture=function.architecture,
        )
    return result


def test_optional_speedups_of_yaml_and_markupsafe_are_guarded(
    bundle_cases: Path, tmp_path: Path
) -> None:
    function = copy_case(bundle_cases, tmp_path, "templated-notice-yaml-markupsafe")
    package = collect_package(function)
    graph = build_import_graph(
        ModuleIndex.for_runtime(package, PY39), real_analyses(package), "notice"
    )

    findings = apply_reach(native_findings(package, function), graph.reach_of_path)

    assert [
        (f.rule_id, f.location.path, f.component.name, f.reach, f.optional, f.import_chain)
        for f in findings
    ] == [
        (
            "native-abi-mismatch",
            f"markupsafe/_speedups{CP39_SUFFIX}",
            "markupsafe",
            Reach.GUARDED,
            True,
            ("notice", "markupsafe", "markupsafe._speedups"),
        ),
        (
            "native-abi-mismatch",
            f"yaml/_yaml{CP39_SUFFIX}",
            "pyyaml",
            Reach.GUARDED,
            True,
            ("notice", "yaml", "yaml.cyaml", "yaml._yaml"),
        ),
    ]


def test_cffi_backend_in_a_layer_is_loaded_when_ffi_is_created(
    bundle_cases: Path, tmp_path: Path
) -> None:
    function = copy_case(bundle_cases, tmp_path, "checksum-cffi-layer")
    package = collect_package(function)
    analyses = real_analyses(package)
    graph = build_import_graph(ModuleIndex.for_runtime(package, PY39), analyses, "app")
    target_graph = build_import_graph(ModuleIndex.for_runtime(package, PY311), analyses, "app")

    findings = apply_reach(native_findings(package, function), graph.reach_of_path)

    # cffi imports _cffi_backend inside FFI.__init__, and the handler module calls
    # cffi.FFI() while it loads: that import runs at import time.
    assert [(f.rule_id, f.location.path, f.reach, f.import_chain) for f in findings] == [
        (
            "native-abi-mismatch",
            f"layers/native-helpers/python/_cffi_backend{CP39_SUFFIX}",
            Reach.IMPORT,
            ("app", "cffi", "cffi.api", "_cffi_backend"),
        )
    ]
    assert [(f.path, f.line, f.reach) for f in target_graph.failed_imports] == [
        ("layers/native-helpers/python/cffi/api.py", 48, Reach.IMPORT),
        ("layers/native-helpers/python/cffi/commontypes.py", 10, Reach.GUARDED),
        ("layers/native-helpers/python/cffi/verifier.py", 231, Reach.GUARDED),
    ]


def test_compat_shims_import_nothing_that_fails(bundle_cases: Path, tmp_path: Path) -> None:
    function = copy_case(bundle_cases, tmp_path, "webhook-relay-compat-shims")
    package = collect_package(function)
    index = ModuleIndex.for_runtime(package, PY311)

    graph = build_import_graph(index, real_analyses(package), "relay")

    assert reach_table(graph) == {
        "relay": (Reach.IMPORT, ("relay",)),
        "compat": (Reach.IMPORT, ("relay", "compat")),
    }
    assert graph.failed_imports == ()


# --------------------------------------------------------------------------- with the source engine


def engine_analyses(package: Package, index: ModuleIndex) -> dict[str, SourceAnalysis]:
    """Every source file run through the source engine, as its module on ``index``."""
    local = index.top_level_modules()
    return {
        source.path: analyse_source(
            Path(source.absolute).read_text(encoding="utf-8"),
            source.path,
            module=index.module_of_path.get(source.path),
            local_modules=local,
        )
        for source in package.sources
    }


def engine_findings(analyses: dict[str, SourceAnalysis]) -> list[Finding]:
    return [found for analysis in analyses.values() for found in analysis.findings]


def test_engine_findings_in_compat_shims_stay_guarded_with_their_chain(
    bundle_cases: Path, tmp_path: Path
) -> None:
    function = copy_case(bundle_cases, tmp_path, "webhook-relay-compat-shims")
    package = collect_package(function)
    index = ModuleIndex.for_runtime(package, PY39)
    analyses = engine_analyses(package, index)
    graph = build_import_graph(index, analyses, "relay")

    findings = apply_reach(engine_findings(analyses), graph.reach_of_path)

    assert [
        (f.rule_id, str(f.location), f.reach, f.import_chain)
        for f in sorted(findings, key=lambda f: f.sort_key)
    ] == [
        ("removed-stdlib-api", "compat.py:7:29", Reach.GUARDED, ("relay", "compat")),
        ("removed-stdlib-api", "compat.py:7:38", Reach.GUARDED, ("relay", "compat")),
        ("removed-stdlib-module", "compat.py:12:10", Reach.GUARDED, ("relay", "compat")),
    ]


def test_engine_findings_take_reach_from_how_their_module_is_imported(tmp_path: Path) -> None:
    code: Files = {
        "app.py": (
            "import eager\n"
            "import imp\n"
            "\n"
            "def handler(event, context):\n"
            "    import legacy\n"
            "    return legacy.load(event)\n"
        ),
        "imp.py": "def reload(module):\n    return module\n",
        "eager.py": "from collections import Mapping\n",
        "legacy.py": "import asynchat\n\ndef load(event):\n    return event\n",
        "unused.py": "import asynchat\n",
    }
    package = make_package(tmp_path, code)
    index = ModuleIndex.for_runtime(package, PY39)
    analyses = engine_analyses(package, index)
    graph = build_import_graph(index, analyses, "app")

    findings = apply_reach(engine_findings(analyses), graph.reach_of_path)

    # The package's own imp.py shadows the stdlib module: importing it is no finding.
    assert graph.modules["imp"].chain == ("app", "imp")
    assert [
        (f.rule_id, str(f.location), f.symbol, f.reach, f.import_chain)
        for f in sorted(findings, key=lambda f: f.sort_key)
    ] == [
        (
            "removed-stdlib-api",
            "eager.py:1:25",
            "collections.Mapping",
            Reach.IMPORT,
            ("app", "eager"),
        ),
        ("removed-stdlib-module", "legacy.py:1:8", "asynchat", Reach.CALL, ("app", "legacy")),
        ("removed-stdlib-module", "unused.py:1:8", "asynchat", Reach.UNREACHED, ()),
    ]


def test_layer_case_end_to_end_with_the_source_engine(bundle_cases: Path, tmp_path: Path) -> None:
    function = copy_case(bundle_cases, tmp_path, "layer-py39-site-packages")
    package = collect_package(function)
    index = ModuleIndex.for_runtime(package, PY39)
    analyses = engine_analyses(package, index)
    graph = build_import_graph(index, analyses, "app")

    findings = apply_reach(
        [
            *engine_findings(analyses),
            *layer_path_findings(package, function, PY39, [PY311, RUNTIMES["python3.13"]]),
        ],
        graph.reach_of_path,
    )

    assert [(f.rule_id, f.location.path, f.reach, f.import_chain) for f in findings] == [
        (
            "layer-path-version",
            "layers/query-utils/python/lib/python3.9/site-packages",
            Reach.IMPORT,
            ("app", "jmespath"),
        )
    ]


# --------------------------------------------------------------------------- speed


def test_twenty_thousand_modules_in_cycles_are_all_reached(tmp_path: Path) -> None:
    files = []
    analyses = {}
    packages = [f"pkg{number}" for number in range(200)]
    handler_imports = [imp(name, number + 1) for number, name in enumerate(packages)]
    files.append(_memory_file("app.py"))
    analyses["app.py"] = analysis("app.py", *handler_imports)
    for package_name in packages:
        init = f"{package_name}/__init__.py"
        files.append(_memory_file(init))
        analyses[init] = analysis(
            init, *(imp(f"m{number}", number + 1, "x", level=1) for number in range(0, 99, 3))
        )
        for number in range(99):
            path = f"{package_name}/m{number}.py"
            files.append(_memory_file(path))
            analyses[path] = analysis(
                path,
                imp(f"{package_name}.m{(number + 1) % 99}", 1),
                imp(f"m{(number + 7) % 99}", 2, "y", level=1, lazy=True),
                imp(f"pkg{(number * 13) % 200}.m{number}", 3, guarded=True),
            )
    package = Package(Function("big", str(tmp_path), "python3.9", "app.h"), tuple(files))

    index = ModuleIndex.for_runtime(package, PY311)
    graph = build_import_graph(index, analyses, "app")

    assert len(index) == 20_001
    assert sum(1 for found in graph.modules.values() if found.reach is Reach.IMPORT) == 20_001


def _memory_file(path: str) -> PackageFile:
    return PackageFile(
        path=path, relative=path, absolute="/nonexistent/" + path, kind=FileKind.SOURCE
    )


# --------------------------------------------------------------------------- assumed failures


def _greenlet_like_package(tmp_path: Path, cp39: bytes) -> Package:
    """SQLAlchemy 1.4's two ways of importing an optional extension, cut down."""
    return make_package(
        tmp_path,
        {
            "app.py": "import sa\n",
            "sa/__init__.py": "from sa import concurrency, result\n",
            # The else runs only when "import greenlet" succeeded.
            "sa/concurrency.py": (
                "try:\n"
                "    import greenlet\n"
                "except ImportError:\n"
                "    have_greenlet = False\n"
                "else:\n"
                "    from sa import _py3k\n"
            ),
            "sa/_py3k.py": "import greenlet\n",
            "greenlet/__init__.py": "from greenlet._greenlet import probe\n",
            f"greenlet/_greenlet{CP39_SUFFIX}": cp39,
            # USE_C is true only once sa.cext imported.
            "sa/row.py": (
                "try:\n"
                "    from sa.cext import BaseRow\n"
                "    USE_C = True\n"
                "except ImportError:\n"
                "    USE_C = False\n"
            ),
            "sa/result.py": (
                "from sa.row import USE_C\n\nif USE_C:\n    from sa.cext import getter\n"
            ),
            f"sa/cext{CP39_SUFFIX}": cp39,
            # Control: the else depends on a pure module that always imports.
            "sb/__init__.py": (
                "try:\n    import sb.helper\nexcept ImportError:\n    pass\n"
                "else:\n    import sb.fast\n"
            ),
            "sb/helper.py": "",
            f"sb/fast{CP39_SUFFIX}": cp39,
        },
    )


def test_an_extension_reached_only_after_its_guarded_import_succeeded_is_guarded(
    tmp_path: Path,
    compiled_extensions: CompiledExtensions,
    interpreters: dict[str, Interpreter],
) -> None:
    package = _greenlet_like_package(tmp_path, compiled_extensions.cp39.read_bytes())
    (Path(package.function.code_root) / "app.py").write_text("import sa\nimport sb\n")
    package = collect_package(package.function)
    graph = build_import_graph(
        ModuleIndex.for_runtime(package, PY39), real_analyses(package), "app"
    )
    findings = [
        native_finding(f"greenlet/_greenlet{CP39_SUFFIX}"),
        native_finding(f"sa/cext{CP39_SUFFIX}"),
        native_finding(f"sb/fast{CP39_SUFFIX}"),
    ]

    result = apply_reach(
        findings, graph.reach_of_path, target_index=ModuleIndex.for_runtime(package, PY311)
    )

    assert [(f.location.path, f.reach, f.optional, f.import_chain) for f in result] == [
        (
            f"greenlet/_greenlet{CP39_SUFFIX}",
            Reach.GUARDED,
            True,
            ("app", "sa", "sa.concurrency", "greenlet", "greenlet._greenlet"),
        ),
        (
            f"sa/cext{CP39_SUFFIX}",
            Reach.GUARDED,
            True,
            ("app", "sa", "sa.result", "sa.row", "sa.cext"),
        ),
        (f"sb/fast{CP39_SUFFIX}", Reach.IMPORT, False, ("app", "sb", "sb.fast")),
    ]
    # What CPython 3.11 does with the sa part: the cp39 files are never looked at, and the
    # guarded imports take the fallbacks.
    (Path(package.function.code_root) / "app.py").write_text("import sa\n")
    outcome = interpreters["3.11"].run(
        "-I",
        "-S",
        "-c",
        f"import sys; sys.path.insert(0, {package.function.code_root!r}); "
        "import app, sa.concurrency as c, sa.row as r; print(c.have_greenlet, r.USE_C)",
    )
    assert (outcome.returncode, outcome.stdout) == (0, "False False\n")


def test_a_package_importing_its_own_submodules_by_name_loads_them(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        {
            "app.py": "import pkg\n",
            "pkg/__init__.py": "from pkg import first\nfrom . import second\n",
            "pkg/first.py": "",
            "pkg/second.py": "",
        },
    )
    graph = build_import_graph(
        ModuleIndex.for_runtime(package, PY39), real_analyses(package), "app"
    )

    # The statement binds the names itself; CPython (checked in the test) loads both.
    assert reach_table(graph) == {
        "app": (Reach.IMPORT, ("app",)),
        "pkg": (Reach.IMPORT, ("app", "pkg")),
        "pkg.first": (Reach.IMPORT, ("app", "pkg", "pkg.first")),
        "pkg.second": (Reach.IMPORT, ("app", "pkg", "pkg.second")),
    }
    loaded = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            "-c",
            "import sys; sys.path.insert(0, '.'); import pkg; print(sorted(sys.modules))",
        ],
        cwd=package.function.code_root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert {"pkg.first", "pkg.second"} <= set(ast.literal_eval(loaded))


def test_a_fallback_for_a_stdlib_import_every_runtime_has_never_runs(
    tmp_path: Path, interpreters: dict[str, Interpreter]
) -> None:
    package = make_package(
        tmp_path,
        {
            "app.py": "import client\n",
            "client.py": (
                "try:\n"
                "    import selectors\n"
                "except ImportError:\n"
                "    from vendor import selectors34 as selectors\n"
                "try:\n"
                "    import tomllib\n"
                "except ImportError:\n"
                "    from vendor import tomli\n"
                "try:\n"
                "    from collections import Mapping\n"
                "except ImportError:\n"
                "    from vendor import mapping\n"
            ),
            "vendor/__init__.py": "",
            "vendor/selectors34.py": "from collections import Mapping\n",
            "vendor/tomli.py": "",
            "vendor/mapping.py": "",
        },
    )
    graph = build_import_graph(
        ModuleIndex.for_runtime(package, PY39), real_analyses(package), "app"
    )

    assert {name: found.reach for name, found in graph.modules.items()} == {
        "app": Reach.IMPORT,
        "client": Reach.IMPORT,
        "vendor": Reach.IMPORT,
        # selectors is in every runtime's stdlib: its fallback never runs.
        "vendor.selectors34": Reach.UNREACHED,
        # tomllib is new in 3.11, collections.Mapping gone in 3.10: their fallbacks run.
        "vendor.tomli": Reach.IMPORT,
        "vendor.mapping": Reach.IMPORT,
    }
    outcome = interpreters["3.13"].run(
        "-I",
        "-S",
        "-c",
        f"import sys; sys.path.insert(0, {package.function.code_root!r}); import app; "
        "print(sorted(m for m in sys.modules if m.startswith('vendor.')))",
    )
    assert outcome.stdout == "['vendor.mapping']\n"
