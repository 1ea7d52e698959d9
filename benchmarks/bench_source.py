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
- peak memory: the largest resident set of this process (``ru_maxrss`` of
  ``RUSAGE_SELF``) plus those of all its workers added up, as if every one peaked at
  once. The workers fork from a fork server, so they are not this process's children
  and ``RUSAGE_CHILDREN`` misses them: their peaks (``VmHWM``) are read from ``/proc``
  while they run, and ``RUSAGE_CHILDREN`` is printed beside them;
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
import threading
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
    """``ru_maxrss`` of this process and of its largest waited-for child, in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
    return own / scale, children / scale


class DescendantPeaks(threading.Thread):
    """Reads the peak resident set (``VmHWM``) of every descendant process while it runs."""

    def __init__(self, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peaks: dict[int, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            self.poll()

    def stop(self) -> dict[int, float]:
        """Stop polling; the peak of each descendant seen, in MiB."""
        self.poll()
        self.done.set()
        self.join()
        return self.peaks

    def poll(self) -> None:
        """Record the current ``VmHWM`` of every process below this one."""
        for pid in _descendants(os.getpid()):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) / 1024
                    self.peaks[pid] = max(peak, self.peaks.get(pid, 0.0))


def _descendants(pid: int) -> list[int]:
    """The processes below ``pid``, from the parent of every process in ``/proc``."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (command) state ppid ...": the command may hold spaces and parentheses.
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found: list[int] = []
    pending = [pid]
    while pending:
        parent = pending.pop()
        children = [child for child, ppid in parents.items() if ppid == parent]
        found.extend(children)
        pending.extend(children)
    return found


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
    watcher = DescendantPeaks()
    watcher.start()
    started = time.perf_counter()
    analyses = analyse_files(jobs, workers=options.workers)
    analysis_seconds = time.perf_counter() - started
    worker_peaks = sorted(watcher.stop().values(), reverse=True)
    findings = sum(len(analysis.findings) for analysis in analyses)
    unparsed = sum(1 for analysis in analyses if analysis.parse_error is not None)

    parse_seconds = time_ast_parse(sources)
    own, waited_child = peak_memory_mib()
    ratio = analysis_seconds / parse_seconds
    workers_total = sum(worker_peaks)
    memory = own + max(workers_total, waited_child)

    print(f"ast.parse, 1 process: {parse_seconds:.2f} s")
    print(
        f"analysis, {options.workers} processes: {analysis_seconds:.2f} s, "
        f"{len(files) / analysis_seconds:.0f} files/s, {lines / analysis_seconds:.0f} lines/s, "
        f"{findings} findings, {unparsed} files not parsed"
    )
    print(
        f"peak memory: {own:.0f} MiB (this process) + {workers_total:.0f} MiB "
        f"({len(worker_peaks)} worker and server processes, peaks "
        f"{', '.join(f'{peak:.0f}' for peak in worker_peaks)}; RUSAGE_CHILDREN "
        f"{waited_child:.0f}) = {memory:.0f} MiB (required < {MAX_MEMORY_MIB} MiB)"
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
