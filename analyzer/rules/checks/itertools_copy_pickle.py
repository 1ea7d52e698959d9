"""Copying or pickling itertools iterators: deprecated in 3.12, removed in Python 3.14."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

_ITERATORS = frozenset(
    f"itertools.{name}"
    for name in (
        "accumulate",
        "chain",
        "combinations",
        "combinations_with_replacement",
        "compress",
        "count",
        "cycle",
        "dropwhile",
        "filterfalse",
        "groupby",
        "islice",
        "permutations",
        "product",
        "repeat",
        "starmap",
        "takewhile",
        "tee",
        "zip_longest",
    )
)
_COPIERS = frozenset({"copy.copy", "copy.deepcopy", "pickle.dumps", "pickle.dump"})


class ItertoolsCopyPickle(SourceRule):
    """``copy.copy``, ``copy.deepcopy`` or ``pickle`` of an itertools iterator.

    The ``__reduce__``/``__copy__`` support of itertools objects warned from 3.12 and
    was removed in 3.14: the copy or pickle fails.
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    TRIGGER = re.compile(
        r"(?<![\w.])(?:copy|deepcopy|dumps?)[ \t]*\("
        r"|\b(?:copy\.(?:deep)?copy|pickle\.dumps?)[ \t]*\("
    )
    IMPORTS = frozenset({"itertools"})
    HINTS = ("copy", "dump")
    SOURCE = (
        "What's New In Python 3.14 > Removed > itertools: support for copy, deepcopy and "
        "pickle operations (deprecated in What's New In Python 3.12 > Deprecated)"
    )
    BREAKS_IN = (3, 14)
    DEPRECATED_IN = (3, 12)
    FAILURE = "TypeError"
    FIX = "copy the data, not the iterator: materialise it with list() or use itertools.tee()"
    FLAGGED = (
        "import copy\nimport itertools\n\ncolors = itertools.cycle('rgb')\n"
        "print(next(copy.deepcopy(colors)))  # flagged: itertools.cycle\n",
        "import itertools\nimport pickle\n\n"
        "print(len(pickle.dumps(itertools.count(5))) > 0)  # flagged: itertools.count\n",
    )
    CLEAN = (
        "import copy\nimport itertools\n\ncolors = list(itertools.islice('rgb', 2))\n"
        "print(copy.deepcopy(colors))\n",
        "import itertools\n\nfirst, second = itertools.tee(iter([1, 2]))\nprint(list(second))\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        function = context.qualified_name(node.func)
        if function not in _COPIERS or not node.args:
            return
        made_from = context.type_of(node.args[0].value)
        if made_from in _ITERATORS:
            self.flag(
                node.args[0],
                message=(
                    f"{function}() of an {made_from} iterator: deprecated since Python 3.12, "
                    "removed in 3.14"
                ),
                symbol=made_from or "",
            )
