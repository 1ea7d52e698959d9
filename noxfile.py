"""Sessions for tests, lint, the demo, and the measured benchmarks."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint"]
nox.options.reuse_existing_virtualenvs = True

REPO = Path(__file__).parent
SHARED = Path(os.environ.get("LAMBDA_ANALYZER_SHARED", REPO.parent / "shared"))
SUPPORTED = ["3.10", "3.11", "3.12", "3.13"]
PRESENT = [version for version in SUPPORTED if shutil.which(f"python{version}")]


@nox.session(python=PRESENT)
def tests(session: nox.Session) -> None:
    """The test suite, on every supported interpreter that is installed."""
    session.install("-e", ".[test]")
    session.run("pytest", "-n", "auto", *session.posargs)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """ruff (lint and format) and mypy in strict mode on the package."""
    session.install("-e", ".[dev]")
    session.run("ruff", "check", "analyzer", "tests", "benchmarks", "scripts", "noxfile.py")
    session.run(
        "ruff", "format", "--check", "analyzer", "tests", "benchmarks", "scripts", "noxfile.py"
    )
    session.run("mypy", "analyzer")


@nox.session(python="3.11")
def demo(session: nox.Session) -> None:
    """The main job on the bundled sample functions."""
    session.install(".")
    database = session.create_tmp() + "/demo.sqlite3"
    session.run("lambda-analyzer", "batch", "sample_functions", "--no-deps", "--db", database)


@nox.session(python="3.11")
def corpus(session: nox.Session) -> None:
    """Score the source rules on the measured corpus, for each target."""
    session.install("-e", ".")
    findings = session.create_tmp() + "/corpus-findings.json"
    corpus_dir = str(SHARED / "corpus" / "public")
    session.run("python", "benchmarks/corpus_findings.py", corpus_dir, "--output", findings)
    for target in ["3.10", "3.11", "3.12", "3.13", "3.14"]:
        session.run(
            "python",
            str(SHARED / "corpus" / "score.py"),
            findings,
            "--target",
            target,
            "--corpus",
            corpus_dir,
        )


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """Speed of the source analysis on the standard library, and of --help."""
    session.install("-e", ".")
    session.run("python", "benchmarks/bench_source.py", *session.posargs)


@nox.session(python="3.11")
def deps_vs_pip(session: nox.Session) -> None:
    """Wheel verdicts of the deps stage against pip's own resolver (needs the package index)."""
    session.install("-e", ".")
    session.run(
        "python",
        "benchmarks/deps_vs_pip.py",
        "--packages",
        str(SHARED / "packages"),
        *session.posargs,
    )


@nox.session(python="3.11")
def packages(session: nox.Session) -> None:
    """Build the real requirement sets of ../shared/packages (needs the package index) and
    score the analyser's blockers against the imports measured on each interpreter."""
    session.install("-e", ".")
    session.run(
        "python",
        "benchmarks/packages_score.py",
        "--packages",
        str(SHARED / "packages"),
        "--python",
        "python3.9",
        *session.posargs,
        env={"PYENV_VERSION": "3.11.7:3.9.18:3.10.13:3.12.1:3.13.0"},
    )
