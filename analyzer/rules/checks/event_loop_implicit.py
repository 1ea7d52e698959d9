"""asyncio.get_event_loop() where no loop runs: deprecated since 3.12, an error from 3.14."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext


class ImplicitEventLoop(SourceRule):
    """``asyncio.get_event_loop()`` outside a coroutine.

    With no running loop, it creates one implicitly: a ``DeprecationWarning`` on 3.12 and
    3.13 when no loop is set, and a ``RuntimeError`` from 3.14. Inside ``async def`` a
    loop is running, so the call is fine there.
    """

    RULE_ID = "deprecated-api"
    CATEGORY = Category.DEPRECATED
    TRIGGER = re.compile(r"\bget_event_loop\b")
    SOURCE = (
        "What's New In Python 3.12 > Deprecated > asyncio.get_event_loop(); "
        "What's New In Python 3.14 > Removed > asyncio policy implicit loop creation"
    )
    FLAGGED = (
        "import asyncio\nloop = asyncio.get_event_loop()\n",
        "import asyncio\ndef main():\n    return asyncio.get_event_loop().run_until_complete(f())\n",
    )
    CLEAN = (
        "import asyncio\nasync def main():\n    loop = asyncio.get_event_loop()\n",
        "import asyncio\nloop = asyncio.new_event_loop()\n",
    )

    def __init__(self, context: WalkContext) -> None:
        super().__init__(context)
        self.coroutine_depth = 0
        self.coroutine_bodies: set[int] = set()

    def visit_FunctionDef(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.FunctionDef)
        if node.asynchronous is not None:
            self.coroutine_bodies.add(id(node.body))

    def visit_IndentedBlock(self, node: cst.CSTNode, context: WalkContext) -> None:
        if id(node) in self.coroutine_bodies:
            self.coroutine_depth += 1

    def leave_IndentedBlock(self, node: cst.CSTNode, context: WalkContext) -> None:
        if id(node) in self.coroutine_bodies:
            self.coroutine_depth -= 1

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        if self.coroutine_depth or node.args:
            return
        if context.qualified_name(node.func) != "asyncio.get_event_loop":
            return
        context.report(
            node,
            rule_id=self.RULE_ID,
            category=self.CATEGORY,
            message=(
                "asyncio.get_event_loop() with no running loop warns from Python 3.12 and "
                "raises RuntimeError from 3.14"
            ),
            fix="use asyncio.run(main()), or create the loop with asyncio.new_event_loop()",
            failure="RuntimeError",
            symbol="asyncio.get_event_loop",
            breaks_in=(3, 14),
            deprecated_in=(3, 12),
            documentation=self.SOURCE,
        )
