"""Fixtures for the bundle stage: C extensions compiled on the spot, the shared cases, test data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import shared_folder

REPO_ROOT = Path(__file__).resolve().parents[2]
BUNDLE_CASES_DIR = Path(os.environ.get("LAMBDA_ANALYZER_CASES", shared_folder() / "cases"))

# The interpreters of the brief: PYENV_VERSION puts python3.9 .. python3.13 on PATH.
PYENV_VERSIONS = "3.11.7:3.9.18:3.10.13:3.12.1:3.13.0"

_PROBE_SOURCE = r"""
#include <Python.h>
#if defined(NEED_FCNTL64) || defined(NEED_PIDFD_OPEN)
#include <fcntl.h>
#include <unistd.h>
#endif
#ifdef NEED_PIDFD_OPEN
#include <sys/pidfd.h>
#endif

static PyObject *probe(PyObject *self, PyObject *unused) {
#if defined(NEED_FCNTL64)
    return PyLong_FromLong(fcntl64(0, F_GETFD));
#elif defined(NEED_PIDFD_OPEN)
    return PyLong_FromLong(pidfd_open(getpid(), 0));
#else
    return PyLong_FromLong(0);
#endif
}

static PyMethodDef methods[] = {{"probe", probe, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_probe", NULL, -1, methods};

PyMODINIT_FUNC PyInit__probe(void) { return PyModule_Create(&module); }
"""


def interpreter_env() -> dict[str, str]:
    """The environment that puts the brief's interpreters on PATH."""
    return {**os.environ, "PYENV_VERSION": PYENV_VERSIONS}


def find_interpreter(version: str) -> str:
    """The path of ``python<version>``; fails the test run when it is not installed."""
    # pyenv's own folder first: each start through its shim costs a shell script.
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    for full_version in PYENV_VERSIONS.split(":"):
        candidate = pyenv_root / "versions" / full_version / "bin" / f"python{version}"
        if full_version.startswith(f"{version}.") and candidate.is_file():
            return str(candidate)
    found = shutil.which(f"python{version}", path=interpreter_env().get("PATH"))
    if found is None:
        pytest.fail(f"python{version} is not on PATH (PYENV_VERSION={PYENV_VERSIONS})")
    return found


@dataclass(frozen=True)
class Interpreter:
    """What an installed interpreter says about building and naming its extensions."""

    version: str
    executable: str
    include: str
    extension_suffixes: tuple[str, ...]

    def run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        """Run the interpreter (with the environment that selects it), capturing its output."""
        return subprocess.run(
            [self.executable, *arguments], env=interpreter_env(), capture_output=True, text=True
        )

    @property
    def tagged_suffix(self) -> str:
        """The version-specific suffix, such as ``.cpython-39-x86_64-linux-gnu.so``."""
        return self.extension_suffixes[0]


def _probe_interpreter(version: str) -> Interpreter:
    """Ask ``python<version>`` for its include folder and extension suffixes."""
    executable = find_interpreter(version)
    script = (
        "import importlib.machinery, json, sys, sysconfig; print(json.dumps([sys.executable, "
        "sysconfig.get_paths()['include'], importlib.machinery.EXTENSION_SUFFIXES]))"
    )
    output = subprocess.run(
        [executable, "-c", script],
        env=interpreter_env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # The real executable, in case a shim was found on PATH.
    real_executable, include, suffixes = json.loads(output)
    return Interpreter(version, real_executable, include, tuple(suffixes))


@dataclass(frozen=True)
class CompiledExtensions:
    """Real extension modules named ``_probe``, each alone in its folder."""

    cp39: Path
    """Built against 3.9's headers, named with 3.9's tagged suffix."""
    cp311: Path
    abi3: Path
    """Built with Py_LIMITED_API for 3.9, named ``_probe.abi3.so``."""
    untagged: Path
    glibc_2_28: Path
    """Calls fcntl64, whose symbol version is GLIBC_2.28."""
    glibc_2_36: Path
    """Calls pidfd_open, whose symbol version is GLIBC_2.36."""


def _compile(source: Path, include: str, target: Path, defines: tuple[str, ...] = ()) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    command = ["gcc", "-shared", "-fPIC", "-O1", f"-I{include}", *defines, "-o", str(target)]
    subprocess.run([*command, str(source)], check=True, capture_output=True, text=True)
    return target


@pytest.fixture(scope="session")
def interpreters() -> dict[str, Interpreter]:
    """CPython 3.9 to 3.13, by version (``"3.9"``), as installed on this machine."""
    versions = [f"3.{minor}" for minor in range(9, 14)]
    with ThreadPoolExecutor() as pool:
        return dict(zip(versions, pool.map(_probe_interpreter, versions), strict=True))


@pytest.fixture(scope="session")
def compiled_extensions(
    tmp_path_factory: pytest.TempPathFactory, interpreters: dict[str, Interpreter]
) -> CompiledExtensions:
    """Compile the probe extension once per session in its variants."""
    build = tmp_path_factory.mktemp("extensions")
    source = build / "probe.c"
    source.write_text(_PROBE_SOURCE)
    py39, py311 = interpreters["3.9"], interpreters["3.11"]
    limited = "-DPy_LIMITED_API=0x03090000"
    builds = {
        "cp39": (py39.include, f"cp39/_probe{py39.tagged_suffix}", ()),
        "cp311": (py311.include, f"cp311/_probe{py311.tagged_suffix}", ()),
        "abi3": (py39.include, "abi3/_probe.abi3.so", (limited,)),
        "untagged": (py39.include, "untagged/_probe.so", ()),
        "glibc_2_28": (py39.include, "glibc-2.28/_probe.abi3.so", (limited, "-DNEED_FCNTL64")),
        "glibc_2_36": (py39.include, "glibc-2.36/_probe.abi3.so", (limited, "-DNEED_PIDFD_OPEN")),
    }
    with ThreadPoolExecutor() as pool:
        futures = {
            name: pool.submit(_compile, source, include, build / target, defines)
            for name, (include, target, defines) in builds.items()
        }
        return CompiledExtensions(**{name: future.result() for name, future in futures.items()})


@pytest.fixture(scope="session")
def bundle_cases() -> Path:
    """The shared cases folder (read-only: copy before changing anything)."""
    if not BUNDLE_CASES_DIR.is_dir():
        pytest.fail(f"the shared cases are missing: {BUNDLE_CASES_DIR}")
    return BUNDLE_CASES_DIR
