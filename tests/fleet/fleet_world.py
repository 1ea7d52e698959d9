"""A fleet in moto's server: three accounts, three regions (one refusing), profiles and a role.

Built on the fetch tests' ``LambdaStage`` (moto behind a proxy that pages ``ListFunctions`` and
serves code downloads). The fleet's accounts are its own, so whatever other tests create in
moto's shared, in-process state does not show up in its listings:

- ``ACCOUNT_A`` through the profile ``team-a``, in ``REGION_1`` and ``REGION_2``; it is also
  asked for ``DENIED_REGION``, which refuses every call as a service control policy would;
- ``ACCOUNT_B`` through the profile ``team-b``, in ``REGION_1``;
- ``ACCOUNT_C`` through the role ``ROLE_NAME``, assumed from ``team-a``, in ``REGION_2``.

Every reader's only policy is ``docs/iam-policy.json``: a call the policy forgets fails.

What ``populate`` creates:

- in ``ACCOUNT_A``/``REGION_1``: ``PAGE_FUNCTIONS`` Python functions ``orders-000`` ...
  (every tenth on python3.8, the rest python3.9; more than one ``ListFunctions`` page),
  ``orders-000`` tagged and with two published versions and two aliases, ``orders-000``
  and ``orders-001`` with CloudWatch ``Invocations``, a state machine ``checkout-flow``
  whose tasks invoke ``orders-001`` (by ARN) and ``orders-002`` (through
  ``lambda:invoke``), a Node.js function and a container-image function;
- in ``ACCOUNT_A``/``REGION_2``: three functions from the sample functions sharing the
  layer ``fleet-shared``, two of them with the same code;
- in ``ACCOUNT_B``/``REGION_1``: two functions; in ``ACCOUNT_C``/``REGION_2``: one.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import re
import sys
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import boto3
import pytest

from tests.conftest import shared_folder

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fetch"))

from aws_fixtures import (
    POLICY_PATH,
    Credentials,
    LambdaStage,
    iam_enforced,
    zip_bytes,
)

__all__ = ["iam_enforced", "zip_bytes"]

ACCOUNT_A = "111122223333"
ACCOUNT_B = "444455556666"
ACCOUNT_C = "777788889999"
REGION_1 = "ca-central-1"
REGION_2 = "sa-east-1"
DENIED_REGION = "ap-south-1"
ROLE_NAME = "fleet-auditor"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT_C}:role/{ROLE_NAME}"

_ADMIN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
_STS_ACCESS_DENIED = (
    b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
    b"<Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: "
    b"sts:AssumeRole</Message></Error><RequestId>fleet</RequestId></ErrorResponse>"
)
_SCOPE_REGION = re.compile(r"Credential=[A-Z0-9]+/\d{8}/(?P<region>[a-z0-9-]+)/")


def zip_of_folder(folder: Path) -> bytes:
    """A deflate zip of every file under ``folder``, sorted, as bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def sha256_b64(content: bytes) -> str:
    """Lambda's ``CodeSha256`` of ``content``."""
    return base64.b64encode(hashlib.sha256(content).digest()).decode("ascii")


def moto_policy(policy: Mapping[str, Any]) -> dict[str, Any]:
    """``policy`` as moto 5.2 enforces it: it names CloudWatch's actions ``monitoring:*``
    (the endpoint's prefix) where IAM names them ``cloudwatch:*``, so each such action is
    granted under both names. An action the policy lacks stays refused."""
    statements = []
    for statement in policy["Statement"]:
        actions = statement["Action"]
        actions = [actions] if isinstance(actions, str) else list(actions)
        aliases = [
            "monitoring:" + action.removeprefix("cloudwatch:")
            for action in actions
            if action.startswith("cloudwatch:")
        ]
        statements.append({**statement, "Action": actions + aliases})
    return {**policy, "Statement": statements}


class GatedStage(LambdaStage):
    """The fetch tests' stage, refusing every call signed for a region in ``denied_regions``
    and ``sts:AssumeRole`` of a role in ``refused_roles``, as AWS refuses a role whose trust
    policy does not name the caller (moto 5.2 does not check trust policies)."""

    def __init__(self, moto_address: tuple[str, int] | None) -> None:
        super().__init__(moto_address)
        self.denied_regions: set[str] = set()
        self.refused_roles: set[str] = set()
        self.calls_by_region: dict[str, int] = {}

    def handle_api(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        match = _SCOPE_REGION.search(headers.get("Authorization", ""))
        region = match["region"] if match else ""
        self.calls_by_region[region] = self.calls_by_region.get(region, 0) + 1
        if region in self.denied_regions:
            message = (
                "User is not authorized to perform this action with an explicit deny in a "
                "service control policy"
            )
            document = {"__type": "AccessDeniedException", "message": message}
            headers_out = {
                "Content-Type": "application/x-amz-json-1.0",
                "x-amzn-ErrorType": "AccessDeniedException",
            }
            return 403, headers_out, json.dumps(document).encode()
        form = parse_qs(body.decode("utf-8", "replace")) if method == "POST" else {}
        if form.get("Action") == ["AssumeRole"] and form.get("RoleArn", [""])[0] in (
            self.refused_roles
        ):
            return 403, {"Content-Type": "text/xml"}, _STS_ACCESS_DENIED
        return super().handle_api(method, target, headers, body)


@dataclass
class FleetWorld:
    """Accounts, readers and a role in moto, with helpers to create functions in them."""

    stage: GatedStage
    readers: dict[str, Credentials] = field(default_factory=dict)
    admins: dict[str, Credentials] = field(default_factory=dict)
    execution_roles: dict[str, str] = field(default_factory=dict)

    @property
    def endpoint(self) -> str:
        return self.stage.url

    def setup(self) -> None:
        policy = moto_policy(json.loads(POLICY_PATH.read_text()))
        for account in (ACCOUNT_A, ACCOUNT_B, ACCOUNT_C):
            self.admins[account] = self._user(account, "fleet-admin", _ADMIN_POLICY)
            self.readers[account] = self._user(account, "fleet-reader", policy)
            iam = self.client("iam", account)
            self.execution_roles[account] = iam.create_role(
                RoleName="fleet-function-role", AssumeRolePolicyDocument="{}"
            )["Role"]["Arn"]
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_A}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        iam = self.client("iam", ACCOUNT_C)
        iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(
            RoleName=ROLE_NAME, PolicyName="reader", PolicyDocument=json.dumps(policy)
        )

    def _user(self, account: str, name: str, policy: Mapping[str, Any]) -> Credentials:
        iam = boto3.client(
            "iam",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="AKIABOOTSTRAPFLEET",
            aws_secret_access_key="bootstrap",
        )

        def address(request: Any, **_: Any) -> None:
            request.headers["x-moto-account-id"] = account

        iam.meta.events.register("before-send.*.*", address)
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName=name, PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return Credentials(account, key["AccessKeyId"], key["SecretAccessKey"])

    def client(self, service: str, account: str, region: str = REGION_1) -> Any:
        """A client signed by ``account``'s admin."""
        credentials = self.admins[account]
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
        )

    def create_function(
        self,
        account: str,
        region: str,
        name: str,
        code: bytes | Mapping[str, str],
        *,
        runtime: str = "python3.9",
        handler: str = "app.handler",
        architecture: str = "x86_64",
        layers: tuple[str, ...] = (),
        tags: Mapping[str, str] | None = None,
    ) -> str:
        """Create a zip function; its ARN."""
        content = code if isinstance(code, bytes) else zip_bytes(code)
        created = self.client("lambda", account, region).create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=self.execution_roles[account],
            Handler=handler,
            Code={"ZipFile": content},
            Architectures=[architecture],
            Layers=list(layers),
            Tags=dict(tags or {}),
        )
        return str(created["FunctionArn"])

    def create_image_function(self, account: str, region: str, name: str) -> str:
        created = self.client("lambda", account, region).create_function(
            FunctionName=name,
            Role=self.execution_roles[account],
            PackageType="Image",
            Code={"ImageUri": f"{account}.dkr.ecr.{region}.amazonaws.com/{name}:latest"},
        )
        return str(created["FunctionArn"])

    def publish_layer(self, account: str, region: str, name: str, content: bytes) -> str:
        published = self.client("lambda", account, region).publish_layer_version(
            LayerName=name, Content={"ZipFile": content}, CompatibleRuntimes=["python3.9"]
        )
        return str(published["LayerVersionArn"])


REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_functions"
CASES = Path(os.environ.get("LAMBDA_ANALYZER_CASES", shared_folder() / "cases"))

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


def populate(world: FleetWorld) -> Fleet:
    """Create the fleet described in the module's docstring in ``world``."""
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
        ACCOUNT_A, REGION_2, "reports-nightly", nightly, handler="export.handler", layers=(layer,)
    )
    world.create_function(
        ACCOUNT_A, REGION_2, "reports-copy", nightly, handler="export.handler", layers=(layer,)
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
