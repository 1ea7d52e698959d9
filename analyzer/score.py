"""One readiness score and verdict per function and target, with its breakdown.

How a finding is judged for a target:

1. Whether it fails there: ``broken_on`` names the runtimes where it does (facts that
   are not version ranges: glibc, architecture, wheels); otherwise it fails when the
   target is at or after ``breaks_in``, or before ``requires``.
2. How badly, by where the code is (``Reach``): at import time of a module the handler
   reaches, a **blocker** (cold-start failure); inside a function body, or where reach
   is unknown, **high** (fails when called); in a module nothing imports (a vendored
   library's tests, an unused backend), behind a handled guard, or an optional speed-up
   with a fallback, **info**.
3. A failure that already happens on the function's current runtime is not caused by
   the move: it counts as **low** at most.
4. A finding that does not fail on the target is **medium** when the target already
   deprecates it (it warns now and will break), **low** when it is a removal scheduled
   for a later version, and **info** when it is a later deprecation or behaviour change;
   it is dropped when it no longer applies (``requires`` met).

A finding rated where it was found (a known vulnerability, by its CVSS score: high at
9.0 or more, medium with a fixed release, low without one) keeps that severity.

The score starts at 100 and loses the weight of each distinct problem (one rule, symbol
and component), counted at its worst severity, never below 0. A function with a blocker
or a high finding is ``blocked`` and scores at most 49; one with a medium or low finding
is ``needs-work`` and scores at most 99; otherwise it is ``ready`` and scores 100.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from analyzer.models import Category, Finding, Reach, Runtime, ScoreBreakdown, Severity, Verdict

WEIGHTS: dict[Severity, int] = {
    Severity.BLOCKER: 35,
    Severity.HIGH: 15,
    Severity.MEDIUM: 5,
    Severity.LOW: 1,
    Severity.INFO: 0,
}
VERDICT_CAPS: dict[Verdict, int] = {
    Verdict.NOT_ANALYSED: 49,
    Verdict.BLOCKED: 49,
    Verdict.NEEDS_WORK: 99,
    Verdict.READY: 100,
}
_BROKEN_SEVERITY: dict[Reach, Severity] = {
    Reach.IMPORT: Severity.BLOCKER,
    Reach.PACKAGE: Severity.BLOCKER,
    Reach.CALL: Severity.HIGH,
    Reach.UNKNOWN: Severity.HIGH,
    Reach.UNREACHED: Severity.INFO,
    Reach.GUARDED: Severity.INFO,
}
_LIVE = frozenset({Reach.IMPORT, Reach.PACKAGE, Reach.CALL, Reach.UNKNOWN})
_REMOVALS = frozenset({Category.REMOVED_MODULE, Category.REMOVED_NAME, Category.REMOVED_PARAMETER})


def fails_on(finding: Finding, target: Runtime) -> bool:
    """Whether the code or file behind ``finding`` fails on ``target``."""
    if finding.broken_on is not None:
        return target.name in finding.broken_on
    if finding.breaks_in is not None and target.python >= finding.breaks_in:
        return True
    if finding.requires is not None and target.python < finding.requires:
        return True
    return (
        finding.breaks_in is None and finding.requires is None and (finding.deprecated_in is None)
    )


def severity_for(finding: Finding, target: Runtime) -> Severity | None:
    """How badly ``finding`` hurts the function on ``target``; ``None`` when it does not apply.

    A failure is judged on the target alone: one that already happens on the current runtime
    (a library built for the wrong architecture, a handler that is not there) still stops the
    function on the target, and moving is when it is noticed.
    """
    if finding.severity is not None:
        # Rated where it was found (a vulnerability's CVSS score), for the runtimes it names.
        applies = finding.broken_on is None or target.name in finding.broken_on
        return finding.severity if applies else None
    if fails_on(finding, target):
        if finding.optional:
            return Severity.INFO
        return _BROKEN_SEVERITY[finding.reach]
    if finding.requires is not None or finding.broken_on is not None:
        return None
    deprecated = finding.deprecated_in is not None and target.python >= finding.deprecated_in
    live = finding.reach in _LIVE and not finding.optional
    if deprecated and live:
        return Severity.MEDIUM
    if finding.breaks_in is not None and live and finding.category in _REMOVALS:
        return Severity.LOW
    if deprecated or finding.breaks_in is not None:
        return Severity.INFO
    return None


def judge(findings: Iterable[Finding], target: Runtime) -> list[Finding]:
    """The findings that apply to ``target``, each with its severity there, worst first."""
    judged = []
    for finding in findings:
        severity = severity_for(finding, target)
        if severity is not None:
            judged.append(dataclasses.replace(finding, severity=severity))
    return sorted(judged, key=lambda finding: finding.sort_key)


NOT_ANALYSED_RULE = "not-analysed"
"""The finding of a function whose code could not be read."""


def verdict_of(findings: Iterable[Finding]) -> Verdict:
    """``not-analysed``, ``blocked``, ``needs-work`` or ``ready`` from judged findings."""
    findings = list(findings)
    severities = {finding.severity for finding in findings}
    if any(
        finding.rule_id == NOT_ANALYSED_RULE
        and finding.severity in {Severity.BLOCKER, Severity.HIGH}
        for finding in findings
    ):
        return Verdict.NOT_ANALYSED
    if severities & {Severity.BLOCKER, Severity.HIGH}:
        return Verdict.BLOCKED
    if severities & {Severity.MEDIUM, Severity.LOW}:
        return Verdict.NEEDS_WORK
    return Verdict.READY


def _problem_key(
    finding: Finding, removed_modules: set[tuple[str, str]]
) -> tuple[str, str | None, str]:
    """What makes a finding a distinct problem: its rule, symbol and component; the uses of
    a removed module's members are the one problem of that module (one fix removes both)."""
    component = finding.component.key
    if finding.rule_id == "removed-stdlib-api" and finding.symbol:
        module = finding.symbol
        while "." in module:
            module = module.rsplit(".", 1)[0]
            if (component, module) in removed_modules:
                return ("removed-stdlib-module", module, component)
    return (finding.rule_id, finding.symbol, component)


def score(findings: Iterable[Finding]) -> tuple[int, Verdict, ScoreBreakdown]:
    """The readiness score of judged findings, their verdict, and how the score was reached."""
    findings = list(findings)
    removed_modules = {
        (finding.component.key, finding.symbol)
        for finding in findings
        if finding.rule_id == "removed-stdlib-module" and finding.symbol
    }
    worst: dict[tuple[str, str | None, str], Severity] = {}
    for finding in findings:
        assert finding.severity is not None, "score() takes judged findings"
        key = _problem_key(finding, removed_modules)
        current = worst.get(key)
        if current is None or finding.severity.rank < current.rank:
            worst[key] = finding.severity
    counts = {severity.value: 0 for severity in Severity}
    deductions = {severity.value: 0 for severity in Severity}
    for severity in worst.values():
        counts[severity.value] += 1
        deductions[severity.value] += WEIGHTS[severity]
    verdict = verdict_of(findings)
    value = max(0, 100 - sum(deductions.values()))
    value = min(value, VERDICT_CAPS[verdict])
    return value, verdict, ScoreBreakdown(base=100, deductions=deductions, counts=counts)
