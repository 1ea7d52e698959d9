"""Guards that keep version-sensitive code from running where it would fail.

Two kinds: exception handlers (``try``/``except ImportError``) and version checks
(``if sys.version_info >= (3, 10):``), each read from libcst nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from analyzer.models import PythonVersion

# Which handler names absorb a failure of each exception type (its bases included).
_BASES: dict[str, frozenset[str]] = {
    "ModuleNotFoundError": frozenset({"ModuleNotFoundError", "ImportError"}),
    "ImportError": frozenset({"ImportError"}),
    "AttributeError": frozenset({"AttributeError"}),
    "TypeError": frozenset({"TypeError"}),
    "ValueError": frozenset({"ValueError"}),
    "RuntimeError": frozenset({"RuntimeError"}),
    "NameError": frozenset({"NameError"}),
    "SyntaxError": frozenset(),
}
_CATCH_ALL = frozenset({"*", "Exception", "BaseException"})


def absorbs(caught: frozenset[str], failure: str) -> bool:
    """Whether an ``except`` catching ``caught`` absorbs an exception of type ``failure``."""
    if caught & _CATCH_ALL:
        return True
    return bool(caught & _BASES.get(failure, frozenset({failure})))


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

    def excludes_from(self, version: PythonVersion) -> bool:
        """Whether the block never runs on ``version`` or anything later."""
        return self.high is not None and self.high <= version

    def excludes_before(self, version: PythonVersion) -> bool:
        """Whether the block never runs on anything older than ``version``."""
        return self.low is not None and self.low >= version


EVERY_VERSION = VersionWindow()
NEVER = VersionWindow((0, 0), (0, 0))


def version_windows(test: cst.BaseExpression) -> tuple[VersionWindow, VersionWindow] | None:
    """The windows in which an ``if`` test is true and false, when it is a version check."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = version_windows(test.expression)
        return (inner[1], inner[0]) if inner else None
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        left, right = version_windows(test.left), version_windows(test.right)
        if left and right:
            # The false side of "a and b" is not one window; keep what is certain.
            return left[0].intersect(right[0]), EVERY_VERSION
        return None
    if isinstance(test, cst.Name | cst.Attribute):
        return _flag_window(test)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        return _comparison_window(test.left, test.comparisons[0])
    return None


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
    left: cst.BaseExpression, target: cst.ComparisonTarget
) -> tuple[VersionWindow, VersionWindow] | None:
    operator = _operator_text(target.operator)
    if operator is None:
        return None
    right = target.comparator
    subject, bound = _version_subject(left), _literal_version(right)
    if subject is None or bound is None:
        subject, bound = _version_subject(right), _literal_version(left)
        operator = _FLIP[operator]
    if subject is None or bound is None:
        return None
    kind, exact_pair = subject
    if kind == "minor":
        bound = (3, bound[0]) if len(bound) == 1 else bound
    elif kind == "major" and len(bound) == 1:
        bound = (bound[0], 0)
        exact_pair = True
        if operator == ">":
            operator, bound = ">=", (bound[0] + 1, 0)
        elif operator == "<=":
            operator, bound = "<", (bound[0] + 1, 0)
    version = (bound[0], bound[1] if len(bound) > 1 else 0)
    # The full sys.version_info is longer than a pair, so "> (3, 9)" holds on 3.9.0.
    if operator == ">" and (exact_pair or len(bound) > 2):
        operator, version = ">=", (version[0], version[1] + 1)
    elif operator == ">":
        operator = ">="
    elif operator == "<=" and (exact_pair or len(bound) > 2):
        operator, version = "<", (version[0], version[1] + 1)
    elif operator == "<=":
        operator = "<"
    if operator == ">=":
        return VersionWindow(version, None), VersionWindow(None, version)
    if operator == "<":
        return VersionWindow(None, version), VersionWindow(version, None)
    if operator == "==" and exact_pair:
        following = (version[0], version[1] + 1)
        return VersionWindow(version, following), EVERY_VERSION
    return None


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


def _version_subject(node: cst.BaseExpression) -> tuple[str, bool] | None:
    """Recognise ``sys.version_info`` and its slices: (kind, compares as an exact pair)."""
    if _is_version_info(node):
        return "full", False
    if isinstance(node, cst.Subscript) and _is_version_info(node.value):
        element = node.slice[0].slice if len(node.slice) == 1 else None
        if (
            isinstance(element, cst.Slice)
            and _integer(element.upper) == 2
            and element.lower is None
        ):
            return "full", True
        if isinstance(element, cst.Index):
            index = _integer(element.value)
            if index == 0:
                return "major", True
            if index == 1:
                return "minor", True
        return None
    if isinstance(node, cst.Attribute) and _is_version_info(node.value):
        if node.attr.value == "major":
            return "major", True
        if node.attr.value == "minor":
            return "minor", True
    return None


def _is_version_info(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Attribute) and node.attr.value == "version_info":
        return isinstance(node.value, cst.Name) and node.value.value == "sys"
    return isinstance(node, cst.Name) and node.value == "version_info"


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
