"""shlex.split(None), which read standard input: an error since Python 3.12."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext


class ShlexSplitNone(SourceRule):
    """``shlex.split(None)``.

    ``None`` made ``shlex`` read from standard input; deprecated in 3.9 (a
    ``DeprecationWarning``), it raises ``ValueError: s argument must not be None`` from
    3.12.
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    TRIGGER = re.compile(
        r"\bsplit[ \t]*\([ \t]*(?:s[ \t]*=[ \t]*)?(?:None\b|[\w.]*(?:environ\.get|getenv)[ \t]*\()"
    )
    IMPORTS = frozenset({"shlex"})
    SOURCE = (
        "What's New In Python 3.12 > Removed/Changes in the Python API > shlex: "
        "shlex.split(None) raises ValueError (deprecated in 3.9)"
    )
    BREAKS_IN = (3, 12)
    DEPRECATED_IN = (3, 9)
    FAILURE = "ValueError"
    FIX = "pass the text to split; read standard input explicitly with sys.stdin.read()"
    FLAGGED = (
        "import shlex\nprint(shlex.split(None))  # flagged: shlex.split\n",
        "import os\nimport shlex\n\n"
        'print(shlex.split(os.environ.get("NO_SUCH_ARGS")))  # flagged: shlex.split\n',
    )
    CLEAN = (
        "import shlex\nprint(shlex.split('a b'))\n",
        'import os\nimport shlex\n\nprint(shlex.split(os.getenv("NO_SUCH_ARGS", "")))\n',
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        if not node.args or context.qualified_name(node.func) != "shlex.split":
            return
        first = node.args[0]
        if first.keyword is not None and first.keyword.value != "s":
            return
        if _may_be_none(first.value, context):
            self.flag(
                first,
                message=(
                    "shlex.split(None) raises ValueError from Python 3.12 (argument may be None)"
                ),
                symbol="shlex.split",
            )


_ENVIRONMENT_LOOKUPS = frozenset({"os.environ.get", "os.getenv"})


def _may_be_none(value: cst.BaseExpression, context: WalkContext) -> bool:
    """``None`` itself, or an environment lookup without a default (None when unset)."""
    if isinstance(value, cst.Name) and value.value == "None":
        return True
    if not isinstance(value, cst.Call) or len(value.args) != 1 or value.args[0].keyword:
        return False
    return context.qualified_name(value.func) in _ENVIRONMENT_LOOKUPS
