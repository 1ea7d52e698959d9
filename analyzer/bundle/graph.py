"""The static import graph from the handler module, and what it says about each finding's reach."""

from __future__ import annotations

import logging
import mmap
import re
import sys
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from analyzer.bundle.layout import (
    FUNCTION_ROOT,
    OPT,
    Candidate,
    FileKind,
    ModuleEntry,
    ModuleIndex,
    ModuleKind,
    PackageFile,
    file_kind,
    universal_module_name,
)
from analyzer.bundle.loadtime import ModuleCode, read_module_code
from analyzer.models import (
    AnalysisError,
    Category,
    Finding,
    ImportRecord,
    Reach,
    SourceAnalysis,
)
from analyzer.rules.guards import stdlib_binds, stdlib_has_module

logger = logging.getLogger(__name__)

STAGE = "bundle"
BINARY_RULE_PREFIXES = ("native-", "pyc-")
"""Rule ids of findings about a whole module file (an extension, a ``.pyc``), not a line."""

# How an import statement runs, best (most harmful) first; a chain of imports runs the way its
# weakest link does, and a module is reached the way its best chain is.
_ORDER = (Reach.IMPORT, Reach.CALL, Reach.GUARDED)
_RANK = {reach: rank for rank, reach in enumerate(_ORDER)}

LEGACY_FINDER_SYMBOL = "importlib.abc.MetaPathFinder.find_module"
"""The symbol of the source rule's finding on a finder with ``find_module`` but no
``find_spec`` (``analyzer/rules/checks/legacy_import_hook.py``)."""
MAX_PROMOTION_ROUNDS = 4
"""Rounds of promoting imports that calls at load time run; each may reach new callers."""


@dataclass(frozen=True)
class ModuleReach:
    """How the handler reaches one module (or one file of it).

    ``chain`` runs from the handler module (or one of its parent packages) to ``module``,
    for reached modules. ``resolved`` is false for a module the package holds a file for
    but that does not import on the graph's runtime (see ``ImportGraph.failed_imports``).
    """

    module: str
    path: str | None
    reach: Reach
    chain: tuple[str, ...] = ()
    resolved: bool = True


@dataclass(frozen=True)
class FailedImport:
    """An import of a package module that fails on the graph's runtime.

    ``path`` and ``line`` are the importing statement, where the function breaks;
    ``reach`` is how that statement is reached (``Reach.UNREACHED`` when nothing the handler
    imports makes it); ``candidates`` are the files that provide the module elsewhere and why
    this runtime does not load them.
    """

    importer: str
    path: str
    line: int | None
    """``None`` for an import an extension module makes from C."""
    module: str
    reach: Reach
    chain: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    via: tuple[str, int] | None = None
    """For an import an extension module makes from C: the Python statement (path, line)
    that loads that extension module, where the traceback's last Python frame is."""


@dataclass(frozen=True)
class StatementReach:
    """How one statement runs, where that is not how the rest of its module's code runs.

    Findings at ``path``:``line`` whose engine reach is one of ``replaces`` (and whose symbol
    is ``symbol``, when set) take ``reach`` and ``chain``, and ``note`` is added to their
    message. Three kinds of statement get one:

    - an import inside a function or constructor that code running at load time calls
      (``ffi = cffi.FFI()`` runs ``import _cffi_backend`` in ``FFI.__init__``): ``IMPORT``;
    - an import guarded by ``except ImportError`` whose handler fails too (it imports a
      module that exists nowhere, or raises): the guard does not hold;
    - a legacy ``sys.meta_path`` finder (``find_module`` only): it breaks where modules it
      provides are imported (``from six.moves import ...``), so it takes the reach of the
      best such import statement, and ``UNREACHED`` when nothing imports through it.
    """

    path: str
    line: int
    reach: Reach
    chain: tuple[str, ...] = ()
    replaces: frozenset[Reach] = frozenset({Reach.IMPORT, Reach.CALL, Reach.GUARDED})
    symbol: str | None = None
    note: str = ""


class PathReach(dict[str, "ModuleReach"]):
    """``ImportGraph.reach_of_path``: each display path's ``ModuleReach``, and in
    ``statements`` the statements that run otherwise than their module's code."""

    statements: dict[tuple[str, int], StatementReach]

    def __init__(
        self,
        by_path: Mapping[str, ModuleReach] | None = None,
        statements: Mapping[tuple[str, int], StatementReach] | None = None,
    ) -> None:
        super().__init__(by_path or {})
        self.statements = dict(statements or {})


@dataclass
class _Links:
    """The import statements of every module, as the breadth-first walks need them."""

    loads: dict[str, dict[str, int]] = field(default_factory=dict)
    """Importer to each module it loads, with the best rank (``_ORDER``) of the statements."""
    failing: list[tuple[str, str, int, int | None]] = field(default_factory=list)
    """(importer, module, rank, line) of imports that fail on the runtime; no line from C."""
    order: dict[str, dict[str, int | None]] = field(default_factory=dict)
    """Importer to every package module it names, in statement order, with the first line."""
    lazy: dict[str, dict[int, tuple[tuple[str, bool], ...]]] = field(default_factory=dict)
    """Importer to the lines of its unguarded imports inside functions, with their package
    targets (none for a standard-library or missing module)."""
    hooked: list[tuple[str, str, int, int]] = field(default_factory=list)
    """(importer, module, rank, line) of imports of modules a legacy import hook provides."""
    resolved: Mapping[str, list[_Resolved]] = field(default_factory=dict)
    """Each module's import statements with their targets and rank."""
    conditions: _Conditions | None = None
    """Which imports run only when others succeed."""


@dataclass(frozen=True)
class ImportGraph:
    """The modules of one runtime's index, each with how the handler reaches it.

    With no handler (or one whose module the index lacks) every reach is ``Reach.UNKNOWN``.
    ``reach_of_path`` maps display paths to reach: every module file, every source file of
    the package (``Reach.UNREACHED`` when it is no module on this runtime), each file that
    would provide a module failing to import here, and shared libraries of a distribution
    (the best reach of that distribution's extension modules).
    """

    index: ModuleIndex
    handler_module: str | None
    modules: Mapping[str, ModuleReach]
    reach_of_path: Mapping[str, ModuleReach]
    failed_imports: tuple[FailedImport, ...] = ()
    errors: tuple[AnalysisError, ...] = ()
    edges: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Each module's imported package modules, in statement order (failing ones included)."""
    statements: Mapping[tuple[str, int], StatementReach] = field(default_factory=dict)
    """Statements (display path, line) that run otherwise than their module's code."""

    @property
    def handler_known(self) -> bool:
        """Whether reach was worked out from a handler module that the index has."""
        return self.handler_module is not None and self.handler_module in self.index

    def reach(self, module: str) -> Reach:
        """How ``module`` is reached; ``Reach.UNREACHED`` for a name the graph does not hold."""
        found = self.modules.get(module)
        if found is not None:
            return found.reach
        return Reach.UNREACHED if self.handler_known else Reach.UNKNOWN

    def reached(self) -> Iterator[ModuleReach]:
        """Modules the handler reaches, in module-name order."""
        for name in sorted(self.modules):
            module_reach = self.modules[name]
            if module_reach.reach in _RANK:
                yield module_reach


def build_import_graph(
    index: ModuleIndex,
    analyses: Mapping[str, SourceAnalysis],
    handler_module: str | None,
    *,
    native_imports: Mapping[str, Iterable[str]] | None = None,
) -> ImportGraph:
    """The import graph of ``index`` from ``handler_module`` (a dotted name, or ``None``).

    ``analyses`` holds each source file's imports, by display path. Imports of modules the
    package does not hold (the standard library, missing modules) are not edges; imports of
    modules it holds but this runtime cannot load are ``failed_imports``. A relative import
    that climbs above the top-level package is left out and reported in ``errors``.
    ``native_imports`` maps an extension module's display path to the modules its C code
    imports when it loads; by default they are read from the binaries (``find_native_imports``).
    """
    errors: list[AnalysisError] = []
    if native_imports is None:
        native_imports = find_native_imports(index)
    hooks = _legacy_hooks(index, analyses)
    sources = _SourceCode(index)
    links = _links(index, analyses, errors, hooks, sources)
    _native_links(index, native_imports, links)

    handler_known = handler_module is not None and handler_module in index
    if handler_module is not None and not handler_known:
        errors.append(
            AnalysisError(
                STAGE,
                f"handler module {handler_module} is not in the package on "
                f"{index.runtime.name}; reach is unknown",
            )
        )
    statements: dict[tuple[str, int], StatementReach] = {}
    if handler_known:
        assert handler_module is not None
        reach, chains, promoted = _promote_called_imports(
            index, analyses, links, _prefixes(handler_module), sources
        )
        statements.update(_promoted_statements(index, promoted, reach, chains))
        statements.update(_failing_fallbacks(index, analyses, reach, chains, sources))
        statements.update(
            _hook_statements(
                index,
                hooks,
                links,
                _prefixes(handler_module),
                reach,
                chains,
                lambda module, line: _guard_fails(index, analyses, sources, module, line),
            )
        )
        _assume_native_failures(index, links, _prefixes(handler_module), reach, chains, promoted)
    else:
        reach, chains = {}, {}

    modules: dict[str, ModuleReach] = {}
    for name, entry in index.modules.items():
        modules[name] = ModuleReach(
            name,
            entry.path,
            reach.get(name, Reach.UNREACHED) if handler_known else Reach.UNKNOWN,
            chains.get(name, ()),
        )
    failed = _failed_imports(index, links, reach, chains, handler_known)
    for failure in failed:
        _note_failure(modules, failure)

    return ImportGraph(
        index=index,
        handler_module=handler_module,
        modules=modules,
        reach_of_path=PathReach(_reach_of_path(index, modules, handler_known), statements),
        failed_imports=tuple(failed),
        errors=tuple(errors),
        edges={name: tuple(targets) for name, targets in links.order.items()},
        statements=statements,
    )


# --------------------------------------------------------------------------- edges


def _prefixes(module: str) -> list[str]:
    """``a``, ``a.b``, ``a.b.c`` for ``a.b.c``: the modules importing it runs, in order."""
    parts = module.split(".")
    return [".".join(parts[: count + 1]) for count in range(len(parts))]


_Resolved = tuple[ImportRecord, str, tuple[tuple[str, bool], ...], int]
"""An import statement: its record, the absolute module it names, its targets, its rank."""


def _links(
    index: ModuleIndex,
    analyses: Mapping[str, SourceAnalysis],
    errors: list[AnalysisError],
    hooks: Mapping[str, tuple[int, ...]] | None = None,
    sources: _SourceCode | None = None,
) -> _Links:
    # Many files import the same modules: resolve each named module's prefixes once.
    prefix_targets: dict[str, tuple[tuple[str, bool], ...]] = {}
    guarded, lazy, eager = _RANK[Reach.GUARDED], _RANK[Reach.CALL], _RANK[Reach.IMPORT]
    resolved: dict[str, list[_Resolved]] = {}
    for name, entry in index.modules.items():
        if entry.path is None:
            continue
        analysis = analyses.get(entry.path) or _compiled_from(entry, analyses)
        if analysis is None or not analysis.imports:
            continue
        package = name if entry.is_package else name.rpartition(".")[0]
        statements = resolved[name] = []
        for record in analysis.imports:
            base = _absolute(record, package)
            if base is None:
                errors.append(_relative_error(record, name, package, entry.path))
                continue
            rank = guarded if record.guarded else eager if record.at_import_time else lazy
            targets = prefix_targets.get(base)
            if targets is None:
                targets = prefix_targets[base] = tuple(_prefix_targets(index, base))
            if record.names and targets and targets[-1] == (base, False):
                targets = targets + tuple(_from_targets(index, analyses, record, base, name))
            statements.append((record, base, targets, rank))
    conditions = _conditions(index, resolved, sources) if sources is not None else None
    never = conditions.never_run() if conditions is not None else set()
    links = _assemble(index, analyses, resolved, never, hooks)
    links.resolved = resolved
    links.conditions = conditions
    return links


def _assemble(
    index: ModuleIndex,
    analyses: Mapping[str, SourceAnalysis],
    resolved: Mapping[str, list[_Resolved]],
    never: set[tuple[str, int]],
    hooks: Mapping[str, tuple[int, ...]] | None,
) -> _Links:
    """The links of the resolved import statements, leaving out those that never run."""
    lazy = _RANK[Reach.CALL]
    links = _Links()
    for name, statements in resolved.items():
        if not statements:
            continue
        loads: dict[str, int] = {}
        order: dict[str, int | None] = {}
        for record, base, targets, rank in statements:
            if (name, record.line) in never:
                continue
            if rank == lazy:
                lines = links.lazy.setdefault(name, {})
                lines[record.line] = lines.get(record.line, ()) + targets
            if hooks:
                for hooked in _hooked_modules(index, analyses, hooks, record, base):
                    links.hooked.append((name, hooked, rank, record.line))
            for target, fails in targets:
                order.setdefault(target, record.line)
                if fails:
                    links.failing.append((name, target, rank, record.line))
                elif loads.get(target, rank + 1) > rank:
                    loads[target] = rank
        if order:
            links.loads[name] = loads
            links.order[name] = order
    return links


@dataclass(frozen=True)
class _Conditions:
    """Which load-time imports run only if others succeed, and which modules fail for sure.

    ``subjects`` maps (module, line) of an import that runs only after other imports
    succeeded (the ``else`` of the ``try`` guarding them, ``if FLAG:`` for a flag only their
    success sets) to the modules those imports load. ``failing`` holds the modules that
    certainly fail to import; ``importers`` maps a module to those that import it at module
    level outside any block, so that they fail whenever it does.
    """

    subjects: Mapping[tuple[str, int], frozenset[str]]
    failing: frozenset[str]
    importers: Mapping[str, frozenset[str]]
    dead: frozenset[tuple[str, int]] = frozenset()
    """Imports in ``except ImportError`` handlers whose ``try`` only imports the standard
    library that every runtime has: they never run."""

    def never_run(self, also_failing: Iterable[str] = ()) -> set[tuple[str, int]]:
        """The conditional imports that cannot run, given the failures (and ``also_failing``
        with everything importing it unconditionally)."""
        failing = set(self.failing)
        pending = [module for module in also_failing if module not in failing]
        while pending:
            module = pending.pop()
            if module in failing:
                continue
            failing.add(module)
            pending.extend(self.importers.get(module, ()))
        never = {key for key, loaded in self.subjects.items() if not loaded.isdisjoint(failing)}
        return never | self.dead


def _conditions(
    index: ModuleIndex, resolved: Mapping[str, list[_Resolved]], sources: _SourceCode
) -> _Conditions:
    """The ``_Conditions`` of a package's import statements.

    A module certainly fails to import when its module level, outside any block, imports a
    module that fails (``greenlet/__init__.py``: ``from ._greenlet import _C_API`` with
    ``_greenlet`` built for another interpreter).
    """
    eager = _RANK[Reach.IMPORT]
    importers: dict[str, set[str]] = {}
    seeds: set[str] = set()
    codes: dict[str, ModuleCode] = {}
    for name, statements in resolved.items():
        code = sources.code(name) if statements else None
        if code is None:
            continue
        codes[name] = code
        for record, _base, targets, rank in statements:
            if rank != eager or record.line not in code.unconditional:
                continue
            for target, failing in targets:
                if failing:
                    seeds.add(target)
                if target != name:
                    importers.setdefault(target, set()).add(name)
    frozen_importers = {target: frozenset(names) for target, names in importers.items()}

    def loaded_at(module: str, lines: Iterable[int]) -> frozenset[str]:
        wanted = set(lines)
        return frozenset(
            target
            for record, _base, targets, _rank in resolved.get(module, ())
            if record.line in wanted
            for target, _failing in targets
        )

    subjects: dict[tuple[str, int], frozenset[str]] = {}
    for name, code in codes.items():
        for line, condition in code.conditions.items():
            loaded = set(loaded_at(name, condition.lines))
            for flag in condition.flags:
                owner_lines = _flag_source(index, sources, name, code, flag)
                if owner_lines is not None:
                    loaded |= loaded_at(*owner_lines)
            if loaded:
                subjects[(name, line)] = frozenset(loaded)

    closure: set[str] = set()
    pending = list(seeds)
    while pending:
        module = pending.pop()
        if module not in closure:
            closure.add(module)
            pending.extend(frozen_importers.get(module, ()))
    dead = {
        (name, line)
        for name, code in codes.items()
        for line, imported in code.fallback_for.items()
        if all(
            module.partition(".")[0] not in index.modules and _always_imports(module, attribute)
            for module, attribute in imported
        )
    }
    return _Conditions(subjects, frozenset(closure), frozen_importers, frozenset(dead))


@cache
def _always_imports(module: str, name: str | None) -> bool:
    """Whether ``import module`` (``from module import name``) succeeds on every runtime: a
    stdlib module (and name) this interpreter has, which the catalogue never lists as added
    or removed between the oldest runtime and the newest."""
    from analyzer.rules.catalogue import load_catalogue

    catalogue = load_catalogue()
    if any(prefix in catalogue.modules for prefix in _prefixes(module)):
        return False
    if not stdlib_has_module(module):
        return False
    if name is None:
        return True
    qualified = f"{module}.{name}"
    if qualified in catalogue.names or qualified in catalogue.modules:
        return False
    return stdlib_binds(qualified) or stdlib_has_module(qualified)


def _flag_source(
    index: ModuleIndex, sources: _SourceCode, module: str, code: ModuleCode, flag: str
) -> tuple[str, tuple[int, ...]] | None:
    """The module that sets an availability flag and the lines of the imports setting it."""
    binding = code.bindings.get(flag)
    if binding is None:
        lines = code.flags.get(flag)
        return (module, lines) if lines is not None else None
    if binding.name is None:
        return None
    entry = index.modules.get(module)
    package = module if entry is not None and entry.is_package else module.rpartition(".")[0]
    owner = _absolute(ImportRecord(binding.module, binding.level, (), 0, True, False), package)
    owner_code = sources.code(owner) if owner is not None else None
    if owner is None or owner_code is None:
        return None
    lines = owner_code.flags.get(binding.name)
    return (owner, lines) if lines is not None else None


def _assume_native_failures(
    index: ModuleIndex,
    links: _Links,
    starts: list[str],
    reach: dict[str, Reach],
    chains: dict[str, tuple[str, ...]],
    promoted: Mapping[tuple[str, int], str],
) -> None:
    """Reach each extension module as it runs where that extension does not load.

    A native finding is about a runtime on which its extension module fails to import.
    There, every module importing it unconditionally fails as well, and imports that run
    only after one of those succeeded do not run (SQLAlchemy 1.4 imports its greenlet-based
    module in the ``else`` of ``try: import greenlet``): an extension reached only through
    them is reached the way the guarded import reaches it.
    """
    conditions = links.conditions
    if conditions is None or not conditions.subjects:
        return
    eager = _RANK[Reach.IMPORT]
    before = conditions.never_run()
    for name, entry in index.modules.items():
        if (
            reach.get(name) is not Reach.IMPORT
            or entry.path is None
            or file_kind(entry.path) is not FileKind.NATIVE
        ):
            continue
        never = conditions.never_run((name,))
        if never <= before:
            continue
        loads = dict(links.loads)
        for module in {module for module, _ in never - before}:
            rebuilt: dict[str, int] = {}
            for record, _base, targets, rank in links.resolved.get(module, ()):
                if (module, record.line) in never:
                    continue
                if (module, record.line) in promoted:
                    rank = eager
                for target, fails in targets:
                    if not fails and rebuilt.get(target, rank + 1) > rank:
                        rebuilt[target] = rank
            loads[module] = rebuilt
        assumed, assumed_chains = _reach(loads, starts)
        found = assumed.get(name, Reach.UNREACHED)
        if found is not Reach.IMPORT:
            reach[name] = found
            chains[name] = assumed_chains.get(name, ())


def _compiled_from(
    entry: ModuleEntry, analyses: Mapping[str, SourceAnalysis]
) -> SourceAnalysis | None:
    """The source beside an extension module, which it is usually compiled from (Cython).

    A Cython build imports what its ``.py`` imports, at the same points; without it, a
    package compiled module by module (pydantic 1.x) would import nothing.
    """
    if entry.path is None or file_kind(entry.path) is not FileKind.NATIVE:
        return None
    folder, _, file_name = entry.path.rpartition("/")
    source = file_name.split(".", 1)[0] + ".py"
    return analyses.get(f"{folder}/{source}" if folder else source)


def _native_links(
    index: ModuleIndex, native_imports: Mapping[str, Iterable[str]], links: _Links
) -> None:
    """Add the imports extension modules make from C when they load (unguarded, eager)."""
    eager = _RANK[Reach.IMPORT]
    for path, imported in native_imports.items():
        importer = index.module_of_path.get(path)
        if importer is None:
            continue
        loads = links.loads.setdefault(importer, {})
        order = links.order.setdefault(importer, {})
        for module in imported:
            for target, fails in _prefix_targets(index, module):
                order.setdefault(target, None)
                if fails:
                    links.failing.append((importer, target, eager, None))
                else:
                    loads[target] = eager


# Markers of extension modules that import another module from C when they load, and the
# module they import. cffi's out-of-line API modules (cffi >= 1.0; _cffi_include.h) export
# _init_cffi_1_0_external_module and import _cffi_backend in their init function; confirmed by
# compiling one and importing it on CPython 3.9 without _cffi_backend ("No module named").
C_LEVEL_IMPORTS: tuple[tuple[bytes, str], ...] = (
    (b"_init_cffi_1_0_external_module\x00", "_cffi_backend"),
)
MAX_NATIVE_SCAN_BYTES = 64 * 1024 * 1024
"""Extension modules larger than this are not scanned for C-level imports."""


def find_native_imports(index: ModuleIndex) -> dict[str, tuple[str, ...]]:
    """The modules each extension module of ``index`` imports from C (see ``C_LEVEL_IMPORTS``).

    Only markers are searched for, in files the index resolves as extension modules; an
    unreadable file imports nothing here.
    """
    found: dict[str, tuple[str, ...]] = {}
    for name, entry in index.modules.items():
        if entry.kind is not ModuleKind.EXTENSION or entry.path is None:
            continue
        package_file = index.package.by_path.get(entry.path)
        if package_file is None or not 0 < package_file.size <= MAX_NATIVE_SCAN_BYTES:
            continue
        imported = tuple(
            module
            for marker, module in C_LEVEL_IMPORTS
            if module != name and _contains(package_file.absolute, marker)
        )
        if imported:
            found[entry.path] = imported
    return found


def _contains(path: str, marker: bytes) -> bool:
    try:
        with (
            open(path, "rb") as stream,
            mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data,
        ):
            return data.find(marker) != -1
    except (OSError, ValueError) as exc:
        logger.debug("%s: not scanned for C-level imports: %s", path, exc)
        return False


def _absolute(record: ImportRecord, package: str) -> str | None:
    """The absolute module a (possibly relative) import names, as ``importlib`` resolves it."""
    if record.level == 0:
        return record.module
    if not package:
        return None
    bits = package.rsplit(".", record.level - 1)
    if len(bits) < record.level:
        return None
    return f"{bits[0]}.{record.module}" if record.module else bits[0]


def _relative_error(record: ImportRecord, module: str, package: str, path: str) -> AnalysisError:
    statement = f"from {'.' * record.level}{record.module} import {', '.join(record.names)}"
    problem = "beyond the top-level package" if package else "in a module that is not in a package"
    return AnalysisError(
        STAGE,
        f"line {record.line}: relative import {problem} ({statement} in module {module}); "
        "it fails when it runs, and is left out of the import graph",
        path,
    )


def _prefix_targets(index: ModuleIndex, base: str) -> Iterator[tuple[str, bool]]:
    """The package modules importing ``base`` runs, and whether each import fails."""
    for target in _prefixes(base):
        if target in index.modules:
            yield target, False
        elif target in index.candidates:
            yield target, True
            return
        else:
            # Not a package module (the stdlib, or missing): nothing below it is either.
            return


def _from_targets(
    index: ModuleIndex,
    analyses: Mapping[str, SourceAnalysis],
    record: ImportRecord,
    base: str,
    importer: str | None = None,
) -> Iterator[tuple[str, bool]]:
    """The submodules ``from base import names`` loads, and whether each import fails.

    A package importing from itself (``from . import util`` in its ``__init__``) binds the
    name by that very statement, so the name it binds does not show the submodule is loaded.
    """
    # TODO: a package defining the name before importing it from itself (``def x(): ...``
    # then ``from . import x``) does not load the submodule; the bound names carry no
    # order (statement order of top-level names in the source analysis would retire this).
    base_entry = index.modules[base]
    for name in record.names:
        if name == "*":
            # TODO: a star import of a package also imports the submodules its __all__ lists
            # (read __all__ from the source analysis once it records it).
            continue
        submodule = f"{base}.{name}"
        if importer != base and _defines(base_entry, analyses, name):
            # importlib loads the submodule only when the package lacks the attribute.
            continue
        if submodule in index.modules:
            yield submodule, False
        elif submodule in index.candidates:
            yield submodule, True


def _defines(entry: ModuleEntry, analyses: Mapping[str, SourceAnalysis], name: str) -> bool:
    """Whether a module binds ``name`` itself, so ``from module import name`` loads nothing."""
    if entry.path is None:
        return False
    analysis = analyses.get(entry.path)
    return analysis is not None and name in analysis.top_level_names


# --------------------------------------------------------------------------- load time


class _SourceCode:
    """Each module's ``ModuleCode`` and source text, read once when first needed."""

    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        self._code: dict[str, ModuleCode | None] = {}
        self._text: dict[str, bytes] = {}

    def _file(self, module: str) -> PackageFile | None:
        path = self.index.file_of(module)
        if path is None or file_kind(path) is not FileKind.SOURCE:
            return None
        return self.index.package.by_path.get(path)

    def code(self, module: str) -> ModuleCode | None:
        if module not in self._code:
            package_file = self._file(module)
            self._code[module] = (
                read_module_code(Path(package_file.absolute)) if package_file else None
            )
        return self._code[module]

    def text(self, module: str) -> bytes:
        if module not in self._text:
            package_file = self._file(module)
            data = b""
            if package_file is not None and package_file.size <= MAX_SCANNED_SOURCE_BYTES:
                try:
                    data = Path(package_file.absolute).read_bytes()
                except OSError as exc:
                    logger.debug("%s: not read: %s", package_file.path, exc)
            self._text[module] = data
        return self._text[module]


MAX_SCANNED_SOURCE_BYTES = 8 * 1024 * 1024


def _promote_called_imports(
    index: ModuleIndex,
    analyses: Mapping[str, SourceAnalysis],
    links: _Links,
    starts: list[str],
    sources: _SourceCode,
) -> tuple[dict[str, Reach], dict[str, tuple[str, ...]], dict[tuple[str, int], str]]:
    """Reach, with the imports that calls made at load time run made eager.

    A module reached at import time that calls, while it loads, a function or class of a
    package module makes that function's (or constructor's) unguarded imports run at import
    time too. Returns the reach, the chains, and each promoted import statement (module,
    line) with the module whose load-time call runs it.
    """
    reach, chains = _reach(links.loads, starts)
    promoted: dict[tuple[str, int], str] = {}
    for _ in range(MAX_PROMOTION_ROUNDS):
        candidates = _called_import_candidates(index, analyses, links, reach, promoted, sources)
        if not candidates:
            break
        found = {
            statement: caller
            for statement, caller in _load_time_callers(
                index, analyses, reach, candidates, sources
            ).items()
            if statement not in promoted
        }
        if not found:
            break
        eager = _RANK[Reach.IMPORT]
        for module, line in found:
            for target, fails in links.lazy[module][line]:
                if not fails:
                    links.loads.setdefault(module, {})[target] = eager
            links.failing = [
                (importer, target, eager if (importer, at) == (module, line) else rank, at)
                for importer, target, rank, at in links.failing
            ]
        promoted.update(found)
        reach, chains = _reach(links.loads, starts)
    return reach, chains, promoted


def _called_import_candidates(
    index: ModuleIndex,
    analyses: Mapping[str, SourceAnalysis],
    links: _Links,
    reach: Mapping[str, Reach],
    promoted: Mapping[tuple[str, int], str],
    sources: _SourceCode,
) -> dict[tuple[str, str], tuple[int, ...]]:
    """(module, callable) to the lazy import lines a call of it would run, where running them
    at import time would change something: a target not yet imported then, one failing, or
    a finding on the import itself (a removed module)."""
    candidates: dict[tuple[str, str], tuple[int, ...]] = {}
    for module, lines in links.lazy.items():
        if reach.get(module) is not Reach.IMPORT:
            continue
        path = index.file_of(module)
        analysis = analyses.get(path) if path is not None else None
        flagged = {
            finding.location.line
            for finding in (analysis.findings if analysis is not None else ())
            if finding.reach is Reach.CALL
        }
        worth = {
            line
            for line, targets in lines.items()
            if (module, line) not in promoted
            and (
                line in flagged
                or any(fails or reach.get(target) is not Reach.IMPORT for target, fails in targets)
            )
        }
        if not worth:
            continue
        code = sources.code(module)
        if code is None:
            continue
        for name, imported_lines in code.callable_imports.items():
            hit = tuple(line for line in imported_lines if line in worth)
            if hit:
                candidates[(module, name)] = hit
    return candidates


def _load_time_callers(
    index: ModuleIndex,
    analyses: Mapping[str, SourceAnalysis],
    reach: Mapping[str, Reach],
    candidates: Mapping[tuple[str, str], tuple[int, ...]],
    sources: _SourceCode,
) -> dict[tuple[str, int], str]:
    """The candidate import statements that a module reached at import time runs by calling
    their function while it loads, each with that module."""
    names = sorted({name.partition(".")[0] for _, name in candidates})
    mentions = re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in names) + rb")\b")
    found: dict[tuple[str, int], str] = {}
    for caller in sorted(reach):
        if reach[caller] is not Reach.IMPORT or not mentions.search(sources.text(caller)):
            continue
        code = sources.code(caller)
        if code is None:
            continue
        for call in code.calls:
            if call.guarded:
                continue
            called = _resolve_call(index, analyses, code, caller, call.name)
            lines = candidates.get(called) if called is not None else None
            if lines is None or called is None:
                continue
            for line in lines:
                found.setdefault((called[0], line), caller)
    return found


# TODO: calls are followed one level deep (the function or constructor called, not what it
# calls in turn), and calls on instances (ffi.dlopen()) resolve to nothing (the source engine
# recording, per function, the calls it makes and the types of its names would retire this).
def _resolve_call(
    index: ModuleIndex,
    analyses: Mapping[str, SourceAnalysis],
    code: ModuleCode,
    caller: str,
    name: str,
) -> tuple[str, str] | None:
    """The (module, callable) a dotted name called in ``caller`` at load time refers to."""
    first, _, rest = name.partition(".")
    if first in code.definitions:
        return caller, name
    binding = code.bindings.get(first)
    if binding is None:
        return None
    entry = index.modules.get(caller)
    package = caller if entry is not None and entry.is_package else caller.rpartition(".")[0]
    record = ImportRecord(binding.module, binding.level, (), 0, True, False)
    base = _absolute(record, package)
    if base is None:
        return None
    attributes = rest.split(".") if rest else []
    if binding.name is not None:
        attributes.insert(0, binding.name)
    return _definition(index, analyses, base, attributes)


def _definition(
    index: ModuleIndex,
    analyses: Mapping[str, SourceAnalysis],
    module: str,
    attributes: list[str],
) -> tuple[str, str] | None:
    """Where ``module.<attributes>`` is defined, following submodules and re-exports."""
    for _ in range(MAX_REEXPORTS):
        while attributes and f"{module}.{attributes[0]}" in index.modules:
            module = f"{module}.{attributes.pop(0)}"
        if not attributes or module not in index.modules:
            return None
        entry = index.modules[module]
        analysis = analyses.get(entry.path) if entry.path is not None else None
        if analysis is None:
            return None
        package = module if entry.is_package else module.rpartition(".")[0]
        exporter = next(
            (
                record
                for record in analysis.imports
                if record.at_import_time and attributes[0] in record.names
            ),
            None,
        )
        if exporter is None:
            return module, ".".join(attributes)
        base = _absolute(exporter, package)
        if base is None:
            return None
        module = base
    return None


MAX_REEXPORTS = 8
"""Re-exports followed from the name a caller uses to the module that defines it."""


def _promoted_statements(
    index: ModuleIndex,
    promoted: Mapping[tuple[str, int], str],
    reach: Mapping[str, Reach],
    chains: Mapping[str, tuple[str, ...]],
) -> dict[tuple[str, int], StatementReach]:
    statements = {}
    for (module, line), caller in promoted.items():
        path = index.modules[module].path
        if path is None or reach.get(caller) is None:
            continue
        statements[(path, line)] = StatementReach(
            path,
            line,
            reach[caller],
            chains.get(module, ()),
            replaces=frozenset({Reach.CALL}),
            note=f" (runs at import time: {caller} calls this code while it loads)",
        )
    return statements


@cache
def stdlib_modules() -> frozenset[str]:
    """Top-level names of the standard library on any CPython 3 version the catalogue knows."""
    from analyzer.rules.catalogue import load_catalogue

    names = set(sys.stdlib_module_names)
    names.update(symbol.partition(".")[0] for symbol in load_catalogue().modules)
    return frozenset(names)


def _failing_fallbacks(
    index: ModuleIndex,
    analyses: Mapping[str, SourceAnalysis],
    reach: Mapping[str, Reach],
    chains: Mapping[str, tuple[str, ...]],
    sources: _SourceCode,
) -> dict[tuple[str, int], StatementReach]:
    """Guarded imports of removed modules whose ``except ImportError`` handler fails too."""
    # TODO: a guarded import of an extension module (a speed-up) whose fallback fails is not
    # looked at (no benchmark set has one; the same fallback check would apply).
    statements = {}
    for module, module_reach in reach.items():
        path = index.file_of(module)
        analysis = analyses.get(path) if path is not None else None
        if path is None or analysis is None:
            continue
        for finding in analysis.findings:
            line = finding.location.line
            if (
                finding.category is not Category.REMOVED_MODULE
                or finding.reach is not Reach.GUARDED
                or line is None
            ):
                continue
            code = sources.code(module)
            fallback = code.fallbacks.get(line) if code is not None else None
            if fallback is None:
                continue
            failure = _fallback_failure(index, analysis, module, fallback.import_lines)
            if failure is None and not fallback.raises:
                continue
            eager = any(r.at_import_time for r in analysis.imports if r.line == line)
            how = (
                f"its fallback import of {failure[1]} (line {failure[0]}) fails too: the "
                "module exists neither in the package nor in the standard library"
                if failure is not None
                else "its except ImportError handler raises"
            )
            statements[(path, line)] = StatementReach(
                path,
                line,
                _combine(module_reach, Reach.IMPORT if eager else Reach.CALL),
                chains.get(module, ()),
                replaces=frozenset({Reach.GUARDED}),
                note=f"; the guard does not help: {how}",
            )
    return statements


def _guard_fails(
    index: ModuleIndex,
    analyses: Mapping[str, SourceAnalysis],
    sources: _SourceCode,
    module: str,
    line: int,
) -> Reach | None:
    """How the guarded import at ``module``:``line`` runs when its ``except ImportError``
    handler fails too (imports a module that exists nowhere, or raises); ``None`` when the
    guard holds."""
    path = index.file_of(module)
    analysis = analyses.get(path) if path is not None else None
    code = sources.code(module)
    fallback = code.fallbacks.get(line) if code is not None else None
    if analysis is None or fallback is None:
        return None
    if (
        not fallback.raises
        and _fallback_failure(index, analysis, module, fallback.import_lines) is None
    ):
        return None
    eager = any(record.at_import_time for record in analysis.imports if record.line == line)
    return Reach.IMPORT if eager else Reach.CALL


def _fallback_failure(
    index: ModuleIndex, analysis: SourceAnalysis, module: str, lines: tuple[int, ...]
) -> tuple[int, str] | None:
    """The first (line, module) of the handler's imports that exists nowhere."""
    entry = index.modules.get(module)
    package = module if entry is not None and entry.is_package else module.rpartition(".")[0]
    for record in analysis.imports:
        if record.line not in lines or record.guarded:
            continue
        base = _absolute(record, package)
        if base is None:
            continue
        top = base.partition(".")[0]
        if index.provides(top) or top in index.modules:
            if base in index.modules or base in index.candidates:
                continue
            return record.line, base
        if top not in stdlib_modules():
            return record.line, base
    return None


def _legacy_hooks(
    index: ModuleIndex, analyses: Mapping[str, SourceAnalysis]
) -> dict[str, tuple[int, ...]]:
    """Modules holding a legacy meta-path finder, with the lines of those findings."""
    hooks: dict[str, tuple[int, ...]] = {}
    for name, entry in index.modules.items():
        analysis = analyses.get(entry.path) if entry.path is not None else None
        if analysis is None:
            continue
        lines = tuple(
            finding.location.line
            for finding in analysis.findings
            if finding.symbol == LEGACY_FINDER_SYMBOL and finding.location.line is not None
        )
        if lines:
            hooks[name] = lines
    return hooks


def _hooked_modules(
    index: ModuleIndex,
    analyses: Mapping[str, SourceAnalysis],
    hooks: Mapping[str, tuple[int, ...]],
    record: ImportRecord,
    base: str,
) -> Iterator[str]:
    """Modules an import statement asks for that only a legacy hook module can provide.

    Such a finder provides names under its own module (``six.moves`` for ``six``,
    ``pkg_resources.extern.packaging`` for ``pkg_resources.extern``) that are no file of the
    package: ``from six.moves import http_client``, ``from pkg_resources.extern import
    packaging`` (a name the module does not bind itself).
    """
    parts = base.split(".")
    for end in range(1, len(parts) + 1):
        module = ".".join(parts[:end])
        if module not in hooks:
            if module not in index.modules:
                return
            continue
        if end < len(parts):
            child = f"{module}.{parts[end]}"
            if child not in index.modules:
                yield base
            return
        entry = index.modules[module]
        analysis = analyses.get(entry.path) if entry.path is not None else None
        bound = analysis.top_level_names if analysis is not None else frozenset()
        for name in record.names:
            if name != "*" and name not in bound and f"{module}.{name}" not in index.modules:
                yield f"{module}.{name}"
        return


def _hook_statements(
    index: ModuleIndex,
    hooks: Mapping[str, tuple[int, ...]],
    links: _Links,
    starts: list[str],
    reach: Mapping[str, Reach],
    chains: Mapping[str, tuple[str, ...]],
    guard_fails: Callable[[str, int], Reach | None] | None = None,
) -> dict[tuple[str, int], StatementReach]:
    """Each legacy finder, reached the way the best import through it is.

    Among imports that run at cold start, the one named is the first that runs (where the
    traceback points); otherwise the best reached. A guarded import whose ``except
    ImportError`` handler fails too (``guard_fails``) counts as unguarded.
    """
    best: dict[str, tuple[Reach, tuple[str, ...], str]] = {}
    position = _execution_order(links, starts)
    ranked = sorted(
        links.hooked,
        key=lambda hooked: position.get((hooked[0], hooked[3]), len(position)),
    )
    for importer, hooked, rank, line in ranked:
        importer_reach = reach.get(importer)
        if importer_reach is None:
            continue
        hook = _hook_of(hooked, hooks)
        edge_reach = _combine(importer_reach, _ORDER[rank])
        if rank == _RANK[Reach.GUARDED] and guard_fails is not None:
            unguarded = guard_fails(importer, line)
            if unguarded is not None:
                edge_reach = _combine(importer_reach, unguarded)
        known = best.get(hook)
        if known is None or _better(edge_reach, known[0]):
            where = f"{index.modules[importer].path}:{line}"
            best[hook] = (edge_reach, (*chains.get(importer, ()), hooked), where)
    statements = {}
    for hook, lines in hooks.items():
        path = index.modules[hook].path
        assert path is not None
        found = best.get(hook)
        for line in lines:
            if found is None:
                statements[(path, line)] = StatementReach(
                    path,
                    line,
                    Reach.UNREACHED,
                    replaces=frozenset({Reach.IMPORT, Reach.CALL}),
                    symbol=LEGACY_FINDER_SYMBOL,
                    note="; no import statement of the package asks it for a module",
                )
                continue
            statements[(path, line)] = StatementReach(
                path,
                line,
                found[0],
                found[1],
                replaces=frozenset({Reach.IMPORT, Reach.CALL}),
                symbol=LEGACY_FINDER_SYMBOL,
                note=f"; {found[2]} imports {found[1][-1]} through it",
            )
    return statements


def _execution_order(links: _Links, starts: list[str]) -> dict[tuple[str, int], int]:
    """The order in which a cold start runs the hooked import statements (importer, line).

    Python runs a module's statements in order, and an imported module in full before the
    statement after the import: a depth-first walk of the import-time edges in line order.
    """
    eager = _RANK[Reach.IMPORT]
    hooked_lines: dict[str, list[int]] = {}
    for importer, _, rank, line in links.hooked:
        if rank == eager:
            hooked_lines.setdefault(importer, []).append(line)

    def statements(module: str) -> Iterator[tuple[int, str | None]]:
        loads = links.loads.get(module, {})
        steps: list[tuple[int, str | None]] = [
            (line or 0, target)
            for target, line in links.order.get(module, {}).items()
            if loads.get(target) == eager
        ]
        steps.extend((line, None) for line in hooked_lines.get(module, ()))
        steps.sort(key=lambda step: step[0])
        return iter(steps)

    position: dict[tuple[str, int], int] = {}
    visited: set[str] = set()
    for start in starts:
        if start in visited:
            continue
        visited.add(start)
        stack = [(start, statements(start))]
        while stack:
            module, steps = stack[-1]
            step = next(steps, None)
            if step is None:
                stack.pop()
                continue
            line, target = step
            if target is None:
                position.setdefault((module, line), len(position))
            elif target not in visited:
                visited.add(target)
                stack.append((target, statements(target)))
    return position


def _hook_of(hooked: str, hooks: Mapping[str, tuple[int, ...]]) -> str:
    """The hook module that provides ``hooked`` (its longest prefix among ``hooks``)."""
    parts = hooked.split(".")
    for end in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in hooks:
            return prefix
    raise AssertionError(f"{hooked} has no hook module")


# --------------------------------------------------------------------------- reach


def _reach(
    loads: Mapping[str, dict[str, int]], starts: list[str]
) -> tuple[dict[str, Reach], dict[str, tuple[str, ...]]]:
    """Breadth-first, once per kind: unguarded import-time edges, then lazy, then guarded."""
    reach: dict[str, Reach] = {}
    parents: dict[str, dict[str, str | None]] = {}
    nothing: dict[str, int] = {}
    for rank, kind in enumerate(_ORDER):
        parent: dict[str, str | None] = dict.fromkeys(starts)
        queue = deque(starts)
        while queue:
            module = queue.popleft()
            if module not in reach:
                reach[module] = kind
                parents[module] = parent
            for target, edge_rank in loads.get(module, nothing).items():
                if edge_rank <= rank and target not in parent:
                    parent[target] = module
                    queue.append(target)
    chains = {module: _chain(parents[module], module) for module in reach}
    return reach, chains


def _chain(parent: Mapping[str, str | None], module: str) -> tuple[str, ...]:
    chain = [module]
    step = parent[module]
    while step is not None:
        chain.append(step)
        step = parent[step]
    return tuple(reversed(chain))


def _combine(first: Reach, second: Reach) -> Reach:
    """How code runs when reaching it takes both ``first`` and ``second``."""
    return _ORDER[max(_RANK[first], _RANK[second])]


def _failed_imports(
    index: ModuleIndex,
    links: _Links,
    reach: Mapping[str, Reach],
    chains: Mapping[str, tuple[str, ...]],
    handler_known: bool,
) -> list[FailedImport]:
    failed = []
    for importer, module, rank, line in links.failing:
        path = index.modules[importer].path
        assert path is not None
        importer_reach = reach.get(importer)
        if not handler_known:
            edge_reach = Reach.UNKNOWN
        elif importer_reach is None:
            edge_reach = Reach.UNREACHED
        else:
            edge_reach = _combine(importer_reach, _ORDER[rank])
        chain = (*chains[importer], module) if importer in chains else ()
        failed.append(
            FailedImport(
                importer=importer,
                path=path,
                line=line,
                module=module,
                reach=edge_reach,
                chain=chain,
                candidates=index.candidates[module],
                via=_loading_statement(index, links, chain) if line is None else None,
            )
        )
    failed.sort(key=lambda f: (_sort_rank(f.reach), f.path, f.line or 0, f.module))
    return failed


def _loading_statement(
    index: ModuleIndex, links: _Links, chain: tuple[str, ...]
) -> tuple[str, int] | None:
    """Where the module before the last in ``chain`` imports it, if that is a Python line."""
    if len(chain) < 3:
        return None
    loader, extension = chain[-3], chain[-2]
    line = links.order.get(loader, {}).get(extension)
    path = index.modules[loader].path
    return (path, line) if line is not None and path is not None else None


def _sort_rank(reach: Reach) -> int:
    return _RANK.get(reach, len(_RANK))


def _better(new: Reach, old: Reach) -> bool:
    return _sort_rank(new) < _sort_rank(old)


def _note_failure(modules: dict[str, ModuleReach], failure: FailedImport) -> None:
    """Record the attempted module under its own name, keeping its best reach."""
    known = modules.get(failure.module)
    if known is not None and not _better(failure.reach, known.reach):
        return
    modules[failure.module] = ModuleReach(
        failure.module, None, failure.reach, failure.chain, resolved=False
    )


def _reach_of_path(
    index: ModuleIndex, modules: Mapping[str, ModuleReach], handler_known: bool
) -> dict[str, ModuleReach]:
    default = Reach.UNREACHED if handler_known else Reach.UNKNOWN
    by_path: dict[str, ModuleReach] = {}
    for module_reach in modules.values():
        if module_reach.path is not None:
            by_path[module_reach.path] = module_reach

    # A file that is no module here runs when an import of its module is attempted (a
    # failing import, whose reach is kept under the module's name); or it is another build of
    # a module that loads from the same folder (x.py beside x.cpython-39-...so), which another
    # runtime loads instead; or it never runs (shadowed from an earlier sys.path entry).
    for package_file in index.package.files:
        if package_file.path in by_path or package_file.cached:
            continue
        if package_file.kind not in (FileKind.SOURCE, FileKind.BYTECODE, FileKind.NATIVE):
            continue
        located = universal_module_name(package_file)
        if located is None:
            if package_file.kind is not FileKind.NATIVE:
                by_path[package_file.path] = ModuleReach("", package_file.path, default)
            continue
        module, import_root = located
        known = modules.get(module)
        entry = index.modules.get(module)
        if package_file.path in index.package.replaced:
            by_path[package_file.path] = ModuleReach(module, package_file.path, default, (), False)
        elif known is not None and (
            not known.resolved
            or (entry is not None and entry.search_root == _search_root(import_root))
        ):
            by_path[package_file.path] = replace(known, path=package_file.path)
        else:
            by_path[package_file.path] = ModuleReach(module, package_file.path, default, (), False)

    _shared_libraries(index, by_path)
    return by_path


def _search_root(import_root: str) -> str:
    """The ``sys.path`` entry of a file imported from ``import_root`` (``""``, ``python/``...)."""
    return f"{OPT}/{import_root.rstrip('/')}" if import_root else FUNCTION_ROOT


def _shared_libraries(index: ModuleIndex, by_path: dict[str, ModuleReach]) -> None:
    """Give a distribution's shared libraries the best reach of its extension modules."""
    # TODO: follow DT_NEEDED from each extension module to the libraries it really loads
    # (needs the native reader to return needed library names).
    best: dict[tuple[str | None, str], ModuleReach] = {}
    libraries: list[PackageFile] = []
    for package_file in index.package.files:
        if package_file.kind is not FileKind.NATIVE or package_file.distribution is None:
            continue
        key = (package_file.layer, package_file.distribution)
        known = by_path.get(package_file.path)
        if known is None:
            libraries.append(package_file)
        elif known.reach in _RANK:
            current = best.get(key)
            if current is None or _better(known.reach, current.reach):
                best[key] = known
    for library in libraries:
        found = best.get((library.layer, library.distribution or ""))
        if found is not None:
            by_path[library.path] = replace(found, path=library.path, resolved=False)


# --------------------------------------------------------------------------- findings


def apply_reach(
    findings: Iterable[Finding],
    reach_of_path: Mapping[str, ModuleReach],
    *,
    target_index: ModuleIndex | None = None,
) -> list[Finding]:
    """``findings`` with ``reach`` and ``import_chain`` set from the import graph.

    Use the graph of the function's source runtime (the package as it runs today).

    - Source findings: unreached module -> ``UNREACHED``; module-level code (``IMPORT``) of a
      module reached only lazily -> ``CALL``, only behind an ``ImportError`` fallback ->
      ``GUARDED``; ``CALL`` and ``GUARDED`` stay.
    - Native and bytecode findings (rule ids ``native-*``, ``pyc-*``): the reach of the module
      the file is; imported only behind a fallback -> ``GUARDED`` and ``optional``; never
      imported -> ``UNREACHED``. With ``target_index``, a file whose module loads from another
      file on the target (``x.py`` beside ``x.cpython-39-...so``) is ``UNREACHED``.
    - Folder findings (``Reach.PACKAGE``, no line, such as ``layer-path-version``): the best
      reach of the modules under the folder, ``UNREACHED`` if none is reached.
    - Without a known handler (``Reach.UNKNOWN`` in the graph): the engine's reach stays,
      and native findings are ``UNKNOWN``.
    """
    folder_paths: list[str] = []
    statements = getattr(reach_of_path, "statements", None) or {}
    return [
        _with_reach(finding, reach_of_path, folder_paths, target_index, statements)
        for finding in findings
    ]


LOADED_BY_PATH_RULES = frozenset({"native-arch-mismatch", "native-glibc-too-new"})
"""Faults of a native library that stop it loading by path as well as by import."""


def _in_a_reached_package(path: str, reach_of_path: Mapping[str, ModuleReach]) -> bool:
    """Whether a package folder holding ``path`` is imported by the handler (not lazily only
    behind a guard, nor unreached)."""
    folder = path.rpartition("/")[0]
    while folder:
        init = reach_of_path.get(f"{folder}/__init__.py")
        if init is not None and init.reach in (Reach.IMPORT, Reach.CALL):
            return True
        folder = folder.rpartition("/")[0]
    return False


def _with_reach(
    finding: Finding,
    reach_of_path: Mapping[str, ModuleReach],
    folder_paths: list[str],
    target_index: ModuleIndex | None,
    statements: Mapping[tuple[str, int], StatementReach],
) -> Finding:
    """One finding of ``apply_reach``; ``folder_paths`` is filled with the sorted paths once."""
    path = finding.location.path
    is_native = finding.rule_id.startswith(BINARY_RULE_PREFIXES)
    module_reach = reach_of_path.get(path)
    if module_reach is None:
        if finding.reach is Reach.PACKAGE and finding.location.line is None:
            if not folder_paths:
                folder_paths.extend(sorted(reach_of_path))
            return _folder_reach(finding, reach_of_path, folder_paths)
        return replace(finding, reach=Reach.UNKNOWN) if is_native else finding

    if is_native:
        if _superseded(path, module_reach, target_index):
            return replace(finding, reach=Reach.UNREACHED, import_chain=())
        if (
            module_reach.reach is Reach.UNREACHED
            and finding.rule_id in LOADED_BY_PATH_RULES
            and _in_a_reached_package(path, reach_of_path)
        ):
            # Never imported, but inside a package the handler imports: such a library is
            # opened by path (ctypes, cffi), and one built for another machine or a newer
            # glibc fails however it is opened.
            return replace(finding, reach=Reach.UNKNOWN, import_chain=())
        optional = finding.optional or module_reach.reach is Reach.GUARDED
        return replace(
            finding,
            reach=module_reach.reach,
            import_chain=module_reach.chain,
            optional=optional,
        )

    statement = statements.get((path, finding.location.line or 0))
    if (
        statement is not None
        and finding.reach in statement.replaces
        and statement.symbol in (None, finding.symbol)
    ):
        chain = statement.chain if statement.reach in _RANK else ()
        return replace(
            finding,
            reach=statement.reach,
            import_chain=chain,
            message=finding.message + statement.note,
        )
    reach = _source_reach(finding.reach, module_reach.reach)
    chain = module_reach.chain if reach in _RANK else ()
    return replace(finding, reach=reach, import_chain=chain)


def _source_reach(engine: Reach, module: Reach) -> Reach:
    if module is Reach.UNKNOWN:
        return engine
    if module is Reach.UNREACHED:
        return Reach.UNREACHED
    if engine is Reach.IMPORT:
        # TODO: a guarded import absorbs ImportError only; module-level code failing with
        # AttributeError still escapes it (needs the exception type on each finding).
        return module
    return engine


def _superseded(path: str, module_reach: ModuleReach, target_index: ModuleIndex | None) -> bool:
    if target_index is None or not module_reach.module:
        return False
    entry = target_index.resolve(module_reach.module)
    return entry is not None and entry.path is not None and entry.path != path


def _folder_reach(
    finding: Finding, reach_of_path: Mapping[str, ModuleReach], folder_paths: list[str]
) -> Finding:
    folder = finding.location.path.rstrip("/")
    prefix = "" if folder in ("", ".") else folder + "/"
    best: ModuleReach | None = None
    unknown = False
    for path in _under(folder_paths, prefix):
        module_reach = reach_of_path[path]
        if module_reach.reach is Reach.UNKNOWN:
            unknown = True
        elif module_reach.reach in _RANK and (
            best is None or _better(module_reach.reach, best.reach)
        ):
            best = module_reach
    if best is not None:
        return replace(finding, reach=best.reach, import_chain=best.chain)
    if unknown:
        return finding
    return replace(finding, reach=Reach.UNREACHED, import_chain=())


def _under(sorted_paths: list[str], prefix: str) -> Iterator[str]:
    """The paths of ``sorted_paths`` that start with ``prefix``."""
    start = bisect_left(sorted_paths, prefix)
    for path in sorted_paths[start:]:
        if not path.startswith(prefix):
            return
        yield path
