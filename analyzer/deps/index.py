"""A client of the Simple repository API: PEP 691 JSON first, PEP 503 HTML otherwise."""

from __future__ import annotations

import base64
import email.parser
import email.policy
import io
import json
import logging
import tarfile
import threading
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from analyzer.deps.cache import DiskCache
from analyzer.deps.pipconfig import redact_text, redact_url
from analyzer.errors import PackageIndexError

logger = logging.getLogger(__name__)

JSON_CONTENT_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_CONTENT_TYPES = ("application/vnd.pypi.simple.v1+html", "text/html")
ACCEPT = f"{JSON_CONTENT_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"

METADATA_TTL_SECONDS = 30 * 24 * 3600
"""A file's metadata never changes once uploaded; a month bounds the cache's growth."""
MAX_PAGE_BYTES = 64 * 1024 * 1024
MAX_WHEEL_BYTES = 256 * 1024 * 1024
MAX_SDIST_PROBE_BYTES = 8 * 1024 * 1024
"""Larger sdists are not downloaded to look inside: whether they hold C code stays unknown."""
MAX_METADATA_BYTES = 4 * 1024 * 1024

_SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz", ".tar")
_NATIVE_SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".pyx", ".rs", ".f", ".f90", ".go")


@dataclass(frozen=True)
class DistributionFile:
    """One file of a project on an index: a wheel or an sdist."""

    filename: str
    url: str
    """Absolute URL, without credentials (they are added per host when it is fetched)."""
    project: NormalizedName
    version: Version
    is_wheel: bool
    tags: frozenset[Tag]
    requires_python: SpecifierSet | None
    yanked: str | None
    """``None`` when not yanked, else the reason (possibly empty)."""
    metadata_url: str | None
    """PEP 658 metadata file, when the index offers one."""
    size: int | None = None


@dataclass(frozen=True)
class SdistProbe:
    """What a look inside a small sdist told: its PKG-INFO and whether it holds native code."""

    pkg_info: bytes | None
    has_native_code: bool


def _file_from_link(
    project: NormalizedName,
    filename: str,
    url: str,
    requires_python: str | None,
    yanked: str | None,
    metadata: bool,
    size: int | None,
) -> DistributionFile | None:
    is_wheel = filename.endswith(".whl")
    try:
        if is_wheel:
            name, version, _build, tags = parse_wheel_filename(filename)
        elif filename.endswith(_SDIST_SUFFIXES):
            stem = filename
            for suffix in _SDIST_SUFFIXES:
                if stem.endswith(suffix):
                    stem = stem[: -len(suffix)]
                    break
            name, version = parse_sdist_filename(f"{stem}.tar.gz")
            tags = frozenset()
        else:
            return None
    except (InvalidWheelFilename, InvalidSdistFilename, ValueError):
        logger.debug("skipping unparseable file name %s", filename)
        return None
    if name != project:
        return None
    specifier: SpecifierSet | None = None
    if requires_python and requires_python.strip():
        try:
            specifier = SpecifierSet(requires_python)
        except InvalidSpecifier:
            # pip ignores a Requires-Python it cannot parse, and so do we.
            specifier = None
    clean_url = urllib.parse.urldefrag(url).url
    return DistributionFile(
        filename=filename,
        url=clean_url,
        project=project,
        version=version,
        is_wheel=is_wheel,
        tags=tags,
        requires_python=specifier,
        yanked=yanked,
        metadata_url=f"{clean_url}.metadata" if metadata else None,
        size=size,
    )


class _SimpleHTMLParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[dict[str, str | None]] = []
        self.base_href: str | None = None
        self.start_tags = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.start_tags += 1
        if tag == "base" and self.base_href is None:
            self.base_href = dict(attrs).get("href")
        elif tag == "a":
            anchor = dict(attrs)
            self.anchors.append(anchor)


def _anchor_text_name(anchor: dict[str, str | None], url: str) -> str:
    path = urllib.parse.urlsplit(url).path
    return urllib.parse.unquote(path.rsplit("/", 1)[-1])


def parse_html_page(project: NormalizedName, body: bytes, page_url: str) -> list[dict[str, Any]]:
    """The file entries of a PEP 503 project page, as JSON-like dictionaries."""
    text = body.decode("utf-8", errors="replace")
    parser = _SimpleHTMLParser()
    parser.feed(text)
    parser.close()
    if parser.start_tags == 0:
        raise ValueError("the page is not HTML")
    base = urllib.parse.urljoin(page_url, parser.base_href) if parser.base_href else page_url
    entries: list[dict[str, Any]] = []
    for anchor in parser.anchors:
        href = anchor.get("href")
        if not href:
            continue
        url = urllib.parse.urljoin(base, href)
        metadata = anchor.get("data-core-metadata") or anchor.get("data-dist-info-metadata")
        entries.append(
            {
                "filename": _anchor_text_name(anchor, urllib.parse.urldefrag(url).url),
                "url": url,
                "requires-python": anchor.get("data-requires-python"),
                "yanked": anchor.get("data-yanked") if "data-yanked" in anchor else False,
                "core-metadata": bool(metadata) and metadata != "false",
            }
        )
    return entries


def parse_json_page(body: bytes, page_url: str) -> list[dict[str, Any]]:
    """The file entries of a PEP 691 project page, normalised."""
    document = json.loads(body.decode("utf-8"))
    if not isinstance(document, dict) or not isinstance(document.get("files"), list):
        raise ValueError("the JSON page has no 'files' list")
    version = str(document.get("meta", {}).get("api-version", "1.0"))
    if not version.startswith("1."):
        raise ValueError(f"unsupported Simple API version {version}")
    entries: list[dict[str, Any]] = []
    for item in document["files"]:
        if not isinstance(item, dict) or not isinstance(item.get("filename"), str):
            raise ValueError("a file entry has no filename")
        metadata = item.get("core-metadata", item.get("dist-info-metadata", False))
        size = item.get("size")
        entries.append(
            {
                "filename": item["filename"],
                "url": urllib.parse.urljoin(page_url, str(item.get("url", ""))),
                "requires-python": item.get("requires-python"),
                "yanked": item.get("yanked", False),
                "core-metadata": bool(metadata),
                "size": size if isinstance(size, int) else None,
            }
        )
    return entries


def _files_from_entries(
    project: NormalizedName, entries: Iterable[dict[str, Any]]
) -> list[DistributionFile]:
    files: list[DistributionFile] = []
    for entry in entries:
        yanked_value = entry.get("yanked", False)
        if yanked_value is False or yanked_value is None:
            yanked = None
        else:
            yanked = yanked_value if isinstance(yanked_value, str) else ""
        distribution = _file_from_link(
            project,
            str(entry["filename"]),
            str(entry["url"]),
            entry.get("requires-python"),
            yanked,
            bool(entry.get("core-metadata")),
            entry.get("size"),
        )
        if distribution is not None:
            files.append(distribution)
    return files


class _Credentials:
    """User names and passwords per host, taken out of index URLs."""

    def __init__(self) -> None:
        self._by_host: dict[str, str] = {}

    def strip(self, url: str) -> str:
        """``url`` without its userinfo, remembering the credentials for its host."""
        parts = urllib.parse.urlsplit(url)
        if parts.username is None:
            return url
        user = urllib.parse.unquote(parts.username)
        password = urllib.parse.unquote(parts.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        self._by_host[netloc] = f"Basic {token}"
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))

    def header_for(self, url: str) -> str | None:
        return self._by_host.get(urllib.parse.urlsplit(url).netloc)


@dataclass(frozen=True)
class _Response:
    body: bytes
    content_type: str
    url: str


class _NotFound(Exception):
    pass


class IndexUnreachableError(PackageIndexError):
    """An index that did not answer at all: later requests to it fail at once."""


class IndexClient:
    """Project pages, core metadata and sdist probes from one or more Simple API indexes.

    Answers are kept in memory for the client's life (a run) and, when a ``cache`` is given,
    on disk for its time-to-live, so a fleet sharing pins asks the index once per project.
    Every error raised is a :class:`PackageIndexError` whose text holds no credentials.
    """

    def __init__(
        self,
        index_urls: Sequence[str],
        *,
        timeout: float = 15.0,
        cache: DiskCache | None = None,
        workers: int = 8,
    ) -> None:
        self._credentials = _Credentials()
        self.index_urls = tuple(
            self._credentials.strip(url).rstrip("/") + "/" for url in index_urls
        )
        self.timeout = timeout
        self.cache = cache
        self.workers = workers
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self._pages: dict[str, tuple[DistributionFile, ...]] = {}
        self._metadata: dict[str, Message | None] = {}
        self._probes: dict[str, SdistProbe | None] = {}
        self._failures: dict[str, PackageIndexError] = {}

    @property
    def display_urls(self) -> tuple[str, ...]:
        """The index URLs as they may be shown (no credentials)."""
        return tuple(redact_url(url) for url in self.index_urls)

    def _key_lock(self, key: str) -> threading.Lock:
        with self._lock:
            return self._key_locks.setdefault(key, threading.Lock())

    def _open(self, url: str, accept: str | None, max_bytes: int) -> _Response:
        if url.startswith("file:"):
            return self._open_file(url, max_bytes)
        request = urllib.request.Request(url, headers={"User-Agent": "lambda-analyzer"})
        if accept:
            request.add_header("Accept", accept)
        authorization = self._credentials.header_for(url)
        if authorization:
            # Not forwarded on a redirect to another host.
            request.add_unredirected_header("Authorization", authorization)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(max_bytes + 1)
                if len(body) > max_bytes:
                    raise PackageIndexError(f"{redact_url(url)}: answer larger than {max_bytes}")
                content_type = response.headers.get_content_type()
                return _Response(body, content_type, response.geturl())
        except urllib.error.HTTPError as error:
            if error.code in (404, 410):
                raise _NotFound(url) from None
            raise PackageIndexError(
                f"{redact_url(url)}: HTTP {error.code} {redact_text(str(error.reason))}"
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            raise IndexUnreachableError(
                f"{redact_url(url)}: cannot be reached ({redact_text(str(reason))})"
            ) from None

    def _open_file(self, url: str, max_bytes: int) -> _Response:
        path = Path(urllib.request.url2pathname(urllib.parse.urlsplit(url).path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            raise _NotFound(url)
        try:
            if path.stat().st_size > max_bytes:
                raise PackageIndexError(f"{url}: file larger than {max_bytes}")
            body = path.read_bytes()
        except OSError as error:
            raise PackageIndexError(f"{url}: cannot be read ({error.strerror})") from None
        content_type = (
            "text/html" if path.suffix in (".html", ".htm") else "application/octet-stream"
        )
        return _Response(body, content_type, path.as_uri())

    def _index_failure(self, index_url: str) -> PackageIndexError | None:
        with self._lock:
            return self._failures.get(index_url)

    def _page_from_index(self, index_url: str, project: NormalizedName) -> list[DistributionFile]:
        failure = self._index_failure(index_url)
        if failure is not None:
            raise failure
        cache_key = f"page:{index_url}{project}/"
        cached = self.cache.get(cache_key) if self.cache is not None else None
        if cached is not None:
            return _files_from_entries(project, json.loads(cached))
        page_url = f"{index_url}{project}/"
        try:
            response = self._open(page_url, ACCEPT, MAX_PAGE_BYTES)
        except _NotFound:
            entries: list[dict[str, Any]] = []
        except IndexUnreachableError as error:
            with self._lock:
                self._failures[index_url] = error
            raise
        else:
            entries = self._parse_page(project, response)
        if self.cache is not None:
            self.cache.put(cache_key, json.dumps(entries).encode())
        return _files_from_entries(project, entries)

    def _parse_page(self, project: NormalizedName, response: _Response) -> list[dict[str, Any]]:
        shown = redact_url(response.url)
        try:
            if response.content_type == JSON_CONTENT_TYPE:
                return parse_json_page(response.body, response.url)
            if response.content_type in HTML_CONTENT_TYPES:
                return parse_html_page(project, response.body, response.url)
        except (ValueError, UnicodeDecodeError, TypeError, AttributeError) as error:
            raise PackageIndexError(
                f"{shown}: not a Simple API page ({redact_text(str(error))})"
            ) from None
        raise PackageIndexError(f"{shown}: not a Simple API page ({response.content_type})")

    def project_files(self, name: str) -> tuple[DistributionFile, ...]:
        """Every file of project ``name`` on every index (an unknown project has none)."""
        project = canonicalize_name(name)
        with self._key_lock(f"page:{project}"):
            if project in self._pages:
                return self._pages[project]
            files: list[DistributionFile] = []
            for index_url in self.index_urls:
                files.extend(self._page_from_index(index_url, project))
            unique = tuple({file.url: file for file in files}.values())
            self._pages[project] = unique
            return unique

    def prefetch(self, names: Iterable[str]) -> dict[str, PackageIndexError]:
        """Fetch many project pages at once; the errors, by project, are returned."""
        errors: dict[str, PackageIndexError] = {}

        def fetch(name: str) -> None:
            try:
                self.project_files(name)
            except PackageIndexError as error:
                errors[name] = error

        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            list(pool.map(fetch, sorted(set(names))))
        return errors

    def core_metadata(self, file: DistributionFile) -> Message | None:
        """The METADATA of a wheel (PEP 658 file, else read from the wheel), or PKG-INFO of
        a small sdist when it lists its requirements; ``None`` when unknown."""
        with self._key_lock(f"meta:{file.url}"):
            if file.url in self._metadata:
                return self._metadata[file.url]
            raw = self._cached_metadata(file)
            message = _parse_metadata(raw) if raw else None
            self._metadata[file.url] = message
            return message

    def _cached_metadata(self, file: DistributionFile) -> bytes | None:
        cache_key = f"meta:{file.url}"
        if self.cache is not None:
            cached = self.cache.get(cache_key, METADATA_TTL_SECONDS)
            if cached is not None:
                return cached or None
        raw = self._fetch_metadata(file)
        if self.cache is not None:
            self.cache.put(cache_key, raw or b"")
        return raw

    def _fetch_metadata(self, file: DistributionFile) -> bytes | None:
        if file.metadata_url is not None:
            try:
                return self._open(file.metadata_url, None, MAX_METADATA_BYTES).body
            except (_NotFound, PackageIndexError) as error:
                logger.debug("no PEP 658 metadata at %s: %s", redact_url(file.metadata_url), error)
        if file.is_wheel:
            # TODO: the whole wheel is downloaded when the index has no PEP 658 metadata
            # (HTTP range requests for the zip's central directory, as pip's lazy wheel does).
            try:
                body = self._open(file.url, None, MAX_WHEEL_BYTES).body
            except _NotFound:
                raise PackageIndexError(f"{redact_url(file.url)}: listed but missing") from None
            return _metadata_from_wheel(body, file.filename)
        probe = self.sdist_probe(file)
        if probe is None or probe.pkg_info is None:
            return None
        message = _parse_metadata(probe.pkg_info)
        # An sdist's PKG-INFO is only trusted for requirements when it lists them.
        return probe.pkg_info if message.get_all("Requires-Dist") else None

    def sdist_probe(self, file: DistributionFile) -> SdistProbe | None:
        """A look inside a small sdist; ``None`` when it is too large or unreadable."""
        if file.size is not None and file.size > MAX_SDIST_PROBE_BYTES:
            return None
        with self._key_lock(f"probe:{file.url}"):
            if file.url in self._probes:
                return self._probes[file.url]
            probe = self._cached_probe(file)
            self._probes[file.url] = probe
            return probe

    def _cached_probe(self, file: DistributionFile) -> SdistProbe | None:
        cache_key = f"probe:{file.url}"
        if self.cache is not None:
            cached = self.cache.get(cache_key, METADATA_TTL_SECONDS)
            if cached is not None:
                return _probe_from_json(cached)
        try:
            body = self._open(file.url, None, MAX_SDIST_PROBE_BYTES).body
        except (_NotFound, PackageIndexError) as error:
            logger.debug("sdist %s not probed: %s", file.filename, error)
            return None
        probe = probe_sdist(body)
        if self.cache is not None:
            self.cache.put(cache_key, _probe_to_json(probe))
        return probe


def _probe_to_json(probe: SdistProbe | None) -> bytes:
    if probe is None:
        return b"null"
    pkg_info = probe.pkg_info.decode("utf-8", errors="replace") if probe.pkg_info else None
    return json.dumps({"pkg_info": pkg_info, "native": probe.has_native_code}).encode()


def _probe_from_json(raw: bytes) -> SdistProbe | None:
    document = json.loads(raw)
    if document is None:
        return None
    pkg_info = document["pkg_info"].encode() if document["pkg_info"] is not None else None
    return SdistProbe(pkg_info, bool(document["native"]))


def _parse_metadata(raw: bytes) -> Message:
    return email.parser.BytesParser(policy=email.policy.compat32).parsebytes(raw)


def _metadata_from_wheel(body: bytes, filename: str) -> bytes | None:
    """METADATA of the ``*.dist-info`` folder at the top of a wheel, read without extracting."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as wheel:
            for member in wheel.infolist():
                parts = member.filename.split("/")
                if len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] == "METADATA":
                    if member.file_size > MAX_METADATA_BYTES:
                        return None
                    return wheel.read(member)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise PackageIndexError(f"{filename}: not a readable wheel ({error})") from None
    return None


def probe_sdist(body: bytes) -> SdistProbe | None:
    """PKG-INFO at the top of an sdist and whether any member is C, C++, Cython or Rust.

    Member names are only listed and one small member read; nothing is extracted.
    """
    names: list[str] = []
    pkg_info: bytes | None = None
    try:
        if body[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                for member in archive.infolist():
                    names.append(member.filename)
                    if _is_top_pkg_info(member.filename) and member.file_size < MAX_METADATA_BYTES:
                        pkg_info = archive.read(member)
        else:
            with tarfile.open(fileobj=io.BytesIO(body), mode="r:*") as archive:
                for tar_member in archive:
                    names.append(tar_member.name)
                    if (
                        tar_member.isfile()
                        and _is_top_pkg_info(tar_member.name)
                        and tar_member.size < MAX_METADATA_BYTES
                    ):
                        extracted = archive.extractfile(tar_member)
                        pkg_info = extracted.read() if extracted is not None else None
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None
    native = any(
        name.lower().endswith(_NATIVE_SOURCE_SUFFIXES) or name.endswith("/Cargo.toml")
        for name in names
    )
    return SdistProbe(pkg_info, native)


def _is_top_pkg_info(name: str) -> bool:
    parts = name.strip("/").split("/")
    return len(parts) == 2 and parts[1] == "PKG-INFO"
