"""Batches of local functions: results equal single scans, resuming, sharing, failures."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fleet_cases import SAMPLES, add_function, rows, scan_log

from analyzer.batch import BatchCounts, BatchRequest, BatchSummary, decode_report, run_batch
from analyzer.pipeline import AnalysisOptions, ScanRequest, scan_target

TARGETS = ("python3.11", "python3.12")
NO_DEPS = AnalysisOptions(check_dependencies=False)


def batch(source: Path, database: Path, **changes: object) -> BatchSummary:
    options: dict[str, object] = {
        "source": source,
        "database": database,
        "targets": TARGETS,
        "workers": 2,
        "options": NO_DEPS,
        "use_cache": False,
    }
    options.update(changes)
    return run_batch(BatchRequest(**options))  # type: ignore[arg-type]


def stored_reports(database: Path) -> dict[tuple[str, str], bytes]:
    """(function name, target) to the stored report of its analysis."""
    found = rows(
        database,
        "SELECT f.name, a.target, a.report FROM functions f "
        "JOIN analyses a ON a.analysis_key = f.analysis_key",
    )
    return {(str(name), str(target)): bytes(blob) for name, target, blob in found}  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def sample_batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BatchSummary]:
    database = tmp_path_factory.mktemp("sample-batch") / "results.sqlite3"
    seen: list[BatchCounts] = []

    def progress(counts: BatchCounts) -> None:
        seen.append(BatchCounts(counts.total, counts.done, counts.failed, counts.unchanged))

    summary = run_batch(
        BatchRequest(
            source=SAMPLES,
            database=database,
            targets=TARGETS,
            workers=2,
            options=NO_DEPS,
            use_cache=False,
        ),
        progress,
    )
    _PROGRESS.extend(seen)
    return database, summary


_PROGRESS: list[BatchCounts] = []


def test_a_batch_of_the_samples_finishes_every_function(
    sample_batch: tuple[Path, BatchSummary],
) -> None:
    database, summary = sample_batch

    assert summary.counts == BatchCounts(total=8, done=8, failed=0, unchanged=0)
    assert summary.packages_analysed == 8
    assert rows(database, "SELECT status, count(*) FROM functions GROUP BY status") == [("done", 8)]
    assert len(scan_log(database)) == 8


@pytest.mark.parametrize(
    "name",
    [
        "campaign-redirects",
        "clickstream-ingest",
        "customer-sync",
        "image-intake",
        "invoice-totals",
        "leaderboard-ranker",
        "nightly-report-export",
        "sensor-fanout",
    ],
)
def test_each_stored_report_equals_a_single_scan(
    sample_batch: tuple[Path, BatchSummary], name: str
) -> None:
    database, _ = sample_batch
    single = scan_target(
        ScanRequest(
            target=str(SAMPLES / name / "function"),
            target_runtimes=TARGETS,
            config=SAMPLES / name / "configuration.json",
            check_dependencies=False,
        )
    )
    stored = stored_reports(database)

    for report in single:
        from_batch = decode_report(stored[(name, report.target.name)])
        assert (from_batch.score, from_batch.verdict) == (report.score, report.verdict)
        assert from_batch.findings == report.findings
        assert from_batch.errors == report.errors


def test_progress_is_reported_until_nothing_remains(
    sample_batch: tuple[Path, BatchSummary],
) -> None:
    assert _PROGRESS[0] == BatchCounts(total=8, done=0, failed=0, unchanged=0)
    assert _PROGRESS[-1] == BatchCounts(total=8, done=8, failed=0, unchanged=0)
    assert [counts.done for counts in _PROGRESS] == sorted(counts.done for counts in _PROGRESS)


def test_a_second_run_scans_nothing_again(
    sample_batch: tuple[Path, BatchSummary], tmp_path: Path
) -> None:
    database, _ = sample_batch
    copy = tmp_path / "results.sqlite3"
    shutil.copy(database, copy)

    again = batch(SAMPLES, copy)

    assert again.counts == BatchCounts(total=8, done=8, failed=0, unchanged=8)
    assert again.packages_analysed == 0
    assert len(scan_log(copy)) == 8


def test_a_function_whose_code_changed_is_scanned_again_and_only_it(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    add_function(fleet, "alpha", "customer-sync")
    beta = add_function(fleet, "beta", "invoice-totals")
    database = tmp_path / "results.sqlite3"
    batch(fleet, database)

    (beta / "function" / "app.py").write_text(
        "import imp\n\n\ndef handler(event, context):\n    pass\n"
    )
    again = batch(fleet, database)

    assert again.counts == BatchCounts(total=2, done=2, failed=0, unchanged=1)
    assert again.packages_analysed == 1
    assert sorted(scan_log(database)) == [("alpha", "done"), ("beta", "done"), ("beta", "done")]
    (blocked,) = rows(
        database,
        "SELECT a.verdict FROM functions f JOIN analyses a ON a.analysis_key = f.analysis_key "
        "WHERE f.name = 'beta' AND a.target = 'python3.12'",
    )
    assert blocked == ("blocked",)


def test_functions_with_equal_content_are_analysed_once(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    add_function(fleet, "first", "image-intake")
    add_function(fleet, "second", "image-intake")
    database = tmp_path / "results.sqlite3"

    summary = batch(fleet, database)

    assert summary.counts.done == 2
    assert summary.packages_analysed == 1
    assert summary.functions_reusing == 1
    keys = rows(database, "SELECT DISTINCT analysis_key FROM functions")
    assert len(keys) == 1

    # A later run adding a third copy reuses the stored analysis.
    add_function(fleet, "third", "image-intake")
    later = batch(fleet, database)

    assert later.counts == BatchCounts(total=3, done=3, failed=0, unchanged=2)
    assert later.packages_analysed == 0
    assert later.functions_reusing == 1
    logged = rows(
        database,
        "SELECT f.name, s.analysed FROM scan_log s JOIN functions f ON f.key = s.function_key",
    )
    assert sorted(logged) == [("first", 1), ("second", 1), ("third", 0)]


def test_a_function_that_cannot_be_scanned_is_a_row_and_the_batch_goes_on(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    add_function(fleet, "good", "customer-sync")
    add_function(fleet, "old-runtime", "customer-sync", runtime="python3.7")
    (fleet / "corrupt.zip").write_bytes(b"PK\x03\x04 this is not a whole zip archive")
    database = tmp_path / "results.sqlite3"

    summary = batch(fleet, database)

    assert summary.counts == BatchCounts(total=3, done=1, failed=2, unchanged=0)
    assert sorted(rows(database, "SELECT name, status, failure_kind, error FROM functions")) == [
        (
            "corrupt",
            "failed",
            "corrupt-archive",
            "corrupt.zip is a truncated zip archive (no central directory)",
        ),
        ("good", "done", None, None),
        (
            "old-runtime",
            "failed",
            "unsupported-runtime",
            f"{fleet / 'old-runtime' / 'configuration.json'}: unknown runtime 'python3.7'; "
            "known runtimes: python3.8, python3.9, python3.10, python3.11, python3.12, "
            "python3.13, python3.14",
        ),
    ]


def test_failed_functions_are_retried_only_when_asked_or_changed(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    add_function(fleet, "good", "customer-sync")
    (fleet / "corrupt.zip").write_bytes(b"not a zip")
    database = tmp_path / "results.sqlite3"
    batch(fleet, database)

    again = batch(fleet, database)
    assert again.counts == BatchCounts(total=2, done=1, failed=1, unchanged=2)

    retried = batch(fleet, database, retry_failed=True)
    assert retried.counts == BatchCounts(total=2, done=1, failed=1, unchanged=1)

    shutil.copy(SAMPLES / "image-intake.zip", fleet / "corrupt.zip")
    fixed = batch(fleet, database)
    assert fixed.counts == BatchCounts(total=2, done=2, failed=0, unchanged=1)
    assert sorted(scan_log(database)) == [
        ("corrupt", "done"),
        ("corrupt", "failed"),
        ("corrupt", "failed"),
        ("good", "done"),
    ]


def test_an_analysis_over_the_time_limit_fails_that_function_only(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    add_function(fleet, "slow", "leaderboard-ranker")
    add_function(fleet, "other", "campaign-redirects")
    database = tmp_path / "results.sqlite3"

    summary = batch(fleet, database, timeout_seconds=0.001, workers=1)

    assert summary.counts == BatchCounts(total=2, done=0, failed=2, unchanged=0)
    assert sorted(rows(database, "SELECT name, failure_kind, error FROM functions")) == [
        ("other", "timeout", "the analysis took longer than 0.001 seconds and was stopped"),
        ("slow", "timeout", "the analysis took longer than 0.001 seconds and was stopped"),
    ]
    # The stopped worker was replaced: with time enough, the same pool size finishes both.
    retried = batch(fleet, database, retry_failed=True, workers=1)
    assert retried.counts == BatchCounts(total=2, done=2, failed=0, unchanged=0)


LAYER_FILES = {
    "python/shared_tools.py": "import imp\n\n\ndef load(name):\n    return imp.find_module(name)\n"
}


def test_a_layer_shared_by_functions_is_analysed_once_and_reports_equal_single_scans(
    tmp_path: Path,
) -> None:
    fleet = tmp_path / "fleet"
    uses_layer = {"app.py": "import shared_tools\n\n\ndef handler(event, context):\n    return 1\n"}
    add_function(fleet, "one", "customer-sync", files=uses_layer, layers={"tools": LAYER_FILES})
    add_function(fleet, "two", "invoice-totals", files=uses_layer, layers={"tools": LAYER_FILES})
    # Three has a module of its own named imp: in it, the layer's "import imp" is not the
    # standard library's, so the layer file's analysis differs and must not be reused.
    add_function(
        fleet,
        "three",
        "image-intake",
        files={**uses_layer, "imp.py": "def find_module(name):\n    return name\n"},
        layers={"tools": LAYER_FILES},
    )
    database = tmp_path / "results.sqlite3"

    summary = batch(fleet, database, workers=1)

    assert summary.counts.done == 3
    assert summary.layer_files_analysed == 2
    assert summary.layer_files_reused == 1
    stored = stored_reports(database)
    for name in ("one", "two", "three"):
        single = scan_target(
            ScanRequest(
                target=str(fleet / name / "function"),
                target_runtimes=TARGETS,
                config=fleet / name / "configuration.json",
                check_dependencies=False,
            )
        )
        for report in single:
            assert decode_report(stored[(name, report.target.name)]).findings == report.findings
    layer_findings = {
        name: [
            finding.rule_id
            for finding in decode_report(stored[(name, "python3.12")]).findings
            if finding.location.path == "layers/tools/python/shared_tools.py"
        ]
        for name in ("one", "two", "three")
    }
    assert layer_findings == {
        "one": ["removed-stdlib-module", "removed-stdlib-api"],
        "two": ["removed-stdlib-module", "removed-stdlib-api"],
        "three": [],
    }


def _deps_fixtures() -> ModuleType:
    """The deps tests' local index (a real Simple API server over real wheels)."""
    path = Path(__file__).resolve().parents[1] / "deps" / "conftest.py"
    spec = importlib.util.spec_from_file_location("deps_index_fixtures", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def local_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    fixtures = _deps_fixtures()
    index = fixtures.LocalIndex("", fixtures.build_catalogue(tmp_path_factory.mktemp("wheels")))
    server = ThreadingHTTPServer(("127.0.0.1", 0), fixtures._make_handler(index))
    index.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield index
    server.shutdown()
    server.server_close()


def test_a_dependency_shared_by_functions_is_asked_of_the_index_once_per_run(
    tmp_path: Path, local_index: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    fleet = tmp_path / "fleet"
    pins = "helper==1.0\npurepkg==2.0\n"
    add_function(fleet, "one", "customer-sync", files={"requirements.txt": pins})
    add_function(fleet, "two", "invoice-totals", files={"requirements.txt": pins})
    add_function(fleet, "three", "image-intake", files={"requirements.txt": "helper==1.0\n"})
    options = AnalysisOptions(
        index_url=local_index.url("simple"), vulnerabilities=False, use_cache=False
    )
    local_index.clear()

    summary = batch(fleet, tmp_path / "results.sqlite3", options=options)

    assert summary.counts.done == 3
    assert local_index.asked("/simple/simple/helper/") == ["/simple/simple/helper/"]
    assert local_index.asked("/simple/simple/purepkg/") == ["/simple/simple/purepkg/"]
    rows_found = rows(
        tmp_path / "results.sqlite3",
        "SELECT f.name, a.report FROM functions f JOIN analyses a "
        "ON a.analysis_key = f.analysis_key WHERE a.target = 'python3.11' ORDER BY f.name",
    )
    dependencies = {
        str(name): [
            (row.name, row.version, row.status)
            for row in decode_report(bytes(blob)).dependencies  # type: ignore[arg-type]
        ]
        for name, blob in rows_found
    }
    assert dependencies == {
        "one": [("helper", "1.0", "wheel"), ("purepkg", "2.0", "wheel")],
        "three": [("helper", "1.0", "wheel")],
        "two": [
            ("helper", "1.0", "wheel"),
            ("purepkg", "2.0", "wheel"),
            ("tomli", "2.0.1", "vendored"),
        ],
    }
