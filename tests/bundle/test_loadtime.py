"""What runs while a module loads beyond its imports: calls, failing fallbacks, legacy finders."""

from __future__ import annotations

import ast
from pathlib import Path

from analyzer.bundle.graph import (
    ImportGraph,
    PathReach,
    StatementReach,
    apply_reach,
    build_import_graph,
)
from analyzer.bundle.layout import ModuleIndex, Package, collect_package
from analyzer.bundle.loadtime import (
    Fallback,
    ImportBinding,
    LoadTimeCall,
    Precondition,
    module_code,
    read_module_code,
)
from analyzer.models import Finding, Function, Reach, SourceAnalysis
from analyzer.rules.engine import analyse_source
from analyzer.runtimes import RUNTIMES

PY39 = RUNTIMES["python3.9"]

# six 1.15's finder, cut down: find_module and load_module, no find_spec.
LEGACY_SIX = (
    "import sys\n"
    "import types\n"
    "\n"
    "\n"
    "class _SixMetaPathImporter(object):\n"
    "    def __init__(self, name):\n"
    "        self.name = name\n"
    "\n"
    "    def find_module(self, fullname, path=None):\n"
    "        return self if fullname.startswith(self.name + '.moves') else None\n"
    "\n"
    "    def load_module(self, fullname):\n"
    "        return sys.modules.setdefault(fullname, types.ModuleType(fullname))\n"
    "\n"
    "\n"
    "def add_metaclass(metaclass):\n"
    "    return metaclass\n"
    "\n"
    "\n"
    "moves = types.ModuleType(__name__ + '.moves')\n"
    "sys.meta_path.append(_SixMetaPathImporter(__name__))\n"
)


def make_package(tmp_path: Path, files: dict[str, str]) -> Package:
    root = tmp_path / "function"
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return collect_package(Function("demo", str(root), "python3.9", "app.handler"))


def scan(tmp_path: Path, files: dict[str, str]) -> tuple[ImportGraph, list[Finding]]:
    """The source engine's findings on every file, with reach from the handler module app."""
    package = make_package(tmp_path, files)
    index = ModuleIndex.for_runtime(package, PY39)
    local = index.top_level_modules()
    analyses: dict[str, SourceAnalysis] = {
        source.path: analyse_source(
            Path(source.absolute).read_text(),
            source.path,
            module=index.module_of_path.get(source.path),
            local_modules=local,
        )
        for source in package.sources
    }
    graph = build_import_graph(index, analyses, "app")
    findings = [found for analysis in analyses.values() for found in analysis.findings]
    return graph, sorted(apply_reach(findings, graph.reach_of_path), key=lambda f: f.sort_key)


def table(findings: list[Finding], symbol: str) -> list[tuple[str, Reach, tuple[str, ...]]]:
    return [
        (str(found.location), found.reach, found.import_chain)
        for found in findings
        if found.symbol == symbol
    ]


# --------------------------------------------------------------------------- ModuleCode


def test_module_code_lists_load_time_calls_bindings_and_what_each_callable_imports() -> None:
    code = module_code(
        ast.parse(
            "import cffi\n"  # 1
            "import os.path as osp\n"  # 2
            "from .api import FFI as Builder\n"  # 3
            "\n"  # 4
            "ffi = cffi.FFI()\n"  # 5
            "try:\n"  # 6
            "    lib = Builder().dlopen('libz.so.1')\n"  # 7
            "except ImportError:\n"  # 8
            "    lib = None\n"  # 9
            "\n"  # 10
            "\n"  # 11
            "@register(name=osp.join('a', 'b'))\n"  # 12
            "def load(path=default_path()):\n"  # 13
            "    import json\n"  # 14
            "    def inner():\n"  # 15
            "        import pickle\n"  # 16
            "    return later(lambda: never())\n"  # 17
            "\n"  # 18
            "\n"  # 19
            "class Engine(Base):\n"  # 20
            "    table = make_table()\n"  # 21
            "\n"  # 22
            "    def __init__(self):\n"  # 23
            "        import _backend\n"  # 24
            "\n"  # 25
            "    @classmethod\n"  # 26
            "    def create(cls):\n"  # 27
            "        from . import plugins\n"  # 28
        )
    )

    # A call on a call's result (Builder().dlopen) names nothing; a lambda's body runs later.
    assert sorted(code.calls, key=lambda call: (call.line, call.name)) == [
        LoadTimeCall("cffi.FFI", 5, False),
        LoadTimeCall("Builder", 7, True),
        LoadTimeCall("osp.join", 12, False),
        LoadTimeCall("register", 12, False),
        LoadTimeCall("default_path", 13, False),
        LoadTimeCall("make_table", 21, False),
    ]
    assert code.bindings == {
        "cffi": ImportBinding("cffi", 0, None),
        "osp": ImportBinding("os.path", 0, None),
        "Builder": ImportBinding("api", 1, "FFI"),
    }
    assert code.definitions == frozenset({"load", "Engine"})
    assert dict(code.callable_imports) == {
        "load": (14,),
        "Engine": (24,),
        "Engine.__init__": (24,),
        "Engine.create": (28,),
    }
    assert code.fallbacks == {}


def test_module_code_maps_each_guarded_import_to_what_its_handlers_do() -> None:
    code = module_code(
        ast.parse(
            "try:\n"  # 1
            "    import audioop\n"  # 2
            "except ImportError:\n"  # 3
            "    import pyaudioop as audioop\n"  # 4
            "try:\n"  # 5
            "    import cgi\n"  # 6
            "    import imp\n"  # 7
            "except (AttributeError, ImportError):\n"  # 8
            "    raise RuntimeError('needs cgi')\n"  # 9
            "try:\n"  # 10
            "    import asynchat\n"  # 11
            "except KeyError:\n"  # 12
            "    import json\n"  # 13
        )
    )

    assert code.fallbacks == {
        2: Fallback(1, (4,), False),
        6: Fallback(5, (), True),
        7: Fallback(5, (), True),
    }


def test_a_file_that_is_not_python_has_no_module_code(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("def (:\n")

    assert read_module_code(broken) is None
    assert read_module_code(tmp_path / "missing.py") is None


# --------------------------------------------------------------------------- calls at load time


CFFI_LIKE = {
    "ffilib/__init__.py": "from .api import FFI\n",
    "ffilib/api.py": (
        "class FFI(object):\n"  # 1
        "    def __init__(self, backend=None):\n"  # 2
        "        if backend is None:\n"  # 3
        "            import _backend as backend\n"  # 4
        "        self.backend = backend\n"  # 5
        "\n"  # 6
        "    def verify(self):\n"  # 7
        "        import imp\n"  # 8
        "        return imp\n"  # 9
    ),
    "_backend.py": "from collections import Mapping\n",
}


def test_a_class_called_while_a_module_loads_runs_its_constructors_imports_then(
    tmp_path: Path,
) -> None:
    graph, findings = scan(
        tmp_path,
        {
            **CFFI_LIKE,
            "app.py": "import ffilib\n\nffi = ffilib.FFI()\n\n\ndef handler(event, context):\n"
            "    return ffi.verify()\n",
        },
    )

    assert graph.modules["_backend"].reach is Reach.IMPORT
    assert graph.statements == {
        ("ffilib/api.py", 4): StatementReach(
            "ffilib/api.py",
            4,
            Reach.IMPORT,
            ("app", "ffilib", "ffilib.api"),
            replaces=frozenset({Reach.CALL}),
            note=" (runs at import time: app calls this code while it loads)",
        )
    }
    assert table(findings, "collections.Mapping") == [
        ("_backend.py:1:25", Reach.IMPORT, ("app", "ffilib", "ffilib.api", "_backend"))
    ]
    # A method nobody calls at load time keeps its imports lazy.
    assert table(findings, "imp") == [
        ("ffilib/api.py:8:16", Reach.CALL, ("app", "ffilib", "ffilib.api"))
    ]


def test_a_function_called_only_inside_another_function_or_behind_a_guard_stays_lazy(
    tmp_path: Path,
) -> None:
    graph, findings = scan(
        tmp_path,
        {
            **CFFI_LIKE,
            "app.py": (
                "from ffilib import FFI\n"
                "try:\n"
                "    ffi = FFI()\n"
                "except ImportError:\n"
                "    ffi = None\n"
                "\n\n"
                "def handler(event, context):\n"
                "    return FFI()\n"
            ),
        },
    )

    assert graph.modules["_backend"].reach is Reach.CALL
    assert graph.statements == {}
    assert table(findings, "collections.Mapping") == [
        ("_backend.py:1:25", Reach.CALL, ("app", "ffilib", "ffilib.api", "_backend"))
    ]


def test_a_module_calling_its_own_function_while_it_loads_runs_that_functions_imports(
    tmp_path: Path,
) -> None:
    graph, findings = scan(
        tmp_path,
        {
            "app.py": "import plugins\n\n\ndef handler(event, context):\n    return 1\n",
            "plugins.py": (
                "def _discover():\n    import imp\n    return imp\n\n\nLOADER = _discover()\n"
            ),
        },
    )

    assert table(findings, "imp") == [("plugins.py:2:12", Reach.IMPORT, ("app", "plugins"))]
    assert graph.statements[("plugins.py", 2)].reach is Reach.IMPORT


# --------------------------------------------------------------------------- failing fallbacks


def test_a_guarded_removed_module_whose_fallback_exists_nowhere_is_not_guarded(
    tmp_path: Path,
) -> None:
    _, findings = scan(
        tmp_path,
        {
            "app.py": "import sound\nimport quiet\n\n\ndef handler(event, context):\n    pass\n",
            "sound.py": (
                "try:\n    import audioop\nexcept ImportError:\n    import pyaudioop as audioop\n"
            ),
            "quiet.py": (
                "try:\n"
                "    import audioop\n"
                "except ImportError:\n"
                "    import array as audioop\n"
                "try:\n"
                "    import asynchat\n"
                "except ImportError:\n"
                "    asynchat = None\n"
            ),
        },
    )

    assert table(findings, "audioop") == [
        ("quiet.py:2:12", Reach.GUARDED, ("app", "quiet")),
        ("sound.py:2:12", Reach.IMPORT, ("app", "sound")),
    ]
    assert table(findings, "asynchat") == [("quiet.py:6:12", Reach.GUARDED, ("app", "quiet"))]
    [broken] = [f for f in findings if f.location.path == "sound.py"]
    assert broken.message.endswith(
        "; the guard does not help: its fallback import of pyaudioop (line 4) fails too: the "
        "module exists neither in the package nor in the standard library"
    )


def test_a_guarded_removed_module_whose_handler_raises_is_not_guarded(tmp_path: Path) -> None:
    _, findings = scan(
        tmp_path,
        {
            "app.py": "def handler(event, context):\n    import forms\n    return forms\n",
            "forms.py": (
                "try:\n"
                "    import cgi\n"
                "except ImportError:\n"
                "    raise ImportError('forms needs cgi')\n"
            ),
        },
    )

    # The importing module is itself imported lazily: the failure waits for the call.
    assert table(findings, "cgi") == [("forms.py:2:12", Reach.CALL, ("app", "forms"))]


def test_a_fallback_to_a_module_of_the_package_keeps_the_guard(tmp_path: Path) -> None:
    _, findings = scan(
        tmp_path,
        {
            "app.py": "import sound\n\n\ndef handler(event, context):\n    return 1\n",
            "sound.py": (
                "try:\n    import audioop\nexcept ImportError:\n    from vendor import audioop\n"
            ),
            "vendor/__init__.py": "",
            "vendor/audioop.py": "def rms(fragment, width):\n    return 0\n",
        },
    )

    assert table(findings, "audioop") == [("sound.py:2:12", Reach.GUARDED, ("app", "sound"))]


# --------------------------------------------------------------------------- legacy finders


def test_a_legacy_finder_breaks_where_a_module_it_provides_is_imported(tmp_path: Path) -> None:
    graph, findings = scan(
        tmp_path,
        {
            "app.py": "import client\n\n\ndef handler(event, context):\n    return 1\n",
            "client.py": "from six import add_metaclass\nfrom six.moves import http_client\n",
            "six.py": LEGACY_SIX,
        },
    )

    assert table(findings, "importlib.abc.MetaPathFinder.find_module") == [
        ("six.py:5:7", Reach.IMPORT, ("app", "client", "six.moves"))
    ]
    [hook] = [f for f in findings if f.location.path == "six.py"]
    assert hook.message.endswith("; client.py:2 imports six.moves through it")
    assert isinstance(graph.reach_of_path, PathReach)
    assert set(graph.reach_of_path.statements) == {("six.py", 5)}


def test_a_legacy_finder_nothing_imports_through_is_unreached(tmp_path: Path) -> None:
    _, findings = scan(
        tmp_path,
        {
            "app.py": "import client\n\n\ndef handler(event, context):\n    return 1\n",
            "client.py": "import six\nfrom six import add_metaclass, moves\n",
            "six.py": LEGACY_SIX,
        },
    )

    assert table(findings, "importlib.abc.MetaPathFinder.find_module") == [
        ("six.py:5:7", Reach.UNREACHED, ())
    ]


def test_a_legacy_finder_used_only_inside_functions_fails_when_they_run(tmp_path: Path) -> None:
    _, findings = scan(
        tmp_path,
        {
            "app.py": "import client\n\n\ndef handler(event, context):\n    return 1\n",
            "client.py": (
                "import six\n\n\ndef fetch():\n    from six.moves.urllib.parse import quote\n"
                "    return quote\n"
            ),
            "six.py": LEGACY_SIX,
        },
    )

    assert table(findings, "importlib.abc.MetaPathFinder.find_module") == [
        ("six.py:5:7", Reach.CALL, ("app", "client", "six.moves.urllib.parse"))
    ]


def test_a_vendor_importer_package_breaks_on_names_it_does_not_bind(tmp_path: Path) -> None:
    vendor_importer = (
        "import sys\n"
        "\n"
        "\n"
        "class VendorImporter:\n"
        "    def __init__(self, root_name, vendored_names=()):\n"
        "        self.root_name = root_name\n"
        "        self.vendored_names = set(vendored_names)\n"
        "\n"
        "    def find_module(self, fullname, path=None):\n"
        "        root, base, target = fullname.partition(self.root_name + '.')\n"
        "        return self if not root and target in self.vendored_names else None\n"
        "\n"
        "    def install(self):\n"
        "        sys.meta_path.append(self)\n"
        "\n"
        "\n"
        "names = 'packaging', 'pyparsing'\n"
        "VendorImporter(__name__, names).install()\n"
    )
    _, findings = scan(
        tmp_path,
        {
            "app.py": "import resources\n\n\ndef handler(event, context):\n    return 1\n",
            "resources/__init__.py": (
                "from resources.extern import names\nfrom resources.extern import packaging\n"
            ),
            "resources/extern/__init__.py": vendor_importer,
        },
    )

    assert table(findings, "importlib.abc.MetaPathFinder.find_module") == [
        (
            "resources/extern/__init__.py:4:7",
            Reach.IMPORT,
            ("app", "resources", "resources.extern.packaging"),
        )
    ]


# --------------------------------------------------------------------------- typing classes


def test_a_class_derived_from_typing_typevar_fails_when_its_module_loads_on_312(
    tmp_path: Path,
) -> None:
    _, findings = scan(
        tmp_path,
        {
            "app.py": "import compat\n\n\ndef handler(event, context):\n    return 1\n",
            "compat.py": (
                "import typing\n\n\nclass TypeVar(typing.TypeVar, _root=True):\n    pass\n"
            ),
        },
    )

    [found] = [f for f in findings if f.symbol == "typing.TypeVar"]
    assert (found.rule_id, str(found.location), found.breaks_in, found.reach) == (
        "behaviour-change",
        "compat.py:4:15",
        (3, 12),
        Reach.IMPORT,
    )


def test_a_legacy_finder_names_the_import_through_it_that_a_cold_start_runs_first(
    tmp_path: Path,
) -> None:
    _, findings = scan(
        tmp_path,
        {
            "app.py": "import first\nimport second\n\n\ndef handler(event, context):\n    pass\n",
            "first.py": "import zeta\n",
            "zeta.py": "import json\nfrom six.moves import queue\n",
            "second.py": "from six.moves import http_client\n",
            "six.py": LEGACY_SIX,
        },
    )

    # second.py comes first by name, but zeta.py's import runs first.
    [hook] = [f for f in findings if f.location.path == "six.py"]
    assert (hook.reach, hook.import_chain) == (
        Reach.IMPORT,
        ("app", "first", "zeta", "six.moves"),
    )
    assert hook.message.endswith("; zeta.py:2 imports six.moves through it")


def test_availability_flags_and_the_imports_that_wait_for_them() -> None:
    code = module_code(
        ast.parse(
            "import os\n"  # 1
            "try:\n"  # 2
            "    from .cext import Row\n"  # 3
            "    HAS_C = True\n"  # 4
            "except ImportError:\n"  # 5
            "    HAS_C = False\n"  # 6
            "else:\n"  # 7
            "    from .cext import getter\n"  # 8
            "try:\n"  # 9
            "    import json_fast\n"  # 10
            "    FAST = True\n"  # 11
            "except ImportError:\n"  # 12
            "    FAST = False\n"  # 13
            "FAST = compute()\n"  # 14: bound otherwise too, so no flag
            "if HAS_C:\n"  # 15
            "    import fast_path\n"  # 16
            "if not HAS_C:\n"  # 17
            "    import slow_path\n"  # 18
            "else:\n"  # 19
            "    import other_fast_path\n"  # 20
            "if FAST:\n"  # 21
            "    import unrelated\n"  # 22
        )
    )

    assert code.unconditional == frozenset({1})
    assert dict(code.flags) == {"HAS_C": (3,)}
    assert dict(code.conditions) == {
        8: Precondition(lines=(3,)),
        16: Precondition(flags=("HAS_C",)),
        20: Precondition(flags=("HAS_C",)),
    }


def test_an_imported_flag_is_a_candidate_for_its_if() -> None:
    code = module_code(ast.parse("from .row import USE_C\n\nif USE_C:\n    from .cext import g\n"))

    assert dict(code.conditions) == {4: Precondition(flags=("USE_C",))}
    assert dict(code.flags) == {}


def test_fallback_for_lists_what_the_try_imports_when_it_only_imports() -> None:
    code = module_code(
        ast.parse(
            "try:\n"  # 1
            "    import selectors\n"  # 2
            "    from collections import abc, OrderedDict\n"  # 3
            "except ImportError:\n"  # 4
            "    from .vendor import selectors34\n"  # 5
            "try:\n"  # 6
            "    import json\n"  # 7
            "    setup()\n"  # 8: not only imports
            "except ImportError:\n"  # 9
            "    import simplejson\n"  # 10
            "try:\n"  # 11
            "    import json\n"  # 12
            "except ValueError:\n"  # 13: not an import error
            "    import simplejson\n"  # 14
        )
    )

    assert dict(code.fallback_for) == {
        5: (("selectors", None), ("collections", "abc"), ("collections", "OrderedDict"))
    }


def test_a_guarded_import_through_a_legacy_finder_whose_handler_fails_is_not_guarded(
    tmp_path: Path,
) -> None:
    _, findings = scan(
        tmp_path,
        {
            "app.py": "import client\n\n\ndef handler(event, context):\n    return 1\n",
            # invoke 1.4's util.py: the fallback names a module the package does not hold.
            "client.py": (
                "try:\n"
                "    from six.moves import reduce\n"
                "except ImportError:\n"
                "    from lexicon import Lexicon\n"
            ),
            "six.py": LEGACY_SIX,
        },
    )

    assert table(findings, "importlib.abc.MetaPathFinder.find_module") == [
        ("six.py:5:7", Reach.IMPORT, ("app", "client", "six.moves"))
    ]


def test_a_guarded_import_through_a_legacy_finder_with_a_working_fallback_stays_guarded(
    tmp_path: Path,
) -> None:
    _, findings = scan(
        tmp_path,
        {
            "app.py": "import client\n\n\ndef handler(event, context):\n    return 1\n",
            "client.py": (
                "try:\n"
                "    from six.moves import reduce\n"
                "except ImportError:\n"
                "    from functools import reduce\n"
            ),
            "six.py": LEGACY_SIX,
        },
    )

    assert table(findings, "importlib.abc.MetaPathFinder.find_module") == [
        ("six.py:5:7", Reach.GUARDED, ("app", "client", "six.moves"))
    ]
