"""The package indexes pip would use: its configuration files, its environment and its default."""

from __future__ import annotations

import configparser
import importlib
import logging
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger(__name__)

# pip reads these sections in this order, a later one overriding an earlier one: the
# "global" section, then the command's own section (pip's ConfigOptionParser).
_SECTIONS = ("global", "install", "download")
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@")


def redact_url(url: str) -> str:
    """``url`` with any user name and password replaced by ``****``."""
    return _USERINFO.sub(r"\g<scheme>****@", url)


def redact_text(text: str) -> str:
    """``text`` with the credentials of every URL in it replaced by ``****``."""
    return _USERINFO.sub(r"\g<scheme>****@", text)


@dataclass(frozen=True)
class IndexConfiguration:
    """The index URLs to ask, and where they came from (never the credentials)."""

    index_url: str | None
    extra_index_urls: tuple[str, ...]
    origin: str
    """``command line``, ``pip configuration``, ``pip default``..."""

    @property
    def urls(self) -> tuple[str, ...]:
        """The main index first, then the extra ones, without duplicates."""
        main = (self.index_url,) if self.index_url else ()
        return tuple(dict.fromkeys((*main, *self.extra_index_urls)))


def _normalise_key(name: str) -> str:
    return name.lower().replace("_", "-").lstrip("-")


def configuration_files(environ: Mapping[str, str]) -> list[Path]:
    """pip's configuration files in the order it loads them, a later one winning.

    Global files (``$XDG_CONFIG_DIRS/pip/pip.conf``, ``/etc/pip.conf``), then the user's
    (``~/.pip/pip.conf``, ``$XDG_CONFIG_HOME/pip/pip.conf``) unless ``PIP_CONFIG_FILE`` names
    an existing file, then the site file (``sys.prefix/pip.conf``), then ``PIP_CONFIG_FILE``.
    ``PIP_CONFIG_FILE=/dev/null`` turns every file off, as in pip.
    """
    config_file = environ.get("PIP_CONFIG_FILE")
    if config_file == os.devnull:
        return []
    xdg_dirs = environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    global_files = [Path(folder) / "pip" / "pip.conf" for folder in xdg_dirs.split(os.pathsep)]
    global_files.append(Path("/etc/pip.conf"))
    home = Path(environ.get("HOME") or Path.home())
    xdg_home = Path(environ.get("XDG_CONFIG_HOME") or home / ".config")
    user_files = [home / ".pip" / "pip.conf", xdg_home / "pip" / "pip.conf"]
    files = list(global_files)
    if not (config_file and Path(config_file).exists()):
        files.extend(user_files)
    files.append(Path(sys.prefix) / "pip.conf")
    if config_file:
        files.append(Path(config_file))
    return files


def _read_file(path: Path) -> dict[str, str]:
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError) as error:
        logger.warning("ignoring pip configuration %s: %s", path, type(error).__name__)
        return {}
    values: dict[str, str] = {}
    for section in _SECTIONS:
        if parser.has_section(section):
            for key, value in parser.items(section):
                values[_normalise_key(key)] = value
    return values


def read_pip_configuration(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """pip's effective settings for ``pip install``: files, then ``PIP_*`` variables."""
    environ = os.environ if environ is None else environ
    values: dict[str, str] = {}
    for path in configuration_files(environ):
        if path.is_file():
            values.update(_read_file(path))
    for name, value in environ.items():
        if name.startswith("PIP_") and name != "PIP_CONFIG_FILE":
            values[_normalise_key(name.removeprefix("PIP_"))] = value
    return values


@lru_cache(maxsize=1)
def pip_default_index_url() -> str | None:
    """The index pip uses when nothing is configured, asked of the installed pip."""
    try:
        module = importlib.import_module("pip._internal.models.index")
        url = module.PyPI.simple_url
        if isinstance(url, str):
            return url
    except Exception as error:  # pip's internals move between releases
        logger.debug("pip's index model is not importable: %s", type(error).__name__)
    return _default_from_pip_help()


def _default_from_pip_help() -> str | None:
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--help"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"--index-url.*?\(default\s+(\S+?)\)", completed.stdout, re.DOTALL)
    return match.group(1) if match else None


def index_configuration(
    index_url: str | None = None,
    extra_index_urls: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
    file_index_url: str | None = None,
    file_extra_index_urls: Sequence[str] = (),
) -> IndexConfiguration:
    """The indexes to ask: the command line first, then requirement files, then pip's own.

    ``file_*`` are the ``--index-url``/``--extra-index-url`` lines of requirement files,
    which pip applies as if given on its command line.
    """
    settings = read_pip_configuration(environ)
    # TODO: pip's find-links, no-index, constraint, keyring and .netrc settings are not applied
    # (read them here and hand find-links to the client as a flat index).
    configured_extras = tuple(settings.get("extra-index-url", "").split())
    extras = tuple(dict.fromkeys((*extra_index_urls, *file_extra_index_urls, *configured_extras)))
    if index_url:
        return IndexConfiguration(index_url, extras, "command line")
    if file_index_url:
        return IndexConfiguration(file_index_url, extras, "requirement file")
    configured = settings.get("index-url", "").strip()
    if configured:
        return IndexConfiguration(configured, extras, "pip configuration")
    return IndexConfiguration(pip_default_index_url(), extras, "pip default")
