"""The inventory's access to AWS when little is configured: a role without a region, refusals."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from aws_fixtures import OTHER_ACCOUNT, AwsSession, AwsWorld, zip_bytes
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.errors import InputError
from analyzer.fetch.inventory import (
    InventoryRequest,
    problem_line,
    python_runtimes,
    take_inventory,
)

# A region no other fetch test creates functions in, so its listing is exactly what is here.
TRIAL_REGION = "eu-north-1"
TRIAL_ROLE = "inventory-trial-auditor"
TRIAL_ROLE_ARN = f"arn:aws:iam::{OTHER_ACCOUNT}:role/{TRIAL_ROLE}"
TRIAL_FUNCTION = "trial-orders"

RUNNER = CliRunner()


def _trial_account(world: AwsWorld) -> None:
    """A role in the other account that the reader may assume, and one function there."""
    iam = world.client("iam", account=OTHER_ACCOUNT)
    if TRIAL_ROLE in {role["RoleName"] for role in iam.list_roles()["Roles"]}:
        return
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
    iam.create_role(RoleName=TRIAL_ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    everything = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    iam.put_role_policy(
        RoleName=TRIAL_ROLE, PolicyName="read", PolicyDocument=json.dumps(everything)
    )
    execution_role = iam.create_role(
        RoleName="inventory-trial-function", AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
    world.client("lambda", account=OTHER_ACCOUNT, region=TRIAL_REGION).create_function(
        FunctionName=TRIAL_FUNCTION,
        Runtime="python3.9",
        Role=execution_role,
        Handler="app.handler",
        Code={"ZipFile": zip_bytes({"app.py": "def handler(event, context):\n    return 1\n"})},
    )


@pytest.fixture(autouse=True)
def kept_logging() -> Iterator[None]:
    """Logging as it was: the command configures the root logger on the runner's streams,
    and a DEBUG capture makes the tool hold botocore's loggers at INFO."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    held = {name: logging.getLogger(name).level for name in ("botocore", "boto3")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, held_level in held.items():
        logging.getLogger(name).setLevel(held_level)


@pytest.fixture
def trial(aws: AwsSession) -> AwsSession:
    """The reader's credentials, no region anywhere, and the trial role and function."""
    _trial_account(aws.world)
    return aws


def test_a_role_is_assumed_in_the_region_given_when_none_is_configured(
    trial: AwsSession,
) -> None:
    found = take_inventory(InventoryRequest(regions=(TRIAL_REGION,), role_arns=(TRIAL_ROLE_ARN,)))

    assert found.problems == ()
    assert [(row.account, row.region, row.name, row.role_arn) for row in found.functions] == [
        (OTHER_ACCOUNT, TRIAL_REGION, TRIAL_FUNCTION, TRIAL_ROLE_ARN)
    ]


def test_a_role_is_assumed_with_all_regions_and_no_region_configured(
    trial: AwsSession,
) -> None:
    found = take_inventory(InventoryRequest(all_regions=True, role_arns=(TRIAL_ROLE_ARN,)))

    assert [problem.message for problem in found.problems] == []
    assert [(row.region, row.name) for row in found.functions] == [(TRIAL_REGION, TRIAL_FUNCTION)]


def test_the_inventory_command_lists_through_a_role_without_a_configured_region(
    trial: AwsSession,
) -> None:
    result = RUNNER.invoke(
        app, ["inventory", "--region", TRIAL_REGION, "--role-arn", TRIAL_ROLE_ARN]
    )

    assert result.exit_code == 0, result.output
    assert [entry["name"] for entry in json.loads(result.stdout)["functions"]] == [TRIAL_FUNCTION]
    assert result.stderr == (
        "inventory: 1 functions (0 container images) in 1 accounts and 1 regions\n"
    )


def test_a_role_that_cannot_be_assumed_is_one_line_without_a_traceback(
    trial: AwsSession, caplog: pytest.LogCaptureFixture
) -> None:
    # The caller's credentials are refused by STS: the role is never assumed.
    trial.monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    with caplog.at_level(logging.DEBUG):
        found = take_inventory(
            InventoryRequest(regions=(TRIAL_REGION,), role_arns=(TRIAL_ROLE_ARN,))
        )

    assert found.functions == ()
    assert [(p.source, p.region, p.stage) for p in found.problems] == [
        (TRIAL_ROLE_ARN, TRIAL_REGION, "list-functions")
    ]
    assert found.problems[0].message == (
        "the role could not be assumed: the caller's own AWS credentials were refused "
        "(SignatureDoesNotMatch: The request signature we calculated does not match the "
        "signature you provided. Check your AWS Secret Access Key and signing method. Consult "
        "the service documentation for details.)"
    )
    assert [record for record in caplog.records if record.exc_info] == []
    # botocore's own warning of the failed assumption, with its traceback, is not shown.
    assert [m for m in caplog.messages if m.startswith("Refreshing temporary credentials")] == []


def test_details_that_are_refused_say_the_functions_were_listed_with_aws_reason(
    trial: AwsSession,
) -> None:
    world = trial.world
    if not world.client("lambda", region=TRIAL_REGION).list_functions()["Functions"]:
        world.create_function(
            "trial-listed",
            {"app.py": "def handler(event, context):\n    return 1\n"},
            region=TRIAL_REGION,
        )
    trial.use(world.denied)

    found = take_inventory(InventoryRequest(regions=(TRIAL_REGION,), invocation_days=7))

    assert [row.name for row in found.functions] == ["trial-listed"]
    where = f"default credentials, {TRIAL_REGION}"
    assert [problem_line(problem) for problem in found.problems] == [
        f"{where}: trial-listed listed, its tags not available: access denied "
        "(AccessDeniedException); the caller needs lambda:ListTags",
        f"{where}: trial-listed listed, its versions not available: access denied "
        "(AccessDeniedException); the caller needs lambda:ListVersionsByFunction",
        f"{where}: trial-listed listed, its aliases not available: access denied "
        "(AccessDeniedException); the caller needs lambda:ListAliases",
        # moto answers CloudWatch's JSON protocol in XML, which botocore cannot parse: the
        # code and message are read from that body.
        f"{where}: functions listed, their invocations not available: access denied "
        "(AccessDenied); the caller needs cloudwatch:GetMetricData",
    ]


def test_a_source_that_cannot_be_listed_is_a_not_listed_line(trial: AwsSession) -> None:
    trial.monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")

    found = take_inventory(InventoryRequest(regions=(TRIAL_REGION,)))

    assert [problem_line(problem) for problem in found.problems] == [
        f"not listed: default credentials, {TRIAL_REGION}: the AWS credentials were refused "
        "(InvalidSignatureException: The request signature we calculated does not match the "
        "signature you provided. Check your AWS Secret Access Key and signing method. Consult "
        "the service documentation for details.)"
    ]


def test_a_runtime_that_is_not_python_is_refused_in_one_line(trial: AwsSession) -> None:
    with pytest.raises(InputError) as refused:
        take_inventory(InventoryRequest(regions=(TRIAL_REGION,), runtimes=("nodejs20.x",)))

    assert str(refused.value) == (
        "--runtime takes a Python runtime such as python3.9 (or 3.9), not 'nodejs20.x'"
    )


def test_a_runtime_is_a_python_runtime_name_or_its_version() -> None:
    assert python_runtimes(["python3.9", "3.12", "2.7", "3.12"]) == (
        "python3.9",
        "python3.12",
        "python2.7",
    )
    with pytest.raises(InputError, match=r"not 'pythonnodejs20\.x'"):
        python_runtimes(["pythonnodejs20.x"])
