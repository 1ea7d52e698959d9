"""Local input: a function folder or deployment zip, its layers, and a saved configuration."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import InputError
from analyzer.fetch.archive import (
    DEFAULT_LIMITS,
    ExtractionLimits,
    ExtractionResult,
    IncompleteExtractionError,
    safe_extract,
    sha256_base64,
)
from analyzer.models import AnalysisError, Function, Layer
from analyzer.runtimes import ARCHITECTURES, DEFAULT_SOURCE, UnknownRuntimeError, get_runtime

logger = logging.getLogger(__name__)

DEFAULT_ARCHITECTURE = "x86_64"
DEFAULT_HANDLER_MODULE = "lambda_function"
DEFAULT_HANDLER = "lambda_function.lambda_handler"
"""The handler the Lambda console gives a new Python function; assumed only when its file exists.

Source: https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html
"""
FETCH_STAGE = "fetch"

_LAYER_VERSION_ARN = re.compile(
    r"arn:(?P<partition>[^:]+):lambda:(?P<region>[^:]*):(?P<account>[^:]*):layer:"
    r"(?P<name>[A-Za-z0-9_-]+):(?P<version>[0-9]+)"
)
_KNOWN_FIELDS = ("FunctionName", "FunctionArn", "Runtime", "Handler", "CodeSha256")


@dataclass(frozen=True)
class ConfiguredLayer:
    """A layer version named in a function's configuration."""

    arn: str
    name: str
    """The layer's name inside its ARN (``...:layer:<name>:<version>``)."""
    version: int
    code_size: int | None = None


@dataclass(frozen=True)
class FunctionConfiguration:
    """What ``aws lambda get-function-configuration`` says about a function, minus its secrets.

    Environment variable values are dropped while reading; only their names are kept. Fields the
    document does not have are ``None``.
    """

    source: str
    """Where the configuration was read from, for messages."""
    name: str | None = None
    arn: str | None = None
    runtime: str | None = None
    """A known runtime name such as ``python3.9``; ``None`` for a container image."""
    handler: str | None = None
    architecture: str | None = None
    layers: tuple[ConfiguredLayer, ...] = ()
    """In configuration order, the order Lambda merges them under ``/opt``."""
    code_sha256: str | None = None
    code_size: int | None = None
    package_type: str | None = None
    environment_names: tuple[str, ...] = ()
    """Names of the environment variables, sorted; their values are never kept."""


def read_configuration(path: Path) -> FunctionConfiguration:
    """Read the JSON of ``get-function-configuration``, or of ``get-function``, from ``path``.

    Raises ``InputError`` naming the file when it cannot be read, is not JSON, is not a
    function configuration, or names an unknown runtime, architecture or layer ARN.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    try:
        # json.loads on bytes detects UTF-8, UTF-16 and UTF-32 (PowerShell writes UTF-16).
        document = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from exc
    except ValueError as exc:
        raise InputError(f"{path}: not valid JSON (not UTF-8, UTF-16 or UTF-32 text)") from exc
    return configuration_from_document(document, source=str(path))


def configuration_from_document(document: object, *, source: str) -> FunctionConfiguration:
    """A ``FunctionConfiguration`` from the parsed JSON (or boto3 response) of either command.

    ``get-function`` wraps the configuration in ``{"Configuration": {...}, "Code": {...}}``;
    ``Code`` holds a presigned URL, which is not read.
    """
    if not isinstance(document, dict):
        raise InputError(f"{source}: not a JSON object")
    if "Functions" in document and "FunctionName" not in document:
        raise InputError(
            f"{source}: holds a list of functions; give the configuration of one function"
        )
    fields: object = document.get("Configuration", document)
    if not isinstance(fields, dict):
        raise InputError(f"{source}: Configuration is not a JSON object")
    if not any(key in fields for key in _KNOWN_FIELDS):
        raise InputError(
            f"{source}: not a Lambda function configuration "
            "(none of FunctionName, FunctionArn, Runtime, Handler, CodeSha256)"
        )
    reader = _FieldReader(fields, source)
    return FunctionConfiguration(
        source=source,
        name=reader.text("FunctionName"),
        arn=reader.text("FunctionArn"),
        runtime=reader.runtime(),
        handler=reader.text("Handler"),
        architecture=reader.architecture(),
        layers=reader.layers(),
        code_sha256=reader.text("CodeSha256"),
        code_size=reader.integer("CodeSize"),
        package_type=reader.text("PackageType"),
        environment_names=reader.environment_names(),
    )


class _FieldReader:
    """Typed access to the fields of one configuration, each error naming its file."""

    def __init__(self, fields: Mapping[str, object], source: str) -> None:
        self.fields = fields
        self.source = source

    def fail(self, detail: str) -> InputError:
        return InputError(f"{self.source}: {detail}")

    def text(self, key: str) -> str | None:
        value = self.fields.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(f"{key} is not a string")
        return value

    def integer(self, key: str) -> int | None:
        value = self.fields.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(f"{key} is not an integer")
        return value

    def runtime(self) -> str | None:
        value = self.text("Runtime")
        if value is None:
            return None
        return _known_runtime(value, self.source)

    def architecture(self) -> str | None:
        value = self.fields.get("Architectures")
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail("Architectures is not a list of strings")
        if not value:
            return None
        return _known_architecture(value[0], self.source)

    def layers(self) -> tuple[ConfiguredLayer, ...]:
        value = self.fields.get("Layers")
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail("Layers is not a list")
        return tuple(self.layer(entry) for entry in value)

    def layer(self, entry: object) -> ConfiguredLayer:
        # The CLI prints objects; a bare ARN string is what create-function takes.
        arn: object = entry.get("Arn") if isinstance(entry, dict) else entry
        if not isinstance(arn, str):
            raise self.fail("a Layers entry has no Arn string")
        match = _LAYER_VERSION_ARN.fullmatch(arn)
        if match is None:
            raise self.fail(f"{arn!r} is not a layer version ARN")
        code_size = entry.get("CodeSize") if isinstance(entry, dict) else None
        return ConfiguredLayer(
            arn=arn,
            name=match["name"],
            version=int(match["version"]),
            code_size=code_size if isinstance(code_size, int) else None,
        )

    def environment_names(self) -> tuple[str, ...]:
        # Values are secrets (credentials, connection strings): only the names are read, and
        # nothing about this field ever reaches a message.
        environment = self.fields.get("Environment")
        variables = environment.get("Variables") if isinstance(environment, dict) else None
        if not isinstance(variables, dict):
            return ()
        return tuple(sorted(str(name) for name in variables))


def _known_runtime(value: str, source: str | None = None) -> str:
    try:
        return get_runtime(value).name
    except UnknownRuntimeError as exc:
        raise InputError(_prefixed(source, str(exc))) from exc


def _known_architecture(value: str, source: str | None = None) -> str:
    if value not in ARCHITECTURES:
        known = ", ".join(ARCHITECTURES)
        detail = f"unknown architecture {value!r}; known architectures: {known}"
        raise InputError(_prefixed(source, detail))
    return value


def _prefixed(source: str | None, detail: str) -> str:
    return f"{source}: {detail}" if source else detail


def layer_search_dir(function_path: Path) -> Path:
    """Where the local copies of a function's configured layers are looked for.

    The folder ``layers`` beside the function folder or zip: for ``cases/X/function`` (or
    ``cases/X/function.zip``) that is ``cases/X/layers``, the shared cases' layout.
    """
    return function_path.absolute().parent / "layers"


def layers_from_configuration(config: FunctionConfiguration, search_dir: Path) -> list[Path]:
    """The local copies of ``config``'s layers found in ``search_dir``, in configuration order.

    The layer named ``<name>`` in its ARN (``...:layer:<name>:<version>``) is the folder
    ``search_dir/<name>/`` or, failing that, the zip ``search_dir/<name>.zip``. Layers with
    neither are left out (see ``load_local_function``, which reports them).
    """
    found: list[Path] = []
    for layer in config.layers:
        local_copy = _local_layer_copy(layer, search_dir)
        if local_copy is None:
            logger.info("layer %s: no local copy in %s", layer.arn, search_dir)
        else:
            found.append(local_copy)
    return found


def _local_layer_copy(layer: ConfiguredLayer, search_dir: Path) -> Path | None:
    folder = search_dir / layer.name
    if folder.is_dir():
        return folder
    archive = search_dir / f"{layer.name}.zip"
    if archive.is_file():
        return archive
    return None


def load_local_function(
    path: Path,
    workdir: Path,
    *,
    config: FunctionConfiguration | None = None,
    layers: Sequence[Path] = (),
    name: str | None = None,
    runtime: str | None = None,
    handler: str | None = None,
    architecture: str | None = None,
    limits: ExtractionLimits = DEFAULT_LIMITS,
    errors: list[AnalysisError] | None = None,
) -> Function:
    """The ``Function`` held in a local folder or deployment zip, with its layers.

    ``path`` is a folder, used in place and never modified, or a zip, extracted safely into
    ``workdir/function``. Each of ``layers`` (a folder or a zip, extracted into
    ``workdir/layers/<name>``) becomes a ``Layer`` named after the folder or the zip's stem,
    in the order given, which is the order Lambda merges layers under ``/opt``. With no
    ``layers`` and a ``config`` that names some, they are looked for with
    ``layers_from_configuration`` in ``layer_search_dir(path)``.

    Values given as arguments (``name``, ``runtime``, ``handler``, ``architecture``,
    ``layers``) win over ``config`` and are listed in ``Function.overrides``. Without either:
    runtime ``python3.9``, architecture ``x86_64``, and handler
    ``lambda_function.lambda_handler`` when ``lambda_function.py`` is at the root, else
    unknown. ``Function.code_sha256`` is the digest of a zip given as ``path``, and ``None``
    for a folder, whose bytes are not those of any deployed zip.

    Skipped archive members, configured layers with no local copy, a zip that does not match
    the configuration's ``CodeSha256`` and an archive cap reached part way are appended to
    ``errors`` as ``AnalysisError`` and the rest is still returned; without an ``errors``
    list, a cap reached part way raises ``IncompleteExtractionError``. A path that is not
    there raises ``InputError``; a file that is not a zip raises ``ArchiveError``.
    """
    configured = config or FunctionConfiguration(source="")
    if runtime is not None:
        runtime = _known_runtime(runtime)
    if architecture is not None:
        _known_architecture(architecture)
    loader = _Loader(workdir, limits, errors)

    code_root, code_sha256 = loader.materialise(path, workdir / "function", layer_name=None)
    if code_sha256 and configured.code_sha256 and code_sha256 != configured.code_sha256:
        loader.record(
            f"{path.name} does not match the CodeSha256 of {configured.source}; "
            f"the report describes {path.name}"
        )

    layer_paths: Sequence[Path] = layers
    if not layers and configured.layers:
        search_dir = layer_search_dir(path)
        layer_paths = layers_from_configuration(configured, search_dir)
        for missing in _missing_layers(configured, search_dir):
            loader.record(
                f"layer {missing.arn} has no local copy ({search_dir}/{missing.name}/ or "
                f"{missing.name}.zip); its content is not analysed"
            )

    given = {
        "name": name,
        "runtime": runtime,
        "handler": handler,
        "architecture": architecture,
        "layers": layers or None,
    }
    return Function(
        name=name or configured.name or _input_name(path),
        code_root=str(code_root),
        source_runtime=runtime or configured.runtime or DEFAULT_SOURCE,
        handler=handler or configured.handler or _default_handler(code_root),
        architecture=architecture or configured.architecture or DEFAULT_ARCHITECTURE,
        arn=configured.arn,
        layers=loader.load_layers(layer_paths, configured),
        code_sha256=code_sha256,
        package_type=configured.package_type or "Zip",
        overrides=tuple(key for key, value in given.items() if value is not None),
    )


def _missing_layers(config: FunctionConfiguration, search_dir: Path) -> list[ConfiguredLayer]:
    return [layer for layer in config.layers if _local_layer_copy(layer, search_dir) is None]


def _input_name(path: Path) -> str:
    absolute = path.absolute()
    return absolute.name if absolute.is_dir() else absolute.stem


def _default_handler(code_root: Path) -> str | None:
    if (code_root / f"{DEFAULT_HANDLER_MODULE}.py").is_file():
        return DEFAULT_HANDLER
    return None


class _Loader:
    """Brings local inputs onto disk, collecting what could not be taken as an analysis error."""

    def __init__(
        self, workdir: Path, limits: ExtractionLimits, errors: list[AnalysisError] | None
    ) -> None:
        self.workdir = workdir
        self.limits = limits
        self.errors = errors

    def record(self, message: str, path: str | None = None) -> None:
        logger.warning("%s", message)
        if self.errors is not None:
            self.errors.append(AnalysisError(stage=FETCH_STAGE, message=message, path=path))

    def materialise(
        self, path: Path, extract_to: Path, layer_name: str | None
    ) -> tuple[Path, str | None]:
        """The folder holding ``path``'s content, and the CodeSha256 when it is a zip."""
        if path.is_dir():
            return path.resolve(), None
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if not path.is_file():
            raise InputError(f"{path}: not a folder or a zip file")
        extract_to.mkdir(parents=True)
        self.report(path, self.extract(path, extract_to), layer_name)
        return extract_to.resolve(), sha256_base64(path)

    def extract(self, archive: Path, destination: Path) -> ExtractionResult:
        try:
            return safe_extract(archive, destination, self.limits)
        except IncompleteExtractionError as exc:
            if self.errors is None:
                raise
            self.record(f"{exc}; the rest of {archive.name} is not analysed")
            return exc.result

    def report(self, archive: Path, result: ExtractionResult, layer_name: str | None) -> None:
        prefix = f"layers/{layer_name}/" if layer_name else ""
        for member in result.skipped:
            self.record(
                f"{archive.name}: member {member.name!r} not extracted ({member.reason})",
                path=prefix + member.name,
            )

    def load_layers(
        self, paths: Sequence[Path], config: FunctionConfiguration
    ) -> tuple[Layer, ...]:
        configured = {layer.name: layer for layer in config.layers}
        loaded: list[Layer] = []
        for path in paths:
            layer_name = _input_name(path)
            if any(layer.name == layer_name for layer in loaded):
                raise InputError(
                    f"{path}: another layer is already named {layer_name!r} "
                    "(a layer is named after its folder or zip)"
                )
            root, code_sha256 = self.materialise(
                path, self.workdir / "layers" / layer_name, layer_name
            )
            match = configured.get(layer_name)
            loaded.append(
                Layer(
                    name=layer_name,
                    root=str(root),
                    arn=match.arn if match else None,
                    code_sha256=code_sha256,
                )
            )
        return tuple(loaded)
