"""The Markdown report: exact text, folding, the matrix, and escaping checked by a parser."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt
from report_builders import (
    build_function,
    build_report,
    full_report,
    imp_blocker,
    mapping_alias,
    utcnow_low,
)

from analyzer.models import AnalysisError, Location, Severity
from analyzer.report import ReportFormat, render_reports
from analyzer.report.markdown import code, render, text

FINDINGS_HEADER = "| location | rule | component | finding | fix |\n| --- | --- | --- | --- | --- |"


def to_html(markdown: str) -> str:
    """HTML of ``markdown`` as a GitHub-flavoured parser (tables on) renders it."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


def test_a_report_is_a_heading_a_summary_table_and_a_findings_table_per_severity() -> None:
    report = build_report(
        (
            utcnow_low(),
            imp_blocker(documentation="https://docs.python.org/3/whatsnew/3.12.html#imp"),
        )
    )

    assert render([report]) == (
        "## orders-api: python3.9 → python3.12, 73/100 blocked\n"
        "\n"
        "handler app.handler · x86\\_64\n"
        "\n"
        "| blocker | high | medium | low | info | files analysed | analysis errors |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        "| 1 | 0 | 0 | 1 | 0 | 3 | 0 |\n"
        "\n"
        "Score 73/100: base 100, blocker -25 (1), low -2 (1).\n"
        "\n"
        "### Blocker (1)\n"
        "\n"
        f"{FINDINGS_HEADER}\n"
        "| `app.py:3` "
        "| [`removed-stdlib-module`](<https://docs.python.org/3/whatsnew/3.12.html#imp>) "
        "| function code "
        "| imp was removed in Python 3.12<br>breaks in 3.12 · runs at import: app "
        "| replace imp with importlib |\n"
        "\n"
        "### Low (1)\n"
        "\n"
        f"{FINDINGS_HEADER}\n"
        "| `util.py:14` | `deprecated-api` | function code "
        "| datetime.datetime.utcnow() is deprecated since Python 3.12"
        "<br>deprecated in 3.12 · runs when called "
        "| use datetime.datetime.now(datetime.UTC) |\n"
    )


def test_folded_findings_dependencies_and_analysis_errors() -> None:
    full = full_report()
    report = build_report(
        (
            mapping_alias("attrdict/mapping.py", 8),
            mapping_alias("attrdict/mixins.py", 3),
            mapping_alias("attrdict/mapping.py", 20),
        ),
        dependencies=full.dependencies,
        errors=full.errors,
        function=build_function(layers=full.function.layers, overrides=("handler",)),
    )

    assert render([report]) == (
        "## orders-api: python3.9 → python3.12, 25/100 blocked\n"
        "\n"
        "handler app.handler · x86\\_64 · layers: helpers · given on the command line: handler\n"
        "\n"
        "| blocker | high | medium | low | info | files analysed | analysis errors |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        "| 3 | 0 | 0 | 0 | 0 | 3 | 2 |\n"
        "\n"
        "Score 25/100: base 100, blocker -75 (3).\n"
        "\n"
        "### Blocker (3)\n"
        "\n"
        f"{FINDINGS_HEADER}\n"
        "| `attrdict/mapping.py:8`, `attrdict/mapping.py:20`, `attrdict/mixins.py:3` "
        "| `removed-stdlib-api` "
        "| vendored attrdict 2.0.1 "
        "| **collections.Mapping in 3 places in 2 files of vendored attrdict 2.0.1**"
        "<br>collections.Mapping was removed in Python 3.10"
        "<br>deprecated in 3.3, breaks in 3.10 · runs at import: app -> attrdict -> "
        "attrdict.mapping "
        "| upgrade attrdict, or import Mapping from collections.abc (mechanical) |\n"
        "\n"
        "### Dependencies\n"
        "\n"
        "| package | version | status | fits | source | detail |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
        "| numpy | 1.21.0 | sdist-only | 1.26.0 | `requirements.txt:2` "
        "| no cp312 wheel for manylinux aarch64 |\n"
        "| attrdict | 2.0.1 | vendored | - | `attrdict-2.0.1.dist-info` | - |\n"
        "\n"
        "### Not analysed\n"
        "\n"
        "- **rules**: not UTF-8 (`legacy/latin.py`)\n"
        "- **deps**: x\n"
    )


def test_a_folded_entry_shows_four_locations_then_counts_the_rest() -> None:
    findings = tuple(mapping_alias(f"attrdict/m{n}.py", n) for n in range(1, 7))

    markdown = render([build_report(findings)])

    assert (
        "| `attrdict/m1.py:1`, `attrdict/m2.py:2`, `attrdict/m3.py:3`, `attrdict/m4.py:4` "
        "and 2 more | `removed-stdlib-api` |"
    ) in markdown


def test_several_targets_of_one_function_open_with_a_readiness_matrix() -> None:
    reports = [
        build_report((imp_blocker(severity=Severity.LOW),), target="python3.11"),
        build_report((imp_blocker(),), target="python3.12"),
        build_report(target="python3.12", function=build_function(name="billing", arn=None)),
    ]

    markdown = render(reports)

    assert markdown.startswith(
        "## Readiness by target\n"
        "\n"
        "| function | python3.11 | python3.12 |\n"
        "| --- | --- | --- |\n"
        "| orders-api | **needs-work** 98 | **blocked** 75 |\n"
        "| billing | - | **ready** 100 |\n"
        "\n"
        "## orders-api: python3.9 → python3.11, 98/100 needs-work\n"
    )
    assert [line for line in markdown.splitlines() if line.startswith("## ")] == [
        "## Readiness by target",
        "## orders-api: python3.9 → python3.11, 98/100 needs-work",
        "## orders-api: python3.9 → python3.12, 75/100 blocked",
        "## billing: python3.9 → python3.12, 100/100 ready",
    ]


def test_a_hostile_path_stays_inside_its_table_cell() -> None:
    finding = imp_blocker(
        location=Location("a|b[red]x.py", 3),
        message="*imp* <b>gone</b> | `x` $5 & co",
        fix="use `importlib`",
    )
    report = build_report(
        (finding,),
        function=build_function(name="my_func|x"),
        errors=(AnalysisError("rules", "bad", "we`ird|path.py"),),
    )

    markdown = render([report])
    html = to_html(markdown)

    assert "| `a\\|b[red]x.py:3` | `removed-stdlib-module` |" in markdown
    assert "<h2>my_func|x: python3.9 → python3.12, 75/100 blocked</h2>" in html
    assert (
        "<tr>\n"
        "<td><code>a|b[red]x.py:3</code></td>\n"
        "<td><code>removed-stdlib-module</code></td>\n"
        "<td>function code</td>\n"
        "<td>*imp* &lt;b&gt;gone&lt;/b&gt; | `x` $5 &amp; co"
        "<br>breaks in 3.12 · runs at import: app</td>\n"
        "<td>use `importlib`</td>\n"
        "</tr>\n"
    ) in html
    assert "<li><strong>rules</strong>: bad (<code>we`ird|path.py</code>)</li>" in html


def test_control_characters_are_shown_as_escapes_not_passed_on() -> None:
    finding = imp_blocker(location=Location("evil\x1b[2J\nx.py", 3))

    markdown = render([build_report((finding,))])

    assert "| `evil\\x1b[2J\\nx.py:3` |" in markdown


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", "`plain`"),
        ("a`b", "``a`b``"),
        ("`edge`", "`` `edge` ``"),
        ("x``y", "```x``y```"),
    ],
)
def test_code_spans_outlast_the_backticks_inside(value: str, expected: str) -> None:
    assert code(value) == expected
    assert to_html(code(value)) == f"<p><code>{value}</code></p>\n"


def test_text_escapes_every_character_that_starts_markup() -> None:
    hostile = r"\ ` * _ [ ] < | ~ & $ [link](http://x) <script>"

    assert to_html(text(hostile)) == (
        "<p>\\ ` * _ [ ] &lt; | ~ &amp; $ [link](http://x) &lt;script&gt;</p>\n"
    )


def test_documentation_links_that_could_break_out_are_left_out() -> None:
    finding = imp_blocker(documentation="javascript:alert(1)")

    markdown = render([build_report((finding,))])

    assert "| `app.py:3` | `removed-stdlib-module` |" in markdown
    assert "javascript" not in markdown


def test_no_reports_says_so() -> None:
    assert render([]) == "No functions analysed.\n"


def test_registry_renders_markdown() -> None:
    reports = [build_report((imp_blocker(),))]

    assert render_reports(ReportFormat.MARKDOWN, reports) == render(reports)
