"""What the formats read by people share: ordering, counts, folding and the wording of findings."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analyzer.models import (
    Finding,
    FunctionReport,
    Reach,
    ScoreBreakdown,
    Severity,
    Verdict,
    format_version,
)

FOLD_AT = 3
"""Findings of one rule and symbol in one component fold into one entry from this many on."""
LOCATIONS_SHOWN = 4
"""Locations listed for a folded entry before the rest are counted."""

# Control, format (bidirectional overrides), line and paragraph separators, lone surrogates.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})

_REACH_TEXT: dict[Reach, str] = {
    Reach.IMPORT: "runs at import",
    Reach.CALL: "runs when called",
    Reach.UNREACHED: "not imported from the handler",
    Reach.GUARDED: "guarded by a fallback or a version check",
}


def printable(text: str) -> str:
    """``text`` on one line, control and bidirectional characters shown as escapes.

    Paths and messages come from the analysed package: an ANSI sequence or a right-to-left
    override in a file name must not restyle a terminal or hide text from the reader, and a
    byte that is not UTF-8 (a lone surrogate) must not stop the text from being written.
    """
    if all(unicodedata.category(char) not in _UNSAFE_CATEGORIES for char in text):
        return text
    return "".join(
        char.encode("unicode_escape").decode("ascii")
        if unicodedata.category(char) in _UNSAFE_CATEGORIES
        else char
        for char in text
    )


def severity_label(severity: Severity | None) -> str:
    """The name of a severity, ``unrated`` for a finding that was not judged."""
    return severity.value if severity is not None else "unrated"


@dataclass(frozen=True)
class Entry:
    """One finding, or several of one rule and symbol in one component folded together."""

    findings: tuple[Finding, ...]

    @property
    def first(self) -> Finding:
        """The first finding in report order, which stands for the others."""
        return self.findings[0]

    @property
    def folded(self) -> bool:
        """Whether the entry stands for more than one finding."""
        return len(self.findings) > 1

    @property
    def files(self) -> tuple[str, ...]:
        """The distinct files of the findings, in report order."""
        return tuple(dict.fromkeys(finding.location.path for finding in self.findings))

    @property
    def chained(self) -> Finding:
        """The finding with the shortest import chain from the handler, else the first."""
        with_chain = [finding for finding in self.findings if finding.import_chain]
        if not with_chain:
            return self.first
        return min(with_chain, key=lambda finding: len(finding.import_chain))


@dataclass(frozen=True)
class SeverityGroup:
    """The findings of one severity, as entries."""

    severity: Severity | None
    entries: tuple[Entry, ...]

    @property
    def count(self) -> int:
        """How many findings the group holds."""
        return sum(len(entry.findings) for entry in self.entries)


def _fold_key(finding: Finding) -> tuple[str, str, str, str]:
    return (
        finding.rule_id,
        finding.component.key,
        finding.symbol or finding.message,
        finding.fix,
    )


def fold(findings: Sequence[Finding]) -> tuple[Entry, ...]:
    """Entries for ``findings`` (already in report order), folding repeated ones.

    Findings that share rule, component, symbol (or message) and fix fold into one entry
    placed where the first of them is, once there are ``FOLD_AT`` of them: a vendored
    library using one removed alias in forty places is one thing to fix.
    """
    members: dict[tuple[str, str, str, str], list[Finding]] = {}
    for finding in findings:
        members.setdefault(_fold_key(finding), []).append(finding)

    entries: list[Entry] = []
    placed: set[tuple[str, str, str, str]] = set()
    for finding in findings:
        key = _fold_key(finding)
        if len(members[key]) < FOLD_AT:
            entries.append(Entry((finding,)))
        elif key not in placed:
            placed.add(key)
            entries.append(Entry(tuple(members[key])))
    return tuple(entries)


def severity_groups(findings: Iterable[Finding]) -> tuple[SeverityGroup, ...]:
    """Findings grouped by severity, worst first, each group in location order and folded."""
    ordered = sorted(findings, key=lambda finding: finding.sort_key)
    groups: dict[Severity | None, list[Finding]] = {}
    for finding in ordered:
        groups.setdefault(finding.severity, []).append(finding)
    return tuple(SeverityGroup(severity, fold(members)) for severity, members in groups.items())


def severity_counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    """How many findings have each severity, every severity present (unrated ones left out)."""
    counts = dict.fromkeys(Severity, 0)
    for finding in findings:
        if finding.severity is not None:
            counts[finding.severity] += 1
    return counts


def verdict_text(report: FunctionReport) -> str:
    """``75/100 blocked``, or ``not analysed`` when the code could not be read."""
    if report.verdict is Verdict.NOT_ANALYSED:
        return "not analysed"
    return f"{report.score}/100 {report.verdict.value}"


def current_runtime_text(report: FunctionReport) -> str:
    """The runtime the function is on: ``image`` for a container image, whose runtime is
    inside the image."""
    function = report.function
    return "image" if function.package_type == "Image" else printable(function.source_runtime)


def counts_text(report: FunctionReport) -> str:
    """``2 blocker, 0 high, 1 medium, 0 low, 3 info``."""
    counts = severity_counts(report.findings)
    return ", ".join(f"{count} {severity.value}" for severity, count in counts.items())


def breakdown_text(breakdown: ScoreBreakdown) -> str:
    """``base 100, blocker -50 (2), low -3 (3)``: the deductions that made the score.

    Deductions are points taken off the base; severities come worst first, any other key
    after them in the order given.
    """
    order = {severity.value: severity.rank for severity in Severity}
    keys = sorted(breakdown.deductions, key=lambda key: order.get(key, len(order)))
    parts = [f"base {breakdown.base}"]
    for key in keys:
        points = breakdown.deductions[key]
        if points == 0:
            continue
        count = breakdown.counts.get(key)
        suffix = f" ({count})" if count is not None else ""
        parts.append(f"{printable(key)} -{points}{suffix}")
    return ", ".join(parts)


def version_claim(finding: Finding) -> str:
    """On which versions the finding matters: ``deprecated in 3.10, breaks in 3.12``."""
    parts: list[str] = []
    if finding.deprecated_in is not None:
        parts.append(f"deprecated in {format_version(finding.deprecated_in)}")
    if finding.breaks_in is not None:
        parts.append(f"breaks in {format_version(finding.breaks_in)}")
    if finding.requires is not None:
        parts.append(f"needs {format_version(finding.requires)}")
    if finding.broken_on is not None:
        parts.append("broken on " + ", ".join(printable(name) for name in finding.broken_on))
    return ", ".join(parts)


def reach_text(finding: Finding) -> str:
    """When the code runs, with the import chain from the handler when there is one."""
    text = _REACH_TEXT.get(finding.reach, "")
    if not finding.import_chain:
        return text
    chain = " -> ".join(printable(module) for module in finding.import_chain)
    return f"{text or 'imported'}: {chain}"


def fix_text(finding: Finding) -> str:
    """The fix hint, marked when it is a mechanical rewrite."""
    suffix = " (mechanical)" if finding.mechanical else ""
    return printable(finding.fix) + suffix


def location_text(finding: Finding) -> str:
    """``path:line``, or the path alone for a finding on a whole file."""
    path = printable(finding.location.path)
    return path if finding.location.line is None else f"{path}:{finding.location.line}"


def folded_locations(entry: Entry) -> str:
    """The first few locations of a folded entry, then how many more there are."""
    shown = [location_text(finding) for finding in entry.findings[:LOCATIONS_SHOWN]]
    rest = len(entry.findings) - len(shown)
    text = ", ".join(shown)
    return f"{text} and {rest} more" if rest else text


def folded_subject(entry: Entry) -> str:
    """``collections.Mapping in 6 places in 4 files of vendored attrdict 2.0.1``."""
    first = entry.first
    places = len(entry.findings)
    files = len(entry.files)
    what = printable(first.symbol) + " in " if first.symbol else ""
    file_word = "file" if files == 1 else "files"
    return f"{what}{places} places in {files} {file_word} of {printable(str(first.component))}"


def function_context(report: FunctionReport) -> str:
    """Handler, architecture, layers and command-line overrides of the report's function."""
    function = report.function
    parts = [f"handler {printable(function.handler) if function.handler else 'unknown'}"]
    parts.append(printable(function.architecture))
    if function.layers:
        parts.append("layers: " + ", ".join(printable(layer.name) for layer in function.layers))
    if function.overrides:
        parts.append("given on the command line: " + ", ".join(map(printable, function.overrides)))
    return " · ".join(parts)


def files_text(report: FunctionReport) -> str:
    """``14 files analysed``, and how many analysis errors left parts unread."""
    text = f"{report.files_analysed} {'file' if report.files_analysed == 1 else 'files'} analysed"
    errors = len(report.errors)
    if errors:
        text += f", {errors} analysis {'error' if errors == 1 else 'errors'}"
    return text


def by_function(reports: Sequence[FunctionReport]) -> tuple[tuple[FunctionReport, ...], ...]:
    """Reports grouped by function (name and ARN), in order of first appearance."""
    groups: dict[tuple[str, str | None], list[FunctionReport]] = {}
    for report in reports:
        groups.setdefault((report.function.name, report.function.arn), []).append(report)
    return tuple(tuple(group) for group in groups.values())


def is_matrix(reports: Sequence[FunctionReport]) -> bool:
    """Whether some function is reported for more than one target."""
    return any(len({report.target.name for report in group}) > 1 for group in by_function(reports))


def matrix_targets(reports: Sequence[FunctionReport]) -> tuple[str, ...]:
    """The target runtimes of ``reports``, oldest Python first."""
    targets = {report.target.name: report.target.python for report in reports}
    return tuple(sorted(targets, key=lambda name: (targets[name], name)))


def matrix_cell(group: Sequence[FunctionReport], target: str) -> FunctionReport | None:
    """The report of one function for ``target`` (the last one given), if there is one."""
    matching = [report for report in group if report.target.name == target]
    return matching[-1] if matching else None
