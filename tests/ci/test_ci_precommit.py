"""The pre-commit hook definition: the command it runs, on the files that matter, as it runs it."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from tests.ci.conftest import run_cli
from tests.conftest import REPO
from tests.iac.sample_repos import SHARED_LAYER, TERRAFORM_WITH_MODULE, write_files


def _hook() -> dict[str, object]:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [hook] = hooks
    return dict(hook)


def test_the_hook_runs_the_console_script_once_per_commit() -> None:
    hook = _hook()

    assert hook["id"] == "lambda-analyzer-ci"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    command = shlex.split(str(hook["entry"]))
    assert command == ["lambda-analyzer", "ci"]
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'lambda-analyzer = "analyzer.cli:main"' in pyproject


@pytest.mark.parametrize(
    ("path", "triggers"),
    [
        ("template.yaml", True),
        ("infra/main.tf", True),
        ("serverless.yml", True),
        ("stack/template.json", True),
        ("src/handlers/app.py", True),
        ("src/requirements.txt", True),
        ("src/requirements-dev.txt", True),
        ("README.md", False),
        ("web/index.js", False),
    ],
)
def test_the_hook_runs_when_code_requirements_or_templates_change(
    path: str, triggers: bool
) -> None:
    assert bool(re.search(str(_hook()["files"]), path)) is triggers


@pytest.mark.parametrize(("files", "status"), [(SHARED_LAYER, 1), (TERRAFORM_WITH_MODULE, 0)])
def test_the_hook_command_with_its_arguments_checks_the_repository(
    tmp_path: Path, files: dict[str, str], status: int
) -> None:
    hook = _hook()
    root = write_files(tmp_path / "repo", files)
    _, *arguments = shlex.split(str(hook["entry"]))

    # pre-commit runs the entry from the repository's root, with the hook's args.
    result = run_cli(*arguments, *[str(argument) for argument in hook["args"]], cwd=root)

    assert result.returncode == status, result.stderr
    assert len(result.stdout.splitlines()) == 1
    assert result.stdout.startswith("result: ")
