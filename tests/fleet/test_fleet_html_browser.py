"""The HTML fleet report in a real headless Chromium: what a person sees and does."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cdp import Browser, chromium_path
from fleet_world import PAGE_FUNCTIONS

from analyzer.fleet import GroupBy, load_fleet
from analyzer.report.fleet_formats import FleetFormat, render_fleet

pytestmark = pytest.mark.browser

TOTAL = PAGE_FUNCTIONS + 4
VISIBLE_NAMES = (
    "Array.from(document.querySelectorAll('#functions tbody tr'))"
    ".filter(row => !row.hidden).map(row => row.cells[1].textContent)"
)


@pytest.fixture(scope="module")
def report_page(fleet_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    report = load_fleet(
        fleet_database,
        targets=("python3.12", "python3.11"),
        primary_target="python3.12",
        group_by=GroupBy.parse("tag:team"),
        today=dt.date(2025, 6, 1),
        with_findings=True,
    )
    page = tmp_path_factory.mktemp("html") / "fleet.html"
    page.write_text(render_fleet(FleetFormat.HTML, report), encoding="utf-8")
    return page


@pytest.fixture
def browser(report_page: Path, tmp_path: Path) -> Iterator[Browser]:
    if chromium_path() is None:
        message = "Chromium is not installed (.ci/run installs Debian's package chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with Browser(tmp_path / "profile") as opened:
        opened.open(report_page.as_uri())
        yield opened


def test_the_page_shows_the_counts_of_the_database(browser: Browser) -> None:
    counts = browser.evaluate(
        "Array.from(document.querySelectorAll('#verdict-counts tbody tr')).map("
        "row => Array.from(row.cells).map(cell => cell.textContent))"
    )
    bars = browser.evaluate(
        "Array.from(document.querySelectorAll('svg .segment')).map("
        "g => [g.dataset.target, g.dataset.verdict, Number(g.dataset.count)])"
    )

    assert counts == [
        ["python3.12", "2", "1", "1", str(PAGE_FUNCTIONS)],
        ["python3.11", "0", "1", "3", str(PAGE_FUNCTIONS)],
    ]
    assert bars == [
        ["python3.12", "blocked", 2],
        ["python3.12", "not-analysed", 1],
        ["python3.12", "needs-work", 1],
        ["python3.12", "ready", PAGE_FUNCTIONS],
        ["python3.11", "not-analysed", 1],
        ["python3.11", "needs-work", 3],
        ["python3.11", "ready", PAGE_FUNCTIONS],
    ]
    assert browser.evaluate("document.getElementById('shown').textContent") == (
        f"{TOTAL} of {TOTAL} functions"
    )
    assert browser.evaluate(VISIBLE_NAMES)[:4] == [
        "reports-copy",
        "reports-nightly",
        "image-worker",
        "reports-images",
    ]


def test_a_click_on_a_column_header_sorts_by_it_and_again_reverses(browser: Browser) -> None:
    header = "#functions thead th:nth-child(8) button"  # the python3.12 column
    assert browser.evaluate(f"document.querySelector('{header}').textContent") == "python3.12"

    browser.click(header)
    ascending = browser.evaluate(VISIBLE_NAMES)
    browser.click(header)
    descending = browser.evaluate(VISIBLE_NAMES)

    # Lowest score first; not analysed (no score) before every score; ties by priority.
    assert ascending[:4] == ["image-worker", "reports-copy", "reports-nightly", "reports-images"]
    assert descending[:2] == ["orders-001", "orders-000"]
    assert descending[-1] == "image-worker"
    assert (
        browser.evaluate(
            "document.querySelector('#functions thead th:nth-child(8)').getAttribute('aria-sort')"
        )
        == "descending"
    )


def test_typing_in_the_filter_and_choosing_a_verdict_narrow_the_table(browser: Browser) -> None:
    browser.click("#filter")
    browser.type_text("reports")

    assert browser.evaluate(VISIBLE_NAMES) == ["reports-copy", "reports-nightly", "reports-images"]
    assert browser.evaluate("document.getElementById('shown').textContent") == (
        f"3 of {TOTAL} functions"
    )

    browser.evaluate(
        "(() => { const select = document.getElementById('verdict-filter');"
        " select.value = 'blocked'; select.dispatchEvent(new Event('change')); })()"
    )

    assert browser.evaluate(VISIBLE_NAMES) == ["reports-copy", "reports-nightly"]
    assert browser.evaluate("document.getElementById('shown').textContent") == (
        f"2 of {TOTAL} functions"
    )


def test_a_function_link_opens_its_page_with_its_findings(browser: Browser) -> None:
    browser.click("#functions tbody tr:nth-child(2) td:nth-child(2) a")

    assert browser.evaluate("location.hash") == "#function-2"
    assert browser.evaluate("getComputedStyle(document.getElementById('overview')).display") == (
        "none"
    )
    page = "document.getElementById('function-2')"
    assert browser.evaluate(f"{page}.querySelector('h1').textContent") == "reports-nightly"
    rows = (
        f"Array.from({page}.querySelectorAll('.findings')[0].querySelectorAll('tbody tr'))"
        ".map(row => Array.from(row.cells).slice(0, 3).map(cell => cell.textContent))"
    )
    # The page's script fills the table from the embedded findings after the hash changes; a
    # loaded machine may take a moment.
    deadline = time.monotonic() + 15
    findings = browser.evaluate(rows)
    while not findings and time.monotonic() < deadline:
        time.sleep(0.1)
        findings = browser.evaluate(rows)
    assert findings[0] == ["blocker", "removed-stdlib-module", "settings.py:4"]

    browser.click("#function-2 a[href='#']")

    assert browser.evaluate("getComputedStyle(document.getElementById('overview')).display") == (
        "block"
    )


def test_the_page_asks_the_network_for_nothing(browser: Browser, report_page: Path) -> None:
    browser.click("#functions tbody tr:nth-child(1) td:nth-child(2) a")

    assert browser.requested_urls() == [report_page.as_uri()]
