"""A class with both typing.NamedTuple and Generic bases: new in Python 3.11."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext


class GenericNamedTuple(SourceRule):
    """``class Pair(NamedTuple, Generic[T])``: a generic named tuple.

    Before Python 3.11 ``typing.NamedTuple`` refuses any other base: ``TypeError:
    Multiple inheritance with NamedTuple is not supported`` when the class is defined.
    """

    RULE_ID = "needs-newer-stdlib"
    CATEGORY = Category.NEEDS_NEWER_STDLIB
    HINTS = ("NamedTuple",)
    TRIGGER = re.compile(r"\bNamedTuple\b[^\n]*\bGeneric\b|\bGeneric\b[^\n]*\bNamedTuple\b")
    IMPORTS = frozenset({"typing"})
    SOURCE = (
        "What's New In Python 3.11 > Improved Modules > typing: NamedTuple subclasses can be "
        "generic (typing docs > NamedTuple: changed in 3.11)"
    )
    REQUIRES = (3, 11)
    FAILURE = "TypeError"
    FIX = (
        "drop the Generic base (annotate the fields with the type variable's bound), or "
        "use a generic dataclass"
    )
    FLAGGED = (
        "from typing import Generic, NamedTuple, TypeVar\n\nT = TypeVar('T')\n\n\n"
        "class Pair(NamedTuple, Generic[T]):  # flagged: typing.NamedTuple\n"
        "    first: T\n    second: T\n\n\nprint(Pair(1, 2))\n",
    )
    CLEAN = (
        "from typing import NamedTuple\n\n\nclass Pair(NamedTuple):\n"
        "    first: int\n    second: int\n\n\nprint(Pair(1, 2))\n",
        "from typing import Generic, NamedTuple, TypeVar\n\nT = TypeVar('T')\n\n\n"
        "class Pair(NamedTuple):\n    first: int\n\n\nclass Box(Generic[T]):\n"
        "    pass\n\n\nprint(Pair(1), Box())\n",
    )

    def visit_ClassDef(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.ClassDef)
        bases = set()
        for arg in node.bases:
            if arg.keyword is not None or arg.star:
                continue
            base = arg.value.value if isinstance(arg.value, cst.Subscript) else arg.value
            bases.add(context.qualified_name(base))
        if {"typing.NamedTuple", "typing.Generic"} <= bases:
            self.flag(
                node.name,
                message="a typing.NamedTuple with a Generic base needs Python 3.11",
                symbol="typing.NamedTuple",
            )
