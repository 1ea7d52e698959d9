"""The configured handler: its module must be in the package and define the function."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analyzer.bundle.handler import HandlerName, check_handler, handler_module_name, parse_handler
from analyzer.bundle.layout import ModuleIndex, Package, collect_package
from analyzer.models import (
    FUNCTION_CODE,
    Category,
    Component,
    ComponentKind,
    Function,
    Layer,
    Location,
    Reach,
    SourceAnalysis,
)
from analyzer.rules.engine import analyse_source
from analyzer.runtimes import RUNTIMES

PY39 = RUNTIMES["python3.9"]
CP39_SUFFIX = ".cpython-39-x86_64-linux-gnu.so"


def build(
    tmp_path: Path,
    handler: str,
    code: dict[str, str | bytes],
    layers: dict[str, dict[str, str]] | None = None,
) -> tuple[Function, ModuleIndex, dict[str, SourceAnalysis]]:
    """Write a function, index it on python3.9 and read its sources' imports and names."""
    root = tmp_path / "function"
    for relative, content in code.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    layer_objects = []
    for name, files in (layers or {}).items():
        for relative, text in files.items():
            target = tmp_path / "layers" / name / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        layer_objects.append(Layer(name, str(tmp_path / "layers" / name)))
    function = Function("demo", str(root), "python3.9", handler, layers=tuple(layer_objects))
    package = collect_package(function)
    return function, ModuleIndex.for_runtime(package, PY39), analyses_of(package)


def analyses_of(package: Package, *, layers: bool = True) -> dict[str, SourceAnalysis]:
    """Every source file (of the function only, unless ``layers``) run through the engine."""
    return {
        source.path: analyse_source(Path(source.absolute).read_text(), source.path)
        for source in package.sources
        if layers or source.layer is None
    }


@pytest.mark.parametrize(
    ("handler", "module", "function_name"),
    [
        ("app.handler", "app", "handler"),
        ("lambda_function.lambda_handler", "lambda_function", "lambda_handler"),
        ("pkg.handlers.app.main", "pkg.handlers.app", "main"),
        ("src/app.handler", "src.app", "handler"),
        ("pkg/handlers/app.main", "pkg.handlers.app", "main"),
        (" app.handler ", "app", "handler"),
    ],
)
def test_handler_string_splits_at_the_last_dot_with_slashes_as_dots(
    handler: str, module: str, function_name: str
) -> None:
    assert parse_handler(handler) == HandlerName(handler.strip(), module, function_name)
    assert handler_module_name(handler) == module


@pytest.mark.parametrize("handler", ["handler", "app.", ".handler", "./app.handler", "a..b.c"])
def test_handler_string_without_an_importable_module_is_malformed(handler: str) -> None:
    assert parse_handler(handler) is None
    assert handler_module_name(handler) is None


def test_existing_handler_gives_no_finding(tmp_path: Path) -> None:
    code = {
        "app.py": "def handler(event, context):\n    return 1\n",
        "src/__init__.py": "",
        "src/service.py": "class Api:\n    pass\n\nhandle = Api()\n",
    }
    for handler in ("app.handler", "src/service.handle", "src.service.handle"):
        function, index, analyses = build(tmp_path / handler.replace("/", "_"), handler, code)
        assert check_handler(function, index, analyses) == []


def test_no_handler_configured_gives_no_finding(tmp_path: Path) -> None:
    function, index, analyses = build(tmp_path, "app.handler", {"app.py": ""})
    unconfigured = Function("demo", function.code_root, "python3.9", None)

    assert check_handler(unconfigured, index, analyses) == []


def test_missing_module_is_a_finding_at_the_package_root(tmp_path: Path) -> None:
    code = {"src/app.py": "def handler(event, context):\n    pass\n"}
    function, index, analyses = build(tmp_path, "app.handler", code)

    findings = check_handler(function, index, analyses)

    assert len(findings) == 1
    finding = findings[0]
    assert finding.rule_id == "handler-missing"
    assert finding.category is Category.CONFIGURATION
    assert finding.location == Location(".")
    assert finding.component == FUNCTION_CODE
    assert finding.reach is Reach.IMPORT
    assert finding.broken_on == tuple(RUNTIMES)
    assert finding.message == (
        "handler 'app.handler' names module app, which is neither in the deployment package "
        "nor in its layers on python3.9: every invocation fails with "
        "Runtime.ImportModuleError (did you mean src/app.handler?)"
    )
    assert finding.fix == (
        "Add app.py to the deployment package, or set the handler to the module that defines "
        "the function"
    )


def test_handler_given_with_the_file_suffix_suggests_the_module(tmp_path: Path) -> None:
    function, index, analyses = build(tmp_path, "app.py.handler", {"app.py": "def handler(): 0"})

    (finding,) = check_handler(function, index, analyses)

    assert finding.location == Location(".")
    assert finding.message.endswith("(did you mean app.handler?)")


def test_module_only_loadable_on_another_version_says_why(tmp_path: Path) -> None:
    function, index, analyses = build(tmp_path, "fast.handler", {f"fast{CP39_SUFFIX}": b"\x7fELF"})
    function_311 = Function("demo", function.code_root, "python3.11", "fast.handler")
    index_311 = ModuleIndex.for_runtime(index.package, RUNTIMES["python3.11"])

    assert check_handler(function, index, analyses) == []
    (finding,) = check_handler(function_311, index_311, analyses)
    assert finding.message == (
        "handler 'fast.handler' names module fast, which is neither in the deployment package "
        f"nor in its layers on python3.11; fast{CP39_SUFFIX} would provide it, but python3.11 "
        "on x86_64 loads extension modules named *.cpython-311-x86_64-linux-gnu.so, *.abi3.so, "
        "*.so only: every invocation fails with Runtime.ImportModuleError"
    )


def test_missing_function_is_a_finding_at_the_module_file(tmp_path: Path) -> None:
    code = {"app.py": "import json\n\ndef lambda_handler(event, context):\n    pass\n"}
    function, index, analyses = build(tmp_path, "app.handler", code)

    (finding,) = check_handler(function, index, analyses)

    assert finding.rule_id == "handler-missing"
    assert finding.location == Location("app.py")
    assert finding.symbol == "app.handler"
    assert finding.message == (
        "handler 'app.handler': module app (app.py) defines no 'handler' at module level, so "
        "every invocation fails with Runtime.HandlerNotFound (did you mean app.lambda_handler?)"
    )
    assert finding.fix == (
        "Define handler(event, context) in app.py, or set the handler to a function the module "
        "defines"
    )


def test_function_bound_by_a_star_import_of_a_package_module_counts(tmp_path: Path) -> None:
    code = {
        "app.py": "from handlers.impl import *\n",
        "handlers/__init__.py": "",
        "handlers/impl.py": "from .base import *\n",
        "handlers/base.py": "def handler(event, context):\n    pass\n",
    }
    function, index, analyses = build(tmp_path, "app.handler", code)

    assert check_handler(function, index, analyses) == []
    (finding,) = check_handler(
        Function("demo", function.code_root, "python3.9", "app.other"), index, analyses
    )
    assert finding.location == Location("app.py")


def test_module_whose_names_cannot_be_known_gives_no_finding(tmp_path: Path) -> None:
    code = {
        "star.py": "from os.path import *\n",
        "dynamic.py": "def __getattr__(name):\n    return print\n",
        "broken.py": "def handler(:\n",
        "ext.abi3.so": b"\x7fELF",
    }
    for handler in ("star.handler", "dynamic.handler", "broken.handler", "ext.handler"):
        function, index, analyses = build(tmp_path / handler, handler, code)
        assert check_handler(function, index, analyses) == [], handler


def test_handler_module_in_a_layer_belongs_to_the_layer(tmp_path: Path) -> None:
    layers = {"runtime-shim": {"python/shim.py": "def wrap(event, context):\n    pass\n"}}
    function, index, analyses = build(tmp_path, "shim.handler", {"app.py": ""}, layers)

    (finding,) = check_handler(function, index, analyses)

    assert finding.location == Location("layers/runtime-shim/python/shim.py")
    assert finding.component == Component(ComponentKind.LAYER, "runtime-shim")


def test_handler_naming_a_folder_without_init_is_a_finding(tmp_path: Path) -> None:
    function, index, analyses = build(tmp_path, "handlers.main", {"handlers/api.py": ""})

    (finding,) = check_handler(function, index, analyses)

    assert finding.location == Location("handlers")
    assert "a folder without __init__.py" in finding.message


def test_malformed_handler_is_a_finding(tmp_path: Path) -> None:
    function, index, analyses = build(tmp_path, "handler", {"app.py": ""})

    (finding,) = check_handler(function, index, analyses)

    assert finding.location == Location(".")
    assert finding.message == (
        "handler 'handler' is not of the form module.function, so Lambda cannot import it"
    )


def test_handlers_of_the_shared_cases_exist(bundle_cases: Path, tmp_path: Path) -> None:
    for case in ("layer-py39-site-packages", "webhook-relay-compat-shims", "checksum-cffi-layer"):
        target = tmp_path / case
        shutil.copytree(bundle_cases / case, target)
        layers = tuple(
            Layer(folder.name, str(folder))
            for folder in sorted((target / "layers").glob("*"))
            if folder.is_dir()
        )
        handler = {"webhook-relay-compat-shims": "relay.handler"}.get(case, "app.handler")
        function = Function(case, str(target / "function"), "python3.9", handler, layers=layers)
        package = collect_package(function)

        index = ModuleIndex.for_runtime(package, PY39)
        findings = check_handler(function, index, analyses_of(package, layers=False))

        assert findings == [], case
