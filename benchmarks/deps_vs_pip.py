"""Does the deps stage agree with pip on whether a requirement set installs from wheels?

For every ``requirements.txt`` under the packages folder (default: ``../shared/packages``) and
every target python3.10..python3.13 on x86_64 and arm64, this asks the analyzer
(``check_dependencies``) and pip's own resolver
(``pip install --dry-run --only-binary=:all: --python-version --platform --implementation
--abi``) against the same configured index, then prints the agreement and the run times.

It needs the real package index: it is a benchmark, not a test.

    python benchmarks/deps_vs_pip.py [--packages DIR] [--targets 3.10,3.11] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer.deps import DependencyOptions, check_dependencies, clear_run_cache
from analyzer.runtimes import get_runtime

DEFAULT_PACKAGES = Path(__file__).resolve().parents[2] / "shared" / "packages"
ARCHITECTURES = {"x86_64": "x86_64", "arm64": "aarch64"}
# Legacy manylinux names pip expands on its own (manylinux2014 admits 2010 and 1 on x86_64);
# PEP 600 names it does not expand, so every glibc minor is passed.
FIRST_GLIBC_MINOR = {"x86_64": 5, "aarch64": 17}


@dataclass
class Case:
    """One requirement set on one target and architecture."""

    set_name: str
    requirements: Path
    target: str
    architecture: str
    tool: bool | None = None
    tool_detail: str = ""
    pip: bool | None = None
    pip_detail: str = ""
    pip_versions: dict[str, str] | None = None
    tool_versions: dict[str, str] | None = None


def pip_platforms(glibc: tuple[int, int], machine: str) -> list[str]:
    """``--platform`` values for a manylinux system with ``glibc`` on ``machine``."""
    platforms = [
        f"manylinux_{glibc[0]}_{minor}_{machine}"
        for minor in range(glibc[1], FIRST_GLIBC_MINOR[machine] - 1, -1)
    ]
    platforms.append(f"manylinux2014_{machine}")
    return platforms


def run_pip(case: Case) -> float:
    """pip's verdict for ``case``; returns the seconds pip took."""
    runtime = get_runtime(case.target)
    major, minor = runtime.python
    machine = ARCHITECTURES[case.architecture]
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--only-binary=:all:",
            "--python-version",
            f"{major}.{minor}",
            "--implementation",
            "cp",
            "--abi",
            f"cp{major}{minor}",
            "--target",
            str(Path(scratch) / "target"),
            "--report",
            str(report),
            "-r",
            str(case.requirements),
        ]
        for platform in pip_platforms(runtime.glibc, machine):
            command += ["--platform", platform]
        started = time.perf_counter()
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        case.pip = completed.returncode == 0
        lines = [line for line in completed.stderr.splitlines() if line.strip()]
        case.pip_detail = lines[-1] if lines else ""
        if case.pip and report.is_file():
            installed = json.loads(report.read_text()).get("install", [])
            case.pip_versions = {
                item["metadata"]["name"].lower().replace("_", "-"): item["metadata"]["version"]
                for item in installed
            }
    return elapsed


def run_tool(set_dir: Path, cases: list[Case], architecture: str) -> float:
    """The analyzer's verdicts for every target of one set; returns the seconds taken."""
    options = DependencyOptions(use_cache=False, vulnerabilities=False, include_vendored=False)
    targets = [get_runtime(case.target) for case in cases]
    started = time.perf_counter()
    result = check_dependencies(set_dir, targets, architecture, options)
    elapsed = time.perf_counter() - started
    for case in cases:
        case.tool = result.installs_from_wheels(case.target)
        verdicts = result.verdicts.get(case.target, ())
        case.tool_detail = "; ".join(
            verdict.conflict or "" for verdict in verdicts if verdict.conflict
        ) or "; ".join(error.message for error in result.errors)
        case.tool_versions = {
            name: version for verdict in verdicts for name, version in verdict.resolved
        }
    return elapsed


def main() -> int:
    """Run every case, print disagreements, agreement and the time ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=Path, default=DEFAULT_PACKAGES)
    parser.add_argument("--targets", default="3.10,3.11,3.12,3.13")
    parser.add_argument("--architectures", default="x86_64,arm64")
    parser.add_argument("--limit", type=int, default=0, help="only the first N sets")
    arguments = parser.parse_args()

    targets = [f"python{text.strip()}" for text in arguments.targets.split(",")]
    architectures = [text.strip() for text in arguments.architectures.split(",")]
    set_dirs = sorted(path.parent for path in arguments.packages.glob("*/requirements.txt"))
    if arguments.limit:
        set_dirs = set_dirs[: arguments.limit]

    clear_run_cache()
    cases: list[Case] = []
    tool_seconds = 0.0
    for set_dir in set_dirs:
        for architecture in architectures:
            group = [
                Case(set_dir.name, set_dir / "requirements.txt", target, architecture)
                for target in targets
            ]
            tool_seconds += run_tool(set_dir, group, architecture)
            cases.extend(group)

    pip_seconds = 0.0
    with ThreadPoolExecutor(max_workers=1) as pool:
        pip_seconds = sum(pool.map(run_pip, cases))

    agreed = 0
    same_versions = 0
    both_install = 0
    for case in cases:
        if case.tool == case.pip:
            agreed += 1
        else:
            print(
                f"DISAGREE {case.set_name} {case.target} {case.architecture}: "
                f"tool={case.tool} ({case.tool_detail}) pip={case.pip} ({case.pip_detail})"
            )
        if case.tool and case.pip:
            both_install += 1
            if case.tool_versions == case.pip_versions:
                same_versions += 1
    installs = sum(1 for case in cases if case.pip)
    print(
        f"sets: {len(set_dirs)}, cases: {len(cases)} (targets {', '.join(targets)}; "
        f"architectures {', '.join(architectures)})"
    )
    print(f"pip says installs from wheels: {installs}, does not: {len(cases) - installs}")
    print(f"agreement: {agreed}/{len(cases)} = {100.0 * agreed / max(len(cases), 1):.1f}%")
    print(f"same resolved versions where both install: {same_versions}/{both_install}")
    print(
        f"time: analyzer {tool_seconds:.1f} s, pip {pip_seconds:.1f} s, "
        f"pip/analyzer = {pip_seconds / max(tool_seconds, 1e-9):.1f}x"
    )
    return 0 if agreed * 100 >= 99 * len(cases) else 1


if __name__ == "__main__":
    raise SystemExit(main())
