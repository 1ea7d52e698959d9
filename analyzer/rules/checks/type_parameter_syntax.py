"""Type parameter lists and the ``type`` statement (PEP 695, 3.12), with defaults (PEP 696)."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext


class TypeParameterSyntax(SourceRule):
    """``def first[T](...)``, ``class Box[T]:``, ``type Alias = ...`` and ``[T = int]``.

    Python 3.12 added type parameter lists and the ``type`` statement, 3.13 defaults for
    type parameters; older interpreters cannot compile the module (``SyntaxError``).
    """

    RULE_ID = "needs-newer-syntax"
    CATEGORY = Category.NEEDS_NEWER_SYNTAX
    HINTS = ("[",)
    TRIGGER = re.compile(
        r"(?:def|class)[ \t]+\w+[ \t]*\[|^[ \t]*type[ \t]+\w+[ \t]*(?:\[[^\n=]*\])?[ \t]*=",
        re.MULTILINE,
    )
    SOURCE = (
        "What's New In Python 3.12 > PEP 695: type parameter syntax; What's New In "
        "Python 3.13 > PEP 696: type parameter defaults"
    )
    REQUIRES = (3, 12)
    FAILURE = "SyntaxError"
    FIX = "target Python 3.12 (3.13 for defaults) or later, or use typing.TypeVar"
    FLAGGED = (
        "def first[T](items: list[T]) -> T:  # flagged: type parameter list\n"
        "    return items[0]\n\n\nprint(first([3, 1]))\n",
        "class Box[T]:  # flagged: type parameter list\n    def __init__(self, item: T):\n"
        "        self.item = item\n\n\nprint(Box(5).item)\n",
        "type Pair[T] = tuple[T, T]  # flagged: type statement\nprint(Pair.__name__)\n",
    )
    CLEAN = (
        "from typing import TypeVar\n\nT = TypeVar('T')\n\n\ndef first(items: list) -> T:\n"
        "    return items[0]\n\n\nprint(first([3, 1]))\n",
        "type = 'alias'\nprint(type)\n",
    )

    def visit_TypeAlias(self, node: cst.CSTNode, context: WalkContext) -> None:
        self.flag(
            node,
            message="the type statement needs Python 3.12; older versions cannot compile it",
            symbol="type statement",
        )

    def visit_TypeParameters(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.TypeParameters)
        defaults = any(param.default is not None for param in node.params)
        self.flag(
            node,
            message=(
                "a type parameter list needs Python 3.12"
                + (" (3.13 with defaults)" if defaults else "")
                + "; older versions cannot compile it"
            ),
            symbol="type parameter default" if defaults else "type parameter list",
            requires=(3, 13) if defaults else None,
        )
