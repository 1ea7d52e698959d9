"""asyncio.get_event_loop() where no loop runs: deprecated since 3.12, an error from 3.14."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

_GET_EVENT_LOOP = frozenset({"asyncio.get_event_loop", "asyncio.events.get_event_loop"})


class ImplicitEventLoop(SourceRule):
    """``asyncio.get_event_loop()`` outside a coroutine.

    With no running loop and none set, it creates one implicitly: a
    ``DeprecationWarning`` on 3.12 and 3.13, and a ``RuntimeError`` from 3.14. Inside
    ``async def`` a loop is running, so the call is fine there.
    """

    RULE_ID = "deprecated-api"
    CATEGORY = Category.DEPRECATED
    HINTS = ("get_event_loop",)
    TRIGGER = re.compile(r"\bget_event_loop[ \t]*\([ \t]*\)")
    IMPORTS = frozenset({"asyncio"})
    SOURCE = (
        "What's New In Python 3.12 > Deprecated: asyncio.get_event_loop() without a current "
        "loop; What's New In Python 3.14 > Removed > asyncio: no implicit event loop"
    )
    BREAKS_IN = (3, 14)
    DEPRECATED_IN = (3, 12)
    FAILURE = "RuntimeError"
    FIX = "use asyncio.run(main()), or create the loop with asyncio.new_event_loop()"
    FLAGGED = (
        "import asyncio\n\n\nasync def main():\n    return 1\n\n\n"
        "loop = asyncio.get_event_loop()  # flagged: asyncio.get_event_loop\n"
        "print(loop.run_until_complete(main()))\n",
        "import asyncio\n\n\nasync def main():\n    return 1\n\n\ndef run():\n"
        "    return asyncio.get_event_loop().run_until_complete(main())"
        "  # flagged: asyncio.get_event_loop\n\n\nprint(run())\n",
    )
    CLEAN = (
        "import asyncio\n\n\nasync def main():\n    loop = asyncio.get_event_loop()\n"
        "    return loop.is_running()\n\n\nprint(asyncio.run(main()))\n",
        "import asyncio\n\nloop = asyncio.new_event_loop()\nloop.close()\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        if node.args or context.in_coroutine:
            return
        if context.qualified_name(node.func) not in _GET_EVENT_LOOP:
            return
        self.flag(
            node,
            message=(
                "asyncio.get_event_loop() with no running loop warns from Python 3.12 and "
                "raises RuntimeError from 3.14"
            ),
            symbol="asyncio.get_event_loop",
        )
