"""The request evaluator against the rules of AWS's "Policy evaluation logic", "IAM JSON policy elements:
Condition operators", "Policy variables" and "Cross-account policy evaluation logic" (IAM User Guide).

Every table row names the documented rule it checks. Properties (hypothesis) cover what must hold for
any policies: a Deny never helps, a boundary never widens.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from iam_guard.arn_matching import Mode, action_set, pattern_set
from iam_guard.documents import Condition, parse_policy
from iam_guard.request_evaluation import (
    DecidingStatement,
    Decision,
    Evaluation,
    NamedPolicy,
    Request,
    RequestError,
    evaluate_assume_role,
    evaluate_request,
    principal_context,
)

from components.config.role_tiers import RoleTier, Trust
from components.policy_documents import mfa_guard_policy, self_service_policy, trust_policy

ACCOUNT = "111111111111"
OTHER_ACCOUNT = "222222222222"
USER = f"arn:aws:iam::{ACCOUNT}:user/lab/farah.haddad"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/SOC_Analyst"
CALLER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Deployer"
OBJECT = "arn:aws:s3:::lab-data/reports/2024.csv"
ALLOWED, IMPLICIT, EXPLICIT = Decision.ALLOWED, Decision.IMPLICITLY_DENIED, Decision.EXPLICITLY_DENIED
Context = Mapping[str, str | tuple[str, ...]]


def document(*statements: Mapping[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def policy(name: str, *statements: Mapping[str, Any], kind: str = "identity") -> NamedPolicy:
    return NamedPolicy(name, parse_policy(document(*statements), "trust" if kind == "trust" else "identity"))


def allow(action: Any = "s3:GetObject", resource: Any = "*", **elements: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **elements}


def deny(action: Any = "s3:GetObject", resource: Any = "*", **elements: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **elements}


def request(
    action: str = "s3:GetObject",
    resource: str = OBJECT,
    context: Context | None = None,
    principal: str = USER,
) -> Request:
    return Request(action, resource, principal, dict(context or {}))


def decide(*statements: Mapping[str, Any], request_: Request | None = None) -> Decision:
    return evaluate_request([policy("p", *statements)], request_ or request()).decision


# -- Policy evaluation logic -------------------------------------------------------------------------


def test_by_default_every_request_is_implicitly_denied() -> None:
    evaluation = evaluate_request([], request())
    assert evaluation == Evaluation(IMPLICIT, (), "identity-based policy")
    assert not evaluation.allowed


def test_an_identity_allow_allows_and_names_the_statement() -> None:
    evaluation = evaluate_request([policy("group LabUser: read", allow(Sid="Read"))], request())
    assert evaluation == Evaluation(ALLOWED, (DecidingStatement("group LabUser: read", 0, "Read", "Allow"),))
    assert evaluation.deciding[0].label == "group LabUser: read Statement[0] (Read)"


def test_an_explicit_deny_overrides_any_allow_and_every_matching_deny_is_named() -> None:
    identity = [
        policy("allow-all", allow("*")),
        policy("guard", deny("s3:*", Sid="NoS3"), deny("s3:GetObject")),
        policy("other", allow()),
    ]
    evaluation = evaluate_request(identity, request())
    assert evaluation.decision is EXPLICIT
    assert [d.label for d in evaluation.deciding] == ["guard Statement[0] (NoS3)", "guard Statement[1]"]


def test_allows_from_several_policies_are_all_named() -> None:
    evaluation = evaluate_request([policy("a", allow()), policy("b", allow("s3:Get*"))], request())
    assert [d.policy for d in evaluation.deciding] == ["a", "b"]


def test_the_same_document_under_two_names_is_reported_under_each() -> None:
    parsed = parse_policy(document(allow()))
    first = evaluate_request([NamedPolicy("group A: p", parsed)], request())
    second = evaluate_request([NamedPolicy("group B: p", parsed)], request())
    assert first.deciding[0].policy == "group A: p" and second.deciding[0].policy == "group B: p"


@pytest.mark.parametrize(
    ("rule", "identity", "boundary", "expected", "missing"),
    [
        ("boundary: identity and boundary both allow", [allow()], [allow("s3:*")], ALLOWED, None),
        ("boundary: it grants nothing by itself", [], [allow("s3:*")], IMPLICIT, "identity-based policy"),
        (
            "boundary: no boundary Allow is an implicit deny",
            [allow()],
            [allow("ec2:*")],
            IMPLICIT,
            "permissions boundary",
        ),
        ("boundary: an empty boundary allows nothing", [allow()], [], IMPLICIT, "permissions boundary"),
        ("boundary: a Deny in the boundary wins", [allow()], [allow("*"), deny()], EXPLICIT, None),
    ],
)
def test_permissions_boundary(
    rule: str,
    identity: list[dict[str, Any]],
    boundary: list[dict[str, Any]],
    expected: Decision,
    missing: str | None,
) -> None:
    bound = [policy("boundary", *boundary)] if boundary else []
    evaluation = evaluate_request(
        [policy("identity", *identity)] if identity else [], request(), boundary=bound
    )
    assert (evaluation.decision, evaluation.missing) == (expected, missing), rule


def test_allowed_under_a_boundary_names_the_boundary_statement_too() -> None:
    evaluation = evaluate_request([policy("id", allow())], request(), boundary=[policy("pb", allow("s3:*"))])
    assert [d.policy for d in evaluation.deciding] == ["id", "pb"]


# -- Action, NotAction -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    rule: str
    statements: tuple[dict[str, Any], ...]
    expected: Decision
    action: str = "s3:GetObject"
    resource: str = OBJECT
    context: Mapping[str, Any] = field(default_factory=dict)
    principal: str = USER


ACTION_CASES = [
    Case("Action: exact name", (allow("s3:GetObject"),), ALLOWED),
    Case("Action: compared case-insensitively", (allow("S3:gETobject"),), ALLOWED),
    Case("Action: request action case-insensitive", (allow("s3:GetObject"),), ALLOWED, action="S3:GETOBJECT"),
    Case("Action: * wildcard in the action name", (allow("s3:Get*"),), ALLOWED),
    Case("Action: * in the middle", (allow("s3:*Object"),), ALLOWED),
    Case("Action: ? matches one character", (allow("s3:?etObject"),), ALLOWED),
    Case("Action: the whole name must match", (allow("s3:?etObjectAcl"),), IMPLICIT),
    Case("Action: * alone is every action", (allow("*"),), ALLOWED),
    Case("Action: another service does not match", (allow("ec2:*"),), IMPLICIT),
    Case("Action: a list is OR", (allow(["ec2:RunInstances", "s3:GetObject"]),), ALLOWED),
    Case(
        "NotAction with Allow: every action but those listed",
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},),
        ALLOWED,
    ),
    Case(
        "NotAction with Allow: not the listed ones",
        ({"Effect": "Allow", "NotAction": ["s3:Get*"], "Resource": "*"},),
        IMPLICIT,
    ),
    Case(
        "NotAction with Deny: denies everything but those listed",
        (allow("*"), {"Effect": "Deny", "NotAction": "iam:ChangePassword", "Resource": "*"}),
        EXPLICIT,
    ),
    Case(
        "NotAction with Deny: the listed action escapes the Deny",
        (allow("*"), {"Effect": "Deny", "NotAction": "iam:ChangePassword", "Resource": "*"}),
        ALLOWED,
        action="iam:ChangePassword",
        resource=USER,
    ),
]

RESOURCE_CASES = [
    Case("Resource: * is every resource", (allow(resource="*"),), ALLOWED),
    Case("Resource: exact ARN", (allow(resource=OBJECT),), ALLOWED),
    Case("Resource: case-sensitive", (allow(resource=OBJECT.upper()),), IMPLICIT),
    Case(
        "Resource: the IAM user name is case-sensitive",
        (allow("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/Bob"),),
        IMPLICIT,
        action="iam:GetUser",
        resource=f"arn:aws:iam::{ACCOUNT}:user/bob",
    ),
    Case("Resource: * spans / in the resource part", (allow(resource="arn:aws:s3:::lab-data/*"),), ALLOWED),
    Case(
        "Resource: ? is one character", (allow(resource="arn:aws:s3:::lab-data/reports/20??.csv"),), ALLOWED
    ),
    Case("Resource: ? is not two", (allow(resource="arn:aws:s3:::lab-data/reports/20?.csv"),), IMPLICIT),
    Case(
        "Resource: * inside a segment stays inside it (segments are separated by colons)",
        (allow("ec2:RunInstances", "arn:aws:ec2:u*1:instance/i-1"),),
        IMPLICIT,
        action="ec2:RunInstances",
        resource=f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-1",
    ),
    Case(
        "Resource: * in the region segment",
        (allow("ec2:RunInstances", f"arn:aws:ec2:us-*-1:{ACCOUNT}:instance/*"),),
        ALLOWED,
        action="ec2:RunInstances",
        resource=f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-1",
    ),
    Case(
        "Resource: a * that ends a segment can expand past colons",
        (allow("ec2:RunInstances", "arn:aws:ec2:*"),),
        ALLOWED,
        action="ec2:RunInstances",
        resource=f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-1",
    ),
    Case(
        "Resource: * spans : inside the resource part",
        (allow("logs:PutLogEvents", f"arn:aws:logs:*:{ACCOUNT}:log-group:app:*"),),
        ALLOWED,
        action="logs:PutLogEvents",
        resource=f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:app:log-stream:web-1",
    ),
    Case(
        "Resource: wildcards in the resource type are wildcards too",
        (allow("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user*farah.haddad"),),
        ALLOWED,
        action="iam:GetUser",
        resource=USER,
    ),
    Case("Resource: a list is OR", (allow(resource=["arn:aws:s3:::other/*", OBJECT]),), ALLOWED),
    Case(
        "NotResource with Allow: every resource but those listed",
        ({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secrets/*"},),
        ALLOWED,
    ),
    Case(
        "NotResource with Allow: not the listed ones",
        ({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::lab-data/*"},),
        IMPLICIT,
    ),
    Case(
        "NotResource with Deny: denies everything but those listed",
        (allow(), {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::public/*"}),
        EXPLICIT,
    ),
    Case(
        "NotResource with Deny: the listed resource escapes the Deny",
        (allow(), {"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::lab-data/*"]}),
        ALLOWED,
    ),
    Case(
        "Request resource is taken literally: * in a request is not a wildcard",
        (allow("s3:ListAllMyBuckets", "arn:aws:s3:::*"),),
        IMPLICIT,
        action="s3:ListAllMyBuckets",
        resource="*",
    ),
]

HOME = "arn:aws:iam::111111111111:user"
VARIABLE_CASES = [
    Case(
        "${aws:username} with a user path: user/${aws:username} does NOT match user/lab/farah.haddad",
        (allow("iam:CreateAccessKey", f"{HOME}/${{aws:username}}"),),
        IMPLICIT,
        action="iam:CreateAccessKey",
        resource=USER,
        context={"aws:username": "farah.haddad"},
    ),
    Case(
        "${aws:username} with a user path: user/*/${aws:username} does",
        (allow("iam:CreateAccessKey", f"{HOME}/*/${{aws:username}}"),),
        ALLOWED,
        action="iam:CreateAccessKey",
        resource=USER,
        context={"aws:username": "farah.haddad"},
    ),
    Case(
        "variable names are case-insensitive keys",
        (allow("iam:CreateAccessKey", f"{HOME}/lab/${{AWS:UserName}}"),),
        ALLOWED,
        action="iam:CreateAccessKey",
        resource=USER,
        context={"aws:username": "farah.haddad"},
    ),
    Case(
        "a variable whose key is absent matches nothing",
        (allow("iam:CreateAccessKey", f"{HOME}/lab/${{aws:username}}"),),
        IMPLICIT,
        action="iam:CreateAccessKey",
        resource=USER,
    ),
    Case(
        "a variable with no value matches nothing, even where the rest is a wildcard",
        (allow(resource="arn:aws:s3:::lab-data/${aws:PrincipalTag/team}*"),),
        IMPLICIT,
    ),
    Case(
        "${aws:userid} and ${aws:PrincipalTag/x} come from the context",
        (allow(resource="arn:aws:s3:::lab-data/${aws:PrincipalTag/dept}/${aws:userid}.csv"),),
        ALLOWED,
        resource="arn:aws:s3:::lab-data/reports/AIDA123.csv",
        context={"aws:PrincipalTag/dept": "reports", "aws:userid": "AIDA123"},
    ),
    Case(
        "any context key can be a variable",
        (allow(resource="arn:aws:s3:::lab-data/${s3:prefix}"),),
        ALLOWED,
        context={"s3:prefix": "reports/2024.csv"},
    ),
    Case(
        "${key, 'default'}: the default when the key is absent",
        (allow(resource="arn:aws:s3:::lab-data/${aws:PrincipalTag/team, 'reports'}/*"),),
        ALLOWED,
    ),
    Case(
        "${key, 'default'}: the value when the key is present",
        (allow(resource="arn:aws:s3:::lab-data/${aws:PrincipalTag/team, 'reports'}/*"),),
        IMPLICIT,
        context={"aws:PrincipalTag/team": "finance"},
    ),
    Case(
        "a multivalued key cannot be a variable: its default applies",
        (allow(resource="arn:aws:s3:::lab-data/${aws:TagKeys, 'reports'}/*"),),
        ALLOWED,
        context={"aws:TagKeys": ("reports", "finance")},
    ),
    Case(
        "${*} is a literal asterisk, not a wildcard",
        (allow(resource="arn:aws:s3:::lab-data/reports/${*}"),),
        IMPLICIT,
    ),
    Case(
        "${*} matches a literal asterisk",
        (allow(resource="arn:aws:s3:::lab-data/reports/${*}"),),
        ALLOWED,
        resource="arn:aws:s3:::lab-data/reports/*",
    ),
    Case(
        "${?} matches a literal question mark",
        (allow(resource="arn:aws:s3:::lab-data/what${?}"),),
        ALLOWED,
        resource="arn:aws:s3:::lab-data/what?",
    ),
    Case(
        "${$} matches a literal dollar sign",
        (allow(resource="arn:aws:s3:::lab-data/${$}{aws:username}"),),
        ALLOWED,
        resource="arn:aws:s3:::lab-data/${aws:username}",
        context={"aws:username": "farah.haddad"},
    ),
    Case(
        "a substituted value is literal: its * is not a wildcard",
        (allow(resource="arn:aws:s3:::lab-data/${aws:PrincipalTag/prefix}"),),
        IMPLICIT,
        context={"aws:PrincipalTag/prefix": "rep*"},
    ),
    Case(
        "variables in condition values (StringLike)",
        (
            allow(
                "s3:ListBucket",
                "arn:aws:s3:::lab-data",
                Condition={"StringLike": {"s3:prefix": "${aws:username}/*"}},
            ),
        ),
        ALLOWED,
        action="s3:ListBucket",
        resource="arn:aws:s3:::lab-data",
        context={"aws:username": "farah.haddad", "s3:prefix": "farah.haddad/notes"},
    ),
    Case(
        "no variables in Numeric operators: the value is read literally",
        (allow(Condition={"NumericEquals": {"s3:max-keys": "${aws:PrincipalTag/limit}"}}),),
        IMPLICIT,
        context={"s3:max-keys": "10", "aws:PrincipalTag/limit": "10"},
    ),
    Case(
        "NotResource whose only entry names a variable with no value leaves the statement out",
        (
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "NotResource": "arn:aws:s3:::lab-data/${aws:username}/*",
            },
        ),
        IMPLICIT,
    ),
    Case(
        "NotResource: an entry naming a variable with no value is dropped, the others still exclude",
        (
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "NotResource": ["arn:aws:s3:::lab-data/${aws:username}/*", "arn:aws:s3:::other/*"],
            },
        ),
        ALLOWED,
    ),
]


@pytest.mark.parametrize("case", ACTION_CASES + RESOURCE_CASES + VARIABLE_CASES, ids=lambda case: case.rule)
def test_documented_matching(case: Case) -> None:
    evaluation = evaluate_request(
        [policy("p", *case.statements)], request(case.action, case.resource, case.context, case.principal)
    )
    assert evaluation.decision is case.expected, case.rule


def test_variables_are_not_substituted_in_actions() -> None:
    matcher = action_set(("s3:${aws:username}",))
    assert not matcher.matches("s3:farah.haddad")
    assert matcher.matches("s3:${aws:username}")


def test_arn_operator_components_do_not_let_star_cross_a_colon() -> None:
    patterns = pattern_set(("arn:aws:iam::1*:role/x",), Mode.ARN)
    assert patterns.matches("arn:aws:iam::123:role/x", {})
    assert not patterns.matches("arn:aws:iam::1:2:role/x", {})  # the resource would start mid-account
    assert not pattern_set(("arn:aws:iam::*",), Mode.ARN).matches("arn:aws:iam::123:role/x", {})


# -- The shipped documents -------------------------------------------------------------------------


def test_the_shipped_mfa_guard_denies_without_mfa_and_long_term_keys() -> None:
    guard = NamedPolicy("LabUser-mfa-guard", parse_policy(mfa_guard_policy()))
    everything = policy("admin", allow("*"))
    with_mfa = request(context={"aws:MultiFactorAuthPresent": "true"})
    without_mfa = request(context={"aws:MultiFactorAuthPresent": "false"})
    access_keys = request()  # no aws:MultiFactorAuthPresent at all: BoolIfExists holds
    assert evaluate_request([guard, everything], with_mfa).decision is ALLOWED
    assert evaluate_request([guard, everything], without_mfa).decision is EXPLICIT
    assert evaluate_request([guard, everything], access_keys).decision is EXPLICIT
    change_password = request("iam:ChangePassword", USER, {"aws:MultiFactorAuthPresent": "false"})
    assert evaluate_request([guard, everything], change_password).decision is ALLOWED


def test_the_shipped_self_service_policy_reaches_users_with_and_without_a_path() -> None:
    """`user/${aws:username}` alone matches only users at path `/` (the lockout of every dev user);
    the program lists `user/*/${aws:username}` beside it, and nobody reaches another user."""
    self_service = NamedPolicy("self-service", parse_policy(self_service_policy(ACCOUNT)))
    context = {"aws:username": "farah.haddad"}
    on_path = request("iam:CreateAccessKey", USER, context)
    at_root = request("iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/farah.haddad", context)
    someone_else = request("iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/lab/emma.wright", context)
    assert evaluate_request([self_service], on_path).decision is ALLOWED
    assert evaluate_request([self_service], at_root).decision is ALLOWED
    assert evaluate_request([self_service], someone_else).decision is IMPLICIT
    root_only = policy(
        "root-only", allow("iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}")
    )
    assert evaluate_request([root_only], on_path).decision is IMPLICIT


# -- evaluate_assume_role ---------------------------------------------------------------------------

ASSUME = "sts:AssumeRole"


def trust(*principals: Any, condition: dict[str, Any] | None = None) -> NamedPolicy:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": ASSUME, "Principal": {"AWS": list(principals)}}
    if condition:
        statement["Condition"] = condition
    return policy("SOC_Analyst trust", statement, kind="trust")


ALLOW_ASSUME = policy("assume-tiers", allow(ASSUME, ROLE))


def assume(
    trust_policy: NamedPolicy,
    identity: Sequence[NamedPolicy] = (),
    *,
    principal: str = USER,
    role: str = ROLE,
    context: Context | None = None,
    boundary: Sequence[NamedPolicy] | None = None,
) -> Evaluation:
    return evaluate_assume_role(
        list(identity), request(ASSUME, role, context, principal), trust=trust_policy, boundary=boundary
    )


def test_same_account_trust_naming_the_user_allows_without_an_identity_allow() -> None:
    evaluation = assume(trust(USER))
    assert evaluation.decision is ALLOWED
    assert [d.policy for d in evaluation.deciding] == ["SOC_Analyst trust"]


def test_a_principal_arn_matches_exactly_path_included() -> None:
    assert assume(trust(f"arn:aws:iam::{ACCOUNT}:user/farah.haddad")) == Evaluation(
        IMPLICIT, (), "trust policy"
    )


@pytest.mark.parametrize(
    "account", [f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT], ids=["root ARN", "bare account id"]
)
def test_same_account_trust_naming_the_account_needs_an_identity_allow(account: str) -> None:
    assert assume(trust(account)) == Evaluation(IMPLICIT, (), "identity-based policy")
    evaluation = assume(trust(account), [ALLOW_ASSUME])
    assert evaluation.decision is ALLOWED
    assert [d.policy for d in evaluation.deciding] == ["assume-tiers", "SOC_Analyst trust"]


def test_cross_account_needs_both_the_trust_policy_and_an_identity_allow() -> None:
    role = f"arn:aws:iam::{OTHER_ACCOUNT}:role/SOC_Analyst"
    allow_there = policy("assume-there", allow(ASSUME, role))
    assert assume(trust(USER), role=role).missing == "identity-based policy"
    assert assume(trust(f"arn:aws:iam::{ACCOUNT}:root"), [allow_there], role=role).decision is ALLOWED
    assert assume(trust(USER), [allow_there], role=role).decision is ALLOWED
    assert (
        assume(trust(f"arn:aws:iam::{OTHER_ACCOUNT}:root"), [allow_there], role=role).missing
        == "trust policy"
    )


def test_cross_account_boundary_must_allow_too() -> None:
    role = f"arn:aws:iam::{OTHER_ACCOUNT}:role/SOC_Analyst"
    allow_there = policy("assume-there", allow(ASSUME, role))
    boundary = [policy("pb", allow("s3:*"))]
    assert assume(trust(USER), [allow_there], role=role, boundary=boundary).missing == "permissions boundary"


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ({"aws:MultiFactorAuthPresent": "true"}, ALLOWED),
        ({"aws:MultiFactorAuthPresent": "false"}, IMPLICIT),
        ({}, IMPLICIT),  # Bool without IfExists: an absent key is false
    ],
    ids=["MFA present", "MFA absent", "no MFA key (access keys)"],
)
def test_mfa_condition_in_the_trust_policy(context: Context, expected: Decision) -> None:
    mfa_trust = trust(USER, condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    assert assume(mfa_trust, context=context).decision is expected


def test_the_shipped_trust_policy_needs_fresh_mfa_and_an_identity_allow() -> None:
    tier = RoleTier(name="SOC_Analyst", max_mfa_age_seconds=3600, trust=Trust(this_account=True))
    shipped = NamedPolicy("SOC_Analyst trust", parse_policy(trust_policy(tier, ACCOUNT), "trust"))
    fresh = {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "600"}
    stale = {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "7200"}
    assert assume(shipped, [ALLOW_ASSUME], context=fresh).decision is ALLOWED
    assert assume(shipped, [ALLOW_ASSUME], context=stale).missing == "trust policy"
    assert assume(shipped, context=fresh).missing == "identity-based policy"  # the trust names the account


def test_an_explicit_deny_in_identity_wins_over_a_trust_allow() -> None:
    no_assume = policy("no-assume", deny(ASSUME, "*"))
    assert assume(trust(USER), [ALLOW_ASSUME, no_assume]).decision is EXPLICIT


def test_an_explicit_deny_in_the_trust_policy_wins() -> None:
    statements = [
        {"Effect": "Allow", "Action": ASSUME, "Principal": {"AWS": USER}},
        {"Effect": "Deny", "Action": ASSUME, "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}},
    ]
    evaluation = assume(policy("t", *statements, kind="trust"), [ALLOW_ASSUME])
    assert (evaluation.decision, [d.label for d in evaluation.deciding]) == (EXPLICIT, ["t Statement[1]"])


def test_a_deny_in_the_boundary_wins() -> None:
    assert assume(trust(USER), boundary=[policy("pb", allow("*"), deny(ASSUME))]).decision is EXPLICIT


def test_service_and_federated_principals_never_match_an_iam_principal() -> None:
    statement = {
        "Effect": "Allow",
        "Action": ASSUME,
        "Principal": {"Service": "ec2.amazonaws.com", "Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/x"},
    }
    assert assume(policy("t", statement, kind="trust"), [ALLOW_ASSUME]).missing == "trust policy"


@pytest.mark.parametrize("everyone", [{"AWS": "*"}, "*"], ids=["AWS *", "Principal *"])
def test_a_wildcard_principal_trusts_everyone(everyone: Any) -> None:
    statement = {"Effect": "Allow", "Action": ASSUME, "Principal": everyone}
    assert assume(policy("t", statement, kind="trust")).decision is ALLOWED


def test_a_users_boundary_does_not_limit_a_trust_policy_naming_the_user() -> None:
    assert assume(trust(USER), boundary=[policy("pb", allow("s3:*"))]).decision is ALLOWED


def test_a_roles_boundary_limits_a_trust_policy_naming_the_role_arn() -> None:
    boundary = [policy("pb", allow("s3:*"))]
    limited = assume(trust(CALLER_ROLE), principal=CALLER_ROLE, boundary=boundary)
    assert limited == Evaluation(IMPLICIT, (), "permissions boundary")
    assert assume(trust(CALLER_ROLE), principal=CALLER_ROLE).decision is ALLOWED
    everyone = policy("t", {"Effect": "Allow", "Action": ASSUME, "Principal": {"AWS": "*"}}, kind="trust")
    assert (
        assume(everyone, principal=CALLER_ROLE, boundary=boundary).decision is ALLOWED
    )  # covers the session


def test_not_principal_covers_everyone_it_does_not_name_even_users_of_a_named_account() -> None:
    statements = [
        {"Effect": "Allow", "Action": ASSUME, "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}},
        {"Effect": "Deny", "Action": ASSUME, "NotPrincipal": {"AWS": [USER, f"arn:aws:iam::{ACCOUNT}:root"]}},
    ]
    assert assume(policy("t", *statements, kind="trust"), [ALLOW_ASSUME]).decision is ALLOWED
    other = f"arn:aws:iam::{ACCOUNT}:user/eve"
    allow_other = policy("assume", allow(ASSUME, ROLE))
    assert (
        assume(policy("t", *statements[1:], kind="trust"), [allow_other], principal=other).decision
        is EXPLICIT
    )


# -- Errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Request(7, OBJECT, USER), "request action 7"),  # type: ignore[arg-type]
        (lambda: Request("s3:Get*", OBJECT, USER), "wildcards belong in policies"),
        (lambda: Request("GetObject", OBJECT, USER), "'service:Action'"),
        (lambda: Request("s3:GetObject", "", USER), "request resource ''"),
        (lambda: Request("s3:GetObject", None, USER), "request resource None"),  # type: ignore[arg-type]
        (lambda: Request("s3:GetObject", OBJECT, USER, {"aws:SecureTransport": True}), "give 'true'"),  # type: ignore[dict-item]
        (lambda: Request("s3:GetObject", OBJECT, USER, {"s3:max-keys": 10}), "give '10'"),  # type: ignore[dict-item]
        (lambda: Request("s3:GetObject", OBJECT, USER, {"aws:TagKeys": ["a", 1]}), "tuple of strings"),  # type: ignore[dict-item]
        (lambda: Request("s3:GetObject", OBJECT, USER, {"a:b": "x", "A:B": "y"}), "case-insensitive"),
        (lambda: Request("s3:GetObject", OBJECT, USER, {"": "x"}), "non-empty string"),
        (lambda: Request("s3:GetObject", OBJECT, USER, ["a"]), "mapping"),  # type: ignore[arg-type]
        (lambda: NamedPolicy("p", {"Statement": []}), "document from parse_policy()"),  # type: ignore[arg-type]
    ],
)
def test_malformed_requests_raise_a_request_error_naming_the_fix(build: Any, message: str) -> None:
    with pytest.raises(
        RequestError, match=message.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")
    ):
        build()


def test_a_list_is_read_as_a_tuple_for_a_multivalued_key() -> None:
    listed: dict[str, Any] = {"aws:TagKeys": ["team"]}
    condition = {"ForAnyValue:StringEquals": {"aws:TagKeys": "team"}}
    assert (
        decide(allow(Condition=condition), request_=Request("s3:GetObject", OBJECT, USER, listed)) is ALLOWED
    )


def test_an_unknown_operator_raises_naming_the_policy_and_statement() -> None:
    # parse_policy refuses the operator; a document built some other way still meets this check.
    parsed = parse_policy(document(allow(Condition={"StringEquals": {"aws:username": "x"}})))
    [statement] = parsed.statements
    misspelt = replace(statement, conditions=(Condition("StringEqualz", "aws:username", ("x",)),))
    bad = NamedPolicy("custom", replace(parsed, statements=(misspelt,)))
    with pytest.raises(
        RequestError, match=r"policy 'custom' Statement\[0\]: unknown condition operator 'StringEqualz'"
    ):
        evaluate_request([bad], request())


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: evaluate_request("p", request()), "identity: give a list of NamedPolicy"),  # type: ignore[arg-type]
        (lambda: evaluate_request([{"Statement": []}], request()), "expected a NamedPolicy"),  # type: ignore[list-item]
        (lambda: evaluate_request([], "s3:GetObject"), "expected a Request"),  # type: ignore[arg-type]
        (lambda: evaluate_request([trust(USER)], request()), "has no Resource: is it a trust policy"),
        (lambda: assume(policy("t", allow(ASSUME))), "has no Principal: is it an identity policy"),
        (
            lambda: evaluate_assume_role([], request(), trust=trust(USER)),
            "a trust policy decides sts: actions",
        ),
        (lambda: assume(trust(USER), role=OBJECT), "give the ARN of the role to assume"),
        (lambda: assume(trust(USER), principal="alice"), "give an IAM user or role ARN"),
    ],
)
def test_misuse_raises_a_request_error(call: Any, message: str) -> None:
    with pytest.raises(RequestError, match=message):
        call()


def test_principal_context_gives_the_keys_aws_sets_for_the_principal() -> None:
    assert principal_context(USER) == {
        "aws:PrincipalArn": USER,
        "aws:PrincipalAccount": ACCOUNT,
        "aws:PrincipalType": "User",
        "aws:username": "farah.haddad",
    }
    assert "aws:username" not in principal_context(CALLER_ROLE)


# -- Properties -------------------------------------------------------------------------------------

ACTIONS = ["s3:GetObject", "s3:PutObject", "iam:GetUser", "ec2:RunInstances"]
ACTION_PATTERNS = [*ACTIONS, "s3:*", "s3:Get*", "*", "iam:Get*", "ec2:*"]
RESOURCES = [OBJECT, USER, "arn:aws:s3:::lab-data/other.txt", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-1"]
RESOURCE_PATTERNS = [
    *RESOURCES,
    "*",
    "arn:aws:s3:::lab-data/*",
    f"arn:aws:iam::{ACCOUNT}:user/*/${{aws:username}}",
]
CONDITIONS: list[dict[str, Any] | None] = [
    None,
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    {"StringNotEquals": {"aws:username": "eve"}},
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
]
CONTEXTS = [
    {},
    {"aws:MultiFactorAuthPresent": "true", "aws:username": "farah.haddad"},
    {"aws:MultiFactorAuthPresent": "false", "aws:SourceIp": "10.0.0.1", "aws:TagKeys": ("team", "env")},
]


@st.composite
def statements(draw: st.DrawFn, effect: str | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": effect or draw(st.sampled_from(["Allow", "Deny"])),
        draw(st.sampled_from(["Action", "NotAction"])): draw(
            st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3)
        ),
        draw(st.sampled_from(["Resource", "NotResource"])): draw(
            st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2)
        ),
    }
    if condition := draw(st.sampled_from(CONDITIONS)):
        statement["Condition"] = condition
    return statement


REQUESTS = st.builds(request, st.sampled_from(ACTIONS), st.sampled_from(RESOURCES), st.sampled_from(CONTEXTS))
POLICIES = st.lists(st.lists(statements(), min_size=1, max_size=4), max_size=3)
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def named(policies: list[list[dict[str, Any]]]) -> list[NamedPolicy]:
    return [policy(f"p{index}", *body) for index, body in enumerate(policies)]


@PROPERTY_SETTINGS
@given(policies=POLICIES, extra=statements(effect="Deny"), request_=REQUESTS)
def test_adding_a_deny_never_turns_a_decision_into_allowed(
    policies: list[list[dict[str, Any]]], extra: dict[str, Any], request_: Request
) -> None:
    before = evaluate_request(named(policies), request_).decision
    after = evaluate_request([*named(policies), policy("extra", extra)], request_).decision
    assert after is not ALLOWED or before is ALLOWED
    assert before is not EXPLICIT or after is EXPLICIT


@PROPERTY_SETTINGS
@given(policies=POLICIES, extra=statements(effect="Allow"), request_=REQUESTS)
def test_adding_an_allow_never_denies_and_never_lifts_an_explicit_deny(
    policies: list[list[dict[str, Any]]], extra: dict[str, Any], request_: Request
) -> None:
    before = evaluate_request(named(policies), request_).decision
    after = evaluate_request([*named(policies), policy("extra", extra)], request_).decision
    assert before is not ALLOWED or after is ALLOWED
    assert (before is EXPLICIT) == (after is EXPLICIT)


@PROPERTY_SETTINGS
@given(policies=POLICIES, boundary=POLICIES, request_=REQUESTS)
def test_removing_the_boundary_never_turns_allowed_into_denied(
    policies: list[list[dict[str, Any]]], boundary: list[list[dict[str, Any]]], request_: Request
) -> None:
    bounded = evaluate_request(named(policies), request_, boundary=named(boundary)).decision
    unbounded = evaluate_request(named(policies), request_).decision
    assert bounded is not ALLOWED or unbounded is ALLOWED


@settings(max_examples=200, deadline=None)
@given(name=st.from_regex(r"[A-Za-z0-9+=,.@_-]{1,20}", fullmatch=True), data=st.data())
def test_an_arn_matches_itself_and_any_one_character_replaced_by_question_mark(
    name: str, data: st.DataObject
) -> None:
    arn = f"arn:aws:iam::{ACCOUNT}:user/team/{name}"
    position = data.draw(st.integers(min_value=arn.index("user/"), max_value=len(arn) - 1))
    assert pattern_set((arn,), Mode.RESOURCE).matches(arn, {})
    assert pattern_set((arn[:position] + "?" + arn[position + 1 :],), Mode.RESOURCE).matches(arn, {})
    assert not pattern_set((arn + "?",), Mode.RESOURCE).matches(arn, {})
