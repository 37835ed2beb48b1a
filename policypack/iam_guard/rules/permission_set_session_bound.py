"""Mandatory: an Identity Center permission set's sessionDuration is a valid ISO-8601 duration that AWS
accepts (PT1H to PT12H) and within the pack's bound: `max_session_seconds` for every set, and
`max_admin_session_seconds` (default one hour) for the sets named in `admin_tiers`.

A set without sessionDuration gets AWS's default, PT1H: within every bound, and session-duration-bound
advises setting it explicitly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from iam_guard import iso_duration, types
from iam_guard.rule_support import (
    ADMIN_TIERS_SCHEMA,
    PackConfigError,
    config_value,
    resource_rule,
    string_list,
)

DEFAULT_MAX_SECONDS = 14400
DEFAULT_MAX_ADMIN_SECONDS = 3600


def _bound(config: dict[str, Any], key: str, default: int) -> int:
    bound = config_value(config, key, default, int)
    if not iso_duration.AWS_MIN_SECONDS <= bound <= iso_duration.AWS_MAX_SECONDS:
        raise PackConfigError(f"'{key}' must be between 3600 and 43200, got {bound}")
    return int(bound)


def check(
    args: ResourceValidationArgs,
    props: dict[str, Any],
    config: dict[str, Any],
    report: Callable[[str, str], None],
) -> None:
    if args.resource_type != types.PERMISSION_SET:
        return
    bound = _bound(config, "max_session_seconds", DEFAULT_MAX_SECONDS)
    admin_bound = _bound(config, "max_admin_session_seconds", DEFAULT_MAX_ADMIN_SECONDS)
    name = props.get("name")
    duration = props.get("sessionDuration")
    if duration is None:
        return  # AWS applies PT1H; session-duration-bound advises setting it
    if types.is_unknown(duration) or (name is not None and types.is_unknown(name)):
        # Fail closed: a duration or set name the pack cannot read could break the bound.
        report("IAM-IC-002", f"{args.name}: sessionDuration or name is known only after the update")
        return
    if not isinstance(duration, str):
        report("IAM-IC-001", f"{args.name}.sessionDuration is {duration!r}, not an ISO-8601 duration string")
        return
    try:
        seconds = iso_duration.session_seconds(duration)
    except iso_duration.DurationError as error:
        report("IAM-IC-001", f"{args.name}.sessionDuration: {error}")
        return
    if not iso_duration.AWS_MIN_SECONDS <= seconds <= iso_duration.AWS_MAX_SECONDS:
        report(
            "IAM-IC-001",
            f"{args.name}.sessionDuration {duration} is outside what AWS accepts (PT1H to PT12H)",
        )
        return
    admin = isinstance(name, str) and name in string_list(config, "admin_tiers")
    limit = admin_bound if admin else bound
    if seconds > limit:
        which = "admin permission set" if admin else "permission set"
        report(
            "IAM-IC-002",
            f"{which} {name or args.name} allows {duration} sessions; the bound is {iso_duration.shown(limit)}",
        )


POLICY = resource_rule(
    name="permission-set-session-bound",
    description="Identity Center permission sets have a valid session duration within the bound (admin sets: 1 h).",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediation="Set sessionDuration to an ISO-8601 duration within the bound, e.g. PT1H.",
    config_properties={
        "admin_tiers": ADMIN_TIERS_SCHEMA,
        "max_session_seconds": {
            "type": "integer",
            "minimum": 3600,
            "maximum": 43200,
            "default": DEFAULT_MAX_SECONDS,
            "description": "Longest session of any permission set, in seconds.",
        },
        "max_admin_session_seconds": {
            "type": "integer",
            "minimum": 3600,
            "maximum": 43200,
            "default": DEFAULT_MAX_ADMIN_SECONDS,
            "description": "Longest session of a permission set named in admin_tiers, in seconds.",
        },
    },
)
