"""types.SimpleNamespace(mapping): a positional argument, new in Python 3.13."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext


class SimpleNamespaceMapping(SourceRule):
    """``types.SimpleNamespace({"a": 1})``: the attributes from a mapping or an iterable of
    pairs passed by position.

    Before Python 3.13 the constructor takes keyword arguments only: ``TypeError: no
    positional arguments expected``.
    """

    RULE_ID = "needs-newer-stdlib"
    CATEGORY = Category.NEEDS_NEWER_STDLIB
    HINTS = ("SimpleNamespace",)
    TRIGGER = re.compile(r"\bSimpleNamespace[ \t]*\(")
    IMPORTS = frozenset({"types"})
    SOURCE = (
        "What's New In Python 3.13 > Improved Modules > types: SimpleNamespace accepts a "
        "mapping or an iterable of key-value pairs as its positional argument"
    )
    REQUIRES = (3, 13)
    FAILURE = "TypeError"
    FIX = "unpack the mapping as keywords: types.SimpleNamespace(**mapping)"
    MECHANICAL = True
    FLAGGED = (
        "from types import SimpleNamespace\n"
        "ns = SimpleNamespace({'a': 1})  # flagged: types.SimpleNamespace\nprint(ns.a)\n",
        "import types\n"
        "ns = types.SimpleNamespace([('a', 1)])  # flagged: types.SimpleNamespace\nprint(ns.a)\n",
    )
    CLEAN = (
        "from types import SimpleNamespace\nns = SimpleNamespace(**{'a': 1})\nprint(ns.a)\n",
        "import types\nns = types.SimpleNamespace(a=1)\nprint(ns.a)\n",
        "import types\n\ntry:\n    types.SimpleNamespace(1, 2)\nexcept TypeError:\n"
        "    print('refused')\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        positional = [arg for arg in node.args if arg.keyword is None and arg.star != "**"]
        # A *iterable may be empty, and more than one argument fails on every version.
        if len(positional) != 1 or positional[0].star:
            return
        if context.qualified_name(node.func) != "types.SimpleNamespace":
            return
        self.flag(
            positional[0],
            message="types.SimpleNamespace() with a positional argument needs Python 3.13",
            symbol="types.SimpleNamespace",
        )
