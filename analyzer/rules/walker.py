"""The one walk over a libcst tree that every source rule shares.

The walk keeps what the rules need to understand a name: the bindings of each scope
(imports, aliases, local definitions), the class an instance was made from, whether the
code runs at import time or inside a function, and which guards surround it.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import CodeRange, PositionProvider

from analyzer.models import Category, Finding, Location, PythonVersion, Reach
from analyzer.rules.guards import (
    EVERY_VERSION,
    VersionWindow,
    absorbs,
    caught_names,
    version_windows,
)

Handler = Callable[[cst.CSTNode, "WalkContext"], None]
_BUILTIN_NAMES = frozenset(dir(builtins))
_FALLBACK_ERRORS = frozenset(
    {"ImportError", "ModuleNotFoundError", "AttributeError", "NameError", "*", "Exception"}
)


@dataclass
class _Frame:
    """A guard, a version window, or a function body surrounding the code being walked."""

    caught: frozenset[str] = frozenset()
    window: VersionWindow = EVERY_VERSION
    feature_test: bool = False
    function: bool = False
    scope: dict[str, str | None] | None = None
    self_name: str | None = None
    """In a method: the first parameter, an instance of ``self_class``."""
    self_class: str | None = None


@dataclass
class WalkContext:
    """What the rules see of the walk: names, positions, guards, and where to report."""

    path: str
    module: str | None
    local_modules: frozenset[str]
    positions: object
    findings: list[Finding] = field(default_factory=list)
    scopes: list[dict[str, str | None]] = field(default_factory=lambda: [{}])
    instance_of: list[dict[str, str]] = field(default_factory=lambda: [{}])
    star_modules: list[str] = field(default_factory=list)
    frames: list[_Frame] = field(default_factory=list)
    class_bases: list[str | None] = field(default_factory=list)
    future_annotations: bool = False

    # Names and positions

    def position(self, node: cst.CSTNode) -> CodeRange:
        mapping: dict[cst.CSTNode, CodeRange] = self.positions  # type: ignore[assignment]
        return mapping[node]

    def lookup(self, name: str) -> str | None:
        """The qualified name a bare name refers to here, if it comes from an import."""
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        for instances in reversed(self.instance_of):
            if name in instances:
                return None
        if name in _BUILTIN_NAMES:
            return f"builtins.{name}"
        return None

    def star_candidates(self, name: str) -> list[str]:
        """Qualified names ``name`` may have through ``from module import *``."""
        if any(name in scope for scope in self.scopes):
            return []
        return [f"{module}.{name}" for module in self.star_modules]

    def qualified_name(self, node: cst.BaseExpression) -> str | None:
        """``collections.abc.Mapping`` for ``abc.Mapping`` after ``from collections import abc``.

        An attribute of a variable made by calling a known class resolves through that
        class: ``t = threading.Thread(); t.isAlive`` gives ``threading.Thread.isAlive``.
        """
        attributes: list[str] = []
        while isinstance(node, cst.Attribute):
            attributes.append(node.attr.value)
            node = node.value
        if not isinstance(node, cst.Name):
            return None
        root = self.lookup(node.value)
        if root is None:
            root = self.instance_class(node.value)
        if root is None:
            return None
        return ".".join([root, *reversed(attributes)])

    def instance_class(self, name: str) -> str | None:
        for scope, instances in zip(reversed(self.scopes), reversed(self.instance_of), strict=True):
            if name in instances:
                return instances[name]
            if name in scope:
                return None
        return None

    def bind(self, name: str, qualified: str | None) -> None:
        self.scopes[-1][name] = qualified
        self.instance_of[-1].pop(name, None)

    def bind_instance(self, name: str, class_name: str) -> None:
        self.scopes[-1].pop(name, None)
        self.instance_of[-1][name] = class_name

    # Where the code runs

    @property
    def in_function(self) -> bool:
        return any(frame.function for frame in self.frames)

    def guarded(
        self,
        failure: str,
        breaks_in: PythonVersion | None = None,
        requires: PythonVersion | None = None,
    ) -> bool:
        """Whether a failure of type ``failure`` here is absorbed or cannot happen."""
        window = EVERY_VERSION
        for frame in self.frames:
            if absorbs(frame.caught, failure) or frame.feature_test:
                return True
            window = window.intersect(frame.window)
        if breaks_in is not None and window.excludes_from(breaks_in):
            return True
        return requires is not None and window.excludes_before(requires)

    def report(
        self,
        node: cst.CSTNode,
        *,
        rule_id: str,
        category: Category,
        message: str,
        fix: str,
        failure: str,
        symbol: str | None = None,
        breaks_in: PythonVersion | None = None,
        requires: PythonVersion | None = None,
        deprecated_in: PythonVersion | None = None,
        mechanical: bool = False,
        documentation: str | None = None,
    ) -> None:
        """Record a finding at ``node``, judging its reach from the surrounding code."""
        code_range = self.position(node)
        if self.guarded(failure, breaks_in or deprecated_in, requires):
            reach = Reach.GUARDED
        elif self.in_function:
            reach = Reach.CALL
        else:
            reach = Reach.IMPORT
        self.findings.append(
            Finding(
                rule_id=rule_id,
                category=category,
                message=message,
                location=Location(
                    self.path,
                    code_range.start.line,
                    code_range.start.column + 1,
                    code_range.end.line,
                ),
                fix=fix,
                symbol=symbol,
                breaks_in=breaks_in,
                requires=requires,
                deprecated_in=deprecated_in,
                reach=reach,
                mechanical=mechanical,
                documentation=documentation,
            )
        )


class Walker(cst.CSTVisitor):
    """Walks one module once, keeping the context, and calls every rule's visit methods."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(
        self,
        context: WalkContext,
        handlers: dict[str, Sequence[Handler]],
        leave_handlers: dict[str, Sequence[Handler]] | None = None,
    ) -> None:
        super().__init__()
        self.context = context
        self.handlers = handlers
        self.leave_handlers = leave_handlers or {}
        self.blocks: dict[int, _Frame] = {}
        self.skip_names: set[int] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        context = self.context
        frame = self.blocks.get(id(node))
        if frame is not None:
            context.frames.append(frame)
            if frame.scope is not None:
                context.scopes.append(dict(frame.scope))
                context.instance_of.append({})
                if frame.self_name is not None and frame.self_class is not None:
                    context.instance_of[-1][frame.self_name] = frame.self_class
        self._before(node)
        if isinstance(node, cst.Name) and id(node) in self.skip_names:
            return True
        for handler in self.handlers.get(type(node).__name__, ()):
            handler(node, context)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        for handler in self.leave_handlers.get(type(original_node).__name__, ()):
            handler(original_node, self.context)
        self._after(original_node)
        frame = self.blocks.get(id(original_node))
        if frame is not None:
            self.context.frames.pop()
            if frame.scope is not None:
                self.context.scopes.pop()
                self.context.instance_of.pop()

    # Bookkeeping before the rules see a node

    def _before(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.Import):
            self._bind_import(node)
        elif isinstance(node, cst.ImportFrom):
            self._bind_import_from(node)
        elif isinstance(node, cst.FunctionDef):
            self._enter_function(node)
        elif isinstance(node, cst.Lambda):
            self.blocks[id(node.body)] = _Frame(function=True, scope={})
            for param in _all_params(node.params):
                self.skip_names.add(id(param.name))
        elif isinstance(node, cst.ClassDef):
            self._enter_class(node)
        elif isinstance(node, cst.Try | cst.TryStar):
            self._enter_try(node)
        elif isinstance(node, cst.If):
            self._enter_if(node)
        elif isinstance(node, cst.Attribute):
            self.skip_names.add(id(node.attr))
        elif isinstance(node, cst.Arg) and node.keyword is not None:
            self.skip_names.add(id(node.keyword))
        elif isinstance(node, cst.AsName) and isinstance(node.name, cst.Name):
            self.skip_names.add(id(node.name))
        elif isinstance(node, cst.Assign):
            self._bind_assignment(node)
        elif isinstance(node, cst.AnnAssign | cst.AugAssign) or isinstance(
            node, cst.For | cst.CompFor
        ):
            self._bind_targets(node.target)
        elif isinstance(node, cst.WithItem) and node.asname is not None:
            self._bind_targets(node.asname.name)
        elif isinstance(node, cst.ExceptHandler | cst.ExceptStarHandler) and node.name:
            self._bind_targets(node.name.name)
        elif isinstance(node, cst.NamedExpr):
            self._bind_targets(node.target)
        elif isinstance(node, cst.Global | cst.Nonlocal):
            for item in node.names:
                self.skip_names.add(id(item.name))

    def _after(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.ClassDef):
            self.context.class_bases.pop()
            self.context.bind(node.name.value, None)
        elif isinstance(node, cst.FunctionDef):
            self.context.bind(node.name.value, None)

    def _bind_import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = _dotted(alias.name)
            top = dotted.partition(".")[0]
            local = top in self.context.local_modules
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.context.bind(alias.asname.name.value, None if local else dotted)
            else:
                self.context.bind(top, None if local else top)
            for name_node in _names_in(alias.name):
                self.skip_names.add(id(name_node))

    def _bind_import_from(self, node: cst.ImportFrom) -> None:
        module = _dotted(node.module) if node.module is not None else ""
        if node.module is not None:
            for name_node in _names_in(node.module):
                self.skip_names.add(id(name_node))
        relative = bool(node.relative)
        local = relative or module.partition(".")[0] in self.context.local_modules
        if module == "__future__" and not isinstance(node.names, cst.ImportStar):
            if any(_dotted(alias.name) == "annotations" for alias in node.names):
                self.context.future_annotations = True
        if isinstance(node.names, cst.ImportStar):
            if not local:
                self.context.star_modules.append(module)
            return
        for alias in node.names:
            name = _dotted(alias.name)
            for name_node in _names_in(alias.name):
                self.skip_names.add(id(name_node))
            bound = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                bound = alias.asname.name.value
            self.context.bind(bound, None if local else f"{module}.{name}")

    def _enter_function(self, node: cst.FunctionDef) -> None:
        self.skip_names.add(id(node.name))
        scope: dict[str, str | None] = {}
        frame = _Frame(function=True, scope=scope)
        params = _all_params(node.params)
        for param in params:
            self.skip_names.add(id(param.name))
            scope[param.name.value] = None
        base = self.context.class_bases[-1] if self.context.class_bases else None
        if base is not None and params and not _is_static(node):
            # The first parameter of a method is an instance of the class, whose known
            # behaviour is that of its first resolved base.
            scope.pop(params[0].name.value, None)
            frame.self_name, frame.self_class = params[0].name.value, base
        self.blocks[id(node.body)] = frame

    def _enter_class(self, node: cst.ClassDef) -> None:
        self.skip_names.add(id(node.name))
        base: str | None = None
        for arg in node.bases:
            resolved = self.context.qualified_name(arg.value)
            if resolved is not None:
                base = resolved
                break
        self.context.class_bases.append(base)

    def _enter_try(self, node: cst.Try | cst.TryStar) -> None:
        caught: set[str] = set()
        for handler in node.handlers:
            names = caught_names(handler)
            caught |= names
            if names & _FALLBACK_ERRORS:
                self.blocks[id(handler.body)] = _Frame(feature_test=True)
        self.blocks[id(node.body)] = _Frame(caught=frozenset(caught))

    def _enter_if(self, node: cst.If) -> None:
        windows = version_windows(node.test)
        if windows is not None:
            self.blocks[id(node.body)] = _Frame(window=windows[0])
            if node.orelse is not None:
                target = node.orelse.body if isinstance(node.orelse, cst.Else) else node.orelse
                self.blocks[id(target)] = _Frame(window=windows[1])
        elif _is_feature_test(node.test):
            self.blocks[id(node.body)] = _Frame(feature_test=True)
            if node.orelse is not None:
                target = node.orelse.body if isinstance(node.orelse, cst.Else) else node.orelse
                self.blocks[id(target)] = _Frame(feature_test=True)

    def _bind_assignment(self, node: cst.Assign) -> None:
        value = node.value
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.skip_names.add(id(target.target))
                name = target.target.value
                if isinstance(value, cst.Call):
                    made_from = self.context.qualified_name(value.func)
                    if made_from is not None and not made_from.startswith("builtins."):
                        self.context.bind_instance(name, made_from)
                        continue
                alias = (
                    self.context.qualified_name(value)
                    if isinstance(value, cst.Name | cst.Attribute)
                    else None
                )
                self.context.bind(name, alias)
            else:
                self._bind_targets(target.target)

    def _bind_targets(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.skip_names.add(id(target))
            self.context.bind(target.value, None)
        elif isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                self._bind_targets(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind_targets(target.value)


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    collected = [*params.posonly_params, *params.params, *params.kwonly_params]
    if isinstance(params.star_arg, cst.Param):
        collected.append(params.star_arg)
    if params.star_kwarg is not None:
        collected.append(params.star_kwarg)
    return collected


def _is_static(node: cst.FunctionDef) -> bool:
    for decorator in node.decorators:
        if isinstance(decorator.decorator, cst.Name) and decorator.decorator.value in {
            "staticmethod",
            "classmethod",
        }:
            return True
    return False


def _is_feature_test(test: cst.BaseExpression) -> bool:
    """Whether an ``if`` test probes for a feature (``hasattr``, ``getattr``, ``callable``)."""
    for node in _expressions(test):
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Name)
            and node.func.value in {"hasattr", "getattr"}
        ):
            return True
    return False


def _expressions(node: cst.CSTNode) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = [node]
    for child in node.children:
        found.extend(_expressions(child))
    return found


def _dotted(node: cst.BaseExpression | cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _names_in(node: cst.CSTNode) -> list[cst.Name]:
    if isinstance(node, cst.Name):
        return [node]
    if isinstance(node, cst.Attribute):
        return [*_names_in(node.value), node.attr]
    return []
