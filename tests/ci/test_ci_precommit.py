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


def test_a_failing_hook_lists_the_failing_findings_with_their_places(tmp_path: Path) -> None:
    hook = _hook()
    root = write_files(tmp_path / "repo", SHARED_LAYER)
    _, *arguments = shlex.split(str(hook["entry"]))

    # pre-commit runs the entry from the repository's root, with the hook's args.
    result = run_cli(*arguments, *[str(argument) for argument in hook["args"]], cwd=root)

    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    failing = lines[lines.index("failing:") + 1 :]
    assert failing == [
        "  blocker removed-stdlib-module layers/helpers/python/helpers.py:1: imp was removed in "
        "Python 3.12 (deprecated since 3.4)",
        "  blocker removed-stdlib-api layers/helpers/python/helpers.py:3: imp.new_module belongs "
        "to imp, which was removed in Python 3.12 (deprecated since 3.4)",
        "  blocker iac-runtime-not-ready template.yaml:14: python3.12 here is blocked by `imp` in "
        "layers/helpers/python/helpers.py:1 and 1 more",
        "result: fails: 3 findings at high or worse",
    ]


def test_a_passing_hook_says_so_on_its_last_line(tmp_path: Path) -> None:
    hook = _hook()
    root = write_files(tmp_path / "repo", TERRAFORM_WITH_MODULE)
    _, *arguments = shlex.split(str(hook["entry"]))

    result = run_cli(*arguments, *[str(argument) for argument in hook["args"]], cwd=root)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "failing:" not in lines
    assert lines[-1] == "result: passes: no finding at high or worse"
