"""A generated console password is used once: the login profile forces a reset."""

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
    if args.resource_type != types.USER_LOGIN_PROFILE:
        return
    reset = props.get("passwordResetRequired")
    if types.is_unknown(reset):
        return  # judged when the update runs
    if reset is not True:
        report("IAM-CONSOLE-003", f"{args.name}: passwordResetRequired is {reset!r}")


POLICY = resource_rule(
    name="login-profile-forces-reset",
    description="Console login profiles force a password reset at first sign-in.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediation="Set passwordResetRequired: true.",
)
