"""Safe extraction of hostile zips, on real archives built by the tests."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import random
import shutil
import stat
import struct
import subprocess
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer.errors import ArchiveError
from analyzer.fetch.archive import (
    KIB,
    MIB,
    ExtractionLimits,
    ExtractionResult,
    IncompleteExtractionError,
    SkippedMember,
    member_name,
    safe_extract,
    sha256_base64,
)

Tree = Callable[[Path], list[str]]
MakeZip = Callable[..., Path]

# Field offsets in a local file header and a central directory entry (APPNOTE.TXT 4.3.7, 4.3.12).
LOCAL_FLAGS, LOCAL_METHOD, LOCAL_FILE_SIZE = 6, 8, 22
CENTRAL_VERSION_NEEDED, CENTRAL_FLAGS, CENTRAL_METHOD, CENTRAL_FILE_SIZE = 6, 8, 10, 24
CENTRAL_SIGNATURE = b"PK\x01\x02"
EOCD_SIGNATURE = b"PK\x05\x06"


def member(name: str, mode: int | None = None) -> zipfile.ZipInfo:
    """A ZipInfo as a Unix zip tool writes it, with ``mode`` in the external attributes."""
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.compress_type = zipfile.ZIP_DEFLATED
    if mode is not None:
        info.external_attr = mode << 16
    return info


def header_offsets(data: bytes, name: str) -> tuple[int, int]:
    """Where the local header and the central directory entry of ``name`` start."""
    with zipfile.ZipFile(io.BytesIO(data)) as zip_file:
        local = zip_file.getinfo(name).header_offset
    central = data.find(CENTRAL_SIGNATURE)
    while central >= 0:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == name.encode():
            return local, central
        central = data.find(CENTRAL_SIGNATURE, central + 4)
    raise AssertionError(f"no central directory entry for {name}")


def patch_field(
    archive: Path, name: str, offsets: tuple[int, int], field_format: str, value: int
) -> None:
    """Overwrite one field of ``name``'s local header and of its central directory entry."""
    data = bytearray(archive.read_bytes())
    local, central = header_offsets(bytes(data), name)
    struct.pack_into(field_format, data, local + offsets[0], value)
    struct.pack_into(field_format, data, central + offsets[1], value)
    archive.write_bytes(bytes(data))


def replace_bytes(archive: Path, old: bytes, new: bytes, count: int) -> None:
    data = archive.read_bytes()
    assert data.count(old) == count
    archive.write_bytes(data.replace(old, new))


def incompressible(size: int) -> bytes:
    return random.Random(size).randbytes(size)


@pytest.fixture
def destination(tmp_path: Path) -> Path:
    """A fresh folder two levels below the test's folder, so that '../..' stays observable."""
    folder = tmp_path / "work" / "unpacked" / "function"
    folder.mkdir(parents=True)
    return folder


# Ordinary archives


def test_plain_files_and_folders_are_extracted_with_their_content(
    make_zip: MakeZip, destination: Path, list_tree: Tree
) -> None:
    archive = make_zip(
        "function.zip",
        [
            ("app.py", b"def handler(e, c):\n    return 1\n"),
            ("pkg/", b""),
            ("pkg/mod.py", b"X=1\n"),
        ],
    )

    result = safe_extract(archive, destination)

    assert result == ExtractionResult(files_extracted=2, total_bytes=36, skipped=())
    assert list_tree(destination) == ["app.py", "pkg/", "pkg/mod.py"]
    assert (destination / "pkg" / "mod.py").read_bytes() == b"X=1\n"


def test_empty_zip_extracts_nothing(make_zip: MakeZip, destination: Path) -> None:
    archive = make_zip("function.zip", [])

    assert safe_extract(archive, destination) == ExtractionResult(0, 0, ())
    assert list(destination.iterdir()) == []


def test_folder_only_zip_creates_the_folders(
    make_zip: MakeZip, destination: Path, list_tree: Tree
) -> None:
    archive = make_zip("layer.zip", [("python/", b""), ("python/lib/", b""), ("./", b"")])

    assert safe_extract(archive, destination) == ExtractionResult(0, 0, ())
    assert list_tree(destination) == ["python/", "python/lib/"]


def test_deeply_nested_paths_are_extracted(make_zip: MakeZip, destination: Path) -> None:
    name = "/".join(f"level{depth}" for depth in range(60)) + "/leaf.py"
    archive = make_zip("function.zip", [(name, b"leaf = True\n")])

    assert safe_extract(archive, destination) == ExtractionResult(1, 12, ())
    assert destination.joinpath(*name.split("/")).read_bytes() == b"leaf = True\n"


def test_dot_segments_and_repeated_slashes_are_normalised(
    make_zip: MakeZip, destination: Path, list_tree: Tree
) -> None:
    archive = make_zip("function.zip", [("./src//app.py", b"A\n")])

    assert safe_extract(archive, destination) == ExtractionResult(1, 2, ())
    assert list_tree(destination) == ["src/", "src/app.py"]


def test_extracting_a_real_case_reproduces_its_files(
    cases_dir: Path, tmp_path: Path, destination: Path
) -> None:
    function_dir = cases_dir / "feature-flags-attrdict" / "function"
    archive = Path(shutil.make_archive(str(tmp_path / "function"), "zip", function_dir))
    originals = {
        path.relative_to(function_dir).as_posix(): path.read_bytes()
        for path in function_dir.rglob("*")
        if path.is_file()
    }

    result = safe_extract(archive, destination)

    extracted = {
        path.relative_to(destination).as_posix(): path.read_bytes()
        for path in destination.rglob("*")
        if path.is_file()
    }
    assert extracted == originals
    assert result == ExtractionResult(
        len(originals), sum(len(content) for content in originals.values()), ()
    )


# Paths that leave the destination


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../../evil.py", "parent folder reference (..) in path"),
        ("pkg/../../../evil.py", "parent folder reference (..) in path"),
        ("C:/evil.py", "drive letter in path"),
        ("c:evil.py", "drive letter in path"),
        ("..\\..\\evil.py", "backslash in path"),
        ("pkg\\evil.py", "backslash in path"),
    ],
)
def test_member_paths_that_could_escape_are_skipped(
    make_zip: MakeZip, destination: Path, tmp_path: Path, list_tree: Tree, name: str, reason: str
) -> None:
    archive = make_zip("function.zip", [("app.py", b"A\n"), (name, b"import os\n")])

    result = safe_extract(archive, destination)

    assert result == ExtractionResult(1, 2, (SkippedMember(name, reason),))
    assert list_tree(destination) == ["app.py"]
    assert list_tree(tmp_path) == [
        "function.zip",
        "work/",
        "work/unpacked/",
        "work/unpacked/function/",
        "work/unpacked/function/app.py",
    ]


def test_absolute_member_path_is_skipped(
    make_zip: MakeZip, destination: Path, tmp_path: Path, list_tree: Tree
) -> None:
    # An absolute path inside the test's own folder: were it written, the test would see it.
    absolute = (tmp_path / "outside" / "evil.py").as_posix()
    archive = make_zip("function.zip", [(absolute, b"import os\n")])

    result = safe_extract(archive, destination)

    assert result == ExtractionResult(0, 0, (SkippedMember(absolute, "absolute path"),))
    assert list_tree(tmp_path) == [
        "function.zip",
        "work/",
        "work/unpacked/",
        "work/unpacked/function/",
    ]


# Links, special files, permissions


def test_symlink_member_is_neither_created_nor_followed(
    make_zip: MakeZip, destination: Path, tmp_path: Path, list_tree: Tree
) -> None:
    link = member("escape", stat.S_IFLNK | 0o777)
    archive = make_zip(
        "function.zip",
        [(link, b"../../.."), ("escape/evil.py", b"written through the link?\n")],
    )

    result = safe_extract(archive, destination)

    assert result == ExtractionResult(1, 26, (SkippedMember("escape", "symbolic link"),))
    assert not (destination / "escape").is_symlink()
    assert list_tree(destination) == ["escape/", "escape/evil.py"]
    assert list_tree(tmp_path) == [
        "function.zip",
        "work/",
        "work/unpacked/",
        "work/unpacked/function/",
        "work/unpacked/function/escape/",
        "work/unpacked/function/escape/evil.py",
    ]


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        (stat.S_IFIFO | 0o644, "fifo"),
        (stat.S_IFCHR | 0o666, "device file"),
        (stat.S_IFBLK | 0o660, "device file"),
        (stat.S_IFSOCK | 0o755, "socket"),
        (0o170000 | 0o644, "unknown file type"),
    ],
)
def test_special_files_are_skipped(
    make_zip: MakeZip, destination: Path, mode: int, reason: str
) -> None:
    archive = make_zip("function.zip", [(member("node", mode), b"")])

    assert safe_extract(archive, destination) == ExtractionResult(
        0, 0, (SkippedMember("node", reason),)
    )
    assert list(destination.iterdir()) == []


def test_setuid_and_executable_bits_from_the_archive_are_not_applied(
    make_zip: MakeZip, destination: Path
) -> None:
    archive = make_zip(
        "function.zip",
        [
            (member("bootstrap", stat.S_IFREG | 0o6777), b"#!/bin/sh\n"),
            (member("bin/", 0o40777), b""),
        ],
    )

    safe_extract(archive, destination)

    file_mode = stat.S_IMODE((destination / "bootstrap").stat().st_mode)
    assert file_mode & (stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX | 0o111) == 0
    assert file_mode & 0o600 == 0o600


@pytest.mark.skipif(shutil.which("zip") is None, reason="the zip command is not installed")
def test_archive_made_by_the_zip_tool_with_a_stored_symlink(
    tmp_path: Path, destination: Path, list_tree: Tree
) -> None:
    source = tmp_path / "source"
    (source / "pkg").mkdir(parents=True)
    (source / "app.py").write_text("import pkg\n")
    (source / "pkg" / "__init__.py").write_text("")
    (source / "pkg" / "secrets").symlink_to("/etc/passwd")
    archive = tmp_path / "function.zip"
    subprocess.run(
        ["zip", "-q", "-r", "--symlinks", str(archive), "app.py", "pkg"],
        cwd=source,
        check=True,
    )

    result = safe_extract(archive, destination)

    assert result == ExtractionResult(2, 11, (SkippedMember("pkg/secrets", "symbolic link"),))
    assert list_tree(destination) == ["app.py", "pkg/", "pkg/__init__.py"]


# Sizes, ratios and member counts


def test_member_over_the_ratio_cap_stops_extraction_and_keeps_earlier_files(
    make_zip: MakeZip, destination: Path, list_tree: Tree
) -> None:
    archive = make_zip("function.zip", [("app.py", b"A\n"), ("zeros.bin", bytes(2 * MIB))])

    with pytest.raises(IncompleteExtractionError) as raised:
        safe_extract(archive, destination)

    assert str(raised.value) == (
        "function.zip: member zeros.bin expands more than 200 times its compressed size"
    )
    assert raised.value.result == ExtractionResult(1, 2, ())
    assert list_tree(destination) == ["app.py"]


def test_small_highly_compressible_files_are_not_held_to_the_ratio(
    make_zip: MakeZip, destination: Path
) -> None:
    archive = make_zip("function.zip", [("padding.txt", b" " * (512 * KIB))])

    assert safe_extract(archive, destination) == ExtractionResult(1, 512 * KIB, ())


def test_member_whose_header_states_more_than_the_member_cap_is_refused_unread(
    make_zip: MakeZip, destination: Path
) -> None:
    archive = make_zip("function.zip", [("big.bin", incompressible(1 * MIB + 1))])
    limits = ExtractionLimits(max_member_bytes=1 * MIB)

    with pytest.raises(IncompleteExtractionError) as raised:
        safe_extract(archive, destination, limits)

    assert (
        str(raised.value)
        == "function.zip: member big.bin is larger than the 1 MiB limit for one file"
    )
    assert list(destination.iterdir()) == []


def test_header_that_understates_a_bomb_stops_at_the_real_total_cap(
    make_zip: MakeZip, destination: Path, list_tree: Tree
) -> None:
    # bomb.bin is 8 MiB of zeros whose headers claim 600 KiB: under every cap, by the headers.
    first = incompressible(600 * KIB)
    archive = make_zip("function.zip", [("first.bin", first), ("bomb.bin", bytes(8 * MIB))])
    patch_field(archive, "bomb.bin", (LOCAL_FILE_SIZE, CENTRAL_FILE_SIZE), "<L", 600 * KIB)
    limits = ExtractionLimits(max_total_bytes=1 * MIB, max_member_bytes=1 * MIB)

    with pytest.raises(IncompleteExtractionError) as raised:
        safe_extract(archive, destination, limits)

    assert str(raised.value) == (
        "function.zip: content is larger than the 1 MiB limit for a whole archive "
        "(stopped at member bomb.bin)"
    )
    assert raised.value.result == ExtractionResult(1, 600 * KIB, ())
    assert list_tree(destination) == ["first.bin"]
    assert (destination / "first.bin").read_bytes() == first


def test_header_that_understates_a_member_never_yields_more_than_it_states(
    make_zip: MakeZip, destination: Path
) -> None:
    # The bytes beyond the stated size are never produced; the CRC then no longer matches.
    archive = make_zip("function.zip", [("bomb.bin", bytes(8 * MIB))])
    patch_field(archive, "bomb.bin", (LOCAL_FILE_SIZE, CENTRAL_FILE_SIZE), "<L", 1000)

    with pytest.raises(IncompleteExtractionError) as raised:
        safe_extract(archive, destination)

    assert str(raised.value) == (
        "function.zip: member bomb.bin is corrupt (Bad CRC-32 for file 'bomb.bin')"
    )
    assert raised.value.result == ExtractionResult(0, 0, ())
    assert list(destination.iterdir()) == []


def test_total_cap_counts_every_member(make_zip: MakeZip, destination: Path) -> None:
    archive = make_zip(
        "function.zip", [(f"part{index}.bin", incompressible(300 * KIB)) for index in range(4)]
    )
    limits = ExtractionLimits(max_total_bytes=1 * MIB)

    with pytest.raises(IncompleteExtractionError) as raised:
        safe_extract(archive, destination, limits)

    assert str(raised.value) == (
        "function.zip: content is larger than the 1 MiB limit for a whole archive "
        "(stopped at member part3.bin)"
    )
    assert raised.value.result == ExtractionResult(3, 900 * KIB, ())
    assert sorted(path.name for path in destination.iterdir()) == [
        "part0.bin",
        "part1.bin",
        "part2.bin",
    ]


def test_too_many_members_is_refused_before_extracting(
    make_zip: MakeZip, destination: Path
) -> None:
    archive = make_zip("layer.zip", [(f"m{index}.py", b"") for index in range(11)])

    with pytest.raises(ArchiveError) as raised:
        safe_extract(archive, destination, ExtractionLimits(max_members=10))

    assert str(raised.value) == "layer.zip has 11 members, more than the limit of 10"
    assert list(destination.iterdir()) == []


def test_member_count_is_checked_even_when_the_end_record_understates_it(
    make_zip: MakeZip, destination: Path
) -> None:
    archive = make_zip("layer.zip", [(f"m{index}.py", b"") for index in range(11)])
    data = bytearray(archive.read_bytes())
    end = data.rfind(EOCD_SIGNATURE)
    struct.pack_into("<HH", data, end + 8, 2, 2)
    archive.write_bytes(bytes(data))

    with pytest.raises(ArchiveError) as raised:
        safe_extract(archive, destination, ExtractionLimits(max_members=10))

    assert str(raised.value) == "layer.zip has 11 members, more than the limit of 10"
    assert list(destination.iterdir()) == []


def test_member_count_claimed_by_a_zip64_end_record_is_checked_before_parsing(
    make_zip: MakeZip, destination: Path
) -> None:
    # A zip64 end record (APPNOTE.TXT 4.3.14, 4.3.15) claiming a million entries, and the
    # classic end record deferring to it with 0xFFFF.
    archive = make_zip("layer.zip", [("app.py", b"A\n")])
    data = archive.read_bytes()
    end = data.rfind(EOCD_SIGNATURE)
    _, _, _, _, _, cd_size, cd_offset, _ = struct.unpack_from("<4s4H2LH", data, end)
    zip64_end = struct.pack(
        "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, 1_000_000, 1_000_000, cd_size, cd_offset
    )
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, end, 1)
    classic_end = struct.pack(
        "<4s4H2LH", EOCD_SIGNATURE, 0, 0, 0xFFFF, 0xFFFF, cd_size, cd_offset, 0
    )
    archive.write_bytes(data[:end] + zip64_end + locator + classic_end)

    with pytest.raises(ArchiveError) as raised:
        safe_extract(archive, destination)

    assert str(raised.value) == "layer.zip has 1000000 members, more than the limit of 100000"
    assert list(destination.iterdir()) == []


def test_archive_over_the_archive_cap_is_refused(make_zip: MakeZip, destination: Path) -> None:
    archive = make_zip("function.zip", [("data.bin", incompressible(2 * KIB))])

    with pytest.raises(ArchiveError) as raised:
        safe_extract(archive, destination, ExtractionLimits(max_archive_bytes=1 * KIB))

    assert str(raised.value) == "function.zip is larger than the 1 KiB limit for an archive"


def test_control_characters_in_a_name_are_escaped_in_the_message(
    make_zip: MakeZip, destination: Path
) -> None:
    archive = make_zip("function.zip", [("bad\nname.bin", incompressible(2 * KIB))])

    with pytest.raises(ArchiveError) as raised:
        safe_extract(archive, destination, ExtractionLimits(max_member_bytes=1 * KIB))

    assert str(raised.value) == (
        "function.zip: member bad\\nname.bin is larger than the 1 KiB limit for one file"
    )


# Names, duplicates, encryption, compression


def test_name_without_utf8_flag_in_cp437_is_decoded_as_cp437(
    make_zip: MakeZip, destination: Path
) -> None:
    archive = make_zip("function.zip", [("rXsumX.py", b"R\n")])
    replace_bytes(archive, b"rXsumX.py", b"r\x82sum\x82.py", count=2)

    assert safe_extract(archive, destination) == ExtractionResult(1, 2, ())
    assert [path.name for path in destination.iterdir()] == ["r\u00e9sum\u00e9.py"]


def test_name_without_utf8_flag_holding_utf8_is_decoded_as_utf8(
    make_zip: MakeZip, destination: Path
) -> None:
    archive = make_zip("function.zip", [("naXXve.py", b"N\n")])
    replace_bytes(archive, b"naXXve.py", "na\u00efve.py".encode(), count=2)
    with zipfile.ZipFile(archive) as zip_file:
        (info,) = zip_file.infolist()
    assert info.flag_bits & 0x800 == 0

    assert member_name(info) == "na\u00efve.py"
    assert safe_extract(archive, destination) == ExtractionResult(1, 2, ())
    assert [path.name for path in destination.iterdir()] == ["na\u00efve.py"]


def test_name_flagged_utf8_that_is_not_utf8_is_an_archive_error(
    make_zip: MakeZip, destination: Path
) -> None:
    archive = make_zip("function.zip", [("caf\u00e9.py", b"C\n")])
    replace_bytes(archive, "caf\u00e9".encode(), b"caf\xff\xfe", count=2)

    with pytest.raises(ArchiveError) as raised:
        safe_extract(archive, destination)

    assert str(raised.value) == (
        "function.zip has a member name marked as UTF-8 that is not valid UTF-8"
    )


def test_duplicate_names_keep_the_first_member(make_zip: MakeZip, destination: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns when writing a duplicate
        archive = make_zip(
            "function.zip", [("app.py", b"FIRST\n"), ("./app.py", b"2\n"), ("app.py", b"3\n")]
        )

    result = safe_extract(archive, destination)

    assert result == ExtractionResult(
        1,
        6,
        (SkippedMember("./app.py", "duplicate name"), SkippedMember("app.py", "duplicate name")),
    )
    assert (destination / "app.py").read_bytes() == b"FIRST\n"


def test_file_where_a_folder_is_needed_is_a_conflict(
    make_zip: MakeZip, destination: Path, list_tree: Tree
) -> None:
    archive = make_zip("function.zip", [("pkg", b"P\n"), ("pkg/mod.py", b"M\n"), ("pkg/", b"")])

    result = safe_extract(archive, destination)

    assert result == ExtractionResult(
        1,
        2,
        (
            SkippedMember("pkg/mod.py", "conflicts with an earlier member"),
            SkippedMember("pkg/", "conflicts with an earlier member"),
        ),
    )
    assert list_tree(destination) == ["pkg"]


def test_encrypted_member_is_skipped(make_zip: MakeZip, destination: Path) -> None:
    archive = make_zip("function.zip", [("secret.py", b"KEY = 1\n"), ("app.py", b"A\n")])
    patch_field(archive, "secret.py", (LOCAL_FLAGS, CENTRAL_FLAGS), "<H", 0x1)

    result = safe_extract(archive, destination)

    assert result == ExtractionResult(1, 2, (SkippedMember("secret.py", "encrypted"),))
    assert [path.name for path in destination.iterdir()] == ["app.py"]


def test_member_in_an_unsupported_compression_method_is_skipped(
    make_zip: MakeZip, destination: Path
) -> None:
    archive = make_zip("function.zip", [("packed.py", b"P\n"), ("app.py", b"A\n")])
    patch_field(archive, "packed.py", (LOCAL_METHOD, CENTRAL_METHOD), "<H", 99)

    result = safe_extract(archive, destination)

    assert result == ExtractionResult(
        1, 2, (SkippedMember("packed.py", "unsupported compression method 99"),)
    )
    assert [path.name for path in destination.iterdir()] == ["app.py"]


# Files that are not (whole) zips


def test_file_that_is_not_a_zip_is_an_archive_error(tmp_path: Path, destination: Path) -> None:
    archive = tmp_path / "layer.zip"
    archive.write_text("def handler(event, context):\n    return 1\n")

    with pytest.raises(ArchiveError) as raised:
        safe_extract(archive, destination)

    assert str(raised.value) == "layer.zip is not a zip archive"


def test_empty_file_is_not_a_zip(tmp_path: Path, destination: Path) -> None:
    archive = tmp_path / "layer.zip"
    archive.write_bytes(b"")

    with pytest.raises(ArchiveError) as raised:
        safe_extract(archive, destination)

    assert str(raised.value) == "layer.zip is not a zip archive"


def test_truncated_zip_is_an_archive_error(make_zip: MakeZip, destination: Path) -> None:
    archive = make_zip("function.zip", [("app.py", incompressible(4 * KIB))])
    archive.write_bytes(archive.read_bytes()[: 3 * KIB])

    with pytest.raises(ArchiveError) as raised:
        safe_extract(archive, destination)

    assert str(raised.value) == "function.zip is a truncated zip archive (no central directory)"
    assert list(destination.iterdir()) == []


def test_corrupt_central_directory_is_an_archive_error(
    make_zip: MakeZip, destination: Path
) -> None:
    archive = make_zip("function.zip", [("app.py", b"A\n")])
    replace_bytes(archive, CENTRAL_SIGNATURE, b"PK\x01\x09", count=1)

    with pytest.raises(ArchiveError) as raised:
        safe_extract(archive, destination)

    assert str(raised.value) == (
        "function.zip is a corrupt zip archive (Bad magic number for central directory)"
    )


def test_member_needing_a_newer_zip_version_is_an_archive_error(
    make_zip: MakeZip, destination: Path
) -> None:
    archive = make_zip("function.zip", [("app.py", b"A\n")])
    data = bytearray(archive.read_bytes())
    _, central = header_offsets(bytes(data), "app.py")
    struct.pack_into("<H", data, central + CENTRAL_VERSION_NEEDED, 100)
    archive.write_bytes(bytes(data))

    with pytest.raises(ArchiveError) as raised:
        safe_extract(archive, destination)

    assert str(raised.value) == (
        "function.zip needs a zip feature that cannot be read here (zip file version 10.0)"
    )


def test_corrupt_member_data_stops_extraction(make_zip: MakeZip, destination: Path) -> None:
    archive = make_zip("function.zip", [("app.py", b"A\n"), ("data.bin", incompressible(4 * KIB))])
    data = bytearray(archive.read_bytes())
    local, _ = header_offsets(bytes(data), "data.bin")
    start = local + 30 + len("data.bin")
    data[start : start + 64] = bytes(64)
    archive.write_bytes(bytes(data))

    with pytest.raises(IncompleteExtractionError) as raised:
        safe_extract(archive, destination)

    assert str(raised.value) == (
        "function.zip: member data.bin is corrupt "
        "(Error -3 while decompressing data: invalid stored block lengths)"
    )
    assert raised.value.result == ExtractionResult(1, 2, ())
    assert [path.name for path in destination.iterdir()] == ["app.py"]


def test_missing_archive_is_an_archive_error(tmp_path: Path, destination: Path) -> None:
    with pytest.raises(ArchiveError) as raised:
        safe_extract(tmp_path / "gone.zip", destination)

    assert str(raised.value) == "gone.zip cannot be read: No such file or directory"


def test_destination_must_be_empty(make_zip: MakeZip, destination: Path) -> None:
    archive = make_zip("function.zip", [("app.py", b"A\n")])
    (destination / "leftover.py").write_text("")

    with pytest.raises(ValueError, match="is not empty"):
        safe_extract(archive, destination)


# CodeSha256


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
        (b"abc", "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="),
    ],
)
def test_sha256_base64_matches_known_digests(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "function.zip"
    path.write_bytes(content)

    assert sha256_base64(path) == expected


def test_sha256_base64_of_a_file_larger_than_one_read(tmp_path: Path) -> None:
    content = incompressible(3 * MIB + 17)
    path = tmp_path / "function.zip"
    path.write_bytes(content)

    expected = base64.b64encode(hashlib.sha256(content).digest()).decode()
    assert sha256_base64(path) == expected


def test_sha256_base64_of_a_missing_file_is_an_archive_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError) as raised:
        sha256_base64(tmp_path / "gone.zip")

    assert str(raised.value) == "gone.zip cannot be read: No such file or directory"


def test_nothing_is_left_open_for_writing_after_an_error(
    make_zip: MakeZip, destination: Path
) -> None:
    archive = make_zip("function.zip", [("zeros.bin", bytes(2 * MIB))])
    before = len(os.listdir("/proc/self/fd"))

    with pytest.raises(IncompleteExtractionError):
        safe_extract(archive, destination)

    assert len(os.listdir("/proc/self/fd")) == before


def test_corrupted_archives_end_in_a_result_or_an_archive_error(
    tmp_path: Path, list_tree: Tree
) -> None:
    # Seeded corruption of every structure (headers, names, sizes, compressed data) of an
    # archive using each readable method; an unexpected exception would be a traceback.
    source = io.BytesIO()
    with zipfile.ZipFile(source, "w") as zip_file:
        zip_file.writestr(
            "app.py", b"def handler(e, c):\n    return 1\n" * 20, zipfile.ZIP_DEFLATED
        )
        zip_file.writestr("pkg/", b"")
        zip_file.writestr("pkg/b.py", b"B = 1\n" * 50, zipfile.ZIP_BZIP2)
        zip_file.writestr("pkg/l.py", b"L = 2\n" * 50, zipfile.ZIP_LZMA)
        zip_file.writestr("stored.txt", b"stored", zipfile.ZIP_STORED)
    pristine = source.getvalue()
    rng = random.Random(20240101)
    archive = tmp_path / "function.zip"
    outcomes: set[str] = set()

    for attempt in range(120):
        data = bytearray(pristine)
        position = rng.randrange(len(data) - 4)
        data[position : position + 4] = rng.choice(
            [b"\xff\xff\xff\xff", bytes(4), rng.randbytes(4), bytes([rng.randrange(256)]) * 4]
        )
        archive.write_bytes(bytes(data))
        destination = tmp_path / f"out{attempt}"
        destination.mkdir()
        try:
            safe_extract(archive, destination, ExtractionLimits(max_total_bytes=1 * MIB))
            outcomes.add("result")
        except ArchiveError as error:
            assert "\n" not in str(error)
            outcomes.add(type(error).__name__)
        shutil.rmtree(destination)

    assert outcomes == {"result", "ArchiveError", "IncompleteExtractionError"}
    assert list_tree(tmp_path) == ["function.zip"]
