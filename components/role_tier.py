"""A role tier: one IAM role with an MFA-gated trust policy, its permissions and its switch-role URL."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import pulumi
import pulumi_aws as aws

from components.config import RoleTier as RoleTierConfig
from components.config import managed_policy_arn, managed_policy_key
from components.policy_documents import statements_policy, to_json, trust_policy

TYPE_TOKEN = "iamtiers:index:RoleTier"


def switch_role_url(account: str, role_name: str, display_name: str) -> str:
    """The console link that switches into a role; `account` is the alias or the id."""
    query = urlencode({"roleName": role_name, "account": account, "displayName": display_name})
    return f"https://signin.aws.amazon.com/switchrole?{query}"


@dataclass(frozen=True)
class RoleTierArgs:
    tier: RoleTierConfig
    account_id: str
    account_label: str  # alias when the account has one, for human-readable URLs
    tags: dict[str, str]


class RoleTier(pulumi.ComponentResource):
    """The role, its trust, one attachment per managed policy, inline statements and boundary."""

    arn: pulumi.Output[str]
    role_name: pulumi.Output[str]
    switch_role_url: pulumi.Output[str]

    def __init__(self, name: str, args: RoleTierArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        tier = args.tier
        child = pulumi.ResourceOptions(parent=self)
        boundary = managed_policy_arn(tier.permissions_boundary) if tier.permissions_boundary else None
        role = aws.iam.Role(
            name,
            name=tier.name,
            path=tier.path,
            description=tier.description or f"Role tier {tier.name}",
            assume_role_policy=to_json(trust_policy(tier, args.account_id)),
            max_session_duration=tier.max_session_duration_seconds,
            permissions_boundary=boundary,
            tags={**args.tags, **tier.tags, "iamtiers:tier": tier.name},
            opts=child,
        )
        role_child = pulumi.ResourceOptions(parent=self, depends_on=[role])
        for reference in sorted(tier.managed_policies, key=managed_policy_key):
            aws.iam.RolePolicyAttachment(
                f"{name}-{managed_policy_key(reference)}",
                role=role.name,
                policy_arn=managed_policy_arn(reference),
                opts=role_child,
            )
        if tier.statements:
            aws.iam.RolePolicy(
                f"{name}-inline",
                name=f"{tier.name}-inline",
                role=role.name,
                policy=to_json(statements_policy(tier.statements)),
                opts=role_child,
            )
        self.arn = role.arn
        self.role_name = role.name
        self.switch_role_url = pulumi.Output.from_input(
            switch_role_url(args.account_label, tier.path.lstrip("/") + tier.name, tier.name)
        )
        self.register_outputs(
            {"arn": self.arn, "role_name": self.role_name, "switch_role_url": self.switch_role_url}
        )
