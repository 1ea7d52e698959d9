"""The JSON report: its exact shape, its schema, and reading it back."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import jsonschema
import pytest
from report_builders import ORDERS_ARN, build_report, full_report, imp_blocker, utcnow_low

from analyzer import __version__
from analyzer.errors import InputError
from analyzer.models import (
    Category,
    ComponentKind,
    FunctionReport,
    Location,
    Reach,
    Severity,
    Verdict,
)
from analyzer.report import ReportFormat, render_reports
from analyzer.report.interface import RenderOptions
from analyzer.report.json import from_document, from_text, load_schema, render, to_document

GENERATED_AT = "2026-12-04T16:00:00+00:00"


def without_local_folders(report: FunctionReport) -> FunctionReport:
    """``report`` as a reader of its JSON sees it: the folders on this machine are not kept."""
    function = report.function
    layers = tuple(dataclasses.replace(layer, root="") for layer in function.layers)
    return dataclasses.replace(
        report, function=dataclasses.replace(function, code_root="", layers=layers)
    )


def test_document_of_one_finding_is_exactly_this() -> None:
    report = build_report((imp_blocker(),))

    document = to_document([report], generated_at=GENERATED_AT, catalogue_version="2026.12")

    assert document == {
        "schema_version": 1,
        "tool": {"name": "lambda-analyzer", "version": __version__},
        "catalogue_version": "2026.12",
        "generated_at": GENERATED_AT,
        "reports": [
            {
                "function": {
                    "name": "orders-api",
                    "arn": ORDERS_ARN,
                    "source_runtime": "python3.9",
                    "architecture": "x86_64",
                    "handler": "app.handler",
                    "package_type": "Zip",
                    "code_sha256": None,
                    "layers": [],
                    "overrides": [],
                },
                "target": {
                    "name": "python3.12",
                    "python": "3.12",
                    "operating_system": "Amazon Linux 2023",
                    "glibc": "2.34",
                    "deprecation": "2028-10-31",
                    "block_create": "2028-11-30",
                    "block_update": "2029-01-10",
                },
                "score": 75,
                "verdict": "blocked",
                "breakdown": {"base": 100, "deductions": {"blocker": 25}, "counts": {"blocker": 1}},
                "findings": [
                    {
                        "rule_id": "removed-stdlib-module",
                        "category": "removed-module",
                        "severity": "blocker",
                        "message": "imp was removed in Python 3.12",
                        "path": "app.py",
                        "line": 3,
                        "column": 0,
                        "end_line": None,
                        "component": {"kind": "function", "name": "function", "version": None},
                        "symbol": "imp",
                        "breaks_in": "3.12",
                        "requires": None,
                        "deprecated_in": None,
                        "broken_on": None,
                        "reach": "import",
                        "import_chain": ["app"],
                        "fix": "replace imp with importlib",
                        "mechanical": False,
                        "optional": False,
                        "documentation": None,
                    }
                ],
                "dependencies": [],
                "errors": [],
                "components": [],
                "files_analysed": 3,
                "timings": {},
            }
        ],
    }


def test_render_is_the_document_as_indented_json_ending_with_a_newline() -> None:
    reports = [build_report((imp_blocker(),))]

    text = render(reports, options=RenderOptions(generated_at=GENERATED_AT))

    assert text.endswith("}\n")
    assert text.startswith('{\n  "schema_version": 1,\n  "tool": {\n    "name": "lambda-analyzer",')
    assert json.loads(text) == to_document(reports, generated_at=GENERATED_AT)


def test_registry_renders_json_with_the_callers_timestamp_and_catalogue_version() -> None:
    text = render_reports(
        ReportFormat.JSON, [], generated_at=GENERATED_AT, catalogue_version="2026.12"
    )

    assert json.loads(text) == {
        "schema_version": 1,
        "tool": {"name": "lambda-analyzer", "version": __version__},
        "catalogue_version": "2026.12",
        "generated_at": GENERATED_AT,
        "reports": [],
    }


def test_text_beyond_ascii_is_escaped_and_read_back_intact() -> None:
    # "\udcff" is what a file name holding a byte that is not UTF-8 decodes to on Linux.
    finding = imp_blocker(message="imp entfällt", location=Location("caf\udcff.py", 1))
    report = build_report((finding,))

    text = render([report])

    assert '"message": "imp entf\\u00e4llt"' in text
    assert '"path": "caf\\udcff.py"' in text
    assert text.isascii()
    assert from_text(text) == [without_local_folders(report)]


@pytest.mark.parametrize(
    "reports",
    [
        pytest.param([], id="no reports"),
        pytest.param([build_report()], id="ready, nothing found"),
        pytest.param([full_report()], id="every field filled"),
        pytest.param(
            [build_report((imp_blocker(),), target=t) for t in ("python3.10", "python3.14")],
            id="matrix",
        ),
    ],
)
def test_rendered_documents_follow_the_schema(
    reports: list[FunctionReport], schema_validator: jsonschema.Draft202012Validator
) -> None:
    document = json.loads(render(reports, options=RenderOptions(generated_at=GENERATED_AT)))

    assert sorted(error.message for error in schema_validator.iter_errors(document)) == []


@pytest.mark.parametrize(
    ("change", "expected_error"),
    [
        pytest.param(
            lambda doc: doc["reports"][0]["findings"][0].update(surprise=1),
            "Additional properties are not allowed ('surprise' was unexpected)",
            id="unknown field",
        ),
        pytest.param(
            lambda doc: doc["reports"][0]["findings"][0].update(breaks_in=[3, 12]),
            "[3, 12] is not valid under any of the given schemas",
            id="version not a string",
        ),
        pytest.param(
            lambda doc: doc["reports"][0].update(verdict="fine"),
            "'fine' is not one of ['ready', 'needs-work', 'blocked', 'not-analysed']",
            id="unknown verdict",
        ),
        pytest.param(
            lambda doc: doc["reports"][0]["function"].pop("handler"),
            "'handler' is a required property",
            id="missing field",
        ),
    ],
)
def test_schema_is_strict(
    change: Any, expected_error: str, schema_validator: jsonschema.Draft202012Validator
) -> None:
    document = to_document([full_report()])

    change(document)

    assert [error.message for error in schema_validator.iter_errors(document)] == [expected_error]


@pytest.mark.parametrize(
    ("definition", "enum"),
    [
        ("finding/properties/category", Category),
        ("finding/properties/reach", Reach),
        ("component/properties/kind", ComponentKind),
        ("report/properties/verdict", Verdict),
    ],
)
def test_schema_enumerations_match_the_data_model(definition: str, enum: Any) -> None:
    node = load_schema()["$defs"]
    for part in definition.split("/"):
        node = node[part]

    assert node["enum"] == [member.value for member in enum]


def test_schema_severities_match_the_data_model_plus_unrated() -> None:
    severity = load_schema()["$defs"]["finding"]["properties"]["severity"]

    assert severity["enum"] == [member.value for member in Severity] + [None]


def test_reading_a_document_back_gives_the_same_reports() -> None:
    reports = [
        full_report(),
        build_report((imp_blocker(), utcnow_low()), target="python3.13"),
        build_report((utcnow_low(severity=None),), target="python3.10"),
    ]

    assert from_text(render(reports)) == [without_local_folders(report) for report in reports]


def test_reading_back_keeps_target_facts_for_a_runtime_the_catalogue_does_not_know() -> None:
    document = to_document([build_report()])
    document["reports"][0]["target"].update(name="python3.15", python="3.15")

    (report,) = from_document(document)

    assert (report.target.name, report.target.python, report.target.glibc) == (
        "python3.15",
        (3, 15),
        (2, 34),
    )
    assert report.target.layer_paths == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "{not json",
            "report is not valid JSON: Expecting property name enclosed in double quotes: "
            "line 1 column 2 (char 1)",
            id="not JSON",
        ),
        pytest.param(
            "[]", "not a lambda-analyzer report: document: [] is not of type 'object'", id="list"
        ),
        pytest.param(
            '{"schema_version": 2, "reports": []}',
            "report schema version 2 is not supported (this tool reads version 1)",
            id="newer schema",
        ),
        pytest.param(
            json.dumps({**to_document([build_report()]), "reports": [{"score": "high"}]}),
            "not a lambda-analyzer report: reports/0: 'function' is a required property",
            id="report without a function",
        ),
    ],
)
def test_a_file_that_is_not_a_report_is_one_input_error(text: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        from_text(text)

    assert str(raised.value) == message


def test_findings_are_readable_by_the_corpus_scorer() -> None:
    # The scorer (corpus README, "Findings format") walks report objects for nested
    # "findings" lists and reads path, line and string versions from each finding.
    report = build_report(
        (imp_blocker(location=Location("c001.py", 8)), utcnow_low(requires=(3, 10)))
    )

    document = json.loads(render([report]))
    (finding, needs_newer) = document["reports"][0]["findings"]

    assert "path" not in document["reports"][0]
    assert (finding["path"], finding["line"], finding["breaks_in"]) == ("c001.py", 8, "3.12")
    assert (needs_newer["path"], needs_newer["line"], needs_newer["requires"]) == (
        "util.py",
        14,
        "3.10",
    )
