"""A real Simple API index on 127.0.0.1, serving wheels and sdists the tests build."""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import socket
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename

from analyzer.deps import clear_run_cache

PRIVATE_USER = "deploy"
PRIVATE_PASSWORD = "s3cret-Pa55"


def build_wheel(
    folder: Path,
    name: str,
    version: str,
    tag: str,
    *,
    requires: tuple[str, ...] = (),
    requires_python: str | None = None,
) -> Path:
    """A minimal valid wheel: a module, and dist-info METADATA, WHEEL and RECORD."""
    distribution = name.replace("-", "_")
    dist_info = f"{distribution}-{version}.dist-info"
    metadata_lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    if requires_python:
        metadata_lines.append(f"Requires-Python: {requires_python}")
    metadata_lines.extend(f"Requires-Dist: {requirement}" for requirement in requires)
    members = {
        f"{distribution}/__init__.py": b"VALUE = 1\n",
        f"{dist_info}/METADATA": ("\n".join(metadata_lines) + "\n").encode(),
        f"{dist_info}/WHEEL": (
            f"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: "
            f"{'true' if tag.endswith('none-any') else 'false'}\nTag: {tag}\n"
        ).encode(),
    }
    record = []
    for member, content in members.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=")
        record.append(f"{member},sha256={digest.decode()},{len(content)}")
    record.append(f"{dist_info}/RECORD,,")
    members[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = folder / f"{distribution}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for member, content in members.items():
            wheel.writestr(member, content)
    return path


def build_sdist(
    folder: Path,
    name: str,
    version: str,
    *,
    requires: tuple[str, ...] = (),
    c_source: bool = False,
) -> Path:
    """A real ``.tar.gz`` sdist with PKG-INFO, a setup.py, and a C file when asked."""
    distribution = name.replace("-", "_")
    top = f"{distribution}-{version}"
    pkg_info = ["Metadata-Version: 2.2", f"Name: {name}", f"Version: {version}"]
    pkg_info.extend(f"Requires-Dist: {requirement}" for requirement in requires)
    members = {
        f"{top}/PKG-INFO": ("\n".join(pkg_info) + "\n").encode(),
        f"{top}/setup.py": b"from setuptools import setup\nsetup()\n",
        f"{top}/{distribution}/__init__.py": b"",
    }
    if c_source:
        members[f"{top}/src/speedups.c"] = b"int answer(void) { return 42; }\n"
    path = folder / f"{top}.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for member, content in members.items():
            info = tarfile.TarInfo(member)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return path


@dataclass(frozen=True)
class IndexedFile:
    """A file the index lists, with its Simple API attributes."""

    path: Path
    requires_python: str | None = None
    yanked: str | None = None


@dataclass
class LocalIndex:
    """The server's address, its files, and the log of the paths asked."""

    base_url: str
    files: dict[str, list[IndexedFile]]
    requests: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, flavour: str) -> str:
        """The index URL of a flavour: ``simple`` (JSON or HTML by Accept), ``html``,
        ``html-nometa``, ``garbage``, ``badjson``, ``private``."""
        return f"{self.base_url}/{flavour}/simple/"

    def private_url(self, user: str = PRIVATE_USER, password: str = PRIVATE_PASSWORD) -> str:
        """The private index with credentials in the URL."""
        host = self.base_url.removeprefix("http://")
        return f"http://{user}:{password}@{host}/private/simple/"

    def asked(self, prefix: str) -> list[str]:
        """Paths requested so far that start with ``prefix``."""
        with self.lock:
            return [path for path in self.requests if path.startswith(prefix)]

    def clear(self) -> None:
        """Forget the request log."""
        with self.lock:
            self.requests.clear()


def _project_of(filename: str) -> str:
    if filename.endswith(".whl"):
        return canonicalize_name(parse_wheel_filename(filename)[0])
    return canonicalize_name(parse_sdist_filename(filename)[0])


def build_catalogue(folder: Path) -> dict[str, list[IndexedFile]]:
    """The projects of the test index, each chosen to show one case.

    - purepkg: pure wheels; 2.0 requires helper>=1.0, and cponly>=2.0 for its extra "fast"
    - helper: a pure wheel 1.0, nothing else
    - cponly: 1.0 has a cp39 x86_64 wheel and a C sdist; 2.0 has cp39..cp313 wheels
    - abi3pkg: one cp37-abi3-manylinux2014_x86_64 wheel
    - newglibc: cp311 and cp312 wheels for manylinux_2_28_x86_64 only
    - armonly: a cp311 aarch64 wheel only
    - sdistonly: a pure-Python sdist whose PKG-INFO requires helper
    - nativesdist: an sdist with a C source, no wheels
    - yankedpkg: 1.0 pure, 1.1 pure but yanked
    - newpython: a pure wheel requiring Python >= 3.12
    - conflicta: requires helper<1.0, which does not exist
    - needsdist: a pure wheel requiring sdistonly
    - vulnpkg: 1.0 and 1.1, pure
    - numpy: 1.21.6 and 1.23.2 with the tags and Requires-Python of the real releases
    """
    files: list[IndexedFile] = []

    def wheel(name: str, version: str, tag: str, **kwargs: object) -> None:
        requires_python = kwargs.get("requires_python")
        path = build_wheel(folder, name, version, tag, **kwargs)  # type: ignore[arg-type]
        files.append(IndexedFile(path, requires_python=requires_python))  # type: ignore[arg-type]

    wheel("purepkg", "1.0", "py3-none-any")
    wheel(
        "purepkg",
        "2.0",
        "py3-none-any",
        requires=("helper>=1.0", 'cponly>=2.0 ; extra == "fast"'),
    )
    wheel("helper", "1.0", "py3-none-any")
    wheel("cponly", "1.0", "cp39-cp39-manylinux2014_x86_64")
    files.append(IndexedFile(build_sdist(folder, "cponly", "1.0", c_source=True)))
    for minor in (9, 11, 12, 13):
        wheel("cponly", "2.0", f"cp3{minor}-cp3{minor}-manylinux2014_x86_64")
    wheel("abi3pkg", "1.0", "cp37-abi3-manylinux2014_x86_64")
    wheel("newglibc", "1.0", "cp311-cp311-manylinux_2_28_x86_64")
    wheel("newglibc", "1.0", "cp312-cp312-manylinux_2_28_x86_64")
    wheel("armonly", "1.0", "cp311-cp311-manylinux2014_aarch64")
    files.append(IndexedFile(build_sdist(folder, "sdistonly", "1.0", requires=("helper",))))
    files.append(IndexedFile(build_sdist(folder, "nativesdist", "1.0", c_source=True)))
    wheel("yankedpkg", "1.0", "py3-none-any")
    yanked = build_wheel(folder, "yankedpkg", "1.1", "py3-none-any")
    files.append(IndexedFile(yanked, yanked="broken upload"))
    wheel("newpython", "1.0", "py3-none-any", requires_python=">=3.12")
    wheel("conflicta", "1.0", "py3-none-any", requires=("helper<1.0",))
    wheel("needsdist", "1.0", "py3-none-any", requires=("sdistonly",))
    wheel("vulnpkg", "1.0", "py3-none-any")
    wheel("vulnpkg", "1.1", "py3-none-any")
    # numpy as the index lists it for the requirements-pin-numpy-1-21 case: 1.21.6 has
    # CPython 3.7-3.10 wheels and an sdist, all requiring Python <3.11; 1.23.2 adds cp311.
    old_python = ">=3.7,<3.11"
    for tag in (
        "cp39-cp39-manylinux_2_12_x86_64.manylinux2010_x86_64",
        "cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64",
        "cp310-cp310-manylinux_2_17_aarch64.manylinux2014_aarch64",
    ):
        wheel("numpy", "1.21.6", tag, requires_python=old_python)
    sdist = build_sdist(folder, "numpy", "1.21.6", c_source=True)
    files.append(IndexedFile(sdist, requires_python=old_python))
    for tag in (
        "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
        "cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64",
    ):
        wheel("numpy", "1.23.2", tag, requires_python=">=3.8")

    catalogue: dict[str, list[IndexedFile]] = {}
    for indexed in files:
        catalogue.setdefault(_project_of(indexed.path.name), []).append(indexed)
    return catalogue


def _json_page(project: str, files: list[IndexedFile], metadata: bool) -> bytes:
    entries = []
    for indexed in files:
        content = indexed.path.read_bytes()
        entry: dict[str, object] = {
            "filename": indexed.path.name,
            "url": f"../../../files/{indexed.path.name}",
            "hashes": {"sha256": hashlib.sha256(content).hexdigest()},
            "requires-python": indexed.requires_python,
            "yanked": indexed.yanked if indexed.yanked is not None else False,
            "size": len(content),
        }
        if metadata and indexed.path.suffix == ".whl":
            entry["core-metadata"] = {"sha256": "0" * 64}
        entries.append(entry)
    document = {"meta": {"api-version": "1.1"}, "name": project, "files": entries}
    return json.dumps(document).encode()


def _html_page(files: list[IndexedFile], metadata: bool) -> bytes:
    anchors = []
    for indexed in files:
        content = indexed.path.read_bytes()
        attributes = [
            f'href="../../../files/{indexed.path.name}#sha256='
            f'{hashlib.sha256(content).hexdigest()}"'
        ]
        if indexed.requires_python:
            attributes.append(f'data-requires-python="{html.escape(indexed.requires_python)}"')
        if indexed.yanked is not None:
            attributes.append(f'data-yanked="{html.escape(indexed.yanked)}"')
        if metadata and indexed.path.suffix == ".whl":
            attributes.append('data-dist-info-metadata="sha256=00" data-core-metadata="sha256=00"')
        anchors.append(f"<a {' '.join(attributes)}>{indexed.path.name}</a><br/>")
    page = "<!DOCTYPE html><html><body>\n" + "\n".join(anchors) + "\n</body></html>\n"
    return page.encode()


def _make_handler(index: LocalIndex) -> type[BaseHTTPRequestHandler]:
    by_name = {item.path.name: item for files in index.files.values() for item in files}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            with index.lock:
                index.requests.append(self.path)
            parts = self.path.split("?")[0].strip("/").split("/")
            if parts[0] == "files" and len(parts) == 2:
                self._file(parts[1])
                return
            if len(parts) != 3 or parts[1] != "simple":
                self._send(404, "text/plain", b"not found")
                return
            flavour, _, project = parts
            self._project(flavour, project)

        def _file(self, name: str) -> None:
            if name.endswith(".metadata") and name.removesuffix(".metadata") in by_name:
                wheel_path = by_name[name.removesuffix(".metadata")].path
                with zipfile.ZipFile(wheel_path) as wheel:
                    member = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
                    self._send(200, "application/octet-stream", wheel.read(member))
                return
            if name in by_name:
                self._send(200, "application/octet-stream", by_name[name].path.read_bytes())
                return
            self._send(404, "text/plain", b"not found")

        def _project(self, flavour: str, project: str) -> None:
            if flavour == "garbage":
                self._send(200, "text/plain", b"hello, this is not an index")
                return
            if flavour == "badjson":
                self._send(200, "application/vnd.pypi.simple.v1+json", b"{not json")
                return
            if flavour == "private":
                expected = base64.b64encode(f"{PRIVATE_USER}:{PRIVATE_PASSWORD}".encode()).decode()
                if self.headers.get("Authorization") != f"Basic {expected}":
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="private"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            files = index.files.get(project)
            if files is None:
                self._send(404, "text/plain", b"no such project")
                return
            accept = self.headers.get("Accept", "")
            wants_json = "application/vnd.pypi.simple.v1+json" in accept
            if flavour in ("simple", "private") and wants_json:
                body = _json_page(project, files, metadata=True)
                self._send(200, "application/vnd.pypi.simple.v1+json", body)
            elif flavour in ("simple", "private", "html"):
                self._send(200, "text/html", _html_page(files, metadata=True))
            elif flavour == "html-nometa":
                self._send(200, "text/html", _html_page(files, metadata=False))
            else:
                self._send(404, "text/plain", b"no such index")

    return Handler


@pytest.fixture(scope="session")
def local_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalIndex]:
    """The test index, serving on a free port of 127.0.0.1 for the whole session."""
    folder = tmp_path_factory.mktemp("index-files")
    index = LocalIndex("", build_catalogue(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(index))
    index.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield index
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """An index URL on a port of 127.0.0.1 where nothing listens."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/simple/"


@pytest.fixture(autouse=True)
def fresh_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Each test starts a new run, with pip's configuration isolated from the machine's."""
    clear_run_cache()
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    yield
    clear_run_cache()


def write_function(root: Path, files: dict[str, str]) -> Path:
    """A function folder holding ``files`` (relative path to text)."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
