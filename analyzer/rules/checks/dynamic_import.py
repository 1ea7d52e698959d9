"""Modules imported at run time by a literal name: ``__import__("imp")``, ``import_module``."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.stdlib import module_row, report_row
from analyzer.rules.walker import WalkContext

_IMPORTERS = frozenset({"builtins.__import__", "importlib.import_module", "importlib.__import__"})
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


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
    LOCAL = False
    """``import_module`` bound to another name is called away from where it is named."""
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
