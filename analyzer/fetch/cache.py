"""A content-addressed cache of function and layer zips, keyed by Lambda's ``CodeSha256``."""

from __future__ import annotations

import base64
import binascii
import logging
import os
from pathlib import Path

from analyzer.errors import ArchiveError, FetchError
from analyzer.fetch.archive import sha256_base64

logger = logging.getLogger(__name__)

CACHE_FOLDER_NAME = "lambda-analyzer"


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/lambda-analyzer``, or ``~/.cache/lambda-analyzer`` without it.

    The XDG Base Directory Specification says a relative ``XDG_CACHE_HOME`` is ignored.
    """
    configured = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(configured) if os.path.isabs(configured) else Path.home() / ".cache"
    return base / CACHE_FOLDER_NAME


def open_cache(cache_dir: Path | None = None, *, enabled: bool = True) -> CodeCache | None:
    """The cache the options ask for: ``--cache-dir`` (or the default folder), or none at all
    for ``--no-cache``.

    Its folder is made at once, so that one that cannot be is a ``FetchError`` before any
    download rather than a failure of each.
    """
    if not enabled:
        return None
    cache = CodeCache(cache_dir if cache_dir is not None else default_cache_dir())
    try:
        cache.zips_folder()
    except FetchError as exc:
        raise FetchError(f"{exc} (give another --cache-dir, or --no-cache)") from None
    return cache


def cache_key(code_sha256: str) -> str:
    """The file-name-safe form of a ``CodeSha256`` (base64 SHA-256): its hexadecimal digest.

    Raises ``FetchError`` for a value that is not a base64 SHA-256 digest.
    """
    try:
        digest = base64.b64decode(code_sha256, validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != 32:
        raise FetchError(f"{code_sha256!r} is not a CodeSha256 (a base64 SHA-256 digest)")
    return digest.hex()


# TODO: nothing is ever evicted: the cache grows by every distinct zip seen (a size cap with
# least-recently-used eviction, or a command that prunes it, would retire this).
class CodeCache:
    """Zips stored under ``root/zips/<hex digest>.zip``, so the same code is downloaded once.

    An entry is written by ``download.download``, which moves a complete, verified file into
    place with ``os.replace``: concurrent processes storing the same code each write their
    own temporary file, and readers never see a partial entry. Entries are checked against
    their key when read, and a damaged one is dropped.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def __repr__(self) -> str:
        return f"CodeCache({str(self.root)!r})"

    def zips_folder(self) -> Path:
        """The folder of the zips, made if need be; ``FetchError`` when it cannot be."""
        folder = self.root / "zips"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FetchError(
                f"the cache folder {folder} cannot be created: {exc.strerror or exc}"
            ) from exc
        return folder

    def zip_path(self, code_sha256: str) -> Path:
        """Where the zip with this ``CodeSha256`` is stored; its folder exists on return."""
        return self.zips_folder() / f"{cache_key(code_sha256)}.zip"

    def lookup(self, code_sha256: str) -> Path | None:
        """The stored zip with this ``CodeSha256``, or ``None`` when absent or damaged."""
        path = self.zip_path(code_sha256)
        if not path.is_file():
            return None
        try:
            actual = sha256_base64(path)
        except ArchiveError as exc:
            logger.warning("cache entry %s cannot be read (%s); downloading again", path, exc)
            return None
        if actual != code_sha256:
            logger.warning("cache entry %s does not match its name; downloading again", path)
            path.unlink(missing_ok=True)
            return None
        logger.debug("cache hit: %s", path)
        return path
