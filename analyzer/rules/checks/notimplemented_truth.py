"""NotImplemented used as a truth value: deprecated in 3.9, a TypeError from Python 3.14."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceFacts, SourceRule
from analyzer.rules.walker import Binding, WalkContext

_BUILTIN = Binding("builtins.NotImplemented")


def returns_not_implemented(node: cst.FunctionDef) -> bool:
    """Whether a function's own body (not nested functions) returns ``NotImplemented``."""
    return any(
        isinstance(statement.value, cst.Name) and statement.value.value == "NotImplemented"
        for statement in _returns(node.body)
    )


def _returns(node: cst.CSTNode) -> Iterator[cst.Return]:
    for child in node.children:
        if isinstance(child, cst.Return):
            yield child
        elif not isinstance(child, cst.FunctionDef | cst.ClassDef | cst.Lambda):
            yield from _returns(child)


_NAMED = re.compile(r"\bNotImplemented\b")


def _functions_returning_it(tree: ast.Module) -> set[str]:
    """Names of the module's top-level functions whose own body returns NotImplemented."""
    return {
        statement.name
        for statement in tree.body
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)
        and any(
            isinstance(node, ast.Return)
            and isinstance(node.value, ast.Name)
            and node.value.id == "NotImplemented"
            for node in ast.walk(statement)
        )
    }


class NotImplementedTruthValue(SourceRule):
    """``if compare(a, b):`` where ``compare`` may return ``NotImplemented``, or
    ``NotImplemented`` itself tested for truth.

    Its truth value was deprecated in 3.9 (a ``DeprecationWarning``) and raises
    ``TypeError: NotImplemented should not be used in a boolean context`` from 3.14.
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    HINTS = ("NotImplemented",)
    TRIGGER = re.compile(
        r"^def[^\n]*:[ \t]*(?:#[^\n]*)?\n(?:[ \t][^\n]*\n|\n)*?"
        r"[ \t]+return[ \t]+NotImplemented\b"
        r"|=[ \t]*NotImplemented[ \t]*(?:#[^\n]*)?$"
        r"|\b(?:if|not|while|and|or|bool\()[ \t]*NotImplemented\b",
        re.MULTILINE,
    )
    SOURCE = (
        "What's New In Python 3.14 > Removed: using NotImplemented in a boolean context "
        "(deprecated in What's New In Python 3.9 > Deprecated)"
    )
    BREAKS_IN = (3, 14)
    DEPRECATED_IN = (3, 9)
    FAILURE = "TypeError"
    FIX = "compare the result with 'is NotImplemented' before testing it"
    FLAGGED = (
        "def compare(a, b):\n    return NotImplemented\n\n\n"
        "if compare(1, 2):  # flagged: builtins.NotImplemented\n    print('truthy')\n",
        "result = NotImplemented\nprint(not result)  # flagged: builtins.NotImplemented\n",
    )
    CLEAN = (
        "def compare(a, b):\n    return NotImplemented\n\n\n"
        "if compare(1, 2) is NotImplemented:\n    print('not implemented')\n",
        "def compare(a, b):\n    return a < b\n\n\nif compare(1, 2):\n    print('less')\n",
    )

    @classmethod
    def candidate_lines(cls, facts: SourceFacts) -> set[int]:
        """Where NotImplemented is named, and the calls of the functions returning it."""
        lines = facts.lines_of(_NAMED)
        names = sorted(_functions_returning_it(facts.tree)) if facts.tree is not None else []
        if names:
            lines |= facts.lines_of(re.compile(r"\b(?:" + "|".join(names) + r")[ \t]*\("))
        return lines

    def __init__(self, context: WalkContext) -> None:
        super().__init__(context)
        self.functions: set[str] = set()
        self.values: set[str] = set()

    def visit_Module(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Module)
        for statement in node.body:
            if isinstance(statement, cst.FunctionDef) and returns_not_implemented(statement):
                self.functions.add(statement.name.value)

    def visit_Assign(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Assign)
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                if self._not_implemented(node.value, context):
                    self.values.add(target.target.value)
                else:
                    self.values.discard(target.target.value)

    def visit_If(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.If)
        self._check(node.test, context)

    def visit_While(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.While)
        self._check(node.test, context)

    def visit_IfExp(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.IfExp)
        self._check(node.test, context)

    def visit_Assert(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Assert)
        self._check(node.test, context)

    def visit_UnaryOperation(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.UnaryOperation)
        if isinstance(node.operator, cst.Not):
            self._check(node.expression, context)

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        if len(node.args) == 1 and context.qualified_name(node.func) == "builtins.bool":
            self._check(node.args[0].value, context)

    def _check(self, test: cst.BaseExpression, context: WalkContext) -> None:
        if isinstance(test, cst.BooleanOperation):
            # "a and b" tests a for truth; its value (b) is tested by what holds it.
            self._check(test.left, context)
            return
        if self._not_implemented(test, context):
            self.flag(
                test,
                message=(
                    "NotImplemented used as a truth value: deprecated since Python 3.9, a "
                    "TypeError from 3.14"
                ),
                symbol="builtins.NotImplemented",
            )

    def _not_implemented(self, node: cst.BaseExpression, context: WalkContext) -> bool:
        if isinstance(node, cst.Name):
            if node.value == "NotImplemented":
                return context.lookup(node.value) == _BUILTIN
            return node.value in self.values and context.lookup(node.value) is not None
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
            return node.func.value in self.functions
        return False
