"""The catalogue rule: every use of a stdlib module, name or parameter the catalogue lists.

Its prefilter (``catalogue_may_match``) is precise enough to keep the syntax tree off most
files: a catalogued name can only be used where its last component follows a dot, or is
imported by name, in a file that imports its module; a parameter only where it is written
as a keyword argument next to the callable's name.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass, field
from functools import cache
from typing import ClassVar

import libcst as cst

from analyzer.models import Category, format_version
from analyzer.rules.base import SourceFacts
from analyzer.rules.catalogue import ApiChange, Catalogue, load_catalogue
from analyzer.rules.catalogue.curated import POSITIONAL_PARAMETERS
from analyzer.rules.walker import WalkContext, dotted_name, literal_keys

_MIN_SOURCE = (3, 9)
"""The oldest source runtime: an API added by then needs no newer one."""


@cache
def _catalogue() -> Catalogue:
    return load_catalogue()


def reportable(row: ApiChange) -> bool:
    """Whether a row can produce a finding at all."""
    return (
        row.removed is not None
        or row.deprecated is not None
        or (row.added is not None and row.added > _MIN_SOURCE)
    )


@cache
def builtin_bases(name: str) -> tuple[str, ...]:
    """The builtin classes a builtin class inherits from, nearest first (``Exception``...).

    Read from this interpreter's own builtins, which importing nothing can change.
    """
    cls = getattr(builtins, name, None)
    if not isinstance(cls, type):
        return ()
    return tuple(
        base.__name__
        for base in cls.__mro__[1:]
        if getattr(builtins, base.__name__, None) is base and base is not object
    )


@cache
def builtin_subclasses(name: str) -> tuple[str, ...]:
    """The builtin classes that inherit from a builtin class, itself included."""
    return tuple(
        sorted(other for other in dir(builtins) if other == name or name in builtin_bases(other))
    )


FACTORY_RESULTS: dict[str, str] = {
    "asyncio.get_event_loop": "asyncio.BaseEventLoop",
    "asyncio.get_event_loop_policy": "asyncio.AbstractEventLoopPolicy",
    "asyncio.get_running_loop": "asyncio.BaseEventLoop",
    "asyncio.new_event_loop": "asyncio.BaseEventLoop",
    "gettext.translation": "gettext.NullTranslations",
    "logging.getLogger": "logging.Logger",
    "sqlite3.Connection.cursor": "sqlite3.Cursor",
    "sqlite3.connect": "sqlite3.Connection",
    "ssl.create_default_context": "ssl.SSLContext",
    "tarfile.open": "tarfile.TarFile",
    "threading.current_thread": "threading.Thread",
    "traceback.TracebackException.from_exception": "traceback.TracebackException",
}
"""Stdlib functions and the class of what they return (checked with isinstance on 3.9 and
3.13): code reaches the class's members through the result (``sqlite3.connect(...)
.blobopen``), which the walker names after the function."""


def instance_name(qualified: str) -> str:
    """``qualified`` with a factory's result named by its class: ``sqlite3.connect.cursor``
    becomes ``sqlite3.Connection.cursor``, ``sqlite3.connect.cursor.execute`` becomes
    ``sqlite3.Cursor.execute``."""
    for _ in range(len(FACTORY_RESULTS)):
        for factory, cls in FACTORY_RESULTS.items():
            if qualified.startswith(f"{factory}."):
                qualified = cls + qualified[len(factory) :]
                break
        else:
            break
    return qualified


STDLIB_ENUMS = frozenset(
    {"http.HTTPStatus", "re.RegexFlag", "signal.Signals", "ssl.Options", "ssl.VerifyFlags"}
)
"""The stdlib enum classes with catalogued members (each an ``enum.Enum`` subclass on 3.9
to 3.13): a member is an instance of its class, with the class's attributes."""
_MEMBER_NAME = re.compile(r"[A-Z][A-Za-z0-9_]*")


def _enum_member_attribute(qualified: str) -> str | None:
    """``http.HTTPStatus.is_success`` for ``http.HTTPStatus.OK.is_success``."""
    owner, _, attribute = qualified.rpartition(".")
    enum_class, _, member = owner.rpartition(".")
    if enum_class in STDLIB_ENUMS and _MEMBER_NAME.fullmatch(member):
        return f"{enum_class}.{attribute}"
    return None


def name_row(qualified: str) -> ApiChange | None:
    """The catalogue row of a qualified name, looking through builtin base classes, the
    results of factory functions and the members of enum classes."""
    names = _catalogue().names
    qualified = instance_name(qualified)
    row = names.get(qualified)
    if row is None:
        member_attribute = _enum_member_attribute(qualified)
        if member_attribute is not None:
            row = names.get(member_attribute)
    if row is not None or not qualified.startswith("builtins."):
        return row
    parts = qualified.split(".")
    if len(parts) < 3:
        return None
    for base in builtin_bases(parts[1]):
        row = names.get(".".join(["builtins", base, *parts[2:]]))
        if row is not None:
            return row
    return None


_LITERAL_ENDS: dict[str, tuple[str, ...]] = {
    "bytes": ('".', "'."),
    "dict": ("}.",),
    "list": ("].",),
    "str": ('".', "'."),
}
"""How a literal of a builtin class ends where a method is called on it (``"a".replace``,
``b"a".hex``, ``[1].copy``, ``{}.items``): the class's name need not be in the text."""


_OBJECT_MIDDLE: tuple[tuple[str, ...], ...] = (("class", "object"),)


def _middle_groups(parts: list[str]) -> tuple[tuple[str, ...], ...]:
    """What must appear in a file's text for a use of ``a.B.c``: each middle component,
    or for a builtin class, the name of one of its subclasses or the end of a literal of
    it (for ``object``, a class statement); for a class a factory function returns, that
    function's name instead of the class's."""
    middle = parts[1:-1]
    if parts[:2] == ["builtins", "object"] and len(parts) == 3:
        # Reached through an instance of a class statement without bases.
        return _OBJECT_MIDDLE
    if parts[0] == "builtins" and middle:
        receivers = builtin_subclasses(middle[0]) + _LITERAL_ENDS.get(middle[0], ())
        return (receivers, *((part,) for part in middle[1:]))
    if middle:
        cls = f"{parts[0]}.{middle[0]}"
        makers = sorted(
            factory.rpartition(".")[2] for factory, made in FACTORY_RESULTS.items() if made == cls
        )
        if makers:
            return ((middle[0], *makers), *((part,) for part in middle[1:]))
    return tuple((part,) for part in middle)


@dataclass(frozen=True)
class NameTrigger:
    """What a use of one catalogued name (a row's symbol) leaves in a file's text."""

    top: str
    last: str
    middle: tuple[tuple[str, ...], ...]
    instance: re.Pattern[str] | None = None
    """For a member of a builtin exception class: how an instance of it is made."""

    def matches(self, facts: SourceFacts) -> bool:
        """Whether the file may use the name; ``facts.attributes`` holds ``last``."""
        text = facts.text
        if self.top == "builtins":
            if not _present(self.middle, text):
                return False
            return self.instance is None or self.instance.search(text) is not None
        if self.top not in facts.imported:
            return False
        if self.middle:
            return _present(self.middle, text)
        # A module-level name is used as alias.name (or imported by name, checked apart).
        return facts.module_attribute(self.top, self.last)

    def lines(self, facts: SourceFacts) -> set[int]:
        """Where the name may be used: ``alias.name`` for a module's own name, any
        ``.name`` for a class member (its object can be any variable)."""
        if self.top != "builtins" and not self.middle:
            aliases = tuple(sorted(facts.aliases(self.top)))
            return facts.lines_of(_dotted_pattern(aliases, self.last))
        if self.middle == _OBJECT_MIDDLE:
            # Also where a class defines the member: whether a class statement's instance
            # has object's member depends on every class of the module.
            return facts.lines_of(_word_pattern((self.last,)))
        return facts.lines_of(_attribute_pattern(self.last))


@dataclass(frozen=True)
class KeywordTrigger:
    """What passing one catalogued parameter leaves in a file's text."""

    top: str
    callable_name: str
    parameter: str
    middle: tuple[tuple[str, ...], ...]

    def matches(self, facts: SourceFacts) -> bool:
        """Whether the file may pass the parameter; ``facts.keywords`` holds it."""
        if not (self.top in facts.imported or self.top == "builtins"):
            return False
        if not _present(self.middle, facts.text):
            return False
        if facts.keyword_in_call(self.callable_name, self.parameter):
            return True
        # Called under another name: imported with "as", or assigned to a variable.
        return facts.renamed(self.callable_name)

    def lines(self, facts: SourceFacts) -> set[int]:
        """Where the parameter may be passed: the calls, or any ``parameter=``."""
        if facts.renamed(self.callable_name):
            return facts.lines_of(_keyword_pattern(self.parameter))
        return facts.call_keyword_lines(self.callable_name, self.parameter)

    def matches_splat(self, facts: SourceFacts) -> bool:
        """Whether the file may pass the parameter inside a ``**`` dict to the callable."""
        if not (self.top in facts.imported or self.top == "builtins"):
            return False
        if not _present(self.middle, facts.text):
            return False
        return bool(_call_names(facts.text, self.callable_name) & set(_CALL.findall(facts.text)))

    def splat_lines(self, facts: SourceFacts) -> set[int]:
        """Where the callable is called, and where the dict's key is written."""
        names = tuple(sorted(_call_names(facts.text, self.callable_name)))
        return facts.lines_of(_call_pattern(names)) | facts.lines_of(_key_pattern(self.parameter))


_SPLAT = re.compile(r"[(,][ \t\r\n\\]*\*\*[ \t]*[{A-Za-z_]")
_DICT_KEY = re.compile(r"""["']([A-Za-z_]\w*)["'][ \t]*:""")


def _splatted_keys(facts: SourceFacts) -> frozenset[str]:
    """String keys of dict displays in a file that passes ``**`` to a call: the keywords
    such a dict may pass."""
    if "**" not in facts.text or _SPLAT.search(facts.text) is None:
        return frozenset()
    return frozenset(_DICT_KEY.findall(facts.text))


@cache
def _key_pattern(key: str) -> re.Pattern[str]:
    return re.compile(rf"""["']{re.escape(key)}["'][ \t]*:""")


@dataclass(frozen=True)
class PositionalTrigger:
    """What passing a catalogued parameter by position leaves in a file's text: a call."""

    top: str
    callable_name: str
    middle: tuple[tuple[str, ...], ...]

    def matches(self, facts: SourceFacts) -> bool:
        """Whether the file may call the callable (under its name or another)."""
        if self.top not in facts.imported or not _present(self.middle, facts.text):
            return False
        return bool(_call_names(facts.text, self.callable_name) & set(_CALL.findall(facts.text)))

    def lines(self, facts: SourceFacts) -> set[int]:
        """Where the callable may be called: its name, or a name it is bound to, and ``(``."""
        names = tuple(sorted(_call_names(facts.text, self.callable_name)))
        return facts.lines_of(_call_pattern(names))


_CALL = re.compile(r"\b([A-Za-z_]\w*)[ \t]*\(")


def _call_names(text: str, function: str) -> set[str]:
    """``function`` and the names it is imported ``as`` or assigned to."""
    if function not in text:
        return set()
    name = re.escape(function)
    pattern = rf"\b{name}[ \t]+as[ \t]+(\w+)|(\w+)[ \t]*=[ \t]*[\w.]*\b{name}[ \t]*$"
    found = {function}
    for alias, assigned in re.findall(pattern, text, re.MULTILINE):
        found.add(alias or assigned)
    return found


@cache
def _call_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")[ \t]*\(")


def _instance_pattern(parts: list[str]) -> re.Pattern[str] | None:
    """For ``builtins.<Exception>.<member>``: the exception made, caught ``as`` a name, or
    the member read off the class."""
    if parts[0] != "builtins" or len(parts) != 3:
        return None
    if "BaseException" not in (parts[1], *builtin_bases(parts[1])):
        return None
    names = "|".join(builtin_subclasses(parts[1]))
    member = re.escape(parts[2])
    return re.compile(rf"\b(?:{names})\b(?:[ \t]*\(|[^\n:]*\bas[ \t]+\w+|[ \t]*\.[ \t]*{member}\b)")


@dataclass
class CatalogueTriggers:
    """The catalogue indexed by what a use of each row must leave in a file's text."""

    modules: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    by_attribute: dict[str, list[NameTrigger]] = field(default_factory=dict)
    """Last name component to the names it ends."""
    by_keyword: dict[str, list[KeywordTrigger]] = field(default_factory=dict)
    """Parameter to the callables that take it."""
    positional: list[PositionalTrigger] = field(default_factory=list)
    """Callables that took a removed parameter by position."""
    builtin_names: re.Pattern[str] | None = None
    builtin_words: tuple[str, ...] = ()
    star_names: dict[str, re.Pattern[str]] = field(default_factory=dict)


@cache
def catalogue_triggers() -> CatalogueTriggers:
    """The trigger index of the catalogue's reportable rows (built once per process)."""
    catalogue = _catalogue()
    triggers = CatalogueTriggers(
        modules=frozenset(symbol for symbol, row in catalogue.modules.items() if reportable(row)),
        names=frozenset(symbol for symbol, row in catalogue.names.items() if reportable(row)),
    )
    builtins: list[str] = []
    per_module: dict[str, list[str]] = {}
    for symbol in triggers.names:
        parts = symbol.split(".")
        trigger = NameTrigger(parts[0], parts[-1], _middle_groups(parts), _instance_pattern(parts))
        triggers.by_attribute.setdefault(parts[-1], []).append(trigger)
        per_module.setdefault(".".join(parts[:-1]), []).append(parts[-1])
        if parts[0] == "builtins" and len(parts) == 2:
            builtins.append(parts[1])
    for symbol, rows in catalogue.parameters.items():
        parts = symbol.split(".")
        for row in rows:
            if reportable(row) and row.parameter is not None:
                keyword = KeywordTrigger(parts[0], parts[-1], row.parameter, _middle_groups(parts))
                triggers.by_keyword.setdefault(row.parameter, []).append(keyword)
                if (symbol, row.parameter) in POSITIONAL_PARAMETERS:
                    triggers.positional.append(
                        PositionalTrigger(parts[0], parts[-1], _middle_groups(parts))
                    )
    if builtins:
        triggers.builtin_names = _words(builtins)
        triggers.builtin_words = tuple(sorted(set(builtins)))
    triggers.star_names = {module: _words(names) for module, names in per_module.items()}
    return triggers


def _words(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, set(words)))) + r")\b")


IMPORTS, ATTRIBUTES, KEYWORDS, NAMES = "imports", "attributes", "keywords", "names"


@dataclass(frozen=True)
class CatalogueEvidence:
    """What in a file may use the catalogue: the kinds of use, and the lines."""

    kinds: frozenset[str]
    """``imports``, ``attributes``, ``keywords``, ``names``: which visit methods matter."""
    lines: frozenset[int]


def catalogue_may_match(facts: SourceFacts) -> bool:
    """Whether a file with these facts can use any reportable catalogue row."""
    return bool(catalogue_evidence(facts).kinds)


def _present(groups: tuple[tuple[str, ...], ...], text: str) -> bool:
    return all(any(word in text for word in group) for group in groups)


def catalogue_evidence(facts: SourceFacts) -> CatalogueEvidence:
    """Where and how a file may use a catalogue row.

    Imports of catalogued modules and names, and every later use of the names those
    imports bind; attributes and keywords that end a catalogued name; builtin names and
    names taken by ``import *``.
    """
    triggers = catalogue_triggers()
    kinds: set[str] = set()
    lines: set[int] = set()
    bound: set[str] = set()
    for record in facts.imports:
        dotted = [record.module, *(f"{record.module}.{name}" for name in record.names)]
        for imported in dotted:
            parts = imported.split(".")
            if any(".".join(parts[:end]) in triggers.modules for end in range(1, len(parts) + 1)):
                kinds.add(IMPORTS)
                lines.add(record.line)
                bound |= facts.aliases(parts[0])
                bound.update(name for name in record.names if name != "*")
            elif imported in triggers.names:
                kinds.add(IMPORTS)
                lines.add(record.line)
    if bound:
        lines |= facts.lines_of(_word_pattern(tuple(sorted(bound))))
    for attribute in facts.attributes & triggers.by_attribute.keys():
        for name_trigger in triggers.by_attribute[attribute]:
            if name_trigger.matches(facts):
                kinds.add(ATTRIBUTES)
                lines |= name_trigger.lines(facts)
    for parameter in facts.keywords & triggers.by_keyword.keys():
        for keyword_trigger in triggers.by_keyword[parameter]:
            if keyword_trigger.matches(facts):
                kinds.add(KEYWORDS)
                lines |= keyword_trigger.lines(facts)
    for parameter in _splatted_keys(facts) & triggers.by_keyword.keys():
        for keyword_trigger in triggers.by_keyword[parameter]:
            if keyword_trigger.matches_splat(facts):
                kinds.add(KEYWORDS)
                lines |= keyword_trigger.splat_lines(facts)
    for positional_trigger in triggers.positional:
        if positional_trigger.matches(facts):
            kinds.add(KEYWORDS)
            lines |= positional_trigger.lines(facts)
    names = (
        [triggers.builtin_names]
        if triggers.builtin_names is not None
        and any(word in facts.text for word in triggers.builtin_words)
        else []
    )
    names.extend(
        pattern
        for pattern in (triggers.star_names.get(module) for module in facts.star_modules)
        if pattern is not None
    )
    for pattern in names:
        found = facts.lines_of(pattern)
        if found:
            kinds.add(NAMES)
            lines |= found
    return CatalogueEvidence(frozenset(kinds), frozenset(lines))


@cache
def _word_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return _words(list(words))


@cache
def _dotted_pattern(aliases: tuple[str, ...], name: str) -> re.Pattern[str]:
    names = "|".join(map(re.escape, aliases))
    return re.compile(rf"\b(?:{names})\.{re.escape(name)}\b")


@cache
def _attribute_pattern(attribute: str) -> re.Pattern[str]:
    return re.compile(rf"\.[ \t]*{re.escape(attribute)}\b")


@cache
def _keyword_pattern(parameter: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(parameter)}[ \t]*=(?!=)")


def _judgement(row: ApiChange) -> tuple[str, Category, str]:
    """The rule id, category and what fails, for a row."""
    if row.removed is not None:
        if row.kind == "module":
            return "removed-stdlib-module", Category.REMOVED_MODULE, "removed"
        if row.kind == "parameter":
            return "removed-parameter", Category.REMOVED_PARAMETER, "removed"
        return "removed-stdlib-api", Category.REMOVED_NAME, "removed"
    if row.added is not None and row.added > _MIN_SOURCE:
        return "needs-newer-stdlib", Category.NEEDS_NEWER_STDLIB, "added"
    return "deprecated-api", Category.DEPRECATED, "deprecated"


def _describe(row: ApiChange, what: str, symbol: str) -> str:
    subject = f"parameter {row.parameter!r} of {row.symbol}" if row.parameter else symbol
    if what == "removed" and row.removed is not None:
        text = f"{subject} was removed in Python {format_version(row.removed)}"
        if symbol != row.symbol:
            text = f"{subject} belongs to {row.symbol}, which was removed in Python " + (
                format_version(row.removed)
            )
        if row.deprecated is not None:
            text += f" (deprecated since {format_version(row.deprecated)})"
        return text
    if what == "added" and row.added is not None:
        return f"{subject} needs Python {format_version(row.added)} or later"
    deprecated = format_version(row.deprecated) if row.deprecated is not None else "?"
    return f"{subject} is deprecated since Python {deprecated}"


_BARE_NAME = re.compile(r"[A-Za-z_][\w.]*(?:\(\))?")


def _fix(row: ApiChange, what: str) -> str:
    if what != "added" or row.added is None:
        replacement = row.replacement
        if replacement and _BARE_NAME.fullmatch(replacement):
            # A row that names only what replaces it: say what to do with the name.
            return f"use {replacement} instead"
        return replacement or "see the documentation for a replacement"
    fix = f"keep the target at Python {format_version(row.added)} or later"
    return f"{fix}, or guard the use with a version check" + (
        f" ({row.replacement})" if row.replacement else ""
    )


def report_row(
    context: WalkContext,
    node: cst.CSTNode,
    row: ApiChange,
    failure: str,
    symbol: str,
    *,
    member_of_module: bool = False,
    documentation: str | None = None,
) -> None:
    """Report ``row`` at ``node``; ``member_of_module`` for a use of a removed module's name.

    ``documentation`` replaces the row's source (a visitor rule that applies a row
    names its own source first).
    """
    rule_id, category, what = _judgement(row)
    if member_of_module and what == "removed":
        rule_id, category = "removed-stdlib-api", Category.REMOVED_NAME
    if what == "deprecated" and row.deprecated is None:
        return
    added = row.added if row.added is not None and row.added > _MIN_SOURCE else None
    context.report(
        node,
        rule_id=rule_id,
        category=category,
        message=_describe(row, what, symbol),
        fix=_fix(row, what),
        failure=failure,
        symbol=symbol,
        breaks_in=row.removed,
        requires=added,
        deprecated_in=row.deprecated,
        documentation=documentation or row.source,
    )


def module_row(dotted: str) -> ApiChange | None:
    """The most specific catalogue row for a module or one of its parent packages."""
    modules = _catalogue().modules
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        row = modules.get(".".join(parts[:end]))
        if row is not None:
            return row
    return None


def parameter_rows(qualified: str) -> tuple[ApiChange, ...]:
    """The catalogue's parameter rows of a callable."""
    return tuple(_catalogue().parameters.get(instance_name(qualified), ()))


class StdlibUsage:
    """Reports imports, attribute chains, names and keyword arguments the catalogue lists."""

    HANDLERS: ClassVar[dict[str, frozenset[str]]] = {
        IMPORTS: frozenset({"visit_Import", "visit_ImportFrom", "visit_Attribute"}),
        ATTRIBUTES: frozenset({"visit_Attribute"}),
        KEYWORDS: frozenset({"visit_Call"}),
        NAMES: frozenset({"visit_Name"}),
    }
    """The visit methods each kind of evidence needs (a removed module's names are
    attributes)."""

    def __init__(self, context: WalkContext) -> None:
        self.context = context
        self.catalogue = _catalogue()

    @classmethod
    def handlers_for(cls, kinds: frozenset[str]) -> frozenset[str]:
        """The visit methods worth calling in a file with this evidence."""
        return frozenset().union(*(cls.HANDLERS[kind] for kind in kinds))

    def visit_Import(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Import)
        for alias in node.names:
            dotted = dotted_name(alias.name)
            if dotted.partition(".")[0] in context.local_modules:
                continue
            row = module_row(dotted)
            if row is not None:
                report_row(context, alias, row, "ModuleNotFoundError", row.symbol)

    def visit_ImportFrom(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.ImportFrom)
        if node.relative or node.module is None:
            return
        module = dotted_name(node.module)
        if module.partition(".")[0] in context.local_modules:
            return
        row = module_row(module)
        if row is not None:
            report_row(context, node.module, row, "ModuleNotFoundError", row.symbol)
            if row.removed is not None:
                return
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            qualified = f"{module}.{dotted_name(alias.name)}"
            name_row = self.catalogue.names.get(qualified) or self.catalogue.modules.get(qualified)
            if name_row is not None:
                report_row(context, alias, name_row, "ImportError", name_row.symbol)

    def visit_Attribute(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Attribute)
        qualified = context.qualified_name(node)
        if qualified is None:
            return
        row = name_row(qualified)
        if row is not None:
            report_row(context, node, row, "AttributeError", row.symbol)
            return
        # A name of a removed module: its import fails first, but the use shows the
        # owner what else must change.
        owner = qualified.rpartition(".")[0]
        owner_row = self.catalogue.modules.get(owner)
        if (
            owner_row is not None
            and owner_row.removed is not None
            and isinstance(node.value, cst.Name)
        ):
            report_row(context, node, owner_row, "AttributeError", qualified, member_of_module=True)

    def visit_Name(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Name)
        candidates = context.star_candidates(node.value)
        binding = context.lookup(node.value)
        if (
            binding is not None
            and not binding.instance
            and binding.qualified is not None
            and binding.qualified.startswith("builtins.")
        ):
            candidates.append(binding.qualified)
        for qualified in candidates:
            row = self.catalogue.names.get(qualified)
            if row is not None:
                report_row(context, node, row, "NameError", row.symbol)
                return

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        qualified = context.qualified_name(node.func)
        if qualified is None:
            return
        rows = self.catalogue.parameters.get(instance_name(qualified))
        if not rows:
            return
        keywords = {arg.keyword.value: arg for arg in node.args if arg.keyword is not None}
        for arg in node.args:
            if arg.star == "**":
                keywords.update(dict.fromkeys(_splat_keys(arg.value, context), arg))
        positional = _positional_arguments(node)
        for row in rows:
            if row.parameter is None:
                continue
            if row.parameter in keywords:
                report_row(context, keywords[row.parameter], row, "TypeError", row.symbol)
                continue
            index = POSITIONAL_PARAMETERS.get((row.symbol, row.parameter))
            if index is not None and row.removed is not None and index < len(positional):
                report_row(context, positional[index], row, "TypeError", row.symbol)


def _splat_keys(value: cst.BaseExpression, context: WalkContext) -> frozenset[str]:
    """The keywords ``**value`` passes where the code shows them: a dict display, or a
    name bound to one."""
    if isinstance(value, cst.Dict):
        return literal_keys(value)
    if isinstance(value, cst.Name):
        binding = context.lookup(value.value)
        if binding is not None:
            return binding.keys
    return frozenset()


def _positional_arguments(node: cst.Call) -> list[cst.Arg]:
    """The arguments passed by position before any ``*iterable`` (whose length is unknown)."""
    found = []
    for arg in node.args:
        if arg.keyword is not None or arg.star == "**":
            continue
        if arg.star == "*":
            break
        found.append(arg)
    return found
