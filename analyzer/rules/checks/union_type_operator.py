"""``X | Y`` type unions evaluated at run time: new in Python 3.10 (PEP 604)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceFacts, SourceRule
from analyzer.rules.walker import LOCAL, WalkContext

_BUILTIN_TYPES = frozenset(
    f"builtins.{name}"
    for name in (
        "int",
        "str",
        "float",
        "bytes",
        "bool",
        "complex",
        "list",
        "dict",
        "set",
        "frozenset",
        "tuple",
        "type",
        "object",
        "bytearray",
        "memoryview",
        "range",
        "slice",
    )
)
_CHECKS = frozenset({"builtins.isinstance", "builtins.issubclass"})
_EVALUATED = re.compile(
    r"\b(?:isinstance|issubclass)[ \t]*\([^\n]*\|"
    r"|^[ \t]*\w+[ \t]*=[^=\n]*\|[ \t]*(?:None|int|str|float|bytes|bool|list|dict|set|tuple"
    r"|type|object)\b",
    re.MULTILINE,
)


def unions(node: cst.CSTNode) -> Iterator[cst.BinaryOperation]:
    """The outermost ``|`` operations inside an expression, strings excluded."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        yield node
        return
    if isinstance(node, cst.BaseString | cst.Lambda):
        return
    for child in node.children:
        yield from unions(child)


class UnionTypeOperator(SourceRule):
    """``int | None`` where Python evaluates it: ``isinstance`` and ``issubclass``
    arguments, annotations of functions and of module or class attributes (without
    ``from __future__ import annotations``), and type aliases.

    Before 3.10, types do not support ``|``: ``TypeError: unsupported operand type(s)
    for |: 'type' and 'NoneType'``. Annotations inside a function body, string
    annotations and postponed annotations are never evaluated and stay silent.
    """

    RULE_ID = "needs-newer-stdlib"
    CATEGORY = Category.NEEDS_NEWER_STDLIB
    HINTS = ("|",)
    TRIGGER = re.compile(
        r"\|[ \t]*(?:[A-Za-z_]\w*[ \t]*\.[ \t]*)*(?:None|int|str|float|bytes|bool|list|dict|set"
        r"|tuple|type|object|complex|frozenset|[A-Z][A-Za-z0-9_]*[a-z])\b"
    )
    SOURCE = "What's New In Python 3.10 > New Features: PEP 604, union types as X | Y"
    REQUIRES = (3, 10)
    FAILURE = "TypeError"
    FIX = "use typing.Optional/typing.Union, or add 'from __future__ import annotations'"
    FLAGGED = (
        "value = 3\nprint(isinstance(value, int | str))  # flagged: types.UnionType\n",
        "def lookup(key: str, default: int | None = None):  # flagged: types.UnionType\n"
        "    return default\n\n\nprint(lookup('k'))\n",
        "Number = int | float  # flagged: types.UnionType\nprint(Number)\n",
        "class Config:\n    region: str | None = None  # flagged: types.UnionType\n\n\n"
        "print(Config.region)\n",
    )
    CLEAN = (
        "from __future__ import annotations\n\n\n"
        "def lookup(key: str, default: int | None = None) -> int | None:\n"
        "    return default\n\n\nprint(lookup('k'))\n",
        "import re\nprint(re.compile('a', re.I | re.M))\n",
        "def total(values: 'list[int] | None') -> int:\n    count: int | None = None\n"
        "    return sum(values or [])\n\n\nprint(total([1]))\n",
        "flags = 1 | 2\nprint(flags)\n",
    )

    @classmethod
    def triggered(cls, facts: SourceFacts) -> bool:
        """Under postponed annotations only checks and aliases are evaluated."""
        if cls.TRIGGER.search(facts.text) is None:
            return False
        if "from __future__ import annotations" not in facts.text:
            return True
        return _EVALUATED.search(facts.text) is not None

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        if len(node.args) < 2 or context.qualified_name(node.func) not in _CHECKS:
            return
        for union in unions(node.args[1].value):
            self._flag(union, "in an isinstance()/issubclass() check")

    def visit_FunctionDef(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.FunctionDef)
        if context.future_annotations:
            return
        annotations = [
            param.annotation
            for param in (
                *node.params.posonly_params,
                *node.params.params,
                *node.params.kwonly_params,
                node.params.star_arg,
                node.params.star_kwarg,
            )
            if isinstance(param, cst.Param) and param.annotation is not None
        ]
        if node.returns is not None:
            annotations.append(node.returns)
        for annotation in annotations:
            for union in unions(annotation.annotation):
                self._flag(union, "in a function annotation, evaluated when the def runs")

    def visit_AnnAssign(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.AnnAssign)
        if context.future_annotations or context.in_function:
            return
        for union in unions(node.annotation.annotation):
            self._flag(union, "in a module or class annotation, evaluated at import")
        if node.value is not None and self._type_alias(node.value, context):
            self._flag(node.value, "in a type alias")

    def visit_Assign(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Assign)
        if self._type_alias(node.value, context):
            self._flag(node.value, "in a type alias")

    def _type_alias(self, value: cst.BaseExpression, context: WalkContext) -> bool:
        """Whether an assigned value is a union of types (not flags or numbers)."""
        if not (isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.BitOr)):
            return False
        operands = list(_operands(value))
        kinds = [_type_kind(operand, context) for operand in operands]
        return all(kinds) and any(kind == "builtin" for kind in kinds)

    def _flag(self, node: cst.CSTNode, where: str) -> None:
        self.flag(
            node,
            message=f"a union written X | Y {where} needs Python 3.10",
            symbol="types.UnionType",
        )


def _operands(node: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        yield from _operands(node.left)
        yield from _operands(node.right)
    else:
        yield node


def _type_kind(node: cst.BaseExpression, context: WalkContext) -> str | None:
    """``builtin`` for a builtin type or None, ``class`` for another class, else None."""
    if isinstance(node, cst.Name) and node.value == "None":
        return "builtin"
    if isinstance(node, cst.Subscript):
        return _type_kind(node.value, context) and "builtin"
    qualified = context.qualified_name(node) if isinstance(node, cst.Name | cst.Attribute) else None
    if qualified is None:
        return None
    if qualified in _BUILTIN_TYPES:
        return "builtin"
    if qualified.startswith(LOCAL) and "." not in qualified[len(LOCAL) :]:
        return "class"
    last = qualified.rpartition(".")[2]
    if last[:1].isupper() and not last.isupper():
        return "class"
    return None
