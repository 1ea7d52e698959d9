"""f-strings that only the PEP 701 grammar of Python 3.12 accepts."""

from __future__ import annotations

import io
import re
import tokenize

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

_EMPTY = cst.Module(body=())


class FStringSyntax(SourceRule):
    """An f-string whose replacement field reuses the string's own quote, holds a
    backslash or a comment, or (in a one-line string) spans lines.

    Python 3.12 parses f-strings with the full grammar (PEP 701); before, each of these
    is a ``SyntaxError`` (``f-string: unmatched '['``, ``f-string expression part cannot
    include a backslash``...), so the whole module fails to compile.
    """

    RULE_ID = "needs-newer-syntax"
    CATEGORY = Category.NEEDS_NEWER_SYNTAX
    HINTS = ('f"', "f'", 'F"', "F'", "fr", "fR", "Fr", "FR")
    TRIGGER = re.compile(
        r"""[fF][rR]?(?P<q>["'])[^\n]*?\{[^}\n]*(?P=q)"""
        r"""|\{[^{}\n]*(?:\\|\#)[^{}\n]*\}"""
        r"""|[fF][rR]?["'][^"'\n]*\{[^}"'\n]*\n"""
    )
    SOURCE = "What's New In Python 3.12 > PEP 701: syntactic formalization of f-strings"
    REQUIRES = (3, 12)
    FAILURE = "SyntaxError"
    FIX = "use the other quote character inside the braces, or compute the value first"
    FLAGGED = (
        "event = {'name': 'upload'}\nprint(f\"event: {event[\"name\"]}\")  # flagged: f-string\n",
        'name = \'lambda\'\nprint(f"{f"{name}"!r}")  # flagged: f-string\n',
        "lines = ['a', 'b']\nprint(f\"{'\\\\n'.join(lines)}\")  # flagged: f-string\n",
    )
    CLEAN = (
        "event = {'name': 'upload'}\nprint(f\"event: {event['name']}\")\n",
        "name = 'x'\nprint(f'''{name!r:>{10}}''', f\"{name + '!'}\")\n",
        "tags = ['a', 'b']\nprint(f\"{'#'.join(tags)}\", f'''{'# not a comment'}''')\n",
    )

    def visit_FormattedString(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.FormattedString)
        quote = node.end
        for part in node.parts:
            if not isinstance(part, cst.FormattedStringExpression):
                continue
            code = _EMPTY.code_for_node(part.expression)
            if part.format_spec:
                code += "".join(_EMPTY.code_for_node(spec) for spec in part.format_spec)
            problem = _problem(code, quote)
            if problem is not None:
                self.flag(
                    node,
                    message=(
                        f"an f-string whose replacement field {problem} needs Python 3.12; "
                        "older versions cannot compile the module"
                    ),
                    symbol="f-string",
                )
                return


def _problem(code: str, quote: str) -> str | None:
    if quote in code:
        return "reuses the string's quote"
    if "\\" in code:
        return "holds a backslash"
    if "#" in code and _holds_comment(code):
        return "holds a comment"
    if len(quote) == 1 and "\n" in code:
        return "spans lines"
    return None


def _holds_comment(code: str) -> bool:
    """Whether a ``#`` in the field starts a comment: inside a string literal (``'#'``) it is
    text, which every version accepts."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(f"(\n{code}\n)\n").readline))
    except (tokenize.TokenError, SyntaxError):
        return True
    return any(token.type == tokenize.COMMENT for token in tokens)
