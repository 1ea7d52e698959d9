"""Streaming download of a presigned code location, bounded in size and checked against its hash."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import logging
import os
import socket
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from analyzer.errors import FetchError

logger = logging.getLogger(__name__)

MIB = 1024 * 1024

MAX_ZIP_BYTES = 250 * MIB
"""Default cap on a downloaded zip.

Lambda refuses a zip over 50 MB uploaded directly, but code uploaded through S3 may be as
large as its unzipped limit, 250 MB, so that is the cap on the zip; ``archive.py`` caps what
it expands to. Source: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
"""

_CHUNK = 1 * MIB
_SCHEMES = ("https", "http")


class PresignedUrl:
    """A presigned code location: a credential for a few minutes, so never shown.

    ``str()`` and ``repr()`` name no part of it; only ``reveal()`` gives the address.
    """

    __slots__ = ("_url",)

    def __init__(self, url: str) -> None:
        self._url = url

    def reveal(self) -> str:
        """The full address, for the request that downloads it and nothing else."""
        return self._url

    @property
    def scheme(self) -> str:
        """The scheme (``https``), which is safe to show."""
        return urllib.parse.urlsplit(self._url).scheme

    def __repr__(self) -> str:
        return "PresignedUrl(<hidden>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PresignedUrl) and other._url == self._url

    def __hash__(self) -> int:
        return hash(self._url)


@dataclass(frozen=True)
class DownloadPolicy:
    """How a code download is bounded and retried."""

    max_bytes: int = MAX_ZIP_BYTES
    """The largest zip accepted, checked against ``Content-Length`` and the bytes received."""
    timeout_seconds: float = 60.0
    """Socket timeout for connecting and for each read."""
    attempts: int = 3
    """Tries in all, for connection errors, cut-off transfers and 5xx answers."""
    backoff_seconds: float = 0.5
    """Pause before the second try; doubled before each later one."""


DEFAULT_POLICY = DownloadPolicy()


class _Retryable(Exception):
    """A failure worth another try; its message is safe to show."""


def code_sha256_of(digest: bytes) -> str:
    """A SHA-256 digest in the format of Lambda's ``CodeSha256``: base64."""
    return base64.b64encode(digest).decode("ascii")


def download(
    location: PresignedUrl,
    destination: Path,
    *,
    code_sha256: str,
    label: str,
    policy: DownloadPolicy = DEFAULT_POLICY,
) -> None:
    """Stream ``location`` to ``destination``, which appears only once complete and verified.

    ``label`` names what is downloaded (``function orders-api``) in messages. The bytes go
    to a temporary file beside ``destination`` and are moved into place with ``os.replace``,
    so a reader, or another process downloading the same code, never sees a partial file.
    Raises ``FetchError`` when every try fails, the code is larger than ``policy.max_bytes``,
    or its SHA-256 does not match ``code_sha256``; no message shows any part of the address.
    """
    if location.scheme not in _SCHEMES:
        raise FetchError(f"{label}: the code location is not an HTTP(S) address")

    failure = ""
    for attempt in range(1, policy.attempts + 1):
        if attempt > 1:
            pause = policy.backoff_seconds * 2 ** (attempt - 2)
            logger.debug("%s: try %d of %d in %.2fs", label, attempt, policy.attempts, pause)
            time.sleep(pause)
        try:
            _download_once(location, destination, code_sha256, label, policy)
        except _Retryable as exc:
            failure = str(exc)
            logger.debug("%s: try %d failed: %s", label, attempt, failure)
            continue
        return

    tries = "try" if policy.attempts == 1 else "tries"
    raise FetchError(f"{label}: {failure} ({policy.attempts} {tries})")


def _download_once(
    location: PresignedUrl,
    destination: Path,
    code_sha256: str,
    label: str,
    policy: DownloadPolicy,
) -> None:
    """One try: ``destination`` holds the verified code when it returns."""
    request = urllib.request.Request(location.reveal(), method="GET")
    try:
        response: http.client.HTTPResponse = urllib.request.urlopen(
            request, timeout=policy.timeout_seconds
        )
    except urllib.error.HTTPError as exc:
        exc.close()
        raise _http_failure(exc.code, label) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise _Retryable(f"the download failed: {_connection_problem(exc)}") from None

    with response:
        declared = _declared_length(response)
        if declared is not None and declared > policy.max_bytes:
            raise FetchError(
                f"{label}: the code is {declared} bytes, over the limit of "
                f"{_size_text(policy.max_bytes)} for a zip"
            )
        _stream_to(response, destination, declared, code_sha256, label, policy)


def _stream_to(
    response: IO[bytes],
    destination: Path,
    declared: int | None,
    code_sha256: str,
    label: str,
    policy: DownloadPolicy,
) -> None:
    digest = hashlib.sha256()
    received = 0
    try:
        descriptor, temporary_name = tempfile.mkstemp(
            dir=destination.parent, prefix=f".{destination.name}.", suffix=".part"
        )
    except OSError as exc:
        raise _unwritable(label, destination, exc) from None
    temporary = Path(temporary_name)
    try:
        with _writing(label, destination), os.fdopen(descriptor, "wb") as output:
            while True:
                try:
                    chunk = response.read(_CHUNK)
                except http.client.IncompleteRead:
                    chunk = b""
                except (OSError, http.client.HTTPException) as exc:
                    raise _Retryable(_cut_off(received, declared, exc)) from None
                if not chunk:
                    break
                received += len(chunk)
                if received > policy.max_bytes:
                    raise FetchError(
                        f"{label}: the code is larger than the limit of "
                        f"{_size_text(policy.max_bytes)} for a zip"
                    )
                digest.update(chunk)
                output.write(chunk)
        if declared is not None and received != declared:
            raise _Retryable(_cut_off(received, declared, None))
        actual = code_sha256_of(digest.digest())
        if actual != code_sha256:
            raise FetchError(
                f"{label}: the downloaded code does not match its CodeSha256 "
                f"(expected {code_sha256}, got {actual})"
            )
        with _writing(label, destination):
            os.replace(temporary, destination)
        logger.debug("%s: downloaded %d bytes matching CodeSha256 %s", label, received, actual)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


@contextlib.contextmanager
def _writing(label: str, destination: Path) -> Iterator[None]:
    """A full disk or a folder that refuses files becomes a ``FetchError``."""
    try:
        yield
    except OSError as exc:
        raise _unwritable(label, destination, exc) from None


def _unwritable(label: str, destination: Path, exc: OSError) -> FetchError:
    return FetchError(
        f"{label}: the code cannot be written to {destination.parent} ({exc.strerror or exc})"
    )


def _declared_length(response: http.client.HTTPResponse) -> int | None:
    value = response.headers.get("Content-Length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


def _http_failure(status: int, label: str) -> Exception:
    if status >= 500:
        return _Retryable(f"the download failed: HTTP {status}")
    if status == 403:
        return FetchError(
            f"{label}: the download was refused: HTTP 403 (a presigned code location expires "
            "a few minutes after it is issued; fetch again)"
        )
    return FetchError(f"{label}: the download was refused: HTTP {status}")


def _connection_problem(exc: BaseException) -> str:
    """A short, address-free description of a connection failure."""
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, BaseException):
        exc = exc.reason
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset"
    if isinstance(exc, socket.gaierror):
        return "host name not resolved"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    # Messages of other errors (an invalid address, a TLS failure) may quote the address.
    return type(exc).__name__


def _cut_off(received: int, declared: int | None, exc: BaseException | None) -> str:
    expected = f" of {declared}" if declared is not None else ""
    cause = f" ({_connection_problem(exc)})" if exc is not None else ""
    return f"the download was cut off after {received}{expected} bytes{cause}"


def _size_text(size: int) -> str:
    if size % MIB == 0:
        return f"{size // MIB} MiB"
    return f"{size} bytes"
