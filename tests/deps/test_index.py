"""Tests for the Simple API client against the local index."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.deps.cache import DiskCache
from analyzer.deps.index import IndexClient
from analyzer.errors import PackageIndexError
from tests.deps.conftest import PRIVATE_PASSWORD, PRIVATE_USER, LocalIndex


def _summary(client: IndexClient, project: str) -> list[tuple[str, str | None, str | None, bool]]:
    return sorted(
        (
            file.filename,
            str(file.requires_python) if file.requires_python else None,
            file.yanked,
            file.metadata_url is not None,
        )
        for file in client.project_files(project)
    )


@pytest.mark.parametrize("flavour", ["simple", "html"])
def test_json_and_html_pages_give_the_same_files(local_index: LocalIndex, flavour: str) -> None:
    client = IndexClient([local_index.url(flavour)])
    assert _summary(client, "yankedpkg") == [
        ("yankedpkg-1.0-py3-none-any.whl", None, None, True),
        ("yankedpkg-1.1-py3-none-any.whl", None, "broken upload", True),
    ]
    assert _summary(client, "NewPython") == [
        ("newpython-1.0-py3-none-any.whl", ">=3.12", None, True)
    ]


def test_json_is_negotiated_first(local_index: LocalIndex) -> None:
    local_index.clear()
    client = IndexClient([local_index.url("simple")])
    files = client.project_files("cponly")
    assert len(files) == 6
    assert all(file.size is not None for file in files)  # only the JSON form carries sizes


def test_unknown_project_has_no_files(local_index: LocalIndex) -> None:
    assert IndexClient([local_index.url("simple")]).project_files("no-such-thing") == ()


def test_pep658_metadata_is_read_without_downloading_the_wheel(local_index: LocalIndex) -> None:
    local_index.clear()
    client = IndexClient([local_index.url("simple")])
    wheel = next(f for f in client.project_files("purepkg") if f.version.public == "2.0")
    metadata = client.core_metadata(wheel)
    assert metadata is not None
    assert metadata.get_all("Requires-Dist") == ["helper>=1.0", 'cponly>=2.0 ; extra == "fast"']
    assert local_index.asked("/files/") == ["/files/purepkg-2.0-py3-none-any.whl.metadata"]


def test_without_pep658_the_wheel_is_downloaded_and_read(local_index: LocalIndex) -> None:
    local_index.clear()
    client = IndexClient([local_index.url("html-nometa")])
    wheel = next(f for f in client.project_files("purepkg") if f.version.public == "2.0")
    assert wheel.metadata_url is None
    metadata = client.core_metadata(wheel)
    assert metadata is not None and metadata["Name"] == "purepkg"
    assert local_index.asked("/files/") == ["/files/purepkg-2.0-py3-none-any.whl"]


def test_sdist_probe_reads_pkg_info_and_sees_c_sources(local_index: LocalIndex) -> None:
    client = IndexClient([local_index.url("simple")])
    (native,) = client.project_files("nativesdist")
    (pure,) = client.project_files("sdistonly")
    native_probe = client.sdist_probe(native)
    pure_probe = client.sdist_probe(pure)
    assert native_probe is not None and native_probe.has_native_code is True
    assert pure_probe is not None and pure_probe.has_native_code is False
    metadata = client.core_metadata(pure)
    assert metadata is not None and metadata.get_all("Requires-Dist") == ["helper"]


@pytest.mark.parametrize("flavour", ["garbage", "badjson"])
def test_an_index_answering_garbage_is_an_error(local_index: LocalIndex, flavour: str) -> None:
    client = IndexClient([local_index.url(flavour)])
    with pytest.raises(PackageIndexError, match="not a Simple API page"):
        client.project_files("purepkg")


def test_an_unreachable_index_fails_once_then_fast(closed_port_url: str) -> None:
    client = IndexClient([closed_port_url], timeout=2)
    with pytest.raises(PackageIndexError, match="cannot be reached"):
        client.project_files("purepkg")
    with pytest.raises(PackageIndexError, match="cannot be reached") as second:
        client.project_files("helper")
    assert "/purepkg/" in str(second.value)  # the remembered first failure


def test_private_index_credentials_are_sent_but_never_shown(local_index: LocalIndex) -> None:
    client = IndexClient([local_index.private_url()])
    assert [f.filename for f in client.project_files("helper")] == ["helper-1.0-py3-none-any.whl"]
    assert PRIVATE_PASSWORD not in " ".join(client.display_urls)
    assert all(PRIVATE_USER not in url for url in client.index_urls)

    refused = IndexClient([local_index.private_url(password="wrong-Pa55word")])
    with pytest.raises(PackageIndexError) as error:
        refused.project_files("helper")
    assert "HTTP 401" in str(error.value)
    assert "wrong-Pa55word" not in str(error.value)
    assert PRIVATE_USER not in str(error.value)


def test_disk_cache_answers_a_new_client_without_asking(
    local_index: LocalIndex, tmp_path: Path
) -> None:
    cache = DiskCache(tmp_path / "cache")
    IndexClient([local_index.url("simple")], cache=cache).project_files("helper")
    local_index.clear()
    again = IndexClient([local_index.url("simple")], cache=cache).project_files("helper")
    assert [f.filename for f in again] == ["helper-1.0-py3-none-any.whl"]
    assert local_index.asked("/") == []
    stale = DiskCache(tmp_path / "cache", ttl_seconds=0)
    IndexClient([local_index.url("simple")], cache=stale).project_files("helper")
    assert local_index.asked("/") == ["/simple/simple/helper/"]


def test_file_url_index_is_read_like_pip_does(tmp_path: Path, local_index: LocalIndex) -> None:
    project = tmp_path / "simple" / "helper"
    project.mkdir(parents=True)
    wheel_name = "helper-3.0-py3-none-any.whl"
    (project / "index.html").write_text(
        f'<html><body><a href="../../files/{wheel_name}#sha256=00">{wheel_name}</a></body></html>'
    )
    client = IndexClient([(tmp_path / "simple").as_uri()])
    (file,) = client.project_files("helper")
    assert file.filename == wheel_name
    assert file.url == (tmp_path / "files" / wheel_name).as_uri()
