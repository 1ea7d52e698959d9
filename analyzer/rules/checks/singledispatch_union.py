"""singledispatch registration by a union type: new in Python 3.11."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceFacts, SourceRule
from analyzer.rules.checks.union_type_operator import unions
from analyzer.rules.walker import WalkContext, all_params

_DISPATCHERS = frozenset({"functools.singledispatch", "functools.singledispatchmethod"})
_UNIONS = frozenset({"typing.Union", "typing.Optional"})


class SingledispatchUnion(SourceRule):
    """``@fn.register`` on a function whose first parameter is annotated with a union
    (``int | float``, ``Union[int, float]``), or ``fn.register(int | float)``.

    ``functools.singledispatch`` learned to register unions in 3.11; before, the
    registration raises ``TypeError: Invalid annotation for 'value'. int | float is not
    a class.`` when the module loads.
    """

    RULE_ID = "needs-newer-stdlib"
    CATEGORY = Category.NEEDS_NEWER_STDLIB
    TRIGGER = re.compile(r"\.register\b")
    IMPORTS = frozenset({"functools"})
    SOURCE = (
        "What's New In Python 3.11 > Improved Modules > functools: singledispatch() "
        "supports types.UnionType and typing.Union"
    )
    REQUIRES = (3, 11)
    FAILURE = "TypeError"
    FIX = "register each type separately, stacking @fn.register(int) and @fn.register(float)"
    FLAGGED = (
        "from functools import singledispatch\nfrom typing import Union\n\n\n@singledispatch\n"
        "def describe(value):\n    return 'other'\n\n\n@describe.register\n"
        "def _(value: Union[int, float]):  # flagged: functools.singledispatch.register\n"
        "    return 'number'\n\n\nprint(describe(3))\n",
    )
    CLEAN = (
        "from functools import singledispatch\n\n\n@singledispatch\ndef describe(value):\n"
        "    return 'other'\n\n\n@describe.register\ndef _(value: int):\n    return 'number'\n\n\n"
        "print(describe(3))\n",
    )

    @classmethod
    def triggered(cls, facts: SourceFacts) -> bool:
        """A singledispatch function, and a registration."""
        text = facts.text
        return "functools" in facts.imported and "singledispatch" in text and ".register" in text

    def __init__(self, context: WalkContext) -> None:
        super().__init__(context)
        self.dispatchers: set[str] = set()

    def visit_FunctionDef(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.FunctionDef)
        for decorator in node.decorators:
            expression = decorator.decorator
            if context.qualified_name(expression) in _DISPATCHERS:
                self.dispatchers.add(node.name.value)
            elif self._registers(expression):
                params = all_params(node.params)
                if _is_method(context) and params:
                    params = params[1:]
                annotation = params[0].annotation if params else None
                if annotation is not None and self._union(annotation.annotation, context):
                    self._flag(annotation)

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        if self._registers(node.func) and node.args and self._union(node.args[0].value, context):
            self._flag(node.args[0])

    def _registers(self, expression: cst.BaseExpression) -> bool:
        return (
            isinstance(expression, cst.Attribute)
            and expression.attr.value == "register"
            and isinstance(expression.value, cst.Name)
            and expression.value.value in self.dispatchers
        )

    def _union(self, node: cst.BaseExpression, context: WalkContext) -> bool:
        if any(True for _ in unions(node)):
            return True
        return isinstance(node, cst.Subscript) and context.qualified_name(node.value) in _UNIONS

    def _flag(self, node: cst.CSTNode) -> None:
        self.flag(
            node,
            message="registering a union type with singledispatch needs Python 3.11",
            symbol="functools.singledispatch.register",
        )


def _is_method(context: WalkContext) -> bool:
    return context.scopes[-1].kind == "class"
