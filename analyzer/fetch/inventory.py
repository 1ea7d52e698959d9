"""The fleet's inventory: every Python function of some accounts and regions, as a CSV or JSON file.

Each account is reached through a named profile or an assumed role, each region through its own
clients; a source that refuses access is recorded as a problem and the rest is still listed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import botocore.parsers
import botocore.session
from botocore.config import Config
from botocore.credentials import (
    AssumeRoleCredentialFetcher,
    CredentialProvider,
    CredentialResolver,
    DeferredRefreshableCredentials,
)

from analyzer import __version__
from analyzer.errors import InputError

logger = logging.getLogger(__name__)

INVENTORY_VERSION = 1
"""Raised when a field is removed or changes meaning; ``read_inventory`` refuses other versions."""

ROLE_SESSION_NAME = "lambda-analyzer"
"""The session name of assumed roles, so that CloudTrail tells the tool's calls apart."""

MAX_QUERIES_PER_CALL = 500
"""``GetMetricData`` takes at most 500 queries per call (CloudWatch API reference, GetMetricData,
MetricDataQueries)."""
MAX_DATAPOINTS_PER_CALL = 100_800
"""``GetMetricData`` returns at most 100,800 data points per call (same page)."""
MAX_INVOCATION_DAYS = 455
"""CloudWatch keeps one-hour data points for 455 days (CloudWatch concepts, Metrics retention)."""
_DAY_SECONDS = 86_400

_SESSION_LOCK = threading.Lock()
_CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5},
    user_agent_extra=f"lambda-analyzer/{__version__}",
    max_pool_connections=32,
)
_CHATTY_LOGGERS = ("botocore", "boto3")
_LAMBDA_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"function:(?P<name>[A-Za-z0-9_-]{1,64})(?::(?P<qualifier>[A-Za-z0-9_$-]+))?"
)
_PARTIAL_ARN = re.compile(
    r"(?P<account>\d{12}):function:(?P<name>[A-Za-z0-9_-]{1,64})(?::[A-Za-z0-9_$-]+)?"
)
_FUNCTION_NAME = re.compile(r"(?P<name>[A-Za-z0-9_-]{1,64})(?::[A-Za-z0-9_$-]+)?")
# Error codes that mean "this caller may not", across Lambda, CloudWatch, Step Functions and STS.
_REFUSED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "AuthFailure",
        "ExpiredToken",
        "ExpiredTokenException",
    }
)
# Codes that mean the caller's own credentials did not check out (AWS's common errors).
_BAD_CREDENTIALS = frozenset(
    {"SignatureDoesNotMatch", "InvalidSignatureException", "IncompleteSignature"}
)
# What a failed AWS call raises: botocore's errors, AWS's refusals, and an answer that does not
# parse (botocore's ResponseParserError derives from Exception alone).
_AWS_ERRORS = (
    botocore.exceptions.BotoCoreError,
    botocore.exceptions.ClientError,
    botocore.parsers.ResponseParserError,
)
# Spreadsheets run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CredentialSource:
    """How one account is reached: a named profile, the default chain, or a role to assume."""

    profile: str | None = None
    role_arn: str | None = None

    @property
    def label(self) -> str:
        """The source as a person names it: the role ARN, ``profile NAME`` or ``default``."""
        if self.role_arn:
            return self.role_arn
        return f"profile {self.profile}" if self.profile else "default credentials"


@dataclass(frozen=True, slots=True)
class InventoryRow:
    """One function as listed, with what tells a team how much it matters."""

    account: str
    region: str
    name: str
    arn: str
    runtime: str | None
    """``None`` for a container image: its runtime is in the image."""
    package_type: str
    architectures: tuple[str, ...] = ()
    code_size: int | None = None
    code_sha256: str | None = None
    last_modified: str | None = None
    handler: str | None = None
    layers: tuple[str, ...] = ()
    """Layer version ARNs, in the order Lambda merges them."""
    tags: Mapping[str, str] | None = None
    """``None`` when the tags could not be read."""
    versions: int | None = None
    """Published versions (``$LATEST`` not counted); ``None`` when they could not be listed."""
    aliases: tuple[str, ...] | None = None
    invocations: int | None = None
    """The sum of CloudWatch ``Invocations`` over the inventory's days; ``None`` when not asked
    or not readable."""
    state_machines: tuple[str, ...] = ()
    """ARNs of the Step Functions state machines with a task that invokes this function."""
    profile: str | None = None
    """The profile the function was listed with, so ``batch`` fetches it the same way."""
    role_arn: str | None = None


@dataclass(frozen=True)
class InventoryProblem:
    """A part of the fleet that could not be listed or described, and why."""

    source: str
    """The credential source's label."""
    region: str | None
    stage: str
    """``account``, ``list-functions``, ``tags``, ``versions``, ``aliases``, ``invocations``
    or ``state-machines``."""
    message: str
    function: str | None = None


@dataclass(frozen=True)
class Inventory:
    """What ``take_inventory`` found, ready to be written and read back by ``batch``."""

    functions: tuple[InventoryRow, ...]
    problems: tuple[InventoryProblem, ...] = ()
    generated_at: str | None = None
    regions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    invocation_days: int | None = None

    @property
    def accounts(self) -> tuple[str, ...]:
        """The accounts functions were found in, sorted."""
        return tuple(sorted({row.account for row in self.functions}))


@dataclass(frozen=True)
class InventoryRequest:
    """What ``lambda-analyzer inventory`` was asked to list."""

    regions: tuple[str, ...] = ()
    all_regions: bool = False
    profiles: tuple[str, ...] = ()
    role_arns: tuple[str, ...] = ()
    runtimes: tuple[str, ...] = ()
    """Runtimes to keep; empty keeps every ``python*`` runtime. Images are always kept."""
    invocation_days: int | None = None
    state_machines: bool = False
    workers: int = 16
    """Threads for the per-function calls (tags, versions, aliases)."""

    @property
    def sources(self) -> tuple[CredentialSource, ...]:
        """Each profile, then each role (assumed from the first profile or the default chain)."""
        base = self.profiles[0] if self.profiles else None
        from_profiles = tuple(CredentialSource(profile=name) for name in self.profiles)
        from_roles = tuple(CredentialSource(profile=base, role_arn=arn) for arn in self.role_arns)
        return from_profiles + from_roles or (CredentialSource(),)


# --------------------------------------------------------------------------- sessions


def open_session(source: CredentialSource, region: str | None = None) -> boto3.Session:
    """A boto3 session for ``source``: the profile's, or one whose credentials come from
    ``sts:AssumeRole`` and are renewed before they expire.

    ``region`` (else ``AWS_REGION``, else what boto3 finds: ``AWS_DEFAULT_REGION`` or the
    profile's) is the session's region, and the region of the STS endpoint a role is assumed
    through; with none at all, the role's partition's home region. Raises ``InputError`` for a
    profile that is not configured.
    """
    _hold_chatty_loggers()
    region = region or os.environ.get("AWS_REGION") or None
    try:
        base = boto3.Session(profile_name=source.profile, region_name=region)
    except botocore.exceptions.ProfileNotFound:
        raise InputError(f"the AWS profile {source.profile!r} is not configured") from None
    if not source.role_arn:
        return base
    sts_region = base.region_name or _home_region(source.role_arn)
    core = base._session

    def sts_client(service_name: str, **kwargs: Any) -> Any:
        # botocore's fetcher makes its STS client without a region: with a custom endpoint
        # (or none configured) it could not sign, and the role was never assumed.
        kwargs.setdefault("region_name", sts_region)
        return core.create_client(service_name, **kwargs)

    fetcher = AssumeRoleCredentialFetcher(
        client_creator=sts_client,
        source_credentials=base.get_credentials(),
        role_arn=source.role_arn,
        extra_args={"RoleSessionName": ROLE_SESSION_NAME},
    )
    assumed = botocore.session.Session(profile=source.profile)
    assumed.register_component(
        "credential_provider", CredentialResolver(providers=[_AssumedRole(fetcher)])
    )
    return boto3.Session(botocore_session=assumed, region_name=region or base.region_name)


# The region STS signs for in each partition when no region is configured: the global
# endpoint's (AWS STS User Guide, "Manage AWS STS in an AWS Region"); other partitions have no
# global endpoint, so their first region.
_PARTITION_HOME_REGIONS = {
    "aws": "us-east-1",
    "aws-cn": "cn-north-1",
    "aws-us-gov": "us-gov-west-1",
}


def _home_region(role_arn: str) -> str | None:
    parts = role_arn.split(":")
    partition = parts[1] if len(parts) > 1 and parts[0] == "arn" else "aws"
    return _PARTITION_HOME_REGIONS.get(partition)


class _AssumedRole(CredentialProvider):
    """Credentials of an assumed role, fetched when first used and renewed before they expire."""

    METHOD = "assume-role"
    CANONICAL_NAME = "lambda-analyzer-assume-role"

    def __init__(self, fetcher: AssumeRoleCredentialFetcher) -> None:
        super().__init__()
        self.fetcher = fetcher

    def load(self) -> DeferredRefreshableCredentials:
        return DeferredRefreshableCredentials(
            refresh_using=self.fetcher.fetch_credentials, method=self.METHOD
        )


def available_regions(session: boto3.Session) -> tuple[str, ...]:
    """The regions Lambda is offered in, from botocore's endpoint data (no call is made)."""
    return tuple(sorted(session.get_available_regions("lambda")))


def _hold_chatty_loggers() -> None:
    # botocore's DEBUG records hold signed headers and presigned URLs.
    for name in _CHATTY_LOGGERS:
        chatty = logging.getLogger(name)
        if chatty.getEffectiveLevel() < logging.INFO:
            chatty.setLevel(logging.INFO)
    credentials_logger = logging.getLogger("botocore.credentials")
    if not any(isinstance(known, _RefreshFailure) for known in credentials_logger.filters):
        credentials_logger.addFilter(_RefreshFailure())


class _RefreshFailure(logging.Filter):
    """botocore logs a failed role assumption with its traceback before raising it; the
    caller reports that failure itself, in one line. A failed renewal that is not yet
    needed keeps its warning, without the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith("Refreshing temporary credentials failed"):
            return True
        if record.args and "mandatory" in record.args:
            return False
        record.exc_info = None
        record.exc_text = None
        return True


def failure_text(exc: Exception, action: str) -> str:
    """One line for a failed AWS call: what was refused or went wrong, with AWS's own error
    code and message where they add to it, and no secret."""
    if isinstance(exc, botocore.exceptions.ClientError):
        code, message = _aws_error(exc.response.get("Error", {}))
        said = _aws_reason(code, message)
        if exc.operation_name == "AssumeRole":
            # Raised from inside another call, when the role's credentials are first needed.
            if code in _BAD_CREDENTIALS:
                return (
                    "the role could not be assumed: the caller's own AWS credentials were "
                    f"refused ({said})"
                )
            action = "sts:AssumeRole (the role must trust the caller's account)"
        if code in _REFUSED:
            return f"access denied ({code}); the caller needs {action}"
        if code in _BAD_CREDENTIALS:
            return f"the AWS credentials were refused ({said})"
        if code in ("Throttling", "ThrottlingException", "TooManyRequestsException"):
            return f"{action}: still throttled after retrying"
        return f"{action} failed ({said})"
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return "no AWS credentials found (environment, shared credentials file or --profile)"
    if isinstance(exc, botocore.exceptions.NoRegionError):
        return "no AWS region; give --region or --all-regions, or a profile with a region"
    if isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return f"{action}: the endpoint cannot be reached"
    if isinstance(exc, botocore.parsers.ResponseParserError):
        return f"{action} failed: AWS's answer could not be read"
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return f"{action} failed ({type(exc).__name__})"
    return f"{action} failed ({type(exc).__name__}: {exc})"


_MAX_REASON = 300
"""AWS's messages are short; a longer one is cut, so that a problem stays one line."""


_XML_CODE = re.compile(r"<Code>([^<]*)</Code>")
_XML_MESSAGE = re.compile(r"<Message>([^<]*)</Message>")


def _aws_error(error: Mapping[str, Any]) -> tuple[str, str]:
    """AWS's error code and message. An error body botocore could not parse (a service
    answering in another protocol's XML) leaves the HTTP status as the code and the whole
    body as the message: the code and message are taken from that body."""
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or "")
    if code.isdigit():
        found_code, found_message = _XML_CODE.search(message), _XML_MESSAGE.search(message)
        if found_code is not None:
            code = found_code[1].strip()
            message = found_message[1].strip() if found_message is not None else ""
    return code, message


def _aws_reason(code: str, message: object) -> str:
    """AWS's code and message as ``Code: message``, on one line."""
    text = " ".join(str(message or "").split())
    if len(text) > _MAX_REASON:
        text = text[: _MAX_REASON - 3] + "..."
    if not code:
        return text or "no error code"
    return f"{code}: {text}" if text and text != code else code


def problem_line(problem: InventoryProblem) -> str:
    """A problem as one line of the command's stderr: what was not listed, or what was listed
    without some of its details, where, and why."""
    where = ", ".join(part for part in (problem.source, problem.region) if part)
    if problem.stage in ("account", "list-functions"):
        return f"not listed: {where}: {problem.message}"
    return f"{where}: {problem.message}"


# --------------------------------------------------------------------------- listing


_PYTHON_RUNTIME = re.compile(r"python\d\.\d+")
_PYTHON_VERSION = re.compile(r"\d\.\d+")


def python_runtimes(values: Iterable[str]) -> tuple[str, ...]:
    """``--runtime`` values as Lambda runtime names: ``python3.9`` as it is, ``3.9`` as
    ``python3.9``; any Python runtime Lambda ever had, also those this tool does not analyse.

    Raises ``InputError`` for anything else, such as ``nodejs20.x``.
    """
    names: list[str] = []
    for value in values:
        name = f"python{value}" if _PYTHON_VERSION.fullmatch(value) else value
        if not _PYTHON_RUNTIME.fullmatch(name):
            raise InputError(
                f"--runtime takes a Python runtime such as python3.9 (or 3.9), not {value!r}"
            )
        names.append(name)
    return tuple(dict.fromkeys(names))


def take_inventory(
    request: InventoryRequest,
    *,
    now: dt.datetime | None = None,
    session_factory: Callable[[CredentialSource, str | None], boto3.Session] = open_session,
) -> Inventory:
    """List the functions ``request`` asks for, in every account and region it names.

    Nothing raises for a source or a region that refuses: each refusal is an
    ``InventoryProblem`` and the rest is listed. ``InputError`` is raised only for a runtime
    that is not a Python one, or when there is no region to list (none given, none in the
    profile, and not ``all_regions``).
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    request = replace(request, runtimes=python_runtimes(request.runtimes))
    if request.invocation_days is not None and not (
        1 <= request.invocation_days <= MAX_INVOCATION_DAYS
    ):
        raise InputError(f"--invocations takes 1 to {MAX_INVOCATION_DAYS} days")
    problems: list[InventoryProblem] = []
    scopes: list[_Scope] = []
    regions_seen: set[str] = set()
    # The first region asked is also where a role is assumed: STS needs a region to sign for.
    first_region = request.regions[0] if request.regions and not request.all_regions else None
    for source in request.sources:
        try:
            session = session_factory(source, first_region)
        except InputError as exc:
            problems.append(InventoryProblem(source.label, None, "account", str(exc)))
            continue
        regions = _regions_for(request, session)
        regions_seen.update(regions)
        scopes.extend(_Scope(source, session, region) for region in regions)
    if not scopes and not problems:
        raise InputError(
            "no AWS region to list: give --region or --all-regions, or a profile with a region"
        )

    # Two pools: a scope's thread waits for its functions' calls, which must not queue
    # behind other scopes' threads.
    with (
        ThreadPoolExecutor(max_workers=min(8, max(1, len(scopes)))) as scope_pool,
        ThreadPoolExecutor(max_workers=max(1, request.workers)) as detail_pool,
    ):
        listed = list(
            scope_pool.map(lambda scope: _list_scope(scope, request, detail_pool), scopes)
        )
    rows: dict[str, InventoryRow] = {}
    machines: list[_StateMachine] = []
    for scope_rows, scope_machines, scope_problems in listed:
        problems.extend(scope_problems)
        machines.extend(scope_machines)
        for row in scope_rows:
            rows.setdefault(row.arn, row)
    functions = _with_state_machines(rows.values(), machines)
    return Inventory(
        functions=tuple(sorted(functions, key=lambda row: (row.account, row.region, row.name))),
        problems=tuple(problems),
        generated_at=now.replace(microsecond=0).isoformat(),
        regions=tuple(sorted(regions_seen)),
        sources=tuple(source.label for source in request.sources),
        invocation_days=request.invocation_days,
    )


def _regions_for(request: InventoryRequest, session: boto3.Session) -> tuple[str, ...]:
    if request.all_regions:
        return available_regions(session)
    if request.regions:
        return request.regions
    return (session.region_name,) if session.region_name else ()


@dataclass
class _Scope:
    """One account (through one credential source) in one region."""

    source: CredentialSource
    session: boto3.Session
    region: str
    problems: list[InventoryProblem] = field(default_factory=list)

    def client(self, service: str) -> Any:
        # A boto3 session is not safe to make clients from on several threads at once.
        with _SESSION_LOCK:
            return self.session.client(service, region_name=self.region, config=_CLIENT_CONFIG)  # type: ignore[call-overload]

    def problem(self, stage: str, message: str, function: str | None = None) -> None:
        logger.info("%s, %s: %s", self.source.label, self.region, message)
        self.problems.append(
            InventoryProblem(self.source.label, self.region, stage, message, function)
        )


@dataclass(frozen=True)
class _StateMachine:
    arn: str
    account: str
    region: str
    targets: tuple[str, ...]
    """Function ARNs, partial ARNs or names its task states invoke."""


def _list_scope(
    scope: _Scope, request: InventoryRequest, pool: ThreadPoolExecutor
) -> tuple[list[InventoryRow], list[_StateMachine], list[InventoryProblem]]:
    try:
        lambda_client = scope.client("lambda")
        listed = list(_listed_functions(lambda_client, request.runtimes))
    except _AWS_ERRORS as exc:
        scope.problem("list-functions", failure_text(exc, "lambda:ListFunctions"))
        return [], [], scope.problems
    rows = [_row(scope, listed_function) for listed_function in listed]
    detailed = [pool.submit(_describe_function, scope, lambda_client, row) for row in rows]
    rows = [future.result() for future in detailed]
    if request.invocation_days is not None and rows:
        rows = _with_invocations(scope, rows, request.invocation_days)
    machines = _state_machines(scope) if request.state_machines else []
    return rows, machines, scope.problems


def _listed_functions(client: Any, runtimes: Sequence[str]) -> Iterator[Mapping[str, Any]]:
    for page in client.get_paginator("list_functions").paginate():
        for listed in page.get("Functions", []):
            if _wanted(listed, runtimes):
                yield listed


def _wanted(listed: Mapping[str, Any], runtimes: Sequence[str]) -> bool:
    """Images always (their runtime is not in the configuration); else the runtimes asked."""
    if listed.get("PackageType") == "Image":
        return True
    runtime = listed.get("Runtime")
    if runtimes:
        return runtime in runtimes
    return isinstance(runtime, str) and runtime.startswith("python")


def _row(scope: _Scope, listed: Mapping[str, Any]) -> InventoryRow:
    arn = str(listed.get("FunctionArn", ""))
    match = _LAMBDA_ARN.fullmatch(arn)
    return InventoryRow(
        account=match["account"] if match else "",
        region=scope.region,
        name=str(listed.get("FunctionName", "")),
        arn=arn,
        runtime=listed.get("Runtime"),
        package_type=str(listed.get("PackageType") or "Zip"),
        architectures=tuple(listed.get("Architectures") or ("x86_64",)),
        code_size=listed.get("CodeSize"),
        code_sha256=listed.get("CodeSha256"),
        last_modified=listed.get("LastModified"),
        handler=listed.get("Handler"),
        layers=tuple(str(layer["Arn"]) for layer in listed.get("Layers") or ()),
        profile=scope.source.profile,
        role_arn=scope.source.role_arn,
    )


def _describe_function(scope: _Scope, client: Any, row: InventoryRow) -> InventoryRow:
    """The row with its tags, published versions and aliases, each read on its own."""
    tags: Mapping[str, str] | None = None
    versions: int | None = None
    aliases: tuple[str, ...] | None = None
    try:
        tags = dict(client.list_tags(Resource=row.arn).get("Tags", {}))
    except _AWS_ERRORS as exc:
        scope.problem(
            "tags",
            f"{row.name} listed, its tags not available: " + failure_text(exc, "lambda:ListTags"),
            row.arn,
        )
    try:
        versions = sum(
            1
            for page in client.get_paginator("list_versions_by_function").paginate(
                FunctionName=row.name
            )
            for version in page.get("Versions", [])
            if version.get("Version") != "$LATEST"
        )
    except _AWS_ERRORS as exc:
        scope.problem(
            "versions",
            f"{row.name} listed, its versions not available: "
            + failure_text(exc, "lambda:ListVersionsByFunction"),
            row.arn,
        )
    try:
        aliases = tuple(
            sorted(
                str(alias["Name"])
                for page in client.get_paginator("list_aliases").paginate(FunctionName=row.name)
                for alias in page.get("Aliases", [])
            )
        )
    except _AWS_ERRORS as exc:
        scope.problem(
            "aliases",
            f"{row.name} listed, its aliases not available: "
            + failure_text(exc, "lambda:ListAliases"),
            row.arn,
        )
    return replace(row, tags=tags, versions=versions, aliases=aliases)


def queries_per_call(days: int) -> int:
    """How many one-function queries fit in one ``GetMetricData`` call over ``days`` days,
    one daily data point each: at most 500 queries and 100,800 data points."""
    return max(1, min(MAX_QUERIES_PER_CALL, MAX_DATAPOINTS_PER_CALL // max(1, days)))


def _with_invocations(scope: _Scope, rows: list[InventoryRow], days: int) -> list[InventoryRow]:
    """``rows`` with the sum of their ``Invocations`` over ``days`` days, batched."""
    end = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
    start = end - dt.timedelta(days=days)
    totals: dict[str, float] = {}
    try:
        client = scope.client("cloudwatch")
        chunk = queries_per_call(days)
        for first in range(0, len(rows), chunk):
            batch = rows[first : first + chunk]
            queries = [
                {
                    "Id": f"q{index}",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "AWS/Lambda",
                            "MetricName": "Invocations",
                            "Dimensions": [{"Name": "FunctionName", "Value": row.name}],
                        },
                        "Period": _DAY_SECONDS,
                        "Stat": "Sum",
                    },
                    "ReturnData": True,
                }
                for index, row in enumerate(batch)
            ]
            for page in client.get_paginator("get_metric_data").paginate(
                MetricDataQueries=queries, StartTime=start, EndTime=end
            ):
                for result in page.get("MetricDataResults", []):
                    row = batch[int(str(result["Id"])[1:])]
                    totals[row.arn] = totals.get(row.arn, 0.0) + sum(result.get("Values", []))
    except _AWS_ERRORS as exc:
        scope.problem(
            "invocations",
            "functions listed, their invocations not available: "
            + failure_text(exc, "cloudwatch:GetMetricData"),
        )
        return rows
    return [replace(row, invocations=round(totals.get(row.arn, 0.0))) for row in rows]


def _state_machines(scope: _Scope) -> list[_StateMachine]:
    machines: list[_StateMachine] = []
    try:
        client = scope.client("stepfunctions")
        for page in client.get_paginator("list_state_machines").paginate():
            for listed in page.get("stateMachines", []):
                arn = str(listed["stateMachineArn"])
                described = client.describe_state_machine(stateMachineArn=arn)
                try:
                    definition = json.loads(described.get("definition", "{}"))
                except json.JSONDecodeError:
                    scope.problem("state-machines", f"{arn}: its definition is not JSON")
                    continue
                account = arn.split(":")[4] if arn.count(":") >= 5 else ""
                machines.append(
                    _StateMachine(arn, account, scope.region, tuple(invoked_functions(definition)))
                )
    except _AWS_ERRORS as exc:
        scope.problem(
            "state-machines",
            "functions listed, the state machines invoking them not available: "
            + failure_text(exc, "states:ListStateMachines and states:DescribeStateMachine"),
        )
    return machines


def invoked_functions(definition: object) -> list[str]:
    """The functions a state machine definition's ``Task`` states invoke, as written there.

    A task names a function either as its ``Resource`` (a function ARN) or through the
    ``arn:aws:states:::lambda:invoke`` integration, whose ``Parameters`` (JSONPath) or
    ``Arguments`` (JSONata) hold ``FunctionName``: a name, a partial ARN or an ARN. States
    nested in ``Parallel`` branches and ``Map`` iterators count too; a name computed at run
    time (``FunctionName.$``) cannot be known and is left out.
    """
    found: list[str] = []
    for state in _task_states(definition):
        resource = state.get("Resource")
        if not isinstance(resource, str):
            continue
        if _LAMBDA_ARN.fullmatch(resource):
            found.append(resource)
        elif resource.startswith("arn:") and ":states:::lambda:invoke" in resource:
            for key in ("Parameters", "Arguments"):
                parameters = state.get(key)
                if isinstance(parameters, dict) and isinstance(parameters.get("FunctionName"), str):
                    found.append(parameters["FunctionName"])
    return found


def _task_states(definition: object) -> Iterator[Mapping[str, Any]]:
    if not isinstance(definition, dict):
        return
    states = definition.get("States")
    if not isinstance(states, dict):
        return
    for state in states.values():
        if not isinstance(state, dict):
            continue
        if state.get("Type") == "Task":
            yield state
        for branch in state.get("Branches") or ():
            yield from _task_states(branch)
        for key in ("Iterator", "ItemProcessor"):
            yield from _task_states(state.get(key))


def _with_state_machines(
    rows: Iterable[InventoryRow], machines: Sequence[_StateMachine]
) -> list[InventoryRow]:
    rows = list(rows)
    by_arn = {row.arn: row for row in rows}
    by_name = {(row.account, row.region, row.name): row.arn for row in rows}
    invoking: dict[str, set[str]] = {}
    for machine in machines:
        for target in machine.targets:
            arn = _resolve_target(target, machine, by_arn, by_name)
            if arn is not None:
                invoking.setdefault(arn, set()).add(machine.arn)
    return [replace(row, state_machines=tuple(sorted(invoking.get(row.arn, ())))) for row in rows]


def _resolve_target(
    target: str,
    machine: _StateMachine,
    by_arn: Mapping[str, InventoryRow],
    by_name: Mapping[tuple[str, str, str], str],
) -> str | None:
    full = _LAMBDA_ARN.fullmatch(target)
    if full is not None:
        unqualified = target.removesuffix(f":{full['qualifier']}") if full["qualifier"] else target
        return unqualified if unqualified in by_arn else None
    partial = _PARTIAL_ARN.fullmatch(target)
    if partial is not None:
        return by_name.get((partial["account"], machine.region, partial["name"]))
    bare = _FUNCTION_NAME.fullmatch(target)
    if bare is not None:
        return by_name.get((machine.account, machine.region, bare["name"]))
    return None


# --------------------------------------------------------------------------- files

_COLUMNS = (
    "account",
    "region",
    "name",
    "arn",
    "runtime",
    "package_type",
    "architectures",
    "code_size",
    "code_sha256",
    "last_modified",
    "handler",
    "layers",
    "versions",
    "aliases",
    "invocations",
    "state_machines",
    "profile",
    "role_arn",
)
_TAG_PREFIX = "tag:"
_PROBLEM_COLUMNS = ("problem_stage", "problem")
_LIST_SEPARATOR = ";"


def write_inventory(inventory: Inventory, path: Path) -> None:
    """Write ``inventory`` to ``path`` as CSV (``.csv``) or JSON (``.json``)."""
    text = inventory_text(inventory, _format_of(path))
    try:
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def inventory_text(inventory: Inventory, fmt: str) -> str:
    """``inventory`` as the text of a ``csv`` or ``json`` file."""
    if fmt == "json":
        return json.dumps(_document(inventory), indent=2, ensure_ascii=False) + "\n"
    return _csv_text(inventory)


def read_inventory(path: Path) -> Inventory:
    """An inventory written by ``write_inventory``; ``InputError`` when the file is not one."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    if _format_of(path) == "json":
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
        return inventory_from_document(document, source=str(path))
    return _read_csv(text, source=str(path))


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise InputError(f"{path}: an inventory file ends in .csv or .json")
    return suffix[1:]


def _document(inventory: Inventory) -> dict[str, Any]:
    return {
        "inventory_version": INVENTORY_VERSION,
        "tool": {"name": "lambda-analyzer", "version": __version__},
        "generated_at": inventory.generated_at,
        "sources": list(inventory.sources),
        "regions": list(inventory.regions),
        "invocation_days": inventory.invocation_days,
        "summary": {
            "functions": len(inventory.functions),
            "images": sum(1 for row in inventory.functions if row.package_type == "Image"),
            "accounts": list(inventory.accounts),
            "problems": len(inventory.problems),
        },
        "functions": [_row_entry(row) for row in inventory.functions],
        "problems": [
            {
                "source": problem.source,
                "region": problem.region,
                "stage": problem.stage,
                "function": problem.function,
                "message": problem.message,
            }
            for problem in inventory.problems
        ],
    }


def _row_entry(row: InventoryRow) -> dict[str, Any]:
    return {
        "account": row.account,
        "region": row.region,
        "name": row.name,
        "arn": row.arn,
        "runtime": row.runtime,
        "package_type": row.package_type,
        "architectures": list(row.architectures),
        "code_size": row.code_size,
        "code_sha256": row.code_sha256,
        "last_modified": row.last_modified,
        "handler": row.handler,
        "layers": list(row.layers),
        "tags": dict(row.tags) if row.tags is not None else None,
        "versions": row.versions,
        "aliases": list(row.aliases) if row.aliases is not None else None,
        "invocations": row.invocations,
        "state_machines": list(row.state_machines),
        "profile": row.profile,
        "role_arn": row.role_arn,
    }


def is_inventory_document(document: object) -> bool:
    """Whether parsed JSON is an inventory written by this tool."""
    return isinstance(document, dict) and "inventory_version" in document


def inventory_from_document(document: object, *, source: str) -> Inventory:
    """The inventory held by parsed JSON; ``InputError`` naming ``source`` when it is not one."""
    if not is_inventory_document(document):
        raise InputError(f"{source}: not a lambda-analyzer inventory (no inventory_version)")
    assert isinstance(document, dict)
    version = document["inventory_version"]
    if version != INVENTORY_VERSION:
        raise InputError(
            f"{source}: inventory version {version} is not supported "
            f"(this tool reads version {INVENTORY_VERSION})"
        )
    functions = document.get("functions")
    if not isinstance(functions, list):
        raise InputError(f"{source}: functions is not a list")
    try:
        rows = tuple(_row_from_entry(entry) for entry in functions)
        problems = tuple(
            InventoryProblem(
                source=str(entry.get("source", "")),
                region=entry.get("region"),
                stage=str(entry.get("stage", "")),
                message=str(entry.get("message", "")),
                function=entry.get("function"),
            )
            for entry in document.get("problems") or ()
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"{source}: a function entry is malformed ({exc})") from None
    return Inventory(
        functions=rows,
        problems=problems,
        generated_at=document.get("generated_at"),
        regions=tuple(document.get("regions") or ()),
        sources=tuple(document.get("sources") or ()),
        invocation_days=document.get("invocation_days"),
    )


def _row_from_entry(entry: Mapping[str, Any]) -> InventoryRow:
    tags = entry.get("tags")
    aliases = entry.get("aliases")
    return InventoryRow(
        account=str(entry.get("account") or ""),
        region=str(entry["region"]),
        name=str(entry["name"]),
        arn=str(entry["arn"]),
        runtime=entry.get("runtime"),
        package_type=str(entry.get("package_type") or "Zip"),
        architectures=tuple(entry.get("architectures") or ()),
        code_size=_optional_int(entry.get("code_size")),
        code_sha256=entry.get("code_sha256"),
        last_modified=entry.get("last_modified"),
        handler=entry.get("handler"),
        layers=tuple(str(layer) for layer in entry.get("layers") or ()),
        tags={str(key): str(value) for key, value in tags.items()} if tags is not None else None,
        versions=_optional_int(entry.get("versions")),
        aliases=tuple(str(alias) for alias in aliases) if aliases is not None else None,
        invocations=_optional_int(entry.get("invocations")),
        state_machines=tuple(str(arn) for arn in entry.get("state_machines") or ()),
        profile=entry.get("profile"),
        role_arn=entry.get("role_arn"),
    )


def _optional_int(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ValueError(f"{value!r} is not a whole number")


def _csv_text(inventory: Inventory) -> str:
    tag_keys = sorted({key for row in inventory.functions for key in row.tags or {}})
    header = [*_COLUMNS, *(f"{_TAG_PREFIX}{key}" for key in tag_keys), *_PROBLEM_COLUMNS]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in inventory.functions:
        entry = _row_entry(row)
        cells = [_cell(entry[column]) for column in _COLUMNS]
        # An absent tag is an empty cell; tags that could not be read leave every cell empty.
        cells += [_cell((row.tags or {}).get(key)) for key in tag_keys]
        writer.writerow([*cells, "", ""])
    for problem in inventory.problems:
        cells = [""] * len(header)
        cells[header.index("account")] = problem.source
        cells[header.index("region")] = problem.region or ""
        cells[header.index("arn")] = problem.function or ""
        cells[-2] = problem.stage
        cells[-1] = _cell(problem.message)
        writer.writerow(cells)
    return buffer.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        text = _LIST_SEPARATOR.join(str(item) for item in value)
    elif isinstance(value, dict):
        text = json.dumps(value, sort_keys=True)
    else:
        text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _uncell(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def _read_csv(text: str, *, source: str) -> Inventory:
    reader = csv.DictReader(io.StringIO(text))
    fields = reader.fieldnames or []
    missing = [column for column in ("region", "name", "arn") if column not in fields]
    if missing:
        raise InputError(f"{source}: not an inventory CSV (no {', '.join(missing)} column)")
    tag_columns = [column for column in fields if column.startswith(_TAG_PREFIX)]
    rows: list[InventoryRow] = []
    problems: list[InventoryProblem] = []
    for line, record in enumerate(reader, start=2):
        cells = {key: _uncell(value or "") for key, value in record.items() if key is not None}
        if cells.get("problem"):
            problems.append(
                InventoryProblem(
                    source=cells.get("account", ""),
                    region=cells.get("region") or None,
                    stage=cells.get("problem_stage", ""),
                    message=cells["problem"],
                    function=cells.get("arn") or None,
                )
            )
            continue
        try:
            rows.append(_row_from_cells(cells, tag_columns))
        except ValueError as exc:
            raise InputError(f"{source}:{line}: {exc}") from None
    return Inventory(functions=tuple(rows), problems=tuple(problems))


def _row_from_cells(cells: Mapping[str, str], tag_columns: Sequence[str]) -> InventoryRow:
    def listed(column: str) -> tuple[str, ...]:
        value = cells.get(column, "")
        return tuple(item for item in value.split(_LIST_SEPARATOR) if item)

    if not cells.get("arn") and not cells.get("name"):
        raise ValueError("a row has neither an arn nor a name")
    tags = {
        column.removeprefix(_TAG_PREFIX): cells[column] for column in tag_columns if cells[column]
    }
    return InventoryRow(
        account=cells.get("account", ""),
        region=cells.get("region", ""),
        name=cells.get("name", ""),
        arn=cells.get("arn", ""),
        runtime=cells.get("runtime") or None,
        package_type=cells.get("package_type") or "Zip",
        architectures=listed("architectures"),
        code_size=_optional_int(cells.get("code_size")),
        code_sha256=cells.get("code_sha256") or None,
        last_modified=cells.get("last_modified") or None,
        handler=cells.get("handler") or None,
        layers=listed("layers"),
        tags=tags,
        versions=_optional_int(cells.get("versions")),
        aliases=listed("aliases"),
        invocations=_optional_int(cells.get("invocations")),
        state_machines=listed("state_machines"),
        profile=cells.get("profile") or None,
        role_arn=cells.get("role_arn") or None,
    )
