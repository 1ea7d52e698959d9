"""Files beyond what the source analysis reads: reported at once, in little memory, as work
to check by hand (low) rather than as a break."""

from __future__ import annotations

import resource
from pathlib import Path

from analyzer.models import Severity
from analyzer.rules.engine import (
    MAX_PARSED_LINES,
    MAX_SOURCE_LINES,
    analyse_file,
    analyse_source,
)


def _only_finding(source: str) -> tuple[str, str, Severity | None]:
    analysis = analyse_source(source, "blob.py")
    [finding] = analysis.findings
    return finding.rule_id, finding.message, finding.severity


def test_a_file_longer_than_the_line_limit_is_not_parsed() -> None:
    lines = MAX_SOURCE_LINES + 1
    source = "import imp\n" + "y = os.path.join(a, b)\n" * (lines - 1)

    assert _only_finding(source) == (
        "parse-error",
        f"blob.py has {lines + 1} lines, over the {MAX_SOURCE_LINES}-line limit; it was not "
        "analysed",
        Severity.LOW,
    )


def test_code_beyond_the_syntax_tree_limit_is_not_walked() -> None:
    statements = MAX_PARSED_LINES + 10
    source = "import imp\n" + "y = imp.reload(x)\n" * statements

    assert _only_finding(source) == (
        "parse-error",
        f"blob.py has {statements + 1} lines of code to analyse, over the {MAX_PARSED_LINES} "
        "limit; it was not analysed",
        Severity.LOW,
    )


def test_code_within_the_limit_is_analysed() -> None:
    source = "import imp\n" + "y = 1\n" * (MAX_PARSED_LINES - 10)

    analysis = analyse_source(source, "blob.py")

    assert [(f.rule_id, f.location.line) for f in analysis.findings] == [
        ("removed-stdlib-module", 1)
    ]


def test_an_eight_megabyte_file_of_short_lines_stays_small(tmp_path: Path) -> None:
    file = tmp_path / "big.py"
    file.write_text("import imp\n" + "y = os.path.join(a, b)\n" * (8 * 1024 * 1024 // 23 - 100))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    analysis = analyse_file(file, "big.py")

    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert [(f.rule_id, f.severity) for f in analysis.findings] == [("parse-error", Severity.LOW)]
    assert grown_kib < 512 * 1024, grown_kib  # the syntax tree alone would take over 2 GiB
