"""How much the code cache saves: a scan by ARN with an empty cache, then with a warm one.

It starts moto's server and the test proxy in front of it (``tests/fetch/aws_fixtures.py``)
on 127.0.0.1, deploys one function with its layers from the shared cases or the sample
functions, and scans it by ARN in this process as ``lambda-analyzer scan`` does, under the
IAM policy of ``docs/iam-policy.json``. Each round uses a new cache folder: the first scan
fetches into the empty cache, the second finds everything there. The proxy counts the
downloads. Before the rounds, one scan of another function loads what every scan loads
once per process (boto3's models, the rule catalogue), so that neither timed scan pays it.

It prints the median of each kind of scan over the rounds, their ratio, and the downloads
each made; and the same for the fetch stage alone (``fetch_function``), where the cache acts.

    python benchmarks/bench_fetch.py [--function NAME] [--rounds N]

With ``--serve`` it measures nothing: it deploys the function, prints the environment
that points ``lambda-analyzer`` at the local endpoint, and serves until interrupted, so the
command can be tried by hand (the terminal run in docs/aws.md was made that way).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "fetch"))

from aws_fixtures import AwsWorld, LambdaStage, iam_enforced, zip_bytes  # noqa: E402

from analyzer.fetch.cache import CodeCache  # noqa: E402
from analyzer.fetch.remote import fetch_function  # noqa: E402
from analyzer.pipeline import ScanRequest, scan_target  # noqa: E402

SHARED = Path(os.environ.get("LAMBDA_ANALYZER_SHARED", REPO.parent / "shared"))
CASES = SHARED / "cases"
SAMPLES = REPO / "sample_functions"
DEFAULT_FUNCTION = "layer-py39-site-packages"
WARM_UP_FUNCTION = "image-intake"


@dataclass(frozen=True)
class Package:
    """A function to deploy: its zip, its configuration and its layers' zips by name."""

    name: str
    code: bytes
    configuration: dict[str, Any]
    layers: dict[str, bytes]


def zip_of_folder(folder: Path) -> bytes:
    """A deflate zip of everything under ``folder``, sorted, with fixed timestamps."""
    return zip_bytes(
        {
            path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        }
    )


def load_package(name: str) -> Package:
    """The shared case or sample function called ``name``."""
    case = CASES / name
    if (case / "configuration.json").is_file():
        configuration = json.loads((case / "configuration.json").read_text())
        layer_names = [layer["Arn"].split(":")[6] for layer in configuration.get("Layers") or []]
        return Package(
            configuration["FunctionName"],
            zip_of_folder(case / "function"),
            configuration,
            {layer: zip_of_folder(case / "layers" / layer) for layer in layer_names},
        )
    sample = SAMPLES / name
    if (sample / "configuration.json").is_file():
        configuration = json.loads((sample / "configuration.json").read_text())
        return Package(name, (SAMPLES / f"{name}.zip").read_bytes(), configuration, {})
    raise SystemExit(f"bench_fetch: no shared case or sample function named {name!r}")


def deploy(world: AwsWorld, package: Package) -> tuple[str, list[str]]:
    """Create ``package`` in moto, in the region of its configuration; its ARN and the keys
    under which the proxy counts the downloads of its code and of each layer."""
    region = package.configuration["FunctionArn"].split(":")[3]
    admin = world.client("lambda", region=region)
    layer_arns = []
    keys = [world.code.add(package.code)]
    for layer, code in package.layers.items():
        published = admin.publish_layer_version(
            LayerName=layer, Content={"ZipFile": code}, CompatibleRuntimes=["python3.9"]
        )
        layer_arns.append(published["LayerVersionArn"])
        keys.append(world.code.add(code))
    created = admin.create_function(
        FunctionName=package.name,
        Runtime=package.configuration["Runtime"],
        Role=world.role,
        Handler=package.configuration["Handler"],
        Code={"ZipFile": package.code},
        Architectures=package.configuration["Architectures"],
        Layers=layer_arns,
    )
    return str(created["FunctionArn"]), keys


@contextlib.contextmanager
def local_aws() -> Iterator[AwsWorld]:
    """Moto's server and the proxy on 127.0.0.1; boto3 pointed at them with the credentials
    of a user whose only policy is docs/iam-policy.json, and nothing read from the host."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    stage = LambdaStage(server.get_host_and_port())
    stage.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-fetch-aws-") as config:
            world = AwsWorld(stage)
            (Path(config) / "config").write_text("")
            (Path(config) / "credentials").write_text("")
            os.environ.update(
                {
                    "AWS_ENDPOINT_URL": stage.url,
                    "AWS_ACCESS_KEY_ID": world.reader.access_key_id,
                    "AWS_SECRET_ACCESS_KEY": world.reader.secret_access_key,
                    "AWS_CONFIG_FILE": str(Path(config) / "config"),
                    "AWS_SHARED_CREDENTIALS_FILE": str(Path(config) / "credentials"),
                    "AWS_EC2_METADATA_DISABLED": "true",
                }
            )
            for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
                os.environ.pop(name, None)
            with iam_enforced():
                yield world
    finally:
        stage.stop()
        server.stop()


@dataclass
class Timing:
    """Seconds and downloads of one kind of run, over the rounds."""

    seconds: list[float]
    downloads: list[int]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def line(self, label: str) -> str:
        counts = sorted(set(self.downloads))
        shown = ", ".join(map(str, counts))
        return (
            f"  {label:<13} median {self.median:7.3f} s   min {min(self.seconds):7.3f} s   "
            f"max {max(self.seconds):7.3f} s   downloads per run: {shown}"
        )


def measure(
    world: AwsWorld, keys: list[str], rounds: int, run: Callable[[Path, Path], object]
) -> tuple[Timing, Timing]:
    """``run(cache_dir, workdir)`` twice per round on a new cache: empty, then warm."""
    first = Timing([], [])
    second = Timing([], [])
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="bench-fetch-") as scratch:
            cache_dir = Path(scratch) / "cache"
            for timing, workdir in ((first, "first"), (second, "second")):
                before = sum(world.code.requests[key] for key in keys)
                started = time.perf_counter()
                run(cache_dir, Path(scratch) / workdir)
                timing.seconds.append(time.perf_counter() - started)
                timing.downloads.append(sum(world.code.requests[key] for key in keys) - before)
    return first, second


def scan_once(arn: str) -> Callable[[Path, Path], object]:
    """The whole of ``lambda-analyzer scan ARN --no-deps --cache-dir DIR`` but the rendering."""

    def run(cache_dir: Path, _workdir: Path) -> object:
        request = ScanRequest(
            target=arn,
            target_runtimes=("python3.11",),
            cache_dir=cache_dir,
            check_dependencies=False,
        )
        (report,) = scan_target(request)
        if report.errors:
            raise SystemExit(f"bench_fetch: the scan was incomplete: {report.errors}")
        return report

    return run


def fetch_once(arn: str) -> Callable[[Path, Path], object]:
    """The fetch stage alone: configuration, code and layers onto disk."""

    def run(cache_dir: Path, workdir: Path) -> object:
        return fetch_function(arn, workdir=workdir, cache=CodeCache(cache_dir))

    return run


def serve(world: AwsWorld, package: Package) -> None:
    """Deploy ``package``, print how to reach it, and wait for an interrupt."""
    arn, _ = deploy(world, package)
    print("# a local stand-in for AWS: moto's server behind the test proxy, on 127.0.0.1")
    for name in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        print(f"export {name}={os.environ[name]}")
    print(f"lambda-analyzer scan {arn}")
    print("# serving until interrupted (Ctrl-C)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        while True:
            time.sleep(3600)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--function",
        default=DEFAULT_FUNCTION,
        help=f"a shared case or sample function [default: {DEFAULT_FUNCTION}]",
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds of two scans [default: 5]")
    parser.add_argument(
        "--serve", action="store_true", help="deploy the function and serve it; measure nothing"
    )
    arguments = parser.parse_args()
    package = load_package(arguments.function)
    warm_up = load_package(WARM_UP_FUNCTION)

    started_load = os.getloadavg()[0]
    with local_aws() as world:
        if arguments.serve:
            serve(world, package)
            return
        arn, keys = deploy(world, package)
        warm_up_arn, _ = deploy(world, warm_up)
        with tempfile.TemporaryDirectory(prefix="bench-fetch-warm-up-") as scratch:
            scan_once(warm_up_arn)(Path(scratch), Path(scratch) / "work")

        scans = measure(world, keys, arguments.rounds, scan_once(arn))
        fetches = measure(world, keys, arguments.rounds, fetch_once(arn))

    sizes = ", ".join(
        [f"code {len(package.code) / 1024:.1f} KiB"]
        + [f"layer {name} {len(code) / 1024:.1f} KiB" for name, code in package.layers.items()]
    )
    print(f"function {package.name} ({sizes}), by ARN against moto's server on 127.0.0.1")
    print(f"{arguments.rounds} rounds, each on a new cache folder; python {sys.version.split()[0]}")
    print(
        f"{os.cpu_count()} CPUs, load average {started_load:.1f} before and "
        f"{os.getloadavg()[0]:.1f} after"
    )
    for title, (first, second) in (("scan", scans), ("fetch stage", fetches)):
        print(f"{title}:")
        print(first.line("empty cache"))
        print(second.line("warm cache"))
        print(f"  ratio of the medians, empty / warm: {first.median / second.median:.2f}")


if __name__ == "__main__":
    main()
