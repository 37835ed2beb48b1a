"""Manage one AWS account's IAM users, groups and role tiers from its stack config."""

from __future__ import annotations

import gc

import pulumi

from components.account_baseline import AccountBaseline, AccountBaselineArgs
from components.break_glass import BreakGlass, BreakGlassArgs
from components.config.break_glass_checks import trail_log_group
from components.config.loader import load_stack_config
from components.iam_group import Group, GroupArgs
from components.iam_user import User, UserArgs
from components.identity_center import build_identity_center
from components.identity_center_outputs import portal_url, principal_access, sso_config
from components.outputs import (
    OUTPUT_ACCESS_KEYS,
    OUTPUT_AWS_CONFIG,
    OUTPUT_INITIAL_PASSWORDS,
    OUTPUT_PERMISSION_SET_ARNS,
    OUTPUT_ROLE_TIER_ARNS,
    OUTPUT_SIGN_IN_URL,
    OUTPUT_SSO_ACCESS,
    OUTPUT_SSO_AWS_CONFIG,
    OUTPUT_SSO_PORTAL_URL,
    OUTPUT_SWITCH_ROLE_URLS,
    OUTPUT_USERS,
    account_label,
    aws_config_snippet,
    sign_in_url,
    user_summary,
)
from components.role_tier import RoleTier, RoleTierArgs
from components.root_management import root_access_management

# A large organization registers hundreds of thousands of short-lived objects (Outputs, futures,
# protobuf messages) and few cycles; collecting every 700 allocations cost 40% of a 500-person run.
gc.set_threshold(100_000, 50, 100)

config = load_stack_config()
account_id = config.account.id
tags = {"managed-by": "iamtiers", "iamtiers:stack": pulumi.get_stack()}

tiers = {
    tier.name: RoleTier(
        f"tier-{tier.name}",
        RoleTierArgs(
            tier=tier, account_id=account_id, account_label=account_label(config.account), tags=tags
        ),
    )
    for tier in config.role_tiers
    if tier.create_role
}
users = {user.name: User(f"user-{user.name}", UserArgs(user=user, tags=tags)) for user in config.users}
# Each group lists its members itself (one exclusive GroupMembership), so users come first.
members = config.group_members()
for group in config.groups:
    Group(
        f"group-{group.name}",
        GroupArgs(
            group=group,
            account_id=account_id,
            assumable_role_arns=[config.role_arn(ref) for ref in group.assumable_tiers],
            members=[users[member.name].user_name for member in members[group.name]],
        ),
    )
region = pulumi.Config("aws").get("region") or "us-east-1"
baseline = AccountBaseline(
    "baseline",
    AccountBaselineArgs(
        account=config.account,
        password_policy=config.password_policy,
        monitoring=config.monitoring,
        region=region,
        tags=tags,
    ),
)
if config.identity_center:
    center = config.identity_center
    instance, permission_sets = build_identity_center(config, center, tags)
    pulumi.export(OUTPUT_SSO_PORTAL_URL, portal_url(center, instance.identity_store_id))
    pulumi.export(OUTPUT_SSO_ACCESS, principal_access(center))
    pulumi.export(OUTPUT_SSO_AWS_CONFIG, sso_config(config, center, instance.identity_store_id, region))
    pulumi.export(OUTPUT_PERMISSION_SET_ARNS, {name: ps.arn for name, ps in permission_sets.items()})
root_access_management("root-management", config.root_management)
if config.break_glass is not None and config.break_glass.enabled:
    break_glass = BreakGlass(
        "break-glass",
        BreakGlassArgs(
            config=config.break_glass,
            account=config.account,
            region=region,
            # Known at preview: the pack reads the alarm's wiring before anything exists.
            log_group_name=trail_log_group(config) or "",
            emails=config.break_glass.alarm_emails or config.monitoring.alarms.emails,
            tags=tags,
        ),
        # The trail's log group must exist before a metric filter can be put on it.
        opts=pulumi.ResourceOptions(depends_on=[baseline]),
    )
    pulumi.export(
        "break_glass",
        {
            "tier_arn": break_glass.tier_arn,
            "switch_role_url": break_glass.switch_role_url,
            "initial_passwords": break_glass.initial_passwords,
            "alarm_topic_arns": break_glass.topic_arns,
        },
    )

pulumi.export(OUTPUT_SIGN_IN_URL, sign_in_url(config.account))
pulumi.export(OUTPUT_SWITCH_ROLE_URLS, {name: tier.switch_role_url for name, tier in tiers.items()})
pulumi.export(OUTPUT_ROLE_TIER_ARNS, {name: tier.arn for name, tier in tiers.items()})
pulumi.export(OUTPUT_USERS, {user.name: user_summary(config, user) for user in config.users})
pulumi.export(
    OUTPUT_INITIAL_PASSWORDS,
    {
        user.name: users[user.name].initial_password
        for user in config.users
        if user.console_access and not user.disabled
    },
)
pulumi.export(
    OUTPUT_ACCESS_KEYS,
    {
        user.name: {
            "access_key_id": users[user.name].access_key_id,
            "secret_access_key": users[user.name].secret_access_key,
        }
        for user in config.users
        if user.programmatic_access and not user.disabled
    },
)
pulumi.export(
    OUTPUT_AWS_CONFIG,
    {user.name: aws_config_snippet(config, user) for user in config.users if config.user_tier_arns(user)},
)
