"""``lambda-analyzer scan`` of deployed functions, run as a user runs it, against moto's server."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from aws_fixtures import (
    ACCOUNT,
    OTHER_ACCOUNT,
    PRESIGNED_SIGNATURE,
    REGION,
    AwsSession,
    AwsWorld,
    Fault,
    code_sha256,
    corrupted,
    zip_bytes,
)
from typer.testing import CliRunner

from analyzer.cli import app
from tests.conftest import REPO, SAMPLES, shared_folder

CASES_DIR = shared_folder() / "cases"


def function_arn(name: str, region: str = REGION) -> str:
    return f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}"


@dataclass(frozen=True)
class Run:
    """What one run of the command left: its exit code and its two streams."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def document(self) -> dict[str, Any]:
        """The JSON report on stdout."""
        assert self.stdout.startswith("{"), self.stderr
        parsed: dict[str, Any] = json.loads(self.stdout)
        return parsed

    @property
    def report(self) -> dict[str, Any]:
        """The one report of the JSON document."""
        (report,) = self.document["reports"]
        return dict(report)


Scan = Callable[..., Run]


@pytest.fixture
def scan() -> Iterator[Scan]:
    """``scan(*arguments)`` runs ``lambda-analyzer scan`` in this process.

    The command configures the root logger for its own streams; it is put back after each run.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    runner = CliRunner()

    def run(*arguments: str) -> Run:
        try:
            result = runner.invoke(app, ["scan", *arguments])
        finally:
            root.handlers[:] = handlers
            root.setLevel(level)
        # Anything but the command's own exit is a crash the user would see as a traceback.
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        return Run(result.exit_code, result.stdout, result.stderr)

    yield run


def run_command(
    *arguments: str,
    environment: dict[str, str] | None = None,
    before: Callable[[], None] | None = None,
) -> Run:
    """``lambda-analyzer`` as a separate process, with this process's environment.

    ``before`` runs in the child process before the command starts.
    """
    completed = subprocess.run(
        [sys.executable, "-m", "analyzer.cli", *arguments],
        cwd=REPO,
        env={**os.environ, **(environment or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=before,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


def code_key(files: dict[str, str]) -> str:
    """The test server's key (hex SHA-256) of the zip of ``files``."""
    return hashlib.sha256(zip_bytes(files)).hexdigest()


def small_function(name: str) -> dict[str, str]:
    """A clean function whose bytes are unique to ``name``."""
    return {"app.py": f"def handler(event, context):\n    return {name!r}\n"}


def finding_keys(report: dict[str, Any]) -> list[tuple[str, str, int | None, str, str]]:
    """Rule, path, line, severity and reach of each finding of a JSON report, in its order."""
    return [
        (
            finding["rule_id"],
            finding["path"],
            finding["line"],
            finding["severity"],
            finding["reach"],
        )
        for finding in report["findings"]
    ]


# --- a function by ARN, with nothing else on the command line ---------------------------

ORDERS_FILES = {
    "service.py": "import distutils\n\nfrom helpers import lookup\nimport pricing\n\n\n"
    "def entry(event, context):\n    return lookup(event), pricing.RATE\n",
}
HELPERS_FILES = {
    "python/helpers.py": "from collections import Mapping\n\n\n"
    "def lookup(event):\n    return isinstance(event, Mapping)\n",
}
PRICING_FILES = {"python/lib/python3.8/site-packages/pricing.py": "RATE = 0.2\n"}


def deploy_orders_api(aws: AwsSession, name: str) -> tuple[str, str]:
    """``name`` on python3.8 and arm64, handler ``service.entry``, with a layer of its own
    account and one of another account; the ARNs of the two layers, in configuration order."""
    world = aws.world
    helpers = world.publish_layer(f"{name}-helpers", HELPERS_FILES)
    pricing = world.publish_layer(
        f"{name}-pricing", PRICING_FILES, account=OTHER_ACCOUNT, grant_to=ACCOUNT
    )
    world.create_function(
        name,
        {**ORDERS_FILES, "release.txt": name},
        runtime="python3.8",
        handler="service.entry",
        architecture="arm64",
        layers=(helpers, pricing),
    )
    return helpers, pricing


def test_an_arn_alone_is_scanned_with_its_deployed_configuration(
    aws: AwsSession, tmp_path: Path
) -> None:
    deploy_orders_api(aws, "scan-orders-api")
    cache_home = tmp_path / "cache-home"

    run = run_command(
        "scan", function_arn("scan-orders-api"), environment={"XDG_CACHE_HOME": str(cache_home)}
    )

    lines = run.stdout.splitlines()
    assert lines[1:5] == [
        "scan-orders-api  python3.8 -> python3.11  25/100 blocked",
        "handler service.entry · arm64 · layers: scan-orders-api-helpers, scan-orders-api-pricing",
        "2 blocker, 0 high, 1 medium, 0 low, 0 info · 3 files analysed",
        "score: base 100, blocker -70 (2), medium -5 (1)",
    ]
    assert run.stderr == ""
    assert run.exit_code == 1
    # The default cache folder follows XDG_CACHE_HOME: the code and both layers are in it.
    assert len(list((cache_home / "lambda-analyzer" / "zips").glob("*.zip"))) == 3


def test_the_json_report_of_an_arn_holds_the_deployed_configuration(
    aws: AwsSession, scan: Scan, tmp_path: Path
) -> None:
    helpers, pricing = deploy_orders_api(aws, "scan-orders-json")

    run = scan(function_arn("scan-orders-json"), "--format", "json", "--cache-dir", str(tmp_path))

    report = run.report
    assert report["function"] == {
        "name": "scan-orders-json",
        "arn": function_arn("scan-orders-json"),
        "source_runtime": "python3.8",
        "architecture": "arm64",
        "handler": "service.entry",
        "package_type": "Zip",
        "code_sha256": code_sha256(zip_bytes({**ORDERS_FILES, "release.txt": "scan-orders-json"})),
        "layers": [
            {
                "name": "scan-orders-json-helpers",
                "arn": helpers,
                "code_sha256": code_sha256(zip_bytes(HELPERS_FILES)),
            },
            {
                "name": "scan-orders-json-pricing",
                "arn": pricing,
                "code_sha256": code_sha256(zip_bytes(PRICING_FILES)),
            },
        ],
        "overrides": [],
    }
    # A finding in each: the function's code, the layer of its own account and the layer of
    # the other account, whose path only python3.8 searches.
    assert finding_keys(report) == [
        (
            "removed-stdlib-api",
            "layers/scan-orders-json-helpers/python/helpers.py",
            1,
            "blocker",
            "import",
        ),
        (
            "layer-path-version",
            "layers/scan-orders-json-pricing/python/lib/python3.8/site-packages",
            None,
            "blocker",
            "import",
        ),
        ("removed-stdlib-module", "service.py", 1, "medium", "import"),
    ]
    assert report["errors"] == []
    assert run.exit_code == 1


# --- qualifiers, names and partial ARNs ---------------------------------------------------

RELEASED_FILES = {"app.py": "import imp\n\n\ndef handler(event, context):\n    return 1\n"}
EDITED_FILES = {"main.py": "def handler(event, context):\n    return 2\n"}


@pytest.fixture(scope="module")
def released_function(aws_world: AwsWorld) -> str:
    """``scan-released``: version 1 (alias ``prod``) on python3.8 with ``app.handler`` and
    ``import imp``; ``$LATEST`` since moved to python3.9, ``main.handler`` and clean code."""
    admin = aws_world.client("lambda")
    aws_world.create_function("scan-released", RELEASED_FILES, runtime="python3.8")
    admin.publish_version(FunctionName="scan-released")
    admin.create_alias(FunctionName="scan-released", Name="prod", FunctionVersion="1")
    admin.update_function_configuration(
        FunctionName="scan-released", Runtime="python3.9", Handler="main.handler"
    )
    admin.update_function_code(FunctionName="scan-released", ZipFile=zip_bytes(EDITED_FILES))
    return function_arn("scan-released")


@pytest.mark.parametrize(
    ("qualifier", "arn_qualifier", "runtime", "handler", "files", "findings"),
    [
        pytest.param(
            ":1",
            ":1",
            "python3.8",
            "app.handler",
            RELEASED_FILES,
            [("removed-stdlib-module", "app.py", 1, "medium", "import")],
            id="version",
        ),
        pytest.param(
            ":prod",
            ":1",
            "python3.8",
            "app.handler",
            RELEASED_FILES,
            [("removed-stdlib-module", "app.py", 1, "medium", "import")],
            id="alias",
        ),
        pytest.param("", "", "python3.9", "main.handler", EDITED_FILES, [], id="unqualified"),
    ],
)
def test_a_qualified_arn_scans_that_version_with_its_own_configuration(
    aws: AwsSession,
    scan: Scan,
    tmp_path: Path,
    released_function: str,
    qualifier: str,
    arn_qualifier: str,
    runtime: str,
    handler: str,
    files: dict[str, str],
    findings: list[tuple[str, str, int, str, str]],
) -> None:
    run = scan(released_function + qualifier, "--format", "json", "--cache-dir", str(tmp_path))

    function = run.report["function"]
    assert (function["arn"], function["source_runtime"], function["handler"]) == (
        released_function + arn_qualifier,
        runtime,
        handler,
    )
    assert function["code_sha256"] == code_sha256(zip_bytes(files))
    assert finding_keys(run.report) == findings


@pytest.fixture(scope="module")
def function_by_name(aws_world: AwsWorld) -> str:
    """``scan-by-name``, a clean function."""
    aws_world.create_function("scan-by-name", small_function("scan-by-name"))
    return "scan-by-name"


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("scan-by-name", id="name"),
        pytest.param("scan-by-name:$LATEST", id="qualified-name"),
        pytest.param(f"{ACCOUNT}:function:scan-by-name", id="partial-arn"),
    ],
)
def test_a_name_or_partial_arn_is_looked_up_in_the_region_given(
    aws: AwsSession, scan: Scan, tmp_path: Path, function_by_name: str, target: str
) -> None:
    run = scan(target, "--region", REGION, "--format", "json", "--cache-dir", str(tmp_path))

    assert run.report["function"]["name"] == "scan-by-name"
    assert run.report["function"]["arn"] == function_arn("scan-by-name") + (
        ":$LATEST" if target.endswith(":$LATEST") else ""
    )
    assert run.report["function"]["code_sha256"] == code_sha256(
        zip_bytes(small_function("scan-by-name"))
    )
    assert run.exit_code == 0


def test_a_bare_name_without_a_region_is_one_clear_error(aws: AwsSession, scan: Scan) -> None:
    run = scan("scan-nowhere", "--no-cache")

    assert run.stderr == (
        "lambda-analyzer: error: function scan-nowhere: no AWS region; give --region, a full "
        "function ARN, or a profile with a region\n"
    )
    assert (run.stdout, run.exit_code) == ("", 2)


def test_a_profile_gives_the_credentials_and_the_region(
    aws: AwsSession, scan: Scan, tmp_path: Path, function_by_name: str
) -> None:
    aws.write_profile("auditor", aws.world.reader, REGION)
    aws.use(None)

    run = scan(function_by_name, "--profile", "auditor", "--format", "json", "--no-cache")

    assert run.report["function"]["arn"] == function_arn(function_by_name)
    assert run.exit_code == 0


@pytest.mark.parametrize(
    ("variables", "options"),
    [
        pytest.param({"AWS_DEFAULT_REGION": REGION}, (), id="AWS_DEFAULT_REGION"),
        pytest.param(
            {"AWS_REGION": REGION, "AWS_DEFAULT_REGION": "us-west-2"},
            (),
            id="AWS_REGION-wins-over-AWS_DEFAULT_REGION",
        ),
        pytest.param({"AWS_REGION": "us-west-2"}, ("--region", REGION), id="--region-wins"),
    ],
)
def test_the_region_of_a_name_follows_the_aws_cli(
    aws: AwsSession,
    scan: Scan,
    function_by_name: str,
    variables: dict[str, str],
    options: tuple[str, ...],
) -> None:
    """``--region``, then ``AWS_REGION``, then ``AWS_DEFAULT_REGION``; the function exists
    only in REGION."""
    for name, value in variables.items():
        aws.monkeypatch.setenv(name, value)

    run = scan(function_by_name, *options, "--format", "json", "--no-cache")

    assert run.report["function"]["arn"] == function_arn(function_by_name)


# --- options given with an ARN ------------------------------------------------------------


@pytest.fixture(scope="module")
def overridden_function(aws_world: AwsWorld) -> str:
    """``scan-overridden``: python3.9, arm64, ``app.handler``; its code uses ``asyncio.coroutine``
    (removed in 3.11) inside a function of ``jobs.py``."""
    aws_world.create_function(
        "scan-overridden",
        {
            "app.py": "def handler(event, context):\n    return 1\n",
            "jobs.py": "import asyncio\n\n\ndef run(event, context):\n"
            "    return asyncio.coroutine(print)\n",
        },
        runtime="python3.9",
        handler="app.handler",
        architecture="arm64",
    )
    return function_arn("scan-overridden")


OVERRIDES = ("--from", "python3.8", "--handler", "jobs.run", "--architecture", "x86_64")


def test_options_given_with_an_arn_override_its_configuration_and_the_report_says_so(
    aws: AwsSession, scan: Scan, tmp_path: Path, overridden_function: str
) -> None:
    cache = ("--cache-dir", str(tmp_path))

    configured = scan(overridden_function, "--format", "json", *cache)
    overridden = scan(overridden_function, *OVERRIDES, "--format", "json", *cache)

    assert [
        {key: run.report["function"][key] for key in SHOWN_CONFIGURATION}
        for run in (configured, overridden)
    ] == [
        {
            "source_runtime": "python3.9",
            "handler": "app.handler",
            "architecture": "arm64",
            "overrides": [],
        },
        {
            "source_runtime": "python3.8",
            "handler": "jobs.run",
            "architecture": "x86_64",
            "overrides": ["runtime", "handler", "architecture"],
        },
    ]
    # From the handler given, jobs.py runs when called; from the configured one, nothing
    # imports it.
    assert finding_keys(configured.report) == [
        ("removed-stdlib-api", "jobs.py", 5, "info", "unreached")
    ]
    assert finding_keys(overridden.report) == [("removed-stdlib-api", "jobs.py", 5, "high", "call")]


SHOWN_CONFIGURATION = ("source_runtime", "handler", "architecture", "overrides")


@pytest.mark.parametrize(
    ("output_format", "expected"),
    [
        (
            "table",
            "handler jobs.run · x86_64 · given on the command line: runtime, handler, architecture",
        ),
        (
            "markdown",
            "handler jobs.run · x86\\_64 · given on the command line: runtime, handler, "
            "architecture",
        ),
    ],
)
def test_the_table_and_markdown_name_the_options_that_overrode_the_configuration(
    aws: AwsSession,
    scan: Scan,
    tmp_path: Path,
    overridden_function: str,
    output_format: str,
    expected: str,
) -> None:
    run = scan(overridden_function, *OVERRIDES, "--format", output_format, "--no-cache")

    assert expected in run.stdout.splitlines()


# --- what cannot be fetched ---------------------------------------------------------------


def assert_one_line_error(run: Run, message: str) -> None:
    """The run ended with ``message`` alone on stderr, nothing on stdout, and exit code 2."""
    assert run.stderr == f"lambda-analyzer: error: {message}\n"
    assert (run.stdout, run.exit_code) == ("", 2)


def test_a_missing_function_is_one_clear_error(aws: AwsSession, scan: Scan) -> None:
    run = scan(function_arn("scan-ghost"), "--no-cache")

    assert_one_line_error(run, f"function {function_arn('scan-ghost')}: not found in {REGION}")


def test_a_function_the_caller_may_not_read_is_one_clear_error(
    aws: AwsSession, scan: Scan, function_by_name: str
) -> None:
    aws.use(aws.world.denied)

    run = scan(function_arn(function_by_name), "--no-cache")

    assert_one_line_error(
        run,
        f"function {function_arn(function_by_name)}: access denied; the caller needs "
        "lambda:GetFunction (see docs/iam-policy.json)",
    )


def test_an_arn_of_a_layer_is_one_clear_error(aws: AwsSession, scan: Scan) -> None:
    layer = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:scan-not-a-function:1"

    run = scan(layer, "--no-cache")

    assert_one_line_error(
        run,
        f"{layer!r} is not a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME"
        "[:QUALIFIER]), partial ARN (ACCOUNT:function:NAME) or function name",
    )


def test_a_container_image_function_gets_a_report_that_says_its_code_was_not_analysed(
    aws: AwsSession, scan: Scan
) -> None:
    aws.world.create_image_function("scan-image")
    message = (
        "function scan-image is a container image (PackageType Image): there is no zip to "
        "download, so its code is not analysed"
    )

    table = scan(function_arn("scan-image"), "--no-cache", "--fail-on", "never")
    document = scan(function_arn("scan-image"), "--no-cache", "--format", "json")

    assert "Not analysed\n  fetch: function scan-image is a container image" in table.stdout
    assert table.stdout.splitlines()[1] == "scan-image  image -> python3.11  not analysed"
    assert table.stderr == f"WARNING analyzer.fetch.remote: {message}\n"
    assert document.report["errors"] == [{"stage": "fetch", "message": message, "path": None}]
    assert document.report["files_analysed"] == 0
    assert [(f["rule_id"], f["severity"]) for f in document.report["findings"]] == [
        ("not-analysed", "high")
    ]
    assert (document.report["verdict"], document.report["score"]) == ("not-analysed", 49)
    assert document.report["function"]["package_type"] == "Image"
    # Incomplete, whatever the verdict: --fail-on never does not make it a success.
    assert (table.exit_code, document.exit_code) == (1, 1)


def test_a_layer_the_caller_may_not_read_leaves_a_report_of_the_rest(
    aws: AwsSession, scan: Scan
) -> None:
    world = aws.world
    private = world.publish_layer(
        "scan-private", {"python/private.py": "import imp\n"}, account=OTHER_ACCOUNT
    )
    files = {"app.py": "import asynchat\n\n\ndef handler(event, context):\n    return 1\n"}
    world.create_function("scan-private-layer", files, layers=(private,))
    message = (
        f"layer {private}: access denied; the caller needs lambda:GetLayerVersion (see "
        "docs/iam-policy.json), and another account's layer a grant from its owner; its "
        "content is not analysed"
    )

    run = scan(function_arn("scan-private-layer"), "--no-cache", "--format", "json")

    assert run.report["errors"] == [
        {"stage": "fetch", "message": message, "path": "layers/scan-private"}
    ]
    assert finding_keys(run.report) == [("removed-stdlib-module", "app.py", 1, "medium", "import")]
    assert run.stderr == f"WARNING analyzer.fetch.remote: {message}\n"
    assert run.exit_code == 1


def test_a_download_cut_off_on_every_try_leaves_a_report_that_says_so(
    aws: AwsSession, scan: Scan, tmp_path: Path
) -> None:
    world = aws.world
    files = small_function("scan-cut-off")
    world.create_function("scan-cut-off", files)
    world.code.always_fail(code_key(files), Fault.CUT_OFF)
    size = len(zip_bytes(files))
    message = (
        f"function scan-cut-off: the download was cut off after {size // 2} of {size} bytes "
        "(3 tries); the function is not analysed"
    )

    run = scan(function_arn("scan-cut-off"), "--format", "json", "--cache-dir", str(tmp_path))

    assert run.report["errors"] == [{"stage": "fetch", "message": message, "path": None}]
    assert run.report["files_analysed"] == 0
    assert [(f["rule_id"], f["severity"]) for f in run.report["findings"]] == [
        ("not-analysed", "high")
    ]
    assert run.stderr == f"WARNING analyzer.fetch.remote: {message}\n"
    assert run.exit_code == 1
    assert world.code.requests[code_key(files)] == 3
    assert list((tmp_path / "zips").iterdir()) == []


def test_code_that_does_not_match_its_hash_leaves_a_report_that_says_so(
    aws: AwsSession, scan: Scan, tmp_path: Path
) -> None:
    world = aws.world
    files = small_function("scan-corrupt")
    world.create_function("scan-corrupt", files)
    world.code.always_fail(code_key(files), Fault.CORRUPT)
    message = (
        "function scan-corrupt: the downloaded code does not match its CodeSha256 (expected "
        f"{code_sha256(zip_bytes(files))}, got {code_sha256(corrupted(zip_bytes(files)))}); "
        "the function is not analysed"
    )

    run = scan(function_arn("scan-corrupt"), "--format", "json", "--cache-dir", str(tmp_path))

    assert run.report["errors"] == [{"stage": "fetch", "message": message, "path": None}]
    assert run.stderr == f"WARNING analyzer.fetch.remote: {message}\n"
    assert run.exit_code == 1
    assert list((tmp_path / "zips").iterdir()) == []


def test_a_layer_that_does_not_match_its_hash_is_left_out_and_the_function_analysed(
    aws: AwsSession, scan: Scan
) -> None:
    world = aws.world
    layer_files = {"python/shared_rates.py": "import imp\n"}
    layer = world.publish_layer("scan-corrupt-layer", layer_files)
    files = {"app.py": "import asynchat\n\n\ndef handler(event, context):\n    return 1\n"}
    world.create_function("scan-with-corrupt-layer", files, layers=(layer,))
    world.code.always_fail(code_key(layer_files), Fault.CORRUPT)

    run = scan(function_arn("scan-with-corrupt-layer"), "--format", "json", "--no-cache")

    (error,) = run.report["errors"]
    assert error["path"] == "layers/scan-corrupt-layer"
    assert error["message"].startswith(
        f"layer {layer}: the downloaded code does not match its CodeSha256"
    )
    assert finding_keys(run.report) == [("removed-stdlib-module", "app.py", 1, "medium", "import")]
    assert run.exit_code == 1


OVER_THE_CAP = 300 * 1024 * 1024
"""A length over the 250 MiB a downloaded zip may have."""


def announce_length(aws: AwsSession, key: str, length: int) -> None:
    """Answer downloads of ``key`` with a ``Content-Length`` of ``length`` and no body: the
    size a client must refuse before reading anything."""
    stage = aws.world.stage
    serve = stage.serve_code

    def serve_oversized(handler: BaseHTTPRequestHandler, requested: str, query: str) -> None:
        if requested != key:
            serve(handler, requested, query)
            return
        stage.code.requests[requested] += 1
        handler.send_response(200)
        handler.send_header("Content-Type", "application/zip")
        handler.send_header("Content-Length", str(length))
        handler.end_headers()
        handler.close_connection = True

    aws.monkeypatch.setattr(stage, "serve_code", serve_oversized)


def test_code_over_the_download_cap_is_refused_and_the_report_says_so(
    aws: AwsSession, scan: Scan
) -> None:
    files = small_function("scan-oversize")
    aws.world.create_function("scan-oversize", files)
    announce_length(aws, code_key(files), OVER_THE_CAP)
    message = (
        f"function scan-oversize: the code is {OVER_THE_CAP} bytes, over the limit of 250 MiB "
        "for a zip; the function is not analysed"
    )

    run = scan(function_arn("scan-oversize"), "--format", "json", "--no-cache")

    assert run.report["errors"] == [{"stage": "fetch", "message": message, "path": None}]
    assert run.stderr == f"WARNING analyzer.fetch.remote: {message}\n"
    assert run.exit_code == 1
    assert aws.world.code.requests[code_key(files)] == 1


def test_code_that_expands_past_the_cap_is_analysed_up_to_it_and_the_report_says_so(
    aws: AwsSession, scan: Scan
) -> None:
    # Four MiB of zeros deflate to a few KiB: past 1 MiB, more than 200 times its size.
    files = {
        "app.py": "import asynchat\n\n\ndef handler(event, context):\n    return 1\n",
        "zz_padding.bin": "\0" * (4 * 1024 * 1024),
    }
    aws.world.create_function("scan-expanding", files)

    message = (
        "scan-expanding.zip: member zz_padding.bin expands more than 200 times its compressed "
        "size; the rest of scan-expanding.zip is not analysed"
    )

    run = scan(function_arn("scan-expanding"), "--format", "json", "--no-cache")

    assert run.report["errors"] == [{"stage": "fetch", "message": message, "path": None}]
    assert finding_keys(run.report) == [("removed-stdlib-module", "app.py", 1, "medium", "import")]
    assert run.stderr == f"WARNING analyzer.fetch.local: {message}\n"
    assert run.exit_code == 1


def test_a_cache_folder_that_cannot_be_made_is_one_clear_error(
    aws: AwsSession, scan: Scan, tmp_path: Path, function_by_name: str
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")

    run = scan(function_arn(function_by_name), "--cache-dir", str(blocker))

    assert_one_line_error(
        run,
        f"the cache folder {blocker / 'zips'} cannot be created: Not a directory (give another "
        "--cache-dir, or --no-cache)",
    )


def limit_file_size() -> None:
    """In the child process: files may not grow past 64 bytes, as on a full disk."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))
    # The signal would end the process; ignored, the write fails with EFBIG instead.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def test_a_download_the_disk_refuses_leaves_a_report_that_says_so(
    aws: AwsSession, tmp_path: Path
) -> None:
    files = small_function("scan-disk-full")
    aws.world.create_function("scan-disk-full", files)
    cache = tmp_path / "cache"
    cache.mkdir()

    run = run_command(
        "scan",
        function_arn("scan-disk-full"),
        "--format",
        "json",
        "--cache-dir",
        str(cache),
        environment={"PYTHONDONTWRITEBYTECODE": "1"},
        before=limit_file_size,
    )

    message = (
        f"function scan-disk-full: the code cannot be written to {cache / 'zips'} (File too "
        "large); the function is not analysed"
    )
    assert run.report["errors"] == [{"stage": "fetch", "message": message, "path": None}]
    assert run.stderr == f"WARNING analyzer.fetch.remote: {message}\n"
    assert run.exit_code == 1
    assert list((cache / "zips").iterdir()) == []


# --- secrets ------------------------------------------------------------------------------

ENVIRONMENT_SECRET = "env-canary-b7e2c9f4d1"
"""An environment variable value, recognisable wherever it might leak."""


def test_no_output_of_the_command_shows_a_secret(aws: AwsSession, tmp_path: Path) -> None:
    """Environment variable values, presigned URLs and credentials reach neither stdout nor
    stderr, in any format, with ``-v``'s debug log, on success and on failure."""
    world = aws.world
    layer = world.publish_layer("scan-secret-layer", {"python/tokens.py": "import imp\n"})
    files = {"app.py": "import tokens\n\n\ndef handler(event, context):\n    return 1\n"}
    world.create_function(
        "scan-secret", files, layers=(layer,), environment={"DB_PASSWORD": ENVIRONMENT_SECRET}
    )
    expired = small_function("scan-secret-expired")
    world.create_function(
        "scan-secret-expired", expired, environment={"DB_PASSWORD": ENVIRONMENT_SECRET}
    )
    world.code.always_fail(code_key(expired), Fault.EXPIRED)
    cache = ("--cache-dir", str(tmp_path / "cache"))
    denied = {
        "AWS_ACCESS_KEY_ID": world.denied.access_key_id,
        "AWS_SECRET_ACCESS_KEY": world.denied.secret_access_key,
    }

    cold = run_command("scan", function_arn("scan-secret"), "-v", "--format", "json", *cache)
    warm = run_command("scan", function_arn("scan-secret"), "-v", *cache)
    refused = run_command(
        "scan", function_arn("scan-secret-expired"), "-v", "--format", "markdown", "--no-cache"
    )
    forbidden = run_command(
        "scan", function_arn("scan-secret"), "-v", "--no-cache", environment=denied
    )

    outputs = [
        text for run in (cold, warm, refused, forbidden) for text in (run.stdout, run.stderr)
    ]
    assert [run.exit_code for run in (cold, warm, refused, forbidden)] == [1, 1, 1, 2]
    # The debug log was on, and followed the fetch through the download and the cache.
    assert "DEBUG analyzer.fetch.download: function scan-secret: downloaded" in cold.stderr
    assert "DEBUG analyzer.fetch.cache: cache hit" in warm.stderr
    assert cold.report["function"]["name"] == "scan-secret"
    assert "HTTP 403" in refused.stdout
    assert "access denied" in forbidden.stderr
    for secret in (
        ENVIRONMENT_SECRET,
        PRESIGNED_SIGNATURE,
        "X-Amz-Signature",
        "X-Amz-Security-Token",
        "IQoJb3JpZ2luX2VjEXAMPLETOKEN",
        "ASIAEXAMPLE",
        world.reader.access_key_id,
        world.reader.secret_access_key,
        world.denied.access_key_id,
        world.denied.secret_access_key,
    ):
        assert [text for text in outputs if secret in text] == [], secret


# --- the cache ----------------------------------------------------------------------------

COMMON_LAYER_FILES = {"python/fleet_common.py": "import json\n"}


@pytest.fixture(scope="module")
def fleet_pair(aws_world: AwsWorld) -> tuple[str, str]:
    """Two functions sharing the layer ``scan-fleet-common``; their ARNs."""
    common = aws_world.publish_layer("scan-fleet-common", COMMON_LAYER_FILES)
    for name in ("scan-fleet-a", "scan-fleet-b"):
        aws_world.create_function(name, small_function(name), layers=(common,))
    return function_arn("scan-fleet-a"), function_arn("scan-fleet-b")


def download_counts(aws: AwsSession) -> tuple[int, int, int]:
    """Downloads so far of the code of each of the pair, and of their shared layer."""
    requests = aws.world.code.requests
    return (
        requests[code_key(small_function("scan-fleet-a"))],
        requests[code_key(small_function("scan-fleet-b"))],
        requests[code_key(COMMON_LAYER_FILES)],
    )


def test_code_and_layers_in_the_cache_are_not_downloaded_again(
    aws: AwsSession, scan: Scan, tmp_path: Path, fleet_pair: tuple[str, str]
) -> None:
    first, second = fleet_pair
    cache = ("--cache-dir", str(tmp_path / "cache"))
    before = download_counts(aws)

    runs = [scan(first, *cache), scan(first, *cache), scan(second, *cache)]
    after = download_counts(aws)

    # The first scan downloads the code and the layer; scanning it again downloads nothing;
    # the other function downloads only its own code.
    assert tuple(now - then for now, then in zip(after, before, strict=True)) == (1, 1, 1)
    assert [run.exit_code for run in runs] == [0, 0, 0]
    assert sorted(path.name for path in (tmp_path / "cache" / "zips").iterdir()) == sorted(
        f"{code_key(files)}.zip"
        for files in (
            small_function("scan-fleet-a"),
            small_function("scan-fleet-b"),
            COMMON_LAYER_FILES,
        )
    )


def test_a_second_scan_from_the_cache_makes_no_download(
    aws: AwsSession, scan: Scan, tmp_path: Path, fleet_pair: tuple[str, str]
) -> None:
    first, _ = fleet_pair
    cache = ("--cache-dir", str(tmp_path / "cache"))
    scan(first, *cache)
    before = sum(aws.world.code.requests.values())

    again = scan(first, "--format", "json", *cache)

    assert sum(aws.world.code.requests.values()) == before
    assert again.report["function"]["layers"][0]["name"] == "scan-fleet-common"
    assert again.report["files_analysed"] == 2


def test_no_cache_downloads_every_time_and_stores_nothing(
    aws: AwsSession, scan: Scan, tmp_path: Path, fleet_pair: tuple[str, str]
) -> None:
    first, _ = fleet_pair
    aws.monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-home"))
    before = download_counts(aws)

    runs = [scan(first, "--no-cache"), scan(first, "--no-cache")]
    after = download_counts(aws)

    assert tuple(now - then for now, then in zip(after, before, strict=True)) == (2, 0, 2)
    assert [run.exit_code for run in runs] == [0, 0]
    assert not (tmp_path / "cache-home").exists()


# --- a deployed function reports as its zip scanned locally -------------------------------

SAMPLE_NAMES = sorted(path.stem for path in SAMPLES.glob("*.zip"))
CASE_NAMES = sorted(path.parent.name for path in CASES_DIR.glob("*/configuration.json"))


def test_there_are_samples_and_shared_cases_to_deploy(shared: Path) -> None:
    assert len(SAMPLE_NAMES) >= 8
    assert len(CASE_NAMES) >= 16, f"the shared cases are missing from {shared / 'cases'}"


def zip_of_folder(folder: Path) -> bytes:
    """A deflate zip of everything under ``folder``: sorted, with fixed timestamps."""
    return zip_bytes(
        {
            path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        }
    )


@dataclass(frozen=True)
class DeploymentPackage:
    """A function as its owner would deploy it: the zip, its settings and its layers' zips."""

    name: str
    code: bytes
    configuration: dict[str, Any]
    layers: dict[str, bytes]
    """Each configured layer's zip, by layer name, in configuration order."""

    @property
    def region(self) -> str:
        return str(self.configuration["FunctionArn"].split(":")[3])


def sample_package(name: str) -> DeploymentPackage:
    configuration = json.loads((SAMPLES / name / "configuration.json").read_text())
    assert not configuration.get("Layers"), "a sample with layers needs their zips here"
    return DeploymentPackage(name, (SAMPLES / f"{name}.zip").read_bytes(), configuration, {})


def case_package(name: str) -> DeploymentPackage:
    case = CASES_DIR / name
    configuration = json.loads((case / "configuration.json").read_text())
    layer_names = [layer["Arn"].split(":")[6] for layer in configuration.get("Layers") or []]
    return DeploymentPackage(
        configuration["FunctionName"],
        zip_of_folder(case / "function"),
        configuration,
        {layer: zip_of_folder(case / "layers" / layer) for layer in layer_names},
    )


def deploy(aws: AwsSession, package: DeploymentPackage) -> dict[str, Any]:
    """Create ``package`` in moto with its layers; the configuration AWS then gives for it."""
    world = aws.world
    admin = world.client("lambda", region=package.region)
    layer_arns = [
        admin.publish_layer_version(
            LayerName=layer, Content={"ZipFile": code}, CompatibleRuntimes=["python3.9"]
        )["LayerVersionArn"]
        for layer, code in package.layers.items()
    ]
    configuration = package.configuration
    admin.create_function(
        FunctionName=package.name,
        Runtime=configuration["Runtime"],
        Role=world.role,
        Handler=configuration["Handler"],
        Code={"ZipFile": package.code},
        Architectures=configuration["Architectures"],
        Layers=layer_arns,
    )
    deployed: dict[str, Any] = admin.get_function_configuration(FunctionName=package.name)
    deployed.pop("ResponseMetadata", None)
    return deployed


def comparable(run: Run) -> dict[str, Any]:
    """The run's one report, less how long its stages took."""
    report = run.report
    report.pop("timings")
    return report


@pytest.mark.parametrize(
    ("make_package", "name"),
    [pytest.param(sample_package, name, id=f"sample-{name}") for name in SAMPLE_NAMES]
    + [pytest.param(case_package, name, id=f"case-{name}") for name in CASE_NAMES],
)
def test_a_deployed_function_reports_as_its_zip_scanned_locally_with_its_configuration(
    aws: AwsSession,
    scan: Scan,
    tmp_path: Path,
    make_package: Callable[[str], DeploymentPackage],
    name: str,
) -> None:
    package = make_package(name)
    deployed = deploy(aws, package)
    local = tmp_path / "local"
    (local / "layers").mkdir(parents=True)
    (local / f"{package.name}.zip").write_bytes(package.code)
    for layer, code in package.layers.items():
        (local / "layers" / f"{layer}.zip").write_bytes(code)
    (local / "configuration.json").write_text(json.dumps(deployed, default=str))
    options = ("--no-deps", "--format", "json", "--target", "python3.12")

    remote = scan(deployed["FunctionArn"], *options, "--cache-dir", str(tmp_path / "cache"))
    offline = scan(
        str(local / f"{package.name}.zip"),
        "--config",
        str(local / "configuration.json"),
        *options,
    )

    remote_report, local_report = comparable(remote), comparable(offline)
    assert finding_keys(remote_report) == finding_keys(local_report)
    assert (remote_report["score"], remote_report["verdict"]) == (
        local_report["score"],
        local_report["verdict"],
    )
    assert remote_report == local_report
    assert remote.exit_code == offline.exit_code
    assert remote_report["files_analysed"] > 0
    # The deployed configuration is the one scanned: no flag stood in for it.
    function = remote_report["function"]
    assert (
        function["source_runtime"],
        function["handler"],
        function["architecture"],
        [layer["name"] for layer in function["layers"]],
        function["overrides"],
    ) == (
        package.configuration["Runtime"],
        package.configuration["Handler"],
        package.configuration["Architectures"][0],
        list(package.layers),
        [],
    )
