"""Runtime settings read from infrastructure templates: SAM, CloudFormation, Serverless, Terraform.

``read_repository`` finds and reads every template of a repository; each ``Template`` holds
its functions and layers, every setting with the file and line where it is written.
``analyzer.iac.findings`` turns them into findings.
"""

from __future__ import annotations

from analyzer.iac.discover import read_repository
from analyzer.iac.model import (
    LayerDefinition,
    LayerReference,
    Setting,
    Template,
    TemplateFormat,
    TemplateFunction,
)

__all__ = [
    "LayerDefinition",
    "LayerReference",
    "Setting",
    "Template",
    "TemplateFormat",
    "TemplateFunction",
    "read_repository",
]
