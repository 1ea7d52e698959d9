"""A class derived from typing.TypeVar or its kin: Python 3.12 made them final C types."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

# Confirmed on CPython 3.9-3.13: `class V(typing.TypeVar, _root=True)` defines a class up to
# 3.11 (3.10 for ParamSpec*, 3.11 for TypeVarTuple, which do not exist before); from 3.12 each
# raises "TypeError: type 'typing.TypeVar' is not an acceptable base type".
_FINAL_TYPING_CLASSES = frozenset(
    {
        "typing.TypeVar",
        "typing.ParamSpec",
        "typing.ParamSpecArgs",
        "typing.ParamSpecKwargs",
        "typing.TypeVarTuple",
    }
)


class TypeVarSubclass(SourceRule):
    """A class statement with ``typing.TypeVar``, ``ParamSpec``, ``ParamSpecArgs``,
    ``ParamSpecKwargs`` or ``TypeVarTuple`` among its bases.

    Up to 3.11 these are Python classes that a subclass may extend with ``_root=True``
    (``typing_extensions`` before 4.6 does, to add ``default=``). 3.12 reimplemented them
    in C for PEP 695, as types that cannot be subclassed, so the class statement raises
    ``TypeError`` when its module loads.
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    HINTS = ("TypeVar", "ParamSpec")
    TRIGGER = re.compile(
        r"\bclass[ \t]+\w+[ \t]*\([^)]*\b(?:TypeVar|ParamSpec|ParamSpecArgs|ParamSpecKwargs"
        r"|TypeVarTuple)\b"
    )
    IMPORTS = frozenset({"typing"})
    SOURCE = (
        "What's New In Python 3.12 > New Features > PEP 695: TypeVar, ParamSpec and "
        "TypeVarTuple are now implemented in C (gh-103764) and cannot be subclassed"
    )
    BREAKS_IN = (3, 12)
    FAILURE = "TypeError"
    FIX = (
        "upgrade the library that carries the subclass (typing_extensions 4.6 or later), or "
        "wrap typing.TypeVar instead of deriving from it"
    )
    FLAGGED = (
        "import typing\n\n\n"
        "class Variable(typing.TypeVar, _root=True):  # flagged: typing.TypeVar\n"
        "    pass\n\n\nprint(Variable('T'))\n",
    )
    CLEAN = (
        "import typing\n\nT = typing.TypeVar('T')\n\n\nclass Box(typing.Generic[T]):\n"
        "    pass\n\n\nprint(Box[int])\n",
    )

    def visit_ClassDef(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.ClassDef)
        for base in node.bases:
            if base.keyword is not None:
                continue
            qualified = context.qualified_name(base.value)
            if qualified in _FINAL_TYPING_CLASSES:
                self.flag(
                    base.value,
                    message=(
                        f"class {node.name.value} derives from {qualified}, which Python 3.12 "
                        "no longer lets any class derive from: the class statement raises "
                        "TypeError when the module loads"
                    ),
                    symbol=qualified,
                )
                return
