"""iam:PassRole on any role, without iam:PassedToService, hands the caller every role's power."""

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
            if grant.broad and not grant.constrained:
                where = "NotResource" if grant.resources is None else list(grant.resources)
                report(
                    "IAM-PASSROLE-001",
                    f"{args.name}.{site.label} {grant.statement.label} passes any role ({where}) to any service",
                )


POLICY = resource_rule(
    name="no-unscoped-pass-role",
    description="iam:PassRole is scoped: to named roles, or by iam:PassedToService to the services that may receive them.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Scope iam:PassRole to role ARNs and add StringEquals iam:PassedToService.",
)
