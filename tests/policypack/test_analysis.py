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
    parse_lenient,
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


def test_self_scoped_credentials_are_not_escalation() -> None:
    own = allow("iam:CreateAccessKey", "arn:aws:iam::111111111111:user/${aws:username}")
    assert not completed_methods(permissions(own))
    others = allow("iam:CreateAccessKey", "arn:aws:iam::111111111111:user/*")
    assert [m.name for m in completed_methods(permissions(others))]


@pytest.mark.parametrize("variable", ["${aws:username}", "${aws:userid}", "${aws:PrincipalArn}"])
@pytest.mark.parametrize(
    "action", ["iam:AttachUserPolicy", "iam:PutUserPolicy", "iam:DeleteUserPermissionsBoundary"]
)
def test_changing_ones_own_permissions_still_escalates(variable: str, action: str) -> None:
    resource = variable if variable == "${aws:PrincipalArn}" else f"arn:aws:iam::111111111111:user/{variable}"
    assert completed_methods(permissions(allow(action, resource)))


def test_pass_role_scoped_by_arn_or_to_another_service_neutralises_compute_paths() -> None:
    run = allow("ec2:RunInstances")
    broad = allow("iam:PassRole")
    assert completed_methods(permissions(run, broad))
    scoped = allow("iam:PassRole", "arn:aws:iam::111111111111:role/app-role")
    assert not completed_methods(permissions(run, scoped))
    to_logs = allow("iam:PassRole", Condition={"StringEquals": {"iam:PassedToService": "logs.amazonaws.com"}})
    assert not completed_methods(permissions(run, to_logs))
    by_resource = allow(
        "iam:PassRole",
        Condition={"StringEquals": {"iam:AssociatedResourceArn": "arn:aws:ec2:*:1:instance/i-1"}},
    )
    assert not completed_methods(permissions(run, by_resource))


@pytest.mark.parametrize(
    ("launch", "service"),
    [
        (["lambda:CreateFunction", "lambda:InvokeFunction"], "lambda.amazonaws.com"),
        (["ecs:RunTask"], "ecs-tasks.amazonaws.com"),
        (["scheduler:CreateSchedule"], "scheduler.amazonaws.com"),
        (["ec2:RunInstances"], "ec2.amazonaws.com"),
        (["ec2:RunInstances"], "ec2.amazonaws.*"),
    ],
)
def test_pass_role_to_the_service_the_method_launches_still_completes_it(
    launch: list[str], service: str
) -> None:
    operator = "StringLike" if "*" in service else "StringEquals"
    to_launcher = allow("iam:PassRole", Condition={operator: {"iam:PassedToService": service}})
    methods = completed_methods(permissions(allow(launch), to_launcher))
    assert any("iam:passrole" in m.actions for m in methods)


def test_a_condition_that_can_never_hold_grants_nothing() -> None:
    impossible = [
        {"Null": {"aws:MultiFactorAuthPresent": "true"}, "Bool": {"aws:MultiFactorAuthPresent": "true"}},
        {"Bool": {"aws:SecureTransport": "yes"}},
        {
            "StringEquals": {"aws:RequestedRegion": "eu-west-1"},
            "StringNotEquals": {"aws:RequestedRegion": "eu-west-1"},
        },
        {
            "NumericLessThan": {"aws:MultiFactorAuthAge": "10"},
            "NumericGreaterThan": {"aws:MultiFactorAuthAge": "20"},
        },
    ]
    for condition in impossible:
        assert not permissions(allow("iam:PutUserPolicy", Condition=condition)).allowed(), condition
    possible = {
        "NumericLessThan": {"aws:MultiFactorAuthAge": "20"},
        "NumericGreaterThan": {"aws:MultiFactorAuthAge": "10"},
    }
    assert permissions(allow("iam:PutUserPolicy", Condition=possible)).allowed()


def test_aws_owned_resources_grant_nothing_a_customer_can_change() -> None:
    aws_policies = allow("iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/*")
    assert not completed_methods(permissions(aws_policies))
    customer_policies = allow("iam:CreatePolicyVersion", "arn:aws:iam::111111111111:policy/*")
    assert completed_methods(permissions(customer_policies))
    # In any partition, spelt with a wildcard or another partition's name.
    for partition in ("*", "aws-us-gov", "aws-cn"):
        elsewhere = allow("iam:CreatePolicyVersion", f"arn:{partition}:iam::aws:policy/*")
        assert not permissions(elsewhere).allowed(), partition


def test_breadth_is_judged_per_resource_type_of_each_action() -> None:
    aws_documents = allow("ssm:SendCommand", ["arn:aws:ssm:*::document/AWS-*", "arn:aws:ec2:*:*:instance/*"])
    assert not completed_methods(permissions(aws_documents), hijack=True)
    any_document = allow("ssm:SendCommand", ["arn:aws:ssm:*:*:document/*", "arn:aws:ec2:*:*:instance/*"])
    assert [m.name for m in completed_methods(permissions(any_document), hijack=True)] == ["SSMSendCommand"]
    role_path = allow(["iam:PassRole", "ec2:RunInstances"], "arn:aws:iam::111111111111:role/app/*")
    assert not completed_methods(permissions(role_path))


def test_called_via_narrows_a_grant_to_calls_through_that_service() -> None:
    via = allow(
        "iam:PutRolePolicy",
        Condition={"ForAnyValue:StringEquals": {"aws:CalledVia": ["cloudformation.amazonaws.com"]}},
    )
    assert not completed_methods(permissions(via))


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


def test_a_deny_that_carves_out_a_few_actions_leaves_admin_admin() -> None:
    no_file_transfer = {"Effect": "Deny", "Action": ["cloudshell:GetFileUploadUrls"], "Resource": "*"}
    assert permissions(allow("*"), no_file_transfer).is_full_admin()
    no_iam = {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
    assert not permissions(allow("*"), no_iam).is_full_admin()
    assert not permissions(allow("iam:*")).is_full_admin()


def test_a_text_is_read_once_per_kind_and_its_problems_travel_with_it() -> None:
    text = json.dumps(
        doc(allow("iam:GetUser"), {"Effect": "Allow", "Action": "iam:NoSuchThing", "Resource": "*"})
    )
    first = parse_lenient(text)
    assert parse_lenient(text) is first
    assert any("iam:NoSuchThing" in problem for problem in first.problems)
    with pytest.raises(PolicyDocumentError, match="a trust policy has no 'Resource'"):
        parse_lenient(text, "trust")  # the kind is part of what is remembered
    with pytest.raises(UnknownDocumentError):
        parse_lenient(UNKNOWN)
