"""The fleet report for the terminal: counts, what blocks most, and the functions by priority."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from analyzer.fleet import PRIORITY_RULE, TOP_BLOCKERS, VERDICT_ORDER, FleetFunction, FleetReport
from analyzer.report.fleet_formats import (
    VERDICT_LABELS,
    blockers_text,
    runtime_text,
    short_hash,
    verdict_cell,
    where_text,
)
from analyzer.report.interface import DEFAULT_OPTIONS, RenderOptions
from analyzer.report.presentation import printable

VERDICT_STYLES = {
    "blocked": "bold red",
    "not-analysed": "magenta",
    "needs-work": "yellow",
    "ready": "green",
}


def render(report: FleetReport, *, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    """``report`` as terminal text ``options.columns`` wide, with ANSI colours if asked."""
    console = _console(options)
    console.print(Text(f"Fleet readiness: {len(report.functions)} functions", style="bold"))
    for line in _evidence_lines(report):
        console.print(Text(line))
    console.print()
    console.print(_verdicts(report))
    primary = report.primary_target
    console.print()
    console.print(_by_runtime(report))
    summary = report.summaries[primary]
    if summary.blocking_rules:
        table = _table(f"Rules blocking the most functions on {primary}")
        for header in ("rule", "functions", "example"):
            table.add_column(header)
        for rule in summary.blocking_rules:
            table.add_row(rule.rule_id, str(rule.functions), printable(rule.example))
        console.print()
        console.print(table)
    if summary.upgrades:
        table = _table(f"Layers and dependencies whose upgrade unblocks most, on {primary}")
        for header in ("kind", "name", "unblocks", "affects", "rules"):
            table.add_column(header)
        for upgrade in summary.upgrades:
            table.add_row(
                upgrade.kind,
                printable(upgrade.name),
                str(upgrade.unblocks),
                str(upgrade.affects),
                ", ".join(upgrade.rules),
            )
        console.print()
        console.print(table)
    console.print()
    if report.group_by is not None:
        for group in report.groups:
            members = [report.function(key) for key in group.function_keys]
            title = f"{report.group_by}: {printable(group.name)} ({len(members)} functions)"
            console.print(_functions(report, members, title, options.columns))
    else:
        console.print(
            _functions(report, report.functions, "Functions by priority", options.columns)
        )
    console.print(Text(f"Priority: {PRIORITY_RULE}.", style="dim"))
    text = console.export_text(styles=options.color)
    if options.color:
        return text
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


def _console(options: RenderOptions) -> Console:
    # Every setting explicit and an empty environment: the same report gives the same text
    # whatever terminal the caller has.
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


def _evidence_lines(report: FleetReport) -> list[str]:
    evidence = report.evidence
    status = ", ".join(f"{count} {name}" for name, count in sorted(report.status.items()))
    lines = [
        f"Generated {evidence.generated_at} from {evidence.database}; "
        f"runtime dates as of {evidence.report_date}",
        f"Scanned {evidence.first_scan or '-'} to {evidence.last_scan or '-'} by lambda-analyzer "
        f"{', '.join(evidence.tool_versions) or '-'}, catalogue "
        f"{', '.join(evidence.catalogue_versions) or '-'}, in {len(evidence.runs)} runs",
        f"Functions: {status or 'none'}; "
        f"{len(evidence.deprecated_runtime_functions)} on a deprecated runtime",
    ]
    if report.failures:
        lines.append(
            "Failures: " + ", ".join(f"{count} {kind}" for kind, count in report.failures.items())
        )
    return [printable(line) for line in lines]


def _table(title: str) -> Table:
    return Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", show_edge=False)


def _verdicts(report: FleetReport) -> Table:
    table = _table("Readiness by target")
    table.add_column("target")
    for verdict in VERDICT_ORDER:
        table.add_column(VERDICT_LABELS[verdict], justify="right", style=VERDICT_STYLES[verdict])
    for target in report.targets:
        counts = report.summaries[target].verdicts
        table.add_row(target, *(str(counts[verdict]) for verdict in VERDICT_ORDER))
    return table


def _by_runtime(report: FleetReport) -> Table:
    primary = report.primary_target
    table = _table(f"By current runtime, on {primary}")
    table.add_column("runtime")
    for verdict in VERDICT_ORDER:
        table.add_column(VERDICT_LABELS[verdict], justify="right", style=VERDICT_STYLES[verdict])
    for runtime, counts in report.summaries[primary].by_runtime.items():
        table.add_row(runtime, *(str(counts[verdict]) for verdict in VERDICT_ORDER))
    return table


def _functions(
    report: FleetReport, functions: Sequence[FleetFunction], title: str, columns: int
) -> Group:
    """A block a function, readable at any width: its name and place; its current runtime,
    invocations and code hash; its verdict on each target; its top blockers on the primary."""
    primary = report.primary_target
    several = len(report.targets) > 1
    table = Table.grid(padding=(0, 1))
    # The heading is its own line: a table's title wraps to the table's (narrow) width.
    heading = Text(f"{title}; under each function, its top blockers on {primary}", style="italic")
    table.add_column(justify="right", no_wrap=True)
    table.add_column()
    # Facts are packed whole onto lines of the body's width, so none is split across lines.
    body_width = columns - len(str(max((f.priority for f in functions), default=0))) - 1
    for function in functions:
        body = Text()
        body.append(printable(function.name), style="bold")
        body.append(f"  {where_text(function)}")
        invocations = "-" if function.invocations is None else f"{function.invocations:,}"
        code = short_hash(function.code_sha256 or function.content_hash)
        facts = [
            (runtime_text(function), ""),
            (f"invocations {invocations}", ""),
            (f"code {code}", ""),
        ]
        verdicts = [
            (
                f"{target.removeprefix('python') if several else target} "
                f"{verdict_cell(function, target)}",
                VERDICT_STYLES[function.verdict(target)],
            )
            for target in report.targets
        ]
        for packed in [*_packed(facts, body_width), *_packed(verdicts, body_width)]:
            body.append("\n")
            for index, (part, style) in enumerate(packed):
                body.append(" · " if index else "")
                body.append(part, style=style)
        for line in blockers_text(function, primary, TOP_BLOCKERS):
            body.append(f"\n  {printable(line)}")
        table.add_row(str(function.priority), body)
        table.add_row("", "")
    return Group(heading, table)


def _packed(parts: Sequence[tuple[str, str]], width: int) -> list[list[tuple[str, str]]]:
    """``parts`` (text, style) on as few lines of ``width`` as go, joined by `` · ``."""
    lines: list[list[tuple[str, str]]] = []
    used = 0
    for part in parts:
        if lines and used + 3 + len(part[0]) <= width:
            lines[-1].append(part)
            used += 3 + len(part[0])
        else:
            lines.append([part])
            used = len(part[0])
    return lines
