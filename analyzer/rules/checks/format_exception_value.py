"""traceback.format_exception(exc) and friends with the exception alone: new in 3.10."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

# The old signatures' required positional parameters, beyond the first.
_FUNCTIONS = {
    "traceback.format_exception": ("value", "tb"),
    "traceback.print_exception": ("value", "tb"),
    "traceback.format_exception_only": ("value",),
}


class ExceptionOnlyTraceback(SourceRule):
    """``traceback.format_exception(error)`` with only the exception.

    Python 3.10 made the exception the first positional parameter and the others
    optional; on 3.9 the call raises ``TypeError: ... missing 2 required positional
    arguments: 'value' and 'tb'``.
    """

    RULE_ID = "needs-newer-stdlib"
    CATEGORY = Category.NEEDS_NEWER_STDLIB
    HINTS = ("_exception",)
    TRIGGER = re.compile(r"\b(?:format_exception|print_exception|format_exception_only)[ \t]*\(")
    IMPORTS = frozenset({"traceback"})
    SOURCE = (
        "What's New In Python 3.10 > Improved Modules > traceback: the exception can be "
        "passed as the only positional argument"
    )
    REQUIRES = (3, 10)
    FAILURE = "TypeError"
    FIX = "pass type(error), error, error.__traceback__ to stay compatible with 3.9"
    MECHANICAL = True
    FLAGGED = (
        "import traceback\ntry:\n    1 / 0\nexcept ZeroDivisionError as error:\n"
        "    print(traceback.format_exception(error))  # flagged: traceback.format_exception\n",
        "from traceback import format_exception_only\n"
        "print(format_exception_only(ValueError('x')))"
        "  # flagged: traceback.format_exception_only\n",
    )
    CLEAN = (
        "import traceback\ntry:\n    1 / 0\nexcept ZeroDivisionError as error:\n"
        "    print(traceback.format_exception(type(error), error, error.__traceback__))\n",
        "import traceback\nprint(traceback.format_exception_only(ValueError, ValueError('x')))\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        function = context.qualified_name(node.func)
        required = _FUNCTIONS.get(function or "")
        if required is None:
            return
        positional = [arg for arg in node.args if arg.keyword is None and not arg.star]
        keywords = {arg.keyword.value for arg in node.args if arg.keyword is not None}
        if any(arg.star for arg in node.args) or len(positional) != 1:
            return
        if keywords & {*required, "etype"}:
            return
        self.flag(
            node,
            message=f"{function}() with only the exception needs Python 3.10",
            symbol=function or "",
        )
