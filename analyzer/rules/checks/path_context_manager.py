"""pathlib.Path used as a context manager: a no-op deprecated in 3.11, removed in 3.13."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

_PATH_CLASSES = ("pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath")
_PATHS = frozenset(
    (*_PATH_CLASSES, *(f"{cls}.{made}" for cls in _PATH_CLASSES for made in ("cwd", "home")))
)


class PathContextManager(SourceRule):
    """``with pathlib.Path(...) as here:``.

    ``Path.__enter__`` returned the path and ``__exit__`` did nothing since 3.9; 3.11
    warns, and 3.13 removed both, so the ``with`` raises ``TypeError: 'PosixPath' object
    does not support the context manager protocol``.
    """

    RULE_ID = "behaviour-change"
    CATEGORY = Category.BEHAVIOUR_CHANGE
    HINTS = ("with",)
    TRIGGER = re.compile(r"\bwith\b[^\n]*\bPath\b|\bwith[ \t]+\w+[ \t]*(?:as\b|:)")
    IMPORTS = frozenset({"pathlib"})
    LOCAL = False
    """A path bound to a name in one function can be entered in another."""
    SOURCE = (
        "What's New In Python 3.13 > Removed > pathlib: Path objects as context managers "
        "(deprecated in 3.11)"
    )
    BREAKS_IN = (3, 13)
    DEPRECATED_IN = (3, 11)
    FAILURE = "TypeError"
    FIX = "drop the with statement and use the path directly; it never closed anything"
    MECHANICAL = True
    FLAGGED = (
        "import pathlib\n\nwith pathlib.Path('.') as here:  # flagged: pathlib.Path.__enter__\n"
        "    print(here.exists())\n",
        "from pathlib import Path\n\nroot = Path.cwd()\n"
        "with root:  # flagged: pathlib.Path.__enter__\n    print(root.is_dir())\n",
    )
    CLEAN = (
        "import pathlib\n\nhere = pathlib.Path('.')\nwith open(here / 'f.txt', 'w') as handle:\n"
        "    handle.write('x')\nwith (here / 'f.txt').open() as handle:\n"
        "    print(handle.read())\n",
    )

    def visit_WithItem(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.WithItem)
        if context.type_of(node.item) not in _PATHS:
            return
        self.flag(
            node.item,
            message=(
                "a pathlib.Path as a context manager warns from Python 3.11 and raises "
                "TypeError from 3.13"
            ),
            symbol="pathlib.Path.__enter__",
        )
