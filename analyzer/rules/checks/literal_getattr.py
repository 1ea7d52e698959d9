"""getattr(module, "name") with a literal name and no default: an attribute read in disguise."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.stdlib import name_row, report_row
from analyzer.rules.walker import WalkContext

_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


class LiteralGetattr(SourceRule):
    """``getattr(inspect, "getargspec")``: two arguments, the second a literal name.

    Without a default, ``getattr`` raises ``AttributeError`` exactly as
    ``inspect.getargspec`` would, so a name the catalogue lists as removed (or as added
    later) fails the same way; the versions come from the catalogue's name rows (the
    examples use ``inspect.getargspec``, deprecated since 3.0 and removed in 3.11). With a
    default the call is a feature test and is not reported.
    """

    RULE_ID = "removed-stdlib-api"
    CATEGORY = Category.REMOVED_NAME
    HINTS = ("getattr",)
    TRIGGER = re.compile(
        r"""\bgetattr[ \t]*\([^,()\n]+,[ \t]*[rRuU]?["'][A-Za-z_]\w*["'][ \t]*\)"""
    )
    SOURCE = "What's New In Python 3.11 > Removed (each name's own entry gives its version)"
    BREAKS_IN = (3, 11)
    DEPRECATED_IN = (3, 9)
    FAILURE = "AttributeError"
    FIX = "use the replacement the catalogue names for the attribute"
    FLAGGED = (
        "import inspect\n\n\ndef handler(event, context):\n    return event\n\n\n"
        'spec = getattr(inspect, "getargspec")  # flagged: inspect.getargspec\n'
        "print(spec(handler).args)\n",
    )
    CLEAN = (
        "import inspect\n\n\ndef handler(event, context):\n    return event\n\n\n"
        'spec = getattr(inspect, "getargspec", None)\n'
        'print(spec is None or callable(spec), getattr(inspect, "getfullargspec").__name__)\n',
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        if len(node.args) != 2 or any(arg.keyword or arg.star for arg in node.args):
            return
        target, attribute = (arg.value for arg in node.args)
        if not isinstance(attribute, cst.SimpleString):
            return
        name = attribute.evaluated_value
        if not isinstance(name, str) or _IDENTIFIER.fullmatch(name) is None:
            return
        if context.qualified_name(node.func) != "builtins.getattr":
            return
        owner = context.qualified_name(target) or context.type_of(target)
        if owner is None:
            return
        row = name_row(f"{owner}.{name}")
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
