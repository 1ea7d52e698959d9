"""Ctrl-C during a scan's source analysis ends the scan at once, with one line and exit 130."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO

FILES = 40_000
"""Enough files that the analysis runs for a minute on two idle cores, longer under load."""


def test_an_interrupt_stops_the_workers_instead_of_draining_the_queue(tmp_path: Path) -> None:
    function = tmp_path / "function"
    function.mkdir()
    (function / "lambda_function.py").write_text("def lambda_handler(event, context):\n    pass\n")
    for index in range(FILES):
        folder = function / f"d{index % 100}"
        folder.mkdir(exist_ok=True)
        (folder / f"m{index}.py").write_text(f"import os\nimport imp\nVALUE = {index}\n")

    process = subprocess.Popen(
        [sys.executable, "-m", "analyzer.cli", "scan", str(function), "--no-deps", "--no-vulns"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        start_new_session=True,  # a process group of its own, as a terminal's job is
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(4)
    assert process.poll() is None, "the scan ended before it could be interrupted"
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole group
    interrupted = time.monotonic()
    stdout, stderr = process.communicate(timeout=120)
    waited = time.monotonic() - interrupted

    assert (process.returncode, stdout, stderr) == (
        130,
        "",
        "lambda-analyzer: error: interrupted\n",
    )
    # Draining the queue would take most of the analysis: a minute or more. Stopping takes a
    # second on an idle machine, longer when the test suite keeps every core busy.
    assert waited < 30, waited
