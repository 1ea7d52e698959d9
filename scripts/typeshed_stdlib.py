"""Reads typeshed's stdlib stubs as they stand for one Python version on Linux.

Used by ``scripts/generate_catalogue.py``: for a version such as ``(3, 12)`` it gives the
modules ``VERSIONS`` says exist, each module's public names and classes' members after
evaluating ``sys.version_info`` and ``sys.platform`` conditions, the keyword parameters of
functions, and ``@deprecated`` messages.
"""

from __future__ import annotations

import ast
import functools
import operator as operator_module
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typeshed_client

Version = tuple[int, int]
PLATFORM = "linux"


def typeshed_root() -> Path:
    """The folder of stdlib stubs shipped inside ``typeshed_client``."""
    return Path(typeshed_client.__file__).parent / "typeshed"


@dataclass
class StubCallable:
    """What a stub says about how a function, method or class may be called."""

    keywords: set[str] = field(default_factory=set)
    """Names that may be passed by keyword."""
    var_keyword: bool = False
    deprecated: str | None = None


@dataclass
class StubName:
    """A public name of a module or member of a class, as one version's stub has it."""

    kind: str
    """``class``, ``function`` or ``other``."""
    call: StubCallable | None = None
    deprecated: str | None = None
    owner: str | None = None
    """For a class member, ``module.Class`` of the class whose body defines it."""


@dataclass
class StubModule:
    """The public surface of one module at one version."""

    name: str
    names: dict[str, StubName] = field(default_factory=dict)
    classes: dict[str, dict[str, StubName]] = field(default_factory=dict)
    all_names: list[str] | None = None


@functools.cache
def module_ranges() -> dict[str, tuple[Version, Version | None]]:
    """``VERSIONS``: module name to (first version, last version or None)."""
    ranges: dict[str, tuple[Version, Version | None]] = {}
    for line in (typeshed_root() / "VERSIONS").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        module, _, span = line.partition(":")
        first, _, last = span.strip().partition("-")
        ranges[module.strip()] = (_version(first), _version(last) if last else None)
    return ranges


def _version(text: str) -> Version:
    major, minor = text.split(".")
    return int(major), int(minor)


def module_exists(module: str, version: Version) -> bool:
    """Whether typeshed says ``module`` exists at ``version`` (and has a stub file)."""
    ranges = module_ranges()
    parts = module.split(".")
    for length in range(len(parts), 0, -1):
        prefix = ".".join(parts[:length])
        if prefix in ranges:
            first, last = ranges[prefix]
            if version < first or (last is not None and version > last):
                return False
            break
    else:
        return False
    return stub_path(module) is not None


def stub_path(module: str) -> Path | None:
    """The ``.pyi`` file of a module, or None."""
    base = typeshed_root().joinpath(*module.split("."))
    for candidate in (base.with_suffix(".pyi"), base / "__init__.pyi"):
        if candidate.is_file():
            return candidate
    return None


def all_stub_modules() -> Iterator[str]:
    """Every module with a stub file."""
    root = typeshed_root()
    for path in sorted(root.rglob("*.pyi")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if parts:
            yield ".".join(parts)


@functools.cache
def _parsed(module: str) -> ast.Module | None:
    path = stub_path(module)
    if path is None:
        return None
    return ast.parse(path.read_text(encoding="utf-8"))


def evaluate_condition(test: ast.expr, version: Version) -> bool:
    """Evaluates a stub's ``if`` test for ``version`` on Linux; unknown tests count as true."""
    if isinstance(test, ast.BoolOp):
        values = [evaluate_condition(value, version) for value in test.values]
        return all(values) if isinstance(test.op, ast.And) else any(values)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return not evaluate_condition(test.operand, version)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left = ast.unparse(test.left)
        right = test.comparators[0]
        operator = test.ops[0]
        if left == "sys.version_info" and isinstance(right, ast.Tuple):
            bound = tuple(
                element.value for element in right.elts if isinstance(element, ast.Constant)
            )
            return _compare(version, operator, bound)
        if left == "sys.platform" and isinstance(right, ast.Constant):
            return _compare(PLATFORM, operator, right.value)
    if isinstance(test, ast.Call) and ast.unparse(test.func) == "sys.platform.startswith":
        argument = test.args[0]
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            return PLATFORM.startswith(argument.value)
    return True


def _compare(left: Any, operator: ast.cmpop, right: Any) -> bool:
    comparisons: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
        ast.GtE: operator_module.ge,
        ast.Gt: operator_module.gt,
        ast.Lt: operator_module.lt,
        ast.LtE: operator_module.le,
        ast.Eq: operator_module.eq,
        ast.NotEq: operator_module.ne,
    }
    compare = comparisons.get(type(operator))
    return bool(compare(left, right)) if compare is not None else True


def live_statements(body: Iterable[ast.stmt], version: Version) -> Iterator[ast.stmt]:
    """The statements of a body that apply to ``version``, with ``if`` blocks flattened."""
    for statement in body:
        if isinstance(statement, ast.If):
            branch = statement.body if evaluate_condition(statement.test, version) else None
            yield from live_statements(branch if branch is not None else statement.orelse, version)
        else:
            yield statement


def _deprecation(decorators: list[ast.expr]) -> str | None:
    for decorator in decorators:
        if isinstance(decorator, ast.Call):
            name = ast.unparse(decorator.func)
            if name.split(".")[-1] == "deprecated" and decorator.args:
                message = decorator.args[0]
                if isinstance(message, ast.Constant) and isinstance(message.value, str):
                    return message.value
                return "deprecated"
    return None


def _is_overload(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(ast.unparse(decorator).endswith("overload") for decorator in function.decorator_list)


def _is_static(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(ast.unparse(decorator) == "staticmethod" for decorator in function.decorator_list)


def _callable_of(
    definitions: list[ast.FunctionDef | ast.AsyncFunctionDef], *, method: bool
) -> StubCallable:
    """The keyword parameters of a function from all its (overloaded) definitions."""
    call = StubCallable()
    deprecations = []
    for definition in definitions:
        arguments = definition.args
        positional = list(arguments.args)
        if method and not _is_static(definition) and positional:
            positional = positional[1:]
        for argument in positional:
            # Stubs mark positional-only parameters with a leading double underscore.
            if not argument.arg.startswith("__"):
                call.keywords.add(argument.arg)
        call.keywords.update(argument.arg for argument in arguments.kwonlyargs)
        call.var_keyword = call.var_keyword or arguments.kwarg is not None
        deprecations.append(_deprecation(definition.decorator_list))
    # A deprecation on only some overloads is about a way of calling, not the function.
    if deprecations and all(deprecations):
        call.deprecated = deprecations[0]
    return call


@dataclass
class _Scope:
    """Definitions of one module or class body at one version."""

    functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    others: set[str] = field(default_factory=set)
    reexports: dict[str, tuple[str, str]] = field(default_factory=dict)
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)
    stars: list[str] = field(default_factory=list)
    all_names: list[str] | None = None


def _absolute(module: str, imported: str | None, level: int, is_package: bool) -> str:
    if level == 0:
        return imported or ""
    parts = module.split(".")
    keep = len(parts) - level + (1 if is_package else 0)
    base = parts[:keep]
    return ".".join([*base, imported] if imported else base)


def _scope(body: list[ast.stmt], version: Version, module: str, is_package: bool) -> _Scope:
    scope = _Scope()
    for statement in live_statements(body, version):
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            existing = scope.functions.setdefault(statement.name, [])
            if not _is_overload(statement) and existing and not _is_overload(existing[0]):
                existing.clear()
            existing.append(statement)
        elif isinstance(statement, ast.ClassDef):
            scope.classes[statement.name] = statement
        elif isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign):
            _record_assignment(statement, scope, version)
        elif isinstance(statement, ast.ImportFrom):
            source = _absolute(module, statement.module, statement.level, is_package)
            for alias in statement.names:
                if alias.name == "*":
                    scope.stars.append(source)
                    continue
                local = alias.asname or alias.name
                scope.imports[local] = (source, alias.name)
                if alias.asname == alias.name:
                    scope.reexports[local] = (source, alias.name)
    return scope


def _record_assignment(
    statement: ast.Assign | ast.AnnAssign | ast.AugAssign, scope: _Scope, version: Version
) -> None:
    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
    for target in targets:
        if not isinstance(target, ast.Name):
            continue
        if target.id == "__all__":
            listed = _string_list(statement.value)
            if isinstance(statement, ast.AugAssign):
                scope.all_names = (scope.all_names or []) + listed
            else:
                scope.all_names = listed
            continue
        scope.others.add(target.id)


def _string_list(value: ast.expr | None) -> list[str]:
    if isinstance(value, ast.List | ast.Tuple):
        return [
            element.value
            for element in value.elts
            if isinstance(element, ast.Constant) and isinstance(element.value, str)
        ]
    if isinstance(value, ast.BinOp):
        return _string_list(value.left) + _string_list(value.right)
    return []


class StubReader:
    """Public surfaces of stdlib modules at one Python version, from typeshed."""

    def __init__(self, version: Version) -> None:
        self.version = version
        self._modules: dict[str, StubModule | None] = {}
        self._scopes: dict[str, _Scope | None] = {}
        self._in_progress: set[str] = set()

    def module(self, name: str) -> StubModule | None:
        """The module's surface, or None when typeshed says it does not exist."""
        if name not in self._modules:
            self._modules[name] = self._read(name)
        return self._modules[name]

    def _module_scope(self, name: str) -> _Scope | None:
        if name not in self._scopes:
            tree = _parsed(name) if module_exists(name, self.version) else None
            path = stub_path(name)
            is_package = path is not None and path.name == "__init__.pyi"
            self._scopes[name] = (
                _scope(tree.body, self.version, name, is_package) if tree is not None else None
            )
        return self._scopes[name]

    def exported_names(self, name: str) -> dict[str, StubName]:
        """Names a ``from name import *`` takes, with what they are."""
        module = self.module(name)
        if module is None:
            return {}
        if module.all_names is not None:
            return {
                exported: module.names[exported]
                for exported in module.all_names
                if exported in module.names
            }
        return {key: value for key, value in module.names.items() if not key.startswith("_")}

    def _read(self, name: str) -> StubModule | None:
        scope = self._module_scope(name)
        if scope is None or name in self._in_progress:
            return None
        self._in_progress.add(name)
        try:
            module = StubModule(name=name, all_names=scope.all_names)
            for star in scope.stars:
                module.names.update(self.exported_names(star))
                star_module = self.module(star)
                if star_module is not None:
                    for class_name in self.exported_names(star):
                        if class_name in star_module.classes:
                            module.classes[class_name] = star_module.classes[class_name]
            for local, (source, original) in scope.reexports.items():
                source_module = self.module(source)
                if source_module is not None and original in source_module.names:
                    module.names[local] = source_module.names[original]
                    if original in source_module.classes:
                        module.classes[local] = source_module.classes[original]
                else:
                    module.names[local] = StubName(kind="other")
            for other in scope.others:
                module.names[other] = StubName(kind="other")
            for function_name, definitions in scope.functions.items():
                call = _callable_of(definitions, method=False)
                module.names[function_name] = StubName(
                    kind="function", call=call, deprecated=call.deprecated
                )
            for class_name, definition in scope.classes.items():
                members, constructor = self._class_members(name, scope, definition, set())
                module.names[class_name] = StubName(
                    kind="class",
                    call=constructor,
                    deprecated=_deprecation(definition.decorator_list),
                )
                module.classes[class_name] = members
            return module
        finally:
            self._in_progress.discard(name)

    def _class_members(
        self, module: str, scope: _Scope, definition: ast.ClassDef, seen: set[str]
    ) -> tuple[dict[str, StubName], StubCallable | None]:
        """A class's members, inherited ones included, and its constructor's parameters."""
        key = f"{module}.{definition.name}"
        if key in seen:
            return {}, None
        seen = seen | {key}
        members: dict[str, StubName] = {}
        constructor: StubCallable | None = None
        for base in definition.bases:
            resolved = self._resolve_base(module, scope, base)
            if resolved is None:
                continue
            base_module, base_scope, base_definition = resolved
            base_members, base_constructor = self._class_members(
                base_module, base_scope, base_definition, seen
            )
            for member, value in base_members.items():
                members.setdefault(member, value)
            if constructor is None:
                constructor = base_constructor
        own = _scope(definition.body, self.version, module, False)
        owner = f"{module}.{definition.name}"
        for other in own.others:
            members[other] = StubName(kind="other", owner=owner)
        for nested in own.classes:
            members[nested] = StubName(kind="class", owner=owner)
        for function_name, definitions in own.functions.items():
            call = _callable_of(definitions, method=True)
            members[function_name] = StubName(
                kind="function", call=call, deprecated=call.deprecated, owner=owner
            )
        for constructor_name in ("__init__", "__new__"):
            if constructor_name in own.functions:
                constructor = _callable_of(own.functions[constructor_name], method=True)
                break
        return members, constructor

    def _resolve_base(
        self, module: str, scope: _Scope, base: ast.expr
    ) -> tuple[str, _Scope, ast.ClassDef] | None:
        if isinstance(base, ast.Subscript):
            base = base.value
        if isinstance(base, ast.Name):
            if base.id in scope.classes:
                return module, scope, scope.classes[base.id]
            if base.id in scope.imports:
                source, original = scope.imports[base.id]
                return self._find_class(source, original)
            for star in scope.stars:
                found = self._find_class(star, base.id)
                if found is not None:
                    return found
        if isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name):
            return self._find_class(base.value.id, base.attr)
        return None

    def _find_class(
        self, module: str, name: str, depth: int = 0
    ) -> tuple[str, _Scope, ast.ClassDef] | None:
        if module == "builtins" or depth > 5:
            # Builtin bases are left out, as the interpreter listing leaves them out.
            return None
        scope = self._module_scope(module)
        if scope is None:
            return None
        if name in scope.classes:
            return module, scope, scope.classes[name]
        if name in scope.imports:
            source, original = scope.imports[name]
            return self._find_class(source, original, depth + 1)
        for star in scope.stars:
            found = self._find_class(star, name, depth + 1)
            if found is not None:
                return found
        return None
