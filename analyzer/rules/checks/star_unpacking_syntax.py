"""Star unpacking in subscripts and ``*args`` annotations (PEP 646): new in Python 3.11."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext


class StarUnpackingSyntax(SourceRule):
    """``items[*index]``, ``tuple[*Ts]`` and ``def f(*args: *Ts)``.

    PEP 646 allowed a starred expression in a subscript and as the annotation of
    ``*args`` in 3.11; older interpreters cannot compile the module.
    """

    RULE_ID = "needs-newer-syntax"
    CATEGORY = Category.NEEDS_NEWER_SYNTAX
    HINTS = ("[*", "[ *", ":*", ": *", "[\t*", ":\t*", ", *", ",*")
    # A starred element first in the brackets, after a comma in them, or as an annotation.
    TRIGGER = re.compile(
        r"(?<=[\w\])])\[(?:[^\[\]\n]*,)?[ \t]*\*[ \t]*[\w(]|:[ \t]*\*[ \t]*[A-Za-z_]"
    )
    SOURCE = "What's New In Python 3.11 > PEP 646: variadic generics"
    REQUIRES = (3, 11)
    FAILURE = "SyntaxError"
    FIX = "target Python 3.11 or later, or use typing.Unpack[...]"
    FLAGGED = (
        "grid = {(1, 2): 'x'}\nindex = (1, 2)\nprint(grid[*index])  # flagged: star unpacking\n",
        "grid = {(0, 1, 2): 'x'}\nrest = (1, 2)\n"
        "print(grid[0, *rest])  # flagged: star unpacking\n",
    )
    CLEAN = (
        "values = [*range(3)]\nprint(values[0], [*values])\n",
        "def total(first, *rest):\n    return first + sum(rest)\n\n\n"
        "grid = {(0, 1): 'x'}\nprint(grid[0, 1], total(*[1, 2]), [0, *grid])\n",
    )

    def visit_SubscriptElement(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.SubscriptElement)
        if isinstance(node.slice, cst.Index) and node.slice.star is not None:
            self._flag(node)

    def visit_Param(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Param)
        if node.annotation is not None and isinstance(
            node.annotation.annotation, cst.StarredElement
        ):
            self._flag(node.annotation)

    def _flag(self, node: cst.CSTNode) -> None:
        self.flag(
            node,
            message=(
                "a starred expression in a subscript or annotation needs Python 3.11; older "
                "versions cannot compile the module"
            ),
            symbol="star unpacking",
        )
