"""The access document's "Identity Center" section and summary line, for a stack that manages one:
groups → permission sets → accounts, the directory, the MFA attestation and each permission set's
grants, in the words and tables the role tiers use. Every configured string is escaped for where it
lands (offline/access/tables.py, offline/reporting/markdown_text.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from offline.access.identity_center import (
    AWS_DEFAULT_SESSION,
    AccountRef,
    IdentityCenterAccess,
    MfaAttestation,
    PermissionSetAccess,
    SetAssignment,
)
from offline.access.model import ADMIN_TIERS_POLICY
from offline.access.tables import (
    access_lines,
    admin_tier_lines,
    cell_code,
    names,
    policies_table,
    prose_code,
    table,
)
from offline.reporting.markdown_text import code, text

MFA_RULE = "identity-center-mfa-attested"
LISTED_RULES = 3  # more rules holding a set in `admin_tiers` are counted in the table, not named


def _principal(assignment: SetAssignment, *, cell: bool) -> str:
    name = code(assignment.principal, cell=cell)
    return name if assignment.principal_type == "GROUP" else f"user {name} (assigned directly)"


def _accounts(accounts: Sequence[AccountRef], *, cell: bool) -> str:
    return ", ".join(
        f"{code(a.name, cell=cell)} ({text(a.account_id)})" if a.name else text(a.account_id)
        for a in accounts
    )


def _admin(entry: PermissionSetAccess | None) -> str:
    if entry is None:
        return "unknown: not in this stack"
    if len(entry.admin_tier_of) > LISTED_RULES:  # the set's own section lists them all
        return f"yes: admin tier of {len(entry.admin_tier_of)} pack rules"
    if entry.admin_tier_of:
        return "yes: admin tier of " + names(entry.admin_tier_of)
    if entry.access.full_admin:
        return "**full admin, not an admin tier**"
    return "no"


def _session(entry: PermissionSetAccess | None) -> str:
    if entry is None or entry.session_duration is None:
        return f"{AWS_DEFAULT_SESSION} (AWS default)"
    return text(entry.session_duration)


def _assignments(center: IdentityCenterAccess) -> list[str]:
    if not center.assignments:
        return ["No assignment: nobody signs in to a permission set of this stack."]
    sets = {entry.name: entry for entry in center.permission_sets}
    rows = [
        [
            _principal(a, cell=True),
            cell_code(a.permission_set),
            _accounts(a.accounts, cell=True),
            _admin(sets.get(a.permission_set)),
            _session(sets.get(a.permission_set)),
        ]
        for a in center.assignments
    ]
    return table(["Group", "Permission set", "Accounts", "Admin", "Session duration"], rows)


def _directory(center: IdentityCenterAccess) -> list[str]:
    lines = ["### Directory", ""]
    if center.groups:
        lines.extend(
            table(["Group", "Members"], ([cell_code(g.name), names(g.members)] for g in center.groups))
        )
    else:
        lines.append(
            "This stack creates no directory group (an external identity provider may provision them)."
        )
    lines.extend(["", f"Directory users: {names(center.users, cell=False)}."])
    return lines


def _attestation_warnings(attestation: MfaAttestation, max_age: int) -> list[str]:
    on = names(attestation.permission_sets, cell=False)
    warnings = []
    if attestation.problems:
        problems = "; ".join(text(problem) for problem in attestation.problems)
        warnings.append(f"- **Warning: the MFA attestation is missing or malformed** on {on}: {problems}.")
    if attestation.stale:
        warnings.append(
            f"- **Warning: the MFA attestation is older than {max_age} days** on {on}: check Settings > "
            "Authentication in the console and update `identity_center.mfa`."
        )
    return warnings


def _mfa(center: IdentityCenterAccess) -> list[str]:
    lines = [
        "### MFA attestation",
        "",
        "Identity Center's MFA setting (Settings > Authentication in the console) has no API: the stack "
        f"attests it on every permission set, and the pack's `{MFA_RULE}` judges the attestation.",
        "",
    ]
    if not center.attestations:
        return [*lines, "No permission set, so no attestation."]

    def shown(value: str | None) -> str:
        return text(value) if value else "**missing**"

    rows = [
        [names(a.permission_sets), shown(a.mode), shown(a.attested_by), shown(a.attested_on)]
        for a in center.attestations
    ]
    lines.extend(table(["Permission sets", "Mode", "Attested by", "Attested on"], rows))
    warnings = [
        line
        for a in center.attestations
        for line in _attestation_warnings(a, center.max_attestation_age_days)
    ]
    return [*lines, "", *warnings] if warnings else lines


def _permission_set(entry: PermissionSetAccess, center: IdentityCenterAccess) -> list[str]:
    lines = [f"### Permission set {prose_code(entry.name)}", ""]
    if entry.description.strip():
        lines.extend([text(entry.description), ""])
    lines.append(f"- Session duration: {_session(entry)}")
    if entry.boundary:
        lines.append(f"- Permissions boundary: {prose_code(entry.boundary)}")
    assigned = [
        f"{_principal(a, cell=False)} in {_accounts(a.accounts, cell=False)}"
        for a in center.assignments
        if a.permission_set == entry.name
    ]
    lines.append(f"- Assigned to: {'; '.join(assigned) or 'nobody'}")
    lines.extend(["", "Policies:", "", *policies_table(entry.policies)])
    if entry.unread:
        lines.extend(["", "Not read by the pack (what it may do can differ from the table below):", ""])
        lines.extend(f"- {text(why)}" for why in entry.unread)
    lines.extend(["", "What it may do:", "", *access_lines(entry.access)])
    return [*lines, *admin_tier_lines(entry.access, entry.admin_tier_of, ADMIN_TIERS_POLICY)]


def identity_center_section(center: IdentityCenterAccess) -> list[str]:
    """The "## Identity Center" section."""
    lines = [
        "## Identity Center",
        "",
        "Who signs in through the access portal and what they get: an assignment lets a directory group's "
        "members (or one user) use a permission set in an account, where Identity Center makes it a role. "
        "Admin: the set is named in the pack config's `admin_tiers`, or grants full admin.",
        "",
        *_assignments(center),
        "",
        *_directory(center),
        "",
        *_mfa(center),
    ]
    for entry in center.permission_sets:
        lines.extend(["", *_permission_set(entry, center)])
    return lines


def identity_center_summary(center: IdentityCenterAccess) -> list[str]:
    """The summary's lines about Identity Center."""
    attestation = (
        "**missing or malformed**"
        if any(a.problems for a in center.attestations)
        else f"**older than {center.max_attestation_age_days} days**"
        if any(a.stale for a in center.attestations)
        else "current"
    )
    lines = [
        f"- Identity Center: {len(center.permission_sets)} permission sets, {len(center.groups)} directory "
        f"groups, {len(center.users)} directory users, {len(center.assignments)} assignments; MFA "
        f"attestation: {attestation}."
    ]
    for entry in center.permission_sets:
        if entry.access.full_admin:
            users = [_principal(a, cell=False) for a in center.assignments if a.permission_set == entry.name]
            reach = ", ".join(users) or "nobody"
            lines.append(f"- Full admin: permission set {prose_code(entry.name)}, assigned to {reach}.")
    return lines
