"""Fixtures for the fleet: a populated fleet in moto's server, its environment, its database.

Shared values and helpers live in ``fleet_world`` (test modules import from there: every
folder's ``conftest`` is a module named ``conftest``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fleet_world import (
    REGION_1,
    REGION_2,
    Fleet,
    FleetEnv,
    FleetWorld,
    GatedStage,
    fleet_environment,
    populate,
)


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
        yield populate(world)
    finally:
        stage.stop()
        server.stop()


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
