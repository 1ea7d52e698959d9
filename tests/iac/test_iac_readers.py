"""Each template format gives every function's runtime, handler, architecture, code and layers,
each with the file and line where it is written."""

from __future__ import annotations

from pathlib import Path

from analyzer.iac import TemplateFormat
from tests.iac.conftest import functions_by_name, read_templates, where
from tests.iac.sample_repos import (
    CLOUDFORMATION_JSON,
    SAM_WITH_GLOBALS,
    SERVERLESS,
    SHARED_LAYER,
    TERRAFORM_WITH_MODULE,
)


def test_sam_functions_inherit_globals_and_a_parameter_default_sets_a_runtime(
    tmp_path: Path,
) -> None:
    templates = read_templates(tmp_path, SAM_WITH_GLOBALS)
    functions = functions_by_name(templates)

    assert [t.template_format for t in templates] == [TemplateFormat.SAM]
    orders = functions["OrdersFunction"]
    assert where(orders.runtime) == ("python3.9", "template.yaml", 9)
    assert orders.runtime is not None and orders.runtime.key == "Globals.Function.Runtime"
    assert where(orders.handler) == ("app.handler", "template.yaml", 10)
    assert where(orders.architecture) == ("arm64", "template.yaml", 12)
    assert where(orders.code, tmp_path) == ("functions/orders", "template.yaml", 26)
    assert [(layer.text, layer.location.line) for layer in orders.layers] == [
        ("!Ref CommonLayer", 14)
    ]
    assert orders.location.line == 23

    billing = functions["BillingFunction"]
    assert where(billing.runtime) == ("python3.12", "template.yaml", 6)
    assert billing.runtime is not None
    assert billing.runtime.key == "Parameters.PythonRuntime.Default"
    assert where(billing.handler) == ("billing/main.lambda_handler", "template.yaml", 31)
    assert where(billing.architecture) == ("x86_64", "template.yaml", 33)
    # SAM adds list-valued globals to the function's own: the global layer comes first.
    assert [(layer.text, layer.location.line) for layer in billing.layers] == [
        ("!Ref CommonLayer", 14),
        ("arn:aws:lambda:us-east-1:123456789012:layer:powertools:3", 35),
    ]
    assert billing.layers[1].definition is None


def test_a_sam_layer_lists_each_compatible_runtime_on_its_own_line(tmp_path: Path) -> None:
    functions = functions_by_name(read_templates(tmp_path, SAM_WITH_GLOBALS))

    layer = functions["OrdersFunction"].layers[0].definition
    assert layer is not None
    assert [where(setting) for setting in layer.compatible_runtimes] == [
        ("python3.9", "template.yaml", 21),
        ("python3.12", "template.yaml", 22),
    ]
    assert where(layer.content, tmp_path) == ("layers/common", "template.yaml", 19)


def test_a_function_on_another_language_is_read_but_is_not_python(tmp_path: Path) -> None:
    functions = functions_by_name(read_templates(tmp_path, SAM_WITH_GLOBALS))

    assert where(functions["WebFunction"].runtime) == ("nodejs20.x", "template.yaml", 41)
    assert not functions["WebFunction"].is_python
    assert functions["OrdersFunction"].is_python


def test_cloudformation_json_functions_layers_and_code_outside_the_repository(
    tmp_path: Path,
) -> None:
    templates = read_templates(tmp_path, CLOUDFORMATION_JSON)
    functions = functions_by_name(templates)

    assert [(t.path, t.template_format) for t in templates] == [
        ("stack/template.json", TemplateFormat.CLOUDFORMATION)
    ]
    report = functions["ReportFunction"]
    assert where(report.runtime) == ("python3.12", "stack/template.json", 16)
    assert where(report.handler) == ("report.handler", "stack/template.json", 15)
    assert where(report.architecture) == ("arm64", "stack/template.json", 17)
    assert where(report.code, tmp_path) == ("src/report", "stack/template.json", 14)
    layer = report.layers[0].definition
    assert layer is not None and layer.name == "SharedLayer"
    assert [(s.value, s.location.line, s.location.column) for s in layer.compatible_runtimes] == [
        ("python3.10", 8, 32),
        ("python3.11", 8, 46),
    ]

    archive = functions["ArchiveFunction"]
    assert where(archive.runtime) == ("python3.11", "stack/template.json", 26)
    assert archive.code is None
    assert archive.problems == (
        "ArchiveFunction.Properties.Code is in S3 or a registry; the code is not in the repository",
    )


def test_serverless_provider_defaults_self_references_and_option_fallbacks(
    tmp_path: Path,
) -> None:
    templates = read_templates(tmp_path, SERVERLESS)
    functions = functions_by_name(templates)

    assert [(t.path, t.template_format) for t in templates] == [
        ("service/serverless.yml", TemplateFormat.SERVERLESS)
    ]
    create = functions["create"]
    assert where(create.runtime) == ("python3.9", "service/serverless.yml", 6)
    assert where(create.handler) == ("handlers/create.main", "service/serverless.yml", 18)
    assert where(create.architecture) == ("arm64", "service/serverless.yml", 7)
    assert where(create.code, tmp_path) == ("service", "service/serverless.yml", 17)
    assert create.code_patterns[-1] == "!tests/**"
    layer = create.layers[0].definition
    assert layer is not None and layer.name == "common-libs"
    assert [where(setting) for setting in layer.compatible_runtimes] == [
        ("python3.9", "service/serverless.yml", 15)
    ]

    # ``${self:custom.pythonVersion}`` is set where custom.pythonVersion is written.
    assert where(functions["report"].runtime) == ("python3.12", "service/serverless.yml", 3)
    # ``${opt:runtime, 'python3.11'}``: the option is unknown before deploying; its fallback.
    assert where(functions["legacy"].runtime) == ("python3.11", "service/serverless.yml", 26)


def test_terraform_runtime_from_a_variable_default_and_from_a_module_argument(
    tmp_path: Path,
) -> None:
    templates = read_templates(tmp_path, TERRAFORM_WITH_MODULE)
    functions = functions_by_name(templates)

    # The module folder is read through its caller, not as a root of its own.
    assert [(t.path, t.template_format) for t in templates] == [("infra", TemplateFormat.TERRAFORM)]
    assert templates[0].files == ("infra/main.tf", "infra/modules/function/main.tf")
    api = functions["aws_lambda_function.api"]
    assert where(api.runtime) == ("python3.9", "infra/main.tf", 3)
    assert api.runtime is not None and api.runtime.key == "variable.runtime.default"
    assert where(api.handler) == ("api.handler", "infra/main.tf", 29)
    assert where(api.architecture) == ("arm64", "infra/main.tf", 31)
    assert where(api.code, tmp_path) == ("src/api", "infra/main.tf", 8)
    layer = api.layers[0].definition
    assert layer is not None and layer.name == "aws_lambda_layer_version.deps"
    assert [where(setting) for setting in layer.compatible_runtimes] == [
        ("python3.9", "infra/main.tf", 22)
    ]
    assert where(layer.content, tmp_path) == ("layers/deps", "infra/main.tf", 14)

    worker = functions["module.worker.aws_lambda_function.this"]
    assert where(worker.runtime) == ("python3.12", "infra/main.tf", 38)
    assert where(worker.handler) == ("worker.handler", "infra/modules/function/main.tf", 5)
    assert where(worker.code, tmp_path) == ("src/worker", "infra/main.tf", 39)
    assert worker.architecture is None
    assert worker.location.path == "infra/modules/function/main.tf"
    assert worker.location.line == 14


def test_two_functions_referencing_one_layer_share_its_definition(tmp_path: Path) -> None:
    functions = functions_by_name(read_templates(tmp_path, SHARED_LAYER))

    orders, refunds = functions["OrdersFunction"], functions["RefundsFunction"]
    assert where(orders.runtime) == ("python3.12", "template.yaml", 14)
    assert where(refunds.runtime) == ("python3.12", "template.yaml", 22)
    assert where(orders.handler) == ("orders.handler", "template.yaml", 13)
    assert where(refunds.handler) == ("refunds.handler", "template.yaml", 21)
    assert orders.code is not None and refunds.code is not None
    assert orders.code.value == refunds.code.value
    assert orders.layers[0].definition is refunds.layers[0].definition
    assert (orders.layers[0].location.line, refunds.layers[0].location.line) == (16, 24)
