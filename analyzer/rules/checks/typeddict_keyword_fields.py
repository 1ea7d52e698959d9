"""TypedDict("Name", field=type) keyword syntax: deprecated in 3.11, removed in Python 3.13."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

_TYPEDDICT = frozenset({"typing.TypedDict", "typing_extensions.TypedDict"})
_OPTIONS = frozenset({"total", "closed", "extra_items"})


class TypedDictKeywordFields(SourceRule):
    """``TypedDict("Event", name=str, size=int)``: fields given as keyword arguments.

    Deprecated in 3.11 (a ``DeprecationWarning``) and removed in 3.13: ``TypeError:
    TypedDict() got an unexpected keyword argument 'name'``.
    """

    RULE_ID = "removed-parameter"
    CATEGORY = Category.REMOVED_PARAMETER
    HINTS = ("TypedDict",)
    TRIGGER = re.compile(r"\bTypedDict\s*\(")
    IMPORTS = frozenset({"typing"})
    SOURCE = (
        "What's New In Python 3.13 > Removed > typing: creating a TypedDict with keyword "
        "arguments (deprecated in What's New In Python 3.11)"
    )
    BREAKS_IN = (3, 13)
    DEPRECATED_IN = (3, 11)
    FAILURE = "TypeError"
    FIX = 'pass the fields as a dict: TypedDict("Event", {"name": str, "size": int})'
    MECHANICAL = True
    FLAGGED = (
        "from typing import TypedDict\n\nEvent = TypedDict('Event', name=str, size=int)"
        "  # flagged: typing.TypedDict\nprint(Event.__annotations__)\n",
    )
    CLEAN = (
        "from typing import TypedDict\n\nEvent = TypedDict('Event', {'name': str}, total=False)\n"
        "print(Event.__annotations__)\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        if context.qualified_name(node.func) not in _TYPEDDICT:
            return
        fields = [
            arg
            for arg in node.args
            if arg.keyword is not None and arg.keyword.value not in _OPTIONS
        ]
        if fields:
            self.flag(
                fields[0],
                message=(
                    "TypedDict fields given as keyword arguments: deprecated since 3.11, a "
                    "TypeError from Python 3.13"
                ),
                symbol="typing.TypedDict",
            )
