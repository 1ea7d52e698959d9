"""Many functions in one resumable run: what to scan, the results database, and the scheduler.

A batch reads its functions from an inventory (``lambda-analyzer inventory``), the JSON of
``aws lambda list-functions``, a text file of ARNs, names or paths, or a folder of functions.
Each function passes through three stages:

1. *identify* (a download thread): its configuration and content hash, from the inventory
   row, one ``GetFunction`` call, or the files on disk. A function whose content hash,
   targets and tool version match a finished row is not scanned again; nor is one whose
   content a finished analysis of this database already covers.
2. *fetch* (a download thread): its code and layers onto disk. Functions with the same
   content share one fetch and one analysis; a layer version is downloaded once per run,
   and zips are kept in the content-addressed cache.
3. *analyse*: the package in a worker process (one per core), its dependencies on a thread
   of this process, where the index client keeps every answer for the run, so a project
   shared by many functions is asked for once.

Each result is written to SQLite (write-ahead log) as soon as it is known, in one
transaction per package: an interrupted batch loses at most the packages in flight, and
the next run resumes after the last one written. One function's failure is a row.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import multiprocessing
import multiprocessing.connection
import os
import queue
import re
import shutil
import signal
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer import __version__
from analyzer.errors import AnalyzerError, ArchiveError, FetchError, InputError
from analyzer.fetch.archive import DEFAULT_LIMITS, ExtractionLimits, sha256_base64
from analyzer.fetch.download import DEFAULT_POLICY, DownloadPolicy
from analyzer.fetch.local import (
    FunctionConfiguration,
    configuration_from_document,
    layer_search_dir,
    layers_from_configuration,
    read_configuration,
)
from analyzer.models import AnalysisError, Finding, Function, FunctionReport, Severity
from analyzer.pipeline import AnalysisOptions, PackageAnalysis
from analyzer.runtimes import get_runtime

if TYPE_CHECKING:
    from analyzer.fetch.lambda_api import LambdaApi, LayerContent

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 2
"""The results database's layout; ``open_database`` migrates older ones and refuses newer."""
APPLICATION = "lambda-analyzer batch results"
DEFAULT_CONCURRENCY = 8
"""Download threads, when ``--concurrency`` is not given."""
DEFAULT_TIMEOUT_SECONDS = 900.0
"""How long one package's analysis may take before its worker is stopped."""
BLOCKERS_KEPT = 50
"""Distinct blocking problems stored per analysis and target (the finding counts cover all)."""

FAILURE_KINDS = (
    "input",
    "access-denied",
    "not-found",
    "image",
    "unsupported-runtime",
    "download",
    "corrupt-archive",
    "timeout",
    "analysis",
)
"""How a function can end without a result: each a row, never the end of the batch."""

_BLOCKING = (Severity.BLOCKER, Severity.HIGH)
_FRESH_SECONDS = 240.0
"""How long a presigned code location from ``GetFunction`` is used before asking again."""
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# --------------------------------------------------------------------------- what to scan


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One function to scan, as the input names it, with what the inventory knew of it."""

    key: str
    """Stable across runs: the ARN, ``REGION/NAME`` for a bare name, or ``local:PATH``."""
    name: str
    target: str
    """The ARN, partial ARN or name to fetch, or the local folder or zip."""
    local: bool = False
    region: str | None = None
    account: str | None = None
    arn: str | None = None
    profile: str | None = None
    role_arn: str | None = None
    listed: Mapping[str, Any] | None = None
    """The configuration as listed (``ListFunctions`` fields), when the input holds it."""
    config_path: Path | None = None
    """A local function's ``configuration.json``."""
    tags: Mapping[str, str] = field(default_factory=dict)
    invocations: int | None = None
    versions: int | None = None
    aliases: tuple[str, ...] = ()
    state_machines: tuple[str, ...] = ()
    last_modified: str | None = None
    problem: str | None = None
    """Why the input line cannot be scanned at all (it becomes a failed row)."""


@dataclass(frozen=True)
class BatchInput:
    """The functions an input file or folder names, and what kind of input it was."""

    items: tuple[BatchItem, ...]
    kind: str
    """``inventory``, ``list-functions``, ``folder`` or ``lines``."""


def read_batch_input(
    path: Path, *, region: str | None = None, profile: str | None = None
) -> BatchInput:
    """The functions ``path`` names.

    - a folder: each ``<name>/`` holding ``configuration.json`` and either ``function/``
      or a ``<name>.zip`` beside the folder (the layout of ``sample_functions/`` and of the
      shared cases), and each other ``.zip`` in it;
    - ``.csv`` or ``.json`` written by ``lambda-analyzer inventory``;
    - the JSON that ``aws lambda list-functions`` prints;
    - any other file: one ARN, partial ARN, function name or local path a line (blank
      lines and lines starting with ``#`` are skipped).

    ``region`` and ``profile`` apply to functions the input names without them.
    """
    from analyzer.fetch.inventory import (
        inventory_from_document,
        is_inventory_document,
        read_inventory,
    )

    if path.is_dir():
        found = tuple(_folder_items(path))
        if found:
            return BatchInput(found, "folder")
        if any(child.suffix == ".py" for child in path.iterdir()):
            # A function's own folder, given where a folder of functions was expected.
            return BatchInput((_local_line_item(path),), "folder")
        raise InputError(
            f"{path}: no functions in this folder (expected <name>/configuration.json with "
            "<name>/function/ or <name>.zip, or deployment zips)"
        )
    if not path.is_file():
        raise InputError(f"{path}: no such file or folder")
    if path.suffix.lower() == ".csv":
        rows = read_inventory(path).functions
        return BatchInput(tuple(_inventory_items(rows, region, profile)), "inventory")
    if path.suffix.lower() == ".json":
        document = _read_json(path)
        if is_inventory_document(document):
            rows = inventory_from_document(document, source=str(path)).functions
            del document  # a large fleet's parsed JSON is not kept beside its rows
            return BatchInput(tuple(_inventory_items(rows, region, profile)), "inventory")
        if isinstance(document, dict) and isinstance(document.get("Functions"), list):
            items = [_listed_item(entry, region, profile) for entry in document["Functions"]]
            return BatchInput(tuple(items), "list-functions")
        raise InputError(
            f"{path}: neither a lambda-analyzer inventory nor the JSON of "
            "`aws lambda list-functions` (no Functions list)"
        )
    return BatchInput(tuple(_line_items(path, region, profile)), "lines")


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_bytes())
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from None


def _folder_items(folder: Path) -> Iterator[BatchItem]:
    claimed: set[Path] = set()
    for child in sorted(folder.iterdir()):
        config = child / "configuration.json"
        if not child.is_dir() or not config.is_file():
            continue
        if (child / "function").is_dir():
            code = child / "function"
        elif (folder / f"{child.name}.zip").is_file():
            code = folder / f"{child.name}.zip"
        elif (child / "function.zip").is_file():
            code = child / "function.zip"
        else:
            yield _local_item(child, config, problem="holds neither function/ nor a zip")
            continue
        # The zip beside the folder is the same function packaged.
        claimed.update({code.resolve(), (folder / f"{child.name}.zip").resolve()})
        yield _local_item(code, config)
    for archive in sorted(folder.glob("*.zip")):
        if archive.resolve() not in claimed:
            yield _local_item(archive, None)


def _local_item(code: Path, config: Path | None, problem: str | None = None) -> BatchItem:
    resolved = code.resolve()
    name = resolved.parent.name if resolved.name in ("function", "function.zip") else code.stem
    if config is not None:
        with suppress(AnalyzerError):
            name = read_configuration(config).name or name
    return BatchItem(
        key=f"local:{resolved}",
        name=name,
        target=str(resolved),
        local=True,
        config_path=config,
        problem=problem,
    )


def _inventory_items(
    rows: Iterable[Any], region: str | None, profile: str | None
) -> Iterator[BatchItem]:
    for row in rows:
        listed = {
            "FunctionName": row.name,
            "FunctionArn": row.arn,
            "Runtime": row.runtime,
            "Handler": row.handler,
            "Architectures": list(row.architectures) or None,
            "Layers": [{"Arn": arn} for arn in row.layers],
            "CodeSha256": row.code_sha256,
            "CodeSize": row.code_size,
            "PackageType": row.package_type,
        }
        yield BatchItem(
            key=row.arn or f"{row.region or region or '-'}/{row.name}",
            name=row.name,
            target=row.arn or row.name,
            region=row.region or region,
            account=row.account or None,
            arn=row.arn or None,
            profile=row.profile or profile,
            role_arn=row.role_arn,
            listed={key: value for key, value in listed.items() if value is not None},
            tags=dict(row.tags or {}),
            invocations=row.invocations,
            versions=row.versions,
            aliases=tuple(row.aliases or ()),
            state_machines=tuple(row.state_machines),
            last_modified=row.last_modified,
        )


def _listed_item(entry: object, region: str | None, profile: str | None) -> BatchItem:
    if not isinstance(entry, dict) or not isinstance(entry.get("FunctionName"), str):
        return BatchItem(
            key=f"invalid:{hashlib.sha256(repr(entry).encode()).hexdigest()[:16]}",
            name=str(entry)[:64],
            target="",
            problem="a Functions entry without a FunctionName",
        )
    arn = entry.get("FunctionArn") if isinstance(entry.get("FunctionArn"), str) else None
    arn_parts = arn.split(":") if arn else []
    item_region = arn_parts[3] if len(arn_parts) > 6 else region
    return BatchItem(
        key=arn or f"{item_region or '-'}/{entry['FunctionName']}",
        name=entry["FunctionName"],
        target=arn or entry["FunctionName"],
        region=item_region,
        account=arn_parts[4] if len(arn_parts) > 6 else None,
        arn=arn,
        profile=profile,
        listed=entry,
        last_modified=entry.get("LastModified"),
    )


def _line_items(path: Path, region: str | None, profile: str | None) -> Iterator[BatchItem]:
    from analyzer.fetch.lambda_api import parse_function_target

    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        local = Path(text) if Path(text).is_absolute() else path.parent / text
        if local.exists():
            yield _local_line_item(local)
            continue
        try:
            target = parse_function_target(text)
        except FetchError:
            yield BatchItem(
                key=f"line:{path.name}:{number}",
                name=text[:64],
                target=text,
                problem=f"{path.name}:{number}: not a function ARN, name, or existing path",
            )
            continue
        item_region = target.region or region
        name = target.function_name.rsplit(":", 1)[-1]
        yield BatchItem(
            key=text if text.startswith("arn:") else f"{item_region or '-'}/{text}",
            name=name,
            target=text,
            region=item_region,
            account=target.account,
            arn=text if text.startswith("arn:") and not target.qualifier else None,
            profile=profile,
        )


def _local_line_item(local: Path) -> BatchItem:
    config = local / "configuration.json" if local.is_dir() else None
    if config is not None and config.is_file():
        code = local / "function" if (local / "function").is_dir() else local
        return _local_item(code, config)
    sibling = local.parent.parent / "configuration.json" if local.name == "function" else None
    if sibling is not None and sibling.is_file():
        return _local_item(local, sibling)
    return _local_item(local, None)


# --------------------------------------------------------------------------- content identity


def tree_hash(folder: Path) -> str:
    """A digest of every file's path and bytes under ``folder`` (links by their target text,
    never followed): the content hash of a function or layer held as a folder."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            relative = path.relative_to(folder).as_posix()
            digest.update(relative.encode("utf-8", "surrogateescape") + b"\0")
            if path.is_symlink():
                digest.update(b"link:" + os.readlink(path).encode("utf-8", "surrogateescape"))
            else:
                with path.open("rb") as stream:
                    while chunk := stream.read(1 << 20):
                        digest.update(chunk)
            digest.update(b"\0")
    return base64.b64encode(digest.digest()).decode("ascii")


def content_hash(
    configuration: FunctionConfiguration, code_identity: str | None, layer_identities: Sequence[str]
) -> str:
    """What decides a function's analysis: its code, its layers in order, and the runtime,
    handler, architecture and package type it runs with. Equal hashes, equal reports."""
    fields = [
        code_identity,
        list(layer_identities),
        configuration.runtime,
        configuration.handler,
        configuration.architecture,
        configuration.package_type or "Zip",
    ]
    return hashlib.sha256(json.dumps(fields).encode()).hexdigest()


def catalogue_version() -> str:
    """The identity of the rules that judged a function: a digest of the sources of
    ``analyzer/rules`` (catalogue rows and visitor rules)."""
    # TODO: a version the catalogue declares itself (a constant in analyzer.rules.catalogue)
    rules = Path(__file__).resolve().parent / "rules"
    digest = hashlib.sha256()
    for source in sorted(rules.rglob("*.py")):
        digest.update(source.relative_to(rules).as_posix().encode() + b"\0")
        digest.update(source.read_bytes())
    return f"rules-{digest.hexdigest()[:12]}"


# --------------------------------------------------------------------------- the database


@dataclass(frozen=True, slots=True)
class StoredFunction:
    """What the database holds of one function, as far as resuming needs it."""

    key: str
    status: str
    content_hash: str | None
    analysis_key: str | None
    targets: tuple[str, ...]
    tool_version: str | None


_SCHEMA_V1 = (
    """CREATE TABLE functions (
        key TEXT PRIMARY KEY, name TEXT NOT NULL, arn TEXT, account TEXT, region TEXT,
        runtime TEXT, package_type TEXT, architecture TEXT, code_sha256 TEXT,
        content_hash TEXT, tags TEXT NOT NULL DEFAULT '{}', invocations INTEGER,
        status TEXT NOT NULL, error TEXT, attempts INTEGER NOT NULL DEFAULT 0,
        targets TEXT NOT NULL DEFAULT '[]', tool_version TEXT, scanned_at TEXT)""",
    """CREATE TABLE reports (
        function_key TEXT NOT NULL, target TEXT NOT NULL, content_hash TEXT,
        score INTEGER NOT NULL, verdict TEXT NOT NULL, report BLOB NOT NULL,
        PRIMARY KEY (function_key, target))""",
)
"""Schema 1: one report per function and target. Kept to migrate databases made with it."""

_TABLES_V2 = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE runs (
        id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT,
        status TEXT NOT NULL, tool_version TEXT NOT NULL, catalogue_version TEXT,
        targets TEXT NOT NULL, input TEXT)""",
    """CREATE TABLE analyses (
        analysis_key TEXT NOT NULL, target TEXT NOT NULL,
        score INTEGER NOT NULL, verdict TEXT NOT NULL,
        blockers TEXT NOT NULL, counts TEXT NOT NULL,
        errors INTEGER NOT NULL DEFAULT 0, files_analysed INTEGER NOT NULL DEFAULT 0,
        report BLOB NOT NULL, tool_version TEXT NOT NULL, catalogue_version TEXT,
        analysed_at TEXT NOT NULL,
        PRIMARY KEY (analysis_key, target))""",
    """CREATE TABLE scan_log (
        id INTEGER PRIMARY KEY, run_id INTEGER, function_key TEXT NOT NULL,
        status TEXT NOT NULL, content_hash TEXT, analysed INTEGER NOT NULL,
        finished_at TEXT NOT NULL)""",
    "CREATE INDEX scan_log_function ON scan_log (function_key)",
)
_FUNCTION_COLUMNS_V2 = (
    ("handler", "TEXT"),
    ("analysis_key", "TEXT"),
    ("versions", "INTEGER"),
    ("aliases", "TEXT NOT NULL DEFAULT '[]'"),
    ("state_machines", "TEXT NOT NULL DEFAULT '[]'"),
    ("last_modified", "TEXT"),
    ("layers", "TEXT NOT NULL DEFAULT '[]'"),
    ("failure_kind", "TEXT"),
    ("catalogue_version", "TEXT"),
    ("run_id", "INTEGER"),
)


class BatchDatabase:
    """The results of batches: one row per function, one per analysed package and target.

    ``functions`` holds each function's identity, inventory facts, status and content
    hash; ``analyses`` holds one report per content (``analysis_key``) and target, shared
    by every function with that content; ``scan_log`` records each function's end in each
    run; ``runs`` each run's tool and catalogue versions.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path

    def close(self) -> None:
        """Close the connection; the write-ahead log is merged into the database file."""
        self.connection.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: committed whole, or not at all."""
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield self.connection
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    # --- runs

    def start_run(self, targets: Sequence[str], source: str, catalogue: str) -> int:
        """Record a new run; a run still marked running was killed (the caller holds the
        database's lock), and is marked so."""
        with self.transaction() as connection:
            connection.execute(
                "UPDATE runs SET status = 'killed' WHERE status = 'running' AND finished_at IS NULL"
            )
            cursor = connection.execute(
                "INSERT INTO runs (started_at, status, tool_version, catalogue_version, "
                "targets, input) VALUES (?, 'running', ?, ?, ?, ?)",
                (_now(), __version__, catalogue, json.dumps(list(targets)), source),
            )
            return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, status: str) -> None:
        with self.transaction() as connection:
            connection.execute(
                "UPDATE runs SET finished_at = ?, status = ? WHERE id = ?",
                (_now(), status, run_id),
            )

    # --- functions

    def stored_functions(self) -> dict[str, StoredFunction]:
        rows = self.connection.execute(
            "SELECT key, status, content_hash, analysis_key, targets, tool_version FROM functions"
        )
        return {
            key: StoredFunction(
                key, status, content, analysis, tuple(json.loads(targets or "[]")), tool
            )
            for key, status, content, analysis, targets, tool in rows
        }

    def register(self, items: Sequence[BatchItem]) -> None:
        """Add new functions as ``pending`` and refresh the inventory facts of known ones."""
        with self.transaction() as connection:
            connection.executemany(
                "INSERT INTO functions (key, name, arn, account, region, tags, invocations, "
                "versions, aliases, state_machines, last_modified, status) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending') "
                "ON CONFLICT (key) DO UPDATE SET name = excluded.name, "
                "arn = coalesce(excluded.arn, arn), account = coalesce(excluded.account, account), "
                "region = coalesce(excluded.region, region), tags = excluded.tags, "
                "invocations = coalesce(excluded.invocations, invocations), "
                "versions = coalesce(excluded.versions, versions), aliases = excluded.aliases, "
                "state_machines = excluded.state_machines, "
                "last_modified = coalesce(excluded.last_modified, last_modified)",
                [
                    (
                        item.key,
                        item.name,
                        item.arn,
                        item.account,
                        item.region,
                        json.dumps(dict(item.tags), sort_keys=True),
                        item.invocations,
                        item.versions,
                        json.dumps(list(item.aliases)),
                        json.dumps(list(item.state_machines)),
                        item.last_modified,
                    )
                    for item in items
                ],
            )

    def analysed_targets(self, analysis_key: str) -> set[str]:
        """Targets an analysis of ``analysis_key`` by this tool version covers."""
        rows = self.connection.execute(
            "SELECT target FROM analyses WHERE analysis_key = ? AND tool_version = ?",
            (analysis_key, __version__),
        )
        return {target for (target,) in rows}

    def record_done(
        self,
        members: Sequence[PackageMember],
        analysis_key: str,
        reports: Sequence[FunctionReport],
        run_id: int,
        catalogue: str,
    ) -> None:
        """Store an analysis (when ``reports`` holds one) and finish every member with it."""
        now = _now()
        with self.transaction() as connection:
            for report in reports:
                connection.execute(
                    "INSERT OR REPLACE INTO analyses (analysis_key, target, score, verdict, "
                    "blockers, counts, errors, files_analysed, report, tool_version, "
                    "catalogue_version, analysed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        analysis_key,
                        report.target.name,
                        report.score,
                        report.verdict.value,
                        json.dumps(blocking_problems(report.findings)),
                        json.dumps(finding_counts(report)),
                        len(report.errors),
                        report.files_analysed,
                        encode_report(report, now, catalogue),
                        __version__,
                        catalogue,
                        now,
                    ),
                )
            for member in members:
                self._finish(connection, member, "done", run_id, catalogue, now, analysis_key)
                connection.execute(
                    "INSERT INTO scan_log (run_id, function_key, status, content_hash, analysed, "
                    "finished_at) VALUES (?, ?, 'done', ?, ?, ?)",
                    (run_id, member.item.key, member.content_hash, int(bool(reports)), now),
                )

    def record_failed(
        self, members: Sequence[PackageMember], kind: str, message: str, run_id: int
    ) -> None:
        now = _now()
        with self.transaction() as connection:
            for member in members:
                self._finish(connection, member, "failed", run_id, None, now, None, kind, message)
                connection.execute(
                    "INSERT INTO scan_log (run_id, function_key, status, content_hash, analysed, "
                    "finished_at) VALUES (?, ?, 'failed', ?, 0, ?)",
                    (run_id, member.item.key, member.content_hash, now),
                )

    def _finish(
        self,
        connection: sqlite3.Connection,
        member: PackageMember,
        status: str,
        run_id: int,
        catalogue: str | None,
        now: str,
        analysis_key: str | None,
        kind: str | None = None,
        message: str | None = None,
    ) -> None:
        configuration = member.configuration
        connection.execute(
            "UPDATE functions SET status = ?, failure_kind = ?, error = ?, "
            "attempts = attempts + 1, content_hash = ?, analysis_key = ?, targets = ?, "
            "tool_version = ?, catalogue_version = ?, scanned_at = ?, run_id = ?, "
            "runtime = coalesce(?, runtime), package_type = coalesce(?, package_type), "
            "architecture = coalesce(?, architecture), handler = coalesce(?, handler), "
            "code_sha256 = coalesce(?, code_sha256), arn = coalesce(?, arn), "
            "account = coalesce(?, account), region = coalesce(?, region), "
            "layers = ? WHERE key = ?",
            (
                status,
                kind,
                message,
                member.content_hash,
                analysis_key,
                json.dumps(list(member.targets)),
                __version__,
                catalogue,
                now,
                run_id,
                configuration.runtime if configuration else None,
                configuration.package_type if configuration else None,
                configuration.architecture if configuration else None,
                configuration.handler if configuration else None,
                member.code_sha256,
                configuration.arn if configuration else None,
                _account_of(configuration.arn) if configuration else None,
                _region_of(configuration.arn) if configuration else None,
                json.dumps([layer.arn for layer in configuration.layers] if configuration else []),
                member.item.key,
            ),
        )


def open_database(path: Path) -> BatchDatabase:
    """The results database at ``path``, created when absent, migrated when older.

    Raises ``InputError`` with one line for a file that is not SQLite, a database this tool
    did not make, or one made by a newer version of it.
    """
    existed = path.exists() and path.stat().st_size > 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise InputError(f"{path}: cannot open the results database ({exc})") from None
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if existed:
            _check_ours(connection, path, version)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        if not existed:
            _create(connection)
        elif version < SCHEMA_VERSION:
            _migrate(connection, version, path)
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise InputError(f"{path}: not a results database of lambda-analyzer ({exc})") from None
    except BaseException:
        connection.close()
        raise
    return BatchDatabase(connection, path)


def _check_ours(connection: sqlite3.Connection, path: Path, version: int) -> None:
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
    if version > SCHEMA_VERSION:
        raise InputError(
            f"{path}: made by a newer lambda-analyzer (database schema {version}; this version "
            f"reads schema {SCHEMA_VERSION} and older); upgrade lambda-analyzer or use another "
            "--db"
        )
    if version == 1 and {"functions", "reports"} <= tables:
        return
    if version >= 2 and "meta" in tables:
        row = connection.execute("SELECT value FROM meta WHERE key = 'application'").fetchone()
        if row is not None and row[0] == APPLICATION:
            return
    raise InputError(f"{path}: not a results database of lambda-analyzer")


def _create(connection: sqlite3.Connection) -> None:
    connection.execute("BEGIN IMMEDIATE")
    for statement in _SCHEMA_V1:
        connection.execute(statement)
    _to_v2(connection)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    connection.execute("COMMIT")


def _migrate(connection: sqlite3.Connection, version: int, path: Path) -> None:
    """Bring a database of an older schema to this one, in one transaction."""
    logger.info("%s: migrating the database from schema %d to %d", path, version, SCHEMA_VERSION)
    connection.execute("BEGIN IMMEDIATE")
    try:
        if version == 1:
            _to_v2(connection)
            _reports_v1_to_analyses(connection)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _to_v2(connection: sqlite3.Connection) -> None:
    for statement in _TABLES_V2:
        connection.execute(statement)
    for column, declaration in _FUNCTION_COLUMNS_V2:
        connection.execute(f"ALTER TABLE functions ADD COLUMN {column} {declaration}")
    connection.execute("INSERT INTO meta (key, value) VALUES ('application', ?)", (APPLICATION,))


def _reports_v1_to_analyses(connection: sqlite3.Connection) -> None:
    """Schema 1 kept a report per function; each becomes the function's own analysis."""
    from analyzer.report.json import from_document

    rows = connection.execute(
        "SELECT r.function_key, r.target, r.score, r.verdict, r.report, f.tool_version, "
        "f.scanned_at FROM reports r JOIN functions f ON f.key = r.function_key"
    ).fetchall()
    for key, target, score, verdict, blob, tool_version, scanned_at in rows:
        document = json.loads(zlib.decompress(blob))
        report = from_document(document)[0]
        connection.execute(
            "INSERT INTO analyses (analysis_key, target, score, verdict, blockers, counts, "
            "errors, files_analysed, report, tool_version, analysed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                f"v1:{key}",
                target,
                score,
                verdict,
                json.dumps(blocking_problems(report.findings)),
                json.dumps(finding_counts(report)),
                len(report.errors),
                report.files_analysed,
                blob,
                tool_version or "unknown",
                scanned_at or _now(),
            ),
        )
    connection.execute(
        "UPDATE functions SET analysis_key = 'v1:' || key "
        "WHERE key IN (SELECT function_key FROM reports)"
    )
    connection.execute(
        "INSERT INTO scan_log (run_id, function_key, status, content_hash, analysed, finished_at) "
        "SELECT NULL, key, status, content_hash, 1, coalesce(scanned_at, '') FROM functions "
        "WHERE status IN ('done', 'failed')"
    )
    connection.execute("DROP TABLE reports")


def encode_report(report: FunctionReport, analysed_at: str, catalogue: str | None) -> bytes:
    """A report as stored: the JSON report document of it alone, compressed."""
    from analyzer.report.json import to_document

    document = to_document([report], generated_at=analysed_at, catalogue_version=catalogue)
    return zlib.compress(json.dumps(document, ensure_ascii=True).encode("ascii"), 6)


def decode_report(blob: bytes) -> FunctionReport:
    """The report ``encode_report`` stored."""
    from analyzer.report.json import from_document

    return from_document(json.loads(zlib.decompress(blob)))[0]


def blocking_problems(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """The distinct problems that block a function (blocker or high), worst first: each
    rule, symbol and component once, with its first location."""
    seen: dict[tuple[str, str | None, str], dict[str, Any]] = {}
    for finding in sorted(findings, key=lambda finding: finding.sort_key):
        if finding.severity not in _BLOCKING:
            continue
        key = (finding.rule_id, finding.symbol, finding.component.key)
        if key in seen:
            seen[key]["occurrences"] += 1
            continue
        seen[key] = {
            "rule_id": finding.rule_id,
            "symbol": finding.symbol,
            "severity": finding.severity.value if finding.severity else None,
            "component": {
                "kind": finding.component.kind.value,
                "name": finding.component.name,
                "version": finding.component.version,
            },
            "path": finding.location.path,
            "line": finding.location.line,
            "message": finding.message,
            "occurrences": 1,
        }
    problems = list(seen.values())
    if len(problems) > BLOCKERS_KEPT:
        problems = problems[:BLOCKERS_KEPT]
    return problems


def finding_counts(report: FunctionReport) -> dict[str, int]:
    """Findings of the report by severity, and in all."""
    counts = {severity.value: 0 for severity in Severity}
    for finding in report.findings:
        if finding.severity is not None:
            counts[finding.severity.value] += 1
    counts["total"] = len(report.findings)
    return counts


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _account_of(arn: str | None) -> str | None:
    parts = arn.split(":") if arn else []
    return parts[4] if len(parts) > 6 else None


def _region_of(arn: str | None) -> str | None:
    parts = arn.split(":") if arn else []
    return parts[3] if len(parts) > 6 else None


# --------------------------------------------------------------------------- fetching


@dataclass(slots=True)
class PackageMember:
    """A function waiting for, or finished with, one package's analysis."""

    item: BatchItem
    content_hash: str | None
    configuration: FunctionConfiguration | None
    code_sha256: str | None
    targets: tuple[str, ...]


@dataclass
class _Identified:
    """The identify stage's answer for one function."""

    item: BatchItem
    configuration: FunctionConfiguration | None = None
    content_hash: str | None = None
    code_sha256: str | None = None
    code_identity: str | None = None
    layer_ids: dict[str, str] = field(default_factory=dict)
    """Layer name to its content identity, for the layers known before fetching."""
    api: LambdaApi | None = None
    deployed: Any = None
    """``GetFunction``'s answer when identifying needed it; its code location is fresh."""
    identified_at: float = 0.0
    failure: tuple[str, str] | None = None
    """(kind, message) when the function cannot be scanned."""


@dataclass
class _Fetched:
    """A package on disk, ready for analysis."""

    function: Function
    errors: tuple[AnalysisError, ...]
    layer_ids: dict[str, str]
    workdir: Path


class _AwsAccess:
    """Lambda clients per profile, role and region, made once and shared by the threads."""

    def __init__(self, profile: str | None, region: str | None, pool_size: int) -> None:
        self.profile = profile
        self.region = region
        self.pool_size = pool_size
        self._lock = threading.Lock()
        self._apis: dict[tuple[str | None, str | None, str | None], LambdaApi] = {}

    def lambda_api(self, item: BatchItem, region: str | None) -> LambdaApi:
        from botocore.config import Config

        from analyzer.fetch.inventory import CredentialSource, open_session
        from analyzer.fetch.lambda_api import LambdaApi

        profile = item.profile or self.profile
        key = (profile, item.role_arn, region or self.region)
        with self._lock:
            api = self._apis.get(key)
            if api is None:
                session = open_session(CredentialSource(profile, item.role_arn), key[2])
                if key[2] is None and session.region_name is None:
                    raise InputError(
                        f"function {item.name}: a function name needs --region or a region in "
                        "the AWS configuration"
                    )
                config = Config(
                    retries={"mode": "standard", "max_attempts": 5},
                    user_agent_extra=f"lambda-analyzer/{__version__}",
                    max_pool_connections=self.pool_size,
                )
                try:
                    client = session.client("lambda", region_name=key[2], config=config)
                except Exception as exc:  # botocore: no region, bad configuration
                    raise FetchError(
                        f"function {item.name}: no Lambda client for region {key[2]!r} ({exc})"
                    ) from None
                api = LambdaApi(client)
                self._apis[key] = api
            return api


class _Once:
    """Runs a keyed piece of work once; later callers wait for it and get its result."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: dict[str, Future[Any]] = {}

    def run(self, key: str, work: Callable[[], Any]) -> Any:
        with self._lock:
            future = self._futures.get(key)
            owner = future is None
            if future is None:
                future = Future()
                self._futures[key] = future
        if owner:
            try:
                future.set_result(work())
            except BaseException as exc:
                future.set_exception(exc)
        return future.result()


class _Fetcher:
    """Identifies and fetches functions for the batch; safe to call from many threads."""

    def __init__(self, request: BatchRequest, workdir: Path, cache_root: Path) -> None:
        from analyzer.fetch.cache import CodeCache

        self.request = request
        self.workdir = workdir
        self.cache = CodeCache(cache_root)
        self.access = _AwsAccess(request.profile, request.region, max(10, request.concurrency * 2))
        self.layers = _Once()
        self.zips = _Once()
        self.downloads = 0
        self.layer_downloads = 0
        self._counter_lock = threading.Lock()
        self._serial = 0

    # --- identify

    def identify(self, item: BatchItem) -> _Identified:
        try:
            if item.problem is not None:
                return _Identified(item, failure=("input", item.problem))
            if item.local:
                return self._identify_local(item)
            return self._identify_remote(item)
        except AnalyzerError as exc:
            return _Identified(item, failure=(failure_kind(exc), str(exc)))

    def _identify_local(self, item: BatchItem) -> _Identified:
        path = Path(item.target)
        configuration = (
            read_configuration(item.config_path)
            if item.config_path is not None
            else FunctionConfiguration(source=str(path))
        )
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        code_identity = tree_hash(path) if path.is_dir() else sha256_base64(path)
        layer_ids = {}
        for layer_path in layers_from_configuration(configuration, layer_search_dir(path)):
            name = layer_path.stem if layer_path.is_file() else layer_path.name
            layer_ids[name] = (
                tree_hash(layer_path) if layer_path.is_dir() else sha256_base64(layer_path)
            )
        return _Identified(
            item,
            configuration=configuration,
            content_hash=content_hash(configuration, code_identity, list(layer_ids.values())),
            code_sha256=None if path.is_dir() else code_identity,
            code_identity=code_identity,
            layer_ids=layer_ids,
        )

    def _identify_remote(self, item: BatchItem) -> _Identified:
        from analyzer.fetch.lambda_api import parse_function_target

        target = parse_function_target(item.target)
        api = self.access.lambda_api(item, target.region or item.region)
        if item.listed is not None and item.listed.get("CodeSha256"):
            configuration = configuration_from_document(
                dict(item.listed), source=f"the inventory row of {item.name}"
            )
            deployed = None
        elif item.listed is not None and item.listed.get("PackageType") == "Image":
            configuration = configuration_from_document(
                dict(item.listed), source=f"the inventory row of {item.name}"
            )
            deployed = None
            deployed = None
        else:
            deployed = api.get_function(target.function_name, target.qualifier)
            configuration = deployed.configuration
        identified = _Identified(
            item,
            configuration=configuration,
            content_hash=content_hash(
                configuration,
                configuration.code_sha256,
                [layer.arn for layer in configuration.layers],
            ),
            code_sha256=configuration.code_sha256,
            code_identity=configuration.code_sha256,
            api=api,
            deployed=deployed,
            identified_at=time.monotonic(),
        )
        if configuration.package_type == "Image":
            identified.failure = (
                "image",
                f"function {item.name} is a container image (PackageType Image): its code is "
                "in the image, not in a zip, so it is not analysed",
            )
        return identified

    # --- fetch

    def fetch(self, identified: _Identified) -> _Fetched:
        from analyzer.fetch.local import load_local_function

        with self._counter_lock:
            self._serial += 1
            workdir = self.workdir / f"package-{self._serial}"
        errors: list[AnalysisError] = []
        item = identified.item
        configuration = identified.configuration
        assert configuration is not None
        if item.local:
            function = load_local_function(
                Path(item.target),
                workdir,
                config=configuration,
                limits=self.request.limits,
                errors=errors,
            )
            return _Fetched(function, tuple(errors), dict(identified.layer_ids), workdir)
        return self._fetch_remote(identified, workdir, errors)

    def _fetch_remote(
        self, identified: _Identified, workdir: Path, errors: list[AnalysisError]
    ) -> _Fetched:
        from analyzer.fetch.lambda_api import parse_function_target
        from analyzer.fetch.local import FETCH_STAGE, load_local_function

        item = identified.item
        api = identified.api
        assert api is not None
        target = parse_function_target(item.target)
        deployed = identified.deployed
        # A presigned code location lasts minutes: ask again for one when it may be stale.
        if deployed is None or time.monotonic() - identified.identified_at > _FRESH_SECONDS:
            deployed = api.get_function(target.function_name, target.qualifier)
        configuration = deployed.configuration
        downloads = workdir / "downloads"
        layer_zips = downloads / "layers"
        layer_zips.mkdir(parents=True)
        code_zip = downloads / "function.zip"
        if configuration.code_sha256 is None:
            raise FetchError(f"function {item.name}: the Lambda API gave no CodeSha256")
        self._code_zip(configuration.code_sha256, deployed.code_location, code_zip, item.name)

        fetched_layers = []
        layer_ids: dict[str, str] = {}
        for layer in configuration.layers:
            if layer.name in layer_ids:
                errors.append(
                    AnalysisError(
                        FETCH_STAGE,
                        f"layer {layer.arn} has the same name as an earlier layer; its content "
                        "is not analysed",
                        f"layers/{layer.name}",
                    )
                )
                continue
            try:
                content = self._layer_content(api, layer.arn)
                if content.code_sha256 is None:
                    raise FetchError(f"layer {layer.arn}: the Lambda API gave no CodeSha256")
                self._code_zip(
                    content.code_sha256,
                    content.location,
                    layer_zips / f"{layer.name}.zip",
                    f"layer {layer.arn}",
                    layer=True,
                )
            except FetchError as exc:
                errors.append(
                    AnalysisError(
                        FETCH_STAGE, f"{exc}; its content is not analysed", f"layers/{layer.name}"
                    )
                )
                continue
            layer_ids[layer.name] = content.code_sha256
            fetched_layers.append(layer)
        function = load_local_function(
            code_zip,
            workdir,
            config=dataclasses.replace(configuration, layers=tuple(fetched_layers)),
            limits=self.request.limits,
            errors=errors,
        )
        return _Fetched(function, tuple(errors), layer_ids, workdir)

    def _layer_content(self, api: LambdaApi, layer_version_arn: str) -> LayerContent:
        from analyzer.fetch.lambda_api import split_layer_version_arn

        layer_arn, version = split_layer_version_arn(layer_version_arn)
        content: LayerContent = self.layers.run(
            layer_version_arn, lambda: api.get_layer_version(layer_arn, version)
        )
        return content

    def _code_zip(
        self,
        code_sha256: str,
        location: Any,
        destination: Path,
        name: str,
        *,
        layer: bool = False,
    ) -> None:
        from analyzer.fetch.download import download

        label = name if layer else f"function {name}"

        def obtain() -> Path:
            cached = self.cache.lookup(code_sha256)
            if cached is not None:
                return cached
            if location is None:
                raise FetchError(f"{label}: the Lambda API gave no code location")
            stored = self.cache.zip_path(code_sha256)
            download(
                location,
                stored,
                code_sha256=code_sha256,
                label=label,
                policy=self.request.download_policy,
            )
            with self._counter_lock:
                self.downloads += 1
                self.layer_downloads += int(layer)
            return stored

        stored: Path = self.zips.run(code_sha256, obtain)
        try:
            os.symlink(stored.resolve(), destination)
        except OSError:
            shutil.copyfile(stored, destination)


def failure_kind(exc: BaseException) -> str:
    """The kind of a function's failure, from the error that ended it."""
    text = str(exc)
    if isinstance(exc, FetchError):
        if "access denied" in text:
            return "access-denied"
        if "not found" in text:
            return "not-found"
        if "timed out" in text or "timeout" in text:
            return "timeout"
        return "download"
    if isinstance(exc, ArchiveError):
        return "corrupt-archive"
    if isinstance(exc, InputError) and "runtime" in text:
        return "unsupported-runtime"
    if isinstance(exc, InputError):
        return "input"
    if isinstance(exc, TimeoutError):
        return "timeout"
    return "analysis"


# --------------------------------------------------------------------------- analysis workers


@dataclass(frozen=True)
class AnalysisJob:
    """What a worker process analyses: one package, without its dependencies."""

    function: Function
    targets: tuple[str, ...]
    options: AnalysisOptions
    errors: tuple[AnalysisError, ...]
    layer_ids: Mapping[str, str]
    """Layer name to content identity: files of those layers are analysed once per run."""
    layer_memo: tuple[tuple[tuple[Any, ...], Any], ...] = ()
    """Source analyses of those layers' files made earlier in the run."""


@dataclass(frozen=True)
class AnalysisOutcome:
    """A worker's answer: the package analysis, and the layer files it analysed anew."""

    analysis: PackageAnalysis | None
    new_memo: tuple[tuple[tuple[Any, ...], Any], ...]
    layer_files_analysed: int
    layer_files_reused: int
    seconds: float
    error: str | None = None


class SourceMemo:
    """Source analyses of layer files, keyed so that a reuse is exact.

    A file's analysis depends on its bytes (fixed by the layer's content identity and its
    path), its module name, and which of the package's top-level module names it mentions
    (a package's own module shadows a standard-library one of the same name): the key
    holds those and nothing else, so a layer shared by many functions is analysed once.
    """

    def __init__(self) -> None:
        self.entries: dict[tuple[Any, ...], Any] = {}
        self.layer_ids: Mapping[str, str] = {}
        self.new: list[tuple[tuple[Any, ...], Any]] = []
        self.analysed = 0
        self.reused = 0

    def start(self, layer_ids: Mapping[str, str], entries: Iterable[tuple[Any, Any]]) -> None:
        self.layer_ids = layer_ids
        self.entries.update(entries)
        self.new = []
        self.analysed = 0
        self.reused = 0

    def wrap(self, analyse_file: Callable[..., Any]) -> Callable[..., Any]:
        """``analyse_file`` answering layer files from the memo."""
        from analyzer.rules.engine import decode_source

        def memoised(
            file: Path,
            path: str,
            *,
            module: str | None = None,
            local_modules: frozenset[str] = frozenset(),
        ) -> Any:
            parts = path.split("/", 2)
            layer_id = (
                self.layer_ids.get(parts[1]) if parts[0] == "layers" and len(parts) > 2 else None
            )
            if layer_id is None:
                return analyse_file(file, path, module=module, local_modules=local_modules)
            try:
                words = frozenset(_WORD.findall(decode_source(file.read_bytes())))
            except (OSError, UnicodeDecodeError, LookupError):
                return analyse_file(file, path, module=module, local_modules=local_modules)
            key = (layer_id, path, module, tuple(sorted(local_modules & words)))
            if key in self.entries:
                self.reused += 1
                return self.entries[key]
            result = analyse_file(file, path, module=module, local_modules=local_modules)
            self.entries[key] = result
            self.new.append((key, result))
            self.analysed += 1
            return result

        return memoised


_MEMO = SourceMemo()


def _worker_main(connection: multiprocessing.connection.Connection, batch_pid: int) -> None:
    """A worker process: analyse the jobs its connection brings until it closes."""
    import analyzer.rules.engine as engine
    from analyzer.pipeline import analyse_package

    # Ctrl-C reaches the whole process group: the parent decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with(batch_pid)
    # TODO: a source-analysis hook in the pipeline instead of rebinding the engine's
    # function (an option of AnalysisOptions would retire this).
    engine.analyse_file = _MEMO.wrap(engine.analyse_file)
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        started = time.perf_counter()
        try:
            _MEMO.start(job.layer_ids, job.layer_memo)
            analysis = analyse_package(
                job.function,
                [get_runtime(name) for name in job.targets],
                job.options,
                errors=job.errors,
            )
            outcome = AnalysisOutcome(
                analysis,
                tuple(_MEMO.new),
                _MEMO.analysed,
                _MEMO.reused,
                time.perf_counter() - started,
            )
        except Exception as exc:  # a crash in one package is that package's failure
            logger.debug("analysis of %s failed", job.function.name, exc_info=True)
            outcome = AnalysisOutcome(
                None, (), 0, 0, time.perf_counter() - started, f"{type(exc).__name__}: {exc}"
            )
        try:
            connection.send(outcome)
        except (OSError, ValueError):
            return


_WATCH_SECONDS = 1.0


def _exit_with(batch_pid: int) -> None:
    """End this worker once the batch process is gone (killed, crashed).

    A worker notices a closed connection only between packages, and one package may take
    minutes. The check runs from a timer signal, not a thread: a long regular-expression
    match holds the interpreter lock, but it does let signal handlers run.
    """
    if not hasattr(signal, "setitimer"):  # not on POSIX: the connection's end must do
        return

    def check(signum: int, frame: object) -> None:
        try:
            os.kill(batch_pid, 0)
        except ProcessLookupError:
            os._exit(70)
        except PermissionError:  # the PID now belongs to another user's process
            os._exit(70)

    signal.signal(signal.SIGALRM, check)
    signal.setitimer(signal.ITIMER_REAL, _WATCH_SECONDS, _WATCH_SECONDS)


class AnalysisTimeoutError(TimeoutError):
    """A package whose analysis took longer than the batch allows."""


class WorkerCrashError(RuntimeError):
    """A worker process that ended in the middle of a package."""


class AnalysisPool:
    """Worker processes, one thread of this process driving each, with a time limit per job.

    A worker that overruns its job or dies is replaced; its job alone fails.
    """

    def __init__(self, workers: int, timeout_seconds: float) -> None:
        self.timeout_seconds = timeout_seconds
        self._context = _process_context()
        self._jobs: queue.Queue[tuple[AnalysisJob, Future[AnalysisOutcome]] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._processes: set[Any] = set()
        self._closed = False
        self._threads = [
            threading.Thread(target=self._drive, name=f"analysis-{index}", daemon=True)
            for index in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, job: AnalysisJob) -> Future[AnalysisOutcome]:
        future: Future[AnalysisOutcome] = Future()
        self._jobs.put((job, future))
        return future

    def close(self, *, wait_for_jobs: bool = True) -> None:
        """Stop the workers: after their current jobs, or at once."""
        self._closed = True
        if not wait_for_jobs:
            with suppress(queue.Empty):
                while True:
                    entry = self._jobs.get_nowait()
                    if entry is not None:
                        entry[1].cancel()
            with self._lock:
                for process in list(self._processes):
                    process.kill()
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join(timeout=5 if not wait_for_jobs else None)

    def _spawn(self) -> tuple[Any, multiprocessing.connection.Connection]:
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(target=_worker_main, args=(child, os.getpid()), daemon=True)
        process.start()
        child.close()
        with self._lock:
            self._processes.add(process)
        return process, parent

    def _retire(self, process: Any, connection: multiprocessing.connection.Connection) -> None:
        with suppress(OSError):
            connection.close()
        if process.is_alive():
            process.kill()
        process.join(timeout=5)
        with self._lock:
            self._processes.discard(process)

    def _drive(self) -> None:
        try:
            process, connection = self._spawn()
        except Exception as exc:  # no process: every job this thread takes fails, none hangs
            logger.error("cannot start an analysis process: %s", exc)
            self._refuse_jobs(f"no analysis process could be started ({exc})")
            return
        try:
            while True:
                entry = self._jobs.get()
                if entry is None:
                    with suppress(OSError):
                        connection.send(None)
                    return
                job, future = entry
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    connection.send(job)
                    if not connection.poll(self.timeout_seconds):
                        raise AnalysisTimeoutError(
                            f"the analysis took longer than {self.timeout_seconds:g} seconds "
                            "and was stopped"
                        )
                    outcome = connection.recv()
                except (EOFError, OSError, AnalysisTimeoutError) as exc:
                    code = process.exitcode
                    self._retire(process, connection)
                    if isinstance(exc, AnalysisTimeoutError):
                        future.set_exception(exc)
                    else:
                        future.set_exception(
                            WorkerCrashError(
                                f"the analysis process ended in the middle (exit code {code})"
                            )
                        )
                    if self._closed:
                        return
                    process, connection = self._spawn()
                    continue
                future.set_result(outcome)
        except Exception as exc:
            logger.error("an analysis process could not be replaced: %s", exc)
            self._refuse_jobs(f"no analysis process could be started ({exc})")
        finally:
            self._retire(process, connection)

    def _refuse_jobs(self, message: str) -> None:
        while True:
            entry = self._jobs.get()
            if entry is None:
                return
            if entry[1].set_running_or_notify_cancel():
                entry[1].set_exception(WorkerCrashError(message))


def _process_context() -> Any:
    # forkserver forks workers from a clean, single-threaded server that has imported the
    # analysis stages once; fork would copy this process's threads and locks.
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(
            [
                "analyzer.batch",
                "analyzer.pipeline",
                "analyzer.score",
                "analyzer.bundle.layout",
                "analyzer.bundle.graph",
                "analyzer.rules.engine",
            ]
        )
        return context
    return multiprocessing.get_context("spawn")


# --------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class BatchRequest:
    """What ``lambda-analyzer batch`` was asked to do."""

    source: Path
    database: Path
    targets: tuple[str, ...]
    concurrency: int = DEFAULT_CONCURRENCY
    workers: int | None = None
    """Analysis processes; ``None`` means one per core."""
    retry_failed: bool = False
    region: str | None = None
    profile: str | None = None
    options: AnalysisOptions = field(default_factory=AnalysisOptions)
    code_cache_dir: Path | None = None
    """Where zips are kept across runs; ``None`` is the user cache folder."""
    use_cache: bool = True
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    download_policy: DownloadPolicy = DEFAULT_POLICY
    limits: ExtractionLimits = DEFAULT_LIMITS


@dataclass
class BatchCounts:
    """Where a batch stands: every function is done, failed or remaining."""

    total: int = 0
    done: int = 0
    failed: int = 0
    unchanged: int = 0
    """Of ``done`` and ``failed``: functions a previous run had finished, not scanned again."""

    @property
    def remaining(self) -> int:
        return self.total - self.done - self.failed


@dataclass(frozen=True)
class BatchSummary:
    """What a batch did, for its closing line and for the benchmark."""

    counts: BatchCounts
    run_id: int
    packages_analysed: int
    """Distinct packages analysed in this run."""
    functions_reusing: int
    """Functions finished with an analysis of the same content, of this run or an earlier."""
    downloads: int
    layer_downloads: int
    layer_files_analysed: int
    layer_files_reused: int
    seconds: float
    analysis_seconds: float
    """Sum of the workers' time on packages."""
    interrupted: bool = False


Progress = Callable[[BatchCounts], None]


@dataclass
class _Package:
    """One content hash in this run: its members, its fetch and its analysis."""

    content_hash: str
    members: list[PackageMember] = field(default_factory=list)
    fetched: _Fetched | None = None
    layer_ids: dict[str, str] = field(default_factory=dict)
    analysis: Future[AnalysisOutcome] | None = None
    dependencies: Future[Any] | None = None
    finished: bool = False
    waiting_for_layers: bool = False


def run_batch(request: BatchRequest, progress: Progress | None = None) -> BatchSummary:
    """Scan every function ``request.source`` names into ``request.database``.

    Raises ``InputError`` for an input or database that cannot be used; anything that goes
    wrong with one function is recorded as its failure and the batch goes on. On
    ``KeyboardInterrupt`` the workers stop, what finished stays written, and it re-raises.
    """
    targets = tuple(get_runtime(name).name for name in request.targets)
    request = dataclasses.replace(request, targets=targets)
    batch_input = read_batch_input(request.source, region=request.region, profile=request.profile)
    database = open_database(request.database)
    try:
        with _exclusive(request.database):
            return _Run(request, batch_input, database, progress).run()
    finally:
        database.close()


@contextmanager
def _exclusive(database: Path) -> Iterator[None]:
    """Hold the database's lock file, so that two batches never write one database."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: nothing to hold
        yield
        return
    lock_path = database.with_name(database.name + ".lock")
    with lock_path.open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise InputError(
                f"{database}: another batch is writing this database; wait for it to end"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class _Stages:
    """The three executors of a run and the futures in flight, each tagged with its stage."""

    def __init__(self, request: BatchRequest) -> None:
        self.workers = request.workers or os.cpu_count() or 1
        self.downloads = ThreadPoolExecutor(
            max_workers=max(1, request.concurrency), thread_name_prefix="download"
        )
        self.dependencies = ThreadPoolExecutor(
            max_workers=max(1, min(8, request.concurrency)), thread_name_prefix="deps"
        )
        self.pool = AnalysisPool(self.workers, request.timeout_seconds)
        self.futures: dict[Future[Any], tuple[str, Any]] = {}

    def count(self, *kinds: str) -> int:
        return sum(1 for kind, _ in self.futures.values() if kind in kinds)

    def identify(self, work: Callable[[BatchItem], Any], item: BatchItem, payload: Any) -> None:
        self.futures[self.downloads.submit(work, item)] = ("identify", payload)

    def fetch(self, work: Callable[[Any], Any], identified: Any, package: Any) -> None:
        self.futures[self.downloads.submit(work, identified)] = ("fetch", package)

    def analyse(self, job: AnalysisJob, payload: Any) -> Future[AnalysisOutcome]:
        future = self.pool.submit(job)
        self.futures[future] = ("analysis", payload)
        return future

    def completed(self) -> list[tuple[str, Any, Future[Any]]]:
        """The futures that end within half a second (none when nothing is in flight)."""
        if not self.futures:
            return []
        done, _ = wait(list(self.futures), timeout=0.5, return_when=FIRST_COMPLETED)
        return [(*self.futures.pop(future), future) for future in done]

    def close(self, interrupted: bool) -> None:
        self.downloads.shutdown(wait=not interrupted, cancel_futures=True)
        self.pool.close(wait_for_jobs=not interrupted)
        self.dependencies.shutdown(wait=not interrupted, cancel_futures=True)


class _Run:
    """One batch run: the scheduler between download threads, workers and the database."""

    def __init__(
        self,
        request: BatchRequest,
        batch_input: BatchInput,
        database: BatchDatabase,
        progress: Progress | None,
    ) -> None:
        self.request = request
        self.items = _unique_items(batch_input.items)
        self.database = database
        self.progress = progress
        self.catalogue = catalogue_version()
        self.counts = BatchCounts(total=len(self.items))
        self.packages: dict[str, _Package] = {}
        self.finished_keys: dict[str, set[str]] = {}
        """Content hash to the targets its analysis in the database covers, for this run."""
        self.layer_memo: dict[str, list[tuple[Any, Any]]] = {}
        self.layers_in_analysis: set[str] = set()
        self.parked: list[_Package] = []
        self.packages_analysed = 0
        self.functions_reusing = 0
        self.layer_files_analysed = 0
        self.layer_files_reused = 0
        self.analysis_seconds = 0.0
        self.started = time.perf_counter()
        self.run_id = 0
        self.fetcher: _Fetcher

    # --- the loop

    def run(self) -> BatchSummary:
        request = self.request
        self.run_id = self.database.start_run(request.targets, str(request.source), self.catalogue)
        self.database.register(self.items)
        stored = self.database.stored_functions()
        to_scan = self._to_scan(stored)
        self._report_progress()
        if request.options.check_dependencies:
            # Index answers are kept for one run: a project shared by many functions is
            # asked for once in it.
            from analyzer.deps import clear_run_cache

            clear_run_cache()
        # Beside the database and under its lock: what a killed run left there is removed.
        workdir = request.database.with_name(request.database.name + ".work")
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        cache_root = (
            (request.code_cache_dir or _default_code_cache())
            if request.use_cache
            else workdir / "cache"
        )
        self.fetcher = _Fetcher(request, workdir, cache_root)
        stages = _Stages(request)
        interrupted = False
        try:
            self._loop(to_scan, stored, stages)
        except BaseException:
            interrupted = True
            raise
        finally:
            stages.close(interrupted)
            self.database.finish_run(self.run_id, "interrupted" if interrupted else "finished")
            shutil.rmtree(workdir, ignore_errors=True)
        return BatchSummary(
            counts=self.counts,
            run_id=self.run_id,
            packages_analysed=self.packages_analysed,
            functions_reusing=self.functions_reusing,
            downloads=self.fetcher.downloads,
            layer_downloads=self.fetcher.layer_downloads,
            layer_files_analysed=self.layer_files_analysed,
            layer_files_reused=self.layer_files_reused,
            seconds=time.perf_counter() - self.started,
            analysis_seconds=self.analysis_seconds,
        )

    def _to_scan(self, stored: Mapping[str, StoredFunction]) -> list[BatchItem]:
        """The items to scan; the rest are counted as finished by earlier runs."""
        to_scan: list[BatchItem] = []
        for item in self.items:
            previous = stored.get(item.key)
            known = _known_content_hash(item)
            if previous is not None and self._still_current(previous, known):
                self.counts.unchanged += 1
                if previous.status == "done":
                    self.counts.done += 1
                else:
                    self.counts.failed += 1
                continue
            to_scan.append(item)
        return to_scan

    def _still_current(self, previous: StoredFunction, known_hash: str | None) -> bool:
        """Whether an earlier run's row stands for this run without a scan."""
        if previous.status == "failed":
            # Without the hash beforehand, the identify stage compares it.
            return (
                not self.request.retry_failed
                and known_hash is not None
                and known_hash == previous.content_hash
            )
        if previous.status != "done" or previous.tool_version != __version__:
            return False
        if not set(self.request.targets) <= set(previous.targets):
            return False
        # Without the hash beforehand, the identify stage compares it (``_unchanged``).
        return known_hash is not None and known_hash == previous.content_hash

    def _loop(
        self,
        to_scan: list[BatchItem],
        stored: Mapping[str, StoredFunction],
        stages: _Stages,
    ) -> None:
        pending = list(reversed(to_scan))
        # Identify ahead of the workers, but keep no more packages on disk than the workers
        # will take soon.
        max_identifying = max(4, self.request.concurrency * 4)
        max_on_disk = max(4, stages.workers * 3)
        while pending or stages.futures or self.parked:
            on_disk = stages.count("fetch", "analysis")
            identifying = stages.count("identify")
            while pending and identifying < max_identifying and on_disk <= max_on_disk:
                item = pending.pop()
                stages.identify(self.fetcher.identify, item, stored.get(item.key))
                identifying += 1
            self._release_parked(stages)
            for kind, payload, future in stages.completed():
                if kind == "identify":
                    self._identified(future.result(), payload, stages)
                elif kind == "fetch":
                    self._fetched(payload, future, stages)
                else:
                    self._analysed(payload)

    # --- stage answers

    def _identified(
        self, identified: _Identified, previous: StoredFunction | None, stages: _Stages
    ) -> None:
        item = identified.item
        member = PackageMember(
            item,
            identified.content_hash,
            identified.configuration,
            identified.code_sha256,
            self.request.targets,
        )
        failed_before = (
            previous is not None and previous.status == "failed" and not self.request.retry_failed
        )
        if identified.failure is not None:
            if failed_before:
                # It fails as it did: the earlier row stands.
                self._count_unchanged(failed=True)
                return
            self._fail([member], *identified.failure)
            return
        assert identified.content_hash is not None
        if previous is not None and self._unchanged(previous, identified.content_hash):
            self._count_unchanged(failed=False)
            return
        if (
            failed_before
            and previous is not None
            and previous.content_hash == identified.content_hash
        ):
            self._count_unchanged(failed=True)
            return
        package = self.packages.get(identified.content_hash)
        if package is not None and not package.finished:
            package.members.append(member)
            return
        if self._reuse(member, identified.content_hash):
            return
        package = _Package(identified.content_hash, [member])
        self.packages[identified.content_hash] = package
        stages.fetch(self.fetcher.fetch, identified, package)

    def _count_unchanged(self, *, failed: bool) -> None:
        self.counts.unchanged += 1
        if failed:
            self.counts.failed += 1
        else:
            self.counts.done += 1
        self._report_progress()

    def _unchanged(self, previous: StoredFunction, content: str) -> bool:
        return (
            previous.status == "done"
            and previous.tool_version == __version__
            and previous.content_hash == content
            and set(self.request.targets) <= set(previous.targets)
        )

    def _reuse(self, member: PackageMember, content: str) -> bool:
        """Finish ``member`` with an analysis of the same content already in the database."""
        covered = self.finished_keys.get(content)
        if covered is None:
            covered = self.database.analysed_targets(content)
            self.finished_keys[content] = covered
        if not set(self.request.targets) <= covered:
            return False
        self.database.record_done([member], content, (), self.run_id, self.catalogue)
        self.functions_reusing += 1
        self.counts.done += 1
        self._report_progress()
        return True

    def _fetched(self, package: _Package, future: Future[_Fetched], stages: _Stages) -> None:
        try:
            package.fetched = future.result()
        except AnalyzerError as exc:
            self._finish_failed(package, failure_kind(exc), str(exc))
            return
        except Exception as exc:  # one package's unexpected error is its own failure
            logger.debug("fetching %s failed", package.content_hash, exc_info=True)
            self._finish_failed(package, "analysis", f"{type(exc).__name__}: {exc}")
            return
        package.layer_ids = package.fetched.layer_ids
        if self.request.options.check_dependencies:
            package.dependencies = stages.dependencies.submit(
                _check_dependencies, package.fetched.function, self.request
            )
        self._submit_analysis(package, stages)

    def _submit_analysis(self, package: _Package, stages: _Stages) -> None:
        # A layer seen for the first time is analysed by one package; packages that share
        # it wait for that analysis and then reuse its results.
        layers = set(package.layer_ids.values())
        if layers & self.layers_in_analysis:
            package.waiting_for_layers = True
            self.parked.append(package)
            return
        new_layers = {layer for layer in layers if layer not in self.layer_memo}
        self.layers_in_analysis |= new_layers
        package.waiting_for_layers = False
        memo = tuple(
            entry
            for layer in layers
            if layer in self.layer_memo
            for entry in self.layer_memo[layer]
        )
        assert package.fetched is not None
        job = AnalysisJob(
            function=package.fetched.function,
            targets=self.request.targets,
            options=dataclasses.replace(self.request.options, check_dependencies=False, workers=1),
            errors=package.fetched.errors,
            layer_ids=package.layer_ids,
            layer_memo=memo,
        )
        package.analysis = stages.analyse(job, (package, new_layers))

    def _release_parked(self, stages: _Stages) -> None:
        parked, self.parked = self.parked, []
        for package in parked:
            self._submit_analysis(package, stages)

    def _analysed(self, payload: tuple[_Package, set[str]]) -> None:
        package, new_layers = payload
        self.layers_in_analysis -= new_layers
        assert package.analysis is not None
        try:
            outcome = package.analysis.result()
        except (AnalysisTimeoutError, WorkerCrashError) as exc:
            kind = "timeout" if isinstance(exc, AnalysisTimeoutError) else "analysis"
            self._finish_failed(package, kind, str(exc))
            return
        self.analysis_seconds += outcome.seconds
        if outcome.analysis is None:
            self._finish_failed(package, "analysis", f"the analysis failed: {outcome.error}")
            return
        for key, analysis in outcome.new_memo:
            self.layer_memo.setdefault(key[0], []).append((key, analysis))
        self.layer_files_analysed += outcome.layer_files_analysed
        self.layer_files_reused += outcome.layer_files_reused
        analysis = outcome.analysis
        if package.dependencies is not None:
            try:
                analysis = _with_dependencies(analysis, package.dependencies.result())
            except Exception as exc:  # the index stage never raises; this is a safety net
                logger.debug("dependency check failed", exc_info=True)
                analysis = dataclasses.replace(
                    analysis,
                    errors=(*analysis.errors, AnalysisError("deps", f"not checked: {exc}")),
                )
        self._finish_done(package, analysis)

    # --- endings

    def _finish_done(self, package: _Package, analysis: PackageAnalysis) -> None:
        from analyzer.pipeline import report_for

        reports = [report_for(analysis, get_runtime(name)) for name in self.request.targets]
        self.database.record_done(
            package.members, package.content_hash, reports, self.run_id, self.catalogue
        )
        self.packages_analysed += 1
        self.functions_reusing += len(package.members) - 1
        self.counts.done += len(package.members)
        self.finished_keys[package.content_hash] = set(self.request.targets)
        self._close(package)

    def _finish_failed(self, package: _Package, kind: str, message: str) -> None:
        self._fail(package.members, kind, message)
        self._close(package)

    def _fail(self, members: list[PackageMember], kind: str, message: str) -> None:
        logger.info("%s: %s", ", ".join(member.item.name for member in members), message)
        self.database.record_failed(members, kind, message, self.run_id)
        self.counts.failed += len(members)
        self._report_progress()

    def _close(self, package: _Package) -> None:
        package.finished = True
        self.packages.pop(package.content_hash, None)
        if package.fetched is not None:
            shutil.rmtree(package.fetched.workdir, ignore_errors=True)
        self._report_progress()

    def _report_progress(self) -> None:
        if self.progress is not None:
            self.progress(self.counts)


def _unique_items(items: Sequence[BatchItem]) -> list[BatchItem]:
    seen: set[str] = set()
    unique = []
    for item in items:
        if item.key not in seen:
            seen.add(item.key)
            unique.append(item)
    return unique


def _known_content_hash(item: BatchItem) -> str | None:
    """The content hash of a function the input describes in full, without any call."""
    listed = item.listed
    if listed is None or not listed.get("CodeSha256"):
        return None
    try:
        configuration = configuration_from_document(dict(listed), source=item.name)
    except AnalyzerError:
        return None
    return content_hash(
        configuration,
        configuration.code_sha256,
        [layer.arn for layer in configuration.layers],
    )


def _default_code_cache() -> Path:
    from analyzer.fetch.cache import default_cache_dir

    return default_cache_dir()


def _check_dependencies(function: Function, request: BatchRequest) -> Any:
    from analyzer.deps import DependencyOptions, check_dependencies

    options = request.options
    started = time.perf_counter()
    result = check_dependencies(
        Path(function.code_root),
        [get_runtime(name) for name in request.targets],
        function.architecture,
        DependencyOptions(
            index_url=options.index_url,
            extra_index_urls=options.extra_index_urls,
            cache_dir=options.cache_dir,
            use_cache=options.use_cache,
            vulnerabilities=options.vulnerabilities,
            advisories_dir=options.advisories,
        ),
    )
    return result, time.perf_counter() - started


def _with_dependencies(analysis: PackageAnalysis, checked: Any) -> PackageAnalysis:
    """``analysis`` with the dependency stage's findings, rows and errors, as the pipeline
    joins them for one function."""
    result, seconds = checked
    return dataclasses.replace(
        analysis,
        findings_by_target={
            name: findings + tuple(result.findings)
            for name, findings in analysis.findings_by_target.items()
        },
        dependencies_by_target=dict(result.rows_by_target),
        errors=(*analysis.errors, *result.errors),
        timings={**analysis.timings, "deps": seconds},
    )
