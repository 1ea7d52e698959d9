"""The ``z`` option of the format mini-language (PEP 682): new in Python 3.11."""

from __future__ import annotations

import re
import string

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

_ALIGN = "<>=^"


def has_z_option(spec: str) -> bool:
    """Whether a format spec (``[[fill]align][sign][z]...``) asks for ``z``."""
    if len(spec) > 1 and spec[1] in _ALIGN:
        spec = spec[2:]
    elif spec[:1] in tuple(_ALIGN):
        spec = spec[1:]
    if spec[:1] in ("+", "-", " "):
        spec = spec[1:]
    return spec.startswith("z")


def _template_specs(template: str) -> list[str]:
    """The format specs of a ``str.format`` template's fields (none if it is malformed)."""
    try:
        return [
            spec
            for _, field, spec, _ in string.Formatter().parse(template)
            if field is not None and spec
        ]
    except ValueError:
        return []


class FormatZOption(SourceRule):
    """``f"{value:z.1f}"``, ``format(value, "z.2f")``, ``"{:z}".format(value)``.

    The ``z`` option (turn negative zero into zero after rounding) arrived in 3.11;
    older versions raise ``ValueError: Invalid format specifier``. Only literal specs
    are judged.
    """

    RULE_ID = "needs-newer-stdlib"
    CATEGORY = Category.NEEDS_NEWER_STDLIB
    HINTS = ("z",)
    # The spec grammar after z: [#][0][width][grouping][.precision][type], then the end of
    # the field or string; a word that merely starts with z ("zip") is not a spec.
    TRIGGER = re.compile(r"""[:"'](?:.?[<>=^])?[-+ ]?z#?0?\d*[,_]?(?:\.\d+)?[eEfFgGn%]?[}"']""")
    SOURCE = "What's New In Python 3.11 > Other Language Changes: the z format option (PEP 682)"
    REQUIRES = (3, 11)
    FAILURE = "ValueError"
    FIX = "round first and add 0.0 to turn -0.0 into 0.0, or target Python 3.11 or later"
    FLAGGED = (
        "value = -0.0001\nprint(f'{value:z.2f}')  # flagged: format z option\n",
        "print(format(-0.0, 'z.1f'))  # flagged: format z option\n",
        "print('{:>+z8.1f}'.format(-0.0))  # flagged: format z option\n",
    )
    CLEAN = (
        "value = -0.0001\nprint(f'{value:.2f}', format(value, 'z<8'), '{:z^5}'.format('a'))\n",
    )

    def visit_FormattedString(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.FormattedString)
        for part in node.parts:
            if not isinstance(part, cst.FormattedStringExpression) or not part.format_spec:
                continue
            if not all(isinstance(piece, cst.FormattedStringText) for piece in part.format_spec):
                continue
            spec = "".join(
                piece.value
                for piece in part.format_spec
                if isinstance(piece, cst.FormattedStringText)
            )
            if has_z_option(spec):
                self._flag(node)
                return

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        function = node.func
        if isinstance(function, cst.Attribute) and function.attr.value == "format":
            template = function.value
            if isinstance(template, cst.SimpleString):
                text = template.evaluated_value
                if isinstance(text, str) and any(map(has_z_option, _template_specs(text))):
                    self._flag(node)
            return
        if len(node.args) != 2 or context.qualified_name(function) != "builtins.format":
            return
        spec = node.args[1].value
        if isinstance(spec, cst.SimpleString):
            text = spec.evaluated_value
            if isinstance(text, str) and has_z_option(text):
                self._flag(node)

    def _flag(self, node: cst.CSTNode) -> None:
        self.flag(
            node,
            message="the z format option needs Python 3.11; older versions raise ValueError",
            symbol="format z option",
        )
