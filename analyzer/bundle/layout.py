"""The files of a deployment package and its layers, and which module each one is on a runtime."""

from __future__ import annotations

import enum
import logging
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from analyzer.bundle.distributions import (
    Distribution,
    find_distributions,
    find_owner,
    owner_index,
)
from analyzer.bundle.native import is_native_file
from analyzer.errors import InputError
from analyzer.models import (
    FUNCTION_CODE,
    AnalysisError,
    Category,
    Component,
    ComponentKind,
    Finding,
    Function,
    Layer,
    Location,
    PythonVersion,
    Reach,
    Runtime,
    format_version,
)
from analyzer.runtimes import LAYER_PATH_SOURCE, RUNTIMES

logger = logging.getLogger(__name__)

MAX_FILES = 200_000
"""Files walked per function (its code and all its layers) before the walk stops."""

STAGE = "bundle"
READ_STAGE = "read"
"""Files of the package that could not be read (links, unreadable folders, the file cap): the
analysis is incomplete, as when archive members are skipped."""
FUNCTION_ROOT = "/var/task"
"""Where Lambda puts the deployment package; first on ``sys.path``."""
OPT = "/opt"
"""Where Lambda merges the layers, in configuration order."""

SOURCE_SUFFIX = ".py"
BYTECODE_SUFFIX = ".pyc"
PYCACHE = "__pycache__"
_DIST_INFO_SUFFIXES = (".dist-info", ".egg-info")
_SITE_PACKAGES_PREFIX = "python/lib/python"
_SITE_PACKAGES_SUFFIX = "/site-packages"

# Multiarch triplets of the CPUs Lambda runs, as CPython's configure names them (PLATFORM_TRIPLET,
# which makes EXT_SUFFIX; PEP 3149). x86_64 confirmed with importlib.machinery.EXTENSION_SUFFIXES
# on CPython 3.9-3.13: ['.cpython-3X-x86_64-linux-gnu.so', '.abi3.so', '.so'].
_MULTIARCH = {"x86_64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}


class FileKind(str, enum.Enum):
    """What a file of the package is, by its name."""

    SOURCE = "source"
    NATIVE = "native"
    BYTECODE = "bytecode"
    OTHER = "other"


@dataclass(frozen=True)
class PackageFile:
    """One file of the deployment package or of a layer.

    ``path`` is the display path used in findings: relative to the function root, or
    ``layers/<layer name>/<path inside the layer>``. ``relative`` is the path inside its own
    root (the function folder or the layer's content), which for a layer is the path under
    ``/opt``. ``distribution`` names the vendored distribution whose ``RECORD`` lists the
    file, also for layer files (whose component is the layer).
    """

    path: str
    relative: str
    absolute: str
    kind: FileKind
    component: Component = FUNCTION_CODE
    layer: str | None = None
    distribution: str | None = None
    distribution_version: str | None = None
    cached: bool = False
    """Whether the file sits in a ``__pycache__`` folder (a cache, never imported by name)."""
    size: int = 0

    @property
    def name(self) -> str:
        """The file name without its folder."""
        return self.relative.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Package:
    """Every file of a function's deployment package and layers, in walking order.

    Function files come first, then each layer's in configuration order. ``errors`` holds
    what could not be walked (an unreadable folder, a symbolic link not followed, the file cap).
    """

    function: Function
    files: tuple[PackageFile, ...]
    dist_info_folders: tuple[str, ...] = ()
    """Display paths of ``*.dist-info`` and ``*.egg-info`` folders."""
    distributions: tuple[Distribution, ...] = ()
    """The vendored distributions of the function and of each layer (paths are display paths)."""
    errors: tuple[AnalysisError, ...] = ()

    @cached_property
    def by_path(self) -> Mapping[str, PackageFile]:
        """Each file by its display path."""
        return {package_file.path: package_file for package_file in self.files}

    @cached_property
    def replaced(self) -> frozenset[str]:
        """Display paths of layer files that a later layer's file of the same path replaces.

        Lambda extracts the layers into ``/opt`` in order, so only the last copy exists there.
        """
        last: dict[str, str] = {}
        replaced = set()
        for package_file in self.files:
            if package_file.layer is None:
                continue
            earlier = last.get(package_file.relative)
            if earlier is not None:
                replaced.add(earlier)
            last[package_file.relative] = package_file.path
        return frozenset(replaced)

    @property
    def sources(self) -> tuple[PackageFile, ...]:
        """Python source files, outside ``__pycache__``."""
        return tuple(f for f in self.files if f.kind is FileKind.SOURCE and not f.cached)

    @property
    def native_files(self) -> tuple[PackageFile, ...]:
        """Native extensions and shared libraries (``.so``, ``.pyd``, ``.dylib``)."""
        return tuple(f for f in self.files if f.kind is FileKind.NATIVE)

    @property
    def bytecode(self) -> tuple[PackageFile, ...]:
        """``.pyc`` files, those in ``__pycache__`` included (see ``PackageFile.cached``)."""
        return tuple(f for f in self.files if f.kind is FileKind.BYTECODE)

    @property
    def components(self) -> tuple[Component, ...]:
        """The components that own at least one file, in order of first appearance."""
        return tuple(dict.fromkeys(f.component for f in self.files))

    def function_files(self) -> Iterator[PackageFile]:
        """The files of the deployment package itself."""
        return (f for f in self.files if f.layer is None)

    def layer_files(self, layer: str) -> Iterator[PackageFile]:
        """The files of the layer called ``layer``."""
        return (f for f in self.files if f.layer == layer)


def file_kind(name: str) -> FileKind:
    """The kind of a file, from its name."""
    lowered = name.lower()
    if lowered.endswith(SOURCE_SUFFIX):
        return FileKind.SOURCE
    if lowered.endswith(BYTECODE_SUFFIX):
        return FileKind.BYTECODE
    if is_native_file(lowered):
        return FileKind.NATIVE
    return FileKind.OTHER


def layer_display_path(layer: str, relative: str) -> str:
    """The display path of a file at ``relative`` inside layer ``layer``."""
    return f"layers/{layer}/{relative}"


# --------------------------------------------------------------------------- walking


@dataclass
class _Walk:
    """Walking state shared by the function root and every layer: the cap counts them all."""

    limit: int
    count: int = 0
    stopped: bool = False
    errors: list[AnalysisError] = field(default_factory=list)


@dataclass(frozen=True)
class _Entry:
    relative: str
    absolute: str
    size: int


def collect_package(function: Function, *, max_files: int = MAX_FILES) -> Package:
    """Walk the function's code root and its layers; symbolic links are never followed.

    Files listed by a vendored distribution's ``RECORD`` (or under a top-level package it
    claims) belong to that distribution: a ``VENDORED`` component in the function's code, the
    layer's component (with ``distribution`` set) in a layer.

    Raises ``InputError`` when the function's code root is not a folder. A missing layer
    folder, an unreadable folder or a walk past ``max_files`` files becomes an analysis error
    in the package, and what was walked is kept.
    """
    code_root = Path(function.code_root)
    if not code_root.is_dir():
        raise InputError(f"the function's code folder {function.code_root} is not a folder")
    walk = _Walk(limit=max_files)
    files: list[PackageFile] = []
    dist_infos: list[str] = []

    function_entries, function_dist_infos = _walk_root(code_root, "", walk)
    dist_infos.extend(function_dist_infos)
    distributions = _distributions(code_root, "", walk)
    files.extend(_function_files(function_entries, owner_index(distributions)))

    for layer in function.layers:
        if walk.stopped:
            break
        prefix = layer_display_path(layer.name, "")
        layer_root = Path(layer.root)
        if not layer_root.is_dir():
            walk.errors.append(
                AnalysisError(STAGE, f"layer {layer.name}: {layer.root} is not a folder", prefix)
            )
            continue
        layer_entries, layer_dist_infos = _walk_root(layer_root, prefix, walk)
        dist_infos.extend(layer_dist_infos)
        layer_distributions = _distributions(layer_root, prefix, walk)
        distributions.extend(layer_distributions)
        files.extend(_layer_files(layer, layer_entries, owner_index(layer_distributions)))

    return Package(
        function,
        tuple(files),
        tuple(dist_infos),
        tuple(distributions),
        tuple(walk.errors),
    )


def _walk_root(root: Path, prefix: str, walk: _Walk) -> tuple[list[_Entry], list[str]]:
    """The regular files under ``root``, sorted by path, and its dist-info folders."""
    entries: list[_Entry] = []
    dist_infos: list[str] = []
    pending = [("", str(root))]
    while pending and not walk.stopped:
        relative_folder, folder = pending.pop()
        try:
            with os.scandir(folder) as scan:
                children = sorted(scan, key=lambda child: child.name)
        except OSError as exc:
            walk.errors.append(
                AnalysisError(
                    READ_STAGE,
                    f"cannot read folder: {exc.strerror or exc}",
                    prefix + relative_folder or ".",
                )
            )
            continue
        subfolders: list[tuple[str, str]] = []
        for child in children:
            relative = f"{relative_folder}/{child.name}" if relative_folder else child.name
            problem = _unusable(child)
            if problem is not None:
                shown = prefix + _printable(relative)
                logger.warning("%s: %s; not analysed", shown, problem)
                walk.errors.append(AnalysisError(READ_STAGE, problem, shown))
            elif child.is_dir(follow_symlinks=False):
                if child.name.endswith(_DIST_INFO_SUFFIXES):
                    dist_infos.append(prefix + relative)
                subfolders.append((relative, child.path))
            elif child.is_file(follow_symlinks=False):
                if walk.count >= walk.limit:
                    walk.stopped = True
                    walk.errors.append(
                        AnalysisError(
                            READ_STAGE,
                            f"stopped after {walk.limit} files; the rest of the package was "
                            "not analysed",
                            prefix + relative,
                        )
                    )
                    break
                walk.count += 1
                entries.append(
                    _Entry(relative, child.path, child.stat(follow_symlinks=False).st_size)
                )
        # Reversed so that the stack pops folders in name order.
        pending.extend(reversed(subfolders))
    entries.sort(key=lambda entry: entry.relative)
    return entries, sorted(dist_infos)


def _distributions(root: Path, prefix: str, walk: _Walk) -> list[Distribution]:
    """The vendored distributions under ``root``; none, with an analysis error, if unreadable."""
    try:
        return find_distributions(root, prefix)
    except (RecursionError, OSError) as exc:
        # TODO: drop the RecursionError guard once find_distributions walks without recursion
        # (os.walk recurses per folder level on Python 3.11).
        reason = "folders nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        walk.errors.append(
            AnalysisError(STAGE, f"vendored distributions not read: {reason}", prefix or ".")
        )
        return []


def _unusable(child: os.DirEntry[str]) -> str | None:
    """Why a folder entry is left out of the walk, or ``None`` to walk it."""
    if child.is_symlink():
        return "symbolic link not followed"
    try:
        child.name.encode("utf-8")
    except UnicodeEncodeError:
        return "name is not valid UTF-8; not analysed"
    try:
        child.stat(follow_symlinks=False)
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    return None


def _printable(relative: str) -> str:
    return relative.encode("utf-8", "backslashreplace").decode("utf-8")


def _function_files(
    entries: Sequence[_Entry], owners: dict[str, Distribution]
) -> Iterator[PackageFile]:
    for entry in entries:
        owner = find_owner(owners, entry.relative) if owners else None
        component = owner.component if owner is not None else FUNCTION_CODE
        yield _package_file(entry, entry.relative, component, None, owner)


def _layer_files(
    layer: Layer, entries: Sequence[_Entry], owners: dict[str, Distribution]
) -> Iterator[PackageFile]:
    component = Component(ComponentKind.LAYER, layer.name)
    for entry in entries:
        display = layer_display_path(layer.name, entry.relative)
        owner = find_owner(owners, display) if owners else None
        yield _package_file(entry, display, component, layer.name, owner)


def _package_file(
    entry: _Entry,
    display: str,
    component: Component,
    layer: str | None,
    owner: Distribution | None,
) -> PackageFile:
    name = entry.relative.rsplit("/", 1)[-1]
    folders = entry.relative.split("/")[:-1]
    return PackageFile(
        path=display,
        relative=entry.relative,
        absolute=entry.absolute,
        kind=file_kind(name),
        component=component,
        layer=layer,
        distribution=owner.name if owner is not None else None,
        distribution_version=owner.version if owner is not None else None,
        cached=PYCACHE in folders,
        size=entry.size,
    )


# --------------------------------------------------------------------------- the module index


class ModuleKind(str, enum.Enum):
    """How a module is loaded."""

    PACKAGE = "package"
    """A folder with an ``__init__`` file."""
    NAMESPACE = "namespace"
    """Folders without ``__init__``, on one or more ``sys.path`` entries (PEP 420)."""
    SOURCE = "source"
    EXTENSION = "extension"
    BYTECODE = "bytecode"
    """A ``.pyc`` file outside ``__pycache__``, imported without source."""


@dataclass(frozen=True)
class ModuleEntry:
    """Where a dotted module name resolves on one runtime.

    ``path`` is the display path of the file that runs when the module is imported (a
    package's ``__init__``); ``None`` for a namespace package, whose ``portions`` are the
    display paths of its folders. ``search_root`` is the ``sys.path`` entry it was found on.
    """

    name: str
    kind: ModuleKind
    path: str | None
    search_root: str
    portions: tuple[str, ...] = ()

    @property
    def is_package(self) -> bool:
        """Whether the module can hold submodules."""
        return self.kind in (ModuleKind.PACKAGE, ModuleKind.NAMESPACE)


@dataclass(frozen=True)
class Candidate:
    """A file that would provide ``module`` on some runtime, but does not on this one."""

    module: str
    path: str
    reason: str


@dataclass(frozen=True)
class _Folder:
    """A folder of one ``sys.path`` entry: its files (name to display path) and subfolders."""

    display: str
    root: str
    """The ``sys.path`` entry the folder is on."""
    files: dict[str, str] = field(default_factory=dict)
    folders: dict[str, _Folder] = field(default_factory=dict)


def extension_suffixes(runtime: Runtime, architecture: str) -> tuple[str, ...]:
    """The file name endings that ``runtime``'s interpreter loads as extension modules, in order.

    Source: importlib.machinery.EXTENSION_SUFFIXES (confirmed on CPython 3.9-3.13 for x86_64).
    """
    triplet = _MULTIARCH.get(architecture, f"{architecture}-linux-gnu")
    major, minor = runtime.python
    return (f".cpython-{major}{minor}-{triplet}.so", ".abi3.so", ".so")


class ModuleIndex:
    """Which dotted module name resolves to which file of the package on one runtime.

    ``sys.path`` is ``/var/task``, then the runtime's layer folders under ``/opt`` (layers
    merged in configuration order, a later layer's file replacing an earlier one's), as
    Lambda sets it; the first entry that has the module wins, as importlib's ``PathFinder``
    decides: a package folder, then an extension module, then ``.py``, then ``.pyc`` in one
    folder (``FileFinder``'s loader order), and a namespace package only when no entry has a
    regular module of that name. The standard library comes after these entries, so a
    package module named like a stdlib module shadows it.
    """

    def __init__(
        self,
        package: Package,
        runtime: Runtime,
        architecture: str,
        modules: dict[str, ModuleEntry],
        candidates: dict[str, tuple[Candidate, ...]],
    ) -> None:
        self.package = package
        self.runtime = runtime
        self.architecture = architecture
        self.modules: Mapping[str, ModuleEntry] = modules
        self.candidates: Mapping[str, tuple[Candidate, ...]] = candidates
        """Module names no file provides on this runtime, with the files that would elsewhere."""
        self.module_of_path: Mapping[str, str] = {
            entry.path: name for name, entry in modules.items() if entry.path is not None
        }
        """Display path of each file that runs as a module, to the module's name."""

    @classmethod
    def for_runtime(
        cls, package: Package, runtime: Runtime, *, architecture: str | None = None
    ) -> ModuleIndex:
        """The index of ``package`` on ``runtime`` (architecture: the function's by default)."""
        architecture = architecture or package.function.architecture
        modules: dict[str, ModuleEntry] = {}
        suffixes = extension_suffixes(runtime, architecture)
        _resolve_all(_search_roots(package, runtime), suffixes, modules)
        candidates = _candidates(package, runtime, architecture, modules, suffixes)
        return cls(package, runtime, architecture, modules, candidates)

    def __contains__(self, module: object) -> bool:
        return module in self.modules

    def __len__(self) -> int:
        return len(self.modules)

    def resolve(self, module: str) -> ModuleEntry | None:
        """Where ``module`` resolves, or ``None`` when the package does not provide it."""
        return self.modules.get(module)

    def provides(self, module: str) -> bool:
        """Whether importing ``module`` loads the package's code rather than the stdlib's.

        True when its top-level name resolves to a regular module or package of the package;
        a namespace package does not count, as any regular module of the same name later on
        ``sys.path`` (the standard library's, for instance) wins over it.
        """
        top = self.modules.get(module.partition(".")[0])
        return top is not None and top.kind is not ModuleKind.NAMESPACE

    def top_level_modules(self) -> frozenset[str]:
        """Top-level names that import the package's own code (see ``provides``)."""
        return frozenset(
            name
            for name, entry in self.modules.items()
            if "." not in name and entry.kind is not ModuleKind.NAMESPACE
        )

    def file_of(self, module: str) -> str | None:
        """The display path of the file ``module`` runs, if it resolves to one."""
        entry = self.modules.get(module)
        return entry.path if entry is not None else None


def _search_roots(package: Package, runtime: Runtime) -> list[_Folder]:
    """The package's ``sys.path`` entries on ``runtime``, in search order."""
    task = _Folder("", FUNCTION_ROOT)
    for package_file in package.function_files():
        _place(task, package_file.relative, package_file.path)
    roots = [task]

    # Later layers replace earlier ones file by file, as Lambda extracts them in order.
    merged: dict[str, str] = {}
    for package_file in package.files:
        if package_file.layer is not None:
            merged[package_file.relative] = package_file.path
    for layer_path in runtime.layer_paths:
        folder = _Folder(f"{OPT}/{layer_path}", f"{OPT}/{layer_path}")
        prefix = layer_path + "/"
        for relative, display in merged.items():
            if relative.startswith(prefix):
                _place(folder, relative[len(prefix) :], display)
        roots.append(folder)
    return roots


def _place(root: _Folder, relative: str, display: str) -> None:
    """Put the file at ``relative`` (under ``root``) in the tree; ``display`` ends with it."""
    base = len(display) - len(relative)
    folder = root
    start = 0
    for part in relative.split("/")[:-1]:
        end = start + len(part)
        child = folder.folders.get(part)
        if child is None:
            child = folder.folders[part] = _Folder(display[: base + end], folder.root)
        folder = child
        start = end + 1
    folder.files[relative[start:]] = display


def _module_part(name: str) -> bool:
    """Whether a file or folder name can be one part of a dotted module name."""
    return bool(name) and "." not in name and name != PYCACHE


def _resolve_all(
    roots: list[_Folder], suffixes: tuple[str, ...], modules: dict[str, ModuleEntry]
) -> None:
    """Resolve every module under ``roots``, package by package (no recursion: trees are data)."""
    pending: list[tuple[str, list[_Folder]]] = [("", roots)]
    while pending:
        prefix, search = pending.pop()
        names: dict[str, None] = {}
        for folder in search:
            for folder_name in folder.folders:
                if _module_part(folder_name):
                    names[folder_name] = None
            for file_name in folder.files:
                stem = _module_stem(file_name, suffixes)
                if stem is not None:
                    names[stem] = None
        for name in sorted(names):
            full_name = f"{prefix}.{name}" if prefix else name
            entry, sub_search = _find(full_name, name, search, suffixes)
            if entry is None:
                continue
            modules[full_name] = entry
            if sub_search:
                pending.append((full_name, sub_search))


def _module_stem(file_name: str, suffixes: tuple[str, ...]) -> str | None:
    for suffix in (*suffixes, SOURCE_SUFFIX, BYTECODE_SUFFIX):
        if file_name.endswith(suffix):
            stem = file_name[: -len(suffix)]
            if _module_part(stem) and stem != "__init__":
                return stem
    return None


def _find(
    full_name: str,
    name: str,
    search: list[_Folder],
    suffixes: tuple[str, ...],
) -> tuple[ModuleEntry | None, list[_Folder]]:
    """Emulate ``PathFinder`` over ``search``: the module's entry and its own ``__path__``."""
    portions: list[_Folder] = []
    portion_roots: list[str] = []
    loaders = (
        *((suffix, ModuleKind.EXTENSION) for suffix in suffixes),
        (SOURCE_SUFFIX, ModuleKind.SOURCE),
        (BYTECODE_SUFFIX, ModuleKind.BYTECODE),
    )
    for folder in search:
        root_name = folder.root
        package_folder = folder.folders.get(name) if _module_part(name) else None
        if package_folder is not None:
            for suffix, _ in loaders:
                init = package_folder.files.get("__init__" + suffix)
                if init is not None:
                    entry = ModuleEntry(full_name, ModuleKind.PACKAGE, init, root_name)
                    return entry, [package_folder]
        for suffix, kind in loaders:
            module_file = folder.files.get(name + suffix)
            if module_file is not None:
                return ModuleEntry(full_name, kind, module_file, root_name), []
        if package_folder is not None:
            portions.append(package_folder)
            portion_roots.append(root_name)
    if portions:
        entry = ModuleEntry(
            full_name,
            ModuleKind.NAMESPACE,
            None,
            portion_roots[0],
            tuple(portion.display for portion in portions),
        )
        return entry, portions
    return None, []


def _candidates(
    package: Package,
    runtime: Runtime,
    architecture: str,
    modules: Mapping[str, ModuleEntry],
    suffixes: tuple[str, ...],
) -> dict[str, tuple[Candidate, ...]]:
    """Files that would provide a module not resolved on ``runtime``, and why they do not."""
    found: dict[str, list[Candidate]] = {}
    searched = {f"{path}/" for path in runtime.layer_paths}
    for package_file in package.files:
        if package_file.cached or package_file.kind not in (
            FileKind.SOURCE,
            FileKind.BYTECODE,
            FileKind.NATIVE,
        ):
            continue
        located = universal_module_name(package_file)
        if located is None:
            continue
        module, import_root = located
        if module in modules:
            continue
        reason = _why_not(package_file, import_root, runtime, architecture, suffixes, searched)
        found.setdefault(module, []).append(Candidate(module, package_file.path, reason))
    return {module: tuple(candidates) for module, candidates in found.items()}


def universal_module_name(package_file: PackageFile) -> tuple[str, str] | None:
    """The module a file provides on a runtime that searches its folder and loads its kind.

    Returns the dotted name and the folder it is imported from (``""`` for the function root,
    ``python/`` or ``python/lib/pythonX.Y/site-packages/`` for a layer), or ``None`` for a
    file no import reaches by name.
    """
    relative = package_file.relative
    import_root = ""
    if package_file.layer is not None:
        layer_root = layer_import_root(relative)
        if layer_root is None:
            return None
        import_root = layer_root
        relative = relative[len(import_root) :]
    parts = relative.split("/")
    if package_file.kind is FileKind.NATIVE:
        # Only .so (and Windows' .pyd) files are named as modules; others are libraries.
        if not parts[-1].lower().endswith((".so", ".pyd")):
            return None
        stem = parts[-1].split(".", 1)[0]
    else:
        stem = parts[-1].rsplit(".", 1)[0]
    if not all(_module_part(part) for part in parts[:-1]) or not _module_part(stem):
        return None
    dotted = parts[:-1] if stem == "__init__" else [*parts[:-1], stem]
    if not dotted:
        return None
    return ".".join(dotted), import_root


def layer_import_root(relative: str) -> str | None:
    """The layer folder that imports a layer file at ``relative``: ``python/`` or a
    ``python/lib/pythonX.Y/site-packages/`` folder; ``None`` outside ``python/``."""
    if relative.startswith(_SITE_PACKAGES_PREFIX):
        end = relative.find(_SITE_PACKAGES_SUFFIX + "/")
        if end != -1 and "/" not in relative[len(_SITE_PACKAGES_PREFIX) : end]:
            return relative[: end + len(_SITE_PACKAGES_SUFFIX) + 1]
    if relative.startswith("python/"):
        return "python/"
    return None


def _why_not(
    package_file: PackageFile,
    import_root: str,
    runtime: Runtime,
    architecture: str,
    suffixes: tuple[str, ...],
    searched: set[str],
) -> str:
    if import_root and import_root not in searched:
        return f"{runtime.name} does not put /opt/{import_root.rstrip('/')} on sys.path"
    name = package_file.name
    if package_file.kind is FileKind.NATIVE:
        if name.lower().endswith((".pyd", ".dylib")):
            return "Linux interpreters never load a .pyd or .dylib file as a module"
        if "." + name.split(".", 1)[-1] not in suffixes:
            return (
                f"{runtime.name} on {architecture} loads extension modules named "
                f"{', '.join('*' + suffix for suffix in suffixes)} only"
            )
    return f"another module of the same name, or its package, takes precedence on {runtime.name}"


# --------------------------------------------------------------------------- layer folders


def site_packages_version(layer_folder: str) -> PythonVersion | None:
    """``(3, 9)`` for ``python/lib/python3.9/site-packages/``; ``None`` for other folders."""
    if not layer_folder.startswith(_SITE_PACKAGES_PREFIX):
        return None
    version = layer_folder[len(_SITE_PACKAGES_PREFIX) :].split("/", 1)[0]
    major, _, minor = version.partition(".")
    if not major.isdigit() or not minor.isdigit():
        return None
    return int(major), int(minor)


def layer_path_findings(
    package: Package,
    function: Function,
    source_runtime: Runtime,
    targets: Iterable[Runtime],
) -> list[Finding]:
    """Layer folders ``python/lib/python3.Y/site-packages`` that a target no longer searches.

    One ``layer-path-version`` finding per layer folder that the source runtime searches and
    that holds a module some target then cannot import (no other folder provides it there).
    The finding's reach is ``Reach.PACKAGE``: run it through ``graph.apply_reach`` with the
    source runtime's graph to learn whether the handler imports anything from the folder.
    """
    targets = tuple(targets)
    architecture = function.architecture
    source_index = ModuleIndex.for_runtime(package, source_runtime, architecture=architecture)
    target_indexes = {
        target.name: ModuleIndex.for_runtime(package, target, architecture=architecture)
        for target in targets
        if target.name != source_runtime.name
    }
    folders: dict[tuple[str, str], None] = {}
    for package_file in package.files:
        if package_file.layer is None:
            continue
        import_root = layer_import_root(package_file.relative)
        if import_root is not None and site_packages_version(import_root) is not None:
            folders[(package_file.layer, import_root.rstrip("/"))] = None

    findings = []
    for layer_name, folder in folders:
        if folder not in source_runtime.layer_paths:
            continue
        display = layer_display_path(layer_name, folder)
        provided = sorted(
            name
            for name, entry in source_index.modules.items()
            if "." not in name and _entry_under(entry, display + "/")
        )
        lost: dict[str, None] = {}
        for index in target_indexes.values():
            if folder in index.runtime.layer_paths:
                continue
            for name in provided:
                if name not in index.modules:
                    lost[name] = None
        if lost:
            findings.append(_layer_path_finding(layer_name, folder, display, list(lost)))
    return findings


def _entry_under(entry: ModuleEntry, prefix: str) -> bool:
    paths = (entry.path,) if entry.path is not None else entry.portions
    return any(path is not None and path.startswith(prefix) for path in paths)


def _layer_path_finding(layer_name: str, folder: str, display: str, modules: list[str]) -> Finding:
    version = site_packages_version(folder + "/")
    assert version is not None
    next_version = (version[0], version[1] + 1)
    broken_on = tuple(
        name for name, runtime in RUNTIMES.items() if folder not in runtime.layer_paths
    )
    shown = ", ".join(modules[:8]) + (f" and {len(modules) - 8} more" if len(modules) > 8 else "")
    return Finding(
        rule_id="layer-path-version",
        category=Category.PACKAGING,
        message=(
            f"layer {layer_name} keeps modules under {folder}, which Lambda puts on sys.path "
            f"for python{format_version(version)} only: on {format_version(next_version)} and "
            f"later {shown} can no longer be imported"
        ),
        location=Location(display),
        fix=(
            f"Move the content of {folder}/ to python/ in layer {layer_name} (searched on every "
            "runtime), or rebuild the layer for the target runtime and publish it as a new "
            "layer version"
        ),
        component=Component(ComponentKind.LAYER, layer_name),
        symbol=modules[0] if len(modules) == 1 else None,
        breaks_in=next_version,
        broken_on=broken_on,
        reach=Reach.PACKAGE,
        documentation=LAYER_PATH_SOURCE,
    )
