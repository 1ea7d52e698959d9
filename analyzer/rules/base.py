"""What a source rule is (a class with a docstring, examples, triggers and visit methods),
and the cheap facts about a file that decide which rules can match it."""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Iterable
from functools import cache, cached_property
from typing import TYPE_CHECKING, ClassVar

from analyzer.models import Category, ImportRecord, PythonVersion

if TYPE_CHECKING:
    import libcst as cst

    from analyzer.rules.walker import WalkContext

_NEWLINE = re.compile(r"\r\n|\r|\n")
_ATTRIBUTE = re.compile(r"\.[ \t]*([A-Za-z_][A-Za-z0-9_]*)")
_KEYWORD = re.compile(r"[(,][ \t\r\n\\]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*=(?!=)")
FLAGGED_MARK = re.compile(r"#\s*flagged:\s*(.+?)\s*$")
"""In a rule's FLAGGED example, ``# flagged: <symbol>`` ends each line it must report."""


@cache
def _call_keyword_pattern(function: str, keyword: str) -> re.Pattern[str]:
    return re.compile(
        rf"\b{re.escape(function)}[ \t]*\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*?"
        rf"\b{re.escape(keyword)}[ \t]*=(?!=)"
    )


class SourceFacts:
    """What a prefilter may know of a file without a syntax tree: its text and imports."""

    def __init__(
        self,
        text: str,
        imports: Iterable[ImportRecord],
        local_modules: frozenset[str] = frozenset(),
        tree: ast.Module | None = None,
    ) -> None:
        self.text = text
        self.tree = tree
        """The ``ast`` of the text, when this interpreter parses it."""
        self.imports = tuple(
            record
            for record in imports
            if record.level == 0 and record.module.partition(".")[0] not in local_modules
        )
        self.imported = frozenset(record.module.partition(".")[0] for record in self.imports)
        """Top-level modules the file imports (not its own package's)."""
        self._aliases: dict[str, frozenset[str]] = {}

    @cached_property
    def line_starts(self) -> list[int]:
        """The offset at which each line of the text starts."""
        starts = [0]
        starts.extend(match.end() for match in _NEWLINE.finditer(self.text))
        return starts

    def line_of(self, offset: int) -> int:
        """The 1-based line of a character offset."""
        return bisect.bisect_right(self.line_starts, offset)

    def lines_of(self, pattern: re.Pattern[str]) -> set[int]:
        """The lines where ``pattern`` matches."""
        return {self.line_of(match.start()) for match in pattern.finditer(self.text)}

    @cached_property
    def attributes(self) -> frozenset[str]:
        """Every name that follows a dot: attribute names (and some text in strings)."""
        return frozenset(_ATTRIBUTE.findall(self.text))

    @cached_property
    def keywords(self) -> frozenset[str]:
        """Every name written as ``name=`` after ``(`` or ``,``: keyword arguments."""
        return frozenset(_KEYWORD.findall(self.text))

    @cached_property
    def imported_names(self) -> frozenset[str]:
        """``module.name`` for every ``from module import name``, and every module imported."""
        names = set()
        for record in self.imports:
            names.add(record.module)
            names.update(f"{record.module}.{name}" for name in record.names)
        return frozenset(names)

    @cached_property
    def from_names(self) -> frozenset[str]:
        """The bare names taken by ``from module import name``."""
        return frozenset(name for record in self.imports for name in record.names)

    def aliases(self, module: str) -> frozenset[str]:
        """The names a top-level module is bound to: itself and ``import module as alias``."""
        found = self._aliases.get(module)
        if found is None:
            pattern = rf"\b{re.escape(module)}(?:\.\w+)*[ \t]+as[ \t]+([A-Za-z_]\w*)"
            found = frozenset({module, *re.findall(pattern, self.text)})
            self._aliases[module] = found
        return found

    def module_attribute(self, module: str, name: str) -> bool:
        """Whether the text reads ``name`` off the module (``sys.exception``, ``s.exception``).

        The test is for the usual spelling, without spaces around the dot.
        """
        # TODO: "sys . exception" with spaces is not seen (a per-file index of dotted
        # pairs, if the rare spelling ever matters, would retire this).
        return any(f"{alias}.{name}" in self.text for alias in self.aliases(module))

    def keyword_in_call(self, function: str, keyword: str) -> bool:
        """Whether ``function(..., keyword=...)`` appears (arguments nested two levels deep)."""
        if f"{function}(" not in self.text and f"{function} (" not in self.text:
            return False
        return _call_keyword_pattern(function, keyword).search(self.text) is not None

    def call_keyword_lines(self, function: str, keyword: str) -> set[int]:
        """The lines where ``function(..., keyword=...)`` calls start."""
        return self.lines_of(_call_keyword_pattern(function, keyword))

    def renamed(self, function: str) -> bool:
        """Whether a callable may be called under another name (``as`` or an assignment)."""
        if function not in self.text:
            return False
        name = re.escape(function)
        pattern = rf"\b{name}[ \t]+as[ \t]+\w+|=[ \t]*[\w.]*\b{name}[ \t]*$"
        return re.search(pattern, self.text, re.MULTILINE) is not None

    @cached_property
    def star_modules(self) -> frozenset[str]:
        """Modules imported with ``from module import *``."""
        return frozenset(record.module for record in self.imports if "*" in record.names)


class SourceRule:
    """Base of the visitor rules: behaviour changes that a catalogue row cannot express.

    A rule names the node types it looks at by defining ``visit_<NodeType>(self, node,
    context)`` methods (libcst node class names: ``visit_Call``, ``visit_Attribute``...),
    and ``leave_<NodeType>`` for after a node's children. All rules share one walk of
    each file. A rule only runs on files that hold one of its ``HINTS``, match its
    ``TRIGGER`` pattern and import one of its ``IMPORTS`` (when it names any), which keeps
    the walk off files where it cannot find anything.

    ``FLAGGED`` programs must produce a finding of the rule on each line marked
    ``# flagged: <symbol>``, ``CLEAN`` ones none; one parametrised test runs them all,
    and another runs them on the installed interpreters to confirm the version facts.
    """

    RULE_ID: ClassVar[str]
    CATEGORY: ClassVar[Category] = Category.BEHAVIOUR_CHANGE
    TRIGGER: ClassVar[re.Pattern[str]]
    IMPORTS: ClassVar[frozenset[str]] = frozenset()
    """Top-level modules one of which a file must import for the rule to apply."""
    HINTS: ClassVar[tuple[str, ...]] = ()
    """Plain strings one of which a file's text must hold: a quicker test than TRIGGER."""
    LOCAL: ClassVar[bool] = True
    """Whether every finding lies in the function (or module-level code) where TRIGGER
    matched, so that the other functions' bodies need not be parsed."""
    SOURCE: ClassVar[str]
    """The documentation behind the rule: a What's New entry or the module's docs."""
    BREAKS_IN: ClassVar[PythonVersion | None] = None
    """The first version on which the flagged code fails."""
    REQUIRES: ClassVar[PythonVersion | None] = None
    """The first version that runs the flagged code."""
    DEPRECATED_IN: ClassVar[PythonVersion | None] = None
    """The first version that warns about the flagged code."""
    FAILURE: ClassVar[str] = "Exception"
    """The exception the flagged code raises; a handler for it keeps the code working."""
    FIX: ClassVar[str] = ""
    MECHANICAL: ClassVar[bool] = False
    FLAGGED: ClassVar[tuple[str, ...]] = ()
    CLEAN: ClassVar[tuple[str, ...]] = ()

    def __init__(self, context: WalkContext) -> None:
        self.context = context

    @classmethod
    def triggered(cls, facts: SourceFacts) -> bool:
        """Whether the rule can match a file with these facts."""
        if cls.IMPORTS and not cls.IMPORTS & facts.imported:
            return False
        if cls.HINTS and not any(hint in facts.text for hint in cls.HINTS):
            return False
        return cls.TRIGGER.search(facts.text) is not None

    @classmethod
    def candidate_lines(cls, facts: SourceFacts) -> set[int]:
        """The lines where TRIGGER matches: where (in which function) findings can be."""
        return {facts.line_of(match.start()) for match in cls.TRIGGER.finditer(facts.text)}

    def flag(
        self,
        node: cst.CSTNode,
        *,
        message: str,
        symbol: str,
        fix: str | None = None,
        breaks_in: PythonVersion | None = None,
        requires: PythonVersion | None = None,
    ) -> None:
        """Report the rule at ``node`` with the rule's version facts."""
        self.context.report(
            node,
            rule_id=self.RULE_ID,
            category=self.CATEGORY,
            message=message,
            fix=fix or self.FIX,
            failure=self.FAILURE,
            symbol=symbol,
            breaks_in=breaks_in or self.BREAKS_IN,
            requires=requires or self.REQUIRES,
            deprecated_in=self.DEPRECATED_IN,
            mechanical=self.MECHANICAL,
            documentation=self.SOURCE,
        )
