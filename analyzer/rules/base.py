"""What a source rule is: a class with a docstring, examples, triggers and visit methods."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from analyzer.models import Category

if TYPE_CHECKING:
    from analyzer.rules.walker import WalkContext


class SourceRule:
    """Base of the visitor rules: behaviour changes that a catalogue row cannot express.

    A rule names the node types it looks at by defining ``visit_<NodeType>(self, node,
    context)`` methods (libcst node class names: ``visit_Call``, ``visit_Attribute``...).
    All rules share one walk of each file. A rule only runs on files whose text matches
    its ``TRIGGER`` pattern, which keeps the walk off files where it cannot find anything.

    ``FLAGGED`` programs must produce a finding of the rule, ``CLEAN`` ones must not; one
    parametrised test runs them all.
    """

    RULE_ID: ClassVar[str]
    CATEGORY: ClassVar[Category] = Category.BEHAVIOUR_CHANGE
    TRIGGER: ClassVar[re.Pattern[str]]
    SOURCE: ClassVar[str]
    """The documentation behind the rule: a What's New entry or the module's docs."""
    FLAGGED: ClassVar[tuple[str, ...]] = ()
    CLEAN: ClassVar[tuple[str, ...]] = ()

    def __init__(self, context: WalkContext) -> None:
        self.context = context
