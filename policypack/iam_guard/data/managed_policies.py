"""AWS-managed policies the pack knows by name, and the documents of the few it evaluates like any other.

Attaching one of PRIVILEGED_MANAGED_POLICIES is a finding on its own (rules C1-C3). The documents in
WELL_KNOWN_MANAGED_POLICY_DOCUMENTS let an attachment be judged by content (rule C4) without an AWS call.
Every other AWS-managed policy is judged by name only: its document is not vendored, so an attachment of
it is neither cleared nor flagged by content.
"""

from __future__ import annotations

from typing import Any

# Source: iam-rules-anchors.md section (a) C1-C3 (Checkov CKV_AWS_274/275, CKV2_AWS_56; CIS AWS 3.0 1.16,
# 1.22; Security Hub IAM.1, IAM.27) and, for PowerUserAccess, its document below.
PRIVILEGED_MANAGED_POLICIES: dict[str, str] = {
    "AdministratorAccess": (
        "grants every action on every resource ('*' on '*'); CIS 1.16, Security Hub IAM.1,"
        " Checkov CKV_AWS_274"
    ),
    "IAMFullAccess": (
        "grants iam:* on '*', enough to attach AdministratorAccess to oneself; Checkov CKV2_AWS_56"
    ),
    "PowerUserAccess": (
        "grants every action except iam:*, organizations:* and account:* on '*' (Allow + NotAction): full"
        " data and infrastructure access in every other service, plus iam:CreateServiceLinkedRole"
    ),
    "AWSCloudShellFullAccess": (
        "grants cloudshell:* (a shell with the caller's credentials and file upload/download, an"
        " exfiltration path); CIS 1.22, Security Hub IAM.27"
    ),
}

# Source: the AWS managed policy reference (the default version of each policy, as mirrored by the MAMIP
# repository zoph-io/MAMIP `policies/<name>`): AdministratorAccess v1, IAMFullAccess v2, PowerUserAccess v12
# (2026-02-12), AWSCloudShellFullAccess v1, IAMReadOnlyAccess v4. Key order and element forms (string vs
# list) are kept as AWS publishes them. A new AWS version changes these only when it is copied here.
WELL_KNOWN_MANAGED_POLICY_DOCUMENTS: dict[str, dict[str, Any]] = {
    "AdministratorAccess": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    },
    "IAMFullAccess": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "iam:*",
                    "organizations:DescribeAccount",
                    "organizations:DescribeOrganization",
                    "organizations:DescribeOrganizationalUnit",
                    "organizations:DescribePolicy",
                    "organizations:ListChildren",
                    "organizations:ListParents",
                    "organizations:ListPoliciesForTarget",
                    "organizations:ListRoots",
                    "organizations:ListPolicies",
                    "organizations:ListTargetsForPolicy",
                ],
                "Resource": "*",
            }
        ],
    },
    "PowerUserAccess": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "NotAction": ["iam:*", "organizations:*", "account:*"],
                "Resource": "*",
                "Effect": "Allow",
            },
            {
                "Action": [
                    "account:GetAccountInformation",
                    "account:GetGovCloudAccountInformation",
                    "account:GetPrimaryEmail",
                    "account:ListRegions",
                    "iam:CreateServiceLinkedRole",
                    "iam:DeleteServiceLinkedRole",
                    "iam:ListRoles",
                    "organizations:DescribeEffectivePolicy",
                    "organizations:DescribeOrganization",
                ],
                "Resource": "*",
                "Effect": "Allow",
            },
        ],
    },
    "AWSCloudShellFullAccess": {
        "Version": "2012-10-17",
        "Statement": [{"Action": ["cloudshell:*"], "Effect": "Allow", "Resource": "*"}],
    },
    "IAMReadOnlyAccess": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "iam:GenerateCredentialReport",
                    "iam:GenerateServiceLastAccessedDetails",
                    "iam:Get*",
                    "iam:List*",
                    "iam:SimulateCustomPolicy",
                    "iam:SimulatePrincipalPolicy",
                ],
                "Resource": "*",
            }
        ],
    },
}
