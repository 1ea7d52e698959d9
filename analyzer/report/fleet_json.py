"""The fleet report as JSON: the document of ``analyzer.fleet.fleet_document``."""

from __future__ import annotations

import json

from analyzer.fleet import FleetReport, fleet_document, function_entries
from analyzer.report.interface import DEFAULT_OPTIONS, RenderOptions

_INDENT = "    "
"""Where a function's entry sits in the document: inside the ``functions`` list."""


def render(report: FleetReport, *, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    """``report`` as an indented JSON document, ending with a newline.

    The text is what ``json.dumps(fleet_document(report), indent=2)`` gives, but the
    functions are encoded one at a time: a fleet of 100,000 functions never holds the whole
    document as Python objects at once.
    """
    head = json.dumps(fleet_document(report, with_functions=False), indent=2, ensure_ascii=True)
    entries = [
        _INDENT + json.dumps(entry, indent=2, ensure_ascii=True).replace("\n", "\n" + _INDENT)
        for entry in function_entries(report)
    ]
    functions = "[\n" + ",\n".join(entries) + "\n  ]" if entries else "[]"
    return head.removesuffix("\n}") + f',\n  "functions": {functions}\n}}\n'
