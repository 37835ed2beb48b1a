"""Run a recorded stack through the policy pack the way `pulumi preview`/`pulumi up` would, and report.

The engine's order, for one run: ConfigureStack; for each registration in order, Remediate then
Analyze (on the possibly remediated inputs); once the program is done, AnalyzeStack over every
resource's final state. A mandatory diagnostic from either pass fails the operation, in preview
as in update.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from offline.judging.analyzer_client import Diagnostic, PolicyPackProcess
from offline.running.engine import STACK_TYPE, Registration, StackRun

MANDATORY = "mandatory"
ADVISORY = "advisory"
HEADING = "Policy check ({mode})"  # the CLI prints one per mode: "Policy check (preview)", "(update)"


@dataclass(frozen=True)
class AppliedRemediation:
    """A `remediate`-level policy rewrote a resource's inputs before it was analyzed."""

    policy_name: str
    urn: str
    resource_name: str


@dataclass(frozen=True)
class GateResult:
    """Everything the pack reported for one run."""

    mode: str  # "preview" or "update"
    project: str
    stack: str
    pack_name: str
    pack_version: str
    analyzed: int  # registrations sent to Analyze
    diagnostics: tuple[Diagnostic, ...]
    remediations: tuple[AppliedRemediation, ...] = ()

    @property
    def mandatory(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.enforcement_level == MANDATORY]

    @property
    def advisory(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.enforcement_level == ADVISORY]

    @property
    def blocking(self) -> bool:
        """True when the CLI would fail this preview or update."""
        return bool(self.mandatory)


def root_stack_urn(run: StackRun) -> str:
    """Where the engine files a stack-level diagnostic that names no resource of the run."""
    stack = next((r.urn for r in run.registrations if r.type == STACK_TYPE), "")
    return stack or f"urn:pulumi:{run.stack}::{run.project}::{STACK_TYPE}::{run.project}-{run.stack}"


def _final_state(
    run: StackRun, registration: Registration, remediated_inputs: Mapping[str, Any] | None
) -> dict[str, Any]:
    """A resource's outputs as AnalyzeStack sees them at the end of the run."""
    if not registration.custom:
        # Components (and the stack) only have what they passed to RegisterResourceOutputs.
        return dict(run.registered_outputs.get(registration.urn, {}))
    if remediated_inputs is None:
        return dict(registration.outputs)  # preview: the inputs echoed; update: plus computed values
    # The provider would have created the remediated inputs.
    return {**registration.outputs, **remediated_inputs}


def _as_engine_reports(diagnostic: Diagnostic) -> Diagnostic:
    # The engine downgrades "remediate" on a reported violation to "mandatory".
    if diagnostic.enforcement_level == "remediate":
        return replace(diagnostic, enforcement_level=MANDATORY)
    return diagnostic


def analyze_run(
    pack: PolicyPackProcess, run: StackRun, *, stack_config: Mapping[str, str] | None = None
) -> GateResult:
    """Analyze every registration of `run`, then AnalyzeStack once; collect what the pack reports.

    Every registration is analyzed, components and the stack included, because the engine does so;
    stack-level diagnostics are attached to the resource they name, or to the root stack.
    """
    info = pack.info()
    pack.configure_stack(project=run.project, stack=run.stack, dry_run=run.preview, config=stack_config)
    diagnostics: list[Diagnostic] = []
    remediations: list[AppliedRemediation] = []
    final_state: dict[str, dict[str, Any]] = {}
    for registration in run.registrations:
        inputs: Mapping[str, Any] = registration.inputs
        remediated = False
        for remediation in pack.remediate(registration):
            if remediation.diagnostic:
                diagnostics.append(
                    Diagnostic(
                        policy_name=remediation.policy_name,
                        message=remediation.diagnostic,
                        urn=registration.urn,
                        enforcement_level=ADVISORY,
                        severity="unspecified",
                        resource_name=registration.name,
                        resource_type=registration.type,
                        description=remediation.description,
                    )
                )
            elif remediation.properties is not None:
                inputs, remediated = remediation.properties, True
                remediations.append(
                    AppliedRemediation(remediation.policy_name, registration.urn, registration.name)
                )
        diagnostics.extend(_as_engine_reports(d) for d in pack.analyze(registration, inputs))
        final_state[registration.urn] = _final_state(run, registration, inputs if remediated else None)

    by_urn = {registration.urn: registration for registration in run.registrations}
    root = root_stack_urn(run)
    for diagnostic in pack.analyze_stack(run.registrations, final_state):
        if diagnostic.urn not in by_urn:
            diagnostic = replace(
                diagnostic, urn=root, resource_type=STACK_TYPE, resource_name=root.rsplit("::", 1)[-1]
            )
        diagnostics.append(_as_engine_reports(diagnostic))

    return GateResult(
        mode="preview" if run.preview else "update",
        project=run.project,
        stack=run.stack,
        pack_name=info.name,
        pack_version=pack.version,
        analyzed=len(run.registrations),
        diagnostics=tuple(diagnostics),
        remediations=tuple(remediations),
    )


def _finding_lines(diagnostic: Diagnostic) -> list[str]:
    first, *rest = diagnostic.finding.strip().splitlines() or [""]
    return [
        f"    [{diagnostic.enforcement_level}] {diagnostic.policy_name}: {first}",
        *(f"      {line}" for line in rest),
    ]


def render_violations(result: GateResult) -> str:
    """The diagnostics grouped by resource (type and name), mandatory first, then a count line.

    Resources with a mandatory finding come first, then by type and name; within a resource,
    mandatory findings first, then by policy name.

    Each finding is `[level] policy-name: message`, the message being the rule's own text (it
    names the fix); the policy's description is left out, it is in the pack's docs.
    """
    groups: dict[str, list[Diagnostic]] = {}
    for diagnostic in result.diagnostics:
        groups.setdefault(diagnostic.urn, []).append(diagnostic)

    def is_mandatory(diagnostic: Diagnostic) -> bool:
        return diagnostic.enforcement_level == MANDATORY

    # Sorted, not in registration order: the SDK registers concurrently, and CI diffs the output.
    ordered = sorted(
        groups.values(),
        key=lambda group: (
            not any(is_mandatory(d) for d in group),
            group[0].resource_type,
            group[0].resource_name,
            group[0].urn,
        ),
    )
    lines: list[str] = []
    for group in ordered:
        lines.append(f"  {group[0].resource_type}  {group[0].resource_name}")
        for diagnostic in sorted(group, key=lambda d: (not is_mandatory(d), d.policy_name)):
            lines.extend(_finding_lines(diagnostic))
    for remediation in result.remediations:
        lines.append(f"  remediated by {remediation.policy_name}: {remediation.resource_name}")
    lines.append(f"  {len(result.mandatory)} mandatory, {len(result.advisory)} advisory violation(s)")
    return "\n".join(lines)
