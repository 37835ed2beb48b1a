"""No document lets its holder take over compute that already runs with a role, on every such resource:
change a function's code or layers, a stack, a Glue dev endpoint, an instance's user data or launch
template; open a shell through SSM, ECS Exec or EC2 Instance Connect; open or reconfigure a SageMaker
notebook (the escalation table's P3 "hijack" methods). The holder then acts with that resource's role,
whatever the role may do. Scoping the actions to named resources, or to those the holder owns through an
`aws:ResourceTag` condition, passes; admin tiers are exempt."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from iam_guard.escalation import completed_with_grants, describe
from iam_guard.evaluation import evaluate
from iam_guard.rule_support import (
    ADMIN_TIERS_SCHEMA,
    belongs_to_admin_tier,
    parsed_documents,
    resource_rule,
)


def check(
    args: ResourceValidationArgs,
    props: dict[str, Any],
    config: dict[str, Any],
    report: Callable[[str, str], None],
) -> None:
    if belongs_to_admin_tier(args.resource_type, props, config):
        return
    # AWS-managed documents too: AmazonEC2FullAccess takes over every instance wherever it is attached.
    for site, document in parsed_documents(args.resource_type, props, include_aws_managed=True):
        permissions = evaluate([document])
        # A method completes only with an unconditioned grant (after Deny) of each of its actions on every
        # resource the action can target; a resource-tag condition narrows, MFA or time does not.
        if takeovers := completed_with_grants(permissions, hijack=True):
            report("IAM-ESC-005", f"{args.name}.{site.label} can take over {describe(takeovers)}")


POLICY = resource_rule(
    name="no-compute-takeover",
    description="No policy document lets its holder take over existing compute, and the role it runs with.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Scope the listed actions to named resources or to resources the holder owns (aws:ResourceTag).",
    config_properties={"admin_tiers": ADMIN_TIERS_SCHEMA},
)
