"""Global inline regex flags such as ``(?i)`` anywhere but the start: an error since 3.11."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceFacts, SourceRule
from analyzer.rules.walker import WalkContext

RE_FUNCTIONS = frozenset(
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
RE_CALL = re.compile(
    r"\b(?:compile|search|match|fullmatch|findall|finditer|split|sub|subn|template)[ \t]*\("
)
# A global flag group: "(?" then flag letters then ")". Scoped groups "(?i:...)" are fine.
_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


def string_value(node: cst.BaseExpression) -> str | None:
    """The value of a plain (non-f) string literal, or of adjacent ones."""
    if isinstance(node, cst.SimpleString):
        try:
            value = node.evaluated_value
        except (ValueError, SyntaxError):
            return None
        return value if isinstance(value, str) else value.decode("latin-1")
    if isinstance(node, cst.ConcatenatedString):
        left = string_value(node.left)
        right = string_value(node.right) if isinstance(node.right, cst.BaseExpression) else None
        return left + right if left is not None and right is not None else None
    return None


class PatternConstants:
    """Remembers ``NAME = "literal"`` assignments, so a pattern held in a constant is read."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def assign(self, node: cst.Assign) -> None:
        value = string_value(node.value)
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                if value is None:
                    self.values.pop(target.target.value, None)
                else:
                    self.values[target.target.value] = value

    def pattern(self, node: cst.BaseExpression) -> str | None:
        if isinstance(node, cst.Name):
            return self.values.get(node.value)
        return string_value(node)


def structure(pattern: str) -> Iterator[tuple[int, str]]:
    """The characters of a pattern that are syntax: outside escapes and ``[...]`` classes."""
    index, length = 0, len(pattern)
    while index < length:
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            end = index + 1
            if end < length and pattern[end] == "^":
                end += 1
            if end < length and pattern[end] == "]":
                end += 1
            while end < length and pattern[end] != "]":
                end += 2 if pattern[end] == "\\" else 1
            index = end + 1
            continue
        yield index, char
        index += 1


def misplaced_flags(pattern: str) -> bool:
    """Whether a global flag group stands anywhere but at the very start of ``pattern``."""
    allowed = 0
    for index, char in structure(pattern):
        if char != "(" or not pattern.startswith("(?", index):
            continue
        match = _GLOBAL_FLAGS.match(pattern, index)
        if match is None:
            continue
        if index != allowed:
            return True
        allowed = match.end()
    return False


class RegexGlobalFlagsNotAtStart(SourceRule):
    """A global inline flag like ``(?i)`` after the start of a pattern.

    Deprecated since 3.6 (a ``DeprecationWarning``); ``re.error: global flags not at the
    start of the expression`` from 3.11.
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    HINTS = ("(?",)
    TRIGGER = re.compile(r"\(\?[aiLmsux]+\)")
    IMPORTS = frozenset({"re"})
    SOURCE = "What's New In Python 3.11 > Changes in the Python API: re global inline flags"
    BREAKS_IN = (3, 11)
    DEPRECATED_IN = (3, 6)
    FAILURE = "re.error"
    FIX = "move the flag group to the start of the pattern, or pass flags=re.I"
    MECHANICAL = True
    FLAGGED = (
        "import re\nprint(re.compile(r'abc(?i)'))  # flagged: re.compile\n",
        "import re\nprint(re.findall('x(?s).', 'x\\n'))  # flagged: re.findall\n",
        "import re\nPATTERN = r'id(?i)=\\d+'\n"
        "print(re.search(PATTERN, 'ID=1'))  # flagged: re.search\n",
    )
    CLEAN = (
        "import re\nprint(re.compile(r'(?i)abc'))\n",
        "import re\nprint(re.compile(r'a(?i:b)c'))\n",
        "import re\nprint(re.compile(r'a[(?i)]b'))\n",
        "import re\nprint(re.compile(r'a\\(?i\\)b'))\n",
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
        if pattern is not None and misplaced_flags(pattern):
            self.flag(
                node.args[0],
                message=(
                    "a global inline flag such as (?i) not at the start of the pattern raises "
                    "re.error from Python 3.11"
                ),
                symbol=function,
            )
