"""Line and column of reported libcst nodes, laid out one statement at a time.

libcst's ``PositionProvider`` lays out a whole module, which costs several times its
parse. Findings are few, and ``ast`` already knows where every statement starts, so
the walk pairs each libcst statement with its ``ast`` statement (``StatementTracker``)
and only the statements that hold a finding are laid out, alone, at their own
indentation (``node_positions``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

Position = tuple[int, int, int]
"""Line, 1-based column and end line."""


def _pass() -> cst.IndentedBlock:
    return cst.IndentedBlock(body=(cst.SimpleStatementLine(body=(cst.Pass(),)),))


_COMPOUND: dict[type[cst.CSTNode], tuple[type[ast.AST], ...]] = {
    cst.FunctionDef: (ast.FunctionDef, ast.AsyncFunctionDef),
    cst.ClassDef: (ast.ClassDef,),
    cst.If: (ast.If,),
    cst.For: (ast.For, ast.AsyncFor),
    cst.While: (ast.While,),
    cst.With: (ast.With, ast.AsyncWith),
    cst.Try: (ast.Try,),
    cst.Match: (ast.Match,),
}
if hasattr(ast, "TryStar"):  # Python 3.11 and later
    _COMPOUND[cst.TryStar] = (ast.TryStar,)


@dataclass(frozen=True)
class Statement:
    """A libcst statement (or ``except`` clause, or ``elif``) and where ``ast`` puts it."""

    node: cst.CSTNode
    line: int
    column: int
    elif_clause: bool = False


class StatementTracker:
    """Follows the walk and knows, for the node being walked, its innermost statement.

    Each block of libcst statements is read alongside the matching list of ``ast``
    statements (a libcst line of ``a; b`` is two ``ast`` statements); a mismatch turns
    the pairing off for that block, and positions then come from the whole top-level
    statement instead.
    """

    def __init__(self, body: Sequence[ast.stmt] | None) -> None:
        self.blocks: dict[int, list[ast.AST]] = {}
        self.single: dict[int, ast.AST] = {}
        self.elif_clauses: set[int] = set()
        self.cursors: list[list[object]] = []
        self.statements: list[Statement | None] = []
        self.tracked: set[int] = set()
        self.module_body: list[ast.AST] | None = list(body) if body is not None else None

    @property
    def current(self) -> Statement | None:
        return self.statements[-1] if self.statements else None

    def enter_block(self, node: cst.CSTNode) -> bool:
        """Start a block; whether the caller must call ``leave_block`` for it."""
        statements: list[ast.AST] | None
        if isinstance(node, cst.Module):
            statements = list(self.module_body) if self.module_body is not None else None
        else:
            statements = self.blocks.pop(id(node), None)
        self.cursors.append([statements, 0])
        return True

    def leave_block(self) -> None:
        self.cursors.pop()

    def enter_statement(self, node: cst.CSTNode) -> bool:
        """Pair a statement with its ``ast`` node; whether ``leave_statement`` is due."""
        paired = self.single.pop(id(node), None)
        if paired is None and self.cursors:
            cursor = self.cursors[-1]
            statements = cursor[0]
            index = cursor[1]
            assert isinstance(index, int)
            if isinstance(statements, list) and index < len(statements):
                paired = statements[index]
            cursor[1] = index + (len(node.body) if isinstance(node, cst.SimpleStatementLine) else 1)
        expected = _COMPOUND.get(type(node))
        if paired is not None and expected is not None and not isinstance(paired, expected):
            paired = None
        if isinstance(node, cst.ExceptHandler | cst.ExceptStarHandler) and not isinstance(
            paired, ast.ExceptHandler
        ):
            paired = None
        if paired is not None:
            self._pair_children(node, paired)
            line, column = getattr(paired, "lineno", 0), getattr(paired, "col_offset", 0)
            statement = Statement(node, line, column, id(node) in self.elif_clauses)
            self.statements.append(statement)
        else:
            self.statements.append(None)
        return True

    def leave_statement(self) -> None:
        self.statements.pop()

    def _pair_children(self, node: cst.CSTNode, paired: ast.AST) -> None:
        body = getattr(node, "body", None)
        if isinstance(body, cst.IndentedBlock | cst.SimpleStatementSuite):
            self.blocks[id(body)] = list(getattr(paired, "body", ()))
        if isinstance(node, cst.If | cst.For | cst.While | cst.Try | cst.TryStar):
            orelse = node.orelse
            ast_orelse = list(getattr(paired, "orelse", ()))
            if isinstance(orelse, cst.If):
                if ast_orelse:
                    self.single[id(orelse)] = ast_orelse[0]
                    self.elif_clauses.add(id(orelse))
            elif isinstance(orelse, cst.Else):
                self.blocks[id(orelse.body)] = ast_orelse
        if isinstance(node, cst.Try | cst.TryStar):
            handlers = list(getattr(paired, "handlers", ()))
            for handler, ast_handler in zip(node.handlers, handlers, strict=False):
                self.single[id(handler)] = ast_handler
            if node.finalbody is not None:
                self.blocks[id(node.finalbody.body)] = list(getattr(paired, "finalbody", ()))
        if isinstance(node, cst.Match):
            for case, ast_case in zip(node.cases, getattr(paired, "cases", ()), strict=False):
                self.blocks[id(case.body)] = list(ast_case.body)


STATEMENT_TYPES: frozenset[type[cst.CSTNode]] = frozenset(
    {cst.SimpleStatementLine, cst.ExceptHandler, cst.ExceptStarHandler, *_COMPOUND}
)
"""What the tracker pairs: statements, ``except`` clauses (and ``elif``, an ``If``)."""


def is_statement(node: cst.CSTNode) -> bool:
    """Whether the tracker pairs ``node``."""
    return type(node) in STATEMENT_TYPES


def is_block(node: cst.CSTNode) -> bool:
    """Whether ``node`` holds a list of statements."""
    return isinstance(node, cst.Module | cst.IndentedBlock | cst.SimpleStatementSuite)


def node_positions(
    module: cst.Module,
    targets: Iterable[tuple[cst.CSTNode, Statement | None, int]],
    text_lines: Sequence[str] | None,
    top_lines: Sequence[int] | None,
) -> dict[int, Position]:
    """Positions of ``targets``: (node, innermost statement, top-level statement index)."""
    found: dict[int, Position] = {}
    by_statement: dict[int, tuple[Statement, list[tuple[cst.CSTNode, int]]]] = {}
    leftovers: list[tuple[cst.CSTNode, int]] = []
    for node, statement, top_index in targets:
        if statement is not None and text_lines is not None:
            entry = by_statement.setdefault(id(statement.node), (statement, []))
            entry[1].append((node, top_index))
        else:
            leftovers.append((node, top_index))
    for statement, members in by_statement.values():
        nodes = [node for node, _ in members]
        positions = _statement_positions(module, statement, nodes, text_lines or ())
        for node, top_index in members:
            if id(node) in positions:
                found[id(node)] = positions[id(node)]
            else:
                leftovers.append((node, top_index))
    if leftovers:
        found.update(_top_level_positions(module, leftovers, top_lines))
    return found


def _statement_positions(
    module: cst.Module,
    statement: Statement,
    nodes: Sequence[cst.CSTNode],
    text_lines: Sequence[str],
) -> dict[int, Position]:
    """Lay out one statement alone at its own indentation; {} when it cannot be done."""
    laid_out = _header(statement)
    if laid_out is None or statement.line < 1 or statement.line > len(text_lines):
        return {}
    header, anchor_node = laid_out
    indent = text_lines[statement.line - 1][: statement.column]
    if indent.strip():
        return {}
    body: cst.BaseStatement = header
    if indent:
        body = cst.If(
            test=cst.Integer("1"),
            body=cst.IndentedBlock(indent=indent, body=(header,)),
        )
    alone = module.with_changes(body=(body,), header=(), footer=())
    try:
        ranges = MetadataWrapper(alone, unsafe_skip_copy=True).resolve(PositionProvider)
    except Exception:
        return {}
    anchor = ranges.get(anchor_node)
    if anchor is None:
        return {}
    offset = statement.line - anchor.start.line
    if anchor.start.column != statement.column:
        return {}
    return {id(node): _triple(ranges[node], offset) for node in nodes if node in ranges}


def _header(statement: Statement) -> tuple[cst.BaseStatement, cst.CSTNode] | None:
    """The statement with its nested blocks replaced by ``pass``, ready to lay out alone,
    and the node in it that stands where the statement starts."""
    node = statement.node
    if isinstance(node, cst.SimpleStatementLine):
        return node, node
    if isinstance(node, cst.ExceptHandler):
        handler = node.with_changes(body=_pass())
        return cst.Try(body=_pass(), handlers=(handler,)), handler
    if isinstance(node, cst.ExceptStarHandler):
        star_handler = node.with_changes(body=_pass())
        return cst.TryStar(body=_pass(), handlers=(star_handler,)), star_handler
    copy: cst.BaseStatement
    if isinstance(node, cst.If):
        copy = node.with_changes(body=_pass(), orelse=None)
        if statement.elif_clause:
            return cst.If(test=cst.Name("_"), body=_pass(), orelse=copy), copy
        return copy, copy
    if isinstance(node, cst.For | cst.While):
        copy = node.with_changes(body=_pass(), orelse=None)
    elif isinstance(node, cst.FunctionDef | cst.ClassDef | cst.With):
        copy = node.with_changes(body=_pass())
    elif isinstance(node, cst.Match):
        copy = node.with_changes(cases=(cst.MatchCase(pattern=cst.MatchAs(), body=_pass()),))
    else:
        return None
    return copy, copy


def _top_level_positions(
    module: cst.Module,
    nodes: Sequence[tuple[cst.CSTNode, int]],
    top_lines: Sequence[int] | None,
) -> dict[int, Position]:
    """Lay out the top-level statements holding ``nodes`` (or the whole module)."""
    found: dict[int, Position] = {}
    if top_lines is None or len(top_lines) != len(module.body):
        ranges = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        for node, _ in nodes:
            found[id(node)] = _triple(ranges[node], 0)
        return found
    by_top: dict[int, list[cst.CSTNode]] = {}
    for node, top_index in nodes:
        by_top.setdefault(top_index, []).append(node)
    for index, members in by_top.items():
        statement = module.body[index]
        alone = module.with_changes(body=(statement,), header=(), footer=())
        ranges = MetadataWrapper(alone, unsafe_skip_copy=True).resolve(PositionProvider)
        offset = top_lines[index] - ranges[statement].start.line
        for node in members:
            found[id(node)] = _triple(ranges[node], offset)
    return found


def _triple(code_range: CodeRange, offset: int) -> Position:
    return (
        code_range.start.line + offset,
        code_range.start.column + 1,
        code_range.end.line + offset,
    )


def top_level_lines(module: cst.Module, body: Sequence[ast.stmt]) -> list[int] | None:
    """The line each top-level libcst statement starts on (its first token, as ``ast``
    reports it; a definition's ``def`` line). ``None`` when the two trees do not line up."""
    lines: list[int] = []
    index = 0
    for statement in module.body:
        if index >= len(body):
            return None
        lines.append(body[index].lineno)
        index += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
    return lines if index == len(body) else None
