"""What a module runs while it loads besides its import statements, read from its syntax tree.

The import graph knows which imports run at module level. Two things it cannot see from import
records alone decide whether more runs at cold start:

- calls made while the module loads (``ffi = cffi.FFI()``) run the body of the function or
  class called, with the imports that body makes (cffi imports ``_cffi_backend`` in
  ``FFI.__init__``);
- an import guarded by ``try``/``except ImportError`` is only as safe as its handler: one that
  imports a module that does not exist, or raises, fails whenever the guarded import does.

The source is parsed with ``ast`` and never run. Files too large or not valid Python give
``None``.
"""

from __future__ import annotations

import ast
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.rules.imports import IMPORT_ERRORS, catches_import_error, handled_names

logger = logging.getLogger(__name__)

MAX_SOURCE_BYTES = 8 * 1024 * 1024
"""Larger files are not read here (the source engine reports them)."""
CONSTRUCTORS = ("__new__", "__init__")
"""The methods calling a class runs."""

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True)
class LoadTimeCall:
    """A call made while a module loads, by the dotted name written (``cffi.FFI``)."""

    name: str
    line: int
    guarded: bool
    """Whether a ``try`` around it absorbs an ``ImportError``."""


@dataclass(frozen=True)
class ImportBinding:
    """A module-level name bound by an import: ``import a.b`` binds ``a``; ``from . import x``
    binds ``x``. ``name`` is the name taken from ``module`` (``None`` for ``import``)."""

    module: str
    level: int
    name: str | None


@dataclass(frozen=True)
class Fallback:
    """What the ``except ImportError`` handlers of a ``try`` do when its imports fail."""

    try_line: int
    import_lines: tuple[int, ...]
    """Lines of the import statements the handlers run."""
    raises: bool
    """Whether a handler raises (``raise ImportError(...)``), so the failure escapes."""


@dataclass(frozen=True)
class Precondition:
    """What must have succeeded for an import statement to run at all."""

    lines: tuple[int, ...] = ()
    """Import lines of the same module (the body of the ``try`` whose ``else`` it is in)."""
    flags: tuple[str, ...] = ()
    """Availability flags tested by the ``if`` around it, by the name the module uses."""


@dataclass(frozen=True)
class ModuleCode:
    """What runs while a module loads, and what its functions import when called."""

    calls: tuple[LoadTimeCall, ...]
    """Calls in code that runs while the module loads: module level, class bodies,
    decorators and default values; not inside function bodies or lambdas."""
    bindings: Mapping[str, ImportBinding]
    """Module-level names bound by imports."""
    definitions: frozenset[str]
    """Module-level ``def`` and ``class`` names."""
    callable_imports: Mapping[str, tuple[int, ...]]
    """Lines of the import statements a call runs, by what is called: a module-level
    function (``name``), a class (its ``__new__`` and ``__init__``), or a class's method
    (``Class.method``). Imports in nested functions are left out: they run later, if ever."""
    fallbacks: Mapping[int, Fallback]
    """For each import line in the body of a ``try`` whose handlers absorb ``ImportError``."""
    unconditional: frozenset[int] = frozenset()
    """Lines of the imports at module level outside any block: they run whenever it loads."""
    flags: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    """Availability flags: a module-level name that is true only once the imports at these
    lines (the body of a ``try`` whose handlers absorb ``ImportError``) have succeeded
    (``try: import x; HAS_X = True`` / ``except ImportError: HAS_X = False``)."""
    fallback_for: Mapping[int, tuple[tuple[str, str | None], ...]] = field(default_factory=dict)
    """For each import line in an ``except ImportError`` handler of a ``try`` whose body holds
    only absolute imports: the (module, name) pairs the body imports (``name`` is ``None``
    for ``import module``). Where all of them always import, the handler never runs."""
    conditions: Mapping[int, Precondition] = field(default_factory=dict)
    """Import lines run at load time only when other imports succeeded: those in the
    ``else`` of such a ``try``, and those under ``if FLAG:`` for an availability flag."""


def read_module_code(path: Path) -> ModuleCode | None:
    """The ``ModuleCode`` of the source file at ``path``; ``None`` if it cannot be parsed."""
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            return None
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        logger.debug("%s: not read for load-time calls: %s", path, exc)
        return None
    return module_code(tree)


def module_code(tree: ast.Module) -> ModuleCode:
    """The ``ModuleCode`` of a parsed module."""
    calls: list[LoadTimeCall] = []
    bindings: dict[str, ImportBinding] = {}
    definitions: set[str] = set()
    callable_imports: dict[str, tuple[int, ...]] = {}
    fallbacks: dict[int, Fallback] = {}

    _load_time(tree.body, calls, bindings, definitions, callable_imports, guarded=False)
    for statement in _statements(tree.body, into_functions=True):
        if isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
            _note_fallback(statement, fallbacks)  # type: ignore[arg-type]
    flags = _availability_flags(tree.body)
    conditions: dict[int, Precondition] = {}
    _note_conditions(tree.body, Precondition(), frozenset(flags) | frozenset(bindings), conditions)
    return ModuleCode(
        calls=tuple(calls),
        bindings=bindings,
        definitions=frozenset(definitions),
        callable_imports=callable_imports,
        fallbacks=fallbacks,
        unconditional=frozenset(
            statement.lineno
            for statement in tree.body
            if isinstance(statement, ast.Import | ast.ImportFrom)
        ),
        flags=flags,
        conditions=conditions,
        fallback_for=_fallbacks_for(tree.body),
    )


def _fallbacks_for(body: list[ast.stmt]) -> dict[int, tuple[tuple[str, str | None], ...]]:
    found: dict[int, tuple[tuple[str, str | None], ...]] = {}
    for statement in _statements(body, into_functions=True):
        if not (_is_try(statement) and catches_import_error(statement)):  # type: ignore[arg-type]
            continue
        imported: list[tuple[str, str | None]] = []
        for inner in statement.body:  # type: ignore[attr-defined]
            if isinstance(inner, ast.Import):
                imported.extend((alias.name, None) for alias in inner.names)
            elif isinstance(inner, ast.ImportFrom) and inner.level == 0 and inner.module:
                imported.extend((inner.module, alias.name) for alias in inner.names)
            else:
                imported = []
                break
        if not imported or any(name == "*" for _, name in imported):
            continue
        for handler in statement.handlers:  # type: ignore[attr-defined]
            names = handled_names(handler.type)
            if "*" not in names and not names & IMPORT_ERRORS:
                continue
            for line in _import_lines(handler.body):
                found[line] = tuple(imported)
    return found


def _is_try(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar"


def _import_lines(body: list[ast.stmt]) -> tuple[int, ...]:
    """Lines of the imports a block runs at load time (not inside definitions)."""
    return tuple(
        statement.lineno
        for statement in _statements(body, into_functions=False)
        if isinstance(statement, ast.Import | ast.ImportFrom)
    )


def _constant_assignments(body: list[ast.stmt]) -> Iterator[tuple[str, object]]:
    """``(name, value)`` of every ``NAME = <constant>`` a block runs (not inside definitions)."""
    for statement in _statements(body, into_functions=False):
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    yield target.id, statement.value.value


def _availability_flags(body: list[ast.stmt]) -> dict[str, tuple[int, ...]]:
    """Module-level names set true only after the guarded imports of one ``try`` succeed.

    A name qualifies when its only true assignment at load time is in the body (after an
    import) or the ``else`` of a module-level ``try`` whose handlers absorb ``ImportError``,
    and every other assignment of it at load time is ``False`` or ``None``.
    """
    true_sites: dict[str, list[tuple[int, ...]]] = {}
    for statement in body:
        if not (_is_try(statement) and catches_import_error(statement)):  # type: ignore[arg-type]
            continue
        lines = _import_lines(statement.body)  # type: ignore[attr-defined]
        if not lines:
            continue
        for block in (statement.body, statement.orelse):  # type: ignore[attr-defined]
            for name, value in _constant_assignments(block):
                if value is True:
                    true_sites.setdefault(name, []).append(lines)
    flags: dict[str, tuple[int, ...]] = {}
    for name, sites in true_sites.items():
        values = [value for assigned, value in _constant_assignments(body) if assigned == name]
        truthy = [value for value in values if value is not None and value is not False]
        if len(sites) == 1 and len(truthy) == 1 and _only_constant_binding(body, name):
            flags[name] = sites[0]
    return flags


def _only_constant_binding(body: list[ast.stmt], name: str) -> bool:
    """Whether load-time code binds ``name`` only by assigning constants to it."""
    for statement in _statements(body, into_functions=False):
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant):
            continue
        for node in ast.walk(statement) if not isinstance(statement, _COMPOUND) else ():
            if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
                return False
        if isinstance(statement, (*_FUNCTIONS, ast.ClassDef)) and statement.name == name:
            return False
        if isinstance(statement, ast.Import | ast.ImportFrom) and any(
            (alias.asname or alias.name.partition(".")[0]) == name for alias in statement.names
        ):
            return False
    return True


_COMPOUND = (*_FUNCTIONS, ast.ClassDef, ast.If, ast.Try, ast.With, ast.For, ast.While)


def _tested_flag(test: ast.expr) -> tuple[str, bool] | None:
    """``(name, negated)`` for ``if NAME:`` and ``if not NAME:``."""
    if isinstance(test, ast.Name):
        return test.id, False
    if (
        isinstance(test, ast.UnaryOp)
        and isinstance(test.op, ast.Not)
        and isinstance(test.operand, ast.Name)
    ):
        return test.operand.id, True
    return None


def _note_conditions(
    body: list[ast.stmt],
    outer: Precondition,
    candidates: frozenset[str],
    conditions: dict[int, Precondition],
) -> None:
    """Record, for each load-time import, what must have succeeded before it can run."""
    for statement in body:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            if outer.lines or outer.flags:
                conditions[statement.lineno] = outer
        elif isinstance(statement, ast.ClassDef):
            _note_conditions(statement.body, outer, candidates, conditions)
        elif _is_try(statement):
            _note_conditions(statement.body, outer, candidates, conditions)  # type: ignore[attr-defined]
            for handler in statement.handlers:  # type: ignore[attr-defined]
                _note_conditions(handler.body, outer, candidates, conditions)
            orelse = outer
            if catches_import_error(statement):  # type: ignore[arg-type]
                # The else block runs only when every import of the body succeeded.
                lines = _import_lines(statement.body)  # type: ignore[attr-defined]
                orelse = Precondition(outer.lines + lines, outer.flags)
            _note_conditions(statement.orelse, orelse, candidates, conditions)  # type: ignore[attr-defined]
            _note_conditions(statement.finalbody, outer, candidates, conditions)  # type: ignore[attr-defined]
        elif isinstance(statement, ast.If):
            tested = _tested_flag(statement.test)
            when_true, when_false = outer, outer
            if tested is not None and tested[0] in candidates:
                flagged = Precondition(outer.lines, (*outer.flags, tested[0]))
                when_true, when_false = (outer, flagged) if tested[1] else (flagged, outer)
            _note_conditions(statement.body, when_true, candidates, conditions)
            _note_conditions(statement.orelse, when_false, candidates, conditions)
        elif isinstance(statement, ast.With | ast.For | ast.While):
            _note_conditions(statement.body, outer, candidates, conditions)
            _note_conditions(getattr(statement, "orelse", []), outer, candidates, conditions)


def _load_time(
    body: list[ast.stmt],
    calls: list[LoadTimeCall],
    bindings: dict[str, ImportBinding],
    definitions: set[str],
    callable_imports: dict[str, tuple[int, ...]],
    *,
    guarded: bool,
    top: bool = True,
) -> None:
    """Walk statements that run while the module loads (``top``: at module level itself)."""
    for statement in body:
        if isinstance(statement, _FUNCTIONS):
            if top:
                definitions.add(statement.name)
                callable_imports[statement.name] = tuple(_imports_run(statement.body))
            for expression in [*statement.decorator_list, *_defaults(statement.args)]:
                _collect_calls(expression, calls, guarded)
        elif isinstance(statement, ast.ClassDef):
            if top:
                definitions.add(statement.name)
                _note_methods(statement, callable_imports)
            for expression in [*statement.decorator_list, *statement.bases]:
                _collect_calls(expression, calls, guarded)
            for keyword in statement.keywords:
                _collect_calls(keyword.value, calls, guarded)
            _load_time(
                statement.body,
                calls,
                bindings,
                definitions,
                callable_imports,
                guarded=guarded,
                top=False,
            )
        elif isinstance(statement, ast.Import | ast.ImportFrom):
            if top:
                _bind(statement, bindings)
        elif isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
            absorbs = catches_import_error(statement)  # type: ignore[arg-type]
            blocks: list[tuple[list[ast.stmt], bool]] = [
                (statement.body, guarded or absorbs)  # type: ignore[attr-defined]
            ]
            blocks.extend((handler.body, guarded) for handler in statement.handlers)  # type: ignore[attr-defined]
            blocks.append((statement.orelse, guarded))  # type: ignore[attr-defined]
            blocks.append((statement.finalbody, guarded))  # type: ignore[attr-defined]
            for block, block_guarded in blocks:
                _load_time(
                    block,
                    calls,
                    bindings,
                    definitions,
                    callable_imports,
                    guarded=block_guarded,
                    top=top,
                )
        else:
            for child in ast.iter_child_nodes(statement):
                if isinstance(child, ast.stmt):
                    continue
                _collect_calls(child, calls, guarded)
            for block in _blocks(statement):
                _load_time(
                    block,
                    calls,
                    bindings,
                    definitions,
                    callable_imports,
                    guarded=guarded,
                    top=top,
                )


def _blocks(statement: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists nested in a compound statement other than def, class and try."""
    for name in ("body", "orelse", "finalbody"):
        block = getattr(statement, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block
    if isinstance(statement, ast.Match):
        for case in statement.cases:
            yield case.body


def _defaults(arguments: ast.arguments) -> list[ast.expr]:
    return [*arguments.defaults, *(value for value in arguments.kw_defaults if value is not None)]


def _collect_calls(expression: ast.AST, calls: list[LoadTimeCall], guarded: bool) -> None:
    """Calls in an expression that runs now (lambda bodies run later, and are skipped)."""
    pending = [expression]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Lambda):
            pending.extend(_defaults(node.args))
            continue
        if isinstance(node, ast.Call):
            name = dotted_name(node.func)
            if name is not None:
                calls.append(LoadTimeCall(name, node.lineno, guarded))
        pending.extend(ast.iter_child_nodes(node))


def dotted_name(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attributes on a name; ``None`` for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _bind(statement: ast.Import | ast.ImportFrom, bindings: dict[str, ImportBinding]) -> None:
    if isinstance(statement, ast.Import):
        for alias in statement.names:
            if alias.asname is not None:
                bindings[alias.asname] = ImportBinding(alias.name, 0, None)
            else:
                top = alias.name.partition(".")[0]
                bindings[top] = ImportBinding(top, 0, None)
        return
    for alias in statement.names:
        if alias.name != "*":
            bindings[alias.asname or alias.name] = ImportBinding(
                statement.module or "", statement.level, alias.name
            )


def _note_methods(node: ast.ClassDef, callable_imports: dict[str, tuple[int, ...]]) -> None:
    constructor: list[int] = []
    for statement in node.body:
        if isinstance(statement, _FUNCTIONS):
            lines = tuple(_imports_run(statement.body))
            callable_imports[f"{node.name}.{statement.name}"] = lines
            if statement.name in CONSTRUCTORS:
                constructor.extend(lines)
    callable_imports[node.name] = tuple(constructor)


def _imports_run(body: list[ast.stmt]) -> Iterator[int]:
    """Lines of the import statements a function body runs itself (not in nested defs)."""
    for statement in _statements(body, into_functions=False):
        if isinstance(statement, ast.Import | ast.ImportFrom):
            yield statement.lineno


_NESTED_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def _statements(body: list[ast.stmt], *, into_functions: bool) -> Iterator[ast.stmt]:
    """Every statement of ``body`` and of the blocks nested in it, without looking into
    expressions (imports, ``try`` and definitions are statements); function and class
    bodies only with ``into_functions``."""
    pending: list[ast.AST] = list(reversed(body))
    while pending:
        node = pending.pop()
        if isinstance(node, ast.stmt):
            yield node
            if not into_functions and isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
                continue
        for name in _NESTED_BLOCKS:
            block = getattr(node, name, None)
            if isinstance(block, list):
                pending.extend(reversed(block))


def _note_fallback(node: ast.Try, fallbacks: dict[int, Fallback]) -> None:
    if not catches_import_error(node):
        return
    import_lines: list[int] = []
    raises = False
    for handler in node.handlers:
        names = handled_names(handler.type)
        if "*" not in names and not names & IMPORT_ERRORS:
            continue
        for statement in handler.body:
            if isinstance(statement, ast.Raise):
                raises = True
            elif isinstance(statement, ast.Import | ast.ImportFrom):
                import_lines.append(statement.lineno)
    fallback = Fallback(node.lineno, tuple(import_lines), raises)
    for statement in node.body:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            fallbacks.setdefault(statement.lineno, fallback)
