"""Syntax newer than the oldest supported source runtime, found by vermin's library interface."""

from __future__ import annotations

import ast
import logging
import re
from dataclasses import dataclass

from analyzer.models import Category, Finding, Location, PythonVersion, Reach

LOG = logging.getLogger(__name__)

# Constructs that Python 3.9 cannot parse and that vermin recognises: a ``match``
# statement (a "match ...:" line followed by a "case ...:" line) and ``except*``. A
# file that matches neither is not handed to vermin at all, which keeps its cost off
# the common case. Parenthesised context managers are not among them (the 3.9 parser
# already accepts them); the syntax of 3.12 and later is the libcst rules' business.
SYNTAX_TRIGGER = re.compile(
    r"^[ \t]*match\b[^\n]*:[ \t]*(?:#[^\n]*)?\n(?:[ \t]*(?:#[^\n]*)?\n)*[ \t]+case\b"
    r"|\bexcept[ \t]*\*[ \t]*[\w(]",
    re.MULTILINE,
)
VERMIN_SOURCE = "vermin's syntax feature tables; What's New In Python 3.10 to 3.12"


@dataclass(frozen=True)
class SyntaxFeature:
    """One construct that needs a newer Python to parse."""

    line: int
    column: int | None
    requires: PythonVersion
    description: str


def newer_syntax(
    text: str, path: str, tree: ast.Module, oldest: PythonVersion = (3, 9)
) -> list[SyntaxFeature]:
    """Constructs in ``text`` (parsed as ``tree``) that a Python older than ``oldest`` cannot
    parse, found by vermin."""
    if SYNTAX_TRIGGER.search(text) is None:
        return []
    try:
        from vermin import Config, Parser, SourceVisitor, formats
    except ImportError:  # pragma: no cover - vermin is a dependency
        return []
    config = Config()
    config.set_format(formats.ParsableFormat())
    config.set_verbose(3)
    try:
        novermin = Parser(text, path).comments() if "novm" in text else set()
        visitor = SourceVisitor(config, path, text)
        visitor.set_no_lines(novermin)
        visitor.tour(tree)
        output = visitor.output_text()
    except Exception as error:  # vermin is third-party code facing hostile input
        LOG.debug("vermin could not analyse %s: %s", path, error)
        return []
    return [feature for feature in _parse_output(output, path) if feature.requires > oldest]


def _parse_output(output: str, path: str) -> list[SyntaxFeature]:
    features = []
    prefix = f"{path}:"
    for line in output.splitlines():
        if not line.startswith(prefix):
            continue
        fields = line[len(prefix) :].split(":", 4)
        if len(fields) != 5:
            continue
        line_text, column_text, _, py3, description = fields
        if description.startswith("'") or "(" in description.split(" ")[0]:
            # A stdlib module, member or keyword: the catalogue judges those, with guards.
            continue
        version = _version(py3)
        if version is None or not line_text.isdigit():
            continue
        column = int(column_text) + 1 if column_text.isdigit() else None
        features.append(SyntaxFeature(int(line_text), column, version, description))
    return features


def _version(text: str) -> PythonVersion | None:
    text = text.lstrip("!")
    major, _, minor = text.partition(".")
    if major.isdigit() and minor.isdigit():
        return int(major), int(minor)
    return None


def syntax_findings(features: list[SyntaxFeature], path: str) -> list[Finding]:
    """Findings for syntax that older interpreters cannot compile: the whole module fails."""
    return [
        Finding(
            rule_id="needs-newer-syntax",
            category=Category.NEEDS_NEWER_SYNTAX,
            message=(
                f"{feature.description} needs Python {feature.requires[0]}.{feature.requires[1]}"
                " or later; an older interpreter cannot compile this module"
            ),
            location=Location(path, feature.line, feature.column),
            fix=(
                f"target Python {feature.requires[0]}.{feature.requires[1]} or later, or "
                "rewrite the construct with older syntax"
            ),
            symbol=feature.description,
            requires=feature.requires,
            reach=Reach.IMPORT,
            documentation=VERMIN_SOURCE,
        )
        for feature in features
    ]
