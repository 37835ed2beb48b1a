"""Named regressions (the blind spots of today's scanners) and preview-mode resolution, through the pack."""

from __future__ import annotations

import json
from typing import Any

import pytest
from iam_guard import types

from offline.judging.analyzer_client import Diagnostic
from tests.policypack.conftest import UNKNOWN, FakeResource, PackAnalyzer

GUARD_NOT_ACTIONS = [
    "iam:ChangePassword",
    "iam:GetUser",
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ResyncMFADevice",
    "sts:GetSessionToken",
]


# What a console user needs allowed at first sign-in, on its own user (at any path) and MFA device.
SELF_SERVICE_STATEMENTS: list[dict[str, Any]] = [
    {
        "Effect": "Allow",
        "Action": ["iam:ChangePassword", "iam:EnableMFADevice"],
        "Resource": ["arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::*:user/*/${aws:username}"],
    },
    {
        "Effect": "Allow",
        "Action": "iam:CreateVirtualMFADevice",
        "Resource": "arn:aws:iam::*:mfa/${aws:username}",
    },
]


def document(*statements: dict[str, Any], as_list: bool = True) -> str:
    body: Any = list(statements) if as_list or len(statements) != 1 else statements[0]
    return json.dumps({"Version": "2012-10-17", "Statement": body})


def findings(diagnostics: list[Diagnostic], policy: str) -> list[str]:
    return [d.finding for d in diagnostics if d.policy_name == policy]


def group_policy(analyzer: PackAnalyzer, policy: str) -> list[Diagnostic]:
    return analyzer.resource(types.GROUP_POLICY, {"group": "g", "policy": policy})


# -- MFA condition patterns ------------------------------------------------------------------


def test_deny_with_bool_false_lets_access_keys_through(analyzer: PackAnalyzer) -> None:
    deny = {
        "Effect": "Deny",
        "NotAction": GUARD_NOT_ACTIONS,
        "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
    }
    assert [f[:13] for f in findings(group_policy(analyzer, document(deny)), "mfa-condition-patterns")] == [
        "[IAM-MFA-001]"
    ]
    deny["Condition"] = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
    assert findings(group_policy(analyzer, document(deny)), "mfa-condition-patterns") == []


def test_allow_with_bool_if_exists_true_is_console_only_mfa(analyzer: PackAnalyzer) -> None:
    allow = {
        "Effect": "Allow",
        "Action": "ec2:DescribeInstances",
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
    }
    assert findings(group_policy(analyzer, document(allow)), "mfa-condition-patterns")[0].startswith(
        "[IAM-MFA-002]"
    )
    allow["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    assert findings(group_policy(analyzer, document(allow)), "mfa-condition-patterns") == []


def test_set_operator_on_single_valued_key(analyzer: PackAnalyzer) -> None:
    allow = {
        "Effect": "Allow",
        "Action": "ec2:DescribeInstances",
        "Resource": "*",
        "Condition": {"ForAllValues:StringEquals": {"aws:SourceIp": "10.0.0.1"}},
    }
    assert findings(group_policy(analyzer, document(allow)), "mfa-condition-patterns")[0].startswith(
        "[IAM-MFA-003]"
    )


# -- NotAction / NotResource / wildcards -------------------------------------------------------


def test_not_action_with_allow_is_blocked_and_expanded(analyzer: PackAnalyzer) -> None:
    allow = {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}
    found = group_policy(analyzer, document(allow))
    assert findings(found, "no-allow-with-not-action")[0].startswith("[IAM-NOTACT-001]")
    assert findings(found, "no-service-wildcard")[0].startswith("[IAM-WILDCARD-001]")
    # Everything but IAM still includes PassRole-free compute escalation paths such as SSM on any instance.
    assert findings(found, "no-privilege-escalation")


def test_not_resource_with_allow_is_blocked_and_treated_as_broad(analyzer: PackAnalyzer) -> None:
    allow = {"Effect": "Allow", "Action": "iam:PassRole", "NotResource": "arn:aws:iam::1:role/admin"}
    found = group_policy(analyzer, document(allow))
    assert findings(found, "no-allow-with-not-resource")[0].startswith("[IAM-NOTRES-001]")
    assert findings(found, "no-unscoped-pass-role")[0].startswith("[IAM-PASSROLE-001]")


def test_full_admin_spelt_with_not_resource(analyzer: PackAnalyzer) -> None:
    role = FakeResource(
        types.ROLE,
        "ops",
        {
            "name": "ops",
            "assumeRolePolicy": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "ec2.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        },
    )
    inline = FakeResource(
        types.ROLE_POLICY,
        "ops-inline",
        {
            "role": "ops",
            "policy": document({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::logs"}),
        },
        property_dependencies={"role": (role,)},
    )
    found = analyzer.stack([role, inline])
    assert findings(found, "no-full-admin-access")[0].startswith("[IAM-ADMIN-001]")


# -- forms AWS accepts ------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["list", "string", "single-object", "lower-case"])
def test_every_spelling_gets_the_same_verdict(analyzer: PackAnalyzer, form: str) -> None:
    actions: Any = ["iam:CreatePolicyVersion"]
    if form == "string":
        actions = "iam:CreatePolicyVersion"
    if form == "lower-case":
        actions = ["IAM:createpolicyversion"]
    statement = {"Effect": "Allow", "Action": actions, "Resource": "*" if form == "string" else ["*"]}
    policy = document(statement, as_list=form != "single-object")
    found = findings(group_policy(analyzer, policy), "no-privilege-escalation")
    assert len(found) == 1 and "iam:createpolicyversion" in found[0]


def test_deny_on_a_narrower_resource_does_not_cancel_the_allow(analyzer: PackAnalyzer) -> None:
    policy = document(
        {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:AttachUserPolicy", "Resource": "arn:aws:iam::1:user/root-ish"},
    )
    assert findings(group_policy(analyzer, policy), "no-privilege-escalation")
    covering = document(
        {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*"},
    )
    assert findings(group_policy(analyzer, covering), "no-privilege-escalation") == []


def test_conditional_deny_does_not_cancel_the_allow(analyzer: PackAnalyzer) -> None:
    policy = document(
        {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*"},
        {
            "Effect": "Deny",
            "Action": "iam:*",
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        },
    )
    assert findings(group_policy(analyzer, policy), "no-privilege-escalation")


def test_condition_that_looks_restrictive_but_is_not(analyzer: PackAnalyzer) -> None:
    policy = document(
        {
            "Effect": "Allow",
            "Action": "iam:CreatePolicyVersion",
            "Resource": "*",
            "Condition": {
                "DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"},
                "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
            },
        }
    )
    assert findings(group_policy(analyzer, policy), "no-privilege-escalation")


def test_partial_wildcard_resource_still_escalates(analyzer: PackAnalyzer) -> None:
    policy = document(
        {"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "arn:aws:iam::*:policy/fn2-*"}
    )
    assert findings(group_policy(analyzer, policy), "no-privilege-escalation")


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::*:root"]}])
def test_anyone_principal_both_spellings(analyzer: PackAnalyzer, principal: Any) -> None:
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}],
        }
    )
    found = analyzer.resource(types.ROLE, {"name": "r", "assumeRolePolicy": trust})
    assert findings(found, "role-trust-safe")[0].startswith("[IAM-TRUST-001]")


# -- malformed documents fail closed ------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ('{"Version": ', "not valid JSON"),
        (
            json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}),
            "'Version'",
        ),
        (document({"Action": "s3:GetObject", "Resource": "*"}), "'Effect'"),
        (
            document({"Effect": "Allow", "Action": "iam:UploadSigningCert", "Resource": "*"}),
            "did you mean 'iam:UploadSigningCertificate'",
        ),
        (
            document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Principal": "*"}),
            "Principal",
        ),
    ],
    ids=["bad-json", "no-version", "no-effect", "truncated-action", "principal-in-identity-policy"],
)
def test_malformed_documents_are_mandatory_violations(
    analyzer: PackAnalyzer, policy: str, expected: str
) -> None:
    found = [d for d in group_policy(analyzer, policy) if d.policy_name == "iam-policy-document-valid"]
    assert len(found) == 1 and found[0].enforcement_level == "mandatory"
    assert found[0].finding.startswith("[IAM-DOC-001]") and expected in found[0].finding
    assert all("can't run policy" not in d.message for d in group_policy(analyzer, policy))


# -- preview: unknowns resolved through property dependencies ----------------------------------


def _admin_policy() -> FakeResource:
    return FakeResource(
        types.POLICY,
        "too-much",
        {"name": "too-much", "policy": document({"Effect": "Allow", "Action": "*", "Resource": "*"})},
    )


def test_unknown_policy_arn_is_resolved_to_the_in_stack_policy(analyzer: PackAnalyzer) -> None:
    group = FakeResource(types.GROUP, "ops", {"name": "ops"})
    policy = _admin_policy()
    attachment = FakeResource(
        types.GROUP_POLICY_ATTACHMENT,
        "ops-too-much",
        {"group": "ops", "policyArn": UNKNOWN},
        depends_on=(group, policy),
        property_dependencies={"group": (group,), "policyArn": (policy,)},
    )
    found = analyzer.stack([group, policy, attachment])
    admin = [d for d in found if d.policy_name == "no-full-admin-access"]
    assert {d.urn for d in admin} == {group.urn, policy.urn}
    assert all(d.enforcement_level == "mandatory" for d in admin)
    assert not [
        d for d in found if "can't run policy" in d.message or d.policy_name == "preview-unresolved-values"
    ]


def test_unknown_group_names_are_resolved_for_the_mfa_check(analyzer: PackAnalyzer) -> None:
    guard = document(
        {
            "Effect": "Deny",
            "NotAction": GUARD_NOT_ACTIONS,
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        },
        *SELF_SERVICE_STATEMENTS,
    )
    user = FakeResource(types.USER, "dana", {"name": "dana"})
    guarded = FakeResource(types.GROUP, "guarded", {"name": "guarded"})
    bare = FakeResource(types.GROUP, "bare", {"name": "bare"})
    guard_policy = FakeResource(
        types.GROUP_POLICY,
        "guarded-mfa",
        {"group": UNKNOWN, "policy": guard},
        property_dependencies={"group": (guarded,)},
    )
    profile = FakeResource(
        types.USER_LOGIN_PROFILE,
        "dana-login",
        {"user": UNKNOWN, "passwordResetRequired": True},
        property_dependencies={"user": (user,)},
    )
    password = FakeResource(
        types.ACCOUNT_PASSWORD_POLICY, "pw", {"minimumPasswordLength": 14, "passwordReusePrevention": 24}
    )

    def membership(group: FakeResource) -> FakeResource:
        return FakeResource(
            types.USER_GROUP_MEMBERSHIP,
            "dana-groups",
            {"user": UNKNOWN, "groups": [UNKNOWN]},
            property_dependencies={"user": (user,), "groups": (group,)},
        )

    ok = analyzer.stack([user, guarded, guard_policy, profile, password, membership(guarded)])
    assert findings(ok, "console-users-mfa-guarded") == []
    bad = analyzer.stack([user, bare, guarded, guard_policy, profile, password, membership(bare)])
    assert findings(bad, "console-users-mfa-guarded")[0].startswith("[IAM-CONSOLE-001]")


def test_value_from_outside_the_stack_gets_one_advisory_line(analyzer: PackAnalyzer) -> None:
    group = FakeResource(types.GROUP, "ops", {"name": "ops"})
    attachment = FakeResource(
        types.GROUP_POLICY_ATTACHMENT,
        "ops-external",
        {"group": "ops", "policyArn": UNKNOWN},
        property_dependencies={"group": (group,)},
    )
    found = analyzer.stack([group, attachment])
    unresolved = [d for d in found if d.policy_name == "preview-unresolved-values"]
    assert [(d.urn, d.enforcement_level) for d in unresolved] == [(attachment.urn, "advisory")]
    assert "policyArn" in unresolved[0].finding
    assert not [d for d in found if d.enforcement_level == "mandatory"]


def test_unknown_document_is_never_a_silent_pass_at_resource_level(analyzer: PackAnalyzer) -> None:
    found = analyzer.resource(types.GROUP_POLICY, {"group": "g", "policy": UNKNOWN})
    assert not [d for d in found if "can't run policy" in d.message]
    assert not [d for d in found if d.enforcement_level == "mandatory"]
    stack = analyzer.stack([FakeResource(types.GROUP_POLICY, "g-inline", {"group": "g", "policy": UNKNOWN})])
    assert [d.policy_name for d in stack if d.policy_name == "preview-unresolved-values"] == [
        "preview-unresolved-values"
    ]


# -- found in review ------------------------------------------------------------------------------


def _console_user_in(group_policy_doc: str) -> list[FakeResource]:
    user = FakeResource(types.USER, "dana", {"name": "dana"})
    group = FakeResource(types.GROUP, "people", {"name": "people"})
    return [
        user,
        group,
        FakeResource(types.GROUP_POLICY, "people-guard", {"group": "people", "policy": group_policy_doc}),
        FakeResource(
            types.GROUP_POLICY,
            "people-self-service",
            {"group": "people", "policy": document(*SELF_SERVICE_STATEMENTS)},
        ),
        FakeResource(types.USER_LOGIN_PROFILE, "dana-login", {"user": "dana", "passwordResetRequired": True}),
        FakeResource(types.USER_GROUP_MEMBERSHIP, "dana-groups", {"user": "dana", "groups": ["people"]}),
        FakeResource(
            types.ACCOUNT_PASSWORD_POLICY, "pw", {"minimumPasswordLength": 14, "passwordReusePrevention": 24}
        ),
    ]


def test_a_guard_that_exempts_whole_services_is_not_a_guard(analyzer: PackAnalyzer) -> None:
    wide = document(
        {
            "Effect": "Deny",
            "NotAction": [*GUARD_NOT_ACTIONS, "s3:*"],
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        }
    )
    found = findings(analyzer.stack(_console_user_in(wide)), "console-users-mfa-guarded")
    assert len(found) == 1 and found[0].startswith("[IAM-CONSOLE-001]") and "also exempts s3:" in found[0]


def test_mfa_value_compares_case_insensitively(analyzer: PackAnalyzer) -> None:
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "True"}},
                }
            ],
        }
    )
    assert (
        findings(analyzer.resource(types.ROLE, {"name": "r", "assumeRolePolicy": trust}), "role-trust-safe")
        == []
    )


def test_resource_account_condition_does_not_hide_escalation(analyzer: PackAnalyzer) -> None:
    policy = document(
        {
            "Effect": "Allow",
            "Action": ["iam:AttachUserPolicy"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceAccount": "111111111111"}},
        }
    )
    assert findings(group_policy(analyzer, policy), "no-privilege-escalation")


def test_admin_tier_with_unknown_trust_waits_for_the_update(analyzer: PackAnalyzer) -> None:
    role = FakeResource(
        types.ROLE,
        "admin",
        {
            "name": "Admin",
            "assumeRolePolicy": UNKNOWN,
            "managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"],
        },
    )
    with analyzer.configured({"no-full-admin-access": {"admin_tiers": ["Admin"]}}):
        found = analyzer.stack([role])
    assert findings(found, "no-full-admin-access") == []
    assert [d.urn for d in found if d.policy_name == "preview-unresolved-values"] == [role.urn]


def test_admin_through_a_group_outside_the_stack_is_reported_on_the_member_and_the_grant(
    analyzer: PackAnalyzer,
) -> None:
    user = FakeResource(types.USER, "dana", {"name": "dana"})
    inline = FakeResource(
        types.GROUP_POLICY,
        "ext-admin",
        {"group": "external-admins", "policy": document({"Effect": "Allow", "Action": "*", "Resource": "*"})},
    )
    membership = FakeResource(
        types.USER_GROUP_MEMBERSHIP, "dana-groups", {"user": "dana", "groups": ["external-admins"]}
    )
    found = [d for d in analyzer.stack([user, inline, membership]) if d.policy_name == "no-full-admin-access"]
    # The member is admin, and the policy this stack puts on the outside group makes any member admin.
    assert sorted(d.urn for d in found) == sorted([user.urn, inline.urn])
