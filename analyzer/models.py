"""The data every stage passes on: runtimes, functions, findings and reports."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

PythonVersion = tuple[int, int]
"""A Python feature release, such as ``(3, 11)``."""


def format_version(version: PythonVersion) -> str:
    """``(3, 11)`` as ``"3.11"``."""
    return f"{version[0]}.{version[1]}"


def parse_version(text: str) -> PythonVersion:
    """``"3.11"``, ``"py3.11"`` or ``"python3.11"`` as ``(3, 11)``."""
    digits = text.strip().lower().removeprefix("python").removeprefix("py")
    major, _, minor = digits.partition(".")
    if not major.isdigit() or not minor.isdigit():
        raise ValueError(f"not a Python version: {text!r}")
    return int(major), int(minor)


class Severity(str, enum.Enum):
    """How badly a finding hurts a function on one target, worst first."""

    BLOCKER = "blocker"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for the worst severity, 4 for the mildest."""
        return list(Severity).index(self)


MAX_MESSAGE = 500
"""The longest message kept whole; a longer one keeps its start and says how much was cut."""


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` cut to about ``limit`` characters, saying how many were left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


class Verdict(str, enum.Enum):
    """A function's readiness for one target."""

    READY = "ready"
    NEEDS_WORK = "needs-work"
    BLOCKED = "blocked"
    NOT_ANALYSED = "not-analysed"
    """The code could not be read (a container image, a refused download): nothing can be
    promised, and the score covers only what was read."""


class Category(str, enum.Enum):
    """What kind of problem a finding is."""

    REMOVED_MODULE = "removed-module"
    REMOVED_NAME = "removed-name"
    REMOVED_PARAMETER = "removed-parameter"
    DEPRECATED = "deprecated"
    BEHAVIOUR_CHANGE = "behaviour-change"
    NEEDS_NEWER_SYNTAX = "needs-newer-syntax"
    NEEDS_NEWER_STDLIB = "needs-newer-stdlib"
    SOURCE = "source"
    NATIVE = "native"
    PACKAGING = "packaging"
    DEPENDENCY = "dependency"
    VULNERABILITY = "vulnerability"
    CONFIGURATION = "configuration"


class Reach(str, enum.Enum):
    """When the code holding a finding runs, seen from the handler.

    The order is from most to least harmful.
    """

    IMPORT = "import"
    """Runs while a module the handler imports loads: the function fails at cold start."""
    CALL = "call"
    """Inside a function or method body of a reachable module: fails when that code is called."""
    UNKNOWN = "unknown"
    """Reachability could not be worked out (no handler, or a dynamic import)."""
    UNREACHED = "unreached"
    """In a module that nothing the handler imports reaches."""
    GUARDED = "guarded"
    """Behind an ``ImportError``/``AttributeError`` fallback or a version check."""
    PACKAGE = "package"
    """Not code: a file, a layer layout or a pin, which fails whenever it is used."""


@dataclass(frozen=True)
class Location:
    """Where a finding is: a path inside the package (or layer, or repository) and a position."""

    path: str
    line: int | None = None
    column: int | None = None
    end_line: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.path
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


class ComponentKind(str, enum.Enum):
    """Where a piece of code in a deployment comes from."""

    FUNCTION = "function"
    VENDORED = "vendored"
    LAYER = "layer"
    REQUIREMENTS = "requirements"
    TEMPLATE = "template"


@dataclass(frozen=True)
class Component:
    """The function's own code, one vendored distribution, or one layer."""

    kind: ComponentKind
    name: str
    version: str | None = None

    @property
    def key(self) -> str:
        """A stable identifier, such as ``vendored:jinja2`` or ``layer:native-helpers``."""
        return f"{self.kind.value}:{self.name}"

    def __str__(self) -> str:
        if self.kind is ComponentKind.FUNCTION:
            return "function code"
        suffix = f" {self.version}" if self.version else ""
        return f"{self.kind.value} {self.name}{suffix}"


FUNCTION_CODE = Component(ComponentKind.FUNCTION, "function")


@dataclass(frozen=True)
class Finding:
    """One thing that breaks, or may break, a function on some Python versions.

    A finding is independent of the target: ``breaks_in``, ``requires``,
    ``deprecated_in`` and ``broken_on`` say on which Python versions it matters, and
    ``severity`` is filled in when the finding is judged for one target
    (``analyzer.score.judge``).
    """

    rule_id: str
    category: Category
    message: str
    location: Location
    fix: str
    component: Component = FUNCTION_CODE
    symbol: str | None = None
    breaks_in: PythonVersion | None = None
    """The first Python version on which the code fails; it fails on every later one too."""
    requires: PythonVersion | None = None
    """The lowest Python version that runs the code; it fails on every earlier one."""
    deprecated_in: PythonVersion | None = None
    """The first version that warns about the code, when it still works there."""
    broken_on: tuple[str, ...] | None = None
    """Runtimes (``python3.11``...) on which it fails, for facts that are not version ranges
    (glibc, architecture). ``None`` means the version fields decide."""
    reach: Reach = Reach.UNKNOWN
    import_chain: tuple[str, ...] = ()
    """Modules from the handler to the one holding the finding, for reachable findings."""
    mechanical: bool = False
    """Whether the fix is a mechanical rewrite."""
    optional: bool = False
    """Whether the code is an optional speed-up with a fallback."""
    documentation: str | None = None
    severity: Severity | None = None

    @property
    def sort_key(self) -> tuple[int, str, int, int, str]:
        rank = self.severity.rank if self.severity is not None else 9
        return (
            rank,
            self.location.path,
            self.location.line or 0,
            self.location.column or 0,
            self.rule_id,
        )


@dataclass(frozen=True)
class Runtime:
    """One Lambda Python runtime: its interpreter, operating system and dates."""

    name: str
    python: PythonVersion
    operating_system: str
    glibc: tuple[int, int]
    architectures: tuple[str, ...]
    layer_paths: tuple[str, ...]
    """Folders under ``/opt`` that the runtime puts on ``sys.path``, in order."""
    deprecation: str | None
    block_create: str | None
    block_update: str | None
    source: str

    @property
    def version_text(self) -> str:
        return format_version(self.python)


@dataclass(frozen=True)
class Layer:
    """A layer of a function, in the order Lambda merges it under ``/opt``."""

    name: str
    root: str
    """Local folder holding the layer's unpacked content."""
    arn: str | None = None
    code_sha256: str | None = None


@dataclass(frozen=True)
class Function:
    """A function to analyse: its configuration and where its code lies on disk."""

    name: str
    code_root: str
    source_runtime: str
    handler: str | None = None
    architecture: str = "x86_64"
    arn: str | None = None
    layers: tuple[Layer, ...] = ()
    code_sha256: str | None = None
    package_type: str = "Zip"
    overrides: tuple[str, ...] = ()
    """Configuration values given on the command line instead of taken from AWS."""


@dataclass(frozen=True)
class AnalysisError:
    """Something that could not be analysed, and why; the rest of the report still stands."""

    stage: str
    message: str
    path: str | None = None

    def __post_init__(self) -> None:
        # A message quotes its input, which may be hostile: 100,000 dots of an import.
        object.__setattr__(self, "message", clip(self.message))
        if self.path is not None:
            object.__setattr__(self, "path", clip(self.path))


@dataclass(frozen=True)
class DependencyRow:
    """One pinned or vendored distribution and whether it fits the target runtime."""

    name: str
    version: str | None
    source: Location
    status: str
    """``wheel``, ``sdist-only``, ``no-distribution``, ``vendored``, ``not-checked``."""
    detail: str = ""
    fitting_version: str | None = None
    """The lowest version with a wheel that fits the target, when the pin has none."""


@dataclass(frozen=True)
class ScoreBreakdown:
    """How the score was reached: the deduction of each severity."""

    base: int
    deductions: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class FunctionReport:
    """The analysis of one function for one target runtime."""

    function: Function
    target: Runtime
    score: int
    verdict: Verdict
    breakdown: ScoreBreakdown
    findings: tuple[Finding, ...]
    dependencies: tuple[DependencyRow, ...] = ()
    errors: tuple[AnalysisError, ...] = ()
    components: tuple[Component, ...] = ()
    files_analysed: int = 0
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportRecord:
    """One import statement of a source file, as the source analysis saw it."""

    module: str
    """The module named, without leading dots (``""`` for ``from . import x``)."""
    level: int
    """0 for an absolute import, the number of leading dots for a relative one."""
    names: tuple[str, ...]
    """The names a ``from`` import takes (``("*",)`` for a star import); empty for ``import x``."""
    line: int
    at_import_time: bool
    """Whether it runs when the module loads (module level, or a class body), not inside a def."""
    guarded: bool
    """Whether an ``except ImportError`` (or a version check) around it handles its failure."""


@dataclass(frozen=True)
class SourceAnalysis:
    """What the source rules found in one file, and the imports the file makes."""

    path: str
    findings: tuple[Finding, ...] = ()
    imports: tuple[ImportRecord, ...] = ()
    top_level_names: frozenset[str] = frozenset()
    """Names bound at module level (functions, classes, assignments, imports)."""
    parse_error: str | None = None
