"""Template string literals ``t"..."`` (PEP 750): new syntax in Python 3.14."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext


class TemplateStringSyntax(SourceRule):
    """``t"Hello {name}"``: a template string literal.

    Added in 3.14; every older interpreter fails to compile the module.
    """

    RULE_ID = "needs-newer-syntax"
    CATEGORY = Category.NEEDS_NEWER_SYNTAX
    HINTS = ('t"', "t'", 'T"', "T'", 'tr"', "tr'", 'tR"', "tR'", 'Tr"', "Tr'", 'TR"', "TR'")
    TRIGGER = re.compile(
        r"""["'](?:(?<=(?<![\w'"\\])[tT]["'])|(?<=(?<![\w'"\\])(?:[tT][rR]|[rR][tT])["']))"""
        r"""(?:[^"'\n]*\{|""|'')"""
    )
    SOURCE = "What's New In Python 3.14 > PEP 750: template string literals"
    REQUIRES = (3, 14)
    FAILURE = "SyntaxError"
    FIX = "target Python 3.14, or build the text with an f-string or str.format()"
    FLAGGED = ("name = 'x'\ngreeting = t'Hello {name}'  # flagged: t-string\n",)
    CLEAN = ("name = 'x'\ngreeting = f'Hello {name}'\nprint(greeting, \"don't\")\n",)

    def visit_TemplatedString(self, node: cst.CSTNode, context: WalkContext) -> None:
        self.flag(
            node,
            message="a template string needs Python 3.14; older versions cannot compile it",
            symbol="t-string",
        )
