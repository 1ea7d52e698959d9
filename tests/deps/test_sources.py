"""Tests for reading requirement files, pyproject, lock files and vendored distributions."""

from __future__ import annotations

from pathlib import Path

from analyzer.deps.sources import RequirementSet, read_sources
from analyzer.deps.sources.pyproject import poetry_to_pep440
from analyzer.deps.target import TargetEnvironment
from analyzer.runtimes import get_runtime
from tests.deps.conftest import write_function

PY310_X86 = TargetEnvironment(get_runtime("python3.10"), "x86_64")
PY312_ARM = TargetEnvironment(get_runtime("python3.12"), "arm64")


def _only_set(root: Path, kind: str) -> RequirementSet:
    sets = [s for s in read_sources(root, include_vendored=True).sets if s.kind == kind]
    assert len(sets) == 1
    return sets[0]


def test_requirement_lines_keep_their_file_and_line(tmp_path: Path) -> None:
    root = write_function(
        tmp_path,
        {
            "requirements.txt": (
                "# pinned for python3.9\n"
                "requests[socks]==2.25.1 \\\n"
                "    --hash=sha256:aaaa \\\n"
                "    --hash=sha256:bbbb\n"
                "\n"
                "urllib3>=1.26,<2  # transitive\n"
                "-r requirements/base.txt\n"
                "-c constraints.txt\n"
                "tomli==2.0.1 ; python_version < '3.11'\n"
            ),
            "requirements/base.txt": "six==1.16.0\n",
            "constraints.txt": "idna<3\n",
        },
    )
    reading = read_sources(root, include_vendored=False)
    assert reading.findings == ()
    (requirement_set,) = reading.sets
    rows = [
        (d.name, d.text, d.location.path, d.location.line, d.hashes)
        for d in requirement_set.requirements
    ]
    assert rows == [
        (
            "requests",
            "requests[socks]==2.25.1",
            "requirements.txt",
            2,
            ("sha256:aaaa", "sha256:bbbb"),
        ),
        ("urllib3", "urllib3>=1.26,<2", "requirements.txt", 6, ()),
        ("six", "six==1.16.0", "requirements/base.txt", 1, ()),
        ("tomli", "tomli==2.0.1 ; python_version < '3.11'", "requirements.txt", 9, ()),
    ]
    assert [(c.name, c.location.line) for c in requirement_set.constraints] == [("idna", 1)]
    assert [d.name for d in requirement_set.requirements_for(PY310_X86)] == [
        "requests",
        "urllib3",
        "six",
        "tomli",
    ]
    assert [d.name for d in requirement_set.requirements_for(PY312_ARM)] == [
        "requests",
        "urllib3",
        "six",
    ]
    assert reading.files == ("requirements.txt", "requirements/base.txt", "constraints.txt")


def test_a_line_that_does_not_parse_is_a_finding_at_its_line(tmp_path: Path) -> None:
    root = write_function(
        tmp_path,
        {
            "requirements.txt": "flask==1.1.2\nnot a requirement!!\n--frobnicate\njinja2==2.10\n",
            "requirements-dev.txt": "-r ../outside.txt\n-r missing.txt\n",
        },
    )
    reading = read_sources(root, include_vendored=False)
    findings = sorted((f.rule_id, f.location.path, f.location.line) for f in reading.findings)
    assert findings == [
        ("requirement-invalid", "requirements-dev.txt", 1),
        ("requirement-invalid", "requirements-dev.txt", 2),
        ("requirement-invalid", "requirements.txt", 2),
        ("requirement-invalid", "requirements.txt", 3),
    ]
    main = next(s for s in reading.sets if s.name == "requirements.txt")
    assert [d.name for d in main.requirements] == ["flask", "jinja2"]
    assert all(f.fix for f in reading.findings)


def test_index_options_and_direct_references_are_kept(tmp_path: Path) -> None:
    root = write_function(
        tmp_path,
        {
            "requirements.txt": (
                "--index-url https://mirror.invalid/simple\n"
                "--extra-index-url=https://extra.invalid/simple\n"
                "--only-binary :all:\n"
                "-e ./local_pkg\n"
                "mylib @ https://files.invalid/mylib-1.0.tar.gz\n"
                "./vendor/thing-1.0-py3-none-any.whl\n"
            )
        },
    )
    requirement_set = _only_set(root, "requirements")
    assert requirement_set.index_url == "https://mirror.invalid/simple"
    assert requirement_set.extra_index_urls == ("https://extra.invalid/simple",)
    assert [
        (d.location.line, d.direct_reference is not None) for d in requirement_set.requirements
    ] == [(4, True), (5, True), (6, True)]


def test_a_path_or_url_requirement_is_named_as_written_or_by_its_egg(tmp_path: Path) -> None:
    root = write_function(
        tmp_path,
        {
            "requirements.txt": (
                "-e git+https://git.invalid/x.git#egg=X_Tool\n"
                "-e .\n"
                "./localpkg\n"
                "https://files.invalid/pkg.whl\n"
                "mylib @ https://files.invalid/mylib-1.0.tar.gz\n"
            )
        },
    )
    requirement_set = _only_set(root, "requirements")
    assert [(d.location.line, d.name) for d in requirement_set.requirements] == [
        (1, "x-tool"),
        (2, "."),
        (3, "./localpkg"),
        (4, "https://files.invalid/pkg.whl"),
        (5, "mylib"),
    ]


def test_pyproject_dependencies_from_pep621_and_poetry(tmp_path: Path) -> None:
    root = write_function(
        tmp_path,
        {
            "pyproject.toml": (
                "[project]\n"
                'name = "fn"\n'
                "dependencies = [\n"
                '    "requests>=2.25",\n'
                "    \"attrs==21.2.0; python_version < '3.12'\",\n"
                "]\n"
                "\n"
                "[tool.poetry.dependencies]\n"
                'python = "^3.9"\n'
                'pydantic = "^1.8"\n'
                'boto3 = { version = "~1.17.0", extras = ["crt"] }\n'
                'localthing = { path = "../localthing" }\n'
            )
        },
    )
    requirement_set = _only_set(root, "pyproject")
    assert [(d.text, d.location.line) for d in requirement_set.requirements] == [
        ("requests>=2.25", 4),
        ("attrs==21.2.0; python_version < '3.12'", 5),
        ("pydantic>=1.8,<2", 10),
        ("boto3[crt]>=1.17.0,<1.18", 11),
        ("localthing", 12),
    ]


def test_poetry_constraints_translate_to_pep440() -> None:
    assert poetry_to_pep440("^1.2.3") == ">=1.2.3,<2"
    assert poetry_to_pep440("^0.2.3") == ">=0.2.3,<0.3"
    assert poetry_to_pep440("^0.0.3") == ">=0.0.3,<0.0.4"
    assert poetry_to_pep440("~1.2.3") == ">=1.2.3,<1.3"
    assert poetry_to_pep440("~1") == ">=1,<2"
    assert poetry_to_pep440("1.4.2") == "==1.4.2"
    assert poetry_to_pep440(">=1.2, <2.0") == ">=1.2,<2.0"
    assert poetry_to_pep440("*") == ""


def test_pipfile_lock_reads_default_packages_only(tmp_path: Path) -> None:
    root = write_function(
        tmp_path,
        {
            "Pipfile.lock": (
                "{\n"
                '    "_meta": {"hash": {"sha256": "x"}},\n'
                '    "default": {\n'
                '        "certifi": {\n'
                '            "hashes": ["sha256:abc"],\n'
                '            "version": "==2020.12.5"\n'
                "        },\n"
                '        "pywin32": {"version": "==300", "markers": "sys_platform == \'win32\'"}\n'
                "    },\n"
                '    "develop": {"pytest": {"version": "==6.2.2"}}\n'
                "}\n"
            )
        },
    )
    requirement_set = _only_set(root, "pipfile-lock")
    assert [(d.name, d.location.line, d.hashes) for d in requirement_set.requirements] == [
        ("certifi", 4, ("sha256:abc",)),
        ("pywin32", 8, ()),
    ]
    assert [d.name for d in requirement_set.requirements_for(PY310_X86)] == ["certifi"]


POETRY_LOCK = """\
[[package]]
name = "requests"
version = "2.25.1"
optional = false

[package.dependencies]
certifi = ">=2017.4.17"
colorama = {version = "*", markers = "sys_platform == \\"win32\\""}

[[package]]
name = "certifi"
version = "2020.12.5"

[[package]]
name = "colorama"
version = "0.4.4"

[[package]]
name = "pytest"
version = "6.2.2"
category = "dev"

[[package]]
name = "orphan"
version = "1.0"
"""


def test_poetry_lock_installs_what_the_project_reaches_for_the_target(tmp_path: Path) -> None:
    root = write_function(
        tmp_path,
        {
            "pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.9"\nrequests = "^2.25"\n',
            "poetry.lock": POETRY_LOCK,
        },
    )
    reading = read_sources(root, include_vendored=False)
    assert [s.kind for s in reading.sets] == ["poetry-lock"]
    requirement_set = reading.sets[0]
    assert [(d.text, d.location.line) for d in requirement_set.requirements] == [
        ("requests==2.25.1", 2),
        ("certifi==2020.12.5", 11),
        ("colorama==0.4.4", 15),
        ("orphan==1.0", 24),
    ]
    assert [d.name for d in requirement_set.requirements_for(PY310_X86)] == ["requests", "certifi"]


UV_LOCK = """\
version = 1
requires-python = ">=3.9"

[[package]]
name = "fn"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "attrs" },
    { name = "exceptiongroup", marker = "python_full_version < '3.11'" },
]

[[package]]
name = "attrs"
version = "23.2.0"
source = { registry = "https://index.invalid/simple" }

[[package]]
name = "exceptiongroup"
version = "1.2.0"
source = { registry = "https://index.invalid/simple" }
"""


def test_uv_lock_follows_markers_from_the_workspace_member(tmp_path: Path) -> None:
    root = write_function(tmp_path, {"uv.lock": UV_LOCK})
    requirement_set = _only_set(root, "uv-lock")
    assert [(d.text, d.location.line) for d in requirement_set.requirements] == [
        ("attrs==23.2.0", 14),
        ("exceptiongroup==1.2.0", 19),
    ]
    assert [d.name for d in requirement_set.requirements_for(PY310_X86)] == [
        "attrs",
        "exceptiongroup",
    ]
    assert [d.name for d in requirement_set.requirements_for(PY312_ARM)] == ["attrs"]


def test_vendored_dist_info_gives_name_version_and_line(tmp_path: Path) -> None:
    root = write_function(
        tmp_path,
        {
            "six-1.15.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: six\nVersion: 1.15.0\n",
            "python/lib/python3.9/site-packages/PyYAML-5.4.1.dist-info/METADATA": (
                "Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.4.1\n"
            ),
            "legacy.egg-info/PKG-INFO": "Metadata-Version: 1.0\nName: legacy\nVersion: 0.3\n",
            "handler.py": "def handler(event, context):\n    return 1\n",
        },
    )
    requirement_set = _only_set(root, "vendored")
    assert [
        (d.name, d.pinned_version, d.location.path, d.location.line)
        for d in requirement_set.requirements
    ] == [
        ("legacy", "0.3", "legacy.egg-info/PKG-INFO", 3),
        (
            "pyyaml",
            "5.4.1",
            "python/lib/python3.9/site-packages/PyYAML-5.4.1.dist-info/METADATA",
            3,
        ),
        ("six", "1.15.0", "six-1.15.0.dist-info/METADATA", 3),
    ]
    assert all(d.vendored for d in requirement_set.requirements)
    assert read_sources(root, include_vendored=False).sets == ()


def test_a_binary_requirements_file_is_one_finding(tmp_path: Path) -> None:
    root = tmp_path / "fn"
    root.mkdir()
    (root / "requirements.txt").write_bytes(bytes(range(256)) * 40)

    reading = read_sources(root, include_vendored=False)

    assert [
        (finding.rule_id, finding.location.path, finding.location.line, finding.message)
        for finding in reading.findings
    ] == [
        (
            "requirement-invalid",
            "requirements.txt",
            None,
            "cannot read requirement 'requirements.txt': not a text file (it holds NUL bytes)",
        )
    ]
