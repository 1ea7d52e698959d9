"""loop.set_default_executor() with a process pool: a TypeError since Python 3.11."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

_PROCESS_POOLS = frozenset(
    {"concurrent.futures.ProcessPoolExecutor", "concurrent.futures.process.ProcessPoolExecutor"}
)


class ProcessPoolDefaultExecutor(SourceRule):
    """``loop.set_default_executor(ProcessPoolExecutor())``.

    Deprecated since 3.8 (a ``DeprecationWarning``); from 3.11 ``TypeError: executor
    must be ThreadPoolExecutor instance``.
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    HINTS = ("set_default_executor",)
    TRIGGER = re.compile(r"\bset_default_executor\b")
    IMPORTS = frozenset({"concurrent"})
    SOURCE = (
        "What's New In Python 3.11 > Removed/Changes in the Python API > asyncio: "
        "set_default_executor() accepts only a ThreadPoolExecutor (deprecated in 3.8)"
    )
    BREAKS_IN = (3, 11)
    DEPRECATED_IN = (3, 8)
    FAILURE = "TypeError"
    FIX = "pass a ThreadPoolExecutor, and run process work with loop.run_in_executor(pool, ...)"
    FLAGGED = (
        "import asyncio\nfrom concurrent.futures import ProcessPoolExecutor\n\n"
        "loop = asyncio.new_event_loop()\npool = ProcessPoolExecutor(max_workers=1)\n"
        "loop.set_default_executor(pool)  # flagged: asyncio.AbstractEventLoop"
        ".set_default_executor\nloop.close()\npool.shutdown()\n",
    )
    CLEAN = (
        "import asyncio\nfrom concurrent.futures import ThreadPoolExecutor\n\n"
        "loop = asyncio.new_event_loop()\npool = ThreadPoolExecutor(max_workers=1)\n"
        "loop.set_default_executor(pool)\nloop.close()\npool.shutdown()\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        function = node.func
        if not (
            isinstance(function, cst.Attribute)
            and function.attr.value == "set_default_executor"
            and len(node.args) == 1
        ):
            return
        if context.type_of(node.args[0].value) in _PROCESS_POOLS:
            self.flag(
                node.args[0],
                message=(
                    "set_default_executor() with a ProcessPoolExecutor raises TypeError from "
                    "Python 3.11"
                ),
                symbol="asyncio.AbstractEventLoop.set_default_executor",
            )
