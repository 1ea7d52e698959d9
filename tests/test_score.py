"""The score's documented properties, on findings built for each case."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from analyzer.models import (
    Category,
    Component,
    ComponentKind,
    Finding,
    Location,
    Reach,
    Severity,
    Verdict,
)
from analyzer.runtimes import get_runtime
from analyzer.score import WEIGHTS, judge, score, severity_for

PY39, PY311, PY312, PY313 = (get_runtime(f"python3.{minor}") for minor in (9, 11, 12, 13))


def finding(**changes: object) -> Finding:
    base = Finding(
        rule_id="removed-stdlib-module",
        category=Category.REMOVED_MODULE,
        message="imp was removed in Python 3.12",
        location=Location("app.py", 3, 1),
        fix="use importlib",
        symbol="imp",
        breaks_in=(3, 12),
        deprecated_in=(3, 4),
        reach=Reach.IMPORT,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("reach", "expected"),
    [
        (Reach.IMPORT, Severity.BLOCKER),
        (Reach.PACKAGE, Severity.BLOCKER),
        (Reach.CALL, Severity.HIGH),
        (Reach.UNKNOWN, Severity.HIGH),
        (Reach.UNREACHED, Severity.INFO),
        (Reach.GUARDED, Severity.INFO),
    ],
)
def test_a_break_on_the_target_is_as_severe_as_its_reach(reach: Reach, expected: Severity) -> None:
    assert severity_for(finding(reach=reach), PY312) is expected


def test_a_deprecation_the_target_warns_about_is_medium() -> None:
    assert severity_for(finding(), PY311) is Severity.MEDIUM


def test_a_removal_scheduled_after_the_target_is_low_before_it_warns() -> None:
    cgi = finding(symbol="cgi", breaks_in=(3, 13), deprecated_in=(3, 11))
    assert severity_for(cgi, get_runtime("python3.10")) is Severity.LOW


def test_a_later_behaviour_deprecation_is_info() -> None:
    loop = finding(
        rule_id="deprecated-api",
        category=Category.DEPRECATED,
        breaks_in=(3, 14),
        deprecated_in=(3, 12),
    )
    assert severity_for(loop, PY311) is Severity.INFO
    assert severity_for(loop, PY312) is Severity.MEDIUM


def test_code_needing_a_newer_python_applies_only_below_it() -> None:
    tomllib = finding(
        rule_id="needs-newer-stdlib",
        category=Category.NEEDS_NEWER_STDLIB,
        breaks_in=None,
        deprecated_in=None,
        requires=(3, 11),
    )
    assert severity_for(tomllib, get_runtime("python3.10")) is Severity.BLOCKER
    assert severity_for(tomllib, PY311) is None


def test_broken_on_names_the_runtimes_that_fail() -> None:
    glibc = finding(breaks_in=None, deprecated_in=None, broken_on=("python3.11",))
    assert severity_for(glibc, PY311) is Severity.BLOCKER
    assert severity_for(glibc, PY312) is None


def test_a_failure_on_every_version_is_judged_by_its_reach_on_the_target() -> None:
    missing = finding(breaks_in=None, deprecated_in=None, reach=Reach.IMPORT)
    assert severity_for(missing, PY39) is Severity.BLOCKER
    assert severity_for(missing, PY312) is Severity.BLOCKER
    in_a_body = finding(breaks_in=None, deprecated_in=None, reach=Reach.CALL)
    assert severity_for(in_a_body, PY312) is Severity.HIGH


def test_an_optional_speedup_is_info() -> None:
    assert severity_for(finding(optional=True), PY312) is Severity.INFO


def test_a_clean_package_scores_100_and_is_ready() -> None:
    assert score([])[:2] == (100, Verdict.READY)


def test_a_blocker_always_means_blocked() -> None:
    judged = judge([finding()], PY312)
    value, verdict, breakdown = score(judged)
    assert (value, verdict) == (49, Verdict.BLOCKED)
    assert breakdown.counts["blocker"] == 1
    assert breakdown.deductions["blocker"] == WEIGHTS[Severity.BLOCKER]


def test_a_medium_finding_means_needs_work_and_loses_its_weight() -> None:
    value, verdict, breakdown = score(judge([finding()], PY311))
    assert (value, verdict) == (95, Verdict.NEEDS_WORK)
    assert breakdown.deductions == {"blocker": 0, "high": 0, "medium": 5, "low": 0, "info": 0}


def test_the_same_problem_in_many_files_counts_once() -> None:
    copies = [finding(location=Location(f"lib/m{n}.py", 1, 1)) for n in range(10)]
    assert score(judge(copies, PY311))[0] == 95


def test_adding_a_finding_never_raises_the_score() -> None:
    pool = [
        finding(),
        finding(symbol="asyncore", reach=Reach.CALL),
        finding(symbol="cgi", breaks_in=(3, 13), deprecated_in=(3, 11)),
        finding(symbol="x", reach=Reach.GUARDED),
        finding(
            symbol="y",
            rule_id="deprecated-api",
            category=Category.DEPRECATED,
            breaks_in=None,
            deprecated_in=(3, 12),
        ),
    ]
    for target in (PY311, PY312, PY313):
        for size in range(len(pool)):
            for subset in itertools.combinations(pool, size):
                for extra in pool:
                    before = score(judge(subset, target))[0]
                    after = score(judge([*subset, extra], target))[0]
                    assert after <= before


def test_uses_of_a_removed_modules_members_are_that_modules_one_problem() -> None:
    module = finding()
    member = finding(
        rule_id="removed-stdlib-api",
        category=Category.REMOVED_NAME,
        symbol="imp.reload",
        location=Location("app.py", 9, 5),
        reach=Reach.CALL,
    )
    elsewhere = dataclasses.replace(
        member, component=Component(ComponentKind.VENDORED, "legacy", "1.0")
    )

    together = score(judge([module, member], PY312))
    apart = score(judge([module, elsewhere], PY312))

    assert (together[0], together[2].counts["blocker"], together[2].counts["high"]) == (49, 1, 0)
    assert (apart[0], apart[2].counts["blocker"], apart[2].counts["high"]) == (49, 1, 1)
    assert (together[2].deductions, apart[2].deductions["high"]) == (
        {"blocker": 35, "high": 0, "medium": 0, "low": 0, "info": 0},
        15,
    )
