"""The pure analysis: parsing, expansion, Allow minus Deny, conditions, escalation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from iam_guard.catalog import UnknownActionError, all_actions, expand
from iam_guard.conditions import is_restrictive
from iam_guard.documents import (
    Condition,
    PolicyDocumentError,
    UnknownDocumentError,
    parse_policy,
)
from iam_guard.escalation import completed_methods
from iam_guard.evaluation import EffectivePermissions, evaluate

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def permissions(*statements: dict[str, Any]) -> EffectivePermissions:
    return evaluate([parse_policy(doc(*statements))])


def test_expansion_is_case_insensitive_and_exact() -> None:
    assert expand("IAM:PassRole") == {"iam:passrole"}
    assert "iam:getuser" in expand("iam:Get*")
    assert expand("*") == all_actions()
    assert len(all_actions()) > 20000


@pytest.mark.parametrize(
    "pattern", ["iam:UploadSigningCert", "ecc2:RunInstances", "iam:Nope*", "not-an-action"]
)
def test_unknown_actions_raise(pattern: str) -> None:
    with pytest.raises(UnknownActionError):
        expand(pattern)


def test_string_and_list_forms_and_single_statement_object_agree() -> None:
    as_list = parse_policy(doc(allow(["s3:GetObject"], ["arn:aws:s3:::b/*"])))
    as_string = parse_policy(
        {"Version": "2012-10-17", "Statement": allow("s3:GetObject", "arn:aws:s3:::b/*")}
    )
    assert as_list.statements == as_string.statements


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"Statement": [allow("s3:GetObject")]}), "'Version' must be"),
        (json.dumps(doc({"Action": "s3:GetObject", "Resource": "*"})), "'Effect' must be"),
        (json.dumps(doc(allow("iam:UploadSigningCert"))), "did you mean 'iam:UploadSigningCertificate'"),
        (json.dumps(doc({"Effect": "Allow", "Resource": "*"})), "exactly one of 'Action' or 'NotAction'"),
        (
            json.dumps(doc({"Effect": "Allow", "Action": "s3:GetObject"})),
            "exactly one of 'Resource' or 'NotResource'",
        ),
        (json.dumps({"Version": "2012-10-17"}), "'Statement' is missing"),
        (json.dumps(doc(allow("s3:GetObject", Principal="*"))), "'Principal' belongs in trust"),
        ("42", "must be a JSON object"),
    ],
)
def test_malformed_documents_fail_closed(document: str, message: str) -> None:
    with pytest.raises(PolicyDocumentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_policy(document)


def test_unknown_documents_are_not_judged_as_passing() -> None:
    with pytest.raises(UnknownDocumentError):
        parse_policy(UNKNOWN)
    with pytest.raises(UnknownDocumentError):
        parse_policy(doc(allow(UNKNOWN)))


def test_unknown_resource_becomes_a_specific_arn() -> None:
    grant = permissions(allow("iam:PassRole", [UNKNOWN])).grants["iam:passrole"][0]
    assert not grant.broad


def test_admin_however_spelt() -> None:
    assert permissions(allow("*")).is_full_admin()
    assert permissions({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::b"}).is_full_admin()
    services = sorted({a.split(":")[0] for a in all_actions()})
    assert permissions(allow([f"{s}:*" for s in services])).is_full_admin()
    assert not permissions(allow("iam:*")).is_full_admin()


def test_deny_subtracts_only_where_it_certainly_applies() -> None:
    allow_all = allow("iam:*")
    narrow_deny = {"Effect": "Deny", "Action": "iam:*", "Resource": "arn:aws:iam::1:role/x"}
    assert "iam:createuser" in permissions(allow_all, narrow_deny).allowed()
    conditional_deny = {
        "Effect": "Deny",
        "Action": "iam:*",
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    }
    assert "iam:createuser" in permissions(allow_all, conditional_deny).allowed()
    full_deny = {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
    assert "iam:createuser" not in permissions(allow_all, full_deny).allowed()
    scoped_allow = allow("s3:GetObject", "arn:aws:s3:::b/x")
    assert (
        "s3:getobject"
        not in permissions(
            scoped_allow, {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}
        ).allowed()
    )


def test_not_action_allow_grants_everything_else() -> None:
    allowed = permissions({"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}).allowed()
    assert "ec2:runinstances" in allowed and "iam:passrole" not in allowed


@pytest.mark.parametrize(
    ("operator", "key", "values", "restrictive"),
    [
        ("StringEquals", "iam:PassedToService", ("ec2.amazonaws.com",), True),
        ("StringEqualsIfExists", "iam:PassedToService", ("ec2.amazonaws.com",), False),
        ("StringLike", "iam:PassedToService", ("*",), False),
        ("StringNotEquals", "iam:PassedToService", ("lambda.amazonaws.com",), False),
        ("DateGreaterThan", "aws:TokenIssueTime", ("2020-01-01T00:00:00Z",), False),
        ("Bool", "aws:MultiFactorAuthPresent", ("true",), False),
        ("IpAddress", "aws:SourceIp", ("10.0.0.0/8",), False),
        ("StringEquals", "aws:ResourceTag/team", ("soc",), True),
        ("ForAllValues:StringEquals", "aws:ResourceTag/team", ("soc",), False),
        ("ArnEquals", "iam:PolicyARN", ("arn:aws:iam::aws:policy/ReadOnlyAccess",), True),
        ("StringEquals", "aws:ResourceAccount", ("111111111111",), False),  # the own account is everything
    ],
)
def test_conditions_are_judged_by_what_they_restrict(
    operator: str, key: str, values: tuple[str, ...], restrictive: bool
) -> None:
    assert is_restrictive(Condition(operator, key, values)) is restrictive


def test_condition_that_looks_restrictive_does_not_hide_escalation() -> None:
    time_bound = allow(
        ["iam:CreatePolicyVersion"],
        Condition={"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}},
    )
    assert completed_methods(permissions(time_bound))


def test_self_scoped_actions_are_not_escalation() -> None:
    own = allow("iam:CreateAccessKey", "arn:aws:iam::111111111111:user/${aws:username}")
    assert not completed_methods(permissions(own))
    others = allow("iam:CreateAccessKey", "arn:aws:iam::111111111111:user/*")
    assert [m.name for m in completed_methods(permissions(others))]


def test_pass_role_scoped_by_service_or_arn_neutralises_compute_paths() -> None:
    run = allow("ec2:RunInstances")
    broad = allow("iam:PassRole")
    assert completed_methods(permissions(run, broad))
    scoped = allow("iam:PassRole", "arn:aws:iam::1:role/app-role")
    assert not completed_methods(permissions(run, scoped))
    by_service = allow(
        "iam:PassRole", Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}
    )
    assert not completed_methods(permissions(run, by_service))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(sorted(expand("iam:*"))), min_size=1, max_size=6), st.booleans())
def test_adding_a_full_deny_never_adds_permissions(actions: list[str], as_string: bool) -> None:
    statement = allow(actions[0] if as_string else actions)
    before = permissions(statement).allowed()
    after = permissions(statement, {"Effect": "Deny", "Action": actions, "Resource": "*"}).allowed()
    assert after <= before
    assert not (after & {a.lower() for a in actions})


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(sorted(expand("s3:*"))), min_size=1, max_size=5))
def test_case_never_changes_the_verdict(actions: list[str]) -> None:
    lower = permissions(allow([a.lower() for a in actions])).allowed()
    upper = permissions(allow([a.upper() for a in actions])).allowed()
    assert lower == upper == {a.lower() for a in actions}
