"""What Identity Center users are handed, as pure builders: the access portal URL, each group's
(account, permission set) pairs and the `~/.aws/config` `sso-session` profiles."""

from __future__ import annotations

from components.config import IdentityCenter, StackConfig
from components.outputs import account_label

SSO_SCOPES = "sso:account:access"


def portal_url(center: IdentityCenter, identity_store_id: str) -> str:
    """The configured portal URL, or the default one of the identity store."""
    return center.portal_url or f"https://{identity_store_id}.awsapps.com/start"


def _pairs(center: IdentityCenter, kind: str) -> dict[str, list[dict[str, str]]]:
    access: dict[str, set[tuple[str, str]]] = {}
    for assignment in center.assignments:
        principal_kind, principal = assignment.principal
        if principal_kind != kind:
            continue
        for reference in assignment.accounts:
            access.setdefault(principal, set()).add((center.account_id(reference), assignment.permission_set))
    return {
        principal: [{"account": account, "permission_set": name} for account, name in sorted(pairs)]
        for principal, pairs in sorted(access.items())
    }


def principal_access(center: IdentityCenter) -> dict[str, dict[str, list[dict[str, str]]]]:
    """Per group (and per user assigned directly) the (account, permission set) pairs it may use."""
    return {"groups": _pairs(center, "GROUP"), "users": _pairs(center, "USER")}


def sso_config(config: StackConfig, center: IdentityCenter, identity_store_id: str, region: str) -> str:
    """An `sso-session` and one profile per (account, permission set) any principal is assigned."""
    session = account_label(config.account)
    sso_region = center.region or region
    blocks = [
        f"[sso-session {session}]\n"
        f"sso_start_url = {portal_url(center, identity_store_id)}\n"
        f"sso_region = {sso_region}\n"
        f"sso_registration_scopes = {SSO_SCOPES}\n"
    ]
    pairs = {
        (center.account_id(reference), assignment.permission_set)
        for assignment in center.assignments
        for reference in assignment.accounts
    }
    for account_id, name in sorted(pairs):
        blocks.append(
            f"[profile {center.account_name(account_id)}-{name}]\n"
            f"sso_session = {session}\n"
            f"sso_account_id = {account_id}\n"
            f"sso_role_name = {name}\n"
            f"region = {sso_region}\n"
        )
    return "\n".join(blocks)
