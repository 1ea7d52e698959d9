"""Syntax newer than the oldest supported source runtime, found by vermin's library interface."""

from __future__ import annotations

import ast
import logging
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

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


def syntax_findings(
    features: list[SyntaxFeature], path: str, source: str = VERMIN_SOURCE
) -> list[Finding]:
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
            documentation=source,
        )
        for feature in features
    ]


# Grammar that a file this interpreter cannot compile may hold, read from libcst's tree
# (whose parser knows the newest grammar) in the files only: an f-string replacement
# field holding a comment or, in a one-quote string, a line break (3.12, PEP 701), and a
# type parameter with a default (3.13, PEP 696).
# TODO: read the same constructs in files this interpreter compiles, for an analyser running
# on 3.12 or later (the f-string and type-parameter rules reading whitespace and defaults).
GRAMMAR_TRIGGER = re.compile(r"""[rR]?[fF][rR]?["'][^\n]*\{|\[[^\]\n]*=""")
GRAMMAR_SOURCE = (
    "What's New In Python 3.12 > PEP 701: syntactic formalization of f-strings; What's New "
    "In Python 3.13 > PEP 696: type parameter defaults"
)
_FSTRING_GRAMMAR: PythonVersion = (3, 12)
_DEFAULT_GRAMMAR: PythonVersion = (3, 13)


def grammar_features(
    module: cst.Module, running: PythonVersion | None = None
) -> list[SyntaxFeature]:
    """Constructs of ``module`` that only a Python newer than ``running`` (this interpreter,
    by default) can parse, for a file this interpreter failed to compile.

    A construct this interpreter does parse cannot be why it failed, so it is left out.
    """
    if running is None:
        running = (sys.version_info[0], sys.version_info[1])
    found: list[tuple[cst.CSTNode, PythonVersion, str]] = []
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.FormattedString):
            problem = _field_problem(module, node)
            if problem is not None:
                found.append((node, _FSTRING_GRAMMAR, problem))
        elif isinstance(node, cst.TypeParam) and node.default is not None:
            found.append((node, _DEFAULT_GRAMMAR, "a type parameter default"))
        stack.extend(node.children)
    found = [item for item in found if item[1] > running]
    if not found:
        return []
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    features = []
    for node, requires, description in found:
        start = positions[node].start
        features.append(SyntaxFeature(start.line, start.column + 1, requires, description))
    return sorted(features, key=lambda feature: (feature.line, feature.column or 0))


def _field_problem(module: cst.Module, node: cst.FormattedString) -> str | None:
    one_quote = len(node.end) == 1
    for part in node.parts:
        if not isinstance(part, cst.FormattedStringExpression):
            continue
        if any(isinstance(inner, cst.Comment) for inner in _descendants(part)):
            return "an f-string replacement field holding a comment"
        if one_quote and "\n" in module.code_for_node(part):
            return "an f-string replacement field spanning lines"
    return None


def _descendants(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    stack = list(node.children)
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


def newest_syntax_per_line(findings: Iterable[Finding]) -> list[Finding]:
    """The findings, keeping on each line only the newer-syntax finding that needs the
    newest version (the first of equals): the line compiles on none older than that."""
    listed = list(findings)
    best: dict[int | None, Finding] = {}
    for finding in listed:
        if finding.category is not Category.NEEDS_NEWER_SYNTAX:
            continue
        kept = best.get(finding.location.line)
        if kept is None or (finding.requires or (0, 0)) > (kept.requires or (0, 0)):
            best[finding.location.line] = finding
    return [
        finding
        for finding in listed
        if finding.category is not Category.NEEDS_NEWER_SYNTAX
        or best[finding.location.line] is finding
    ]
