"""Condition operators against "IAM JSON policy elements: Condition operators" and "Conditions with multiple
context keys or values" (IAM User Guide), through a one-statement Allow: each row names the rule it checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from iam_guard.request_evaluation import RequestError

from tests.policypack.test_request_evaluation import (
    ACCOUNT,
    ALLOWED,
    CALLER_ROLE,
    IMPLICIT,
    USER,
    Context,
    allow,
    decide,
    request,
)


@dataclass(frozen=True)
class ConditionCase:
    rule: str
    condition: dict[str, Any]
    context: Mapping[str, Any]
    holds: bool


def one_key(
    rule: str, operator: str, key: str, values: Any, request_value: Any, holds: bool
) -> ConditionCase:
    """One key under one operator; `request_value` None leaves the key out of the context."""
    context = {} if request_value is None else {key: request_value}
    return ConditionCase(rule, {operator: {key: values}}, context, holds)


CONDITION_CASES = [
    # String
    one_key("StringEquals: exact", "StringEquals", "aws:username", "farah", "farah", True),
    one_key("StringEquals: case-sensitive", "StringEquals", "aws:username", "Farah", "farah", False),
    one_key("StringEquals: no wildcards", "StringEquals", "aws:username", "far*", "farah", False),
    one_key(
        "several values for one key are OR", "StringEquals", "aws:username", ["x", "farah"], "farah", True
    ),
    one_key(
        "StringNotEquals: differs from the value", "StringNotEquals", "aws:username", "bob", "farah", True
    ),
    one_key(
        "StringNotEquals with several values is NOR: one equal -> false",
        "StringNotEquals",
        "aws:username",
        ["bob", "farah"],
        "farah",
        False,
    ),
    one_key(
        "StringNotEquals with several values is NOR: none equal -> true",
        "StringNotEquals",
        "aws:username",
        ["bob", "eve"],
        "farah",
        True,
    ),
    one_key("StringEqualsIgnoreCase", "StringEqualsIgnoreCase", "aws:username", "FARAH", "Farah", True),
    one_key(
        "StringNotEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "aws:username", "FARAH", "farah", False
    ),
    one_key("StringLike: * and ?", "StringLike", "s3:prefix", "home/?arah/*", "home/farah/a/b", True),
    one_key("StringLike: case-sensitive", "StringLike", "s3:prefix", "HOME/*", "home/x", False),
    one_key("StringNotLike", "StringNotLike", "s3:prefix", ["home/*", "tmp/*"], "etc/x", True),
    one_key(
        "StringNotLike: one pattern like -> false",
        "StringNotLike",
        "s3:prefix",
        ["home/*", "tmp/*"],
        "tmp/x",
        False,
    ),
    # Numeric
    one_key(
        "NumericEquals: integers and decimals compare as numbers",
        "NumericEquals",
        "s3:max-keys",
        "10",
        "10.0",
        True,
    ),
    one_key("NumericNotEquals", "NumericNotEquals", "s3:max-keys", ["5", "10"], "7", True),
    one_key("NumericLessThan", "NumericLessThan", "aws:MultiFactorAuthAge", "3600", "3599", True),
    one_key(
        "NumericLessThan: equal is not less",
        "NumericLessThan",
        "aws:MultiFactorAuthAge",
        "3600",
        "3600",
        False,
    ),
    one_key("NumericLessThanEquals", "NumericLessThanEquals", "aws:MultiFactorAuthAge", 3600, "3600", True),
    one_key("NumericGreaterThan", "NumericGreaterThan", "s3:max-keys", "1.5", "2", True),
    one_key("NumericGreaterThanEquals", "NumericGreaterThanEquals", "s3:max-keys", "2", "1.99", False),
    one_key(
        "Numeric: a policy value that is no number matches nothing",
        "NumericEquals",
        "s3:max-keys",
        "ten",
        "10",
        False,
    ),
    # Date
    one_key(
        "DateEquals: ISO 8601 against epoch seconds",
        "DateEquals",
        "aws:CurrentTime",
        "2024-01-01T00:00:00Z",
        "1704067200",
        True,
    ),
    one_key("DateNotEquals", "DateNotEquals", "aws:CurrentTime", "2024-01-01", "2024-01-02T00:00:00Z", True),
    one_key(
        "DateLessThan: time zones are honoured",
        "DateLessThan",
        "aws:CurrentTime",
        "2024-06-01T12:00:00+02:00",
        "2024-06-01T10:30:00Z",
        False,
    ),
    one_key(
        "DateLessThanEquals",
        "DateLessThanEquals",
        "aws:CurrentTime",
        "2024-06-01T10:00:00Z",
        "2024-06-01T12:00:00+02:00",
        True,
    ),
    one_key(
        "DateGreaterThan with aws:EpochTime",
        "DateGreaterThan",
        "aws:EpochTime",
        "1700000000",
        "1717200000",
        True,
    ),
    one_key(
        "DateGreaterThanEquals with a year and month",
        "DateGreaterThanEquals",
        "aws:CurrentTime",
        "2024-06",
        "2024-05-31T23:59:59Z",
        False,
    ),
    # Bool, Binary
    one_key("Bool true", "Bool", "aws:MultiFactorAuthPresent", "true", "true", True),
    one_key("Bool compares case-insensitively", "Bool", "aws:MultiFactorAuthPresent", True, "True", True),
    one_key("Bool false", "Bool", "aws:SecureTransport", "false", "true", False),
    one_key(
        "BinaryEquals compares base64-decoded bytes",
        "BinaryEquals",
        "aws:PrincipalTag/cert",
        "QmluYXJ5VmFsdWU=",
        "QmluYXJ5VmFsdWU=",
        True,
    ),
    one_key(
        "BinaryEquals: different bytes",
        "BinaryEquals",
        "aws:PrincipalTag/cert",
        "QmluYXJ5VmFsdWU=",
        "T3RoZXJWYWx1ZQ==",
        False,
    ),
    # IP address
    one_key("IpAddress: IPv4 CIDR", "IpAddress", "aws:SourceIp", "203.0.113.0/24", "203.0.113.9", True),
    one_key(
        "IpAddress: an address without prefix is /32",
        "IpAddress",
        "aws:SourceIp",
        "203.0.113.9",
        "203.0.113.10",
        False,
    ),
    one_key("IpAddress: IPv6 CIDR", "IpAddress", "aws:SourceIp", "2001:db8::/32", "2001:db8:1234::1", True),
    one_key(
        "NotIpAddress: outside every range",
        "NotIpAddress",
        "aws:SourceIp",
        ["10.0.0.0/8", "192.0.2.1"],
        "203.0.113.9",
        True,
    ),
    one_key(
        "NotIpAddress: an IPv6 caller is outside IPv4 ranges",
        "NotIpAddress",
        "aws:SourceIp",
        "192.0.2.1",
        "2001:db8::1",
        True,
    ),
    one_key(
        "NotIpAddress: inside one range -> false",
        "NotIpAddress",
        "aws:SourceIp",
        ["10.0.0.0/8", "203.0.113.0/24"],
        "203.0.113.9",
        False,
    ),
    # ARN
    one_key(
        "ArnEquals takes wildcards per component",
        "ArnEquals",
        "aws:SourceArn",
        "arn:aws:s3:::lab-*",
        "arn:aws:s3:::lab-data",
        True,
    ),
    one_key("ArnLike", "ArnLike", "aws:PrincipalArn", f"arn:aws:iam::{ACCOUNT}:user/*", USER, True),
    one_key(
        "ArnLike is case-sensitive",
        "ArnLike",
        "aws:PrincipalArn",
        f"arn:aws:iam::{ACCOUNT}:USER/*",
        USER,
        False,
    ),
    one_key(
        "ArnLike: a value that is no ARN matches nothing", "ArnLike", "aws:PrincipalArn", "*", USER, False
    ),
    one_key("ArnNotEquals", "ArnNotEquals", "aws:PrincipalArn", CALLER_ROLE, USER, True),
    one_key(
        "ArnNotLike: like one -> false",
        "ArnNotLike",
        "aws:PrincipalArn",
        ["arn:aws:iam::*:role/*", "arn:aws:iam::*:user/*"],
        USER,
        False,
    ),
    # Null, IfExists
    one_key("Null true: the key is absent", "Null", "aws:TokenIssueTime", "true", None, True),
    one_key(
        "Null true: false when present", "Null", "aws:TokenIssueTime", "true", "2024-01-01T00:00:00Z", False
    ),
    one_key(
        "Null false: the key is present", "Null", "aws:TokenIssueTime", "false", "2024-01-01T00:00:00Z", True
    ),
    one_key(
        "...IfExists: an absent key is true",
        "BoolIfExists",
        "aws:MultiFactorAuthPresent",
        "false",
        None,
        True,
    ),
    one_key(
        "...IfExists: a present key is compared",
        "BoolIfExists",
        "aws:MultiFactorAuthPresent",
        "false",
        "true",
        False,
    ),
    one_key(
        "...IfExists on a negated operator",
        "StringNotEqualsIfExists",
        "aws:username",
        "farah",
        "farah",
        False,
    ),
    # Absent keys
    one_key(
        "absent key: a positive operator is false", "StringEquals", "aws:PrincipalTag/team", "x", None, False
    ),
    one_key(
        "absent key: StringNotEquals is true", "StringNotEquals", "aws:PrincipalTag/team", "x", None, True
    ),
    one_key(
        "absent key: StringNotEqualsIgnoreCase is true",
        "StringNotEqualsIgnoreCase",
        "aws:PrincipalTag/team",
        "x",
        None,
        True,
    ),
    one_key("absent key: StringNotLike is true", "StringNotLike", "aws:PrincipalTag/team", "x*", None, True),
    one_key("absent key: NumericNotEquals is true", "NumericNotEquals", "s3:max-keys", "1", None, True),
    one_key(
        "absent key: DateNotEquals is true", "DateNotEquals", "aws:CurrentTime", "2024-01-01", None, True
    ),
    one_key("absent key: NotIpAddress is true", "NotIpAddress", "aws:SourceIp", "10.0.0.0/8", None, True),
    one_key(
        "absent key: ArnNotEquals is true", "ArnNotEquals", "aws:SourceArn", "arn:aws:s3:::x", None, True
    ),
    one_key("absent key: ArnNotLike is true", "ArnNotLike", "aws:SourceArn", "arn:aws:s3:::*", None, True),
    one_key(
        "absent key: NumericLessThan is false",
        "NumericLessThan",
        "aws:MultiFactorAuthAge",
        "3600",
        None,
        False,
    ),
    one_key("absent key: Bool is false", "Bool", "aws:MultiFactorAuthPresent", "false", None, False),
    # A variable with no value in a condition value
    one_key(
        "a value whose variable has no value: StringEquals is false",
        "StringEquals",
        "aws:username",
        "${aws:PrincipalTag/owner}",
        "farah",
        False,
    ),
    one_key(
        "a value whose variable has no value: StringNotEquals cannot tell the key differs, false",
        "StringNotEquals",
        "aws:username",
        "${aws:PrincipalTag/owner}",
        "farah",
        False,
    ),
    one_key(
        "a value whose variable has no value: StringEquals still matches on its other values",
        "StringEquals",
        "aws:username",
        ["${aws:PrincipalTag/owner}", "farah"],
        "farah",
        True,
    ),
    one_key(
        "a value whose variable has no value: StringNotEqualsIfExists on an absent key still holds",
        "StringNotEqualsIfExists",
        "aws:PrincipalTag/team",
        "${aws:PrincipalTag/owner}",
        None,
        True,
    ),
    # Set operators
    one_key(
        "ForAllValues: every request value is in the policy set",
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        ["team", "env"],
        ("env",),
        True,
    ),
    one_key(
        "ForAllValues: one value outside -> false",
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        ["team", "env"],
        ("env", "owner"),
        False,
    ),
    one_key(
        "ForAllValues: absent key is true", "ForAllValues:StringEquals", "aws:TagKeys", ["team"], None, True
    ),
    one_key(
        "ForAllValues: empty set is true", "ForAllValues:StringEquals", "aws:TagKeys", ["team"], (), True
    ),
    one_key(
        "ForAllValues: an empty string is a null data set, true",
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        ["team"],
        "",
        True,
    ),
    one_key(
        "ForAllValues with a negated operator: no value is in the set",
        "ForAllValues:StringNotEquals",
        "aws:TagKeys",
        ["secret"],
        ("team", "env"),
        True,
    ),
    one_key(
        "ForAllValues:StringNotLike: one value like -> false",
        "ForAllValues:StringNotLike",
        "aws:TagKeys",
        ["tmp-*"],
        ("team", "tmp-1"),
        False,
    ),
    one_key(
        "ForAnyValue: one request value in the set",
        "ForAnyValue:StringEquals",
        "aws:TagKeys",
        ["team"],
        ("env", "team"),
        True,
    ),
    one_key(
        "ForAnyValue: none -> false", "ForAnyValue:StringEquals", "aws:TagKeys", ["team"], ("env",), False
    ),
    one_key(
        "ForAnyValue: absent key is false", "ForAnyValue:StringEquals", "aws:TagKeys", ["team"], None, False
    ),
    one_key(
        "ForAnyValue: empty set is false", "ForAnyValue:StringEquals", "aws:TagKeys", ["team"], (), False
    ),
    one_key(
        "ForAnyValue...IfExists: absent key is true",
        "ForAnyValue:StringEqualsIfExists",
        "aws:TagKeys",
        ["team"],
        None,
        True,
    ),
    one_key(
        "ForAnyValue with a negated operator: one value not in the set",
        "ForAnyValue:StringNotEquals",
        "aws:TagKeys",
        ["team"],
        ("team", "env"),
        True,
    ),
    one_key(
        "a set operator reads a single value as a set of one",
        "ForAnyValue:StringLike",
        "aws:CalledVia",
        ["athena.*"],
        "athena.amazonaws.com",
        True,
    ),
    one_key(
        "a multivalued key without a set operator matches nothing",
        "StringEquals",
        "aws:TagKeys",
        "team",
        ("team",),
        False,
    ),
    one_key(
        "a multivalued key without a set operator: negated too",
        "StringNotEquals",
        "aws:TagKeys",
        "x",
        ("team",),
        False,
    ),
    # Keys and blocks
]
CONDITION_CASES += [
    ConditionCase(
        "condition keys are case-insensitive",
        {"Bool": {"AWS:MultiFactorAuthPresent": "true"}},
        {"aws:multifactorauthpresent": "true"},
        True,
    ),
    ConditionCase(
        "several keys under one operator are AND",
        {"StringEquals": {"aws:username": "farah", "aws:PrincipalTag/team": "x"}},
        {"aws:username": "farah", "aws:PrincipalTag/team": "y"},
        False,
    ),
    ConditionCase(
        "several operators are AND",
        {"Bool": {"aws:SecureTransport": "true"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        {"aws:SecureTransport": "true", "aws:SourceIp": "10.1.2.3"},
        True,
    ),
    ConditionCase(
        "ArnLike with a variable",
        {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/*/${{aws:username}}"}},
        {"aws:PrincipalArn": USER, "aws:username": "farah.haddad"},
        True,
    ),
]


@pytest.mark.parametrize("case", CONDITION_CASES, ids=lambda case: case.rule)
def test_condition_operators(case: ConditionCase) -> None:
    decision = decide(allow(Condition=case.condition), request_=request(context=case.context))
    assert decision is (ALLOWED if case.holds else IMPLICIT), case.rule


@pytest.mark.parametrize(
    ("condition", "context", "message"),
    [
        (
            {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
            {"aws:MultiFactorAuthAge": "soon"},
            "'aws:MultiFactorAuthAge': 'soon' is not a number",
        ),
        (
            {"DateLessThan": {"aws:CurrentTime": "2030-01-01"}},
            {"aws:CurrentTime": "tomorrow"},
            "not an ISO 8601 date",
        ),
        ({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "yes"}, "'true' or 'false'"),
        (
            {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
            {"aws:SourceIp": "10.0.0.0/8"},
            "IPv4 or IPv6 address",
        ),
        (
            {"BinaryEquals": {"aws:PrincipalTag/cert": "QQ=="}},
            {"aws:PrincipalTag/cert": "not base64!"},
            "base64",
        ),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}, {"aws:SourceArn": "lab-data"}, "an ARN"),
    ],
)
def test_a_malformed_context_value_raises_naming_key_operator_and_fix(
    condition: dict[str, Any], context: Context, message: str
) -> None:
    with pytest.raises(RequestError, match=message) as raised:
        decide(allow(Condition=condition), request_=request(context=context))
    assert "which" in str(raised.value) and "give the key's value as" in str(raised.value)


NEGATIONS = [
    ("StringEquals", "StringNotEquals", "aws:username", st.sampled_from(["farah", "eve", "Farah"])),
    ("StringLike", "StringNotLike", "aws:username", st.sampled_from(["far*", "?ve", "*", "x"])),
    (
        "IpAddress",
        "NotIpAddress",
        "aws:SourceIp",
        st.sampled_from(["10.0.0.0/8", "10.1.2.3", "2001:db8::/32"]),
    ),
    (
        "ArnLike",
        "ArnNotLike",
        "aws:PrincipalArn",
        st.sampled_from([USER, "arn:aws:iam::*:user/*", "arn:aws:iam::*:role/*"]),
    ),
    ("NumericLessThan", "NumericGreaterThanEquals", "s3:max-keys", st.sampled_from(["1", "10", "100"])),
]
REQUEST_VALUES = {
    "aws:username": st.sampled_from(["farah", "eve"]),
    "aws:SourceIp": st.sampled_from(["10.1.2.3", "203.0.113.9", "2001:db8::1"]),
    "aws:PrincipalArn": st.sampled_from([USER, CALLER_ROLE]),
    "s3:max-keys": st.sampled_from(["0", "10", "99.5"]),
}


@settings(max_examples=200, deadline=None)
@given(data=st.data(), negation=st.sampled_from(NEGATIONS))
def test_a_negated_operator_is_the_opposite_for_a_single_present_value(
    data: st.DataObject, negation: Any
) -> None:
    positive, negative, key, values = negation
    chosen = data.draw(st.lists(values, min_size=1, max_size=1 if positive.startswith("Numeric") else 3))
    request_ = request(context={key: data.draw(REQUEST_VALUES[key])})
    holds = decide(allow(Condition={positive: {key: chosen}}), request_=request_) is ALLOWED
    opposite = decide(allow(Condition={negative: {key: chosen}}), request_=request_) is ALLOWED
    assert holds != opposite
