"""An async comprehension inside a plain comprehension of a coroutine: new in Python 3.11."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def _is_async(node: cst.CSTNode) -> bool:
    for_in = getattr(node, "for_in", None)
    while isinstance(for_in, cst.CompFor):
        if for_in.asynchronous is not None:
            return True
        for_in = for_in.inner_for_in
    return False


class AsyncComprehensionNesting(SourceRule):
    """``[[n async for n in source()] for _ in range(2)]`` in an ``async def``.

    Before 3.11 an asynchronous comprehension could not stand inside a synchronous one
    (``SyntaxError: asynchronous comprehension outside of an asynchronous function``);
    3.11 makes the outer comprehension asynchronous instead.
    """

    RULE_ID = "needs-newer-syntax"
    CATEGORY = Category.NEEDS_NEWER_SYNTAX
    HINTS = ("async",)
    TRIGGER = re.compile(r"[\[{(][^\n]*?\basync[ \t]+for\b")
    SOURCE = (
        "What's New In Python 3.11 > Other Language Changes: asynchronous comprehensions "
        "are allowed inside comprehensions in asynchronous functions"
    )
    REQUIRES = (3, 11)
    FAILURE = "SyntaxError"
    FIX = "build the inner results in a loop first, or target Python 3.11 or later"
    FLAGGED = (
        "import asyncio\n\n\nasync def numbers():\n    for n in range(3):\n        yield n\n\n\n"
        "async def main():\n"
        "    return [[n async for n in numbers()] for _ in range(2)]"
        "  # flagged: async comprehension\n\n\nprint(asyncio.run(main()))\n",
    )
    CLEAN = (
        "import asyncio\n\n\nasync def numbers():\n    for n in range(3):\n        yield n\n\n\n"
        "async def main():\n    return [n async for n in numbers()]\n\n\n"
        "print(asyncio.run(main()))\n",
    )

    def __init__(self, context: WalkContext) -> None:
        super().__init__(context)
        self.synchronous_depth = 0

    def _enter(self, node: cst.CSTNode, context: WalkContext) -> None:
        if _is_async(node):
            if self.synchronous_depth and context.in_coroutine:
                self.flag(
                    node,
                    message=(
                        "an async comprehension inside a plain comprehension needs Python "
                        "3.11; older versions cannot compile the module"
                    ),
                    symbol="async comprehension",
                )
        else:
            self.synchronous_depth += 1

    def _leave(self, node: cst.CSTNode, context: WalkContext) -> None:
        if not _is_async(node):
            self.synchronous_depth -= 1

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _enter
    leave_ListComp = leave_SetComp = leave_DictComp = leave_GeneratorExp = _leave
