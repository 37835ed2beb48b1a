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
        # The request must come through the named service (CloudFormation, Athena, ...) on the caller's
        # behalf: the grant is narrowed to what that service does with it.
        "aws:calledvia",
        "aws:calledviafirst",
        "aws:calledvialast",
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
    """`Bool aws:MultiFactorAuthPresent = true` (the value compares case-insensitively), or
    `NumericLessThan[Equals] aws:MultiFactorAuthAge` with positive numbers: the age key is absent
    when no MFA was used, and a Numeric operator without `IfExists` is false on an absent key."""

    def positive_numbers(values: tuple[str, ...]) -> bool:
        try:
            return bool(values) and all(0 < float(value) < float("inf") for value in values)
        except ValueError:
            return False

    return any(
        not c.if_exists
        and c.set_qualifier is None
        and (
            (
                c.key_lower == "aws:multifactorauthpresent"
                and c.base_operator == "Bool"
                and [v.lower() for v in c.values] == ["true"]
            )
            or (
                c.key_lower == "aws:multifactorauthage"
                and c.base_operator in ("NumericLessThan", "NumericLessThanEquals")
                and positive_numbers(c.values)
            )
        )
        for c in conditions
    )


def restrictive_conditions(conditions: tuple[Condition, ...]) -> tuple[Condition, ...]:
    if not conditions:
        return conditions
    return tuple(condition for condition in conditions if is_restrictive(condition))


# Operators that hold only when the key is present and its value equals one of the listed values.
_EQUALITY = frozenset({"StringEquals", "ArnEquals", "Bool", "NumericEquals"})
_POSITIVE = re.compile(r"^(String(Equals|Like)|Arn(Equals|Like)|Numeric|Date|Bool$|IpAddress$|BinaryEquals$)")
_LOWER_BOUND = {"NumericGreaterThan": False, "NumericGreaterThanEquals": True}
_UPPER_BOUND = {"NumericLessThan": False, "NumericLessThanEquals": True}


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _single_valued(condition: Condition) -> bool:
    return condition.set_qualifier is None and not condition.if_exists


def never_holds(conditions: tuple[Condition, ...]) -> bool:
    """True when no request can satisfy every condition at once, so the statement applies to nothing:
    a key required absent (`Null` "true") and compared too, a `Bool` on a value that is neither true nor
    false, equalities on one key with no value in common, or an empty numeric range."""
    if not conditions:
        return False
    by_key: dict[str, list[Condition]] = {}
    for condition in conditions:
        by_key.setdefault(condition.key_lower, []).append(condition)
    for same_key in by_key.values():
        single = [c for c in same_key if _single_valued(c)]
        if any(_never_holds_alone(c) for c in single):
            return True
        if len(single) < 2:
            continue  # the rest takes two conditions on one key
        required_absent = any(
            c.base_operator == "Null" and [v.lower() for v in c.values] == ["true"] for c in single
        )
        if required_absent and any(_POSITIVE.match(c.base_operator) for c in single):
            return True
        equal_sets = [
            {v.lower() if c.base_operator == "Bool" else v for v in c.values}
            for c in single
            if c.base_operator in _EQUALITY
        ]
        if equal_sets:
            common = set.intersection(*equal_sets)
            excluded = {v for c in single if c.base_operator == "StringNotEquals" for v in c.values}
            if not common - excluded:
                return True
        if _empty_range(single):
            return True
    return False


def _never_holds_alone(condition: Condition) -> bool:
    """A `Bool` on a value that is neither true nor false, or an equality with no value."""
    if condition.base_operator == "Bool":
        return not {v.lower() for v in condition.values} & {"true", "false"}
    return condition.base_operator in _EQUALITY and not condition.values


def _empty_range(conditions: list[Condition]) -> bool:
    """`NumericLessThan 5` with `NumericGreaterThan 10` on one key: no number is in both."""
    lowest: tuple[float, bool] | None = None  # (bound, inclusive)
    highest: tuple[float, bool] | None = None
    for condition in conditions:
        numbers = [n for v in condition.values if (n := _number(v)) is not None]
        if len(numbers) != len(condition.values) or not numbers:
            continue
        if condition.base_operator in _LOWER_BOUND:
            bound = (min(numbers), _LOWER_BOUND[condition.base_operator])
            lowest = bound if lowest is None or bound[0] > lowest[0] else lowest
        elif condition.base_operator in _UPPER_BOUND:
            bound = (max(numbers), _UPPER_BOUND[condition.base_operator])
            highest = bound if highest is None or bound[0] < highest[0] else highest
    if lowest is None or highest is None:
        return False
    if lowest[0] < highest[0]:
        return False
    return not (lowest[0] == highest[0] and lowest[1] and highest[1])
