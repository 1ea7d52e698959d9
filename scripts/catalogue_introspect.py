"""Lists the standard library of the running interpreter as JSON, for the catalogue generator.

Run as ``python3.X -I scripts/catalogue_introspect.py OUTPUT.json [CANDIDATES.json]`` on each
interpreter;
``scripts/generate_catalogue.py`` does that and diffs the results. This file must stay
runnable on Python 3.9, so it uses no newer syntax at run time.

Each module is imported in a forked child, so that one module's import side effects, a
crash or a hang cannot spoil the listing of the others, and so that deprecation warnings
raised while a module loads are seen by that module's own import.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import os
import pkgutil
import signal
import sys
import sysconfig
import warnings

# Modules that print, open a browser, start a GUI, or hold the test suites.
NEVER_IMPORTED = {"antigravity", "idlelib", "test", "this", "turtledemo"}
# Listed, but their submodules are not walked: GUI, packaging helpers, and lib2to3, whose
# removal is whole-package.
NOT_WALKED = {"tkinter", "pydoc_data", "ensurepip", "venv", "lib2to3"}
SKIPPED_PARTS = {"test", "tests", "__main__", "idle_test"}
# Windows and macOS modules cannot matter for Lambda, which runs Linux.
PLATFORM_MODULES = {
    "msvcrt",
    "winreg",
    "winsound",
    "nt",
    "_winapi",
    "msilib",
    "_msi",
    "_overlapped",
    "_osx_support",
}
CHILD_TIMEOUT_SECONDS = 20
PARAMETER_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: "positional-only",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional-or-keyword",
    inspect.Parameter.VAR_POSITIONAL: "var-positional",
    inspect.Parameter.KEYWORD_ONLY: "keyword-only",
    inspect.Parameter.VAR_KEYWORD: "var-keyword",
}


def top_level_modules():
    """Every top-level stdlib module name this interpreter knows, public ones only."""
    names = set(sys.builtin_module_names)
    names.update(getattr(sys, "stdlib_module_names", ()))
    paths = sysconfig.get_paths()
    folders = [paths["stdlib"], os.path.join(paths["platstdlib"], "lib-dynload")]
    for module_info in pkgutil.iter_modules(folders):
        names.add(module_info.name)
    return sorted(
        name
        for name in names
        if not name.startswith("_") and name not in PLATFORM_MODULES and name != "site-packages"
    )


def parameters_of(callable_object):
    """The signature's parameters as ``[name, kind, has_default]``, or None when unknown."""
    try:
        signature = inspect.signature(callable_object)
    except (TypeError, ValueError, RuntimeError):
        return None
    return [
        [parameter.name, PARAMETER_KINDS[parameter.kind], parameter.default is not parameter.empty]
        for parameter in signature.parameters.values()
    ]


def kind_of(value):
    """A coarse kind for a module attribute or class member."""
    if inspect.ismodule(value):
        return "module"
    if inspect.isclass(value):
        return "class"
    if callable(value):
        return "function"
    return "other"


def warning_texts(caught):
    """Deprecation warnings among caught warnings, as ``[category, message]``."""
    return [
        [item.category.__name__, str(item.message)]
        for item in caught
        if issubclass(item.category, (DeprecationWarning, PendingDeprecationWarning))
    ]


def describe_attribute(owner, name):
    """What ``owner.name`` is: its kind, home, parameters, and whether reading it warns."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = getattr(owner, name)
        except Exception as error:
            return {"kind": "error", "error": type(error).__name__}
    entry = {"kind": kind_of(value)}
    home = getattr(value, "__module__", None)
    if isinstance(home, str):
        entry["home"] = home
    qualname = getattr(value, "__qualname__", None)
    if isinstance(qualname, str):
        entry["qualname"] = qualname
    if entry["kind"] in ("function", "class"):
        parameters = parameters_of(value)
        if parameters is not None:
            entry["parameters"] = parameters
    warned = warning_texts(caught)
    if warned:
        entry["warns"] = warned
    return entry


def class_members(cls):
    """Public members of a class, its own and those inherited from non-builtin classes."""
    owners = {}
    for base in reversed(inspect.getmro(cls)):
        if base is not cls and getattr(base, "__module__", None) == "builtins":
            continue
        for name in vars(base):
            owners[name] = class_path(base)
    for name in getattr(cls, "_member_map_", {}):
        owners[name] = class_path(cls)
    members = {}
    for name in sorted(owners):
        if name.startswith("_"):
            continue
        members[name] = describe_attribute(cls, name)
        members[name]["owner"] = owners[name]
    return members


def class_path(cls):
    """``module.QualName`` of a class."""
    return "{}.{}".format(
        getattr(cls, "__module__", "?"), getattr(cls, "__qualname__", cls.__name__)
    )


def owner_of(cls, name):
    """The class in ``cls``'s MRO whose namespace defines ``name``."""
    for base in inspect.getmro(cls):
        if name in vars(base):
            return class_path(base)
    return class_path(cls)


def describe_module(module_name, candidates):
    """Imports one module and describes its public names and classes.

    ``candidates`` holds names seen elsewhere (other versions, stubs) that ``dir()`` may not
    show, such as names a module ``__getattr__`` serves: they are probed one by one.
    """
    result = {"found": False, "imports": False}
    try:
        spec = importlib.util.find_spec(module_name)
    except Exception as error:
        result["error"] = type(error).__name__ + ": " + str(error)
        return result
    if spec is None:
        return result
    result["found"] = True
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            module = importlib.import_module(module_name)
        except BaseException as error:
            result["error"] = type(error).__name__ + ": " + str(error)
            result["import_warnings"] = warning_texts(caught)
            return result
    result["imports"] = True
    result["import_warnings"] = warning_texts(caught)
    exported = getattr(module, "__all__", None)
    if isinstance(exported, (list, tuple)):
        result["all"] = sorted(str(name) for name in exported)
    if hasattr(module, "__path__"):
        result["submodules"] = sorted(
            module_name + "." + info.name
            for info in pkgutil.iter_modules(module.__path__)
            if not info.name.startswith("_") and info.name not in SKIPPED_PARTS
        )
    names = {}
    classes = {}
    listed = set(dir(module))
    probed = set(candidates.get("names", ())) - listed
    for name in sorted(listed | probed):
        if name.startswith("_"):
            continue
        entry = describe_attribute(module, name)
        if name in probed:
            if entry["kind"] == "error":
                continue
            entry["hidden"] = True
        names[name] = entry
        if entry["kind"] == "class":
            try:
                cls = getattr(module, name)
                classes[name] = class_members(cls)
                for member in candidates.get("classes", {}).get(name, ()):
                    if member not in classes[name] and not member.startswith("_"):
                        probe = describe_attribute(cls, member)
                        if probe["kind"] != "error":
                            probe["hidden"] = True
                            probe["owner"] = owner_of(cls, member)
                            classes[name][member] = probe
            except Exception:
                continue
    result["names"] = names
    result["classes"] = classes
    return result


def describe_in_child(module_name, candidates):
    """Runs ``describe_module`` in a forked child and returns its result."""
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read_end)
        try:
            # The default SIGALRM action ends a child whose import hangs.
            signal.alarm(CHILD_TIMEOUT_SECONDS)
            devnull = os.open(os.devnull, os.O_RDWR)
            os.dup2(devnull, 0)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            payload = json.dumps(describe_module(module_name, candidates)).encode()
        except BaseException as error:
            payload = json.dumps({"found": True, "imports": False, "error": repr(error)}).encode()
        with os.fdopen(write_end, "wb") as stream:
            stream.write(payload)
        os._exit(0)
    os.close(write_end)
    chunks = []
    with os.fdopen(read_end, "rb") as stream:
        while True:
            chunk = stream.read(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    os.waitpid(child, 0)
    if not chunks:
        return {"found": True, "imports": False, "error": "child died"}
    return json.loads(b"".join(chunks))


def main():
    """Describes every public stdlib module, walking packages, and writes the JSON."""
    output = sys.argv[1]
    candidates = {}
    if len(sys.argv) > 2:
        with open(sys.argv[2], encoding="utf-8") as stream:
            candidates = json.load(stream)
    modules = {}
    pending = sorted(set(top_level_modules()) | set(candidates))
    while pending:
        module_name = pending.pop(0)
        if module_name in modules:
            continue
        parts = module_name.split(".")
        if parts[0] in NEVER_IMPORTED:
            continue
        if any(part.startswith("_") or part in SKIPPED_PARTS for part in parts):
            continue
        description = describe_in_child(module_name, candidates.get(module_name, {}))
        modules[module_name] = description
        if parts[0] not in NOT_WALKED:
            pending.extend(description.get("submodules", ()))
    listing = {
        "version": list(sys.version_info[:3]),
        "stdlib_module_names": sorted(getattr(sys, "stdlib_module_names", ())),
        "modules": modules,
    }
    with open(output, "w", encoding="utf-8") as stream:
        json.dump(listing, stream, sort_keys=True)


if __name__ == "__main__":
    main()
