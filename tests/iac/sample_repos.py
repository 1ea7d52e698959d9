"""Small function repositories, one per template format, written into a folder by the tests.

Each template's text starts at line 1 exactly as written here, so the line numbers the
tests assert can be read off the strings. Code files are small but real: they parse, and
some use modules that newer Pythons removed.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

Files = Mapping[str, str]


def write_files(root: Path, files: Files) -> Path:
    """Write ``files`` (path relative to ``root``: text) under ``root`` and return ``root``."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


CLEAN_HANDLER = """
    import json


    def handler(event, context):
        return json.dumps(event)
    """

IMP_HANDLER = """
    import imp


    def handler(event, context):
        return imp.new_module(event["name"]).__name__
    """

SAM_WITH_GLOBALS: Files = {
    "template.yaml": """
        AWSTemplateFormatVersion: "2010-09-09"
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          PythonRuntime:
            Type: String
            Default: python3.12
        Globals:
          Function:
            Runtime: python3.9
            Handler: app.handler
            Architectures:
              - arm64
            Layers:
              - !Ref CommonLayer
        Resources:
          CommonLayer:
            Type: AWS::Serverless::LayerVersion
            Properties:
              ContentUri: layers/common/
              CompatibleRuntimes:
                - python3.9
                - python3.12
          OrdersFunction:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: functions/orders/
          BillingFunction:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: functions/billing/
              Handler: billing/main.lambda_handler
              Runtime: !Ref PythonRuntime
              Architectures: [x86_64]
              Layers:
                - arn:aws:lambda:us-east-1:123456789012:layer:powertools:3
          WebFunction:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: web/
              Handler: index.handler
              Runtime: nodejs20.x
        """,
    "functions/orders/app.py": CLEAN_HANDLER,
    "functions/billing/billing/__init__.py": "",
    "functions/billing/billing/main.py": """
        def lambda_handler(event, context):
            return {"total": sum(event["amounts"])}
        """,
    "layers/common/python/common.py": """
        VERSION = "1"
        """,
    "web/index.js": "exports.handler = async () => 'ok';\n",
}

CLOUDFORMATION_JSON: Files = {
    "stack/template.json": """
        {
          "AWSTemplateFormatVersion": "2010-09-09",
          "Resources": {
            "SharedLayer": {
              "Type": "AWS::Lambda::LayerVersion",
              "Properties": {
                "Content": "../layer",
                "CompatibleRuntimes": ["python3.10", "python3.11"]
              }
            },
            "ReportFunction": {
              "Type": "AWS::Lambda::Function",
              "Properties": {
                "Code": "../src/report",
                "Handler": "report.handler",
                "Runtime": "python3.12",
                "Architectures": ["arm64"],
                "Layers": [{"Ref": "SharedLayer"}]
              }
            },
            "ArchiveFunction": {
              "Type": "AWS::Lambda::Function",
              "Properties": {
                "Code": {"S3Bucket": "artifacts", "S3Key": "archive.zip"},
                "Handler": "archive.handler",
                "Runtime": "python3.11"
              }
            }
          }
        }
        """,
    "src/report/report.py": CLEAN_HANDLER,
    "layer/python/shared.py": "NAME = 'shared'\n",
}

SERVERLESS: Files = {
    "service/serverless.yml": """
        service: orders
        custom:
          pythonVersion: python3.12
        provider:
          name: aws
          runtime: python3.9
          architecture: arm64
        package:
          patterns:
            - "!tests/**"
        layers:
          common-libs:
            path: layers/common
            compatibleRuntimes:
              - python3.9
        functions:
          create:
            handler: handlers/create.main
            layers:
              - Ref: CommonDashlibsLambdaLayer
          report:
            handler: handlers/report.main
            runtime: ${self:custom.pythonVersion}
          legacy:
            handler: handlers/legacy.main
            runtime: ${opt:runtime, 'python3.11'}
        """,
    "service/handlers/__init__.py": "",
    "service/handlers/create.py": """
        def main(event, context):
            return {"created": event["id"]}
        """,
    "service/handlers/report.py": """
        def main(event, context):
            return {"rows": len(event["rows"])}
        """,
    "service/handlers/legacy.py": """
        import imp


        def main(event, context):
            return imp.new_module("plugin").__name__
        """,
    "service/tests/check_legacy.py": """
        import asynchat
        """,
    "service/layers/common/python/common_libs.py": "VERSION = 2\n",
}

TERRAFORM_WITH_MODULE: Files = {
    "infra/main.tf": """
        variable "runtime" {
          type    = string
          default = "python3.9"
        }

        data "archive_file" "api" {
          type        = "zip"
          source_dir  = "${path.module}/../src/api"
          output_path = "${path.module}/build/api.zip"
        }

        data "archive_file" "deps" {
          type        = "zip"
          source_dir  = "${path.module}/../layers/deps"
          output_path = "${path.module}/build/deps.zip"
        }

        resource "aws_lambda_layer_version" "deps" {
          layer_name          = "deps"
          filename            = data.archive_file.deps.output_path
          compatible_runtimes = [
            "python3.9",
          ]
        }

        resource "aws_lambda_function" "api" {
          function_name = "api"
          runtime       = var.runtime # the platform team bumps this
          handler       = "api.handler"
          filename      = data.archive_file.api.output_path
          architectures = ["arm64"]
          layers        = [aws_lambda_layer_version.deps.arn]
        }

        module "worker" {
          source     = "./modules/function"
          name       = "worker"
          runtime    = "python3.12"
          source_dir = "${path.module}/../src/worker"
        }
        """,
    "infra/modules/function/main.tf": """
        variable "name" {}
        variable "runtime" {}
        variable "source_dir" {}
        variable "handler" {
          default = "worker.handler"
        }

        data "archive_file" "code" {
          type        = "zip"
          source_dir  = var.source_dir
          output_path = "${path.module}/code.zip"
        }

        resource "aws_lambda_function" "this" {
          function_name = var.name
          runtime       = var.runtime
          handler       = var.handler
          filename      = data.archive_file.code.output_path
        }
        """,
    "src/api/api.py": CLEAN_HANDLER,
    "src/worker/worker.py": CLEAN_HANDLER,
    "layers/deps/python/deps.py": "VERSION = 3\n",
}

SHARED_LAYER: Files = {
    "template.yaml": """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          HelpersLayer:
            Type: AWS::Serverless::LayerVersion
            Properties:
              ContentUri: layers/helpers
              CompatibleRuntimes:
                - python3.9
          OrdersFunction:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: orders.handler
              Runtime: python3.12
              Layers:
                - !Ref HelpersLayer
          RefundsFunction:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: refunds.handler
              Runtime: python3.12
              Layers:
                - !Ref HelpersLayer
        """,
    "src/orders.py": """
        from helpers import total


        def handler(event, context):
            return total(event["lines"])
        """,
    "src/refunds.py": CLEAN_HANDLER,
    "layers/helpers/python/helpers.py": """
        import imp

        PLUGINS = imp.new_module("plugins")


        def total(lines):
            return sum(line["amount"] for line in lines)
        """,
}
