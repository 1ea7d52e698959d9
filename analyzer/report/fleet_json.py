"""The fleet report as JSON: the document of ``analyzer.fleet.fleet_document``."""

from __future__ import annotations

import json

from analyzer.fleet import FleetReport, fleet_document
from analyzer.report.interface import DEFAULT_OPTIONS, RenderOptions


def render(report: FleetReport, *, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    """``report`` as an indented JSON document, ending with a newline."""
    return json.dumps(fleet_document(report), indent=2, ensure_ascii=True) + "\n"
