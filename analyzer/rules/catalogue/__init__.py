"""The catalogue of standard-library changes between Python 3.9 and 3.14, held as data.

Rows come from two tables: ``generated.py`` (written by ``scripts/generate_catalogue.py``
from the real interpreters and typeshed's stubs) and ``curated.py`` (hand-written rows,
each with its What's New source, for what the generator cannot see or gets wrong). A
curated row replaces the generated row with the same symbol, kind and parameter.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from analyzer.models import PythonVersion, format_version

ChangeKind = Literal["module", "name", "parameter"]
KINDS: tuple[ChangeKind, ...] = ("module", "name", "parameter")


@dataclass(frozen=True)
class ApiChange:
    """One stdlib module, name or parameter that appeared, became deprecated, or went away.

    ``symbol`` is the dotted path code reaches it by: ``imp``, ``collections.Mapping``,
    ``datetime.datetime.utcnow`` (class members under their class), or, for a
    parameter row, the callable that takes it (``asyncio.sleep``, ``asyncio.Queue`` for
    its constructor). Builtins live under ``builtins.`` (``builtins.anext``).
    """

    symbol: str
    kind: ChangeKind
    parameter: str | None
    """The parameter's name, for ``kind == "parameter"``; ``None`` otherwise."""
    added: PythonVersion | None
    """The first version that has it; code using it fails on older ones."""
    deprecated: PythonVersion | None
    """The first version that warns (or documents the deprecation, for old ones)."""
    removed: PythonVersion | None
    """The first version without it; code using it fails there and later."""
    replacement: str
    """What to use instead; never empty for removed or deprecated rows."""
    source: str
    """Where the fact is documented: a What's New section or a documentation URL."""
    flagged: str
    """A small program that uses the symbol and must be flagged by this row."""
    clean: str
    """A similar program that must not be flagged by this row."""
    generated: bool

    @property
    def key(self) -> tuple[str, ChangeKind, str | None]:
        """Unique within the catalogue: symbol, kind and parameter."""
        return (self.symbol, self.kind, self.parameter)

    @property
    def module(self) -> str:
        """The first component of the symbol (the top-level module or package)."""
        return self.symbol.split(".", 1)[0]

    @property
    def last_name(self) -> str:
        """The last component of the symbol: ``utcnow`` for ``datetime.datetime.utcnow``."""
        return self.symbol.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Catalogue:
    """Every row, and the same rows indexed the way the source rules look them up."""

    rows: tuple[ApiChange, ...]
    modules: Mapping[str, ApiChange]
    """Module name to its row (``kind == "module"``)."""
    names: Mapping[str, ApiChange]
    """Qualified name to its row (``kind == "name"``)."""
    parameters: Mapping[str, tuple[ApiChange, ...]]
    """Qualified callable name to its parameter rows."""

    def trigger_words(self) -> frozenset[str]:
        """Words whose absence from a file means no row can match it (a regex prefilter).

        Every symbol's top-level name and last name component, and every parameter name.
        """
        words: set[str] = set()
        for row in self.rows:
            words.add(row.module)
            words.add(row.last_name)
            if row.parameter is not None:
                words.add(row.parameter)
        words.discard("builtins")
        return frozenset(words)


def build_catalogue(rows: Iterable[ApiChange]) -> Catalogue:
    """Indexes rows; a later row with the same key replaces an earlier one."""
    by_key: dict[tuple[str, ChangeKind, str | None], ApiChange] = {}
    for row in rows:
        by_key[row.key] = row
    ordered = tuple(
        sorted(by_key.values(), key=lambda row: (row.symbol, row.kind, row.parameter or ""))
    )
    modules = {row.symbol: row for row in ordered if row.kind == "module"}
    names = {row.symbol: row for row in ordered if row.kind == "name"}
    parameters: dict[str, list[ApiChange]] = {}
    for row in ordered:
        if row.kind == "parameter":
            parameters.setdefault(row.symbol, []).append(row)
    return Catalogue(
        rows=ordered,
        modules=MappingProxyType(modules),
        names=MappingProxyType(names),
        parameters=MappingProxyType({symbol: tuple(found) for symbol, found in parameters.items()}),
    )


def generated_rows() -> tuple[ApiChange, ...]:
    """The rows of ``generated.py``, as ``ApiChange``."""
    from analyzer.rules.catalogue import generated

    tables: tuple[tuple[ChangeKind, tuple[generated.GeneratedRow, ...]], ...] = (
        ("module", generated.MODULES),
        ("name", generated.NAMES),
        ("parameter", generated.PARAMETERS),
    )
    return tuple(
        ApiChange(
            symbol=symbol,
            kind=kind,
            parameter=parameter,
            added=added,
            deprecated=deprecated,
            removed=removed,
            replacement=replacement,
            source=source,
            flagged=flagged,
            clean=clean,
            generated=True,
        )
        for kind, table in tables
        for (
            symbol,
            parameter,
            added,
            deprecated,
            removed,
            replacement,
            source,
            flagged,
            clean,
        ) in table
    )


@functools.cache
def load_catalogue() -> Catalogue:
    """The catalogue: generated rows, with curated rows replacing or adding to them."""
    from analyzer.rules.catalogue.curated import CURATED_ROWS

    return build_catalogue((*generated_rows(), *CURATED_ROWS))


def rule_table_markdown() -> str:
    """A Markdown table of every row, for the README's generated rule list."""
    lines = [
        "| symbol | kind | deprecated | removed | added | replacement | source |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in load_catalogue().rows:
        symbol = f"`{row.symbol}`" + (f" `{row.parameter}=`" if row.parameter else "")
        cells = (
            symbol,
            row.kind,
            _version_cell(row.deprecated),
            _version_cell(row.removed),
            _version_cell(row.added),
            _escape(row.replacement),
            _escape(row.source),
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _version_cell(version: PythonVersion | None) -> str:
    return format_version(version) if version is not None else ""


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
