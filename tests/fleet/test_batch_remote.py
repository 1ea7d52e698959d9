"""Batches of deployed functions against moto's server: inventories, lines, list-functions JSON."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import boto3
from fleet_cases import rows
from fleet_world import (
    ACCOUNT_A,
    ACCOUNT_B,
    ACCOUNT_C,
    DENIED_REGION,
    REGION_1,
    REGION_2,
    ROLE_ARN,
    SAMPLES,
    SHARED_LAYER_FILES,
    FleetEnv,
    zip_bytes,
    zip_of_folder,
)

from analyzer.batch import BatchCounts, BatchRequest, BatchSummary, decode_report, run_batch
from analyzer.fetch.inventory import InventoryRequest, take_inventory, write_inventory
from analyzer.pipeline import AnalysisOptions, ScanRequest, scan_target

TARGETS = ("python3.11", "python3.12")


def batch(source: Path, database: Path, tmp_path: Path, **changes: object) -> BatchSummary:
    options: dict[str, object] = {
        "source": source,
        "database": database,
        "targets": TARGETS,
        "workers": 1,
        "options": AnalysisOptions(check_dependencies=False),
        "code_cache_dir": tmp_path / "code-cache",
    }
    options.update(changes)
    return run_batch(BatchRequest(**options))  # type: ignore[arg-type]


def arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{account}:function:{name}"


def test_an_inventory_is_scanned_with_shared_code_and_layers_fetched_and_analysed_once(
    fleet_env: FleetEnv, tmp_path: Path
) -> None:
    stage = fleet_env.world.stage
    inventory = take_inventory(InventoryRequest(regions=(REGION_2,), profiles=("team-a",)))
    write_inventory(inventory, tmp_path / "inventory.csv")
    layer_key = hashlib.sha256(zip_bytes(SHARED_LAYER_FILES)).hexdigest()
    nightly_key = hashlib.sha256(
        zip_of_folder(SAMPLES / "nightly-report-export" / "function")
    ).hexdigest()
    before = (stage.code.requests[layer_key], stage.code.requests[nightly_key])

    summary = batch(tmp_path / "inventory.csv", tmp_path / "results.sqlite3", tmp_path)

    assert summary.counts == BatchCounts(total=3, done=3, failed=0, unchanged=0)
    assert summary.packages_analysed == 2
    assert summary.functions_reusing == 1
    assert (stage.code.requests[layer_key], stage.code.requests[nightly_key]) == (
        before[0] + 1,
        before[1] + 1,
    )
    assert summary.layer_downloads == 1
    assert (summary.layer_files_analysed, summary.layer_files_reused) == (1, 1)
    assert rows(
        tmp_path / "results.sqlite3",
        "SELECT name, account, region, runtime, tags, layers FROM functions ORDER BY name",
    ) == [
        (
            "reports-copy",
            ACCOUNT_A,
            REGION_2,
            "python3.9",
            "{}",
            json.dumps([fleet_env.fleet.shared_layer]),
        ),
        (
            "reports-images",
            ACCOUNT_A,
            REGION_2,
            "python3.9",
            '{"team": "media"}',
            json.dumps([fleet_env.fleet.shared_layer]),
        ),
        (
            "reports-nightly",
            ACCOUNT_A,
            REGION_2,
            "python3.9",
            "{}",
            json.dumps([fleet_env.fleet.shared_layer]),
        ),
    ]


def test_a_deployed_function_in_a_batch_reports_as_a_single_scan_does(
    fleet_env: FleetEnv, tmp_path: Path
) -> None:
    target = arn(ACCOUNT_A, REGION_2, "reports-images")
    (tmp_path / "functions.txt").write_text(target + "\n")

    summary = batch(
        tmp_path / "functions.txt", tmp_path / "results.sqlite3", tmp_path, profile="team-a"
    )
    single = scan_target(
        ScanRequest(
            target=target,
            target_runtimes=TARGETS,
            profile="team-a",
            use_cache=False,
            check_dependencies=False,
        )
    )

    assert summary.counts.done == 1
    stored = dict(
        rows(tmp_path / "results.sqlite3", "SELECT target, report FROM analyses")  # type: ignore[arg-type]
    )
    for report in single:
        from_batch = decode_report(stored[report.target.name])
        assert (from_batch.score, from_batch.verdict) == (report.score, report.verdict)
        assert from_batch.findings == report.findings


def test_functions_that_cannot_be_had_are_rows_with_their_reason(
    fleet_env: FleetEnv, tmp_path: Path
) -> None:
    lines = [
        arn(ACCOUNT_A, REGION_1, "image-worker"),
        arn(ACCOUNT_A, DENIED_REGION, "anything"),
        arn(ACCOUNT_A, REGION_1, "no-such-function"),
        arn(ACCOUNT_A, REGION_1, "orders-007"),
    ]
    (tmp_path / "functions.txt").write_text("\n".join(lines) + "\n")
    database = tmp_path / "results.sqlite3"

    summary = batch(tmp_path / "functions.txt", database, tmp_path, profile="team-a")

    assert summary.counts == BatchCounts(total=4, done=1, failed=3, unchanged=0)
    assert rows(database, "SELECT name, status, failure_kind FROM functions ORDER BY name") == [
        ("anything", "failed", "access-denied"),
        ("image-worker", "failed", "image"),
        ("no-such-function", "failed", "not-found"),
        ("orders-007", "done", None),
    ]
    (message,) = rows(database, "SELECT error FROM functions WHERE name = 'image-worker'")
    assert message == (
        "function image-worker is a container image (PackageType Image): its code is in the "
        "image, not in a zip, so it is not analysed",
    )


def test_functions_named_again_by_arn_are_not_scanned_again_when_unchanged(
    fleet_env: FleetEnv, tmp_path: Path
) -> None:
    inventory = take_inventory(InventoryRequest(regions=(REGION_1,), profiles=("team-b",)))
    write_inventory(inventory, tmp_path / "inventory.json")
    database = tmp_path / "results.sqlite3"
    batch(tmp_path / "inventory.json", database, tmp_path)
    (tmp_path / "functions.txt").write_text(
        "\n".join(arn(ACCOUNT_B, REGION_1, name) for name in ("billing-1", "billing-2")) + "\n"
    )
    before = fleet_env.world.stage.api_requests["GetFunction"]

    again = batch(tmp_path / "functions.txt", database, tmp_path, profile="team-b")

    assert again.counts == BatchCounts(total=2, done=2, failed=0, unchanged=2)
    assert again.packages_analysed == 0
    # One GetFunction each, to learn the content hash; no download.
    assert fleet_env.world.stage.api_requests["GetFunction"] - before == 2
    assert again.downloads == 0


def test_the_json_of_list_functions_is_scanned(fleet_env: FleetEnv, tmp_path: Path) -> None:
    reader = fleet_env.world.readers[ACCOUNT_B]
    client = boto3.client(
        "lambda",
        region_name=REGION_1,
        aws_access_key_id=reader.access_key_id,
        aws_secret_access_key=reader.secret_access_key,
    )
    listed = client.list_functions()
    listed.pop("ResponseMetadata")
    (tmp_path / "functions.json").write_text(json.dumps(listed, default=str))

    summary = batch(
        tmp_path / "functions.json", tmp_path / "results.sqlite3", tmp_path, profile="team-b"
    )

    assert summary.counts == BatchCounts(total=2, done=2, failed=0, unchanged=0)
    assert rows(
        tmp_path / "results.sqlite3", "SELECT name, runtime FROM functions ORDER BY name"
    ) == [
        ("billing-1", "python3.9"),
        ("billing-2", "python3.11"),
    ]


def test_a_function_listed_through_a_role_is_fetched_through_it(
    fleet_env: FleetEnv, tmp_path: Path
) -> None:
    inventory = take_inventory(
        InventoryRequest(regions=(REGION_2,), profiles=("team-a",), role_arns=(ROLE_ARN,))
    )
    audit = [row for row in inventory.functions if row.account == ACCOUNT_C]
    assert [row.name for row in audit] == ["audit-1"]
    write_inventory(inventory, tmp_path / "inventory.json")

    summary = batch(tmp_path / "inventory.json", tmp_path / "results.sqlite3", tmp_path)

    assert summary.counts.failed == 0
    assert rows(
        tmp_path / "results.sqlite3", "SELECT status, account FROM functions WHERE name = 'audit-1'"
    ) == [("done", ACCOUNT_C)]
