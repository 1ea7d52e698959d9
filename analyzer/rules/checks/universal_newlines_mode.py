"""The 'U' (universal newlines) file mode: removed in Python 3.11."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.checks.regex_inline_flags import string_value
from analyzer.rules.walker import WalkContext

# Callables taking a file mode, and the position of the mode among positional arguments.
_MODE_POSITION = {
    "builtins.open": 1,
    "io.open": 1,
    "codecs.open": 1,
    "fileinput.input": None,
    "fileinput.FileInput": None,
}


class UniversalNewlinesMode(SourceRule):
    """``open(path, "rU")`` or ``fileinput.input(files, mode="U")``.

    The ``U`` mode character did nothing since Python 3.0 and was deprecated; 3.11
    removed it: ``ValueError: invalid mode: 'rU'`` (``FileInput opening mode must be
    'r' or 'rb'`` for ``fileinput``).
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    TRIGGER = re.compile(
        r"""U(?:(?<=["']U)|(?<=["'][rbt+]U)|(?<=["'][rbt+][rbt+]U)|(?<=["'][rbt+]{3}U))"""
        r"""(?=[rbt+]{0,3}["'])"""
    )
    SOURCE = (
        "What's New In Python 3.11 > Removed: open(), io.open(), codecs.open() and "
        "fileinput.FileInput no longer accept 'U' (universal newline) in the file mode"
    )
    BREAKS_IN = (3, 11)
    DEPRECATED_IN = (3, 4)
    FAILURE = "ValueError"
    FIX = "drop the 'U' from the mode: text mode already translates newlines"
    MECHANICAL = True
    FLAGGED = (
        "import os\nimport tempfile\n\npath = os.path.join(tempfile.mkdtemp(), 'rows.txt')\n"
        "with open(path, 'w') as out:\n    out.write('a\\n')\n"
        "with open(path, 'rU') as rows:  # flagged: builtins.open\n    print(rows.read())\n",
        "import fileinput\nimport os\nimport tempfile\n\n"
        "path = os.path.join(tempfile.mkdtemp(), 'rows.txt')\n"
        "with open(path, 'w') as out:\n    out.write('a\\n')\n"
        "with fileinput.input([path], mode='rU') as rows:  # flagged: fileinput.input\n"
        "    print(list(rows))\n",
    )
    CLEAN = (
        "import os\nimport tempfile\n\npath = os.path.join(tempfile.mkdtemp(), 'rows.txt')\n"
        "with open(path, 'w') as out:\n    out.write('a\\n')\n"
        "with open(path, 'r', newline=None) as rows:\n    print(rows.read())\n",
        "print('rU'.lower())\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        function = context.qualified_name(node.func)
        if function not in _MODE_POSITION:
            return
        position = _MODE_POSITION[function]
        positional = [arg for arg in node.args if arg.keyword is None and not arg.star]
        mode: cst.Arg | None = next(
            (arg for arg in node.args if arg.keyword is not None and arg.keyword.value == "mode"),
            None,
        )
        if mode is None and position is not None and len(positional) > position:
            mode = positional[position]
        if mode is None:
            return
        text = string_value(mode.value)
        if text is not None and "U" in text:
            self.flag(
                mode,
                message=f"file mode {text!r} with 'U' raises ValueError from Python 3.11",
                symbol=function or "",
            )
