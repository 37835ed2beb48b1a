"""Full admin (`*` on `*`, however spelt) only in the configured admin tiers, which must require MFA.

An admin tier is a role or an Identity Center permission set named in `admin_tiers`. A permission set
has no trust policy: who may use an admin set is judged by identity-center-assignments-safe.

The escalation rules spare an admin tier's own policies; that holds only while the pack sees the tier's
trust require MFA. So an admin tier given admin-like power (full admin, IAM's permissions management on
every resource, an escalation or takeover method) must be in this stack with an MFA-gated trust.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from iam_guard import action_sets, types
from iam_guard.documents import PolicyDocumentError, UnknownDocumentError, parse_lenient
from iam_guard.escalation import completed_with_grants, describe
from iam_guard.evaluation import EffectivePermissions, evaluate, iam_permissions_management_set
from iam_guard.rule_support import ADMIN_TIERS_SCHEMA, stack_rule, string_list
from iam_guard.stack_model import Principal, StackModel

Report = Callable[[str, str, "str | None"], None]


def _admin_power(permissions: EffectivePermissions) -> str | None:
    """What makes a tier's grants admin-like (what the escalation rules leave to this rule), or None."""
    if permissions.is_full_admin():
        through = sorted({g.where for g in permissions.grants_for("iam:passrole")})
        return f"full admin through {', '.join(through)}" if through else "full admin"
    management = sorted(
        action
        for action in action_sets.names(permissions.allowed_set & iam_permissions_management_set())
        if permissions.usable_grants(action, broad=True)
    )
    if management:
        through = sorted({g.where for a in management for g in permissions.usable_grants(a, broad=True)})
        shown = ", ".join(management[:3]) + (
            f" and {len(management) - 3} more" if len(management) > 3 else ""
        )
        return f"IAM permissions management on every resource ({shown}) through {', '.join(through)}"
    for hijack in (False, True):
        if methods := completed_with_grants(permissions, hijack=hijack):
            return describe(methods)
    return None


def _check_admin_tier(model: StackModel, principal: Principal, report: Report) -> None:
    """An admin tier with admin-like power must be seen to require MFA to assume."""
    power = _admin_power(model.permissions(principal))
    if power is None:
        return
    if principal.urn is None:
        # The tier's trust is not in this stack: it cannot be seen to require MFA.
        for urn in sorted({d.source_urn for d in principal.documents}):
            report(
                "IAM-ADMIN-002",
                f"admin tier {principal.label} is not managed in this stack, so the pack cannot see "
                f"whether its trust requires MFA, and this stack gives it {power}; grant it in the stack "
                "that defines the role",
                urn,
            )
        return
    role = model.by_urn.get(principal.urn)
    if role is not None and types.is_unknown(role.props.get("assumeRolePolicy")):
        return  # the trust is judged when the update runs (preview-unresolved-values says so)
    if not model.requires_mfa_to_assume(principal):
        report(
            "IAM-ADMIN-002",
            f"admin tier {principal.label} can be assumed without MFA, and has {power}",
            principal.urn,
        )


def check(model: StackModel, config: dict[str, Any], report: Report) -> None:
    admin_tiers = set(string_list(config, "admin_tiers"))
    # Principals of this stack, and those outside it that this stack grants policies to.
    judged = [p for p in model.principals.values() if p.urn is not None or p.documents]
    for principal in judged:
        if principal.kind == "role" and principal.key in admin_tiers:
            _check_admin_tier(model, principal, report)
            continue
        if model.is_admin_tier(principal, admin_tiers):
            # A permission set has no trust policy: Identity Center signs its users in, and
            # identity-center-assignments-safe decides who may be assigned an admin set.
            continue
        documents = model.effective_documents(principal)
        if not model.permissions(principal).is_full_admin():
            continue
        if principal.kind == "user" and any(
            model.principal("group", group).urn is not None
            and model.evaluated(model.principal("group", group).documents).is_full_admin()
            for group in principal.groups
        ):
            continue  # reported once, on the group that makes its members admin
        # Name the statements that grant admin on their own (every admin grant covers iam:PassRole, so
        # its grants name them); if no document does alone, name the documents that add up to it.
        decisive = [d for d in documents if model.evaluated([d]).is_full_admin()]
        through = ", ".join(
            sorted({g.where for d in decisive for g in model.evaluated([d]).grants_for("iam:passrole")})
        ) or " + ".join(sorted({d.label for d in documents}))
        decisive = decisive or documents
        for urn in [principal.urn] if principal.urn else sorted({d.source_urn for d in decisive}):
            report(
                "IAM-ADMIN-001",
                f"{principal.label} has full admin through {through}",
                urn,
            )
    # A customer policy that is admin by itself is a loaded gun even before anything attaches it.
    attached_to_admin_tiers = {
        d.origin_urn
        for p in model.in_stack_principals()
        if model.is_admin_tier(p, admin_tiers)
        for d in p.documents
        if d.origin_urn
    }
    for policy in model.of_type(types.POLICY):
        try:
            parsed = parse_lenient(policy.props.get("policy"))
        except (UnknownDocumentError, PolicyDocumentError):
            continue
        permissions = evaluate([parsed])
        if permissions.is_full_admin() and policy.urn not in attached_to_admin_tiers:
            through = ", ".join(sorted({g.where for g in permissions.grants_for("iam:passrole")}))
            report(
                "IAM-ADMIN-001",
                f"policy '{policy.name}' grants full admin ({through}) and is attached to no admin tier",
                policy.urn,
            )


POLICY = stack_rule(
    name="no-full-admin-access",
    description="Only MFA-gated admin tiers hold full administrator access.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Move admin into a role tier listed in admin_tiers whose trust requires MFA.",
    config_properties={"admin_tiers": ADMIN_TIERS_SCHEMA},
)
