"""sqlite3 named placeholders bound from a sequence: deprecated in 3.12, an error from 3.14."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

_METHODS = frozenset({"execute", "executemany"})
_SQL_LITERAL = re.compile(r"'(?:[^']|'')*'")
_NAMED = re.compile(r"(?<![:\w])[:@$][A-Za-z_]\w*")


class SqliteNamedSequence(SourceRule):
    """``connection.execute("... :name ...", (value,))``: named placeholders, a sequence.

    sqlite3 bound a sequence to named placeholders by position. Python 3.12 deprecated it
    (a ``DeprecationWarning`` on each call) and 3.14 raises ``ProgrammingError``; named
    placeholders take a mapping. Only literal SQL and a literal tuple or list of
    parameters (for ``executemany``, a literal list or tuple of tuples or lists) are
    judged, on a receiver the code shows to come from sqlite3 or that it cannot place.
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    HINTS = ("execute",)
    TRIGGER = re.compile(r"""\bexecute(?:many)?[ \t]*\([ \t\r\n]*[rRuUbB]*["'][^\n]*?[:@$]\w""")
    IMPORTS = frozenset({"sqlite3"})
    SOURCE = (
        "What's New In Python 3.14 > Removed > sqlite3: named placeholders with a sequence "
        "(deprecated in 3.12)"
    )
    BREAKS_IN = (3, 14)
    DEPRECATED_IN = (3, 12)
    FAILURE = "ProgrammingError"
    FIX = "pass a dict for named placeholders ({'name': value}), or use ? placeholders"
    FLAGGED = (
        'import sqlite3\n\nconnection = sqlite3.connect(":memory:")\n'
        'row = connection.execute("select :value", (5,)).fetchone()'
        "  # flagged: sqlite3 named placeholders\nprint(row)\n",
        'import sqlite3\n\nconnection = sqlite3.connect(":memory:")\n'
        'connection.execute("create table t (a)")\ncursor = connection.cursor()\n'
        'cursor.executemany("insert into t values (:a)", [(1,), (2,)])'
        "  # flagged: sqlite3 named placeholders\nprint(connection.total_changes)\n",
    )
    CLEAN = (
        'import sqlite3\n\nconnection = sqlite3.connect(":memory:")\n'
        'print(connection.execute("select :value", {"value": 5}).fetchone())\n'
        'print(connection.execute("select ?", (5,)).fetchone())\n'
        "print(connection.execute(\"select ':not_a_name', ?\", (5,)).fetchone())\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        function = node.func
        if not isinstance(function, cst.Attribute) or function.attr.value not in _METHODS:
            return
        positional = [arg for arg in node.args if arg.keyword is None and not arg.star]
        if len(positional) != 2:
            return
        sql = positional[0].value
        if not isinstance(sql, cst.SimpleString | cst.ConcatenatedString):
            return
        text = sql.evaluated_value
        if not isinstance(text, str) or not _NAMED.search(_SQL_LITERAL.sub("''", text)):
            return
        parameters = positional[1].value
        if function.attr.value == "executemany":
            if not isinstance(parameters, cst.List | cst.Tuple) or not parameters.elements:
                return
            if not all(_sequence(element.value) for element in parameters.elements):
                return
        elif not _sequence(parameters):
            return
        receiver = context.qualified_name(function.value) or context.type_of(function.value)
        if receiver is not None and not receiver.startswith("sqlite3."):
            return
        self.flag(
            node,
            message=(
                "named placeholders bound from a sequence warn from Python 3.12 and raise "
                "sqlite3.ProgrammingError from 3.14"
            ),
            symbol="sqlite3 named placeholders",
        )


def _sequence(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Tuple | cst.List)
