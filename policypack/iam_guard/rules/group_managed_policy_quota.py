"""IAM refuses an eleventh managed policy on a group; catch it before the update fails half-way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from iam_guard.rule_support import PackConfigError, config_value, stack_rule
from iam_guard.stack_model import StackModel

Report = Callable[[str, str, "str | None"], None]
IAM_DEFAULT_QUOTA = 10


def check(model: StackModel, config: dict[str, Any], report: Report) -> None:
    quota = config_value(config, "quota", IAM_DEFAULT_QUOTA, int)
    if not 1 <= quota <= 20:
        raise PackConfigError(f"'quota' must be between 1 and 20 (the IAM maximum), got {quota}")
    for principal in model.principals.values():
        arns = sorted({arn for arn, _ in principal.managed_policy_arns})
        if principal.kind == "group" and len(arns) > quota:
            report(
                "IAM-QUOTA-001",
                f"{principal.label} has {len(arns)} managed policies; the quota is {quota}",
                principal.urn or principal.managed_policy_arns[0][1],
            )


POLICY = stack_rule(
    name="group-managed-policy-quota",
    description="Groups stay within the managed-policy quota.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediation="Merge policies or split the group.",
    config_properties={
        "quota": {
            "type": "integer",
            "minimum": 1,
            "maximum": 20,
            "default": IAM_DEFAULT_QUOTA,
            "description": "The account's managed policies per group quota (raise only if AWS raised it).",
        }
    },
)
