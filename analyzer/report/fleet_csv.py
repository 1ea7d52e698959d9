"""The fleet report as CSV: one row per function in priority order, evidence in every row."""

from __future__ import annotations

import csv
import io
import json

from analyzer.fleet import TOP_BLOCKERS, FleetReport
from analyzer.report.fleet_formats import blockers_text
from analyzer.report.interface import DEFAULT_OPTIONS, RenderOptions
from analyzer.report.presentation import printable

# Spreadsheets run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render(report: FleetReport, *, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    """One header row, then one row per function; ``tag:KEY`` columns for every tag."""
    tag_keys = sorted({key for function in report.functions for key in function.tags})
    header = [
        "priority",
        *(["group"] if report.group_by else []),
        "name",
        "arn",
        "account",
        "region",
        "runtime",
        "lifecycle",
        "deprecation",
        "block_create",
        "block_update",
        "package_type",
        "architecture",
        "invocations",
        "versions",
        "aliases",
        "state_machines",
        "layers",
        "status",
        "failure_kind",
        "error",
    ]
    for target in report.targets:
        header += [f"{target}_verdict", f"{target}_score", f"{target}_top_blockers"]
    header += [
        "code_sha256",
        "content_hash",
        "scanned_at",
        "tool_version",
        "catalogue_version",
        *(f"tag:{key}" for key in tag_keys),
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for function in report.functions:
        row: list[object] = [function.priority]
        if report.group_by:
            row.append(report.group_by.value_of(function))
        row += [
            function.name,
            function.arn,
            function.account,
            function.region,
            function.runtime,
            function.lifecycle,
            function.deprecation,
            function.block_create,
            function.block_update,
            function.package_type,
            function.architecture,
            function.invocations,
            function.versions,
            ";".join(function.aliases),
            ";".join(function.state_machines),
            ";".join(function.layers),
            function.status,
            function.failure_kind,
            function.error,
        ]
        for target in report.targets:
            result = function.results.get(target)
            row += [
                result.verdict if result else "not-analysed",
                result.score if result else None,
                json.dumps(blockers_text(function, target, TOP_BLOCKERS)) if result else None,
            ]
        row += [
            function.code_sha256,
            function.content_hash,
            function.scanned_at,
            function.tool_version,
            function.catalogue_version,
            *(function.tags.get(key) for key in tag_keys),
        ]
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    # Names and tags come from the accounts: a control sequence must not restyle a terminal.
    text = printable(str(value))
    return f"'{text}" if text.startswith(_FORMULA_START) else text
