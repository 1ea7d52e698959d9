"""The Lambda API wrapper against moto's server: targets, calls, errors and the IAM policy."""

from __future__ import annotations

import ast
import json
import socket
from pathlib import Path

import boto3
import pytest
from aws_fixtures import (
    ACCOUNT,
    OTHER_ACCOUNT,
    POLICY_PATH,
    PRESIGNED_SIGNATURE,
    REGION,
    AwsSession,
    Credentials,
    code_sha256,
    zip_bytes,
)

from analyzer.errors import FetchError
from analyzer.fetch.lambda_api import (
    FunctionTarget,
    LambdaApi,
    is_function_target,
    parse_function_target,
    split_layer_version_arn,
)

ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders-api"
HANDLER_CODE = {"app.py": "def handler(event, context):\n    return {'ok': True}\n"}
ANALYZER = Path(__file__).resolve().parents[2] / "analyzer"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ARN, FunctionTarget(ARN, None, REGION, ACCOUNT)),
        (f"{ARN}:prod", FunctionTarget(ARN, "prod", REGION, ACCOUNT)),
        (f"{ARN}:7", FunctionTarget(ARN, "7", REGION, ACCOUNT)),
        (f"{ARN}:$LATEST", FunctionTarget(ARN, "$LATEST", REGION, ACCOUNT)),
        (
            "arn:aws-cn:lambda:cn-north-1:123456789012:function:orders-api",
            FunctionTarget(
                "arn:aws-cn:lambda:cn-north-1:123456789012:function:orders-api",
                None,
                "cn-north-1",
                ACCOUNT,
            ),
        ),
        (
            "123456789012:function:orders-api",
            FunctionTarget("123456789012:function:orders-api", None, None, ACCOUNT),
        ),
        (
            "123456789012:function:orders-api:prod",
            FunctionTarget("123456789012:function:orders-api", "prod", None, ACCOUNT),
        ),
        ("orders-api", FunctionTarget("orders-api")),
        ("orders_api:live", FunctionTarget("orders_api", "live")),
    ],
)
def test_a_target_splits_into_name_qualifier_and_region(
    text: str, expected: FunctionTarget
) -> None:
    assert parse_function_target(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:shared-utils:3",
        "arn:aws:s3:::deployment-bucket",
        f"arn:aws:lambda:{REGION}:12345:function:orders-api",
        "orders api",
        "orders-api:prod:extra",
    ],
)
def test_text_that_names_no_function_is_one_clear_error(text: str) -> None:
    with pytest.raises(FetchError) as raised:
        parse_function_target(text)

    assert str(raised.value) == (
        f"{text!r} is not a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME"
        "[:QUALIFIER]), partial ARN (ACCOUNT:function:NAME) or function name"
    )


def test_a_path_on_disk_is_local_even_when_it_looks_like_a_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "orders-api").mkdir()

    assert is_function_target("orders-api") is False
    assert is_function_target("billing-api") is True
    assert is_function_target("123456789012:function:orders-api") is True
    assert is_function_target(ARN) is True
    assert is_function_target("arn:aws:lambda:bogus") is True
    assert is_function_target("build/orders-api.zip") is False
    assert is_function_target("orders-api.zip") is False


def test_a_layer_version_arn_splits_into_layer_arn_and_version() -> None:
    layer = f"arn:aws:lambda:{REGION}:{OTHER_ACCOUNT}:layer:shared-utils"

    assert split_layer_version_arn(f"{layer}:12") == (layer, 12)
    with pytest.raises(FetchError) as raised:
        split_layer_version_arn(layer)
    assert str(raised.value) == f"{layer!r} is not a layer version ARN"


def test_get_function_gives_the_configuration_without_secrets_and_the_code_location(
    aws: AwsSession,
) -> None:
    world = aws.world
    layer = world.publish_layer("api-config-layer", {"python/helpers.py": "X = 1\n"})
    world.create_function(
        "api-config",
        HANDLER_CODE,
        runtime="python3.9",
        handler="app.handler",
        architecture="arm64",
        layers=(layer,),
        environment={"SECRET": "s3cr3t-canary-value", "DATABASE_URL": "postgres://u:p@db/x"},
    )

    deployed = LambdaApi.connect(region=REGION).get_function("api-config")

    configuration = deployed.configuration
    assert configuration.name == "api-config"
    assert configuration.arn == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:api-config"
    assert configuration.runtime == "python3.9"
    assert configuration.handler == "app.handler"
    assert configuration.architecture == "arm64"
    assert [entry.arn for entry in configuration.layers] == [layer]
    assert configuration.code_sha256 == code_sha256(zip_bytes(HANDLER_CODE))
    assert configuration.package_type == "Zip"
    assert configuration.environment_names == ("DATABASE_URL", "SECRET")
    assert deployed.repository_type == "S3"
    assert deployed.code_location is not None
    assert deployed.code_location.reveal().startswith(f"{world.endpoint}/code/")
    assert "s3cr3t-canary-value" not in repr(deployed)
    assert PRESIGNED_SIGNATURE not in repr(deployed)
    assert "postgres://" not in repr(deployed)


def test_a_qualifier_selects_a_version_or_an_alias(aws: AwsSession) -> None:
    world = aws.world
    first = {"app.py": "VERSION = 1\n"}
    second = {"app.py": "VERSION = 2\n"}
    world.create_function("api-versions", first)
    admin = world.client("lambda")
    admin.publish_version(FunctionName="api-versions")
    admin.create_alias(FunctionName="api-versions", Name="live", FunctionVersion="1")
    admin.update_function_code(FunctionName="api-versions", ZipFile=zip_bytes(second))
    api = LambdaApi.connect(region=REGION)

    latest = api.get_function("api-versions")
    version = api.get_function("api-versions", "1")
    alias = api.get_function(f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:api-versions", "live")

    assert latest.configuration.code_sha256 == code_sha256(zip_bytes(second))
    assert version.configuration.code_sha256 == code_sha256(zip_bytes(first))
    assert alias.configuration.code_sha256 == code_sha256(zip_bytes(first))


def test_a_missing_function_is_not_found(aws: AwsSession) -> None:
    with pytest.raises(FetchError) as raised:
        LambdaApi.connect(region=REGION).get_function("ghost-function")

    assert str(raised.value) == f"function ghost-function: not found in {REGION}"


def test_a_missing_qualifier_is_not_found(aws: AwsSession) -> None:
    aws.world.create_function("api-no-alias", HANDLER_CODE)

    with pytest.raises(FetchError) as raised:
        LambdaApi.connect(region=REGION).get_function("api-no-alias", "canary")

    assert str(raised.value) == f"function api-no-alias:canary: not found in {REGION}"


def test_a_caller_without_get_function_is_told_the_permission(aws: AwsSession) -> None:
    aws.world.create_function("api-denied", HANDLER_CODE)
    aws.use(aws.world.denied)

    with pytest.raises(FetchError) as raised:
        LambdaApi.connect(region=REGION).get_function("api-denied")

    assert str(raised.value) == (
        "function api-denied: access denied; the caller needs lambda:GetFunction "
        "(see docs/iam-policy.json)"
    )


def test_unknown_credentials_are_refused(aws: AwsSession) -> None:
    aws.use(Credentials(ACCOUNT, "AKIAUNKNOWNEXAMPLE00", "not-a-secret-key"))

    with pytest.raises(FetchError) as raised:
        LambdaApi.connect(region=REGION).get_function("orders-api")

    assert str(raised.value) == (
        "function orders-api: the AWS credentials were refused (UnrecognizedClientException)"
    )


def test_no_credentials_at_all_is_one_clear_error(aws: AwsSession) -> None:
    aws.use(None)

    with pytest.raises(FetchError) as raised:
        LambdaApi.connect(region=REGION).get_function("orders-api")

    assert str(raised.value) == (
        "function orders-api: no AWS credentials found (set them in the environment, the "
        "shared credentials file or a --profile)"
    )


def test_no_region_is_one_clear_error(aws: AwsSession) -> None:
    with pytest.raises(FetchError) as raised:
        LambdaApi.connect(subject="function orders-api")

    assert str(raised.value) == (
        "function orders-api: no AWS region; give --region, a full function ARN, or a profile "
        "with a region"
    )


def test_an_invalid_region_name_is_one_clear_error(aws: AwsSession) -> None:
    with pytest.raises(FetchError) as raised:
        LambdaApi.connect(region="eu west 1", subject="function orders-api")

    assert str(raised.value) == "function orders-api: 'eu west 1' is not a valid AWS region name"


def test_an_unknown_profile_is_one_clear_error(aws: AwsSession) -> None:
    with pytest.raises(FetchError) as raised:
        LambdaApi.connect(profile="nobody", subject="function orders-api")

    assert str(raised.value) == "function orders-api: the AWS profile 'nobody' is not configured"


def test_a_profile_supplies_credentials_and_region(aws: AwsSession) -> None:
    aws.world.create_function("api-profile", HANDLER_CODE)
    aws.write_profile("analyst", aws.world.reader, REGION)
    aws.use(None)

    api = LambdaApi.connect(profile="analyst")

    assert api.region == REGION
    assert api.get_function("api-profile").configuration.name == "api-profile"


def test_an_unreachable_endpoint_is_one_clear_error(
    aws: AwsSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{closed_port}")

    with pytest.raises(FetchError) as raised:
        LambdaApi.connect(region=REGION, max_attempts=1).get_function("orders-api")

    assert str(raised.value) == (
        f"function orders-api: the Lambda API endpoint for {REGION} cannot be reached"
    )


def test_throttling_is_retried_by_botocore(aws: AwsSession) -> None:
    aws.world.create_function("api-throttled", HANDLER_CODE)
    aws.world.stage.throttle("api-throttled", 1)
    before = aws.world.stage.api_requests["GetFunction"]
    api = LambdaApi.connect(region=REGION)

    deployed = api.get_function("api-throttled")

    assert deployed.configuration.name == "api-throttled"
    assert aws.world.stage.api_requests["GetFunction"] - before == 2
    assert api.client.meta.config.retries == {"mode": "standard", "total_max_attempts": 5}


def test_throttling_that_outlasts_the_retries_is_one_clear_error(aws: AwsSession) -> None:
    aws.world.create_function("api-throttled-long", HANDLER_CODE)
    aws.world.stage.throttle("api-throttled-long", 10)
    before = aws.world.stage.api_requests["GetFunction"]

    with pytest.raises(FetchError) as raised:
        LambdaApi.connect(region=REGION, max_attempts=2).get_function("api-throttled-long")

    assert str(raised.value) == (
        "function api-throttled-long: still throttled by the Lambda API after retrying"
    )
    assert aws.world.stage.api_requests["GetFunction"] - before == 2


def test_get_layer_version_reads_own_and_granted_layers(aws: AwsSession) -> None:
    world = aws.world
    own = world.publish_layer("api-own-layer", {"python/own.py": "OWN = 1\n"})
    granted = world.publish_layer(
        "api-granted-layer",
        {"python/granted.py": "GRANTED = 1\n"},
        account=OTHER_ACCOUNT,
        grant_to=ACCOUNT,
    )
    api = LambdaApi.connect(region=REGION)

    for arn, files in [
        (own, {"python/own.py": "OWN = 1\n"}),
        (granted, {"python/granted.py": "GRANTED = 1\n"}),
    ]:
        content = api.get_layer_version(*split_layer_version_arn(arn))
        assert content.layer_version_arn == arn
        assert content.code_sha256 == code_sha256(zip_bytes(files))
        assert content.location is not None
        assert content.location.reveal().startswith(f"{world.endpoint}/code/")


def test_a_layer_of_another_account_without_a_grant_is_refused(aws: AwsSession) -> None:
    private = aws.world.publish_layer(
        "api-private-layer", {"python/private.py": "P = 1\n"}, account=OTHER_ACCOUNT
    )

    with pytest.raises(FetchError) as raised:
        LambdaApi.connect(region=REGION).get_layer_version(*split_layer_version_arn(private))

    assert str(raised.value) == (
        f"layer {private}: access denied; the caller needs lambda:GetLayerVersion (see "
        "docs/iam-policy.json), and another account's layer a grant from its owner"
    )


def test_a_missing_layer_version_is_not_found(aws: AwsSession) -> None:
    layer = aws.world.publish_layer("api-one-version", {"python/one.py": "ONE = 1\n"})
    layer_arn, _ = split_layer_version_arn(layer)

    with pytest.raises(FetchError) as raised:
        LambdaApi.connect(region=REGION).get_layer_version(layer_arn, 9)

    assert str(raised.value) == f"layer {layer_arn}:9: not found in {REGION}"


def test_list_functions_follows_every_page(aws: AwsSession) -> None:
    region = "ap-southeast-2"
    names = [f"fleet-{index:02d}" for index in range(23)]
    for name in names:
        aws.world.create_function(name, HANDLER_CODE, region=region)
    stage = aws.world.stage
    api = LambdaApi.connect(region=region)

    before = stage.api_requests["ListFunctions"]
    paged = list(api.list_functions(page_size=10))
    pages = stage.api_requests["ListFunctions"] - before
    before = stage.api_requests["ListFunctions"]
    whole = [summary.name for summary in api.list_functions()]

    assert [summary.name for summary in paged] == names
    assert pages == 3
    assert whole == names
    assert stage.api_requests["ListFunctions"] - before == 1
    assert paged[0].runtime == "python3.9"
    assert paged[0].arn == f"arn:aws:lambda:{region}:{ACCOUNT}:function:fleet-00"


# --- the IAM policy users copy -----------------------------------------------------------

# IAM action prefixes by boto3 service name, from the Service Authorization Reference; the
# botocore models name a service by its endpoint, which is not always its IAM prefix.
_IAM_PREFIX = {
    "lambda": "lambda",
    "cloudwatch": "cloudwatch",
    "stepfunctions": "states",
    "sts": "sts",
    "iam": "iam",
    "ec2": "ec2",
    "organizations": "organizations",
    "resourcegroupstaggingapi": "tag",
}
# Operations whose IAM action is not named after them (same reference, "Actions defined by
# AWS Lambda"): GetLayerVersionByArn needs lambda:GetLayerVersion.
_ACTION_OF_OPERATION = {"lambda:GetLayerVersionByArn": "lambda:GetLayerVersion"}
# botocore helpers that call AWS on the code's behalf when it makes them: their credentials
# come from STS (botocore.credentials).
_ACTION_OF_HELPER = {
    "AssumeRoleCredentialFetcher": "sts:AssumeRole",
    "AssumeRoleWithWebIdentityCredentialFetcher": "sts:AssumeRoleWithWebIdentity",
}


def _aws_calls(root: Path) -> tuple[set[str], list[set[str]]]:
    """The boto3 services whose clients the code makes, and for each API call it makes, the
    IAM actions it may need.

    A client is ``<anything>.client("<service>")``. A call ``<anything>.<method>(...)`` whose
    method is an API method of one of those services counts, and so does
    ``get_paginator("<method>")``; a method name that several services share may need the
    action of any of them. Making one of botocore's credential helpers counts as its call.
    """
    services: set[str] = set()
    methods: list[str] = []
    calls: list[set[str]] = []
    for source in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Name) and node.func.id in _ACTION_OF_HELPER:
                calls.append({_ACTION_OF_HELPER[node.func.id]})
            if not isinstance(node.func, ast.Attribute):
                continue
            if node.func.attr in _ACTION_OF_HELPER:
                calls.append({_ACTION_OF_HELPER[node.func.attr]})
            first = node.args[0] if node.args else None
            literal = first.value if isinstance(first, ast.Constant) else None
            if node.func.attr == "client" and isinstance(literal, str):
                services.add(literal)
            elif node.func.attr == "get_paginator" and isinstance(literal, str):
                methods.append(literal)
            else:
                methods.append(node.func.attr)

    mappings = {
        service: boto3.client(service, region_name=REGION).meta.method_to_api_mapping
        for service in services & _IAM_PREFIX.keys()
    }
    for method in methods:
        actions = {
            f"{_IAM_PREFIX[service]}:{mapping[method]}"
            for service, mapping in mappings.items()
            if method in mapping
        }
        if actions:
            calls.append({_ACTION_OF_OPERATION.get(action, action) for action in actions})
    return services, calls


def test_the_iam_policy_covers_every_api_call_and_no_more() -> None:
    services, calls = _aws_calls(ANALYZER)
    policy = json.loads(POLICY_PATH.read_text())
    allowed = {
        action
        for statement in policy["Statement"]
        if statement["Effect"] == "Allow"
        for action in statement["Action"]
    }
    possible = set().union(*calls)

    assert services <= _IAM_PREFIX.keys(), "add the IAM prefix of the new service to the table"
    assert {"lambda:GetFunction", "lambda:GetLayerVersion", "lambda:ListFunctions"} <= possible
    assert [sorted(actions) for actions in calls if not actions & allowed] == []
    assert allowed <= possible, "the policy allows an action the code never needs"
