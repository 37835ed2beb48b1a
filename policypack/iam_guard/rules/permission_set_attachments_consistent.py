"""Mandatory: each Identity Center permission set is declared so that AWS holds what the stack says.

- exclusive and per-item attachment resources are not mixed on one set (the exclusive one detaches
  the others' policies on every update), nor two exclusive ones of a kind;
- at most one permissions boundary and one inline policy (AWS holds one of each; the last write wins);
- at most 20 managed policies (AWS-managed plus customer-managed);
- a name AWS accepts (1 to 32 of letters, digits and +=,.@_-).

An inline policy over the size quota is reported by policy-size-quota.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from iam_guard import types
from iam_guard.identity_center import PermissionSetView
from iam_guard.rule_support import stack_rule
from iam_guard.stack_model import PERMISSION_SET_KIND, StackModel

Report = Callable[[str, str, "str | None"], None]

MAX_MANAGED_POLICIES = 20  # AWS-managed plus customer-managed, per permission set (Identity Center quotas)
_NAME = re.compile(r"[\w+=,.@-]{1,32}", re.ASCII)
_PAIRS = (
    ("managed", types.SSO_MANAGED_POLICY_ATTACHMENTS_EXCLUSIVE, types.SSO_MANAGED_POLICY_ATTACHMENT),
    (
        "customer-managed",
        types.SSO_CUSTOMER_POLICY_ATTACHMENTS_EXCLUSIVE,
        types.SSO_CUSTOMER_POLICY_ATTACHMENT,
    ),
)


def policy_count(model: StackModel, view: PermissionSetView) -> int:
    """Managed policies the stack attaches to the set (AWS-managed and customer-managed)."""
    principal = model.principal(PERMISSION_SET_KIND, view.key)
    return len({arn for arn, _ in principal.managed_policy_arns}) + len(view.customer_managed)


def _mixed(view: PermissionSetView, report: Report) -> None:
    for label, exclusive_type, item_type in _PAIRS:
        exclusive, items = view.of_type(exclusive_type), view.of_type(item_type)
        if exclusive and (items or len(exclusive) > 1):
            others = ", ".join(sorted(r.name for r in [*exclusive, *items]))
            for resource in exclusive:
                report(
                    "IAM-IC-020",
                    f"{view.shown} has its {label} policies set by {others}; {resource.name} detaches the rest",
                    resource.urn,
                )


def _one_each(view: PermissionSetView, report: Report) -> None:
    checks = (
        ("IAM-IC-021", types.SSO_BOUNDARY_ATTACHMENT, "permissions boundaries"),
        ("IAM-IC-022", types.PERMISSION_SET_INLINE_POLICY, "inline policies"),
    )
    for finding, type_token, what in checks:
        resources = view.of_type(type_token)
        if len(resources) > 1:
            names = ", ".join(sorted(r.name for r in resources))
            for resource in resources:
                report(finding, f"{view.shown} has {len(resources)} {what}: {names}", resource.urn)


def check(model: StackModel, config: dict[str, Any], report: Report) -> None:
    for view in model.identity_center.sets.values():
        _mixed(view, report)
        _one_each(view, report)
        count = policy_count(model, view)
        if count > MAX_MANAGED_POLICIES:
            urn = view.resource.urn if view.resource else view.members[0].urn
            report(
                "IAM-IC-023",
                f"{view.shown} has {count} managed policies; AWS allows {MAX_MANAGED_POLICIES}",
                urn,
            )
        if view.resource is None:
            continue
        name = view.resource.props.get("name")
        if isinstance(name, str) and not types.is_unknown(name) and not _NAME.fullmatch(name):
            report(
                "IAM-IC-024",
                f"permission set name {name!r} is not 1 to 32 of [A-Za-z0-9+=,.@_-]",
                view.resource.urn,
            )


POLICY = stack_rule(
    name="permission-set-attachments-consistent",
    description="Permission sets mix no exclusive and per-item attachments, hold one boundary and one inline policy, at most 20 managed policies, and a valid name.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Declare each permission set's policies one way, once.",
)
