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
    for site, document in parsed_documents(args.resource_type, props, include_aws_managed=True):
        permissions = evaluate([document])
        if site.aws_managed and permissions.is_full_admin():
            continue  # AdministratorAccess: no-full-admin-access decides who may hold it
        grants = permissions.grants.get("iam:passrole", [])
        for grant in grants:
            gaps: list[str] = []
            # AWS's documents pass named roles, or roles to the service they serve (`iam:PassedToService`,
            # `iam:AssociatedResourceArn`); whether that service runs code with it is an escalation
            # question. Only a pass of any role to any service counts against them.
            if site.aws_managed and (grant.constrained or not grant.broad_for("iam:passrole")):
                continue
            if grant.broad_for("iam:passrole"):
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
