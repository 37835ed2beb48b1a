"""Stack output keys (imported by tests) and the pure builders of what users are handed."""

from __future__ import annotations

from components.config import Account, StackConfig, User

OUTPUT_SIGN_IN_URL = "sign_in_url"
OUTPUT_SWITCH_ROLE_URLS = "switch_role_urls"
OUTPUT_ROLE_TIER_ARNS = "role_tier_arns"
OUTPUT_USERS = "users"
OUTPUT_INITIAL_PASSWORDS = "initial_passwords"
OUTPUT_ACCESS_KEYS = "access_keys"
OUTPUT_AWS_CONFIG = "aws_config"
# Only in the stack that administers Identity Center (components/identity_center_outputs.py).
OUTPUT_SSO_PORTAL_URL = "identity_center_portal_url"
OUTPUT_SSO_ACCESS = "identity_center_access"
OUTPUT_SSO_AWS_CONFIG = "identity_center_aws_config"
OUTPUT_PERMISSION_SET_ARNS = "permission_set_arns"


def account_label(account: Account) -> str:
    return account.alias or account.id


def sign_in_url(account: Account) -> str:
    return f"https://{account_label(account)}.signin.aws.amazon.com/console"


def _profile_name(config: StackConfig, role_arn: str) -> str:
    account_id = role_arn.split(":")[4]
    tier = role_arn.rsplit("/", 1)[-1]
    prefix = account_label(config.account) if account_id == config.account.id else account_id
    return f"{prefix}-{tier}"


def aws_config_snippet(config: StackConfig, user: User) -> str:
    """`~/.aws/config` profiles, one per tier the user may assume, chained to the user's own."""
    source = f"{account_label(config.account)}-{user.name}"
    mfa_serial = f"arn:aws:iam::{config.account.id}:mfa/{user.name}"
    blocks = [
        f"[profile {_profile_name(config, arn)}]\n"
        f"role_arn = {arn}\n"
        f"source_profile = {source}\n"
        f"mfa_serial = {mfa_serial}\n"
        for arn in config.user_tier_arns(user)
    ]
    return "\n".join(blocks)


def user_summary(config: StackConfig, user: User) -> dict[str, object]:
    return {
        "groups": [] if user.disabled else sorted(user.groups),
        "assumable_tiers": config.user_tier_arns(user),
        "console_access": user.console_access and not user.disabled,
        "programmatic_access": user.programmatic_access and not user.disabled,
        "disabled": user.disabled,
    }
