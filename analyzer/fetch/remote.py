"""A deployed function and its layers, fetched from AWS onto disk and ready for analysis."""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import FetchError
from analyzer.fetch.archive import DEFAULT_LIMITS, ExtractionLimits
from analyzer.fetch.cache import CodeCache
from analyzer.fetch.download import DEFAULT_POLICY, DownloadPolicy, PresignedUrl, download
from analyzer.fetch.lambda_api import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_RETRY_MODE,
    DeployedFunction,
    LambdaApi,
    RetryMode,
    parse_function_target,
    split_layer_version_arn,
)
from analyzer.fetch.local import (
    FETCH_STAGE,
    ConfiguredLayer,
    FunctionConfiguration,
    load_local_function,
)
from analyzer.models import AnalysisError, Function, Layer

logger = logging.getLogger(__name__)

_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class RemoteFetch:
    """A deployed function on disk, and what of it could not be fetched or extracted."""

    function: Function
    """Its code under ``workdir/function`` and each readable layer under
    ``workdir/layers/<name>``; ``code_root`` is ``""`` when there is no code to analyse (a
    container image, a download that failed), and its layers are then listed with ``root``
    ``""``, not downloaded."""
    errors: tuple[AnalysisError, ...]
    """Parts not analysed, and why: a container image, a layer the caller may not read, a
    download that failed or did not match its hash, archive members refused."""
    configuration: FunctionConfiguration
    """The configuration as AWS gave it, without environment variable values."""


def fetch_function(
    target: str,
    *,
    workdir: Path,
    region: str | None = None,
    profile: str | None = None,
    cache: CodeCache | None = None,
    runtime: str | None = None,
    handler: str | None = None,
    architecture: str | None = None,
    download_policy: DownloadPolicy = DEFAULT_POLICY,
    limits: ExtractionLimits = DEFAULT_LIMITS,
    retry_mode: RetryMode = DEFAULT_RETRY_MODE,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> RemoteFetch:
    """Fetch the function ``target`` (an ARN, partial ARN or name) and its layers into
    ``workdir``, which must be empty or absent.

    The configuration from ``GetFunction`` gives the runtime, handler, architecture and
    layers; ``runtime``, ``handler`` and ``architecture`` override it and are listed in
    ``Function.overrides``. The code and each layer (from ``GetLayerVersion``, in
    configuration order) come from ``cache`` when it holds their ``CodeSha256``, and are
    otherwise downloaded (into ``cache`` when there is one) and checked against it, then
    extracted safely. ``region`` and ``profile`` act as ``--region`` and ``--profile`` do
    for the AWS CLI; the region inside a full ARN wins.

    Raises ``FetchError`` when the function itself cannot be read (not found, access
    denied, no credentials, no region, an invalid ARN). Whatever else goes wrong is
    returned in ``RemoteFetch.errors`` and the rest is still fetched, except that a
    function whose own code cannot be had (a container image, a failed download) is
    returned with no code and its layers are not downloaded.
    """
    function_target = parse_function_target(target)
    if function_target.region and region and function_target.region != region:
        logger.info("using region %s from the ARN rather than %s", function_target.region, region)
    api = LambdaApi.connect(
        region=function_target.region or region,
        profile=profile,
        retry_mode=retry_mode,
        max_attempts=max_attempts,
        subject=f"function {function_target}",
    )
    deployed = api.get_function(function_target.function_name, function_target.qualifier)
    return _Fetcher(api, cache, workdir, download_policy).fetch(
        deployed,
        runtime=runtime,
        handler=handler,
        architecture=architecture,
        limits=limits,
    )


class _Fetcher:
    """Downloads what one function needs, collecting what could not be had."""

    def __init__(
        self, api: LambdaApi, cache: CodeCache | None, workdir: Path, policy: DownloadPolicy
    ) -> None:
        if workdir.exists() and any(workdir.iterdir()):
            raise ValueError(f"workdir {workdir} is not empty")
        self.api = api
        self.cache = cache
        self.workdir = workdir
        self.policy = policy
        self.downloads = workdir / "downloads"
        # load_local_function looks for the zips of configured layers in the folder "layers"
        # beside the function's zip, each named after its layer.
        self.layer_zips = self.downloads / "layers"
        self.layer_zips.mkdir(parents=True)
        self.errors: list[AnalysisError] = []

    def fetch(
        self,
        deployed: DeployedFunction,
        *,
        runtime: str | None,
        handler: str | None,
        architecture: str | None,
        limits: ExtractionLimits,
    ) -> RemoteFetch:
        configuration = deployed.configuration
        code = self.function_code(deployed)
        if code is None:
            return self.without_code(
                configuration, runtime=runtime, handler=handler, architecture=architecture
            )

        layers = self.layers(configuration.layers)
        # TODO: a layer zip that the archive checks refuse outright (not a zip, too many
        # members) ends the whole fetch in an ArchiveError instead of leaving that layer out
        # (load_local_function recording such a layer as an analysis error would retire it).
        function = load_local_function(
            code,
            self.workdir,
            config=dataclasses.replace(configuration, layers=layers),
            runtime=runtime,
            handler=handler,
            architecture=architecture,
            limits=limits,
            errors=self.errors,
        )
        return RemoteFetch(function, tuple(self.errors), configuration)

    def without_code(
        self,
        configuration: FunctionConfiguration,
        *,
        runtime: str | None,
        handler: str | None,
        architecture: str | None,
    ) -> RemoteFetch:
        """The function as configured, with no code to analyse (``code_root`` empty).

        Without its own code there is no handler to start from: an empty package would
        report the handler missing, and every layer finding unreached. So nothing is
        analysed, its layers are listed from the configuration but not downloaded.
        """
        # load_local_function applies the options over the configuration and checks them;
        # an empty folder stands in for the code it needs.
        empty = self.downloads / "function"
        empty.mkdir()
        function = load_local_function(
            empty,
            self.workdir,
            config=dataclasses.replace(configuration, layers=()),
            runtime=runtime,
            handler=handler,
            architecture=architecture,
            errors=self.errors,
        )
        layers = tuple(
            Layer(name=layer.name, root="", arn=layer.arn) for layer in configuration.layers
        )
        function = dataclasses.replace(function, code_root="", layers=layers)
        return RemoteFetch(function, tuple(self.errors), configuration)

    def record(self, message: str, path: str | None = None) -> None:
        logger.warning("%s", message)
        self.errors.append(AnalysisError(stage=FETCH_STAGE, message=message, path=path))

    def function_code(self, deployed: DeployedFunction) -> Path | None:
        """The function's verified zip, or ``None`` when it cannot be had."""
        configuration = deployed.configuration
        name = configuration.name or "function"
        # The name comes from the API's answer: it only names a file when it is a plain one.
        file_name = name if _PLAIN_NAME.fullmatch(name) else "function"
        if configuration.package_type == "Image":
            self.record(
                f"function {name} is a container image (PackageType Image): there is no zip "
                "to download, so its code is not analysed"
            )
            return None
        try:
            return self.code_zip(
                configuration.code_sha256,
                deployed.code_location,
                self.downloads / f"{file_name}.zip",
                label=f"function {name}",
            )
        except FetchError as exc:
            self.record(f"{exc}; the function is not analysed")
            return None

    def layers(self, configured: tuple[ConfiguredLayer, ...]) -> tuple[ConfiguredLayer, ...]:
        """The configured layers whose zip was had, in configuration order."""
        fetched: list[ConfiguredLayer] = []
        for layer in configured:
            if any(earlier.name == layer.name for earlier in fetched):
                self.record(
                    f"layer {layer.arn} has the same name as an earlier layer; "
                    "its content is not analysed",
                    path=f"layers/{layer.name}",
                )
                continue
            try:
                layer_arn, version = split_layer_version_arn(layer.arn)
                content = self.api.get_layer_version(layer_arn, version)
                self.code_zip(
                    content.code_sha256,
                    content.location,
                    self.layer_zips / f"{layer.name}.zip",
                    label=f"layer {layer.arn}",
                )
            except FetchError as exc:
                self.record(f"{exc}; its content is not analysed", path=f"layers/{layer.name}")
                continue
            fetched.append(layer)
        return tuple(fetched)

    def code_zip(
        self,
        code_sha256: str | None,
        location: PresignedUrl | None,
        destination: Path,
        *,
        label: str,
    ) -> Path:
        """``destination`` holding the verified zip, from the cache or downloaded."""
        if not code_sha256:
            raise FetchError(f"{label}: the Lambda API gave no CodeSha256")
        if self.cache is not None:
            cached = self.cache.lookup(code_sha256)
            if cached is not None:
                _link(cached, destination)
                return destination
        if location is None:
            raise FetchError(f"{label}: the Lambda API gave no code location")

        stored = self.cache.zip_path(code_sha256) if self.cache is not None else destination
        download(location, stored, code_sha256=code_sha256, label=label, policy=self.policy)
        if stored != destination:
            _link(stored, destination)
        return destination


def _link(cached: Path, destination: Path) -> None:
    """Make the cached zip appear at ``destination`` without copying it where possible."""
    try:
        os.symlink(cached.resolve(), destination)
    except OSError:
        shutil.copyfile(cached, destination)
