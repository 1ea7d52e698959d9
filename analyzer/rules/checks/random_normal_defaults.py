"""random.gauss() and random.normalvariate() without mu and sigma: new in Python 3.11."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

_NORMAL = frozenset(
    f"random.{owner}{function}"
    for owner in ("", "Random.", "SystemRandom.")
    for function in ("gauss", "normalvariate")
)
_PARAMETERS = frozenset({"mu", "sigma"})


class RandomNormalDefaults(SourceRule):
    """``random.gauss()`` or ``random.normalvariate(0.0)``: fewer than two of ``mu`` and
    ``sigma``.

    Python 3.11 gave them the defaults 0.0 and 1.0; before, both are required:
    ``TypeError: gauss() missing 2 required positional arguments``.
    """

    RULE_ID = "needs-newer-stdlib"
    CATEGORY = Category.NEEDS_NEWER_STDLIB
    HINTS = ("gauss", "normalvariate")
    TRIGGER = re.compile(r"\b(?:gauss|normalvariate)[ \t]*\(")
    IMPORTS = frozenset({"random"})
    SOURCE = (
        "What's New In Python 3.11 > Changelog > Library: bpo-46737, default arguments for "
        "random.gauss() and random.normalvariate() (random module docs: changed in 3.11)"
    )
    REQUIRES = (3, 11)
    FAILURE = "TypeError"
    FIX = "pass both explicitly: random.gauss(0.0, 1.0)"
    MECHANICAL = True
    FLAGGED = (
        "import random\nprint(random.gauss() < 100)  # flagged: random.gauss\n",
        "import random\nrng = random.Random(1)\n"
        "print(rng.normalvariate(5.0) < 100)  # flagged: random.Random.normalvariate\n",
    )
    CLEAN = (
        "import random\nprint(random.gauss(0.0, 1.0) < 100)\n",
        "import random\nprint(random.normalvariate(mu=5.0, sigma=1.0) < 100)\n",
        "import random\nargs = (0.0, 1.0)\nprint(random.gauss(*args) < 100)\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        function = context.qualified_name(node.func)
        if function not in _NORMAL or any(arg.star for arg in node.args):
            return
        given = sum(
            1 for arg in node.args if arg.keyword is None or arg.keyword.value in _PARAMETERS
        )
        if given < 2:
            self.flag(
                node,
                message=f"{function}() without both mu and sigma needs Python 3.11",
                symbol=function,
            )
