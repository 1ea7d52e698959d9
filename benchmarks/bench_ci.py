"""How long ``ci`` takes on a repository of 200 functions, against ``scan`` of the same code.

The repository is generated from ``sample_functions/``: 200 functions made of copies of
the sample functions' code, 50 in each template format (one SAM template, one
CloudFormation JSON template in which every fifth function shares the code folder of the
one before, five Serverless services with a ``module`` folder per function, and a
Terraform root module calling a local module once per function): 190 code folders. Every
template sets python3.12, the runtime a pull request moves the functions to. ``scan`` then
analyses each of the 190 code folders for python3.12 with the same handler and
architecture, in the same process.

``ci`` has to read the templates on top of what ``scan`` does, and nothing else, so its
time must stay within ``--limit`` (1.2) times the time of ``scan``; the script exits 1
when it does not. Each side is timed ``--rounds`` times, alternating, and the best round
counts. Dependency checks are off on both sides (they would time the package index).

    python benchmarks/bench_ci.py [--functions 200] [--rounds 3] [--limit 1.2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer.ci import CiRequest, CiResult, run_ci
from analyzer.pipeline import ScanRequest, scan_target

SAMPLES = Path(__file__).resolve().parents[1] / "sample_functions"
RUNTIME = "python3.12"
FORMATS = ("sam", "cloudformation", "serverless", "terraform")
SERVERLESS_SERVICES = 5
SHARE_EVERY = 5
"""In the CloudFormation template, every fifth function shares the code of the one before."""


@dataclass(frozen=True)
class Sample:
    """A sample function: where its code is, and its configured handler and architecture."""

    name: str
    code: Path
    handler: str
    architecture: str


@dataclass
class Generated:
    """One generated function: its code folder in the repository and its settings."""

    name: str
    folder: Path
    handler: str
    architecture: str


def samples() -> list[Sample]:
    found = []
    for configuration in sorted(SAMPLES.glob("*/configuration.json")):
        config = json.loads(configuration.read_text(encoding="utf-8"))
        found.append(
            Sample(
                name=configuration.parent.name,
                code=configuration.parent / "function",
                handler=config["Handler"],
                architecture=config.get("Architectures", ["x86_64"])[0],
            )
        )
    return found


def generate(root: Path, count: int) -> list[Generated]:
    """Write the repository under ``root``; the functions in the order they were made."""
    sources = samples()
    per_format = count // len(FORMATS)
    functions: dict[str, list[Generated]] = {fmt: [] for fmt in FORMATS}
    for index in range(per_format * len(FORMATS)):
        fmt = FORMATS[index // per_format]
        name = f"fn{index:03d}"
        if fmt == "cloudformation" and index % SHARE_EVERY == SHARE_EVERY - 1:
            # A second function on the previous one's code: analysed once by ci.
            previous = functions[fmt][-1]
            functions[fmt].append(
                Generated(name, previous.folder, previous.handler, previous.architecture)
            )
            continue
        sample = sources[index % len(sources)]
        folder = root / fmt / "functions" / name
        shutil.copytree(sample.code, folder)
        functions[fmt].append(Generated(name, folder, sample.handler, sample.architecture))

    _write_sam(root / "sam", functions["sam"])
    _write_cloudformation(root / "cloudformation", functions["cloudformation"])
    _write_serverless(root / "serverless", functions["serverless"])
    _write_terraform(root / "terraform", functions["terraform"])
    return [function for fmt in FORMATS for function in functions[fmt]]


def _write_sam(folder: Path, functions: list[Generated]) -> None:
    lines = [
        'AWSTemplateFormatVersion: "2010-09-09"',
        "Transform: AWS::Serverless-2016-10-31",
        "Globals:",
        "  Function:",
        f"    Runtime: {RUNTIME}",
        "    Timeout: 30",
        "Resources:",
    ]
    for function in functions:
        lines += [
            f"  {function.name.capitalize()}:",
            "    Type: AWS::Serverless::Function",
            "    Properties:",
            f"      CodeUri: functions/{function.name}/",
            f"      Handler: {function.handler}",
            "      Architectures:",
            f"        - {function.architecture}",
        ]
    (folder / "template.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_cloudformation(folder: Path, functions: list[Generated]) -> None:
    resources = {
        function.name.capitalize(): {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Code": f"functions/{function.folder.name}",
                "Handler": function.handler,
                "Runtime": RUNTIME,
                "Architectures": [function.architecture],
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            },
        }
        for function in functions
    }
    document = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    (folder / "template.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def _write_serverless(folder: Path, functions: list[Generated]) -> None:
    per_service = max(1, len(functions) // SERVERLESS_SERVICES)
    for start in range(0, len(functions), per_service):
        group = functions[start : start + per_service]
        service = folder / f"service{start // per_service}"
        service.mkdir(parents=True, exist_ok=True)
        lines = [
            f"service: bench{start // per_service}",
            "provider:",
            "  name: aws",
            f"  runtime: {RUNTIME}",
            "functions:",
        ]
        for function in group:
            moved = service / function.name
            shutil.move(function.folder, moved)
            function.folder = moved
            lines += [
                f"  {function.name}:",
                f"    handler: {function.handler}",
                f"    module: {function.name}",
                f"    architecture: {function.architecture}",
            ]
        (service / "serverless.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.rmtree(folder / "functions", ignore_errors=True)


def _write_terraform(folder: Path, functions: list[Generated]) -> None:
    module = folder / "modules" / "function"
    module.mkdir(parents=True)
    (module / "main.tf").write_text(
        "\n".join(
            [
                'variable "name" {}',
                'variable "handler" {}',
                'variable "architecture" {}',
                'variable "source_dir" {}',
                'variable "runtime" {',
                f'  default = "{RUNTIME}"',
                "}",
                "",
                'data "archive_file" "code" {',
                '  type        = "zip"',
                "  source_dir  = var.source_dir",
                '  output_path = "${path.module}/build/${var.name}.zip"',
                "}",
                "",
                'resource "aws_lambda_function" "this" {',
                "  function_name = var.name",
                "  runtime       = var.runtime",
                "  handler       = var.handler",
                "  architectures = [var.architecture]",
                "  filename      = data.archive_file.code.output_path",
                "}",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    calls = []
    for function in functions:
        calls += [
            f'module "{function.name}" {{',
            '  source       = "./modules/function"',
            f'  name         = "{function.name}"',
            f'  handler      = "{function.handler}"',
            f'  architecture = "{function.architecture}"',
            f'  source_dir   = "${{path.module}}/functions/{function.name}"',
            "}",
            "",
        ]
    (folder / "main.tf").write_text("\n".join(calls), encoding="utf-8")


def time_scan(functions: list[Generated]) -> tuple[float, dict[str, str]]:
    """``scan`` of each distinct code folder of ``functions``: the time and the verdicts."""
    distinct = {function.folder: function for function in functions}
    started = time.perf_counter()
    verdicts = {}
    for function in distinct.values():
        [report] = scan_target(
            ScanRequest(
                target=str(function.folder),
                target_runtimes=(RUNTIME,),
                handler=function.handler,
                architecture=function.architecture,
                check_dependencies=False,
            )
        )
        verdicts[str(function.folder.resolve())] = report.verdict.value
    return time.perf_counter() - started, verdicts


def time_ci(root: Path) -> tuple[float, CiResult]:
    started = time.perf_counter()
    result = run_ci(CiRequest(root, check_dependencies=False))
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=float, default=1.2)
    parser.add_argument("--keep", type=Path, help="generate the repository here and keep it")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-ci-"))
    root = options.keep or workdir / "repository"
    try:
        functions = generate(root, options.functions)
        # One scan first, so that imports and the parser caches are paid outside the timing.
        time_scan(functions[:1])
        scan_times, ci_times = [], []
        for _ in range(options.rounds):
            scan_seconds, scan_verdicts = time_scan(functions)
            ci_seconds, result = time_ci(root)
            scan_times.append(scan_seconds)
            ci_times.append(ci_seconds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    ci_verdicts = {
        str(Path(function.report.function.code_root).resolve()): function.report.verdict.value
        for function in result.functions
    }
    agree = sum(
        1 for folder, verdict in scan_verdicts.items() if ci_verdicts.get(folder) == verdict
    )
    best_scan, best_ci = min(scan_times), min(ci_times)
    ratio = best_ci / best_scan
    print(f"functions: {len(result.functions)} in {len(result.templates)} templates")
    print(
        f"scan of {len(scan_verdicts)} code folders: {best_scan:.2f} s (rounds: "
        + ", ".join(f"{seconds:.2f}" for seconds in scan_times)
        + ")"
    )
    print(
        f"ci on the repository: {best_ci:.2f} s (rounds: "
        + ", ".join(f"{seconds:.2f}" for seconds in ci_times)
        + ")"
    )
    print("ci stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items()))
    print(f"verdicts that agree with scan: {agree}/{len(scan_verdicts)}")
    print(f"ratio ci/scan: {ratio:.3f} (required <= {options.limit})")
    return 0 if ratio <= options.limit and agree == len(scan_verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
