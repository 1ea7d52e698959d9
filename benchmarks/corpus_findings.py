"""Run the source rules over a corpus folder and write the findings the corpus scorer reads.

Usage::

    python benchmarks/corpus_findings.py [CORPUS] [--output FINDINGS] [--score]

``CORPUS`` defaults to ``/work/shared/corpus/public``. Each program is analysed on its
own (as the scorer's measurements ran it: ``python -I -S cNNN.py``), and every finding
that claims a break is written as ``{"path", "line", "breaks_in"}`` or ``{"path",
"line", "requires"}``. Left out, because they claim no break:

- findings the code guards (an ``ImportError`` fallback, a version check, a feature
  test): reach ``guarded``;
- deprecations that still work (no ``breaks_in`` and no ``requires``);
- findings the program never reaches on the versions they name, because an earlier
  statement already stops the module there: a use of ``imp.reload`` after ``import
  imp`` fails on 3.12 only because the import did, and the corpus scores the statement
  that breaks. The analyser's report keeps them (each is work to do); here they would
  claim a second break.

``--score`` then runs the corpus's ``score.py`` for the targets 3.10 to 3.14 and prints
each target's last line.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from analyzer.models import Finding, Reach, SourceAnalysis, format_version  # noqa: E402
from analyzer.rules.engine import analyse_file  # noqa: E402

DEFAULT_CORPUS = Path("/work/shared/corpus/public")
TARGETS = ("3.10", "3.11", "3.12", "3.13", "3.14")


def claims_break(finding: Finding) -> bool:
    """Whether a finding says the code fails on some version."""
    if finding.reach is Reach.GUARDED:
        return False
    return finding.breaks_in is not None or finding.requires is not None


def _stops_module(finding: Finding) -> bool:
    """Whether a finding fails the whole module on the versions it names."""
    return finding.reach is Reach.IMPORT and claims_break(finding)


def _covered(finding: Finding, earlier: Finding) -> bool:
    """Whether ``earlier`` already fails the module on every version ``finding`` names."""
    if finding.breaks_in is not None and earlier.breaks_in is not None:
        return earlier.breaks_in <= finding.breaks_in
    if finding.requires is not None and earlier.requires is not None:
        return earlier.requires >= finding.requires
    return False


def _stops_first(stop: Finding, finding: Finding) -> bool:
    """Whether ``stop`` fails before ``finding`` could run (or be compiled)."""
    if stop is finding:
        return False
    if stop.rule_id == "needs-newer-syntax":
        # A module that does not compile runs nothing; between two such findings the
        # one naming the newer version (then the earlier line) is the break.
        if finding.rule_id != "needs-newer-syntax":
            return True
        return (stop.requires or (0, 0), -(stop.location.line or 0)) > (
            finding.requires or (0, 0),
            -(finding.location.line or 0),
        )
    if finding.rule_id == "needs-newer-syntax":
        # Compiling comes before running: nothing the module does stops its compile error.
        return False
    return (stop.location.line or 0) < (finding.location.line or 0) or (finding.reach is Reach.CALL)


def _uses_removed_module(finding: Finding, stop: Finding) -> bool:
    """Whether ``finding`` uses a name of the module whose import ``stop`` reports."""
    return (
        stop.rule_id == "removed-stdlib-module"
        and finding.symbol is not None
        and stop.symbol is not None
        and finding.symbol.startswith(f"{stop.symbol}.")
    )


def first_breaks(analysis: SourceAnalysis) -> list[Finding]:
    """The findings of one module that claim a break the module can reach."""
    claims = [finding for finding in analysis.findings if claims_break(finding)]
    stops = [finding for finding in claims if _stops_module(finding)]
    modules = [finding for finding in claims if finding.rule_id == "removed-stdlib-module"]
    kept = []
    for finding in claims:
        if any(_stops_first(stop, finding) and _covered(finding, stop) for stop in stops):
            continue
        if any(
            _uses_removed_module(finding, module) and _covered(finding, module)
            for module in modules
        ):
            continue
        kept.append(finding)
    return kept


def corpus_findings(corpus: Path) -> list[dict[str, object]]:
    """The scorer's findings for every program of ``corpus``."""
    findings: list[dict[str, object]] = []
    for program in sorted(corpus.glob("*.py")):
        analysis = analyse_file(program, program.name, module=program.stem)
        for finding in first_breaks(analysis):
            entry: dict[str, object] = {"path": program.name, "line": finding.location.line}
            if finding.breaks_in is not None:
                entry["breaks_in"] = format_version(finding.breaks_in)
            else:
                assert finding.requires is not None
                entry["requires"] = format_version(finding.requires)
            entry["rule"] = finding.rule_id
            entry["symbol"] = finding.symbol
            findings.append(entry)
    return findings


def score(findings_file: Path, corpus: Path, scorer: Path, verbose: bool) -> list[str]:
    """The last line of the scorer's report for each target."""
    lines = []
    for target in TARGETS:
        command = [sys.executable, str(scorer), str(findings_file), "--target", target]
        command += ["--corpus", str(corpus)]
        if verbose:
            command.append("--verbose")
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if verbose:
            print(result.stdout)
        output = result.stdout.strip().splitlines()
        lines.append(output[-1] if output else f"target {target}: {result.stderr.strip()}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Write the corpus findings and, with ``--score``, score them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--output", type=Path, default=Path("corpus-findings.json"))
    parser.add_argument("--score", action="store_true", help="score the findings afterwards")
    parser.add_argument("--scorer", type=Path, help="score.py (default: beside the corpus)")
    parser.add_argument("--verbose", action="store_true", help="print the scorer's reports")
    options = parser.parse_args(argv)
    started = time.perf_counter()
    findings = corpus_findings(options.corpus)
    elapsed = time.perf_counter() - started
    options.output.write_text(json.dumps(findings, indent=1) + "\n")
    programs = len(list(options.corpus.glob("*.py")))
    print(f"{len(findings)} findings on {programs} programs in {elapsed:.1f} s: {options.output}")
    if options.score:
        scorer = options.scorer or options.corpus.parent / "score.py"
        for line in score(options.output, options.corpus, scorer, options.verbose):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
