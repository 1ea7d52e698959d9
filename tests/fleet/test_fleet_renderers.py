"""The fleet renderers: exact text for a small fleet, evidence in every format."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest

from analyzer.fleet import (
    PRIORITY_RULE,
    Blocker,
    Evidence,
    FindingEntry,
    FleetFunction,
    FleetReport,
    GroupBy,
    RunRecord,
    TargetResult,
    fleet_document,
    group_functions,
    prioritise,
    summarise,
)
from analyzer.report.fleet_formats import FleetFormat, render_fleet

TARGET = "python3.12"
ARN = "arn:aws:lambda:eu-west-1:123456789012:function:"
LAYER = "arn:aws:lambda:eu-west-1:123456789012:layer:shared:2"


def result(score: int, verdict: str, *blockers: Blocker) -> dict[str, TargetResult]:
    return {
        TARGET: TargetResult(
            TARGET,
            score,
            verdict,
            blockers,
            {"blocker": len(blockers), "total": len(blockers)},
            0,
            3,
            "2025-05-01T10:00:00+00:00",
        )
    }


def fleet_function(name: str, **fields: object) -> FleetFunction:
    values: dict[str, object] = {
        "key": ARN + name,
        "name": name,
        "arn": ARN + name,
        "account": "123456789012",
        "region": "eu-west-1",
        "runtime": "python3.9",
        "package_type": "Zip",
        "architecture": "x86_64",
        "code_sha256": f"{name}-sha=",
        "content_hash": f"{name}-content",
        "analysis_key": f"{name}-content",
        "tags": {},
        "invocations": None,
        "versions": None,
        "aliases": (),
        "state_machines": (),
        "layers": (),
        "last_modified": None,
        "status": "done",
        "failure_kind": None,
        "error": None,
        "scanned_at": "2025-05-01T10:00:00+00:00",
        "tool_version": "0.1.0",
        "catalogue_version": "rules-abc",
        "results": {},
        "deprecation": "2025-12-15",
        "block_create": "2027-02-01",
        "block_update": "2027-03-03",
        "lifecycle": "deprecated",
    }
    values.update(fields)
    return FleetFunction(**values)  # type: ignore[arg-type]


DISTUTILS = Blocker(
    "removed-stdlib-module",
    "distutils",
    "blocker",
    "function",
    "function",
    None,
    "settings.py",
    4,
    "distutils was removed in Python 3.12 (deprecated since 3.10)",
    1,
)
LAYER_ABI = Blocker(
    "native-abi-mismatch",
    "_speedups",
    "blocker",
    "layer",
    "shared",
    None,
    "layers/shared/python/_speedups.cpython-39-x86_64-linux-gnu.so",
    None,
    "built for CPython 3.9 only",
    1,
)


def small_fleet(group_by: GroupBy | None = None) -> FleetReport:
    functions = prioritise(
        [
            fleet_function(
                "exporter",
                results=result(49, "blocked", DISTUTILS),
                invocations=120,
                tags={"team": "data"},
            ),
            fleet_function(
                "resizer",
                results=result(49, "blocked", LAYER_ABI),
                layers=(LAYER,),
                tags={"team": "=cmd"},
                invocations=5,
            ),
            fleet_function("greeter", results=result(100, "ready"), invocations=9000),
            fleet_function(
                "image-fn",
                runtime=None,
                package_type="Image",
                status="failed",
                failure_kind="image",
                error="a container image",
                deprecation=None,
                block_create=None,
                block_update=None,
                lifecycle=None,
                code_sha256=None,
                content_hash=None,
                analysis_key=None,
                scanned_at="2025-05-01T10:00:01+00:00",
                catalogue_version=None,
            ),
        ],
        TARGET,
    )
    return FleetReport(
        evidence=Evidence(
            generated_at="2025-06-01T12:00:00+00:00",
            report_date="2025-06-01",
            database="fleet.sqlite3",
            first_scan="2025-05-01T10:00:00+00:00",
            last_scan="2025-05-01T10:00:01+00:00",
            tool_versions=("0.1.0",),
            catalogue_versions=("rules-abc",),
            runs=(
                RunRecord(
                    1,
                    "2025-05-01T09:59:00+00:00",
                    "2025-05-01T10:00:02+00:00",
                    "finished",
                    "0.1.0",
                    "rules-abc",
                    (TARGET,),
                ),
            ),
            deprecated_runtime_functions=tuple(
                function.key for function in functions if function.lifecycle == "deprecated"
            ),
        ),
        targets=(TARGET,),
        primary_target=TARGET,
        functions=functions,
        summaries={TARGET: summarise(functions, TARGET)},
        status={"done": 3, "failed": 1},
        failures={"image": 1},
        group_by=group_by,
        groups=group_functions(functions, group_by, TARGET) if group_by else (),
        findings={
            "exporter-content": {
                TARGET: (
                    FindingEntry(
                        "removed-stdlib-module",
                        "blocker",
                        "settings.py",
                        4,
                        "distutils was removed",
                        "use setuptools",
                        "function code",
                    ),
                )
            }
        },
    )


def test_the_markdown_report_reads_as_expected() -> None:
    text = render_fleet(FleetFormat.MARKDOWN, small_fleet())

    assert text.startswith(
        "# Fleet readiness: 4 functions\n\n"
        "## Evidence\n\n"
        "- Generated: 2025-06-01T12:00:00+00:00 (runtime dates as of 2025-06-01)\n"
        "- Database: `fleet.sqlite3`\n"
        "- Scanned: 2025-05-01T10:00:00+00:00 to 2025-05-01T10:00:01+00:00\n"
        "- Tool versions: 0.1.0\n"
        "- Catalogue versions: rules-abc\n"
        "- Runs: 1; primary target: python3.12\n"
        "- Functions: 3 done, 1 failed\n"
        "- Failures: 1 image\n"
        "- On a deprecated runtime: 3 functions\n\n"
        "## Readiness by target\n\n"
        "| target | blocked | not analysed | needs work | ready |\n"
        "|---|---|---|---|---|\n"
        "| python3.12 | 2 | 1 | 0 | 1 |\n"
    )
    assert (
        "## Shared layers and dependencies to upgrade, on python3.12\n\n"
        "| kind | name | versions | unblocks | affects | rules |\n"
        "|---|---|---|---|---|---|\n"
        f"| layer | `shared` | {LAYER} | 1 | 1 | native-abi-mismatch |\n"
    ) in text
    assert f"Order: {PRIORITY_RULE}." in text
    assert (
        "| 1 | `exporter` | 123456789012/eu-west-1 | python3.9 (deprecated, deprecation "
        "2025-12-15) | 120 | blocked 49 | removed-stdlib-module (distutils) at settings.py:4 "
        "| `exporter-sha=` | 2025-05-01T10:00:00+00:00 |\n"
    ) in text
    assert (
        "| 3 | `image-fn` | 123456789012/eu-west-1 | image | - | failed: image | a container "
        "image | `-` | 2025-05-01T10:00:01+00:00 |\n"
    ) in text
    assert text.endswith(
        "## Functions on a deprecated runtime (3)\n\n"
        "| function | runtime | stage | deprecation | block create | block update |\n"
        "|---|---|---|---|---|---|\n"
        "| `exporter` | python3.9 | deprecated | 2025-12-15 | 2027-02-01 | 2027-03-03 |\n"
        "| `resizer` | python3.9 | deprecated | 2025-12-15 | 2027-02-01 | 2027-03-03 |\n"
        "| `greeter` | python3.9 | deprecated | 2025-12-15 | 2027-02-01 | 2027-03-03 |\n"
    )


def test_the_csv_report_has_a_row_per_function_in_priority_order_with_evidence() -> None:
    text = render_fleet(FleetFormat.CSV, small_fleet(GroupBy.parse("tag:team")))
    records = list(csv.DictReader(io.StringIO(text)))

    assert [(r["priority"], r["name"], r["group"]) for r in records] == [
        ("1", "exporter", "data"),
        ("2", "resizer", "'=cmd"),
        ("3", "image-fn", "(no team tag)"),
        ("4", "greeter", "(no team tag)"),
    ]
    first = records[0]
    assert first["python3.12_verdict"] == "blocked"
    assert first["python3.12_score"] == "49"
    assert json.loads(first["python3.12_top_blockers"]) == [
        "removed-stdlib-module (distutils) at settings.py:4"
    ]
    assert (first["code_sha256"], first["scanned_at"], first["tool_version"]) == (
        "exporter-sha=",
        "2025-05-01T10:00:00+00:00",
        "0.1.0",
    )
    assert (first["catalogue_version"], first["lifecycle"], first["deprecation"]) == (
        "rules-abc",
        "deprecated",
        "2025-12-15",
    )
    assert records[1]["tag:team"] == "'=cmd"
    assert records[2]["python3.12_verdict"] == "not-analysed"
    assert records[2]["failure_kind"] == "image"


def test_the_json_report_carries_the_evidence_and_the_priority_rule() -> None:
    document = json.loads(render_fleet(FleetFormat.JSON, small_fleet()))

    assert document["fleet_report_version"] == 1
    assert document["priority_rule"] == PRIORITY_RULE
    assert document["evidence"]["catalogue_versions"] == ["rules-abc"]
    assert document["evidence"]["runs"][0]["status"] == "finished"
    assert [entry["name"] for entry in document["evidence"]["deprecated_runtime_functions"]] == [
        "exporter",
        "resizer",
        "greeter",
    ]
    exporter = document["functions"][0]
    assert exporter["priority"] == 1
    assert exporter["code_sha256"] == "exporter-sha="
    assert exporter["runtime_dates"] == {
        "deprecation": "2025-12-15",
        "block_create": "2027-02-01",
        "block_update": "2027-03-03",
        "lifecycle": "deprecated",
    }
    assert exporter["results"][TARGET]["top_blockers"][0]["rule_id"] == "removed-stdlib-module"
    assert document["summaries"][TARGET]["verdicts"] == {
        "blocked": 2,
        "not-analysed": 1,
        "needs-work": 0,
        "ready": 1,
    }


def test_the_table_report_shows_counts_evidence_and_functions() -> None:
    text = render_fleet(FleetFormat.TABLE, small_fleet(GroupBy.parse("account")), width=120)
    lines = text.splitlines()

    assert lines[:4] == [
        "Fleet readiness: 4 functions",
        "Generated 2025-06-01T12:00:00+00:00 from fleet.sqlite3; runtime dates as of 2025-06-01",
        "Scanned 2025-05-01T10:00:00+00:00 to 2025-05-01T10:00:01+00:00 by lambda-analyzer "
        "0.1.0, catalogue rules-abc, in 1 runs",
        "Functions: 3 done, 1 failed; 3 on a deprecated runtime",
    ]
    assert "Failures: 1 image" in lines
    assert " python3.12         2              1            0       1" in lines
    start = lines.index(
        "account: 123456789012 (4 functions); under each function, its top blockers on python3.12"
    )
    assert lines[start + 1 : start + 11] == [
        "1 exporter  123456789012/eu-west-1",
        "  python3.9 (deprecated, deprecation 2025-12-15) · invocations 120 · code exporter-sha",
        "  python3.12 blocked 49",
        "    removed-stdlib-module (distutils) at settings.py:4",
        "",
        "2 resizer  123456789012/eu-west-1",
        "  python3.9 (deprecated, deprecation 2025-12-15) · invocations 5 · code resizer-sha=",
        "  python3.12 blocked 49",
        "    native-abi-mismatch (_speedups) at "
        "layers/shared/python/_speedups.cpython-39-x86_64-linux-gnu.so",
        "",
    ]


def test_the_table_report_gives_each_target_a_verdict_within_80_columns() -> None:
    report = small_fleet()
    several = replace(
        report,
        targets=("python3.12", "python3.13"),
        summaries={**report.summaries, "python3.13": report.summaries[TARGET]},
    )
    text = render_fleet(FleetFormat.TABLE, several, width=80)

    assert max(len(line) for line in text.splitlines()) <= 80
    assert "  3.12 blocked 49 · 3.13 not scanned for this target" in text.splitlines()


def hostile_fleet() -> FleetReport:
    """The small fleet with a function whose name is markup and whose tag holds an ANSI
    sequence, as a hostile or careless account may hold."""
    report = small_fleet()
    functions = prioritise(
        [
            *report.functions[:-1],
            fleet_function(
                "<script>alert(1)</script>",
                results=result(100, "ready"),
                tags={"team": "\x1b[31mred"},
            ),
        ],
        TARGET,
    )
    deprecated = tuple(f.key for f in functions if f.lifecycle == "deprecated")
    return FleetReport(
        evidence=replace(report.evidence, deprecated_runtime_functions=deprecated),
        targets=report.targets,
        primary_target=TARGET,
        functions=functions,
        summaries={TARGET: summarise(functions, TARGET)},
        status=report.status,
        failures=report.failures,
        group_by=GroupBy.parse("tag:team"),
        groups=group_functions(functions, GroupBy.parse("tag:team"), TARGET),
    )


@pytest.mark.parametrize("fmt", [FleetFormat.TABLE, FleetFormat.MARKDOWN, FleetFormat.CSV])
def test_text_formats_show_control_characters_as_escapes(fmt: FleetFormat) -> None:
    text = render_fleet(fmt, hostile_fleet())

    assert "\x1b" not in text
    assert "x1b" in text and "31mred" in text


def test_the_html_report_escapes_markup_from_the_fleet() -> None:
    text = render_fleet(FleetFormat.HTML, hostile_fleet())

    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_the_json_report_keeps_names_exactly() -> None:
    document = json.loads(render_fleet(FleetFormat.JSON, hostile_fleet()))

    assert {entry["name"] for entry in document["functions"]} >= {"<script>alert(1)</script>"}
    assert any(entry["tags"] == {"team": "\x1b[31mred"} for entry in document["functions"])


@pytest.mark.parametrize("empty", [False, True], ids=["fleet", "no-functions"])
def test_the_json_text_is_the_document_encoded_in_one_piece(empty: bool) -> None:
    report = small_fleet()
    if empty:
        report = replace(report, functions=())

    text = render_fleet(FleetFormat.JSON, report)

    assert text == json.dumps(fleet_document(report), indent=2, ensure_ascii=True) + "\n"
