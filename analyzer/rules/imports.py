"""The imports a module makes, read from its syntax tree: what, where, when, and whether handled."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from analyzer.models import ImportRecord

IMPORT_ERRORS = frozenset(
    {"ImportError", "ModuleNotFoundError", "Exception", "BaseException", "LookupError"}
)
"""Exception names whose handler absorbs a failing import."""


def handled_names(handler_type: ast.expr | None) -> frozenset[str]:
    """The exception class names an ``except`` clause catches (``*`` for a bare ``except``)."""
    if handler_type is None:
        return frozenset({"*"})
    nodes = handler_type.elts if isinstance(handler_type, ast.Tuple) else [handler_type]
    names = set()
    for node in nodes:
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
    return frozenset(names)


def catches_import_error(try_node: ast.Try) -> bool:
    """Whether any handler of ``try_node`` absorbs an ``ImportError``."""
    for handler in try_node.handlers:
        names = handled_names(handler.type)
        if "*" in names or names & IMPORT_ERRORS:
            return True
    return False


def collect_imports(tree: ast.Module) -> tuple[tuple[ImportRecord, ...], frozenset[str]]:
    """Every import statement of ``tree``, and the names its module level binds."""
    records = list(_walk(tree.body, at_import_time=True, guarded=False))
    return tuple(records), frozenset(_top_level_names(tree.body))


def _walk(body: list[ast.stmt], *, at_import_time: bool, guarded: bool) -> Iterator[ImportRecord]:
    for statement in body:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                yield ImportRecord(alias.name, 0, (), statement.lineno, at_import_time, guarded)
        elif isinstance(statement, ast.ImportFrom):
            names = tuple(alias.name for alias in statement.names)
            yield ImportRecord(
                statement.module or "",
                statement.level,
                names,
                statement.lineno,
                at_import_time,
                guarded,
            )
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield from _walk(statement.body, at_import_time=False, guarded=guarded)
        elif isinstance(statement, ast.ClassDef):
            yield from _walk(statement.body, at_import_time=at_import_time, guarded=guarded)
        elif isinstance(statement, ast.Try) or _is_try_star(statement):
            handles = catches_import_error(statement)  # type: ignore[arg-type]
            yield from _walk(
                statement.body,  # type: ignore[attr-defined]
                at_import_time=at_import_time,
                guarded=guarded or handles,
            )
            # A handler runs exactly when the ``try`` failed, so what it imports is loaded
            # then, and its own failure is not absorbed.
            for handler in statement.handlers:  # type: ignore[attr-defined]
                yield from _walk(handler.body, at_import_time=at_import_time, guarded=guarded)
            for tail in (statement.orelse, statement.finalbody):  # type: ignore[attr-defined]
                yield from _walk(tail, at_import_time=at_import_time, guarded=guarded)
        elif isinstance(statement, ast.If):
            is_version_check = _mentions_version(statement.test)
            for branch in (statement.body, statement.orelse):
                yield from _walk(
                    branch, at_import_time=at_import_time, guarded=guarded or is_version_check
                )
        elif isinstance(statement, (ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)):
            yield from _walk(statement.body, at_import_time=at_import_time, guarded=guarded)
            yield from _walk(
                getattr(statement, "orelse", []), at_import_time=at_import_time, guarded=guarded
            )
        elif isinstance(statement, ast.Match):
            for case in statement.cases:
                yield from _walk(case.body, at_import_time=at_import_time, guarded=guarded)


def _is_try_star(statement: ast.stmt) -> bool:
    return type(statement).__name__ == "TryStar"


def _mentions_version(test: ast.expr) -> bool:
    """Whether an ``if`` test looks at the interpreter's version or platform."""
    for node in ast.walk(test):
        if isinstance(node, ast.Attribute) and node.attr in {
            "version_info",
            "PY2",
            "PY3",
            "hexversion",
            "TYPE_CHECKING",
        }:
            return True
        if isinstance(node, ast.Name) and node.id in {"PY2", "PY3", "TYPE_CHECKING", "PY38"}:
            return True
    return False


def _top_level_names(body: list[ast.stmt]) -> Iterator[str]:
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield statement.name
        elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                for node in ast.walk(target):
                    if isinstance(node, ast.Name):
                        yield node.id
        elif isinstance(statement, ast.Import):
            for alias in statement.names:
                yield alias.asname or alias.name.partition(".")[0]
        elif isinstance(statement, ast.ImportFrom):
            for alias in statement.names:
                yield alias.asname or alias.name
        elif isinstance(statement, ast.If | ast.Try | ast.With):
            for block in _blocks(statement):
                yield from _top_level_names(block)


def _blocks(statement: ast.If | ast.Try | ast.With) -> Iterator[list[ast.stmt]]:
    yield statement.body
    if isinstance(statement, ast.If):
        yield statement.orelse
    elif isinstance(statement, ast.Try):
        for handler in statement.handlers:
            yield handler.body
        yield statement.orelse
        yield statement.finalbody
