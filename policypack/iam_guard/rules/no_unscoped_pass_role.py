"""iam:PassRole names the roles and the services that may receive them (Access Analyzer's PassRole
warnings): on every role, or to any service, it hands the caller the power of roles it does not hold."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from iam_guard.evaluation import evaluate
from iam_guard.rule_support import parsed_documents, resource_rule


def check(
    args: ResourceValidationArgs,
    props: dict[str, Any],
    config: dict[str, Any],
    report: Callable[[str, str], None],
) -> None:
    for site, document in parsed_documents(args.resource_type, props):
        grants = evaluate([document]).grants.get("iam:passrole", [])
        for grant in grants:
            gaps: list[str] = []
            if grant.broad:
                where = "NotResource" if grant.resources is None else ", ".join(grant.resources)
                gaps.append(f"any role ({where})")
            if not any(c.key_lower == "iam:passedtoservice" for c in grant.restrictions):
                gaps.append("to any service (no iam:PassedToService)")
            if gaps:
                report(
                    "IAM-PASSROLE-001",
                    f"{args.name}.{site.label} {grant.statement.label} passes {' and '.join(gaps)}",
                )


POLICY = resource_rule(
    name="no-unscoped-pass-role",
    description="iam:PassRole names the roles, and the services that may receive them (iam:PassedToService).",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Scope iam:PassRole to role ARNs and add StringEquals iam:PassedToService.",
)
