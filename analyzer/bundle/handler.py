"""The configured handler: whether its module is in the package and defines the function."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from analyzer.bundle.layout import ModuleEntry, ModuleIndex, ModuleKind
from analyzer.models import (
    FUNCTION_CODE,
    Category,
    Component,
    ComponentKind,
    Finding,
    Function,
    Location,
    Reach,
    SourceAnalysis,
)
from analyzer.runtimes import RUNTIMES

logger = logging.getLogger(__name__)

RULE_ID = "handler-missing"
HANDLER_DOCUMENTATION = "https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html"
# Names a module binds that let it provide any attribute, or that hide what it binds.
_DYNAMIC_NAMES = frozenset({"__getattr__"})
_MAX_STAR_DEPTH = 20


@dataclass(frozen=True)
class HandlerName:
    """A handler string split the way Lambda's Python runtime splits it.

    The runtime takes the text after the last dot as the function and imports the rest as
    a module, with slashes read as dots: ``src/app.handler`` imports ``src.app`` and calls
    its ``handler`` (awslambdaric ``bootstrap._get_handler``).
    """

    text: str
    module: str
    function: str

    @property
    def module_file(self) -> str:
        """The source file the module would be, such as ``src/app.py``."""
        return self.module.replace(".", "/") + ".py"


def parse_handler(handler: str) -> HandlerName | None:
    """``handler`` as module and function, or ``None`` when no module can be imported from it."""
    text = handler.strip()
    module_part, dot, function_name = text.rpartition(".")
    if not dot or not function_name:
        return None
    module = module_part.replace("/", ".")
    if not module or any(not part for part in module.split(".")):
        return None
    return HandlerName(text, module, function_name)


def handler_module_name(handler: str | None) -> str | None:
    """The dotted module a handler string names, or ``None`` (no handler, or malformed)."""
    if handler is None:
        return None
    parsed = parse_handler(handler)
    return parsed.module if parsed is not None else None


def check_handler(
    function: Function,
    index: ModuleIndex,
    analyses: Mapping[str, SourceAnalysis],
) -> list[Finding]:
    """A ``handler-missing`` finding when the handler's module or function does not exist.

    ``index`` is the module index of the function's source runtime, ``analyses`` the source
    analyses by display path. Nothing is reported when there is no handler, or when the
    module cannot be read (an extension module, bytecode, a file that does not parse).
    """
    if function.handler is None:
        return []
    parsed = parse_handler(function.handler)
    if parsed is None:
        return [_malformed(function.handler)]

    entry = index.resolve(parsed.module)
    if entry is None:
        return [_module_missing(parsed, index)]
    if entry.kind is ModuleKind.NAMESPACE:
        return [_namespace_module(parsed, entry, index)]
    assert entry.path is not None
    analysis = analyses.get(entry.path)
    if analysis is None or analysis.parse_error is not None:
        logger.debug("handler module %s (%s) cannot be read", parsed.module, entry.path)
        return []
    names = _bound_names(entry, index, analyses)
    if names is None or parsed.function in names:
        return []
    return [_function_missing(parsed, entry, index, names)]


def _bound_names(
    entry: ModuleEntry, index: ModuleIndex, analyses: Mapping[str, SourceAnalysis]
) -> frozenset[str] | None:
    """Names ``entry`` binds at module level, through star imports too; ``None`` if unknowable."""
    names: set[str] = set()
    seen: set[str] = set()
    pending = [(entry, 0)]
    while pending:
        current, depth = pending.pop()
        if current.path is None or current.path in seen:
            continue
        seen.add(current.path)
        analysis = analyses.get(current.path)
        if analysis is None or analysis.parse_error is not None or depth > _MAX_STAR_DEPTH:
            return None
        if analysis.top_level_names & _DYNAMIC_NAMES:
            return None
        names |= analysis.top_level_names
        package = current.name if current.kind is ModuleKind.PACKAGE else ""
        if not package:
            package = current.name.rpartition(".")[0]
        for record in analysis.imports:
            if "*" not in record.names or not record.at_import_time:
                continue
            source = _star_source(record.module, record.level, package)
            star_entry = index.resolve(source) if source is not None else None
            if star_entry is None:
                # A star import from the stdlib or elsewhere: what it binds is unknown.
                return None
            pending.append((star_entry, depth + 1))
    return frozenset(names)


def _star_source(module: str, level: int, package: str) -> str | None:
    if level == 0:
        return module
    bits = package.rsplit(".", level - 1) if package else []
    if len(bits) < level:
        return None
    return f"{bits[0]}.{module}" if module else bits[0]


def _finding(
    message: str, fix: str, path: str, component: Component = FUNCTION_CODE, symbol: str = ""
) -> Finding:
    return Finding(
        rule_id=RULE_ID,
        category=Category.CONFIGURATION,
        message=message,
        location=Location(path),
        fix=fix,
        component=component,
        symbol=symbol or None,
        broken_on=tuple(RUNTIMES),
        reach=Reach.IMPORT,
        documentation=HANDLER_DOCUMENTATION,
    )


def _malformed(handler: str) -> Finding:
    return _finding(
        f"handler {handler!r} is not of the form module.function, so Lambda cannot import it",
        "Set the handler to the module path and the function name joined by a dot, such as "
        "app.handler for def handler(event, context) in app.py (src/app.handler for src/app.py)",
        ".",
        symbol=handler,
    )


def _module_missing(parsed: HandlerName, index: ModuleIndex) -> Finding:
    why = ""
    candidates = index.candidates.get(parsed.module, ())
    if candidates:
        why = f"; {candidates[0].path} would provide it, but {candidates[0].reason}"
    suggestion = _similar_modules(parsed, index)
    hint = f" (did you mean {' or '.join(suggestion)}?)" if suggestion else ""
    return _finding(
        f"handler {parsed.text!r} names module {parsed.module}, which is neither in the "
        f"deployment package nor in its layers on {index.runtime.name}{why}: every invocation "
        f"fails with Runtime.ImportModuleError{hint}",
        f"Add {parsed.module_file} to the deployment package, or set the handler to the module "
        "that defines the function",
        ".",
        symbol=parsed.text,
    )


def _similar_modules(parsed: HandlerName, index: ModuleIndex) -> list[str]:
    """Handlers naming a module of the package with the same last name, or a close one."""
    last = parsed.module.rpartition(".")[2]
    if last == "py":
        # "app.py.handler": the file name was given with its suffix.
        stripped = parsed.module.rpartition(".")[0]
        if stripped in index.modules:
            return [f"{stripped}.{parsed.function}"]
    matches = [
        name
        for name, entry in index.modules.items()
        if name.rpartition(".")[2] == last and entry.path is not None
    ]
    if not matches:
        top_level = [name for name in index.modules if "." not in name]
        matches = difflib.get_close_matches(parsed.module, top_level, n=3)
    return [f"{name.replace('.', '/')}.{parsed.function}" for name in sorted(matches)[:3]]


def _namespace_module(parsed: HandlerName, entry: ModuleEntry, index: ModuleIndex) -> Finding:
    folder = entry.portions[0] if entry.portions else "."
    return _finding(
        f"handler {parsed.text!r} names module {parsed.module}, which is a folder without "
        f"__init__.py, so it cannot define {parsed.function}: every invocation fails with "
        "Runtime.HandlerNotFound",
        f"Set the handler to the file that defines {parsed.function}, such as "
        f"{parsed.module.replace('.', '/')}/<file>.{parsed.function}",
        folder,
        _component(index, folder),
        parsed.text,
    )


def _function_missing(
    parsed: HandlerName, entry: ModuleEntry, index: ModuleIndex, names: frozenset[str]
) -> Finding:
    assert entry.path is not None
    close = difflib.get_close_matches(parsed.function, sorted(names), n=1)
    hint = f" (did you mean {parsed.module.replace('.', '/')}.{close[0]}?)" if close else ""
    return _finding(
        f"handler {parsed.text!r}: module {parsed.module} ({entry.path}) defines no "
        f"{parsed.function!r} at module level, so every invocation fails with "
        f"Runtime.HandlerNotFound{hint}",
        f"Define {parsed.function}(event, context) in {entry.path}, or set the handler to a "
        f"function the module defines",
        entry.path,
        _component(index, entry.path),
        parsed.text,
    )


def _component(index: ModuleIndex, path: str) -> Component:
    package_file = index.package.by_path.get(path)
    if package_file is not None:
        return package_file.component
    if path.startswith("layers/"):
        return Component(ComponentKind.LAYER, path.split("/", 2)[1])
    return FUNCTION_CODE
