"""int.to_bytes() and int.from_bytes() without length or byte order: new in Python 3.11."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

_INTEGERS = frozenset({"builtins.int", "builtins.bool", None})


class IntBytesDefaults(SourceRule):
    """``n.to_bytes()`` without ``length``/``byteorder``, ``int.from_bytes(b)`` without
    ``byteorder``.

    Python 3.11 gave ``length`` the default 1 and ``byteorder`` the default ``"big"``;
    before, they are required: ``TypeError: to_bytes() missing required argument``.
    """

    RULE_ID = "needs-newer-stdlib"
    CATEGORY = Category.NEEDS_NEWER_STDLIB
    HINTS = ("_bytes",)
    TRIGGER = re.compile(r"\.(?:to|from)_bytes[ \t]*\(")
    SOURCE = (
        "What's New In Python 3.11 > Other Language Changes: int.to_bytes() and "
        "int.from_bytes() default to length 1 and byteorder 'big'"
    )
    REQUIRES = (3, 11)
    FAILURE = "TypeError"
    FIX = "pass the length and byteorder explicitly: n.to_bytes(1, 'big')"
    MECHANICAL = True
    FLAGGED = (
        "print((255).to_bytes())  # flagged: builtins.int.to_bytes\n",
        "print((1024).to_bytes(2))  # flagged: builtins.int.to_bytes\n",
        "print(int.from_bytes(b'\\x01'))  # flagged: builtins.int.from_bytes\n",
    )
    CLEAN = (
        "print((255).to_bytes(1, 'big'))\n",
        "print((255).to_bytes(length=1, byteorder='little'))\n",
        "print(int.from_bytes(b'\\x01', 'big'))\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        function = node.func
        if not isinstance(function, cst.Attribute):
            return
        method = function.attr.value
        if method not in {"to_bytes", "from_bytes"} or any(arg.star for arg in node.args):
            return
        receiver = function.value
        if method == "from_bytes":
            if context.qualified_name(receiver) != "builtins.int":
                return
        elif context.type_of(receiver) not in _INTEGERS:
            return
        positional = sum(1 for arg in node.args if arg.keyword is None)
        keywords = {arg.keyword.value for arg in node.args if arg.keyword is not None}
        if positional >= 2 or "byteorder" in keywords:
            return
        if method == "to_bytes" and positional == 0 and "length" not in keywords:
            missing = "length and byteorder"
        else:
            missing = "byteorder"
        self.flag(
            node,
            message=f"int.{method}() without {missing} needs Python 3.11",
            symbol=f"builtins.int.{method}",
        )
