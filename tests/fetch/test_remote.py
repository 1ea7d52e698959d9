"""Fetching a deployed function and its layers from moto's server, through real boto3 calls."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from aws_fixtures import (
    ACCOUNT,
    OTHER_ACCOUNT,
    PRESIGNED_SIGNATURE,
    REGION,
    AwsSession,
    Fault,
    code_sha256,
    corrupted,
    zip_bytes,
)

from analyzer.errors import FetchError, InputError
from analyzer.fetch.cache import CodeCache
from analyzer.fetch.download import DownloadPolicy
from analyzer.fetch.remote import RemoteFetch, fetch_function
from analyzer.models import AnalysisError, Function, Layer

QUICK = DownloadPolicy(backoff_seconds=0)
SECRET = "s3cr3t-canary-value"

ListTree = Callable[[Path], list[str]]


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def handler_files(name: str) -> dict[str, str]:
    """A small function whose bytes are unique to ``name``."""
    return {
        "app.py": f"from lib.helpers import greet\n\n\ndef handler(event, context):\n"
        f"    return greet({name!r})\n",
        "lib/__init__.py": "",
        "lib/helpers.py": "def greet(name):\n    return 'hello ' + name\n",
    }


def key_of(files: dict[str, str]) -> str:
    """The stage's key (hex SHA-256) of the zip of ``files``."""
    return hashlib.sha256(zip_bytes(files)).hexdigest()


def fetch(target: str, workdir: Path, **options: object) -> RemoteFetch:
    options.setdefault("download_policy", QUICK)
    return fetch_function(target, workdir=workdir, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("architecture", ["x86_64", "arm64"])
def test_a_function_and_its_layers_land_on_disk_in_configuration_order(
    aws: AwsSession, tmp_path: Path, list_tree: ListTree, architecture: str
) -> None:
    world = aws.world
    name = f"remote-basic-{architecture}"
    shared_files = {"python/shared.py": f"SHARED = {architecture!r}\n"}
    vendor_files = {"python/lib/python3.9/site-packages/vendor.py": f"V = {architecture!r}\n"}
    vendor = world.publish_layer(
        f"remote-vendor-{architecture}", vendor_files, account=OTHER_ACCOUNT, grant_to=ACCOUNT
    )
    shared = world.publish_layer(f"remote-shared-{architecture}", shared_files)
    world.create_function(
        name, handler_files(name), architecture=architecture, layers=(vendor, shared)
    )
    workdir = tmp_path / "work"

    fetched = fetch(function_arn(name), workdir, cache=CodeCache(tmp_path / "cache"))

    assert fetched.errors == ()
    assert fetched.function == Function(
        name=name,
        code_root=str(workdir / "function"),
        source_runtime="python3.9",
        handler="app.handler",
        architecture=architecture,
        arn=function_arn(name),
        layers=(
            Layer(
                name=f"remote-vendor-{architecture}",
                root=str(workdir / "layers" / f"remote-vendor-{architecture}"),
                arn=vendor,
                code_sha256=code_sha256(zip_bytes(vendor_files)),
            ),
            Layer(
                name=f"remote-shared-{architecture}",
                root=str(workdir / "layers" / f"remote-shared-{architecture}"),
                arn=shared,
                code_sha256=code_sha256(zip_bytes(shared_files)),
            ),
        ),
        code_sha256=code_sha256(zip_bytes(handler_files(name))),
        package_type="Zip",
        overrides=(),
    )
    assert list_tree(workdir / "function") == [
        "app.py",
        "lib/",
        "lib/__init__.py",
        "lib/helpers.py",
    ]
    assert list_tree(Path(fetched.function.layers[0].root)) == [
        "python/",
        "python/lib/",
        "python/lib/python3.9/",
        "python/lib/python3.9/site-packages/",
        "python/lib/python3.9/site-packages/vendor.py",
    ]
    assert list_tree(Path(fetched.function.layers[1].root)) == ["python/", "python/shared.py"]


def test_an_alias_fetches_the_version_it_points_to(aws: AwsSession, tmp_path: Path) -> None:
    world = aws.world
    released = {"app.py": "def handler(event, context):\n    return 'released'\n"}
    edited = {"app.py": "def handler(event, context):\n    return 'edited'\n"}
    world.create_function("remote-alias", released)
    admin = world.client("lambda")
    admin.publish_version(FunctionName="remote-alias")
    admin.create_alias(FunctionName="remote-alias", Name="prod", FunctionVersion="1")
    admin.update_function_code(FunctionName="remote-alias", ZipFile=zip_bytes(edited))

    by_alias = fetch(f"{function_arn('remote-alias')}:prod", tmp_path / "alias")
    fetch(function_arn("remote-alias"), tmp_path / "latest")

    assert (tmp_path / "alias" / "function" / "app.py").read_text() == released["app.py"]
    assert by_alias.function.code_sha256 == code_sha256(zip_bytes(released))
    assert (tmp_path / "latest" / "function" / "app.py").read_text() == edited["app.py"]


@pytest.mark.parametrize(
    ("target", "name", "arn"),
    [
        ("remote-by-name", "remote-by-name", function_arn("remote-by-name")),
        (
            f"{ACCOUNT}:function:remote-by-partial-arn",
            "remote-by-partial-arn",
            function_arn("remote-by-partial-arn"),
        ),
        (
            "remote-by-qualified-name:$LATEST",
            "remote-by-qualified-name",
            function_arn("remote-by-qualified-name") + ":$LATEST",
        ),
    ],
)
def test_a_name_or_partial_arn_takes_the_region_given(
    aws: AwsSession, tmp_path: Path, target: str, name: str, arn: str
) -> None:
    aws.world.create_function(name, handler_files(name))

    fetched = fetch(target, tmp_path / "work", region=REGION)

    assert fetched.function.arn == arn
    assert fetched.errors == ()


def test_the_region_inside_an_arn_wins(aws: AwsSession, tmp_path: Path) -> None:
    aws.world.create_function("remote-arn-region", handler_files("remote-arn-region"))

    fetched = fetch(function_arn("remote-arn-region"), tmp_path / "work", region="us-east-1")

    assert fetched.function.name == "remote-arn-region"


def test_a_profile_gives_credentials_and_region(aws: AwsSession, tmp_path: Path) -> None:
    aws.world.create_function("remote-profile", handler_files("remote-profile"))
    aws.write_profile("auditor", aws.world.reader, REGION)
    aws.use(None)

    fetched = fetch("remote-profile", tmp_path / "work", profile="auditor")

    assert fetched.function.arn == function_arn("remote-profile")


def test_a_container_image_is_returned_without_code_and_says_so(
    aws: AwsSession, tmp_path: Path
) -> None:
    aws.world.create_image_function("remote-image")

    fetched = fetch(function_arn("remote-image"), tmp_path / "work")

    assert fetched.errors == (
        AnalysisError(
            stage="fetch",
            message="function remote-image is a container image (PackageType Image): there "
            "is no zip to download, so its code is not analysed",
        ),
    )
    assert fetched.function.package_type == "Image"
    assert fetched.function.code_sha256 is None
    assert fetched.function.layers == ()
    assert fetched.function.code_root == ""


def test_a_layer_the_caller_may_not_read_is_reported_and_the_rest_fetched(
    aws: AwsSession, tmp_path: Path
) -> None:
    world = aws.world
    private = world.publish_layer(
        "remote-private", {"python/private.py": "P = 1\n"}, account=OTHER_ACCOUNT
    )
    shared = world.publish_layer("remote-readable", {"python/readable.py": "R = 1\n"})
    world.create_function(
        "remote-private-layer", handler_files("remote-private-layer"), layers=(private, shared)
    )

    fetched = fetch(function_arn("remote-private-layer"), tmp_path / "work")

    assert fetched.errors == (
        AnalysisError(
            stage="fetch",
            message=f"layer {private}: access denied; the caller needs lambda:GetLayerVersion "
            "(see docs/iam-policy.json), and another account's layer a grant from its owner; "
            "its content is not analysed",
            path="layers/remote-private",
        ),
    )
    assert [layer.arn for layer in fetched.function.layers] == [shared]
    assert (tmp_path / "work" / "function" / "app.py").is_file()


def test_code_in_the_cache_is_not_downloaded_again(aws: AwsSession, tmp_path: Path) -> None:
    world = aws.world
    layer_files = {"python/common.py": "COMMON = 'fleet'\n"}
    common = world.publish_layer("remote-common", layer_files)
    for name in ("remote-cached-a", "remote-cached-b"):
        world.create_function(name, handler_files(name), layers=(common,))
    keys = [key_of(handler_files(name)) for name in ("remote-cached-a", "remote-cached-b")]
    layer_key = key_of(layer_files)
    cache = CodeCache(tmp_path / "cache")

    first = fetch(function_arn("remote-cached-a"), tmp_path / "first", cache=cache)
    after_first = [world.code.requests[key] for key in [*keys, layer_key]]
    second = fetch(function_arn("remote-cached-a"), tmp_path / "second", cache=cache)
    after_second = [world.code.requests[key] for key in [*keys, layer_key]]
    fetch(function_arn("remote-cached-b"), tmp_path / "other", cache=cache)
    after_other = [world.code.requests[key] for key in [*keys, layer_key]]

    assert after_first == [1, 0, 1]
    assert after_second == [1, 0, 1]
    assert after_other == [1, 1, 1]
    assert second.function.code_sha256 == first.function.code_sha256
    assert second.function.layers[0].code_sha256 == first.function.layers[0].code_sha256
    assert (tmp_path / "second" / "function" / "app.py").read_bytes() == (
        tmp_path / "first" / "function" / "app.py"
    ).read_bytes()


def test_without_a_cache_every_fetch_downloads(aws: AwsSession, tmp_path: Path) -> None:
    world = aws.world
    world.create_function("remote-uncached", handler_files("remote-uncached"))
    key = key_of(handler_files("remote-uncached"))

    fetch(function_arn("remote-uncached"), tmp_path / "first", cache=None)
    fetch(function_arn("remote-uncached"), tmp_path / "second", cache=None)

    assert world.code.requests[key] == 2


def test_a_download_cut_off_on_every_try_leaves_the_function_without_code(
    aws: AwsSession, tmp_path: Path
) -> None:
    """Without its own code there is no handler to analyse from: the layers are listed as
    configured and not downloaded."""
    world = aws.world
    layer_files = {"python/kept.py": "KEPT = 1\n"}
    layer = world.publish_layer("remote-after-cut", layer_files)
    files = handler_files("remote-cut-off")
    world.create_function("remote-cut-off", files, layers=(layer,))
    world.code.always_fail(key_of(files), Fault.CUT_OFF)
    size = len(zip_bytes(files))

    fetched = fetch(
        function_arn("remote-cut-off"), tmp_path / "work", cache=CodeCache(tmp_path / "cache")
    )

    assert fetched.errors == (
        AnalysisError(
            stage="fetch",
            message=f"function remote-cut-off: the download was cut off after {size // 2} of "
            f"{size} bytes (3 tries); the function is not analysed",
        ),
    )
    assert world.code.requests[key_of(files)] == 3
    assert world.code.requests[key_of(layer_files)] == 0
    assert fetched.function.code_sha256 is None
    assert fetched.function.code_root == ""
    assert fetched.function.layers == (Layer(name="remote-after-cut", root="", arn=layer),)
    assert fetched.function.handler == "app.handler"
    assert list((tmp_path / "cache" / "zips").glob(f"{key_of(files)}*")) == []


def test_code_that_does_not_match_its_hash_is_not_analysed(aws: AwsSession, tmp_path: Path) -> None:
    world = aws.world
    files = handler_files("remote-corrupt")
    world.create_function("remote-corrupt", files)
    world.code.always_fail(key_of(files), Fault.CORRUPT)
    expected = code_sha256(zip_bytes(files))

    fetched = fetch(function_arn("remote-corrupt"), tmp_path / "work")

    assert fetched.errors == (
        AnalysisError(
            stage="fetch",
            message="function remote-corrupt: the downloaded code does not match its "
            f"CodeSha256 (expected {expected}, got "
            f"{code_sha256(corrupted(zip_bytes(files)))}); the function is not analysed",
        ),
    )


def test_code_over_the_size_cap_is_not_downloaded(aws: AwsSession, tmp_path: Path) -> None:
    world = aws.world
    files = handler_files("remote-oversize")
    world.create_function("remote-oversize", files)
    size = len(zip_bytes(files))

    fetched = fetch(
        function_arn("remote-oversize"),
        tmp_path / "work",
        download_policy=DownloadPolicy(max_bytes=64, backoff_seconds=0),
    )

    assert fetched.errors == (
        AnalysisError(
            stage="fetch",
            message=f"function remote-oversize: the code is {size} bytes, over the limit of "
            "64 bytes for a zip; the function is not analysed",
        ),
    )


def test_options_override_the_configuration_and_say_so(aws: AwsSession, tmp_path: Path) -> None:
    aws.world.create_function(
        "remote-overridden", handler_files("remote-overridden"), architecture="arm64"
    )

    fetched = fetch(
        function_arn("remote-overridden"),
        tmp_path / "work",
        runtime="python3.8",
        handler="lib.helpers.greet",
        architecture="x86_64",
    )

    function = fetched.function
    assert (function.source_runtime, function.handler, function.architecture) == (
        "python3.8",
        "lib.helpers.greet",
        "x86_64",
    )
    assert function.overrides == ("runtime", "handler", "architecture")
    assert fetched.configuration.runtime == "python3.9"
    assert fetched.configuration.architecture == "arm64"


def test_a_missing_function_is_one_clear_error(aws: AwsSession, tmp_path: Path) -> None:
    with pytest.raises(FetchError) as raised:
        fetch(function_arn("remote-ghost"), tmp_path / "work")

    assert str(raised.value) == f"function {function_arn('remote-ghost')}: not found in {REGION}"


def test_a_function_the_caller_may_not_read_is_one_clear_error(
    aws: AwsSession, tmp_path: Path
) -> None:
    aws.world.create_function("remote-forbidden", handler_files("remote-forbidden"))
    aws.use(aws.world.denied)

    with pytest.raises(FetchError) as raised:
        fetch(f"{function_arn('remote-forbidden')}:$LATEST", tmp_path / "work")

    assert str(raised.value) == (
        f"function {function_arn('remote-forbidden')}:$LATEST: access denied; the caller needs "
        "lambda:GetFunction (see docs/iam-policy.json)"
    )


def test_a_function_on_another_language_runtime_is_one_clear_error(
    aws: AwsSession, tmp_path: Path
) -> None:
    aws.world.create_function(
        "remote-node", {"index.js": "exports.handler = async () => 1;\n"}, runtime="nodejs20.x"
    )

    with pytest.raises(InputError) as raised:
        fetch(function_arn("remote-node"), tmp_path / "work")

    assert str(raised.value) == (
        f"function {function_arn('remote-node')}: unknown runtime 'nodejs20.x'; known "
        "runtimes: python3.8, python3.9, python3.10, python3.11, python3.12, python3.13, "
        "python3.14"
    )


def test_a_bare_name_without_any_region_is_one_clear_error(aws: AwsSession, tmp_path: Path) -> None:
    with pytest.raises(FetchError) as raised:
        fetch("orders-api", tmp_path / "work")

    assert str(raised.value) == (
        "function orders-api: no AWS region; give --region, a full function ARN, or a profile "
        "with a region"
    )


def test_a_workdir_that_holds_files_is_refused(aws: AwsSession, tmp_path: Path) -> None:
    aws.world.create_function("remote-busy-workdir", handler_files("remote-busy-workdir"))
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "left-over.txt").write_text("x")

    with pytest.raises(ValueError, match="is not empty"):
        fetch(function_arn("remote-busy-workdir"), tmp_path / "work")


def test_no_output_ever_shows_a_secret(
    aws: AwsSession, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Environment variable values, presigned URLs and credentials stay out of every output:
    returned objects, analysis errors, exceptions and DEBUG log records (boto3's included)."""
    world = aws.world
    reader = world.reader
    layer = world.publish_layer(
        "remote-secret-layer", {"python/s.py": "S = 1\n"}, account=OTHER_ACCOUNT
    )
    files = handler_files("remote-secret")
    world.create_function("remote-secret", files, layers=(layer,), environment={"SECRET": SECRET})
    broken = handler_files("remote-secret-broken")
    world.create_function("remote-secret-broken", broken, environment={"SECRET": SECRET})
    world.code.always_fail(key_of(broken), Fault.EXPIRED)
    outputs: list[str] = []
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="botocore")
    caplog.clear()

    fetched = fetch(function_arn("remote-secret"), tmp_path / "ok", cache=CodeCache(tmp_path / "c"))
    refused = fetch(function_arn("remote-secret-broken"), tmp_path / "refused")
    outputs += [repr(fetched), repr(refused), str(fetched.errors), str(refused.errors)]
    for target, credentials in [
        (function_arn("remote-secret"), world.denied),
        (function_arn("remote-secret-missing"), reader),
    ]:
        aws.use(credentials)
        with pytest.raises(FetchError) as raised:
            fetch(target, tmp_path / f"failed-{len(outputs)}")
        outputs += [str(raised.value), repr(raised.value), repr(raised.value.__context__)]
    # moto and werkzeug are the servers standing in for AWS, not the tool: their logs are not
    # an output of the tool.
    tool_records = [
        record
        for record in caplog.records
        if record.name.partition(".")[0] not in ("moto", "werkzeug")
    ]
    outputs += [caplog.handler.format(record) for record in tool_records]

    assert refused.errors[0].message.startswith(
        "function remote-secret-broken: the download was refused: HTTP 403"
    )
    assert fetched.configuration.environment_names == ("SECRET",)
    assert [
        record
        for record in tool_records
        if record.name.startswith(("botocore", "boto3")) and record.levelno < logging.INFO
    ] == []
    assert any(record.name.startswith("analyzer.fetch") for record in tool_records)
    for secret in (
        SECRET,
        PRESIGNED_SIGNATURE,
        "X-Amz-Security-Token",
        reader.secret_access_key,
        reader.access_key_id,
        world.denied.secret_access_key,
    ):
        assert not [output for output in outputs if secret in output], secret
