"""Action sets as bitsets: they must say exactly what the catalog's name sets say."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from iam_guard import action_sets
from iam_guard.catalog import UnknownActionError, all_actions, expand
from iam_guard.documents import parse_policy
from iam_guard.evaluation import EffectivePermissions, evaluate

# Sizes on both sides of the decoder's switches: one action, a few, hundreds, most of the catalog.
PATTERNS = [
    "iam:PassRole",
    "s3:GetObject",
    "sts:AssumeRole",
    "iam:Get*",
    "iam:*",
    "s3:*",
    "ec2:*",
    "ec2:Describe*",
    "lambda:*",
    "cloudshell:*",
    "*",
]


def _expanded(patterns: list[str]) -> frozenset[str]:
    return frozenset().union(*(expand(pattern) for pattern in patterns))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=4))
def test_a_set_holds_exactly_the_actions_its_patterns_expand_to(patterns: list[str]) -> None:
    as_set = action_sets.patterns_set(patterns)
    assert action_sets.names(as_set) == _expanded(patterns)
    assert as_set.bit_count() == len(_expanded(patterns))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(PATTERNS[:-1]), min_size=1, max_size=4))
def test_the_complement_is_the_rest_of_the_catalog(patterns: list[str]) -> None:
    rest = action_sets.every_action() & ~action_sets.patterns_set(patterns)
    assert action_sets.names(rest) == all_actions() - _expanded(patterns)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=3),
    st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=3),
)
def test_intersection_and_difference_agree_with_name_sets(left: list[str], right: list[str]) -> None:
    a, b = action_sets.patterns_set(left), action_sets.patterns_set(right)
    assert action_sets.names(a & b) == _expanded(left) & _expanded(right)
    assert action_sets.names(a & ~b) == _expanded(left) - _expanded(right)


def test_single_actions_and_the_empty_set() -> None:
    assert action_sets.names(action_sets.bit("iam:passrole")) == {"iam:passrole"}
    assert action_sets.bit("iam:nosuchaction") == 0
    assert action_sets.names(0) == frozenset()
    assert action_sets.names(action_sets.every_action()) == all_actions()


def test_an_unknown_pattern_fails_the_same_way_every_time() -> None:
    """Its answer is cached: the second reading must still raise, with the same suggestion."""
    messages = []
    for _ in range(2):
        with pytest.raises(UnknownActionError) as raised:
            action_sets.pattern_set("iam:PassRol")
        messages.append(str(raised.value))
    assert messages[0] == messages[1]
    assert "iam:PassRole" in messages[0]


def _permissions(*statements: dict[str, Any]) -> EffectivePermissions:
    return evaluate([parse_policy({"Version": "2012-10-17", "Statement": list(statements)})])


STATEMENTS: list[dict[str, Any]] = [
    {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
    {"Effect": "Allow", "Action": ["s3:Get*", "iam:PassRole"], "Resource": "arn:aws:s3:::b/*"},
    {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
    {"Effect": "Deny", "Action": "iam:Create*", "Resource": "*"},
    {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
    {
        "Effect": "Deny",
        "Action": "iam:PassRole",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    },
]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(STATEMENTS), min_size=1, max_size=4, unique_by=str))
def test_the_per_action_view_matches_the_grants(statements: list[dict[str, Any]]) -> None:
    """`grants` (every name) and `grants_for` (one action) are two readings of the same sets."""
    permissions = _permissions(*statements)
    assert permissions.allowed() == frozenset(permissions.grants)
    for action in (
        "iam:passrole",
        "iam:createuser",
        "s3:getobject",
        "s3:getbucketpolicy",
        "ec2:runinstances",
    ):
        assert permissions.grants_for(action) == permissions.grants.get(action, [])
        assert (action in permissions.allowed()) == (action in permissions.grants)


def test_an_unconditional_deny_removes_exactly_its_actions_from_the_grants_it_covers() -> None:
    permissions = _permissions(STATEMENTS[0], STATEMENTS[1], STATEMENTS[3], STATEMENTS[4])
    assert not any(action.startswith("iam:create") for action in permissions.allowed())
    assert "iam:getuser" in permissions.allowed()
    # The Deny on s3:GetObject covers the grant's only resource; s3:GetBucketPolicy survives.
    assert "s3:getobject" not in permissions.allowed()
    assert "s3:getbucketpolicy" in permissions.allowed()


def test_a_boundary_keeps_what_it_allows_freely_and_narrows_what_it_allows_under_a_condition() -> None:
    granted = _permissions(
        {"Effect": "Allow", "Action": ["iam:PassRole", "iam:GetUser", "s3:GetObject"], "Resource": "*"}
    )
    boundary = _permissions(
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
        },
    )
    capped = granted.capped_by(boundary)
    assert capped.allowed() == {"iam:getuser", "iam:passrole"}
    (free,) = capped.grants_for("iam:getuser")
    assert not free.restrictions
    (narrowed,) = capped.grants_for("iam:passrole")
    assert [condition.key for condition in narrowed.restrictions] == ["iam:PassedToService"]
