"""Fixtures for the fetch stage: zip files built on the spot, and the shared cases."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from tests.conftest import shared_folder

ZipEntry = tuple[str | zipfile.ZipInfo, bytes]
"""A member to write: its name (or a ZipInfo carrying mode bits and flags) and its content."""

MakeZip = Callable[..., Path]

CASES_DIR = shared_folder() / "cases"


@pytest.fixture
def make_zip(tmp_path: Path) -> MakeZip:
    """Build a real zip file in the test's temporary folder.

    ``make_zip("function.zip", [("app.py", b"..."), (zip_info, b"...")])`` returns its path.
    """

    def build(
        name: str, entries: Iterable[ZipEntry], compression: int = zipfile.ZIP_DEFLATED
    ) -> Path:
        archive = tmp_path / name
        with zipfile.ZipFile(archive, "w", compression) as zip_file:
            for member, content in entries:
                zip_file.writestr(member, content)
        return archive

    return build


@pytest.fixture
def cases_dir() -> Path:
    """The shared, read-only function cases (see their README)."""
    if not CASES_DIR.is_dir():
        pytest.fail(f"the shared cases are not at {CASES_DIR} (set LAMBDA_ANALYZER_SHARED)")
    return CASES_DIR


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a test taking ``case_name`` once per shared case that has a configuration."""
    if "case_name" in metafunc.fixturenames:
        names = sorted(path.parent.name for path in CASES_DIR.glob("*/configuration.json"))
        metafunc.parametrize("case_name", names)


def tree(root: Path) -> list[str]:
    """Every path under ``root``, relative and sorted, folders ending in ``/``."""
    return sorted(
        path.relative_to(root).as_posix() + ("/" if path.is_dir() else "")
        for path in root.rglob("*")
    )


@pytest.fixture
def list_tree() -> Callable[[Path], list[str]]:
    """``tree`` as a fixture: test modules do not import a conftest."""
    return tree


# Moto's server, the stage in front of it and the code host: see aws_fixtures.py.
from aws_fixtures import aws, aws_world, code_host  # noqa: E402, F401
