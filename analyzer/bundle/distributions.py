"""Vendored distributions of a deployment package, from their ``*.dist-info`` and ``*.egg-info``."""

from __future__ import annotations

import csv
import email.parser
import email.policy
import itertools
import logging
import os
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Literal

from packaging.tags import parse_tag
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from analyzer.bundle.native import import_root_relative
from analyzer.models import AnalysisError, Category, Component, ComponentKind, Finding, Location

logger = logging.getLogger(__name__)

MetadataFormat = Literal["dist-info", "egg-info"]

RECORD_DOCUMENTATION = (
    "https://packaging.python.org/en/latest/specifications/recording-installed-packages/"
)
# A metadata file larger than this is not read: no real RECORD comes near it.
MAX_METADATA_BYTES = 32 * 1024 * 1024
_MODULE_SUFFIXES = (".py", ".so", ".pyd")
_REQUIRES_SECTION = re.compile(r"^\[(?P<extra>[^:\]]*)(?::(?P<marker>[^\]]*))?\]$")


@dataclass(frozen=True)
class Distribution:
    """One installed distribution found in a deployment package or a layer.

    Paths (``files``, ``metadata_path``, ``import_root``, ``missing_files``) are POSIX paths
    relative to the analysed root, with the prefix given to :func:`find_distributions`.
    ``name`` is canonical (PEP 503); ``display_name`` is as the metadata spells it.
    ``problems`` lists what could not be read, without stopping the rest.
    """

    name: str
    display_name: str
    version: str | None
    top_level: tuple[str, ...]
    files: tuple[str, ...]
    wheel_tags: tuple[str, ...]
    metadata_path: str
    requires_python: str | None
    requires_dist: tuple[str, ...]
    metadata_format: MetadataFormat = "dist-info"
    import_root: str = ""
    """The folder holding the metadata folder, where the distribution's paths start."""
    missing_files: tuple[str, ...] = ()
    """Files the installation record lists that are not in the package (caches left out)."""
    problems: tuple[str, ...] = ()

    @property
    def component(self) -> Component:
        """The distribution as a vendored component of the function."""
        return Component(ComponentKind.VENDORED, self.name, self.version)

    @property
    def requirement(self) -> str:
        """``name==version``, or the name alone when the version is unknown."""
        return f"{self.name}=={self.version}" if self.version else self.name


@dataclass
class _Reading:
    """What is being gathered about one distribution while its files are read."""

    metadata_path: str
    problems: list[str] = field(default_factory=list)

    def read_text(self, path: Path, label: str) -> str | None:
        raw = self.read_bytes(path, label)
        if raw is None:
            return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.problems.append(f"{label} is not UTF-8 (byte {exc.start}); bad bytes replaced")
            return raw.decode("utf-8", errors="replace")

    def read_bytes(self, path: Path, label: str) -> bytes | None:
        try:
            if path.is_symlink() or not path.is_file():
                return None
            if path.stat().st_size > MAX_METADATA_BYTES:
                self.problems.append(f"{label} is larger than {MAX_METADATA_BYTES} bytes; skipped")
                return None
            return path.read_bytes()
        except OSError as exc:
            self.problems.append(f"{label} cannot be read: {exc.strerror or exc}")
            return None


def find_distributions(root: Path, prefix: str = "") -> list[Distribution]:
    """Every ``*.dist-info`` and ``*.egg-info`` under ``root``, sorted by metadata path.

    Nested ones (a package vendoring another with its metadata) are found too, each with
    paths relative to its own folder. Symbolic links are not followed. ``prefix`` is put
    before each relative path, such as ``layers/<name>/`` for a layer. Malformed metadata
    is recorded in ``Distribution.problems``; it never raises.
    """
    distributions: list[Distribution] = []
    for metadata in _metadata_entries(root):
        relative = metadata.relative_to(root).as_posix()
        parent = posixpath.dirname(relative)
        import_root = prefix + parent if parent else prefix.rstrip("/")
        reading = _Reading(prefix + relative)
        if metadata.name.endswith(".dist-info"):
            distribution = _read_dist_info(metadata, import_root, reading)
        else:
            distribution = _read_egg_info(metadata, import_root, reading)
        for problem in distribution.problems:
            logger.debug("%s: %s", distribution.metadata_path, problem)
        distributions.append(distribution)
    return sorted(distributions, key=lambda distribution: distribution.metadata_path)


def _metadata_entries(root: Path) -> Iterator[Path]:
    for folder, folders, files in os.walk(root):
        folder_path = Path(folder)
        for name in sorted(folders):
            path = folder_path / name
            if name.endswith((".dist-info", ".egg-info")) and not path.is_symlink():
                yield path
        # Metadata folders hold no further distributions; links may point anywhere.
        folders[:] = [
            name
            for name in folders
            if not name.endswith((".dist-info", ".egg-info"))
            and not (folder_path / name).is_symlink()
        ]
        for name in sorted(files):
            path = folder_path / name
            # An egg-info may be a single PKG-INFO file (distutils' install_egg_info).
            if name.endswith(".egg-info") and not path.is_symlink():
                yield path


def _read_dist_info(folder: Path, import_root: str, reading: _Reading) -> Distribution:
    headers = _parse_headers(reading.read_text(folder / "METADATA", "METADATA"))
    wheel = _parse_headers(reading.read_text(folder / "WHEEL", "WHEEL"))
    record = _read_record(folder / "RECORD", reading)
    for required in ("METADATA", "RECORD"):
        if not os.path.lexists(folder / required):
            reading.problems.append(f"{required} is missing")
    entries = record or []
    return _distribution(
        folder,
        import_root,
        reading,
        headers=headers,
        entries=entries,
        top_level=_read_lines(folder / "top_level.txt", "top_level.txt", reading),
        wheel_tags=_wheel_tags(wheel, reading),
        requires_dist=tuple(_header_values(headers, "Requires-Dist")),
        metadata_format="dist-info",
    )


def _read_egg_info(entry: Path, import_root: str, reading: _Reading) -> Distribution:
    if entry.is_file():
        headers = _parse_headers(reading.read_text(entry, "PKG-INFO"))
        return _distribution(
            entry,
            import_root,
            reading,
            headers=headers,
            entries=[],
            top_level=None,
            wheel_tags=(),
            requires_dist=(),
            metadata_format="egg-info",
        )
    headers = _parse_headers(reading.read_text(entry / "PKG-INFO", "PKG-INFO"))
    if not os.path.lexists(entry / "PKG-INFO"):
        reading.problems.append("PKG-INFO is missing")
    installed = _read_lines(entry / "installed-files.txt", "installed-files.txt", reading)
    # installed-files.txt paths start at the egg-info folder, not at the import root.
    entries = [posixpath.join(entry.name, line) for line in installed or ()]
    top_level = _read_lines(entry / "top_level.txt", "top_level.txt", reading)
    if top_level is None and installed is None:
        top_level = _top_level_from_sources(entry, reading)
    requires = _read_lines(entry / "requires.txt", "requires.txt", reading, keep_sections=True)
    return _distribution(
        entry,
        import_root,
        reading,
        headers=headers,
        entries=entries,
        top_level=top_level,
        wheel_tags=(),
        requires_dist=_requires_from_egg(requires or []),
        metadata_format="egg-info",
    )


def _distribution(
    metadata: Path,
    import_root: str,
    reading: _Reading,
    *,
    headers: Message | None,
    entries: list[str],
    top_level: list[str] | None,
    wheel_tags: tuple[str, ...],
    requires_dist: tuple[str, ...],
    metadata_format: MetadataFormat,
) -> Distribution:
    folder_name, folder_version = _name_from_folder(metadata.name)
    display_name = _header(headers, "Name")
    if display_name is None:
        if headers is not None:
            reading.problems.append("metadata has no Name field; name taken from the folder")
        display_name = folder_name
    version = _header(headers, "Version") or folder_version
    if version is not None:
        try:
            Version(version)
        except InvalidVersion:
            reading.problems.append(f"version {version!r} is not a valid version")

    in_package = _in_package_paths(entries)
    files = tuple(_join(import_root, path) for path in in_package)
    missing = tuple(
        _join(import_root, path)
        for path in in_package
        if _is_checked(path) and not os.path.lexists(metadata.parent / path)
    )
    if top_level is None:
        top_level = _top_level_from_paths(in_package)
    return Distribution(
        name=canonicalize_name(display_name),
        display_name=display_name,
        version=version,
        top_level=tuple(dict.fromkeys(top_level)),
        files=files,
        wheel_tags=wheel_tags,
        metadata_path=reading.metadata_path,
        requires_python=_header(headers, "Requires-Python"),
        requires_dist=requires_dist,
        metadata_format=metadata_format,
        import_root=import_root,
        missing_files=missing,
        problems=tuple(reading.problems),
    )


def _join(import_root: str, path: str) -> str:
    return f"{import_root}/{path}" if import_root else path


def _name_from_folder(folder_name: str) -> tuple[str, str | None]:
    stem = folder_name.rsplit(".", 1)[0]
    name, _, rest = stem.partition("-")
    version = rest.split("-", 1)[0] or None
    return name, version


def _parse_headers(text: str | None) -> Message | None:
    if text is None:
        return None
    return email.parser.HeaderParser(policy=email.policy.compat32).parsestr(text)


def _header(headers: Message | None, name: str) -> str | None:
    if headers is None:
        return None
    value = headers.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _header_values(headers: Message | None, name: str) -> list[str]:
    if headers is None:
        return []
    return [str(value).strip() for value in headers.get_all(name) or [] if str(value).strip()]


def _wheel_tags(wheel: Message | None, reading: _Reading) -> tuple[str, ...]:
    tags: list[str] = []
    for text in _header_values(wheel, "Tag"):
        try:
            expanded = {str(tag) for tag in parse_tag(text)}
        except ValueError:
            reading.problems.append(f"WHEEL tag {text!r} is not a valid tag")
            continue
        # parse_tag validates and expands a compressed tag set, but loses its order.
        interpreters, abis, platforms = (part.split(".") for part in text.lower().split("-"))
        in_order = [
            f"{interpreter}-{abi}-{platform}"
            for interpreter, abi, platform in itertools.product(interpreters, abis, platforms)
        ]
        tags.extend(tag for tag in in_order if tag in expanded)
    return tuple(dict.fromkeys(tags))


def _read_lines(
    path: Path, label: str, reading: _Reading, *, keep_sections: bool = False
) -> list[str] | None:
    text = reading.read_text(path, label)
    if text is None:
        return None
    lines = [line.strip() for line in text.splitlines()]
    if keep_sections:
        return [line for line in lines if line and not line.startswith("#")]
    return [line for line in lines if line and not line.startswith(("#", "["))]


def _read_record(path: Path, reading: _Reading) -> list[str] | None:
    """The paths a RECORD lists; lines that are not UTF-8 or not CSV are recorded and skipped."""
    raw = reading.read_bytes(path, "RECORD")
    if raw is None:
        return None
    paths: list[str] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            reading.problems.append(f"RECORD line {number} is not UTF-8; skipped")
            continue
        try:
            rows = list(csv.reader([text]))
        except csv.Error as exc:
            reading.problems.append(f"RECORD line {number} is not CSV ({exc}); skipped")
            continue
        if rows and rows[0] and rows[0][0].strip():
            paths.append(rows[0][0].strip())
    return paths


def _in_package_paths(entries: Iterable[str]) -> list[str]:
    """Entries inside the import root, normalised; scripts like ``../../bin/x`` are left out."""
    inside: list[str] = []
    for entry in entries:
        path = entry.replace("\\", "/")
        if "\0" in path or path.startswith("/") or re.match(r"^[A-Za-z]:", path):
            continue
        normal = posixpath.normpath(path)
        if normal == "." or normal == ".." or normal.startswith("../"):
            continue
        inside.append(normal)
    return list(dict.fromkeys(inside))


def _is_checked(path: str) -> bool:
    """Whether a missing listed file matters: caches are rebuilt, ``*.data`` files moved."""
    parts = path.split("/")
    if "__pycache__" in parts or path.endswith((".pyc", ".pyo")):
        return False
    return not parts[0].endswith(".data")


def _top_level_from_paths(paths: Iterable[str]) -> list[str]:
    names: set[str] = set()
    for path in paths:
        first, _, rest = path.partition("/")
        if first.endswith((".dist-info", ".egg-info", ".data")) or first == "__pycache__":
            continue
        if rest:
            name = first
        elif first.endswith(_MODULE_SUFFIXES):
            name = first.split(".", 1)[0]
        else:
            continue
        if name.isidentifier():
            names.add(name)
    return sorted(names)


def _top_level_from_sources(egg_info: Path, reading: _Reading) -> list[str] | None:
    """Top-level names from an sdist's SOURCES.txt, kept only when they exist beside it."""
    sources = _read_lines(egg_info / "SOURCES.txt", "SOURCES.txt", reading)
    if sources is None:
        return None
    candidates = _top_level_from_paths(
        path.removeprefix("src/") for path in sources if path.endswith(".py")
    )
    return [
        name
        for name in candidates
        if (egg_info.parent / name).is_dir() or (egg_info.parent / f"{name}.py").is_file()
    ]


def _requires_from_egg(lines: list[str]) -> tuple[str, ...]:
    """setuptools' requires.txt as Requires-Dist strings (sections become markers)."""
    requirements: list[str] = []
    markers: list[str] = []
    for line in lines:
        section = _REQUIRES_SECTION.match(line)
        if section is not None:
            markers = []
            if section["extra"]:
                markers.append(f'extra == "{section["extra"]}"')
            if section["marker"]:
                markers.append(f"({section['marker']})" if section["extra"] else section["marker"])
            continue
        requirements.append(f"{line}; {' and '.join(markers)}" if markers else line)
    return tuple(requirements)


def owner_index(distributions: Iterable[Distribution]) -> dict[str, Distribution]:
    """Each listed file, and each top-level module or package, mapped to its distribution.

    Keys are file paths as in ``Distribution.files``, the path of each top-level package
    or module (``psutil``, ``layers/x/python/cffi``), and, for distributions installed
    directly on an import path, the bare top-level name (``psutil``). A name or folder
    claimed by several distributions (a namespace package such as ``google``) is left out:
    its files still say who owns them.
    """
    index: dict[str, Distribution] = {}
    claims: dict[str, dict[str, Distribution]] = {}
    for distribution in distributions:
        for path in distribution.files:
            index.setdefault(path, distribution)
        on_import_path = import_root_relative(distribution.import_root + "/") == ""
        for name in distribution.top_level:
            keys = {_join(distribution.import_root, name)}
            if on_import_path:
                keys.add(name)
            for key in keys:
                claims.setdefault(key, {})[distribution.metadata_path] = distribution
    for key, owners in claims.items():
        if len(owners) == 1:
            index.setdefault(key, next(iter(owners.values())))
    return index


def find_owner(index: dict[str, Distribution], relative_path: str) -> Distribution | None:
    """The distribution owning ``relative_path``: the file itself, or its nearest folder.

    A bytecode cache (``pkg/__pycache__/mod.cpython-39.pyc``) belongs to its source's owner.
    """
    path = _source_of_cache(relative_path) or relative_path
    while path:
        owner = index.get(path)
        if owner is not None:
            return owner
        path = posixpath.dirname(path)
    return None


def _source_of_cache(relative_path: str) -> str | None:
    folder, _, name = relative_path.rpartition("/")
    if posixpath.basename(folder) != "__pycache__" or not name.endswith(".pyc"):
        return None
    return posixpath.join(posixpath.dirname(folder), name.split(".", 1)[0] + ".py")


def record_findings(
    distribution: Distribution, component: Component | None = None
) -> list[Finding]:
    """``record-missing-file`` findings: files the record lists that the package lacks.

    A folder whose every listed file is missing (a stripped ``tests/``) gives one finding.
    The files are missing on the current runtime too, so the findings carry no version.
    """
    owner = component or distribution.component
    listed = set(distribution.files)
    missing = set(distribution.missing_files)
    reported: list[str] = []
    for path in sorted(missing):
        top = _highest_missing_folder(path, listed, missing, distribution.import_root)
        if top not in reported:
            reported.append(top)
    return [_missing_file(distribution, owner, path, path not in missing) for path in reported]


def _highest_missing_folder(
    path: str, listed: set[str], missing: set[str], import_root: str
) -> str:
    best = path
    folder = posixpath.dirname(path)
    while folder and folder != import_root:
        under = [item for item in listed if item.startswith(folder + "/") and _is_checked(item)]
        if not all(item in missing for item in under):
            break
        best = folder
        folder = posixpath.dirname(folder)
    return best


def _missing_file(
    distribution: Distribution, component: Component, path: str, is_folder: bool
) -> Finding:
    what = "folder" if is_folder else "file"
    record = "RECORD" if distribution.metadata_format == "dist-info" else "installed-files.txt"
    shown = f"{distribution.display_name} {distribution.version or ''}".strip()
    return Finding(
        rule_id="record-missing-file",
        category=Category.PACKAGING,
        message=(
            f"{record} of {shown} lists the {what} {path}, which is not in the package; code "
            "that imports or opens it fails on every runtime, the current one included"
        ),
        location=Location(path),
        fix=(
            f"Reinstall {distribution.name} into the package "
            f"(pip install --upgrade -t <package folder> {distribution.requirement}), or, if "
            "the files were removed on purpose to save space, make sure nothing uses them"
        ),
        component=component,
        symbol=distribution.name,
        documentation=RECORD_DOCUMENTATION,
    )


def analysis_errors(distributions: Iterable[Distribution]) -> list[AnalysisError]:
    """The metadata problems of ``distributions`` as analysis errors for the report."""
    return [
        AnalysisError(stage="bundle", message=problem, path=distribution.metadata_path)
        for distribution in distributions
        for problem in distribution.problems
    ]
