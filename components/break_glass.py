"""Break-glass: console-only emergency users, a group whose only grant is switching into an admin tier
with MFA no older than 15 minutes, and the alarms that fire on every use (components/break_glass_alarms.py).

The users, group and tier are the ordinary User, Group and RoleTier components, built from config
entries this module writes, so every rule that holds for console users and tiers holds for them too.
Each user and the tier carry the tag `iamtiers:break-glass=true`, which the policy pack's
`break-glass-alarmed` rule reads: it blocks the stack when such a principal has no alarm on its use.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.break_glass_alarms import BreakGlassAlarmArgs, BreakGlassAlarms
from components.config import PARTITION, Account, Trust
from components.config import Group as GroupConfig
from components.config import RoleTier as RoleTierConfig
from components.config import User as UserConfig
from components.config.break_glass import BREAK_GLASS_TAG
from components.config.break_glass import BreakGlass as BreakGlassConfig
from components.iam_group import Group, GroupArgs
from components.iam_user import User, UserArgs
from components.outputs import account_label
from components.role_tier import RoleTier, RoleTierArgs

TYPE_TOKEN = "iamtiers:index:BreakGlass"
ADMINISTRATOR_ACCESS = "AdministratorAccess"
SESSION_SECONDS = 3600  # IAM's shortest maximum session: one hour


def tier_config(config: BreakGlassConfig) -> RoleTierConfig:
    return RoleTierConfig(
        name=config.tier.name,
        path=config.tier.path,
        description="Break-glass administration: every switch into it raises an alarm",
        require_mfa=True,
        max_mfa_age_seconds=config.mfa_max_age_seconds,
        max_session_duration_seconds=SESSION_SECONDS,
        trust=Trust(this_account=True),
        managed_policies=[ADMINISTRATOR_ACCESS],
        tags={BREAK_GLASS_TAG: "true"},
    )


def group_config(config: BreakGlassConfig) -> GroupConfig:
    return GroupConfig(
        name=config.group,
        description="Break-glass users: may only switch into the break-glass tier",
        assumable_tiers=[config.tier.name],
    )


def user_configs(config: BreakGlassConfig) -> list[UserConfig]:
    return [
        UserConfig(
            name=user.name,
            email=user.email,
            path=user.path,
            pgp_key=user.pgp_key,
            console_access=True,
            programmatic_access=False,
            groups=[config.group],
            tags={BREAK_GLASS_TAG: "true"},
        )
        for user in config.users
    ]


def tier_arn(config: BreakGlassConfig, account_id: str) -> str:
    return f"arn:{PARTITION}:iam::{account_id}:role{config.tier.path}{config.tier.name}"


@dataclass(frozen=True)
class BreakGlassArgs:
    config: BreakGlassConfig
    account: Account
    region: str
    log_group_name: pulumi.Input[str]
    emails: list[str]
    tags: dict[str, str]


class BreakGlass(pulumi.ComponentResource):
    """The tier, the group, the users and the alarms; `initial_passwords` are PGP-encrypted when keyed."""

    tier_arn: pulumi.Output[str]
    switch_role_url: pulumi.Output[str]
    initial_passwords: dict[str, pulumi.Output[str | None]]
    topic_arns: pulumi.Output[dict[str, str]]

    def __init__(self, name: str, args: BreakGlassArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        config, account_id = args.config, args.account.id
        child = pulumi.ResourceOptions(parent=self)
        tier = RoleTier(
            f"{name}-tier",
            RoleTierArgs(
                tier=tier_config(config),
                account_id=account_id,
                account_label=account_label(args.account),
                tags=args.tags,
            ),
            opts=child,
        )
        users = {
            user.name: User(f"{name}-user-{user.name}", UserArgs(user=user, tags=args.tags), opts=child)
            for user in user_configs(config)
        }
        Group(
            f"{name}-group",
            GroupArgs(
                group=group_config(config),
                account_id=account_id,
                assumable_role_arns=[tier_arn(config, account_id)],
                members=[users[user].user_name for user in sorted(users)],
            ),
            opts=child,
        )
        alarms = BreakGlassAlarms(
            f"{name}-alarms",
            BreakGlassAlarmArgs(
                account_id=account_id,
                region=args.region,
                log_group_name=args.log_group_name,
                user_names=sorted(users),
                role_arn=tier_arn(config, account_id),
                emails=args.emails,
                tags=args.tags,
                enabled=config.alarms_enabled,
            ),
            opts=child,
        )
        self.tier_arn = tier.arn
        self.switch_role_url = tier.switch_role_url
        self.initial_passwords = {user: component.initial_password for user, component in users.items()}
        self.topic_arns = alarms.topic_arns
        self.register_outputs({"tier_arn": self.tier_arn, "topic_arns": self.topic_arns})
