"""The terminal report: exact text at 100 and 80 columns, folding, the matrix, escaping."""

from __future__ import annotations

import re

import pytest
from report_builders import (
    build_function,
    build_report,
    full_report,
    imp_blocker,
    mapping_alias,
    utcnow_low,
)

from analyzer.models import FunctionReport, Location, Severity, Verdict
from analyzer.report import ReportFormat, render_reports
from analyzer.report.interface import RenderOptions
from analyzer.report.table import render


def rule(width: int) -> str:
    return "─" * width


def lines(*text: str) -> str:
    return "\n".join(text) + "\n"


def test_findings_are_grouped_by_severity_blocker_first_with_location_fix_and_chain() -> None:
    report = build_report((utcnow_low(), imp_blocker()))

    assert render([report]) == lines(
        rule(100),
        "orders-api  python3.9 -> python3.12  73/100 blocked",
        "handler app.handler · x86_64",
        "1 blocker, 0 high, 0 medium, 1 low, 0 info · 3 files analysed",
        "score: base 100, blocker -25 (1), low -2 (1)",
        "",
        "Blocker (1)",
        "  app.py:3  removed-stdlib-module  function code  breaks in 3.12",
        "      imp was removed in Python 3.12",
        "      fix: replace imp with importlib",
        "      runs at import: app",
        "",
        "Low (1)",
        "  util.py:14  deprecated-api  function code  deprecated in 3.12",
        "      datetime.datetime.utcnow() is deprecated since Python 3.12",
        "      fix: use datetime.datetime.now(datetime.UTC)",
        "      runs when called",
    )


def test_a_clean_function_says_no_findings() -> None:
    assert render([build_report()]) == lines(
        rule(100),
        "orders-api  python3.9 -> python3.12  100/100 ready",
        "handler app.handler · x86_64",
        "0 blocker, 0 high, 0 medium, 0 low, 0 info · 3 files analysed",
        "score: base 100",
        "",
        "No findings.",
    )


def vendored_report() -> FunctionReport:
    return build_report(
        (
            mapping_alias("attrdict/mapping.py", 8),
            mapping_alias("attrdict/mixins.py", 3),
            imp_blocker(),
            mapping_alias("attrdict/mapping.py", 20),
        ),
        function=build_function(architecture="arm64", overrides=("handler",)),
    )


def test_three_findings_of_one_rule_in_one_component_fold_into_one_entry() -> None:
    assert render([vendored_report()]) == lines(
        rule(100),
        "orders-api  python3.9 -> python3.12  0/100 blocked",
        "handler app.handler · arm64 · given on the command line: handler",
        "4 blocker, 0 high, 0 medium, 0 low, 0 info · 3 files analysed",
        "score: base 100, blocker -100 (4)",
        "",
        "Blocker (4)",
        "  app.py:3  removed-stdlib-module  function code  breaks in 3.12",
        "      imp was removed in Python 3.12",
        "      fix: replace imp with importlib",
        "      runs at import: app",
        "  removed-stdlib-api  collections.Mapping in 3 places in 2 files of "
        "vendored attrdict 2.0.1",
        "  deprecated in 3.3, breaks in 3.10",
        "      attrdict/mapping.py:8, attrdict/mapping.py:20, attrdict/mixins.py:3",
        "      collections.Mapping was removed in Python 3.10",
        "      fix: upgrade attrdict, or import Mapping from collections.abc (mechanical)",
        "      runs at import: app -> attrdict -> attrdict.mapping",
    )


def test_at_80_columns_long_lines_wrap_under_their_indent() -> None:
    assert render([vendored_report()], options=RenderOptions(width=80)) == lines(
        rule(80),
        "orders-api  python3.9 -> python3.12  0/100 blocked",
        "handler app.handler · arm64 · given on the command line: handler",
        "4 blocker, 0 high, 0 medium, 0 low, 0 info · 3 files analysed",
        "score: base 100, blocker -100 (4)",
        "",
        "Blocker (4)",
        "  app.py:3  removed-stdlib-module  function code  breaks in 3.12",
        "      imp was removed in Python 3.12",
        "      fix: replace imp with importlib",
        "      runs at import: app",
        "  removed-stdlib-api  collections.Mapping in 3 places in 2 files of vendored",
        "  attrdict 2.0.1  deprecated in 3.3, breaks in 3.10",
        "      attrdict/mapping.py:8, attrdict/mapping.py:20, attrdict/mixins.py:3",
        "      collections.Mapping was removed in Python 3.10",
        "      fix: upgrade attrdict, or import Mapping from collections.abc (mechanical)",
        "      runs at import: app -> attrdict -> attrdict.mapping",
    )


def test_two_findings_of_one_rule_stay_separate() -> None:
    report = build_report(
        (mapping_alias("attrdict/mapping.py", 8), mapping_alias("attrdict/mixins.py", 3))
    )

    text = render([report])

    assert "places" not in text
    assert "  attrdict/mapping.py:8  removed-stdlib-api  vendored attrdict 2.0.1  " in text
    assert "  attrdict/mixins.py:3  removed-stdlib-api  vendored attrdict 2.0.1  " in text


def test_a_folded_entry_lists_four_locations_then_counts_the_rest() -> None:
    findings = tuple(mapping_alias(f"attrdict/m{n}.py", n) for n in range(1, 7))

    text = render([build_report(findings)])

    assert (
        "      attrdict/m1.py:1, attrdict/m2.py:2, attrdict/m3.py:3, attrdict/m4.py:4 and 2 more\n"
        in (text)
    )
    assert "collections.Mapping in 6 places in 6 files of vendored attrdict 2.0.1" in text


def test_dependencies_and_analysis_errors_follow_the_findings_at_80_columns() -> None:
    report = full_report()
    report = build_report(dependencies=report.dependencies, errors=report.errors)

    assert render([report], options=RenderOptions(width=80)) == lines(
        rule(80),
        "orders-api  python3.9 -> python3.12  100/100 ready",
        "handler app.handler · x86_64",
        "0 blocker, 0 high, 0 medium, 0 low, 0 info · 3 files analysed, 2 analysis errors",
        "score: base 100",
        "",
        "No findings.",
        "",
        "Dependencies",
        "  package   version  status      fits    source              detail",
        "  " + rule(78),
        "  numpy     1.21.0   sdist-only  1.26.0  requirements.txt:2  no cp312 wheel for",
        "                                                             manylinux aarch64",
        "  attrdict  2.0.1    vendored    -       attrdict-2.0.1.dis",
        "                                         t-info",
        "",
        "Not analysed",
        "  rules: not UTF-8 (legacy/latin.py)",
        "  deps: x",
    )


def test_several_targets_of_one_function_show_a_matrix_first() -> None:
    reports = [
        build_report((imp_blocker(severity=Severity.LOW),), target="python3.11"),
        build_report((imp_blocker(),), target="python3.12"),
        build_report(target="python3.12", function=build_function(name="billing", arn=None)),
    ]

    text = render(reports, options=RenderOptions(width=80))

    assert text.startswith(
        lines(
            "Readiness by target",
            "function      python3.11     python3.12",
            rule(39),
            "orders-api    needs-work 98  blocked 75",
            "billing       -              ready 100",
            "",
            rule(80),
            "orders-api  python3.9 -> python3.11  98/100 needs-work",
        )
    )
    headers = [line for line in text.splitlines() if " -> python3" in line]
    assert headers == [
        "orders-api  python3.9 -> python3.11  98/100 needs-work",
        "orders-api  python3.9 -> python3.12  75/100 blocked",
        "billing  python3.9 -> python3.12  100/100 ready",
    ]


def test_the_matrix_of_five_targets_fits_80_columns() -> None:
    targets = ("python3.10", "python3.11", "python3.12", "python3.13", "python3.14")
    reports = [build_report((imp_blocker(),), target=target) for target in targets]
    reports.append(
        build_report(target="python3.12", function=build_function(name="billing-export-nightly"))
    )

    text = render(reports, options=RenderOptions(width=80))

    assert text.startswith(
        lines(
            "Readiness by target",
            "function              python3.10  python3.11  python3.12  python3.13  python3.14",
            rule(80),
            "orders-api            blocked 75  blocked 75  blocked 75  blocked 75  blocked 75",
            "billing-export-night  -           -           ready 100   -           -",
            "ly",
            "",
        )
    )
    assert max(len(line) for line in text.splitlines()) == 80


def test_one_target_per_function_shows_no_matrix() -> None:
    reports = [
        build_report(target="python3.12"),
        build_report(target="python3.11", function=build_function(name="billing")),
    ]

    assert "Readiness by target" not in render(reports)


def test_hostile_paths_and_messages_print_literally() -> None:
    finding = imp_blocker(
        location=Location("a|b[red]x.py", 3),
        message="[bold]imp[/bold] is gone",
        import_chain=("app", "evil\x1b[31m"),
    )

    text = render([build_report((finding,))], options=RenderOptions(width=80))

    assert "  a|b[red]x.py:3  removed-stdlib-module  function code  breaks in 3.12\n" in text
    assert "      [bold]imp[/bold] is gone\n" in text
    assert "      runs at import: app -> evil\\x1b[31m\n" in text
    assert "\x1b" not in text


def test_unrated_findings_come_last() -> None:
    report = build_report((imp_blocker(severity=None), utcnow_low()), verdict=Verdict.NEEDS_WORK)

    text = render([report])

    headings = [line for line in text.splitlines() if re.fullmatch(r"[A-Z][a-z]+ \(\d+\)", line)]

    assert headings == ["Low (1)", "Unrated (1)"]


def test_colour_marks_the_verdict_and_plain_text_has_no_escape_codes() -> None:
    report = build_report((imp_blocker(),))

    coloured = render([report], options=RenderOptions(color=True))
    plain = render([report])

    assert "\x1b[1;31m75/100 blocked\x1b[0m" in coloured
    assert "\x1b[1;31mBlocker (1)\x1b[0m" in coloured
    assert "\x1b" not in plain


def test_the_callers_environment_does_not_change_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    report = build_report((imp_blocker(),))
    expected = render([report], options=RenderOptions(width=80))

    for name, value in {"COLUMNS": "40", "FORCE_COLOR": "1", "TERM": "xterm-256color"}.items():
        monkeypatch.setenv(name, value)

    assert render([report], options=RenderOptions(width=80)) == expected


def test_no_reports_says_so() -> None:
    assert render([]) == "No functions analysed.\n"


def test_registry_passes_width_and_colour_to_the_table() -> None:
    report = build_report((imp_blocker(),))

    text = render_reports(ReportFormat.TABLE, [report], width=80, color=True)

    assert text == render([report], options=RenderOptions(width=80, color=True))


def test_a_file_name_that_is_not_utf8_renders_as_writable_text() -> None:
    finding = imp_blocker(location=Location("caf\udcff.py", 3))

    text = render([build_report((finding,))])

    assert "  caf\\udcff.py:3  removed-stdlib-module  " in text
    assert text.encode("utf-8")
