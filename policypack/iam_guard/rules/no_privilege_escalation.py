"""No single document completes a privilege-escalation method (the full catalogue), nor allows a forbidden action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from iam_guard.catalog import UnknownActionError, expand_all
from iam_guard.escalation import completed_methods, describe
from iam_guard.evaluation import evaluate
from iam_guard.rule_support import (
    ADMIN_TIERS_SCHEMA,
    PackConfigError,
    belongs_to_admin_tier,
    parsed_documents,
    resource_rule,
    string_list,
)

CONFIG = {
    "admin_tiers": ADMIN_TIERS_SCHEMA,
    "forbidden_actions": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "Extra actions (wildcards allowed) no document may allow.",
    },
}


def check(
    args: ResourceValidationArgs,
    props: dict[str, Any],
    config: dict[str, Any],
    report: Callable[[str, str], None],
) -> None:
    try:
        forbidden = expand_all(tuple(string_list(config, "forbidden_actions")))
    except UnknownActionError as error:
        raise PackConfigError(f"'forbidden_actions': {error}") from None
    if belongs_to_admin_tier(args.resource_type, props, config):
        return
    for site, document in parsed_documents(args.resource_type, props):
        permissions = evaluate([document])
        methods = completed_methods(permissions)
        if methods:
            report("IAM-ESC-001", f"{args.name}.{site.label} completes {describe(methods)}")
        allowed_forbidden = sorted(permissions.unconstrained() & forbidden)
        if allowed_forbidden:
            report("IAM-ESC-003", f"{args.name}.{site.label} allows {', '.join(allowed_forbidden)}")


POLICY = resource_rule(
    name="no-privilege-escalation",
    description="No policy document lets its holder raise its own privileges.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Remove or scope one action of each listed method.",
    config_properties=CONFIG,
)
