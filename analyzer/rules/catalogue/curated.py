"""Hand-written catalogue rows: what the generator cannot see, or sees wrong.

Each row names its What's New source, and was confirmed on the installed interpreters
3.9 .. 3.13 by ``scripts/verify_catalogue.py`` (3.14 rows are documentary only). A row
here replaces the generated row with the same symbol, kind and parameter.

Why rows are here rather than generated:

- names a module ``__getattr__`` serves that no listing shows (``collections.Mapping``);
- changes before typeshed's oldest version, 3.10 (``inspect.Signature.from_function``);
- parameters behind ``**kwargs`` or a sentinel default (``loop`` of ``asyncio.Lock``,
  ``use_load_tests``), and parameters of aliases (``bisect.bisect``);
- deprecations that warn only when called, where the stubs give no version;
- better example programs and replacements for the rows people meet most;
- documented removals of private aliases (``unittest._TextTestResult``).

Some changes are not rows at all because whether they break depends on the call: the
visitor rule ``ImplicitEventLoop`` (``analyzer/rules/checks``) reports
``asyncio.get_event_loop()`` only outside a coroutine, where the deprecation applies.
"""

from __future__ import annotations

from analyzer.models import PythonVersion
from analyzer.rules.catalogue import ApiChange, ChangeKind

WHATS_NEW = "https://docs.python.org/3/whatsnew/{version}.html"


def _source(version: str, section: str, topic: str) -> str:
    url = WHATS_NEW.format(version=version)
    return f"What's New In Python {version} > {section} > {topic} ({url})"


def _row(
    symbol: str,
    kind: ChangeKind,
    *,
    parameter: str | None = None,
    added: PythonVersion | None = None,
    deprecated: PythonVersion | None = None,
    removed: PythonVersion | None = None,
    replacement: str,
    source: str,
    flagged: str,
    clean: str,
) -> ApiChange:
    return ApiChange(
        symbol=symbol,
        kind=kind,
        parameter=parameter,
        added=added,
        deprecated=deprecated,
        removed=removed,
        replacement=replacement,
        source=source,
        flagged=flagged,
        clean=clean,
        generated=False,
    )


def _module_clean(module: str) -> str:
    return f'import importlib.util\n\nprint(importlib.util.find_spec("{module}") is not None)\n'


# -- modules --------------------------------------------------------------------------
# Shape: (module, deprecated, removed, replacement, source). Sorted by module.
# deprecated is the first version whose import warns (None: only documented).

REMOVED_MODULES: tuple[tuple[str, PythonVersion | None, PythonVersion, str, str], ...] = (
    (
        "aifc",
        (3, 11),
        (3, 13),
        "a third-party package for AIFF audio (for example the standard-aifc backport)",
        _source("3.13", "Removed Modules And APIs", "PEP 594: aifc"),
    ),
    (
        "asynchat",
        (3, 10),
        (3, 12),
        "asyncio streams (asyncio.start_server, asyncio.open_connection)",
        _source("3.12", "Removed", "asynchat and asyncore"),
    ),
    (
        "asyncore",
        (3, 10),
        (3, 12),
        "asyncio (event loop, protocols and streams)",
        _source("3.12", "Removed", "asynchat and asyncore"),
    ),
    (
        "audioop",
        (3, 11),
        (3, 13),
        "a third-party package (for example audioop-lts) or numpy for sample arithmetic",
        _source("3.13", "Removed Modules And APIs", "PEP 594: audioop"),
    ),
    (
        "binhex",
        (3, 9),
        (3, 11),
        "base64 or binascii for encoding; no binhex4 codec is left in the standard library",
        _source("3.11", "Removed", "binhex"),
    ),
    (
        "cgi",
        (3, 11),
        (3, 13),
        "urllib.parse.parse_qsl for query strings, email.message for multipart bodies "
        "(or the legacy-cgi package)",
        _source("3.13", "Removed Modules And APIs", "PEP 594: cgi"),
    ),
    (
        "cgitb",
        (3, 11),
        (3, 13),
        "the logging and traceback modules (or the legacy-cgi package)",
        _source("3.13", "Removed Modules And APIs", "PEP 594: cgitb"),
    ),
    (
        "chunk",
        (3, 11),
        (3, 13),
        "read the IFF chunks with struct (or the standard-chunk backport)",
        _source("3.13", "Removed Modules And APIs", "PEP 594: chunk"),
    ),
    (
        "crypt",
        (3, 11),
        (3, 13),
        "hashlib (hashlib.scrypt, hashlib.pbkdf2_hmac) or a package such as passlib or bcrypt",
        _source("3.13", "Removed Modules And APIs", "PEP 594: crypt"),
    ),
    (
        "distutils",
        (3, 10),
        (3, 12),
        "setuptools and packaging (packaging.version for LooseVersion/StrictVersion, "
        "shutil.which for spawn.find_executable, sysconfig for distutils.sysconfig)",
        _source("3.12", "Removed", "distutils (PEP 632)"),
    ),
    (
        "formatter",
        (3, 4),
        (3, 10),
        "no replacement: copy the classes you use into your own code",
        _source("3.10", "Removed", "formatter"),
    ),
    (
        "imghdr",
        (3, 11),
        (3, 13),
        "a package such as filetype or puremagic, or check the magic bytes yourself",
        _source("3.13", "Removed Modules And APIs", "PEP 594: imghdr"),
    ),
    (
        "imp",
        (3, 4),
        (3, 12),
        "importlib (importlib.reload, importlib.util.find_spec, "
        "importlib.util.spec_from_file_location, importlib.machinery)",
        _source("3.12", "Removed", "imp"),
    ),
    (
        "lib2to3",
        (3, 9),
        (3, 13),
        "a parser that understands current syntax, such as libcst or parso",
        _source("3.13", "Removed Modules And APIs", "lib2to3 and 2to3"),
    ),
    (
        "mailcap",
        (3, 11),
        (3, 13),
        "mimetypes",
        _source("3.13", "Removed Modules And APIs", "PEP 594: mailcap"),
    ),
    (
        "msilib",
        (3, 11),
        (3, 13),
        "no replacement (Windows installers are not built on Lambda)",
        _source("3.13", "Removed Modules And APIs", "PEP 594: msilib"),
    ),
    (
        "nis",
        (3, 11),
        (3, 13),
        "no replacement in the standard library",
        _source("3.13", "Removed Modules And APIs", "PEP 594: nis"),
    ),
    (
        "nntplib",
        (3, 11),
        (3, 13),
        "a third-party NNTP client (for example the pynntp package)",
        _source("3.13", "Removed Modules And APIs", "PEP 594: nntplib"),
    ),
    (
        "ossaudiodev",
        (3, 11),
        (3, 13),
        "no replacement (Lambda has no sound device)",
        _source("3.13", "Removed Modules And APIs", "PEP 594: ossaudiodev"),
    ),
    (
        "parser",
        (3, 9),
        (3, 10),
        "ast (ast.parse, compile)",
        _source("3.10", "Removed", "parser and symbol modules"),
    ),
    (
        "pipes",
        (3, 11),
        (3, 13),
        "subprocess for pipelines and shlex.quote for quoting",
        _source("3.13", "Removed Modules And APIs", "PEP 594: pipes"),
    ),
    (
        "smtpd",
        (3, 10),
        (3, 12),
        "the aiosmtpd package",
        _source("3.12", "Removed", "smtpd"),
    ),
    (
        "sndhdr",
        (3, 11),
        (3, 13),
        "a package such as filetype or puremagic",
        _source("3.13", "Removed Modules And APIs", "PEP 594: sndhdr"),
    ),
    (
        "spwd",
        (3, 11),
        (3, 13),
        "no replacement in the standard library (the python-pam package for authentication)",
        _source("3.13", "Removed Modules And APIs", "PEP 594: spwd"),
    ),
    (
        "sunau",
        (3, 11),
        (3, 13),
        "a third-party audio package (for example soundfile)",
        _source("3.13", "Removed Modules And APIs", "PEP 594: sunau"),
    ),
    (
        "symbol",
        (3, 9),
        (3, 10),
        "ast, or token for token numbers",
        _source("3.10", "Removed", "parser and symbol modules"),
    ),
    (
        "telnetlib",
        (3, 11),
        (3, 13),
        "a third-party client such as telnetlib3 or Exscript",
        _source("3.13", "Removed Modules And APIs", "PEP 594: telnetlib"),
    ),
    (
        "tkinter.tix",
        (3, 10),
        (3, 13),
        "tkinter.ttk",
        _source("3.13", "Removed Modules And APIs", "tkinter.tix"),
    ),
    (
        "typing.io",
        (3, 11),
        (3, 13),
        "import IO, TextIO and BinaryIO from typing",
        _source("3.13", "Removed Modules And APIs", "typing.io and typing.re namespaces"),
    ),
    (
        "typing.re",
        (3, 11),
        (3, 13),
        "import Pattern and Match from typing (or re.Pattern, re.Match)",
        _source("3.13", "Removed Modules And APIs", "typing.io and typing.re namespaces"),
    ),
    (
        "uu",
        (3, 11),
        (3, 13),
        "base64 (base64.b64encode) or binascii.b2a_uu",
        _source("3.13", "Removed Modules And APIs", "PEP 594: uu"),
    ),
    (
        "xdrlib",
        (3, 11),
        (3, 13),
        "struct, or a package such as xdrlib3",
        _source("3.13", "Removed Modules And APIs", "PEP 594: xdrlib"),
    ),
)

# Example programs that use the module the way real code does, where the bare import
# would say less. Keys are module names; the rest import the module and print its name.
MODULE_PROGRAMS: dict[str, tuple[str, str]] = {
    "distutils": (
        "from distutils.version import LooseVersion\n\n"
        'print(LooseVersion("1.10") > LooseVersion("1.9"))\n',
        "import sys\n\nprint(sys.version_info >= (3, 9))\n",
    ),
    "imp": (
        "import imp\nimport json\n\nprint(imp.reload(json).__name__)\n",
        "import importlib\nimport json\n\nprint(importlib.reload(json).__name__)\n",
    ),
    "pipes": (
        'import pipes\n\nprint(pipes.quote("two words"))\n',
        'import shlex\n\nprint(shlex.quote("two words"))\n',
    ),
    "typing.io": (
        "from typing.io import TextIO\n\nprint(TextIO)\n",
        "from typing import TextIO\n\nprint(TextIO)\n",
    ),
    "typing.re": (
        "from typing.re import Pattern\n\nprint(Pattern)\n",
        "from typing import Pattern\n\nprint(Pattern)\n",
    ),
}


def _module_rows() -> tuple[ApiChange, ...]:
    rows = []
    for module, deprecated, removed, replacement, source in REMOVED_MODULES:
        flagged, clean = MODULE_PROGRAMS.get(
            module, (f"import {module}\n\nprint({module}.__name__)\n", _module_clean(module))
        )
        rows.append(
            _row(
                module,
                "module",
                deprecated=deprecated,
                removed=removed,
                replacement=replacement,
                source=source,
                flagged=flagged,
                clean=clean,
            )
        )
    return tuple(rows)


# -- collections ABC aliases ----------------------------------------------------------
# The 25 names of 3.9's _collections_abc.__all__, which collections.__getattr__ served
# with a DeprecationWarning since 3.3 and 3.10 removed.

COLLECTIONS_ABC_ALIASES: tuple[str, ...] = (
    "AsyncGenerator",
    "AsyncIterable",
    "AsyncIterator",
    "Awaitable",
    "ByteString",
    "Callable",
    "Collection",
    "Container",
    "Coroutine",
    "Generator",
    "Hashable",
    "ItemsView",
    "Iterable",
    "Iterator",
    "KeysView",
    "Mapping",
    "MappingView",
    "MutableMapping",
    "MutableSequence",
    "MutableSet",
    "Reversible",
    "Sequence",
    "Set",
    "Sized",
    "ValuesView",
)


def _collections_rows() -> tuple[ApiChange, ...]:
    return tuple(
        _row(
            f"collections.{name}",
            "name",
            deprecated=(3, 3),
            removed=(3, 10),
            replacement=f"collections.abc.{name}",
            source=_source("3.10", "Removed", "collections ABC aliases"),
            flagged=f"import collections\n\nprint(isinstance({{}}, collections.{name}))\n",
            clean=f"import collections.abc\n\nprint(isinstance({{}}, collections.abc.{name}))\n",
        )
        for name in COLLECTIONS_ABC_ALIASES
    )


# -- asyncio's loop parameter ---------------------------------------------------------
# 3.10 removed ``loop`` from asyncio's high-level API (deprecated since 3.8). The classes
# keep a sentinel ``loop`` in their 3.10 signatures and raise TypeError when it is
# passed, so the signature diff puts the change in 3.11: these rows say 3.10.
# Shape: (callable, statement using it inside ``async def main()``, the same without loop).

ASYNCIO_LOOP_CALLS: tuple[tuple[str, str, str], ...] = (
    (
        "asyncio.BoundedSemaphore",
        "limit = asyncio.BoundedSemaphore(2, loop=loop)\n    print(limit.locked())",
        "limit = asyncio.BoundedSemaphore(2)\n    print(limit.locked())",
    ),
    (
        "asyncio.Condition",
        "condition = asyncio.Condition(loop=loop)\n    print(condition.locked())",
        "condition = asyncio.Condition()\n    print(condition.locked())",
    ),
    (
        "asyncio.Event",
        "event = asyncio.Event(loop=loop)\n    print(event.is_set())",
        "event = asyncio.Event()\n    print(event.is_set())",
    ),
    (
        "asyncio.LifoQueue",
        "stack = asyncio.LifoQueue(loop=loop)\n    print(stack.qsize())",
        "stack = asyncio.LifoQueue()\n    print(stack.qsize())",
    ),
    (
        "asyncio.Lock",
        "lock = asyncio.Lock(loop=loop)\n    print(lock.locked())",
        "lock = asyncio.Lock()\n    print(lock.locked())",
    ),
    (
        "asyncio.PriorityQueue",
        "jobs = asyncio.PriorityQueue(loop=loop)\n    print(jobs.qsize())",
        "jobs = asyncio.PriorityQueue()\n    print(jobs.qsize())",
    ),
    (
        "asyncio.Queue",
        "jobs = asyncio.Queue(loop=loop)\n    print(jobs.qsize())",
        "jobs = asyncio.Queue()\n    print(jobs.qsize())",
    ),
    (
        "asyncio.Semaphore",
        "limit = asyncio.Semaphore(2, loop=loop)\n    print(limit.locked())",
        "limit = asyncio.Semaphore(2)\n    print(limit.locked())",
    ),
    (
        "asyncio.as_completed",
        "for step in asyncio.as_completed([asyncio.sleep(0, 1)], loop=loop):\n"
        "        print(await step)",
        "for step in asyncio.as_completed([asyncio.sleep(0, 1)]):\n        print(await step)",
    ),
    (
        "asyncio.create_subprocess_exec",
        "child = await asyncio.create_subprocess_exec(\n"
        '        sys.executable, "-c", "pass", loop=loop\n    )\n    print(await child.wait())',
        "child = await asyncio.create_subprocess_exec(\n"
        '        sys.executable, "-c", "pass"\n    )\n    print(await child.wait())',
    ),
    (
        "asyncio.create_subprocess_shell",
        'child = await asyncio.create_subprocess_shell("exit 0", loop=loop)\n'
        "    print(await child.wait())",
        'child = await asyncio.create_subprocess_shell("exit 0")\n    print(await child.wait())',
    ),
    (
        "asyncio.gather",
        "print(await asyncio.gather(asyncio.sleep(0, 1), loop=loop))",
        "print(await asyncio.gather(asyncio.sleep(0, 1)))",
    ),
    (
        "asyncio.open_connection",
        "server = await asyncio.start_server(lambda r, w: w.close(), "
        '"127.0.0.1", 0)\n'
        "    port = server.sockets[0].getsockname()[1]\n"
        '    reader, writer = await asyncio.open_connection("127.0.0.1", port, loop=loop)\n'
        "    writer.close()\n    server.close()\n    print(port > 0)",
        "server = await asyncio.start_server(lambda r, w: w.close(), "
        '"127.0.0.1", 0)\n'
        "    port = server.sockets[0].getsockname()[1]\n"
        '    reader, writer = await asyncio.open_connection("127.0.0.1", port)\n'
        "    writer.close()\n    server.close()\n    print(port > 0)",
    ),
    (
        "asyncio.shield",
        "print(await asyncio.shield(asyncio.sleep(0, 1), loop=loop))",
        "print(await asyncio.shield(asyncio.sleep(0, 1)))",
    ),
    (
        "asyncio.sleep",
        "print(await asyncio.sleep(0, 1, loop=loop))",
        "print(await asyncio.sleep(0, 1))",
    ),
    (
        "asyncio.start_server",
        "server = await asyncio.start_server(\n"
        '        lambda r, w: w.close(), "127.0.0.1", 0, loop=loop\n    )\n'
        "    server.close()\n    print(server.is_serving())",
        "server = await asyncio.start_server(\n"
        '        lambda r, w: w.close(), "127.0.0.1", 0\n    )\n'
        "    server.close()\n    print(server.is_serving())",
    ),
    (
        "asyncio.wait",
        "done, _ = await asyncio.wait([asyncio.ensure_future(asyncio.sleep(0, 1))], loop=loop)\n"
        "    print(len(done))",
        "done, _ = await asyncio.wait([asyncio.ensure_future(asyncio.sleep(0, 1))])\n"
        "    print(len(done))",
    ),
    (
        "asyncio.wait_for",
        "print(await asyncio.wait_for(asyncio.sleep(0, 1), 5, loop=loop))",
        "print(await asyncio.wait_for(asyncio.sleep(0, 1), 5))",
    ),
)


def _asyncio_program(statement: str, *, with_loop: bool) -> str:
    loop = "    loop = asyncio.get_running_loop()\n" if with_loop else ""
    return (
        "import asyncio\nimport sys\n\n\nasync def main():\n"
        f"{loop}    {statement}\n\n\nasyncio.run(main())\n"
    )


def _asyncio_loop_rows() -> tuple[ApiChange, ...]:
    return tuple(
        _row(
            symbol,
            "parameter",
            parameter="loop",
            deprecated=(3, 8),
            removed=(3, 10),
            replacement=f"call {symbol}() without loop: it uses the running event loop",
            source=_source("3.10", "Removed", "asyncio: the loop parameter"),
            flagged=_asyncio_program(flagged_statement, with_loop=True),
            clean=_asyncio_program(clean_statement, with_loop=False),
        )
        for symbol, flagged_statement, clean_statement in ASYNCIO_LOOP_CALLS
    )


# -- urllib.parse's undocumented split* helpers (deprecated 3.8, warn when called) ---

URLLIB_SPLIT_FUNCTIONS: tuple[tuple[str, str, str], ...] = (
    ("splitattr", '"/path;type=a"', "urllib.parse.urlparse(...).params"),
    ("splithost", '"//host:80/path"', "urllib.parse.urlparse(...).netloc"),
    ("splitnport", '"host:80"', "urllib.parse.urlparse(...).port"),
    ("splitpasswd", '"user:secret"', "urllib.parse.urlparse(...).password"),
    ("splitport", '"host:80"', "urllib.parse.urlparse(...).port"),
    ("splitquery", '"/path?a=1"', "urllib.parse.urlparse(...).query"),
    ("splittag", '"/path#part"', "urllib.parse.urldefrag"),
    ("splittype", '"http://host/"', "urllib.parse.urlparse(...).scheme"),
    ("splituser", '"user@host"', "urllib.parse.urlparse(...).username and .hostname"),
    ("splitvalue", '"key=value"', "urllib.parse.parse_qsl"),
    ("to_bytes", '"http://host/"', "str.encode"),
)


def _urllib_rows() -> tuple[ApiChange, ...]:
    return tuple(
        _row(
            f"urllib.parse.{name}",
            "name",
            deprecated=(3, 8),
            replacement=replacement,
            source=_source("3.8", "Deprecated", "urllib.parse split functions"),
            flagged=f"import urllib.parse\n\nprint(urllib.parse.{name}({argument}))\n",
            clean=f"import urllib.parse\n\nprint(urllib.parse.urlparse({argument}))\n",
        )
        for name, argument, replacement in URLLIB_SPLIT_FUNCTIONS
    )


# -- sqlite3's error details (What's New In Python 3.11 > Improved Modules > sqlite3) ---
# Set only on the exceptions the SQLite library reports, so a row per class code catches
# them as: sqlite3.Error, its subclass DatabaseError and the two it raises for a failed
# statement (read with Error.__subclasses__ on 3.11). Shape: class to a statement that
# raises it. Sorted by class.

_SQLITE_FAILURES = {
    "missing": 'con.execute("select * from missing")',
    "duplicate": 'con.execute("create table t (x unique)")\n'
    '    con.executemany("insert into t values (?)", [(1,), (1,)])',
}
SQLITE_ERRORS: tuple[tuple[str, str], ...] = (
    ("DatabaseError", _SQLITE_FAILURES["missing"]),
    ("Error", _SQLITE_FAILURES["missing"]),
    ("IntegrityError", _SQLITE_FAILURES["duplicate"]),
    ("OperationalError", _SQLITE_FAILURES["missing"]),
)
SQLITE_ERROR_DETAILS: tuple[str, ...] = ("sqlite_errorcode", "sqlite_errorname")


def _sqlite_error_rows() -> tuple[ApiChange, ...]:
    return tuple(
        _row(
            f"sqlite3.{error}.{detail}",
            "name",
            added=(3, 11),
            replacement="on older runtimes, read the message of the exception (str(error))",
            source=_source("3.11", "Improved Modules", "sqlite3 error code and name"),
            flagged=f'import sqlite3\n\ncon = sqlite3.connect(":memory:")\ntry:\n    {failing}\n'
            f"except sqlite3.{error} as error:\n    print(error.{detail})\n",
            clean=f'import sqlite3\n\ncon = sqlite3.connect(":memory:")\ntry:\n    {failing}\n'
            f'except sqlite3.{error} as error:\n    print(getattr(error, "{detail}", None))\n',
        )
        for error, failing in SQLITE_ERRORS
        for detail in SQLITE_ERROR_DETAILS
    )


# -- single rows, sorted by symbol ------------------------------------------------------
# Shape: ApiChange with generated=False.

SINGLE_ROWS: tuple[ApiChange, ...] = (
    _row(
        "argparse.ArgumentParser.add_argument",
        "parameter",
        parameter="deprecated",
        added=(3, 13),
        replacement="on older runtimes, warn about the option yourself after parsing",
        source=_source("3.13", "Improved Modules", "argparse deprecated parameter"),
        flagged="import argparse\n\nparser = argparse.ArgumentParser()\n"
        'parser.add_argument("--old", deprecated=True)\nprint(parser.parse_args([]).old)\n',
        clean="import argparse\n\nparser = argparse.ArgumentParser()\n"
        'parser.add_argument("--old")\nprint(parser.parse_args([]).old)\n',
    ),
    _row(
        "asyncio.AbstractEventLoopPolicy.get_child_watcher",
        "name",
        deprecated=(3, 12),
        removed=(3, 14),
        replacement="nothing: the event loop watches child processes itself (pidfd or a thread)",
        source=_source("3.14", "Removed", "asyncio child watchers"),
        flagged="import asyncio\n\npolicy = asyncio.get_event_loop_policy()\n"
        "print(policy.get_child_watcher())\n",
        clean="import asyncio\n\npolicy = asyncio.get_event_loop_policy()\n"
        'print(hasattr(policy, "get_child_watcher"))\n',
    ),
    _row(
        "asyncio.AbstractEventLoopPolicy.set_child_watcher",
        "name",
        deprecated=(3, 12),
        removed=(3, 14),
        replacement="nothing: the event loop watches child processes itself (pidfd or a thread)",
        source=_source("3.14", "Removed", "asyncio child watchers"),
        flagged="import asyncio\n\npolicy = asyncio.get_event_loop_policy()\n"
        "print(callable(policy.set_child_watcher))\n",
        clean="import asyncio\n\npolicy = asyncio.get_event_loop_policy()\n"
        'print(hasattr(policy, "set_child_watcher"))\n',
    ),
    _row(
        "asyncio.get_child_watcher",
        "name",
        deprecated=(3, 12),
        removed=(3, 14),
        replacement="nothing: the event loop watches child processes itself (pidfd or a thread)",
        source=_source("3.14", "Removed", "asyncio child watchers"),
        flagged="import asyncio\n\nprint(asyncio.get_child_watcher())\n",
        clean='import asyncio\n\nprint(hasattr(asyncio, "get_child_watcher"))\n',
    ),
    _row(
        "asyncio.set_child_watcher",
        "name",
        deprecated=(3, 12),
        removed=(3, 14),
        replacement="nothing: the event loop watches child processes itself (pidfd or a thread)",
        source=_source("3.14", "Removed", "asyncio child watchers"),
        flagged="import asyncio\n\nprint(callable(asyncio.set_child_watcher))\n",
        clean='import asyncio\n\nprint(hasattr(asyncio, "set_child_watcher"))\n',
    ),
    _row(
        "bisect.bisect",
        "parameter",
        parameter="key",
        added=(3, 10),
        replacement="on older runtimes, bisect a list of precomputed keys",
        source=_source("3.10", "Improved Modules", "bisect key functions"),
        flagged="import bisect\n\nprint(bisect.bisect([1, 3], 2, key=abs))\n",
        clean="import bisect\n\nprint(bisect.bisect([1, 3], 2))\n",
    ),
    _row(
        "bisect.insort",
        "parameter",
        parameter="key",
        added=(3, 10),
        replacement="on older runtimes, insort into a list of (key, value) pairs",
        source=_source("3.10", "Improved Modules", "bisect key functions"),
        flagged="import bisect\n\nitems = [1, 3]\nbisect.insort(items, 2, key=abs)\nprint(items)\n",
        clean="import bisect\n\nitems = [1, 3]\nbisect.insort(items, 2)\nprint(items)\n",
    ),
    _row(
        "builtins.complex.__divmod__",
        "name",
        removed=(3, 10),
        replacement="divmod of the real part (abs(z) for a magnitude)",
        source=_source("3.10", "Removed", "complex special methods"),
        flagged="print(complex.__divmod__)\n",
        clean="print(complex.__abs__)\n",
    ),
    _row(
        "builtins.complex.__float__",
        "name",
        removed=(3, 10),
        replacement="z.real (or abs(z) for a magnitude)",
        source=_source("3.10", "Removed", "complex special methods"),
        flagged="print(complex.__float__)\n",
        clean="print(complex.__abs__)\n",
    ),
    _row(
        "builtins.complex.__floordiv__",
        "name",
        removed=(3, 10),
        replacement="floor division of the real part",
        source=_source("3.10", "Removed", "complex special methods"),
        flagged="print(complex.__floordiv__)\n",
        clean="print(complex.__abs__)\n",
    ),
    _row(
        "builtins.complex.__int__",
        "name",
        removed=(3, 10),
        replacement="int(z.real)",
        source=_source("3.10", "Removed", "complex special methods"),
        flagged="print(complex.__int__)\n",
        clean="print(complex.__abs__)\n",
    ),
    _row(
        "builtins.complex.__mod__",
        "name",
        removed=(3, 10),
        replacement="the modulo of the real part",
        source=_source("3.10", "Removed", "complex special methods"),
        flagged="print(complex.__mod__)\n",
        clean="print(complex.__abs__)\n",
    ),
    _row(
        "builtins.object.__firstlineno__",
        "name",
        added=(3, 13),
        replacement="on older runtimes, inspect.getsourcelines(cls)[1]",
        source=_source("3.13", "Other Language Changes", "class __firstlineno__"),
        flagged="class Point:\n    pass\n\n\nprint(Point.__firstlineno__)\n",
        clean="class Point:\n    pass\n\n\nprint(Point.__qualname__)\n",
    ),
    _row(
        "builtins.object.__getstate__",
        "name",
        added=(3, 11),
        replacement="on older runtimes, copy the instance's __dict__ (vars(obj).copy())",
        source=_source("3.11", "Other Language Changes", "object.__getstate__"),
        flagged="class Plain:\n    pass\n\n\nitem = Plain()\nitem.a = 1\n"
        "print(item.__getstate__())\n",
        clean="class Plain:\n    pass\n\n\nitem = Plain()\nitem.a = 1\nprint(vars(item).copy())\n",
    ),
    _row(
        "builtins.object.__static_attributes__",
        "name",
        added=(3, 13),
        replacement="a class statement's __static_attributes__ exists from 3.13 on; on older "
        "runtimes, list the attributes yourself",
        source=_source("3.13", "Other Language Changes", "class __static_attributes__"),
        flagged="class Point:\n    def __init__(self):\n        self.x = 1\n\n\n"
        "print(Point.__static_attributes__)\n",
        clean="class Point:\n    def __init__(self):\n        self.x = 1\n\n\n"
        "print(vars(Point()))\n",
    ),
    _row(
        "builtins.str.replace",
        "parameter",
        parameter="count",
        added=(3, 13),
        replacement="on older runtimes, pass count by position",
        source=_source("3.13", "Other Language Changes", "str.replace count keyword"),
        flagged='print("a-b-c".replace("-", "_", count=1))\n',
        clean='print("a-b-c".replace("-", "_", 1))\n',
    ),
    _row(
        "builtins.zip",
        "parameter",
        parameter="strict",
        added=(3, 10),
        replacement="on older runtimes, compare the lengths before zipping",
        source=_source("3.10", "New Features", "PEP 618: zip strict"),
        flagged="print(list(zip([1, 2], [3, 4], strict=True)))\n",
        clean="print(list(zip([1, 2], [3, 4])))\n",
    ),
    _row(
        "datetime.datetime.utcfromtimestamp",
        "name",
        deprecated=(3, 12),
        replacement="datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc)",
        source=_source("3.12", "Deprecated", "datetime utcnow and utcfromtimestamp"),
        flagged="import datetime\n\nprint(datetime.datetime.utcfromtimestamp(0).year)\n",
        clean="import datetime\n\n"
        "print(datetime.datetime.fromtimestamp(0, datetime.timezone.utc).year)\n",
    ),
    _row(
        "datetime.datetime.utcnow",
        "name",
        deprecated=(3, 12),
        replacement="datetime.datetime.now(datetime.timezone.utc)",
        source=_source("3.12", "Deprecated", "datetime utcnow and utcfromtimestamp"),
        flagged="import datetime\n\nprint(datetime.datetime.utcnow().year > 2000)\n",
        clean="import datetime\n\n"
        "print(datetime.datetime.now(datetime.timezone.utc).year > 2000)\n",
    ),
    _row(
        "http.server.CGIHTTPRequestHandler",
        "name",
        deprecated=(3, 13),
        replacement="a WSGI or ASGI server; CGI handling is removed in 3.15",
        source=_source("3.13", "Deprecated", "http.server.CGIHTTPRequestHandler"),
        flagged="import http.server\n\nprint(http.server.CGIHTTPRequestHandler.cgi_directories)\n",
        clean="import http.server\n\nprint(http.server.SimpleHTTPRequestHandler.server_version)\n",
    ),
    _row(
        "importlib.machinery.FileFinder.find_loader",
        "name",
        deprecated=(3, 10),
        removed=(3, 12),
        replacement="finder.find_spec(name) and its .loader",
        source=_source("3.12", "Removed", "importlib find_loader() and find_module()"),
        flagged="import importlib.machinery\nimport sys\n\n"
        "finder = importlib.machinery.FileFinder(sys.prefix)\n"
        'print(finder.find_loader("nothing_here"))\n',
        clean="import importlib.machinery\nimport sys\n\n"
        "finder = importlib.machinery.FileFinder(sys.prefix)\n"
        'print(finder.find_spec("nothing_here"))\n',
    ),
    _row(
        "importlib.machinery.FileFinder.find_module",
        "name",
        deprecated=(3, 10),
        removed=(3, 12),
        replacement="finder.find_spec(name) and its .loader",
        source=_source("3.12", "Removed", "importlib find_loader() and find_module()"),
        flagged="import importlib.machinery\nimport sys\n\n"
        "finder = importlib.machinery.FileFinder(sys.prefix)\n"
        'print(finder.find_module("nothing_here"))\n',
        clean="import importlib.machinery\nimport sys\n\n"
        "finder = importlib.machinery.FileFinder(sys.prefix)\n"
        'print(finder.find_spec("nothing_here"))\n',
    ),
    _row(
        "importlib.resources.contents",
        "name",
        deprecated=(3, 11),
        replacement="importlib.resources.files(package).iterdir()",
        source=_source("3.11", "Deprecated", "importlib.resources legacy functions"),
        flagged="import importlib.resources\n\n"
        'print(len(list(importlib.resources.contents("json"))) > 0)\n',
        clean='import importlib.resources\n\nprint(importlib.resources.files("json").is_dir())\n',
    ),
    _row(
        "importlib.resources.is_resource",
        "name",
        deprecated=(3, 11),
        replacement="importlib.resources.files(package).joinpath(name).is_file() (3.13 "
        "un-deprecated this function with the signature (anchor, *path_names))",
        source=_source("3.11", "Deprecated", "importlib.resources legacy functions"),
        flagged="import importlib.resources\n\n"
        'print(importlib.resources.is_resource("json", "decoder.py"))\n',
        clean="import importlib.resources\n\n"
        'print(importlib.resources.files("json").joinpath("decoder.py").is_file())\n',
    ),
    _row(
        "importlib.resources.open_binary",
        "name",
        deprecated=(3, 11),
        replacement="importlib.resources.files(package).joinpath(name).open('rb') (3.13 "
        "un-deprecated this function with the signature (anchor, *path_names))",
        source=_source("3.11", "Deprecated", "importlib.resources legacy functions"),
        flagged="import importlib.resources\n\n"
        'with importlib.resources.open_binary("json", "decoder.py") as stream:\n'
        "    print(len(stream.read()) > 0)\n",
        clean="import importlib.resources\n\n"
        'with importlib.resources.files("json").joinpath("decoder.py").open("rb") as stream:\n'
        "    print(len(stream.read()) > 0)\n",
    ),
    _row(
        "importlib.resources.open_text",
        "name",
        deprecated=(3, 11),
        replacement="importlib.resources.files(package).joinpath(name).open() (3.13 "
        "un-deprecated this function with the signature (anchor, *path_names))",
        source=_source("3.11", "Deprecated", "importlib.resources legacy functions"),
        flagged="import importlib.resources\n\n"
        'with importlib.resources.open_text("json", "decoder.py") as stream:\n'
        "    print(len(stream.read()) > 0)\n",
        clean="import importlib.resources\n\n"
        'with importlib.resources.files("json").joinpath("decoder.py").open() as stream:\n'
        "    print(len(stream.read()) > 0)\n",
    ),
    _row(
        "importlib.resources.path",
        "name",
        deprecated=(3, 11),
        replacement="importlib.resources.as_file(importlib.resources.files(package) / name) "
        "(3.13 un-deprecated this function with the signature (anchor, *path_names))",
        source=_source("3.11", "Deprecated", "importlib.resources legacy functions"),
        flagged="import importlib.resources\n\n"
        'with importlib.resources.path("json", "decoder.py") as file:\n'
        "    print(file.name)\n",
        clean="import importlib.resources\n\n"
        'with importlib.resources.as_file(importlib.resources.files("json") / "decoder.py")'
        " as file:\n    print(file.name)\n",
    ),
    _row(
        "importlib.resources.read_binary",
        "name",
        deprecated=(3, 11),
        replacement="importlib.resources.files(package).joinpath(name).read_bytes() (3.13 "
        "un-deprecated this function with the signature (anchor, *path_names))",
        source=_source("3.11", "Deprecated", "importlib.resources legacy functions"),
        flagged="import importlib.resources\n\n"
        'print(len(importlib.resources.read_binary("json", "decoder.py")) > 0)\n',
        clean="import importlib.resources\n\n"
        'print(len(importlib.resources.files("json").joinpath("decoder.py").read_bytes()) > 0)\n',
    ),
    _row(
        "importlib.resources.read_text",
        "name",
        deprecated=(3, 11),
        replacement="importlib.resources.files(package).joinpath(name).read_text() (3.13 "
        "un-deprecated this function with the signature (anchor, *path_names))",
        source=_source("3.11", "Deprecated", "importlib.resources legacy functions"),
        flagged="import importlib.resources\n\n"
        'print(len(importlib.resources.read_text("json", "decoder.py")) > 0)\n',
        clean="import importlib.resources\n\n"
        'print(len(importlib.resources.files("json").joinpath("decoder.py").read_text()) > 0)\n',
    ),
    _row(
        "inspect.Signature.from_builtin",
        "name",
        deprecated=(3, 5),
        removed=(3, 11),
        replacement="inspect.Signature.from_callable or inspect.signature",
        source=_source("3.11", "Removed", "inspect Signature.from_builtin"),
        flagged="import inspect\n\nprint(inspect.Signature.from_builtin(len))\n",
        clean="import inspect\n\nprint(inspect.Signature.from_callable(len))\n",
    ),
    _row(
        "inspect.Signature.from_function",
        "name",
        deprecated=(3, 5),
        removed=(3, 11),
        replacement="inspect.Signature.from_callable or inspect.signature",
        source=_source("3.11", "Removed", "inspect Signature.from_function"),
        flagged="import inspect\n\n\ndef handler(event, context):\n    return event\n\n\n"
        "print(inspect.Signature.from_function(handler))\n",
        clean="import inspect\n\n\ndef handler(event, context):\n    return event\n\n\n"
        "print(inspect.Signature.from_callable(handler))\n",
    ),
    _row(
        "locale.getdefaultlocale",
        "name",
        deprecated=(3, 11),
        replacement="locale.setlocale(locale.LC_ALL, '') with locale.getlocale(), or "
        "locale.getencoding() for the encoding; removal is planned for 3.15",
        source=_source("3.11", "Deprecated", "locale.getdefaultlocale"),
        flagged="import locale\n\nprint(locale.getdefaultlocale())\n",
        clean="import locale\n\nprint(locale.getlocale())\n",
    ),
    _row(
        "locale.resetlocale",
        "name",
        deprecated=(3, 11),
        removed=(3, 13),
        replacement="locale.setlocale(locale.LC_ALL, '')",
        source=_source("3.13", "Removed Modules And APIs", "locale.resetlocale"),
        flagged="import locale\n\nprint(callable(locale.resetlocale))\n",
        clean="import locale\n\nprint(callable(locale.setlocale))\n",
    ),
    _row(
        "pkgutil.find_loader",
        "name",
        deprecated=(3, 12),
        removed=(3, 14),
        replacement="importlib.util.find_spec(name) and its .loader",
        source=_source("3.14", "Removed", "pkgutil.find_loader and get_loader"),
        flagged='import pkgutil\n\nprint(pkgutil.find_loader("json") is not None)\n',
        clean='import importlib.util\n\nprint(importlib.util.find_spec("json") is not None)\n',
    ),
    _row(
        "pkgutil.get_loader",
        "name",
        deprecated=(3, 12),
        removed=(3, 14),
        replacement="importlib.util.find_spec(name) and its .loader",
        source=_source("3.14", "Removed", "pkgutil.find_loader and get_loader"),
        flagged='import pkgutil\n\nprint(pkgutil.get_loader("json") is not None)\n',
        clean='import importlib.util\n\nprint(importlib.util.find_spec("json") is not None)\n',
    ),
    _row(
        "pty.master_open",
        "name",
        deprecated=(3, 12),
        removed=(3, 14),
        replacement="pty.openpty()",
        source=_source("3.14", "Removed", "pty.master_open and slave_open"),
        flagged="import pty\n\nprint(callable(pty.master_open))\n",
        clean="import pty\n\nprint(callable(pty.openpty))\n",
    ),
    _row(
        "pty.slave_open",
        "name",
        deprecated=(3, 12),
        removed=(3, 14),
        replacement="pty.openpty()",
        source=_source("3.14", "Removed", "pty.master_open and slave_open"),
        flagged="import pty\n\nprint(callable(pty.slave_open))\n",
        clean="import pty\n\nprint(callable(pty.openpty))\n",
    ),
    _row(
        "random.shuffle",
        "parameter",
        parameter="random",
        deprecated=(3, 9),
        removed=(3, 11),
        replacement="random.Random(seed).shuffle(items), or sort by a key drawn from your "
        "own generator",
        source=_source("3.11", "Removed", "random.shuffle random parameter"),
        flagged="import random\n\nitems = [1, 2, 3]\nrandom.shuffle(items, random=random.random)\n"
        "print(sorted(items))\n",
        clean="import random\n\nitems = [1, 2, 3]\nrandom.shuffle(items)\nprint(sorted(items))\n",
    ),
    _row(
        "re.template",
        "name",
        deprecated=(3, 11),
        removed=(3, 13),
        replacement="re.compile",
        source=_source("3.13", "Removed Modules And APIs", "re.template and re.TEMPLATE"),
        flagged='import re\n\nprint(re.template("abc").pattern)\n',
        clean='import re\n\nprint(re.compile("abc").pattern)\n',
    ),
    _row(
        "shutil.rmtree",
        "parameter",
        parameter="dir_fd",
        added=(3, 11),
        replacement="on older runtimes pass a path that does not need a directory descriptor",
        source=_source("3.11", "Improved Modules", "shutil.rmtree dir_fd"),
        flagged='import os\nimport shutil\n\nos.mkdir("tree")\nfd = os.open(".", os.O_RDONLY)\n'
        'shutil.rmtree("tree", dir_fd=fd)\nprint(os.path.exists("tree"))\n',
        clean='import os\nimport shutil\n\nos.mkdir("tree")\n'
        'shutil.rmtree("tree")\nprint(os.path.exists("tree"))\n',
    ),
    _row(
        "shutil.rmtree",
        "parameter",
        parameter="onexc",
        added=(3, 12),
        replacement="on older runtimes pass onerror=, whose handler receives "
        "(function, path, exc_info) instead of the exception",
        source=_source("3.12", "Improved Modules", "shutil.rmtree onexc"),
        flagged='import os\nimport shutil\n\nos.mkdir("tree")\n'
        'shutil.rmtree("tree", onexc=lambda *args: None)\nprint(os.path.exists("tree"))\n',
        clean='import os\nimport shutil\n\nos.mkdir("tree")\n'
        'shutil.rmtree("tree", ignore_errors=True)\nprint(os.path.exists("tree"))\n',
    ),
    _row(
        "sqlite3.connect",
        "parameter",
        parameter="autocommit",
        added=(3, 12),
        replacement="on older runtimes, set isolation_level=None for autocommit mode",
        source=_source("3.12", "Improved Modules", "sqlite3 autocommit"),
        flagged='import sqlite3\n\nconnection = sqlite3.connect(":memory:", autocommit=True)\n'
        "print(connection.total_changes)\nconnection.close()\n",
        clean='import sqlite3\n\nconnection = sqlite3.connect(":memory:", isolation_level=None)\n'
        "print(connection.total_changes)\nconnection.close()\n",
    ),
    _row(
        "sqlite3.version",
        "name",
        deprecated=(3, 12),
        removed=(3, 14),
        replacement="sqlite3.sqlite_version for the SQLite library's version",
        source=_source("3.14", "Removed", "sqlite3 version and version_info"),
        flagged="import sqlite3\n\nprint(sqlite3.version)\n",
        clean="import sqlite3\n\nprint(sqlite3.sqlite_version)\n",
    ),
    _row(
        "sqlite3.version_info",
        "name",
        deprecated=(3, 12),
        removed=(3, 14),
        replacement="sqlite3.sqlite_version_info for the SQLite library's version",
        source=_source("3.14", "Removed", "sqlite3 version and version_info"),
        flagged="import sqlite3\n\nprint(sqlite3.version_info >= (2, 6))\n",
        clean="import sqlite3\n\nprint(sqlite3.sqlite_version_info >= (3, 7))\n",
    ),
    _row(
        "subprocess.call",
        "parameter",
        parameter="process_group",
        added=(3, 11),
        replacement="on older runtimes pass preexec_fn=os.setpgrp (or start_new_session=True)",
        source=_source("3.11", "Improved Modules", "subprocess process_group"),
        flagged="import subprocess\nimport sys\n\n"
        'print(subprocess.call([sys.executable, "-c", "pass"], process_group=0))\n',
        clean="import subprocess\nimport sys\n\n"
        'print(subprocess.call([sys.executable, "-c", "pass"], start_new_session=True))\n',
    ),
    _row(
        "subprocess.check_call",
        "parameter",
        parameter="process_group",
        added=(3, 11),
        replacement="on older runtimes pass preexec_fn=os.setpgrp (or start_new_session=True)",
        source=_source("3.11", "Improved Modules", "subprocess process_group"),
        flagged="import subprocess\nimport sys\n\n"
        'print(subprocess.check_call([sys.executable, "-c", "pass"], process_group=0))\n',
        clean="import subprocess\nimport sys\n\n"
        'print(subprocess.check_call([sys.executable, "-c", "pass"], start_new_session=True))\n',
    ),
    _row(
        "subprocess.check_output",
        "parameter",
        parameter="process_group",
        added=(3, 11),
        replacement="on older runtimes pass preexec_fn=os.setpgrp (or start_new_session=True)",
        source=_source("3.11", "Improved Modules", "subprocess process_group"),
        flagged="import subprocess\nimport sys\n\n"
        'print(subprocess.check_output([sys.executable, "-c", "pass"], process_group=0))\n',
        clean="import subprocess\nimport sys\n\n"
        'print(subprocess.check_output([sys.executable, "-c", "pass"], start_new_session=True))\n',
    ),
    _row(
        "subprocess.run",
        "parameter",
        parameter="process_group",
        added=(3, 11),
        replacement="on older runtimes pass preexec_fn=os.setpgrp (or start_new_session=True)",
        source=_source("3.11", "Improved Modules", "subprocess process_group"),
        flagged="import subprocess\nimport sys\n\n"
        'print(subprocess.run([sys.executable, "-c", "pass"], process_group=0))\n',
        clean="import subprocess\nimport sys\n\n"
        'print(subprocess.run([sys.executable, "-c", "pass"], start_new_session=True))\n',
    ),
    _row(
        "tarfile.TarFile.extract",
        "name",
        deprecated=(3, 12),
        replacement="pass filter='data' (or 'tar', or 'fully_trusted' for archives you "
        "trust): without a filter 3.12 and 3.13 warn, and 3.14 applies 'data', which "
        "refuses absolute paths, links out of the destination and device files",
        source=_source("3.12", "Deprecated", "tarfile extraction filters (PEP 706)")
        + "; "
        + _source("3.14", "Changes in the Python API", "tarfile default filter"),
        flagged="import io\nimport tarfile\nimport tempfile\n\n"
        "payload = io.BytesIO()\nwith tarfile.open(fileobj=payload, mode='w') as writer:\n"
        "    writer.addfile(tarfile.TarInfo('a.txt'), io.BytesIO())\n"
        "payload.seek(0)\narchive = tarfile.TarFile(fileobj=payload)\n"
        "with tempfile.TemporaryDirectory() as folder:\n"
        "    archive.extract('a.txt', folder)\n    print('extracted')\n",
        clean="import shutil\n\nprint(callable(shutil.unpack_archive))\n",
    ),
    _row(
        "tarfile.TarFile.extractall",
        "name",
        deprecated=(3, 12),
        replacement="pass filter='data' (or 'tar', or 'fully_trusted' for archives you "
        "trust): without a filter 3.12 and 3.13 warn, and 3.14 applies 'data', which "
        "refuses absolute paths, links out of the destination and device files",
        source=_source("3.12", "Deprecated", "tarfile extraction filters (PEP 706)")
        + "; "
        + _source("3.14", "Changes in the Python API", "tarfile default filter"),
        flagged="import io\nimport tarfile\nimport tempfile\n\n"
        "payload = io.BytesIO()\nwith tarfile.open(fileobj=payload, mode='w') as writer:\n"
        "    writer.addfile(tarfile.TarInfo('a.txt'), io.BytesIO())\n"
        "payload.seek(0)\narchive = tarfile.TarFile(fileobj=payload)\n"
        "with tempfile.TemporaryDirectory() as folder:\n"
        "    archive.extractall(folder)\n    print('extracted')\n",
        clean="import shutil\n\nprint(callable(shutil.unpack_archive))\n",
    ),
    _row(
        "tempfile.SpooledTemporaryFile.readable",
        "name",
        added=(3, 11),
        replacement="on older runtimes, ask the file it wraps: spool._file.readable()",
        source=_source("3.11", "Improved Modules", "tempfile SpooledTemporaryFile io methods"),
        flagged="import tempfile\n\nwith tempfile.SpooledTemporaryFile() as spool:\n"
        "    print(spool.readable())\n",
        clean="import tempfile\n\nwith tempfile.SpooledTemporaryFile() as spool:\n"
        "    print(spool.closed)\n",
    ),
    _row(
        "tempfile.SpooledTemporaryFile.seekable",
        "name",
        added=(3, 11),
        replacement="on older runtimes, ask the file it wraps: spool._file.seekable()",
        source=_source("3.11", "Improved Modules", "tempfile SpooledTemporaryFile io methods"),
        flagged="import tempfile\n\nwith tempfile.SpooledTemporaryFile() as spool:\n"
        "    print(spool.seekable())\n",
        clean="import tempfile\n\nwith tempfile.SpooledTemporaryFile() as spool:\n"
        "    print(spool.closed)\n",
    ),
    _row(
        "tempfile.SpooledTemporaryFile.writable",
        "name",
        added=(3, 11),
        replacement="on older runtimes, ask the file it wraps: spool._file.writable()",
        source=_source("3.11", "Improved Modules", "tempfile SpooledTemporaryFile io methods"),
        flagged="import tempfile\n\nwith tempfile.SpooledTemporaryFile() as spool:\n"
        "    print(spool.writable())\n",
        clean="import tempfile\n\nwith tempfile.SpooledTemporaryFile() as spool:\n"
        "    print(spool.closed)\n",
    ),
    _row(
        "typing.TypeVar",
        "parameter",
        parameter="default",
        added=(3, 13),
        replacement="on older runtimes use typing_extensions.TypeVar, which takes default=",
        source=_source("3.13", "New Features", "PEP 696: type parameter defaults"),
        flagged='import typing\n\nT = typing.TypeVar("T", default=int)\nprint(T)\n',
        clean='import typing\n\nT = typing.TypeVar("T", bound=int)\nprint(T)\n',
    ),
    _row(
        "typing.no_type_check_decorator",
        "name",
        deprecated=(3, 13),
        replacement="typing.no_type_check on the decorated function; removal is planned for 3.15",
        source=_source("3.13", "Deprecated", "typing.no_type_check_decorator"),
        flagged="import typing\n\n\n@typing.no_type_check_decorator\ndef loose(function):\n"
        "    return function\n\n\nprint(callable(loose))\n",
        clean="import typing\n\n\n@typing.no_type_check\ndef loose(function):\n"
        "    return function\n\n\nprint(callable(loose))\n",
    ),
    _row(
        "unittest.TestLoader.loadTestsFromModule",
        "parameter",
        parameter="use_load_tests",
        deprecated=(3, 5),
        removed=(3, 12),
        replacement="drop the argument: load_tests is always honoured; pass pattern= by keyword",
        source=_source("3.12", "Removed", "unittest TestLoader.loadTestsFromModule"),
        flagged="import json\nimport unittest\n\nloader = unittest.TestLoader()\n"
        "suite = loader.loadTestsFromModule(json, use_load_tests=False)\n"
        "print(suite.countTestCases())\n",
        clean="import json\nimport unittest\n\nloader = unittest.TestLoader()\n"
        "suite = loader.loadTestsFromModule(json)\nprint(suite.countTestCases())\n",
    ),
    _row(
        "unittest.TestProgram.usageExit",
        "name",
        deprecated=(3, 11),
        removed=(3, 13),
        replacement="argparse's error handling (TestProgram parses its arguments with argparse)",
        source=_source("3.13", "Removed Modules And APIs", "unittest"),
        flagged="import unittest\n\nprint(callable(unittest.TestProgram.usageExit))\n",
        clean="import unittest\n\nprint(callable(unittest.TestProgram.runTests))\n",
    ),
    _row(
        "unittest._TextTestResult",
        "name",
        deprecated=(3, 2),
        removed=(3, 12),
        replacement="unittest.TextTestResult",
        source=_source("3.12", "Removed", "unittest: the _TextTestResult alias"),
        flagged="import unittest\n\nprint(unittest._TextTestResult.__name__)\n",
        clean="import unittest\n\nprint(unittest.TextTestResult.__name__)\n",
    ),
    _row(
        "unittest.findTestCases",
        "name",
        deprecated=(3, 11),
        removed=(3, 13),
        replacement="unittest.TestLoader().loadTestsFromModule(module)",
        source=_source("3.13", "Removed Modules And APIs", "unittest"),
        flagged="import json\nimport unittest\n\n"
        "print(unittest.findTestCases(json).countTestCases())\n",
        clean="import json\nimport unittest\n\n"
        "print(unittest.TestLoader().loadTestsFromModule(json).countTestCases())\n",
    ),
    _row(
        "unittest.getTestCaseNames",
        "name",
        deprecated=(3, 11),
        removed=(3, 13),
        replacement="unittest.TestLoader().getTestCaseNames(test_case_class)",
        source=_source("3.13", "Removed Modules And APIs", "unittest"),
        flagged="import unittest\n\nprint(unittest.getTestCaseNames(unittest.TestCase, 'test'))\n",
        clean="import unittest\n\n"
        "print(unittest.TestLoader().getTestCaseNames(unittest.TestCase))\n",
    ),
    _row(
        "unittest.makeSuite",
        "name",
        deprecated=(3, 11),
        removed=(3, 13),
        replacement="unittest.TestLoader().loadTestsFromTestCase(test_case_class)",
        source=_source("3.13", "Removed Modules And APIs", "unittest"),
        flagged="import unittest\n\n"
        "print(unittest.makeSuite(unittest.TestCase).countTestCases())\n",
        clean="import unittest\n\n"
        "print(unittest.TestLoader().loadTestsFromTestCase(unittest.TestCase).countTestCases())\n",
    ),
    _row(
        "urllib.parse.Quoter",
        "name",
        deprecated=(3, 11),
        removed=(3, 14),
        replacement="urllib.parse.quote or urllib.parse.quote_from_bytes",
        source=_source("3.14", "Removed", "urllib.parse.Quoter"),
        flagged='import urllib.parse\n\nquoter = urllib.parse.Quoter(b"/")\nprint(quoter[32])\n',
        clean='import urllib.parse\n\nprint(urllib.parse.quote(" ", safe="/"))\n',
    ),
    _row(
        "warnings.warn",
        "parameter",
        parameter="skip_file_prefixes",
        added=(3, 12),
        replacement="on older runtimes pass stacklevel= to point the warning at the caller",
        source=_source("3.12", "Improved Modules", "warnings.warn skip_file_prefixes"),
        flagged='import warnings\n\nwarnings.warn("x", skip_file_prefixes=("/nowhere",))\n',
        clean='import warnings\n\nwarnings.warn("x", stacklevel=2)\n',
    ),
)


# -- removed parameters passed by position ----------------------------------------------
# A removed parameter that Python 3.9 also took by position: (callable, parameter) to its
# index among the call's arguments (``self`` not counted). The newer signatures end
# before it or make the rest keyword-only, so a call with that many positional arguments
# fails with TypeError. Positions read with inspect.signature on 3.9 and 3.12; the
# removals are those of the parameter rows (What's New In Python 3.11 > Removed: random;
# 3.11 > Removed: gettext codeset; 3.12 > Removed: keyfile and certfile of the ssl-using
# modules; 3.12 > Removed: unittest use_load_tests; 3.14 > Removed: email.utils.localtime
# isdst).
POSITIONAL_PARAMETERS: dict[tuple[str, str], int] = {
    ("email.utils.localtime", "isdst"): 1,
    ("ftplib.FTP_TLS", "certfile"): 5,
    ("ftplib.FTP_TLS", "keyfile"): 4,
    ("gettext.install", "codeset"): 2,
    ("gettext.translation", "codeset"): 5,
    ("http.client.HTTPSConnection", "cert_file"): 3,
    ("http.client.HTTPSConnection", "key_file"): 2,
    ("imaplib.IMAP4_SSL", "certfile"): 3,
    ("imaplib.IMAP4_SSL", "keyfile"): 2,
    ("poplib.POP3_SSL", "certfile"): 3,
    ("poplib.POP3_SSL", "keyfile"): 2,
    ("random.Random.shuffle", "random"): 1,
    ("random.SystemRandom.shuffle", "random"): 1,
    ("random.shuffle", "random"): 1,
    ("smtplib.LMTP.starttls", "certfile"): 1,
    ("smtplib.LMTP.starttls", "keyfile"): 0,
    ("smtplib.SMTP.starttls", "certfile"): 1,
    ("smtplib.SMTP.starttls", "keyfile"): 0,
    ("smtplib.SMTP_SSL", "certfile"): 4,
    ("smtplib.SMTP_SSL", "keyfile"): 3,
    ("smtplib.SMTP_SSL.starttls", "certfile"): 1,
    ("smtplib.SMTP_SSL.starttls", "keyfile"): 0,
    ("unittest.TestLoader.loadTestsFromModule", "use_load_tests"): 1,
}

CURATED_ROWS: tuple[ApiChange, ...] = tuple(
    sorted(
        (
            *_module_rows(),
            *_collections_rows(),
            *_asyncio_loop_rows(),
            *_urllib_rows(),
            *_sqlite_error_rows(),
            *SINGLE_ROWS,
        ),
        key=lambda row: (row.symbol, row.kind, row.parameter or ""),
    )
)
