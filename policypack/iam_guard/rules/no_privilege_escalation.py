"""No single document completes a privilege-escalation method (the full catalogue), allows a forbidden action,
or lets its holder assume every role (outside admin tiers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from iam_guard.catalog import UnknownActionError, expand_all
from iam_guard.escalation import completed_with_grants, describe
from iam_guard.evaluation import EffectivePermissions, evaluate
from iam_guard.rule_support import (
    ADMIN_TIERS_SCHEMA,
    PackConfigError,
    belongs_to_admin_tier,
    parsed_documents,
    resource_rule,
    string_list,
)

ASSUME_ROLE = "sts:assumerole"
CONFIG = {
    "admin_tiers": ADMIN_TIERS_SCHEMA,
    "forbidden_actions": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "Extra actions (wildcards allowed) no document may allow.",
    },
}


def _assume_any_role(permissions: EffectivePermissions) -> list[str]:
    """Where sts:AssumeRole is allowed on every role: every role whose trust admits the account."""
    return sorted({g.where for g in permissions.usable_grants(ASSUME_ROLE, broad=True)})


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
    for site, document in parsed_documents(args.resource_type, props, include_aws_managed=True):
        permissions = evaluate([document])
        where = f"{args.name}.{site.label}"
        # An AWS-managed document's escalation is judged with its holder, whose permissions
        # boundary may cap it: no-privilege-escalation-across-policies reports it.
        if not site.aws_managed and (methods := completed_with_grants(permissions)):
            report("IAM-ESC-001", f"{where} completes {describe(methods)}")
        allowed_forbidden = sorted(permissions.unconstrained() & forbidden)
        if allowed_forbidden:
            report("IAM-ESC-003", f"{where} allows {', '.join(allowed_forbidden)}")
        if statements := _assume_any_role(permissions):
            report("IAM-ESC-004", f"{where} allows sts:AssumeRole on every role ({', '.join(statements)})")


POLICY = resource_rule(
    name="no-privilege-escalation",
    description="No policy document lets its holder raise its own privileges.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Remove or scope one action of each listed method.",
    config_properties=CONFIG,
)
