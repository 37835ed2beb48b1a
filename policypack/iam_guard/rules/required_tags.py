"""Advisory: users, roles and customer policies carry the owner tags the organization requires."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from iam_guard import types
from iam_guard.rule_support import resource_rule, string_list

TAGGABLE = (types.USER, types.ROLE, types.POLICY)
DEFAULT_KEYS = ["managed-by"]


def check(
    args: ResourceValidationArgs,
    props: dict[str, Any],
    config: dict[str, Any],
    report: Callable[[str, str], None],
) -> None:
    if args.resource_type not in TAGGABLE:
        return
    required = string_list(config, "required_keys") if "required_keys" in config else DEFAULT_KEYS
    tags = props.get("tags") or {}
    if types.is_unknown(tags):
        return
    missing = [key for key in required if key not in tags]
    if missing:
        report("IAM-TAG-001", f"{args.name} has no {', '.join(missing)} tag")


POLICY = resource_rule(
    name="required-tags",
    description="IAM users, roles and policies carry owner tags.",
    check=check,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    remediation="Add the missing tag keys.",
    config_properties={
        "required_keys": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "default": DEFAULT_KEYS,
            "description": "Tag keys every taggable IAM resource needs.",
        }
    },
)
