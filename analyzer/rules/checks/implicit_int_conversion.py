"""Integer arguments given as a Decimal (or an object with only __int__): an error from 3.10."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceFacts, SourceRule
from analyzer.rules.walker import LocalClass, WalkContext

# Functions whose integer parameters accepted __int__ (with a DeprecationWarning) on 3.9
# and require __index__ from 3.10, as measured on the installed interpreters (time.sleep
# takes a float or else an integer: a Decimal is not a float).
_INTEGER_PARAMETERS = frozenset(
    {
        "builtins.chr",
        "builtins.str.expandtabs",
        "random.getrandbits",
        "random.Random.getrandbits",
        "socket.htons",
        "socket.ntohs",
        "time.sleep",
        "datetime.date",
        "datetime.datetime",
        "datetime.time",
    }
)


class ImplicitIntConversion(SourceRule):
    """A ``decimal.Decimal`` (or an instance of a class with ``__int__`` but no
    ``__index__``) passed where a builtin function wants an integer.

    Python 3.8 deprecated converting such objects with ``__int__``; from 3.10 builtin
    and extension functions accept only ``__index__``: ``chr(Decimal(65))`` raises
    ``TypeError: 'decimal.Decimal' object cannot be interpreted as an integer``.
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    TRIGGER = re.compile(
        r"\b(?:chr|expandtabs|getrandbits|htons|ntohs|sleep|date|datetime|time)[ \t]*\("
    )
    SOURCE = (
        "What's New In Python 3.10 > Porting to Python 3.10: builtin and extension "
        "functions that take integer arguments no longer accept Decimals, Fractions and "
        "other objects that can be converted to integers only with a loss (deprecated in 3.8)"
    )
    BREAKS_IN = (3, 10)
    DEPRECATED_IN = (3, 8)
    FAILURE = "TypeError"
    FIX = "convert explicitly with int(value) before passing it"
    MECHANICAL = True
    FLAGGED = (
        "from decimal import Decimal\nprint(chr(Decimal(65)))  # flagged: builtins.chr\n",
        "import datetime\nimport decimal\nmonth = decimal.Decimal(5)\n"
        "print(datetime.date(2024, month, 1))  # flagged: datetime.date\n",
        "import random\n\n\nclass Bits:\n    def __int__(self):\n        return 8\n\n\n"
        "print(random.getrandbits(Bits()) >= 0)  # flagged: random.getrandbits\n",
        "import time\nfrom decimal import Decimal\n"
        "time.sleep(Decimal('0'))  # flagged: time.sleep\nprint('slept')\n",
    )
    CLEAN = (
        "from decimal import Decimal\nprint(chr(int(Decimal(65))))\n",
        "from decimal import Decimal\nprint(round(Decimal('1.5')))\n",
        "class Bits:\n    def __int__(self):\n        return 8\n\n    def __index__(self):\n"
        "        return 8\n\n\nprint(chr(Bits()))\n",
        "import time\nfrom decimal import Decimal\n"
        "time.sleep(float(Decimal('0')))\nprint('slept')\n",
    )

    @classmethod
    def triggered(cls, facts: SourceFacts) -> bool:
        """A Decimal or a class with ``__int__``, and a call that wants an integer."""
        text = facts.text
        lossy = ("decimal" in facts.imported and "Decimal" in text) or "def __int__" in text
        return lossy and cls.TRIGGER.search(text) is not None

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        function = context.qualified_name(node.func)
        if function not in _INTEGER_PARAMETERS:
            return
        for arg in node.args:
            if arg.star or not _lossy_integer(arg.value, context):
                continue
            self.flag(
                arg,
                message=(
                    f"{function}() given an object without __index__ raises TypeError from "
                    "Python 3.10"
                ),
                symbol=function or "",
            )


def _lossy_integer(node: cst.BaseExpression, context: WalkContext) -> bool:
    """Whether ``node`` is a Decimal, or made by a class of the module with only __int__."""
    made_from = context.type_of(node)
    if made_from == "decimal.Decimal":
        return True
    local = context.local_class(made_from)
    if local is None:
        return False
    members: set[str] = set()
    current: LocalClass | None = local
    while current is not None:
        members |= current.members
        current = context.local_class(current.first_base)
    return "__int__" in members and "__index__" not in members
