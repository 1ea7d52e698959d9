"""``except*`` clauses (PEP 654): new syntax in Python 3.11."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext


class ExceptStarSyntax(SourceRule):
    """``try: ... except* ValueError:``.

    Exception groups and ``except*`` arrived in 3.11; older interpreters cannot
    compile the module. (vermin reports this too when this interpreter can parse the
    file; this rule covers interpreters that cannot.)
    """

    RULE_ID = "needs-newer-syntax"
    CATEGORY = Category.NEEDS_NEWER_SYNTAX
    HINTS = ("except*", "except *", "except\t*")
    TRIGGER = re.compile(r"\bexcept[ \t]*\*")
    SOURCE = "What's New In Python 3.11 > PEP 654: exception groups and except*"
    REQUIRES = (3, 11)
    FAILURE = "SyntaxError"
    FIX = "target Python 3.11 or later, or catch the exceptions with a plain except"
    FLAGGED = (
        "try:\n    raise ValueError('bad')\nexcept* ValueError as group:  # flagged: except*\n"
        "    print(len(group.exceptions))\n",
    )
    CLEAN = ("try:\n    raise ValueError('bad')\nexcept ValueError as error:\n    print(error)\n",)

    def visit_ExceptStarHandler(self, node: cst.CSTNode, context: WalkContext) -> None:
        self.flag(
            node,
            message="except* needs Python 3.11; older versions cannot compile the module",
            symbol="except*",
        )
