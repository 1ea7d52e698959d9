"""The source engine: names, guards, reach, positions and hostile input, with exact places."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path
from typing import Any

import pytest

from analyzer.models import Finding, Reach, SourceAnalysis
from analyzer.rules import positions
from analyzer.rules.engine import (
    MAX_SOURCE_BYTES,
    SourceJob,
    analyse_file,
    analyse_files,
    analyse_source,
    reduce_functions,
    source_lines,
)
from analyzer.rules.guards import stdlib_binds, stdlib_has_module


def analyse(source: str, **options: object) -> SourceAnalysis:
    return analyse_source(textwrap.dedent(source), "app.py", **options)  # type: ignore[arg-type]


def places(analysis: SourceAnalysis, symbol: str) -> list[tuple[int | None, int | None, str]]:
    """(line, column, reach) of every finding about ``symbol``."""
    return [
        (finding.location.line, finding.location.column, finding.reach.value)
        for finding in analysis.findings
        if finding.symbol == symbol
    ]


def only(analysis: SourceAnalysis, symbol: str) -> Finding:
    found = [finding for finding in analysis.findings if finding.symbol == symbol]
    assert len(found) == 1, found
    return found[0]


# Names


def test_module_alias_resolves_to_the_stdlib_name() -> None:
    analysis = analyse(
        """\
        import collections as c

        print(c.Mapping)
        """
    )

    assert places(analysis, "collections.Mapping") == [(3, 7, "import")]
    assert only(analysis, "collections.Mapping").breaks_in == (3, 10)


def test_from_import_with_alias_is_reported_at_the_imported_name() -> None:
    analysis = analyse(
        """\
        from collections import (
            OrderedDict,
            Mapping as M,
        )
        print(M)
        """
    )

    assert places(analysis, "collections.Mapping") == [(3, 5, "import")]


def test_attribute_chain_through_submodules_and_classes() -> None:
    analysis = analyse(
        """\
        import importlib.machinery

        finder = importlib.machinery.PathFinder.find_module
        """
    )

    assert places(analysis, "importlib.machinery.PathFinder.find_module") == [(3, 10, "import")]


def test_an_instance_resolves_its_methods_through_its_class() -> None:
    analysis = analyse(
        """\
        import configparser

        def load(text):
            settings = configparser.ConfigParser()
            settings.readfp(text)
        """
    )

    assert places(analysis, "configparser.ConfigParser.readfp") == [(5, 5, "call")]


def test_a_call_result_is_an_instance_of_the_called_class() -> None:
    analysis = analyse(
        """\
        import pathlib

        for root, dirs, files in pathlib.Path(".").walk():
            print(root)
        """
    )

    assert places(analysis, "pathlib.Path.walk") == [(3, 26, "import")]
    assert only(analysis, "pathlib.Path.walk").requires == (3, 12)


def test_self_in_a_subclass_resolves_through_the_first_stdlib_base() -> None:
    analysis = analyse(
        """\
        import unittest

        class Base(unittest.TestCase):
            pass

        class OrderTest(Base):
            def test_total(self):
                self.failUnless(True)
        """
    )

    assert places(analysis, "unittest.TestCase.failUnless") == [(8, 9, "call")]


def test_a_method_the_class_defines_itself_is_not_the_stdlib_one() -> None:
    analysis = analyse(
        """\
        import unittest

        class Compat(unittest.TestCase):
            def assertEquals(self, first, second):
                return self.assertEqual(first, second)

            def test_total(self):
                self.assertEquals(1, 1)
        """
    )

    assert places(analysis, "unittest.TestCase.assertEquals") == []


def test_an_exception_caught_as_a_name_has_its_class() -> None:
    analysis = analyse(
        """\
        try:
            value = {}.missing
        except AttributeError as error:
            print(error.name)
        """
    )

    assert places(analysis, "builtins.AttributeError.name") == [(4, 11, "import")]
    assert only(analysis, "builtins.AttributeError.name").requires == (3, 10)


def test_a_name_bound_by_with_holds_the_instance_its_class_enters_as() -> None:
    analysis = analyse(
        """\
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(), "w") as archive:
            archive.mkdir("folder")
        """
    )

    assert places(analysis, "zipfile.ZipFile.mkdir") == [(5, 5, "import")]
    assert only(analysis, "zipfile.ZipFile.mkdir").requires == (3, 11)


def test_a_name_bound_by_with_from_a_class_entering_as_something_else_is_untyped() -> None:
    analysis = analyse(
        """\
        import threading

        with threading.Condition() as acquired:
            print(acquired.notifyAll)
        """
    )

    # Entering a condition acquires its lock and binds True, not the condition.
    assert analysis.findings == ()


def test_an_sqlite_error_caught_as_a_name_has_the_details_added_in_3_11() -> None:
    analysis = analyse(
        """\
        import sqlite3

        try:
            sqlite3.connect(":memory:").execute("select * from missing")
        except sqlite3.OperationalError as error:
            print(error.sqlite_errorname, error.sqlite_errorcode)
        """
    )

    assert places(analysis, "sqlite3.OperationalError.sqlite_errorname") == [(6, 11, "import")]
    assert places(analysis, "sqlite3.OperationalError.sqlite_errorcode") == [(6, 35, "import")]
    assert only(analysis, "sqlite3.OperationalError.sqlite_errorname").requires == (3, 11)


def test_a_method_of_a_base_class_of_a_builtin_exception() -> None:
    analysis = analyse(
        """\
        error = ValueError("bad")
        error.add_note("while parsing")
        """
    )

    assert places(analysis, "builtins.BaseException.add_note") == [(2, 1, "import")]


def test_an_ast_visitor_method_receives_its_node_class() -> None:
    analysis = analyse(
        """\
        import ast

        class Counter(ast.NodeVisitor):
            def visit_Constant(self, node):
                return node.n
        """
    )

    assert places(analysis, "ast.Constant.n") == [(5, 16, "call")]


def test_star_import_resolves_bare_names() -> None:
    analysis = analyse(
        """\
        from collections import *

        print(Mapping)
        """
    )

    assert places(analysis, "collections.Mapping") == [(3, 7, "import")]


def test_star_import_of_the_package_itself_is_not_the_stdlib() -> None:
    analysis = analyse(
        """\
        from .compat import *

        print(Mapping)
        """
    )

    assert places(analysis, "collections.Mapping") == []


def test_a_local_module_shadows_the_stdlib_module_of_its_name() -> None:
    source = "import imp\n\nimp.reload(None)\n"

    shadowed = analyse_source(source, "app.py", local_modules=frozenset({"imp"}))
    stdlib = analyse_source(source, "app.py")

    assert places(shadowed, "imp") == []
    assert places(stdlib, "imp") == [(1, 8, "import")]
    assert places(stdlib, "imp.reload") == [(3, 1, "import")]


def test_own_names_that_look_like_removed_modules_are_silent() -> None:
    analysis = analyse(
        """\
        def package(distutils=None, imp="default"):
            cgi = {"path": "/"}
            return distutils, imp, cgi.get("path")

        def imghdr_what(data):
            return None
        """
    )

    assert analysis.findings == ()


def test_a_local_definition_shadows_a_builtin() -> None:
    analysis = analyse(
        """\
        def anext(iterator):
            return next(iterator)

        print(anext(iter([1])))
        """
    )

    assert places(analysis, "builtins.anext") == []


# Guards


@pytest.mark.parametrize(
    ("handler", "reach"),
    [
        ("ImportError", "guarded"),
        ("ModuleNotFoundError", "guarded"),
        ("(ImportError, AttributeError)", "guarded"),
        ("Exception", "guarded"),
        ("SyntaxError", "import"),
        ("KeyError", "import"),
    ],
)
def test_import_in_a_try_is_guarded_by_the_handlers_that_absorb_its_failure(
    handler: str, reach: str
) -> None:
    analysis = analyse(f"try:\n    import imp\nexcept {handler}:\n    imp = None\n")

    assert places(analysis, "imp") == [(2, 12, reach)]


def test_attribute_error_handler_guards_a_removed_name() -> None:
    analysis = analyse(
        """\
        import inspect

        try:
            spec = inspect.getargspec
        except AttributeError:
            spec = inspect.getfullargspec
        """
    )

    assert places(analysis, "inspect.getargspec") == [(4, 12, "guarded")]


def test_a_fallback_import_in_a_handler_runs_only_where_the_try_failed() -> None:
    analysis = analyse(
        """\
        try:
            from collections.abc import Mapping
        except ImportError:
            from collections import Mapping
        try:
            import tomllib
        except ModuleNotFoundError:
            import imp as tomllib
        """
    )

    # The first handler never runs on Python 3; the second only below 3.11, before
    # imp went away in 3.12.
    assert places(analysis, "collections.Mapping") == [(4, 29, "guarded")]
    assert places(analysis, "tomllib") == [(6, 12, "guarded")]
    assert places(analysis, "imp") == [(8, 12, "guarded")]


def test_a_handler_for_a_failure_that_comes_later_runs_where_it_fails() -> None:
    analysis = analyse(
        """\
        try:
            import cgi
        except ImportError:
            import imp as cgi
        """
    )

    # cgi is gone from 3.13, so the handler runs there, where imp is gone too.
    assert places(analysis, "imp") == [(4, 12, "import")]


@pytest.mark.parametrize(
    "test",
    [
        "sys.version_info >= (3, 12)",
        "sys.version_info > (3, 11)",
        "sys.version_info[:2] >= (3, 12)",
        "sys.version_info.minor >= 12",
        "sys.version_info[1] > 11",
        "not sys.version_info < (3, 12)",
        "(3, 12) <= sys.version_info",
        "sys.hexversion >= 0x030C0000",
        "PY312",
    ],
)
def test_version_checks_keep_the_old_api_in_the_branch_for_old_versions(test: str) -> None:
    analysis = analyse(
        f"""\
        import sys
        PY312 = sys.version_info >= (3, 12)

        if {test}:
            import importlib.util
            FINDER = importlib.util.find_spec
        else:
            import imp
            FINDER = imp.find_module
        """
    )

    assert places(analysis, "imp") == [(8, 12, "guarded")]
    assert places(analysis, "imp.find_module") == [(9, 14, "guarded")]


def test_elif_and_else_branches_take_the_remaining_versions() -> None:
    analysis = analyse(
        """\
        import sys

        if sys.version_info >= (3, 11):
            import tomllib
        elif sys.version_info >= (3, 10):
            from collections import Mapping
        else:
            import asynchat
        """
    )

    assert places(analysis, "tomllib") == [(4, 12, "guarded")]
    # 3.10 only: Mapping is gone there.
    assert places(analysis, "collections.Mapping") == [(6, 29, "import")]
    assert only(analysis, "collections.Mapping").breaks_in == (3, 10)
    # Below 3.10 only: asynchat (gone in 3.12) never breaks.
    assert places(analysis, "asynchat") == [(8, 12, "guarded")]


def test_code_behind_a_version_check_breaks_no_earlier_than_it_runs() -> None:
    analysis = analyse(
        """\
        import sys

        if sys.version_info >= (3, 12):
            from collections import Mapping
        """
    )

    # Removed in 3.10, but this line only runs from 3.12.
    assert only(analysis, "collections.Mapping").breaks_in == (3, 12)


def test_an_early_exit_narrows_the_rest_of_the_block() -> None:
    analysis = analyse(
        """\
        import sys

        if sys.version_info < (3, 11):
            raise RuntimeError("needs Python 3.11")

        import tomllib
        """
    )

    assert places(analysis, "tomllib") == [(6, 8, "guarded")]


def test_a_feature_test_guards_the_name_it_tests() -> None:
    analysis = analyse(
        """\
        import inspect

        if hasattr(inspect, "getargspec"):
            names = inspect.getargspec(len).args
        else:
            names = inspect.getfullargspec(len).args
        print(inspect.getargspec if hasattr(inspect, "getargspec") else None)
        """
    )

    assert places(analysis, "inspect.getargspec") == [(4, 13, "guarded"), (7, 7, "guarded")]


def test_a_feature_test_of_something_else_guards_nothing() -> None:
    analysis = analyse(
        """\
        import os

        if hasattr(os, "fork"):
            import imp
        """
    )

    assert places(analysis, "imp") == [(4, 12, "import")]


def test_type_checking_blocks_never_run() -> None:
    analysis = analyse(
        """\
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            import imp
        """
    )

    assert places(analysis, "imp") == [(4, 12, "guarded")]


def test_contextlib_suppress_is_a_handler() -> None:
    analysis = analyse(
        """\
        import contextlib

        with contextlib.suppress(ImportError):
            import imp
        """
    )

    assert places(analysis, "imp") == [(4, 12, "guarded")]


def test_syntax_is_never_guarded() -> None:
    analysis = analyse(
        """\
        import sys

        if sys.version_info >= (3, 11):
            try:
                pass
            except* ValueError:
                pass
        """
    )

    finding = only(analysis, "except*")
    assert (finding.location.line, finding.reach, finding.requires) == (6, Reach.IMPORT, (3, 11))


# Reach


def test_reach_is_import_at_module_level_and_in_class_bodies_call_in_def_bodies() -> None:
    analysis = analyse(
        """\
        import asyncio

        @asyncio.coroutine
        def legacy(delay=asyncio.coroutine):
            check = asyncio.coroutine
            return lambda: asyncio.coroutine

        class Holder:
            attribute = asyncio.coroutine

            def method(self, value: asyncio.coroutine = None):
                return asyncio.coroutine
        """
    )

    assert places(analysis, "asyncio.coroutine") == [
        (3, 2, "import"),
        (4, 18, "import"),
        (5, 13, "call"),
        (6, 20, "call"),
        (9, 17, "import"),
        (11, 29, "import"),
        (12, 16, "call"),
    ]


# Positions


def test_positions_laid_out_per_statement_match_the_whole_module_layout() -> None:
    source = textwrap.dedent(
        """\
        # header comment
        import collections, asyncio
        import sys


        class Outer:
            # a comment inside
            class Inner(collections.Mapping):

                @asyncio.coroutine
                def method(self, value=collections.Sequence):
                    if value:
                        pass
                    elif collections.Set:
                        x = 1; y = collections.Iterator
                    try:
                        pass
                    except (collections.Hashable,
                            collections.Sized) as error:
                        pass
                    with open("x") as f: z = collections.Callable
                    return [collections.Container for _ in range(
                        3)]
        class Tabbed:
        \tdef tabbed(self): return collections.Iterable
        if sys.version_info > (3,): w = collections.Reversible
        """
    ).replace("        \tdef", "\tdef")

    fast = [
        (finding.symbol, finding.location.line, finding.location.column)
        for finding in analyse_source(source, "app.py").findings
    ]
    whole = positions._top_level_positions
    try:
        positions._top_level_positions = lambda module, nodes, lines: whole(module, nodes, None)
        statement = positions._statement_positions
        positions._statement_positions = lambda *arguments: {}
        slow = [
            (finding.symbol, finding.location.line, finding.location.column)
            for finding in analyse_source(source, "app.py").findings
        ]
    finally:
        positions._top_level_positions = whole
        positions._statement_positions = statement

    assert fast == slow
    assert ("collections.Mapping", 8, 17) in fast
    assert ("collections.Iterator", 15, 28) in fast
    assert ("collections.Sized", 19, 21) in fast
    assert ("collections.Callable", 21, 38) in fast
    assert ("collections.Iterable", 25, 27) in fast
    assert ("collections.Reversible", 26, 33) in fast


# Hostile input: one parse-error finding each, never an exception


def parse_errors(analysis: SourceAnalysis) -> list[tuple[str, int | None]]:
    return [
        (finding.rule_id, finding.location.line)
        for finding in analysis.findings
        if finding.rule_id == "parse-error"
    ]


def test_undecodable_bytes(tmp_path: Path) -> None:
    file = tmp_path / "legacy.py"
    file.write_bytes(b"name = '\xe9t\xe9'\n")

    analysis = analyse_file(file, "legacy.py")

    assert [finding.rule_id for finding in analysis.findings] == ["parse-error"]
    assert "cannot be decoded" in (analysis.parse_error or "")


def test_a_nine_megabyte_file(tmp_path: Path) -> None:
    file = tmp_path / "blob.py"
    file.write_text("x = 1\n" * (9 * 1024 * 1024 // 6))
    text = file.read_text()

    from_file = analyse_file(file, "blob.py")
    from_text = analyse_source(text, "blob.py")

    assert len(text) > MAX_SOURCE_BYTES
    assert [finding.rule_id for finding in from_file.findings] == ["parse-error"]
    assert [finding.rule_id for finding in from_text.findings] == ["parse-error"]


@pytest.mark.parametrize(
    "source",
    [
        "x = " + "(" * 500 + "1" + ")" * 500 + "\n",
        "x = " + "[" * 500 + "]" * 500 + "\n",
        "".join("    " * depth + "if x:\n" for depth in range(500)) + "    " * 500 + "pass\n",
        "x = " + "-" * 500_000 + "1\n",
    ],
    ids=["parentheses", "brackets", "blocks", "unary"],
)
def test_source_nested_500_levels_deep(source: str) -> None:
    analysis = analyse_source(source, "deep.py")

    assert [finding.rule_id for finding in analysis.findings] == ["parse-error"]


def test_null_bytes() -> None:
    analysis = analyse_source("import os\x00\nprint(os)\n", "nul.py")

    assert [finding.rule_id for finding in analysis.findings] == ["parse-error"]


def test_python_2_code() -> None:
    analysis = analyse_source('import imp\nprint "hello"\n', "py2.py")

    assert parse_errors(analysis) == [("parse-error", 2)]
    assert len(analysis.findings) == 1


def test_a_boolean_expression_too_long_for_the_syntax_tree_library() -> None:
    source = "import imp\nx = " + " or ".join(["a"] * 10_000) + "\n"

    analysis = analyse_source(source, "long.py")

    assert [finding.rule_id for finding in analysis.findings] == ["parse-error"]


# Syntax newer than this interpreter's


def test_newer_syntax_is_reported_by_the_syntax_tree_library_with_its_imports() -> None:
    analysis = analyse(
        """\
        import imp

        type Headers = dict[str, str]

        def first[T](items: list[T]) -> T:
            return items[0]
        """
    )

    assert [(f.rule_id, f.location.line, f.requires) for f in analysis.findings] == [
        ("removed-stdlib-module", 1, None),
        ("needs-newer-syntax", 3, (3, 12)),
        ("needs-newer-syntax", 5, (3, 12)),
    ]
    assert [record.module for record in analysis.imports] == ["imp"]
    assert {"Headers", "first", "imp"} <= analysis.top_level_names


# Many files


def test_analyse_files_keeps_the_order_and_the_results_of_one_process(tmp_path: Path) -> None:
    jobs = []
    for index in range(40):
        file = tmp_path / f"module_{index}.py"
        body = "import imp\n" if index % 3 == 0 else "import json\n"
        file.write_text(body + "x = 1\n" * index)
        jobs.append(SourceJob(file=file, path=file.name))

    pooled = analyse_files(jobs, workers=2)
    alone = analyse_files(jobs, workers=1)

    assert [analysis.path for analysis in pooled] == [job.path for job in jobs]
    assert pooled == alone
    assert sum(1 for analysis in pooled if analysis.findings) == 14


def test_a_name_bound_to_sys_version_info_guards_like_sys_version_info_itself() -> None:
    code = (
        "import sys\n"
        "py = sys.version_info\n"
        "if py >= (3, 3, 0):\n"
        "    x = 1\n"
        "else:\n"
        "    import imp\n"
        "_ver = sys.version_info\n"
        "is_py2 = (_ver[0] == 2)\n"
        "if is_py2:\n"
        "    import imp as old\n"
        "import imp as used\n"
    )
    found = [
        (finding.location.line, finding.rule_id, finding.reach.value)
        for finding in analyse_source(code, "compat.py").findings
    ]
    assert found == [
        (6, "removed-stdlib-module", "guarded"),
        (10, "removed-stdlib-module", "guarded"),
        (11, "removed-stdlib-module", "import"),
    ]


# Parsing only the functions that can hold a finding


def test_functions_without_candidates_are_left_out_and_lines_keep_their_numbers() -> None:
    source = textwrap.dedent(
        """\
        import functools
        import inspect


        def untouched(func):
            @functools.wraps(func)
            def inner(*args, **kwargs):
                return func(*args, **kwargs)

            return inner


        class Handler:
            @staticmethod
            def quiet(event):
                value = event.get("x")
                return value

            def loud(self, event):
                return inspect.getargspec(event)
        """
    )
    lines = source_lines(source)
    tree = ast.parse(source)

    reduced = reduce_functions(lines, tree.body, {20})

    assert reduced is not None
    assert reduced.splitlines()[5] == "    pass"
    assert reduced.splitlines()[15] == "        pass"
    assert reduced.splitlines()[19] == "        return inspect.getargspec(event)"
    assert len(reduced.splitlines()) == len(source.splitlines())
    ast.parse(reduced)
    assert places(analyse_source(source, "app.py"), "inspect.getargspec") == [(20, 16, "call")]


def test_the_branch_for_a_missing_stdlib_name_that_every_version_has_never_runs() -> None:
    analysis = analyse(
        """\
        import inspect

        if hasattr(inspect, "signature"):
            signature = inspect.signature
        else:
            signature = inspect.getargspec
        if not hasattr(inspect, "Parameter"):
            import imp
        """
    )

    assert places(analysis, "inspect.getargspec") == [(6, 17, "guarded")]
    assert places(analysis, "imp") == [(8, 12, "guarded")]


@pytest.mark.parametrize(
    "tested",
    [
        # Bound only on Windows, under a platform check, or nowhere: the branch runs here.
        'hasattr(sys, "getwindowsversion")',
        'hasattr(subprocess, "STARTUPINFO")',
        'hasattr(inspect, "no_such_function")',
    ],
)
def test_the_branch_for_a_name_not_always_present_still_runs(tested: str) -> None:
    analysis = analyse(
        f"""\
        import inspect
        import subprocess
        import sys

        if {tested}:
            pass
        else:
            import imp
        """
    )

    assert places(analysis, "imp") == [(8, 12, "import")]


@pytest.mark.parametrize(
    ("symbol", "bound"),
    [
        ("inspect.signature", True),  # a top-level def
        ("collections.OrderedDict", True),  # a top-level import
        ("sys.version_info", True),  # a built-in module, listed with dir()
        ("collections.Mapping", False),  # gone since 3.10, the oldest interpreter it runs on
        ("subprocess.STARTUPINFO", False),  # bound under "if _mswindows:"
        ("not_a_stdlib_module.name", False),
    ],
)
def test_stdlib_binds_reads_unconditional_top_level_bindings(symbol: str, bound: bool) -> None:
    assert stdlib_binds(symbol) is bound


def test_a_binding_in_code_that_runs_on_no_runtime_keeps_the_earlier_binding() -> None:
    analysis = analyse(
        """\
        import six

        try:
            import collections.abc as collections_abc
        except ImportError:
            import collections as collections_abc
        if six.PY3:
            import collections.abc as abc
        else:
            import collections as abc
        collections_abc.MutableMapping.register(dict)
        print(abc.Mapping)
        """
    )

    assert places(analysis, "collections.MutableMapping") == []
    assert places(analysis, "collections.Mapping") == []


def test_a_binding_in_code_that_runs_on_some_runtime_still_replaces() -> None:
    analysis = analyse(
        """\
        try:
            import collections.abc as collections_abc
            import some_package
        except ImportError:
            import collections as collections_abc
        collections_abc.MutableMapping.register(dict)
        """
    )

    assert places(analysis, "collections.MutableMapping") == [(6, 1, "import")]


@pytest.mark.parametrize(
    ("module", "present"),
    [
        ("selectors", True),  # a source module
        ("xml.etree", True),  # a package
        ("math", True),  # an extension in lib-dynload
        ("sys", True),  # built into the interpreter
        ("formatter", False),  # removed in 3.10, gone from this interpreter
        ("not_a_module", False),
    ],
)
def test_stdlib_has_module_reads_the_stdlib_files(module: str, present: bool) -> None:
    assert stdlib_has_module(module) is present


# Tests whose outcome is known without running anything


@pytest.mark.parametrize("test", ["False", "0", "None"])
def test_a_block_under_a_false_constant_never_runs(test: str) -> None:
    analysis = analyse(
        f"""\
        if {test}:
            import imp
        else:
            import asynchat
        if True:
            import smtpd
        else:
            import imghdr
        """
    )

    assert places(analysis, "imp") == [(2, 12, "guarded")]
    assert places(analysis, "asynchat") == [(4, 12, "import")]
    assert places(analysis, "smtpd") == [(6, 12, "import")]
    assert places(analysis, "imghdr") == [(8, 12, "guarded")]


def test_a_name_bound_to_a_constant_is_not_taken_for_one() -> None:
    analysis = analyse(
        """\
        DEBUG = False
        if DEBUG:
            import imp
        """
    )

    assert places(analysis, "imp") == [(3, 12, "import")]


# Feature tests on objects and module look-ups


def test_hasattr_on_an_object_of_a_known_class_guards_the_use_of_that_attribute() -> None:
    # Path.walk arrived in 3.12 (What's New In Python 3.12 > pathlib).
    analysis = analyse(
        """\
        import pathlib

        here = pathlib.Path(".")
        if hasattr(here, "walk"):
            print(list(here.walk()))
        print(list(here.walk()))
        """
    )

    assert places(analysis, "pathlib.Path.walk") == [(5, 16, "guarded"), (6, 12, "import")]


def test_hasattr_on_self_guards_through_the_stdlib_base_of_the_class() -> None:
    # TestCase.assertEquals is gone in 3.12 (What's New In Python 3.12 > Removed > unittest).
    analysis = analyse(
        """\
        import unittest


        class T(unittest.TestCase):
            def runTest(self):
                if hasattr(self, "assertEquals"):
                    self.assertEquals(1, 1)
                if not hasattr(self, "assertEquals"):
                    self.assertEqual(1, 1)
                else:
                    self.assertEquals(2, 2)
                self.assertEquals(3, 3)
        """
    )

    assert places(analysis, "unittest.TestCase.assertEquals") == [
        (7, 13, "guarded"),
        (11, 13, "guarded"),
        (12, 9, "call"),
    ]


@pytest.mark.parametrize(
    "test",
    [
        'importlib.util.find_spec("imghdr") is not None',
        'importlib.util.find_spec("imghdr")',
        'not importlib.util.find_spec("imghdr") is None',
        'pkgutil.find_loader("imghdr") is not None',
    ],
)
def test_a_module_looked_up_before_its_import_is_guarded(test: str) -> None:
    # imghdr is gone in 3.13 (What's New In Python 3.13 > PEP 594); find_spec returns None.
    analysis = analyse(
        f"""\
        import importlib.util
        import pkgutil

        if {test}:
            import imghdr

            print(imghdr.what)
        """
    )

    assert places(analysis, "imghdr") == [(5, 12, "guarded")]
    assert places(analysis, "imghdr.what") == [(7, 11, "guarded")]


def test_a_module_looked_up_as_missing_is_not_guarded_in_its_body() -> None:
    analysis = analyse(
        """\
        import importlib.util

        if importlib.util.find_spec("imghdr") is None:
            import imghdr
        else:
            import imghdr as found
        """
    )

    assert [finding.reach.value for finding in analysis.findings] == ["import", "guarded"]
    assert [finding.location.line for finding in analysis.findings] == [4, 6]


# Short-circuit operators


@pytest.mark.parametrize(
    "expression",
    [
        'sys.version_info >= (3, 12) and list(itertools.batched("ab", 1))',
        'sys.version_info < (3, 12) or list(itertools.batched("ab", 1))',
        'sys.version_info >= (3, 12) and bool(sys.argv) and list(itertools.batched("ab", 1))',
        'hasattr(itertools, "batched") and list(itertools.batched("ab", 1))',
        'not hasattr(itertools, "batched") or list(itertools.batched("ab", 1))',
        'list(itertools.batched("ab", 1)) if sys.version_info >= (3, 12) else None',
    ],
)
def test_the_right_operand_of_a_version_test_runs_only_where_the_test_lets_it(
    expression: str,
) -> None:
    # itertools.batched arrived in 3.12 (What's New In Python 3.12 > itertools).
    analysis = analyse(
        f"""\
        import itertools
        import sys

        pairs = {expression}
        """
    )

    assert [place[2] for place in places(analysis, "itertools.batched")] == ["guarded"]


@pytest.mark.parametrize(
    "expression",
    [
        'sys.version_info >= (3, 12) or list(itertools.batched("ab", 1))',
        'sys.version_info < (3, 12) and list(itertools.batched("ab", 1))',
        'list(itertools.batched("ab", 1)) and sys.version_info >= (3, 12)',
        'bool(sys.argv) and list(itertools.batched("ab", 1))',
    ],
)
def test_the_right_operand_on_the_wrong_side_of_the_test_is_reported(expression: str) -> None:
    analysis = analyse(
        f"""\
        import itertools
        import sys

        pairs = {expression}
        """
    )

    assert [place[2] for place in places(analysis, "itertools.batched")] == ["import"]
    assert only(analysis, "itertools.batched").requires == (3, 12)


# Tests skipped by a decorator


def test_a_test_skipped_on_new_versions_does_not_break_there() -> None:
    # assertEquals is gone in 3.12 (What's New In Python 3.12 > Removed > unittest); the
    # skip decorators are those of the unittest docs > Skipping tests.
    analysis = analyse(
        """\
        import sys
        import unittest


        class T(unittest.TestCase):
            @unittest.skipIf(sys.version_info >= (3, 12), "alias removed")
            def test_if(self):
                self.assertEquals(1, 1)

            @unittest.skipUnless(sys.version_info < (3, 12), "alias removed")
            def test_unless(self):
                self.assertEquals(1, 1)

            @unittest.skip("never")
            def test_never(self):
                self.assertEquals(1, 1)

            @unittest.skipIf(sys.version_info < (3, 12), "wrong way round")
            def test_wrong(self):
                self.assertEquals(1, 1)


        @unittest.skipIf(sys.version_info >= (3, 12), "alias removed")
        class U(unittest.TestCase):
            def test_in_class(self):
                self.assertEquals(1, 1)

            def helper(self):
                self.assertEquals(1, 1)
        """
    )

    assert places(analysis, "unittest.TestCase.assertEquals") == [
        (8, 9, "guarded"),
        (12, 9, "guarded"),
        (16, 9, "guarded"),
        (20, 9, "call"),
        (26, 9, "guarded"),
        (29, 9, "call"),
    ]


# Handlers that raise again


@pytest.mark.parametrize(
    "handler",
    [
        "raise",
        'raise RuntimeError("telnetlib is needed")',
        'print("missing"); raise',
        'raise ImportError("install telnetlib") from None',
    ],
)
def test_an_import_whose_handler_raises_again_is_not_guarded(handler: str) -> None:
    # telnetlib is gone in 3.13 (What's New In Python 3.13 > PEP 594).
    analysis = analyse(
        f"""\
        try:
            import telnetlib
        except ImportError:
            {handler}
        print(telnetlib.TELNET_PORT)
        """
    )

    assert places(analysis, "telnetlib") == [(2, 12, "import")]
    assert only(analysis, "telnetlib").breaks_in == (3, 13)


def test_the_first_matching_handler_decides_whether_an_import_is_guarded() -> None:
    analysis = analyse(
        """\
        try:
            import telnetlib
        except ModuleNotFoundError:
            raise
        except ImportError:
            telnetlib = None
        try:
            import nntplib
        except ImportError:
            nntplib = None
        except ModuleNotFoundError:
            raise
        """
    )

    # A missing module raises ModuleNotFoundError, a subclass of ImportError.
    assert places(analysis, "telnetlib") == [(2, 12, "import")]
    assert places(analysis, "nntplib") == [(8, 12, "guarded")]


def test_an_import_whose_handler_falls_back_is_guarded() -> None:
    analysis = analyse(
        """\
        try:
            import telnetlib
        except ImportError:
            if False:
                raise
            telnetlib = None
        """
    )

    assert places(analysis, "telnetlib") == [(2, 12, "guarded")]


# The corpus benchmark's choice of the statement that breaks


def _corpus_findings_module() -> Any:
    import importlib.util

    script = Path(__file__).resolve().parents[2] / "benchmarks" / "corpus_findings.py"
    spec = importlib.util.spec_from_file_location("corpus_findings", script)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


def test_a_compile_error_is_the_break_even_after_a_runtime_failure_of_the_same_version() -> None:
    # ExceptionGroup and except* both arrived in 3.11 (What's New In Python 3.11 > PEP 654);
    # 3.10 reports the SyntaxError of line 3 and runs nothing.
    analysis = analyse(
        """\
        try:
            raise ExceptionGroup("g", [KeyError("k")])
        except* (KeyError, ValueError) as group:
            print(len(group.exceptions))
        """
    )
    kept = _corpus_findings_module().first_breaks(analysis)

    assert [(f.rule_id, f.location.line, f.requires) for f in kept] == [
        ("needs-newer-syntax", 3, (3, 11))
    ]


# Attributes set on self


def test_an_attribute_set_on_self_from_a_stdlib_class_is_typed_in_other_methods() -> None:
    # ConfigParser.readfp is gone in 3.12 (What's New In Python 3.12 > Removed > configparser).
    analysis = analyse(
        """\
        import configparser
        import io


        class Settings:
            def __init__(self):
                self.parser = configparser.ConfigParser()

            def load(self, text):
                self.parser.readfp(io.StringIO(text))
                parser = self.parser
                parser.readfp(io.StringIO(text))


        class Child(Settings):
            def reload(self, text):
                self.parser.readfp(io.StringIO(text))


        Settings().parser.readfp(io.StringIO(""))
        """
    )

    assert places(analysis, "configparser.ConfigParser.readfp") == [
        (10, 9, "call"),
        (12, 9, "call"),
        (17, 9, "call"),
        (20, 1, "import"),
    ]


@pytest.mark.parametrize(
    "other",
    [
        "self.parser = make_parser()",  # another value elsewhere
        "self.parser, self.other = make_parser(), None",
    ],
)
def test_an_attribute_assigned_something_else_too_is_not_typed(other: str) -> None:
    analysis = analyse(
        f"""\
        import configparser


        class Settings:
            def __init__(self):
                self.parser = configparser.ConfigParser()

            def reset(self):
                {other}

            def load(self, text):
                self.parser.readfp(text)
        """
    )

    assert places(analysis, "configparser.ConfigParser.readfp") == []


def test_an_attribute_made_from_a_shadowed_name_is_not_typed() -> None:
    analysis = analyse(
        """\
        import configparser


        class Settings:
            parsed = None

            def __init__(self, configparser):
                self.parser = configparser.ConfigParser()
                self.parsed = configparser.ConfigParser()

            def load(self, text):
                self.parser.readfp(text)
                self.parsed.readfp(text)
        """
    )

    assert places(analysis, "configparser.ConfigParser.readfp") == []


# super()


def test_super_resolves_to_the_stdlib_base_of_the_class() -> None:
    # TestCase.assertDictContainsSubset is gone in 3.12 (What's New In Python 3.12 > Removed).
    analysis = analyse(
        """\
        import unittest


        class Base(unittest.TestCase):
            def check(self):
                super().assertDictContainsSubset({}, {})
                super(Base, self).assertDictContainsSubset({}, {})


        class T(Base):
            def runTest(self):
                super().assertDictContainsSubset({}, {})

            def assertDictContainsSubset(self, a, b):
                pass


        class U(T):
            def runTest(self):
                super().assertDictContainsSubset({}, {})
        """
    )

    assert places(analysis, "unittest.TestCase.assertDictContainsSubset") == [
        (6, 9, "call"),
        (7, 9, "call"),
        (12, 9, "call"),
    ]


def test_a_method_setting_attributes_on_self_is_kept_when_a_long_file_is_reduced() -> None:
    # Enough methods without candidates that the engine leaves their bodies out.
    filler = "".join(
        f"    def method_{index}(self):\n        value = {index}\n        return value\n\n"
        for index in range(60)
    )
    source = (
        "import configparser\n\n\nclass Settings:\n"
        "    def __init__(self):\n        self.parser = configparser.ConfigParser()\n\n"
        + filler
        + "    def load(self, text):\n        self.parser.readfp(text)\n"
    )
    lines = source_lines(source)
    reduced = reduce_functions(lines, ast.parse(source).body, {len(lines)})

    assert reduced is not None and "method_0(self):\n        pass" in reduced
    assert "self.parser = configparser.ConfigParser()" in reduced
    assert places(analyse_source(source, "app.py"), "configparser.ConfigParser.readfp") == [
        (len(lines), 9, "call")
    ]
