"""What a template says about its functions and layers, each value with the place it is set."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from analyzer.models import AnalysisError, Location

T = TypeVar("T")

IAC_STAGE = "iac"
"""The ``stage`` of the analysis errors this package records."""


class TemplateFormat(str, enum.Enum):
    """The infrastructure-as-code formats read, by the name the reports use."""

    SAM = "sam"
    CLOUDFORMATION = "cloudformation"
    SERVERLESS = "serverless"
    TERRAFORM = "terraform"


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One value of a template and where it is written.

    ``key`` names the setting the way a reader of the template finds it, such as
    ``Globals.Function.Runtime`` or ``variable.runtime.default``. For a value that comes
    through an indirection (a parameter, a variable, a ``${self:...}`` reference) the
    location is where the value itself is written, which is the line to edit.
    """

    value: T
    location: Location
    key: str


@dataclass(frozen=True)
class LayerDefinition:
    """A layer version the template itself builds from a folder or zip in the repository."""

    name: str
    """The logical id, resource name or Serverless layer name."""
    template: str
    location: Location
    content: Setting[str] | None
    """Absolute path of the layer's folder or zip; ``None`` when it is not in the repository."""
    compatible_runtimes: tuple[Setting[str], ...] = ()
    """Each listed runtime, with its own line."""
    build_method: Setting[str] | None = None
    """SAM ``Metadata.BuildMethod``, which picks the interpreter ``sam build`` installs for."""
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class LayerReference:
    """One entry of a function's layers: a layer of the template, or an ARN from elsewhere."""

    text: str
    """The reference as written, for messages (``!Ref SharedLibs``, an ARN)."""
    location: Location
    definition: LayerDefinition | None = None


@dataclass(frozen=True)
class TemplateFunction:
    """A Lambda function a template defines, with every setting the analysis needs."""

    name: str
    """The logical id, resource address or Serverless function key."""
    template: str
    """The template's path, POSIX and relative to the repository root."""
    template_format: TemplateFormat
    location: Location
    """Where the function is defined (its resource or key)."""
    runtime: Setting[str] | None
    handler: Setting[str] | None
    architecture: Setting[str] | None
    code: Setting[str] | None
    """Absolute path of the code folder or zip; ``None`` when the code is not in the repository."""
    layers: tuple[LayerReference, ...] = ()
    build_method: Setting[str] | None = None
    package_type: str = "Zip"
    code_patterns: tuple[str, ...] = ()
    """Globs relative to the code folder choosing what is packaged, in order: a leading ``!``
    excludes, a later pattern wins (the Serverless Framework's ``package.patterns``). Empty:
    the whole folder."""
    problems: tuple[str, ...] = ()
    """Settings that could not be read or resolved, each as one sentence."""
    runtime_problem: str | None = None
    """Why ``runtime`` is ``None`` when the template sets one that cannot be read (one of
    ``problems``)."""
    code_problem: str | None = None
    """Why ``code`` is ``None``: in S3, inline, a container image, not found (from
    ``problems``)."""

    @property
    def is_python(self) -> bool:
        """Whether the runtime is a Python one, or unknown (and so possibly Python)."""
        return self.runtime is None or self.runtime.value.startswith("python")


@dataclass(frozen=True)
class Template:
    """One template file (or one Terraform root module) as read."""

    path: str
    """POSIX path relative to the repository root (a folder for a Terraform module)."""
    template_format: TemplateFormat
    functions: tuple[TemplateFunction, ...] = ()
    layers: tuple[LayerDefinition, ...] = ()
    errors: tuple[AnalysisError, ...] = field(default=())
    files: tuple[str, ...] = ()
    """Every file read for it, relative to the repository root."""
