"""Modules imported at run time by a literal name: ``__import__("imp")``, ``import_module``."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceFacts, SourceRule
from analyzer.rules.stdlib import module_row, report_row
from analyzer.rules.walker import WalkContext

_IMPORTERS = frozenset({"builtins.__import__", "importlib.import_module", "importlib.__import__"})
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_LITERAL_CALL = r"""\b{callee}[ \t]*\([ \t\r\n]*[rRuU]?(["'])(?P<name>[A-Za-z_][\w.]*)\1"""
_DIRECT = re.compile(_LITERAL_CALL.format(callee="(?:__import__|import_module)"))
_ALIAS = re.compile(r"\bimport_module[ \t]+as[ \t]+(?P<alias>\w+)")


class DynamicImport(SourceRule):
    """``__import__("name")`` or ``importlib.import_module("name")`` with a literal name.

    The call imports the module as an ``import`` statement would, so a module the
    catalogue lists as removed (or as added later) fails there the same way, with
    ``ModuleNotFoundError``. The versions come from the catalogue's module rows; the
    examples use ``asyncore`` (deprecated in 3.10, removed in 3.12). A name built at run
    time is not followed.
    """

    RULE_ID = "removed-stdlib-module"
    CATEGORY = Category.REMOVED_MODULE
    HINTS = ("__import__", "import_module")
    TRIGGER = re.compile(
        r"""\b(?:__import__|import_module)[ \t]*\([ \t\r\n]*[rRuU]?["']"""
        r"""|\bimport_module[ \t]+as[ \t]+\w"""
    )
    SOURCE = "What's New In Python 3.12 > Removed (each module's own entry gives its version)"
    BREAKS_IN = (3, 12)
    DEPRECATED_IN = (3, 10)
    FAILURE = "ModuleNotFoundError"
    FIX = "import the replacement the catalogue names for the module"
    FLAGGED = (
        'mod = __import__("asyncore")  # flagged: asyncore\nprint(hasattr(mod, "loop"))\n',
        "import importlib\n\n\ndef load():\n"
        '    return importlib.import_module("asyncore")  # flagged: asyncore\n\n\n'
        "print(load().__name__)\n",
        "from importlib import import_module as load\n\n"
        'print(load("asyncore").__name__)  # flagged: asyncore\n',
    )
    CLEAN = (
        'import importlib\n\nmod = importlib.import_module("asyncio")\nprint(mod.__name__)\n',
        'name = "async" + "ore"\nprint(name, __import__("json").__name__)\n',
        "import importlib.util\n\n"
        'print(importlib.util.find_spec("asyncore") is None or "present")\n',
    )

    @classmethod
    def triggered(cls, facts: SourceFacts) -> bool:
        # Only a literal name the catalogue knows can be reported: most literal imports in
        # real code name modules that every runtime has.
        return super().triggered(facts) and bool(cls.candidate_lines(facts))

    @classmethod
    def candidate_lines(cls, facts: SourceFacts) -> set[int]:
        """The lines of literal imports of catalogued modules, also through an alias of
        ``import_module``, which may be called away from where it is named."""
        patterns = [_DIRECT]
        for alias in {match["alias"] for match in _ALIAS.finditer(facts.text)}:
            patterns.append(re.compile(_LITERAL_CALL.format(callee=re.escape(alias))))
        return {
            facts.line_of(match.start())
            for pattern in patterns
            for match in pattern.finditer(facts.text)
            if module_row(match["name"]) is not None
        }

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        if not node.args or node.args[0].keyword is not None or node.args[0].star:
            return
        argument = node.args[0].value
        if not isinstance(argument, cst.SimpleString):
            return
        name = argument.evaluated_value
        if not isinstance(name, str) or _DOTTED.fullmatch(name) is None:
            return
        if name.partition(".")[0] in context.local_modules:
            return
        if context.qualified_name(node.func) not in _IMPORTERS:
            return
        row = module_row(name)
        if row is None:
            return
        report_row(
            context,
            node,
            row,
            self.FAILURE,
            row.symbol,
            documentation=f"{self.SOURCE}; {row.source}",
        )
