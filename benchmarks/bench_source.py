"""Time the source analysis of a large tree against plain ``ast.parse`` of the same files.

Usage::

    python benchmarks/bench_source.py [TREE] [--workers N]

``TREE`` defaults to the standard library of the running interpreter (about 1,800
files). The script measures, in one run:

- plain ``ast.parse`` of every file, in this process, one file after another (the
  bytes are read beforehand, so the figure is parsing alone);
- the whole source analysis (``analyzer.rules.engine.analyse_files``: reading,
  decoding, parsing, prefilters, vermin and the libcst walk where they ask for it) on
  a process pool over every core;
- peak memory: the largest resident set of this process and of its largest worker
  (``ru_maxrss`` of ``RUSAGE_SELF`` and ``RUSAGE_CHILDREN``), added up;
- how long ``lambda-analyzer --help`` takes to answer, against ``python -c pass``.

Required: the analysis within 4 times the ``ast.parse`` time, peak memory under 1 GiB,
``--help`` under 0.3 s.
"""

from __future__ import annotations

import argparse
import ast
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from analyzer.rules.engine import SourceJob, analyse_files  # noqa: E402

MAX_RATIO = 4.0
MAX_MEMORY_MIB = 1024
MAX_HELP_SECONDS = 0.3


def python_files(tree: Path) -> list[Path]:
    """The ``.py`` files of a tree, installed third-party packages left out."""
    return sorted(
        path for path in tree.rglob("*.py") if "site-packages" not in path.parts and path.is_file()
    )


def time_ast_parse(sources: Sequence[bytes]) -> float:
    """Seconds to ``ast.parse`` every source, one after another."""
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for source in sources:
            try:
                ast.parse(source)
            except (SyntaxError, ValueError):
                continue
    return time.perf_counter() - started


def peak_memory_mib() -> tuple[float, float]:
    """The peak resident set of this process and of its largest child, in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
    return own / scale, children / scale


def time_command(command: Sequence[str], runs: int = 7) -> float:
    """The median wall time of running ``command``, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def help_command() -> list[str] | None:
    """The command that runs ``lambda-analyzer --help``, when the CLI exists."""
    if not (REPOSITORY / "analyzer" / "cli.py").exists():
        return None
    script = Path(sys.executable).parent / "lambda-analyzer"
    if script.exists():
        return [str(script), "--help"]
    found = shutil.which("lambda-analyzer")
    if found:
        return [found, "--help"]
    return [sys.executable, "-m", "analyzer.cli", "--help"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its figures; exit 1 if a requirement is not met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="?", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    options = parser.parse_args(argv)

    files = python_files(options.tree)
    sources = [path.read_bytes() for path in files]
    lines = sum(source.count(b"\n") for source in sources)
    print(f"tree: {options.tree} ({len(files)} files, {lines} lines)")

    jobs = [SourceJob(file=path, path=str(path.relative_to(options.tree))) for path in files]
    started = time.perf_counter()
    analyses = analyse_files(jobs, workers=options.workers)
    analysis_seconds = time.perf_counter() - started
    findings = sum(len(analysis.findings) for analysis in analyses)
    unparsed = sum(1 for analysis in analyses if analysis.parse_error is not None)

    parse_seconds = time_ast_parse(sources)
    own, largest_worker = peak_memory_mib()
    ratio = analysis_seconds / parse_seconds
    memory = own + largest_worker

    print(f"ast.parse, 1 process: {parse_seconds:.2f} s")
    print(
        f"analysis, {options.workers} processes: {analysis_seconds:.2f} s, "
        f"{len(files) / analysis_seconds:.0f} files/s, {lines / analysis_seconds:.0f} lines/s, "
        f"{findings} findings, {unparsed} files not parsed"
    )
    print(
        f"peak memory: {own:.0f} MiB (this process) + {largest_worker:.0f} MiB "
        f"(largest worker) = {memory:.0f} MiB (required < {MAX_MEMORY_MIB} MiB)"
    )
    print(f"ratio to ast.parse: {ratio:.2f} (required <= {MAX_RATIO:.0f})")
    ok = ratio <= MAX_RATIO and memory < MAX_MEMORY_MIB

    command = help_command()
    if command is None:
        print("lambda-analyzer --help: not measured (analyzer/cli.py does not exist yet)")
    else:
        baseline = time_command([sys.executable, "-c", "pass"])
        answer = time_command(command)
        print(
            f"lambda-analyzer --help: {answer:.3f} s, python -c pass: {baseline:.3f} s, "
            f"ratio {answer / baseline:.1f} (required < {MAX_HELP_SECONDS} s)"
        )
        ok = ok and answer < MAX_HELP_SECONDS
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
