"""`groups`: the settings a group entry may inherit from `groups.defaults` (`GroupSettings`) and a
group (`Group`): its managed policies, inline statements and the role tiers its members may assume.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from components.config.fields import (
    GroupName,
    IamPath,
    PolicyReference,
    Statement,
    TierReference,
    _check_managed_policies,
    _Strict,
)
from components.iam_limits import NAME_LIMITS

# components/iam_group.py names a group's inline policies `<group>-<suffix>`; the longest suffix.
GROUP_INLINE_POLICY_SUFFIX = "-self-service"


class GroupSettings(_Strict):
    """What a group entry may inherit from `groups.defaults`."""

    enforce_mfa: bool = True
    self_service_credentials: bool = True
    path: IamPath = "/"


class Group(GroupSettings):
    name: GroupName
    description: str = ""
    managed_policies: list[PolicyReference] = Field(default_factory=list)
    statements: list[Statement] = Field(default_factory=list)
    assumable_tiers: list[TierReference] = Field(default_factory=list)

    @field_validator("managed_policies")
    @classmethod
    def _policies(cls, value: list[str]) -> list[str]:
        return _check_managed_policies(value, "group; merge some into 'statements' or split the group")

    @field_validator("name")
    @classmethod
    def _inline_policy_names_fit(cls, value: str) -> str:
        # PutGroupPolicy: PolicyName at most 128 characters, and ours are `<group>-<suffix>`.
        room = NAME_LIMITS["policy"] - len(GROUP_INLINE_POLICY_SUFFIX)
        if len(value) > room:
            raise ValueError(
                f"the group's inline policy '<group>{GROUP_INLINE_POLICY_SUFFIX}' would have "
                f"{len(value) + len(GROUP_INLINE_POLICY_SUFFIX)} characters (IAM allows "
                f"{NAME_LIMITS['policy']}); shorten the group name to {room} characters"
            )
        return value
