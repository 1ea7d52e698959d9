"""AWS for the fetch tests: moto's server on 127.0.0.1 behind a proxy that closes moto's gaps.

The tests reach moto through real boto3 calls. Between them stands ``LambdaStage``, an HTTP
server on 127.0.0.1 that forwards every Lambda API call to moto and serves code downloads
itself. It closes these gaps of moto 5.2, here and never in ``analyzer/fetch``:

- ``Code.Location`` names a host nothing serves and a layer's ``Content.Location`` is
  ``s3://``: the stage keeps the zips it sees in ``CreateFunction`` and
  ``PublishLayerVersion`` and points both fields at itself, with a presigned-looking query
  whose ``X-Amz-Signature`` it checks (``PRESIGNED_SIGNATURE``, a recognisable secret).
- ``ListFunctions`` ignores ``MaxItems`` and ``Marker``: the stage pages moto's full list.
- ``GetFunction`` of a partial ARN (``ACCOUNT:function:NAME``) answers HTTP 500: the stage
  asks moto for the name and signs the request again with the caller's key.
- ``GetLayerVersion`` of another account's layer answers 404: the stage answers it from the
  owner account when the layer version's policy grants the caller's account, and with
  Lambda's ``AccessDeniedException`` otherwise.
- ``CreateFunction`` resolves layer ARNs in the function's own account only:
  ``AwsWorld.create_function`` sets another account's layers on the function in moto's
  (in-process) backend.
- IAM enforcement recomputes the signature of a GET request over the query string or the
  headers instead of its empty body, refusing every signed GET: ``iam_enforced`` corrects
  that for the duration of a test. Its refusals come back in the query protocol's XML, which
  the stage turns into Lambda's JSON error (except for STS and IAM, which speak that XML).

Accounts: moto maps an access key to the account of the IAM user that owns it, so each
account here has users created with moto's ``x-moto-account-id`` header.
"""

from __future__ import annotations

import base64
import collections
import enum
import hashlib
import http.client
import io
import json
import logging
import re
import socket
import struct
import threading
import uuid
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import boto3
import botocore.credentials
import botocore.exceptions
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
REGION = "eu-west-1"
PRESIGNED_SIGNATURE = "5e1ec7ed0presigned0signature0canary"
"""The ``X-Amz-Signature`` of every code location the stage hands out."""

POLICY_PATH = Path(__file__).resolve().parents[2] / "docs" / "iam-policy.json"
_ADMIN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
_LIST_ONLY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["lambda:ListFunctions"], "Resource": "*"}],
}

_FUNCTIONS = re.compile(r"/2015-03-31/functions/?")
_FUNCTION = re.compile(r"/2015-03-31/functions/(?P<name>[^/]+)")
_FUNCTION_CODE = re.compile(r"/2015-03-31/functions/(?P<name>[^/]+)/code")
_LAYER_VERSIONS = re.compile(r"/2018-10-31/layers/(?P<layer>[^/]+)/versions")
_LAYER_VERSION = re.compile(r"/2018-10-31/layers/(?P<layer>[^/]+)/versions/(?P<version>\d+)")
_CODE = re.compile(r"/code/(?P<key>[0-9a-f]{64})")
_ACCESS_KEY = re.compile(r"Credential=(?P<key>[A-Z0-9]+)/")
_CREDENTIAL_SCOPE = re.compile(r"Credential=(?P<key>[A-Z0-9]+)/\d{8}/(?P<region>[a-z0-9-]+)/")
_PARTIAL_ARN = re.compile(r"\d{12}:function:(?P<name>[A-Za-z0-9_-]+)")
_HOP_BY_HOP = frozenset({"connection", "content-length", "transfer-encoding", "keep-alive"})


def zip_bytes(files: Mapping[str, bytes | str]) -> bytes:
    """A real deflate zip holding ``files`` (name to content), as bytes.

    Members carry a fixed timestamp, so the same files always make the same bytes and the
    same ``CodeSha256``.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            member = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            archive.writestr(member, content)
    return buffer.getvalue()


def code_sha256(content: bytes) -> str:
    """Lambda's ``CodeSha256`` of ``content``."""
    return base64.b64encode(hashlib.sha256(content).digest()).decode("ascii")


def corrupted(content: bytes) -> bytes:
    """``content`` with its last byte changed, as ``Fault.CORRUPT`` serves it."""
    return content[:-1] + bytes([content[-1] ^ 0xFF])


class Fault(enum.Enum):
    """How the stage answers a code download instead of serving it whole."""

    CUT_OFF = "cut-off"
    """Announces the full ``Content-Length``, sends half the bytes and closes the connection."""
    CORRUPT = "corrupt"
    """Sends as many bytes, the last one changed, so the hash does not match."""
    SERVER_ERROR = "server-error"
    """HTTP 500."""
    EXPIRED = "expired"
    """HTTP 403, as S3 answers an expired presigned URL."""
    NO_LENGTH = "no-length"
    """No ``Content-Length``: the body ends when the connection closes."""
    RESET = "reset"
    """Announces the full ``Content-Length``, sends half the bytes, then resets the
    connection (TCP RST)."""


@dataclass
class CodeHost:
    """Zips served by content hash at presigned-looking addresses, with faults on demand."""

    base_url: str = ""
    blobs: dict[str, bytes] = field(default_factory=dict)
    faults: dict[str, collections.deque[Fault]] = field(default_factory=dict)
    standing_faults: dict[str, Fault] = field(default_factory=dict)
    requests: collections.Counter[str] = field(default_factory=collections.Counter)
    """Download requests per key, whatever their answer."""

    def add(self, content: bytes) -> str:
        """Serve ``content``; its key is its hexadecimal SHA-256."""
        key = hashlib.sha256(content).hexdigest()
        self.blobs[key] = content
        return key

    def url(self, key: str) -> str:
        """A presigned-looking address of the blob ``key``."""
        query = urlencode(
            {
                "versionId": "3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
                "X-Amz-Security-Token": "IQoJb3JpZ2luX2VjEXAMPLETOKEN",
                "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
                "X-Amz-Date": "20240101T000000Z",
                "X-Amz-SignedHeaders": "host",
                "X-Amz-Expires": "600",
                "X-Amz-Credential": f"ASIAEXAMPLE/20240101/{REGION}/s3/aws4_request",
                "X-Amz-Signature": PRESIGNED_SIGNATURE,
            }
        )
        return f"{self.base_url}/code/{key}?{query}"

    def url_for_sha(self, sha: str) -> str:
        """The address of the blob whose ``CodeSha256`` is ``sha``."""
        return self.url(base64.b64decode(sha).hex())

    def fail(self, key: str, *faults: Fault) -> None:
        """Answer the next downloads of ``key`` with ``faults``, in order, then serve it."""
        self.faults.setdefault(key, collections.deque()).extend(faults)

    def always_fail(self, key: str, fault: Fault) -> None:
        """Answer every download of ``key`` with ``fault``."""
        self.standing_faults[key] = fault

    def next_fault(self, key: str) -> Fault | None:
        queued = self.faults.get(key)
        if queued:
            return queued.popleft()
        return self.standing_faults.get(key)


@dataclass(frozen=True)
class Credentials:
    """An IAM user's access key in moto."""

    account: str
    access_key_id: str
    secret_access_key: str


class LambdaStage:
    """The proxy in front of moto: forwards API calls, rewrites answers, serves code."""

    def __init__(self, moto_address: tuple[str, int] | None) -> None:
        self.moto_address = moto_address
        self.code = CodeHost()
        self.credentials_by_key: dict[str, Credentials] = {}
        self.owner_clients: dict[str, Any] = {}
        self.api_requests: collections.Counter[str] = collections.Counter()
        self.throttles: dict[str, int] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.code.base_url = self.url
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def throttle(self, function_name: str, times: int) -> None:
        """Answer the next ``times`` GetFunction calls of ``function_name`` with HTTP 429."""
        self.throttles[function_name] = times

    # --- the API side --------------------------------------------------------------

    def handle_api(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        path = unquote(urlsplit(target).path)
        query = parse_qs(urlsplit(target).query)
        operation = _operation(method, path)
        self.api_requests[operation] += 1

        if operation in ("CreateFunction",):
            self._keep_zip(json.loads(body).get("Code", {}))
        elif operation == "UpdateFunctionCode":
            self._keep_zip(json.loads(body))
        elif operation == "PublishLayerVersion":
            self._keep_zip(json.loads(body).get("Content", {}))
        elif operation == "GetFunction":
            name = _FUNCTION.fullmatch(path)["name"]  # type: ignore[index]
            refusal = self._throttled(name)
            if refusal is not None:
                return refusal
            partial = _PARTIAL_ARN.fullmatch(name)
            if partial is not None:
                target, headers = self._renamed(method, target, partial["name"], headers, body)

        status, response_headers, payload = self._forward(method, target, headers, body)
        # The query-protocol services (STS, IAM: a POST to /) answer in XML themselves.
        query_protocol = operation == "POST /"
        if status == 403 and payload.lstrip().startswith(b"<") and not query_protocol:
            return _lambda_error_from_xml(payload)
        if status >= 300:
            if operation == "GetLayerVersion" and status == 404:
                return self._foreign_layer_version(path, headers) or (
                    status,
                    response_headers,
                    payload,
                )
            return status, response_headers, payload

        if operation == "GetFunction":
            payload = self._point_code_location(payload)
        elif operation == "GetLayerVersion":
            payload = self._point_layer_location(payload)
        elif operation == "ListFunctions":
            payload = _page(payload, query)
        return status, response_headers, payload

    def _forward(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        if self.moto_address is None:
            return _lambda_error(501, "NotImplemented", "no moto server behind this stage")
        connection = http.client.HTTPConnection(*self.moto_address, timeout=30)
        try:
            # The Host header is forwarded as signed, so moto's signature check still holds.
            connection.request(method, target, body=body or None, headers=dict(headers))
            response = connection.getresponse()
            payload = response.read()
            kept = {
                name: value
                for name, value in response.getheaders()
                if name.lower() not in _HOP_BY_HOP
            }
            return response.status, kept, payload
        finally:
            connection.close()

    def _renamed(
        self, method: str, target: str, name: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[str, dict[str, str]]:
        """The request for function ``name``, signed again by the caller's key."""
        query = urlsplit(target).query
        renamed = f"/2015-03-31/functions/{name}" + (f"?{query}" if query else "")
        scope = _CREDENTIAL_SCOPE.search(headers.get("Authorization", ""))
        assert scope is not None, "an unsigned request"
        caller = self.credentials_by_key[scope["key"]]
        unsigned = {
            key: value
            for key, value in headers.items()
            if key.lower() not in ("authorization", "x-amz-date")
        }
        request = AWSRequest(
            method=method, url=f"http://{headers['Host']}{renamed}", data=body, headers=unsigned
        )
        SigV4Auth(
            botocore.credentials.Credentials(caller.access_key_id, caller.secret_access_key),
            "lambda",
            scope["region"],
        ).add_auth(request)
        return renamed, dict(request.headers.items())

    def _keep_zip(self, code: Mapping[str, str]) -> None:
        if "ZipFile" in code:
            self.code.add(base64.b64decode(code["ZipFile"]))

    def _throttled(self, function_name: str) -> tuple[int, dict[str, str], bytes] | None:
        remaining = self.throttles.get(function_name, 0)
        if remaining <= 0:
            return None
        self.throttles[function_name] = remaining - 1
        return _lambda_error(429, "TooManyRequestsException", "Rate exceeded")

    def _point_code_location(self, payload: bytes) -> bytes:
        document = json.loads(payload)
        code = document.get("Code", {})
        if code.get("RepositoryType") == "S3":
            code["Location"] = self.code.url_for_sha(document["Configuration"]["CodeSha256"])
        return json.dumps(document).encode()

    def _point_layer_location(self, payload: bytes) -> bytes:
        document = json.loads(payload)
        content = document.get("Content", {})
        if content.get("CodeSha256"):
            content["Location"] = self.code.url_for_sha(content["CodeSha256"])
        return json.dumps(document).encode()

    def _foreign_layer_version(
        self, path: str, headers: Mapping[str, str]
    ) -> tuple[int, dict[str, str], bytes] | None:
        """Another account's layer version, as Lambda answers it: granted or refused."""
        match = _LAYER_VERSION.fullmatch(path)
        assert match is not None
        layer_arn, version = match["layer"], int(match["version"])
        if not layer_arn.startswith("arn:"):
            return None
        owner = layer_arn.split(":")[4]
        caller = self._caller_account(headers)
        if owner == caller or owner not in self.owner_clients:
            return None

        owner_client = self.owner_clients[owner]
        layer_name = layer_arn.split(":")[6]
        try:
            policy = json.loads(
                owner_client.get_layer_version_policy(LayerName=layer_name, VersionNumber=version)[
                    "Policy"
                ]
            )
        except botocore.exceptions.ClientError:
            policy = {"Statement": []}
        if not _grants(policy, caller):
            return _lambda_error(
                403,
                "AccessDeniedException",
                f"User: arn:aws:iam::{caller}:user/caller is not authorized to perform: "
                f"lambda:GetLayerVersion on resource: {layer_arn}:{version} because no "
                "resource-based policy allows the lambda:GetLayerVersion action",
            )
        document = owner_client.get_layer_version(LayerName=layer_name, VersionNumber=version)
        document.pop("ResponseMetadata", None)
        return (
            200,
            {"Content-Type": "application/json"},
            self._point_layer_location(json.dumps(document, default=str).encode()),
        )

    def _caller_account(self, headers: Mapping[str, str]) -> str | None:
        match = _ACCESS_KEY.search(headers.get("Authorization", ""))
        caller = self.credentials_by_key.get(match["key"]) if match else None
        return caller.account if caller else None

    # --- the download side ---------------------------------------------------------

    def serve_code(self, handler: BaseHTTPRequestHandler, key: str, query: str) -> None:
        self.code.requests[key] += 1
        content = self.code.blobs.get(key)
        signature = parse_qs(query).get("X-Amz-Signature", [""])[0]
        if content is None:
            _send(handler, 404, {}, b"NoSuchKey")
            return
        if signature != PRESIGNED_SIGNATURE:
            _send(handler, 403, {}, b"SignatureDoesNotMatch")
            return

        fault = self.code.next_fault(key)
        if fault is Fault.SERVER_ERROR:
            _send(handler, 500, {}, b"InternalError")
        elif fault is Fault.EXPIRED:
            _send(handler, 403, {}, b"AccessDenied: Request has expired")
        elif fault is Fault.CORRUPT:
            _send(handler, 200, _zip_headers(len(content)), corrupted(content))
        elif fault is Fault.CUT_OFF:
            handler.send_response(200)
            for name, value in _zip_headers(len(content)).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(content[: len(content) // 2])
            handler.wfile.flush()
            handler.close_connection = True
        elif fault is Fault.RESET:
            handler.send_response(200)
            for name, value in _zip_headers(len(content)).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(content[: len(content) // 2])
            handler.wfile.flush()
            # A zero linger time makes close() send RST instead of FIN.
            handler.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            handler.connection.close()
            handler.close_connection = True
        elif fault is Fault.NO_LENGTH:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/zip")
            handler.end_headers()
            handler.wfile.write(content)
            handler.close_connection = True
        else:
            _send(handler, 200, _zip_headers(len(content)), content)


def _handler_for(stage: LambdaStage) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm
        # and delayed acknowledgements hold every answer back for tens of milliseconds.
        disable_nagle_algorithm = True

        def route(self) -> None:
            parsed = urlsplit(self.path)
            code = _CODE.fullmatch(parsed.path)
            if code is not None and self.command == "GET":
                stage.serve_code(self, code["key"], parsed.query)
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name: value for name, value in self.headers.items()}
            status, response_headers, payload = stage.handle_api(
                self.command, self.path, headers, body
            )
            _send(self, status, response_headers, payload)

        do_GET = do_POST = do_PUT = do_DELETE = route

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests assert on requests through the stage's counters."""

    return Handler


def _send(
    handler: BaseHTTPRequestHandler, status: int, headers: Mapping[str, str], payload: bytes
) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        if name.lower() not in _HOP_BY_HOP and name.lower() not in ("server", "date"):
            handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


def _zip_headers(length: int) -> dict[str, str]:
    return {"Content-Type": "application/zip", "Content-Length": str(length)}


def _operation(method: str, path: str) -> str:
    if _FUNCTIONS.fullmatch(path):
        return "CreateFunction" if method == "POST" else "ListFunctions"
    if _FUNCTION.fullmatch(path) and method == "GET":
        return "GetFunction"
    if _FUNCTION_CODE.fullmatch(path) and method == "PUT":
        return "UpdateFunctionCode"
    if _LAYER_VERSIONS.fullmatch(path) and method == "POST":
        return "PublishLayerVersion"
    if _LAYER_VERSION.fullmatch(path) and method == "GET":
        return "GetLayerVersion"
    return f"{method} {path}"


def _lambda_error(status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    """An error as the Lambda API sends it: JSON, with its type in ``x-amzn-ErrorType``."""
    headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code}
    return status, headers, json.dumps({"Type": "User", "message": message}).encode()


# What Lambda answers where moto's IAM enforcement answers in the query protocol's XML.
_LAMBDA_CODES = {
    "AccessDenied": "AccessDeniedException",
    "InvalidClientTokenId": "UnrecognizedClientException",
    "SignatureDoesNotMatch": "InvalidSignatureException",
}


def _lambda_error_from_xml(payload: bytes) -> tuple[int, dict[str, str], bytes]:
    code = re.search(rb"<Code>(.*?)</Code>", payload, re.S)
    message = re.search(rb"<Message>(.*?)</Message>", payload, re.S)
    xml_code = code.group(1).decode() if code else "AccessDenied"
    return _lambda_error(
        403,
        _LAMBDA_CODES.get(xml_code, xml_code),
        message.group(1).decode() if message else xml_code,
    )


def _grants(policy: Mapping[str, Any], account: str | None) -> bool:
    """Whether a layer version policy lets ``account`` call ``lambda:GetLayerVersion``."""
    for statement in policy.get("Statement", []):
        principal = statement.get("Principal")
        if isinstance(principal, dict):
            principal = principal.get("AWS")
        principals = principal if isinstance(principal, list) else [principal]
        actions = statement.get("Action")
        actions = actions if isinstance(actions, list) else [actions]
        allowed = statement.get("Effect") == "Allow" and (
            "lambda:GetLayerVersion" in actions or "lambda:*" in actions
        )
        names_caller = any(
            entry in ("*", account, f"arn:aws:iam::{account}:root") for entry in principals
        )
        if allowed and names_caller:
            return True
    return False


def _page(payload: bytes, query: Mapping[str, list[str]]) -> bytes:
    """One page of ``ListFunctions``: ``MaxItems`` (at most 50) from ``Marker`` on."""
    document = json.loads(payload)
    functions = sorted(document.get("Functions", []), key=lambda entry: entry["FunctionName"])
    start = int(query.get("Marker", ["0"])[0])
    size = min(int(query.get("MaxItems", ["50"])[0]), 50)
    page = {"Functions": functions[start : start + size]}
    if start + size < len(functions):
        page["NextMarker"] = str(start + size)
    return json.dumps(page).encode()


@contextmanager
def iam_enforced() -> Iterator[None]:
    """Moto checks every request's signature and the caller's IAM policies meanwhile."""
    from moto.core.authorization import enable_iam_authentication
    from moto.iam.access_control import IAMRequestBase

    def signed_request(self: Any) -> AWSRequest:
        authorization = self._headers["Authorization"]
        signed = self._get_string_between("SignedHeaders=", ",", authorization).split(";")
        headers = self._create_headers_for_aws_request(signed, self._headers)
        # moto 5.2 signs a bodiless request over its query string or headers; AWS signs
        # the empty body.
        bodiless = self._method in ("GET", "HEAD", "DELETE")
        data = self._body or (b"" if bodiless else self._data)
        request = AWSRequest(method=self._method, url=self._path, data=data, headers=headers)
        request.context["timestamp"] = headers["X-Amz-Date"]
        return request

    with pytest.MonkeyPatch.context() as patch, enable_iam_authentication():
        patch.setattr(IAMRequestBase, "_create_aws_request", signed_request)
        yield


class AwsWorld:
    """Accounts, users and helpers over one moto server and its stage."""

    def __init__(self, stage: LambdaStage) -> None:
        self.stage = stage
        self.code = stage.code
        self.endpoint = stage.url
        admin_a = self._user(ACCOUNT, "admin", _ADMIN_POLICY)
        admin_b = self._user(OTHER_ACCOUNT, "admin", _ADMIN_POLICY)
        self.admins = {ACCOUNT: admin_a, OTHER_ACCOUNT: admin_b}
        self.reader = self._user(ACCOUNT, "reader", json.loads(POLICY_PATH.read_text()))
        """A user whose only policy is docs/iam-policy.json."""
        self.denied = self._user(ACCOUNT, "list-only", _LIST_ONLY_POLICY)
        """A user who may list functions but not read one."""
        for account in self.admins:
            stage.owner_clients[account] = self.client("lambda", account=account)
        self.role = self.client("iam").create_role(
            RoleName="function-role", AssumeRolePolicyDocument="{}"
        )["Role"]["Arn"]

    def _user(self, account: str, name: str, policy: Mapping[str, Any]) -> Credentials:
        iam = self._bootstrap_client("iam", account)
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName=name, PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        credentials = Credentials(account, key["AccessKeyId"], key["SecretAccessKey"])
        self.stage.credentials_by_key[credentials.access_key_id] = credentials
        return credentials

    def _bootstrap_client(self, service: str, account: str) -> Any:
        """A client for the time before any user exists, addressing ``account`` by header."""
        client = boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="AKIABOOTSTRAPEXAMPLE",
            aws_secret_access_key="bootstrap",
        )

        def address(request: Any, **_: Any) -> None:
            request.headers["x-moto-account-id"] = account

        client.meta.events.register("before-send.*.*", address)
        return client

    def client(
        self,
        service: str,
        *,
        account: str = ACCOUNT,
        region: str = REGION,
        credentials: Credentials | None = None,
    ) -> Any:
        """A boto3 client signed by ``credentials`` (the account's admin by default)."""
        credentials = credentials or self.admins[account]
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
        )

    def publish_layer(
        self,
        name: str,
        files: Mapping[str, bytes | str],
        *,
        account: str = ACCOUNT,
        region: str = REGION,
        grant_to: str | None = None,
    ) -> str:
        """Publish a layer version from a zip of ``files``; its version ARN.

        ``grant_to`` (an account, or ``*``) is allowed ``lambda:GetLayerVersion`` on it.
        """
        client = self.client("lambda", account=account, region=region)
        published = client.publish_layer_version(
            LayerName=name,
            Content={"ZipFile": zip_bytes(files)},
            CompatibleRuntimes=["python3.9"],
        )
        if grant_to is not None:
            client.add_layer_version_permission(
                LayerName=name,
                VersionNumber=published["Version"],
                StatementId=f"grant-{uuid.uuid4().hex[:8]}",
                Action="lambda:GetLayerVersion",
                Principal=grant_to,
            )
        return str(published["LayerVersionArn"])

    def create_function(
        self,
        name: str,
        files: Mapping[str, bytes | str],
        *,
        runtime: str = "python3.9",
        handler: str = "app.handler",
        architecture: str = "x86_64",
        layers: tuple[str, ...] = (),
        environment: Mapping[str, str] | None = None,
        region: str = REGION,
    ) -> dict[str, Any]:
        """Create a zip function in ``ACCOUNT``; its configuration as moto returns it."""
        client = self.client("lambda", region=region)
        own = all(arn.split(":")[4] == ACCOUNT for arn in layers)
        created = client.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=self.role,
            Handler=handler,
            Code={"ZipFile": zip_bytes(files)},
            Architectures=[architecture],
            Environment={"Variables": dict(environment or {})},
            Layers=list(layers) if own else [],
        )
        if not own:
            _set_layers(name, region, layers)
        return dict(created)

    def create_image_function(self, name: str, region: str = REGION) -> None:
        """Create a container-image function in ``ACCOUNT``."""
        self.client("lambda", region=region).create_function(
            FunctionName=name,
            Role=self.role,
            PackageType="Image",
            Code={"ImageUri": f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{name}:latest"},
        )


def _set_layers(function_name: str, region: str, layers: tuple[str, ...]) -> None:
    """Set layers of any account on a function, as CreateFunction does on AWS (moto gap)."""
    from moto.awslambda.models import lambda_backends

    attached = []
    for arn in layers:
        owner, layer_name, version = arn.split(":")[4], arn.split(":")[6], arn.split(":")[7]
        layer_version = lambda_backends[owner][region].get_layer_version(layer_name, version)
        attached.append({"Arn": arn, "CodeSize": layer_version.code_size})
    lambda_backends[ACCOUNT][region].get_function(function_name).layers = attached


@dataclass
class AwsSession:
    """What one test sees: the world, and the environment boto3 reads its settings from."""

    world: AwsWorld
    monkeypatch: pytest.MonkeyPatch
    config_dir: Path

    def use(self, credentials: Credentials | None) -> None:
        """Make ``credentials`` (or none at all) what boto3's standard chain finds."""
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            self.monkeypatch.delenv(name, raising=False)
        if credentials is not None:
            self.monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials.access_key_id)
            self.monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials.secret_access_key)

    def write_profile(self, profile: str, credentials: Credentials, region: str | None) -> None:
        """Add ``profile`` to the shared config and credentials files."""
        section = "default" if profile == "default" else f"profile {profile}"
        with (self.config_dir / "config").open("a") as config:
            config.write(f"[{section}]\n")
            if region:
                config.write(f"region = {region}\n")
        with (self.config_dir / "credentials").open("a") as stored:
            stored.write(
                f"[{profile}]\naws_access_key_id = {credentials.access_key_id}\n"
                f"aws_secret_access_key = {credentials.secret_access_key}\n"
            )


# Environment variables that would let boto3 find settings outside the test.
_AWS_SETTINGS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_RETRY_MODE",
    "AWS_MAX_ATTEMPTS",
    "AWS_CA_BUNDLE",
)


@pytest.fixture(scope="session")
def aws_world() -> Iterator[AwsWorld]:
    """Moto's server on 127.0.0.1, its stage, two accounts and their users."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    stage = LambdaStage((host, port))
    stage.start()
    try:
        yield AwsWorld(stage)
    finally:
        stage.stop()
        server.stop()


@pytest.fixture
def aws(
    aws_world: AwsWorld, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AwsSession]:
    """The reader's credentials and the stage's endpoint in the environment, IAM enforced.

    boto3 reads nothing from the host: empty shared files, no instance metadata.
    """
    config_dir = tmp_path_factory.mktemp("aws-config")
    (config_dir / "config").write_text("")
    (config_dir / "credentials").write_text("")
    for name in _AWS_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config_dir / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(config_dir / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_world.endpoint)
    session = AwsSession(aws_world, monkeypatch, config_dir)
    session.use(aws_world.reader)
    with iam_enforced():
        yield session


@pytest.fixture(scope="session")
def code_host() -> Iterator[CodeHost]:
    """A local HTTP server of zips at presigned-looking addresses, without moto behind it."""
    stage = LambdaStage(None)
    stage.start()
    try:
        yield stage.code
    finally:
        stage.stop()
