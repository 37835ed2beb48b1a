"""AWS-managed policies that are privileged by name as well as by content.

Attaching one of PRIVILEGED_MANAGED_POLICIES is a finding on its own (rules C1-C3: CIS and Security Hub
name them). What any AWS-managed policy grants is judged from its vendored document
(`aws_managed_policies.tsv`, read by `iam_guard.aws_managed`), like any other document.
"""

from __future__ import annotations

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
