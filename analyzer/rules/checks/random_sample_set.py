"""random.sample with a set or dict view as the population: a TypeError since Python 3.11."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

_SAMPLE = frozenset({"random.sample", "random.Random.sample", "random.SystemRandom.sample"})


def is_set_expression(node: cst.BaseExpression, context: WalkContext) -> bool:
    """Whether ``node`` evidently builds a set or a dict view."""
    if isinstance(node, cst.Set | cst.SetComp):
        return True
    if isinstance(node, cst.Call):
        called = context.qualified_name(node.func)
        if called in {"builtins.set", "builtins.frozenset"}:
            return True
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in {"keys", "items"}:
            return not node.args
    return False


class RandomSampleFromSet(SourceRule):
    """``random.sample(population, k)`` no longer accepts a set (or a dict view).

    Sampling from a set was deprecated in 3.9 and raises ``TypeError: Population must be
    a sequence`` from 3.11.
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    TRIGGER = re.compile(r"\bsample\b")
    SOURCE = "What's New In Python 3.11 > Removed > random.sample() of a set"
    FLAGGED = (
        "import random\nrandom.sample({1, 2, 3}, 2)\n",
        "from random import sample\nsample(set(range(5)), k=2)\n",
        "import random\nd = {'a': 1}\nrandom.sample(d.keys(), 1)\n",
    )
    CLEAN = (
        "import random\nrandom.sample(sorted({1, 2, 3}), 2)\n",
        "import random\nrandom.sample([1, 2, 3], 2)\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        if context.qualified_name(node.func) not in _SAMPLE or not node.args:
            return
        population = node.args[0]
        if population.keyword not in (None,) and population.keyword.value != "population":
            return
        if is_set_expression(population.value, context):
            context.report(
                population,
                rule_id=self.RULE_ID,
                category=self.CATEGORY,
                message="random.sample() of a set or dict view raises TypeError from Python 3.11",
                fix="pass a sequence: random.sample(sorted(population), k)",
                failure="TypeError",
                symbol="random.sample",
                breaks_in=(3, 11),
                deprecated_in=(3, 9),
                mechanical=True,
                documentation=self.SOURCE,
            )
