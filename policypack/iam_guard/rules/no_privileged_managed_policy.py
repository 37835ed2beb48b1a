"""AdministratorAccess, IAMFullAccess, PowerUserAccess and AWSCloudShellFullAccess only on admin tiers
(CKV_AWS_274, CKV2_AWS_56, CIS 1.22)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from iam_guard.data.managed_policies import PRIVILEGED_MANAGED_POLICIES
from iam_guard.rule_support import ADMIN_TIERS_SCHEMA, stack_rule, string_list
from iam_guard.stack_model import StackModel, is_aws_managed, managed_policy_name

Report = Callable[[str, str, "str | None"], None]


def check(model: StackModel, config: dict[str, Any], report: Report) -> None:
    admin_tiers = set(string_list(config, "admin_tiers"))
    for principal in model.principals.values():
        if model.is_admin_tier(principal, admin_tiers):
            continue
        for arn, attaching_urn in principal.managed_policy_arns:
            name = managed_policy_name(arn)
            if is_aws_managed(arn) and name in PRIVILEGED_MANAGED_POLICIES:
                report(
                    "IAM-MANAGED-001",
                    f"{name} attached to {principal.label}: {PRIVILEGED_MANAGED_POLICIES[name]}",
                    attaching_urn,
                )


POLICY = stack_rule(
    name="no-privileged-managed-policy",
    description="Privileged AWS-managed policies are attached only to admin tiers.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Detach the policy; grant scoped permissions, or switch into an MFA-gated admin tier.",
    config_properties={"admin_tiers": ADMIN_TIERS_SCHEMA},
)
