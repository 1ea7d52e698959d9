"""random.randrange() and randint() with float arguments: a TypeError since Python 3.12."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

# randint(a, b) is randrange(a, b + 1): its float bounds reach randrange.
_RANDRANGE = frozenset(
    f"random.{owner}{method}"
    for owner in ("", "Random.", "SystemRandom.")
    for method in ("randrange", "randint")
)


def is_float(node: cst.BaseExpression, context: WalkContext) -> bool:
    """Whether ``node`` evidently evaluates to a float."""
    if isinstance(node, cst.UnaryOperation):
        return is_float(node.expression, context)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
        return True
    if isinstance(node, cst.Call):
        return context.qualified_name(node.func) == "builtins.float"
    return context.type_of(node) == "builtins.float"


class RandrangeFloat(SourceRule):
    """``random.randrange(10.0)`` or ``random.randint(1, 3.0)``: a float argument.

    Non-integer arguments were deprecated in 3.10 (a ``DeprecationWarning``) and raise
    ``TypeError: 'float' object cannot be interpreted as an integer`` from 3.12.
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    HINTS = ("randrange", "randint")
    TRIGGER = re.compile(r"\brand(?:range|int)\b")
    IMPORTS = frozenset({"random"})
    SOURCE = (
        "What's New In Python 3.12 > Changes in the Python API > random: randrange() no "
        "longer accepts float arguments (deprecated in 3.10)"
    )
    BREAKS_IN = (3, 12)
    DEPRECATED_IN = (3, 10)
    FAILURE = "TypeError"
    FIX = "pass integers: random.randrange(int(stop))"
    MECHANICAL = True
    FLAGGED = (
        "import random\nprint(random.randrange(10.0) < 10)  # flagged: random.randrange\n",
        "import random\nlimit = 6 / 2\n"
        "print(random.randrange(0, limit) < 3)  # flagged: random.randrange\n",
        "import random\nprint(random.randint(1, 3.0) < 4)  # flagged: random.randint\n",
    )
    CLEAN = (
        "import random\nprint(random.randrange(10) < 10)\n",
        "import random\nprint(random.randrange(0, 6 // 2) < 3)\n",
        "import random\nprint(random.randint(1, int(3.0)) < 4)\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        function = context.qualified_name(node.func)
        if function not in _RANDRANGE:
            return
        name = function.rpartition(".")[2]
        for arg in node.args:
            if not arg.star and is_float(arg.value, context):
                self.flag(
                    arg,
                    message=f"random.{name}() with a float raises TypeError from Python 3.12",
                    symbol=f"random.{name}",
                )
                return
