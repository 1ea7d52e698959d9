"""A batch killed part-way, by a real signal to the real command, resumes and loses nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fleet_cases import add_function, rows

SAMPLES = (
    "campaign-redirects",
    "clickstream-ingest",
    "customer-sync",
    "image-intake",
    "nightly-report-export",
    "sensor-fanout",
)
# Evidence of when and in which runs functions were scanned differs between two runs of the
# same fleet; everything else in the report must be equal.
_TIMES = ("generated_at", "scanned_at", "first_scan", "last_scan", "runs", "database")


@pytest.fixture(scope="module")
def fleet_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten functions: six samples under new names, two of them twice, and two bulky ones last,
    whose many modules keep the batch busy for seconds after the first few functions, so that
    a signal sent then lands while there is work left even on a loaded machine."""
    fleet = tmp_path_factory.mktemp("fleet") / "functions"
    for index, sample in enumerate(SAMPLES):
        add_function(fleet, f"fn-{index:02d}-{sample}", sample)
    add_function(fleet, "fn-06-copy", "sensor-fanout")
    add_function(fleet, "fn-07-copy", "campaign-redirects")
    for index in (8, 9):
        name = f"fn-{index:02d}-bulk"
        add_function(fleet, name, "customer-sync")
        bulk = fleet / name / "function" / "bulk"
        bulk.mkdir()
        for number in range(600):
            (bulk / f"m{number}.py").write_text(f"import os\nVALUE = {number + index}\n")
    return fleet


FUNCTIONS = 10


def command(fleet: Path, database: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "analyzer.cli",
        "batch",
        str(fleet),
        "--db",
        str(database),
        "--target",
        "python3.11",
        "--target",
        "python3.12",
        "--no-deps",
        "--no-cache",
        "--workers",
        "1",
        "--concurrency",
        "1",
        "--format",
        "json",
        "--output",
        str(database.with_suffix(".json")),
        *extra,
    ]


def finished_scans(database: Path) -> int:
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(database, timeout=5) as connection:
            return int(
                connection.execute(
                    "SELECT count(*) FROM scan_log WHERE status = 'done'"
                ).fetchone()[0]
            )
    except sqlite3.OperationalError:  # the tables are not made yet
        return 0


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``: the batch's forkserver, its workers, its tracker."""
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as children:
                for child in children.read().split():
                    found += [int(child), *descendants(int(child))]
    except FileNotFoundError:
        pass
    return found


def still_running(pids: list[int], seconds: float = 15.0) -> list[int]:
    """Those of ``pids`` still running after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        alive = [pid for pid in pids if os.path.exists(f"/proc/{pid}")]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def start_and_signal(
    fleet: Path, database: Path, signal_number: int, after: int
) -> tuple[subprocess.CompletedProcess[str], list[int]]:
    """Start the batch, and send it ``signal_number`` once ``after`` functions are done; the
    result, and the processes it had started that still run afterwards."""
    process = subprocess.Popen(
        command(fleet, database),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while finished_scans(database) < after:
        assert process.poll() is None, "the batch ended before it could be stopped"
        assert time.monotonic() < deadline, "the batch did not progress"
        time.sleep(0.02)
    workers = descendants(process.pid)
    # To the process group, as a terminal sends Ctrl-C; SIGKILL to the command alone, as a
    # crash or the out-of-memory killer ends it.
    if signal_number == signal.SIGKILL:
        os.kill(process.pid, signal_number)
    else:
        os.killpg(process.pid, signal_number)
    stdout, stderr = process.communicate(timeout=60)
    completed = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return completed, still_running(workers)


def comparable(report_path: Path) -> Any:
    """The JSON fleet report without the times and runs that differ between two batches."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: strip(item) for key, item in value.items() if key not in _TIMES}
        if isinstance(value, list):
            return [strip(item) for item in value]
        return value

    return strip(json.loads(report_path.read_text()))


@pytest.fixture(scope="module")
def uninterrupted(fleet_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    database = tmp_path_factory.mktemp("uninterrupted") / "results.sqlite3"
    finished = subprocess.run(
        command(fleet_folder, database), capture_output=True, text=True, timeout=300
    )
    assert finished.returncode == 0, finished.stderr
    return database


@pytest.mark.parametrize("signal_number", [signal.SIGKILL, signal.SIGINT], ids=["kill", "ctrl-c"])
def test_a_batch_stopped_part_way_resumes_to_the_same_report_scanning_each_function_once(
    fleet_folder: Path, uninterrupted: Path, tmp_path: Path, signal_number: int
) -> None:
    database = tmp_path / "results.sqlite3"

    stopped, left_running = start_and_signal(fleet_folder, database, signal_number, after=3)

    if signal_number == signal.SIGKILL:
        assert stopped.returncode == -signal.SIGKILL
    else:
        assert stopped.returncode == 130
        assert stopped.stderr.strip().splitlines()[-1] == "lambda-analyzer: error: interrupted"
    # Workers, forkserver and resource tracker end with the batch, however it ended.
    assert left_running == []
    done_before = finished_scans(database)
    assert 3 <= done_before < FUNCTIONS
    pending = rows(database, "SELECT count(*) FROM functions WHERE status = 'pending'")[0][0]
    assert pending == FUNCTIONS - done_before

    work = database.with_name("results.sqlite3.work")
    assert work.is_dir() == (signal_number == signal.SIGKILL)

    resumed = subprocess.run(
        command(fleet_folder, database), capture_output=True, text=True, timeout=300
    )

    assert resumed.returncode == 0, resumed.stderr
    assert f"({done_before} unchanged since an earlier run" in resumed.stderr
    # Every function finished exactly once across both runs.
    assert rows(
        database,
        "SELECT f.name, count(*) FROM scan_log s JOIN functions f ON f.key = s.function_key "
        "WHERE s.status = 'done' GROUP BY f.name ORDER BY f.name",
    ) == [(name, 1) for name in sorted(path.name for path in fleet_folder.iterdir())]
    assert rows(database, "SELECT count(*) FROM scan_log WHERE status != 'done'") == [(0,)]
    statuses = [status for (status,) in rows(database, "SELECT status FROM runs ORDER BY id")]
    assert statuses == ["killed" if signal_number == signal.SIGKILL else "interrupted", "finished"]
    assert not work.exists()
    assert comparable(database.with_suffix(".json")) == comparable(
        uninterrupted.with_suffix(".json")
    )
