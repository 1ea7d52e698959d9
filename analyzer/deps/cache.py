"""A small on-disk cache of index answers (SQLite) with a time-to-live."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 6 * 3600
"""How long a project page stays fresh: a day's fleet scan asks the index a few times."""


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/lambda-analyzer`` (``~/.cache/lambda-analyzer``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lambda-analyzer"


class DiskCache:
    """Key to bytes, each entry with the time it was stored; stale entries read as absent.

    A cache that cannot be opened or written is logged once and then behaves as empty:
    the analysis is slower, never wrong.
    """

    def __init__(self, folder: Path, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> None:
        self.path = folder / "deps-index.sqlite3"
        self.ttl_seconds = ttl_seconds
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
            connection.execute(
                "CREATE TABLE IF NOT EXISTS entries ("
                "key TEXT PRIMARY KEY, stored REAL NOT NULL, value BLOB NOT NULL)"
            )
            connection.commit()
            self._connection = connection
        except (OSError, sqlite3.Error) as error:
            logger.warning("index cache disabled: %s", error)

    def get(self, key: str, ttl_seconds: float | None = None) -> bytes | None:
        """The value stored under ``key`` if it is younger than the time-to-live."""
        if self._connection is None:
            return None
        ttl = self.ttl_seconds if ttl_seconds is None else ttl_seconds
        try:
            with self._lock:
                row = self._connection.execute(
                    "SELECT stored, value FROM entries WHERE key = ?", (key,)
                ).fetchone()
        except sqlite3.Error as error:
            logger.debug("index cache read failed: %s", error)
            return None
        if row is None or time.time() - float(row[0]) > ttl:
            return None
        return bytes(row[1])

    def put(self, key: str, value: bytes) -> None:
        """Store ``value`` under ``key`` now."""
        if self._connection is None:
            return
        try:
            with self._lock:
                self._connection.execute(
                    "INSERT OR REPLACE INTO entries (key, stored, value) VALUES (?, ?, ?)",
                    (key, time.time(), value),
                )
                self._connection.commit()
        except sqlite3.Error as error:
            logger.debug("index cache write failed: %s", error)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
