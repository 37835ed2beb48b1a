"""Condition operators evaluated against a request context, as "IAM JSON policy elements: Condition
operators" and "Conditions with multiple context keys or values" (IAM User Guide) document them.

- A key absent from the context: positive operators are false, negated ones (StringNotEquals,
  StringNotEqualsIgnoreCase, StringNotLike, NumericNotEquals, DateNotEquals, NotIpAddress,
  ArnNotEquals, ArnNotLike) are true, `...IfExists` is true, `Null` "true" holds.
- Several values for one key are OR; for a negated operator NOR (the request value matches none).
- `ForAllValues:` holds when every request value matches (and for an absent key or an empty set, or
  an empty string: "a null data set"); `ForAnyValue:` when one does (never for an absent key or an
  empty set). A negated operator under a qualifier tests each request value with NOR.
- A multivalued request value (a tuple) under an operator without a set qualifier matches nothing:
  AWS requires a set operator for multivalued keys ("Single-valued vs. multivalued context keys")
  and leaves the bare case undocumented; false is what AWS confirmed at re:Inforce 2025 (IAM431), as
  recorded by the iam-simulate maintainers. Fails closed for Allow, and a Deny relying on it is flagged
  by the pack's rules anyway.
- Policy variables are filled in for the String, ARN and Bool operators only; a policy value whose
  variable has no value matches nothing. A negated operator comparing a present key with such a value
  does not hold (statement_index.CompiledStatement.applies), as AWS may find the statement invalid.
- A policy value an operator cannot read (`NumericEquals "ten"`) matches nothing; a request value it
  cannot read raises `RequestError`: the request context is malformed, not the policy.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import operator
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache

from iam_guard.arn_matching import Context, ContextValue, Mode, looks_like_arn, pattern_set
from iam_guard.documents import Condition


class RequestError(ValueError):
    """The request (or a document given with it) cannot be evaluated; the message says why and the fix."""


Test = Callable[[str, Context], bool]  # does one request value match any policy value?
_COMPARISONS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "Equals": operator.eq,
    "NotEquals": operator.eq,  # negated below
    "LessThan": operator.lt,
    "LessThanEquals": operator.le,
    "GreaterThan": operator.gt,
    "GreaterThanEquals": operator.ge,
}
_NEGATED = frozenset(
    {
        "stringnotequals",
        "stringnotequalsignorecase",
        "stringnotlike",
        "numericnotequals",
        "datenotequals",
        "notipaddress",
        "arnnotequals",
        "arnnotlike",
    }
)
_QUALIFIERS = {"forallvalues": "ForAllValues", "foranyvalue": "ForAnyValue"}
_DECIMAL = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_EPOCH = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


@lru_cache(maxsize=8192)
def parse_number(text: str) -> Decimal | None:
    """An integer or decimal, as the Numeric operators compare (no exponent, infinity or NaN)."""
    return Decimal(text) if _DECIMAL.match(text.strip()) else None


@lru_cache(maxsize=8192)
def parse_date(text: str) -> Decimal | None:
    """Seconds since the epoch of a W3C ISO 8601 date or an epoch time (a bare number is epoch seconds,
    as `aws:EpochTime` gives it). A date without a zone is UTC."""
    text = text.strip()
    if _EPOCH.match(text):
        return Decimal(text)
    if match := _YEAR_MONTH.match(text):
        moment = datetime(int(match.group(1)), int(match.group(2) or 1), 1, tzinfo=UTC)
    else:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return Decimal(str(moment.timestamp()))


@lru_cache(maxsize=4096)
def _binary(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


@lru_cache(maxsize=4096)
def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)  # no prefix length: /32 or /128
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _malformed(key: str, value: str, operator_name: str, expected: str) -> RequestError:
    return RequestError(
        f"request context '{key}': {value!r} is not {expected}, which {operator_name} compares "
        f"(give the key's value as {expected}, or leave the key out)"
    )


def _string_test(values: tuple[str, ...], mode: Mode, fold: bool) -> Test:
    return pattern_set(values, mode, fold).matches


def _arn_test(values: tuple[str, ...], key: str, operator_name: str) -> Test:
    patterns = pattern_set(values, Mode.ARN)

    def test(value: str, context: Context) -> bool:
        if not looks_like_arn(value):
            raise _malformed(
                key, value, operator_name, "an ARN (arn:partition:service:region:account:resource)"
            )
        return patterns.matches(value, context)

    return test


def _bool_test(values: tuple[str, ...], key: str, operator_name: str) -> Test:
    templates = pattern_set(values, Mode.EXACT, fold=True)

    def test(value: str, context: Context) -> bool:
        if value.lower() not in ("true", "false"):
            raise _malformed(key, value, operator_name, "'true' or 'false'")
        return templates.matches(value, context)

    return test


def _ordered_test(
    values: tuple[str, ...],
    parse: Callable[[str], Decimal | None],
    compare: Callable[[Decimal, Decimal], bool],
    key: str,
    operator_name: str,
    expected: str,
) -> Test:
    policy = tuple(number for number in map(parse, values) if number is not None)

    def test(value: str, context: Context) -> bool:
        number = parse(value)
        if number is None:
            raise _malformed(key, value, operator_name, expected)
        return any(compare(number, bound) for bound in policy)

    return test


def _binary_test(values: tuple[str, ...], key: str, operator_name: str) -> Test:
    policy = frozenset(data for data in map(_binary, values) if data is not None)

    def test(value: str, context: Context) -> bool:
        data = _binary(value)
        if data is None:
            raise _malformed(key, value, operator_name, "base64-encoded binary")
        return data in policy

    return test


def _ip_test(values: tuple[str, ...], key: str, operator_name: str) -> Test:
    networks = tuple(network for network in map(_network, values) if network is not None)

    def test(value: str, context: Context) -> bool:
        address = _address(value)
        if address is None:
            raise _malformed(key, value, operator_name, "an IPv4 or IPv6 address")
        return any(address in network for network in networks)

    return test


def _test(base: str, values: tuple[str, ...], key: str, name: str) -> Test | None:
    """The positive test of operator `base` (lower-case, negation stripped), or None if unknown."""
    if base in ("stringequals", "stringnotequals"):
        return _string_test(values, Mode.EXACT, False)
    if base in ("stringequalsignorecase", "stringnotequalsignorecase"):
        return _string_test(values, Mode.EXACT, True)
    if base in ("stringlike", "stringnotlike"):
        return _string_test(values, Mode.GLOB, False)
    if base in ("arnequals", "arnlike", "arnnotequals", "arnnotlike"):
        return _arn_test(values, key, name)  # ArnEquals takes wildcards too, per the operator table
    if base == "bool":
        return _bool_test(values, key, name)
    if base == "binaryequals":
        return _binary_test(values, key, name)
    if base in ("ipaddress", "notipaddress"):
        return _ip_test(values, key, name)
    for family, parse, expected in (
        ("numeric", parse_number, "a number"),
        ("date", parse_date, "an ISO 8601 date or epoch seconds"),
    ):
        if base.startswith(family):
            suffix = next((s for s in _COMPARISONS if s.lower() == base[len(family) :]), None)
            if suffix is None:
                return None
            return _ordered_test(values, parse, _COMPARISONS[suffix], key, name, expected)
    return None


class CompiledCondition:
    """One key under one operator of a Condition block, ready to test a request context."""

    __slots__ = ("key", "missing", "negated", "null_wanted", "qualifier", "test")

    def __init__(self, condition: Condition) -> None:
        name = condition.operator
        qualifier, colon, rest = name.partition(":")
        if not colon:
            qualifier, rest = "", name
        lowered = rest.lower()
        if_exists = lowered.endswith("ifexists")
        base = lowered.removesuffix("ifexists") if if_exists else lowered
        self.key = condition.key.lower()  # condition keys are case-insensitive
        self.qualifier = _QUALIFIERS.get(qualifier.lower()) if qualifier else None
        if qualifier and self.qualifier is None:
            raise RequestError(
                f"condition operator '{name}': unknown set qualifier '{qualifier}' "
                "(IAM accepts ForAllValues: and ForAnyValue:)"
            )
        self.negated = base in _NEGATED
        self.null_wanted: frozenset[str] | None = None
        if base == "null":
            if if_exists:
                raise RequestError(f"condition operator '{name}': Null has no ...IfExists form (use Null)")
            self.null_wanted = frozenset(value.lower() for value in condition.values)
            self.test: Test = _never
            self.missing = "true" in self.null_wanted
            return
        test = _test(base, condition.values, condition.key, name)
        if test is None:
            raise RequestError(
                f"unknown condition operator '{name}' (IAM rejects the document; see 'IAM JSON policy "
                "elements: Condition operators' for the operators there are)"
            )
        self.test = test
        # What an absent key gives: IfExists and ForAllValues hold, ForAnyValue fails, negated holds.
        if if_exists or self.qualifier == "ForAllValues":
            self.missing = True
        elif self.qualifier == "ForAnyValue":
            self.missing = False
        else:
            self.missing = self.negated

    def holds(self, context: Context) -> bool:
        """Whether the condition holds for the request context (keys lower-case)."""
        value = context.get(self.key)
        if value is None:
            return self.missing
        if self.null_wanted is not None:
            return "false" in self.null_wanted
        test = self.test
        if self.qualifier is None:
            if isinstance(value, tuple):
                return False  # a multivalued key needs a set operator (see the module docstring)
            return test(value, context) is not self.negated
        members = _members(value)
        if self.qualifier == "ForAllValues":
            return all(test(member, context) is not self.negated for member in members)
        return any(test(member, context) is not self.negated for member in members)


def _never(value: str, context: Context) -> bool:
    return False


def _members(value: ContextValue) -> tuple[str, ...]:
    """The request's set of values; an empty string is "a null data set"."""
    if isinstance(value, tuple):
        return value
    return () if value == "" else (value,)


@lru_cache(maxsize=16384)
def compile_condition(condition: Condition) -> CompiledCondition:
    """The compiled condition (cached: the same guard conditions recur in every principal's documents)."""
    return CompiledCondition(condition)
