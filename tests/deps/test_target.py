"""Tests for the wheel tags and marker environment of a Lambda runtime."""

from __future__ import annotations

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import parse_wheel_filename

from analyzer.deps.target import TargetEnvironment, manylinux_platforms
from analyzer.runtimes import get_runtime


def _fits(runtime: str, architecture: str, wheel: str) -> bool:
    target = TargetEnvironment(get_runtime(runtime), architecture)
    return target.wheel_rank(parse_wheel_filename(wheel)[3]) is not None


@pytest.mark.parametrize(
    ("runtime", "architecture", "wheel", "fits"),
    [
        ("python3.11", "x86_64", "a-1-py3-none-any.whl", True),
        ("python3.11", "x86_64", "a-1-cp311-cp311-manylinux2014_x86_64.whl", True),
        ("python3.11", "x86_64", "a-1-cp39-cp39-manylinux2014_x86_64.whl", False),
        ("python3.11", "x86_64", "a-1-cp37-abi3-manylinux2014_x86_64.whl", True),
        ("python3.11", "x86_64", "a-1-cp312-abi3-manylinux2014_x86_64.whl", False),
        ("python3.11", "x86_64", "a-1-cp311-cp311-manylinux_2_28_x86_64.whl", False),
        ("python3.12", "x86_64", "a-1-cp312-cp312-manylinux_2_28_x86_64.whl", True),
        ("python3.12", "x86_64", "a-1-cp312-cp312-manylinux_2_35_x86_64.whl", False),
        ("python3.11", "x86_64", "a-1-cp311-cp311-manylinux1_x86_64.whl", True),
        ("python3.11", "x86_64", "a-1-cp311-cp311-manylinux2010_x86_64.whl", True),
        ("python3.11", "arm64", "a-1-cp311-cp311-manylinux2014_aarch64.whl", True),
        ("python3.11", "arm64", "a-1-cp311-cp311-manylinux2014_x86_64.whl", False),
        ("python3.11", "x86_64", "a-1-cp311-cp311-musllinux_1_1_x86_64.whl", False),
        ("python3.11", "x86_64", "a-1-cp311-cp311-linux_x86_64.whl", False),
        ("python3.11", "x86_64", "a-1-cp311-cp311-win_amd64.whl", False),
    ],
)
def test_wheel_fits_the_runtime_by_tag(
    runtime: str, architecture: str, wheel: str, fits: bool
) -> None:
    assert _fits(runtime, architecture, wheel) is fits


def test_manylinux_platforms_include_legacy_aliases_on_x86_64_only() -> None:
    x86 = manylinux_platforms((2, 26), "x86_64")
    arm = manylinux_platforms((2, 26), "aarch64")
    assert x86[0] == "manylinux_2_26_x86_64"
    assert x86[-1] == "manylinux1_x86_64"
    assert "manylinux2010_x86_64" in x86
    assert len(x86) == 22 + 3
    assert arm[-2:] == ["manylinux_2_17_aarch64", "manylinux2014_aarch64"]
    assert len(arm) == 10 + 1


def test_the_specific_wheel_is_preferred_over_abi3_and_pure() -> None:
    target = TargetEnvironment(get_runtime("python3.11"), "x86_64")
    specific = target.wheel_rank(
        parse_wheel_filename("a-1-cp311-cp311-manylinux2014_x86_64.whl")[3]
    )
    abi3 = target.wheel_rank(parse_wheel_filename("a-1-cp37-abi3-manylinux2014_x86_64.whl")[3])
    pure = target.wheel_rank(parse_wheel_filename("a-1-py3-none-any.whl")[3])
    assert specific is not None and abi3 is not None and pure is not None
    assert specific < abi3 < pure


def test_markers_are_evaluated_for_the_target_not_the_running_interpreter() -> None:
    target = TargetEnvironment(get_runtime("python3.10"), "arm64")
    assert target.marker_applies(Marker('python_version < "3.11"'))
    assert target.marker_applies(Marker('platform_machine == "aarch64"'))
    assert not target.marker_applies(Marker('sys_platform == "win32"'))
    assert target.marker_applies(Marker('implementation_name == "cpython"'))
    assert target.marker_applies(Marker('python_full_version >= "3.10.0"'))
    assert not target.marker_applies(Marker('extra == "socks"'))
    assert target.marker_applies(Marker('extra == "socks"'), frozenset({"socks"}))


def test_requires_python_is_checked_against_the_runtime() -> None:
    target = TargetEnvironment(get_runtime("python3.11"), "x86_64")
    assert target.python_fits(SpecifierSet(">=3.7,<3.12"))
    assert not target.python_fits(SpecifierSet(">=3.7,<3.11"))
    assert target.python_fits(None)
