"""A property wrapped by classmethod: class properties stopped working in Python 3.13."""

from __future__ import annotations

import itertools
import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceFacts, SourceRule
from analyzer.rules.walker import WalkContext

_CLASSMETHOD = frozenset({"builtins.classmethod"})
_DEFINED = re.compile(
    r"@classmethod\s+@(?:\w+\.)?(?:property|cached_property)\s+(?:@[^\n]*\s+)*"
    r"(?:async[ \t]+)?def[ \t]+(\w+)"
)
_PROPERTY = frozenset({"builtins.property", "functools.cached_property"})


class ClassmethodProperty(SourceRule):
    """``@classmethod`` stacked on ``@property``, read as a class property.

    Python 3.9 let ``classmethod`` wrap other descriptors; 3.11 deprecated it and 3.13
    removed it: reading ``Config.region`` then gives the ``property`` object itself, so
    ``Config.region.upper()`` raises ``AttributeError: 'property' object has no
    attribute 'upper'``. Each read is reported where it happens (the definition alone
    breaks nothing).
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    HINTS = ("@classmethod",)
    TRIGGER = re.compile(r"@classmethod\s+@(?:\w+\.)?(?:property|cached_property)\b")
    SOURCE = (
        "What's New In Python 3.13 > Removed: classmethod descriptor chaining "
        "(deprecated in What's New In Python 3.11 > Deprecated)"
    )
    BREAKS_IN = (3, 13)
    DEPRECATED_IN = (3, 11)
    FAILURE = "AttributeError"
    FIX = "use a metaclass property, or a plain classmethod called as Config.region()"
    FLAGGED = (
        "class Config:\n    @classmethod\n    @property\n    def region(cls):\n"
        "        return 'eu-west-1'\n\n\n"
        "print(Config.region.upper())  # flagged: builtins.classmethod\n",
        "class Config:\n    @classmethod\n    @property\n    def region(cls):\n"
        "        return 'eu-west-1'\n\n    @classmethod\n    def describe(cls):\n"
        "        return cls.region.title()  # flagged: builtins.classmethod\n\n\n"
        "print(Config.describe())\n",
    )
    CLEAN = (
        "class Config:\n    @property\n    def region(self):\n        return 'eu-west-1'\n\n\n"
        "print(Config().region.upper())\n",
        "class Config:\n    @classmethod\n    def region(cls):\n        return 'eu-west-1'\n\n\n"
        "print(Config.region().upper())\n",
    )

    @classmethod
    def candidate_lines(cls, facts: SourceFacts) -> set[int]:
        """The definitions, and every read of an attribute of one of their names."""
        lines = super().candidate_lines(facts)
        names = sorted({match.group(1) for match in _DEFINED.finditer(facts.text)})
        if names:
            lines |= facts.lines_of(re.compile(r"\.[ \t]*(?:" + "|".join(names) + r")\b"))
        return lines

    def __init__(self, context: WalkContext) -> None:
        super().__init__(context)
        self.class_properties: dict[str, set[str]] = {}

    def visit_FunctionDef(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.FunctionDef)
        owner = context.current_class
        if owner is None or context.scopes[-1].kind != "class":
            return
        names = [context.qualified_name(decorator.decorator) for decorator in node.decorators]
        for outer, inner in itertools.pairwise(names):
            if outer in _CLASSMETHOD and inner in _PROPERTY:
                self.class_properties.setdefault(owner.key, set()).add(node.name.value)
                context.report(
                    node.name,
                    rule_id="deprecated-api",
                    category=Category.DEPRECATED,
                    message=(
                        f"{owner.name}.{node.name.value} wraps a property in classmethod: "
                        "deprecated since 3.11, read as the property object from 3.13"
                    ),
                    fix=self.FIX,
                    failure=self.FAILURE,
                    symbol="builtins.classmethod",
                    deprecated_in=self.DEPRECATED_IN,
                    documentation=self.SOURCE,
                )

    def visit_Attribute(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Attribute)
        if not self.class_properties:
            return
        owner = context.qualified_name(node.value) or context.type_of(node.value)
        while owner is not None:
            if node.attr.value in self.class_properties.get(owner, ()):
                self.flag(
                    node,
                    message=(
                        f"{node.attr.value} is a classmethod-wrapped property: from Python 3.13 "
                        "reading it gives the property object, not its value"
                    ),
                    symbol="builtins.classmethod",
                )
                return
            local = context.local_class(owner)
            owner = local.first_base if local is not None else None
