"""Source analysis of one file: decode, parse, prefilter, and one shared walk of every rule."""

from __future__ import annotations

import ast
import importlib
import io
import logging
import pkgutil
import re
import tokenize
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from analyzer.models import Category, Finding, Location, Reach, SourceAnalysis
from analyzer.rules import checks
from analyzer.rules.base import SourceRule
from analyzer.rules.imports import collect_imports
from analyzer.rules.stdlib import StdlibUsage, may_use_catalogue
from analyzer.rules.syntax import newer_syntax, syntax_findings
from analyzer.rules.walker import Handler, WalkContext, Walker

LOG = logging.getLogger(__name__)

MAX_SOURCE_BYTES = 8 * 1024 * 1024
"""Larger files are reported, not parsed: no real module is this big, a generated blob may be."""
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


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
            return _unparsed(path, f"{size} bytes, over the {MAX_SOURCE_BYTES}-byte limit")
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
    ``imp.py`` shadows the stdlib module, so its imports are not the stdlib's.
    """
    if len(text) > MAX_SOURCE_BYTES:
        return _unparsed(path, f"{len(text)} characters, over the {MAX_SOURCE_BYTES} limit")
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as error:
        return _unparsed(path, f"is not valid Python 3 ({error.msg})", error.lineno)
    except (RecursionError, MemoryError):
        return _unparsed(path, "is nested too deeply to parse")
    except ValueError as error:
        return _unparsed(path, f"cannot be parsed ({error})")
    imports, top_level_names = collect_imports(tree)
    findings = syntax_findings(newer_syntax(text, path), path)
    imported = frozenset(
        record.module.partition(".")[0]
        for record in imports
        if record.level == 0 and record.module.partition(".")[0] not in local_modules
    )
    words = frozenset(_WORD.findall(text))
    rules = [rule for rule in source_rules() if rule.TRIGGER.search(text)]
    use_catalogue = may_use_catalogue(imported, words)
    if rules or use_catalogue:
        try:
            findings.extend(_walk(text, path, module, local_modules, rules, use_catalogue))
        except (RecursionError, MemoryError):
            return _unparsed(path, "is nested too deeply to analyse")
        except cst.ParserSyntaxError as error:
            LOG.debug("libcst cannot parse %s: %s", path, error)
            return _unparsed(path, "cannot be parsed by the syntax-tree library", error.raw_line)
    return SourceAnalysis(
        path=path,
        findings=tuple(_dedupe(findings)),
        imports=imports,
        top_level_names=top_level_names,
    )


def _walk(
    text: str,
    path: str,
    module: str | None,
    local_modules: frozenset[str],
    rules: Sequence[type[SourceRule]],
    use_catalogue: bool,
) -> list[Finding]:
    tree = cst.parse_module(text)
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    context = WalkContext(
        path=path, module=module, local_modules=local_modules, positions=positions
    )
    instances: list[object] = [rule(context) for rule in rules]
    if use_catalogue:
        instances.append(StdlibUsage(context))
    handlers: dict[str, list[Handler]] = {}
    leave_handlers: dict[str, list[Handler]] = {}
    for instance in instances:
        for attribute in dir(instance):
            prefix, _, node_type = attribute.partition("_")
            if prefix == "visit" and node_type:
                handlers.setdefault(node_type, []).append(getattr(instance, attribute))
            elif prefix == "leave" and node_type:
                leave_handlers.setdefault(node_type, []).append(getattr(instance, attribute))
    tree.visit(Walker(context, handlers, leave_handlers))
    return context.findings


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[tuple[object, ...]] = set()
    unique = []
    for finding in findings:
        key = (finding.rule_id, finding.symbol, finding.location.line, finding.location.column)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


def _unparsed(path: str, reason: str, line: int | None = None) -> SourceAnalysis:
    finding = Finding(
        rule_id="parse-error",
        category=Category.SOURCE,
        message=f"{path} {reason}; it was not analysed",
        location=Location(path, line),
        fix="fix or remove the file; if the function imports it, it fails on every runtime",
        reach=Reach.UNKNOWN,
    )
    return SourceAnalysis(path=path, findings=(finding,), parse_error=reason)


def _reason(error: Exception) -> str:
    if isinstance(error, UnicodeDecodeError):
        return f"{error.encoding}: {error.reason} at byte {error.start}"
    return str(error)


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


def analyse_files(jobs: Sequence[SourceJob], *, workers: int | None = None) -> list[SourceAnalysis]:
    """Analyse many files, on every core when there are enough of them; order is kept."""
    import os

    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(jobs) < 64:
        return _run_batch(jobs)
    chunk = max(16, len(jobs) // (workers * 8))
    batches = [jobs[start : start + chunk] for start in range(0, len(jobs), chunk)]
    results: list[SourceAnalysis] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for batch_result in pool.map(_run_batch, batches):
            results.extend(batch_result)
    return results
