"""Score the analyser on the measured deployment packages of ``shared/packages``.

Each set there holds pinned requirements, a handler, and ``truth.json``: whether the package,
built for python3.9, really imports on 3.10 to 3.13, and where the first failure happened. This
script builds every set with the set folder's own ``build.py`` (into a cache, so reruns are
fast), scans the built folder (handler ``lambda_function.lambda_handler``, source python3.9, no
dependency check), and scores the scan as the set folder's README says:

- per target, a set is **predicted broken** when the report has at least one ``blocker``;
- precision and recall per target;
- for true positives, a blocker is **located** when its path is the failing frame's path or the
  culprit file, and **exact** when it is at the failing frame's path and line;
- ``cause %``: true positives with a located blocker whose kind matches the recorded cause.

It needs the package index to build a set the first time: it is a benchmark, not a test.

    python benchmarks/packages_score.py [--packages DIR] [--cache DIR] [--python PYTHON3.9]
        [--sets a,b] [--verbose] [--json FILE]

It exits 1 when a target misses recall 0.95, precision 0.95, or 80% located true positives.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer.models import Finding, FunctionReport, Severity
from analyzer.pipeline import ScanRequest, scan_target

DEFAULT_PACKAGES = Path(__file__).resolve().parents[2] / "shared" / "packages"
DEFAULT_CACHE = Path.home() / ".cache" / "lambda-analyzer-bench"
TARGETS = ("3.10", "3.11", "3.12", "3.13")
HANDLER = "lambda_function.lambda_handler"
SOURCE_RUNTIME = "python3.9"
MIN_PRECISION = 0.95
MIN_RECALL = 0.95
MIN_LOCATED = 0.80

# The cause each rule id stands for; the legacy import hook is a removed API with its own symbol.
CAUSE_OF_RULE = {
    "native-abi-mismatch": "c-extension-abi",
    "removed-stdlib-module": "removed-stdlib-module",
    "removed-stdlib-api": "removed-stdlib-name",
}
LEGACY_HOOK_SYMBOL = "importlib.abc.MetaPathFinder.find_module"


@dataclass(frozen=True)
class Failure:
    """Where a set's import really failed on one version (``truth.json``)."""

    frame_path: str
    frame_line: int | None
    culprit: str
    cause: str


@dataclass
class Outcome:
    """One set on one target: the truth, and the blockers the analyser reported."""

    set_name: str
    target: str
    broken: bool
    failure: Failure | None
    blockers: tuple[Finding, ...]

    @property
    def predicted(self) -> bool:
        return bool(self.blockers)

    def located(self) -> list[Finding]:
        """Blockers at the failing frame's file or at the culprit file."""
        if self.failure is None:
            return []
        places = {self.failure.frame_path, self.failure.culprit}
        return [finding for finding in self.blockers if finding.location.path in places]

    def exact(self) -> bool:
        failure = self.failure
        return failure is not None and any(
            finding.location.path == failure.frame_path
            and finding.location.line == failure.frame_line
            for finding in self.blockers
        )

    def cause_matched(self) -> bool:
        failure = self.failure
        return failure is not None and any(
            cause_of(finding) == failure.cause for finding in self.located()
        )


@dataclass
class TargetScore:
    """Counts of one target."""

    target: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    located: int = 0
    exact: int = 0
    cause: int = 0
    misses: list[Outcome] = field(default_factory=list)
    false_alarms: list[Outcome] = field(default_factory=list)
    unlocated: list[Outcome] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        if outcome.broken and outcome.predicted:
            self.tp += 1
            if outcome.located():
                self.located += 1
            else:
                self.unlocated.append(outcome)
            self.exact += outcome.exact()
            self.cause += outcome.cause_matched()
        elif outcome.broken:
            self.fn += 1
            self.misses.append(outcome)
        elif outcome.predicted:
            self.fp += 1
            self.false_alarms.append(outcome)
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def rate(self, count: int) -> float:
        return count / self.tp if self.tp else 1.0

    @property
    def passed(self) -> bool:
        return (
            self.precision >= MIN_PRECISION
            and self.recall >= MIN_RECALL
            and self.rate(self.located) >= MIN_LOCATED
        )


def cause_of(finding: Finding) -> str:
    """The ``truth.json`` cause a finding stands for."""
    if finding.symbol == LEGACY_HOOK_SYMBOL:
        return "legacy-import-hook"
    return CAUSE_OF_RULE.get(finding.rule_id, "other")


def set_folders(packages: Path, only: set[str] | None) -> list[Path]:
    """The set folders under ``packages``, by name."""
    folders = [
        folder
        for folder in sorted(packages.iterdir())
        if (folder / "requirements.txt").is_file() and (folder / "truth.json").is_file()
    ]
    if only:
        unknown = only - {folder.name for folder in folders}
        if unknown:
            raise SystemExit(f"unknown sets: {', '.join(sorted(unknown))}")
        folders = [folder for folder in folders if folder.name in only]
    return folders


def _fingerprint(set_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in ("requirements.txt", "lambda_function.py"):
        path = set_dir / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


def build_set(set_dir: Path, cache: Path, python: str, rebuild: bool) -> Path:
    """The built package of ``set_dir``, built now unless the cache holds an up-to-date one."""
    out_dir = cache / "packages" / set_dir.name
    stamp = cache / "stamps" / set_dir.name
    fingerprint = _fingerprint(set_dir)
    if not rebuild and stamp.is_file() and stamp.read_text() == fingerprint:
        return out_dir
    command = [
        sys.executable,
        str(set_dir.parent / "build.py"),
        str(set_dir),
        str(out_dir),
        "--cache",
        str(cache / "wheels"),
        "--python",
        python,
    ]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise SystemExit(
            f"{set_dir.name}: build failed\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}"
        )
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint)
    return out_dir


def read_truth(set_dir: Path) -> dict[str, Failure | None]:
    """For each target version, the recorded failure, or ``None`` when the import worked."""
    truth = json.loads((set_dir / "truth.json").read_text())
    outcome: dict[str, Failure | None] = {}
    for version in TARGETS:
        result = truth["results"][version]
        if result["ok"]:
            outcome[version] = None
            continue
        exception = result["exception"]
        outcome[version] = Failure(
            frame_path=exception["frame"]["path"],
            frame_line=exception["frame"].get("line"),
            culprit=exception.get("culprit") or exception["frame"]["path"],
            cause=exception.get("cause", "other"),
        )
    return outcome


def analyse_set(package: Path) -> dict[str, FunctionReport]:
    """The analyser's reports on the built package, by target version."""
    request = ScanRequest(
        target=str(package),
        target_runtimes=tuple(f"python{version}" for version in TARGETS),
        source_runtime=SOURCE_RUNTIME,
        handler=HANDLER,
        check_dependencies=False,
        vulnerabilities=False,
        use_cache=False,
    )
    reports = scan_target(request)
    return {report.target.version_text: report for report in reports}


def _describe(finding: Finding) -> str:
    chain = " > ".join(finding.import_chain)
    via = f"  [{chain}]" if chain else ""
    return f"{finding.location} {finding.rule_id} {finding.symbol or ''}{via}"


def _failure_text(failure: Failure | None) -> str:
    if failure is None:
        return "imports fine"
    return (
        f"{failure.cause} at {failure.frame_path}:{failure.frame_line} (culprit {failure.culprit})"
    )


def print_table(scores: list[TargetScore]) -> None:
    header = (
        f"{'target':<8}{'tp':>4}{'fp':>4}{'fn':>4}{'tn':>4}{'precision':>11}{'recall':>8}"
        f"{'located %':>11}{'exact %':>9}{'cause %':>9}  verdict"
    )
    print(header)
    print("-" * len(header))
    for score in scores:
        print(
            f"{score.target:<8}{score.tp:>4}{score.fp:>4}{score.fn:>4}{score.tn:>4}"
            f"{score.precision:>11.3f}{score.recall:>8.3f}"
            f"{100 * score.rate(score.located):>11.1f}{100 * score.rate(score.exact):>9.1f}"
            f"{100 * score.rate(score.cause):>9.1f}  {'pass' if score.passed else 'FAIL'}"
        )


def print_details(scores: list[TargetScore]) -> None:
    for score in scores:
        for title, outcomes in (
            ("miss", score.misses),
            ("false alarm", score.false_alarms),
            ("not located", score.unlocated),
        ):
            for outcome in outcomes:
                truth = _failure_text(outcome.failure)
                print(f"\n{score.target} {title}: {outcome.set_name}: {truth}")
                for finding in outcome.blockers:
                    print(f"    blocker {_describe(finding)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=Path, default=DEFAULT_PACKAGES)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument(
        "--python",
        default=os.environ.get("BENCH_PYTHON39", "python3.9"),
        help="the Python 3.9 whose pip builds the sets",
    )
    parser.add_argument("--sets", default="", help="comma-separated set names (default: all)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild even when cached")
    parser.add_argument("--verbose", action="store_true", help="show each miss and false alarm")
    parser.add_argument("--json", type=Path, help="write every set's blockers per target here")
    arguments = parser.parse_args()

    only = {name for name in arguments.sets.split(",") if name} or None
    scores = [TargetScore(version) for version in TARGETS]
    dump: dict[str, dict[str, list[str]]] = {}
    started = time.perf_counter()
    for set_dir in set_folders(arguments.packages, only):
        package = build_set(set_dir, arguments.cache, arguments.python, arguments.rebuild)
        truth = read_truth(set_dir)
        reports = analyse_set(package)
        dump[set_dir.name] = {}
        for score in scores:
            report = reports[score.target]
            blockers = tuple(
                finding for finding in report.findings if finding.severity is Severity.BLOCKER
            )
            failure = truth[score.target]
            score.add(Outcome(set_dir.name, score.target, failure is not None, failure, blockers))
            dump[set_dir.name][score.target] = [_describe(finding) for finding in blockers]
    elapsed = time.perf_counter() - started

    print_table(scores)
    print(f"\n{len(dump)} sets in {elapsed:.1f} s")
    if arguments.verbose:
        print_details(scores)
    if arguments.json is not None:
        arguments.json.write_text(json.dumps(dump, indent=2, sort_keys=True))
    return 0 if all(score.passed for score in scores) else 1


if __name__ == "__main__":
    sys.exit(main())
