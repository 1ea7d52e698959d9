"""Safe extraction of deployment packages and layer zips, which are hostile until proved safe."""

from __future__ import annotations

import base64
import errno
import hashlib
import logging
import os
import re
import stat
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple, NoReturn

from analyzer.errors import ArchiveError

logger = logging.getLogger(__name__)

KIB = 1024
MIB = 1024 * KIB

LAMBDA_UNZIPPED_LIMIT = 250 * MIB
"""Lambda's cap on a function's unzipped code plus its layers.

Source: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
("Deployment package (.zip file archive) size: 250 MB (unzipped)").
"""

_COPY_CHUNK = 64 * KIB
_HASH_CHUNK = 1 * MIB

# Compression methods the standard library reads (stored, deflate, bzip2, lzma).
_READABLE_METHODS = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
_FLAG_ENCRYPTED = 0x1
_FLAG_UTF8_NAME = 0x800
_DRIVE_LETTER = re.compile(r"[A-Za-z]:")

# End of central directory records, from the .ZIP File Format Specification (APPNOTE.TXT),
# sections 4.3.14 to 4.3.16.
_EOCD = struct.Struct("<4s4H2LH")
_EOCD_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"
_LOCAL_HEADER_SIGNATURE = b"PK\x03\x04"
_MAX_COMMENT = 0xFFFF


@dataclass(frozen=True)
class ExtractionLimits:
    """Caps that stop a hostile archive; sizes are in bytes."""

    max_total_bytes: int = LAMBDA_UNZIPPED_LIMIT
    """Bytes written for all members together, counted while streaming."""
    max_member_bytes: int = LAMBDA_UNZIPPED_LIMIT
    """Bytes written for one member, counted while streaming."""
    max_members: int = 100_000
    """Entries in the central directory, files and folders alike."""
    max_ratio: float = 200.0
    """How many times its compressed size a member may expand to."""
    ratio_floor_bytes: int = 1 * MIB
    """The ratio is only enforced past this many bytes: small files compress unusually well."""
    max_archive_bytes: int = LAMBDA_UNZIPPED_LIMIT
    """Size of the zip file itself; a zip is never much larger than what it holds."""


DEFAULT_LIMITS = ExtractionLimits()


class SkippedMember(NamedTuple):
    """A member that was not extracted, and why."""

    name: str
    reason: str


@dataclass(frozen=True)
class ExtractionResult:
    """What an extraction wrote, and which members it refused."""

    files_extracted: int
    total_bytes: int
    """Bytes written to regular files."""
    skipped: tuple[SkippedMember, ...] = ()


class IncompleteExtractionError(ArchiveError):
    """Extraction began but stopped: a cap was reached or a member was corrupt.

    What was extracted before the stop is left on disk and described by ``result``; the
    member being written when it stopped is removed.
    """

    def __init__(self, message: str, result: ExtractionResult) -> None:
        super().__init__(message)
        self.result = result


def sha256_base64(path: Path) -> str:
    """The base64 of the SHA-256 digest of ``path``: the format of Lambda's ``CodeSha256``."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_HASH_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise ArchiveError(f"{path.name} cannot be read: {exc.strerror or exc}") from exc
    return base64.b64encode(digest.digest()).decode("ascii")


def safe_extract(
    archive: Path, destination: Path, limits: ExtractionLimits = DEFAULT_LIMITS
) -> ExtractionResult:
    """Extract the zip ``archive`` into ``destination``, a fresh empty folder the caller made.

    Members whose path would leave ``destination``, links, device files, encrypted members,
    members in an unsupported compression method and repeated names are skipped and listed in
    the result. No permission bit comes from the archive: files are written ``0o644`` (less
    the umask). Sizes are counted as bytes are written, never taken from the headers alone.

    Raises ``ArchiveError`` when the file is not a readable zip or breaks a cap before
    anything is written, and ``IncompleteExtractionError`` (an ``ArchiveError``) when a cap is
    reached or a member proves corrupt part way through.
    """
    _check_destination(destination)
    label = archive.name
    try:
        archive_size = archive.stat().st_size
        stream = archive.open("rb")
    except OSError as exc:
        raise ArchiveError(f"{label} cannot be read: {exc.strerror or exc}") from exc
    with stream:
        if archive_size > limits.max_archive_bytes:
            raise ArchiveError(
                f"{label} is larger than the {_size_text(limits.max_archive_bytes)} limit "
                "for an archive"
            )
        _check_directory_claims(stream, archive_size, label, limits)
        with _open_zip(stream, label) as zip_file:
            return _Extraction(zip_file, destination, label, limits).run()


def _check_destination(destination: Path) -> None:
    if not destination.is_dir():
        raise ValueError(f"extraction destination {destination} is not a folder")
    if any(destination.iterdir()):
        raise ValueError(f"extraction destination {destination} is not empty")


def _check_directory_claims(
    stream: IO[bytes], archive_size: int, label: str, limits: ExtractionLimits
) -> None:
    """Refuse a file with no end-of-central-directory record, or one claiming too many members.

    The member count is read from the record itself so that a hostile archive is refused
    before the standard library builds an object for every entry.
    """
    # TODO: a record that understates the count still lets zipfile build one ZipInfo per
    # central directory entry before the exact count is checked; memory is bounded only by
    # max_archive_bytes (a central directory reader that stops at max_members would retire it).
    tail_size = min(archive_size, _EOCD.size + _MAX_COMMENT)
    stream.seek(archive_size - tail_size)
    tail = stream.read(tail_size)
    position = tail.rfind(_EOCD_SIGNATURE)
    if position < 0 or position + _EOCD.size > len(tail):
        stream.seek(0)
        if stream.read(4) == _LOCAL_HEADER_SIGNATURE:
            raise ArchiveError(f"{label} is a truncated zip archive (no central directory)")
        raise ArchiveError(f"{label} is not a zip archive")

    record = _EOCD.unpack_from(tail, position)
    entries: int = record[4]
    if entries == 0xFFFF:
        eocd_offset = archive_size - tail_size + position
        entries = _zip64_entries(stream, eocd_offset, archive_size) or entries
    if entries > limits.max_members:
        raise ArchiveError(
            f"{label} has {entries} members, more than the limit of {limits.max_members}"
        )
    stream.seek(0)


def _zip64_entries(stream: IO[bytes], eocd_offset: int, archive_size: int) -> int | None:
    """The entry count of the zip64 end record, when the archive has a readable one."""
    locator_offset = eocd_offset - _ZIP64_LOCATOR.size
    if locator_offset < 0:
        return None
    stream.seek(locator_offset)
    locator = stream.read(_ZIP64_LOCATOR.size)
    if len(locator) < _ZIP64_LOCATOR.size or not locator.startswith(_ZIP64_LOCATOR_SIGNATURE):
        return None
    record_offset: int = _ZIP64_LOCATOR.unpack(locator)[2]
    if record_offset > archive_size:
        return None
    stream.seek(record_offset)
    record = stream.read(_ZIP64_EOCD.size)
    if len(record) < _ZIP64_EOCD.size or not record.startswith(_ZIP64_EOCD_SIGNATURE):
        return None
    entries: int = _ZIP64_EOCD.unpack(record)[7]
    return entries


def _open_zip(stream: IO[bytes], label: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(stream)
    except UnicodeDecodeError as exc:
        # The standard library decodes names flagged as UTF-8 strictly while it reads the
        # central directory, so one such name makes the whole archive unreadable.
        # TODO: skip just that member (needs a central directory reader of our own, or a
        # zipfile option to decode flagged names leniently).
        raise ArchiveError(
            f"{label} has a member name marked as UTF-8 that is not valid UTF-8"
        ) from exc
    except NotImplementedError as exc:
        # A member whose "version needed to extract" is beyond what the library implements.
        raise ArchiveError(f"{label} needs a zip feature that cannot be read here ({exc})") from exc
    except (zipfile.BadZipFile, EOFError, ValueError, struct.error) as exc:
        raise ArchiveError(f"{label} is a corrupt zip archive ({exc})") from exc


def member_name(info: zipfile.ZipInfo) -> str:
    """The name of a member, decoded as its writer most likely meant it.

    The standard library decodes a name without the UTF-8 flag (bit 11) as cp437, but most
    tools on Linux and macOS write UTF-8 there without setting the flag. Such a name is
    re-read as UTF-8 when it is valid UTF-8, and left as cp437 otherwise; cp437 maps every
    byte, so decoding never fails.
    """
    if info.flag_bits & _FLAG_UTF8_NAME:
        return info.filename
    raw = info.filename.encode("cp437")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return info.filename


def _path_parts(name: str) -> tuple[tuple[str, ...], str | None]:
    """The folders and file name of a member path, or the reason it is refused."""
    if "\\" in name:
        return (), "backslash in path"
    if name.startswith("/"):
        return (), "absolute path"
    if _DRIVE_LETTER.match(name):
        return (), "drive letter in path"
    parts = tuple(part for part in name.split("/") if part not in ("", "."))
    if ".." in parts:
        return (), "parent folder reference (..) in path"
    return parts, None


def _type_refusal(info: zipfile.ZipInfo) -> str | None:
    """The reason a member is not a plain file or folder, from its Unix mode bits."""
    file_type = stat.S_IFMT(info.external_attr >> 16)
    if file_type in (0, stat.S_IFREG, stat.S_IFDIR):
        return None
    if file_type == stat.S_IFLNK:
        return "symbolic link"
    if file_type in (stat.S_IFCHR, stat.S_IFBLK):
        return "device file"
    if file_type == stat.S_IFIFO:
        return "fifo"
    if file_type == stat.S_IFSOCK:
        return "socket"
    return "unknown file type"


def _is_folder(info: zipfile.ZipInfo) -> bool:
    return info.filename.endswith("/") or stat.S_ISDIR(info.external_attr >> 16)


def _printable(name: str) -> str:
    """A member name fit for a one-line message: control characters escaped."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in name)


def _size_text(size: int) -> str:
    if size and size % MIB == 0:
        return f"{size // MIB} MiB"
    if size and size % KIB == 0:
        return f"{size // KIB} KiB"
    return f"{size} bytes"


class _Extraction:
    """One pass over an archive's members, holding the counts the caps are checked against."""

    def __init__(
        self, zip_file: zipfile.ZipFile, destination: Path, label: str, limits: ExtractionLimits
    ) -> None:
        self.zip_file = zip_file
        self.root = destination.resolve()
        self.label = label
        self.limits = limits
        self.files_extracted = 0
        self.total_bytes = 0
        self.skipped: list[SkippedMember] = []
        self.seen: set[tuple[str, ...]] = set()

    def result(self) -> ExtractionResult:
        return ExtractionResult(self.files_extracted, self.total_bytes, tuple(self.skipped))

    def run(self) -> ExtractionResult:
        members = self.zip_file.infolist()
        if len(members) > self.limits.max_members:
            raise ArchiveError(
                f"{self.label} has {len(members)} members, "
                f"more than the limit of {self.limits.max_members}"
            )
        for info in members:
            name = member_name(info)
            reason = self.extract_member(info, name)
            if reason is not None:
                logger.info("%s: skipped member %r: %s", self.label, name, reason)
                self.skipped.append(SkippedMember(name, reason))
        return self.result()

    def extract_member(self, info: zipfile.ZipInfo, name: str) -> str | None:
        """Extract one member; the reason it was skipped, or None."""
        parts, reason = _path_parts(name)
        if reason is not None:
            return reason
        reason = _type_refusal(info)
        if reason is not None:
            return reason
        if _is_folder(info):
            return self.make_folder(parts)
        if not parts:
            return "empty name"
        if info.flag_bits & _FLAG_ENCRYPTED:
            return "encrypted"
        if info.compress_type not in _READABLE_METHODS:
            return f"unsupported compression method {info.compress_type}"
        if parts in self.seen:
            return "duplicate name"
        self.seen.add(parts)
        return self.write_file(info, name, parts)

    def make_folder(self, parts: tuple[str, ...]) -> str | None:
        try:
            self.root.joinpath(*parts).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return _creation_refusal(exc)
        return None

    def write_file(self, info: zipfile.ZipInfo, name: str, parts: tuple[str, ...]) -> str | None:
        self.check_declared_size(info, name)
        target = self.root.joinpath(*parts)
        if not target.resolve().is_relative_to(self.root):
            return "path escapes the destination"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            # O_EXCL and O_NOFOLLOW: never write through a link or over an existing file.
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            descriptor = os.open(target, flags | getattr(os, "O_BINARY", 0), 0o644)
        except OSError as exc:
            return _creation_refusal(exc)
        try:
            with os.fdopen(descriptor, "wb") as output:
                written = self.copy_member(info, name, output)
        except NotImplementedError as exc:
            target.unlink(missing_ok=True)
            return f"unsupported zip feature ({exc})"
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        self.files_extracted += 1
        self.total_bytes += written
        return None

    def check_declared_size(self, info: zipfile.ZipInfo, name: str) -> None:
        """Refuse a member whose header already admits breaking a cap, before reading it."""
        if info.file_size > self.limits.max_member_bytes:
            self.stop(f"member {_printable(name)} is larger than {self.member_limit_text()}")
        if self.expands_too_much(info.file_size, info.compress_size):
            self.stop(f"member {_printable(name)} {self.ratio_text()}")

    def copy_member(self, info: zipfile.ZipInfo, name: str, output: IO[bytes]) -> int:
        """Stream one member into ``output``, counting real bytes against every cap.

        The header's sizes are not trusted: the caps are checked on the bytes as they come.
        """
        written = 0
        try:
            source = self.zip_file.open(info)
        except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
            self.stop(f"member {_printable(name)} is corrupt ({exc})")
        with source:
            while chunk := self.read_chunk(source, name):
                written += len(chunk)
                self.check_streamed_size(info, name, written)
                try:
                    output.write(chunk)
                except OSError as exc:
                    self.stop(f"member {_printable(name)} cannot be written ({exc.strerror})")
        return written

    def read_chunk(self, source: IO[bytes], name: str) -> bytes:
        try:
            return source.read(_COPY_CHUNK)
        except Exception as exc:
            # Hostile data fails inside the decompressors, each with its own error type
            # (zlib.error, lzma.LZMAError, OSError from bz2, BadZipFile for a CRC mismatch):
            # whichever it is, the member is corrupt.
            self.stop(f"member {_printable(name)} is corrupt ({exc})")

    def check_streamed_size(self, info: zipfile.ZipInfo, name: str, written: int) -> None:
        if written > self.limits.max_member_bytes:
            self.stop(f"member {_printable(name)} is larger than {self.member_limit_text()}")
        if self.total_bytes + written > self.limits.max_total_bytes:
            self.stop(
                f"content is larger than the {_size_text(self.limits.max_total_bytes)} limit "
                f"for a whole archive (stopped at member {_printable(name)})"
            )
        if self.expands_too_much(written, info.compress_size):
            self.stop(f"member {_printable(name)} {self.ratio_text()}")

    def expands_too_much(self, size: int, compressed_size: int) -> bool:
        if size <= self.limits.ratio_floor_bytes:
            return False
        return size > self.limits.max_ratio * max(compressed_size, 1)

    def member_limit_text(self) -> str:
        return f"the {_size_text(self.limits.max_member_bytes)} limit for one file"

    def ratio_text(self) -> str:
        ratio = self.limits.max_ratio
        shown = int(ratio) if float(ratio).is_integer() else ratio
        return f"expands more than {shown} times its compressed size"

    def stop(self, detail: str) -> NoReturn:
        raise IncompleteExtractionError(f"{self.label}: {detail}", self.result())


def _creation_refusal(exc: OSError) -> str:
    if exc.errno in (errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
        return "conflicts with an earlier member"
    return f"cannot be written ({exc.strerror or exc})"
