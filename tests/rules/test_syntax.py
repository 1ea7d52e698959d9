"""Grammar newer than the analysing interpreter's, read from files it cannot compile."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from analyzer.models import Category, Finding, Location, Reach
from analyzer.rules.engine import analyse_source
from analyzer.rules.syntax import GRAMMAR_SOURCE, grammar_features, newest_syntax_per_line


def findings(source: str) -> list[tuple[str, int | None, int | None, object, str]]:
    analysis = analyse_source(textwrap.dedent(source), "app.py")
    return [
        (
            finding.rule_id,
            finding.location.line,
            finding.location.column,
            finding.requires,
            finding.reach.value,
        )
        for finding in analysis.findings
    ]


@pytest.mark.parametrize(
    "source",
    [
        # What's New In Python 3.12 > PEP 701; 3.11 stops at "unterminated string literal".
        'value = 3\ntext = f"{value # the count\n}"\nprint(text)\n',
        # A one-quote f-string whose field spans lines: the same error before 3.12.
        'value = 3\ntext = f"{value\n}"\nprint(text)\n',
        # In a triple-quoted one, 3.11 says "f-string expression part cannot include '#'".
        'value = 3\ntext = f"""{value # the count\n}"""\nprint(text)\n',
    ],
)
def test_an_f_string_field_with_a_comment_or_a_line_break_needs_3_12(source: str) -> None:
    assert findings(source) == [("needs-newer-syntax", 2, 8, (3, 12), "import")]


def test_a_type_parameter_default_on_a_type_alias_needs_3_13() -> None:
    # What's New In Python 3.13 > PEP 696; 3.12 stops at "invalid syntax".
    assert findings("type Items[T = int] = list[T]\n\nprint(Items.__name__)\n") == [
        ("needs-newer-syntax", 1, 12, (3, 13), "import")
    ]


def test_the_finding_carries_the_documented_source() -> None:
    analysis = analyse_source("type Items[T = int] = list[T]\n", "app.py")

    assert [finding.documentation for finding in analysis.findings] == [GRAMMAR_SOURCE]
    assert analysis.findings[0].category is Category.NEEDS_NEWER_SYNTAX


def test_a_construct_the_running_interpreter_parses_cannot_explain_its_failure() -> None:
    module = cst.parse_module('x = f"{1 # one\n}"\ntype A[T = int] = T\n')

    assert [(f.line, f.requires) for f in grammar_features(module, (3, 11))] == [
        (1, (3, 12)),
        (3, (3, 13)),
    ]
    assert [(f.line, f.requires) for f in grammar_features(module, (3, 12))] == [(3, (3, 13))]
    assert grammar_features(module, (3, 13)) == []


@pytest.mark.parametrize(
    "source",
    [
        'print "old"\nvalue = f"{1}"\n',  # Python 2: no grammar parses it
        'value = f"{1}"\nx = [a = 1]\n',  # invalid everywhere
    ],
)
def test_a_file_invalid_on_every_version_stays_a_parse_error(source: str) -> None:
    assert [rule for rule, *_ in findings(source)] == ["parse-error"]


def _syntax(line: int, requires: tuple[int, int]) -> Finding:
    return Finding(
        rule_id="needs-newer-syntax",
        category=Category.NEEDS_NEWER_SYNTAX,
        message="m",
        location=Location("app.py", line),
        fix="f",
        requires=requires,
        reach=Reach.IMPORT,
    )


def test_on_each_line_the_syntax_finding_needing_the_newest_version_stands() -> None:
    first, newer, other, again = (
        _syntax(1, (3, 12)),
        _syntax(1, (3, 13)),
        _syntax(2, (3, 12)),
        _syntax(2, (3, 12)),
    )

    assert newest_syntax_per_line([first, newer, other, again]) == [newer, other]
