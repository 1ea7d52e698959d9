"""A sys.meta_path finder with only find_module: Python 3.12 no longer calls it."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext


def _method_names(node: cst.ClassDef) -> set[str]:
    names = set()
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    for statement in body:
        if isinstance(statement, cst.FunctionDef):
            names.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    for target in small.targets:
                        if isinstance(target.target, cst.Name):
                            names.add(target.target.value)
    return names


class LegacyMetaPathFinder(SourceRule):
    """An import hook class with ``find_module`` but no ``find_spec``.

    The import system stopped falling back to ``find_module()`` in 3.12, so a finder
    registered on ``sys.meta_path`` that only has it is silently skipped: the modules it
    provides (old ``six``'s ``six.moves``, ``pkg_resources.extern``) cannot be imported.
    """

    RULE_ID = "removed-stdlib-api"
    CATEGORY = Category.REMOVED_NAME
    TRIGGER = re.compile(r"\bfind_module\b(?s:.*)\bmeta_path\b|\bmeta_path\b(?s:.*)\bfind_module\b")
    SOURCE = (
        "What's New In Python 3.12 > Removed > importlib: find_module() of meta path finders "
        "is no longer used"
    )
    FLAGGED = (
        "import sys\nclass Hook:\n    def find_module(self, name, path=None):\n"
        "        return None\nsys.meta_path.append(Hook())\n",
    )
    CLEAN = (
        "import sys\nclass Hook:\n    def find_module(self, name, path=None):\n"
        "        return None\n    def find_spec(self, name, path, target=None):\n"
        "        return None\nsys.meta_path.append(Hook())\n",
        "class Finder:\n    def find_module(self, name):\n        return None\n",
    )

    def visit_ClassDef(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.ClassDef)
        methods = _method_names(node)
        if "find_module" not in methods or "find_spec" in methods:
            return
        context.report(
            node.name,
            rule_id=self.RULE_ID,
            category=self.CATEGORY,
            message=(
                f"import hook {node.name.value} defines find_module() but not find_spec(); "
                "Python 3.12 no longer calls find_module(), so the modules it provides "
                "cannot be imported"
            ),
            fix=(
                "upgrade the library that carries it (six 1.16 or later, setuptools 60 or "
                "later), or add find_spec()"
            ),
            failure="ImportError",
            symbol="importlib.abc.MetaPathFinder.find_module",
            breaks_in=(3, 12),
            deprecated_in=(3, 4),
            documentation=self.SOURCE,
        )
