"""Which conditions really restrict what a statement grants, and which only look as if they do."""

from __future__ import annotations

import re

from iam_guard.documents import Condition

# Keys that bind the target of the request (which resource, which policy, which service).
_TARGET_KEYS = frozenset(
    {
        "iam:passedtoservice",
        "iam:associatedresourcearn",
        "iam:permissionsboundary",
        "iam:policyarn",
        "iam:awsservicename",
    }
)
_RESOURCE_TAG = re.compile(r"^([a-z0-9-]+):resourcetag/.+$")
# Operators that pass whenever the value differs, or test only presence: no narrowing.
_NEGATED_OR_PRESENCE = re.compile(r"^(StringNot|ArnNot|NumericNotEquals|Null$)")


def is_restrictive(condition: Condition) -> bool:
    """True when the condition narrows the grant's targets to something specific.

    Conditions on time, network, MFA, region or request tags leave a principal's power intact,
    `...IfExists` passes when the key is absent, `ForAllValues` passes on an empty set, and
    negated operators or `*` values match almost everything; none of those narrow.
    """
    if condition.if_exists or condition.set_qualifier == "ForAllValues":
        return False
    if _NEGATED_OR_PRESENCE.match(condition.base_operator):
        return False
    if not condition.values or any(value.strip("*?") == "" for value in condition.values):
        return False
    key = condition.key_lower
    return key in _TARGET_KEYS or bool(_RESOURCE_TAG.match(key))


def requires_present_mfa(conditions: tuple[Condition, ...]) -> bool:
    """`Bool aws:MultiFactorAuthPresent = true` (the value compares case-insensitively)."""
    return any(
        c.key_lower == "aws:multifactorauthpresent"
        and c.base_operator == "Bool"
        and not c.if_exists
        and c.set_qualifier is None
        and [v.lower() for v in c.values] == ["true"]
        for c in conditions
    )


def restrictive_conditions(conditions: tuple[Condition, ...]) -> tuple[Condition, ...]:
    return tuple(condition for condition in conditions if is_restrictive(condition))
