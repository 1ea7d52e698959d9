"""The GitHub Action's steps, run in order as a workflow runs them, in a fresh virtualenv.

``actions/setup-python`` is the one step not run: the fresh virtualenv stands in for the
Python it sets up. The virtualenv (made without a pip of its own) sees the packages of
the interpreter running the tests through a ``.pth`` file: pip, setuptools and the
analyser's dependencies, so no package index is needed. The action is given
``pip-args: --no-index --no-deps --no-build-isolation``: pip builds and installs
lambda-analyzer from the action's folder, as in a workflow, without the network.
The action's folder is a copy of the package's sources, so the build leaves nothing in the
checkout.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from tests.ci.conftest import sarif_errors
from tests.conftest import REPO
from tests.iac.sample_repos import SHARED_LAYER, write_files

_EXPRESSION = re.compile(r"\$\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}")
# What GitHub runs a ``shell: bash`` step with.
_BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]


def _action_folder(destination: Path) -> Path:
    """A copy of what a workflow checks out for ``uses: <owner>/lambda-analyzer@<ref>``."""
    if not (REPO / "README.md").is_file():
        pytest.fail(
            "README.md is missing: pyproject.toml names it, so pip cannot build the package"
        )
    for name in ("action.yml", "pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, destination / name)
    shutil.copytree(
        REPO / "analyzer",
        destination / "analyzer",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return destination


def _virtualenv(folder: Path) -> Path:
    # Without a pip of its own: pip, and setuptools for the build, come through the .pth
    # with the other packages of the test interpreter (a virtualenv's bundled setuptools
    # may predate what pyproject.toml needs).
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    site_packages = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    paths = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (Path(site_packages) / "test-dependencies.pth").write_text("\n".join(paths) + "\n")
    return folder / "bin"


def _evaluate(text: str, context: dict[str, str]) -> str:
    return _EXPRESSION.sub(lambda match: context[match.group(1)], text)


def _run_action(
    action_path: Path, workspace: Path, bin_folder: Path, with_inputs: dict[str, str]
) -> tuple[int, dict[str, str], Path, str]:
    action = yaml.safe_load((action_path / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    context = {"github.action_path": str(action_path), "github.workspace": str(workspace)}
    for name, spec in action["inputs"].items():
        context[f"inputs.{name}"] = with_inputs.get(name, str(spec.get("default", "")))
    unknown = set(with_inputs) - set(action["inputs"])
    assert not unknown, f"inputs the action does not declare: {unknown}"

    runner = workspace.parent / "runner"
    runner.mkdir()
    output_file, summary_file = runner / "output", runner / "step-summary"
    output_file.touch()
    summary_file.touch()
    base_env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME") and not key.startswith("PIP_")
    }
    base_env.update(
        PATH=f"{bin_folder}{os.pathsep}{os.environ.get('PATH', '')}",
        GITHUB_OUTPUT=str(output_file),
        GITHUB_STEP_SUMMARY=str(summary_file),
        GITHUB_WORKSPACE=str(workspace),
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INPUT="1",
    )
    status = 0
    log: list[str] = []
    for step in action["runs"]["steps"]:
        if "uses" in step:
            assert step["uses"].startswith("actions/setup-python@")
            continue
        assert step["shell"] == "bash"
        env = {**base_env}
        env.update(
            {key: _evaluate(str(value), context) for key, value in step.get("env", {}).items()}
        )
        script = _evaluate(step["run"], context)
        result = subprocess.run(
            [*_BASH, "-c", script], cwd=workspace, env=env, capture_output=True, text=True
        )
        status = result.returncode
        log.append(f"{step['name']}: exit {status}\n{result.stdout}{result.stderr}")
        if status != 0:
            break
    outputs = dict(
        line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line
    )
    return status, outputs, summary_file, "\n".join(log)


@pytest.fixture(scope="module")
def action_and_virtualenv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The action's folder and the bin folder of the fresh virtualenv, shared by the tests."""
    folder = tmp_path_factory.mktemp("action")
    return _action_folder(_mkdir(folder / "action")), _virtualenv(folder / "venv")


def test_the_action_installs_the_analyser_and_checks_the_repository(
    tmp_path: Path, action_and_virtualenv: tuple[Path, Path]
) -> None:
    action_path, bin_folder = action_and_virtualenv
    workspace = write_files(tmp_path / "workspace", SHARED_LAYER)

    status, outputs, summary_file, log = _run_action(
        action_path,
        workspace,
        bin_folder,
        {"deps": "false", "pip-args": "--no-index --no-deps --no-build-isolation"},
    )

    # The layer's ``imp`` blocks python3.12: the step fails, as --fail-on high wants.
    assert status == 1, log
    assert outputs == {
        "exit-code": "1",
        "sarif": "lambda-analyzer.sarif",
        "summary": "lambda-analyzer-summary.md",
    }, log
    assert (bin_folder / "lambda-analyzer").is_file()
    log = json.loads((workspace / "lambda-analyzer.sarif").read_text(encoding="utf-8"))
    assert sarif_errors(log) == []
    assert [result["ruleId"] for result in log["runs"][0]["results"]] == [
        "removed-stdlib-module",
        "removed-stdlib-api",
        "iac-deprecated-runtime",
        "iac-layer-incompatible",
        "iac-runtime-not-ready",
    ]
    summary = (workspace / "lambda-analyzer-summary.md").read_text(encoding="utf-8")
    assert summary_file.read_text(encoding="utf-8") == summary
    assert summary.startswith("## lambda-analyzer: fails: 3 findings at high or worse\n")


def test_the_action_passes_when_nothing_reaches_fail_on(
    tmp_path: Path, action_and_virtualenv: tuple[Path, Path]
) -> None:
    action_path, bin_folder = action_and_virtualenv
    workspace = write_files(tmp_path / "workspace", SHARED_LAYER)

    status, outputs, summary_file, log = _run_action(
        action_path,
        workspace,
        bin_folder,
        {
            "deps": "false",
            "fail-on": "never",
            "job-summary": "false",
            "sarif": "reports/out.sarif",
            "json": "reports/report.json",
            "pip-args": "--no-index --no-deps --no-build-isolation",
        },
    )

    assert (status, outputs.get("exit-code")) == (0, "0"), log
    assert (workspace / "reports" / "out.sarif").is_file()
    assert (workspace / "lambda-analyzer-summary.md").is_file()
    assert summary_file.read_text(encoding="utf-8") == ""
    assert json.loads((workspace / "reports" / "report.json").read_text())["schema_version"] == 1


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def test_the_args_input_reaches_ci_unglobbed_when_files_match_its_glob(
    tmp_path: Path, action_and_virtualenv: tuple[Path, Path]
) -> None:
    action_path, bin_folder = action_and_virtualenv
    # tests/ holds files that ``tests/*`` matches, and a template whose function would fail.
    files = {
        **SHARED_LAYER,
        "tests/a.py": "A = 1\n",
        "tests/b.py": "B = 2\n",
        "tests/template.yaml": """
            Transform: AWS::Serverless-2016-10-31
            Resources:
              FixtureFunction:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: fixture/
                  Handler: app.handler
                  Runtime: python3.12
            """,
        "tests/fixture/app.py": "import asynchat\n\n\ndef handler(event, context):\n    return 1\n",
    }
    workspace = write_files(tmp_path / "workspace", files)

    status, outputs, _, log = _run_action(
        action_path,
        workspace,
        bin_folder,
        {
            "deps": "false",
            "args": "--exclude tests/*",
            "pip-args": "--no-index --no-deps --no-build-isolation",
        },
    )

    assert (status, outputs.get("exit-code")) == (1, "1"), log
    sarif = json.loads((workspace / "lambda-analyzer.sarif").read_text(encoding="utf-8"))
    functions = sorted(
        {name for result in sarif["runs"][0]["results"] for name in _functions_of(result)}
    )
    assert functions == ["OrdersFunction", "RefundsFunction"]
    assert "lambda-analyzer ci: 2 function(s) in 1 template(s)" in log


def _functions_of(result: dict[str, object]) -> list[str]:
    properties = result.get("properties")
    assert isinstance(properties, dict)
    return list(properties["functions"])
