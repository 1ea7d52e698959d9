"""asyncio.wait() given coroutines instead of tasks: a TypeError since Python 3.11."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

_WAIT = frozenset({"asyncio.wait", "asyncio.tasks.wait"})
_COROUTINE_FUNCTIONS = frozenset(
    f"asyncio.{name}"
    for name in (
        "sleep",
        "wait_for",
        "open_connection",
        "start_server",
        "create_subprocess_exec",
        "create_subprocess_shell",
        "to_thread",
    )
)


def coroutine_functions(module: cst.Module) -> set[str]:
    """Names of the module's ``async def`` functions and methods."""
    names: set[str] = set()
    for statement in module.body:
        if isinstance(statement, cst.FunctionDef) and statement.asynchronous is not None:
            names.add(statement.name.value)
        elif isinstance(statement, cst.ClassDef) and isinstance(statement.body, cst.IndentedBlock):
            for member in statement.body.body:
                if isinstance(member, cst.FunctionDef) and member.asynchronous is not None:
                    names.add(member.name.value)
    return names


def _elements(node: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    if isinstance(node, cst.List | cst.Set | cst.Tuple):
        for element in node.elements:
            yield element.value
    elif isinstance(node, cst.ListComp | cst.SetComp | cst.GeneratorExp):
        yield node.elt


class AsyncioWaitCoroutines(SourceRule):
    """``asyncio.wait([fetch(1), fetch(2)])`` with bare coroutines.

    Passing coroutines was deprecated in 3.8 (a ``DeprecationWarning``) and raises
    ``TypeError: Passing coroutines is forbidden, use tasks explicitly.`` from 3.11.
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    HINTS = ("wait",)
    TRIGGER = re.compile(r"\bwait[ \t]*\(")
    IMPORTS = frozenset({"asyncio"})
    SOURCE = (
        "What's New In Python 3.11 > Removed > asyncio: asyncio.wait() no longer accepts "
        "coroutines (deprecated in 3.8)"
    )
    BREAKS_IN = (3, 11)
    DEPRECATED_IN = (3, 8)
    FAILURE = "TypeError"
    FIX = "wrap each coroutine in asyncio.create_task(), or use asyncio.gather()"
    FLAGGED = (
        "import asyncio\n\n\nasync def ping():\n    return 1\n\n\nasync def main():\n"
        "    done, pending = await asyncio.wait([ping(), ping()])  # flagged: asyncio.wait\n"
        "    return len(done)\n\n\nprint(asyncio.run(main()))\n",
        "import asyncio\n\n\nasync def main():\n"
        "    done, _ = await asyncio.wait({asyncio.sleep(0)})  # flagged: asyncio.wait\n"
        "    return len(done)\n\n\nprint(asyncio.run(main()))\n",
    )
    CLEAN = (
        "import asyncio\n\n\nasync def ping():\n    return 1\n\n\nasync def main():\n"
        "    tasks = [asyncio.create_task(ping()) for _ in range(2)]\n"
        "    done, pending = await asyncio.wait(tasks)\n    return len(done)\n\n\n"
        "print(asyncio.run(main()))\n",
    )

    def __init__(self, context: WalkContext) -> None:
        super().__init__(context)
        self.coroutines: set[str] = set()

    def visit_Module(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Module)
        self.coroutines = coroutine_functions(node)

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        if not node.args or context.qualified_name(node.func) not in _WAIT:
            return
        awaitables = node.args[0]
        if any(self._coroutine(element, context) for element in _elements(awaitables.value)):
            self.flag(
                awaitables,
                message="asyncio.wait() of bare coroutines raises TypeError from Python 3.11",
                symbol="asyncio.wait",
            )

    def _coroutine(self, node: cst.BaseExpression, context: WalkContext) -> bool:
        if not isinstance(node, cst.Call):
            return False
        function = node.func
        if isinstance(function, cst.Name) and function.value in self.coroutines:
            return context.lookup(function.value) is not None
        if isinstance(function, cst.Attribute) and function.attr.value in self.coroutines:
            return isinstance(function.value, cst.Name) and function.value.value in {"self", "cls"}
        return context.qualified_name(function) in _COROUTINE_FUNCTIONS
