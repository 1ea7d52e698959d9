"""Source analysis of one file: decode, parse, prefilter, and one shared walk of every rule.

``ast`` (fast, in C) reads every file: its imports, the names it binds, whether it
parses at all. The libcst walk, many times dearer, runs only on files where the
catalogue's or a visitor rule's prefilter says a finding is possible, and positions
are laid out only for the statements that hold one.
"""

from __future__ import annotations

import ast
import bisect
import dataclasses
import importlib
import io
import logging
import multiprocessing
import os
import pkgutil
import re
import signal
import sys
import tempfile
import tokenize
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import libcst as cst

from analyzer.models import Category, Finding, Location, Reach, Severity, SourceAnalysis
from analyzer.rules import checks
from analyzer.rules.base import SourceFacts, SourceRule
from analyzer.rules.imports import collect_imports, collect_imports_cst
from analyzer.rules.positions import StatementTracker, top_level_lines
from analyzer.rules.stdlib import CatalogueEvidence, StdlibUsage, catalogue_evidence
from analyzer.rules.syntax import (
    GRAMMAR_SOURCE,
    GRAMMAR_TRIGGER,
    grammar_features,
    newer_syntax,
    newest_syntax_per_line,
    syntax_findings,
)
from analyzer.rules.walker import Handler, WalkContext, Walker

LOG = logging.getLogger(__name__)

MAX_SOURCE_BYTES = 8 * 1024 * 1024
"""Larger files are reported, not parsed: no real module is this big, a generated blob may be."""
MAX_SOURCE_LINES = 50_000
"""Longer files are reported, not parsed: Python's own syntax tree of a line of code takes
kilobytes, and a module written by hand is far shorter."""
MAX_PARSED_LINES = 30_000
"""Lines of code (after the bodies that cannot hold a finding are left out) beyond which a
file is reported, not walked: the syntax tree costs tens of kilobytes a line, and no module
written by hand comes near this."""
MAX_BOOLEAN_OPERANDS = 3000
"""libcst nests ``a and b and ...`` one level per operand and crashes on some thousands."""
_SYNTAX_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError)


@cache
def source_rules() -> tuple[type[SourceRule], ...]:
    """Every visitor rule in ``analyzer.rules.checks``, found without a list to edit."""
    found: list[type[SourceRule]] = []
    for module_info in sorted(pkgutil.iter_modules(checks.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{checks.__name__}.{module_info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, SourceRule)
                and value is not SourceRule
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return tuple(found)


def decode_source(data: bytes) -> str:
    """Source bytes as text, honouring a PEP 263 coding line; raises ``UnicodeDecodeError``."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise UnicodeDecodeError("utf-8", data[:1], 0, 1, str(error)) from None
    text = data.decode(encoding)
    return text.removeprefix("\ufeff")


def analyse_file(
    file: Path, path: str, *, module: str | None = None, local_modules: frozenset[str] = frozenset()
) -> SourceAnalysis:
    """Analyse the source file ``file``, reported as ``path``."""
    try:
        size = file.stat().st_size
        if size > MAX_SOURCE_BYTES:
            return _beyond_limits(path, f"is {size} bytes, over the {MAX_SOURCE_BYTES}-byte limit")
        data = file.read_bytes()
    except OSError as error:
        return _unparsed(path, f"cannot be read ({error.strerror or error})")
    try:
        text = decode_source(data)
    except (UnicodeDecodeError, LookupError) as error:
        return _unparsed(path, f"cannot be decoded ({_reason(error)})")
    return analyse_source(text, path, module=module, local_modules=local_modules)


def analyse_source(
    text: str,
    path: str,
    *,
    module: str | None = None,
    local_modules: frozenset[str] = frozenset(),
) -> SourceAnalysis:
    """Analyse one module's source text, reported as ``path``.

    ``local_modules`` are the top-level modules of the package itself: a package's own
    ``imp.py`` shadows the stdlib module, so its imports are not the stdlib's. Bad input
    (not Python 3, too big, too deep) gives one ``parse-error`` finding, never an
    exception.
    """
    if len(text) > MAX_SOURCE_BYTES:
        return _beyond_limits(path, f"is {len(text)} characters, over the {MAX_SOURCE_BYTES} limit")
    lines = text.count("\n") + 1
    if lines > MAX_SOURCE_LINES:
        return _beyond_limits(path, f"has {lines} lines, over the {MAX_SOURCE_LINES}-line limit")
    try:
        tree = ast.parse(text, filename=path)
    except _SYNTAX_ERRORS as error:
        return _analyse_unparsable(text, path, module, local_modules, error)
    imports, top_level_names = collect_imports(tree)
    facts = SourceFacts(text, imports, local_modules, tree)
    rules = [rule for rule in source_rules() if rule.triggered(facts)]
    evidence = catalogue_evidence(facts)
    findings: list[Finding] = []
    if rules or evidence.kinds:
        if _too_complex(text, tree):
            return _beyond_limits(path, "holds an expression too long to analyse")
        keep = _candidate_lines(facts, rules, evidence)
        try:
            walked = _walk(text, path, module, local_modules, rules, evidence, tree.body, keep)
        except _TooManyLines as error:
            return _beyond_limits(
                path,
                f"has {error.lines} lines of code to analyse, over the {MAX_PARSED_LINES} limit",
            )
        except (RecursionError, MemoryError):
            return _beyond_limits(path, "is nested too deeply to analyse")
        except cst.ParserSyntaxError as error:
            # Valid Python that the syntax-tree library cannot read: the imports stand,
            # the API checks could not be made.
            LOG.debug("libcst cannot parse %s: %s", path, error)
            walked = [
                _parse_error(
                    path,
                    "could not be read by the syntax-tree library; its API uses were not checked",
                    error.raw_line,
                )
            ]
        findings.extend(walked)
    # After the rules' findings, so that a construct both report keeps the rule's.
    findings.extend(syntax_findings(newer_syntax(text, path, tree), path))
    if sys.version_info >= _GRAMMAR_RUNNING and _NEWER_GRAMMAR.search(text):
        findings = _with_newer_grammar(text, path, findings)
    return SourceAnalysis(
        path=path,
        findings=tuple(_dedupe(findings)),
        imports=imports,
        top_level_names=top_level_names,
    )


_GRAMMAR_RUNNING = (3, 12)
"""From this interpreter on, a file may compile here although it uses grammar (PEP 701
f-string fields, PEP 696 defaults) that older targets cannot parse; before it, such a file
fails to compile and ``_analyse_unparsable`` explains why."""
_NEWER_GRAMMAR = re.compile(
    r"""[fF][rR]?(?:'{3}|"{3}|'|")[^\n]*\{[^}\n]*(?:\#|$)"""
    r"""|^[ \t]*(?:def|class|type)[ \t]+\w+[ \t]*\[[^\]\n]*=""",
    re.MULTILINE,
)
"""Where such grammar can be: an f-string field holding a # or running to the end of its
line, a type parameter list holding an =."""


def _with_newer_grammar(text: str, path: str, findings: list[Finding]) -> list[Finding]:
    """``findings`` with the grammar newer than 3.11 that this interpreter compiled quietly."""
    try:
        parsed = cst.parse_module(text)
        features = grammar_features(parsed, running=(3, 11))
    except (cst.ParserSyntaxError, RecursionError, MemoryError):
        return findings
    if not features:
        return findings
    return newest_syntax_per_line([*findings, *syntax_findings(features, path, GRAMMAR_SOURCE)])


def _analyse_unparsable(
    text: str,
    path: str,
    module: str | None,
    local_modules: frozenset[str],
    error: BaseException,
) -> SourceAnalysis:
    """A file this interpreter cannot parse: newer syntax, or not Python 3 at all.

    When the syntax-tree library (which knows every grammar up to the newest Python)
    parses it and a newer-syntax rule explains why, the file is analysed like any other;
    otherwise it is one ``parse-error``.
    """
    reason, line = _syntax_reason(error)
    facts = SourceFacts(text, ())
    syntax_rules = [
        rule
        for rule in source_rules()
        if rule.CATEGORY is Category.NEEDS_NEWER_SYNTAX and rule.triggered(facts)
    ]
    grammar = GRAMMAR_TRIGGER.search(text) is not None
    if not (syntax_rules or grammar) or _boolean_operands(text) > MAX_BOOLEAN_OPERANDS:
        return _unparsed(path, reason, line)
    try:
        parsed = cst.parse_module(text)
        imports, top_level_names = collect_imports_cst(parsed)
        facts = SourceFacts(text, imports, local_modules)
        rules = [rule for rule in source_rules() if rule.triggered(facts)]
        findings = _walk_module(
            parsed, path, module, local_modules, rules, catalogue_evidence(facts), None, None
        )
        if grammar:
            # Constructs no rule reads (a comment in an f-string's field, a type parameter
            # default): on each line the one needing the newest version stands.
            features = grammar_features(parsed)
            findings = newest_syntax_per_line(
                [*findings, *syntax_findings(features, path, GRAMMAR_SOURCE)]
            )
    except (cst.ParserSyntaxError, RecursionError, MemoryError):
        return _unparsed(path, reason, line)
    if not any(finding.category is Category.NEEDS_NEWER_SYNTAX for finding in findings):
        return _unparsed(path, reason, line)
    return SourceAnalysis(
        path=path,
        findings=tuple(_dedupe(findings)),
        imports=imports,
        top_level_names=top_level_names,
    )


def _syntax_reason(error: BaseException) -> tuple[str, int | None]:
    if isinstance(error, SyntaxError):
        return f"is not valid Python 3 ({error.msg})", error.lineno
    if isinstance(error, RecursionError | MemoryError):
        return "is nested too deeply to parse", None
    if isinstance(error, ValueError) and "null bytes" in str(error):
        return "is not valid Python 3 (it contains null bytes)", None
    return f"cannot be parsed ({error})", None


def _boolean_operands(text: str) -> int:
    return text.count(" and ") + text.count(" or ")


def _too_complex(text: str, tree: ast.Module) -> bool:
    """Whether the file holds a boolean expression too long for the syntax-tree library."""
    if _boolean_operands(text) <= MAX_BOOLEAN_OPERANDS:
        return False
    return any(
        isinstance(node, ast.BoolOp) and len(node.values) > MAX_BOOLEAN_OPERANDS
        for node in ast.walk(tree)
    )


def _candidate_lines(
    facts: SourceFacts, rules: Sequence[type[SourceRule]], evidence: CatalogueEvidence
) -> set[int] | None:
    """The lines where a finding may be; ``None`` when a rule may report anywhere."""
    if any(not rule.LOCAL for rule in rules):
        return None
    lines: set[int] = set(evidence.lines)
    for rule in rules:
        lines |= rule.candidate_lines(facts)
    return lines


def _walk(
    text: str,
    path: str,
    module: str | None,
    local_modules: frozenset[str],
    rules: Sequence[type[SourceRule]],
    evidence: CatalogueEvidence,
    body: Sequence[ast.stmt],
    keep: set[int] | None,
) -> list[Finding]:
    text_lines = source_lines(text)
    reduced = reduce_functions(text_lines, body, keep) if keep is not None else None
    walked_text = text if reduced is None else reduced
    lines = sum(1 for line in source_lines(walked_text) if line.strip())
    if lines > MAX_PARSED_LINES:
        raise _TooManyLines(lines)
    parsed: cst.Module | None = None
    if reduced is not None:
        try:
            parsed = cst.parse_module(reduced)
        except cst.ParserSyntaxError:  # pragma: no cover - blanking keeps valid syntax
            LOG.debug("the reduced text of %s does not parse; parsing all of it", path)
    if parsed is None:
        parsed = cst.parse_module(text)
    return _walk_module(
        parsed,
        path,
        module,
        local_modules,
        rules,
        evidence,
        body,
        [line.rstrip("\r\n") for line in text_lines],
    )


class _TooManyLines(Exception):
    def __init__(self, lines: int) -> None:
        super().__init__(lines)
        self.lines = lines


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
MIN_REDUCTION = 0.05
"""Below this share of lines left out, parsing the reduced text is not worth preparing."""


def source_lines(text: str) -> list[str]:
    """The lines of a source text with their ends, split where Python splits them."""
    return _LINE.findall(text)


def reduce_functions(lines: Sequence[str], body: Sequence[ast.stmt], keep: set[int]) -> str | None:
    """The text with the body of every function (and unnamed class) that holds no
    ``keep`` line replaced by ``pass`` and empty lines, so that every kept line keeps
    its number and columns.

    ``None`` when too little would be left out to be worth it.
    """
    kept = sorted(keep)
    blanks: list[tuple[int, int]] = []
    _blank_bodies(body, lines, "".join(lines), kept, blanks)
    removed = sum(last - first for first, last in blanks)
    if removed < MIN_REDUCTION * len(lines):
        return None
    reduced = list(lines)
    for first, last in blanks:
        line = lines[first - 1]
        indent = line[: len(line) - len(line.lstrip(" \t\f"))]
        reduced[first - 1] = indent + "pass" + _ending(line)
        for number in range(first + 1, last + 1):
            reduced[number - 1] = _ending(lines[number - 1])
    return "".join(reduced)


def _first_line(statement: ast.stmt) -> int:
    """The line a statement starts on: its first decorator's, for a decorated definition."""
    decorators: list[ast.expr] = getattr(statement, "decorator_list", None) or []
    return min([statement.lineno, *(decorator.lineno for decorator in decorators)])


def _starts_its_line(statement: ast.stmt, number: int, lines: Sequence[str]) -> bool:
    """Whether nothing but indentation precedes the statement on its first line."""
    if number > len(lines):
        return False
    line = lines[number - 1]
    indentation = len(line) - len(line.lstrip(" \t\f"))
    if getattr(statement, "decorator_list", None) and number != statement.lineno:
        return line[indentation:].startswith("@")
    return statement.col_offset == indentation


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :] or "\n"


def _blank_bodies(
    statements: Sequence[ast.stmt],
    lines: Sequence[str],
    text: str,
    kept: Sequence[int],
    blanks: list[tuple[int, int]],
) -> None:
    """Collect the bodies to leave out: functions without a kept line, and classes
    without one that nothing outside them names (their members cannot matter)."""
    for statement in statements:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            start = _first_line(statement)
            end = statement.end_lineno or statement.lineno
            index = bisect.bisect_left(kept, start)
            if index < len(kept) and kept[index] <= end:
                if isinstance(statement, ast.ClassDef):
                    _blank_bodies(statement.body, lines, text, kept, blanks)
                continue
            if not isinstance(statement, ast.ClassDef) and _sets_instance_attributes(statement):
                # What a method stores on self types that attribute in the other methods.
                continue
            if isinstance(statement, ast.ClassDef) and _named_elsewhere(
                statement.name, text, lines, start, end
            ):
                _blank_bodies(statement.body, lines, text, kept, blanks)
                continue
            first_line = _first_line(statement.body[0])
            # Only a body that starts a line of its own (not after "def f(): ").
            if first_line > statement.lineno and _starts_its_line(
                statement.body[0], first_line, lines
            ):
                blanks.append((first_line, end))
        elif isinstance(statement, ast.If | ast.For | ast.AsyncFor | ast.While):
            _blank_bodies(statement.body, lines, text, kept, blanks)
            _blank_bodies(statement.orelse, lines, text, kept, blanks)
        elif isinstance(statement, ast.With | ast.AsyncWith):
            _blank_bodies(statement.body, lines, text, kept, blanks)
        elif isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
            for block in (
                statement.body,  # type: ignore[attr-defined]
                *(handler.body for handler in statement.handlers),  # type: ignore[attr-defined]
                statement.orelse,  # type: ignore[attr-defined]
                statement.finalbody,  # type: ignore[attr-defined]
            ):
                _blank_bodies(block, lines, text, kept, blanks)


def _sets_instance_attributes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a function assigns a call's result to an attribute of its first parameter
    (``self.parser = configparser.ConfigParser()``)."""
    arguments = [*function.args.posonlyargs, *function.args.args]
    if not arguments:
        return False
    owner = arguments[0].arg
    return any(
        isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and any(
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == owner
            for target in node.targets
        )
        for node in ast.walk(function)
    )


def _named_elsewhere(name: str, text: str, lines: Sequence[str], start: int, end: int) -> bool:
    """Whether ``name`` appears outside lines ``start``..``end`` (as any substring)."""
    inside = "".join(lines[start - 1 : end]).count(name)
    return text.count(name) > inside


def _walk_module(
    parsed: cst.Module,
    path: str,
    module: str | None,
    local_modules: frozenset[str],
    rules: Sequence[type[SourceRule]],
    evidence: CatalogueEvidence,
    body: Sequence[ast.stmt] | None,
    text_lines: Sequence[str] | None,
) -> list[Finding]:
    context = WalkContext(
        path=path, module=module, local_modules=local_modules, tracker=StatementTracker(body)
    )
    instances: list[object] = [rule(context) for rule in rules]
    if evidence.kinds:
        instances.append(StdlibUsage(context))
    wanted = StdlibUsage.handlers_for(evidence.kinds)
    handlers: dict[type[cst.CSTNode], list[Handler]] = {}
    leave_handlers: dict[type[cst.CSTNode], list[Handler]] = {}
    for instance in instances:
        for attribute in dir(instance):
            if isinstance(instance, StdlibUsage) and attribute not in wanted:
                continue
            prefix, _, node_name = attribute.partition("_")
            node_type = getattr(cst, node_name, None) if node_name else None
            if not (isinstance(node_type, type) and issubclass(node_type, cst.CSTNode)):
                continue
            if prefix == "visit":
                handlers.setdefault(node_type, []).append(getattr(instance, attribute))
            elif prefix == "leave":
                leave_handlers.setdefault(node_type, []).append(getattr(instance, attribute))
    Walker(context, handlers, leave_handlers).walk(parsed)
    top_lines = top_level_lines(parsed, body) if body is not None else None
    return context.findings(parsed, text_lines, top_lines)


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per rule, symbol and position; one newer-syntax finding per line."""
    seen: set[tuple[object, ...]] = set()
    unique = []
    for finding in findings:
        if finding.category is Category.NEEDS_NEWER_SYNTAX:
            key: tuple[object, ...] = (finding.rule_id, finding.location.line)
        else:
            key = (finding.rule_id, finding.symbol, finding.location.line, finding.location.column)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


def _unparsed(path: str, reason: str, line: int | None = None) -> SourceAnalysis:
    finding = _parse_error(path, f"{reason}; it was not analysed", line)
    return SourceAnalysis(path=path, findings=(finding,), parse_error=reason)


def _beyond_limits(path: str, reason: str) -> SourceAnalysis:
    """A file left unanalysed for its size or shape, not for a fault Python would also find:
    it is rated **low** wherever it is, work to check by hand rather than a break."""
    finding = dataclasses.replace(
        _parse_error(path, f"{reason}; it was not analysed", None),
        fix="check this file by hand: it is beyond what the analysis reads (size, length or "
        "nesting); a generated module is usually safe to leave as it is",
        severity=Severity.LOW,
    )
    return SourceAnalysis(path=path, findings=(finding,), parse_error=reason)


def _parse_error(path: str, message: str, line: int | None) -> Finding:
    return Finding(
        rule_id="parse-error",
        category=Category.SOURCE,
        message=f"{path} {message}",
        location=Location(path, line),
        fix="fix or remove the file; if the function imports it, it fails on every runtime",
        reach=Reach.UNKNOWN,
    )


def _reason(error: Exception) -> str:
    if isinstance(error, UnicodeDecodeError):
        return f"{error.encoding}: {error.reason} at byte {error.start}"
    return str(error)


# Many files


@dataclass(frozen=True)
class SourceJob:
    """One file to analyse, with what the analysis needs to know of its package."""

    file: Path
    path: str
    module: str | None = None
    local_modules: frozenset[str] = frozenset()


def _run_job(job: SourceJob) -> SourceAnalysis:
    return analyse_file(job.file, job.path, module=job.module, local_modules=job.local_modules)


def _run_batch(jobs: Sequence[SourceJob]) -> list[SourceAnalysis]:
    return [_run_job(job) for job in jobs]


MIN_JOBS_FOR_POOL = 16
"""Below this many files, starting worker processes costs more than it saves."""


def analyse_files(jobs: Sequence[SourceJob], *, workers: int | None = None) -> list[SourceAnalysis]:
    """Analyse many files, on every core when there are enough of them; order is kept.

    Files are handed out largest first in batches of similar size, so that every worker
    stays busy until the end. A file that crashes the parser's process (hostile input
    can) is reported as a ``parse-error`` and the rest is analysed again.
    """
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(jobs) < MIN_JOBS_FOR_POOL:
        return _run_batch(jobs)
    sizes = [_size(job.file) for job in jobs]
    order = sorted(range(len(jobs)), key=lambda index: -sizes[index])
    results: dict[int, SourceAnalysis] = {}
    with tempfile.TemporaryDirectory(
        prefix="analyzer-workers-", ignore_cleanup_errors=True
    ) as markers:
        remaining = order
        while remaining:
            batches = _batches(remaining, sizes, workers)
            lost = _run_in_pool(jobs, batches, workers, results, markers)
            suspects = _suspects(markers, lost)
            for index in suspects:
                results[index] = _run_alone(jobs[index])
            remaining = [index for index in lost if index not in suspects]
    return [results[index] for index in range(len(jobs))]


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except OSError:
        return 0


def _batches(order: Sequence[int], sizes: Sequence[int], workers: int) -> list[list[int]]:
    """Consecutive runs of ``order`` holding about 1/(16 * workers) of the bytes each."""
    target = max(1, sum(sizes[index] for index in order) // (workers * 16))
    batches: list[list[int]] = []
    current: list[int] = []
    current_size = 0
    for index in order:
        current.append(index)
        current_size += sizes[index]
        if current_size >= target:
            batches.append(current)
            current, current_size = [], 0
    if current:
        batches.append(current)
    return batches


_MARKERS: str | None = None
"""In a worker: the folder where it notes the file it is analysing, in case it crashes."""


def _start_worker(markers: str) -> None:
    global _MARKERS
    _MARKERS = markers
    # Ctrl-C reaches the whole process group: the parent stops the workers, which must not
    # each take it as one failed file and carry on with the queue.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_marked(indexed_jobs: Sequence[tuple[int, SourceJob]]) -> list[SourceAnalysis]:
    analyses = []
    marker = Path(_MARKERS, str(os.getpid())) if _MARKERS is not None else None
    for index, job in indexed_jobs:
        if marker is not None:
            marker.write_text(str(index))
        analyses.append(_run_job(job))
    return analyses


def _run_in_pool(
    jobs: Sequence[SourceJob],
    batches: Sequence[list[int]],
    workers: int,
    results: dict[int, SourceAnalysis],
    markers: str,
) -> list[int]:
    """Run ``batches`` on a process pool; the files a crashed worker lost are returned."""
    lost: list[int] = []
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_pool_context(),
        initializer=_start_worker,
        initargs=(markers,),
    )
    try:
        futures: list[tuple[list[int], Future[list[SourceAnalysis]]]] = [
            (batch, pool.submit(_run_marked, [(index, jobs[index]) for index in batch]))
            for batch in batches
        ]
        for batch, future in futures:
            try:
                analyses = future.result()
            except BrokenProcessPool:
                lost.extend(batch)
                continue
            for index, analysis in zip(batch, analyses, strict=True):
                results[index] = analysis
    except BaseException:
        # An interrupt (or any failure) stops the work now, not after the queue is drained.
        _stop_pool(pool)
        raise
    pool.shutdown(wait=True)
    return lost


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers at once, then let the pool close."""
    pool.shutdown(wait=False, cancel_futures=True)
    # The executor keeps its worker processes in a private mapping and offers no way to end
    # them; shutdown(wait=False) alone lets each finish the file it holds. The mapping is read
    # after the shutdown too: a worker may have been starting when the interrupt came.
    workers = list((getattr(pool, "_processes", None) or {}).values())
    for process in workers:
        if process.is_alive():
            process.terminate()
    for process in workers:
        process.join(timeout=5)
    # Every worker is gone, so the pool's own thread sees them end and closes without waiting
    # for more work; the interpreter's exit then has nothing left to wait on.
    pool.shutdown(wait=True)


def _pool_context() -> multiprocessing.context.BaseContext:
    """Workers started by a fork server: forking a process that runs threads (downloads,
    progress bars) can copy a held lock into the child and stall it."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # The server imports these once; every worker forks from it with them loaded.
        # (No effect once the server runs: whoever starts it first chooses.)
        context.set_forkserver_preload(list(WORKER_PRELOAD))
        return context
    return multiprocessing.get_context("spawn")


WORKER_PRELOAD = (
    "analyzer.rules.engine",
    "analyzer.rules.catalogue.generated",
    "analyzer.rules.catalogue.curated",
)
"""Modules a worker needs, for the fork server to import before it forks any."""


def _suspects(markers: str, lost: Sequence[int]) -> set[int]:
    """The files the workers were analysing when the pool broke (one crashed it)."""
    if not lost:
        return set()
    noted = set()
    for marker in Path(markers).iterdir():
        try:
            noted.add(int(marker.read_text()))
        except (OSError, ValueError):
            continue
        marker.unlink(missing_ok=True)
    suspects = noted & set(lost)
    # Without a note (a crash before the first file), every lost file is analysed alone.
    return suspects or set(lost)


def _run_alone(job: SourceJob) -> SourceAnalysis:
    """Analyse one file in a process of its own, so that a crash only loses that file."""
    with ProcessPoolExecutor(max_workers=1, mp_context=_pool_context()) as pool:
        try:
            return pool.submit(_run_job, job).result()
        except BrokenProcessPool:
            LOG.warning("the parser crashed on %s", job.path)
            return _beyond_limits(job.path, "crashed the parser's process")
