"""Runs every catalogue row's example programs on python3.9 .. python3.13 and checks the row.

For each row, the ``flagged`` program must run where the row says the symbol exists and
fail where it says it does not (from ``removed``, before ``added``); for a parameter
row the failure must be the interpreter refusing that keyword. With deprecation warnings
turned into errors, ``flagged`` should fail from ``deprecated`` on (a program that only
reads a name often cannot show a warning that fires on call: that is reported, not
counted as wrong). The ``clean`` program must run everywhere. 3.14 has no interpreter:
a row about 3.14 is checked up to 3.13 only.

Programs run as ``python -I -S PROGRAM`` in a fresh temporary folder, as the corpus's
``measure.py`` runs them. Usage::

    PYENV_VERSION=3.11.7:3.9.18:3.10.13:3.12.1:3.13.0 \\
        /work/venv/bin/python scripts/verify_catalogue.py [--jobs N] [--only PREFIX] [-v]
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analyzer.rules.catalogue import ApiChange, load_catalogue

Version = tuple[int, int]
MEASURED: tuple[Version, ...] = ((3, 9), (3, 10), (3, 11), (3, 12), (3, 13))
TIMEOUT_SECONDS = 30
UNBOUND_CALL = "doesn't apply to a 'NoneType' object"
STRICT_WARNINGS = ("-W", "error::DeprecationWarning", "-W", "error::PendingDeprecationWarning")


def text(version: Version) -> str:
    """``(3, 12)`` as ``3.12``."""
    return f"{version[0]}.{version[1]}"


@functools.cache
def interpreter(version: Version) -> str:
    """The interpreter's real path: pyenv's shims cost a shell and pyenv per run."""
    completed = subprocess.run(
        [f"python{text(version)}", "-c", "import sys; print(sys.executable)"],
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


def run(version: Version, program: str, *, strict: bool = False) -> str:
    """``ok``, or the last line of the traceback, of one program on one interpreter."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "program.py"
        path.write_text(program, encoding="utf-8")
        command = [interpreter(version), "-I", "-S"]
        if strict:
            command += STRICT_WARNINGS
        command.append(str(path))
        environment = {**os.environ, "HOME": folder, "TMPDIR": folder, "LC_ALL": "C.UTF-8"}
        try:
            completed = subprocess.run(
                command,
                cwd=folder,
                env=environment,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return "timeout"
    if completed.returncode == 0:
        return "ok"
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    return lines[-1] if lines else f"exit {completed.returncode}"


@dataclass
class Verdict:
    """What the interpreters said about one row."""

    row: ApiChange
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``confirmed``, ``wrong``, or ``unverifiable`` (the symbol works nowhere here)."""
        if self.problems:
            return "wrong"
        if "unverifiable" in self.notes:
            return "unverifiable"
        return "confirmed"


def refuses_keyword(outcome: str, parameter: str) -> bool:
    """Whether a failure is the callable refusing the keyword ``parameter``."""
    if outcome == "ok" or not outcome.startswith("TypeError"):
        return False
    if "takes no keyword arguments" in outcome:
        return True
    if re.search(r"takes at most \d+ (positional )?arguments? \(\d+ given\)", outcome):
        # A C function counts the keyword among its arguments before naming it.
        return True
    if "required positional argument" in outcome:
        # 3.13 reports the positional left empty (the keyword that used to fill it went
        # nowhere) before the unexpected keyword; the example passes every other one.
        return True
    if f"multiple values for argument '{parameter}'" in outcome:
        # The keyword fell into **kwargs and reached a callee that already has it.
        return True
    return re.search(rf"\b{re.escape(parameter)}\b", outcome) is not None and (
        "keyword" in outcome or "parameter" in outcome
    )


def exists_on(row: ApiChange, version: Version) -> bool:
    """Whether the row says its symbol (or parameter) exists on ``version``."""
    if row.added is not None and version < row.added:
        return False
    return row.removed is None or version < row.removed


def verify(row: ApiChange) -> Verdict:
    """Runs a row's programs on every interpreter and compares with the row."""
    verdict = Verdict(row)
    flagged = {version: run(version, row.flagged) for version in MEASURED}
    clean = {version: run(version, row.clean) for version in MEASURED}
    for version, outcome in clean.items():
        if outcome != "ok":
            verdict.problems.append(f"clean fails on {text(version)}: {outcome}")
    if any(exists_on(row, version) for version in MEASURED) and all(
        outcome.startswith("ModuleNotFoundError") for outcome in flagged.values()
    ):
        # A module this Linux build never had (msilib is Windows-only).
        verdict.notes.append("unverifiable")
        return verdict
    if any(UNBOUND_CALL in outcome for outcome in flagged.values()):
        # A C method called on its class wants an instance before it reads any keyword.
        verdict.notes.append("unverifiable")
        return verdict
    for version, outcome in flagged.items():
        expected = exists_on(row, version)
        if row.kind == "parameter":
            assert row.parameter is not None
            refused = refuses_keyword(outcome, row.parameter)
            # Where the callable itself is missing, the keyword is missing with it.
            missing = outcome.startswith(("AttributeError", "ModuleNotFoundError", "ImportError"))
            if expected and refused:
                verdict.problems.append(f"{text(version)} refuses {row.parameter}: {outcome}")
            elif not expected and not (refused or missing):
                verdict.problems.append(f"{text(version)} accepts {row.parameter}: {outcome}")
            continue
        if expected and outcome != "ok":
            verdict.problems.append(f"flagged fails on {text(version)}: {outcome}")
        elif not expected and outcome == "ok":
            verdict.problems.append(f"flagged runs on {text(version)}")
    _check_deprecation(row, flagged, verdict)
    return verdict


def _check_deprecation(row: ApiChange, flagged: dict[Version, str], verdict: Verdict) -> None:
    if row.deprecated is None:
        return
    warned = {
        version: run(version, row.flagged, strict=True) != "ok"
        for version, outcome in flagged.items()
        if outcome == "ok"
    }
    if not any(warned.values()):
        verdict.notes.append("deprecation not observable")
        return
    first = min(version for version, did in warned.items() if did)
    if first < max(row.deprecated, MEASURED[0]):
        verdict.problems.append(
            f"warns from {text(first)}, row says deprecated {text(row.deprecated)}"
        )
    elif first > max(row.deprecated, MEASURED[0]):
        verdict.notes.append(f"warns only from {text(first)}")
    else:
        verdict.notes.append("deprecation confirmed")


def summarise(verdicts: Iterable[Verdict], *, verbose: bool) -> int:
    """Prints the summary (and the rows that are wrong); the exit status."""
    verdicts = list(verdicts)
    by_status = Counter((verdict.row.generated, verdict.status) for verdict in verdicts)
    notes = Counter(note for verdict in verdicts for note in verdict.notes)
    for verdict in verdicts:
        if verdict.status == "wrong" or (verbose and verdict.notes):
            row = verdict.row
            label = f"{row.symbol}" + (f" ({row.parameter}=)" if row.parameter else "")
            origin = "generated" if row.generated else "curated"
            print(f"{verdict.status.upper()}: {label} [{origin}]")
            for line in verdict.problems + verdict.notes:
                print(f"    {line}")
    for generated in (False, True):
        origin = "generated" if generated else "curated"
        counts = ", ".join(
            f"{status} {by_status[(generated, status)]}"
            for status in ("confirmed", "wrong", "unverifiable")
        )
        print(f"{origin}: {counts}")
    print("deprecations: " + ", ".join(f"{note} {count}" for note, count in sorted(notes.items())))
    wrong = sum(verdict.status == "wrong" for verdict in verdicts)
    print(f"rows {len(verdicts)}: {len(verdicts) - wrong} consistent, {wrong} wrong")
    return 1 if wrong else 0


def main() -> None:
    """Verifies the catalogue (or the rows whose symbol starts with ``--only``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--only", default="", help="verify rows whose symbol starts with this")
    parser.add_argument("-v", "--verbose", action="store_true", help="print notes of every row")
    arguments = parser.parse_args()
    rows = [row for row in load_catalogue().rows if row.symbol.startswith(arguments.only)]
    with ThreadPoolExecutor(max_workers=arguments.jobs) as pool:
        verdicts = list(pool.map(verify, rows))
    raise SystemExit(summarise(verdicts, verbose=arguments.verbose))


if __name__ == "__main__":
    main()
