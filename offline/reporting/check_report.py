"""The offline check's outcome as one value, rendered as the table people read or the JSON tools read.

`CheckReport` holds both modes' gate results, the pack's policies as configured, where each
resource comes from in the stack file, and the exemptions in force. The JSON shape is versioned
(`REPORT_VERSION`) and documented in docs/report-formats.md, with its schema in
docs/report.schema.json; SARIF and Markdown live in `offline.reporting.sarif` and
`offline.reporting.markdown`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from pulumi.runtime.proto import analyzer_pb2

from components.pack_modules import load_pack_module
from offline.judging.access_tests import AccessTestResult
from offline.judging.analyzer_client import ResolvedPolicyConfig
from offline.judging.gate import HEADING, MANDATORY, GateResult, render_violations
from offline.judging.requests import context_document
from offline.reporting.origins import ConfigOrigin, ResourceOrigins

REPORT_VERSION = 1  # of the JSON shape: bumped when a key is removed or renamed or changes its type
FORMATS = ("table", "json", "sarif", "markdown")
COMMANDS = {"preview": "`pulumi preview`", "update": "`pulumi up`"}
_SEVERITIES = {
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}
# `[IAM-ESC-001] Title: detail. Fix: remediation` (the pack's findings.finding_message), and the note
# the pack appends when the resource's exemption has expired (exemptions.Exemption.expired_note).
_FINDING = re.compile(r"\[(?P<id>[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\] (?P<body>.*)", re.DOTALL)
_FIX = ". Fix: "
_EXPIRED_NOTE = re.compile(r" \(its exemption for '.*expired on \d{4}-\d{2}-\d{2}: .*\)$", re.DOTALL)


class ReportError(Exception):
    """What the report needs and cannot have (an exemption module that fails, a bad IAMTIERS_TODAY)."""


@dataclass(frozen=True)
class PolicySummary:
    """One policy of the pack, as configured for this check."""

    name: str
    description: str
    enforcement_level: str  # mandatory | advisory | remediate | disabled
    severity: str  # low | medium | high | critical | unspecified
    remediation: str
    url: str  # the policy's docs page, relative to the repository root


@dataclass(frozen=True)
class ExemptionInForce:
    policy: str
    resource: str
    reason: str
    owner: str | None
    expires: date


@dataclass(frozen=True)
class Violation:
    """One diagnostic, split into the parts reports show."""

    mode: str
    policy: str
    level: str  # mandatory | advisory
    severity: str
    urn: str
    resource_type: str
    resource_name: str
    finding_id: str | None  # None for a message that carries no finding ID
    message: str  # "Title: detail", plus the pack's note when an exemption expired
    fix: str
    text: str  # the finding as the pack worded it
    origin: ConfigOrigin | None


@dataclass(frozen=True)
class CheckReport:
    project: str
    stack: str
    stack_file: Path
    source_root: Path  # the repository root (nearest directory with .git), else the project directory
    pack_name: str
    pack_version: str
    pack_config: str | None  # as the table shows it; None when the policy defaults apply
    policies: tuple[PolicySummary, ...]
    results: tuple[GateResult, ...]  # preview, then update
    origins: ResourceOrigins
    exemptions: tuple[ExemptionInForce, ...]
    today: date  # the day exemptions are judged on
    plan: str  # the rendered plan, for the table
    access_tests: tuple[AccessTestResult, ...] = ()  # judged on the update-mode run
    access_test_origins: tuple[ConfigOrigin, ...] = ()  # the stack-file line of each test, in order
    today_override: str | None = None  # IAMTIERS_TODAY when the check replays a past day

    @property
    def blocked_commands(self) -> list[str]:
        return [COMMANDS[result.mode] for result in self.results if result.blocking]

    @property
    def failed_access_tests(self) -> list[AccessTestResult]:
        return [result for result in self.access_tests if not result.passed]

    @property
    def exit_code(self) -> int:
        return 1 if self.blocked_commands or self.failed_access_tests else 0

    def access_test_origin(self, result: AccessTestResult) -> ConfigOrigin:
        """The test's line in the stack file (the `config:` line when it cannot be traced)."""
        if result.index < len(self.access_test_origins):
            return self.access_test_origins[result.index]
        return self.origins.placed(None)

    def relative(self, path: Path) -> str:
        """A file as reports name it: POSIX, relative to the source root when it lies under it."""
        resolved = path.resolve()
        if resolved.is_relative_to(self.source_root):
            return resolved.relative_to(self.source_root).as_posix()
        return resolved.as_posix()

    def policy(self, name: str) -> PolicySummary | None:
        return next((policy for policy in self.policies if policy.name == name), None)

    def violations(self, result: GateResult) -> list[Violation]:
        """The result's diagnostics, mandatory first, then by resource type, name and policy."""
        found: list[Violation] = []
        for diagnostic in result.diagnostics:
            policy = self.policy(diagnostic.policy_name)
            finding_id, message, fix = split_finding(diagnostic.finding, policy.remediation if policy else "")
            found.append(
                Violation(
                    mode=result.mode,
                    policy=diagnostic.policy_name,
                    level=diagnostic.enforcement_level,
                    severity=diagnostic.severity,
                    urn=diagnostic.urn,
                    resource_type=diagnostic.resource_type,
                    resource_name=diagnostic.resource_name,
                    finding_id=finding_id,
                    message=message,
                    fix=fix,
                    text=diagnostic.finding.strip(),
                    origin=self.origins.of(diagnostic.urn, diagnostic.finding),
                )
            )
        return sorted(
            found,
            key=lambda v: (v.level != MANDATORY, v.resource_type, v.resource_name, v.urn, v.policy, v.text),
        )

    def verdict(self) -> str:
        """One line: what the exit code means for the real CLI."""
        failed = len(self.failed_access_tests)
        tests = f"{failed} access test(s) of the stack file failed" if failed else ""
        if self.blocked_commands:
            stop = f"mandatory policy violations would stop {' and '.join(self.blocked_commands)}"
            return f"Exit 1: {stop}{'; ' + tests if tests else ''}."
        if tests:
            return f"Exit 1: {tests}."
        return "Exit 0: no mandatory policy violations; `pulumi preview` and `pulumi up` would pass."


def split_finding(text: str, default_fix: str) -> tuple[str | None, str, str]:
    """(finding ID, message, fix) of a finding; a text without an ID keeps `default_fix`."""
    text = text.strip()
    match = _FINDING.fullmatch(text)
    if match is None:
        return None, text, default_fix
    head, separator, tail = match["body"].rpartition(_FIX)
    if not separator:
        return match["id"], match["body"], default_fix
    note = _EXPIRED_NOTE.search(tail)
    fix, expired = (tail[: note.start()], note.group()) if note else (tail, "")
    return match["id"], f"{head}.{expired}", fix


def policy_summaries(
    info: analyzer_pb2.AnalyzerInfo, resolved: Mapping[str, ResolvedPolicyConfig]
) -> tuple[PolicySummary, ...]:
    """Every policy of the pack with the enforcement level it was configured with, sorted by name."""
    return tuple(
        sorted(
            (
                PolicySummary(
                    name=policy.name,
                    description=policy.description,
                    enforcement_level=resolved[policy.name].enforcement_level,
                    severity=_SEVERITIES.get(policy.severity, "unspecified"),
                    remediation=policy.remediation_steps,
                    url=policy.url,
                )
                for policy in info.policies
            ),
            key=lambda policy: policy.name,
        )
    )


def source_root(project_dir: Path) -> Path:
    """The repository that holds the project (nearest directory with .git), else the project itself."""
    resolved = project_dir.resolve()
    return next((d for d in (resolved, *resolved.parents) if (d / ".git").exists()), resolved)


# --- exemptions ---------------------------------------------------------------------------------------


def _pack_exemptions_module(pack_dir: Path) -> ModuleType | None:
    """The pack's own `iam_guard/exemptions.py` (standard library only), loaded by path so that the
    report and the pack read exemptions alike; None for a pack without one."""
    path = pack_dir / "iam_guard" / "exemptions.py"
    if not path.is_file():
        return None
    try:
        return load_pack_module(path)
    except ImportError as error:
        raise ReportError(str(error)) from None


def exemptions_in_force(
    pack_dir: Path, pack_config: Mapping[str, Any]
) -> tuple[date, tuple[ExemptionInForce, ...]]:
    """Today (as the pack judges it) and every exemption of the pack config in force on that day."""
    module = _pack_exemptions_module(pack_dir)
    if module is None:
        return datetime.now(UTC).date(), ()
    try:
        today: date = module.today()
        by_policy = module.exemptions_by_policy(pack_config, today)  # strict dates, bounded as the pack
    except module.ExemptionError as error:
        raise ReportError(str(error)) from None
    in_force = [
        ExemptionInForce(policy, e.resource, e.reason, e.owner, e.expires)
        for policy, exemptions in by_policy.items()
        for e in exemptions
        if e.in_force(today)
    ]
    return today, tuple(sorted(in_force, key=lambda e: (e.policy, e.resource, e.expires)))


def today_override(pack_dir: Path) -> str | None:
    """The replayed day (`IAMTIERS_TODAY`, checked as the pack checks it), or None for the UTC date."""
    module = _pack_exemptions_module(pack_dir)
    if module is None or not os.environ.get(module.TODAY_VARIABLE):
        return None
    try:
        return str(module.today().isoformat())
    except module.ExemptionError as error:
        raise ReportError(f"{error}: unset it, or set the day to replay") from None


def override_line(report: CheckReport) -> str:
    """The header line of a replayed check: every format shows it."""
    return (
        f"Clock: IAMTIERS_TODAY={report.today_override} replays that day; exemptions and date conditions "
        "were judged on it, not on the UTC date (only the offline check honours it)"
    )


# --- table ---------------------------------------------------------------------------------------------


def mode_heading(report: CheckReport, result: GateResult) -> str:
    config = report.pack_config or "none (policy defaults)"
    pack = f"pack {result.pack_name} {result.pack_version}"
    analyzed = f"{result.analyzed} registrations analyzed"
    return f"{HEADING.format(mode=result.mode)}: {pack}, {analyzed}, config: {config}"


def exemption_line(exemption: ExemptionInForce) -> str:
    owner = f"owner {exemption.owner}, " if exemption.owner else ""
    return (
        f"  [{exemption.policy}] {exemption.resource}: {exemption.reason} "
        f"({owner}expires {exemption.expires.isoformat()})"
    )


def render_table(report: CheckReport) -> str:
    """The plan, then each mode's findings; the exemptions in force, when there are any."""
    lines = [override_line(report)] if report.today_override else []
    lines.append(report.plan)
    for result in report.results:
        lines += [mode_heading(report, result), render_violations(result)]
    if report.access_tests:
        lines += access_test_lines(report)
    if report.exemptions:
        lines.append(f"Exemptions in force on {report.today.isoformat()}: {len(report.exemptions)}")
        lines += [exemption_line(exemption) for exemption in report.exemptions]
    return "\n".join(lines) + "\n"


def access_tests_heading(report: CheckReport) -> str:
    failed = len(report.failed_access_tests)
    passed = len(report.access_tests) - failed
    return f"Access tests (update): {passed} passed, {failed} failed"


def access_test_lines(report: CheckReport) -> list[str]:
    """The heading, then one line per test; a failed test with what decided it and its `why`."""
    lines = [access_tests_heading(report)]
    for result in report.access_tests:
        origin = report.access_test_origin(result)
        where = f"{report.relative(origin.path)}:{origin.line}"
        if result.passed:
            lines.append(f"  ok      {result.request}: {result.test.expect} ({where})")
            continue
        lines.append(f"  FAILED  {result.request} ({where})")
        lines.append(f"          {result.outcome}")
        lines.append(f"          why: {result.test.why}")
    return lines


# --- JSON ----------------------------------------------------------------------------------------------


def _location(report: CheckReport, origin: ConfigOrigin | None) -> dict[str, Any] | None:
    if origin is None:
        return None
    return {"file": report.relative(origin.path), "line": origin.line, "key": origin.key}


def _violation(report: CheckReport, violation: Violation) -> dict[str, Any]:
    return {
        "policy": violation.policy,
        "level": violation.level,
        "severity": violation.severity,
        "urn": violation.urn,
        "resource": {"type": violation.resource_type, "name": violation.resource_name},
        "finding": violation.finding_id,
        "message": violation.message,
        "fix": violation.fix,
        "location": _location(report, violation.origin),
    }


def exemption_document(exemption: ExemptionInForce) -> dict[str, Any]:
    return {
        "policy": exemption.policy,
        "resource": exemption.resource,
        "reason": exemption.reason,
        "owner": exemption.owner,
        "expires": exemption.expires.isoformat(),
    }


def _mode(report: CheckReport, result: GateResult) -> dict[str, Any]:
    return {
        "analyzed": result.analyzed,
        "blocking": result.blocking,
        "counts": {"mandatory": len(result.mandatory), "advisory": len(result.advisory)},
        "violations": [_violation(report, violation) for violation in report.violations(result)],
        "remediations": [
            {"policy": remediation.policy_name, "urn": remediation.urn}
            for remediation in sorted(result.remediations, key=lambda r: (r.urn, r.policy_name))
        ],
    }


def report_document(report: CheckReport) -> dict[str, Any]:
    """The JSON report as a value (docs/report-formats.md, docs/report.schema.json)."""
    return {
        "version": REPORT_VERSION,
        "project": report.project,
        "stack": report.stack,
        "stack_file": report.relative(report.stack_file),
        "pack": {"name": report.pack_name, "version": report.pack_version, "config": report.pack_config},
        "exit_code": report.exit_code,
        "today": report.today.isoformat(),
        "today_override": report.today_override,
        "modes": {result.mode: _mode(report, result) for result in report.results},
        "exemptions": [exemption_document(exemption) for exemption in report.exemptions],
        "access_tests": [_access_test(report, result) for result in report.access_tests],
    }


def _access_test(report: CheckReport, result: AccessTestResult) -> dict[str, Any]:
    test = result.test
    return {
        "principal": test.principal,
        "action": test.action,
        "resource": test.resource,
        "mfa": test.mfa,
        "context": context_document(test.context),
        "expect": test.expect,
        "decision": result.evaluation.decision.value,
        "passed": result.passed,
        "deciding": [statement.label for statement in result.evaluation.deciding],
        "why": test.why,
        "location": _location(report, report.access_test_origin(result)),
    }


def render_json(report: CheckReport) -> str:
    return json.dumps(report_document(report), indent=2, ensure_ascii=False) + "\n"
