"""Every visitor rule against its own examples, and its version facts on real interpreters."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from analyzer.models import Finding, PythonVersion, parse_version
from analyzer.rules.base import FLAGGED_MARK, SourceFacts, SourceRule
from analyzer.rules.checks.format_z_option import has_z_option
from analyzer.rules.engine import analyse_source, source_rules
from analyzer.rules.imports import collect_imports
from tests.rules.conftest import MEASURED_VERSIONS, run_examples

RULES = source_rules()
FLAGGED = [
    pytest.param(rule, source, id=f"{rule.__name__}-{index}")
    for rule in RULES
    for index, source in enumerate(rule.FLAGGED)
]
CLEAN = [
    pytest.param(rule, source, id=f"{rule.__name__}-{index}")
    for rule in RULES
    for index, source in enumerate(rule.CLEAN)
]
KEBAB = re.compile(r"^[a-z]+(?:-[a-z]+)*$")


def marks(source: str) -> list[tuple[int, str]]:
    """(line, symbol) of every line marked ``# flagged: <symbol>``."""
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = FLAGGED_MARK.search(line)
        if match:
            found.append((number, match.group(1)))
    return found


def rule_findings(rule: type[SourceRule], source: str) -> list[Finding]:
    """The findings of ``rule`` (its id and source) in the analysis of ``source``."""
    analysis = analyse_source(source, "example.py", module="example")
    return [
        finding
        for finding in analysis.findings
        if finding.rule_id == rule.RULE_ID and (finding.documentation or "").startswith(rule.SOURCE)
    ]


def test_the_rules_are_found_without_a_list() -> None:
    names = {rule.__name__ for rule in RULES}

    assert len(RULES) == len(names) >= 30
    assert {"RandomSampleFromSet", "UnionTypeOperator", "FStringSyntax"} <= names


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_rule_documents_itself(rule: type[SourceRule]) -> None:
    assert rule.__doc__ and rule.__doc__.strip()
    assert KEBAB.match(rule.RULE_ID)
    assert rule.SOURCE.startswith("What's New In Python 3.")
    assert rule.FLAGGED and rule.CLEAN
    assert rule.BREAKS_IN is not None or rule.REQUIRES is not None
    assert rule.FIX
    for source in rule.FLAGGED:
        assert marks(source), "each flagged example marks the lines it must report"


@pytest.mark.parametrize(("rule", "source"), FLAGGED)
def test_flagged_example_is_reported_on_exactly_its_marked_lines(
    rule: type[SourceRule], source: str
) -> None:
    reported = sorted(
        (finding.location.line or 0, finding.symbol or "")
        for finding in rule_findings(rule, source)
    )

    assert reported == sorted(marks(source))


@pytest.mark.parametrize(("rule", "source"), FLAGGED)
def test_flagged_example_passes_the_rules_prefilter(rule: type[SourceRule], source: str) -> None:
    try:
        imports, _ = collect_imports(ast.parse(source))
    except SyntaxError:  # newer syntax than this interpreter's: no imports to read
        imports = ()

    assert rule.triggered(SourceFacts(source, imports))


@pytest.mark.parametrize(("rule", "source"), FLAGGED)
def test_flagged_finding_names_the_rules_versions(rule: type[SourceRule], source: str) -> None:
    findings = rule_findings(rule, source)

    assert findings
    for finding in findings:
        if rule.BREAKS_IN is not None:
            assert finding.breaks_in == rule.BREAKS_IN
        if rule.REQUIRES is not None:
            assert finding.requires is not None and finding.requires >= rule.REQUIRES
        assert finding.fix and finding.documentation


@pytest.mark.parametrize(("rule", "source"), CLEAN)
def test_clean_example_is_not_reported(rule: type[SourceRule], source: str) -> None:
    assert [
        (finding.location.line, finding.symbol) for finding in rule_findings(rule, source)
    ] == []


# Version facts, confirmed by running every example on every installed interpreter


@pytest.fixture(scope="module")
def outcomes(interpreters: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """{(rule name, "FLAGGED"/"CLEAN", index): {version: outcome}} for every example."""
    keys = [
        (rule.__name__, kind, index)
        for rule in RULES
        for kind in ("FLAGGED", "CLEAN")
        for index in range(len(getattr(rule, kind)))
    ]
    programs = [getattr(_rule(name), kind)[index] for name, kind, index in keys]
    folder = tmp_path_factory.mktemp("examples")
    results: dict[tuple[str, str, int], dict[str, str]] = {key: {} for key in keys}
    for version, interpreter in interpreters.items():
        for key, outcome in zip(
            keys, run_examples(interpreter, programs, Path(folder)), strict=True
        ):
            results[key][version] = outcome
    return results


def _rule(name: str) -> type[SourceRule]:
    return next(rule for rule in RULES if rule.__name__ == name)


def expected_failure(rule: type[SourceRule], version: PythonVersion) -> bool:
    """Whether a flagged example must fail on ``version``, by the rule's facts."""
    if rule.REQUIRES is not None and version < rule.REQUIRES:
        return True
    return rule.BREAKS_IN is not None and version >= rule.BREAKS_IN


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_version_facts_hold_on_the_installed_interpreters(
    rule: type[SourceRule], outcomes: dict
) -> None:
    for index in range(len(rule.FLAGGED)):
        measured = outcomes[(rule.__name__, "FLAGGED", index)]
        for version_text, outcome in measured.items():
            version = parse_version(version_text)
            if expected_failure(rule, version):
                assert outcome not in {"ok", "deprecated"}, (index, version_text, outcome)
            elif outcome == "deprecated":
                # A warning before the break is fine from the version that deprecated it.
                assert rule.DEPRECATED_IN is not None and version >= rule.DEPRECATED_IN, (
                    index,
                    version_text,
                )
            else:
                assert outcome == "ok", (index, version_text, outcome)
    for index in range(len(rule.CLEAN)):
        measured = outcomes[(rule.__name__, "CLEAN", index)]
        assert set(measured.values()) == {"ok"}, (index, measured)


def test_every_measured_version_was_run(outcomes: dict) -> None:
    any_example = next(iter(outcomes.values()))

    assert set(any_example) <= set(MEASURED_VERSIONS)
    assert any_example


# Rules that apply catalogue rows: the row's versions, not the rule's examples' ones


def _findings(source: str) -> list[tuple[int | None, str, str | None, str, str, str]]:
    analysis = analyse_source(source, "example.py", module="example")
    return [
        (
            finding.location.line,
            finding.rule_id,
            finding.symbol,
            str(finding.breaks_in),
            str(finding.requires),
            finding.reach.value,
        )
        for finding in analysis.findings
    ]


def test_dynamic_import_takes_the_versions_of_the_modules_row() -> None:
    source = (
        "import importlib\n\n"
        'crypt_module = __import__("crypt")\n'
        'toml = importlib.import_module("tomllib")\n'
        'util = importlib.import_module("distutils.util")\n'
    )

    assert [finding[:5] for finding in _findings(source)] == [
        (3, "removed-stdlib-module", "crypt", "(3, 13)", "None"),
        (4, "needs-newer-stdlib", "tomllib", "None", "(3, 11)"),
        (5, "removed-stdlib-module", "distutils", "(3, 12)", "None"),
    ]


def test_dynamic_import_in_a_try_that_absorbs_its_failure_is_guarded() -> None:
    source = (
        "import importlib\n\ntry:\n"
        '    mod = importlib.import_module("imp")\n'
        "except ImportError:\n    mod = None\n"
    )

    assert _findings(source) == [(4, "removed-stdlib-module", "imp", "(3, 12)", "None", "guarded")]


def test_dynamic_import_of_a_module_of_the_same_name_as_a_local_one_is_silent() -> None:
    analysis = analyse_source(
        'import importlib\n\nmod = importlib.import_module("imp")\n',
        "example.py",
        module="example",
        local_modules=frozenset({"imp"}),
    )

    assert analysis.findings == ()


def test_sqlite_named_placeholders_on_a_cursor_the_code_cannot_place() -> None:
    source = (
        "import sqlite3\n\n\ndef insert(cursor):\n"
        '    cursor.execute("insert into t values (:a, @b)", [1, 2])\n'
    )

    assert _findings(source) == [
        (5, "behaviour-change", "sqlite3 named placeholders", "(3, 14)", "None", "call")
    ]


def test_sqlite_named_placeholders_on_another_library_are_not_judged() -> None:
    source = (
        "import sqlite3\nimport shelve\n\nstore = shelve.open('x')\n"
        'store.execute("select :a", (1,))\n'
    )

    assert _findings(source) == []


def test_literal_getattr_takes_the_versions_of_the_names_row() -> None:
    source = (
        "import collections\nimport itertools\n\n"
        'mapping = getattr(collections, "Mapping")\n'
        'batched = getattr(itertools, "batched")\n'
        'fallback = getattr(itertools, "pairwise", zip)\n'
    )

    assert [finding[:5] for finding in _findings(source)] == [
        (4, "removed-stdlib-api", "collections.Mapping", "(3, 10)", "None"),
        (5, "needs-newer-stdlib", "itertools.batched", "None", "(3, 12)"),
    ]


def test_path_context_manager_of_a_name_bound_in_another_function() -> None:
    source = (
        "import pathlib\n\nROOT = pathlib.Path('.')\n\n\ndef show():\n"
        "    with ROOT as here:\n        return here.exists()\n"
    )

    assert _findings(source) == [
        (7, "behaviour-change", "pathlib.Path.__enter__", "(3, 13)", "None", "call")
    ]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("z.1f", True),
        ("+z.1f", True),
        (">+z8.2f", True),
        ("*^ z", True),
        ("x>z", True),
        ("z<8", False),
        ("z^5", False),
        (".2f", False),
        ("", False),
    ],
)
def test_format_spec_z_option(spec: str, expected: bool) -> None:
    assert has_z_option(spec) is expected
