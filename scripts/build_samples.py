#!/usr/bin/env python3
"""Builds, checks and measures the demo functions under sample_functions/."""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLES_ROOT = REPO_ROOT / "sample_functions"

JsonObject = dict[str, Any]

# Zip entries carry this timestamp so a rebuild from the same files is byte-identical (given
# the same zlib: another deflate implementation may compress the same bytes differently).
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# Local by-products of running code; never part of a sample's deployment package.
SKIPPED_DIRS = frozenset({"__pycache__"})

# The interpreters installed on the development machines, reached through pyenv shims.
DEFAULT_PYENV_VERSION = "3.11.7:3.9.18:3.10.13:3.12.1:3.13.0:3.8.18"
MEASURED_VERSIONS = ("3.9", "3.10", "3.11", "3.12", "3.13")
TARGETS = ("python3.10", "python3.11", "python3.12", "python3.13")
MEASURE_COMMAND = (
    "pythonX.Y -I -S [-W error::DeprecationWarning] -c PROBE, a copy of function/ first on sys.path"
)

# Runs inside the measured interpreter (python -I -S): imports the handler's module from a
# copy of function/ placed first on sys.path, as Lambda does with /var/task, invokes the
# handler with the sample event, and prints one JSON line with the outcome.
PROBE = r"""
import importlib, json, os, sys, sysconfig, traceback, warnings

task_root, handler_spec, event_path, mode = sys.argv[1:5]
module_name, _, function_name = handler_spec.rpartition(".")
stdlib = sysconfig.get_paths()["stdlib"]


def rewrite(text):
    return text.replace(task_root, "/var/task").replace(stdlib, "<stdlib>")


def where(exc):
    frames = traceback.extract_tb(exc.__traceback__)
    frames = [frame for frame in frames if frame.filename.startswith(task_root)]
    if not frames:
        return None
    frame = frames[-1]
    return "%s:%d" % (os.path.relpath(frame.filename, task_root).replace(os.sep, "/"), frame.lineno)


class Context:
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "sample")
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:" + function_name
    memory_limit_in_mb = 256
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/" + function_name
    log_stream_name = "2024/04/01/[$LATEST]00000000000000000000000000000000"

    @staticmethod
    def get_remaining_time_in_millis():
        return 30000


sys.path.insert(0, task_root)
os.chdir(task_root)
with open(event_path, encoding="utf-8") as handle:
    event = json.load(handle)

recorded = []
if mode == "plain":
    warnings.simplefilter("always")
    original_showwarning = warnings.showwarning

    def showwarning(message, category, filename, lineno, file=None, line=None):
        text = "%s:%d: %s: %s" % (rewrite(filename), lineno, category.__name__, message)
        recorded.append(rewrite(text))

    warnings.showwarning = showwarning

outcome = {"status": "ok"}
phase = "import"
try:
    module = importlib.import_module(module_name)
    phase = "invoke"
    result = getattr(module, function_name)(event, Context())
    outcome["result"] = json.loads(json.dumps(result, default=str))
except (Exception, SystemExit) as exc:
    outcome = {
        "status": "error",
        "phase": phase,
        "error": rewrite(traceback.format_exception_only(type(exc), exc)[-1].strip()),
        "where": where(exc),
    }
if mode == "plain":
    outcome["warnings"] = recorded
sys.stdout.write("\n" + json.dumps(outcome) + "\n")
"""


@dataclass(frozen=True)
class Sample:
    """One demo function: its folder, configuration and sample event."""

    folder: Path

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def package_dir(self) -> Path:
        return self.folder / "function"

    @property
    def zip_path(self) -> Path:
        return SAMPLES_ROOT / f"{self.name}.zip"

    @property
    def configuration_path(self) -> Path:
        return self.folder / "configuration.json"

    def configuration(self) -> JsonObject:
        """The configuration.json document, as `aws lambda get-function-configuration` prints it."""
        document: JsonObject = json.loads(self.configuration_path.read_text(encoding="utf-8"))
        return document

    @property
    def source_version(self) -> str:
        """The X.Y of the function's current runtime."""
        return str(self.configuration()["Runtime"]).removeprefix("python")


def discover() -> list[Sample]:
    """Every folder of sample_functions/ that holds a function/ package, by name."""
    return [
        Sample(folder)
        for folder in sorted(SAMPLES_ROOT.iterdir())
        if (folder / "function").is_dir()
    ]


def package_files(package_dir: Path) -> list[tuple[str, Path]]:
    """(archive name, file) for every file of the package, sorted by archive name."""
    entries = []
    for directory, subdirs, files in os.walk(package_dir):
        subdirs[:] = [d for d in subdirs if d not in SKIPPED_DIRS]
        for file_name in files:
            path = Path(directory, file_name)
            entries.append((path.relative_to(package_dir).as_posix(), path))
    return sorted(entries)


def build_zip(package_dir: Path) -> bytes:
    """A deflate zip of the package: sorted entries, fixed timestamps and permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for arcname, path in package_files(package_dir):
            entry = zipfile.ZipInfo(arcname, date_time=ZIP_EPOCH)
            entry.create_system = 3  # Unix, so external_attr holds the mode bits
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            entry.external_attr = (0o100000 | mode) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, path.read_bytes())
    return buffer.getvalue()


def code_sha256(data: bytes) -> str:
    """The CodeSha256 Lambda reports: base64 of the package's SHA-256 digest."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def write_json(path: Path, document: JsonObject) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def build(sample: Sample) -> bool:
    """Writes the zip and its size and hash into the configuration; True if anything changed."""
    data = build_zip(sample.package_dir)
    configuration = sample.configuration()
    changed = not sample.zip_path.exists() or sample.zip_path.read_bytes() != data
    if changed:
        sample.zip_path.write_bytes(data)
    if configuration.get("CodeSize") != len(data) or configuration.get("CodeSha256") != (
        code_sha256(data)
    ):
        configuration["CodeSize"] = len(data)
        configuration["CodeSha256"] = code_sha256(data)
        write_json(sample.configuration_path, configuration)
        changed = True
    return changed


def check(sample: Sample) -> list[str]:
    """Problems that a rebuild would fix, and vendored files that differ from their RECORD."""
    problems = []
    data = build_zip(sample.package_dir)
    if not sample.zip_path.exists() or sample.zip_path.read_bytes() != data:
        problems.append(f"{sample.zip_path.name} is out of date")
    configuration = sample.configuration()
    if configuration.get("CodeSize") != len(data):
        problems.append(f"{sample.name}: CodeSize is not the size of the built zip")
    if configuration.get("CodeSha256") != code_sha256(data):
        problems.append(f"{sample.name}: CodeSha256 is not the hash of the built zip")
    problems.extend(verify_records(sample.package_dir))
    return problems


def verify_records(package_dir: Path) -> list[str]:
    """Files of vendored distributions whose content no longer matches their RECORD."""
    problems = []
    for record in sorted(package_dir.glob("*.dist-info/RECORD")):
        for row in record.read_text(encoding="utf-8").splitlines():
            name, digest, _size = row.rsplit(",", 2)
            if not digest:
                continue
            algorithm, _, expected = digest.partition("=")
            content = (package_dir / name).read_bytes()
            actual = base64.urlsafe_b64encode(hashlib.new(algorithm, content).digest())
            if actual.rstrip(b"=").decode("ascii") != expected:
                problems.append(
                    f"{package_dir.parent.name}: {name} differs from {record.parent.name}"
                )
    return problems


def readme_problems(samples: list[Sample]) -> list[str]:
    """Rows of the README's verdict table that disagree with the measured expected.json."""
    rows = {}
    for line in (SAMPLES_ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0].startswith("[") and "](" in cells[0]:
            rows[cells[0][1 : cells[0].index("]")]] = cells[-len(TARGETS) :]
    problems = []
    for sample in samples:
        expected_path = sample.folder / "expected.json"
        if not expected_path.exists():
            problems.append(f"{sample.name}: not measured yet (run --measure)")
            continue
        expected = json.loads(expected_path.read_text(encoding="utf-8"))["verdicts"]
        if rows.get(sample.name) != [expected[target] for target in TARGETS]:
            problems.append(f"README.md: the row of {sample.name} does not match expected.json")
    return problems


def interpreter(version: str) -> str:
    """The real executable behind pythonX.Y, resolved once through the pyenv shims."""
    environment = dict(os.environ)
    environment.setdefault("PYENV_VERSION", DEFAULT_PYENV_VERSION)
    command = [f"python{version}", "-c", "import sys; print(sys.executable)"]
    try:
        found = subprocess.run(command, capture_output=True, text=True, env=environment, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SystemExit(f"python{version} is not available (set PYENV_VERSION): {exc}") from exc
    return found.stdout.strip()


def lambda_environment(sample: Sample, task_root: Path) -> dict[str, str]:
    """What the Lambda runtime puts in the environment, without any credentials."""
    configuration = sample.configuration()
    environment = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_LAMBDA_FUNCTION_NAME": configuration["FunctionName"],
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(configuration.get("MemorySize", 128)),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "LAMBDA_TASK_ROOT": str(task_root),
        "_HANDLER": configuration["Handler"],
    }
    environment.update(configuration.get("Environment", {}).get("Variables", {}))
    return environment


def probe(sample: Sample, executable: str, deprecation_errors: bool) -> JsonObject:
    """Imports and invokes the handler in a fresh interpreter on a fresh copy of the package."""
    with tempfile.TemporaryDirectory(prefix="sample-") as scratch:
        task_root = Path(scratch, "task")
        shutil.copytree(sample.package_dir, task_root)
        event_path = Path(scratch, "event.json")
        shutil.copyfile(sample.folder / "event.json", event_path)
        options = ["-I", "-S"] + (["-W", "error::DeprecationWarning"] if deprecation_errors else [])
        mode = "errors" if deprecation_errors else "plain"
        command = [
            executable,
            *options,
            "-c",
            PROBE,
            str(task_root),
            sample.configuration()["Handler"],
            str(event_path),
            mode,
        ]
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            cwd=task_root,
            env=lambda_environment(sample, task_root),
            timeout=120,
            check=False,
        )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        stderr = completed.stderr.strip().splitlines()
        return {"status": "error", "phase": "interpreter", "error": stderr[-1] if stderr else "?"}
    outcome: JsonObject = json.loads(lines[-1])
    return outcome


def summary(outcome: JsonObject) -> str:
    """`ok`, or the exception line, as the answer keys write it."""
    return "ok" if outcome["status"] == "ok" else str(outcome["error"])


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def verdicts(
    plain: dict[str, str], strict: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Verdict and reason per target from the measurements.

    blocked: import or invocation fails on the target. needs-work: it works, but raises
    under -W error::DeprecationWarning there, or fails on a later measured version.
    ready: neither.
    """
    verdict, reasons = {}, {}
    for target in TARGETS:
        version = target.removeprefix("python")
        later_failures = [
            (other, plain[other])
            for other in sorted(plain, key=version_key)
            if version_key(other) > version_key(version) and plain[other] != "ok"
        ]
        if plain[version] != "ok":
            verdict[target] = "blocked"
            reasons[target] = f"fails on {version}: {plain[version]}"
        elif strict[version] != "ok":
            verdict[target] = "needs-work"
            reasons[target] = f"works, but deprecated on {version}: {strict[version]}"
        elif later_failures:
            other, error = later_failures[0]
            verdict[target] = "needs-work"
            reasons[target] = f"works on {version}, fails from {other}: {error}"
        else:
            verdict[target] = "ready"
            reasons[target] = f"works on {version} and every later measured version, no deprecation"
    return verdict, reasons


def measure(sample: Sample, executables: dict[str, str]) -> None:
    """Writes measured.json (every run in full) and expected.json (the verdicts)."""
    versions = sorted({sample.source_version, *MEASURED_VERSIONS}, key=version_key)
    runs, interpreters = {}, {}
    for version in versions:
        if version not in executables:
            executables[version] = interpreter(version)
        executable = executables[version]
        interpreters[version] = subprocess.run(
            [executable, "-c", "import platform; print(platform.python_version())"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        runs[version] = {
            "plain": probe(sample, executable, deprecation_errors=False),
            "deprecation_errors": probe(sample, executable, deprecation_errors=True),
        }

    plain = {version: summary(run["plain"]) for version, run in runs.items()}
    strict = {version: summary(run["deprecation_errors"]) for version, run in runs.items()}
    configuration = sample.configuration()
    write_json(
        sample.folder / "measured.json",
        {
            "function": configuration["FunctionName"],
            "handler": configuration["Handler"],
            "event": "event.json",
            "command": MEASURE_COMMAND,
            "interpreters": interpreters,
            "measured": plain,
            "measured_with_deprecation_errors": strict,
            "runs": runs,
        },
    )
    verdict, reasons = verdicts(plain, strict)
    write_json(
        sample.folder / "expected.json",
        {
            "verdicts": verdict,
            "reasons": reasons,
            "current_runtime": configuration["Runtime"],
            "measured": plain,
            "measured_with_deprecation_errors": strict,
        },
    )


def vendor(sample: Sample) -> None:
    """Reinstalls the releases pinned in function/requirements.txt, laid out by `pip install -t`.

    Uses the function's own runtime interpreter so markers and wheel tags are those of the
    deployed runtime. Needs the package index.
    """
    requirements = sample.package_dir / "requirements.txt"
    if not requirements.exists():
        return
    for record in sorted(sample.package_dir.glob("*.dist-info/RECORD")):
        for row in record.read_text(encoding="utf-8").splitlines():
            (sample.package_dir / row.rsplit(",", 2)[0]).unlink(missing_ok=True)
        shutil.rmtree(record.parent)
    for directory in sorted(sample.package_dir.rglob("*"), reverse=True):
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
    subprocess.run(
        [
            interpreter(sample.source_version),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-compile",
            "--only-binary=:all:",
            "--root-user-action=ignore",
            "--target",
            str(sample.package_dir),
            "-r",
            str(requirements),
        ],
        check=True,
    )


def main(argv: list[str] | None = None) -> int:
    """Builds (default), checks, measures or re-vendors the named samples, or all of them."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help="samples to handle (default: all)")
    action = parser.add_mutually_exclusive_group()
    action.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if a zip, hash, vendored file or README row is stale",
    )
    action.add_argument("--measure", action="store_true", help="rebuild, then re-measure")
    action.add_argument("--vendor", action="store_true", help="reinstall vendored releases")
    options = parser.parse_args(argv)

    samples = [s for s in discover() if not options.names or s.name in options.names]
    unknown = set(options.names) - {s.name for s in samples}
    if unknown:
        parser.error(f"no such sample: {', '.join(sorted(unknown))}")

    if options.check:
        problems = [problem for sample in samples for problem in check(sample)]
        problems.extend(readme_problems(samples))
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0

    executables: dict[str, str] = {}
    for sample in samples:
        if options.vendor:
            vendor(sample)
        changed = build(sample)
        print(f"{sample.name}: {'rebuilt' if changed else 'up to date'}")
        if options.measure:
            measure(sample, executables)
            expected = json.loads((sample.folder / "expected.json").read_text(encoding="utf-8"))
            print("  " + "  ".join(f"{t}={v}" for t, v in expected["verdicts"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
