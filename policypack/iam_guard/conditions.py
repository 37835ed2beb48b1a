"""Which conditions really restrict what a statement grants, and which only look as if they do."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from ipaddress import IPv4Network, IPv6Network, collapse_addresses, ip_network

from iam_guard.documents import Condition
from iam_guard.exemptions import ExemptionError, today

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
# Bounds: operator -> whether the bound is inclusive. A key's value must lie above every lower bound
# and below every upper bound of the key's conditions.
_LOWER_BOUND = {
    "NumericGreaterThan": False,
    "NumericGreaterThanEquals": True,
    "DateGreaterThan": False,
    "DateGreaterThanEquals": True,
}
_UPPER_BOUND = {
    "NumericLessThan": False,
    "NumericLessThanEquals": True,
    "DateLessThan": False,
    "DateLessThanEquals": True,
}
# Keys whose value is the time of the request, or of the credentials it is signed with. Time only moves
# forward, so "today" bounds each from below: a request from now on has aws:CurrentTime (a date) and
# aws:EpochTime (a date or seconds) at or after the start of today (UTC), and aws:TokenIssueTime at most
# 36 hours before it (the longest temporary credentials: GetSessionToken and GetFederationToken,
# 129,600 seconds; role sessions last 12 hours at most).
_REQUEST_TIME_KEYS = {
    "aws:currenttime": timedelta(0),
    "aws:epochtime": timedelta(0),
    "aws:tokenissuetime": timedelta(hours=36),
}
_EPOCH_KEY = "aws:epochtime"  # compared by Date and by Numeric operators, both in seconds
_EPOCH_SECONDS = re.compile(r"^-?\d+(\.\d+)?$")


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _timestamp(value: str) -> float | None:
    """A Date operator's value as seconds since the epoch: ISO 8601 (UTC when no offset is given) or
    epoch seconds, as IAM accepts them; None for anything else."""
    if _EPOCH_SECONDS.match(value):
        return float(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _single_valued(condition: Condition) -> bool:
    return condition.set_qualifier is None and not condition.if_exists


def never_holds(conditions: tuple[Condition, ...]) -> bool:
    """True when no request can satisfy every condition at once, so the statement applies to nothing:
    a key required absent (`Null` "true") and compared too, a `Bool` on a value that is neither true nor
    false, an equality or `IpAddress` with no value, equalities on one key with no value in common,
    `IpAddress` ranges that `NotIpAddress` takes back whole, an empty numeric or date range, or a
    request time that has passed (`DateLessThan aws:CurrentTime` before today). Only conditions without
    `IfExists` and set qualifiers count: those pass on an absent key, or an empty set."""
    if not conditions:
        return False
    by_key: dict[str, list[Condition]] = {}
    for condition in conditions:
        by_key.setdefault(condition.key_lower, []).append(condition)
    for key, same_key in by_key.items():
        single = [c for c in same_key if _single_valued(c)]
        if not single:
            continue
        if any(_never_holds_alone(c) for c in single):
            return True
        if key in _REQUEST_TIME_KEYS and _time_has_passed(key, single):
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
        if _addresses_taken_back(single):
            return True
        if _empty_range(single, _number, "Numeric") or _empty_range(single, _timestamp, "Date"):
            return True
    return False


def _never_holds_alone(condition: Condition) -> bool:
    """A `Bool` on a value that is neither true nor false, or an equality or `IpAddress` with no value."""
    if condition.base_operator == "Bool":
        return not {v.lower() for v in condition.values} & {"true", "false"}
    return (condition.base_operator in _EQUALITY or condition.base_operator == "IpAddress") and not (
        condition.values
    )


def _time_has_passed(key: str, conditions: list[Condition]) -> bool:
    """`DateLessThan[Equals]`/`DateEquals` (or, on aws:EpochTime, their Numeric forms) whose every value
    lies before the earliest time a request from now on can carry: the grant has expired for good. A
    lower bound in the future is left alone: that grant starts later, and holds then."""
    try:
        start_of_today = datetime.combine(today(), time(), tzinfo=UTC)
    except ExemptionError:
        return False  # no sure clock (a malformed IAMTIERS_TODAY): the grant is kept
    earliest = (start_of_today - _REQUEST_TIME_KEYS[key]).timestamp()
    domains = ("Date", "Numeric") if key == _EPOCH_KEY else ("Date",)
    for condition in conditions:
        operator = condition.base_operator
        if not operator.startswith(domains):
            continue
        if operator.endswith("Equals") and not operator.endswith(("ThanEquals", "NotEquals")):
            before = earliest  # DateEquals, NumericEquals: a value before the earliest never comes again
        elif operator in _UPPER_BOUND:
            before = earliest if _UPPER_BOUND[operator] else earliest + 1e-6  # LessThan: up to it, not at it
        else:
            continue
        read = _number if operator.startswith("Numeric") else _timestamp
        stamps = [read(value) for value in condition.values]
        if stamps and all(stamp is not None and stamp < before for stamp in stamps):
            return True
    return False


def _networks(condition: Condition) -> list[IPv4Network | IPv6Network] | None:
    try:
        return [ip_network(value, strict=False) for value in condition.values]
    except ValueError:
        return None


def _addresses_taken_back(conditions: list[Condition]) -> bool:
    """`IpAddress` ranges that `NotIpAddress` on the same key excludes whole: no address is in both."""
    allowed = [c for c in conditions if c.base_operator == "IpAddress"]
    excluded = [n for c in conditions if c.base_operator == "NotIpAddress" for n in (_networks(c) or [])]
    if not allowed or not excluded:
        return False
    for condition in allowed:
        networks = _networks(condition)
        if networks is None:
            return False  # a value that is not an address: not ours to judge
        if not all(_covered(network, excluded) for network in networks):
            return False
    return True


def _covered(network: IPv4Network | IPv6Network, excluded: list[IPv4Network | IPv6Network]) -> bool:
    """Whether the ranges in `excluded` together hold every address of `network`."""
    if isinstance(network, IPv4Network):
        v4 = collapse_addresses(n for n in excluded if isinstance(n, IPv4Network))
        return any(network.subnet_of(n) for n in v4)
    v6 = collapse_addresses(n for n in excluded if isinstance(n, IPv6Network))
    return any(network.subnet_of(n) for n in v6)


def _empty_range(conditions: list[Condition], read: Callable[[str], float | None], domain: str) -> bool:
    """`NumericLessThan 5` with `NumericGreaterThan 10` on one key (or `DateLessThan 2026` with
    `DateGreaterThan 2027`): no value is in both."""
    lowest: tuple[float, bool] | None = None  # (bound, inclusive)
    highest: tuple[float, bool] | None = None
    for condition in conditions:
        if not condition.base_operator.startswith(domain):
            continue
        numbers = [n for v in condition.values if (n := read(v)) is not None]
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
