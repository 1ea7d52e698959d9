"""datetime/date/time.fromisoformat() with ISO 8601 forms that only Python 3.11 accepts."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.checks.regex_inline_flags import string_value
from analyzer.rules.walker import WalkContext

# What 3.9 and 3.10 accept: the output of isoformat() and nothing more.
_TIME = r"\d{2}(?::\d{2}(?::\d{2}(?:\.(?:\d{3}|\d{6}))?)?)?"
_OFFSET = r"(?:[+-]\d{2}:\d{2}(?::\d{2}(?:\.\d{6})?)?)?"
_OLD_FORMS = {
    "date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "time": re.compile(_TIME + _OFFSET),
    "datetime": re.compile(r"\d{4}-\d{2}-\d{2}(?:.(?:" + _TIME + _OFFSET + r"))?", re.DOTALL),
}
_PARSERS = {f"datetime.{kind}.fromisoformat": kind for kind in ("date", "time", "datetime")}


class IsoFormatParsing(SourceRule):
    """``fromisoformat()`` of a string in a form other than ``isoformat()`` writes.

    Before 3.11 ``datetime.fromisoformat`` (and ``date``/``time``) only parsed what
    ``isoformat()`` produces: no ``Z`` suffix, no basic format (``20240501``), no week
    dates, no fractions other than 3 or 6 digits. Those raise ``ValueError: Invalid
    isoformat string`` on 3.9 and 3.10.
    """

    RULE_ID = "needs-newer-stdlib"
    CATEGORY = Category.NEEDS_NEWER_STDLIB
    HINTS = ("fromisoformat",)
    TRIGGER = re.compile(r"""\bfromisoformat[ \t]*\([ \t]*[rRuU]?["']""")
    IMPORTS = frozenset({"datetime"})
    SOURCE = (
        "What's New In Python 3.11 > Improved Modules > datetime: fromisoformat() parses "
        "most ISO 8601 formats"
    )
    REQUIRES = (3, 11)
    FAILURE = "ValueError"
    FIX = (
        "keep the target at 3.11 or later, or normalise the string first "
        "(for example text.replace('Z', '+00:00'))"
    )
    FLAGGED = (
        "from datetime import datetime\n"
        "print(datetime.fromisoformat('2024-05-01T12:00:00Z'))"
        "  # flagged: datetime.datetime.fromisoformat\n",
        "import datetime\nprint(datetime.date.fromisoformat('20240501'))"
        "  # flagged: datetime.date.fromisoformat\n",
        "import datetime\nprint(datetime.time.fromisoformat('12:00:00.5'))"
        "  # flagged: datetime.time.fromisoformat\n",
    )
    CLEAN = (
        "from datetime import datetime\n"
        "print(datetime.fromisoformat('2024-05-01T12:00:00+00:00'))\n",
        "import datetime\nprint(datetime.date.fromisoformat('2024-05-01'))\n",
        "from datetime import datetime\nprint(datetime.fromisoformat('2024-05-01 12:00:00.123'))\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        function = context.qualified_name(node.func)
        kind = _PARSERS.get(function or "")
        if kind is None or len(node.args) != 1:
            return
        text = string_value(node.args[0].value)
        if text is None or _OLD_FORMS[kind].fullmatch(text):
            return
        self.flag(
            node.args[0],
            message=(
                f"{function}({text!r}) needs Python 3.11: older versions only parse the "
                "format isoformat() writes"
            ),
            symbol=function or "",
        )
