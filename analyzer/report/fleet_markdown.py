"""The fleet report in GitHub-flavoured Markdown, for an issue or a wiki page."""

from __future__ import annotations

from collections.abc import Sequence

from analyzer.fleet import PRIORITY_RULE, TOP_BLOCKERS, VERDICT_ORDER, FleetFunction, FleetReport
from analyzer.report.fleet_formats import (
    VERDICT_LABELS,
    blockers_text,
    runtime_text,
    verdict_cell,
    where_text,
)
from analyzer.report.interface import DEFAULT_OPTIONS, RenderOptions
from analyzer.report.markdown import code, text


def render(report: FleetReport, *, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    """``report`` as Markdown, ending with a newline."""
    blocks = [f"# Fleet readiness: {len(report.functions)} functions", *_evidence(report)]
    blocks += ["## Readiness by target", _verdict_table(report)]
    primary = report.primary_target
    summary = report.summaries[primary]
    blocks += [
        f"## By current runtime, on {primary}",
        _table(
            ["runtime", *(VERDICT_LABELS[verdict] for verdict in VERDICT_ORDER)],
            [
                [code(runtime, in_table=True), *(str(counts[v]) for v in VERDICT_ORDER)]
                for runtime, counts in summary.by_runtime.items()
            ],
        ),
    ]
    for target in report.targets:
        target_summary = report.summaries[target]
        blocks.append(f"## Rules blocking the most functions on {target}")
        blocks.append(
            _table(
                ["rule", "functions blocked", "example"],
                [
                    [code(rule.rule_id, in_table=True), str(rule.functions), text(rule.example)]
                    for rule in target_summary.blocking_rules
                ],
            )
            if target_summary.blocking_rules
            else "No rule blocks a function."
        )
        blocks.append(f"## Shared layers and dependencies to upgrade, on {target}")
        blocks.append(
            _table(
                ["kind", "name", "versions", "unblocks", "affects", "rules"],
                [
                    [
                        upgrade.kind,
                        code(upgrade.name, in_table=True),
                        text(", ".join(upgrade.versions)) or "-",
                        str(upgrade.unblocks),
                        str(upgrade.affects),
                        text(", ".join(upgrade.rules)),
                    ]
                    for upgrade in target_summary.upgrades
                ],
            )
            if target_summary.upgrades
            else "No layer or dependency blocks a function."
        )
    if report.group_by is not None:
        blocks += [f"## Groups by {text(str(report.group_by))}", _groups(report)]
        for group in report.groups:
            members = [report.function(key) for key in group.function_keys]
            blocks += [f"### {text(group.name)}", _function_table(report, members)]
    else:
        blocks += [
            "## Functions by priority",
            f"Order: {text(PRIORITY_RULE)}.",
            _function_table(report, report.functions),
        ]
    blocks += _deprecated(report)
    return "\n\n".join(blocks) + "\n"


def _evidence(report: FleetReport) -> list[str]:
    evidence = report.evidence
    status = ", ".join(f"{count} {name}" for name, count in sorted(report.status.items()))
    lines = [
        f"- Generated: {text(evidence.generated_at)} (runtime dates as of {evidence.report_date})",
        f"- Database: {code(evidence.database)}",
        f"- Scanned: {text(evidence.first_scan or '-')} to {text(evidence.last_scan or '-')}",
        f"- Tool versions: {text(', '.join(evidence.tool_versions) or '-')}",
        f"- Catalogue versions: {text(', '.join(evidence.catalogue_versions) or '-')}",
        f"- Runs: {len(evidence.runs)}; primary target: {report.primary_target}",
        f"- Functions: {text(status) or 'none'}",
    ]
    if report.failures:
        failures = ", ".join(f"{count} {kind}" for kind, count in report.failures.items())
        lines.append(f"- Failures: {text(failures)}")
    lines.append(
        f"- On a deprecated runtime: {len(evidence.deprecated_runtime_functions)} functions"
    )
    return ["## Evidence", "\n".join(lines)]


def _verdict_table(report: FleetReport) -> str:
    return _table(
        ["target", *(VERDICT_LABELS[verdict] for verdict in VERDICT_ORDER)],
        [
            [target, *(str(report.summaries[target].verdicts[v]) for v in VERDICT_ORDER)]
            for target in report.targets
        ],
    )


def _groups(report: FleetReport) -> str:
    return _table(
        ["group", "functions", *(VERDICT_LABELS[verdict] for verdict in VERDICT_ORDER)],
        [
            [
                text(group.name),
                str(len(group.function_keys)),
                *(str(group.verdicts[v]) for v in VERDICT_ORDER),
            ]
            for group in report.groups
        ],
    )


def _function_table(report: FleetReport, functions: Sequence[FleetFunction]) -> str:
    headers = ["#", "function", "where", "runtime", "invocations", *report.targets]
    headers += ["top blockers", "code hash", "scanned"]
    rows = []
    for function in functions:
        blockers = blockers_text(function, report.primary_target, TOP_BLOCKERS)
        rows.append(
            [
                str(function.priority),
                code(function.name, in_table=True),
                text(where_text(function)),
                text(runtime_text(function)),
                str(function.invocations) if function.invocations is not None else "-",
                *(text(verdict_cell(function, target)) for target in report.targets),
                "<br>".join(text(line) for line in blockers) or "-",
                code(function.code_sha256 or function.content_hash or "-", in_table=True),
                text(function.scanned_at or "-"),
            ]
        )
    return _table(headers, rows)


def _deprecated(report: FleetReport) -> list[str]:
    keys = report.evidence.deprecated_runtime_functions
    if not keys:
        return ["## Functions on a deprecated runtime", "None."]
    rows = [
        [
            code(function.name, in_table=True),
            text(function.runtime or "-"),
            text(function.lifecycle or "-"),
            function.deprecation or "-",
            function.block_create or "-",
            function.block_update or "-",
        ]
        for function in (report.function(key) for key in keys)
    ]
    return [
        f"## Functions on a deprecated runtime ({len(keys)})",
        _table(
            ["function", "runtime", "stage", "deprecation", "block create", "block update"], rows
        ),
    ]


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
