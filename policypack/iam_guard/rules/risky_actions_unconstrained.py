"""Advisory: credentials-exposure and data-exfiltration actions on every resource, and unconstrained
write or permissions-management actions (cloudsplaining's categories, evaluated after Deny)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from iam_guard.catalog import PERMISSIONS_MANAGEMENT, access_level, is_unrestrictable
from iam_guard.data.credentials_exposure import CREDENTIALS_EXPOSURE_ACTIONS
from iam_guard.data.data_exfiltration import DATA_EXFILTRATION_ACTIONS
from iam_guard.evaluation import EffectivePermissions, evaluate
from iam_guard.rule_support import (
    ADMIN_TIERS_SCHEMA,
    belongs_to_admin_tier,
    parsed_documents,
    resource_rule,
)

_SHOWN = 8  # actions listed per finding; the count says how many there are


def _listing(actions: list[str]) -> str:
    shown = ", ".join(actions[:_SHOWN])
    return f"{shown} (+{len(actions) - _SHOWN} more)" if len(actions) > _SHOWN else shown


def _statements(permissions: EffectivePermissions, actions: list[str]) -> str:
    """The statements that grant `actions` on every resource, so the finding points at what to change."""
    labels = {
        g.statement.label
        for action in actions
        for g in permissions.grants[action]
        if not g.statement.conditions and (g.resources is None or "*" in g.resources)
    }
    return ", ".join(sorted(labels))


def check(
    args: ResourceValidationArgs,
    props: dict[str, Any],
    config: dict[str, Any],
    report: Callable[[str, str], None],
) -> None:
    if belongs_to_admin_tier(args.resource_type, props, config):
        return
    for site, document in parsed_documents(args.resource_type, props, include_aws_managed=True):
        permissions = evaluate([document])
        on_everything = {
            action
            for action, grants in permissions.grants.items()
            # As cloudsplaining counts them: any condition on the statement is taken as a constraint.
            if any(g.resources is None or "*" in g.resources for g in grants if not g.statement.conditions)
        }
        exposure = sorted(on_everything & (CREDENTIALS_EXPOSURE_ACTIONS | DATA_EXFILTRATION_ACTIONS))
        if exposure:
            report(
                "IAM-RISK-001",
                f"{args.name}.{site.label} allows {_listing(exposure)} on every resource "
                f"({_statements(permissions, exposure)})",
            )
        modifying = sorted(
            action
            for action in on_everything
            if not is_unrestrictable(action) and access_level(action) in ("Write", PERMISSIONS_MANAGEMENT)
        )
        if modifying:
            report(
                "IAM-RISK-002",
                f"{args.name}.{site.label} allows {len(modifying)} write or permissions-management "
                f"action(s) on every resource ({_statements(permissions, modifying)}): {_listing(modifying)}",
            )


POLICY = resource_rule(
    name="risky-actions-unconstrained",
    description="Sensitive actions are scoped to the resources that are meant.",
    check=check,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    remediation="Scope the listed actions to specific resource ARNs or add a narrowing condition.",
    config_properties={"admin_tiers": ADMIN_TIERS_SCHEMA},
)
