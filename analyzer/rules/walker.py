"""The one walk over a libcst tree that every source rule shares.

The walk keeps what the rules need to understand a name: the bindings of each scope
(imports, aliases, local definitions), the class an object was made from, the classes
the module defines, whether the code runs at import time or inside a function, and
which guards surround it (``try``/``except``, version checks, feature tests).

It visits the children of a node in source order but skips whitespace, punctuation
and the names that are not uses (an attribute's name, a keyword, a definition's name),
which makes it several times cheaper than libcst's own visitor; the positions of the
few nodes that are reported are worked out after the walk.
"""

from __future__ import annotations

import builtins
import inspect
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import libcst as cst

from analyzer.models import Category, Finding, Location, PythonVersion, Reach
from analyzer.rules.guards import (
    EVERY_VERSION,
    NEVER,
    VersionWindow,
    absorbs,
    caught_names,
    constant_windows,
    exits_block,
    is_version_info,
    raises_again,
    stdlib_binds,
    version_windows,
)
from analyzer.rules.positions import (
    STATEMENT_TYPES,
    Statement,
    StatementTracker,
    node_positions,
)
from analyzer.runtimes import RUNTIMES

Handler = Callable[[cst.CSTNode, "WalkContext"], None]
OLDEST_RUNTIME: PythonVersion = min(runtime.python for runtime in RUNTIMES.values())
"""Code that only runs before this version runs on no Lambda runtime."""
LOCAL = "<local>."
"""Prefix of the keys of classes the module defines itself."""
_BUILTIN_NAMES = frozenset(dir(builtins))
_LITERAL_TYPES: dict[type[cst.CSTNode], str] = {
    cst.Integer: "builtins.int",
    cst.Float: "builtins.float",
    cst.Imaginary: "builtins.complex",
    cst.FormattedString: "builtins.str",
    cst.List: "builtins.list",
    cst.ListComp: "builtins.list",
    cst.Dict: "builtins.dict",
    cst.DictComp: "builtins.dict",
    cst.Set: "builtins.set",
    cst.SetComp: "builtins.set",
    cst.Tuple: "builtins.tuple",
}
_VISITOR_BASES = frozenset({"ast.NodeVisitor", "ast.NodeTransformer"})
_SKIP_DECORATORS = {
    "unittest.skipIf": "if",
    "unittest.case.skipIf": "if",
    "unittest.skipUnless": "unless",
    "unittest.case.skipUnless": "unless",
    "unittest.skip": "always",
    "unittest.case.skip": "always",
}
"""unittest's skip decorators (unittest docs > Skipping tests and expected failures)."""
_MODULE_LOOKUPS = frozenset({"importlib.util.find_spec", "pkgutil.find_loader"})
"""Calls that return None for a module that cannot be imported, without importing it."""
_OTHER_ENTER_RESULTS = frozenset(
    {
        "asyncio.BoundedSemaphore",
        "asyncio.Condition",
        "asyncio.Lock",
        "asyncio.Semaphore",
        "contextlib.closing",
        "contextlib.nullcontext",
        "contextlib.redirect_stderr",
        "contextlib.redirect_stdout",
        "multiprocessing.BoundedSemaphore",
        "multiprocessing.Condition",
        "multiprocessing.Lock",
        "multiprocessing.RLock",
        "multiprocessing.Semaphore",
        "tempfile.TemporaryDirectory",
        "threading.BoundedSemaphore",
        "threading.Condition",
        "threading.Lock",
        "threading.RLock",
        "threading.Semaphore",
        "warnings.catch_warnings",
    }
)
"""Stdlib classes whose ``__enter__`` returns something other than the instance: the
thing wrapped or redirected to (contextlib docs), the folder's name (tempfile docs >
TemporaryDirectory), the list of warnings (warnings docs > catch_warnings), the result
of acquiring a lock (threading docs > Using locks in the with statement)."""
_FALLBACK_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "AttributeError", "NameError"})


@dataclass(frozen=True)
class Binding:
    """What a name holds: a module or API (``qualified``), or an instance of a class."""

    qualified: str | None
    """``collections.abc``, ``builtins.ValueError``, ``<local>.Config``; None for a local value."""
    instance: bool = False
    keys: frozenset[str] = frozenset()
    """For a dict display with string keys: the keys, which ``**name`` passes as keywords."""


UNKNOWN = Binding(None)


@dataclass
class LocalClass:
    """A class the module defines: its bases and what its body defines."""

    key: str
    name: str
    bases: tuple[str | None, ...]
    """Qualified names of the bases, ``None`` where a base could not be resolved."""
    members: frozenset[str]
    """Names the class body binds (methods, attributes)."""
    decorators: tuple[cst.Decorator, ...] = ()
    attributes: dict[str, str | None] = field(default_factory=dict)
    """Attributes its methods assign on ``self``: the class of the value where every
    assignment makes an instance of the same outside class, else ``None``."""

    @property
    def first_base(self) -> str | None:
        return self.bases[0] if self.bases else None


@dataclass
class Scope:
    """The bindings of a module, class or function body."""

    kind: Literal["module", "class", "function"]
    bindings: dict[str, Binding] = field(default_factory=dict)


@dataclass
class Frame:
    """Something surrounding the code being walked: a guard, a window, a function body."""

    caught: frozenset[str] = frozenset()
    """Exception names an enclosing ``try`` (or ``contextlib.suppress``) absorbs."""
    window: VersionWindow = EVERY_VERSION
    """The versions on which this code runs, from version checks."""
    tested: frozenset[str] = frozenset()
    """Qualified names a feature test (``hasattr``) proved present here."""
    function: bool = False
    coroutine: bool = False
    scope: Scope | None = None
    try_node: cst.CSTNode | None = None
    """For the body of a ``try``: the statement, so its handlers can see what it raised."""
    handlers: tuple[tuple[frozenset[str], bool], ...] = ()
    """For the body of a ``try``: what each handler catches, in order, and whether it raises
    again (then the failure it takes still stops the code)."""

    def absorbs(self, failure: str) -> bool:
        """Whether a failure of type ``failure`` here stops at this frame."""
        if not self.handlers:
            return absorbs(self.caught, failure)
        # The first handler that matches takes the failure, as Python picks it.
        for names, raises in self.handlers:
            if absorbs(names, failure):
                return not raises
        return False


@dataclass
class Pending:
    """A finding waiting for its position, worked out once the walk is over."""

    node: cst.CSTNode
    top_index: int
    statement: Statement | None
    fields: dict[str, Any]


@dataclass
class WalkContext:
    """What the rules see of the walk: names, classes, guards, and where to report."""

    path: str
    module: str | None
    local_modules: frozenset[str]
    scopes: list[Scope] = field(default_factory=lambda: [Scope("module")])
    frames: list[Frame] = field(default_factory=list)
    classes: dict[str, LocalClass] = field(default_factory=dict)
    class_stack: list[LocalClass] = field(default_factory=list)
    star_modules: list[str] = field(default_factory=list)
    version_flags: dict[str, tuple[VersionWindow, VersionWindow]] = field(default_factory=dict)
    version_aliases: set[str] = field(default_factory=set)
    """Names bound to ``sys.version_info``, such as ``py`` after ``py = sys.version_info``."""
    future_annotations: bool = False
    module_members: set[str] = field(default_factory=set)
    """What the bodies of the module's top-level classes bind, known before the walk (a
    method runs once every class is defined)."""
    pending: list[Pending] = field(default_factory=list)
    top_index: int = -1
    tracker: StatementTracker = field(default_factory=lambda: StatementTracker(None))
    memo: dict[int, str | None] = field(default_factory=dict)
    """Qualified names computed in the statement being walked (bindings change between
    statements, not within one)."""
    try_failures: dict[int, list[tuple[PythonVersion | None, PythonVersion | None]]] = field(
        default_factory=dict
    )

    # Names

    def lookup(self, name: str) -> Binding | None:
        """What a bare name holds here; ``None`` when nothing binds it (not even a builtin)."""
        innermost = len(self.scopes) - 1
        for index in range(innermost, -1, -1):
            scope = self.scopes[index]
            # A class body's names are not visible from the functions inside it.
            if scope.kind == "class" and index != innermost:
                continue
            binding = scope.bindings.get(name)
            if binding is not None:
                return binding
        if name in builtin_names():
            return Binding(f"builtins.{name}")
        return None

    def star_candidates(self, name: str) -> list[str]:
        """Qualified names ``name`` may have through ``from module import *``."""
        if not self.star_modules or any(name in scope.bindings for scope in self.scopes):
            return []
        return [f"{module}.{name}" for module in self.star_modules]

    def qualified_name(self, node: cst.BaseExpression) -> str | None:
        """The API an expression names: ``collections.abc.Mapping`` for ``abc.Mapping``.

        Aliases, ``from x import y as z`` and attribute chains are followed; an attribute
        of an object resolves through the object's class (``t = threading.Thread();
        t.isAlive`` gives ``threading.Thread.isAlive``), unless the module's own class
        defines that attribute itself.
        """
        key = id(node)
        if key in self.memo:
            return self.memo[key]
        qualified = self._qualified_name(node)
        self.memo[key] = qualified
        return qualified

    def _qualified_name(self, node: cst.BaseExpression) -> str | None:
        attributes: list[str] = []
        while isinstance(node, cst.Attribute):
            attributes.append(node.attr.value)
            node = node.value
        attributes.reverse()
        if isinstance(node, cst.Name):
            binding = self.lookup(node.value)
            if binding is None or binding.qualified is None:
                return None
            if not binding.instance:
                if binding.qualified.startswith(LOCAL):
                    return self._class_member(binding.qualified, attributes, static=True)
                return ".".join([binding.qualified, *attributes])
            return self._class_member(binding.qualified, attributes) if attributes else None
        made_from = self.type_of(node)
        if made_from is None or not attributes:
            return None
        return self._class_member(made_from, attributes)

    def type_of(self, node: cst.BaseExpression) -> str | None:
        """The class ``node`` evaluates to an instance of, when the code shows it."""
        if isinstance(node, cst.Name):
            binding = self.lookup(node.value)
            if binding is not None and binding.instance:
                return binding.qualified
            return None
        if isinstance(node, cst.Attribute):
            chain: list[str] = []
            root: cst.BaseExpression = node
            while isinstance(root, cst.Attribute):
                chain.append(root.attr.value)
                root = root.value
            held = self.type_of(root)
            for attribute in reversed(chain):
                if held is None:
                    break
                held = self._attribute_type(held, attribute)
            return held
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Name)
            and node.func.value == "super"
            and self.lookup("super") == Binding("builtins.super")
        ):
            return self._super_class(node)
        if isinstance(node, cst.Call):
            called = self.qualified_name(node.func)
            if called is None and isinstance(node.func, cst.Name):
                binding = self.lookup(node.func.value)
                if binding is not None and not binding.instance:
                    called = binding.qualified
            return called
        if (
            isinstance(node, cst.BinaryOperation)
            and isinstance(node.operator, cst.Divide)
            and all(
                isinstance(operand, cst.Integer | cst.Float) for operand in (node.left, node.right)
            )
        ):
            return "builtins.float"
        if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
            prefix = node.prefix if isinstance(node, cst.SimpleString) else ""
            return "builtins.bytes" if "b" in prefix.lower() else "builtins.str"
        return _LITERAL_TYPES.get(type(node))

    def _super_class(self, call: cst.Call) -> str | None:
        """What ``super()`` looks attributes up in: the first base of the class it names
        (``super(Class, self)``) or of the class whose method holds it (``super()``)."""
        if not call.args:
            if not self.class_stack or not self.in_function:
                return None
            return self.class_stack[-1].first_base
        if len(call.args) != 2 or not isinstance(call.args[0].value, cst.Name):
            return None
        binding = self.lookup(call.args[0].value.value)
        local = self.local_class(binding.qualified) if binding and not binding.instance else None
        return local.first_base if local is not None else None

    def _attribute_type(self, class_name: str, attribute: str) -> str | None:
        """The class of what an instance's attribute holds, from the module's own classes."""
        seen: set[str] = set()
        current: str | None = class_name
        while current is not None and current.startswith(LOCAL) and current not in seen:
            seen.add(current)
            local = self.classes.get(current)
            if local is None or attribute in local.members:
                return None
            if attribute in local.attributes:
                return local.attributes[attribute]
            current = local.first_base
        return None

    def local_class(self, qualified: str | None) -> LocalClass | None:
        """The module's own class a qualified name refers to."""
        if qualified is None or not qualified.startswith(LOCAL):
            return None
        return self.classes.get(qualified)

    def resolve_class(self, qualified: str | None) -> str | None:
        """A class's first base outside the module: what its instances behave like."""
        seen: set[str] = set()
        while qualified is not None and qualified.startswith(LOCAL) and qualified not in seen:
            seen.add(qualified)
            local = self.classes.get(qualified)
            qualified = local.first_base if local is not None else None
        return qualified

    def is_subclass(self, qualified: str | None, bases: frozenset[str]) -> bool:
        """Whether a class, or one of its local ancestors' first bases, is one of ``bases``."""
        return self.resolve_class(qualified) in bases

    def class_member(self, class_name: str, attribute: str) -> str | None:
        """The API an attribute of an instance of ``class_name`` names, through the module's
        own classes to their first base outside it; ``None`` where a local class defines it."""
        return self._class_member(class_name, [attribute])

    def _class_member(
        self, class_name: str, attributes: list[str], *, static: bool = False
    ) -> str | None:
        seen: set[str] = set()
        current: str | None = class_name
        while current is not None and current.startswith(LOCAL):
            if current in seen:
                return None
            seen.add(current)
            local = self.classes.get(current)
            if local is None:
                return None
            if not attributes:
                return current
            if attributes[0] in local.members:
                return None
            if attributes[0] in local.attributes:
                # An attribute set on instances: a class access finds nothing there.
                held = local.attributes[attributes[0]]
                if static or held is None or len(attributes) == 1:
                    return None
                return self._class_member(held, attributes[1:])
            current = local.first_base
            if (
                not local.bases
                and not local.decorators
                and not self._defined_locally(attributes[0])
            ):
                # A class statement without bases makes a subclass of object (a decorator
                # could make something else, and ``self`` can be a subclass's instance that
                # defines the member).
                current = "builtins.object"
        if current is None:
            return None
        return ".".join([current, *attributes])

    def _defined_locally(self, member: str) -> bool:
        """Whether one of the module's own classes defines ``member`` in its body."""
        return member in self.module_members or any(
            member in local.members for local in self.classes.values()
        )

    def bind(self, name: str, binding: Binding) -> None:
        bindings = self.scopes[-1].bindings
        if name in bindings and self._runs_nowhere():
            # Code that runs on no supported version (a fallback for a stdlib import that
            # cannot fail, a Python 2 branch) leaves the name as the code that runs bound it.
            return
        bindings[name] = binding

    def _runs_nowhere(self) -> bool:
        window = self.window()
        return window.empty or window.excludes_from(OLDEST_RUNTIME)

    # Where the code runs

    @property
    def in_function(self) -> bool:
        return any(frame.function for frame in self.frames)

    @property
    def in_coroutine(self) -> bool:
        """Whether the innermost function is an ``async def``."""
        for frame in reversed(self.frames):
            if frame.function:
                return frame.coroutine
        return False

    @property
    def current_class(self) -> LocalClass | None:
        return self.class_stack[-1] if self.class_stack else None

    def window(self) -> VersionWindow:
        """The versions on which the code being walked can run."""
        window = EVERY_VERSION
        for frame in self.frames:
            window = window.intersect(frame.window)
        return window

    def guarded(
        self,
        failure: str,
        breaks_in: PythonVersion | None = None,
        requires: PythonVersion | None = None,
        symbol: str | None = None,
    ) -> bool:
        """Whether a failure of type ``failure`` here is absorbed or cannot happen."""
        for frame in self.frames:
            if frame.absorbs(failure):
                return True
            if symbol is not None and any(
                symbol == tested or symbol.startswith(f"{tested}.") for tested in frame.tested
            ):
                return True
        window = self.window()
        if window.empty:
            return True
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
        """Record a finding at ``node``, judging its reach from the surrounding code.

        Code that only runs from some version on (behind a version check) cannot break
        before it: the first version it breaks in is the later of the two.
        """
        window = self.window()
        guarded = self.guarded(failure, breaks_in or deprecated_in, requires, symbol)
        if failure == "SyntaxError":
            # Nothing in a module can catch or skip its own compile error.
            guarded, window = False, EVERY_VERSION
            reach = Reach.IMPORT
        elif guarded:
            reach = Reach.GUARDED
        elif self.in_function:
            reach = Reach.CALL
        else:
            reach = Reach.IMPORT
        if not guarded and breaks_in is not None and window.low is not None:
            breaks_in = max(breaks_in, window.low)
        self._note_try_failure(failure, breaks_in, requires)
        self.pending.append(
            Pending(
                node,
                self.top_index,
                self.tracker.current,
                {
                    "rule_id": rule_id,
                    "category": category,
                    "message": message,
                    "fix": fix,
                    "symbol": symbol,
                    "breaks_in": breaks_in,
                    "requires": requires,
                    "deprecated_in": deprecated_in,
                    "reach": reach,
                    "mechanical": mechanical,
                    "documentation": documentation,
                },
            )
        )

    def _note_try_failure(
        self, failure: str, breaks_in: PythonVersion | None, requires: PythonVersion | None
    ) -> None:
        """Remember what a ``try`` body raises and absorbs: its handlers run exactly then."""
        if breaks_in is None and requires is None:
            return
        for frame in self.frames:
            if frame.try_node is not None and frame.absorbs(failure):
                self.try_failures.setdefault(id(frame.try_node), []).append((breaks_in, requires))

    def findings(
        self,
        module: cst.Module,
        text_lines: Sequence[str] | None,
        top_lines: Sequence[int] | None,
    ) -> list[Finding]:
        """The reported findings with their positions, in the order they were reported."""
        positions = node_positions(
            module,
            [(item.node, item.statement, item.top_index) for item in self.pending],
            text_lines,
            top_lines,
        )
        found = []
        for item in self.pending:
            start_line, start_column, end_line = positions[id(item.node)]
            found.append(
                Finding(
                    location=Location(self.path, start_line, start_column, end_line),
                    **item.fields,
                )
            )
        return found


@cache
def stdlib_module_names() -> frozenset[str]:
    """Top-level modules of the standard library, of this interpreter and of the catalogue."""
    from analyzer.rules.catalogue import load_catalogue

    catalogued = {symbol.partition(".")[0] for symbol in load_catalogue().modules}
    return frozenset(sys.stdlib_module_names) | catalogued


@cache
def builtin_names() -> frozenset[str]:
    """The builtins of this interpreter and those the catalogue knows from other versions."""
    from analyzer.rules.catalogue import load_catalogue

    known = {
        symbol.split(".")[1]
        for symbol in load_catalogue().names
        if symbol.startswith("builtins.") and symbol.count(".") == 1
    }
    return _BUILTIN_NAMES | known


# The walk


_TRIVIA_FIELD = re.compile(
    r"^(?:whitespace\w*|leading_lines|lines_after_decorators|header|footer|lpar|rpar|comma"
    r"|semicolon|dot|equal|colon|asynchronous|operator|star|walrus|lbracket|rbracket|lbrace"
    r"|rbrace|arrow|newline|trailing_whitespace|default_comma\w*|import_alias|relative"
    r"|lines_after_\w+)$"
)
# Names that are not uses of a name: a definition's or attribute's own name, a keyword.
_NOT_USES: dict[type[cst.CSTNode], frozenset[str]] = {
    cst.Attribute: frozenset({"attr"}),
    cst.Arg: frozenset({"keyword"}),
    cst.ImportAlias: frozenset({"name", "asname"}),
    cst.ImportFrom: frozenset({"module"}),
    cst.FunctionDef: frozenset({"name"}),
    cst.ClassDef: frozenset({"name"}),
    cst.Param: frozenset({"name"}),
    cst.AsName: frozenset({"name"}),
    cst.NameItem: frozenset({"name"}),
    cst.TypeParam: frozenset({"param"}),
}
_TRIVIA_TYPES: tuple[type[cst.CSTNode], ...] = (
    cst.BaseParenthesizableWhitespace,
    cst.TrailingWhitespace,
    cst.EmptyLine,
    cst.Newline,
    cst.Comment,
    cst.Comma,
    cst.Semicolon,
    cst.Dot,
    cst.Colon,
    cst.AssignEqual,
    cst.LeftParen,
    cst.RightParen,
    cst.LeftSquareBracket,
    cst.RightSquareBracket,
    cst.LeftCurlyBrace,
    cst.RightCurlyBrace,
    cst.BaseBinaryOp,
    cst.BaseBooleanOp,
    cst.BaseCompOp,
    cst.BaseUnaryOp,
    cst.BaseAugOp,
    cst.Asynchronous,
    cst.ImportStar,
)


@cache
def child_fields(node_type: type[cst.CSTNode]) -> tuple[str, ...]:
    """The fields of a node type that hold code, in the order they appear in the source."""
    try:
        source = inspect.getsource(node_type._visit_and_replace_children)
    except (OSError, TypeError):  # pragma: no cover - libcst ships its sources
        names = list(node_type.__dataclass_fields__)
    else:
        names = re.findall(r"visit_\w+\(\s*self,\s*\"(\w+)\"", source)
    skipped = _NOT_USES.get(node_type, frozenset())
    return tuple(name for name in names if name not in skipped and not _TRIVIA_FIELD.match(name))


_KIND: dict[type, int] = {}
"""Per value type: 0 for nothing to walk, 1 for a node, 2 for a sequence of values."""


def _kind(value_type: type) -> int:
    kind = _KIND.get(value_type)
    if kind is None:
        if issubclass(value_type, tuple | list):
            kind = 2
        elif issubclass(value_type, cst.CSTNode) and not issubclass(value_type, _TRIVIA_TYPES):
            kind = 1
        else:
            kind = 0
        _KIND[value_type] = kind
    return kind


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The children of ``node`` that hold code, in source order."""
    found: list[cst.CSTNode] = []
    for name in child_fields(type(node)):
        value = getattr(node, name)
        kind = _KIND.get(type(value)) if type(value) in _KIND else _kind(type(value))
        if kind == 1:
            found.append(value)
        elif kind == 2:
            for item in value:
                if _KIND.get(type(item)) == 1 or (
                    type(item) not in _KIND and _kind(type(item)) == 1
                ):
                    found.append(item)
    return found


_BLOCK_TYPES = frozenset({cst.Module, cst.IndentedBlock, cst.SimpleStatementSuite})


class Walker:
    """Walks one module once, keeping the context, and calls every rule's handlers."""

    def __init__(
        self,
        context: WalkContext,
        handlers: Mapping[type[cst.CSTNode], Sequence[Handler]],
        leave_handlers: Mapping[type[cst.CSTNode], Sequence[Handler]] | None = None,
    ) -> None:
        self.context = context
        self.handlers = handlers
        self.leave_handlers = leave_handlers or {}
        self.blocks: dict[int, Frame] = {}
        self.handler_of: dict[int, cst.CSTNode] = {}
        self.narrowed: dict[int, int] = {}
        """Blocks whose remaining statements a version check with an early exit narrowed."""
        self.block_stack: list[int] = []

    def walk(self, module: cst.Module) -> None:
        """Visit every node of ``module`` (without recursion, so deep code cannot stop it)."""
        self._prebind(module)
        tracker = self.context.tracker
        top_level = {id(statement): index for index, statement in enumerate(module.body)}
        # (node, 0) enters a node; (node, 1) leaves it.
        stack: list[tuple[cst.CSTNode, int]] = [(module, 0)]
        while stack:
            node, leaving = stack.pop()
            node_type = type(node)
            if leaving:
                self._leave(node, node_type)
                continue
            index = top_level.get(id(node))
            if index is not None:
                self.context.top_index = index
            if node_type in _BLOCK_TYPES:
                tracker.enter_block(node)
            elif node_type in STATEMENT_TYPES:
                tracker.enter_statement(node)
                self.context.memo.clear()
            self._enter(node, node_type)
            stack.append((node, 1))
            stack.extend((child, 0) for child in reversed(children(node)))

    def _enter(self, node: cst.CSTNode, node_type: type[cst.CSTNode]) -> None:
        context = self.context
        frame = self.blocks.get(id(node))
        if frame is not None:
            context.frames.append(frame)
            if frame.scope is not None:
                context.scopes.append(frame.scope)
        if node_type is cst.IndentedBlock or node_type is cst.Module:
            self.block_stack.append(id(node))
        before = _BEFORE.get(node_type)
        if before is not None:
            before(self, node)
        for handler in self.handlers.get(node_type, ()):
            handler(node, context)

    def _leave(self, node: cst.CSTNode, node_type: type[cst.CSTNode]) -> None:
        context = self.context
        for handler in self.leave_handlers.get(node_type, ()):
            handler(node, context)
        after = _AFTER.get(node_type)
        if after is not None:
            after(self, node)
        if node_type is cst.IndentedBlock or node_type is cst.Module:
            self.block_stack.pop()
            for _ in range(self.narrowed.pop(id(node), 0)):
                context.frames.pop()
        frame = self.blocks.get(id(node))
        if frame is not None:
            context.frames.pop()
            if frame.scope is not None:
                context.scopes.pop()
        if node_type in _BLOCK_TYPES:
            context.tracker.leave_block()
        elif node_type in STATEMENT_TYPES:
            context.tracker.leave_statement()

    def _prebind(self, module: cst.Module) -> None:
        # Functions run after the whole module has loaded: they see its definitions.
        for statement in module.body:
            if isinstance(statement, cst.FunctionDef):
                self.context.bind(statement.name.value, UNKNOWN)
            elif isinstance(statement, cst.ClassDef):
                self.context.bind(statement.name.value, Binding(LOCAL + statement.name.value))
                self.context.module_members |= _class_members(statement)

    # Bookkeeping before the rules see a node

    def _import(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.Import)
        for alias in node.names:
            dotted = dotted_name(alias.name)
            top = dotted.partition(".")[0]
            local = top in self.context.local_modules
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.context.bind(alias.asname.name.value, UNKNOWN if local else Binding(dotted))
            else:
                self.context.bind(top, UNKNOWN if local else Binding(top))

    def _import_from(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.ImportFrom)
        module = dotted_name(node.module) if node.module is not None else ""
        local = bool(node.relative) or module.partition(".")[0] in self.context.local_modules
        if isinstance(node.names, cst.ImportStar):
            if not local:
                self.context.star_modules.append(module)
            return
        if module == "__future__" and any(
            dotted_name(alias.name) == "annotations" for alias in node.names
        ):
            self.context.future_annotations = True
        for alias in node.names:
            name = dotted_name(alias.name)
            bound = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                bound = alias.asname.name.value
            self.context.bind(bound, UNKNOWN if local else Binding(f"{module}.{name}"))

    def _function(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.FunctionDef)
        context = self.context
        scope = Scope("function")
        frame = Frame(function=True, coroutine=node.asynchronous is not None, scope=scope)
        params = all_params(node.params)
        for param in params:
            scope.bindings[param.name.value] = self._annotated(param.annotation)
        owner = context.current_class if context.scopes[-1].kind == "class" else None
        window = self._skip_window(node.decorators)
        if owner is not None and node.name.value.startswith("test"):
            # A skip decorator on the class only stops the test runner, which runs the
            # test* methods; a method decorated itself raises SkipTest before its body.
            window = window.intersect(self._skip_window(owner.decorators))
        frame.window = window
        if owner is not None and params and not _has_decorator(node, "staticmethod"):
            first = params[0].name.value
            if _has_decorator(node, "classmethod"):
                scope.bindings[first] = Binding(owner.key)
            else:
                scope.bindings[first] = Binding(owner.key, instance=True)
            visited = node.name.value.removeprefix("visit_")
            if (
                len(params) > 1
                and visited != node.name.value
                and visited[:1].isupper()
                and context.is_subclass(owner.key, _VISITOR_BASES)
            ):
                # ast.NodeVisitor calls visit_<Class>(node) with an instance of ast.<Class>.
                scope.bindings[params[1].name.value] = Binding(f"ast.{visited}", instance=True)
        self.blocks[id(node.body)] = frame

    def _skip_window(self, decorators: Sequence[cst.Decorator]) -> VersionWindow:
        """Where a test decorated with ``unittest.skipIf``/``skipUnless``/``skip`` runs."""
        window = EVERY_VERSION
        for decorator in decorators:
            call = decorator.decorator
            if not isinstance(call, cst.Call):
                continue
            skip = _SKIP_DECORATORS.get(self.context.qualified_name(call.func) or "")
            if skip is None:
                continue
            if skip == "always":
                return NEVER
            windows = self._test_windows(call.args[0].value) if call.args else None
            if windows is not None:
                # skipIf(test) runs the body where the test is false, skipUnless where true.
                window = window.intersect(windows[1] if skip == "if" else windows[0])
        return window

    def _annotated(self, annotation: cst.Annotation | None) -> Binding:
        """A parameter annotated with a class holds an instance of it."""
        if annotation is None:
            return UNKNOWN
        qualified = self.context.qualified_name(annotation.annotation)
        if qualified is None:
            return UNKNOWN
        return Binding(qualified, instance=True)

    def _function_done(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.FunctionDef)
        self.context.bind(node.name.value, UNKNOWN)

    def _lambda(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.Lambda)
        scope = Scope("function", {param.name.value: UNKNOWN for param in all_params(node.params)})
        self.blocks[id(node.body)] = Frame(function=True, scope=scope)

    def _class(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.ClassDef)
        context = self.context
        bases = tuple(
            context.qualified_name(arg.value) if arg.keyword is None else None for arg in node.bases
        )
        key = LOCAL + node.name.value
        if key in context.classes:
            key = f"{key}@{len(context.classes)}"
        local = LocalClass(
            key, node.name.value, bases, _class_members(node), tuple(node.decorators)
        )
        local.attributes = self._instance_attributes(node)
        context.classes[key] = local
        context.bind(node.name.value, Binding(key))
        self.blocks[id(node.body)] = Frame(scope=Scope("class"))
        context.class_stack.append(local)

    def _instance_attributes(self, node: cst.ClassDef) -> dict[str, str | None]:
        """What the methods of a class assign on ``self``, and of which outside class.

        ``self.parser = configparser.ConfigParser()`` in any method types ``self.parser`` in
        every method, unless another assignment disagrees. A value's names resolve in the
        class's enclosing scope, so a method's own names (parameters, locals) shadowing
        them leave the attribute untyped.
        """
        found: dict[str, str | None] = {}
        if not isinstance(node.body, cst.IndentedBlock):
            return found
        for method in node.body.body:
            if not isinstance(method, cst.FunctionDef) or _has_decorator(method, "staticmethod"):
                continue
            params = all_params(method.params)
            if not params or _has_decorator(method, "classmethod"):
                continue
            owner = params[0].name.value
            assignments, local_names = _self_assignments(method.body, owner)
            local_names |= {param.name.value for param in params}
            for attribute, value in assignments:
                made_from = self._constructed(value, local_names)
                if attribute in found and found[attribute] != made_from:
                    made_from = None
                found[attribute] = made_from
        return found

    def _constructed(self, value: cst.BaseExpression | None, shadowed: set[str]) -> str | None:
        """The outside class an assigned value is a new instance of, if the code shows it."""
        if not isinstance(value, cst.Call):
            return None
        root: cst.BaseExpression = value.func
        while isinstance(root, cst.Attribute):
            root = root.value
        if not isinstance(root, cst.Name) or root.value in shadowed:
            return None
        binding = self.context.lookup(root.value)
        if binding is None or binding.instance or binding.qualified is None:
            return None
        made_from = self.context.qualified_name(value.func)
        if made_from is None or made_from.startswith((LOCAL, "builtins.")):
            return None
        return made_from

    def _class_done(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.ClassDef)
        local = self.context.class_stack.pop()
        self.context.bind(node.name.value, Binding(local.key))

    def _try(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.Try | cst.TryStar)
        caught: set[str] = set()
        handlers = []
        for handler in node.handlers:
            names = caught_names(handler)
            caught |= names
            handlers.append((names, raises_again(handler)))
            self.handler_of[id(handler)] = node
        self.blocks[id(node.body)] = Frame(
            caught=frozenset(caught), handlers=tuple(handlers), try_node=node
        )

    def _handler(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.ExceptHandler | cst.ExceptStarHandler)
        statement = self.handler_of.get(id(node))
        if statement is not None:
            window = self._handler_window(statement, caught_names(node))
            if window is not None:
                self.blocks[id(node.body)] = Frame(window=window)
        if node.name is not None and isinstance(node.name.name, cst.Name):
            caught = node.type
            made_from = (
                self.context.qualified_name(caught)
                if isinstance(caught, cst.Name | cst.Attribute)
                else None
            )
            self.context.bind(
                node.name.name.value,
                Binding(made_from, instance=True) if made_from is not None else UNKNOWN,
            )

    def _handler_window(
        self, statement: cst.CSTNode, caught: frozenset[str]
    ) -> VersionWindow | None:
        """Where a handler runs: only where its ``try`` body failed.

        A body that fails on known versions (a removed or a newer API) makes its handler
        run on those versions. A handler for a missing module or name whose body fails on
        no supported version is a fallback for older Pythons and never runs; any other
        handler may run anywhere.
        """
        failures = self.context.try_failures.get(id(statement))
        if failures:
            return _failure_window(failures)
        if (
            caught
            and caught <= _FALLBACK_ERRORS
            and isinstance(statement, cst.Try | cst.TryStar)
            and self._stdlib_only(statement.body)
        ):
            return NEVER
        return None

    def _stdlib_only(self, block: cst.BaseSuite) -> bool:
        """Whether a block only imports or names the standard library (which, outside the
        catalogue, every supported version has), so that it cannot fail on them."""
        statements = block.body
        for statement in statements:
            smalls = (
                statement.body
                if isinstance(statement, cst.SimpleStatementLine)
                else [statement]
                if isinstance(statement, cst.BaseSmallStatement)
                else None
            )
            if smalls is None:
                return False
            for small in smalls:
                if not self._stdlib_statement(small):
                    return False
        return True

    def _stdlib_statement(self, small: cst.CSTNode) -> bool:
        names = stdlib_module_names()
        if isinstance(small, cst.Import):
            return all(dotted_name(alias.name).partition(".")[0] in names for alias in small.names)
        if isinstance(small, cst.ImportFrom):
            module = dotted_name(small.module) if small.module is not None else ""
            return not small.relative and module.partition(".")[0] in names
        if isinstance(small, cst.Assign) and isinstance(small.value, cst.Attribute):
            # Reading a name off an imported stdlib module (not off an object).
            root: cst.BaseExpression = small.value
            while isinstance(root, cst.Attribute):
                root = root.value
            binding = self.context.lookup(root.value) if isinstance(root, cst.Name) else None
            return (
                binding is not None
                and not binding.instance
                and binding.qualified is not None
                and binding.qualified.partition(".")[0] in names - {"builtins"}
            )
        return isinstance(small, cst.Pass)

    def _if(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.If)
        windows = self._test_windows(node.test)
        if windows is not None:
            self.blocks[id(node.body)] = Frame(window=windows[0])
            if node.orelse is not None:
                self.blocks[id(_else_block(node.orelse))] = Frame(window=windows[1])
            return
        tested = self._feature_test(node.test)
        if tested is not None:
            present, missing = tested
            self.blocks[id(node.body)] = present
            if node.orelse is not None:
                self.blocks[id(_else_block(node.orelse))] = missing

    def _if_done(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.If)
        if node.orelse is not None or not self.block_stack or not exits_block(node.body):
            return
        windows = self._test_windows(node.test)
        if windows is None:
            return
        # "if sys.version_info < (3, 10): raise ..." leaves the rest of the block to 3.10+.
        self.context.frames.append(Frame(window=windows[1]))
        block = self.block_stack[-1]
        self.narrowed[block] = self.narrowed.get(block, 0) + 1

    def _if_expression(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.IfExp)
        windows = self._test_windows(node.test)
        if windows is not None:
            self.blocks[id(node.body)] = Frame(window=windows[0])
            self.blocks[id(node.orelse)] = Frame(window=windows[1])
            return
        tested = self._feature_test(node.test)
        if tested is not None:
            self.blocks[id(node.body)], self.blocks[id(node.orelse)] = tested

    def _boolean(self, node: cst.CSTNode) -> None:
        """``a and b`` evaluates ``b`` only where ``a`` is true; ``a or b`` where it is false."""
        assert isinstance(node, cst.BooleanOperation)
        side = 0 if isinstance(node.operator, cst.And) else 1
        windows = self._test_windows(node.left)
        if windows is not None:
            self.blocks[id(node.right)] = Frame(window=windows[side])
            return
        tested = self._feature_test(node.left)
        if tested is not None:
            self.blocks[id(node.right)] = tested[side]

    def _test_windows(self, test: cst.BaseExpression) -> tuple[VersionWindow, VersionWindow] | None:
        windows = version_windows(test, frozenset(self.context.version_aliases))
        if windows is not None:
            return windows
        windows = constant_windows(test)
        if windows is not None:
            return windows
        negated = isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not)
        inner = test.expression if isinstance(test, cst.UnaryOperation) and negated else test
        if isinstance(inner, cst.Name) and inner.value in self.context.version_flags:
            flag = self.context.version_flags[inner.value]
            return (flag[1], flag[0]) if negated else flag
        return None

    def _feature_test(self, test: cst.BaseExpression) -> tuple[Frame, Frame] | None:
        """``hasattr(module, "name")``: the name exists in the body, not in the else branch.

        Also ``hasattr(obj, "name")`` on an object of a known class, and a module looked up
        with ``importlib.util.find_spec("name")`` (``is not None``, or its truth).
        """
        negated = isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not)
        inner = test.expression if isinstance(test, cst.UnaryOperation) and negated else test
        if isinstance(inner, cst.Comparison) and len(inner.comparisons) == 1:
            comparison = inner.comparisons[0]
            if isinstance(comparison.comparator, cst.Name) and comparison.comparator.value == (
                "None"
            ):
                if isinstance(comparison.operator, cst.Is):
                    negated = not negated
                elif not isinstance(comparison.operator, cst.IsNot):
                    return None
                inner = inner.left
                if not self._is_module_lookup(inner):
                    return None
        tested = self._tested_symbol(inner)
        if tested is None:
            return None
        present = Frame(tested=frozenset({tested}), window=_presence_window(tested))
        missing = Frame(window=_absence_window(tested))
        return (missing, present) if negated else (present, missing)

    def _is_module_lookup(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Call) and (
            self.context.qualified_name(node.func) in _MODULE_LOOKUPS
        )

    def _tested_symbol(self, test: cst.BaseExpression) -> str | None:
        if not isinstance(test, cst.Call):
            return None
        if self._is_module_lookup(test):
            # find_spec("name") is None exactly where the module is missing.
            module = test.args[0].value if len(test.args) == 1 else None
            if isinstance(module, cst.SimpleString) and test.args[0].keyword is None:
                name = module.evaluated_value
                return name if isinstance(name, str) and name else None
            return None
        if not (
            isinstance(test.func, cst.Name)
            and test.func.value in {"hasattr", "getattr"}
            and len(test.args) >= 2
        ):
            return None
        attribute = test.args[1].value
        if not isinstance(attribute, cst.SimpleString):
            return None
        name = attribute.evaluated_value
        if not isinstance(name, str):
            return None
        subject = test.args[0].value
        owner = self.context.qualified_name(subject)
        if owner is not None:
            return f"{owner}.{name}"
        # An object of a known class: the attribute is looked up through the class, as the
        # guarded code's use of it will be (hasattr(path, "walk") guards path.walk()).
        made_from = self.context.type_of(subject)
        if made_from is None:
            return None
        return self.context.class_member(made_from, name)

    def _with(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.With)
        caught: set[str] = set()
        for item in node.items:
            call = item.item
            if (
                isinstance(call, cst.Call)
                and self.context.qualified_name(call.func) == "contextlib.suppress"
            ):
                for arg in call.args:
                    if isinstance(arg.value, cst.Name | cst.Attribute):
                        caught.add(dotted_name(arg.value).rpartition(".")[2])
        if caught:
            self.blocks[id(node.body)] = Frame(caught=frozenset(caught))

    def _assign(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.Assign)
        value = node.value
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self._bind_value(target.target.value, value)
            else:
                self._bind_targets(target.target)

    def _bind_value(self, name: str, value: cst.BaseExpression | None) -> None:
        context = self.context
        if value is None:
            context.bind(name, UNKNOWN)
            return
        aliases = frozenset(context.version_aliases)
        if is_version_info(value, aliases):
            context.version_aliases.add(name)
        else:
            context.version_aliases.discard(name)
        windows = version_windows(value, aliases)
        if windows is not None:
            context.version_flags[name] = windows
        if isinstance(value, cst.Call):
            made_from = context.type_of(value)
            context.bind(name, Binding(made_from, instance=True) if made_from else UNKNOWN)
            return
        if isinstance(value, cst.Name | cst.Attribute):
            if isinstance(value, cst.Name):
                binding = context.lookup(value.value)
                context.bind(name, binding if binding is not None else UNKNOWN)
                return
            qualified = context.qualified_name(value)
            held = context.type_of(value) if qualified is None else None
            context.bind(name, Binding(held, instance=True) if held else Binding(qualified))
            return
        if isinstance(value, cst.Dict):
            context.bind(name, Binding("builtins.dict", instance=True, keys=literal_keys(value)))
            return
        made_from = context.type_of(value)
        context.bind(name, Binding(made_from, instance=True) if made_from else UNKNOWN)

    def _annotated_assign(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.AnnAssign)
        if isinstance(node.target, cst.Name):
            if node.value is not None:
                self._bind_value(node.target.value, node.value)
            else:
                self.context.bind(node.target.value, self._annotated(node.annotation))
        else:
            self._bind_targets(node.target)

    def _targets(self, node: cst.CSTNode) -> None:
        target = getattr(node, "target", None)
        if isinstance(target, cst.BaseExpression):
            self._bind_targets(target)

    def _with_item(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.WithItem)
        if node.asname is None:
            return
        target = node.asname.name
        entered = self._entered_instance(node.item)
        if isinstance(target, cst.Name) and entered is not None:
            self.context.bind(target.value, Binding(entered, instance=True))
        else:
            self._bind_targets(target)

    def _entered_instance(self, item: cst.BaseExpression) -> str | None:
        """The class of what ``with Class(...) as name`` binds, where ``__enter__`` returns
        the instance itself: a stdlib class, or a local class that inherits ``__enter__``."""
        if not isinstance(item, cst.Call):
            return None
        made_from = self.context.type_of(item)
        local = self.context.local_class(made_from)
        if local is not None and ("__enter__" in local.members or local.first_base is None):
            return None
        outside = self.context.resolve_class(made_from)
        if outside is None or outside in _OTHER_ENTER_RESULTS:
            return None
        # A class by its name: a function's result (``open``, ``os.scandir``) is not typed.
        if not outside.rpartition(".")[2][:1].isupper():
            return None
        return made_from

    def _bind_targets(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.context.bind(target.value, UNKNOWN)
        elif isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                self._bind_targets(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind_targets(target.value)


def _failure_window(
    failures: Sequence[tuple[PythonVersion | None, PythonVersion | None]],
) -> VersionWindow:
    """The versions on which at least one of ``failures`` happens, as one window."""
    from_version = min((breaks for breaks, _ in failures if breaks is not None), default=None)
    below_version = max((needs for _, needs in failures if needs is not None), default=None)
    if from_version is not None and below_version is not None:
        return EVERY_VERSION
    if from_version is not None:
        return VersionWindow(from_version, None)
    return VersionWindow(None, below_version)


def _presence_window(symbol: str) -> VersionWindow:
    row = _catalogue_row(symbol)
    if row is None:
        return EVERY_VERSION
    return VersionWindow(row.added, row.removed)


def _absence_window(symbol: str) -> VersionWindow:
    row = _catalogue_row(symbol)
    if row is None:
        # The catalogue lists every stdlib name added or removed between 3.9 and the newest
        # runtime, so a name this interpreter's stdlib binds and the catalogue does not list
        # exists on all of them: the branch for its absence never runs
        # (``hasattr(inspect, "signature")``, present since 3.3).
        return NEVER if stdlib_binds(symbol) else EVERY_VERSION
    if row.removed is not None and row.added is None:
        return VersionWindow(row.removed, None)
    if row.added is not None and row.removed is None:
        return VersionWindow(None, row.added)
    return EVERY_VERSION


def _catalogue_row(symbol: str) -> Any:
    from analyzer.rules.catalogue import load_catalogue

    catalogue = load_catalogue()
    return catalogue.names.get(symbol) or catalogue.modules.get(symbol)


def _else_block(orelse: cst.If | cst.Else) -> cst.CSTNode:
    return orelse.body if isinstance(orelse, cst.Else) else orelse


def _class_members(node: cst.ClassDef) -> frozenset[str]:
    names: set[str] = set()
    if not isinstance(node.body, cst.IndentedBlock):
        return frozenset()
    for statement in node.body.body:
        if isinstance(statement, cst.FunctionDef | cst.ClassDef):
            names.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    for target in small.targets:
                        if isinstance(target.target, cst.Name):
                            names.add(target.target.value)
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    names.add(small.target.value)
    return frozenset(names)


def _self_assignments(
    body: cst.BaseSuite, owner: str
) -> tuple[list[tuple[str, cst.BaseExpression | None]], set[str]]:
    """The ``owner.attribute = value`` assignments of a method body (not of functions or
    classes inside it), and the plain names the body binds."""
    assignments: list[tuple[str, cst.BaseExpression | None]] = []
    names: set[str] = set()
    stack: list[cst.CSTNode] = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.FunctionDef | cst.ClassDef | cst.Lambda):
            continue
        targets: list[cst.BaseExpression] = []
        value: cst.BaseExpression | None = None
        if isinstance(node, cst.Assign):
            targets, value = [target.target for target in node.targets], node.value
        elif isinstance(node, cst.AnnAssign | cst.AugAssign):
            targets, value = [node.target], node.value if isinstance(node, cst.AnnAssign) else None
        elif isinstance(node, cst.For | cst.CompFor | cst.NamedExpr):
            targets = [node.target]
        elif isinstance(node, cst.WithItem) and node.asname is not None:
            targets = [node.asname.name]
        for target in targets:
            _collect_targets(
                target, value if len(targets) == 1 else None, owner, assignments, names
            )
        stack.extend(children(node))
    return assignments, names


def _collect_targets(
    target: cst.BaseExpression,
    value: cst.BaseExpression | None,
    owner: str,
    assignments: list[tuple[str, cst.BaseExpression | None]],
    names: set[str],
) -> None:
    if isinstance(target, cst.Name):
        names.add(target.value)
    elif isinstance(target, cst.Attribute):
        if isinstance(target.value, cst.Name) and target.value.value == owner:
            assignments.append((target.attr.value, value))
    elif isinstance(target, cst.Tuple | cst.List):
        for element in target.elements:
            _collect_targets(element.value, None, owner, assignments, names)
    elif isinstance(target, cst.StarredElement):
        _collect_targets(target.value, None, owner, assignments, names)


def _has_decorator(node: cst.FunctionDef, name: str) -> bool:
    return any(
        isinstance(decorator.decorator, cst.Name) and decorator.decorator.value == name
        for decorator in node.decorators
    )


def all_params(params: cst.Parameters) -> list[cst.Param]:
    """Every parameter of a signature, in order, including ``*args`` and ``**kwargs``."""
    collected = [*params.posonly_params, *params.params]
    if isinstance(params.star_arg, cst.Param):
        collected.append(params.star_arg)
    collected.extend(params.kwonly_params)
    if params.star_kwarg is not None:
        collected.append(params.star_kwarg)
    return collected


def literal_keys(display: cst.Dict) -> frozenset[str]:
    """The plain string keys of a dict display (``{"loop": loop}`` gives ``loop``)."""
    keys = set()
    for element in display.elements:
        if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
            value = element.key.evaluated_value
            if isinstance(value, str):
                keys.add(value)
    return frozenset(keys)


def dotted_name(node: cst.CSTNode) -> str:
    """``a.b.c`` for a chain of names and attributes; ``""`` for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        inner = dotted_name(node.value)
        return f"{inner}.{node.attr.value}" if inner else ""
    return ""


_BEFORE: dict[type[cst.CSTNode], Callable[[Walker, cst.CSTNode], None]] = {
    cst.Import: Walker._import,
    cst.ImportFrom: Walker._import_from,
    cst.FunctionDef: Walker._function,
    cst.Lambda: Walker._lambda,
    cst.ClassDef: Walker._class,
    cst.Try: Walker._try,
    cst.TryStar: Walker._try,
    cst.ExceptHandler: Walker._handler,
    cst.ExceptStarHandler: Walker._handler,
    cst.If: Walker._if,
    cst.IfExp: Walker._if_expression,
    cst.BooleanOperation: Walker._boolean,
    cst.With: Walker._with,
    cst.Assign: Walker._assign,
    cst.AnnAssign: Walker._annotated_assign,
    cst.AugAssign: Walker._targets,
    cst.For: Walker._targets,
    cst.CompFor: Walker._targets,
    cst.NamedExpr: Walker._targets,
    cst.WithItem: Walker._with_item,
}
_AFTER: dict[type[cst.CSTNode], Callable[[Walker, cst.CSTNode], None]] = {
    cst.FunctionDef: Walker._function_done,
    cst.ClassDef: Walker._class_done,
    cst.If: Walker._if_done,
}
