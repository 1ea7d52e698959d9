"""random.sample with a set or dict view as the population: a TypeError since Python 3.11."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

_SAMPLE = frozenset({"random.sample", "random.Random.sample", "random.SystemRandom.sample"})
_UNORDERED = frozenset({"builtins.set", "builtins.frozenset"})
_VIEWS = frozenset({"keys", "items", "values"})


def is_unordered(node: cst.BaseExpression, context: WalkContext) -> bool:
    """Whether ``node`` evidently is a set or a dictionary view (not a sequence)."""
    if isinstance(node, cst.Set | cst.SetComp):
        return True
    if isinstance(node, cst.Call):
        if context.qualified_name(node.func) in _UNORDERED:
            return True
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _VIEWS:
            return not node.args
        return False
    return context.type_of(node) in _UNORDERED


class RandomSampleFromSet(SourceRule):
    """``random.sample(population, k)`` no longer accepts a set or a dictionary view.

    Sampling from a set was deprecated in 3.9 (a ``DeprecationWarning``) and raises
    ``TypeError: Population must be a sequence`` from 3.11.
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    HINTS = ("sample",)
    TRIGGER = re.compile(r"\bsample[ \t]*\(")
    IMPORTS = frozenset({"random"})
    SOURCE = (
        "What's New In Python 3.11 > Removed: random.sample() no longer accepts a set "
        "(deprecated in 3.9, What's New In Python 3.9 > Deprecated)"
    )
    BREAKS_IN = (3, 11)
    DEPRECATED_IN = (3, 9)
    FAILURE = "TypeError"
    FIX = "pass a sequence: random.sample(sorted(population), k)"
    MECHANICAL = True
    FLAGGED = (
        "import random\nprint(random.sample({1, 2, 3}, 2))  # flagged: random.sample\n",
        "from random import sample\nprint(sample(set(range(5)), k=2))  # flagged: random.sample\n",
        "import random\nd = {'a': 1}\n"
        "print(random.sample(d.keys(), 1))  # flagged: random.sample\n",
        "import random\nids = {4, 5, 6}\n\n\ndef pick():\n"
        "    return random.sample(ids, 1)  # flagged: random.sample\n\n\nprint(pick())\n",
    )
    CLEAN = (
        "import random\nprint(random.sample(sorted({1, 2, 3}), 2))\n",
        "import random\nprint(random.sample([1, 2, 3], 2))\n",
        "import random\nids = [1, 2]\nprint(random.sample(ids, 1))\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        if not node.args or context.qualified_name(node.func) not in _SAMPLE:
            return
        population = node.args[0]
        if population.keyword is not None and population.keyword.value != "population":
            return
        if is_unordered(population.value, context):
            self.flag(
                population,
                message="random.sample() of a set or dict view raises TypeError from Python 3.11",
                symbol="random.sample",
            )
