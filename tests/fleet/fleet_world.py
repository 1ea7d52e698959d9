"""A fleet in moto's server: three accounts, three regions (one refusing), profiles and a role.

Built on the fetch tests' ``LambdaStage`` (moto behind a proxy that pages ``ListFunctions`` and
serves code downloads). The fleet's accounts are its own, so whatever other tests create in
moto's shared, in-process state does not show up in its listings:

- ``ACCOUNT_A`` through the profile ``team-a``, in ``REGION_1`` and ``REGION_2``; it is also
  asked for ``DENIED_REGION``, which refuses every call as a service control policy would;
- ``ACCOUNT_B`` through the profile ``team-b``, in ``REGION_1``;
- ``ACCOUNT_C`` through the role ``ROLE_NAME``, assumed from ``team-a``, in ``REGION_2``.

Every reader's only policy is ``docs/iam-policy.json``: a call the policy forgets fails.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import boto3

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
