"""Wording, ordering and folding shared by the table and Markdown reports."""

from __future__ import annotations

import pytest
from report_builders import build_report, imp_blocker, mapping_alias, utcnow_low

from analyzer.models import Component, ComponentKind, Location, Reach, ScoreBreakdown, Severity
from analyzer.report import presentation as p


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("app/handler.py", "app/handler.py"),
        ("über/naïve.py", "über/naïve.py"),
        ("a\x1b[31mb", "a\\x1b[31mb"),
        ("line\nbreak\ttab", "line\\nbreak\\ttab"),
        ("admin\u202etxt.py", "admin\\u202etxt.py"),
        ("caf\udcff.py", "caf\\udcff.py"),
    ],
)
def test_printable_escapes_control_and_bidirectional_characters(raw: str, shown: str) -> None:
    assert p.printable(raw) == shown


def test_severity_groups_come_worst_first_then_by_location() -> None:
    findings = (
        utcnow_low(),
        imp_blocker(location=Location("z.py", 1)),
        imp_blocker(),
        utcnow_low(severity=None),
    )

    groups = p.severity_groups(findings)

    assert [(group.severity, group.count) for group in groups] == [
        (Severity.BLOCKER, 2),
        (Severity.LOW, 1),
        (None, 1),
    ]
    assert [entry.first.location.path for entry in groups[0].entries] == ["app.py", "z.py"]


def test_findings_fold_only_from_three_with_the_same_rule_component_symbol_and_fix() -> None:
    same = [mapping_alias("attrdict/a.py", 1), mapping_alias("attrdict/b.py", 2)]
    other_fix = mapping_alias("attrdict/c.py", 3, fix="vendor a newer attrdict")
    other_component = mapping_alias(
        "layers/x/python/attrdict/d.py", 4, component=Component(ComponentKind.LAYER, "x")
    )

    assert [len(e.findings) for e in p.fold([*same, other_fix, other_component])] == [1, 1, 1, 1]
    assert [len(e.findings) for e in p.fold([*same, mapping_alias("attrdict/e.py", 5)])] == [3]


def test_a_folded_entry_stands_where_its_first_finding_was() -> None:
    aliases = [mapping_alias(f"attrdict/m{n}.py", n) for n in (1, 2, 3)]
    findings = [imp_blocker(), aliases[0], utcnow_low(), aliases[1], aliases[2]]

    entries = p.fold(findings)

    assert [entry.first.rule_id for entry in entries] == [
        "removed-stdlib-module",
        "removed-stdlib-api",
        "deprecated-api",
    ]
    assert entries[1].files == ("attrdict/m1.py", "attrdict/m2.py", "attrdict/m3.py")


def test_a_folded_entry_shows_the_shortest_import_chain() -> None:
    deep = mapping_alias("attrdict/a.py", 1, import_chain=("app", "lib", "attrdict", "attrdict.a"))
    shallow = mapping_alias("attrdict/b.py", 1, import_chain=("app", "attrdict.b"))
    unreached = mapping_alias("attrdict/c.py", 1, import_chain=(), reach=Reach.UNREACHED)

    (entry,) = p.fold([deep, shallow, unreached])

    assert p.reach_text(entry.chained) == "runs at import: app -> attrdict.b"


def test_folded_subject_without_a_symbol_counts_places_and_files() -> None:
    findings = [mapping_alias("attrdict/a.py", n, symbol=None) for n in (1, 2, 3)]

    (entry,) = p.fold(findings)

    assert p.folded_subject(entry) == "3 places in 1 file of vendored attrdict 2.0.1"


@pytest.mark.parametrize(
    ("changes", "claim"),
    [
        ({}, "breaks in 3.12"),
        ({"deprecated_in": (3, 4)}, "deprecated in 3.4, breaks in 3.12"),
        ({"breaks_in": None, "requires": (3, 10)}, "needs 3.10"),
        (
            {"breaks_in": None, "broken_on": ("python3.12", "python3.13")},
            "broken on python3.12, python3.13",
        ),
        ({"breaks_in": None}, ""),
    ],
)
def test_version_claim_names_every_version_fact(changes: dict[str, object], claim: str) -> None:
    assert p.version_claim(imp_blocker(**changes)) == claim


@pytest.mark.parametrize(
    ("reach", "chain", "text"),
    [
        (Reach.IMPORT, ("app", "lib"), "runs at import: app -> lib"),
        (Reach.CALL, ("app",), "runs when called: app"),
        (Reach.CALL, (), "runs when called"),
        (Reach.UNREACHED, (), "not imported from the handler"),
        (Reach.GUARDED, (), "guarded by a fallback or a version check"),
        (Reach.UNKNOWN, (), ""),
        (Reach.PACKAGE, (), ""),
        (Reach.UNKNOWN, ("app", "lib"), "imported: app -> lib"),
    ],
)
def test_reach_text(reach: Reach, chain: tuple[str, ...], text: str) -> None:
    assert p.reach_text(imp_blocker(reach=reach, import_chain=chain)) == text


def test_breakdown_lists_deductions_by_severity_then_other_keys_skipping_zeros() -> None:
    breakdown = ScoreBreakdown(
        base=100,
        deductions={"low": 4, "coverage": 10, "info": 0, "blocker": 50},
        counts={"low": 2, "info": 3, "blocker": 1},
    )

    assert p.breakdown_text(breakdown) == "base 100, blocker -50 (1), low -4 (2), coverage -10"


def test_counts_name_every_severity_and_leave_unrated_out() -> None:
    report = build_report((imp_blocker(), utcnow_low(), utcnow_low(severity=None)))

    assert p.counts_text(report) == "1 blocker, 0 high, 0 medium, 1 low, 0 info"


def test_location_without_a_line_is_the_path() -> None:
    assert p.location_text(imp_blocker(location=Location("lib/x.so", 7, 2))) == "lib/x.so:7"
    assert p.location_text(imp_blocker(location=Location("lib/x.so"))) == "lib/x.so"
