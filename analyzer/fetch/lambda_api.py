"""The Lambda API calls the tool makes, through boto3, each failure turned into one clear line."""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import boto3
import botocore.exceptions
import botocore.loaders
import botocore.session
from botocore.config import Config

from analyzer import __version__
from analyzer.errors import FetchError
from analyzer.fetch.download import PresignedUrl
from analyzer.fetch.local import FunctionConfiguration, configuration_from_document

if TYPE_CHECKING:
    from mypy_boto3_lambda.client import LambdaClient
    from mypy_boto3_lambda.type_defs import PaginatorConfigTypeDef

logger = logging.getLogger(__name__)

RetryMode = Literal["standard", "adaptive"]

DEFAULT_RETRY_MODE: RetryMode = "standard"
DEFAULT_MAX_ATTEMPTS = 5
"""Tries per API call, the first included; botocore's retry mode spaces them out."""

# Lambda's naming rules, from the FunctionName and Qualifier parameters of GetFunction:
# https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html#API_GetFunction_RequestSyntax
_NAME = r"(?P<name>[A-Za-z0-9_-]{1,64})"
_QUALIFIER = r"(?::(?P<qualifier>\$LATEST|[A-Za-z0-9_-]{1,128}))?"
_FUNCTION_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    rf"function:{_NAME}{_QUALIFIER}"
)
_PARTIAL_ARN = re.compile(rf"(?P<account>\d{{12}}):function:{_NAME}{_QUALIFIER}")
_BARE_NAME = re.compile(rf"{_NAME}{_QUALIFIER}")
_LAYER_VERSION_ARN = re.compile(
    r"(?P<layer_arn>arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+):"
    r"(?P<version>[0-9]+)"
)

# botocore logs whole requests and responses at DEBUG: environment variable values,
# presigned code locations and signed headers. Those loggers are held at INFO.
_CHATTY_LOGGERS = ("botocore", "boto3")

# Error codes that mean the caller may not make the call, from the Lambda API reference
# (AccessDeniedException) and the common errors of every AWS API.
_REFUSED = frozenset(
    {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "ForbiddenException"}
)
_BAD_CREDENTIALS = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
    }
)
_THROTTLED = frozenset({"TooManyRequestsException", "ThrottlingException", "Throttling"})


@dataclass(frozen=True)
class FunctionTarget:
    """A deployed function as named on the command line: an ARN, a partial ARN or a name."""

    function_name: str
    """What ``FunctionName`` is given: the ARN, partial ARN or name, without its qualifier."""
    qualifier: str | None = None
    """A version number, an alias or ``$LATEST``."""
    region: str | None = None
    """The region inside a full ARN; it wins over ``--region`` and the profile's region."""
    account: str | None = None

    def __str__(self) -> str:
        suffix = f":{self.qualifier}" if self.qualifier else ""
        return f"{self.function_name}{suffix}"


@dataclass(frozen=True)
class DeployedFunction:
    """What ``GetFunction`` says: the configuration (no secrets) and where the code lies."""

    configuration: FunctionConfiguration
    code_location: PresignedUrl | None
    """The presigned URL of the deployment package; ``None`` for a container image."""
    repository_type: str | None = None
    """``S3`` for a zip, ``ECR`` for a container image."""


@dataclass(frozen=True)
class LayerContent:
    """What ``GetLayerVersion`` says about where a layer version's zip lies."""

    layer_version_arn: str
    code_sha256: str | None
    code_size: int | None
    location: PresignedUrl | None


@dataclass(frozen=True)
class FunctionSummary:
    """One function of ``ListFunctions``, as listed (runtimes not checked); no secrets."""

    name: str
    arn: str
    runtime: str | None
    package_type: str | None
    architectures: tuple[str, ...]
    code_sha256: str | None
    layer_arns: tuple[str, ...]


def is_function_target(text: str) -> bool:
    """Whether ``text`` names a deployed function rather than a local path.

    Anything that exists on disk is local; otherwise a function ARN, a partial ARN
    (``123456789012:function:NAME``) or a function name, each with an optional qualifier.
    """
    if Path(text).exists():
        return False
    return any(
        pattern.fullmatch(text) for pattern in (_FUNCTION_ARN, _PARTIAL_ARN, _BARE_NAME)
    ) or text.startswith("arn:")


def parse_function_target(text: str) -> FunctionTarget:
    """Split a function ARN, partial ARN or name into what ``GetFunction`` takes.

    Raises ``FetchError`` for text that is none of them, such as a layer ARN.
    """
    match = (
        _FUNCTION_ARN.fullmatch(text) or _PARTIAL_ARN.fullmatch(text) or _BARE_NAME.fullmatch(text)
    )
    if match is not None:
        fields = match.groupdict()
        qualifier = fields["qualifier"]
        return FunctionTarget(
            function_name=text.removesuffix(f":{qualifier}") if qualifier else text,
            qualifier=qualifier,
            region=fields.get("region"),
            account=fields.get("account"),
        )
    raise FetchError(
        f"{text!r} is not a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME"
        "[:QUALIFIER]), partial ARN (ACCOUNT:function:NAME) or function name"
    )


def split_layer_version_arn(layer_version_arn: str) -> tuple[str, int]:
    """``arn:...:layer:NAME:7`` as the layer ARN ``arn:...:layer:NAME`` and the version ``7``."""
    match = _LAYER_VERSION_ARN.fullmatch(layer_version_arn)
    if match is None:
        raise FetchError(f"{layer_version_arn!r} is not a layer version ARN")
    return match["layer_arn"], int(match["version"])


class LambdaApi:
    """A Lambda client whose calls return the tool's own types and raise ``FetchError``.

    Throttling and transient failures are retried by botocore's retry mode (``standard`` or
    ``adaptive``), configured when the client is made.
    """

    def __init__(self, client: LambdaClient) -> None:
        self.client = client

    @property
    def region(self) -> str:
        """The region the client calls."""
        return self.client.meta.region_name

    @classmethod
    def connect(
        cls,
        *,
        region: str | None = None,
        profile: str | None = None,
        retry_mode: RetryMode = DEFAULT_RETRY_MODE,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        subject: str = "the Lambda API",
    ) -> LambdaApi:
        """A client as the AWS CLI would make it: ``profile`` and ``region`` like ``--profile``
        and ``--region``, credentials from boto3's standard chain, and ``AWS_ENDPOINT_URL``
        (or the profile's ``endpoint_url``) honoured by boto3 itself.

        Without ``region``, ``AWS_REGION`` wins over ``AWS_DEFAULT_REGION`` and the profile's
        region, as for the AWS CLI (https://docs.aws.amazon.com/cli/latest/userguide/
        cli-configure-envvars.html); boto3 reads only the other two.

        ``subject`` (``function orders-api``) begins the message of a ``FetchError``.
        """
        _hold_chatty_loggers()
        region = region or os.environ.get("AWS_REGION") or None
        config = Config(
            # total_max_attempts counts the first try; botocore's max_attempts does not.
            retries={"mode": retry_mode, "total_max_attempts": max_attempts},
            user_agent_extra=f"lambda-analyzer/{__version__}",
        )
        try:
            core = botocore.session.Session()
            core.register_component("data_loader", _data_loader())
            session = boto3.Session(botocore_session=core, profile_name=profile, region_name=region)
            client = session.client("lambda", config=config)
        except (botocore.exceptions.BotoCoreError, ValueError) as exc:
            raise _fetch_error(exc, subject, region) from None
        return cls(client)

    def get_function(self, name_or_arn: str, qualifier: str | None = None) -> DeployedFunction:
        """The configuration and code location of a function (``lambda:GetFunction``)."""
        subject = f"function {name_or_arn}" + (f":{qualifier}" if qualifier else "")
        try:
            if qualifier is None:
                response = self.client.get_function(FunctionName=name_or_arn)
            else:
                response = self.client.get_function(FunctionName=name_or_arn, Qualifier=qualifier)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            raise _fetch_error(exc, subject, self.region) from None

        configuration = configuration_from_document(dict(response), source=subject)
        code = response.get("Code", {})
        location = code.get("Location")
        return DeployedFunction(
            configuration=configuration,
            code_location=PresignedUrl(location) if location else None,
            repository_type=code.get("RepositoryType"),
        )

    def get_layer_version(self, layer_arn: str, version: int) -> LayerContent:
        """Where a layer version's zip lies (``lambda:GetLayerVersion``).

        ``layer_arn`` is the layer's ARN without the version; a layer of another account is
        read the same way when its owner granted the caller ``lambda:GetLayerVersion``.
        """
        subject = f"layer {layer_arn}:{version}"
        try:
            response = self.client.get_layer_version(LayerName=layer_arn, VersionNumber=version)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            raise _fetch_error(exc, subject, self.region) from None

        content = response.get("Content", {})
        location = content.get("Location")
        return LayerContent(
            layer_version_arn=response.get("LayerVersionArn", f"{layer_arn}:{version}"),
            code_sha256=content.get("CodeSha256"),
            code_size=content.get("CodeSize"),
            location=PresignedUrl(location) if location else None,
        )

    def list_functions(self, *, page_size: int | None = None) -> Iterator[FunctionSummary]:
        """Every function of the region, page by page (``lambda:ListFunctions``)."""
        pagination: PaginatorConfigTypeDef = {"PageSize": page_size} if page_size else {}
        paginator = self.client.get_paginator("list_functions")
        try:
            for page in paginator.paginate(PaginationConfig=pagination):
                for listed in page.get("Functions", []):
                    yield FunctionSummary(
                        name=listed.get("FunctionName", ""),
                        arn=listed.get("FunctionArn", ""),
                        runtime=listed.get("Runtime"),
                        package_type=listed.get("PackageType"),
                        architectures=tuple(listed.get("Architectures", ())),
                        code_sha256=listed.get("CodeSha256"),
                        layer_arns=tuple(layer["Arn"] for layer in listed.get("Layers", ())),
                    )
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            raise _fetch_error(exc, f"the functions of {self.region}", self.region) from None


@functools.cache
def _data_loader() -> botocore.loaders.Loader:
    """One loader of botocore's service models for every client: each new session would
    otherwise parse them again, which costs more than a whole fetch of a small function."""
    return botocore.loaders.create_loader()


def _hold_chatty_loggers() -> None:
    for name in _CHATTY_LOGGERS:
        chatty = logging.getLogger(name)
        if chatty.getEffectiveLevel() < logging.INFO:
            chatty.setLevel(logging.INFO)
            logger.debug("%s DEBUG records hold secrets; that logger is kept at INFO", name)


def _fetch_error(exc: Exception, subject: str, region: str | None) -> FetchError:
    """One line for a failed call: what failed and what to do, never a credential or URL."""
    if isinstance(exc, botocore.exceptions.ClientError):
        return _client_error(exc, subject, region)
    if isinstance(exc, botocore.exceptions.ProfileNotFound):
        profile = exc.kwargs.get("profile", "")
        return FetchError(f"{subject}: the AWS profile {profile!r} is not configured")
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return FetchError(
            f"{subject}: no AWS credentials found (set them in the environment, the shared "
            "credentials file or a --profile)"
        )
    if isinstance(exc, botocore.exceptions.PartialCredentialsError):
        return FetchError(f"{subject}: the AWS credentials are incomplete")
    if isinstance(
        exc,
        botocore.exceptions.CredentialRetrievalError
        | botocore.exceptions.TokenRetrievalError
        | botocore.exceptions.SSOError,
    ):
        return FetchError(
            f"{subject}: the AWS credentials could not be loaded (an expired SSO session "
            "or a failing credential process?)"
        )
    if isinstance(exc, botocore.exceptions.NoRegionError):
        return FetchError(
            f"{subject}: no AWS region; give --region, a full function ARN, or a profile "
            "with a region"
        )
    if isinstance(exc, botocore.exceptions.InvalidRegionError):
        return FetchError(f"{subject}: {region!r} is not a valid AWS region name")
    if isinstance(exc, botocore.exceptions.ConnectionError | botocore.exceptions.HTTPClientError):
        return FetchError(f"{subject}: the Lambda API endpoint for {region} cannot be reached")
    if isinstance(exc, botocore.exceptions.ParamValidationError):
        return FetchError(f"{subject}: not a valid function name, ARN or qualifier")
    return FetchError(f"{subject}: the Lambda API call failed ({type(exc).__name__})")


def _client_error(
    exc: botocore.exceptions.ClientError, subject: str, region: str | None
) -> FetchError:
    error = exc.response.get("Error", {})
    code = error.get("Code", "")
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    action = "lambda:" + exc.operation_name.removesuffix("ByArn")
    if code == "ResourceNotFoundException":
        return FetchError(f"{subject}: not found in {region}")
    if code in _REFUSED:
        # A layer of another account also needs its owner's grant: the caller's policy
        # alone does not open it.
        owner = (
            ", and another account's layer a grant from its owner"
            if action == "lambda:GetLayerVersion"
            else ""
        )
        needs = f"the caller needs {action} (see docs/iam-policy.json){owner}"
        return FetchError(f"{subject}: access denied; {needs}")
    if code in _BAD_CREDENTIALS:
        return FetchError(f"{subject}: the AWS credentials were refused ({code})")
    if code in _THROTTLED:
        return FetchError(f"{subject}: still throttled by the Lambda API after retrying")
    if code in ("InvalidParameterValueException", "ValidationException"):
        return FetchError(f"{subject}: not a valid function name, ARN or qualifier")
    shown = f"{code}, HTTP {status}" if status else code or "no error code"
    return FetchError(f"{subject}: the Lambda API call failed ({shown})")
