"""The terminal report: one section per function and target, read at a glance."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from analyzer.models import FunctionReport, Severity, Verdict
from analyzer.report import presentation as p
from analyzer.report.interface import DEFAULT_OPTIONS, RenderOptions

VERDICT_STYLES: dict[Verdict, str] = {
    Verdict.READY: "bold green",
    Verdict.NEEDS_WORK: "bold yellow",
    Verdict.BLOCKED: "bold red",
    Verdict.NOT_ANALYSED: "bold magenta",
}
SEVERITY_STYLES: dict[Severity | None, str] = {
    Severity.BLOCKER: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
    None: "dim",
}
ENTRY_INDENT = 2
DETAIL_INDENT = 6
MATRIX_NAME_MIN_WIDTH = 12


def render(reports: Sequence[FunctionReport], *, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    """``reports`` as terminal text ``options.columns`` wide, with ANSI colours if asked."""
    console = _console(options)
    if not reports:
        console.print(Text("No functions analysed."))
    if p.is_matrix(reports):
        console.print(_matrix(reports))
        console.print()
    for index, report in enumerate(reports):
        if index:
            console.print()
        console.print(Rule(style="dim"))
        console.print(_report_section(report))
    text = console.export_text(styles=options.color)
    if options.color:
        return text
    # Tables pad their cells to the full width; plain text has no use for trailing blanks.
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


def _console(options: RenderOptions) -> Console:
    # Every setting explicit, and an empty environment: the same reports and options must
    # give the same text whatever terminal or variables the caller happens to have.
    return Console(
        file=io.StringIO(),
        record=True,
        width=options.columns,
        force_terminal=options.color,
        color_system="standard" if options.color else None,
        no_color=not options.color,
        force_jupyter=False,
        force_interactive=False,
        legacy_windows=False,
        markup=False,
        emoji=False,
        highlight=False,
        _environ={},
    )


def _matrix(reports: Sequence[FunctionReport]) -> Table:
    targets = p.matrix_targets(reports)
    table = Table(
        title="Readiness by target",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )
    # Verdicts wrap under their score before function names are cut to pieces.
    table.add_column("function", overflow="fold", min_width=MATRIX_NAME_MIN_WIDTH)
    for target in targets:
        table.add_column(target, min_width=len(target))
    for group in p.by_function(reports):
        cells: list[RenderableType] = [Text(p.printable(group[0].function.name), style="bold")]
        for target in targets:
            report = p.matrix_cell(group, target)
            if report is None:
                cells.append(Text("-", style="dim"))
            else:
                cells.append(_verdict_text(report))
        table.add_row(*cells)
    return table


def _verdict_text(report: FunctionReport) -> Text:
    if report.verdict is Verdict.NOT_ANALYSED:
        return Text("not analysed", style=VERDICT_STYLES[report.verdict])
    return Text.assemble((report.verdict.value, VERDICT_STYLES[report.verdict]), f" {report.score}")


def _report_section(report: FunctionReport) -> Group:
    parts: list[RenderableType] = [_header(report)]
    groups = p.severity_groups(report.findings)
    if not groups:
        parts += [Text(""), Text("No findings.")]
    for group in groups:
        parts += [Text(""), _severity_heading(group)]
        parts += [_entry(entry) for entry in group.entries]
    if report.dependencies:
        parts += [Text(""), Text("Dependencies", style="bold"), _dependencies(report)]
    if report.errors:
        parts += [Text(""), Text("Not analysed", style="bold"), *_errors(report)]
    return Group(*parts)


def _header(report: FunctionReport) -> Text:
    title = Text.assemble(
        (p.printable(report.function.name), "bold"),
        "  ",
        f"{p.current_runtime_text(report)} -> {report.target.name}",
        "  ",
        (p.verdict_text(report), VERDICT_STYLES[report.verdict]),
    )
    lines = [
        title,
        Text(p.function_context(report), style="dim"),
        Text(f"{p.counts_text(report)} · {p.files_text(report)}"),
        Text(f"score: {p.breakdown_text(report.breakdown)}", style="dim"),
    ]
    return Text("\n").join(lines)


def _severity_heading(group: p.SeverityGroup) -> Text:
    label = p.severity_label(group.severity).capitalize()
    return Text(f"{label} ({group.count})", style=SEVERITY_STYLES[group.severity])


def _entry(entry: p.Entry) -> Group:
    finding = entry.first
    claim = p.version_claim(finding)
    if entry.folded:
        headline = Text.assemble((finding.rule_id, "cyan"), "  ", (p.folded_subject(entry), "bold"))
    else:
        headline = Text.assemble(
            (p.location_text(finding), "bold"),
            "  ",
            (finding.rule_id, "cyan"),
            "  ",
            p.printable(str(finding.component)),
        )
    if claim:
        headline.append(f"  {claim}", style="dim")

    details: list[Text] = []
    if entry.folded:
        details.append(Text(p.folded_locations(entry)))
    details.append(Text(p.printable(finding.message)))
    details.append(Text.assemble(("fix: ", "green"), p.fix_text(finding)))
    reach = p.reach_text(entry.chained)
    if reach:
        details.append(Text(reach, style="dim"))
    if finding.optional:
        details.append(Text("optional speed-up with a fallback", style="dim"))
    return Group(
        Padding(headline, (0, 0, 0, ENTRY_INDENT)),
        Padding(Text("\n").join(details), (0, 0, 0, DETAIL_INDENT)),
    )


def _dependencies(report: FunctionReport) -> Padding:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    # Every column may fold: a column that may not makes rich crop the row at narrow widths.
    for column in ("package", "version", "status", "fits", "source"):
        table.add_column(column, overflow="fold")
    table.add_column("detail", overflow="fold", ratio=1)
    for row in report.dependencies:
        source = p.printable(row.source.path)
        if row.source.line is not None:
            source += f":{row.source.line}"
        table.add_row(
            Text(p.printable(row.name)),
            Text(p.printable(row.version or "-")),
            Text(p.printable(row.status)),
            Text(p.printable(row.fitting_version or "-")),
            Text(source),
            Text(p.printable(row.detail)),
        )
    return Padding(table, (0, 0, 0, ENTRY_INDENT))


def _errors(report: FunctionReport) -> list[Padding]:
    lines: list[Padding] = []
    for error in report.errors:
        text = Text.assemble((p.printable(error.stage), "bold"), ": ", p.printable(error.message))
        if error.path is not None:
            text.append(f" ({p.printable(error.path)})")
        lines.append(Padding(text, (0, 0, 0, ENTRY_INDENT)))
    return lines
