"""The inventory against moto's server: accounts by profile and role, regions, pages, details."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from fleet_world import (
    ACCOUNT_A,
    ACCOUNT_B,
    ACCOUNT_C,
    DENIED_REGION,
    PAGE_FUNCTIONS,
    REGION_1,
    REGION_2,
    ROLE_ARN,
    Fleet,
    FleetEnv,
    fleet_environment,
)

from analyzer.errors import InputError
from analyzer.fetch.inventory import (
    CredentialSource,
    Inventory,
    InventoryProblem,
    InventoryRequest,
    InventoryRow,
    invoked_functions,
    queries_per_call,
    read_inventory,
    take_inventory,
    write_inventory,
)


def fleet_request(**changes: object) -> InventoryRequest:
    """Both profiles and the role, in both regions and the one that refuses."""
    options: dict[str, object] = {
        "regions": (REGION_1, REGION_2, DENIED_REGION),
        "profiles": ("team-a", "team-b"),
        "role_arns": (ROLE_ARN,),
        "invocation_days": 7,
        "state_machines": True,
    }
    options.update(changes)
    return InventoryRequest(**options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def inventory(fleet: Fleet, tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    """One full inventory, shared by the tests that only read it."""
    with fleet_environment(fleet, tmp_path_factory.mktemp("aws-config")):
        return take_inventory(fleet_request())


def by_name(inventory: Inventory) -> dict[str, InventoryRow]:
    return {row.name: row for row in inventory.functions}


def test_the_inventory_of_the_whole_fleet(inventory: Inventory) -> None:
    found = inventory
    names = sorted(row.name for row in found.functions)

    expected_orders = [f"orders-{index:03d}" for index in range(PAGE_FUNCTIONS)]
    assert names == sorted(
        [
            *expected_orders,
            "image-worker",
            "reports-nightly",
            "reports-copy",
            "reports-images",
            "billing-1",
            "billing-2",
            "audit-1",
        ]
    )
    assert found.accounts == (ACCOUNT_A, ACCOUNT_B, ACCOUNT_C)
    assert found.regions == (DENIED_REGION, REGION_1, REGION_2)
    assert found.sources == ("profile team-a", "profile team-b", ROLE_ARN)
    # Each source asked the refusing region for its functions and was refused; nothing else.
    assert [(problem.source, problem.region, problem.stage) for problem in found.problems] == [
        ("profile team-a", DENIED_REGION, "list-functions"),
        ("profile team-b", DENIED_REGION, "list-functions"),
        (ROLE_ARN, DENIED_REGION, "list-functions"),
    ]
    assert found.problems[0].message == (
        "access denied (AccessDeniedException); the caller needs lambda:ListFunctions"
    )


def test_more_functions_than_one_page_are_all_listed(fleet_env: FleetEnv) -> None:
    before = fleet_env.world.stage.api_requests["ListFunctions"]

    found = take_inventory(
        InventoryRequest(regions=(REGION_1,), profiles=("team-a",), runtimes=("python3.8",))
    )

    assert fleet_env.world.stage.api_requests["ListFunctions"] - before == 2
    assert [row.name for row in found.functions] == [
        "image-worker",
        *(f"orders-{index:03d}" for index in range(PAGE_FUNCTIONS) if index % 10 == 3),
    ]


def test_a_row_carries_the_configuration_tags_versions_and_aliases(inventory: Inventory) -> None:
    row = by_name(inventory)["orders-000"]

    assert row.arn == f"arn:aws:lambda:{REGION_1}:{ACCOUNT_A}:function:orders-000"
    assert row.account == ACCOUNT_A
    assert row.region == REGION_1
    assert row.runtime == "python3.9"
    assert row.package_type == "Zip"
    assert row.architectures == ("x86_64",)
    assert row.handler == "app.handler"
    assert row.code_size is not None and row.code_size > 0
    assert row.code_sha256 is not None
    assert row.last_modified is not None
    assert row.tags == {"team": "payments", "criticality": "high"}
    assert row.versions == 2
    assert row.aliases == ("canary", "live")
    assert row.profile == "team-a"
    assert row.role_arn is None
    assert by_name(inventory)["orders-002"].tags == {}
    assert by_name(inventory)["orders-002"].versions == 0


def test_invocations_are_the_sum_over_the_days_asked(inventory: Inventory) -> None:
    rows = by_name(inventory)

    assert rows["orders-000"].invocations == 12
    assert rows["orders-001"].invocations == 100
    assert rows["orders-002"].invocations == 0


def test_invocations_are_asked_for_in_batches_of_at_most_500_queries() -> None:
    assert queries_per_call(1) == 500
    assert queries_per_call(90) == 500
    assert queries_per_call(365) == 276
    assert queries_per_call(455) == 221


def test_without_invocations_none_are_read(fleet_env: FleetEnv) -> None:
    found = take_inventory(InventoryRequest(regions=(REGION_2,), profiles=("team-b",)))

    assert found.functions == ()
    assert found.problems == ()


def test_an_image_function_is_listed_as_an_image(inventory: Inventory) -> None:
    row = by_name(inventory)["image-worker"]

    assert row.package_type == "Image"
    assert row.runtime is None
    assert row.handler is None


def test_functions_of_other_runtimes_are_left_out(inventory: Inventory) -> None:
    assert "web-frontend" not in by_name(inventory)


def test_a_state_machine_is_named_beside_each_function_its_tasks_invoke(
    inventory: Inventory, fleet: Fleet
) -> None:
    rows = by_name(inventory)
    machine = fleet.state_machine

    assert rows["orders-001"].state_machines == (machine,)
    assert rows["orders-002"].state_machines == (machine,)
    assert rows["orders-003"].state_machines == ()


def test_the_account_reached_through_the_role_is_listed_with_the_role(
    inventory: Inventory,
) -> None:
    row = by_name(inventory)["audit-1"]

    assert row.account == ACCOUNT_C
    assert row.region == REGION_2
    assert row.role_arn == ROLE_ARN
    assert row.profile == "team-a"


def test_a_role_that_cannot_be_assumed_is_a_problem_and_the_rest_is_listed(
    fleet_env: FleetEnv,
) -> None:
    refused = f"arn:aws:iam::{ACCOUNT_C}:role/not-trusting-team-b"
    fleet_env.world.stage.refused_roles.add(refused)

    found = take_inventory(
        InventoryRequest(regions=(REGION_1,), profiles=("team-b",), role_arns=(refused,))
    )

    assert [row.name for row in found.functions] == ["billing-1", "billing-2"]
    assert found.problems == (
        InventoryProblem(
            refused,
            REGION_1,
            "list-functions",
            "access denied (AccessDenied); the caller needs sts:AssumeRole (the role must "
            "trust the caller's account)",
        ),
    )


def test_an_unknown_profile_is_a_problem_of_that_source(fleet_env: FleetEnv) -> None:
    found = take_inventory(InventoryRequest(regions=(REGION_1,), profiles=("team-b", "nobody")))

    assert [row.name for row in found.functions] == ["billing-1", "billing-2"]
    assert found.problems == (
        InventoryProblem(
            "profile nobody", None, "account", "the AWS profile 'nobody' is not configured"
        ),
    )


def test_all_regions_are_the_regions_lambda_is_offered_in(fleet_env: FleetEnv) -> None:
    found = take_inventory(InventoryRequest(all_regions=True, profiles=("team-b",)))

    assert REGION_1 in found.regions and "us-east-1" in found.regions
    assert len(found.regions) >= 30
    assert [row.name for row in found.functions] == ["billing-1", "billing-2"]
    assert [problem.region for problem in found.problems] == [DENIED_REGION]


def test_the_profile_region_is_used_when_none_is_given(fleet_env: FleetEnv) -> None:
    found = take_inventory(InventoryRequest(profiles=("team-b",)))

    assert found.regions == (REGION_1,)
    assert len(found.functions) == 2


def test_an_invocation_window_outside_cloudwatch_retention_is_refused() -> None:
    with pytest.raises(InputError, match="--invocations takes 1 to 455 days"):
        take_inventory(InventoryRequest(regions=(REGION_1,), invocation_days=456))


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_the_written_inventory_reads_back_the_same(
    inventory: Inventory, tmp_path: Path, suffix: str
) -> None:
    written = inventory
    path = tmp_path / f"inventory{suffix}"

    write_inventory(written, path)
    read = read_inventory(path)

    assert [row.arn for row in read.functions] == [row.arn for row in written.functions]
    assert read.functions == written.functions
    assert read.problems == written.problems


def test_the_csv_has_a_column_per_tag_and_a_row_per_problem(
    inventory: Inventory, tmp_path: Path
) -> None:
    path = tmp_path / "inventory.csv"
    write_inventory(inventory, path)

    records = list(csv.DictReader(path.open(encoding="utf-8")))

    assert [column for column in records[0] if column.startswith("tag:")] == [
        "tag:criticality",
        "tag:team",
    ]
    first = next(record for record in records if record["name"] == "orders-000")
    assert first["tag:team"] == "payments"
    assert first["aliases"] == "canary;live"
    assert first["invocations"] == "12"
    problems = [record for record in records if record["problem"]]
    assert [(record["account"], record["region"]) for record in problems] == [
        ("profile team-a", DENIED_REGION),
        ("profile team-b", DENIED_REGION),
        (ROLE_ARN, DENIED_REGION),
    ]


def test_the_json_states_its_version_summary_and_problems(
    inventory: Inventory, tmp_path: Path
) -> None:
    path = tmp_path / "inventory.json"
    write_inventory(inventory, path)

    document = json.loads(path.read_text())

    assert document["inventory_version"] == 1
    assert document["summary"] == {
        "functions": PAGE_FUNCTIONS + 7,
        "images": 1,
        "accounts": [ACCOUNT_A, ACCOUNT_B, ACCOUNT_C],
        "problems": 3,
    }
    assert document["problems"][0]["stage"] == "list-functions"


def test_a_tag_that_looks_like_a_formula_is_quoted_in_csv_and_read_back_intact(
    tmp_path: Path,
) -> None:
    row = InventoryRow(
        account=ACCOUNT_A,
        region=REGION_1,
        name="f",
        arn=f"arn:aws:lambda:{REGION_1}:{ACCOUNT_A}:function:f",
        runtime="python3.9",
        package_type="Zip",
        tags={"owner": "=HYPERLINK(1)"},
    )
    path = tmp_path / "inventory.csv"

    write_inventory(Inventory(functions=(row,)), path)

    assert "'=HYPERLINK(1)" in path.read_text()
    assert read_inventory(path).functions[0].tags == {"owner": "=HYPERLINK(1)"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{}", "not a lambda-analyzer inventory (no inventory_version)"),
        ('{"inventory_version": 9, "functions": []}', "inventory version 9 is not supported"),
        ("[", "not valid JSON"),
    ],
)
def test_a_json_that_is_not_an_inventory_is_refused_in_one_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "inventory.json"
    path.write_text(content)

    with pytest.raises(InputError, match=re.escape(message)):
        read_inventory(path)


def test_an_inventory_file_needs_a_csv_or_json_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"inventory\.txt: an inventory file ends in \.csv"):
        write_inventory(Inventory(functions=()), tmp_path / "inventory.txt")


def test_the_functions_a_definition_invokes_include_nested_states() -> None:
    arn = f"arn:aws:lambda:{REGION_1}:{ACCOUNT_A}:function:first"
    definition = {
        "States": {
            "A": {"Type": "Task", "Resource": f"{arn}:live"},
            "B": {
                "Type": "Map",
                "ItemProcessor": {
                    "States": {
                        "C": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                            "Parameters": {"FunctionName": f"{ACCOUNT_A}:function:second"},
                        },
                        "D": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {"FunctionName.$": "$.name"},
                        },
                    }
                },
            },
            "E": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage"},
        }
    }

    assert invoked_functions(definition) == [f"{arn}:live", f"{ACCOUNT_A}:function:second"]


def test_the_credential_sources_are_each_profile_then_each_role() -> None:
    request = InventoryRequest(profiles=("a", "b"), role_arns=("arn:1",))

    assert request.sources == (
        CredentialSource(profile="a"),
        CredentialSource(profile="b"),
        CredentialSource(profile="a", role_arn="arn:1"),
    )
    assert InventoryRequest().sources == (CredentialSource(),)
