"""AWS SAM and CloudFormation templates (YAML or JSON): functions, layers and ``Globals``.

What is read, by resource type (property names as the AWS resource references spell them):

- ``AWS::Serverless::Function``: ``Runtime``, ``Handler``, ``Architectures``, ``CodeUri``
  (``.`` when absent, as ``sam build`` takes it), ``Layers``, ``PackageType``,
  ``InlineCode``, and the resource's ``Metadata.BuildMethod``; each falls back to
  ``Globals.Function``, except ``Layers``, which SAM adds together (globals first).
- ``AWS::Lambda::Function``: ``Runtime``, ``Handler``, ``Architectures``, ``Layers``,
  ``PackageType`` and ``Code`` (a local path, as ``aws cloudformation package`` takes it;
  ``ZipFile``, ``S3Bucket`` and ``ImageUri`` are not in the repository).
- ``AWS::Serverless::LayerVersion`` (``ContentUri``) and ``AWS::Lambda::LayerVersion``
  (``Content``): ``CompatibleRuntimes``, ``LayerName``, ``Metadata.BuildMethod``.

A value given through ``!Ref`` to a parameter with a ``Default``, or ``!FindInMap`` with
literal keys, is resolved, and its location is where that value is written. A layer given
as ``!Ref`` (or ``!GetAtt``) of a layer resource of the same template is linked to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.iac.local_paths import relative_posix, resolve_local
from analyzer.iac.model import (
    LayerDefinition,
    LayerReference,
    Setting,
    Template,
    TemplateFormat,
    TemplateFunction,
)
from analyzer.iac.tree import Intrinsic, Node
from analyzer.models import Location

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
SAM_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"
SAM_LAYER = "AWS::Serverless::LayerVersion"
LAMBDA_LAYER = "AWS::Lambda::LayerVersion"
RESOURCE_TYPES = (SAM_FUNCTION, LAMBDA_FUNCTION, SAM_LAYER, LAMBDA_LAYER)
"""A YAML or JSON file that names none of these is not read as a template."""

_SUB_REFERENCE = re.compile(r"\$\{([A-Za-z0-9_.:]+)\}")


@dataclass(frozen=True)
class _Value:
    """A resolved text value, or the reason it could not be resolved."""

    setting: Setting[str] | None
    problem: str | None = None


def describe(node: Node) -> str:
    """A short rendering of a template value for messages: ``!Ref X``, ``python3.9``."""
    intrinsic = node.intrinsic
    if intrinsic is not None:
        short = intrinsic.name.removeprefix("Fn::")
        argument = intrinsic.argument
        if argument.text is not None:
            return f"!{short} {argument.text}"
        if argument.items and all(item.text is not None for item in argument.items):
            return f"!{short} [{', '.join(str(item.text) for item in argument.items)}]"
        return f"!{short} ..."
    if node.text is not None:
        return node.text
    return "..."


@dataclass
class _Reader:
    """Reads one parsed template; ``problems`` collects what could not be resolved."""

    path: Path
    root: Path
    document: Node
    relpath: str = ""
    parameters: dict[str, Node] = field(default_factory=dict)
    mappings: Node | None = None

    def __post_init__(self) -> None:
        self.relpath = relative_posix(self.path, self.root)
        parameters = self.document.get("Parameters")
        for name, parameter in parameters.mapping.items() if parameters is not None else ():
            default = parameter.get("Default")
            if default is not None:
                self.parameters[name] = default
        self.mappings = self.document.get("Mappings")

    def location(self, node: Node) -> Location:
        return Location(self.relpath, node.line, node.column)

    def key_location(self, mapping: Node | None, key: str) -> Location:
        if mapping is None:
            return Location(self.relpath)
        line, column = mapping.key_position(key)
        return Location(self.relpath, line, column)

    def text(self, node: Node, key: str) -> _Value:
        """``node`` as text, through parameter defaults and literal ``!FindInMap`` lookups."""
        if node.text is not None:
            return _Value(Setting(node.text, self.location(node), key))
        intrinsic = node.intrinsic
        if intrinsic is None:
            return _Value(None, f"{key} is not a text value")
        if intrinsic.name == "Ref" and intrinsic.argument.text in self.parameters:
            name = str(intrinsic.argument.text)
            default = self.parameters[name]
            if default.text is not None:
                return _Value(
                    Setting(default.text, self.location(default), f"Parameters.{name}.Default")
                )
        if intrinsic.name == "Fn::FindInMap":
            found = self._find_in_map(intrinsic)
            if found is not None:
                return _Value(found)
        if intrinsic.name == "Fn::Sub" and intrinsic.argument.text is not None:
            substituted = self._substitute(str(intrinsic.argument.text))
            if substituted is not None:
                return _Value(Setting(substituted, self.location(node), key))
        return _Value(None, f"{key} is {describe(node)}, which is known only at deploy time")

    def _find_in_map(self, intrinsic: Intrinsic) -> Setting[str] | None:
        keys = intrinsic.argument.items
        if self.mappings is None or len(keys) != 3 or any(k.text is None for k in keys):
            return None
        path = [str(k.text) for k in keys]
        found = self.mappings.find(*path)
        if found is None or found.text is None:
            return None
        return Setting(found.text, self.location(found), "Mappings." + ".".join(path))

    def _substitute(self, text: str) -> str | None:
        def replace(match: re.Match[str]) -> str:
            default = self.parameters.get(match.group(1))
            if default is None or default.text is None:
                raise LookupError(match.group(1))
            return default.text

        try:
            return _SUB_REFERENCE.sub(replace, text)
        except LookupError:
            return None

    def local_path(self, node: Node, key: str, what: str) -> tuple[Setting[str] | None, str | None]:
        value = self.text(node, key)
        if value.setting is None:
            return None, value.problem
        resolved = resolve_local(
            value.setting.value, (self.path.parent, self.root), self.root, f"{what} {key}"
        )
        if resolved.path is None:
            return None, resolved.problem
        return Setting(str(resolved.path), value.setting.location, key), None


def is_sam(document: Node) -> bool:
    """Whether the template uses the SAM transform (or SAM resource types)."""
    transform = document.get("Transform")
    names = [transform.text] if transform is not None and transform.text else []
    if transform is not None:
        names += [str(item.text) for item in transform.items if item.text]
    if SAM_TRANSFORM in names:
        return True
    resources = document.get("Resources")
    for resource in resources.mapping.values() if resources is not None else ():
        resource_type = resource.get("Type")
        if resource_type is not None and (resource_type.text or "").startswith("AWS::Serverless::"):
            return True
    return False


def read_cloudformation(path: Path, root: Path, document: Node) -> Template:
    """The functions and layers of the SAM or CloudFormation template ``document``."""
    reader = _Reader(path, root, document)
    resources = document.get("Resources")
    template_format = TemplateFormat.SAM if is_sam(document) else TemplateFormat.CLOUDFORMATION
    if resources is None or not resources.mapping:
        return Template(reader.relpath, template_format, files=(reader.relpath,))

    layers: dict[str, LayerDefinition] = {}
    for logical_id, resource in resources.mapping.items():
        resource_type = resource.find("Type")
        if resource_type is not None and resource_type.text in (SAM_LAYER, LAMBDA_LAYER):
            layers[logical_id] = _layer(reader, logical_id, resource, str(resource_type.text))

    functions: list[TemplateFunction] = []
    sam = template_format is TemplateFormat.SAM
    globals_node = document.find("Globals", "Function") if sam else None
    for logical_id, resource in resources.mapping.items():
        resource_type = resource.find("Type")
        if resource_type is None or resource_type.text not in (SAM_FUNCTION, LAMBDA_FUNCTION):
            continue
        functions.append(
            _function(reader, logical_id, resource, str(resource_type.text), globals_node, layers)
        )
    return Template(
        reader.relpath,
        template_format,
        functions=tuple(functions),
        layers=tuple(layers.values()),
        files=(reader.relpath,),
    )


def _property(
    resource: Node, globals_node: Node | None, name: str, logical_id: str
) -> tuple[Node | None, str]:
    """The node of property ``name`` (or its ``Globals`` fallback) and the key it is under."""
    own = resource.find("Properties", name)
    if own is not None:
        return own, f"{logical_id}.Properties.{name}"
    if globals_node is not None and globals_node.get(name) is not None:
        return globals_node.get(name), f"Globals.Function.{name}"
    return None, f"{logical_id}.Properties.{name}"


def _function(
    reader: _Reader,
    logical_id: str,
    resource: Node,
    resource_type: str,
    globals_node: Node | None,
    layers: dict[str, LayerDefinition],
) -> TemplateFunction:
    problems: list[str] = []
    sam = resource_type == SAM_FUNCTION

    def text_setting(name: str) -> Setting[str] | None:
        node, key = _property(resource, globals_node, name, logical_id)
        if node is None:
            return None
        value = reader.text(node, key)
        if value.problem:
            problems.append(value.problem)
        return value.setting

    runtime = text_setting("Runtime")
    runtime_problem = _joined(problems)
    handler = text_setting("Handler")
    architecture = _architecture(reader, resource, globals_node, logical_id, problems)
    package_type = text_setting("PackageType")
    is_image = package_type is not None and package_type.value == "Image"

    code: Setting[str] | None = None
    before_code = len(problems)
    if is_image:
        problems.append(f"{logical_id} is a container image; its code is not in the template")
    elif sam:
        code = _sam_code(reader, resource, globals_node, logical_id, problems)
    else:
        code = _lambda_code(reader, resource, logical_id, problems)
    code_problem = _joined(problems[before_code:])

    references: list[LayerReference] = []
    layer_nodes: list[Node] = []
    global_layers = globals_node.get("Layers") if sam and globals_node is not None else None
    if global_layers is not None:
        layer_nodes += global_layers.items
    own_layers = resource.find("Properties", "Layers")
    if own_layers is not None:
        layer_nodes += own_layers.items
    for layer_node in layer_nodes:
        references.append(_layer_reference(reader, layer_node, layers))

    build_method_node = resource.find("Metadata", "BuildMethod")
    build_method = None
    if build_method_node is not None and build_method_node.text is not None:
        build_method = Setting(
            build_method_node.text,
            reader.location(build_method_node),
            f"{logical_id}.Metadata.BuildMethod",
        )
    return TemplateFunction(
        name=logical_id,
        template=reader.relpath,
        template_format=TemplateFormat.SAM if sam else TemplateFormat.CLOUDFORMATION,
        location=reader.key_location(reader.document.get("Resources"), logical_id),
        runtime=runtime,
        handler=handler,
        architecture=architecture,
        code=code,
        layers=tuple(references),
        build_method=build_method,
        package_type="Image" if is_image else "Zip",
        problems=tuple(problems),
        runtime_problem=runtime_problem if runtime is None else None,
        code_problem=code_problem if code is None else None,
    )


def _joined(problems: list[str]) -> str | None:
    return "; ".join(problems) or None


def _architecture(
    reader: _Reader,
    resource: Node,
    globals_node: Node | None,
    logical_id: str,
    problems: list[str],
) -> Setting[str] | None:
    node, key = _property(resource, globals_node, "Architectures", logical_id)
    if node is None:
        return None
    if not node.items:
        problems.append(f"{key} is not a list")
        return None
    value = reader.text(node.items[0], key)
    if value.problem:
        problems.append(value.problem)
    return value.setting


def _sam_code(
    reader: _Reader,
    resource: Node,
    globals_node: Node | None,
    logical_id: str,
    problems: list[str],
) -> Setting[str] | None:
    if resource.find("Properties", "InlineCode") is not None:
        # TODO: analyse InlineCode (write it to a file named after the handler's module)
        problems.append(f"{logical_id} has InlineCode, which is not analysed")
        return None
    node, key = _property(resource, globals_node, "CodeUri", logical_id)
    if node is None:
        node = Node(".", resource.line, resource.column)
    if node.mapping:
        problems.append(f"{key} points to S3; the code is not in the repository")
        return None
    setting, problem = reader.local_path(node, key, "code")
    if problem:
        problems.append(problem)
    return setting


def _lambda_code(
    reader: _Reader, resource: Node, logical_id: str, problems: list[str]
) -> Setting[str] | None:
    node = resource.find("Properties", "Code")
    key = f"{logical_id}.Properties.Code"
    if node is None:
        problems.append(f"{key} is missing")
        return None
    if node.mapping:
        where = "inline (ZipFile)" if node.get("ZipFile") is not None else "in S3 or a registry"
        problems.append(f"{key} is {where}; the code is not in the repository")
        return None
    setting, problem = reader.local_path(node, key, "code")
    if problem:
        problems.append(problem)
    return setting


def _layer(reader: _Reader, logical_id: str, resource: Node, resource_type: str) -> LayerDefinition:
    problems: list[str] = []
    content_name = "ContentUri" if resource_type == SAM_LAYER else "Content"
    content_node = resource.find("Properties", content_name)
    key = f"{logical_id}.Properties.{content_name}"
    content: Setting[str] | None = None
    if content_node is None:
        problems.append(f"{key} is missing")
    elif content_node.mapping:
        problems.append(f"{key} points to S3; the layer's content is not in the repository")
    else:
        content, problem = reader.local_path(content_node, key, "layer content")
        if problem:
            problems.append(problem)

    compatible: list[Setting[str]] = []
    runtimes_node = resource.find("Properties", "CompatibleRuntimes")
    for item in runtimes_node.items if runtimes_node is not None else ():
        value = reader.text(item, f"{logical_id}.CompatibleRuntimes")
        if value.setting is not None:
            compatible.append(value.setting)
        elif value.problem:
            problems.append(value.problem)

    build_method_node = resource.find("Metadata", "BuildMethod")
    build_method = None
    if build_method_node is not None and build_method_node.text is not None:
        build_method = Setting(
            build_method_node.text,
            reader.location(build_method_node),
            f"{logical_id}.Metadata.BuildMethod",
        )
    return LayerDefinition(
        name=logical_id,
        template=reader.relpath,
        location=reader.key_location(reader.document.get("Resources"), logical_id),
        content=content,
        compatible_runtimes=tuple(compatible),
        build_method=build_method,
        problems=tuple(problems),
    )


def _layer_reference(
    reader: _Reader, node: Node, layers: dict[str, LayerDefinition]
) -> LayerReference:
    target = _referenced_id(node)
    definition = layers.get(target) if target is not None else None
    return LayerReference(describe(node), reader.location(node), definition)


def _referenced_id(node: Node) -> str | None:
    """The logical id a ``!Ref X`` or ``!GetAtt X.Attr`` names."""
    intrinsic = node.intrinsic
    if intrinsic is None:
        return None
    if intrinsic.name == "Ref":
        return intrinsic.argument.text
    if intrinsic.name == "Fn::GetAtt":
        if intrinsic.argument.text is not None:
            return intrinsic.argument.text.partition(".")[0]
        items = intrinsic.argument.items
        return items[0].text if items else None
    return None


def names_resource_type(text: str, types: Iterable[str] = RESOURCE_TYPES) -> bool:
    """Whether ``text`` mentions a Lambda resource type: cheap, before parsing a file."""
    return any(resource_type in text for resource_type in types)
