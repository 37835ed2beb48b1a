"""Every finding the pack can report: a stable ID with its title and fix, in one place.

Rules emit `(finding ID, detail)`; the message a user sees is built here, so the wording of a
fix is written once. IDs are never renumbered or reused.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    finding_id: str
    title: str
    remediation: str


FINDINGS: dict[str, Finding] = {
    f.finding_id: f
    for f in (
        Finding(
            "IAM-DOC-001",
            "Malformed or unanalysable policy document",
            'Fix the document so that it is valid IAM JSON with Version "2012-10-17", and use only actions that exist.',
        ),
        Finding(
            "IAM-ADMIN-001",
            "Full administrator access outside an admin tier",
            "Grant admin only through a role tier listed in the pack's admin_tiers; give everyone else scoped policies.",
        ),
        Finding(
            "IAM-ADMIN-002",
            "Admin tier that does not require MFA",
            'Require MFA in every statement of the tier\'s trust policy that trusts IAM principals: Bool aws:MultiFactorAuthPresent = "true", or NumericLessThan aws:MultiFactorAuthAge (never ...IfExists).',
        ),
        Finding(
            "IAM-ESC-001",
            "Privilege-escalation path in one policy",
            "Remove one of the listed actions, or scope it to specific resources with a narrowing condition (iam:PassedToService, iam:PermissionsBoundary, iam:PolicyARN, resource tags).",
        ),
        Finding(
            "IAM-ESC-002",
            "Privilege-escalation path across a principal's policies",
            "The listed policies together complete an escalation method; remove or scope one of its actions in one of them.",
        ),
        Finding(
            "IAM-ESC-003",
            "Forbidden action allowed",
            "Remove the action; it is on the pack config's forbidden_actions list.",
        ),
        Finding(
            "IAM-ESC-004",
            "sts:AssumeRole on every role",
            "Name the roles that may be assumed (arn:aws:iam::ACCOUNT:role/NAME); on '*' or role/* the holder reaches every role whose trust admits the account.",
        ),
        Finding(
            "IAM-ESC-005",
            "Takeover of existing compute that runs with a role",
            "Scope the listed actions to named resources (function, stack, instance, task, notebook or endpoint ARNs), or to those the holder owns with StringEquals aws:ResourceTag/<key> (e.g. owner = ${aws:username}); on '*' they reach every such resource and the role it runs with. MFA, time or network conditions do not narrow them.",
        ),
        Finding(
            "IAM-PASSROLE-001",
            "Unscoped iam:PassRole",
            "Scope iam:PassRole to specific role ARNs and add StringEquals iam:PassedToService.",
        ),
        Finding(
            "IAM-WILDCARD-001",
            "Service-wide wildcard action",
            "List the actions the principal needs instead of 'svc:*' or '*'.",
        ),
        Finding(
            "IAM-NOTRES-001",
            "Allow with NotResource",
            "Use Resource with the ARNs that are meant; NotResource grants every other resource, including future ones.",
        ),
        Finding(
            "IAM-NOTACT-001",
            "Allow with NotAction",
            "Use Action with the actions that are meant; NotAction grants every other action, including future ones.",
        ),
        Finding(
            "IAM-USER-001",
            "Policy attached to a user",
            "Attach the policy to a group and add the user to it (CIS 1.15).",
        ),
        Finding(
            "IAM-MANAGED-001",
            "Privileged AWS-managed policy attached outside an admin tier",
            "Attach AdministratorAccess, IAMFullAccess, PowerUserAccess or AWSCloudShellFullAccess only to an MFA-gated admin tier.",
        ),
        Finding(
            "IAM-MANAGED-002",
            "AWS-managed policy that does not exist",
            "Use the ARN the finding names: AWS-managed policies keep their path (job-function/, service-role/), and a retired policy cannot be attached any more.",
        ),
        Finding(
            "IAM-QUOTA-001",
            "More managed policies on a group than the IAM quota",
            "Merge policies or split the group; IAM refuses the 11th attachment.",
        ),
        Finding(
            "IAM-QUOTA-002",
            "Policy document over the IAM size quota",
            "Split the document or tighten it; IAM counts characters without whitespace.",
        ),
        Finding(
            "IAM-TRUST-001",
            "Role assumable by anyone",
            'Name the trusted accounts, roles or services; never "*" or arn:aws:iam::*:root.',
        ),
        Finding(
            "IAM-TRUST-002",
            "IAM principals may assume the role without MFA",
            'Add Bool aws:MultiFactorAuthPresent = "true" (and NumericLessThan aws:MultiFactorAuthAge); for a machine principal of another account, require sts:ExternalId.',
        ),
        Finding(
            "IAM-TRUST-003",
            "OIDC trust without pinned audience and subject",
            "Add StringEquals on '<provider>:aud' and a specific '<provider>:sub' (for GitHub: repo:ORG/REPO:ref:refs/heads/BRANCH or :environment:NAME).",
        ),
        Finding(
            "IAM-TRUST-005",
            "Role trusts an account outside the allow-list",
            "Trust only the accounts in role-trust-safe's trusted_accounts, or add the account there after review.",
        ),
        Finding(
            "IAM-TRUST-004",
            "NotPrincipal in a trust policy",
            "Use Principal with the principals that are meant.",
        ),
        Finding(
            "IAM-TRUST-006",
            "Role without a trust policy",
            "Give the role an assumeRolePolicy that names who may assume it (people with MFA); AWS refuses a role without one.",
        ),
        Finding(
            "IAM-MFA-001",
            "Deny on Bool aws:MultiFactorAuthPresent = false",
            "Use BoolIfExists: requests signed with long-term access keys carry no MFA key, so Bool lets them through.",
        ),
        Finding(
            "IAM-MFA-002",
            "Allow on BoolIfExists aws:MultiFactorAuthPresent = true",
            "Use Bool in an Allow: with IfExists, requests without the key (long-term keys) are allowed without MFA.",
        ),
        Finding(
            "IAM-MFA-003",
            "Set operator on a single-valued condition key",
            "Drop ForAllValues/ForAnyValue: on a single-valued key they pass when the key is absent.",
        ),
        Finding(
            "IAM-MFA-004",
            "Null test on aws:MultiFactorAuthPresent",
            'Test the value with BoolIfExists (Deny on "false") instead of its presence.',
        ),
        Finding(
            "IAM-MFA-005",
            "Force-MFA Deny blocks the first sign-in or MFA enrolment",
            "Keep iam:ChangePassword, iam:GetUser, iam:CreateVirtualMFADevice, iam:EnableMFADevice and iam:ListMFADevices in the Deny's NotAction (never Action *): a user without MFA must be able to change the generated password and enrol a device.",
        ),
        Finding(
            "IAM-MFA-006",
            "Force-MFA Deny exempts removing an MFA device",
            "Take iam:DeactivateMFADevice and iam:DeleteVirtualMFADevice out of the NotAction (narrow wildcards such as iam:*MFA* to the enrolment actions): exempted, they let a caller without MFA, holding only a password or access key, remove the device.",
        ),
        Finding(
            "IAM-CONSOLE-001",
            "Console user without a working MFA guard",
            "Put the user in a group whose policies Deny everything but MFA enrolment while aws:MultiFactorAuthPresent is false (BoolIfExists).",
        ),
        Finding(
            "IAM-CONSOLE-002",
            "MFA guard locks out the first sign-in",
            "Keep iam:ChangePassword, iam:GetUser and the MFA enrolment actions in the guard's NotAction, or the user cannot change the generated password.",
        ),
        Finding(
            "IAM-CONSOLE-003",
            "Login profile does not force a password reset",
            "Set passwordResetRequired: true so that the generated password is used once.",
        ),
        Finding(
            "IAM-CONSOLE-004",
            "Access key for a console user at creation",
            "Create no access key for users with console access (CIS 1.11); give automation its own user.",
        ),
        Finding(
            "IAM-CONSOLE-005",
            "More than one active access key",
            "Keep at most one active access key per user (CIS 1.13).",
        ),
        Finding(
            "IAM-CONSOLE-006",
            "Console user cannot change the generated password or enrol MFA",
            "Allow the user iam:ChangePassword and iam:EnableMFADevice on its own ARN and iam:CreateVirtualMFADevice on arn:aws:iam::ACCOUNT:mfa/<user name>, without requiring MFA; a user's ARN includes its path, so beside arn:aws:iam::ACCOUNT:user/${aws:username} list arn:aws:iam::ACCOUNT:user/*/${aws:username}.",
        ),
        Finding(
            "IAM-PASSWORD-001",
            "No account password policy",
            "Add an aws.iam.AccountPasswordPolicy to the stack that manages console users.",
        ),
        Finding(
            "IAM-PASSWORD-002",
            "Password policy weaker than the profile",
            "Raise the listed settings to the profile's values.",
        ),
        Finding(
            "IAM-RISK-001",
            "Credentials-exposure or data-exfiltration action on every resource",
            "Scope the action to the resources that are meant.",
        ),
        Finding(
            "IAM-RISK-002",
            "Write or permissions-management actions without a resource constraint",
            "Scope the actions to specific resources or add a narrowing condition.",
        ),
        # IAM-RISK-003 (takeovers, advisory under risky-actions-unconstrained) is retired: no-compute-takeover
        # reports them as IAM-ESC-005.
        Finding(
            "IAM-SELF-001",
            "Self-scoped statement misses users with a path",
            "Beside arn:aws:iam::ACCOUNT:user/${aws:username} list arn:aws:iam::ACCOUNT:user/*/${aws:username}: a user's ARN includes its IAM path, and ${aws:username} is the name alone.",
        ),
        Finding("IAM-TAG-001", "Missing owner tags", "Add the listed tag keys."),
        Finding(
            "IAM-SESSION-001",
            "Role session longer than the bound",
            "Lower maxSessionDuration to the configured bound.",
        ),
        Finding(
            "IAM-SECRET-001",
            "Credential stored as a Pulumi secret, not PGP-encrypted",
            "Give the user a pgpKey so that only they can read the password or secret key.",
        ),
        Finding(
            "IAM-FED-001",
            "IAM users while federation is configured",
            "Sign people in through the identity provider and remove IAM users.",
        ),
        Finding(
            "IAM-PREVIEW-001",
            "Value known only after the update",
            "Nothing to do now: the pack judges this resource again when the update runs, and blocks it then if needed.",
        ),
        Finding(
            "PACK-EXEMPT-001",
            "Stale exemption",
            "Remove it from the pack config: an exemption names one resource of the stack, and one left behind would exempt whatever takes that name next.",
        ),
        Finding(
            "PACK-CLOCK-001",
            "Clock override under a real engine",
            "Unset IAMTIERS_TODAY (and pass no --iamtiers-today) where pulumi preview or pulumi up runs: only the offline check replays a past day.",
        ),
        Finding(
            "PACK-CONFIG-001",
            "Invalid policy pack config",
            "Fix the named key in the --policy-pack-config file.",
        ),
        Finding(
            "PACK-INPUT-001",
            "Resource inputs the pack refuses to read",
            "Keep the resource within IAM's own limits: policy documents of at most 10,240 characters and no deeper nesting than IAM's document grammar.",
        ),
        Finding(
            "PACK-ERROR-001",
            "The pack could not analyse this resource",
            "Report this as a defect of the policy pack; under a mandatory rule the resource stays blocked until it can be analysed.",
        ),
        # IAM Identity Center permission sets and assignments.
        Finding(
            "IAM-SESSION-002",
            "Permission set without a session duration",
            "Set sessionDuration (e.g. PT1H) so that the bound is stated where it is reviewed; AWS applies PT1H when it is absent.",
        ),
        Finding(
            "IAM-IC-001",
            "Permission set session duration AWS refuses",
            "Write sessionDuration as an ISO-8601 duration from PT1H to PT12H: PT1H, PT90M, PT1H30M.",
        ),
        Finding(
            "IAM-IC-002",
            "Permission set session longer than the bound",
            "Lower sessionDuration to permission-set-session-bound's bound (admin sets: max_admin_session_seconds, one hour by default).",
        ),
        Finding(
            "IAM-IC-010",
            "Admin permission set assigned to a user",
            "Assign admin permission sets to a group listed in identity-center-assignments-safe's admin_groups, never to a USER.",
        ),
        Finding(
            "IAM-IC-011",
            "Admin permission set assigned to a group outside admin_groups",
            "Assign the set to a group listed in admin_groups (its display name, or its principalId for a group the stack does not manage), or take admin out of the set.",
        ),
        Finding(
            "IAM-IC-012",
            "Permission set assigned in the management account without being listed",
            "Assign only the sets listed in management_account_permission_sets to the management account; give it dedicated permission sets (a delegated administrator cannot manage them there).",
        ),
        Finding(
            "IAM-IC-020",
            "Exclusive and per-item policy attachments on one permission set",
            "Use either the ...AttachmentsExclusive resource or per-item attachments for a permission set, not both: the exclusive one detaches the others' policies on every update.",
        ),
        Finding(
            "IAM-IC-021",
            "More than one permissions boundary on a permission set",
            "Keep one PermissionsBoundaryAttachment per permission set; AWS holds one, and two never converge.",
        ),
        Finding(
            "IAM-IC-022",
            "More than one inline policy on a permission set",
            "Merge the documents into one PermissionSetInlinePolicy; AWS holds one, and the last write wins.",
        ),
        Finding(
            "IAM-IC-023",
            "More managed policies on a permission set than AWS allows",
            "Keep at most 20 AWS-managed and customer-managed policies per permission set; merge them into the inline policy or split the set.",
        ),
        Finding(
            "IAM-IC-024",
            "Permission set name AWS refuses",
            "Name the permission set with 1 to 32 characters from letters, digits and +=,.@_-.",
        ),
        Finding(
            "IAM-IC-030",
            "Permission set assigned to a user",
            "Assign permission sets to groups, so that access is granted and removed by group membership.",
        ),
        Finding(
            "IAM-IC-031",
            "More than 10 managed policies on a permission set",
            "Raise the IAM quota 'Managed policies per role' in every account the set is assigned to, or keep at most 10.",
        ),
        Finding(
            "IAM-IC-032",
            "Policy the pack cannot read",
            "Review the named customer-managed policy in every target account; it must exist there before the assignment, and the pack judges none of it.",
        ),
        Finding(
            "IAM-IC-040",
            "Identity Center MFA not attested",
            "Tag every permission set with iamtiers:mfa-mode (always-on, context-aware or external-idp), iamtiers:mfa-attested-by and iamtiers:mfa-attested-on (YYYY-MM-DD) after checking Settings > Authentication in the console.",
        ),
        Finding(
            "IAM-IC-041",
            "Identity Center MFA attestation older than a year",
            "Check the MFA settings in the console again and update iamtiers:mfa-attested-on and iamtiers:mfa-attested-by.",
        ),
        Finding(
            "IAM-BREAKGLASS-001",
            "Break-glass principal without an alarm on its use",
            "Alarm on every use in the same stack: an enabled EventBridge rule with a target whose pattern matches the user's ConsoleLogin (the role's sts:AssumeRole), or a metric filter on the trail's log group naming it with a MetricAlarm (threshold 1, actions enabled); iamtiers:break_glass builds both.",
        ),
        Finding(
            "IAM-BREAKGLASS-002",
            "Break-glass user with an access key",
            "Delete the access key: break-glass users sign in to the console only, where every sign-in raises the alarm.",
        ),
    )
}


def finding_message(finding_id: str, detail: str) -> str:
    """`[ID] Title: detail. Fix: remediation.` Unknown IDs are a programming error."""
    finding = FINDINGS[finding_id]
    return f"[{finding_id}] {finding.title}: {detail.rstrip('.')}. Fix: {finding.remediation}"
