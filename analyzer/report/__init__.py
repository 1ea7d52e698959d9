"""Renderers: each a pure function from reports to text, chosen by format name."""

from __future__ import annotations

import enum
import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from analyzer.report.interface import Renderer, RenderOptions

if TYPE_CHECKING:
    from analyzer.models import FunctionReport

__all__ = ["RenderOptions", "Renderer", "ReportFormat", "render_reports"]


class ReportFormat(str, enum.Enum):
    """The output formats a report can be rendered in (the values are the CLI's names)."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    SARIF = "sarif"


# A new format is a module with a ``render(reports, *, options)`` function and one row here.
# Modules are named, not imported, so that ``--help`` does not pay for rich.
_RENDERER_MODULES: dict[ReportFormat, str] = {
    ReportFormat.TABLE: "analyzer.report.table",
    ReportFormat.JSON: "analyzer.report.json",
    ReportFormat.MARKDOWN: "analyzer.report.markdown",
    ReportFormat.SARIF: "analyzer.report.sarif",
}


def renderer_for(fmt: ReportFormat) -> Renderer:
    """The ``render`` function of format ``fmt``."""
    module = importlib.import_module(_RENDERER_MODULES[fmt])
    return cast("Renderer", module.render)


def render_reports(
    fmt: ReportFormat,
    reports: Sequence[FunctionReport],
    *,
    width: int | None = None,
    color: bool = False,
    generated_at: str | None = None,
    catalogue_version: str | None = None,
) -> str:
    """Render ``reports`` as text in format ``fmt``.

    ``width`` and ``color`` matter to terminal formats only; ``generated_at`` (an ISO 8601
    timestamp chosen by the caller) and ``catalogue_version`` are recorded by formats that
    carry metadata. The text ends with a newline.
    """
    options = RenderOptions(
        width=width,
        color=color,
        generated_at=generated_at,
        catalogue_version=catalogue_version,
    )
    return renderer_for(fmt)(reports, options=options)
