"""Misspelt mock assertion methods (asert_*, assrt_*...): an AttributeError since 3.10."""

from __future__ import annotations

import re
from typing import ClassVar

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

_ASSERTIONS = frozenset(
    {
        "assert_called",
        "assert_called_once",
        "assert_called_with",
        "assert_called_once_with",
        "assert_any_call",
        "assert_has_calls",
        "assert_not_called",
        "assert_awaited",
        "assert_awaited_once",
        "assert_awaited_with",
        "assert_awaited_once_with",
        "assert_any_await",
        "assert_has_awaits",
        "assert_not_awaited",
    }
)
# Python 3.10 added these prefixes to "assert" and "assret", which 3.5 already refused.
_NEW_TYPOS = ("asert", "aseert", "assrt")


def corrected(name: str) -> str | None:
    """The assertion a misspelt name means, when it starts with a newly refused prefix."""
    for prefix in _NEW_TYPOS:
        if name.startswith(prefix + "_"):
            candidate = "assert" + name[len(prefix) :]
            return candidate if candidate in _ASSERTIONS else None
    return None


class MockAssertionTypo(SourceRule):
    """``mock.asert_called_once()`` and other misspelt assertion names on a mock.

    A mock used to return a child mock for them, so the "assertion" silently passed;
    from 3.10 a name starting with ``asert``, ``aseert`` or ``assrt`` raises
    ``AttributeError: 'asert_called_once' is not a valid assertion``.
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    HINTS: ClassVar[tuple[str, ...]] = ("asert_", "aseert_", "assrt_")
    TRIGGER = re.compile(r"\.(?:asert|aseert|assrt)_")
    IMPORTS = frozenset({"unittest", "mock"})
    SOURCE = (
        "What's New In Python 3.10 > Improved Modules > unittest.mock: accessing attributes "
        "with the typo prefixes asert, aseert and assrt raises AttributeError"
    )
    BREAKS_IN = (3, 10)
    FAILURE = "AttributeError"
    FIX = "spell the assertion correctly; the test never checked anything before"
    MECHANICAL = True
    FLAGGED: ClassVar[tuple[str, ...]] = (
        "from unittest import mock\n\nclient = mock.Mock()\nclient.send('x')\n"
        "client.asert_called_once()  # flagged: unittest.mock.Mock.assert_called_once\n",
        "from unittest.mock import MagicMock\n\nclient = MagicMock()\nclient.send('x')\n"
        "client.send.assrt_called_with('x')  # flagged: unittest.mock.Mock.assert_called_with\n",
    )
    CLEAN = (
        "from unittest import mock\n\nclient = mock.Mock()\nclient.send('x')\n"
        "client.send.assert_called_once_with('x')\n",
        "from unittest import mock\n\nclient = mock.Mock(unsafe=True)\n"
        "client.asert_called_once()\n",
    )

    def __init__(self, context: WalkContext) -> None:
        super().__init__(context)
        self.unsafe: set[str] = set()

    def visit_Assign(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Assign)
        value = node.value
        unsafe = isinstance(value, cst.Call) and any(
            arg.keyword is not None
            and arg.keyword.value == "unsafe"
            and isinstance(arg.value, cst.Name)
            and arg.value.value == "True"
            for arg in value.args
        )
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                if unsafe:
                    self.unsafe.add(target.target.value)
                else:
                    self.unsafe.discard(target.target.value)

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        function = node.func
        if not isinstance(function, cst.Attribute):
            return
        meant = corrected(function.attr.value)
        if meant is None or self._unsafe(function.value):
            return
        self.flag(
            function,
            message=(
                f"{function.attr.value} is a misspelt {meant}: on a mock it raises "
                "AttributeError from Python 3.10 (and checked nothing before)"
            ),
            symbol=f"unittest.mock.Mock.{meant}",
        )

    def _unsafe(self, receiver: cst.BaseExpression) -> bool:
        """Whether the receiver is a mock made with ``unsafe=True``, which allows any name."""
        while isinstance(receiver, cst.Attribute):
            receiver = receiver.value
        return isinstance(receiver, cst.Name) and receiver.value in self.unsafe


# The assertion names without their "assert_" prefix that 3.12 refuses on a mock (read
# from unittest.mock._ATTRIB_DENY_LIST on 3.12, less "called", a real Mock attribute).
_UNPREFIXED = frozenset(
    {"any_call", "called_once", "called_once_with", "called_with", "has_calls", "not_called"}
)


class MockAssertionWithoutPrefix(MockAssertionTypo):
    """``mock.called_once_with(...)``: an assertion name without its ``assert_`` prefix.

    A mock returned a child mock for it, so the call checked nothing; from 3.12 these
    names raise ``AttributeError: 'called_once_with' is not a valid assertion``.
    """

    HINTS: ClassVar[tuple[str, ...]] = tuple(f".{name}(" for name in sorted(_UNPREFIXED))
    TRIGGER = re.compile(r"\.(?:" + "|".join(sorted(_UNPREFIXED)) + r")[ \t]*\(")
    SOURCE = (
        "What's New In Python 3.12 > Changelog > Library (gh-100690): a mock refuses "
        "assertion names without the assert_ prefix"
    )
    BREAKS_IN = (3, 12)
    FLAGGED: ClassVar[tuple[str, ...]] = (
        "from unittest import mock\n\nclient = mock.Mock()\nclient.send('x')\n"
        "client.send.called_once_with('x')"
        "  # flagged: unittest.mock.Mock.assert_called_once_with\n",
    )
    CLEAN = (
        "from unittest import mock\n\nclient = mock.Mock()\nclient.send('x')\n"
        "print(client.send.called, client.send.call_count)\n"
        "client.send.assert_called_once_with('x')\n",
        "from unittest import mock\n\nclient = mock.Mock(unsafe=True)\n"
        "client.called_once_with('x')\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        function = node.func
        if not isinstance(function, cst.Attribute):
            return
        name = function.attr.value
        if name not in _UNPREFIXED or self._unsafe(function.value):
            return
        self.flag(
            function,
            message=(
                f"{name} is assert_{name} without its prefix: on a mock it raises "
                "AttributeError from Python 3.12 (and checked nothing before)"
            ),
            symbol=f"unittest.mock.Mock.assert_{name}",
        )
