"""Downloads of presigned code locations from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import random
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from aws_fixtures import PRESIGNED_SIGNATURE, CodeHost, Fault, code_sha256, corrupted, zip_bytes

from analyzer.errors import FetchError
from analyzer.fetch.download import DownloadPolicy, PresignedUrl, download

LABEL = "function orders-api"
QUICK = DownloadPolicy(backoff_seconds=0)
CONTENT = zip_bytes({"app.py": "def handler(event, context):\n    return 'ok'\n" * 40})


def served(code_host: CodeHost, content: bytes = CONTENT) -> tuple[str, PresignedUrl]:
    """A fresh copy of ``content`` (made unique so no other test shares its counters)."""
    key = code_host.add(content)
    code_host.faults.pop(key, None)
    code_host.standing_faults.pop(key, None)
    code_host.requests[key] = 0
    return key, PresignedUrl(code_host.url(key))


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_the_zip_lands_whole_and_verified(code_host: CodeHost, tmp_path: Path) -> None:
    key, location = served(code_host)
    destination = tmp_path / "orders-api.zip"

    download(location, destination, code_sha256=code_sha256(CONTENT), label=LABEL, policy=QUICK)

    assert destination.read_bytes() == CONTENT
    assert code_host.requests[key] == 1
    assert leftovers(tmp_path) == ["orders-api.zip"]


def test_a_server_error_is_retried(code_host: CodeHost, tmp_path: Path) -> None:
    key, location = served(code_host)
    code_host.fail(key, Fault.SERVER_ERROR, Fault.SERVER_ERROR)
    destination = tmp_path / "orders-api.zip"

    download(location, destination, code_sha256=code_sha256(CONTENT), label=LABEL, policy=QUICK)

    assert destination.read_bytes() == CONTENT
    assert code_host.requests[key] == 3


def test_a_transfer_cut_off_once_is_retried(code_host: CodeHost, tmp_path: Path) -> None:
    key, location = served(code_host)
    code_host.fail(key, Fault.CUT_OFF)
    destination = tmp_path / "orders-api.zip"

    download(location, destination, code_sha256=code_sha256(CONTENT), label=LABEL, policy=QUICK)

    assert destination.read_bytes() == CONTENT
    assert code_host.requests[key] == 2


def test_a_transfer_cut_off_on_every_try_fails_and_leaves_nothing(
    code_host: CodeHost, tmp_path: Path
) -> None:
    key, location = served(code_host)
    code_host.always_fail(key, Fault.CUT_OFF)
    destination = tmp_path / "orders-api.zip"

    with pytest.raises(FetchError) as raised:
        download(location, destination, code_sha256=code_sha256(CONTENT), label=LABEL, policy=QUICK)

    half, whole = len(CONTENT) // 2, len(CONTENT)
    assert str(raised.value) == (
        f"function orders-api: the download was cut off after {half} of {whole} bytes (3 tries)"
    )
    assert code_host.requests[key] == 3
    assert leftovers(tmp_path) == []


def test_a_connection_reset_part_way_is_a_cut_off_download(
    code_host: CodeHost, tmp_path: Path
) -> None:
    key, location = served(code_host)
    code_host.always_fail(key, Fault.RESET)

    with pytest.raises(FetchError) as raised:
        download(
            location,
            tmp_path / "orders-api.zip",
            code_sha256=code_sha256(CONTENT),
            label=LABEL,
            policy=DownloadPolicy(attempts=1),
        )

    # How many bytes arrive before the reset depends on the kernel's timing.
    assert re.fullmatch(
        rf"function orders-api: the download (was cut off after \d+ of {len(CONTENT)} bytes "
        r"\(connection reset\)|failed: connection reset) \(1 try\)",
        str(raised.value),
    ), str(raised.value)
    assert leftovers(tmp_path) == []


def test_a_server_error_on_every_try_fails_after_the_set_number_of_tries(
    code_host: CodeHost, tmp_path: Path
) -> None:
    key, location = served(code_host)
    code_host.always_fail(key, Fault.SERVER_ERROR)

    with pytest.raises(FetchError) as raised:
        download(
            location,
            tmp_path / "orders-api.zip",
            code_sha256=code_sha256(CONTENT),
            label=LABEL,
            policy=DownloadPolicy(attempts=2, backoff_seconds=0),
        )

    assert str(raised.value) == "function orders-api: the download failed: HTTP 500 (2 tries)"
    assert code_host.requests[key] == 2


def test_bytes_that_do_not_match_code_sha256_are_refused_without_retry(
    code_host: CodeHost, tmp_path: Path
) -> None:
    key, location = served(code_host)
    code_host.always_fail(key, Fault.CORRUPT)
    corrupt = corrupted(CONTENT)

    with pytest.raises(FetchError) as raised:
        download(
            location,
            tmp_path / "orders-api.zip",
            code_sha256=code_sha256(CONTENT),
            label=LABEL,
            policy=QUICK,
        )

    assert str(raised.value) == (
        "function orders-api: the downloaded code does not match its CodeSha256 "
        f"(expected {code_sha256(CONTENT)}, got {code_sha256(corrupt)})"
    )
    assert code_host.requests[key] == 1
    assert leftovers(tmp_path) == []


def test_a_declared_length_over_the_cap_is_refused_before_reading(
    code_host: CodeHost, tmp_path: Path
) -> None:
    key, location = served(code_host)

    with pytest.raises(FetchError) as raised:
        download(
            location,
            tmp_path / "orders-api.zip",
            code_sha256=code_sha256(CONTENT),
            label=LABEL,
            policy=DownloadPolicy(max_bytes=100, backoff_seconds=0),
        )

    assert str(raised.value) == (
        f"function orders-api: the code is {len(CONTENT)} bytes, over the limit of 100 bytes "
        "for a zip"
    )
    assert code_host.requests[key] == 1
    assert leftovers(tmp_path) == []


def test_an_undeclared_length_is_capped_while_streaming(
    code_host: CodeHost, tmp_path: Path
) -> None:
    # Random bytes do not compress: the zip is larger than the cap.
    content = zip_bytes({"big.bin": random.Random(7).randbytes(2 * 1024 * 1024)})
    key, location = served(code_host, content)
    code_host.always_fail(key, Fault.NO_LENGTH)
    cap = 1024 * 1024

    with pytest.raises(FetchError) as raised:
        download(
            location,
            tmp_path / "big.zip",
            code_sha256=code_sha256(content),
            label=LABEL,
            policy=DownloadPolicy(max_bytes=cap, backoff_seconds=0),
        )

    assert len(content) > cap
    assert str(raised.value) == (
        "function orders-api: the code is larger than the limit of 1 MiB for a zip"
    )
    assert leftovers(tmp_path) == []


def test_an_undeclared_length_under_the_cap_is_read_to_the_end(
    code_host: CodeHost, tmp_path: Path
) -> None:
    key, location = served(code_host)
    code_host.always_fail(key, Fault.NO_LENGTH)
    destination = tmp_path / "orders-api.zip"

    download(location, destination, code_sha256=code_sha256(CONTENT), label=LABEL, policy=QUICK)

    assert destination.read_bytes() == CONTENT


def test_an_expired_location_is_refused_without_retry(code_host: CodeHost, tmp_path: Path) -> None:
    key, location = served(code_host)
    code_host.always_fail(key, Fault.EXPIRED)

    with pytest.raises(FetchError) as raised:
        download(
            location,
            tmp_path / "orders-api.zip",
            code_sha256=code_sha256(CONTENT),
            label=LABEL,
            policy=QUICK,
        )

    assert str(raised.value) == (
        "function orders-api: the download was refused: HTTP 403 (a presigned code location "
        "expires a few minutes after it is issued; fetch again)"
    )
    assert code_host.requests[key] == 1


def test_a_location_without_its_signature_is_refused(code_host: CodeHost, tmp_path: Path) -> None:
    _, location = served(code_host)
    unsigned = PresignedUrl(location.reveal().split("?")[0])

    with pytest.raises(FetchError) as raised:
        download(
            unsigned,
            tmp_path / "orders-api.zip",
            code_sha256=code_sha256(CONTENT),
            label=LABEL,
            policy=QUICK,
        )

    assert str(raised.value).startswith("function orders-api: the download was refused: HTTP 403")


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refused_connection_is_retried_then_reported(closed_port: int, tmp_path: Path) -> None:
    location = PresignedUrl(f"http://127.0.0.1:{closed_port}/code?X-Amz-Signature=abc")

    with pytest.raises(FetchError) as raised:
        download(
            location,
            tmp_path / "orders-api.zip",
            code_sha256=code_sha256(CONTENT),
            label=LABEL,
            policy=DownloadPolicy(attempts=2, backoff_seconds=0),
        )

    assert (
        str(raised.value)
        == "function orders-api: the download failed: connection refused (2 tries)"
    )


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_a_server_that_never_answers_times_out(silent_server: int, tmp_path: Path) -> None:
    location = PresignedUrl(f"http://127.0.0.1:{silent_server}/code?X-Amz-Signature=abc")

    with pytest.raises(FetchError) as raised:
        download(
            location,
            tmp_path / "orders-api.zip",
            code_sha256=code_sha256(CONTENT),
            label=LABEL,
            policy=DownloadPolicy(attempts=1, timeout_seconds=0.2),
        )

    assert str(raised.value) == "function orders-api: the download failed: timed out (1 try)"


def test_a_location_that_is_not_http_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FetchError) as raised:
        download(
            PresignedUrl("s3://"),
            tmp_path / "layer.zip",
            code_sha256=code_sha256(CONTENT),
            label="layer shared",
        )

    assert str(raised.value) == "layer shared: the code location is not an HTTP(S) address"


@pytest.mark.parametrize("fault", [Fault.CUT_OFF, Fault.CORRUPT, Fault.SERVER_ERROR, Fault.EXPIRED])
def test_no_failure_shows_the_location(code_host: CodeHost, tmp_path: Path, fault: Fault) -> None:
    key, location = served(code_host)
    code_host.always_fail(key, fault)

    with pytest.raises(FetchError) as raised:
        download(
            location,
            tmp_path / "orders-api.zip",
            code_sha256=code_sha256(CONTENT),
            label=LABEL,
            policy=DownloadPolicy(attempts=2, backoff_seconds=0),
        )

    shown = f"{raised.value!s} {raised.value!r} {raised.value.__cause__!r}"
    assert PRESIGNED_SIGNATURE not in shown
    assert "127.0.0.1" not in shown
    assert raised.value.__suppress_context__ or raised.value.__context__ is None


def test_a_presigned_url_never_shows_itself() -> None:
    location = PresignedUrl(f"https://bucket.example/key?X-Amz-Signature={PRESIGNED_SIGNATURE}")

    assert str(location) == "PresignedUrl(<hidden>)"
    assert repr(location) == "PresignedUrl(<hidden>)"
    assert repr([location]) == "[PresignedUrl(<hidden>)]"
    assert location.scheme == "https"
    assert location.reveal().endswith(PRESIGNED_SIGNATURE)
