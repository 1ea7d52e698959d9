"""Possessive quantifiers and atomic groups in regular expressions: new in Python 3.11."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceFacts, SourceRule
from analyzer.rules.checks.regex_inline_flags import (
    RE_CALL,
    RE_FUNCTIONS,
    PatternConstants,
    structure,
)
from analyzer.rules.walker import WalkContext

_REPEAT = re.compile(r"\{\d*,?\d*\}$")


def possessive_or_atomic(pattern: str) -> bool:
    """Whether ``pattern`` uses ``*+``, ``++``, ``?+``, ``{m,n}+`` or ``(?>...)``."""
    previous = ""
    previous_index = -1
    for index, char in structure(pattern):
        if char == "(" and pattern.startswith("(?>", index):
            return True
        if char == "+" and previous_index == index - 1:
            if previous in "*+?":
                return True
            if previous == "}" and _REPEAT.search(pattern[:index][-12:]):
                return True
        previous, previous_index = char, index
    return False


class RegexPossessiveQuantifier(SourceRule):
    """A pattern with a possessive quantifier (``a++``) or an atomic group (``(?>a)``).

    Before 3.11, ``re`` rejects them: ``re.error: multiple repeat`` or ``unknown
    extension ?>``.
    """

    RULE_ID = "needs-newer-stdlib"
    CATEGORY = Category.NEEDS_NEWER_STDLIB
    HINTS = ("++", "*+", "?+", "}+", "(?>")
    TRIGGER = re.compile(r"[*+?}]\+|\(\?>")
    IMPORTS = frozenset({"re"})
    SOURCE = (
        "What's New In Python 3.11 > Improved Modules > re: atomic grouping and possessive "
        "quantifiers"
    )
    REQUIRES = (3, 11)
    FAILURE = "re.error"
    FIX = "keep the target at 3.11 or later, or rewrite the pattern without possessive quantifiers"
    FLAGGED = (
        "import re\nprint(re.fullmatch(r'a++b', 'aaab'))  # flagged: re.fullmatch\n",
        "import re\nprint(re.search(r'(?>ab|a)c', 'abc'))  # flagged: re.search\n",
        "import re\nprint(re.compile(r'x{1,3}+y'))  # flagged: re.compile\n",
    )
    CLEAN = (
        "import re\nprint(re.fullmatch(r'a+b', 'aaab'))\n",
        "import re\nprint(re.compile(r'[*+]+x'))\n",
        "import re\nprint(re.compile(r'\\++'))\n",
        "import re\nprint(re.compile(r'(?:a|b)+'))\n",
    )

    @classmethod
    def candidate_lines(cls, facts: SourceFacts) -> set[int]:
        """The patterns, and the calls that may read one from a constant."""
        return super().candidate_lines(facts) | facts.lines_of(RE_CALL)

    def __init__(self, context: WalkContext) -> None:
        super().__init__(context)
        self.constants = PatternConstants()

    def visit_Assign(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Assign)
        self.constants.assign(node)

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        function = context.qualified_name(node.func)
        if not node.args or function not in RE_FUNCTIONS:
            return
        pattern = self.constants.pattern(node.args[0].value)
        if pattern is not None and possessive_or_atomic(pattern):
            self.flag(
                node.args[0],
                message=(
                    "possessive quantifiers and atomic groups in a regular expression need "
                    "Python 3.11; older versions raise re.error"
                ),
                symbol=function,
            )
