"""Fixtures of the renderer tests: the report schema's validator."""

from __future__ import annotations

import jsonschema
import pytest

from analyzer.report.json import load_schema


@pytest.fixture(scope="session")
def schema_validator() -> jsonschema.Draft202012Validator:
    """A validator of the report schema, itself checked against the draft 2020-12 meta-schema."""
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)
