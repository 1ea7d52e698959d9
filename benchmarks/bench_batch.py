"""A fleet batch against moto's server: speed, peak memory, and its cost against single scans.

It starts moto's server and the test proxy in front of it (``tests/fetch/aws_fixtures.py``)
on 127.0.0.1 and deploys a fleet of at least 1,000 functions under distinct names, built
round-robin from the shared cases (``../shared/cases``) and ``sample_functions/``: each keeps
its own layers (published once) and every one also carries the shared layer
``fleet-common``; each has a ``team`` tag, and every seventh has CloudWatch invocations.
An inventory is taken with ``take_inventory``, as ``lambda-analyzer inventory
--invocations 7`` does.

Then, in the same run:

1. one single scan of each distinct package by ARN, in this process, as ``lambda-analyzer
   scan`` does it, with an empty code cache each (one untimed scan first loads what every
   process loads once: boto3's models, the rule catalogue); their sum is the yardstick;
2. ``lambda-analyzer batch`` on the inventory in a child process, with an empty code cache
   and database, at each fleet size asked (default 250, 500 and the whole fleet), sampling
   the resident memory of the batch and its workers every 50 ms;
3. ``batch`` on fleets of 10,000 and 100,000 functions (``--scale``): the fleet's rows again
   under new names, into a copy of the database that keeps the analyses of the distinct
   packages and none of the functions, so every function is identified and recorded and no
   package is analysed again. Adding the analyses' share of the whole batch gives the time
   of such a fleet; adding the time per distinct package for each further one gives the
   time when distinct packages grow in proportion.

It prints functions per second, peak memory (the batch process and all its workers), the
ratio of the batch's time to the sum of single scans (required: at most 1.5), and the times
and memory of the larger fleets.

    python benchmarks/bench_batch.py [--functions N] [--sizes 250,500] [--workers N]
        [--scale 10000,100000] [--screenshot docs/fleet-report.png]

Dependencies are not checked (``--no-deps``): no package index is reachable offline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "fetch"))

from aws_fixtures import ACCOUNT, REGION, AwsWorld, LambdaStage, zip_bytes  # noqa: E402

from analyzer.fetch.inventory import (  # noqa: E402
    InventoryRequest,
    InventoryRow,
    take_inventory,
    write_inventory,
)
from analyzer.pipeline import ScanRequest, scan_target  # noqa: E402

SHARED = Path(os.environ.get("LAMBDA_ANALYZER_SHARED", REPO.parent / "shared"))
CASES = SHARED / "cases"
SAMPLES = REPO / "sample_functions"
TARGET = "python3.11"
TEAMS = ("payments", "search", "media", "platform")
COMMON_LAYER = {
    "python/fleet_common/__init__.py": "",
    "python/fleet_common/logs.py": (
        "import json\nimport logging\n\n\ndef log(event):\n"
        "    logging.getLogger('fleet').info(json.dumps(event))\n"
    ),
    "python/fleet_common/retry.py": (
        "import time\n\n\ndef retry(call, tries=3):\n    for attempt in range(tries):\n"
        "        try:\n            return call()\n        except Exception:\n"
        "            time.sleep(2 ** attempt)\n    return call()\n"
    ),
}


@dataclass(frozen=True)
class Package:
    """A distinct deployment package: its code, configuration and own layers."""

    name: str
    code: bytes
    configuration: dict[str, Any]
    layers: dict[str, bytes]


def folder_zip(folder: Path) -> bytes:
    return zip_bytes(
        {
            path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        }
    )


def distinct_packages() -> list[Package]:
    """Every shared case and sample function with a configuration."""
    packages = []
    for root in (CASES, SAMPLES):
        for folder in sorted(path for path in root.iterdir() if path.is_dir()):
            config_path = folder / "configuration.json"
            if not config_path.is_file() or not (folder / "function").is_dir():
                continue
            configuration = json.loads(config_path.read_text())
            layer_names = [
                layer["Arn"].split(":")[6] for layer in configuration.get("Layers") or []
            ]
            layers = {name: folder_zip(folder / "layers" / name) for name in layer_names}
            packages.append(
                Package(folder.name, folder_zip(folder / "function"), configuration, layers)
            )
    return packages


def deploy(world: AwsWorld, packages: list[Package], count: int) -> dict[str, str]:
    """``count`` functions, round-robin over ``packages``, each with its own layers and the
    common one; the ARN of one function of each package, by package."""
    client = world.client("lambda")
    common = client.publish_layer_version(
        LayerName="fleet-common", Content={"ZipFile": zip_bytes(COMMON_LAYER)}
    )["LayerVersionArn"]
    own_layers: dict[str, str] = {}
    for package in packages:
        for name, content in package.layers.items():
            if name not in own_layers:
                own_layers[name] = client.publish_layer_version(
                    LayerName=name, Content={"ZipFile": content}
                )["LayerVersionArn"]

    first: dict[str, str] = {}

    def create(index: int) -> None:
        package = packages[index % len(packages)]
        configuration = package.configuration
        layer_names = [layer["Arn"].split(":")[6] for layer in configuration.get("Layers") or []]
        created = client.create_function(
            FunctionName=f"fn-{index:05d}-{package.name}"[:64],
            Runtime=configuration["Runtime"],
            Role=world.role,
            Handler=configuration["Handler"],
            Code={"ZipFile": package.code},
            Architectures=configuration.get("Architectures") or ["x86_64"],
            Layers=[own_layers[name] for name in layer_names] + [common],
            Tags={"team": TEAMS[index % len(TEAMS)]},
        )
        if index < len(packages):
            first[package.name] = created["FunctionArn"]

    threads = [
        threading.Thread(target=lambda start=start: [create(i) for i in range(start, count, 8)])
        for start in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    metrics = world.client("cloudwatch")
    now = dt.datetime.now(dt.timezone.utc)
    busy = [index for index in range(count) if index % 7 == 0]
    for start in range(0, len(busy), 20):
        metrics.put_metric_data(
            Namespace="AWS/Lambda",
            MetricData=[
                {
                    "MetricName": "Invocations",
                    "Dimensions": [
                        {
                            "Name": "FunctionName",
                            "Value": f"fn-{index:05d}-{packages[index % len(packages)].name}"[:64],
                        }
                    ],
                    "Value": float((index * 7919) % 50_000),
                    "Timestamp": now - dt.timedelta(hours=1 + index % 100),
                }
                for index in busy[start : start + 20]
            ],
        )
    return first


def single_scans(packages: list[Package], names: dict[str, str]) -> dict[str, float]:
    """Seconds of one scan by ARN of a function of each distinct package, empty cache each."""
    warm_up = names[packages[-1].name]
    scan_target(
        ScanRequest(
            target=warm_up, target_runtimes=(TARGET,), check_dependencies=False, use_cache=False
        )
    )
    seconds = {}
    for package in packages:
        started = time.perf_counter()
        scan_target(
            ScanRequest(
                target=names[package.name],
                target_runtimes=(TARGET,),
                check_dependencies=False,
                use_cache=False,
            )
        )
        seconds[package.name] = time.perf_counter() - started
    return seconds


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and every descendant, from /proc."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


@dataclass(frozen=True)
class BatchRun:
    functions: int
    seconds: float
    """From starting the command to its exit."""
    peak_bytes: int
    summary: str

    @property
    def batch_seconds(self) -> float:
        """The batch's own time, from its closing line: no interpreter start, no report."""
        match = re.search(r" in (\d+(?:\.\d+)?)s; results in ", self.summary)
        return float(match.group(1)) if match else self.seconds


def run_batch_command(inventory: Path, workdir: Path, workers: int | None) -> BatchRun:
    database = workdir / "results.sqlite3"
    command = [
        sys.executable,
        "-m",
        "analyzer.cli",
        "batch",
        str(inventory),
        "--db",
        str(database),
        "--target",
        TARGET,
        "--no-deps",
        "--cache-dir",
        str(workdir / "cache"),
        "--format",
        "json",
        "--output",
        str(workdir / "fleet.json"),
    ]
    if workers:
        command += ["--workers", str(workers)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=REPO)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read() if process.stderr else ""
    if process.returncode not in (0, 1):
        raise RuntimeError(f"batch failed ({process.returncode}): {stderr}")
    functions = len(json.loads((workdir / "fleet.json").read_text())["functions"])
    return BatchRun(functions, seconds, peak, stderr.strip().splitlines()[-1])


def copies(rows: Sequence[InventoryRow], size: int) -> Iterator[InventoryRow]:
    """``size`` rows: ``rows`` again and again, each copy under a name and ARN of its own."""
    for index in range(size):
        row = rows[index % len(rows)]
        copy = index // len(rows)
        if copy == 0:
            yield row
            continue
        name = f"{row.name[:56]}-c{copy:05d}"
        yield replace(row, name=name, arn=row.arn.rsplit(":", 1)[0] + f":{name}")


def shoot(database: Path, picture: Path) -> None:
    """The fleet report of ``database`` as HTML, opened in headless Chromium and shot."""
    sys.path.insert(0, str(REPO / "tests" / "fleet"))
    from cdp import Browser

    from analyzer.fleet import GroupBy, load_fleet
    from analyzer.report.fleet_formats import FleetFormat, render_fleet

    report = load_fleet(database, group_by=GroupBy.parse("tag:team"), with_findings=True)
    with tempfile.TemporaryDirectory(prefix="bench-shot-") as scratch:
        page = Path(scratch) / "fleet.html"
        page.write_text(render_fleet(FleetFormat.HTML, report), encoding="utf-8")
        with Browser(Path(scratch) / "profile") as browser:
            # Tall enough to show the summary and the first functions of the table.
            browser.call(
                "Emulation.setDeviceMetricsOverride",
                width=1280,
                height=2300,
                deviceScaleFactor=1,
                mobile=False,
            )
            browser.open(page.as_uri())
            browser.screenshot(picture)
    print(f"the HTML report, as Chromium shows it: {picture}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=1000, help="fleet size (at least 1000)")
    parser.add_argument("--sizes", default="250,500", help="smaller batches to time as well")
    parser.add_argument("--workers", type=int, default=None, help="analysis processes")
    parser.add_argument(
        "--scale",
        type=lambda text: [int(size) for size in text.split(",") if size],
        default=[10_000, 100_000],
        help="larger fleets to time with the distinct packages' analyses stored",
    )
    parser.add_argument(
        "--screenshot",
        type=Path,
        help="also shoot the whole fleet's HTML report in headless Chromium into this PNG",
    )
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    stage = LambdaStage(server.get_host_and_port())
    stage.start()
    try:
        world = AwsWorld(stage)
        credentials = world.admins[ACCOUNT]
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": stage.url,
                "AWS_ACCESS_KEY_ID": credentials.access_key_id,
                "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
                "AWS_DEFAULT_REGION": REGION,
                "AWS_EC2_METADATA_DISABLED": "true",
            }
        )
        os.environ.pop("AWS_PROFILE", None)
        packages = distinct_packages()
        started = time.perf_counter()
        names = deploy(world, packages, arguments.functions)
        print(
            f"deployed {arguments.functions} functions from {len(packages)} distinct packages "
            f"in {time.perf_counter() - started:.1f}s"
        )

        with tempfile.TemporaryDirectory(prefix="bench-batch-") as scratch:
            folder = Path(scratch)
            inventory = take_inventory(InventoryRequest(regions=(REGION,), invocation_days=7))
            rows = sorted(inventory.functions, key=lambda row: row.name)

            singles = single_scans(packages, names)
            single_sum = sum(singles.values())
            print(
                f"single scans of the {len(packages)} distinct packages: {single_sum:.1f}s in all "
                f"(slowest {max(singles, key=singles.__getitem__)}: {max(singles.values()):.1f}s)"
            )

            sizes = sorted({int(size) for size in arguments.sizes.split(",") if size} | {len(rows)})
            runs: list[BatchRun] = []
            for size in sizes:
                subset = type(inventory)(functions=tuple(rows[:size]))
                path = folder / f"inventory-{size}.json"
                write_inventory(subset, path)
                workdir = folder / f"batch-{size}"
                workdir.mkdir()
                run = run_batch_command(path, workdir, arguments.workers)
                runs.append(run)
                print(
                    f"batch of {run.functions}: {run.seconds:.1f}s, "
                    f"{run.functions / run.seconds:.1f} functions/s, "
                    f"peak memory {run.peak_bytes / 2**20:.0f} MiB; {run.summary}"
                )

            # Larger fleets with the same distinct packages: the fleet's rows copied under
            # new names up to each size, batched into a copy of the database that keeps the
            # analyses and forgets the functions, so every function is identified, fetched
            # from nowhere and recorded, and no package analysed again.
            scale_runs: list[BatchRun] = []
            for size in sorted({len(rows), *arguments.scale}):
                scale_dir = folder / f"scale-{size}"
                scale_dir.mkdir()
                shutil.copy(folder / f"batch-{len(rows)}" / "results.sqlite3", scale_dir)
                with sqlite3.connect(scale_dir / "results.sqlite3") as connection:
                    connection.execute("DELETE FROM functions")
                    connection.execute("DELETE FROM scan_log")
                connection.close()
                path = scale_dir / "inventory.json"
                write_inventory(type(inventory)(functions=tuple(copies(rows, size))), path)
                run = run_batch_command(path, scale_dir, arguments.workers)
                scale_runs.append(run)
                print(
                    f"batch of {run.functions} whose analyses are stored: {run.seconds:.1f}s "
                    f"({run.batch_seconds:.1f}s batch, the rest the report), peak memory "
                    f"{run.peak_bytes / 2**20:.0f} MiB"
                )
            if arguments.screenshot:
                shoot(folder / f"batch-{len(rows)}" / "results.sqlite3", arguments.screenshot)

        whole = runs[-1]
        ratio = whole.seconds / single_sum
        reuse = scale_runs[0]
        packages_seconds = max(whole.seconds - reuse.seconds, 0.0)
        per_package = packages_seconds / len(packages)
        workers_bytes = max(whole.peak_bytes - reuse.peak_bytes, 0)
        print()
        print(f"functions per second: {whole.functions / whole.seconds:.1f}")
        print(f"peak memory: {whole.peak_bytes / 2**20:.0f} MiB (required: under 2048 MiB)")
        print(
            f"batch / sum of single scans: {whole.seconds:.1f}s / {single_sum:.1f}s = "
            f"{ratio:.2f} (required: at most 1.5)"
        )
        print(
            "time by size: "
            + ", ".join(f"{run.functions}: {run.seconds:.1f}s" for run in runs)
            + f"; the analyses of the {len(packages)} distinct packages take about "
            f"{packages_seconds:.1f}s of the whole batch ({per_package:.2f}s each)"
        )
        for run in scale_runs[1:]:
            same = run.seconds + packages_seconds
            distinct = len(packages) * run.functions // whole.functions
            grown = same + (distinct - len(packages)) * per_package
            print(
                f"{run.functions:,} functions: about {same / 60:.1f} min and "
                f"{(run.peak_bytes + workers_bytes) / 2**20:.0f} MiB with the same "
                f"{len(packages)} distinct packages (measured: {run.seconds:.0f}s without "
                f"the analyses); about {grown / 60:.1f} min if distinct packages grow in "
                f"proportion ({distinct:,})"
            )
        failed = ratio > 1.5 or whole.peak_bytes >= 2 * 2**30
        sys.exit(1 if failed else 0)
    finally:
        stage.stop()
        server.stop()


if __name__ == "__main__":
    main()
