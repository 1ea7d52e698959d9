"""The imports a module makes, read from its syntax tree: what, where, when, and whether handled."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

import libcst as cst

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
        elif _TYPE_ALIAS is not None and isinstance(statement, _TYPE_ALIAS):
            # ``type X = ...`` (3.12): only an interpreter that parses it gets here.
            name = getattr(statement, "name", None)
            if isinstance(name, ast.Name):
                yield name.id


_TYPE_ALIAS: type[ast.stmt] | None = getattr(ast, "TypeAlias", None)


def _blocks(statement: ast.If | ast.Try | ast.With) -> Iterator[list[ast.stmt]]:
    yield statement.body
    if isinstance(statement, ast.If):
        yield statement.orelse
    elif isinstance(statement, ast.Try):
        for handler in statement.handlers:
            yield handler.body
        yield statement.orelse
        yield statement.finalbody


def collect_imports_cst(
    module: cst.Module,
) -> tuple[tuple[ImportRecord, ...], frozenset[str]]:
    """``collect_imports`` for a libcst tree: for files this interpreter cannot parse."""
    lines = _cst_lines(module)
    records = list(_walk_cst(module.body, lines, at_import_time=True, guarded=False))
    return tuple(records), frozenset(_cst_top_level_names(module.body))


def _cst_top_level_names(body: Sequence[cst.CSTNode]) -> Iterator[str]:
    for statement in body:
        if isinstance(statement, cst.FunctionDef | cst.ClassDef):
            yield statement.name.value
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                yield from _cst_bound(small)
        elif isinstance(statement, cst.If | cst.Try | cst.With):
            yield from _cst_top_level_names(_block(statement.body))


def _cst_bound(small: cst.CSTNode) -> Iterator[str]:
    if isinstance(small, cst.Assign):
        for target in small.targets:
            if isinstance(target.target, cst.Name):
                yield target.target.value
    elif isinstance(small, cst.AnnAssign | cst.AugAssign) and isinstance(small.target, cst.Name):
        yield small.target.value
    elif isinstance(small, cst.TypeAlias):
        yield small.name.value
    elif isinstance(small, cst.Import):
        for alias in small.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                yield alias.asname.name.value
            else:
                yield _cst_dotted(alias.name).partition(".")[0]
    elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
        for alias in small.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                yield alias.asname.name.value
            else:
                yield _cst_dotted(alias.name)


def _cst_lines(module: cst.Module) -> dict[int, int]:
    from libcst.metadata import MetadataWrapper, PositionProvider

    imports: list[cst.CSTNode] = []

    class Finder(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> None:
            imports.append(node)

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            imports.append(node)

    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    wrapper.visit(Finder())
    if not imports:
        return {}
    positions = wrapper.resolve(PositionProvider)
    return {id(node): positions[node].start.line for node in imports}


def _walk_cst(
    body: Sequence[cst.CSTNode], lines: dict[int, int], *, at_import_time: bool, guarded: bool
) -> Iterator[ImportRecord]:
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                yield from _cst_records(small, lines, at_import_time, guarded)
        elif isinstance(statement, cst.FunctionDef):
            yield from _walk_cst(
                _block(statement.body), lines, at_import_time=False, guarded=guarded
            )
        elif isinstance(statement, cst.ClassDef):
            yield from _walk_cst(
                _block(statement.body), lines, at_import_time=at_import_time, guarded=guarded
            )
        elif isinstance(statement, cst.Try | cst.TryStar):
            handles = any(
                "*" in (names := _cst_caught(handler)) or bool(names & IMPORT_ERRORS)
                for handler in statement.handlers
            )
            yield from _walk_cst(
                _block(statement.body),
                lines,
                at_import_time=at_import_time,
                guarded=guarded or handles,
            )
            for handler in statement.handlers:
                yield from _walk_cst(
                    _block(handler.body), lines, at_import_time=at_import_time, guarded=guarded
                )
            for tail in (statement.orelse, statement.finalbody):
                if tail is not None:
                    yield from _walk_cst(
                        _block(tail.body), lines, at_import_time=at_import_time, guarded=guarded
                    )
        elif isinstance(statement, cst.If):
            is_version_check = "version_info" in cst.Module([]).code_for_node(statement.test)
            branch: cst.CSTNode | None = statement
            while isinstance(branch, cst.If):
                yield from _walk_cst(
                    _block(branch.body),
                    lines,
                    at_import_time=at_import_time,
                    guarded=guarded or is_version_check,
                )
                branch = branch.orelse
            if isinstance(branch, cst.Else):
                yield from _walk_cst(
                    _block(branch.body),
                    lines,
                    at_import_time=at_import_time,
                    guarded=guarded or is_version_check,
                )
        elif isinstance(statement, cst.With | cst.For | cst.While):
            yield from _walk_cst(
                _block(statement.body), lines, at_import_time=at_import_time, guarded=guarded
            )
        elif isinstance(statement, cst.Match):
            for case in statement.cases:
                yield from _walk_cst(
                    _block(case.body), lines, at_import_time=at_import_time, guarded=guarded
                )


def _block(suite: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return suite.body


def _cst_records(
    small: cst.CSTNode, lines: dict[int, int], at_import_time: bool, guarded: bool
) -> Iterator[ImportRecord]:
    line = lines.get(id(small), 0)
    if isinstance(small, cst.Import):
        for alias in small.names:
            yield ImportRecord(_cst_dotted(alias.name), 0, (), line, at_import_time, guarded)
    elif isinstance(small, cst.ImportFrom):
        module = _cst_dotted(small.module) if small.module is not None else ""
        names: tuple[str, ...]
        if isinstance(small.names, cst.ImportStar):
            names = ("*",)
        else:
            names = tuple(_cst_dotted(alias.name) for alias in small.names)
        yield ImportRecord(module, len(small.relative), names, line, at_import_time, guarded)


def _cst_caught(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> frozenset[str]:
    if handler.type is None:
        return frozenset({"*"})
    nodes = (
        [element.value for element in handler.type.elements]
        if isinstance(handler.type, cst.Tuple)
        else [handler.type]
    )
    return frozenset(
        node.value if isinstance(node, cst.Name) else node.attr.value
        for node in nodes
        if isinstance(node, cst.Name | cst.Attribute)
    )


def _cst_dotted(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_cst_dotted(node.value)}.{node.attr.value}"
    return ""
