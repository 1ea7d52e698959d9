"""int() of an object that only defines __trunc__: deprecated in 3.11, removed in 3.14."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceFacts, SourceRule
from analyzer.rules.walker import WalkContext

_INT_CALL = re.compile(r"\bint[ \t]*\(")


class IntTruncFallback(SourceRule):
    """``int(Amount(3.7))`` where ``Amount`` defines ``__trunc__`` but neither
    ``__int__`` nor ``__index__``.

    ``int()`` falling back to ``__trunc__`` was deprecated in 3.11 (a
    ``DeprecationWarning``) and removed in 3.14: ``TypeError: int() argument must be a
    string, a bytes-like object or a real number``.
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    HINTS = ("__trunc__",)
    TRIGGER = re.compile(r"\bdef[ \t]+__trunc__\b")
    SOURCE = (
        "What's New In Python 3.14 > Removed: int() no longer delegates to __trunc__() "
        "(deprecated in What's New In Python 3.11 > Deprecated)"
    )
    BREAKS_IN = (3, 14)
    DEPRECATED_IN = (3, 11)
    FAILURE = "TypeError"
    FIX = "define __int__ (or __index__) on the class, or call math.trunc(value)"
    FLAGGED = (
        "class Amount:\n    def __init__(self, value):\n        self.value = value\n\n"
        "    def __trunc__(self):\n        return int(self.value)\n\n\n"
        "print(int(Amount(3.7)))  # flagged: builtins.int\n",
    )
    CLEAN = (
        "import math\n\n\nclass Amount:\n    def __init__(self, value):\n"
        "        self.value = value\n\n    def __trunc__(self):\n        return int(self.value)\n\n"
        "    def __int__(self):\n        return int(self.value)\n\n\n"
        "print(int(Amount(3.7)), math.trunc(Amount(1.5)))\n",
    )

    @classmethod
    def candidate_lines(cls, facts: SourceFacts) -> set[int]:
        """The int() calls, wherever the class with __trunc__ is defined."""
        return facts.lines_of(_INT_CALL)

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        if len(node.args) != 1 or context.qualified_name(node.func) != "builtins.int":
            return
        local = context.local_class(context.type_of(node.args[0].value))
        members: set[str] = set()
        while local is not None:
            members |= local.members
            local = context.local_class(local.first_base)
        if "__trunc__" in members and not members & {"__int__", "__index__"}:
            self.flag(
                node,
                message=(
                    "int() of an object with only __trunc__: deprecated since Python 3.11, a "
                    "TypeError from 3.14"
                ),
                symbol="builtins.int",
            )
