"""Tests for reading pip's configuration and keeping credentials out of sight."""

from __future__ import annotations

from pathlib import Path

from analyzer.deps.pipconfig import (
    index_configuration,
    pip_default_index_url,
    redact_text,
    redact_url,
)


def _environ(tmp_path: Path, **values: str) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"HOME": str(home), "XDG_CONFIG_DIRS": str(tmp_path / "xdg"), **values}


def test_pip_config_file_names_the_index_and_extra_indexes(tmp_path: Path) -> None:
    config = tmp_path / "pip.conf"
    config.write_text(
        "[global]\n"
        "index-url = https://mirror.invalid/simple\n"
        "extra-index-url =\n"
        "    https://one.invalid/simple\n"
        "    https://two.invalid/simple\n"
        "timeout = 60\n"
    )
    configuration = index_configuration(environ=_environ(tmp_path, PIP_CONFIG_FILE=str(config)))
    assert configuration.origin == "pip configuration"
    assert configuration.urls == (
        "https://mirror.invalid/simple",
        "https://one.invalid/simple",
        "https://two.invalid/simple",
    )


def test_install_section_overrides_global_and_environment_overrides_both(tmp_path: Path) -> None:
    config = tmp_path / "pip.conf"
    config.write_text(
        "[global]\nindex_url = https://global.invalid/simple\n"
        "[install]\nindex-url = https://install.invalid/simple\n"
    )
    environ = _environ(tmp_path, PIP_CONFIG_FILE=str(config))
    assert index_configuration(environ=environ).index_url == "https://install.invalid/simple"
    environ["PIP_INDEX_URL"] = "https://env.invalid/simple"
    environ["PIP_EXTRA_INDEX_URL"] = "https://e1.invalid/simple https://e2.invalid/simple"
    configuration = index_configuration(environ=environ)
    assert configuration.index_url == "https://env.invalid/simple"
    assert configuration.extra_index_urls == (
        "https://e1.invalid/simple",
        "https://e2.invalid/simple",
    )


def test_user_and_xdg_files_are_read_in_pip_order(tmp_path: Path) -> None:
    environ = _environ(tmp_path)
    legacy = Path(environ["HOME"]) / ".pip" / "pip.conf"
    modern = Path(environ["HOME"]) / ".config" / "pip" / "pip.conf"
    system = tmp_path / "xdg" / "pip" / "pip.conf"
    for path, host in ((system, "system"), (legacy, "legacy"), (modern, "modern")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"[global]\nindex-url = https://{host}.invalid/simple\n")
    assert index_configuration(environ=environ).index_url == "https://modern.invalid/simple"
    modern.unlink()
    assert index_configuration(environ=environ).index_url == "https://legacy.invalid/simple"


def test_command_line_beats_requirement_file_beats_configuration(tmp_path: Path) -> None:
    environ = _environ(tmp_path, PIP_INDEX_URL="https://env.invalid/simple")
    assert (
        index_configuration("https://cli.invalid/simple", environ=environ).index_url
        == "https://cli.invalid/simple"
    )
    from_file = index_configuration(environ=environ, file_index_url="https://file.invalid/s")
    assert (from_file.index_url, from_file.origin) == ("https://file.invalid/s", "requirement file")


def test_without_configuration_the_index_is_pips_own_default(tmp_path: Path) -> None:
    configuration = index_configuration(environ=_environ(tmp_path, PIP_CONFIG_FILE="/dev/null"))
    assert configuration.origin == "pip default"
    assert configuration.index_url == pip_default_index_url()
    assert configuration.index_url is not None
    assert configuration.index_url.startswith("https://")


def test_credentials_are_redacted_from_urls_and_text() -> None:
    assert (
        redact_url("https://user:pa55@host.invalid/simple/") == "https://****@host.invalid/simple/"
    )
    assert redact_url("https://token@host.invalid/simple/") == "https://****@host.invalid/simple/"
    assert redact_url("https://host.invalid/simple/") == "https://host.invalid/simple/"
    text = "failed: http://a:b@one.invalid/x and https://c:d@two.invalid/y"
    assert redact_text(text) == "failed: http://****@one.invalid/x and https://****@two.invalid/y"
