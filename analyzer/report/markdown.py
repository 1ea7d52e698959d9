"""The Markdown report (GitHub-flavoured), fit for a pull-request comment."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from analyzer.models import DependencyRow, Finding, FunctionReport, Severity, Verdict
from analyzer.report import presentation as p
from analyzer.report.interface import DEFAULT_OPTIONS, RenderOptions

# Characters that start inline markup somewhere in a line (GitHub renders `$` as math).
_MARKUP = re.compile(r"([\\`*_\[\]<|~&$])")
_BACKTICKS = re.compile(r"`+")
_SAFE_LINK = re.compile(r"^https?://[^\s<>|\\`]+$")


def render(reports: Sequence[FunctionReport], *, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    """``reports`` as GitHub-flavoured Markdown, ending with a newline."""
    blocks: list[str] = []
    if not reports:
        blocks.append("No functions analysed.")
    if p.is_matrix(reports):
        blocks += ["## Readiness by target", _matrix(reports)]
    for report in reports:
        blocks += _report_blocks(report)
    return "\n\n".join(blocks) + "\n"


def text(value: str) -> str:
    """``value`` as Markdown text that shows literally, inside a table cell too."""
    return _MARKUP.sub(r"\\\1", p.printable(value))


def code(value: str, *, in_table: bool = False) -> str:
    """``value`` as a code span; pipes escaped when it sits in a table cell."""
    value = p.printable(value)
    longest = max((len(run) for run in _BACKTICKS.findall(value)), default=0)
    fence = "`" * (longest + 1)
    if value.startswith(("`", " ")) or value.endswith(("`", " ")):
        value = f" {value} "
    if in_table:
        value = value.replace("|", "\\|")
    return f"{fence}{value}{fence}"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], align: str = "---") -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(align for _ in header) + " |",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _matrix(reports: Sequence[FunctionReport]) -> str:
    targets = p.matrix_targets(reports)
    rows: list[list[str]] = []
    for group in p.by_function(reports):
        row = [text(group[0].function.name)]
        for target in targets:
            report = p.matrix_cell(group, target)
            row.append("-" if report is None else _matrix_cell(report))
        rows.append(row)
    return _table(["function", *targets], rows)


def _matrix_cell(report: FunctionReport) -> str:
    if report.verdict is Verdict.NOT_ANALYSED:
        return "**not analysed**"
    return f"**{report.verdict.value}** {report.score}"


def _report_blocks(report: FunctionReport) -> list[str]:
    function = report.function
    blocks = [
        f"## {text(function.name)}: {text(p.current_runtime_text(report))} → "
        f"{report.target.name}, {p.verdict_text(report)}",
        text(p.function_context(report)),
        _counts_table(report),
        f"Score {report.score}/100: {text(p.breakdown_text(report.breakdown))}.",
    ]
    groups = p.severity_groups(report.findings)
    if not groups:
        blocks.append("No findings.")
    for group in groups:
        blocks.append(f"### {p.severity_label(group.severity).capitalize()} ({group.count})")
        blocks.append(
            _table(
                ["location", "rule", "component", "finding", "fix"],
                (_entry_row(entry) for entry in group.entries),
            )
        )
    if report.dependencies:
        blocks += ["### Dependencies", _dependencies(report.dependencies)]
    if report.errors:
        blocks += ["### Not analysed", _errors(report)]
    return blocks


def _counts_table(report: FunctionReport) -> str:
    counts = p.severity_counts(report.findings)
    header = [severity.value for severity in Severity] + ["files analysed", "analysis errors"]
    row = [str(counts[severity]) for severity in Severity]
    row += [str(report.files_analysed), str(len(report.errors))]
    return _table(header, [row], align="---:")


def _rule_cell(finding: Finding) -> str:
    rule = code(finding.rule_id, in_table=True)
    link = finding.documentation
    if link is not None and _SAFE_LINK.match(link):
        return f"[{rule}](<{link}>)"
    return rule


def _entry_row(entry: p.Entry) -> list[str]:
    finding = entry.first
    if entry.folded:
        shown = entry.findings[: p.LOCATIONS_SHOWN]
        location = ", ".join(code(p.location_text(f), in_table=True) for f in shown)
        rest = len(entry.findings) - len(shown)
        if rest:
            location += f" and {rest} more"
        lines = [f"**{text(p.folded_subject(entry))}**", text(finding.message)]
    else:
        location = code(p.location_text(finding), in_table=True)
        lines = [text(finding.message)]
    notes = [p.version_claim(finding), p.reach_text(entry.chained)]
    if finding.optional:
        notes.append("optional speed-up with a fallback")
    if any(notes):
        lines.append(text(" · ".join(note for note in notes if note)))
    return [
        location,
        _rule_cell(finding),
        text(str(finding.component)),
        "<br>".join(lines),
        text(p.fix_text(finding)),
    ]


def _dependencies(rows: Sequence[DependencyRow]) -> str:
    def source(row: DependencyRow) -> str:
        where = (
            row.source.path if row.source.line is None else f"{row.source.path}:{row.source.line}"
        )
        return code(where, in_table=True)

    return _table(
        ["package", "version", "status", "fits", "source", "detail"],
        (
            [
                text(row.name),
                text(row.version or "-"),
                text(row.status),
                text(row.fitting_version or "-"),
                source(row),
                text(row.detail or "-"),
            ]
            for row in rows
        ),
    )


def _errors(report: FunctionReport) -> str:
    lines = []
    for error in report.errors:
        line = f"- **{text(error.stage)}**: {text(error.message)}"
        if error.path is not None:
            line += f" ({code(error.path)})"
        lines.append(line)
    return "\n".join(lines)
