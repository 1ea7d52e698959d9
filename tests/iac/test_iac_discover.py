"""Which files are read as templates, and what is reported when a setting cannot be had."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.errors import InputError
from analyzer.iac import read_repository
from tests.iac.conftest import functions_by_name, read_templates, where
from tests.iac.sample_repos import CLEAN_HANDLER, TERRAFORM_WITH_MODULE, write_files

MINIMAL_SAM = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src/
          Handler: app.handler
          Runtime: python3.11
    """


def test_build_output_installed_packages_and_virtualenvs_are_not_searched(
    tmp_path: Path,
) -> None:
    templates = read_templates(
        tmp_path,
        {
            "template.yaml": MINIMAL_SAM,
            "src/app.py": CLEAN_HANDLER,
            ".aws-sam/build/template.yaml": MINIMAL_SAM,
            "node_modules/pkg/template.yaml": MINIMAL_SAM,
            "venv-x/pyvenv.cfg": "home = /usr/bin\n",
            "venv-x/lib/template.yaml": MINIMAL_SAM,
            ".github/workflows/ci.yml": "on: push\njobs: {}\n",
            "package.json": '{"name": "web"}\n',
            "docs/not-a-template.yaml": "Resources: [1, 2]\n",
        },
    )

    assert [template.path for template in templates] == ["template.yaml"]


def test_excluded_paths_are_not_searched(tmp_path: Path) -> None:
    write_files(
        tmp_path, {"template.yaml": MINIMAL_SAM, "tests/fixtures/template.yaml": MINIMAL_SAM}
    )

    templates = read_repository(tmp_path, excludes=["tests/*"])

    assert [template.path for template in templates] == ["template.yaml"]


@pytest.mark.parametrize(
    "exclude", ["infra", "infra/*", "infra/main.tf", "*.tf", "infra/modules/*"]
)
def test_an_exclude_glob_matching_a_terraform_folder_or_its_files_leaves_the_module_out(
    tmp_path: Path, exclude: str
) -> None:
    write_files(tmp_path, {**TERRAFORM_WITH_MODULE, "template.yaml": MINIMAL_SAM})

    templates = read_repository(tmp_path, excludes=[exclude])

    # ``infra/modules/*`` leaves out only the module folder, which the kept root still calls.
    kept = ["infra", "template.yaml"] if exclude == "infra/modules/*" else ["template.yaml"]
    assert [template.path for template in templates] == kept


def test_an_exclude_glob_matching_one_module_leaves_its_siblings_in(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            **{f"a/{path}": text for path, text in TERRAFORM_WITH_MODULE.items()},
            **{f"b/{path}": text for path, text in TERRAFORM_WITH_MODULE.items()},
        },
    )

    templates = read_repository(tmp_path, excludes=["a/infra/*"])

    assert [template.path for template in templates] == ["b/infra"]
    assert sorted(function.name for function in templates[0].functions) == [
        "aws_lambda_function.api",
        "module.worker.aws_lambda_function.this",
    ]


def test_a_broken_template_is_reported_with_its_line_and_the_others_still_read(
    tmp_path: Path,
) -> None:
    templates = read_templates(
        tmp_path,
        {
            "a/template.yaml": "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    x: [\n",
            "b/template.yaml": MINIMAL_SAM,
        },
    )

    broken, good = templates
    assert broken.path == "a/template.yaml" and broken.functions == ()
    # The wording is libyaml's or PyYAML's, whichever is installed; the line is the same.
    [error] = broken.errors
    assert error.path == "a/template.yaml"
    assert error.message.startswith("not valid YAML: ")
    assert error.message.endswith("(line 5)")
    assert [function.name for function in good.functions] == ["Fn"]


def test_a_given_file_that_is_not_a_template_is_a_user_error(tmp_path: Path) -> None:
    write_files(tmp_path, {"config.yaml": "a: 1\n"})

    with pytest.raises(InputError, match="not a SAM, CloudFormation, Serverless or Terraform"):
        read_repository(tmp_path, templates=[tmp_path / "config.yaml"])


def test_code_outside_the_repository_is_refused(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    write_files(tmp_path, {"outside/app.py": CLEAN_HANDLER})
    templates = read_templates(
        repository, {"template.yaml": MINIMAL_SAM.replace("src/", "../outside")}
    )

    function = templates[0].functions[0]
    assert function.code is None
    assert function.problems == (
        "code Fn.Properties.CodeUri ../outside is outside the repository; not analysed",
    )


def test_a_code_folder_kept_beside_a_template_folder_is_found_from_the_repository_root(
    tmp_path: Path,
) -> None:
    # ``sam build --base-dir``: templates in iac/, code paths written from the root.
    templates = read_templates(
        tmp_path, {"iac/template.yaml": MINIMAL_SAM, "src/app.py": CLEAN_HANDLER}
    )

    assert where(templates[0].functions[0].code, tmp_path) == ("src", "iac/template.yaml", 6)


def test_a_missing_code_folder_says_where_it_was_looked_for(tmp_path: Path) -> None:
    templates = read_templates(tmp_path, {"iac/template.yaml": MINIMAL_SAM})

    assert templates[0].functions[0].problems == (
        "code Fn.Properties.CodeUri src/ not found (looked for iac/src, src)",
    )


def test_terraform_locals_and_values_known_only_when_applying(tmp_path: Path) -> None:
    templates = read_templates(
        tmp_path,
        {
            "main.tf": """
                locals {
                  runtime = "python3.10"
                }

                resource "aws_lambda_function" "a" {
                  runtime  = local.runtime
                  handler  = "a.handler"
                  filename = "build/a.zip"
                }

                resource "aws_lambda_function" "b" {
                  runtime   = data.aws_ssm_parameter.runtime.value
                  handler   = "b.handler"
                  s3_bucket = "artifacts"
                }

                module "remote" {
                  source = "terraform-aws-modules/lambda/aws"
                }
                """,
        },
    )
    functions = functions_by_name(templates)

    assert where(functions["aws_lambda_function.a"].runtime) == ("python3.10", "main.tf", 2)
    assert functions["aws_lambda_function.a"].problems == (
        "aws_lambda_function.a.filename build/a.zip not found (looked for build/a.zip)",
    )
    assert functions["aws_lambda_function.b"].runtime is None
    assert functions["aws_lambda_function.b"].problems == (
        "aws_lambda_function.b.runtime is ${data.aws_ssm_parameter.runtime.value}, which is "
        "known only when applying",
        "aws_lambda_function.b: the code is in S3; it is not in the repository",
    )


def test_a_terraform_module_that_includes_itself_is_an_error_not_a_loop(tmp_path: Path) -> None:
    templates = read_templates(
        tmp_path,
        {
            "main.tf": 'module "a" {\n  source = "./mod"\n}\n',
            "mod/main.tf": 'module "again" {\n  source = "./"\n}\n',
        },
    )

    assert [template.path for template in templates] == ["."]
    assert [error.message for error in templates[0].errors] == ["module again includes itself"]


def test_invalid_hcl_is_an_error_of_its_file(tmp_path: Path) -> None:
    templates = read_templates(tmp_path, {"main.tf": 'resource "a" "b" {\n  x = \n'})

    assert [(error.path, error.message.split(":")[0]) for error in templates[0].errors] == [
        ("main.tf", "not valid HCL")
    ]


def test_serverless_values_known_only_when_deploying_and_artifacts(tmp_path: Path) -> None:
    templates = read_templates(
        tmp_path,
        {
            "serverless.yml": """
                service: s
                provider:
                  name: aws
                  runtime: ${env:PYTHON_RUNTIME}
                functions:
                  packaged:
                    handler: app.handler
                    package:
                      artifact: dist/packaged.zip
                  moduled:
                    handler: app.handler
                    module: api
                    runtime: ${self:custom.missing, 'python3.12'}
                """,
            "api/app.py": CLEAN_HANDLER,
        },
    )
    functions = functions_by_name(templates)

    packaged = functions["packaged"]
    assert packaged.runtime is None
    assert packaged.problems == (
        "provider.runtime is ${env:PYTHON_RUNTIME}, which is known only at deploy time",
        "artifact functions.packaged.package.artifact dist/packaged.zip not found "
        "(looked for dist/packaged.zip) (is it built before deploying?)",
    )
    moduled = functions["moduled"]
    assert where(moduled.runtime) == ("python3.12", "serverless.yml", 13)
    assert where(moduled.code, tmp_path) == ("api", "serverless.yml", 12)


def test_given_templates_are_the_only_ones_read_and_may_be_relative_to_the_repository(
    tmp_path: Path,
) -> None:
    write_files(
        tmp_path,
        {"a/template.yaml": MINIMAL_SAM, "b/template.yaml": MINIMAL_SAM, "c/main.tf": ""},
    )

    templates = read_repository(tmp_path, templates=[Path("b/template.yaml"), tmp_path / "c"])

    assert [template.path for template in templates] == ["b/template.yaml", "c"]
