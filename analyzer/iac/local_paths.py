"""Code and layer paths written in templates, resolved inside the repository and nowhere else."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

REMOTE_PREFIXES = ("s3://", "http://", "https://", "arn:")


@dataclass(frozen=True)
class ResolvedPath:
    """A path of a template found on disk, or the reason it was not."""

    path: Path | None
    problem: str | None = None


def relative_posix(path: Path, root: Path) -> str:
    """``path`` as a POSIX path relative to ``root`` (``.`` for the root itself)."""
    relative = os.path.relpath(path, root)
    return PurePosixPath(*Path(relative).parts).as_posix() if relative != "." else "."


def inside(path: Path, root: Path) -> bool:
    """Whether ``path`` (already absolute and normalised) is ``root`` or below it."""
    return path == root or root in path.parents


def resolve_local(written: str, bases: Sequence[Path], root: Path, what: str) -> ResolvedPath:
    """The file or folder ``written`` in a template, looked for under each of ``bases`` in turn.

    The first base is the template's own folder, which is how SAM, CloudFormation's
    ``package`` command, Serverless and Terraform read relative paths; later bases are
    fallbacks (the repository root, as ``sam build --base-dir`` does for templates kept in
    a subfolder). A path that leaves ``root`` is refused: the repository is the input, and
    nothing outside it is read.
    """
    text = written.strip()
    if not text or text.startswith(REMOTE_PREFIXES):
        return ResolvedPath(None, f"{what} {text or '(empty)'} is not in the repository")
    candidates: list[Path] = []
    for base in bases:
        candidate = Path(os.path.normpath(base / text))
        if not inside(candidate, root):
            return ResolvedPath(None, f"{what} {text} is outside the repository; not analysed")
        candidates.append(candidate)
        if candidate.exists():
            # A link may lead out of the repository even when the path as written does not.
            if not inside(candidate.resolve(), root.resolve()):
                return ResolvedPath(None, f"{what} {text} leads outside the repository")
            return ResolvedPath(candidate)
    tried = ", ".join(relative_posix(candidate, root) for candidate in candidates)
    return ResolvedPath(None, f"{what} {text} not found (looked for {tried})")
