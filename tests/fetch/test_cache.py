"""The content-addressed cache of zips: where it lives, keys, damaged entries, concurrency."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from aws_fixtures import CodeHost, code_sha256, zip_bytes

from analyzer.errors import FetchError
from analyzer.fetch.cache import CodeCache, cache_key, default_cache_dir, open_cache

CONTENT = zip_bytes({"utils.py": "SHARED = True\n"})
SHA = code_sha256(CONTENT)
HEX = "6a4ecd6d0dbb63e0dbac3b9d4e78f5bd63f3e49ba10de0f7b4c87e4e96ddd6dc"


def test_the_cache_lives_under_xdg_cache_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))

    assert default_cache_dir() == tmp_path / "xdg" / "lambda-analyzer"


@pytest.mark.parametrize("setting", [None, "", "relative/cache"])
def test_without_an_absolute_xdg_cache_home_the_cache_is_under_dot_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, setting: str | None
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    if setting is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", setting)

    assert default_cache_dir() == tmp_path / ".cache" / "lambda-analyzer"


def test_the_options_choose_the_folder_or_no_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))

    assert open_cache(tmp_path / "mine") is not None
    assert open_cache(tmp_path / "mine").root == tmp_path / "mine"  # type: ignore[union-attr]
    assert open_cache().root == tmp_path / "xdg" / "lambda-analyzer"  # type: ignore[union-attr]
    assert open_cache(tmp_path / "mine", enabled=False) is None


def test_an_entry_is_named_by_the_hex_digest_of_its_code_sha256(tmp_path: Path) -> None:
    cache = CodeCache(tmp_path)

    assert cache_key(SHA) == bytes.fromhex(cache_key(SHA)).hex()
    assert cache.zip_path(SHA) == tmp_path / "zips" / f"{cache_key(SHA)}.zip"
    assert cache_key("ak7NbQ27Y+DbrDudTnj1vWPz5JuhDeD3tMh+Tpbd1tw=") == HEX


@pytest.mark.parametrize("value", ["", "not base64!", "c2hvcnQ=", HEX])
def test_a_value_that_is_not_a_code_sha256_is_refused(value: str) -> None:
    with pytest.raises(FetchError) as raised:
        cache_key(value)

    assert str(raised.value) == f"{value!r} is not a CodeSha256 (a base64 SHA-256 digest)"


def test_an_absent_entry_is_a_miss(tmp_path: Path) -> None:
    assert CodeCache(tmp_path).lookup(SHA) is None


def test_a_stored_entry_is_a_hit(tmp_path: Path) -> None:
    cache = CodeCache(tmp_path)
    cache.zip_path(SHA).write_bytes(CONTENT)

    assert cache.lookup(SHA) == cache.zip_path(SHA)


def test_a_damaged_entry_is_dropped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache = CodeCache(tmp_path)
    entry = cache.zip_path(SHA)
    entry.write_bytes(CONTENT + b"tail")

    assert cache.lookup(SHA) is None
    assert not entry.exists()
    assert caplog.messages == [f"cache entry {entry} does not match its name; downloading again"]


def test_a_cache_folder_that_cannot_be_made_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")

    with pytest.raises(FetchError) as raised:
        CodeCache(blocker).zip_path(SHA)

    assert str(raised.value) == (
        f"the cache folder {blocker / 'zips'} cannot be created: Not a directory"
    )


_STORE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from analyzer.fetch.cache import CodeCache
    from analyzer.fetch.download import DownloadPolicy, PresignedUrl, download

    root, url, sha = sys.argv[1:]
    cache = CodeCache(Path(root))
    for _ in range(5):
        download(PresignedUrl(url), cache.zip_path(sha), code_sha256=sha, label="layer",
                 policy=DownloadPolicy(backoff_seconds=0))
        assert cache.lookup(sha) is not None
    """
)


def test_processes_storing_the_same_code_at_once_leave_one_whole_entry(
    code_host: CodeHost, tmp_path: Path
) -> None:
    content = zip_bytes({f"module_{index}.py": f"VALUE = {index}\n" * 500 for index in range(50)})
    key = code_host.add(content)
    sha = code_sha256(content)
    command = [sys.executable, "-c", _STORE, str(tmp_path), code_host.url(key), sha]

    workers = [subprocess.Popen(command, stderr=subprocess.PIPE) for _ in range(4)]
    results = [(worker.wait(timeout=60), worker.stderr.read()) for worker in workers]  # type: ignore[union-attr]

    assert results == [(0, b"")] * 4
    assert sorted(path.name for path in (tmp_path / "zips").iterdir()) == [f"{key}.zip"]
    assert (tmp_path / "zips" / f"{key}.zip").read_bytes() == content
