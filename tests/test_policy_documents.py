"""The pure policy-document builders: MFA guard, self-service, tier grants and trust."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.config import RoleTier
from components.policy_documents import (
    MFA_BOOTSTRAP_ACTIONS,
    assume_tiers_policy,
    mfa_guard_policy,
    mfa_guard_statement,
    self_service_statements,
    to_json,
    trust_policy,
)

FIRST_SIGN_IN = (
    "iam:ChangePassword",
    "iam:GetUser",
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ResyncMFADevice",
    "sts:GetSessionToken",
)


def test_mfa_guard_denies_everything_else_when_mfa_is_absent() -> None:
    statement = mfa_guard_statement()
    assert statement["Effect"] == "Deny"
    assert statement["Resource"] == "*"
    assert "Action" not in statement
    # BoolIfExists also matches long-term access keys, where the key is absent; Bool would not.
    assert statement["Condition"] == {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}


@pytest.mark.parametrize("action", FIRST_SIGN_IN)
def test_first_sign_in_actions_stay_outside_the_deny(action: str) -> None:
    assert action in mfa_guard_statement()["NotAction"]


@pytest.mark.parametrize(
    "action", ["iam:CreateAccessKey", "s3:GetObject", "sts:AssumeRole", "iam:DeactivateMFADevice"]
)
def test_everything_else_is_denied_without_mfa(action: str) -> None:
    assert action not in mfa_guard_statement()["NotAction"]


def test_mfa_guard_exempts_exactly_the_bootstrap_actions() -> None:
    assert sorted(mfa_guard_statement()["NotAction"]) == sorted(FIRST_SIGN_IN)
    assert set(MFA_BOOTSTRAP_ACTIONS) == set(FIRST_SIGN_IN)
    assert mfa_guard_policy()["Version"] == "2012-10-17"


def test_self_service_only_touches_the_callers_own_identity() -> None:
    statements = self_service_statements("111111111111")
    scoped = {s["Sid"]: s["Resource"] for s in statements if s["Resource"] != "*"}
    assert scoped == {
        "ManageOwnCredentials": [
            "arn:aws:iam::111111111111:user/${aws:username}",
            "arn:aws:iam::111111111111:user/*/${aws:username}",
        ],
        "ManageOwnVirtualMfaDevice": [
            "arn:aws:iam::111111111111:mfa/${aws:username}",
            "arn:aws:iam::111111111111:mfa/*/${aws:username}",
        ],
    }
    unscoped = [s for s in statements if s["Resource"] == "*"]
    assert [sorted(s["Action"]) for s in unscoped] == [
        ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"]
    ]
    own_user_actions = next(s["Action"] for s in statements if s["Sid"] == "ManageOwnCredentials")
    for needed in (
        "iam:ChangePassword",
        "iam:CreateAccessKey",
        "iam:UploadSSHPublicKey",
        "iam:UploadSigningCertificate",
        "iam:CreateServiceSpecificCredential",
        "iam:EnableMFADevice",
    ):
        assert needed in own_user_actions


def _grants(statement: dict[str, object], caller: str, arn: str) -> bool:
    """IAM's matching of one ARN against the statement's resources, `${aws:username}` substituted
    (IAM's `*` crosses `/`, as fnmatch's does)."""
    resources = statement["Resource"]
    assert isinstance(resources, list)
    return any(fnmatchcase(arn, pattern.replace("${aws:username}", caller)) for pattern in resources)


@pytest.mark.parametrize("path", ["/", "/lab/", "/soc/", "/soc/tier2/"])
def test_self_service_reaches_the_callers_own_user_and_device_whatever_their_path(path: str) -> None:
    """`user/${aws:username}` alone matched only users at path `/`: farah.haddad at `/lab/` could not
    change her generated password or enable her MFA device."""
    by_sid = {s["Sid"]: s for s in self_service_statements("111111111111")}
    credentials, device = by_sid["ManageOwnCredentials"], by_sid["ManageOwnVirtualMfaDevice"]
    assert {"iam:ChangePassword", "iam:EnableMFADevice"} <= set(credentials["Action"])
    own = f"arn:aws:iam::111111111111:user{path}farah.haddad"
    assert _grants(credentials, "farah.haddad", own)
    assert _grants(device, "farah.haddad", f"arn:aws:iam::111111111111:mfa{path}farah.haddad")
    for other in (f"arn:aws:iam::111111111111:user{path}omar.saleh", "arn:aws:iam::111111111111:user/farah"):
        assert not _grants(credentials, "farah.haddad", other)
    assert not _grants(credentials, "farah.haddad", f"arn:aws:iam::222222222222:user{path}farah.haddad")
    assert not _grants(device, "farah.haddad", f"arn:aws:iam::111111111111:mfa{path}omar.saleh")


@given(st.lists(st.sampled_from([f"arn:aws:iam::111111111111:role/T{i}" for i in range(6)]), min_size=1))
def test_tier_grant_lists_exactly_the_given_roles_in_any_order(arns: list[str]) -> None:
    policy = assume_tiers_policy(arns)
    (statement,) = policy["Statement"]
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Resource"] == sorted(set(arns))
    assert to_json(policy) == to_json(assume_tiers_policy(list(reversed(arns))))


def _tier(**fields: object) -> RoleTier:
    return RoleTier.model_validate({"name": "T", **fields})


def test_trust_for_iam_principals_requires_fresh_mfa() -> None:
    document = trust_policy(
        _tier(trust={"this_account": True, "accounts": ["222222222222"]}, max_mfa_age_seconds=900),
        "111111111111",
    )
    (statement,) = document["Statement"]
    assert statement["Principal"] == {
        "AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]
    }
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
        "NumericLessThan": {"aws:MultiFactorAuthAge": "900"},
    }


def test_machine_principal_of_another_account_needs_an_external_id() -> None:
    document = trust_policy(
        _tier(require_mfa=False, trust={"accounts": ["222222222222"], "external_id": "ext-123"}),
        "111111111111",
    )
    (statement,) = document["Statement"]
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": "ext-123"}}


def test_service_saml_and_oidc_trust() -> None:
    oidc = {
        "provider_arn": "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
        "audiences": ["sts.amazonaws.com"],
        "subjects": ["repo:acme/iam:ref:refs/heads/main"],
    }
    saml = "arn:aws:iam::111111111111:saml-provider/Okta"
    document = trust_policy(
        _tier(trust={"services": ["ec2.amazonaws.com"], "saml_providers": [saml], "oidc": [oidc]}),
        "111111111111",
    )
    by_action = {s["Action"]: s for s in document["Statement"]}
    assert by_action["sts:AssumeRole"]["Principal"] == {"Service": ["ec2.amazonaws.com"]}
    assert by_action["sts:AssumeRole"]["Condition"] == {"StringEquals": {"aws:SourceAccount": "111111111111"}}
    assert by_action["sts:AssumeRoleWithSAML"]["Principal"] == {"Federated": [saml]}
    web = by_action["sts:AssumeRoleWithWebIdentity"]
    assert web["Condition"] == {
        "StringEquals": {"token.actions.githubusercontent.com:aud": ["sts.amazonaws.com"]},
        "StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/iam:ref:refs/heads/main"]},
    }


def test_serialisation_is_canonical() -> None:
    assert to_json({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}'
    assert json.loads(to_json(mfa_guard_policy())) == mfa_guard_policy()
