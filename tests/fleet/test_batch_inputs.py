"""What a batch reads: a folder of functions, inventories, list-functions JSON, lines of text."""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from fleet_world import SAMPLES

from analyzer.batch import BatchItem, content_hash, read_batch_input, tree_hash
from analyzer.errors import InputError
from analyzer.fetch.inventory import Inventory, InventoryRow, write_inventory
from analyzer.fetch.local import FunctionConfiguration

SAMPLE_NAMES = [
    "campaign-redirects",
    "clickstream-ingest",
    "customer-sync",
    "image-intake",
    "invoice-totals",
    "leaderboard-ranker",
    "nightly-report-export",
    "sensor-fanout",
]
ARN = "arn:aws:lambda:eu-west-1:123456789012:function:orders-api"


def test_a_folder_of_functions_is_one_item_per_function_folder() -> None:
    batch_input = read_batch_input(SAMPLES)

    assert batch_input.kind == "folder"
    assert [item.name for item in batch_input.items] == SAMPLE_NAMES
    first = batch_input.items[0]
    assert first == BatchItem(
        key=f"local:{(SAMPLES / 'campaign-redirects' / 'function').resolve()}",
        name="campaign-redirects",
        target=str((SAMPLES / "campaign-redirects" / "function").resolve()),
        local=True,
        config_path=SAMPLES / "campaign-redirects" / "configuration.json",
    )


def test_a_folder_takes_the_zip_beside_a_folder_without_function_and_loose_zips(
    tmp_path: Path,
) -> None:
    # sample layout without function/: the zip beside the folder is the code
    (tmp_path / "alpha").mkdir()
    shutil.copy(SAMPLES / "image-intake" / "configuration.json", tmp_path / "alpha")
    shutil.copy(SAMPLES / "image-intake.zip", tmp_path / "alpha.zip")
    shutil.copy(SAMPLES / "customer-sync.zip", tmp_path / "loose.zip")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "configuration.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("not a function")

    items = read_batch_input(tmp_path).items

    assert [(item.name, Path(item.target).name, item.problem) for item in items] == [
        ("image-intake", "alpha.zip", None),
        ("empty", "empty", "holds neither function/ nor a zip"),
        ("loose", "loose.zip", None),
    ]


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_an_inventory_gives_each_row_with_what_was_listed(tmp_path: Path, suffix: str) -> None:
    row = InventoryRow(
        account="123456789012",
        region="eu-west-1",
        name="orders-api",
        arn=ARN,
        runtime="python3.9",
        package_type="Zip",
        architectures=("arm64",),
        code_size=123,
        code_sha256="abc=",
        handler="app.handler",
        layers=("arn:aws:lambda:eu-west-1:123456789012:layer:shared:3",),
        tags={"team": "payments"},
        versions=4,
        aliases=("live",),
        invocations=1234,
        state_machines=("arn:aws:states:eu-west-1:123456789012:stateMachine:flow",),
        profile="prod",
        role_arn=None,
    )
    path = tmp_path / f"inventory{suffix}"
    write_inventory(Inventory(functions=(row,)), path)

    batch_input = read_batch_input(path, profile="fallback")

    assert batch_input.kind == "inventory"
    (item,) = batch_input.items
    assert item.key == ARN
    assert item.target == ARN
    assert (item.region, item.account, item.profile) == ("eu-west-1", "123456789012", "prod")
    assert item.tags == {"team": "payments"}
    assert (item.invocations, item.versions, item.aliases) == (1234, 4, ("live",))
    assert item.listed == {
        "FunctionName": "orders-api",
        "FunctionArn": ARN,
        "Runtime": "python3.9",
        "Handler": "app.handler",
        "Architectures": ["arm64"],
        "Layers": [{"Arn": "arn:aws:lambda:eu-west-1:123456789012:layer:shared:3"}],
        "CodeSha256": "abc=",
        "CodeSize": 123,
        "PackageType": "Zip",
    }


def test_the_json_of_list_functions_gives_each_function(tmp_path: Path) -> None:
    listed = {
        "Functions": [
            {
                "FunctionName": "orders-api",
                "FunctionArn": ARN,
                "Runtime": "python3.9",
                "CodeSha256": "abc=",
                "LastModified": "2024-04-02T08:30:00.000+0000",
            },
            {"Description": "no name"},
        ]
    }
    path = tmp_path / "functions.json"
    path.write_text(json.dumps(listed))

    batch_input = read_batch_input(path, region="us-east-1", profile="ops")

    assert batch_input.kind == "list-functions"
    first, second = batch_input.items
    assert (first.key, first.region, first.account, first.profile) == (
        ARN,
        "eu-west-1",
        "123456789012",
        "ops",
    )
    assert first.last_modified == "2024-04-02T08:30:00.000+0000"
    assert second.problem == "a Functions entry without a FunctionName"


def test_lines_name_functions_by_arn_name_or_path(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES / "customer-sync", tmp_path / "customer-sync")
    path = tmp_path / "functions.txt"
    path.write_text(
        "# the fleet\n"
        f"{ARN}\n"
        "\n"
        "billing-export\n"
        "123456789012:function:partial:live\n"
        "customer-sync\n"
        "not a function name!\n"
    )

    items = read_batch_input(path, region="us-west-2", profile="ops").items

    assert [(item.key, item.region, item.local, item.problem) for item in items] == [
        (ARN, "eu-west-1", False, None),
        ("us-west-2/billing-export", "us-west-2", False, None),
        ("us-west-2/123456789012:function:partial:live", "us-west-2", False, None),
        (f"local:{(tmp_path / 'customer-sync' / 'function').resolve()}", None, True, None),
        (
            "line:functions.txt:7",
            None,
            False,
            "functions.txt:7: not a function ARN, name, or existing path",
        ),
    ]
    assert items[2].name == "partial"
    assert items[3].config_path == tmp_path / "customer-sync" / "configuration.json"


def test_a_json_that_is_neither_inventory_nor_list_functions_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"hello": 1}')

    with pytest.raises(
        InputError,
        match=re.escape(
            "other.json: neither a lambda-analyzer inventory nor the JSON of "
            "`aws lambda list-functions` (no Functions list)"
        ),
    ):
        read_batch_input(path)


def test_a_missing_input_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nothing\.txt: no such file or folder"):
        read_batch_input(tmp_path / "nothing.txt")


def test_a_folder_hash_follows_names_and_bytes_not_times_or_link_targets(tmp_path: Path) -> None:
    folder = tmp_path / "function"
    folder.mkdir()
    (folder / "app.py").write_text("x = 1\n")
    outside = tmp_path / "secret.txt"
    outside.write_text("one")
    (folder / "link").symlink_to(outside)
    first = tree_hash(folder)

    os.utime(folder / "app.py", (0, 0))
    outside.write_text("two")
    unchanged = tree_hash(folder)
    (folder / "app.py").write_text("x = 2\n")
    changed = tree_hash(folder)
    (folder / "app.py").rename(folder / "main.py")
    renamed = tree_hash(folder)

    assert unchanged == first
    assert len({first, changed, renamed}) == 3


def test_the_content_hash_covers_code_layers_runtime_handler_and_architecture() -> None:
    base = FunctionConfiguration(
        source="test", runtime="python3.9", handler="app.handler", architecture="x86_64"
    )
    hashes = {
        content_hash(base, "code", ["layer-a", "layer-b"]),
        content_hash(base, "other code", ["layer-a", "layer-b"]),
        content_hash(base, "code", ["layer-b", "layer-a"]),
        content_hash(replace(base, runtime="python3.8"), "code", ["layer-a", "layer-b"]),
        content_hash(replace(base, handler="app.main"), "code", ["layer-a", "layer-b"]),
        content_hash(replace(base, architecture="arm64"), "code", ["layer-a", "layer-b"]),
    }

    assert len(hashes) == 6
    assert content_hash(replace(base, source="elsewhere"), "code", ["layer-a", "layer-b"]) in (
        hashes
    )


def test_a_function_folder_given_as_the_folder_of_functions_is_that_function(
    tmp_path: Path,
) -> None:
    (tmp_path / "lambda_function.py").write_text("def lambda_handler(event, context):\n    pass\n")

    batch_input = read_batch_input(tmp_path)

    assert [(item.key, item.name, item.local) for item in batch_input.items] == [
        (f"local:{tmp_path.resolve()}", tmp_path.name, True)
    ]


def test_a_folder_without_functions_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("nothing to scan\n")

    with pytest.raises(InputError) as raised:
        read_batch_input(tmp_path)
    assert str(raised.value) == (
        f"{tmp_path}: no functions in this folder (expected <name>/configuration.json with "
        "<name>/function/ or <name>.zip, or deployment zips)"
    )
