"""Global inline regex flags such as ``(?i)`` anywhere but the start: an error since 3.11."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

_RE_FUNCTIONS = frozenset(
    f"re.{name}"
    for name in (
        "compile",
        "search",
        "match",
        "fullmatch",
        "findall",
        "finditer",
        "split",
        "sub",
        "subn",
        "template",
    )
)
# A global flag group: "(?" then flag letters then ")". Scoped groups "(?i:...)" are fine.
_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


def pattern_text(node: cst.BaseExpression) -> str | None:
    """The value of a plain (non-f) string literal, or of adjacent ones."""
    if isinstance(node, cst.SimpleString):
        try:
            value = node.evaluated_value
        except (ValueError, SyntaxError):
            return None
        return value if isinstance(value, str) else value.decode("latin-1")
    if isinstance(node, cst.ConcatenatedString):
        left, right = pattern_text(node.left), pattern_text(node.right)  # type: ignore[arg-type]
        return left + right if left is not None and right is not None else None
    return None


def misplaced_flags(pattern: str) -> bool:
    """Whether a global flag group stands anywhere but at the very start of ``pattern``."""
    position = 0
    for match in _GLOBAL_FLAGS.finditer(pattern):
        if match.start() == position:
            position = match.end()
        elif not _escaped(pattern, match.start()):
            return True
    return False


def _escaped(pattern: str, index: int) -> bool:
    backslashes = 0
    while index > 0 and pattern[index - 1] == "\\":
        backslashes += 1
        index -= 1
    return backslashes % 2 == 1


class RegexGlobalFlagsNotAtStart(SourceRule):
    """A global inline flag like ``(?i)`` after the start of a pattern.

    Deprecated since 3.6; ``re.error: global flags not at the start of the expression``
    from 3.11.
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    TRIGGER = re.compile(r"\(\?[aiLmsux]+\)")
    SOURCE = "What's New In Python 3.11 > Changes in the Python API > re global inline flags"
    FLAGGED = (
        "import re\nre.compile(r'abc(?i)')\n",
        "import re\nre.findall('x(?s).', 'x\\n')\n",
    )
    CLEAN = (
        "import re\nre.compile(r'(?i)abc')\n",
        "import re\nre.compile(r'a(?i:b)c')\n",
        "import re\nre.compile(r'a\\(?i)')\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        if context.qualified_name(node.func) not in _RE_FUNCTIONS or not node.args:
            return
        pattern = pattern_text(node.args[0].value)
        if pattern is not None and misplaced_flags(pattern):
            context.report(
                node.args[0],
                rule_id=self.RULE_ID,
                category=self.CATEGORY,
                message=(
                    "a global inline flag such as (?i) not at the start of the pattern raises "
                    "re.error from Python 3.11"
                ),
                fix="move the flag group to the start of the pattern, or pass flags=re.I",
                failure="re.error",
                symbol="re inline flags",
                breaks_in=(3, 11),
                deprecated_in=(3, 6),
                mechanical=True,
                documentation=self.SOURCE,
            )
