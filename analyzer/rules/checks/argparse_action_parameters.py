"""Parameters add_argument() forwards to an action class that no longer takes them."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.stdlib import parameter_rows, report_row
from analyzer.rules.walker import WalkContext


class ArgparseActionParameters(SourceRule):
    """``parser.add_argument(..., action=argparse.BooleanOptionalAction, metavar=...)``.

    ``add_argument()`` passes its keyword arguments on to the action class, so a
    parameter the catalogue lists as removed from that class (``type``, ``choices`` and
    ``metavar`` of ``BooleanOptionalAction``: deprecated in 3.12, removed in 3.14) fails
    there. The versions come from the catalogue's parameter rows of the action class.
    """

    RULE_ID = "removed-parameter"
    CATEGORY = Category.REMOVED_PARAMETER
    HINTS = ("action",)
    TRIGGER = re.compile(r"""\baction[ \t]*=[ \t]*(?!["'])""")
    IMPORTS = frozenset({"argparse"})
    SOURCE = "What's New In Python 3.14 > Removed > argparse (deprecated in 3.12)"
    BREAKS_IN = (3, 14)
    DEPRECATED_IN = (3, 12)
    FAILURE = "TypeError"
    FIX = "drop the parameter; the catalogue row names what replaces it"
    FLAGGED = (
        "import argparse\n\nparser = argparse.ArgumentParser()\n"
        "parser.add_argument('--color', action=argparse.BooleanOptionalAction,"
        " metavar='COLOR')  # flagged: argparse.BooleanOptionalAction\n"
        "print(parser.parse_args(['--no-color']))\n",
    )
    CLEAN = (
        "import argparse\n\nparser = argparse.ArgumentParser()\n"
        "parser.add_argument('--color', action=argparse.BooleanOptionalAction)\n"
        "print(parser.parse_args(['--no-color']))\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        function = node.func
        if not isinstance(function, cst.Attribute) or function.attr.value != "add_argument":
            return
        keywords = {arg.keyword.value: arg for arg in node.args if arg.keyword is not None}
        action = keywords.get("action")
        if action is None:
            return
        action_class = context.qualified_name(action.value)
        if action_class is None:
            return
        for row in parameter_rows(action_class):
            if row.parameter in keywords and row.removed is not None:
                report_row(
                    context,
                    keywords[row.parameter],
                    row,
                    self.FAILURE,
                    row.symbol,
                    documentation=f"{self.SOURCE}; {row.source}",
                )
