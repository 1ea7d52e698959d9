"""random.seed() with a tuple or a frozenset: a TypeError since Python 3.11."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

_SEED = frozenset({"random.seed", "random.Random.seed", "random.Random"})
# Hashable, so accepted (with a warning) before 3.11; lists, dicts and sets never were.
_UNSEEDABLE = frozenset({"builtins.tuple", "builtins.frozenset"})


class RandomSeedType(SourceRule):
    """``random.seed((2024, 1))``: a seed that is not None, int, float, str, bytes or
    bytearray.

    Hashing other types for the seed was deprecated in 3.9 (a ``DeprecationWarning``)
    and raises ``TypeError`` from 3.11.
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    HINTS = ("seed", "Random")
    TRIGGER = re.compile(r"\b(?:seed|Random)\s*\(")
    IMPORTS = frozenset({"random"})
    SOURCE = (
        "What's New In Python 3.11 > Removed > random: seed() supports only None, int, "
        "float, str, bytes and bytearray (deprecated in What's New In Python 3.9)"
    )
    BREAKS_IN = (3, 11)
    DEPRECATED_IN = (3, 9)
    FAILURE = "TypeError"
    FIX = "seed with an int or a str: random.seed(hash(value)) or random.seed(repr(value))"
    FLAGGED = (
        "import random\nrandom.seed((2024, 1))  # flagged: random.seed\n"
        "print(random.random() < 1)\n",
        "import random\nrng = random.Random(frozenset({1, 2}))  # flagged: random.seed\n"
        "print(rng.random() < 1)\n",
    )
    CLEAN = (
        "import random\nrandom.seed(2024)\nprint(random.random() < 1)\n",
        "import random\nrng = random.Random('2024-1')\nprint(rng.random() < 1)\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        function = context.qualified_name(node.func)
        if function not in _SEED or not node.args or node.args[0].star:
            return
        seed = node.args[0]
        if seed.keyword is not None and seed.keyword.value not in {"a", "x"}:
            return
        if context.type_of(seed.value) in _UNSEEDABLE:
            self.flag(
                seed,
                message=(
                    "seeding random with a value that is not None, int, float, str, bytes or "
                    "bytearray raises TypeError from Python 3.11"
                ),
                symbol="random.seed",
            )
