"""Pure builders of IAM policy documents. They return dicts; serialisation happens at the edge."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from components.config import PARTITION, RoleTier, Statement

POLICY_VERSION = "2012-10-17"

# What a console user must be able to do before MFA is present. The generated password must be
# changed at first sign-in (ChangePassword, GetUser), then MFA enrolled; every other call is denied.
MFA_BOOTSTRAP_ACTIONS: tuple[str, ...] = (
    "iam:ChangePassword",
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:GetUser",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ResyncMFADevice",
    "sts:GetSessionToken",
)


def document(statements: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Wrap statements in a versioned policy document."""
    return {"Version": POLICY_VERSION, "Statement": list(statements)}


def to_json(policy: dict[str, Any]) -> str:
    """Serialise a document deterministically (sorted keys, compact) for stable diffs."""
    return json.dumps(policy, sort_keys=True, separators=(",", ":"))


def mfa_guard_statement() -> dict[str, Any]:
    """Deny everything but first sign-in and MFA enrolment while no MFA is present.

    `BoolIfExists ... "false"` also catches requests signed with long-term access keys, where
    the key is absent; `Bool` would let those through.
    """
    return {
        "Sid": "DenyAllExceptMfaBootstrapWithoutMfa",
        "Effect": "Deny",
        "NotAction": list(MFA_BOOTSTRAP_ACTIONS),
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    }


def mfa_guard_policy() -> dict[str, Any]:
    return document([mfa_guard_statement()])


def _own(account_id: str, kind: str) -> list[str]:
    """The caller's own user, or the MFA device named after them, with or without an IAM path
    (`user/lab/farah.haddad`): user names are unique in the account whatever the path, so the
    `*/${aws:username}` form adds no other user."""
    return [
        f"arn:{PARTITION}:iam::{account_id}:{kind}/${{aws:username}}",
        f"arn:{PARTITION}:iam::{account_id}:{kind}/*/${{aws:username}}",
    ]


def self_service_statements(account_id: str) -> list[dict[str, Any]]:
    """Let each user manage only their own password, keys, certificates and MFA device, whatever
    the IAM path of the user or the device."""
    own_user = _own(account_id, "user")
    own_mfa = _own(account_id, "mfa")
    return [
        {
            "Sid": "ViewAccountPasswordRequirements",
            "Effect": "Allow",
            "Action": ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"],
            "Resource": "*",
        },
        {
            "Sid": "ManageOwnCredentials",
            "Effect": "Allow",
            "Action": [
                "iam:ChangePassword",
                "iam:CreateAccessKey",
                "iam:CreateServiceSpecificCredential",
                "iam:DeactivateMFADevice",
                "iam:DeleteAccessKey",
                "iam:DeleteServiceSpecificCredential",
                "iam:DeleteSigningCertificate",
                "iam:DeleteSSHPublicKey",
                "iam:EnableMFADevice",
                "iam:GetAccessKeyLastUsed",
                "iam:GetLoginProfile",
                "iam:GetSSHPublicKey",
                "iam:GetUser",
                "iam:ListAccessKeys",
                "iam:ListMFADevices",
                "iam:ListServiceSpecificCredentials",
                "iam:ListSigningCertificates",
                "iam:ListSSHPublicKeys",
                "iam:ResetServiceSpecificCredential",
                "iam:ResyncMFADevice",
                "iam:UpdateAccessKey",
                "iam:UpdateServiceSpecificCredential",
                "iam:UpdateSigningCertificate",
                "iam:UpdateSSHPublicKey",
                "iam:UploadSigningCertificate",
                "iam:UploadSSHPublicKey",
            ],
            "Resource": own_user,
        },
        {
            "Sid": "ManageOwnVirtualMfaDevice",
            "Effect": "Allow",
            "Action": ["iam:CreateVirtualMFADevice", "iam:DeleteVirtualMFADevice"],
            "Resource": own_mfa,
        },
    ]


def self_service_policy(account_id: str) -> dict[str, Any]:
    return document(self_service_statements(account_id))


def assume_tiers_policy(role_arns: Sequence[str]) -> dict[str, Any]:
    """Allow `sts:AssumeRole` on exactly the given role ARNs (sorted, so order never matters)."""
    return document(
        [
            {
                "Sid": "AssumeGrantedRoleTiers",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": sorted(set(role_arns)),
            }
        ]
    )


def statements_policy(statements: Sequence[Statement]) -> dict[str, Any]:
    return document(statement.document() for statement in statements)


def _account_root(account_id: str) -> str:
    return f"arn:{PARTITION}:iam::{account_id}:root"


def trust_policy(tier: RoleTier, account_id: str) -> dict[str, Any]:
    """Who may assume a tier: IAM principals with fresh MFA, services, SAML and pinned OIDC."""
    trust = tier.trust
    statements: list[dict[str, Any]] = []
    accounts = ([account_id] if trust.this_account else []) + [a for a in trust.accounts if a != account_id]
    if accounts:
        condition: dict[str, Any] = {}
        if tier.require_mfa:
            condition["Bool"] = {"aws:MultiFactorAuthPresent": "true"}
            condition["NumericLessThan"] = {"aws:MultiFactorAuthAge": str(tier.max_mfa_age_seconds)}
        if trust.external_id:
            condition["StringEquals"] = {"sts:ExternalId": trust.external_id}
        statements.append(
            {
                "Sid": "AssumeFromIamPrincipals",
                "Effect": "Allow",
                "Principal": {"AWS": sorted(_account_root(a) for a in accounts)},
                "Action": "sts:AssumeRole",
                "Condition": condition,
            }
        )
    if trust.services:
        statements.append(
            {
                "Sid": "AssumeFromAwsServices",
                "Effect": "Allow",
                "Principal": {"Service": sorted(trust.services)},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        )
    if trust.saml_providers:
        statements.append(
            {
                "Sid": "AssumeFromSamlFederation",
                "Effect": "Allow",
                "Principal": {"Federated": sorted(trust.saml_providers)},
                "Action": "sts:AssumeRoleWithSAML",
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
            }
        )
    for index, oidc in enumerate(trust.oidc):
        statements.append(
            {
                "Sid": f"AssumeFromOidc{index}",
                "Effect": "Allow",
                "Principal": {"Federated": oidc.provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{oidc.host}:aud": sorted(oidc.audiences)},
                    "StringLike": {f"{oidc.host}:sub": sorted(oidc.subjects)},
                },
            }
        )
    return document(statements)


def service_trust_policy(service: str, account_id: str) -> dict[str, Any]:
    """Trust one AWS service, confined to this account (confused-deputy guard)."""
    return document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        ]
    )
