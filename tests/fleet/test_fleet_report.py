"""The fleet report: priority order, counts, blocking rules, upgrades, groups and evidence."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import pytest
from fleet_world import ACCOUNT_A, PAGE_FUNCTIONS, REGION_1

from analyzer.errors import InputError
from analyzer.fleet import (
    Blocker,
    FleetFunction,
    FleetReport,
    GroupBy,
    GroupKind,
    TargetResult,
    Upgrade,
    blocking_rules,
    load_fleet,
    prioritise,
    upgrades,
)

TARGETS = ("python3.11", "python3.12")
REPORT_DATE = dt.date(2025, 6, 1)
"""python3.8 is past all its dates then (updates blocked 2025-03-31); python3.9 is supported."""


@pytest.fixture(scope="module")
def report_311(fleet_database: Path) -> FleetReport:
    return load_fleet(fleet_database, today=REPORT_DATE, generated_at="2025-06-01T12:00:00+00:00")


def test_the_counts_by_verdict_cover_every_function_on_every_target(
    report_311: FleetReport,
) -> None:
    total = PAGE_FUNCTIONS + 1 + 3

    assert report_311.targets == TARGETS
    assert report_311.status == {"done": total - 1, "failed": 1}
    assert report_311.failures == {"image": 1}
    assert dict(report_311.summaries["python3.11"].verdicts) == {
        "blocked": 0,
        "not-analysed": 1,
        "needs-work": 3,
        "ready": PAGE_FUNCTIONS,
    }
    assert dict(report_311.summaries["python3.12"].verdicts) == {
        "blocked": 2,
        "not-analysed": 1,
        "needs-work": 1,
        "ready": PAGE_FUNCTIONS,
    }


def test_the_counts_by_runtime_split_each_runtime_by_verdict(report_311: FleetReport) -> None:
    assert {
        runtime: dict(counts)
        for runtime, counts in report_311.summaries["python3.12"].by_runtime.items()
    } == {
        "(unknown)": {"blocked": 0, "not-analysed": 1, "needs-work": 0, "ready": 0},
        "python3.8": {"blocked": 0, "not-analysed": 0, "needs-work": 0, "ready": 5},
        "python3.9": {"blocked": 2, "not-analysed": 0, "needs-work": 1, "ready": 48},
    }


def test_functions_are_ordered_blocked_then_unknown_then_busiest_then_soonest(
    report_311: FleetReport, fleet_database: Path
) -> None:
    names = [function.name for function in report_311.functions]

    # On python3.11 nothing is blocked: the image (not analysed) comes first, then the three
    # that need work (lowest score first), then the ready ones, busiest first, then the older
    # runtime (3.8, deprecated first) before 3.9, each by name.
    assert names[:9] == [
        "image-worker",
        "reports-copy",
        "reports-nightly",
        "reports-images",
        "orders-001",
        "orders-000",
        "orders-003",
        "orders-013",
        "orders-023",
    ]
    assert [function.priority for function in report_311.functions] == list(
        range(1, len(names) + 1)
    )

    on_312 = load_fleet(fleet_database, targets=("python3.12",), today=REPORT_DATE)
    assert [function.name for function in on_312.functions][:5] == [
        "reports-copy",
        "reports-nightly",
        "image-worker",
        "reports-images",
        "orders-001",
    ]


def test_each_function_carries_its_facts_and_evidence(report_311: FleetReport) -> None:
    busiest = next(function for function in report_311.functions if function.name == "orders-001")
    old = next(function for function in report_311.functions if function.name == "orders-003")

    assert busiest.invocations == 100
    assert busiest.tags == {"team": "search"}
    assert busiest.state_machines == (
        f"arn:aws:states:{REGION_1}:{ACCOUNT_A}:stateMachine:checkout-flow",
    )
    assert busiest.arn == f"arn:aws:lambda:{REGION_1}:{ACCOUNT_A}:function:orders-001"
    assert busiest.code_sha256 is not None and busiest.scanned_at is not None
    assert (busiest.deprecation, busiest.block_create, busiest.block_update) == (
        "2025-12-15",
        "2027-02-01",
        "2027-03-03",
    )
    assert (busiest.lifecycle, old.lifecycle) == ("supported", "updates blocked")
    assert old.runtime == "python3.8"
    evidence = report_311.evidence
    assert evidence.report_date == "2025-06-01"
    assert evidence.generated_at == "2025-06-01T12:00:00+00:00"
    assert evidence.tool_versions == ("0.1.0",)
    assert len(evidence.catalogue_versions) == 1
    assert evidence.catalogue_versions[0].startswith("rules-")
    assert [run.status for run in evidence.runs] == ["finished"]
    assert len(evidence.deprecated_runtime_functions) == 5
    assert all(
        report_311.function(key).runtime == "python3.8"
        for key in evidence.deprecated_runtime_functions
    )


def test_the_rules_blocking_most_are_counted_per_function(report_311: FleetReport) -> None:
    rules = report_311.summaries["python3.12"].blocking_rules

    assert [(rule.rule_id, rule.functions) for rule in rules] == [("removed-stdlib-module", 2)]
    assert rules[0].example == "distutils was removed in Python 3.12 (deprecated since 3.10)"
    assert report_311.summaries["python3.11"].blocking_rules == ()


def test_grouping_by_a_tag_puts_untagged_functions_together(fleet_database: Path) -> None:
    report = load_fleet(
        fleet_database,
        targets=("python3.12",),
        group_by=GroupBy.parse("tag:team"),
        today=REPORT_DATE,
    )

    assert [(group.name, len(group.function_keys)) for group in report.groups] == [
        ("(no team tag)", PAGE_FUNCTIONS - 2 + 1 + 2),
        ("media", 1),
        ("payments", 1),
        ("search", 1),
    ]
    assert report.groups[0].verdicts["blocked"] == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tag:team", GroupBy(GroupKind.TAG, "team")),
        ("account", GroupBy(GroupKind.ACCOUNT)),
        ("region", GroupBy(GroupKind.REGION)),
    ],
)
def test_group_by_takes_a_tag_account_or_region(text: str, expected: GroupBy) -> None:
    assert GroupBy.parse(text) == expected
    assert str(expected) == text


def test_group_by_refuses_anything_else() -> None:
    with pytest.raises(InputError, match="--group-by takes tag:KEY, account or region, not 'team'"):
        GroupBy.parse("team")


def test_a_target_the_database_does_not_hold_is_refused(fleet_database: Path) -> None:
    with pytest.raises(
        InputError,
        match=re.escape(
            "the database holds no results for python3.13 (it holds: python3.11, python3.12)"
        ),
    ):
        load_fleet(fleet_database, targets=("python3.13",))


# --------------------------------------------------------------------------- pure parts


def function(
    name: str,
    verdict: str | None,
    *,
    blockers: tuple[Blocker, ...] = (),
    invocations: int | None = None,
    runtime: str = "python3.9",
    score: int = 100,
    layers: tuple[str, ...] = (),
) -> FleetFunction:
    """A fleet function as the database would give it, on python3.11."""
    results = {}
    if verdict is not None:
        results["python3.11"] = TargetResult(
            "python3.11", score, verdict, blockers, {}, 0, 1, "2025-01-01T00:00:00+00:00"
        )
    dates = {"python3.8": "2024-10-14", "python3.9": "2025-12-15", "python3.11": "2027-06-30"}
    return FleetFunction(
        key=name,
        name=name,
        arn=None,
        account=None,
        region=None,
        runtime=runtime,
        package_type="Zip",
        architecture="x86_64",
        code_sha256=None,
        content_hash=None,
        analysis_key=None,
        tags={},
        invocations=invocations,
        versions=None,
        aliases=(),
        state_machines=(),
        layers=layers,
        last_modified=None,
        status="done" if verdict else "failed",
        failure_kind=None,
        error=None,
        scanned_at=None,
        tool_version=None,
        catalogue_version=None,
        results=results,
        deprecation=dates[runtime],
        block_create=None,
        block_update=None,
        lifecycle="supported",
    )


def blocker(rule: str, kind: str, name: str, version: str | None = None) -> Blocker:
    return Blocker(rule, None, "blocker", kind, name, version, "x.py", 1, "message", 1)


def test_the_priority_rule_orders_verdict_then_invocations_then_deadline_then_score() -> None:
    functions = [
        function("ready-busy", "ready", invocations=10_000),
        function("unknown", None),
        function("blocked-quiet", "blocked", invocations=1, score=49),
        function("blocked-busy", "blocked", invocations=500, score=20),
        function("blocked-unknown-count", "blocked", score=0),
        function("work-old-runtime", "needs-work", invocations=5, runtime="python3.8"),
        function("work-newer-runtime", "needs-work", invocations=5, runtime="python3.11"),
        function("work-low-score", "needs-work", invocations=5, score=60),
        function("work-high-score", "needs-work", invocations=5, score=90),
    ]

    ordered = prioritise(functions, "python3.11")

    assert [(f.priority, f.name) for f in ordered] == [
        (1, "blocked-busy"),
        (2, "blocked-quiet"),
        (3, "blocked-unknown-count"),
        (4, "unknown"),
        (5, "work-old-runtime"),
        (6, "work-low-score"),
        (7, "work-high-score"),
        (8, "work-newer-runtime"),
        (9, "ready-busy"),
    ]


def test_an_upgrade_unblocks_the_functions_whose_every_blocker_it_holds() -> None:
    layer_arn = "arn:aws:lambda:eu-west-1:123456789012:layer:native-helpers:4"
    functions = [
        function(
            "only-layer",
            "blocked",
            blockers=(blocker("native-abi-mismatch", "layer", "native-helpers"),),
            layers=(layer_arn,),
        ),
        function(
            "layer-and-code",
            "blocked",
            blockers=(
                blocker("native-abi-mismatch", "layer", "native-helpers"),
                blocker("removed-stdlib-module", "function", "function"),
            ),
            layers=(layer_arn,),
        ),
        function(
            "only-pin",
            "blocked",
            blockers=(blocker("dependency-no-wheel", "requirements", "PyYAML", "5.3"),),
        ),
        function(
            "vendored-too",
            "blocked",
            blockers=(blocker("native-abi-mismatch", "vendored", "pyyaml", "5.4"),),
        ),
        function(
            "needs-work-only",
            "needs-work",
            blockers=(),
        ),
    ]

    assert upgrades(functions, "python3.11") == (
        Upgrade(
            "dependency",
            "pyyaml",
            ("5.3", "5.4"),
            unblocks=2,
            affects=2,
            rules=("dependency-no-wheel", "native-abi-mismatch"),
        ),
        Upgrade(
            "layer",
            "native-helpers",
            (layer_arn,),
            unblocks=1,
            affects=2,
            rules=("native-abi-mismatch",),
        ),
    )
    assert [(rule.rule_id, rule.functions) for rule in blocking_rules(functions, "python3.11")] == [
        ("native-abi-mismatch", 3),
        ("dependency-no-wheel", 1),
        ("removed-stdlib-module", 1),
    ]


def test_a_function_not_scanned_for_a_target_has_no_verdict_there() -> None:
    scanned = function("f", "ready")

    assert scanned.verdict("python3.12") == "not-analysed"
    assert replace(scanned, results={}).verdict("python3.11") == "not-analysed"
