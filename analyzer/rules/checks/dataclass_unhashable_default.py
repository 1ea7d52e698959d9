"""A dataclass field whose default is an unhashable object: a ValueError since Python 3.11."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceFacts, SourceRule
from analyzer.rules.walker import LocalClass, WalkContext

_DATACLASS = frozenset({"dataclasses.dataclass"})
_FIELD = frozenset({"dataclasses.field"})
_UNHASHABLE_STDLIB = frozenset(
    {"array.array", "builtins.bytearray", "collections.deque", "types.SimpleNamespace"}
)
"""Stdlib classes with unhashable instances that 3.9's list/dict/set test let through
(each confirmed to raise ValueError as a default on 3.11 .. 3.13 and not on 3.9, 3.10)."""


def dataclass_options(local: LocalClass, context: WalkContext) -> dict[str, bool] | None:
    """The keyword options of a class's ``@dataclass`` decorator, or None if it has none."""
    for decorator in local.decorators:
        expression = decorator.decorator
        call = expression if isinstance(expression, cst.Call) else None
        target = call.func if call is not None else expression
        if context.qualified_name(target) not in _DATACLASS:
            continue
        options: dict[str, bool] = {}
        for arg in call.args if call is not None else ():
            if arg.keyword is not None and isinstance(arg.value, cst.Name):
                options[arg.keyword.value] = arg.value.value == "True"
        return options
    return None


def unhashable(local: LocalClass, context: WalkContext) -> bool:
    """Whether instances of a class of the module have ``__hash__`` set to None.

    A dataclass with ``eq=True`` (the default) that is neither frozen nor
    ``unsafe_hash=True`` gets ``__hash__ = None``; so does a class that defines
    ``__eq__`` without ``__hash__``.
    """
    options = dataclass_options(local, context)
    if "__hash__" in local.members:
        return False
    if options is not None:
        return not (
            options.get("unsafe_hash") or options.get("frozen") or options.get("eq") is False
        )
    return "__eq__" in local.members


class DataclassUnhashableDefault(SourceRule):
    """A dataclass field defaulting to an instance of an unhashable class, such as
    another (non-frozen) dataclass.

    Python 3.11 rejects every unhashable default, not only ``list``, ``dict`` and
    ``set``: ``ValueError: mutable default <class 'Retry'> for field retry is not
    allowed: use default_factory``, raised when the class is defined.
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    TRIGGER = re.compile(
        r"^[ \t]+\w+[ \t]*:[^=\n]*=[ \t]*(?:[\w.]*\.)?(?:[A-Z]\w*|bytearray|deque|array)[ \t]*\("
        r"|\bdefault[ \t]*=[ \t]*(?:[\w.]*\.)?(?:[A-Z]\w*|bytearray|deque|array)[ \t]*\(",
        re.MULTILINE,
    )
    IMPORTS = frozenset({"dataclasses"})
    SOURCE = (
        "What's New In Python 3.11 > Improved Modules > dataclasses: a mutable default is "
        "now detected by whether it is hashable, not by type"
    )
    BREAKS_IN = (3, 11)
    FAILURE = "ValueError"
    FIX = "use field(default_factory=TheClass) instead of a shared default instance"
    FLAGGED = (
        "from dataclasses import dataclass\n\n\n@dataclass\nclass Retry:\n    attempts: int = 3\n"
        "\n\n@dataclass\nclass Settings:  # flagged: dataclasses.field\n"
        "    retry: Retry = Retry()\n\n\nprint(Settings().retry.attempts)\n",
        "import dataclasses\n\n\nclass Point:\n    def __eq__(self, other):\n"
        "        return True\n\n\n@dataclasses.dataclass\n"
        "class Shape:  # flagged: dataclasses.field\n"
        "    origin: Point = dataclasses.field(default=Point())\n\n\nprint(Shape())\n",
        "from dataclasses import dataclass\n\n\n@dataclass\n"
        "class Frame:  # flagged: dataclasses.field\n"
        '    payload: bytearray = bytearray(b"x")\n\n\nprint(Frame())\n',
        "import dataclasses\nimport types\n\n\n@dataclasses.dataclass\n"
        "class Config:  # flagged: dataclasses.field\n"
        "    extra: types.SimpleNamespace = types.SimpleNamespace(debug=False)\n\n\n"
        "print(Config())\n",
    )
    CLEAN = (
        "from dataclasses import dataclass, field\n\n\n@dataclass(frozen=True)\nclass Retry:\n"
        "    attempts: int = 3\n\n\n@dataclass\nclass Settings:\n    retry: Retry = Retry()\n"
        "    other: Retry = field(default_factory=Retry)\n\n\nprint(Settings())\n",
        "from dataclasses import dataclass\n\n\nclass Plain:\n    pass\n\n\n@dataclass\n"
        "class Holder:\n    value: Plain = Plain()\n\n\nprint(Holder())\n",
        "from dataclasses import dataclass\n\n\n@dataclass\nclass Frame:\n"
        '    payload: bytes = bytes(b"x")\n\n\nprint(Frame())\n',
    )

    @classmethod
    def triggered(cls, facts: SourceFacts) -> bool:
        """A dataclass, and a field default made by calling a class."""
        return (
            "dataclasses" in facts.imported
            and "dataclass" in facts.text
            and cls.TRIGGER.search(facts.text) is not None
        )

    def visit_ClassDef(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.ClassDef)
        local = context.current_class
        if local is None or dataclass_options(local, context) is None:
            return
        if not isinstance(node.body, cst.IndentedBlock):
            return
        for statement in node.body.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.AnnAssign) and small.value is not None:
                    default = _default(small.value, context)
                    made_from = _unhashable_class(default, context) if default else None
                    if made_from is not None:
                        name = small.target.value if isinstance(small.target, cst.Name) else "?"
                        self.flag(
                            node.name,
                            message=(
                                f"field {name} of dataclass {node.name.value} defaults to an "
                                f"unhashable {made_from} instance: ValueError from 3.11"
                            ),
                            symbol="dataclasses.field",
                        )
                        return


def _default(value: cst.BaseExpression, context: WalkContext) -> cst.BaseExpression | None:
    """The default a field's value gives: itself, or ``field(default=...)``."""
    if isinstance(value, cst.Call) and context.qualified_name(value.func) in _FIELD:
        for arg in value.args:
            if arg.keyword is not None and arg.keyword.value == "default":
                return arg.value
        return None
    return value


def _unhashable_class(default: cst.BaseExpression, context: WalkContext) -> str | None:
    """The name of the unhashable class a default is an instance of, if it is one."""
    if isinstance(default, cst.Call):
        made_by = context.qualified_name(default.func)
        if made_by in _UNHASHABLE_STDLIB:
            return made_by.rpartition(".")[2]
    local = context.local_class(context.type_of(default))
    if local is not None and unhashable(local, context):
        return local.name
    return None
