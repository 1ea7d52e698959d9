"""Fixtures for the fleet: a populated fleet in moto's server, and the environment boto3 reads."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fleet_world import (
    ACCOUNT_A,
    ACCOUNT_B,
    ACCOUNT_C,
    DENIED_REGION,
    REGION_1,
    REGION_2,
    FleetWorld,
    GatedStage,
    iam_enforced,
    zip_bytes,
    zip_of_folder,
)

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_functions"
CASES = Path(os.environ.get("LAMBDA_ANALYZER_CASES", REPO.parent / "shared" / "cases"))

PAGE_FUNCTIONS = 53
"""Python functions of ``ACCOUNT_A`` in ``REGION_1``: more than one ``ListFunctions`` page (50)."""
SHARED_LAYER = "fleet-shared"
SHARED_LAYER_FILES = {
    "python/shared_helpers.py": "import json\n\n\ndef dump(value):\n    return json.dumps(value)\n"
}

# Environment variables that would let boto3 find settings outside the test.
_AWS_SETTINGS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CA_BUNDLE",
)


@dataclass(frozen=True)
class Fleet:
    """The populated world and what was put in it."""

    world: FleetWorld
    state_machine: str
    shared_layer: str


@pytest.fixture(scope="session")
def fleet() -> Iterator[Fleet]:
    """Moto's server on 127.0.0.1 behind a gated stage, holding the fleet described above."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    stage = GatedStage(server.get_host_and_port())
    stage.start()
    try:
        world = FleetWorld(stage)
        world.setup()
        yield _populate(world)
    finally:
        stage.stop()
        server.stop()


def _populate(world: FleetWorld) -> Fleet:
    handler = {"app.py": "def handler(event, context):\n    return event\n"}
    for index in range(PAGE_FUNCTIONS):
        runtime = "python3.8" if index % 10 == 3 else "python3.9"
        tags = {}
        if index == 0:
            tags = {"team": "payments", "criticality": "high"}
        elif index == 1:
            tags = {"team": "search"}
        world.create_function(
            ACCOUNT_A, REGION_1, f"orders-{index:03d}", handler, runtime=runtime, tags=tags
        )
    world.create_function(ACCOUNT_A, REGION_1, "web-frontend", handler, runtime="nodejs20.x")
    world.create_image_function(ACCOUNT_A, REGION_1, "image-worker")

    lambda_a1 = world.client("lambda", ACCOUNT_A, REGION_1)
    for release in range(2):
        # Lambda publishes a new version only when the code changed since the last one.
        code = {"app.py": f"def handler(event, context):\n    return {release}\n"}
        lambda_a1.update_function_code(FunctionName="orders-000", ZipFile=zip_bytes(code))
        lambda_a1.publish_version(FunctionName="orders-000")
    lambda_a1.create_alias(FunctionName="orders-000", Name="live", FunctionVersion="1")
    lambda_a1.create_alias(FunctionName="orders-000", Name="canary", FunctionVersion="2")

    now = dt.datetime.now(dt.timezone.utc)
    metrics = world.client("cloudwatch", ACCOUNT_A, REGION_1)
    for name, value, hours_ago in (
        ("orders-000", 5, 30),
        ("orders-000", 7, 2),
        ("orders-001", 100, 3),
    ):
        metrics.put_metric_data(
            Namespace="AWS/Lambda",
            MetricData=[
                {
                    "MetricName": "Invocations",
                    "Dimensions": [{"Name": "FunctionName", "Value": name}],
                    "Value": value,
                    "Timestamp": now - dt.timedelta(hours=hours_ago),
                }
            ],
        )

    definition = {
        "StartAt": "Charge",
        "States": {
            "Charge": {
                "Type": "Task",
                "Resource": f"arn:aws:lambda:{REGION_1}:{ACCOUNT_A}:function:orders-001",
                "Next": "Fan",
            },
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Notify",
                        "States": {
                            "Notify": {
                                "Type": "Task",
                                "Resource": "arn:aws:states:::lambda:invoke",
                                "Parameters": {"FunctionName": "orders-002", "Payload.$": "$"},
                                "End": True,
                            }
                        },
                    }
                ],
                "End": True,
            },
        },
    }
    machine = world.client("stepfunctions", ACCOUNT_A, REGION_1).create_state_machine(
        name="checkout-flow",
        definition=json.dumps(definition),
        roleArn=world.execution_roles[ACCOUNT_A],
    )["stateMachineArn"]

    layer = world.publish_layer(ACCOUNT_A, REGION_2, SHARED_LAYER, zip_bytes(SHARED_LAYER_FILES))
    nightly = zip_of_folder(SAMPLES / "nightly-report-export" / "function")
    world.create_function(
        ACCOUNT_A, REGION_2, "reports-nightly", nightly, handler="app.handler", layers=(layer,)
    )
    world.create_function(
        ACCOUNT_A, REGION_2, "reports-copy", nightly, handler="app.handler", layers=(layer,)
    )
    world.create_function(
        ACCOUNT_A,
        REGION_2,
        "reports-images",
        zip_of_folder(SAMPLES / "image-intake" / "function"),
        handler="intake.handler",
        layers=(layer,),
        tags={"team": "media"},
    )
    world.create_function(ACCOUNT_B, REGION_1, "billing-1", handler)
    world.create_function(ACCOUNT_B, REGION_1, "billing-2", handler, runtime="python3.11")
    world.create_function(ACCOUNT_C, REGION_2, "audit-1", handler)
    world.stage.denied_regions.add(DENIED_REGION)
    return Fleet(world=world, state_machine=machine, shared_layer=layer)


@dataclass
class FleetEnv:
    """The environment one test sees: profiles ``team-a`` and ``team-b``, and the stage."""

    fleet: Fleet
    config_dir: Path
    environ: dict[str, str]

    @property
    def world(self) -> FleetWorld:
        return self.fleet.world


@contextmanager
def fleet_environment(fleet: Fleet, config_dir: Path) -> Iterator[FleetEnv]:
    """Shared config and credentials files with the two profiles, IAM enforced in moto.

    boto3 reads nothing from the host. ``FleetEnv.environ`` is the environment to give a
    subprocess.
    """
    world = fleet.world
    profiles = {"team-a": ACCOUNT_A, "team-b": ACCOUNT_B}
    (config_dir / "config").write_text(
        "".join(f"[profile {name}]\nregion = {REGION_1}\n" for name in profiles)
    )
    (config_dir / "credentials").write_text(
        "".join(
            f"[{name}]\naws_access_key_id = {world.readers[account].access_key_id}\n"
            f"aws_secret_access_key = {world.readers[account].secret_access_key}\n"
            for name, account in profiles.items()
        )
    )
    settings = {
        "AWS_CONFIG_FILE": str(config_dir / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(config_dir / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": world.endpoint,
    }
    with pytest.MonkeyPatch.context() as patch, iam_enforced():
        for name in _AWS_SETTINGS:
            patch.delenv(name, raising=False)
        for name, value in settings.items():
            patch.setenv(name, value)
        environ = dict(os.environ)
        yield FleetEnv(fleet, config_dir, environ)


@pytest.fixture
def fleet_env(fleet: Fleet, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FleetEnv]:
    """The fleet's environment for one test."""
    with fleet_environment(fleet, tmp_path_factory.mktemp("aws-config")) as env:
        yield env


@pytest.fixture(scope="session")
def fleet_database(fleet: Fleet, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Account A in both regions, inventoried with invocations and state machines, scanned
    for python3.11 and python3.12: the database of the fleet report's tests."""
    from analyzer.batch import BatchRequest, run_batch
    from analyzer.fetch.inventory import InventoryRequest, take_inventory, write_inventory
    from analyzer.pipeline import AnalysisOptions

    folder = tmp_path_factory.mktemp("fleet-report")
    with fleet_environment(fleet, tmp_path_factory.mktemp("aws-config")):
        inventory = take_inventory(
            InventoryRequest(
                regions=(REGION_1, REGION_2),
                profiles=("team-a",),
                invocation_days=7,
                state_machines=True,
            )
        )
        write_inventory(inventory, folder / "inventory.json")
        run_batch(
            BatchRequest(
                source=folder / "inventory.json",
                database=folder / "results.sqlite3",
                targets=("python3.11", "python3.12"),
                workers=2,
                options=AnalysisOptions(check_dependencies=False),
                code_cache_dir=folder / "cache",
            )
        )
    return folder / "results.sqlite3"


__all__ = [
    "ACCOUNT_A",
    "ACCOUNT_B",
    "ACCOUNT_C",
    "CASES",
    "REGION_1",
    "REGION_2",
    "SAMPLES",
    "Fleet",
    "FleetEnv",
    "GatedStage",
]
