"""Finding the templates of a repository and reading each with the reader of its format."""

from __future__ import annotations

import fnmatch
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import InputError
from analyzer.iac.cloudformation import names_resource_type, read_cloudformation
from analyzer.iac.local_paths import inside, relative_posix
from analyzer.iac.model import IAC_STAGE, Template, TemplateFormat
from analyzer.iac.serverless import SERVERLESS_FILE_NAMES, read_serverless
from analyzer.iac.terraform import TerraformReader
from analyzer.iac.tree import MAX_TEMPLATE_BYTES, Node, TemplateSyntaxError, json_tree, yaml_tree
from analyzer.models import AnalysisError

logger = logging.getLogger(__name__)

SKIPPED_FOLDERS = frozenset(
    {
        "node_modules",
        "__pycache__",
        "site-packages",
        "dist-packages",
        "cdk.out",
    }
)
"""Folders never searched for templates, besides hidden ones (``.git``, ``.aws-sam``,
``.serverless``, ``.terraform``, ``.venv``) and virtual environments (``pyvenv.cfg``):
build output, installed packages and tool state, whose copies of templates are not the
source."""
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")


@dataclass(frozen=True)
class _Candidate:
    path: Path
    template_format: TemplateFormat | None
    """``SERVERLESS``, ``TERRAFORM`` (a folder) or ``None`` for a possible CloudFormation file."""
    excluded: bool = False
    """A Terraform folder an exclude glob leaves out: not read as a root module, but still
    known, so that the local modules it calls are not mistaken for roots of their own."""


def read_repository(
    root: Path, *, templates: Sequence[Path] = (), excludes: Sequence[str] = ()
) -> list[Template]:
    """Every template under ``root`` (or only ``templates``), read, in path order.

    ``excludes`` are globs matched against paths relative to ``root``; a matching file or
    folder is not searched. A Terraform module is all the ``.tf`` files of its folder read
    together, so a glob matching any one of them (``infra/*``, ``infra/main.tf``) leaves out
    the whole module, as a glob matching the folder does; the local modules it alone calls
    go with it, while a module that a kept root calls is still read through that call.
    ``templates`` are files (or Terraform folders), relative to ``root`` or to the working
    folder. A template that cannot be read is returned with its error and no functions, so
    that one broken file does not hide the others.
    """
    root = root.resolve()
    if not root.is_dir():
        raise InputError(f"{root}: not a folder")
    if templates:
        candidates = [_given(root, Path(path)) for path in templates]
    else:
        candidates = list(_search(root, excludes))

    read: list[Template] = []
    terraform = TerraformReader(root)
    folders = [c.path for c in candidates if c.template_format is TemplateFormat.TERRAFORM]
    roots = set(terraform.roots(folders) if not templates else folders)
    for candidate in candidates:
        if candidate.template_format is TemplateFormat.TERRAFORM:
            if candidate.path in roots and not candidate.excluded:
                read.append(terraform.read_root(candidate.path))
            continue
        template = _read_file(candidate, root)
        if template is not None:
            read.append(template)
        elif templates:
            raise InputError(
                f"{candidate.path}: not a SAM, CloudFormation, Serverless or Terraform template"
            )
    return sorted(read, key=lambda template: template.path)


def _given(root: Path, path: Path) -> _Candidate:
    # A relative path is taken from the repository first, then from the working folder.
    if path.is_absolute():
        absolute = path.resolve()
    elif (root / path).exists():
        absolute = (root / path).resolve()
    else:
        absolute = (Path.cwd() / path).resolve()
    if not absolute.exists():
        raise InputError(f"{path}: no such template")
    if not inside(absolute, root):
        raise InputError(f"{path}: not inside {root}")
    if absolute.is_dir():
        if not any(absolute.glob("*.tf")):
            raise InputError(f"{path}: a folder with no .tf files")
        return _Candidate(absolute, TemplateFormat.TERRAFORM)
    if absolute.name in SERVERLESS_FILE_NAMES:
        return _Candidate(absolute, TemplateFormat.SERVERLESS)
    if absolute.suffix == ".tf":
        return _Candidate(absolute.parent, TemplateFormat.TERRAFORM)
    return _Candidate(absolute, None)


def _search(root: Path, excludes: Sequence[str]) -> Iterable[_Candidate]:
    def excluded(path: str) -> bool:
        return any(fnmatch.fnmatch(path, pattern) for pattern in excludes)

    for folder, subfolders, files in os.walk(root):
        here = Path(folder)
        relative = relative_posix(here, root)
        if "pyvenv.cfg" in files:
            subfolders[:] = []
            continue
        subfolders[:] = sorted(
            name
            for name in subfolders
            if not name.startswith(".")
            and name not in SKIPPED_FOLDERS
            and not excluded(_join(relative, name))
        )
        terraform_files = [_join(relative, name) for name in files if name.endswith(".tf")]
        if terraform_files:
            yield _Candidate(
                here,
                TemplateFormat.TERRAFORM,
                excluded=any(excluded(path) for path in terraform_files),
            )
        for name in sorted(files):
            if excluded(_join(relative, name)):
                continue
            if name in SERVERLESS_FILE_NAMES:
                yield _Candidate(here / name, TemplateFormat.SERVERLESS)
            elif name.endswith(TEMPLATE_SUFFIXES):
                yield _Candidate(here / name, None)


def _join(folder: str, name: str) -> str:
    return name if folder == "." else f"{folder}/{name}"


def _read_file(candidate: _Candidate, root: Path) -> Template | None:
    """The template in one file; ``None`` for a YAML or JSON file that is not a template."""
    relpath = relative_posix(candidate.path, root)
    serverless = candidate.template_format is TemplateFormat.SERVERLESS
    fallback_format = TemplateFormat.SERVERLESS if serverless else TemplateFormat.CLOUDFORMATION

    def failed(message: str, line: int | None = None) -> Template:
        where = f" (line {line})" if line is not None else ""
        error = AnalysisError(IAC_STAGE, f"{message}{where}", relpath)
        return Template(relpath, fallback_format, errors=(error,), files=(relpath,))

    try:
        if candidate.path.stat().st_size > MAX_TEMPLATE_BYTES:
            if serverless:
                return failed(f"larger than {MAX_TEMPLATE_BYTES} bytes; not read")
            return None
        text = candidate.path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return failed("not UTF-8 text") if serverless else None
    except OSError as error:
        return failed(f"cannot be read ({error.strerror or error})")
    if not serverless and not names_resource_type(text):
        return None

    parse: Callable[[str], Node] = (
        json_tree if _looks_like_json(candidate.path, text) else yaml_tree
    )
    try:
        document = parse(text)
    except TemplateSyntaxError as error:
        return failed(str(error), error.line)
    if not isinstance(document.value, dict):
        return failed("not a mapping at the top") if serverless else None
    if serverless:
        return read_serverless(candidate.path, root, document)
    if document.get("Resources") is None:
        return None
    logger.debug("reading %s as a CloudFormation template", relpath)
    return read_cloudformation(candidate.path, root, document)


def _looks_like_json(path: Path, text: str) -> bool:
    if path.suffix == ".json":
        return True
    if path.suffix in (".yaml", ".yml"):
        return False
    return text.lstrip().startswith("{")
