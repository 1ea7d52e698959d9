"""The fleet report as one self-contained HTML page: nothing is fetched when it is viewed.

The page holds its styles, its script and its chart inline, and a Content-Security-Policy
that forbids every network request. The overview has a chart of verdicts per target, the
tables of blocking rules and upgrades, and the functions in priority order in a table that
sorts by any column and filters by text and verdict. Each function has its own page (an
anchor, ``#function-N``) with its evidence, its blockers and its findings; the findings of
functions with the same content are stored once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from html import escape

from analyzer.fleet import (
    PRIORITY_RULE,
    TOP_BLOCKERS,
    VERDICT_ORDER,
    FindingEntry,
    FleetFunction,
    FleetReport,
)
from analyzer.report.fleet_formats import VERDICT_LABELS, runtime_text, where_text
from analyzer.report.interface import DEFAULT_OPTIONS, RenderOptions

VERDICT_COLOURS = {
    "blocked": "#c62828",
    "not-analysed": "#7b1fa2",
    "needs-work": "#ef6c00",
    "ready": "#2e7d32",
}
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)
_BAR_WIDTH = 560
_BAR_HEIGHT = 26


def render(report: FleetReport, *, options: RenderOptions = DEFAULT_OPTIONS) -> str:
    """``report`` as one HTML document, ending with a newline."""
    anchors = {function.key: f"function-{function.priority}" for function in report.functions}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Fleet readiness: {len(report.functions)} functions</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        '<main id="overview">',
        f"<h1>Fleet readiness: {len(report.functions)} functions</h1>",
        _evidence(report),
        _chart(report),
        _summary_tables(report),
        _function_table(report, anchors),
        _deprecated(report, anchors),
        "</main>",
        *(_function_page(report, function, anchors[function.key]) for function in report.functions),
        _findings_data(report),
        f"<script>{_SCRIPT}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _evidence(report: FleetReport) -> str:
    evidence = report.evidence
    rows = [
        ("Generated", f"{evidence.generated_at} (runtime dates as of {evidence.report_date})"),
        ("Database", evidence.database),
        ("Scanned", f"{evidence.first_scan or '-'} to {evidence.last_scan or '-'}"),
        ("Tool versions", ", ".join(evidence.tool_versions) or "-"),
        ("Catalogue versions", ", ".join(evidence.catalogue_versions) or "-"),
        ("Runs", str(len(evidence.runs))),
        ("Primary target", report.primary_target),
        (
            "Functions",
            ", ".join(f"{count} {status}" for status, count in sorted(report.status.items()))
            or "none",
        ),
        ("On a deprecated runtime", str(len(evidence.deprecated_runtime_functions))),
    ]
    if report.failures:
        rows.append(
            ("Failures", ", ".join(f"{count} {kind}" for kind, count in report.failures.items()))
        )
    cells = "".join(f"<dt>{_text(name)}</dt><dd>{_text(value)}</dd>" for name, value in rows)
    return f'<section id="evidence"><h2>Evidence</h2><dl class="evidence">{cells}</dl></section>'


def _chart(report: FleetReport) -> str:
    """Stacked bars of functions by verdict, one per target, as inline SVG."""
    label_width = 110
    top = 8
    height = top + len(report.targets) * (_BAR_HEIGHT + 12) + 30
    width = label_width + _BAR_WIDTH + 20
    shapes = []
    for row, target in enumerate(report.targets):
        counts = report.summaries[target].verdicts
        total = sum(counts.values()) or 1
        y = top + row * (_BAR_HEIGHT + 12)
        shapes.append(f'<text x="0" y="{y + 18}" class="axis">{_text(target)}</text>')
        x = float(label_width)
        for verdict in VERDICT_ORDER:
            count = counts[verdict]
            if not count:
                continue
            span = _BAR_WIDTH * count / total
            shapes.append(
                f'<g class="segment" data-target="{_text(target)}" data-verdict="{verdict}" '
                f'data-count="{count}">'
                f'<rect x="{x:.1f}" y="{y}" width="{span:.1f}" height="{_BAR_HEIGHT}" '
                f'fill="{VERDICT_COLOURS[verdict]}"><title>{_text(target)}: {count} '
                f"{VERDICT_LABELS[verdict]}</title></rect>"
                + (
                    f'<text x="{x + span / 2:.1f}" y="{y + 18}" class="count">{count}</text>'
                    if span >= 18
                    else ""
                )
                + "</g>"
            )
            x += span
    legend_y = height - 10
    legend = "".join(
        f'<rect x="{label_width + index * 140}" y="{legend_y - 10}" width="12" height="12" '
        f'fill="{VERDICT_COLOURS[verdict]}"></rect>'
        f'<text x="{label_width + index * 140 + 18}" y="{legend_y}" class="axis">'
        f"{VERDICT_LABELS[verdict]}</text>"
        for index, verdict in enumerate(VERDICT_ORDER)
    )
    return (
        '<section id="chart"><h2>Verdicts per target</h2>'
        f'<svg role="img" aria-label="Functions by verdict for each target" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        + "".join(shapes)
        + legend
        + "</svg></section>"
    )


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], *, table_id: str | None = None
) -> str:
    head = "".join(f"<th>{_text(header)}</th>" for header in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    identity = f' id="{table_id}"' if table_id else ""
    return f"<table{identity}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _summary_tables(report: FleetReport) -> str:
    primary = report.primary_target
    summary = report.summaries[primary]
    counts = _table(
        ["target", *(VERDICT_LABELS[verdict] for verdict in VERDICT_ORDER)],
        (
            [
                _text(target),
                *(
                    f'<span class="count" data-target="{_text(target)}" data-verdict="{verdict}">'
                    f"{report.summaries[target].verdicts[verdict]}</span>"
                    for verdict in VERDICT_ORDER
                ),
            ]
            for target in report.targets
        ),
        table_id="verdict-counts",
    )
    by_runtime = _table(
        ["runtime", *(VERDICT_LABELS[verdict] for verdict in VERDICT_ORDER)],
        (
            [_text(runtime), *(str(by_verdict[v]) for v in VERDICT_ORDER)]
            for runtime, by_verdict in summary.by_runtime.items()
        ),
    )
    rules = (
        _table(
            ["rule", "functions blocked", "example"],
            (
                [f"<code>{_text(rule.rule_id)}</code>", str(rule.functions), _text(rule.example)]
                for rule in summary.blocking_rules
            ),
            table_id="blocking-rules",
        )
        if summary.blocking_rules
        else "<p>No rule blocks a function.</p>"
    )
    upgrades = (
        _table(
            ["kind", "name", "versions", "unblocks", "affects", "rules"],
            (
                [
                    _text(upgrade.kind),
                    f"<code>{_text(upgrade.name)}</code>",
                    _text(", ".join(upgrade.versions) or "-"),
                    str(upgrade.unblocks),
                    str(upgrade.affects),
                    _text(", ".join(upgrade.rules)),
                ]
                for upgrade in summary.upgrades
            ),
            table_id="upgrades",
        )
        if summary.upgrades
        else "<p>No shared layer or dependency blocks a function.</p>"
    )
    groups = ""
    if report.group_by is not None:
        groups = f"<h2>Groups by {_text(report.group_by)}</h2>" + _table(
            ["group", "functions", *(VERDICT_LABELS[verdict] for verdict in VERDICT_ORDER)],
            (
                [
                    _text(group.name),
                    str(len(group.function_keys)),
                    *(str(group.verdicts[v]) for v in VERDICT_ORDER),
                ]
                for group in report.groups
            ),
            table_id="groups",
        )
    return (
        '<section id="summary">'
        "<h2>Functions by verdict</h2>"
        + counts
        + f"<h2>By current runtime, on {_text(primary)}</h2>"
        + by_runtime
        + f"<h2>Rules blocking the most functions on {_text(primary)}</h2>"
        + rules
        + f"<h2>Shared layers and dependencies whose upgrade unblocks most, on {_text(primary)}"
        "</h2>" + upgrades + groups + "</section>"
    )


def _function_table(report: FleetReport, anchors: Mapping[str, str]) -> str:
    primary = report.primary_target
    columns = [
        ("#", "number"),
        ("function", "text"),
        *([("group", "text")] if report.group_by else []),
        ("where", "text"),
        ("runtime", "text"),
        ("deprecation", "text"),
        ("invocations", "number"),
        *((target, "number") for target in report.targets),
        (f"top blockers on {primary}", "text"),
    ]
    head = "".join(
        f'<th data-type="{kind}" aria-sort="none"><button type="button">{_text(name)}</button></th>'
        for name, kind in columns
    )
    verdict_options = "".join(
        f'<option value="{verdict}">{VERDICT_LABELS[verdict]}</option>' for verdict in VERDICT_ORDER
    )
    rows = "".join(_function_row(report, function, anchors) for function in report.functions)
    return (
        '<section id="functions-section">'
        f'<h2>Functions by priority</h2><p class="rule">Order: {_text(PRIORITY_RULE)}.</p>'
        '<div class="controls">'
        '<label>Filter <input id="filter" type="search" '
        'placeholder="name, runtime, rule, tag"></label> '
        f'<label>Verdict on {_text(primary)} <select id="verdict-filter">'
        f'<option value="">any</option>{verdict_options}</select></label> '
        f'<span id="shown">{len(report.functions)} of {len(report.functions)} functions</span>'
        "</div>"
        f'<div class="scroll"><table id="functions"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
        "</section>"
    )


def _function_row(report: FleetReport, function: FleetFunction, anchors: Mapping[str, str]) -> str:
    primary = report.primary_target
    blockers = _blocker_lines(function, primary)
    search = " ".join(
        [
            function.name,
            function.arn or "",
            function.runtime or "",
            where_text(function),
            *(f"{key}={value}" for key, value in function.tags.items()),
            *(function.verdict(target) for target in report.targets),
            *blockers,
        ]
    ).lower()
    cells = [
        (str(function.priority), str(function.priority)),
        (
            function.name,
            f'<a href="#{anchors[function.key]}">{_text(function.name)}</a>',
        ),
    ]
    if report.group_by:
        group = report.group_by.value_of(function)
        cells.append((group, _text(group)))
    cells += [
        (where_text(function), _text(where_text(function))),
        (function.runtime or "", _text(runtime_text(function))),
        (function.deprecation or "9999", _text(function.deprecation or "-")),
        (
            str(function.invocations if function.invocations is not None else -1),
            _text(function.invocations if function.invocations is not None else "-"),
        ),
    ]
    for target in report.targets:
        score = function.score(target)
        verdict = function.verdict(target)
        cells.append(
            (
                str(score if score is not None else -1),
                f'<span class="verdict {verdict}" data-target="{_text(target)}">'
                f"{_text(VERDICT_LABELS[verdict])}"
                + (f" {score}" if score is not None else "")
                + "</span>",
            )
        )
    cells.append(("; ".join(blockers), "<br>".join(_text(line) for line in blockers) or "-"))
    tds = "".join(f'<td data-sort="{_text(key)}">{html}</td>' for key, html in cells)
    return (
        f'<tr data-key="{_text(function.key)}" data-verdict="{function.verdict(primary)}" '
        f'data-search="{_text(search)}">{tds}</tr>'
    )


def _blocker_lines(function: FleetFunction, target: str) -> list[str]:
    result = function.results.get(target)
    if result is None:
        return [function.error] if function.error else []
    return [f"{blocker.label} at {blocker.where}" for blocker in result.blockers[:TOP_BLOCKERS]]


def _deprecated(report: FleetReport, anchors: Mapping[str, str]) -> str:
    keys = report.evidence.deprecated_runtime_functions
    if not keys:
        return (
            '<section id="deprecated"><h2>Functions on a deprecated runtime</h2>'
            "<p>None.</p></section>"
        )
    rows = (
        [
            f'<a href="#{anchors[function.key]}">{_text(function.name)}</a>',
            _text(function.runtime or "-"),
            _text(function.lifecycle or "-"),
            _text(function.deprecation or "-"),
            _text(function.block_create or "-"),
            _text(function.block_update or "-"),
        ]
        for function in (report.function(key) for key in keys)
    )
    return (
        f'<section id="deprecated"><h2>Functions on a deprecated runtime ({len(keys)})</h2>'
        + _table(
            ["function", "runtime", "stage", "deprecation", "block create", "block update"], rows
        )
        + "</section>"
    )


def _function_page(report: FleetReport, function: FleetFunction, anchor: str) -> str:
    facts = [
        ("Priority", str(function.priority)),
        ("ARN", function.arn or "-"),
        ("Where", where_text(function)),
        ("Runtime", runtime_text(function)),
        (
            "Runtime dates",
            f"deprecation {function.deprecation or '-'}, block create "
            f"{function.block_create or '-'}, block update {function.block_update or '-'}",
        ),
        ("Package", f"{function.package_type or '-'}, {function.architecture or '-'}"),
        ("Invocations", str(function.invocations) if function.invocations is not None else "-"),
        ("Published versions", str(function.versions) if function.versions is not None else "-"),
        ("Aliases", ", ".join(function.aliases) or "-"),
        ("Layers", ", ".join(function.layers) or "-"),
        ("State machines", ", ".join(function.state_machines) or "-"),
        (
            "Tags",
            ", ".join(f"{key}={value}" for key, value in sorted(function.tags.items())) or "-",
        ),
        (
            "Status",
            function.status + (f" ({function.failure_kind})" if function.failure_kind else ""),
        ),
        ("Code hash", function.code_sha256 or "-"),
        ("Content hash", function.content_hash or "-"),
        ("Scanned", function.scanned_at or "-"),
        ("Tool, catalogue", f"{function.tool_version or '-'}, {function.catalogue_version or '-'}"),
    ]
    if function.error:
        facts.append(("Error", function.error))
    fact_list = "".join(f"<dt>{_text(name)}</dt><dd>{_text(value)}</dd>" for name, value in facts)
    results = []
    for target in report.targets:
        result = function.results.get(target)
        if result is None:
            results.append(f"<h3>{_text(target)}: {VERDICT_LABELS[function.verdict(target)]}</h3>")
            continue
        blockers = (
            _table(
                ["severity", "rule", "where", "message"],
                (
                    [
                        _text(blocker.severity),
                        f"<code>{_text(blocker.label)}</code>",
                        _text(blocker.where),
                        _text(blocker.message),
                    ]
                    for blocker in result.blockers
                ),
            )
            if result.blockers
            else "<p>Nothing blocks it.</p>"
        )
        counts = ", ".join(
            f"{count} {severity}" for severity, count in result.counts.items() if count
        )
        results.append(
            f'<h3>{_text(target)}: <span class="verdict {result.verdict}">'
            f"{_text(VERDICT_LABELS[result.verdict])} {result.score}</span></h3>"
            f"<p>Findings: {_text(counts or 'none')}</p>"
            f"<h4>What blocks it</h4>{blockers}"
            f'<h4>All findings</h4><div class="findings" data-analysis="'
            f'{_text(function.analysis_key or "")}" data-target="{_text(target)}">'
            "<p>The findings are shown by the page's script.</p></div>"
        )
    return (
        f'<section class="function-page" id="{anchor}" data-key="{_text(function.key)}">'
        '<p><a href="#">&larr; back to the fleet</a></p>'
        f'<h1>{_text(function.name)}</h1><dl class="evidence">{fact_list}</dl>'
        + "".join(results)
        + "</section>"
    )


def _findings_data(report: FleetReport) -> str:
    """The findings of every analysis, once, as JSON the script renders on a function page."""
    data = {
        key: {
            target: [_finding(entry) for entry in entries] for target, entries in by_target.items()
        }
        for key, by_target in report.findings.items()
    }
    # Inside a script element only "</" can end it early; escaped, the JSON reads the same.
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/json" id="findings-data">{text}</script>'


def _finding(entry: FindingEntry) -> list[object]:
    return [
        entry.severity,
        entry.rule_id,
        entry.path + (f":{entry.line}" if entry.line else ""),
        entry.message,
        entry.fix,
        entry.component,
    ]


_STYLE = """
:root { color-scheme: light; --line: #d0d7de; --muted: #57606a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
  color: #1f2328; background: #fff; }
main, .function-page { max-width: 1280px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 24px; margin: 8px 0 12px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line);
  padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
h4 { font-size: 14px; margin: 12px 0 4px; color: var(--muted); }
dl.evidence { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.evidence dt { color: var(--muted); }
dl.evidence dd { margin: 0; word-break: break-all; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left;
  vertical-align: top; }
th { background: #f6f8fa; position: sticky; top: 0; }
th button { all: unset; cursor: pointer; font-weight: 600; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
.scroll { overflow-x: auto; }
.controls { display: flex; gap: 16px; align-items: center; margin: 8px 0; flex-wrap: wrap; }
.controls input { width: 260px; padding: 4px 6px; }
#shown { color: var(--muted); }
.rule { color: var(--muted); margin: 0 0 6px; }
.verdict { font-weight: 600; white-space: nowrap; }
.verdict.blocked { color: #c62828; }
.verdict.not-analysed { color: #7b1fa2; }
.verdict.needs-work { color: #b35900; }
.verdict.ready { color: #2e7d32; }
svg .axis { font-size: 13px; fill: #1f2328; }
svg .count { font-size: 12px; fill: #fff; text-anchor: middle; font-weight: 600; }
.function-page { display: none; }
.function-page:target { display: block; }
body:has(.function-page:target) #overview { display: none; }
.severity-blocker, .severity-high { color: #c62828; font-weight: 600; }
.severity-medium { color: #b35900; }
"""

_SCRIPT = """
(function () {
  "use strict";
  var table = document.getElementById("functions");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var filter = document.getElementById("filter");
  var verdict = document.getElementById("verdict-filter");
  var shown = document.getElementById("shown");

  function apply() {
    var query = filter.value.trim().toLowerCase();
    var wanted = verdict.value;
    var count = 0;
    rows.forEach(function (row) {
      var visible = (!query || row.dataset.search.indexOf(query) !== -1) &&
        (!wanted || row.dataset.verdict === wanted);
      row.hidden = !visible;
      if (visible) { count += 1; }
    });
    shown.textContent = count + " of " + rows.length + " functions";
  }
  filter.addEventListener("input", apply);
  verdict.addEventListener("change", apply);

  table.tHead.addEventListener("click", function (event) {
    var header = event.target.closest("th");
    if (!header) { return; }
    var column = header.cellIndex;
    var numeric = header.dataset.type === "number";
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.setAttribute("aria-sort", "none");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.sort(function (left, right) {
      var a = left.cells[column].dataset.sort;
      var b = right.cells[column].dataset.sort;
      var order = numeric ? Number(a) - Number(b) : a.localeCompare(b);
      if (order === 0) {
        order = Number(left.cells[0].dataset.sort) - Number(right.cells[0].dataset.sort);
        return order;
      }
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });

  var findings = JSON.parse(document.getElementById("findings-data").textContent);
  function cell(text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) { td.className = className; }
    return td;
  }
  function showFindings(page) {
    page.querySelectorAll(".findings").forEach(function (holder) {
      if (holder.dataset.rendered) { return; }
      holder.dataset.rendered = "yes";
      var entries = (findings[holder.dataset.analysis] || {})[holder.dataset.target] || [];
      holder.textContent = "";
      if (!entries.length) {
        holder.appendChild(document.createElement("p")).textContent = "No findings.";
        return;
      }
      var list = document.createElement("table");
      list.className = "finding-list";
      var head = list.createTHead().insertRow();
      ["severity", "rule", "where", "message", "fix", "component"].forEach(function (name) {
        head.appendChild(document.createElement("th")).textContent = name;
      });
      var rowsBody = list.createTBody();
      entries.forEach(function (entry) {
        var row = rowsBody.insertRow();
        row.appendChild(cell(entry[0], "severity-" + entry[0]));
        for (var index = 1; index < entry.length; index += 1) {
          row.appendChild(cell(entry[index]));
        }
      });
      holder.appendChild(list);
    });
  }
  function route() {
    var id = decodeURIComponent(location.hash.slice(1));
    var page = id ? document.getElementById(id) : null;
    if (page && page.classList.contains("function-page")) {
      showFindings(page);
      window.scrollTo(0, 0);
    }
  }
  window.addEventListener("hashchange", route);
  route();
})();
"""
