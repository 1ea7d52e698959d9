"""The fleet report: what a batch's results database says of every function, without rescanning.

Functions are listed in priority order. The rule, applied on the primary target:

1. the verdict: ``blocked`` first, then functions not analysed (failed or not yet scanned:
   their verdict is unknown), then ``needs-work``, then ``ready``;
2. then the busiest first: more invocations over the inventory's days first, and a function
   whose invocations are unknown after every function whose count is known;
3. then the soonest deadline first: the date the function's current runtime is deprecated
   (functions without a known runtime, such as container images, last);
4. then the lower score, then the name.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer import __version__
from analyzer.errors import InputError
from analyzer.runtimes import DEFAULT_TARGET, RUNTIMES, lifecycle_stage

FLEET_REPORT_VERSION = 1
"""The version of the fleet report's JSON document; raised when a field changes meaning."""
PRIORITY_RULE = (
    "blocked first, then not analysed, then needs-work, then ready (on the primary target); "
    "within each, the most invocations first (unknown last); then the soonest deprecation "
    "date of the current runtime; then the lowest score; then the name"
)
TOP_BLOCKERS = 3
"""Blocking problems shown beside each function."""
NOT_ANALYSED = "not-analysed"
VERDICT_ORDER = ("blocked", NOT_ANALYSED, "needs-work", "ready")
"""Verdict classes in priority order."""
_NO_DATE = "9999-12-31"


class GroupKind(str, enum.Enum):
    """What ``--group-by`` groups functions by."""

    TAG = "tag"
    ACCOUNT = "account"
    REGION = "region"


@dataclass(frozen=True)
class GroupBy:
    """A grouping: by a tag's value, by account, or by region."""

    kind: GroupKind
    tag: str | None = None

    @classmethod
    def parse(cls, text: str) -> GroupBy:
        """``tag:KEY``, ``account`` or ``region``; ``InputError`` for anything else."""
        if text.startswith("tag:") and len(text) > 4:
            return cls(GroupKind.TAG, text[4:])
        if text in ("account", "region"):
            return cls(GroupKind(text))
        raise InputError(f"--group-by takes tag:KEY, account or region, not {text!r}")

    def __str__(self) -> str:
        return f"tag:{self.tag}" if self.kind is GroupKind.TAG else self.kind.value

    def value_of(self, function: FleetFunction) -> str:
        """The group ``function`` belongs to."""
        if self.kind is GroupKind.TAG:
            assert self.tag is not None
            return function.tags.get(self.tag) or f"(no {self.tag} tag)"
        if self.kind is GroupKind.ACCOUNT:
            return function.account or "(no account: local)"
        return function.region or "(no region: local)"


@dataclass(frozen=True, slots=True)
class Blocker:
    """One distinct problem that blocks a function on a target."""

    rule_id: str
    symbol: str | None
    severity: str
    component_kind: str
    component_name: str
    component_version: str | None
    path: str
    line: int | None
    message: str
    occurrences: int

    @property
    def label(self) -> str:
        """``rule-id (symbol)`` or ``rule-id``."""
        return f"{self.rule_id} ({self.symbol})" if self.symbol else self.rule_id

    @property
    def where(self) -> str:
        """``path:line`` or ``path``."""
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, slots=True)
class TargetResult:
    """A function's readiness for one target, as stored."""

    target: str
    score: int
    verdict: str
    blockers: tuple[Blocker, ...]
    counts: Mapping[str, int]
    errors: int
    files_analysed: int
    analysed_at: str


@dataclass(frozen=True, slots=True)
class FleetFunction:
    """One function of the fleet: identity, inventory facts, status, results per target."""

    key: str
    name: str
    arn: str | None
    account: str | None
    region: str | None
    runtime: str | None
    package_type: str | None
    architecture: str | None
    code_sha256: str | None
    content_hash: str | None
    analysis_key: str | None
    tags: Mapping[str, str]
    invocations: int | None
    versions: int | None
    aliases: tuple[str, ...]
    state_machines: tuple[str, ...]
    layers: tuple[str, ...]
    last_modified: str | None
    status: str
    """``done``, ``failed`` or ``pending``."""
    failure_kind: str | None
    error: str | None
    scanned_at: str | None
    tool_version: str | None
    catalogue_version: str | None
    results: Mapping[str, TargetResult]
    deprecation: str | None
    block_create: str | None
    block_update: str | None
    lifecycle: str | None
    """Where the current runtime stands on the report's date (``supported``, ``deprecated``,
    ``creation blocked``, ``updates blocked``); ``None`` when the runtime is unknown."""
    priority: int = 0
    """1 for the function to fix first."""

    def verdict(self, target: str) -> str:
        """``blocked``, ``needs-work``, ``ready``, or ``not-analysed``."""
        result = self.results.get(target)
        return result.verdict if result is not None else NOT_ANALYSED

    def score(self, target: str) -> int | None:
        result = self.results.get(target)
        return result.score if result is not None else None

    @property
    def on_deprecated_runtime(self) -> bool:
        return self.lifecycle is not None and self.lifecycle != "supported"


@dataclass(frozen=True)
class RuleCount:
    """A rule and the number of functions it blocks on one target."""

    rule_id: str
    functions: int
    example: str
    """The message of one of its findings."""


@dataclass(frozen=True)
class Upgrade:
    """A shared layer or dependency, and the blocked functions that fixing it would help."""

    kind: str
    """``layer`` or ``dependency``."""
    name: str
    versions: tuple[str, ...]
    """Versions of a dependency found blocking; layer version ARNs of a layer."""
    unblocks: int
    """Blocked functions whose every blocking problem is in it: fixed, they are unblocked."""
    affects: int
    """Blocked functions with at least one blocking problem in it."""
    rules: tuple[str, ...]


@dataclass(frozen=True)
class TargetSummary:
    """The fleet on one target: counts, the rules blocking most, the upgrades that help most."""

    target: str
    verdicts: Mapping[str, int]
    """Functions by verdict class, in ``VERDICT_ORDER``."""
    by_runtime: Mapping[str, Mapping[str, int]]
    """Current runtime to functions by verdict class."""
    blocking_rules: tuple[RuleCount, ...]
    upgrades: tuple[Upgrade, ...]


@dataclass(frozen=True)
class RunRecord:
    """One batch run as the database recorded it."""

    run_id: int
    started_at: str
    finished_at: str | None
    status: str
    tool_version: str
    catalogue_version: str | None
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Evidence:
    """What a reviewer needs to trust the report: when, with what, on what."""

    generated_at: str
    report_date: str
    database: str
    first_scan: str | None
    last_scan: str | None
    tool_versions: tuple[str, ...]
    catalogue_versions: tuple[str, ...]
    runs: tuple[RunRecord, ...]
    deprecated_runtime_functions: tuple[str, ...]
    """Keys of the functions whose current runtime is past its deprecation date."""


@dataclass(frozen=True)
class FleetGroup:
    """The functions sharing one tag value, account or region."""

    name: str
    function_keys: tuple[str, ...]
    verdicts: Mapping[str, int]


@dataclass(frozen=True)
class FindingEntry:
    """A finding as the HTML page of a function shows it."""

    rule_id: str
    severity: str
    path: str
    line: int | None
    message: str
    fix: str
    component: str


@dataclass(frozen=True)
class FleetReport:
    """The whole fleet report, the one input of every fleet renderer."""

    evidence: Evidence
    targets: tuple[str, ...]
    primary_target: str
    functions: tuple[FleetFunction, ...]
    """In priority order."""
    summaries: Mapping[str, TargetSummary]
    status: Mapping[str, int]
    """Functions by status: ``done``, ``failed``, ``pending``."""
    failures: Mapping[str, int]
    """Failed functions by kind."""
    group_by: GroupBy | None = None
    groups: tuple[FleetGroup, ...] = ()
    findings: Mapping[str, Mapping[str, tuple[FindingEntry, ...]]] = field(default_factory=dict)
    """Analysis key to target to findings; filled only when asked (the HTML report)."""

    def function(self, key: str) -> FleetFunction:
        return next(function for function in self.functions if function.key == key)


def load_fleet(
    database: Path,
    *,
    targets: Sequence[str] = (),
    primary_target: str | None = None,
    group_by: GroupBy | None = None,
    today: dt.date | None = None,
    generated_at: str | None = None,
    with_findings: bool = False,
) -> FleetReport:
    """The fleet report of ``database``, made by ``lambda-analyzer batch``.

    ``targets`` limits the report to some of the scanned targets (default: all);
    ``primary_target`` orders the functions (default: python3.11 when scanned, else the
    first target). ``today`` dates the runtime lifecycle (default: today, UTC).
    """
    from analyzer.batch import open_database

    if not database.is_file():
        raise InputError(f"{database}: no such results database")
    today = today or dt.datetime.now(dt.timezone.utc).date()
    generated_at = generated_at or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    results_database = open_database(database)
    try:
        connection = results_database.connection
        runs = _runs(connection)
        scanned = _scanned_targets(connection, runs)
        chosen = _chosen_targets(targets, scanned)
        primary = _primary(primary_target, chosen)
        functions = _functions(connection, chosen, today)
        findings = _findings(connection, functions, chosen) if with_findings else {}
    finally:
        results_database.close()

    ordered = prioritise(functions, primary)
    evidence = Evidence(
        generated_at=generated_at,
        report_date=today.isoformat(),
        database=str(database),
        first_scan=min((f.scanned_at for f in ordered if f.scanned_at), default=None),
        last_scan=max((f.scanned_at for f in ordered if f.scanned_at), default=None),
        tool_versions=tuple(sorted({f.tool_version for f in ordered if f.tool_version})),
        catalogue_versions=tuple(
            sorted({f.catalogue_version for f in ordered if f.catalogue_version})
        ),
        runs=runs,
        deprecated_runtime_functions=tuple(f.key for f in ordered if f.on_deprecated_runtime),
    )
    return FleetReport(
        evidence=evidence,
        targets=chosen,
        primary_target=primary,
        functions=ordered,
        summaries={target: summarise(ordered, target) for target in chosen},
        status=dict(Counter(function.status for function in ordered)),
        failures=dict(
            sorted(
                Counter(
                    f.failure_kind or "unknown" for f in ordered if f.status == "failed"
                ).items()
            )
        ),
        group_by=group_by,
        groups=group_functions(ordered, group_by, primary) if group_by else (),
        findings=findings,
    )


def _failures(functions: Iterable[FleetFunction]) -> dict[str, int]:
    kinds = Counter(f.failure_kind or "unknown" for f in functions if f.status == "failed")
    return dict(sorted(kinds.items()))


def _runs(connection: sqlite3.Connection) -> tuple[RunRecord, ...]:
    rows = connection.execute(
        "SELECT id, started_at, finished_at, status, tool_version, catalogue_version, targets "
        "FROM runs ORDER BY id"
    )
    return tuple(
        RunRecord(run_id, started, finished, status, tool, catalogue, tuple(json.loads(targets)))
        for run_id, started, finished, status, tool, catalogue, targets in rows
    )


def _scanned_targets(connection: sqlite3.Connection, runs: Sequence[RunRecord]) -> tuple[str, ...]:
    found = {target for (target,) in connection.execute("SELECT DISTINCT target FROM analyses")}
    found.update(target for run in runs for target in run.targets)
    return tuple(
        sorted(found, key=lambda name: RUNTIMES[name].python if name in RUNTIMES else (9, 9))
    )


def _chosen_targets(asked: Sequence[str], scanned: Sequence[str]) -> tuple[str, ...]:
    if not asked:
        if not scanned:
            return (DEFAULT_TARGET,)
        return tuple(scanned)
    missing = [target for target in asked if target not in scanned]
    if missing:
        known = ", ".join(scanned) or "none"
        raise InputError(
            f"the database holds no results for {', '.join(missing)} (it holds: {known})"
        )
    return tuple(asked)


def _primary(asked: str | None, chosen: Sequence[str]) -> str:
    if asked is not None:
        if asked not in chosen:
            raise InputError(f"{asked} is not among the report's targets ({', '.join(chosen)})")
        return asked
    return DEFAULT_TARGET if DEFAULT_TARGET in chosen else chosen[0]


def _functions(
    connection: sqlite3.Connection, targets: Sequence[str], today: dt.date
) -> list[FleetFunction]:
    results: dict[str, dict[str, TargetResult]] = defaultdict(dict)
    placeholders = ", ".join("?" for _ in targets)
    for row in connection.execute(
        "SELECT analysis_key, target, score, verdict, blockers, counts, errors, files_analysed, "
        f"analysed_at FROM analyses WHERE target IN ({placeholders})",
        tuple(targets),
    ):
        key, target, score, verdict, blockers, counts, errors, files, analysed_at = row
        results[key][target] = TargetResult(
            target=target,
            score=score,
            verdict=verdict,
            blockers=tuple(_blocker(entry) for entry in json.loads(blockers)),
            counts=json.loads(counts),
            errors=errors,
            files_analysed=files,
            analysed_at=analysed_at,
        )
    functions = []
    for row in connection.execute(
        "SELECT key, name, arn, account, region, runtime, package_type, architecture, "
        "code_sha256, content_hash, analysis_key, tags, invocations, versions, aliases, "
        "state_machines, layers, last_modified, status, failure_kind, error, scanned_at, "
        "tool_version, catalogue_version, targets FROM functions"
    ):
        (
            key,
            name,
            arn,
            account,
            region,
            runtime,
            package_type,
            architecture,
            code_sha256,
            content_hash,
            analysis_key,
            tags,
            invocations,
            versions,
            aliases,
            state_machines,
            layers,
            last_modified,
            status,
            failure_kind,
            error,
            scanned_at,
            tool_version,
            catalogue_version,
            scanned_targets,
        ) = row
        known = RUNTIMES.get(runtime or "")
        function_results = {}
        if status == "done" and analysis_key:
            covered = set(json.loads(scanned_targets or "[]"))
            function_results = {
                target: result
                for target, result in results.get(analysis_key, {}).items()
                if target in covered
            }
        functions.append(
            FleetFunction(
                key=key,
                name=name,
                arn=arn,
                account=account,
                region=region,
                runtime=runtime,
                package_type=package_type,
                architecture=architecture,
                code_sha256=code_sha256,
                content_hash=content_hash,
                analysis_key=analysis_key,
                tags=json.loads(tags or "{}"),
                invocations=invocations,
                versions=versions,
                aliases=tuple(json.loads(aliases or "[]")),
                state_machines=tuple(json.loads(state_machines or "[]")),
                layers=tuple(json.loads(layers or "[]")),
                last_modified=last_modified,
                status=status,
                failure_kind=failure_kind,
                error=error,
                scanned_at=scanned_at,
                tool_version=tool_version,
                catalogue_version=catalogue_version,
                results=function_results,
                deprecation=known.deprecation if known else None,
                block_create=known.block_create if known else None,
                block_update=known.block_update if known else None,
                lifecycle=lifecycle_stage(known, today) if known else None,
            )
        )
    return functions


def _blocker(entry: Mapping[str, Any]) -> Blocker:
    component = entry.get("component") or {}
    return Blocker(
        rule_id=entry["rule_id"],
        symbol=entry.get("symbol"),
        severity=entry.get("severity") or "",
        component_kind=component.get("kind", ""),
        component_name=component.get("name", ""),
        component_version=component.get("version"),
        path=entry.get("path", ""),
        line=entry.get("line"),
        message=entry.get("message", ""),
        occurrences=int(entry.get("occurrences", 1)),
    )


def _findings(
    connection: sqlite3.Connection, functions: Sequence[FleetFunction], targets: Sequence[str]
) -> dict[str, dict[str, tuple[FindingEntry, ...]]]:
    from analyzer.batch import decode_report

    keys = sorted({function.analysis_key for function in functions if function.analysis_key})
    findings: dict[str, dict[str, tuple[FindingEntry, ...]]] = defaultdict(dict)
    for key in keys:
        for target, blob in connection.execute(
            "SELECT target, report FROM analyses WHERE analysis_key = ?", (key,)
        ):
            if target not in targets:
                continue
            report = decode_report(blob)
            findings[key][target] = tuple(
                FindingEntry(
                    rule_id=finding.rule_id,
                    severity=finding.severity.value if finding.severity else "unrated",
                    path=finding.location.path,
                    line=finding.location.line,
                    message=finding.message,
                    fix=finding.fix,
                    component=str(finding.component),
                )
                for finding in report.findings
            )
    return dict(findings)


# --------------------------------------------------------------------------- queries


def priority_key(function: FleetFunction, target: str) -> tuple[Any, ...]:
    """The sort key of the priority rule (see the module's docstring)."""
    verdict = function.verdict(target)
    invocations = function.invocations if function.invocations is not None else -1
    score = function.score(target)
    return (
        VERDICT_ORDER.index(verdict),
        -invocations,
        function.deprecation or _NO_DATE,
        score if score is not None else 101,
        function.name,
        function.key,
    )


def prioritise(functions: Iterable[FleetFunction], target: str) -> tuple[FleetFunction, ...]:
    """``functions`` in priority order on ``target``, each with its rank."""
    from dataclasses import replace

    ordered = sorted(functions, key=lambda function: priority_key(function, target))
    return tuple(replace(function, priority=rank) for rank, function in enumerate(ordered, 1))


def verdict_counts(functions: Iterable[FleetFunction], target: str) -> dict[str, int]:
    """Functions by verdict class on ``target``, every class present, in priority order."""
    counts = Counter(function.verdict(target) for function in functions)
    return {verdict: counts.get(verdict, 0) for verdict in VERDICT_ORDER}


def summarise(functions: Sequence[FleetFunction], target: str) -> TargetSummary:
    """Counts, blocking rules and upgrades of the fleet on ``target``."""
    by_runtime: dict[str, Counter[str]] = defaultdict(Counter)
    for function in functions:
        by_runtime[function.runtime or "(unknown)"][function.verdict(target)] += 1
    return TargetSummary(
        target=target,
        verdicts=verdict_counts(functions, target),
        by_runtime={
            runtime: {verdict: counts.get(verdict, 0) for verdict in VERDICT_ORDER}
            for runtime, counts in sorted(by_runtime.items())
        },
        blocking_rules=blocking_rules(functions, target),
        upgrades=upgrades(functions, target),
    )


def blocking_rules(functions: Iterable[FleetFunction], target: str) -> tuple[RuleCount, ...]:
    """Rules by the number of functions they block on ``target``, most first."""
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for function in functions:
        result = function.results.get(target)
        if result is None:
            continue
        for rule_id in {blocker.rule_id for blocker in result.blockers}:
            counts[rule_id] += 1
        for blocker in result.blockers:
            examples.setdefault(blocker.rule_id, blocker.message)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(RuleCount(rule_id, count, examples[rule_id]) for rule_id, count in ranked)


def _source_of(blocker: Blocker) -> tuple[str, str] | None:
    """The shared part a blocking problem lies in: a layer, or a dependency by project."""
    if blocker.component_kind == "layer":
        return ("layer", blocker.component_name)
    if blocker.component_kind in ("vendored", "requirements") and blocker.component_name:
        return ("dependency", _normalise(blocker.component_name))
    return None


def _normalise(project: str) -> str:
    return "-".join(part for part in project.lower().replace("_", "-").replace(".", "-").split("-"))


def upgrades(functions: Iterable[FleetFunction], target: str) -> tuple[Upgrade, ...]:
    """Layers and dependencies by how many blocked functions fixing them would unblock."""
    unblocks: Counter[tuple[str, str]] = Counter()
    affects: Counter[tuple[str, str]] = Counter()
    versions: dict[tuple[str, str], set[str]] = defaultdict(set)
    rules: dict[tuple[str, str], set[str]] = defaultdict(set)
    for function in functions:
        result = function.results.get(target)
        if result is None or result.verdict != "blocked" or not result.blockers:
            continue
        sources = [_source_of(blocker) for blocker in result.blockers]
        for source, blocker in zip(sources, result.blockers, strict=True):
            if source is None:
                continue
            rules[source].add(blocker.rule_id)
            if source[0] == "dependency" and blocker.component_version:
                versions[source].add(blocker.component_version)
            if source[0] == "layer":
                versions[source].update(
                    arn for arn in function.layers if f":layer:{source[1]}:" in arn
                )
        for source in set(sources) - {None}:
            assert source is not None
            affects[source] += 1
            if all(other == source for other in sources):
                unblocks[source] += 1
    ranked = sorted(affects, key=lambda source: (-unblocks[source], -affects[source], source))
    return tuple(
        Upgrade(
            kind=source[0],
            name=source[1],
            versions=tuple(sorted(versions[source])),
            unblocks=unblocks[source],
            affects=affects[source],
            rules=tuple(sorted(rules[source])),
        )
        for source in ranked
    )


def group_functions(
    functions: Sequence[FleetFunction], group_by: GroupBy, target: str
) -> tuple[FleetGroup, ...]:
    """Functions by group, in priority order within each; groups with the most blocked
    functions first, then by name."""
    members: dict[str, list[FleetFunction]] = defaultdict(list)
    for function in functions:
        members[group_by.value_of(function)].append(function)
    groups = [
        FleetGroup(
            name=name,
            function_keys=tuple(function.key for function in group),
            verdicts=verdict_counts(group, target),
        )
        for name, group in members.items()
    ]
    return tuple(sorted(groups, key=lambda group: (-group.verdicts["blocked"], group.name)))


# --------------------------------------------------------------------------- the JSON form


def fleet_document(report: FleetReport, *, with_functions: bool = True) -> dict[str, Any]:
    """The fleet report as a JSON-ready document (``fleet_report_version`` 1); without its
    ``functions`` list when asked, for a caller that writes them one by one
    (``function_entries``)."""
    evidence = report.evidence
    return {
        "fleet_report_version": FLEET_REPORT_VERSION,
        "tool": {"name": "lambda-analyzer", "version": __version__},
        "generated_at": evidence.generated_at,
        "evidence": {
            "report_date": evidence.report_date,
            "database": evidence.database,
            "first_scan": evidence.first_scan,
            "last_scan": evidence.last_scan,
            "tool_versions": list(evidence.tool_versions),
            "catalogue_versions": list(evidence.catalogue_versions),
            "runs": [
                {
                    "id": run.run_id,
                    "started_at": run.started_at,
                    "finished_at": run.finished_at,
                    "status": run.status,
                    "tool_version": run.tool_version,
                    "catalogue_version": run.catalogue_version,
                    "targets": list(run.targets),
                }
                for run in evidence.runs
            ],
            "deprecated_runtime_functions": [
                {
                    "key": function.key,
                    "name": function.name,
                    "runtime": function.runtime,
                    "lifecycle": function.lifecycle,
                    "deprecation": function.deprecation,
                }
                for function in report.functions
                if function.on_deprecated_runtime
            ],
        },
        "targets": list(report.targets),
        "primary_target": report.primary_target,
        "priority_rule": PRIORITY_RULE,
        "status": dict(report.status),
        "failures": dict(report.failures),
        "summaries": {
            target: {
                "verdicts": dict(summary.verdicts),
                "by_runtime": {name: dict(counts) for name, counts in summary.by_runtime.items()},
                "blocking_rules": [
                    {"rule_id": rule.rule_id, "functions": rule.functions, "example": rule.example}
                    for rule in summary.blocking_rules
                ],
                "upgrades": [
                    {
                        "kind": upgrade.kind,
                        "name": upgrade.name,
                        "versions": list(upgrade.versions),
                        "unblocks": upgrade.unblocks,
                        "affects": upgrade.affects,
                        "rules": list(upgrade.rules),
                    }
                    for upgrade in summary.upgrades
                ],
            }
            for target, summary in report.summaries.items()
        },
        "group_by": str(report.group_by) if report.group_by else None,
        "groups": [
            {"name": group.name, "functions": list(group.function_keys), "verdicts": group.verdicts}
            for group in report.groups
        ],
        **({"functions": list(function_entries(report))} if with_functions else {}),
    }


def function_entries(report: FleetReport) -> Iterator[dict[str, Any]]:
    """The ``functions`` of the JSON document, in priority order, made one at a time."""
    for function in report.functions:
        yield _function_entry(function, report.targets)


def _function_entry(function: FleetFunction, targets: Sequence[str]) -> dict[str, Any]:
    return {
        "priority": function.priority,
        "key": function.key,
        "name": function.name,
        "arn": function.arn,
        "account": function.account,
        "region": function.region,
        "runtime": function.runtime,
        "package_type": function.package_type,
        "architecture": function.architecture,
        "code_sha256": function.code_sha256,
        "content_hash": function.content_hash,
        "tags": dict(function.tags),
        "invocations": function.invocations,
        "versions": function.versions,
        "aliases": list(function.aliases),
        "state_machines": list(function.state_machines),
        "layers": list(function.layers),
        "last_modified": function.last_modified,
        "status": function.status,
        "failure_kind": function.failure_kind,
        "error": function.error,
        "scanned_at": function.scanned_at,
        "tool_version": function.tool_version,
        "catalogue_version": function.catalogue_version,
        "runtime_dates": {
            "deprecation": function.deprecation,
            "block_create": function.block_create,
            "block_update": function.block_update,
            "lifecycle": function.lifecycle,
        },
        "results": {
            target: {
                "score": result.score,
                "verdict": result.verdict,
                "counts": dict(result.counts),
                "analysis_errors": result.errors,
                "top_blockers": [
                    {
                        "rule_id": blocker.rule_id,
                        "symbol": blocker.symbol,
                        "severity": blocker.severity,
                        "component": f"{blocker.component_kind}:{blocker.component_name}",
                        "path": blocker.path,
                        "line": blocker.line,
                        "message": blocker.message,
                    }
                    for blocker in result.blockers[:TOP_BLOCKERS]
                ],
            }
            for target in targets
            if (result := function.results.get(target)) is not None
        },
    }
