"""Permissions reach users only through groups (CIS 1.15, Security Hub IAM.2, CKV_AWS_40)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from iam_guard import types
from iam_guard.rule_support import resource_rule


def check(
    args: ResourceValidationArgs,
    props: dict[str, Any],
    config: dict[str, Any],
    report: Callable[[str, str], None],
) -> None:
    if args.resource_type in (types.USER_POLICY, types.USER_POLICY_ATTACHMENT):
        report("IAM-USER-001", f"{args.name} puts a policy on user {props.get('user')!r}")
    elif args.resource_type == types.POLICY_ATTACHMENT and props.get("users"):
        users = props.get("users")
        named = "known after the update" if types.is_unknown(users) else repr(users)
        report("IAM-USER-001", f"{args.name} attaches a policy to users ({named})")


POLICY = resource_rule(
    name="no-user-policies",
    description="IAM users get permissions only through groups.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Attach the policy to a group and add the user to the group.",
)
