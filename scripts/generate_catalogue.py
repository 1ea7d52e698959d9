"""Generates ``analyzer/rules/catalogue/generated.py``: stdlib changes between 3.9 and 3.14.

Two witnesses are diffed version against version:

- the real interpreters python3.9 .. python3.13, each listing its own standard library
  (``scripts/catalogue_introspect.py``: modules, public names, class members, signatures,
  deprecation warnings on import or attribute access);
- typeshed's stdlib stubs (``scripts/typeshed_stdlib.py``), evaluated per version, which
  are the only witness for 3.14 and confirm the interpreters' evidence for 3.10 .. 3.13.

A change the interpreters show becomes a row when the stubs agree, or when the
interpreter evidence alone is strong (the name is in the module's ``__all__``, or
is defined in the module itself); everything else is printed for review, so that a
person can curate it in ``analyzer/rules/catalogue/curated.py`` with its What's New
source. Run with the interpreters on PATH::

    PYENV_VERSION=3.11.7:3.9.18:3.10.13:3.12.1:3.13.0 \\
        python scripts/generate_catalogue.py [--review] [--readme]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import typeshed_stdlib
from typeshed_stdlib import StubName, StubReader

Version = tuple[int, int]
REPOSITORY = Path(__file__).resolve().parent.parent
OUTPUT = REPOSITORY / "analyzer" / "rules" / "catalogue" / "generated.py"
INTROSPECT = Path(__file__).resolve().parent / "catalogue_introspect.py"
MEASURED: tuple[Version, ...] = ((3, 9), (3, 10), (3, 11), (3, 12), (3, 13))
DOCUMENTED_ONLY: Version = (3, 14)
ALL_VERSIONS: tuple[Version, ...] = (*MEASURED, DOCUMENTED_ONLY)
COMMAND = "PYENV_VERSION=3.11.7:3.9.18:3.10.13:3.12.1:3.13.0 python scripts/generate_catalogue.py"

# Changes the generator sees that are not what a user of the API would call a change, each
# with the reason. Keys are (symbol, parameter or "").
EXCLUDED: dict[tuple[str, str], str] = {
    ("os.sched_param", "sched_priority"): (
        "3.9's signature of the structseq lists no keyword, yet 3.9 accepts it "
        "(scripts/verify_catalogue.py)"
    ),
}

# Modules whose names get no rows: GUI toolkits (Lambda has no display), implementation
# modules that code reaches through another name (os, os.path), and CPython's own examples.
UNUSED_ON_LAMBDA = frozenset(
    {
        "genericpath",
        "idlelib",
        "ntpath",
        "nturl2path",
        "posix",
        "posixpath",
        "tkinter",
        "turtle",
        "turtledemo",
        "xxlimited",
        "xxlimited_35",
        "xxsubtype",
    }
)
# Parameter names that are the bound instance or class, not something a caller passes.
BOUND_PARAMETERS = frozenset({"self", "cls"})


def text(version: Version) -> str:
    """``(3, 12)`` as ``3.12``."""
    return f"{version[0]}.{version[1]}"


def previous(version: Version) -> Version:
    """The feature release before ``version``."""
    return (version[0], version[1] - 1)


# -- the interpreters' listings ---------------------------------------------------------


def run_listings(folder: Path, candidates: Path | None) -> dict[Version, dict[str, Any]]:
    """Runs the introspection script on every measured interpreter, in parallel."""
    processes = {}
    for version in MEASURED:
        output = folder / f"{text(version)}.json"
        command = [f"python{text(version)}", "-I", str(INTROSPECT), str(output)]
        if candidates is not None:
            command.append(str(candidates))
        processes[version] = (subprocess.Popen(command), output)
    listings = {}
    for version, (process, output) in processes.items():
        if process.wait() != 0:
            raise SystemExit(f"introspection failed on python{text(version)}")
        listings[version] = json.loads(output.read_text(encoding="utf-8"))
    return listings


@dataclass
class Surface:
    """One version's public stdlib: from an interpreter (3.9 .. 3.13) or from typeshed."""

    version: Version
    modules: set[str] = field(default_factory=set)
    """Modules that exist (found, whether or not they import on this build)."""
    importable: set[str] = field(default_factory=set)
    names: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    classes: dict[str, dict[str, dict[str, dict[str, Any]]]] = field(default_factory=dict)
    all_names: dict[str, set[str]] = field(default_factory=dict)
    import_warnings: dict[str, list[str]] = field(default_factory=dict)


def interpreter_surface(version: Version, listing: Mapping[str, Any]) -> Surface:
    """A ``Surface`` from one interpreter's listing."""
    surface = Surface(version)
    stdlib_names = set(listing["stdlib_module_names"])
    for module, description in listing["modules"].items():
        top = module.split(".")[0]
        # sys.stdlib_module_names (3.10+) knows modules this build could not compile.
        if description["found"] or (top in stdlib_names and "." not in module):
            surface.modules.add(module)
        if not description["imports"]:
            continue
        surface.importable.add(module)
        surface.names[module] = description["names"]
        surface.classes[module] = description["classes"]
        if "all" in description:
            surface.all_names[module] = set(description["all"])
        surface.import_warnings[module] = [
            message for _, message in description.get("import_warnings", [])
        ]
    return surface


def candidate_names(
    listings: Iterable[Mapping[str, Any]], stubs: Iterable[StubReader]
) -> dict[str, dict[str, Any]]:
    """Per module, every public name and class member any witness knows, for probing."""
    names: dict[str, set[str]] = {}
    members: dict[str, dict[str, set[str]]] = {}
    for listing in listings:
        for module, description in listing["modules"].items():
            names.setdefault(module, set()).update(description.get("names", {}))
            for class_name, class_members in description.get("classes", {}).items():
                members.setdefault(module, {}).setdefault(class_name, set()).update(class_members)
    modules = [name for name in typeshed_stdlib.all_stub_modules() if not _private(name)]
    for reader in stubs:
        for module in modules:
            stub = reader.module(module)
            if stub is None:
                continue
            names.setdefault(module, set()).update(stub.names)
            for class_name, class_members in stub.classes.items():
                members.setdefault(module, {}).setdefault(class_name, set()).update(class_members)
    return {
        module: {
            "names": sorted(module_names),
            "classes": {
                class_name: sorted(class_members)
                for class_name, class_members in members.get(module, {}).items()
            },
        }
        for module, module_names in names.items()
        if not _private(module)
    }


def _private(dotted: str) -> bool:
    return any(part.startswith("_") for part in dotted.split("."))


def _unused(module: str) -> bool:
    return module.split(".")[0] in UNUSED_ON_LAMBDA


# -- rows -------------------------------------------------------------------------------


@dataclass
class Row:
    """A row on its way to the generated table."""

    symbol: str
    kind: str
    parameter: str | None
    added: Version | None = None
    deprecated: Version | None = None
    removed: Version | None = None
    replacement: str = ""
    source: str = ""
    flagged: str = ""
    clean: str = ""
    evidence: list[str] = field(default_factory=list)
    required: list[str] = field(default_factory=list)
    """For a parameter row, the callable's required positional parameters."""

    @property
    def key(self) -> tuple[str, str, str]:
        """Unique per symbol, kind and parameter."""
        return (self.symbol, self.kind, self.parameter or "")


@dataclass
class Review:
    """A change seen by one witness only, printed for a person to judge."""

    symbol: str
    change: str
    reason: str


class Catalogue:
    """Diffs the surfaces and collects rows and review items."""

    def __init__(self, measured: dict[Version, Surface], stubs: dict[Version, StubReader]):
        self.measured = measured
        self.stubs = stubs
        self.rows: dict[tuple[str, str, str], Row] = {}
        self.reviews: list[Review] = []

    # helpers ------------------------------------------------------------------------

    def stub_names(self, version: Version, module: str) -> dict[str, StubName] | None:
        stub = self.stubs[version].module(module)
        return stub.names if stub is not None else None

    def stub_members(self, version: Version, module: str, cls: str) -> dict[str, StubName] | None:
        stub = self.stubs[version].module(module)
        if stub is None:
            return None
        return stub.classes.get(cls)

    def add(self, row: Row) -> None:
        if (row.symbol, row.parameter or "") in EXCLUDED:
            return
        existing = self.rows.get(row.key)
        if existing is None:
            self.rows[row.key] = row
            return
        for attribute in ("added", "deprecated", "removed"):
            if getattr(existing, attribute) is None:
                setattr(existing, attribute, getattr(row, attribute))
        if not existing.replacement:
            existing.replacement = row.replacement
        existing.evidence.extend(row.evidence)

    def review(self, symbol: str, change: str, reason: str) -> None:
        self.reviews.append(Review(symbol, change, reason))

    def later_versions(self, version: Version) -> list[Version]:
        return [other for other in MEASURED if other >= version]

    # modules --------------------------------------------------------------------------

    def diff_modules(self) -> None:
        """Modules that appear or disappear."""
        for version in MEASURED[1:]:
            before = self.measured[previous(version)].modules
            after = self.measured[version].modules
            for module in sorted(before - after):
                if _private(module) or self._reappears(module, version):
                    continue
                if self._parent_gone(module, version):
                    continue
                stub_agrees = typeshed_stdlib.module_exists(
                    module, previous(version)
                ) and not typeshed_stdlib.module_exists(module, version)
                known_to_stubs = module.split(".")[0] in typeshed_stdlib.module_ranges()
                if stub_agrees or (version == (3, 10) and not known_to_stubs):
                    # typeshed starts at 3.10: a module gone in 3.10 is absent from it.
                    self.add(
                        Row(
                            module,
                            "module",
                            None,
                            removed=version,
                            evidence=[f"interpreters {text(previous(version))}/{text(version)}"]
                            + (["typeshed VERSIONS"] if stub_agrees else []),
                        )
                    )
                else:
                    self.review(module, f"module removed in {text(version)}", "stubs disagree")
            for module in sorted(after - before):
                if _private(module) or not all(
                    module in self.measured[later].modules for later in self.later_versions(version)
                ):
                    continue
                if self._parent_new(module, version):
                    continue
                stub_agrees = typeshed_stdlib.module_exists(
                    module, version
                ) and not typeshed_stdlib.module_exists(module, previous(version))
                if stub_agrees:
                    self.add(
                        Row(
                            module,
                            "module",
                            None,
                            added=version,
                            evidence=[
                                f"interpreters {text(previous(version))}/{text(version)}",
                                "typeshed",
                            ],
                        )
                    )
                else:
                    self.review(module, f"module added in {text(version)}", "stubs disagree")
        self._documented_modules()
        self._module_import_warnings()

    def _reappears(self, module: str, version: Version) -> bool:
        return any(module in self.measured[later].modules for later in self.later_versions(version))

    def _parent_gone(self, module: str, version: Version) -> bool:
        parent = module.rpartition(".")[0]
        return bool(parent) and parent not in self.measured[version].modules

    def _parent_new(self, module: str, version: Version) -> bool:
        parent = module.rpartition(".")[0]
        return bool(parent) and parent not in self.measured[previous(version)].modules

    def _documented_modules(self) -> None:
        """3.14 changes, which only the stubs know; the 3.13 interpreter must agree."""
        last = self.measured[MEASURED[-1]]
        for module in typeshed_stdlib.all_stub_modules():
            if _private(module):
                continue
            before = typeshed_stdlib.module_exists(module, MEASURED[-1])
            after = typeshed_stdlib.module_exists(module, DOCUMENTED_ONLY)
            parent = module.rpartition(".")[0]
            if before and not after and module in last.modules:
                if parent and not typeshed_stdlib.module_exists(parent, DOCUMENTED_ONLY):
                    continue
                self.add(Row(module, "module", None, removed=DOCUMENTED_ONLY, evidence=["stub"]))
            if after and not before and module not in last.modules:
                if parent and not typeshed_stdlib.module_exists(parent, MEASURED[-1]):
                    continue
                self.add(Row(module, "module", None, added=DOCUMENTED_ONLY, evidence=["stub"]))

    def _module_import_warnings(self) -> None:
        """A module whose import warns about itself is deprecated from that version."""
        for version in MEASURED:
            surface = self.measured[version]
            for module, messages in surface.import_warnings.items():
                if _private(module):
                    continue
                about_itself = self._about_itself(module, messages)
                if not about_itself:
                    continue
                if version > MEASURED[0] and self._warned_about_itself(previous(version), module):
                    continue
                removed = next(
                    (
                        later
                        for later in ALL_VERSIONS
                        if later > version and not self._module_at(module, later)
                    ),
                    None,
                )
                deprecated = version if version > MEASURED[0] else None
                row = Row(
                    module,
                    "module",
                    None,
                    deprecated=deprecated,
                    removed=removed,
                    replacement=about_itself[0],
                    evidence=[f"import warns on {text(version)}"],
                )
                if deprecated is None and removed is None:
                    # Deprecated before 3.9 and still here: the 3.9 listing cannot say when.
                    self.review(module, "import warns on 3.9", about_itself[0])
                    continue
                self.add(row)

    def _about_itself(self, module: str, messages: list[str]) -> list[str]:
        last_part = module.split(".")[-1]
        return [
            message
            for message in messages
            if re.search(rf"\b{re.escape(last_part)}\b", message)
            and re.search(r"deprecat|removal|removed", message, re.IGNORECASE)
        ]

    def _warned_about_itself(self, version: Version, module: str) -> bool:
        messages = self.measured[version].import_warnings.get(module, [])
        return bool(self._about_itself(module, messages))

    def _module_at(self, module: str, version: Version) -> bool:
        if version in self.measured:
            return module in self.measured[version].modules
        return typeshed_stdlib.module_exists(module, version)

    # names --------------------------------------------------------------------------

    def diff_names(self) -> None:
        """Module attributes and class members that appear or disappear."""
        for version in MEASURED[1:]:
            before, after = self.measured[previous(version)], self.measured[version]
            for module in sorted(before.importable & after.importable):
                if _private(module) or _unused(module):
                    continue
                self._diff_module_names(module, before, after)
        self._documented_names()

    def _accessible(self, surface: Surface, module: str, name: str) -> bool:
        entry = surface.names.get(module, {}).get(name)
        return entry is not None and entry["kind"] not in ("error", "module")

    def _diff_module_names(self, module: str, before: Surface, after: Surface) -> None:
        version = after.version
        old_names = before.names.get(module, {})
        new_names = after.names.get(module, {})
        for name in sorted(set(old_names) | set(new_names)):
            was = self._accessible(before, module, name)
            now = self._accessible(after, module, name)
            symbol = f"{module}.{name}"
            if was and not now:
                if any(
                    self._accessible(self.measured[later], module, name)
                    for later in self.later_versions(version)
                ):
                    continue
                self._judge_removed_name(symbol, module, name, old_names[name], before, after)
            elif now and not was:
                if not all(
                    self._accessible(self.measured[later], module, name)
                    for later in self.later_versions(version)
                ):
                    continue
                self._judge_added_name(symbol, module, name, new_names[name], version)
            elif was and now and new_names[name]["kind"] == "class":
                self._diff_members(module, name, before, after)
            if was and now:
                self._diff_parameters(symbol, old_names[name], new_names[name], version)
                self._warned_on_access(symbol, old_names[name], new_names[name], version)

    def _stub_confirms(
        self, module: str, name: str, cls: str | None, version: Version, *, removed: bool
    ) -> bool:
        """Whether typeshed shows the same change (``version`` >= 3.11 only)."""
        if version <= (3, 10):
            return False
        old, new = previous(version), version
        if cls is None:
            old_names, new_names = self.stub_names(old, module), self.stub_names(new, module)
        else:
            old_names = self.stub_members(old, module, cls)
            new_names = self.stub_members(new, module, cls)
        if old_names is None or new_names is None:
            return False
        if removed:
            return name in old_names and name not in new_names
        return name in new_names and name not in old_names

    def _defined_here(self, module: str, entry: Mapping[str, Any]) -> bool:
        home = entry.get("home")
        if not isinstance(home, str) or entry["kind"] not in ("class", "function"):
            return False
        # A re-export from a sibling module is not enough: only the module itself, its
        # C accelerator (_json for json) or its own submodules (asyncio.tasks for asyncio).
        return home == module or home.lstrip("_") == module or home.startswith(module + ".")

    def _judge_removed_name(
        self,
        symbol: str,
        module: str,
        name: str,
        entry: Mapping[str, Any],
        before: Surface,
        after: Surface,
    ) -> None:
        version = after.version
        confirmed = self._stub_confirms(module, name, None, version, removed=True)
        in_all = name in before.all_names.get(module, set())
        warned = bool(entry.get("warns"))
        if confirmed or in_all or warned or self._defined_here(module, entry):
            evidence = [f"interpreters {text(before.version)}/{text(version)}"]
            evidence += ["typeshed"] * confirmed + ["__all__"] * in_all + ["warned"] * warned
            self.add(
                Row(
                    symbol,
                    "name",
                    None,
                    removed=version,
                    replacement=self._warning_text(entry),
                    evidence=evidence,
                )
            )
        else:
            self.review(symbol, f"removed in {text(version)}", f"unconfirmed: {entry}")

    def _judge_added_name(
        self, symbol: str, module: str, name: str, entry: Mapping[str, Any], version: Version
    ) -> None:
        if version == (3, 10):
            confirmed = name in (self.stub_names((3, 10), module) or {})
            # typeshed starts at 3.10: only __all__ or a home in the module confirms.
            confirmed = confirmed and (
                name in self.measured[version].all_names.get(module, set())
                or self._defined_here(module, entry)
            )
        else:
            confirmed = self._stub_confirms(module, name, None, version, removed=False)
        if confirmed:
            self.add(
                Row(
                    symbol,
                    "name",
                    None,
                    added=version,
                    evidence=[
                        f"interpreters {text(previous(version))}/{text(version)}",
                        "typeshed",
                    ],
                )
            )
        else:
            self.review(symbol, f"added in {text(version)}", f"unconfirmed: {entry}")

    def _diff_members(self, module: str, cls: str, before: Surface, after: Surface) -> None:
        version = after.version
        old_members = before.classes.get(module, {}).get(cls)
        new_members = after.classes.get(module, {}).get(cls)
        if old_members is None or new_members is None:
            return
        class_symbol = f"{module}.{cls}"
        for member in sorted(set(old_members) | set(new_members)):
            owners = [
                entry.get("owner")
                for entry in (old_members.get(member), new_members.get(member))
                if entry is not None
            ]
            if not all(_owned_nearby(module, cls, owner) for owner in owners):
                continue
            was = member in old_members and old_members[member]["kind"] != "error"
            now = member in new_members and new_members[member]["kind"] != "error"
            symbol = f"{class_symbol}.{member}"
            if was and not now:
                if any(
                    self._has_member(self.measured[later], module, cls, member)
                    for later in self.later_versions(version)
                ):
                    continue
                confirmed = self._stub_confirms(module, member, cls, version, removed=True)
                warned = bool(old_members[member].get("warns"))
                # A data attribute gone from the class may still be set on instances (an
                # ast field's class-level default): only typeshed or a warning can tell.
                callable_member = old_members[member]["kind"] in ("function", "class")
                if confirmed or warned or (version == (3, 10) and callable_member):
                    self.add(
                        Row(
                            symbol,
                            "name",
                            None,
                            removed=version,
                            replacement=self._warning_text(old_members[member]),
                            evidence=[f"interpreters {text(previous(version))}/{text(version)}"]
                            + ["typeshed"] * confirmed,
                        )
                    )
                else:
                    self.review(symbol, f"member removed in {text(version)}", "stubs disagree")
            elif now and not was:
                if not all(
                    self._has_member(self.measured[later], module, cls, member)
                    for later in self.later_versions(version)
                ):
                    continue
                if version == (3, 10):
                    confirmed = member in (self.stub_members((3, 10), module, cls) or {})
                else:
                    confirmed = self._stub_confirms(module, member, cls, version, removed=False)
                if confirmed:
                    self.add(
                        Row(
                            symbol,
                            "name",
                            None,
                            added=version,
                            evidence=[
                                f"interpreters {text(previous(version))}/{text(version)}",
                                "typeshed",
                            ],
                        )
                    )
                else:
                    self.review(symbol, f"member added in {text(version)}", "stubs disagree")
            if was and now:
                self._diff_parameters(symbol, old_members[member], new_members[member], version)
                self._warned_on_access(symbol, old_members[member], new_members[member], version)

    def _has_member(self, surface: Surface, module: str, cls: str, member: str) -> bool:
        members = surface.classes.get(module, {}).get(cls)
        return members is not None and members.get(member, {"kind": "error"})["kind"] != "error"

    def _warning_text(self, entry: Mapping[str, Any]) -> str:
        warns = entry.get("warns") or []
        return str(warns[0][1]) if warns else ""

    def _warned_on_access(
        self, symbol: str, old: Mapping[str, Any], new: Mapping[str, Any], version: Version
    ) -> None:
        """A name whose reading starts to warn in ``version`` is deprecated from then."""
        if new.get("warns") and not old.get("warns"):
            self.add(
                Row(
                    symbol,
                    "name",
                    None,
                    deprecated=version,
                    replacement=self._warning_text(new),
                    evidence=[f"reading warns from {text(version)}"],
                )
            )

    # parameters ----------------------------------------------------------------------

    def _diff_parameters(
        self, symbol: str, old: Mapping[str, Any], new: Mapping[str, Any], version: Version
    ) -> None:
        old_parameters = old.get("parameters")
        new_parameters = new.get("parameters")
        if old_parameters is None or new_parameters is None:
            return
        old_keywords = _keywords(old_parameters) - BOUND_PARAMETERS
        new_keywords = _keywords(new_parameters) - BOUND_PARAMETERS
        old_var = any(kind == "var-keyword" for _, kind, _ in old_parameters)
        new_var = any(kind == "var-keyword" for _, kind, _ in new_parameters)
        if not new_var:
            for parameter in sorted(old_keywords - new_keywords):
                if any(
                    not self._takes_keyword(later, symbol, parameter)
                    for later in self.later_versions(version)
                ) and self._parameter_confirmed(symbol, parameter, version, removed=True):
                    self.add(
                        Row(
                            symbol,
                            "parameter",
                            parameter,
                            removed=version,
                            evidence=[
                                f"signatures {text(previous(version))}/{text(version)}",
                                "typeshed",
                            ],
                            required=_required(old_parameters, parameter),
                        )
                    )
        if not old_var:
            for parameter in sorted(new_keywords - old_keywords):
                if self._parameter_confirmed(symbol, parameter, version, removed=False):
                    self.add(
                        Row(
                            symbol,
                            "parameter",
                            parameter,
                            added=version,
                            evidence=[
                                f"signatures {text(previous(version))}/{text(version)}",
                                "typeshed",
                            ],
                            required=_required(new_parameters, parameter),
                        )
                    )

    def _takes_keyword(self, version: Version, symbol: str, parameter: str) -> bool:
        entry = self._entry(self.measured[version], symbol)
        if entry is None or entry.get("parameters") is None:
            return False
        return parameter in _keywords(entry["parameters"])

    def _entry(self, surface: Surface, symbol: str) -> Mapping[str, Any] | None:
        for module in sorted(surface.importable, key=len, reverse=True):
            if not symbol.startswith(module + "."):
                continue
            rest = symbol[len(module) + 1 :].split(".")
            if len(rest) == 1:
                return surface.names.get(module, {}).get(rest[0])
            if len(rest) == 2:
                return surface.classes.get(module, {}).get(rest[0], {}).get(rest[1])
            return None
        return None

    def _stub_call(self, version: Version, symbol: str) -> tuple[set[str], bool] | None:
        """The keyword parameters typeshed gives a callable at ``version``, and **kwargs."""
        reader = self.stubs[version]
        parts = symbol.split(".")
        for split in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:split])
            stub = reader.module(module)
            if stub is None:
                continue
            rest = parts[split:]
            found: StubName | None = None
            if len(rest) == 1:
                found = stub.names.get(rest[0])
            elif len(rest) == 2:
                found = stub.classes.get(rest[0], {}).get(rest[1])
            if found is None or found.call is None:
                return None
            return found.call.keywords, found.call.var_keyword
        return None

    def _parameter_confirmed(
        self, symbol: str, parameter: str, version: Version, *, removed: bool
    ) -> bool:
        change = f"parameter {parameter} {'removed' if removed else 'added'} in {text(version)}"
        if version <= (3, 10):
            # typeshed starts at 3.10: it can only confirm the newer side.
            now = self._stub_call(version, symbol)
            if now is None:
                self.review(symbol, change, "no stub signature")
                return False
            keywords, var_keyword = now
            confirmed = (
                (parameter not in keywords and not var_keyword)
                if removed
                else (parameter in keywords)
            )
        else:
            old, new = self._stub_call(previous(version), symbol), self._stub_call(version, symbol)
            if old is None or new is None:
                self.review(symbol, change, "no stub signature")
                return False
            if removed:
                confirmed = parameter in old[0] and parameter not in new[0] and not new[1]
            else:
                confirmed = parameter in new[0] and parameter not in old[0] and not old[1]
        if not confirmed:
            self.review(symbol, change, "stubs disagree")
        return confirmed

    # 3.14 ---------------------------------------------------------------------------

    def _documented_names(self) -> None:
        """Names and parameters typeshed gives 3.13 and not 3.14, or the reverse."""
        last = self.measured[MEASURED[-1]]
        old_reader, new_reader = self.stubs[MEASURED[-1]], self.stubs[DOCUMENTED_ONLY]
        for module in sorted(last.importable):
            if _private(module) or _unused(module):
                continue
            old_stub, new_stub = old_reader.module(module), new_reader.module(module)
            if old_stub is None or new_stub is None:
                continue
            for name in sorted(set(old_stub.names) | set(new_stub.names)):
                if name.startswith("_"):
                    continue
                symbol = f"{module}.{name}"
                in_old, in_new = name in old_stub.names, name in new_stub.names
                accessible = self._accessible(last, module, name)
                if in_old and not in_new and accessible and not self._moved_up(module, name):
                    self.add(
                        Row(
                            symbol,
                            "name",
                            None,
                            removed=DOCUMENTED_ONLY,
                            replacement=old_stub.names[name].deprecated or "",
                            evidence=["typeshed 3.13/3.14", "present in 3.13"],
                        )
                    )
                elif in_new and not in_old and not accessible:
                    self.add(Row(symbol, "name", None, added=DOCUMENTED_ONLY, evidence=["stub"]))
                elif in_old and in_new:
                    self._documented_call(symbol, old_stub.names[name], new_stub.names[name])
            for cls in sorted(set(old_stub.classes) & set(new_stub.classes)):
                if cls.startswith("_") or not self._accessible(last, module, cls):
                    continue
                old_members, new_members = old_stub.classes[cls], new_stub.classes[cls]
                for member in sorted(set(old_members) | set(new_members)):
                    if member.startswith("_") or not all(
                        _owned_nearby(module, cls, members[member].owner)
                        for members in (old_members, new_members)
                        if member in members
                    ):
                        continue
                    symbol = f"{module}.{cls}.{member}"
                    present = self._has_member(last, module, cls, member)
                    if member in old_members and member not in new_members and present:
                        self.add(
                            Row(
                                symbol,
                                "name",
                                None,
                                removed=DOCUMENTED_ONLY,
                                replacement=old_members[member].deprecated or "",
                                evidence=["typeshed 3.13/3.14", "present in 3.13"],
                            )
                        )
                    elif member in new_members and member not in old_members and not present:
                        self.add(
                            Row(symbol, "name", None, added=DOCUMENTED_ONLY, evidence=["stub"])
                        )
                    elif member in old_members and member in new_members:
                        self._documented_call(symbol, old_members[member], new_members[member])

    def _moved_up(self, module: str, name: str) -> bool:
        """Whether a package still offers a name its submodule's stub no longer lists.

        asyncio.events.AbstractEventLoopPolicy became private in 3.14 while
        asyncio.AbstractEventLoopPolicy stays: without a 3.14 interpreter, whether the
        submodule path still works is unknown, so no row claims it.
        """
        parent = module.rpartition(".")[0]
        while parent:
            stub = self.stubs[DOCUMENTED_ONLY].module(parent)
            if stub is not None and name in stub.names:
                return True
            parent = parent.rpartition(".")[0]
        return False

    def _documented_call(self, symbol: str, old: StubName, new: StubName) -> None:
        if old.call is None or new.call is None:
            return
        entry = self._entry(self.measured[MEASURED[-1]], symbol) or {}
        signature = entry.get("parameters") or []
        takes_any_keyword = any(kind == "var-keyword" for _, kind, _ in signature)
        if not new.call.var_keyword:
            for parameter in sorted(old.call.keywords - new.call.keywords - BOUND_PARAMETERS):
                if parameter.startswith("_") or not self._takes_keyword(
                    MEASURED[-1], symbol, parameter
                ):
                    continue
                self.add(
                    Row(
                        symbol,
                        "parameter",
                        parameter,
                        removed=DOCUMENTED_ONLY,
                        evidence=["stub"],
                        required=_required(signature, parameter),
                    )
                )
        if not old.call.var_keyword and not takes_any_keyword:
            for parameter in sorted(new.call.keywords - old.call.keywords - BOUND_PARAMETERS):
                if parameter.startswith("_") or self._takes_keyword(
                    MEASURED[-1], symbol, parameter
                ):
                    continue
                self.add(
                    Row(
                        symbol,
                        "parameter",
                        parameter,
                        added=DOCUMENTED_ONLY,
                        evidence=["stub"],
                        required=_required(signature, parameter),
                    )
                )

    # deprecations from the stubs -------------------------------------------------------

    def stub_deprecations(self) -> None:
        """``@deprecated`` names: the version comes from the message or the stub's condition."""
        last = self.measured[MEASURED[-1]]
        seen: set[str] = set()
        for version in ALL_VERSIONS[1:]:
            reader = self.stubs[version]
            for module in sorted(last.importable | self.measured[MEASURED[0]].importable):
                if _private(module) or _unused(module):
                    continue
                stub = reader.module(module)
                if stub is None:
                    continue
                marked: list[tuple[str, str]] = [
                    (f"{module}.{name}", value.deprecated)
                    for name, value in stub.names.items()
                    if value.deprecated and not name.startswith("_")
                ]
                for cls, members in stub.classes.items():
                    if cls.startswith("_"):
                        continue
                    marked.extend(
                        (f"{module}.{cls}.{member}", value.deprecated)
                        for member, value in members.items()
                        if value.deprecated and not member.startswith("_")
                    )
                for symbol, message in marked:
                    if symbol in seen:
                        continue
                    seen.add(symbol)
                    self._stub_deprecation(symbol, message, version)

    def _stub_deprecation(self, symbol: str, message: str, first_marked: Version) -> None:
        since = _version_in(message, r"[Dd]eprecated (?:since|in) Python (3\.\d+)")
        removed_in = _version_in(message, r"removed in Python (3\.\d+)")
        if since is None and first_marked > (3, 10):
            since = first_marked
        if since is None:
            existing = self.rows.get((symbol, "name", ""))
            if existing is not None and not existing.replacement:
                existing.replacement = _replacement_from(message)
            self.review(symbol, "deprecated (stub, no version)", message)
            return
        if removed_in is not None and removed_in <= (3, 9):
            return
        replacement = _replacement_from(message)
        existing = self.rows.get((symbol, "name", ""))
        if existing is None and not self._exists_somewhere(symbol):
            return
        self.add(
            Row(
                symbol,
                "name",
                None,
                deprecated=since,
                replacement=replacement,
                evidence=["typeshed @deprecated"],
            )
        )

    def _exists_somewhere(self, symbol: str) -> bool:
        return any(self._entry(self.measured[version], symbol) for version in MEASURED)


def _owned_nearby(module: str, cls: str, owner: object) -> bool:
    """Whether a class member belongs on this class's row.

    ``owner`` is ``module.Class`` of the class that defines the member. A member
    inherited from another package's class (doctest's test cases inheriting unittest's
    assertion aliases) is that other class's row, and so is one inherited by a builtin
    class (each exception's ``add_note`` is ``BaseException.add_note``).
    """
    if not isinstance(owner, str):
        return True
    if module == "builtins":
        return owner == f"builtins.{cls}"
    # A private owner (_frozen_importlib_external) is the module's own implementation.
    return owner.startswith("_") or owner.split(".")[0] == module.split(".")[0]


def _required(parameters: list[list[Any]], parameter: str) -> list[str]:
    """Required parameters other than ``parameter``, for a call that can reach it.

    Those before ``parameter`` are passed by position (a bare name); those after it must
    go by keyword (``name=``), or they would take ``parameter``'s place.
    """
    required: list[str] = []
    seen = False
    for name, kind, has_default in parameters:
        if name == parameter:
            seen = True
            continue
        if has_default or kind in ("var-positional", "var-keyword"):
            continue
        if kind == "keyword-only" or (seen and kind == "positional-or-keyword"):
            required.append(f"{name}=")
        elif not seen:
            required.append(name)
    return required


def _keywords(parameters: list[list[Any]]) -> set[str]:
    return {
        name
        for name, kind, _ in parameters
        if kind in ("positional-or-keyword", "keyword-only") and not name.startswith("_")
    }


def _version_in(message: str, pattern: str) -> Version | None:
    match = re.search(pattern, message)
    if match is None:
        return None
    major, minor = match.group(1).split(".")
    return int(major), int(minor)


def _replacement_from(message: str) -> str:
    """The advice part of a typeshed deprecation message."""
    cleaned = re.sub(
        r"^(Deprecated( since Python 3\.\d+)?|Soft-deprecated)[;,.]?\s*"
        r"((will be |to be )?removed in Python 3\.\d+[;.]?\s*)?",
        "",
        message,
    ).strip()
    return cleaned or message


# -- finishing rows -------------------------------------------------------------------


def module_of(symbol: str, surfaces: Iterable[Surface]) -> tuple[str, list[str]]:
    """Splits ``package.module.Class.member`` into the module and the attribute path."""
    known: set[str] = set()
    for surface in surfaces:
        known |= surface.modules
    parts = symbol.split(".")
    for split in range(len(parts), 0, -1):
        module = ".".join(parts[:split])
        if module in known or typeshed_stdlib.stub_path(module) is not None:
            return module, parts[split:]
    return parts[0], parts[1:]


def finish(row: Row, surfaces: list[Surface]) -> None:
    """Fills in the replacement, source and example programs of a generated row."""
    changed = row.removed or row.added or row.deprecated
    assert changed is not None
    version = text(changed)
    section = "Removed" if row.removed else "New features" if row.added else "Deprecated"
    row.source = (
        f"What's New In Python {version} > {section} "
        f"(https://docs.python.org/3/whatsnew/{version}.html); generated from "
        + "; ".join(witnesses(row.evidence))
    )
    if not row.replacement:
        row.replacement = default_replacement(row)
    module, attributes = module_of(row.symbol, surfaces)
    everywhere = row.kind == "module" or all(module in surface.importable for surface in surfaces)
    row.flagged, row.clean = examples(row, module, attributes, everywhere=everywhere)


EVIDENCE = (
    (re.compile(r"interpreters (3\.\d+)/(3\.\d+)"), r"the \1 and \2 interpreters' listings"),
    (re.compile(r"signatures (3\.\d+)/(3\.\d+)"), r"signatures on the \1 and \2 interpreters"),
    (re.compile(r"import warns on (3\.\d+)"), r"a DeprecationWarning on import in \1"),
    (re.compile(r"reading warns from (3\.\d+)"), r"a DeprecationWarning on access in \1"),
    (re.compile(r"typeshed @deprecated"), "typeshed's @deprecated marker"),
    (re.compile(r"typeshed 3\.13/3\.14|typeshed VERSIONS|typeshed|stub"), "typeshed's stubs"),
    (re.compile(r"present in 3\.13"), "the 3.13 interpreter"),
    (re.compile(r"__all__"), "the module's __all__"),
)


def witnesses(evidence: Iterable[str]) -> list[str]:
    """What each piece of a row's evidence was, in words, once each."""
    described: list[str] = []
    for item in evidence:
        for pattern, words in EVIDENCE:
            if pattern.fullmatch(item):
                phrase = pattern.sub(words, item)
                if phrase not in described:
                    described.append(phrase)
                break
    return described or ["typeshed's stubs"]


def default_replacement(row: Row) -> str:
    """A replacement hint when no witness gave one."""
    if row.added is not None and row.removed is None and row.deprecated is None:
        what = f"parameter {row.parameter!r} of {row.symbol}" if row.parameter else row.symbol
        return (
            f"{what} needs Python {text(row.added)} or later: target it, or keep a fallback "
            "for older runtimes"
        )
    changed = row.removed or row.deprecated
    assert changed is not None
    if row.kind == "parameter":
        return (
            f"stop passing {row.parameter!r} to {row.symbol}; see What's New In Python "
            f"{text(changed)} for its replacement"
        )
    return f"see What's New In Python {text(changed)} for the replacement of {row.symbol}"


def examples(row: Row, module: str, attributes: list[str], *, everywhere: bool) -> tuple[str, str]:
    """A program that uses the row's symbol and a similar one that does not.

    ``everywhere`` says whether every interpreter has ``module``; when one lacks it, the
    clean program imports it by name inside a try, so that it runs on every version.
    """
    if row.kind == "module":
        flagged = f"import {module}\n\nprint({module}.__name__)\n"
        clean = f'import sys\n\nprint("{module}" in sys.modules)\n'
        return flagged, clean
    if module == "builtins":
        reference = ".".join(attributes)
        prefix = "import builtins\n\n"
    else:
        reference = f"{module}.{'.'.join(attributes)}"
        prefix = f"import {module}\n\n"
    # The clean program reaches the symbol through getattr with defaults, so that it runs
    # on every version even where a class on the way is missing.
    base = module if everywhere else "target"
    lookup = base
    for attribute in attributes:
        lookup = f'getattr({lookup}, "{attribute}", None)'
    clean = f"import {module}\n\nprint({lookup} is not None)\n"
    if not everywhere:
        clean = (
            "import importlib\n\ntry:\n"
            f'    target = importlib.import_module("{module}")\n'
            "except ImportError:\n    target = None\n\n"
            f"print({lookup} is not None)\n"
        )
    if row.kind == "name":
        flagged = prefix.replace("import builtins\n\n", "") + f"print({reference})\n"
        return flagged, clean
    assert row.parameter is not None
    # Required positional arguments get placeholders, so that the call fails on the
    # keyword where it is refused, not on a missing argument.
    arguments = [f"{name}None" if name.endswith("=") else "None" for name in row.required]
    arguments.insert(sum(not name.endswith("=") for name in row.required), f"{row.parameter}=None")
    flagged = prefix.replace("import builtins\n\n", "") + f"{reference}({', '.join(arguments)})\n"
    return flagged, clean


# -- output ---------------------------------------------------------------------------


def render(rows: list[Row], interpreters: Mapping[Version, str]) -> str:
    """The generated module's text."""
    by_kind: dict[str, list[Row]] = {"module": [], "name": [], "parameter": []}
    for row in rows:
        by_kind[row.kind].append(row)
    versions = ", ".join(f"{text(version)} ({patch})" for version, patch in interpreters.items())
    lines = [
        '"""Generated stdlib changes between Python 3.9 and 3.14; do not edit by hand."""',
        "",
        "# ruff: noqa: E501",
        f"# GENERATED by: {COMMAND}",
        f"# From: the interpreters {versions}, and typeshed's stdlib stubs",
        "# (typeshed_client's bundled copy). Corrections belong in curated.py (rows there win)",
        "# or in scripts/generate_catalogue.py's EXCLUDED table, never here.",
        "",
        "from __future__ import annotations",
        "",
        "from typing import TypeAlias",
        "",
        "Version: TypeAlias = tuple[int, int] | None",
        "GeneratedRow: TypeAlias = tuple[",
        "    str, str | None, Version, Version, Version, str, str, str, str",
        "]",
        "",
    ]
    headings = {
        "module": "MODULES",
        "name": "NAMES",
        "parameter": "PARAMETERS",
    }
    for kind, table in headings.items():
        lines += [
            f"# {table}: kind {kind!r}, sorted by symbol. Shape:",
            "# (symbol, parameter, added, deprecated, removed, replacement, source, flagged,",
            "#  clean)",
            f"{table}: tuple[GeneratedRow, ...] = (",
        ]
        for row in sorted(by_kind[kind], key=lambda item: (item.symbol, item.parameter or "")):
            values = (
                row.symbol,
                row.parameter,
                row.added,
                row.deprecated,
                row.removed,
                row.replacement,
                row.source,
                row.flagged,
                row.clean,
            )
            lines.append(f"    {values!r},")
        lines += [")", ""]
    return "\n".join(lines)


def formatted(source: str) -> str:
    """The generated module as ``ruff format`` lays it out, so that format checks pass."""
    completed = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(OUTPUT), "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        check=False,
    )
    if completed.returncode != 0:
        print(f"ruff format failed, writing unformatted: {completed.stderr}", file=sys.stderr)
        return source
    return completed.stdout


def main() -> None:
    """Generates the table, or prints the review list or the README table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=Path, help="reuse interpreter listings in this folder")
    parser.add_argument("--review", action="store_true", help="print changes left out, and why")
    parser.add_argument("--readme", action="store_true", help="print the README's rule table")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file would change")
    arguments = parser.parse_args()

    if arguments.readme:
        from analyzer.rules.catalogue import rule_table_markdown

        print(rule_table_markdown())
        return

    stubs = {version: StubReader(version) for version in ALL_VERSIONS}
    folder = arguments.listings or Path(tempfile.mkdtemp(prefix="catalogue-"))
    folder.mkdir(parents=True, exist_ok=True)
    first_pass = folder / "first"
    second_pass = folder / "second"
    if not (second_pass / "3.13.json").exists():
        first_pass.mkdir(exist_ok=True)
        second_pass.mkdir(exist_ok=True)
        listings = run_listings(first_pass, None)
        candidates = folder / "candidates.json"
        candidates.write_text(
            json.dumps(candidate_names(listings.values(), stubs.values())), encoding="utf-8"
        )
        listings = run_listings(second_pass, candidates)
    else:
        listings = {
            version: json.loads((second_pass / f"{text(version)}.json").read_text())
            for version in MEASURED
        }
    surfaces = {version: interpreter_surface(version, listings[version]) for version in MEASURED}
    catalogue = Catalogue(surfaces, stubs)
    catalogue.diff_modules()
    catalogue.diff_names()
    catalogue.stub_deprecations()

    rows = prune([row for row in catalogue.rows.values() if _relevant(row)], surfaces.values())
    rows = settle_presence(rows, list(surfaces.values()))
    for row in rows:
        finish(row, list(surfaces.values()))
    interpreters = {
        version: ".".join(map(str, listings[version]["version"])) for version in MEASURED
    }
    rendered = formatted(render(rows, interpreters))
    if arguments.review:
        for item in sorted(catalogue.reviews, key=lambda review: review.symbol):
            print(f"{item.symbol}\t{item.change}\t{item.reason}")
        return
    if arguments.check:
        raise SystemExit(0 if OUTPUT.read_text() == rendered else 1)
    OUTPUT.write_text(rendered, encoding="utf-8")
    counts = {
        kind: sum(row.kind == kind for row in rows) for kind in ("module", "name", "parameter")
    }
    print(f"wrote {OUTPUT.relative_to(REPOSITORY)}: {counts}", file=sys.stderr)


def present_on(symbol: str, kind: str, surface: Surface) -> bool:
    """Whether an interpreter's listing has a module or name."""
    if kind == "module":
        return symbol in surface.importable
    module, attributes = module_of(symbol, [surface])
    if module not in surface.importable or not attributes:
        return False
    if len(attributes) == 1:
        entry = surface.names.get(module, {}).get(attributes[0])
    elif len(attributes) == 2:
        entry = surface.classes.get(module, {}).get(attributes[0], {}).get(attributes[1])
    else:
        return False
    return entry is not None and entry["kind"] not in ("error", "module")


def settle_presence(rows: list[Row], surfaces: list[Surface]) -> list[Row]:
    """Squares each row with the versions whose interpreters have its symbol.

    A removed name that 3.9 did not have yet gets the version that added it (it works
    only in between). A deprecation from the stubs whose symbol some interpreter lacks is
    dropped: a class attribute may be an instance attribute there, so no claim is safe.
    """
    settled = []
    for row in rows:
        if row.kind == "parameter" or row.added is not None:
            settled.append(row)
            continue
        present = [present_on(row.symbol, row.kind, surface) for surface in surfaces]
        last = (row.removed or DOCUMENTED_ONLY) if row.removed else DOCUMENTED_ONLY
        expected = [surface.version < last for surface in surfaces]
        if present == expected:
            settled.append(row)
        elif row.removed is not None and True in present:
            found = [
                surface.version for surface, here in zip(surfaces, present, strict=True) if here
            ]
            first = found[0]
            # Present from ``first`` up to the removal, and nowhere else.
            if found == [
                surface.version for surface in surfaces if first <= surface.version < last
            ]:
                row.added = first
                if row.deprecated is not None and row.deprecated < first:
                    row.deprecated = first
                settled.append(row)
    return settled


def prune(rows: list[Row], surfaces: Iterable[Surface]) -> list[Row]:
    """Drops rows another row already says: names inside a module that is itself going,
    and a name seen again through a package's re-export of its submodule."""
    surfaces = list(surfaces)
    going = {
        row.symbol
        for row in rows
        if row.kind == "module" and (row.removed is not None or row.deprecated is not None)
    }
    arriving = {row.symbol: row.added for row in rows if row.kind == "module" and row.added}
    removed_names = {row.symbol for row in rows if row.kind == "name" and row.removed}
    kept_keys = {(row.symbol, row.kind, row.parameter) for row in rows}
    pruned = []
    for row in rows:
        if row.kind != "module":
            module, attributes = module_of(row.symbol, surfaces)
            if any(module == gone or module.startswith(gone + ".") for gone in going):
                continue
            owner = row.symbol if row.kind == "parameter" else row.symbol.rpartition(".")[0]
            if owner in removed_names:
                # A member of a removed class, or a parameter of a removed callable, goes
                # with that row.
                continue
            if any(
                (module == new or module.startswith(new + ".")) and added == row.added
                for new, added in arriving.items()
            ):
                continue
            parent = module.rpartition(".")[0]
            shorter = ".".join([parent, *attributes]) if parent else None
            if shorter is not None and (shorter, row.kind, row.parameter) in kept_keys:
                twin = next(
                    other
                    for other in rows
                    if (other.symbol, other.kind, other.parameter)
                    == (shorter, row.kind, row.parameter)
                )
                if (twin.added, twin.removed) == (row.added, row.removed):
                    continue
        pruned.append(row)
    return pruned


def _relevant(row: Row) -> bool:
    """Rows that matter for a move from 3.9: changes in 3.10 .. 3.14, or deprecations."""
    if row.removed is not None and row.removed <= (3, 9):
        return False
    if row.added is not None and row.added <= (3, 9):
        return False
    return any(version is not None for version in (row.added, row.deprecated, row.removed))


if __name__ == "__main__":
    main()
