"""Serverless Framework services (``serverless.yml``): provider and per-function settings.

Read: ``provider.runtime``, ``provider.architecture`` and ``provider.layers`` as defaults;
per function ``handler``, ``runtime``, ``architecture``, ``layers`` (which replace the
provider's), ``image``, ``module`` (serverless-python-requirements: the code lives in that
subfolder), and ``package.artifact`` / ``package.patterns`` (and the older
``include``/``exclude``), at service or function level; the service's ``layers`` with
``path``, ``compatibleRuntimes`` and ``package.artifact``. A function's layer written
``{Ref: <Name>LambdaLayer}`` is the service's layer ``<name>``.

Variables: ``${self:a.b}`` is looked up in the file itself; any other source (``opt``,
``env``, ``ssm``, ``sls``...) is known only when deploying, so its fallback
(``${opt:stage, 'dev'}``) is used when it has one. The location of a value reached through
``${self:...}`` is where the value is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from analyzer.iac.cloudformation import describe
from analyzer.iac.local_paths import relative_posix, resolve_local
from analyzer.iac.model import (
    LayerDefinition,
    LayerReference,
    Setting,
    Template,
    TemplateFormat,
    TemplateFunction,
)
from analyzer.iac.tree import Node
from analyzer.models import Location

SERVERLESS_FILE_NAMES = ("serverless.yml", "serverless.yaml")
DEFAULT_EXCLUDES = ("!.git/**", "!.gitignore", "!.serverless/**", "!.serverless_plugins/**")
"""What the Serverless Framework leaves out of every package (its packaging documentation)."""
_VARIABLE = re.compile(r"\$\{([^{}]+)\}")
_MAX_INDIRECTIONS = 10


class _Unresolved(Exception):
    """A variable whose value is known only at deploy time."""


@dataclass(frozen=True)
class _Resolved:
    text: str
    node: Node
    key: str


class _Reader:
    def __init__(self, path: Path, root: Path, document: Node) -> None:
        self.path = path
        self.root = root
        self.document = document
        self.relpath = relative_posix(path, root)
        self.service_dir = path.parent

    def location(self, node: Node) -> Location:
        return Location(self.relpath, node.line, node.column)

    def key_location(self, mapping: Node | None, key: str) -> Location:
        if mapping is None:
            return Location(self.relpath)
        line, column = mapping.key_position(key)
        return Location(self.relpath, line, column)

    def resolve(self, node: Node, key: str, depth: int = 0) -> _Resolved:
        """``node`` as text with its variables replaced; ``_Unresolved`` when one cannot be."""
        if depth > _MAX_INDIRECTIONS:
            raise _Unresolved(f"{key}: variables nest too deeply")
        if node.text is None:
            raise _Unresolved(f"{key} is {describe(node)}, not text")
        text = node.text
        whole = _VARIABLE.fullmatch(text.strip())
        if whole is not None:
            # A value that is one variable takes that value's own location.
            return self._variable(whole.group(1), node, key, depth)
        if "${" not in text:
            return _Resolved(text, node, key)

        def replace(match: re.Match[str]) -> str:
            return self._variable(match.group(1), node, key, depth).text

        return _Resolved(_VARIABLE.sub(replace, text), node, key)

    def _variable(self, expression: str, node: Node, key: str, depth: int) -> _Resolved:
        source, _, fallback = (part.strip() for part in expression.partition(","))
        if source.startswith("self:"):
            path = source.removeprefix("self:").strip()
            found = self.document.find(*path.split(".")) if path else None
            if found is not None and found.text is not None:
                return self.resolve(found, path, depth + 1)
        if fallback:
            literal = fallback.strip()
            if len(literal) >= 2 and literal[0] == literal[-1] and literal[0] in "'\"":
                return _Resolved(literal[1:-1], node, key)
            return self._variable(literal, node, key, depth + 1)
        raise _Unresolved(f"{key} is ${{{expression}}}, which is known only at deploy time")

    def text(self, node: Node | None, key: str, problems: list[str]) -> Setting[str] | None:
        if node is None:
            return None
        try:
            resolved = self.resolve(node, key)
        except _Unresolved as unresolved:
            problems.append(str(unresolved))
            return None
        return Setting(resolved.text, self.location(resolved.node), resolved.key)


def layer_logical_id(name: str) -> str:
    """The CloudFormation id Serverless gives the layer ``name``: ``common-libs`` is
    ``CommonDashlibsLambdaLayer``."""
    normalised = name[:1].upper() + name[1:]
    normalised = normalised.replace("-", "Dash").replace("_", "Underscore")
    return f"{normalised}LambdaLayer"


def read_serverless(path: Path, root: Path, document: Node) -> Template:
    """The functions and layers of the Serverless service ``document`` read from ``path``."""
    reader = _Reader(path, root, document)
    provider = document.get("provider") or Node({}, 1, 1)
    layers = {
        layer_logical_id(name): _layer(reader, name, node)
        for name, node in (document.get("layers") or Node({}, 1, 1)).mapping.items()
    }
    functions = tuple(
        _function(reader, name, node, provider, layers)
        for name, node in (document.get("functions") or Node({}, 1, 1)).mapping.items()
    )
    return Template(
        reader.relpath,
        TemplateFormat.SERVERLESS,
        functions=functions,
        layers=tuple(layers.values()),
        files=(reader.relpath,),
    )


def _function(
    reader: _Reader,
    name: str,
    node: Node,
    provider: Node,
    layers: dict[str, LayerDefinition],
) -> TemplateFunction:
    problems: list[str] = []
    prefix = f"functions.{name}"

    def own_or_provider(field_name: str) -> Setting[str] | None:
        own = node.get(field_name)
        if own is not None:
            return reader.text(own, f"{prefix}.{field_name}", problems)
        return reader.text(provider.get(field_name), f"provider.{field_name}", problems)

    runtime = own_or_provider("runtime")
    runtime_problem = "; ".join(problems) or None
    architecture = own_or_provider("architecture")
    handler = reader.text(node.get("handler"), f"{prefix}.handler", problems)
    is_image = node.get("image") is not None
    before_code = len(problems)
    code = None if is_image else _code(reader, name, node, problems)
    patterns: tuple[str, ...] = ()
    if code is not None and code.value == str(reader.service_dir):
        patterns = package_patterns(reader.document, node)
    if is_image:
        problems.append(f"{prefix} is a container image; its code is not in the service")
    code_problem = "; ".join(problems[before_code:]) or None

    layer_nodes = node.get("layers") or provider.get("layers")
    references = tuple(
        _layer_reference(reader, item, layers)
        for item in (layer_nodes.items if layer_nodes else ())
    )
    return TemplateFunction(
        name=name,
        template=reader.relpath,
        template_format=TemplateFormat.SERVERLESS,
        location=reader.key_location(reader.document.get("functions"), name),
        runtime=runtime,
        handler=handler,
        architecture=architecture,
        code=code,
        layers=references,
        package_type="Image" if is_image else "Zip",
        code_patterns=patterns,
        problems=tuple(problems),
        runtime_problem=runtime_problem if runtime is None else None,
        code_problem=code_problem if code is None else None,
    )


def package_patterns(document: Node, function: Node | None) -> tuple[str, ...]:
    """The package patterns of a function, in Serverless order: defaults, service, function.

    Patterns are globs relative to the service folder; a leading ``!`` excludes, and a
    later pattern wins over an earlier one. ``exclude``/``include`` are turned into the
    same form.
    """
    patterns: list[str] = list(DEFAULT_EXCLUDES)
    for package in (document.get("package"), function.get("package") if function else None):
        if package is None:
            continue
        patterns += ["!" + str(item.text) for item in _items(package.get("exclude"))]
        patterns += [str(item.text) for item in _items(package.get("include"))]
        patterns += [str(item.text) for item in _items(package.get("patterns"))]
    return tuple(patterns)


def _items(node: Node | None) -> list[Node]:
    return [item for item in (node.items if node is not None else []) if item.text is not None]


def _code(reader: _Reader, name: str, node: Node, problems: list[str]) -> Setting[str] | None:
    prefix = f"functions.{name}"
    artifact_node = node.find("package", "artifact")
    artifact_key = f"{prefix}.package.artifact"
    if artifact_node is None and reader.document.find("package", "individually") is None:
        artifact_node = reader.document.find("package", "artifact")
        artifact_key = "package.artifact"
    if artifact_node is not None:
        artifact = reader.text(artifact_node, artifact_key, problems)
        if artifact is None:
            return None
        resolved = resolve_local(
            artifact.value, (reader.service_dir,), reader.root, f"artifact {artifact_key}"
        )
        if resolved.path is None:
            problems.append(f"{resolved.problem} (is it built before deploying?)")
            return None
        return Setting(str(resolved.path), artifact.location, artifact_key)

    module = reader.text(node.get("module"), f"{prefix}.module", problems)
    if module is not None:
        resolved = resolve_local(module.value, (reader.service_dir,), reader.root, "module")
        if resolved.path is None:
            problems.append(str(resolved.problem))
            return None
        return Setting(str(resolved.path), module.location, module.key)
    functions = reader.document.get("functions")
    return Setting(str(reader.service_dir), reader.key_location(functions, name), prefix)


def _layer(reader: _Reader, name: str, node: Node) -> LayerDefinition:
    problems: list[str] = []
    key = f"layers.{name}"
    content: Setting[str] | None = None
    artifact = node.find("package", "artifact")
    written = reader.text(artifact if artifact is not None else node.get("path"), key, problems)
    if written is None and artifact is None and node.get("path") is None:
        problems.append(f"{key} has neither path nor package.artifact")
    if written is not None:
        resolved = resolve_local(written.value, (reader.service_dir,), reader.root, key)
        if resolved.path is None:
            problems.append(str(resolved.problem))
        else:
            content = Setting(str(resolved.path), written.location, written.key)
    compatible: list[Setting[str]] = []
    runtimes = node.get("compatibleRuntimes")
    for item in runtimes.items if runtimes is not None else ():
        setting = reader.text(item, f"{key}.compatibleRuntimes", problems)
        if setting is not None:
            compatible.append(setting)
    return LayerDefinition(
        name=name,
        template=reader.relpath,
        location=reader.key_location(reader.document.get("layers"), name),
        content=content,
        compatible_runtimes=tuple(compatible),
        problems=tuple(problems),
    )


def _layer_reference(
    reader: _Reader, node: Node, layers: dict[str, LayerDefinition]
) -> LayerReference:
    # ``{Ref: X}`` and ``!Ref X`` both read as the intrinsic ``Ref``.
    intrinsic = node.intrinsic
    target = intrinsic.argument.text if intrinsic is not None and intrinsic.name == "Ref" else None
    text = f"Ref {target}" if target is not None else describe(node)
    return LayerReference(text, reader.location(node), layers.get(target) if target else None)
