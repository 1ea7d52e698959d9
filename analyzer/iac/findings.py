"""Findings on templates: deprecated runtimes, layers that do not fit, bumps the code cannot take.

Severities, decided here rather than by ``score.judge`` because they depend on the date and
the template, not on the target runtime:

- a runtime that is deprecated is **medium** (it works, unpatched); past its
  create-block date **high** (a new stack or a new function fails to deploy); past its
  update-block date **blocker** (every deployment of the function fails);
- a layer whose compatible runtimes are all deprecated, a ``BuildMethod`` on a deprecated
  runtime, and a layer that does not declare (or is built for another runtime than) the
  function's runtime are **medium**: configuration to change with the move;
- ``iac-runtime-not-ready`` takes the severity of the worst code finding it points to.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from analyzer.iac.model import LayerDefinition, Setting, TemplateFunction
from analyzer.models import (
    Category,
    Component,
    ComponentKind,
    Finding,
    Location,
    Reach,
    Severity,
)
from analyzer.runtimes import RUNTIMES, RUNTIMES_SOURCE, get_runtime, lifecycle_stage

DEPRECATED_RUNTIME = "iac-deprecated-runtime"
LAYER_INCOMPATIBLE = "iac-layer-incompatible"
RUNTIME_NOT_READY = "iac-runtime-not-ready"
LAYERS_DOCUMENTATION = "https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html"
SAM_BUILD_DOCUMENTATION = (
    "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/"
    "building-layers.html"
)

_STAGE_SEVERITY = {
    "deprecated": Severity.MEDIUM,
    "creation blocked": Severity.HIGH,
    "updates blocked": Severity.BLOCKER,
}
_BREAKING = (Severity.BLOCKER, Severity.HIGH)


def template_component(template: str) -> Component:
    """The component of findings on ``template``."""
    return Component(ComponentKind.TEMPLATE, template)


def runtime_status(name: str, today: dt.date) -> tuple[str, Severity] | None:
    """How runtime ``name`` stands on ``today`` when that is a problem; ``None`` when fine.

    A Python runtime the catalogue does not know (``python3.7``, ``python2.7``) is older
    than every runtime it knows, all of them past their dates, so it counts as blocked.
    """
    runtime = RUNTIMES.get(name)
    if runtime is None:
        return ("no longer supported", Severity.BLOCKER) if name.startswith("python") else None
    stage = lifecycle_stage(runtime, today)
    severity = _STAGE_SEVERITY.get(stage)
    return (stage, severity) if severity is not None else None


def _lifecycle(runtime_name: str, stage: str) -> str:
    """What the dates of ``runtime_name`` mean now, in one clause."""
    runtime = RUNTIMES.get(runtime_name)
    if runtime is None:
        return f"{runtime_name} is no longer a Lambda runtime"
    if stage == "updates blocked":
        return (
            f"functions on {runtime_name} can no longer be updated (since {runtime.block_update})"
        )
    if stage == "creation blocked":
        return (
            f"functions on {runtime_name} can no longer be created (since "
            f"{runtime.block_create}), and updates are blocked from {runtime.block_update}"
        )
    return (
        f"{runtime_name} is deprecated (since {runtime.deprecation}); creating functions on it "
        f"is blocked from {runtime.block_create}, updating them from {runtime.block_update}"
    )


def _finding(
    rule_id: str,
    message: str,
    location: Location,
    fix: str,
    template: str,
    symbol: str,
    severity: Severity,
    documentation: str = RUNTIMES_SOURCE,
) -> Finding:
    return Finding(
        rule_id=rule_id,
        category=Category.CONFIGURATION,
        message=message,
        location=location,
        fix=fix,
        component=template_component(template),
        symbol=symbol,
        reach=Reach.PACKAGE,
        documentation=documentation,
        severity=severity,
    )


def deprecated_runtime_finding(
    setting: Setting[str], template: str, users: Sequence[str], target: str, today: dt.date
) -> Finding | None:
    """``iac-deprecated-runtime`` for a runtime setting used by the functions ``users``."""
    status = runtime_status(setting.value, today)
    if status is None:
        return None
    stage, severity = status
    used_by = ", ".join(users)
    return _finding(
        DEPRECATED_RUNTIME,
        f"{setting.key} sets {setting.value}: {_lifecycle(setting.value, stage)}; "
        f"used by {used_by}",
        setting.location,
        f"move {setting.key} to {target} (or a later runtime) once the code is ready for it",
        template,
        setting.key,
        severity,
    )


def layer_findings(
    layer: LayerDefinition, function: TemplateFunction, target: str, today: dt.date
) -> list[Finding]:
    """What is wrong with ``layer`` for ``function``: stale declarations, another runtime."""
    findings: list[Finding] = []
    listed = [setting.value for setting in layer.compatible_runtimes]
    if layer.compatible_runtimes and all(runtime_status(name, today) for name in listed):
        first = layer.compatible_runtimes[0]
        findings.append(
            _finding(
                DEPRECATED_RUNTIME,
                f"layer {layer.name} lists only deprecated runtimes as compatible "
                f"({', '.join(listed)})",
                first.location,
                f"rebuild the layer for {target} and add it to {first.key}, so deployment "
                "tools and the console offer the layer for it",
                layer.template,
                first.key,
                Severity.MEDIUM,
                LAYERS_DOCUMENTATION,
            )
        )
    build_method = layer.build_method
    if build_method is not None and build_method.value.startswith("python"):
        status = runtime_status(build_method.value, today)
        if status is not None:
            findings.append(
                _finding(
                    DEPRECATED_RUNTIME,
                    f"{build_method.key} {build_method.value} makes sam build install the "
                    f"layer's packages for a {status[0]} runtime",
                    build_method.location,
                    f"set {build_method.key} to {target} when the functions using the layer "
                    "move to it",
                    layer.template,
                    build_method.key,
                    Severity.MEDIUM,
                    SAM_BUILD_DOCUMENTATION,
                )
            )

    runtime = function.runtime
    if runtime is None or not runtime.value.startswith("python"):
        return findings
    where = f"{runtime.location.path}:{runtime.location.line}"
    if layer.compatible_runtimes and runtime.value not in listed:
        first = layer.compatible_runtimes[0]
        findings.append(
            _finding(
                LAYER_INCOMPATIBLE,
                f"layer {layer.name} does not list {runtime.value} among its compatible "
                f"runtimes ({', '.join(listed)}); functions using it run on {runtime.value} "
                f"({where})",
                first.location,
                f"rebuild layer {layer.name} for {runtime.value} and add it to {first.key}",
                layer.template,
                first.key,
                Severity.MEDIUM,
                LAYERS_DOCUMENTATION,
            )
        )
    if (
        build_method is not None
        and build_method.value.startswith("python")
        and build_method.value != runtime.value
    ):
        findings.append(
            _finding(
                LAYER_INCOMPATIBLE,
                f"{build_method.key} {build_method.value} builds layer {layer.name} for "
                f"another Python than {function.name} runs on ({runtime.value}, {where}); "
                "compiled packages in it will not import",
                build_method.location,
                f"set {build_method.key} to {runtime.value}",
                layer.template,
                build_method.key,
                Severity.MEDIUM,
                SAM_BUILD_DOCUMENTATION,
            )
        )
    return findings


def function_build_method_finding(
    function: TemplateFunction, target: str, today: dt.date
) -> Finding | None:
    """``iac-deprecated-runtime`` for a function's own ``Metadata.BuildMethod``."""
    build_method = function.build_method
    if build_method is None or not build_method.value.startswith("python"):
        return None
    status = runtime_status(build_method.value, today)
    if status is None:
        return None
    return _finding(
        DEPRECATED_RUNTIME,
        f"{build_method.key} {build_method.value} makes sam build install packages for a "
        f"{status[0]} runtime",
        build_method.location,
        f"set {build_method.key} to the function's runtime ({target} after the move)",
        function.template,
        build_method.key,
        Severity.MEDIUM,
        SAM_BUILD_DOCUMENTATION,
    )


def runtime_not_ready_finding(
    function: TemplateFunction, code_findings: Sequence[Finding]
) -> Finding | None:
    """``iac-runtime-not-ready`` at the runtime a template sets, when the code breaks on it.

    ``code_findings`` are the judged findings of the function's code for that runtime,
    with paths relative to the repository.
    """
    runtime = function.runtime
    breaking = [finding for finding in code_findings if finding.severity in _BREAKING]
    if runtime is None or not breaking:
        return None
    worst = min(breaking, key=lambda finding: finding.sort_key)
    assert worst.severity is not None
    what = f"`{worst.symbol}`" if worst.symbol else worst.rule_id
    verb = "blocked" if worst.severity is Severity.BLOCKER else "broken"
    # ``Location`` prints ``path:line:column``, or the path alone for a whole-file finding.
    where = dataclasses.replace(worst.location, column=None)
    message = f"{runtime.value} here is {verb} by {what} in {where}"
    if len(breaking) > 1:
        message += f" and {len(breaking) - 1} more"
    try:
        python = get_runtime(runtime.value).version_text
    except ValueError:
        python = runtime.value
    return _finding(
        RUNTIME_NOT_READY,
        message,
        runtime.location,
        f"fix what breaks on Python {python} (listed for {function.name}) before deploying "
        f"{runtime.value}, or keep the previous runtime until then",
        function.template,
        runtime.key,
        worst.severity,
    )


NOT_ANALYSED = "not-analysed"
"""The rule of a function whose code, or runtime, ``ci`` could not have (as ``scan`` names it)."""


def not_analysed_finding(function: TemplateFunction, reason: str, severity: Severity) -> Finding:
    """The finding of a function ``ci`` could not judge: ``reason`` says what is missing.

    It sits where the template defines the function. Its severity is the caller's: high
    for a function whose code or runtime should be in the repository, info for a container
    image, whose code never is.
    """
    if function.package_type == "Image":
        fix = "rebuild the image on the target's base image and test it; ci cannot see inside it"
    else:
        fix = (
            "keep the code (or the built zip) in the repository where the template points, and "
            "the runtime written in the template (or a parameter or variable default), or run "
            "ci with --target; else scan the deployed function with lambda-analyzer scan, and "
            "accept this finding in a --baseline"
        )
    return _finding(
        NOT_ANALYSED,
        f"{function.name} could not be analysed: {reason}",
        function.location,
        fix,
        function.template,
        function.name,
        severity,
        documentation="",
    )
