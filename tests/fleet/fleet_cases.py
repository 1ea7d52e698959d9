"""Function folders for batch tests, built from the sample functions under new names."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_functions"


def add_function(
    fleet: Path,
    name: str,
    sample: str,
    *,
    files: Mapping[str, str] | None = None,
    layers: Mapping[str, Mapping[str, str]] | None = None,
    runtime: str | None = None,
) -> Path:
    """``fleet/<name>/`` holding a copy of a sample's ``function/`` and its configuration,
    renamed; ``files`` are written over the copy, ``layers`` (name to files) are added under
    ``fleet/<name>/layers/`` and named in the configuration."""
    folder = fleet / name
    shutil.copytree(SAMPLES / sample / "function", folder / "function")
    configuration = json.loads((SAMPLES / sample / "configuration.json").read_text())
    configuration["FunctionName"] = name
    configuration["FunctionArn"] = configuration["FunctionArn"].rsplit(":", 1)[0] + f":{name}"
    configuration.pop("CodeSha256", None)
    configuration.pop("CodeSize", None)
    if runtime is not None:
        configuration["Runtime"] = runtime
    for relative, text in (files or {}).items():
        path = folder / "function" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    configuration["Layers"] = []
    for layer, layer_files in (layers or {}).items():
        for relative, text in layer_files.items():
            path = folder / "layers" / layer / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        configuration["Layers"].append(
            {"Arn": f"arn:aws:lambda:eu-west-1:123456789012:layer:{layer}:1", "CodeSize": 100}
        )
    (folder / "configuration.json").write_text(json.dumps(configuration, indent=2))
    return folder


def scan_log(database: Path) -> list[tuple[str, str]]:
    """(function name, status) of every scan the database logged, in order."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT f.name, s.status FROM scan_log s JOIN functions f ON f.key = s.function_key "
            "ORDER BY s.id"
        ).fetchall()
    connection.close()
    return [(name, status) for name, status in rows]


def rows(database: Path, query: str) -> list[tuple[object, ...]]:
    """The rows of ``query`` on ``database``."""
    with sqlite3.connect(database) as connection:
        found = connection.execute(query).fetchall()
    connection.close()
    return found
