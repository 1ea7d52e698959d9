"""Terraform root modules: ``aws_lambda_function`` and ``aws_lambda_layer_version`` resources.

Values come from python-hcl2; lines from ``hcl_lines.outline`` over the same text. What is
followed, the way Terraform itself evaluates it:

- ``var.NAME``: the argument of the ``module`` block that instantiates the module, else the
  variable's ``default``; ``local.NAME``; ``path.module``, ``path.root`` and ``path.cwd``.
- ``filename = data.archive_file.NAME.output_path``: the code is the archive's
  ``source_dir`` (or ``source_file``), less its ``excludes``; a ``filename`` written as a
  path is a zip already built. Relative paths are relative to the root module's folder,
  where ``terraform`` runs, which is why modules write ``${path.module}/...``.
- ``layers = [aws_lambda_layer_version.NAME.arn]`` links a layer of the same module;
  ``compatible_runtimes`` of each layer is read element by element.
- ``module`` blocks with a local ``source`` (``./`` or ``../``) are read with their
  arguments; registry and Git sources are not fetched.

The location of a value reached through a variable, a local or a module argument is where
the value itself is written: the ``default`` of the variable, or the module argument.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.iac.hcl_lines import HclAttribute, HclBlock, HclLayoutError, outline
from analyzer.iac.local_paths import inside, relative_posix, resolve_local
from analyzer.iac.model import (
    IAC_STAGE,
    LayerDefinition,
    LayerReference,
    Setting,
    Template,
    TemplateFormat,
    TemplateFunction,
)
from analyzer.models import AnalysisError, Location

logger = logging.getLogger(__name__)

FUNCTION_RESOURCE = "aws_lambda_function"
LAYER_RESOURCE = "aws_lambda_layer_version"
MAX_MODULE_DEPTH = 16
_WHOLE_EXPRESSION = re.compile(r"^\$\{([^{}]*)\}$")
_INTERPOLATION = re.compile(r"\$\{([^{}]*)\}")
_MODULE_ARGUMENTS_NOT_VARIABLES = frozenset(
    {"source", "version", "providers", "count", "for_each", "depends_on"}
)


class _Unresolved(Exception):
    """An expression this reader does not evaluate (a resource attribute, a function call)."""


@dataclass(frozen=True)
class _TfFile:
    path: Path
    relpath: str
    data: Mapping[str, Any]
    outline: HclBlock


@dataclass
class _Module:
    """The ``.tf`` files of one folder, parsed."""

    directory: Path
    files: list[_TfFile] = field(default_factory=list)
    errors: list[AnalysisError] = field(default_factory=list)

    def blocks(self, kind: str) -> Iterator[tuple[tuple[str, ...], dict[str, Any], _TfFile]]:
        """Every block of ``kind`` (``resource``, ``variable``...): labels, body and file."""
        for tf_file in self.files:
            for entry in _as_list(tf_file.data.get(kind)):
                if not isinstance(entry, dict):
                    continue
                if kind == "locals":
                    yield (), entry, tf_file
                    continue
                for labels, body in _labelled(entry, 2 if kind in ("resource", "data") else 1):
                    yield labels, body, tf_file

    def find(self, kind: str, *labels: str) -> tuple[dict[str, Any], _TfFile] | None:
        for found_labels, body, tf_file in self.blocks(kind):
            if found_labels == labels:
                return body, tf_file
        return None

    def local_module_sources(self) -> Iterator[Path]:
        for _, body, _ in self.blocks("module"):
            source = _unquote(body.get("source"))
            if isinstance(source, str) and source.startswith(("./", "../")):
                yield Path(os.path.normpath(self.directory / source))


def _as_list(value: object) -> list[object]:
    if isinstance(value, list):
        return value
    return [value] if value is not None else []


def _labelled(
    entry: dict[str, Any], depth: int
) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    for label, inner in entry.items():
        if label.startswith("__"):
            continue
        key = _unquote(label)
        if depth == 1 and isinstance(inner, dict):
            yield (str(key),), inner
        elif depth > 1 and isinstance(inner, dict):
            for labels, body in _labelled(inner, depth - 1):
                yield (str(key), *labels), body


def _unquote(value: object) -> object:
    """A python-hcl2 string as written between quotes (newer releases keep the quotes)."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def parse_module(directory: Path, root: Path) -> _Module:
    """The ``.tf`` files of ``directory``; a file that does not parse becomes an error."""
    import hcl2  # NOTE: imported here; lark builds its parser on first use

    module = _Module(directory)
    for path in sorted(directory.glob("*.tf")):
        relpath = relative_posix(path, root)
        try:
            text = path.read_text(encoding="utf-8")
            data = hcl2.loads(text)
            blocks = outline(text)
        except (OSError, UnicodeDecodeError) as error:
            module.errors.append(AnalysisError(IAC_STAGE, f"cannot read: {error}", relpath))
            continue
        except HclLayoutError as error:
            module.errors.append(AnalysisError(IAC_STAGE, f"not valid HCL: {error}", relpath))
            continue
        except Exception as error:  # python-hcl2 raises lark's many error types
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            message = f"not valid HCL: {type(error).__name__} {first_line}".strip()
            module.errors.append(AnalysisError(IAC_STAGE, message, relpath))
            continue
        module.files.append(_TfFile(path, relpath, data, blocks))
    return module


@dataclass(frozen=True)
class _Value:
    """An evaluated expression: text, a list, or a reference this reader follows."""

    value: object
    location: Location
    key: str


@dataclass(frozen=True)
class _ArchiveReference:
    name: str


@dataclass(frozen=True)
class _LayerResource:
    name: str


@dataclass
class _Binding:
    """A module argument, evaluated in the caller's scope when the module asks for it."""

    raw: object
    location: Location
    key: str
    scope: _Scope
    attribute: HclAttribute | None


@dataclass
class _Scope:
    """One instance of a module: its folder, its arguments and its address."""

    module: _Module
    arguments: dict[str, _Binding]
    address: str
    root_dir: Path
    repository: Path


class TerraformReader:
    """Reads the Terraform root modules of a repository, each module folder parsed once."""

    def __init__(self, repository: Path) -> None:
        self.repository = repository
        self.modules: dict[Path, _Module] = {}

    def module(self, directory: Path) -> _Module:
        known = self.modules.get(directory)
        if known is None:
            known = parse_module(directory, self.repository)
            self.modules[directory] = known
        return known

    def roots(self, directories: list[Path]) -> list[Path]:
        """The folders no other folder uses as a local module source."""
        used: set[Path] = set()
        for directory in directories:
            used.update(self.module(directory).local_module_sources())
        return [directory for directory in directories if directory not in used]

    def read_root(self, directory: Path) -> Template:
        """The functions and layers of the root module in ``directory`` and its local modules."""
        functions: list[TemplateFunction] = []
        layers: list[LayerDefinition] = []
        errors: list[AnalysisError] = []
        files: list[str] = []
        scope = _Scope(self.module(directory), {}, "", directory, self.repository)
        self._instantiate(scope, functions, layers, errors, files, (directory,))
        return Template(
            relative_posix(directory, self.repository),
            TemplateFormat.TERRAFORM,
            functions=tuple(functions),
            layers=tuple(layers),
            errors=tuple(errors),
            files=tuple(files),
        )

    def _instantiate(
        self,
        scope: _Scope,
        functions: list[TemplateFunction],
        layers: list[LayerDefinition],
        errors: list[AnalysisError],
        files: list[str],
        stack: tuple[Path, ...],
    ) -> None:
        module = scope.module
        errors.extend(module.errors)
        files.extend(tf_file.relpath for tf_file in module.files)
        evaluator = _Evaluator(scope)

        module_layers: dict[str, LayerDefinition] = {}
        for labels, body, tf_file in module.blocks("resource"):
            if labels[0] == LAYER_RESOURCE:
                layer = evaluator.layer(labels[1], body, tf_file)
                module_layers[labels[1]] = layer
                layers.append(layer)
        # TODO: read count/for_each instances as separate functions (an evaluator of those
        # meta-arguments over literal lists and maps would retire this; now one function).
        for labels, body, tf_file in module.blocks("resource"):
            if labels[0] == FUNCTION_RESOURCE:
                functions.append(evaluator.function(labels[1], body, tf_file, module_layers))

        for labels, body, tf_file in module.blocks("module"):
            source = _unquote(body.get("source"))
            if not isinstance(source, str) or not source.startswith(("./", "../")):
                logger.debug("module %s: source %r is not local; not read", labels[0], source)
                continue
            child_dir = Path(os.path.normpath(module.directory / source))
            address = f"{scope.address}module.{labels[0]}."
            block = tf_file.outline.block("module", labels[0])
            where = Location(tf_file.relpath, block.position.line if block else None)
            if not inside(child_dir, self.repository) or not child_dir.is_dir():
                errors.append(
                    AnalysisError(
                        IAC_STAGE,
                        f"module {labels[0]}: source {source} is not a folder here",
                        where.path,
                    )
                )
                continue
            if child_dir in stack or len(stack) >= MAX_MODULE_DEPTH:
                errors.append(
                    AnalysisError(IAC_STAGE, f"module {labels[0]} includes itself", where.path)
                )
                continue
            arguments = {
                name: _Binding(
                    raw,
                    evaluator.location(tf_file, block.attributes.get(name) if block else None),
                    f"module.{labels[0]}.{name}",
                    scope,
                    block.attributes.get(name) if block else None,
                )
                for name, raw in body.items()
                if not name.startswith("__") and name not in _MODULE_ARGUMENTS_NOT_VARIABLES
            }
            child = _Scope(
                self.module(child_dir), arguments, address, scope.root_dir, self.repository
            )
            self._instantiate(child, functions, layers, errors, files, (*stack, child_dir))


class _Evaluator:
    """Evaluates the few expression forms that set a function's runtime, handler and code."""

    def __init__(self, scope: _Scope) -> None:
        self.scope = scope

    def location(self, tf_file: _TfFile, attribute: HclAttribute | None) -> Location:
        if attribute is None:
            return Location(tf_file.relpath)
        return Location(tf_file.relpath, attribute.value.line, attribute.value.column)

    def attribute_value(
        self, raw: object, tf_file: _TfFile, attribute: HclAttribute | None, key: str
    ) -> _Value:
        return self.evaluate(raw, self.location(tf_file, attribute), key, attribute)

    def evaluate(
        self, raw: object, location: Location, key: str, attribute: HclAttribute | None = None
    ) -> _Value:
        raw = _unquote(raw)
        if isinstance(raw, list):
            elements = attribute.elements if attribute is not None else []
            values = []
            for index, item in enumerate(raw):
                position = elements[index] if index < len(elements) else None
                item_location = (
                    Location(location.path, position.line, position.column)
                    if position is not None
                    else location
                )
                values.append(self.evaluate(item, item_location, key))
            return _Value(values, location, key)
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise _Unresolved(f"{key} is not a value this reader follows")
        text = str(raw)
        whole = _WHOLE_EXPRESSION.match(text)
        if whole is not None:
            return self.reference(whole.group(1).strip(), location, key)
        if "${" not in text:
            return _Value(text, location, key)

        def substitute(match: re.Match[str]) -> str:
            value = self.reference(match.group(1).strip(), location, key).value
            if not isinstance(value, str):
                raise _Unresolved(f"{key}: ${{{match.group(1)}}} is not text")
            return value

        return _Value(_INTERPOLATION.sub(substitute, text), location, key)

    def reference(self, expression: str, location: Location, key: str) -> _Value:
        parts = expression.split(".")
        scope = self.scope
        if parts[0] == "var" and len(parts) == 2:
            return self._variable(parts[1], key)
        if parts[0] == "local" and len(parts) == 2:
            return self._local(parts[1], key)
        if parts[0] == "path" and len(parts) == 2:
            folders = {
                "module": scope.module.directory,
                "root": scope.root_dir,
                "cwd": scope.root_dir,
            }
            if parts[1] in folders:
                return _Value(str(folders[parts[1]]), location, key)
        if parts[:2] == ["data", "archive_file"] and len(parts) == 4:
            return _Value(_ArchiveReference(parts[2]), location, key)
        if parts[0] == LAYER_RESOURCE and len(parts) == 3:
            return _Value(_LayerResource(parts[1]), location, key)
        raise _Unresolved(f"{key} is ${{{expression}}}, which is known only when applying")

    def _variable(self, name: str, key: str) -> _Value:
        binding = self.scope.arguments.get(name)
        if binding is not None:
            evaluator = _Evaluator(binding.scope)
            return evaluator.evaluate(binding.raw, binding.location, binding.key, binding.attribute)
        found = self.scope.module.find("variable", name)
        if found is None:
            raise _Unresolved(f"{key}: variable {name} is not declared")
        body, tf_file = found
        if "default" not in body:
            raise _Unresolved(f"{key}: variable {name} has no default")
        block = tf_file.outline.block("variable", name)
        attribute = block.attributes.get("default") if block is not None else None
        return self.attribute_value(body["default"], tf_file, attribute, f"variable.{name}.default")

    def _local(self, name: str, key: str) -> _Value:
        for _, body, tf_file in self.scope.module.blocks("locals"):
            if name in body:
                attribute = _local_attribute(tf_file.outline, name)
                return self.attribute_value(body[name], tf_file, attribute, f"local.{name}")
        raise _Unresolved(f"{key}: local {name} is not defined")

    def text(
        self,
        body: dict[str, Any],
        name: str,
        tf_file: _TfFile,
        block: HclBlock | None,
        key: str,
        problems: list[str],
    ) -> Setting[str] | None:
        if name not in body:
            return None
        attribute = block.attributes.get(name) if block is not None else None
        try:
            value = self.attribute_value(body[name], tf_file, attribute, key)
        except _Unresolved as unresolved:
            problems.append(str(unresolved))
            return None
        if isinstance(value.value, list):
            problems.append(f"{key} is a list, not text")
            return None
        if not isinstance(value.value, str):
            problems.append(f"{key} is not text")
            return None
        return Setting(value.value, value.location, value.key)

    def texts(
        self,
        body: dict[str, Any],
        name: str,
        tf_file: _TfFile,
        block: HclBlock | None,
        key: str,
        problems: list[str],
    ) -> list[_Value]:
        if name not in body:
            return []
        attribute = block.attributes.get(name) if block is not None else None
        try:
            value = self.attribute_value(body[name], tf_file, attribute, key)
        except _Unresolved as unresolved:
            problems.append(str(unresolved))
            return []
        if not isinstance(value.value, list):
            problems.append(f"{key} is not a list")
            return []
        return [item for item in value.value if isinstance(item, _Value)]

    def path(self, text: str) -> Path:
        """A path written in a module, absolute: relative ones start at the root module."""
        path = Path(text)
        return Path(os.path.normpath(path if path.is_absolute() else self.scope.root_dir / path))

    def code(
        self,
        body: dict[str, Any],
        tf_file: _TfFile,
        block: HclBlock | None,
        address: str,
        problems: list[str],
    ) -> tuple[Setting[str] | None, tuple[str, ...]]:
        """The code folder (or zip) of a function or layer, and the archive's excludes."""
        if "filename" not in body:
            where = "in S3" if "s3_bucket" in body else "not given"
            problems.append(f"{address}: the code is {where}; it is not in the repository")
            return None, ()
        attribute = block.attributes.get("filename") if block is not None else None
        try:
            value = self.attribute_value(
                body["filename"], tf_file, attribute, f"{address}.filename"
            )
        except _Unresolved as unresolved:
            problems.append(str(unresolved))
            return None, ()
        if isinstance(value.value, _ArchiveReference):
            return self._archive(value.value.name, address, problems)
        if not isinstance(value.value, str):
            problems.append(f"{address}.filename is not a path")
            return None, ()
        return self._local_path(value.value, value.location, value.key, problems), ()

    def _local_path(
        self, text: str, location: Location, key: str, problems: list[str]
    ) -> Setting[str] | None:
        scope = self.scope
        absolute = self.path(text)
        resolved = resolve_local(
            relative_posix(absolute, scope.root_dir), (scope.root_dir,), scope.repository, key
        )
        if resolved.path is None:
            problems.append(str(resolved.problem))
            return None
        return Setting(str(resolved.path), location, key)

    def _archive(
        self, name: str, address: str, problems: list[str]
    ) -> tuple[Setting[str] | None, tuple[str, ...]]:
        found = self.scope.module.find("data", "archive_file", name)
        if found is None:
            problems.append(f"{address}: data.archive_file.{name} is not defined in its module")
            return None, ()
        body, tf_file = found
        block = tf_file.outline.block("data", "archive_file", name)
        key = f"data.archive_file.{name}"
        for source_name in ("source_dir", "source_file"):
            source = self.text(body, source_name, tf_file, block, f"{key}.{source_name}", problems)
            if source is None:
                continue
            excludes = self.texts(body, "excludes", tf_file, block, f"{key}.excludes", problems)
            patterns = tuple("!" + item.value for item in excludes if isinstance(item.value, str))
            return self._local_path(source.value, source.location, source.key, problems), patterns
        problems.append(f"{key} has no source_dir or source_file (inline source is not read)")
        return None, ()

    def function(
        self,
        name: str,
        body: dict[str, Any],
        tf_file: _TfFile,
        module_layers: Mapping[str, LayerDefinition],
    ) -> TemplateFunction:
        problems: list[str] = []
        address = f"{self.scope.address}{FUNCTION_RESOURCE}.{name}"
        block = tf_file.outline.block("resource", FUNCTION_RESOURCE, name)

        def setting(attribute_name: str) -> Setting[str] | None:
            return self.text(
                body, attribute_name, tf_file, block, f"{address}.{attribute_name}", problems
            )

        runtime = setting("runtime")
        runtime_problem = "; ".join(problems) or None
        handler = setting("handler")
        package_type = setting("package_type")
        architectures = self.texts(
            body, "architectures", tf_file, block, f"{address}.architectures", problems
        )
        architecture = None
        if architectures and isinstance(architectures[0].value, str):
            first = architectures[0]
            architecture = Setting(str(first.value), first.location, first.key)

        is_image = package_type is not None and package_type.value == "Image"
        code: Setting[str] | None = None
        patterns: tuple[str, ...] = ()
        before_code = len(problems)
        if is_image:
            problems.append(f"{address} is a container image; its code is not in the repository")
        else:
            code, patterns = self.code(body, tf_file, block, address, problems)
        code_problem = "; ".join(problems[before_code:]) or None

        references = []
        for item in self.texts(body, "layers", tf_file, block, f"{address}.layers", problems):
            if isinstance(item.value, _LayerResource):
                definition = module_layers.get(item.value.name)
                text = f"{LAYER_RESOURCE}.{item.value.name}.arn"
                references.append(LayerReference(text, item.location, definition))
            elif isinstance(item.value, str):
                references.append(LayerReference(item.value, item.location))
        return TemplateFunction(
            name=address,
            template=tf_file.relpath,
            template_format=TemplateFormat.TERRAFORM,
            location=Location(tf_file.relpath, block.position.line if block else None),
            runtime=runtime,
            handler=handler,
            architecture=architecture,
            code=code,
            layers=tuple(references),
            package_type="Image" if is_image else "Zip",
            code_patterns=patterns,
            problems=tuple(problems),
            runtime_problem=runtime_problem if runtime is None else None,
            code_problem=code_problem if code is None else None,
        )

    def layer(self, name: str, body: dict[str, Any], tf_file: _TfFile) -> LayerDefinition:
        problems: list[str] = []
        address = f"{self.scope.address}{LAYER_RESOURCE}.{name}"
        block = tf_file.outline.block("resource", LAYER_RESOURCE, name)
        content, _ = self.code(body, tf_file, block, address, problems)
        compatible = [
            Setting(item.value, item.location, f"{address}.compatible_runtimes")
            for item in self.texts(
                body,
                "compatible_runtimes",
                tf_file,
                block,
                f"{address}.compatible_runtimes",
                problems,
            )
            if isinstance(item.value, str)
        ]
        return LayerDefinition(
            name=address,
            template=tf_file.relpath,
            location=Location(tf_file.relpath, block.position.line if block else None),
            content=content,
            compatible_runtimes=tuple(compatible),
            problems=tuple(problems),
        )


def _local_attribute(blocks: HclBlock, name: str) -> HclAttribute | None:
    for block in blocks.blocks:
        if block.type == "locals" and name in block.attributes:
            return block.attributes[name]
    return None
