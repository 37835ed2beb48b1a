"""A group: its managed and inline permissions, the MFA guard, self-service, tier grants and members.

The group's membership is exclusive, a security feature: one `GroupMembership` lists every member the
stack config gives the group, and `pulumi up` takes out of the group any user added to it outside this
program (AWS and Terraform semantics), so nobody can hand-add themselves to an admin group and stay
there. The provider sees such a user when it reads the group: when it creates or updates the
membership, and on `pulumi refresh` or `pulumi up --refresh`; a plain `up` compares with the state last
read. A group no enabled user lists gets no `GroupMembership` (the provider requires `users`, and an
empty list is not reliably accepted): its membership is then not enforced, and a user added to it by
hand stays until the group lists members again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config import Group as GroupConfig
from components.config import managed_policy_arn, managed_policy_key
from components.policy_documents import (
    assume_tiers_policy,
    mfa_guard_policy,
    self_service_policy,
    statements_policy,
    to_json,
)

TYPE_TOKEN = "iamtiers:index:Group"


@dataclass(frozen=True)
class GroupArgs:
    group: GroupConfig
    account_id: str
    assumable_role_arns: list[str]
    # The `user_name` outputs of the User components of its enabled members, sorted by user name.
    members: Sequence[pulumi.Input[str]]


class Group(pulumi.ComponentResource):
    """One IAM group. Children are keyed by stable names, so reordering config replaces nothing."""

    arn: pulumi.Output[str]
    group_name: pulumi.Output[str]

    def __init__(self, name: str, args: GroupArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        config = args.group
        group = aws.iam.Group(
            name, name=config.name, path=config.path, opts=pulumi.ResourceOptions(parent=self)
        )
        child = pulumi.ResourceOptions(parent=self, depends_on=[group])
        permissions: list[pulumi.Resource] = []
        for reference in sorted(config.managed_policies, key=managed_policy_key):
            attachment = aws.iam.GroupPolicyAttachment(
                f"{name}-{managed_policy_key(reference)}",
                group=group.name,
                policy_arn=managed_policy_arn(reference),
                opts=child,
            )
            permissions.append(attachment)
        inline: dict[str, str] = {}
        if config.enforce_mfa:
            inline["mfa-guard"] = to_json(mfa_guard_policy())
        if config.self_service_credentials:
            inline["self-service"] = to_json(self_service_policy(args.account_id))
        if args.assumable_role_arns:
            inline["assume-tiers"] = to_json(assume_tiers_policy(args.assumable_role_arns))
        if config.statements:
            inline["inline"] = to_json(statements_policy(config.statements))
        for suffix, policy in inline.items():
            group_policy = aws.iam.GroupPolicy(
                f"{name}-{suffix}",
                name=f"{config.name}-{suffix}",
                group=group.name,
                policy=policy,
                opts=child,
            )
            permissions.append(group_policy)
        if args.members:
            aws.iam.GroupMembership(
                f"{name}-members",
                name=f"{config.name}-members",
                group=group.name,
                users=list(args.members),
                # Members join only once the group's MFA guard and permissions exist. Replaced, the old
                # membership goes first: deleting it after creating the new one would empty the group.
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=[group, *permissions], delete_before_replace=True
                ),
            )
        self.arn = group.arn
        self.group_name = group.name
        self.register_outputs({"arn": self.arn, "group_name": self.group_name})
