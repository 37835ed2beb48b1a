"""The stack config model: one account's IAM, parsed and validated once, with no Pulumi in it.

What enters is the project's raw config keys, without namespace (`account`, `groups`, `role_tiers`,
`users`, `password_policy`, `monitoring`, `identity_center`), collections already read from their
files; what leaves is a
validated `StackConfig` (`parse_stack_config`), or a `ConfigError` reporting every problem found at
once, each naming its key path and the fix, before any resource is registered. One module per top-level
key (account, groups, role_tiers, users, password_policy, monitoring, identity_center with
`permission_sets` and the cross-checks of `identity_center_refs`) on the shared field types of
`fields`; `stack` holds the whole; `defaults_merge`, `wording` and `parse` turn raw keys into it; and
`loader` (imported by name, as it needs Pulumi) reads the keys from the running program's config.
"""

from __future__ import annotations

from components.config.access_tests import AccessTest
from components.config.account import Account
from components.config.fields import (
    CONFIG_NAMESPACE,
    IAM_MANAGED_POLICY_QUOTA,
    PARTITION,
    AccountId,
    CollectionFile,
    ConditionOperator,
    ConfigError,
    Email,
    GroupName,
    IamPath,
    PolicyReference,
    RemoteTier,
    Resource,
    RoleDescription,
    RoleName,
    Statement,
    TagMap,
    TierReference,
    UserName,
    managed_policy_arn,
    managed_policy_key,
)
from components.config.groups import GROUP_INLINE_POLICY_SUFFIX, Group, GroupSettings
from components.config.identity_center import (
    Assignment,
    DirectoryGroup,
    DirectoryUser,
    IdentityCenter,
    MfaAttestation,
)
from components.config.monitoring import (
    AccessAnalyzerSettings,
    AlarmSettings,
    CloudTrailSettings,
    ConfigRuleSettings,
    Monitoring,
)
from components.config.parse import parse_stack_config
from components.config.password_policy import PasswordPolicy
from components.config.permission_sets import CustomerPolicyReference, PermissionSet, PermissionSetGrants
from components.config.role_tiers import OidcTrust, RoleTier, RoleTierSettings, Trust
from components.config.stack import StackConfig
from components.config.users import User, UserEmail, UserSettings

__all__ = [
    "CONFIG_NAMESPACE",
    "GROUP_INLINE_POLICY_SUFFIX",
    "IAM_MANAGED_POLICY_QUOTA",
    "PARTITION",
    "AccessAnalyzerSettings",
    "AccessTest",
    "Account",
    "AccountId",
    "AlarmSettings",
    "Assignment",
    "CloudTrailSettings",
    "CollectionFile",
    "ConditionOperator",
    "ConfigError",
    "ConfigRuleSettings",
    "CustomerPolicyReference",
    "DirectoryGroup",
    "DirectoryUser",
    "Email",
    "Group",
    "GroupName",
    "GroupSettings",
    "IamPath",
    "IdentityCenter",
    "MfaAttestation",
    "Monitoring",
    "OidcTrust",
    "PasswordPolicy",
    "PermissionSet",
    "PermissionSetGrants",
    "PolicyReference",
    "RemoteTier",
    "Resource",
    "RoleDescription",
    "RoleName",
    "RoleTier",
    "RoleTierSettings",
    "StackConfig",
    "Statement",
    "TagMap",
    "TierReference",
    "Trust",
    "User",
    "UserEmail",
    "UserName",
    "UserSettings",
    "managed_policy_arn",
    "managed_policy_key",
    "parse_stack_config",
]
