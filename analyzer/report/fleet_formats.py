"""Fleet report renderers: each a pure function from a ``FleetReport`` to text, chosen by name."""

from __future__ import annotations

import enum
import importlib
from typing import TYPE_CHECKING, Protocol, cast

from analyzer.report.interface import RenderOptions

if TYPE_CHECKING:
    from analyzer.fleet import FleetFunction, FleetReport


class FleetFormat(str, enum.Enum):
    """The formats of ``lambda-analyzer report`` (the values are the CLI's names)."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"
    HTML = "html"


class FleetRenderer(Protocol):
    """A fleet format's ``render`` function: the report in, text out, no I/O."""

    def __call__(self, report: FleetReport, *, options: RenderOptions = ...) -> str: ...


# A new format is a module with ``render(report, *, options)`` and one row here; modules are
# named, not imported, so that ``--help`` does not pay for them.
_RENDERER_MODULES: dict[FleetFormat, str] = {
    FleetFormat.TABLE: "analyzer.report.fleet_table",
    FleetFormat.JSON: "analyzer.report.fleet_json",
    FleetFormat.CSV: "analyzer.report.fleet_csv",
    FleetFormat.MARKDOWN: "analyzer.report.fleet_markdown",
    FleetFormat.HTML: "analyzer.report.fleet_html",
}


def fleet_renderer_for(fmt: FleetFormat) -> FleetRenderer:
    """The ``render`` function of fleet format ``fmt``."""
    module = importlib.import_module(_RENDERER_MODULES[fmt])
    return cast("FleetRenderer", module.render)


def render_fleet(
    fmt: FleetFormat,
    report: FleetReport,
    *,
    width: int | None = None,
    color: bool = False,
) -> str:
    """``report`` as text in format ``fmt``, ending with a newline."""
    options = RenderOptions(width=width, color=color, generated_at=report.evidence.generated_at)
    return fleet_renderer_for(fmt)(report, options=options)


# --------------------------------------------------------------------------- shared wording

VERDICT_LABELS = {
    "blocked": "blocked",
    "not-analysed": "not analysed",
    "needs-work": "needs work",
    "ready": "ready",
}


def verdict_cell(function: FleetFunction, target: str) -> str:
    """``blocked 20``, ``ready 100``, or why there is no verdict."""
    result = function.results.get(target)
    if result is not None and result.verdict == "not-analysed":
        return "not analysed"
    if result is not None:
        return f"{result.verdict} {result.score}"
    if function.status == "failed":
        return f"failed: {function.failure_kind or 'error'}"
    if function.status == "pending":
        return "not scanned yet"
    return "not scanned for this target"


def blockers_text(function: FleetFunction, target: str, limit: int) -> list[str]:
    """The first ``limit`` blocking problems on ``target``, each ``rule (symbol) at path:line``."""
    result = function.results.get(target)
    if result is None:
        return [function.error] if function.error else []
    shown = [f"{blocker.label} at {blocker.where}" for blocker in result.blockers[:limit]]
    if len(result.blockers) > limit:
        shown.append(f"and {len(result.blockers) - limit} more")
    return shown


def runtime_text(function: FleetFunction) -> str:
    """``python3.9 (deprecated 2025-12-15)`` or the package type of an image."""
    if function.runtime is None:
        return "image" if function.package_type == "Image" else "unknown"
    if function.lifecycle is None:
        return function.runtime
    return f"{function.runtime} ({function.lifecycle}, deprecation {function.deprecation})"


def where_text(function: FleetFunction) -> str:
    """``ACCOUNT/REGION``, or ``local``."""
    if function.account or function.region:
        return f"{function.account or '?'}/{function.region or '?'}"
    return "local"


def short_hash(text: str | None) -> str:
    """The first 12 characters of a code hash, for terminal widths."""
    return text[:12] if text else "-"
