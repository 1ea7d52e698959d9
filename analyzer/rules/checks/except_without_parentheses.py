"""``except A, B:`` without parentheses (PEP 758): accepted from Python 3.14."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext


class ExceptWithoutParentheses(SourceRule):
    """``except ValueError, TypeError:``: several exception types without parentheses.

    Python 3.14 accepts it (when there is no ``as``); older interpreters cannot compile
    the module.
    """

    RULE_ID = "needs-newer-syntax"
    CATEGORY = Category.NEEDS_NEWER_SYNTAX
    HINTS = ("except",)
    TRIGGER = re.compile(r"^[ \t]*except\*?[ \t]+[^(\n:#]*,", re.MULTILINE)
    SOURCE = "What's New In Python 3.14 > PEP 758: except and except* without brackets"
    REQUIRES = (3, 14)
    FAILURE = "SyntaxError"
    FIX = "put the exception types in parentheses: except (ValueError, TypeError):"
    MECHANICAL = True
    FLAGGED = (
        "try:\n    int('x')\nexcept ValueError, TypeError:  # flagged: except without parentheses\n"
        "    print('bad')\n",
    )
    CLEAN = ("try:\n    int('x')\nexcept (ValueError, TypeError):\n    print('bad')\n",)

    def visit_ExceptHandler(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.ExceptHandler | cst.ExceptStarHandler)
        kind = node.type
        if isinstance(kind, cst.Tuple) and not kind.lpar:
            self.flag(
                node,
                message=(
                    "several exception types without parentheses need Python 3.14; older "
                    "versions cannot compile the module"
                ),
                symbol="except without parentheses",
            )

    visit_ExceptStarHandler = visit_ExceptHandler
