"""Helpers for the template readers' tests: write a sample repository, read its functions."""

from __future__ import annotations

from pathlib import Path

from analyzer.iac import Setting, Template, TemplateFunction, read_repository
from tests.iac.sample_repos import Files, write_files


def read_templates(root: Path, files: Files) -> list[Template]:
    """Write ``files`` under ``root`` and read every template there."""
    return read_repository(write_files(root, files))


def functions_by_name(templates: list[Template]) -> dict[str, TemplateFunction]:
    return {function.name: function for template in templates for function in template.functions}


def where(setting: Setting[str] | None, root: Path | None = None) -> tuple[str, str, int | None]:
    """A setting as (value, file, line); a path value relative to ``root``."""
    assert setting is not None
    value = setting.value
    if root is not None:
        value = Path(value).relative_to(root.resolve()).as_posix()
    return value, setting.location.path, setting.location.line
