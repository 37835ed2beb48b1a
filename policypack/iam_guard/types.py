"""Engine type tokens of the AWS resources the pack reads, and raw property access."""

from __future__ import annotations

from typing import Any

USER = "aws:iam/user:User"
GROUP = "aws:iam/group:Group"
ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/policy:Policy"
USER_POLICY = "aws:iam/userPolicy:UserPolicy"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
USER_POLICY_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
GROUP_POLICY_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
USER_LOGIN_PROFILE = "aws:iam/userLoginProfile:UserLoginProfile"
ACCESS_KEY = "aws:iam/accessKey:AccessKey"
USER_GROUP_MEMBERSHIP = "aws:iam/userGroupMembership:UserGroupMembership"
GROUP_MEMBERSHIP = "aws:iam/groupMembership:GroupMembership"
ACCOUNT_PASSWORD_POLICY = "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"
SAML_PROVIDER = "aws:iam/samlProvider:SamlProvider"
OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
# IAM Identity Center (ssoadmin) and its identity store.
PERMISSION_SET = "aws:ssoadmin/permissionSet:PermissionSet"
PERMISSION_SET_INLINE_POLICY = "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy"
SSO_MANAGED_POLICY_ATTACHMENT = "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment"
SSO_MANAGED_POLICY_ATTACHMENTS_EXCLUSIVE = (
    "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive"
)
SSO_CUSTOMER_POLICY_ATTACHMENT = (
    "aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment"
)
SSO_CUSTOMER_POLICY_ATTACHMENTS_EXCLUSIVE = (
    "aws:ssoadmin/customerManagedPolicyAttachmentsExclusive:CustomerManagedPolicyAttachmentsExclusive"
)
SSO_BOUNDARY_ATTACHMENT = "aws:ssoadmin/permissionsBoundaryAttachment:PermissionsBoundaryAttachment"
ACCOUNT_ASSIGNMENT = "aws:ssoadmin/accountAssignment:AccountAssignment"
IDENTITY_STORE_GROUP = "aws:identitystore/group:Group"
# The resources that name their permission set by `permissionSetArn`.
PERMISSION_SET_MEMBERS = (
    PERMISSION_SET_INLINE_POLICY,
    SSO_MANAGED_POLICY_ATTACHMENT,
    SSO_MANAGED_POLICY_ATTACHMENTS_EXCLUSIVE,
    SSO_CUSTOMER_POLICY_ATTACHMENT,
    SSO_CUSTOMER_POLICY_ATTACHMENTS_EXCLUSIVE,
    SSO_BOUNDARY_ATTACHMENT,
    ACCOUNT_ASSIGNMENT,
)

# Unknown-value sentinels of the engine's wire format (one per value kind).
UNKNOWN_SENTINELS = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
        "030794c1-ac77-496b-92df-f27374a8bd58",
        "e48ece36-62e2-4504-bad9-02848725956a",
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
    }
)


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value in UNKNOWN_SENTINELS


def raw(value: Any) -> Any:
    """Unwrap pulumi_policy's unknown-checking proxies, so unknowns can be handled, not raised."""
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire carries every number as a double; IAM settings are integers
    if isinstance(value, (str, bytes, int, float, bool)) or value is None:
        return value
    try:
        target = value["__target"]
    except (KeyError, TypeError, IndexError):
        target = value
    if isinstance(target, dict):
        return {key: raw(item) for key, item in target.items()}
    if isinstance(target, list):
        return [raw(item) for item in target]
    if hasattr(target, "keys"):
        return {key: raw(target[key]) for key in target}
    return target
