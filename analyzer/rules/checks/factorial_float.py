"""math.factorial() of a float: deprecated in 3.9, a TypeError since Python 3.10."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.checks.randrange_float import is_float
from analyzer.rules.walker import WalkContext


class FactorialFloat(SourceRule):
    """``math.factorial(5.0)``: a float with an integral value.

    3.9 accepted it with a ``DeprecationWarning``; from 3.10 only integers (and objects
    with ``__index__``) are accepted, and a float raises ``TypeError: 'float' object
    cannot be interpreted as an integer``.
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    HINTS = ("factorial",)
    TRIGGER = re.compile(r"\bfactorial\b")
    IMPORTS = frozenset({"math"})
    SOURCE = (
        "What's New In Python 3.9 > Deprecated: math.factorial() of a float with an integral "
        "value; refused from 3.10 (math.factorial docs, changed in version 3.10)"
    )
    BREAKS_IN = (3, 10)
    DEPRECATED_IN = (3, 9)
    FAILURE = "TypeError"
    FIX = "pass an integer: math.factorial(int(value))"
    MECHANICAL = True
    FLAGGED = (
        "import math\nprint(math.factorial(5.0))  # flagged: math.factorial\n",
        "from math import factorial\nhalf = 10 / 2\n"
        "print(factorial(half))  # flagged: math.factorial\n",
    )
    CLEAN = (
        "import math\nprint(math.factorial(5), math.factorial(10 // 2))\n",
        "import math\nprint(math.factorial(int(5.0)))\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        if context.qualified_name(node.func) != "math.factorial" or not node.args:
            return
        argument = node.args[0]
        if argument.star or argument.keyword is not None:
            return
        if is_float(argument.value, context):
            self.flag(
                argument,
                message="math.factorial() of a float raises TypeError from Python 3.10",
                symbol="math.factorial",
            )
