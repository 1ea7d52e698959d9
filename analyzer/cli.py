"""The command line: parses options, calls the stages, writes the result and sets the exit code.

Imports of the stages are inside the commands, so ``--help`` answers at once.
"""

from __future__ import annotations

import enum
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from analyzer import __version__

if TYPE_CHECKING:
    from analyzer.models import FunctionReport

EXIT_OK = 0
EXIT_NOT_READY = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

app = typer.Typer(
    name="lambda-analyzer",
    help=(
        "Tell what breaks when an AWS Lambda Python function moves to a newer runtime, "
        "statically: source, vendored libraries, native extensions, layers and dependencies."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


class Architecture(str, enum.Enum):
    """Lambda instruction set architectures."""

    X86_64 = "x86_64"
    ARM64 = "arm64"


class FailOn(str, enum.Enum):
    """Which verdicts make ``scan`` exit with status 1."""

    NEEDS_WORK = "needs-work"
    BLOCKED = "blocked"
    NEVER = "never"


class OutputFormat(str, enum.Enum):
    """Report formats of ``scan``."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    SARIF = "sarif"


class ListFormat(str, enum.Enum):
    """Formats of listings such as ``runtimes``."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Show the debug log on stderr.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the result.")]

# The dependency and cache options that scan, batch and ci share.
CheckDeps = Annotated[
    bool,
    typer.Option("--deps/--no-deps", help="Check pinned dependencies against the package index."),
]
IndexUrl = Annotated[
    str | None, typer.Option(help="Package index (Simple API) [default: pip's configuration].")
]
ExtraIndexUrls = Annotated[
    list[str] | None,
    typer.Option(help="Another package index to look in as well; repeatable."),
]
Vulns = Annotated[bool, typer.Option("--vulns/--no-vulns", help="Look up known vulnerabilities.")]
Advisories = Annotated[
    Path | None, typer.Option(help="A folder of OSV advisories to use instead of online ones.")
]
CacheDir = Annotated[
    Path | None,
    typer.Option(
        help="Where downloads and package-index answers are cached [default: user cache]."
    ),
]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")]


def _configure_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    typer.echo(f"lambda-analyzer: error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def _user_errors(verbose: bool) -> Iterator[None]:
    """Turn errors into one line on stderr and an exit status; ``-v`` adds the traceback."""
    import sqlite3

    from analyzer.errors import AnalyzerError

    try:
        yield
    except typer.Exit:
        raise
    except AnalyzerError as error:
        if verbose:
            logging.getLogger("analyzer").exception("details")
        _fail(str(error))
    except sqlite3.DatabaseError as error:
        # Damage inside a results database shows only when the damaged page is read.
        if verbose:
            logging.getLogger("analyzer").exception("details")
        _fail(f"the results database cannot be read ({error}); keep it aside and use another --db")
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as error:  # the last line of defence: never a bare traceback
        if verbose:
            logging.getLogger("analyzer").exception("internal error")
        _fail(
            f"internal error: {type(error).__name__}: {error} (run with -v for details)",
            EXIT_INTERNAL,
        )


def _check_advisories(advisories: Path | None, vulns: bool) -> None:
    """A missing advisories folder is refused before any work: its silence would read as
    "no known vulnerabilities"."""
    if advisories is not None and vulns:
        from analyzer.deps import check_advisories_dir

        check_advisories_dir(advisories)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as error:
        _fail(f"cannot write {output}: {error.strerror or error}")


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"lambda-analyzer {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Tell what breaks when an AWS Lambda Python function moves to a newer runtime."""


@app.command()
def scan(
    target: Annotated[
        str,
        typer.Argument(
            help="A function ARN or name (fetched with boto3), a deployment .zip, or a folder."
        ),
    ],
    source_runtime: Annotated[
        str | None,
        typer.Option("--from", help="The runtime the function is on now [default: python3.9]."),
    ] = None,
    target_runtime: Annotated[
        str, typer.Option("--target", help="The runtime to move to (python3.10 to python3.14).")
    ] = "python3.11",
    handler: Annotated[
        str | None, typer.Option(help="The handler, module.function [default: from --config].")
    ] = None,
    architecture: Annotated[
        Architecture | None,
        typer.Option(help="The function's architecture [default: x86_64, or from --config]."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            help="A saved `aws lambda get-function-configuration` JSON standing in for flags."
        ),
    ] = None,
    layer: Annotated[
        list[Path] | None,
        typer.Option(help="A layer (.zip or folder), repeatable, in the order Lambda merges them."),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="The report format.")
    ] = OutputFormat.TABLE,
    output: Annotated[
        Path | None, typer.Option(help="Write the report to this file instead of stdout.")
    ] = None,
    matrix: Annotated[
        bool, typer.Option(help="Report every target from python3.10 to python3.14 side by side.")
    ] = False,
    fail_on: Annotated[
        FailOn, typer.Option(help="Which verdicts exit with status 1.")
    ] = FailOn.NEEDS_WORK,
    region: Annotated[str | None, typer.Option(help="AWS region for a function name.")] = None,
    profile: Annotated[str | None, typer.Option(help="AWS named profile.")] = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    deps: CheckDeps = True,
    index_url: IndexUrl = None,
    extra_index_url: ExtraIndexUrls = None,
    vulns: Vulns = True,
    advisories: Advisories = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """Analyse one function and report its readiness for the target runtime."""
    _configure_logging(verbose, quiet)
    with _user_errors(verbose):
        _check_advisories(advisories, vulns)
        from analyzer.pipeline import ScanRequest, scan_target

        request = ScanRequest(
            target=target,
            source_runtime=source_runtime,
            target_runtimes=_targets(target_runtime, matrix),
            handler=handler,
            architecture=architecture.value if architecture else None,
            config=config,
            layers=tuple(layer or ()),
            region=region,
            profile=profile,
            cache_dir=cache_dir,
            use_cache=not no_cache,
            check_dependencies=deps,
            index_url=index_url,
            extra_index_urls=tuple(extra_index_url or ()),
            vulnerabilities=vulns,
            advisories=advisories,
        )
        with _progress(enabled=not quiet and output_format is OutputFormat.TABLE) as progress:
            reports = scan_target(request, progress=progress)
        if quiet and output_format is OutputFormat.TABLE:
            _write(_verdict_lines(reports), output)
        else:
            _write(_render(output_format, reports, output), output)
        raise typer.Exit(_exit_code(reports, fail_on))


def _targets(target_runtime: str, matrix: bool) -> tuple[str, ...]:
    from analyzer.runtimes import TARGET_RUNTIMES, UnknownRuntimeError, get_runtime

    if matrix:
        return TARGET_RUNTIMES
    try:
        name = get_runtime(target_runtime).name
    except UnknownRuntimeError as error:
        _fail(str(error))
    if name not in TARGET_RUNTIMES:
        _fail(f"{name} is not a target; choose one of {', '.join(TARGET_RUNTIMES)}")
    return (name,)


def _verdict_lines(reports: list[FunctionReport]) -> str:
    """``-q``: a line a report, the function, the move and the verdict."""
    from analyzer.report import presentation as p

    return "\n".join(
        f"{p.printable(report.function.name)}  {p.current_runtime_text(report)} -> "
        f"{report.target.name}  {p.verdict_text(report)}"
        for report in reports
    )


def _width(output: Path | None) -> int | None:
    """The columns of a report printed to stdout: ``COLUMNS`` when set, else the terminal's;
    ``None`` (the renderers' default) for a file, or a pipe without ``COLUMNS``."""
    import os
    import shutil

    if output is not None:
        return None
    given = os.environ.get("COLUMNS", "")
    if given.isdigit() and int(given) >= 40:
        return int(given)
    if sys.stdout.isatty():
        return max(40, shutil.get_terminal_size().columns)
    return None


def _render(output_format: OutputFormat, reports: list[FunctionReport], output: Path | None) -> str:
    import datetime as dt

    from analyzer.report import ReportFormat, render_reports

    color = output_format is OutputFormat.TABLE and output is None and sys.stdout.isatty()
    generated_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    return render_reports(
        ReportFormat(output_format.value),
        reports,
        width=_width(output),
        color=color,
        generated_at=generated_at,
    )


def _exit_code(reports: list[FunctionReport], fail_on: FailOn) -> int:
    from analyzer.models import Verdict

    failing = {
        FailOn.NEEDS_WORK: {Verdict.NEEDS_WORK, Verdict.BLOCKED, Verdict.NOT_ANALYSED},
        FailOn.BLOCKED: {Verdict.BLOCKED, Verdict.NOT_ANALYSED},
        FailOn.NEVER: set(),
    }[fail_on]
    incomplete = any(
        error.stage in ("fetch", "read") or not report.files_analysed
        for report in reports
        for error in report.errors
    )
    if incomplete:
        return EXIT_NOT_READY
    return EXIT_NOT_READY if any(report.verdict in failing for report in reports) else EXIT_OK


ProgressCallback = Callable[[str, int, int], None]


@contextmanager
def _progress(enabled: bool) -> Iterator[ProgressCallback | None]:
    """A progress bar on stderr for analyses that take more than a moment."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True, console=None) as bar:
        task = bar.add_task("analysing", total=None, visible=False)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total or None, visible=True)

        yield update


@app.command()
def runtimes(
    output_format: Annotated[
        ListFormat, typer.Option("--format", help="table, json or markdown.")
    ] = ListFormat.TABLE,
) -> None:
    """List the Lambda Python runtimes, their OS, glibc and dates, marking those past a date."""
    import datetime as dt
    import json

    from analyzer.runtimes import RUNTIMES, lifecycle_stage

    today = dt.date.today()
    rows = [
        {
            "runtime": runtime.name,
            "python": runtime.version_text,
            "os": runtime.operating_system,
            "glibc": f"{runtime.glibc[0]}.{runtime.glibc[1]}",
            "architectures": list(runtime.architectures),
            "layer_paths": list(runtime.layer_paths),
            "deprecation": runtime.deprecation,
            "block_create": runtime.block_create,
            "block_update": runtime.block_update,
            "status": lifecycle_stage(runtime, today),
        }
        for runtime in RUNTIMES.values()
    ]
    if output_format is ListFormat.JSON:
        _write(json.dumps({"today": today.isoformat(), "runtimes": rows}, indent=2), None)
        return
    headers = [
        "runtime",
        "python",
        "os",
        "glibc",
        "deprecation",
        "block_create",
        "block_update",
        "status",
    ]
    if output_format is ListFormat.MARKDOWN:
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(str(row[h]) for h in headers) + " |" for row in rows]
        _write("\n".join(lines), None)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Lambda Python runtimes on {today.isoformat()}")
    for header in headers:
        table.add_column(header.replace("_", " "), no_wrap=True)
    for row in rows:
        style = "red" if row["status"] != "supported" else None
        table.add_row(*(str(row[h]) for h in headers), style=style)
    console = Console(width=None if sys.stdout.isatty() else 120)
    console.print(table)


@app.command()
def ci(
    path: Annotated[
        Path, typer.Argument(help="The repository: code, requirements and templates.")
    ] = Path("."),
    target_runtime: Annotated[
        str | None,
        typer.Option(
            "--target", help="The runtime to check for [default: the template's runtime]."
        ),
    ] = None,
    source_runtime: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="The runtime the functions are on now [default: an older template runtime, "
            "else python3.9].",
        ),
    ] = None,
    fail_on: Annotated[
        str,
        typer.Option(help="The mildest severity that fails: blocker, high, medium, low, never."),
    ] = "high",
    baseline: Annotated[
        Path | None,
        typer.Option(help="A JSON report of an earlier run (--json); fail only on new findings."),
    ] = None,
    sarif: Annotated[Path | None, typer.Option(help="Write a SARIF 2.1.0 log here.")] = None,
    summary: Annotated[
        Path | None,
        typer.Option(help="Write a Markdown summary here (a PR comment, a job summary)."),
    ] = None,
    json_report: Annotated[
        Path | None, typer.Option("--json", help="Write the JSON report here (a later baseline).")
    ] = None,
    template: Annotated[
        list[Path] | None,
        typer.Option(
            help="Read only this template (a file, or a Terraform folder; relative to PATH); "
            "repeatable."
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(help="A glob of repository paths not searched for templates; repeatable."),
    ] = None,
    deps: CheckDeps = True,
    index_url: IndexUrl = None,
    extra_index_url: ExtraIndexUrls = None,
    vulns: Vulns = True,
    advisories: Advisories = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """Check a repository's functions, found from its SAM, CloudFormation, Serverless or
    Terraform templates, for the runtime the templates set; exit 1 on findings at --fail-on."""
    _configure_logging(verbose, quiet)
    with _user_errors(verbose):
        _check_advisories(advisories, vulns)
        from analyzer.ci import CiOutputs, CiRequest, execute, parse_fail_on, render_text

        request = CiRequest(
            path=path,
            target=target_runtime,
            source_runtime=source_runtime,
            fail_on=parse_fail_on(fail_on),
            baseline=baseline,
            templates=tuple(template or ()),
            excludes=tuple(exclude or ()),
            check_dependencies=deps,
            index_url=index_url,
            extra_index_urls=tuple(extra_index_url or ()),
            vulnerabilities=vulns,
            advisories=advisories,
            cache_dir=cache_dir,
            use_cache=not no_cache,
        )
        result = execute(request, CiOutputs(sarif=sarif, summary=summary, json_report=json_report))
        text = render_text(result)
        _write(text.splitlines()[-1] if quiet else text, None)
        raise typer.Exit(result.exit_code)


@app.command()
def inventory(
    region: Annotated[
        list[str] | None,
        typer.Option(help="A region to list; repeatable [default: the profile's]."),
    ] = None,
    all_regions: Annotated[
        bool, typer.Option(help="List every region Lambda is offered in.")
    ] = False,
    profile: Annotated[
        list[str] | None, typer.Option(help="An AWS named profile (one account); repeatable.")
    ] = None,
    role_arn: Annotated[
        list[str] | None,
        typer.Option(
            help="A role to assume in another account (from the first profile); repeatable."
        ),
    ] = None,
    runtime: Annotated[
        list[str] | None,
        typer.Option(
            help="Keep functions on this runtime; repeatable [default: every Python one]."
        ),
    ] = None,
    invocations: Annotated[
        int | None,
        typer.Option(help="Sum each function's CloudWatch Invocations over this many days."),
    ] = None,
    state_machines: Annotated[
        bool, typer.Option(help="Name the Step Functions state machines that invoke each function.")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            help="Write the inventory to this .csv or .json file [default: JSON on stdout]."
        ),
    ] = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """List the Python functions of some accounts and regions, for `batch`: ARN, runtime, package
    type, size, layers, tags, versions, aliases, invocations. A region or account that refuses is
    reported and the rest is still written; the exit status is then 1."""
    _configure_logging(verbose, quiet)
    with _user_errors(verbose):
        from analyzer.fetch.inventory import (
            InventoryRequest,
            inventory_text,
            problem_line,
            take_inventory,
            write_inventory,
        )

        request = InventoryRequest(
            regions=tuple(region or ()),
            all_regions=all_regions,
            profiles=tuple(profile or ()),
            role_arns=tuple(role_arn or ()),
            runtimes=tuple(runtime or ()),
            invocation_days=invocations,
            state_machines=state_machines,
        )
        found = take_inventory(request)
        if output is None:
            _write(inventory_text(found, "json"), None)
        else:
            write_inventory(found, output)
        if not quiet:
            images = sum(1 for row in found.functions if row.package_type == "Image")
            typer.echo(
                f"inventory: {len(found.functions)} functions ({images} container images) in "
                f"{len(found.accounts)} accounts and {len(found.regions)} regions"
                + (f", written to {output}" if output else ""),
                err=True,
            )
            for problem in found.problems:
                typer.echo(f"inventory: {problem_line(problem)}", err=True)
        if any(problem.stage in ("account", "list-functions") for problem in found.problems):
            # The file holds what could be listed; the status says it is not everything.
            raise typer.Exit(EXIT_NOT_READY)


@app.command()
def batch(
    source: Annotated[
        Path,
        typer.Argument(
            help="An inventory (.csv or .json), the JSON of `aws lambda list-functions`, a file "
            "of ARNs, names or paths (one a line), or a folder of functions."
        ),
    ],
    target_runtime: Annotated[
        list[str] | None,
        typer.Option("--target", help="A runtime to move to; repeatable [default: python3.11]."),
    ] = None,
    matrix: Annotated[
        bool, typer.Option(help="Scan for every target from python3.10 to python3.14.")
    ] = False,
    db: Annotated[
        Path, typer.Option(help="The results database (SQLite); a batch resumes from it.")
    ] = Path("lambda-analyzer-results.sqlite3"),
    concurrency: Annotated[int, typer.Option(help="Download threads.")] = 8,
    workers: Annotated[
        int | None, typer.Option(help="Analysis processes [default: one per core].")
    ] = None,
    retry_failed: Annotated[
        bool, typer.Option(help="Scan again the functions that ended in an error.")
    ] = False,
    timeout: Annotated[
        float, typer.Option(help="Seconds one package's analysis may take.")
    ] = 900.0,
    output_format: Annotated[
        str,
        typer.Option(
            "--format", help="The fleet report's format: table, json, csv, markdown, html."
        ),
    ] = "table",
    output: Annotated[
        Path | None, typer.Option(help="Write the fleet report to this file instead of stdout.")
    ] = None,
    group_by: Annotated[
        str | None, typer.Option(help="Group the report by tag:KEY, account or region.")
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="AWS region for functions named without one.")
    ] = None,
    profile: Annotated[
        str | None, typer.Option(help="AWS named profile for functions listed without one.")
    ] = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    deps: CheckDeps = True,
    index_url: IndexUrl = None,
    extra_index_url: ExtraIndexUrls = None,
    vulns: Vulns = True,
    advisories: Advisories = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """Scan every function an inventory names into a results database, resumably, then print
    the fleet report. Exit 1 when some function could not be scanned."""
    _configure_logging(verbose, quiet)
    with _user_errors(verbose):
        _check_advisories(advisories, vulns)
        import datetime as dt
        import time

        from analyzer.batch import BatchCounts, BatchRequest, run_batch
        from analyzer.fleet import GroupBy, load_fleet
        from analyzer.pipeline import AnalysisOptions
        from analyzer.report.fleet_formats import FleetFormat, render_fleet
        from analyzer.runtimes import DEFAULT_TARGET

        try:
            fmt = FleetFormat(output_format)
        except ValueError:
            _fail(
                f"--format takes {', '.join(f.value for f in FleetFormat)}, not {output_format!r}"
            )
        grouping = GroupBy.parse(group_by) if group_by else None
        targets = (
            _targets(DEFAULT_TARGET, True)
            if matrix
            else tuple(
                dict.fromkeys(
                    _targets(given, False)[0] for given in target_runtime or [DEFAULT_TARGET]
                )
            )
        )
        request = BatchRequest(
            source=source,
            database=db,
            targets=targets,
            concurrency=max(1, concurrency),
            workers=workers,
            retry_failed=retry_failed,
            region=region,
            profile=profile,
            options=AnalysisOptions(
                check_dependencies=deps,
                index_url=index_url,
                extra_index_urls=tuple(extra_index_url or ()),
                vulnerabilities=vulns,
                advisories=advisories,
                cache_dir=cache_dir,
                use_cache=not no_cache,
            ),
            code_cache_dir=cache_dir,
            use_cache=not no_cache,
            timeout_seconds=timeout,
        )

        @contextmanager
        def progress_bar() -> Iterator[Callable[[BatchCounts], None] | None]:
            if quiet or not sys.stderr.isatty():
                yield None
                return
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            columns = (
                TextColumn("scanning"),
                BarColumn(),
                TextColumn(
                    "{task.fields[done]} done, {task.fields[failed]} failed, "
                    "{task.fields[remaining]} remaining"
                ),
                TextColumn("{task.fields[rate]}"),
                TextColumn("eta"),
                TimeRemainingColumn(),
            )
            started = time.monotonic()
            first: list[int] = []
            with Progress(*columns, console=Console(stderr=True)) as bar:
                task = bar.add_task("batch", total=None, done=0, failed=0, remaining="?", rate="")

                def update(counts: BatchCounts) -> None:
                    finished = counts.done + counts.failed
                    if not first:
                        first.append(finished)
                    elapsed = max(time.monotonic() - started, 1e-6)
                    rate = (finished - first[0]) / elapsed
                    bar.update(
                        task,
                        total=counts.total,
                        completed=finished,
                        done=counts.done,
                        failed=counts.failed,
                        remaining=counts.remaining,
                        rate=f"{rate:.1f} functions/s",
                    )

                yield update

        with progress_bar() as update:
            summary = run_batch(request, update)
        if not quiet:
            counts = summary.counts
            typer.echo(
                f"batch: {counts.done} done, {counts.failed} failed of {counts.total} "
                f"({counts.unchanged} unchanged since an earlier run, "
                f"{summary.packages_analysed} packages analysed) in {summary.seconds:.1f}s; "
                f"results in {db}",
                err=True,
            )
        report = load_fleet(
            db,
            targets=targets,
            group_by=grouping,
            generated_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            with_findings=fmt is FleetFormat.HTML,
        )
        color = fmt is FleetFormat.TABLE and output is None and sys.stdout.isatty()
        _write(render_fleet(fmt, report, color=color, width=_width(output)), output)
        raise typer.Exit(EXIT_NOT_READY if summary.counts.failed else EXIT_OK)


@app.command()
def report(
    database: Annotated[Path, typer.Argument(help="The results database of `batch`.")],
    output_format: Annotated[
        str, typer.Option("--format", help="table, json, csv, markdown or html.")
    ] = "table",
    output: Annotated[
        Path | None, typer.Option(help="Write the report to this file instead of stdout.")
    ] = None,
    target_runtime: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            help="Report this target (repeatable; the first orders the functions) [default: all "
            "scanned].",
        ),
    ] = None,
    group_by: Annotated[
        str | None, typer.Option(help="Group the functions by tag:KEY, account or region.")
    ] = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """The fleet report from a results database, without scanning again: counts by verdict and
    runtime, the rules and shared parts blocking most, and every function by priority."""
    _configure_logging(verbose, quiet)
    with _user_errors(verbose):
        from analyzer.fleet import GroupBy, load_fleet
        from analyzer.report.fleet_formats import FleetFormat, render_fleet

        try:
            fmt = FleetFormat(output_format)
        except ValueError:
            _fail(
                f"--format takes {', '.join(f.value for f in FleetFormat)}, not {output_format!r}"
            )
        targets = tuple(dict.fromkeys(_targets(given, False)[0] for given in target_runtime or ()))
        fleet = load_fleet(
            database,
            targets=targets,
            primary_target=targets[0] if targets else None,
            group_by=GroupBy.parse(group_by) if group_by else None,
            with_findings=fmt is FleetFormat.HTML,
        )
        color = fmt is FleetFormat.TABLE and output is None and sys.stdout.isatty()
        _write(render_fleet(fmt, fleet, color=color, width=_width(output)), output)


def main() -> None:
    """The console script's entry point."""
    app()


if __name__ == "__main__":
    main()
