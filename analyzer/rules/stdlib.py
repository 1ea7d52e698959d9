"""The catalogue rule: every use of a stdlib module, name or parameter the catalogue lists."""

from __future__ import annotations

from functools import cache

import libcst as cst

from analyzer.models import Category, format_version
from analyzer.rules.catalogue import ApiChange, Catalogue, load_catalogue
from analyzer.rules.walker import WalkContext, _dotted


@cache
def _catalogue() -> Catalogue:
    return load_catalogue()


@cache
def member_words() -> dict[str, frozenset[str]]:
    """For each top-level module, the words whose presence may mean a catalogued name is used."""
    words: dict[str, set[str]] = {}
    catalogue = _catalogue()
    for symbol in catalogue.names:
        parts = symbol.split(".")
        words.setdefault(parts[0], set()).update(parts[1:])
    for symbol, rows in catalogue.parameters.items():
        parts = symbol.split(".")
        words.setdefault(parts[0], set()).update(parts[1:])
        words[parts[0]].update(row.parameter for row in rows if row.parameter)
    return {module: frozenset(names) for module, names in words.items()}


@cache
def module_tops() -> frozenset[str]:
    """Top-level names of every catalogued module: importing one is worth a closer look."""
    return frozenset(symbol.partition(".")[0] for symbol in _catalogue().modules)


def may_use_catalogue(imported: frozenset[str], words: frozenset[str]) -> bool:
    """Whether a file that imports ``imported`` and contains ``words`` can match any row."""
    if imported & module_tops():
        return True
    members = member_words()
    builtin_words = members.get("builtins", frozenset())
    if words & builtin_words:
        return True
    return any(words & members.get(module, frozenset()) for module in imported)


def _judgement(row: ApiChange) -> tuple[str, Category, str]:
    """The rule id, category and what fails, for a row."""
    if row.removed is not None:
        if row.kind == "module":
            return "removed-stdlib-module", Category.REMOVED_MODULE, "removed"
        if row.kind == "parameter":
            return "removed-parameter", Category.REMOVED_PARAMETER, "removed"
        return "removed-stdlib-api", Category.REMOVED_NAME, "removed"
    if row.added is not None and row.added > (3, 9):
        syntax = Category.NEEDS_NEWER_STDLIB
        return "needs-newer-stdlib", syntax, "added"
    return "deprecated-api", Category.DEPRECATED, "deprecated"


def _describe(row: ApiChange, what: str) -> str:
    subject = f"parameter {row.parameter!r} of {row.symbol}" if row.parameter else row.symbol
    if what == "removed":
        text = f"{subject} was removed in Python {format_version(row.removed)}"  # type: ignore[arg-type]
        if row.deprecated is not None:
            text += f" (deprecated since {format_version(row.deprecated)})"
        return text
    if what == "added":
        return f"{subject} needs Python {format_version(row.added)} or later"  # type: ignore[arg-type]
    return f"{subject} is deprecated since Python {format_version(row.deprecated)}"  # type: ignore[arg-type]


def report_row(
    context: WalkContext,
    node: cst.CSTNode,
    row: ApiChange,
    failure: str,
    symbol: str,
    *,
    member_of_module: bool = False,
) -> None:
    """Report ``row`` at ``node``; ``member_of_module`` for a use of a removed module's name."""
    rule_id, category, what = _judgement(row)
    if member_of_module and what == "removed":
        rule_id, category = "removed-stdlib-api", Category.REMOVED_NAME
    if what == "deprecated" and row.deprecated is None:
        return
    fix = row.replacement or "see the documentation for a replacement"
    if what == "added":
        fix = (
            f"keep the target at Python {format_version(row.added)} or later, "  # type: ignore[arg-type]
            f"or guard the use with a version check ({row.replacement})"
            if row.replacement
            else f"keep the target at Python {format_version(row.added)} or later, "  # type: ignore[arg-type]
            "or guard the use with a version check"
        )
    context.report(
        node,
        rule_id=rule_id,
        category=category,
        message=_describe(row, what),
        fix=fix,
        failure=failure,
        symbol=symbol,
        breaks_in=row.removed,
        requires=row.added if what == "added" else None,
        deprecated_in=row.deprecated,
        documentation=row.source,
    )


def _module_row(dotted: str) -> ApiChange | None:
    """The most specific catalogue row for a module or one of its parent packages."""
    modules = _catalogue().modules
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        row = modules.get(".".join(parts[:end]))
        if row is not None:
            return row
    return None


class StdlibUsage:
    """Reports imports, attribute chains, names and keyword arguments the catalogue lists."""

    def __init__(self, context: WalkContext) -> None:
        self.context = context
        self.catalogue = _catalogue()

    def visit_Import(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Import)
        for alias in node.names:
            dotted = _dotted(alias.name)
            if dotted.partition(".")[0] in context.local_modules:
                continue
            row = _module_row(dotted)
            if row is not None:
                report_row(context, alias, row, "ModuleNotFoundError", row.symbol)

    def visit_ImportFrom(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.ImportFrom)
        if node.relative or node.module is None:
            return
        module = _dotted(node.module)
        if module.partition(".")[0] in context.local_modules:
            return
        row = _module_row(module)
        if row is not None:
            report_row(context, node.module, row, "ModuleNotFoundError", row.symbol)
            if row.removed is not None:
                return
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            qualified = f"{module}.{_dotted(alias.name)}"
            name_row = self.catalogue.names.get(qualified) or self.catalogue.modules.get(qualified)
            if name_row is not None:
                report_row(context, alias, name_row, "ImportError", name_row.symbol)

    def visit_Attribute(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Attribute)
        qualified = context.qualified_name(node)
        if qualified is None:
            return
        row = self.catalogue.names.get(qualified)
        if row is not None:
            report_row(context, node, row, "AttributeError", row.symbol)
            return
        # An attribute of a removed module: its import fails first, but the use shows
        # the owner what else must change.
        owner, _, _ = qualified.rpartition(".")
        owner_row = self.catalogue.modules.get(owner)
        if (
            owner_row is not None
            and owner_row.removed is not None
            and isinstance(node.value, cst.Name)
        ):
            report_row(
                context, node, owner_row, "AttributeError", qualified, member_of_module=True
            )

    def visit_Name(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Name)
        candidates = context.star_candidates(node.value)
        resolved = context.lookup(node.value)
        if resolved is not None and resolved.startswith("builtins."):
            candidates.append(resolved)
        for qualified in candidates:
            row = self.catalogue.names.get(qualified)
            if row is not None:
                report_row(context, node, row, "NameError", row.symbol)
                return

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        qualified = context.qualified_name(node.func)
        if qualified is None:
            return
        rows = self.catalogue.parameters.get(qualified)
        if not rows:
            return
        keywords = {arg.keyword.value: arg for arg in node.args if arg.keyword is not None}
        for row in rows:
            if row.parameter is not None and row.parameter in keywords:
                report_row(context, keywords[row.parameter], row, "TypeError", row.symbol)
