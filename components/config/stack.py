"""The whole stack config (`StackConfig`): one model per top-level key, with the look-ups the
components make across keys (a group or tier by name, a tier's role ARN, group members, the role ARNs
a user may assume).
"""

from __future__ import annotations

from pydantic import Field

from components.config.access_tests import AccessTest
from components.config.account import Account
from components.config.break_glass import BreakGlass, RootManagement
from components.config.fields import PARTITION, RemoteTier, _Strict
from components.config.groups import Group
from components.config.identity_center import IdentityCenter
from components.config.monitoring import Monitoring
from components.config.password_policy import PasswordPolicy
from components.config.permission_sets import PermissionSet, PermissionSetGrants, permission_set_grants
from components.config.role_tiers import RoleTier
from components.config.users import User


class StackConfig(_Strict):
    """One account's IAM, validated and cross-referenced."""

    account: Account
    groups: list[Group] = Field(default_factory=list)
    role_tiers: list[RoleTier] = Field(default_factory=list)
    users: list[User] = Field(default_factory=list)
    password_policy: PasswordPolicy = Field(default_factory=PasswordPolicy)
    monitoring: Monitoring = Field(default_factory=Monitoring)
    access_tests: list[AccessTest] = Field(default_factory=list)
    # Only in the stack of the account that administers Identity Center.
    identity_center: IdentityCenter | None = None
    # On, a console password or access key is only ever created PGP-encrypted for a key the stack
    # names: a token that can read the stack's secrets then reads no credential (README, CI).
    require_pgp_key: bool = Field(default=False, strict=True)
    # Emergency users whose every use alarms (README, Break-glass); absent: none.
    break_glass: BreakGlass | None = None
    # The management account's control of member accounts' root (README, Root access management).
    root_management: RootManagement | None = None

    def group(self, name: str) -> Group:
        return next(group for group in self.groups if group.name == name)

    def tier(self, name: str) -> RoleTier:
        return next(tier for tier in self.role_tiers if tier.name == name)

    def grants(self, permission_set: PermissionSet) -> PermissionSetGrants:
        """What a permission set grants, its `from_tier` taken from `role_tiers`."""
        tier = self.tier(permission_set.from_tier) if permission_set.from_tier else None
        return permission_set_grants(permission_set, tier)

    def role_arn(self, reference: str | RemoteTier) -> str:
        """The ARN of a tier's role, local (by name) or in another account."""
        if isinstance(reference, RemoteTier):
            return f"arn:{PARTITION}:iam::{reference.account_id}:role{reference.path}{reference.tier}"
        tier = self.tier(reference)
        return f"arn:{PARTITION}:iam::{self.account.id}:role{tier.path}{tier.name}"

    def group_members(self) -> dict[str, list[User]]:
        """Every group's members: the enabled users that list it, sorted by user name (a disabled
        user is in no group). A group nobody lists maps to an empty list."""
        members: dict[str, list[User]] = {group.name: [] for group in self.groups}
        for user in sorted(self.users, key=lambda user: user.name):
            if not user.disabled:
                for name in user.groups:
                    members[name].append(user)
        return members

    def user_tier_arns(self, user: User) -> list[str]:
        """Role ARNs a user may assume through its groups, sorted and unique."""
        if user.disabled:
            return []
        arns = {self.role_arn(ref) for name in user.groups for ref in self.group(name).assumable_tiers}
        return sorted(arns)
