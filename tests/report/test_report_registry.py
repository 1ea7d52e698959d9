"""The format registry: every format renders, nothing is printed, and rich loads only when used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from report_builders import build_report, full_report, imp_blocker

from analyzer.report import ReportFormat, render_reports, renderer_for

REPOSITORY = Path(__file__).resolve().parents[2]


def test_the_formats_are_the_command_line_names() -> None:
    assert [fmt.value for fmt in ReportFormat] == ["table", "json", "markdown", "sarif"]


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_every_format_renders_text_ending_with_one_newline_and_prints_nothing(
    fmt: ReportFormat, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = [full_report(), build_report((imp_blocker(),), target="python3.13")]

    text = render_reports(fmt, reports, width=80, generated_at="2026-12-04T16:00:00+00:00")

    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "orders-api" in text
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_every_format_is_a_module_with_a_render_function(fmt: ReportFormat) -> None:
    render = renderer_for(fmt)

    assert render.__module__ == f"analyzer.report.{fmt.value}"
    assert render.__name__ == "render"


def test_choosing_a_format_does_not_load_rich() -> None:
    # The CLI imports the registry to list formats in --help, which must stay fast.
    probe = (
        "import sys, analyzer.report; "
        "analyzer.report.render_reports(analyzer.report.ReportFormat.JSON, []); "
        "print(sorted(m for m in sys.modules if m == 'rich' or m.startswith('rich.')))"
    )

    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout == "[]\n"
