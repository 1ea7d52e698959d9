"""Extra arguments pathlib ignored: keyword arguments to Path(), extra ones to relative_to()."""

from __future__ import annotations

import re

import libcst as cst

from analyzer.models import Category
from analyzer.rules.base import SourceRule
from analyzer.rules.walker import WalkContext

_CLASSES = frozenset(
    f"pathlib.{name}"
    for name in ("PurePath", "PurePosixPath", "PureWindowsPath", "Path", "PosixPath", "WindowsPath")
)
_RELATIVE = frozenset({"relative_to", "is_relative_to"})


class PathlibExtraArguments(SourceRule):
    """``pathlib.Path("a", strict=True)`` or ``path.relative_to("/srv", "app")``.

    ``PurePath`` and its subclasses ignored keyword arguments, and ``relative_to()``/
    ``is_relative_to()`` joined extra positional ones; both were deprecated in 3.12 (a
    ``DeprecationWarning``) and removed in 3.14 (``TypeError``).
    """

    RULE_ID = "removed-parameter"
    CATEGORY = Category.REMOVED_PARAMETER
    HINTS = ("Path", "relative_to")
    TRIGGER = re.compile(
        r"\b(?:Pure)?(?:Posix|Windows)?Path[ \t]*\((?:[^()]|\([^()]*\))*?\b\w+[ \t]*=(?!=)"
        r"|\b(?:is_)?relative_to[ \t]*\((?:[^()]|\([^()]*\))*?,"
    )
    IMPORTS = frozenset({"pathlib"})
    SOURCE = (
        "What's New In Python 3.14 > Removed > pathlib: extra arguments to relative_to() "
        "and is_relative_to(), and keyword arguments to PurePath (deprecated in 3.12)"
    )
    BREAKS_IN = (3, 14)
    DEPRECATED_IN = (3, 12)
    FAILURE = "TypeError"
    FIX = "drop the keyword arguments; join the paths first: path.relative_to(Path(a, b))"
    FLAGGED = (
        "import pathlib\npath = pathlib.Path('tmp', 'file.txt', strict=True)"
        "  # flagged: pathlib.Path\nprint(path.name)\n",
        "import pathlib\npath = pathlib.PurePosixPath('/srv/app/data')\n"
        "print(path.relative_to('/srv', 'app'))  # flagged: pathlib.PurePosixPath.relative_to\n",
    )
    CLEAN = (
        "import pathlib\npath = pathlib.Path('tmp', 'file.txt')\nprint(path.name)\n",
        "import pathlib\npath = pathlib.PurePosixPath('/srv/app/data')\n"
        "print(path.relative_to(pathlib.PurePosixPath('/srv', 'app')))\n",
    )

    def visit_Call(self, node: cst.CSTNode, context: WalkContext) -> None:
        assert isinstance(node, cst.Call)
        function = context.qualified_name(node.func)
        if function in _CLASSES:
            keyword = next((arg for arg in node.args if arg.keyword is not None), None)
            if keyword is not None:
                self.flag(
                    keyword,
                    message=(
                        f"{function}() with a keyword argument: ignored, deprecated since 3.12, "
                        "a TypeError from Python 3.14"
                    ),
                    symbol=function or "",
                )
            return
        owner, _, method = (function or "").rpartition(".")
        if owner not in _CLASSES or method not in _RELATIVE:
            return
        positional = [arg for arg in node.args if arg.keyword is None and not arg.star]
        if len(positional) > 1:
            self.flag(
                positional[1],
                message=(
                    f"{method}() with more than one path: deprecated since 3.12, a TypeError "
                    "from Python 3.14"
                ),
                symbol=function or "",
            )
