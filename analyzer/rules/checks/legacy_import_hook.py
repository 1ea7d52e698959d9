"""A sys.meta_path finder with only find_module: Python 3.12 no longer calls it."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceFacts, SourceRule
from analyzer.rules.walker import WalkContext


def method_names(node: cst.ClassDef) -> set[str]:
    """Names a class body defines with ``def`` or an assignment."""
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
    """An import hook class with ``find_module`` but no ``find_spec``, in a module that
    registers finders on ``sys.meta_path``.

    The import system stopped falling back to ``find_module()`` in 3.12 (deprecated
    since 3.4, an ``ImportWarning`` from 3.10), so such a finder is silently skipped:
    the modules it provides (old ``six``'s ``six.moves``, ``pkg_resources.extern``)
    cannot be imported.
    """

    RULE_ID = "removed-stdlib-api"
    CATEGORY = Category.REMOVED_NAME
    TRIGGER = re.compile(r"\bdef[ \t]+find_module\b")
    SOURCE = (
        "What's New In Python 3.12 > Removed > importlib: find_module() of meta path finders "
        "is no longer used"
    )
    BREAKS_IN = (3, 12)
    DEPRECATED_IN = (3, 4)
    FAILURE = "ImportError"
    FIX = (
        "upgrade the library that carries it (six 1.16 or later, setuptools 60 or later), "
        "or give the finder a find_spec() method"
    )
    FLAGGED = (
        "import sys\nimport types\n\n\nclass Hook:  # flagged: importlib.abc.MetaPathFinder"
        ".find_module\n    def find_module(self, name, path=None):\n"
        "        return self if name == 'virtual_module' else None\n\n"
        "    def load_module(self, name):\n"
        "        module = sys.modules[name] = types.ModuleType(name)\n"
        "        return module\n\n\nsys.meta_path.append(Hook())\nimport virtual_module\n",
    )
    CLEAN = (
        "import importlib.util\nimport sys\n\n\nclass Hook:\n"
        "    def find_module(self, name, path=None):\n        return None\n\n"
        "    def find_spec(self, name, path, target=None):\n        return None\n\n\n"
        "sys.meta_path.append(Hook())\nimport json\n",
        "class Finder:\n    def find_module(self, name):\n        return None\n\n\n"
        "print(Finder().find_module('x'))\n",
    )

    @classmethod
    def triggered(cls, facts: SourceFacts) -> bool:
        """A ``find_module`` method in a module that touches ``sys.meta_path``."""
        return "meta_path" in facts.text and cls.TRIGGER.search(facts.text) is not None

    def visit_ClassDef(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.ClassDef)
        methods = method_names(node)
        if "find_module" not in methods or "find_spec" in methods:
            return
        self.flag(
            node.name,
            message=(
                f"import hook {node.name.value} defines find_module() but not find_spec(); "
                "Python 3.12 no longer calls find_module(), so the modules it provides "
                "cannot be imported"
            ),
            symbol="importlib.abc.MetaPathFinder.find_module",
        )
