"""Render an `AccessModel` as the stack's access document (GitHub-flavoured Markdown).

The text depends on the model alone: no clock, no host, no absolute path, so regenerating an unchanged
stack gives the same bytes and a pull request's diff of the document is the change in access.
"""

from __future__ import annotations

from collections.abc import Sequence

from offline.access.break_glass_section import break_glass_section
from offline.access.diagram import (
    ASSUME_AS_SERVICE,
    ASSUME_FEDERATED,
    ASSUME_WITH_MFA,
    ASSUME_WITHOUT_MFA,
    render_diagram,
)
from offline.access.identity_center_section import identity_center_section, identity_center_summary
from offline.access.model import (
    ADMIN_TIERS_POLICY,
    AccessModel,
    BeforeMfa,
    GroupAccess,
    RoleAccess,
    TierGrant,
    TrustEntry,
    UserAccess,
)
from offline.access.tables import access_lines as _access
from offline.access.tables import admin_tier_lines
from offline.access.tables import cell_code as _code
from offline.access.tables import names as _names
from offline.access.tables import policies_table as _policies
from offline.access.tables import prose_code as _prose
from offline.access.tables import table as _table
from offline.reporting.markdown_text import comment, text

REGENERATE = "make report"


def _step_mfa(grant: TierGrant) -> str:
    parts = [f"MFA guard of group {_code(grant.group)}"] if grant.guarded else []
    parts += [
        "trust requires MFA" + (f" at most {age} s old" if age is not None else "") for age in grant.trust_mfa
    ]
    parts = parts or ["**no MFA required**"]
    if not grant.tier.local and grant.tier.account_id != "*":
        parts.append(f"trust defined in account {text(grant.tier.account_id)}, not in this stack")
    if grant.conditional:
        parts.append("granted under a condition")
    return "; ".join(parts)


def _tier_list(grants: Sequence[TierGrant]) -> str:
    labels: dict[str, bool] = {}
    for grant in grants:
        labels[grant.tier.label] = labels.get(grant.tier.label, True) and bool(grant.mfa)
    return ", ".join(_code(label) + ("" if mfa else " (no MFA)") for label, mfa in labels.items()) or "none"


def _console(user: UserAccess) -> str:
    if user.disabled or not user.console:
        return "no"
    details = ["password reset at first sign-in" if user.password_reset else "**no forced password reset**"]
    details.append("PGP-encrypted password" if user.console_pgp else "password kept as a stack secret")
    return "yes (" + ", ".join(details) + ")"


def _keys(user: UserAccess) -> str:
    if user.disabled or not user.access_keys:
        return "no"
    secret = "PGP-encrypted secret" if user.keys_pgp else "secret kept as a stack secret"
    return f"{user.access_keys} key(s) ({secret})"


def _before_mfa(before: BeforeMfa | None) -> str:
    """The evaluator's answer for the first sign-in, a step it refuses in bold."""
    if before is None:
        return "-"
    steps = [f"can {step}" if allowed else f"**cannot {step}**" for step, allowed in before.steps]
    return ", ".join(steps) + ("; **other calls are open**" if before.other_calls_open else "; nothing else")


def _user_mfa(user: UserAccess) -> str:
    if user.disabled or not (user.console or user.access_keys):
        return "-"
    if user.mfa_guard_groups:
        guarded = "required for every call (MFA guard of " + _names(user.mfa_guard_groups) + ")"
        return guarded + ("; keys work only through an MFA session" if user.access_keys else "")
    return "**not enforced**"


def _users(model: AccessModel) -> list[str]:
    lines = ["## Users", ""]
    if not model.users:
        return [*lines, "This stack manages no IAM users."]
    header = [
        "User",
        "Status",
        "Groups",
        "Console",
        "Access keys",
        "MFA",
        "Before MFA (evaluated)",
        "Assumable tiers (account:tier)",
    ]
    rows = []
    for user in model.users:
        who = _code(user.name) + f" ({text(user.path)}" + (f", {text(user.email)})" if user.email else ")")
        status = "disabled: no group, no sign-in, no keys" if user.disabled else "active"
        own = f"; own policies: {_names(p.name for p in user.policies)}" if user.policies else ""
        rows.append(
            [
                who,
                status + own,
                _names(user.groups),
                _console(user),
                _keys(user),
                _user_mfa(user),
                _before_mfa(user.before_mfa),
                _tier_list(user.tiers),
            ]
        )
    return [*lines, *_table(header, rows)]


def _trust_mfa(entry: TrustEntry) -> str:
    if entry.kind in ("service", "federated"):
        return "not applicable"
    if not entry.mfa:
        return "**not required**"
    return "required" + (f", at most {entry.max_mfa_age_seconds} s old" if entry.max_mfa_age_seconds else "")


def _mfa_phrase(entry: TrustEntry) -> str:
    if not entry.mfa:
        return "no MFA"
    return "MFA" + (f" at most {entry.max_mfa_age_seconds} s old" if entry.max_mfa_age_seconds else "")


def _trust_row(entry: TrustEntry) -> list[str]:
    return [text(entry.label), _trust_mfa(entry), "; ".join(_code(c) for c in entry.conditions) or "-"]


def _mfa_section(model: AccessModel) -> list[str]:
    lines = ["## Where MFA is required", ""]
    lines.append(
        "1. **Sign-in and every call of a user.** A group's MFA guard denies everything but password "
        "change and MFA enrolment while no MFA is present (`BoolIfExists aws:MultiFactorAuthPresent "
        "false`), long-term access keys included: keys then work only through an MFA session "
        "(`sts:GetSessionToken`)."
    )
    lines.append("")
    if model.groups:
        rows = [
            [_code(g.name), ("yes: " + _names(g.mfa_guard)) if g.mfa_guard else "**no**", _names(g.members)]
            for g in model.groups
        ]
        lines.extend(_table(["Group", "MFA guard", "Members"], rows))
    else:
        lines.append("This stack manages no groups.")
    lines.extend(
        [
            "",
            "2. **Switching into a role tier.** The tier's trust policy demands MFA (and how recent) from "
            "the principals it trusts; the group's MFA guard demands it of the `sts:AssumeRole` call too.",
            "",
        ]
    )
    rows = [
        [_code(tier.name), *_trust_row(entry), _seconds(tier.max_session_seconds)]
        for tier in model.tiers
        for entry in tier.trust
    ]
    header = ["Tier", "Trusted", "MFA", "Other conditions", "Max session"]
    lines.extend(_table(header, rows) if rows else ["No role tiers."])
    remote = sorted(
        {grant.tier.label for group in model.groups for grant in group.tiers if not grant.tier.local}
    )
    if remote:
        lines.extend(
            [
                "",
                f"Tiers in other accounts ({_names(remote, cell=False)}): their trust is defined by the "
                "stack that manages that account; here, each group's MFA guard demands MFA for the switch.",
            ]
        )
    return lines


def _seconds(value: int | None) -> str:
    return f"{value} s" if value is not None else "AWS default"


def _group(group: GroupAccess) -> list[str]:
    lines = [f"### Group {_prose(group.name)}", ""]
    lines.append(f"- Path: {_prose(group.path)}; members: {_names(group.members, cell=False)}")
    guard = (
        "yes, in " + _names(group.mfa_guard, cell=False)
        if group.mfa_guard
        else "**no**: members act without MFA"
    )
    lines.append(f"- MFA guard: {guard}")
    lines.extend(["", "May assume:", ""])
    if group.tiers:
        rows = [[_code(grant.tier.label), _step_mfa(grant)] for grant in group.tiers]
        lines.extend(_table(["Tier (account:tier)", "MFA at this step"], rows))
    else:
        lines.append("No role.")
    lines.extend(
        ["", "Policies:", "", *_policies(group.policies), "", "What it may do:", "", *_access(group.access)]
    )
    return lines


def _role(role: RoleAccess, model: AccessModel) -> list[str]:
    kind = "Tier" if role.tier else "Service role"
    lines = [f"### {kind} {_prose(role.name)}", ""]
    if role.description.strip():
        lines.extend([text(role.description), ""])
    identity = _prose(role.arn) if role.named else "named by the provider at creation"
    session = _seconds(role.max_session_seconds)
    lines.append(f"- Account {text(model.account_id)}; ARN: {identity}; max session: {session}")
    if role.boundary:
        lines.append(f"- Permissions boundary: {_prose(role.boundary)}")
    if role.tier:
        reached = [
            f"{_prose(group.name)} ({_names(group.members, 'no members', cell=False)})"
            for group in model.groups
            if group.name in role.granted_by
        ]
        lines.append(f"- Assumable through groups: {', '.join(reached) or 'none of this stack'}")
    lines.extend(["", "Trusted:", ""])
    rows = [_trust_row(entry) for entry in role.trust]
    lines.extend(_table(["Trusted", "MFA", "Other conditions"], rows) if rows else ["Nobody."])
    lines.extend(
        ["", "Policies:", "", *_policies(role.policies), "", "What it may do:", "", *_access(role.access)]
    )
    return [*lines, *admin_tier_lines(role.access, role.admin_tier_of, ADMIN_TIERS_POLICY)]


def _summary(model: AccessModel) -> list[str]:
    active = [user for user in model.users if not user.disabled]
    console = sum(1 for user in active if user.console)
    keys = sum(1 for user in active if user.access_keys)
    disabled = len(model.users) - len(active)
    lines = [
        "## Summary",
        "",
        f"- Users: {len(active)} active ({console} with console access, {keys} with access keys), "
        f"{disabled} disabled. Groups: {len(model.groups)}. Role tiers: {len(model.tiers)}. Service roles: "
        f"{len(model.service_roles)}.",
    ]
    for tier in (tier for tier in model.tiers if tier.access.full_admin):
        users = sorted(
            {
                user.name
                for user in active
                for grant in user.tiers
                if grant.tier.local and grant.tier.name == tier.name
            }
        )
        reach = [f"users {_names(users, cell=False)}"] if users else []
        reach += [
            f"{text(entry.label)} ({_mfa_phrase(entry)})" if entry.kind == "account" else text(entry.label)
            for entry in tier.trust
            if not (entry.kind == "account" and entry.principal == model.account_id)
        ]
        lines.append(f"- Full admin: tier {_prose(tier.name)}, assumable by {'; '.join(reach) or 'nobody'}.")
    for group in model.groups:
        if group.access.full_admin:
            members = _names(group.members, "no members", cell=False)
            lines.append(f"- **Full admin without switching**: group {_prose(group.name)} ({members}).")
    unguarded = [
        _prose(user.name)
        for user in active
        if (user.console or user.access_keys) and not user.mfa_guard_groups
    ]
    lines.append(f"- Users without an MFA guard: {', '.join(unguarded) or 'none'}.")
    escalating = [_prose(group.name) for group in model.groups if group.access.escalations]
    escalating += [
        _prose(role.name) + (" (an admin tier in the pack config)" if role.admin_tier_of else "")
        for role in model.roles
        if role.access.escalations
    ]
    lines.append(f"- Privilege escalation findings: {', '.join(escalating) or 'none'}.")
    lines.append(f"- Exemptions in force: {len(model.exemptions) or 'none'}.")
    if model.identity_center is not None:
        lines.extend(identity_center_summary(model.identity_center))
    return lines


def _exemptions(model: AccessModel) -> list[str]:
    lines = ["## Exemptions in force", ""]
    if not model.exemptions:
        return [*lines, "No exemption is in force."]
    rows = [
        [
            _code(e.policy),
            _code(e.resource),
            text(e.reason),
            text(e.owner) if e.owner else "-",
            e.expires.isoformat(),
        ]
        for e in model.exemptions
    ]
    return [*lines, *_table(["Policy", "Resource", "Reason", "Owner", "Expires (last day)"], rows)]


def _header(model: AccessModel) -> list[str]:
    account = text(model.account_id) + (f" ({text(model.account_alias)})" if model.account_alias else "")
    sources = model.sources
    stack = comment(model.stack)
    return [
        f"<!-- Generated by `iamtiers report --stack {stack}` ({REGENERATE}); do not edit. -->",
        f"# Access: stack {_prose(model.stack)}, account {account}",
        "",
        "Who can do what, for access reviews. Generated from an offline update-mode run of the program "
        "(the IAM resources `pulumi up` would create), analysed with the policy pack's own evaluation.",
        "",
        *_table(
            ["Generated from", "Version"],
            [
                ["Stack file", f"{_code(sources.stack_file)} (project {_code(model.project)})"],
                ["Pack config", _code(sources.pack_config) if sources.pack_config else "none"],
                ["Policy pack", text(sources.pack_version)],
                ["Action catalog", text(sources.catalog_version)],
                ["AWS-managed policies", text(sources.managed_policies)],
            ],
        ),
        "",
        "How to read the access tables: per service, the allowed actions at each access level out of all "
        "the catalog's actions at that level (`all` when every one is allowed, `-` for none); *Limited* "
        "counts the allowed actions that are granted only on named resources or under a condition on the "
        "target.",
    ]


def render_report(model: AccessModel) -> str:
    """The whole document, ending with a newline."""
    sections: list[list[str]] = [
        _header(model),
        _summary(model),
        _users(model),
        _mfa_section(model),
        [
            "## Diagram",
            "",
            f"Users → groups → role tiers, per account, and the principals outside this account's groups "
            f"that a tier trusts. Edges into a tier say what the switch demands: `{ASSUME_WITH_MFA}`, "
            f"`{ASSUME_WITHOUT_MFA}`, `{ASSUME_FEDERATED}` (OIDC or SAML) or `{ASSUME_AS_SERVICE}`. Disabled "
            "users are left out."
            + (
                " Identity Center: directory groups (and users assigned directly) → permission sets → "
                "the accounts each is assigned in, drawn beside each set."
                if model.identity_center is not None
                else ""
            ),
            "",
            render_diagram(model),
        ],
        ["## Groups", *(line for group in model.groups for line in ["", *_group(group)])]
        if model.groups
        else ["## Groups", "", "This stack manages no groups."],
        ["## Role tiers", *(line for tier in model.tiers for line in ["", *_role(tier, model)])]
        if model.tiers
        else ["## Role tiers", "", "This stack manages no role tiers."],
    ]
    if model.service_roles:
        sections.append(
            ["## Service roles", *(line for r in model.service_roles for line in ["", *_role(r, model)])]
        )
    if model.identity_center is not None:
        sections.append(identity_center_section(model.identity_center))
    if model.break_glass:
        sections.append(break_glass_section(model.break_glass))
    sections.append(_exemptions(model))
    if model.unresolved:
        sections.append(["## Not resolved", "", *(f"- {text(item)}" for item in model.unresolved)])
    return "\n\n".join("\n".join(section) for section in sections) + "\n"
