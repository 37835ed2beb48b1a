"""Advisory: role sessions no longer than the organization's bound; permission sets state theirs.

A permission set without sessionDuration gets AWS's default, PT1H; stating it keeps the bound visible
(defsec AVD-AWS-0346). Its value is judged by permission-set-session-bound (mandatory).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from iam_guard import types
from iam_guard.rule_support import PackConfigError, config_value, resource_rule

DEFAULT_MAX_SECONDS = 14400
AWS_DEFAULT_SESSION = 3600


def check(
    args: ResourceValidationArgs,
    props: dict[str, Any],
    config: dict[str, Any],
    report: Callable[[str, str], None],
) -> None:
    if args.resource_type == types.PERMISSION_SET:
        if props.get("sessionDuration") is None:
            report(
                "IAM-SESSION-002", f"{args.name} sets no sessionDuration, so AWS applies its default, PT1H"
            )
        return
    if args.resource_type != types.ROLE:
        return
    bound = config_value(config, "max_session_seconds", DEFAULT_MAX_SECONDS, int)
    if not 3600 <= bound <= 43200:
        raise PackConfigError(f"'max_session_seconds' must be between 3600 and 43200, got {bound}")
    duration = props.get("maxSessionDuration", AWS_DEFAULT_SESSION)
    if isinstance(duration, int) and duration > bound:
        report("IAM-SESSION-001", f"{args.name} allows {duration}-second sessions; the bound is {bound}")


POLICY = resource_rule(
    name="session-duration-bound",
    description="Role sessions are no longer than the configured bound; permission sets state their session duration.",
    check=check,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    remediation="Lower maxSessionDuration; set sessionDuration on every permission set.",
    config_properties={
        "max_session_seconds": {
            "type": "integer",
            "minimum": 3600,
            "maximum": 43200,
            "default": DEFAULT_MAX_SECONDS,
            "description": "Longest role session allowed, in seconds.",
        }
    },
)
