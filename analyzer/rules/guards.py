"""Guards that keep version-sensitive code from running where it would fail.

Two kinds: exception handlers (``try``/``except ImportError``) and version checks
(``if sys.version_info >= (3, 10):``), each read from libcst nodes.
"""

from __future__ import annotations

import ast
import logging
import sys
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import libcst as cst

from analyzer.models import PythonVersion

_LOG = logging.getLogger(__name__)

# Which handler names absorb a failure of each exception type (its bases included).
_BASES: dict[str, frozenset[str]] = {
    "ModuleNotFoundError": frozenset({"ModuleNotFoundError", "ImportError"}),
    "ImportError": frozenset({"ImportError"}),
    "AttributeError": frozenset({"AttributeError"}),
    "TypeError": frozenset({"TypeError"}),
    "ValueError": frozenset({"ValueError"}),
    "RuntimeError": frozenset({"RuntimeError"}),
    "NameError": frozenset({"NameError"}),
    "KeyError": frozenset({"KeyError", "LookupError"}),
    "error": frozenset({"error", "PatternError"}),
    "SyntaxError": frozenset(),
}
_CATCH_ALL = frozenset({"*", "Exception", "BaseException"})


def absorbs(caught: frozenset[str], failure: str) -> bool:
    """Whether an ``except`` catching ``caught`` absorbs an exception of type ``failure``.

    ``failure`` is a class name, qualified or not (``re.error``, ``TypeError``).
    """
    if caught & _CATCH_ALL:
        return True
    name = failure.rpartition(".")[2]
    return bool(caught & _BASES.get(name, frozenset({name})))


def caught_names(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> frozenset[str]:
    """The exception class names a handler catches; ``*`` for a bare ``except:``."""
    if handler.type is None:
        return frozenset({"*"})
    nodes: list[cst.BaseExpression]
    if isinstance(handler.type, cst.Tuple):
        nodes = [element.value for element in handler.type.elements]
    else:
        nodes = [handler.type]
    names = set()
    for node in nodes:
        if isinstance(node, cst.Name):
            names.add(node.value)
        elif isinstance(node, cst.Attribute):
            names.add(node.attr.value)
    return frozenset(names)


@dataclass(frozen=True)
class VersionWindow:
    """The Python versions on which a block of code runs: ``low <= version < high``."""

    low: PythonVersion | None = None
    high: PythonVersion | None = None

    def intersect(self, other: VersionWindow) -> VersionWindow:
        low = max((v for v in (self.low, other.low) if v is not None), default=None)
        high = min((v for v in (self.high, other.high) if v is not None), default=None)
        return VersionWindow(low, high)

    @property
    def empty(self) -> bool:
        """Whether the block runs on no version at all (``if TYPE_CHECKING:``)."""
        return self.low is not None and self.high is not None and self.low >= self.high

    def excludes_from(self, version: PythonVersion) -> bool:
        """Whether the block never runs on ``version`` or anything later."""
        return self.high is not None and self.high <= version

    def excludes_before(self, version: PythonVersion) -> bool:
        """Whether the block never runs on anything older than ``version``."""
        return self.low is not None and self.low >= version


EVERY_VERSION = VersionWindow()
NEVER = VersionWindow((0, 0), (0, 0))

_EXIT_CALLS = frozenset({"sys.exit", "exit", "quit", "os._exit", "os.abort"})


def exits_block(block: cst.BaseSuite) -> bool:
    """Whether a block always leaves the code after it: it ends in raise, return or exit."""
    final = _final_simple_statement(block)
    if final is None:
        return False
    if isinstance(final, cst.Raise | cst.Return | cst.Continue | cst.Break):
        return True
    if isinstance(final, cst.Expr) and isinstance(final.value, cst.Call):
        return _dotted(final.value.func) in _EXIT_CALLS
    return False


def raises_again(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
    """Whether a handler ends by raising (``raise``, or ``raise Other(...)``): the failure
    it caught still stops the code, so it absorbs nothing."""
    return isinstance(_final_simple_statement(handler.body), cst.Raise)


def _final_simple_statement(block: cst.BaseSuite) -> cst.CSTNode | None:
    """The last small statement of a block, when the block ends in one (not a compound
    statement such as ``if``)."""
    body = block.body
    if not body:
        return None
    last = body[-1]
    statements: Sequence[cst.CSTNode]
    if isinstance(last, cst.SimpleStatementLine):
        statements = last.body
    elif isinstance(last, cst.BaseSmallStatement):
        statements = [last]
    else:
        return None
    return statements[-1] if statements else None


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def version_windows(
    test: cst.BaseExpression, aliases: frozenset[str] = frozenset()
) -> tuple[VersionWindow, VersionWindow] | None:
    """The windows in which a test is true and false, when it checks the Python version.

    Understood: ``sys.version_info`` (or ``version_info``) compared with a tuple, its
    ``[:2]`` slice, ``[0]``/``[1]`` items and ``.major``/``.minor`` attributes,
    ``sys.hexversion``, either side of the operator, ``not``, ``and``, ``or``, and the
    flags ``PY2``, ``PY3`` and ``TYPE_CHECKING``. ``aliases`` are names bound to
    ``sys.version_info`` (``py = sys.version_info``).
    """
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = version_windows(test.expression, aliases)
        return (inner[1], inner[0]) if inner else None
    if isinstance(test, cst.BooleanOperation):
        left, right = version_windows(test.left, aliases), version_windows(test.right, aliases)
        if isinstance(test.operator, cst.And):
            if left and right:
                # The false side of "a and b" is not one window; keep what is certain.
                return left[0].intersect(right[0]), EVERY_VERSION
            certain = left or right
            return (certain[0], EVERY_VERSION) if certain else None
        if left and right:
            return EVERY_VERSION, left[1].intersect(right[1])
        return None
    if isinstance(test, cst.Name | cst.Attribute):
        return _flag_window(test)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        return _comparison_window(test.left, test.comparisons[0], aliases)
    return None


def constant_windows(test: cst.BaseExpression) -> tuple[VersionWindow, VersionWindow] | None:
    """The windows of a test that is a constant: ``if False:`` and ``if 0:`` never run their
    body, ``if True:`` never runs its ``else``.

    Only a literal counts; a name bound to a constant (``DEBUG = False``) may be changed
    from outside the module.
    """
    value: object
    if isinstance(test, cst.Name) and test.value in {"True", "False", "None"}:
        value = {"True": True, "False": False, "None": None}[test.value]
    elif isinstance(test, cst.Integer):
        value = _integer(test)
        if value is None:
            return None
    else:
        return None
    return (EVERY_VERSION, NEVER) if value else (NEVER, EVERY_VERSION)


def _flag_window(test: cst.Name | cst.Attribute) -> tuple[VersionWindow, VersionWindow] | None:
    name = test.value if isinstance(test, cst.Name) else test.attr.value
    if name == "TYPE_CHECKING":
        return NEVER, EVERY_VERSION
    if name == "PY2":
        return VersionWindow(None, (3, 0)), VersionWindow((3, 0), None)
    if name == "PY3":
        return VersionWindow((3, 0), None), VersionWindow(None, (3, 0))
    return None


_FLIP = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "==": "==", "!=": "!="}


def _comparison_window(
    left: cst.BaseExpression, target: cst.ComparisonTarget, aliases: frozenset[str] = frozenset()
) -> tuple[VersionWindow, VersionWindow] | None:
    operator = _operator_text(target.operator)
    if operator is None:
        return None
    subject, bound = _version_subject(left, aliases), _literal_version(target.comparator)
    if subject is None or bound is None:
        subject, bound = _version_subject(target.comparator, aliases), _literal_version(left)
        operator = _FLIP[operator]
    if subject is None or bound is None:
        return None
    true_side = _window(subject, bound, operator)
    false_side = _window(subject, bound, _NEGATE[operator])
    if true_side is None or false_side is None:
        return None
    return true_side, false_side


_NEGATE = {">=": "<", "<": ">=", ">": "<=", "<=": ">", "==": "!=", "!=": "=="}


def _window(subject: str, bound: tuple[int, ...], operator: str) -> VersionWindow | None:
    """The feature releases on which ``subject operator bound`` can be true.

    Each window is the smallest one sure to contain every release where the test holds,
    so that code is never taken for unreachable when some patch release runs it.
    """
    if subject == "hex":
        number = bound[0]
        bound = ((number >> 24) & 0xFF, (number >> 16) & 0xFF, number & 0xFFFF)
        subject = "full"
    if subject == "full":
        if operator in {"==", "!="}:
            return None
        release = (bound[0], bound[1] if len(bound) > 1 else 0)
        # The full version_info is longer than any tuple it is compared with, so it is
        # greater than its own release's prefix: "> (3, 9)" holds on 3.9.0 already.
        if len(bound) <= 2 or not any(bound[2:]):
            if len(bound) == 1:
                release = (bound[0], 0)
            return (
                VersionWindow(release, None)
                if operator in {">=", ">"}
                else VersionWindow(None, release)
            )
        following = (release[0], release[1] + 1)
        if operator in {">=", ">"}:
            return VersionWindow(release, None)
        return VersionWindow(None, following)
    if subject == "major":
        release, following = (bound[0], 0), (bound[0] + 1, 0)
    elif subject == "minor":
        minor = bound[0] if len(bound) == 1 else bound[1]
        release, following = (3, minor), (3, minor + 1)
    else:
        release = (bound[0], bound[1] if len(bound) > 1 else 0)
        following = (release[0], release[1] + 1)
    windows = {
        ">=": VersionWindow(release, None),
        ">": VersionWindow(following, None),
        "<": VersionWindow(None, release),
        "<=": VersionWindow(None, following),
        "==": VersionWindow(release, following),
        # For Python 3 code, another major version than 2 means 3.
        "!=": VersionWindow(following, None) if subject == "major" else EVERY_VERSION,
    }
    return windows[operator]


def _operator_text(operator: cst.BaseCompOp) -> str | None:
    table = {
        cst.GreaterThanEqual: ">=",
        cst.LessThanEqual: "<=",
        cst.GreaterThan: ">",
        cst.LessThan: "<",
        cst.Equal: "==",
        cst.NotEqual: "!=",
    }
    return table.get(type(operator))


def _version_subject(node: cst.BaseExpression, aliases: frozenset[str] = frozenset()) -> str | None:
    """Recognise ``sys.version_info`` and its parts: ``full``, ``major`` or ``minor``."""
    if is_version_info(node, aliases):
        return "full"
    if isinstance(node, cst.Subscript) and is_version_info(node.value, aliases):
        element = node.slice[0].slice if len(node.slice) == 1 else None
        if isinstance(element, cst.Slice) and element.lower is None and element.step is None:
            upper = _integer(element.upper)
            return {1: "major", 2: "release"}.get(upper) if upper is not None else None
        if isinstance(element, cst.Index):
            index = _integer(element.value)
            return {0: "major", 1: "minor"}.get(index) if index is not None else None
        return None
    if isinstance(node, cst.Attribute) and is_version_info(node.value, aliases):
        return {"major": "major", "minor": "minor"}.get(node.attr.value)
    if _is_hexversion(node):
        return "hex"
    return None


def is_version_info(node: cst.BaseExpression, aliases: frozenset[str] = frozenset()) -> bool:
    """Whether ``node`` is ``sys.version_info``, or a name bound to it (one of ``aliases``)."""
    if isinstance(node, cst.Attribute) and node.attr.value == "version_info":
        return isinstance(node.value, cst.Name) and node.value.value == "sys"
    return isinstance(node, cst.Name) and (node.value == "version_info" or node.value in aliases)


def _is_hexversion(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Attribute) and node.attr.value == "hexversion":
        return isinstance(node.value, cst.Name) and node.value.value == "sys"
    return isinstance(node, cst.Name) and node.value == "hexversion"


def _literal_version(node: cst.BaseExpression) -> tuple[int, ...] | None:
    if isinstance(node, cst.Tuple):
        numbers = [_integer(element.value) for element in node.elements]
        if numbers and all(number is not None for number in numbers):
            return tuple(n for n in numbers if n is not None)
        return None
    number = _integer(node)
    return (number,) if number is not None else None


def _integer(node: cst.BaseExpression | None) -> int | None:
    if isinstance(node, cst.Integer):
        try:
            return int(node.value, 0)
        except ValueError:
            return None
    return None


def stdlib_binds(symbol: str) -> bool:
    """Whether this interpreter's standard library binds ``symbol`` (``inspect.signature``)
    unconditionally, at the top level of its module.

    Read without running the module: built-in modules (compiled into the interpreter, so
    importing one runs no Python code) are listed with ``dir``; a pure-Python module's
    source is parsed and only its unconditional top-level bindings count, since a name bound
    under ``if`` or ``try`` may be platform-specific (``subprocess.STARTUPINFO``). Extension
    modules in ``lib-dynload`` cannot be read this way and count as unknown.
    """
    module, _, name = symbol.rpartition(".")
    if not module or not name:
        return False
    names = _module_bindings(module)
    return names is not None and name in names


@cache
def _module_bindings(module: str) -> frozenset[str] | None:
    if module.partition(".")[0] not in sys.stdlib_module_names:
        return None
    if module in sys.builtin_module_names:
        return frozenset(dir(__import__(module)))
    source = _stdlib_source(module)
    if source is None:
        return None
    try:
        tree = ast.parse(source.read_bytes(), str(source))
    except (OSError, SyntaxError, ValueError) as error:
        _LOG.debug("cannot read the stdlib module %s: %s", module, error)
        return None
    names: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(statement.name)
        elif isinstance(statement, ast.Import | ast.ImportFrom):
            for alias in statement.names:
                if alias.name == "*" and isinstance(statement, ast.ImportFrom):
                    star = _module_bindings(statement.module or "")
                    names |= {n for n in star or () if not n.startswith("_")}
                else:
                    names.add(alias.asname or alias.name.partition(".")[0])
        elif isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                names |= {node.id for node in ast.walk(target) if isinstance(node, ast.Name)}
    return frozenset(names)


def _stdlib_source(module: str) -> Path | None:
    root = Path(sysconfig.get_paths()["stdlib"])
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def stdlib_has_module(dotted: str) -> bool:
    """Whether this interpreter's standard library has the module ``dotted``, read from its
    files (built-in modules, sources, packages, ``lib-dynload`` extensions), importing nothing.
    """
    if dotted.partition(".")[0] not in sys.stdlib_module_names:
        return False
    if dotted in sys.builtin_module_names or _stdlib_source(dotted) is not None:
        return True
    dynload = Path(sysconfig.get_paths()["stdlib"]) / "lib-dynload"
    return "." not in dotted and any(dynload.glob(f"{dotted}.*.so"))
