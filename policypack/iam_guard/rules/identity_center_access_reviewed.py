"""Advisory: Identity Center access that works but needs a person's review.

- a permission set assigned to a USER (access then follows no group membership);
- 11 to 20 managed policies on one set: IAM's quota of 10 per role must be raised in every account
  the set is assigned to, or provisioning fails there;
- a customer-managed policy or boundary, which lives in each target account: the pack cannot read it,
  so judges none of what it grants (and a boundary it cannot read caps nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from iam_guard.rule_support import stack_rule
from iam_guard.rules.permission_set_attachments_consistent import MAX_MANAGED_POLICIES, policy_count
from iam_guard.stack_model import StackModel

Report = Callable[[str, str, "str | None"], None]

IAM_ROLE_QUOTA = 10  # managed policies per IAM role, the default in every account


def check(model: StackModel, config: dict[str, Any], report: Report) -> None:
    for assignment in model.identity_center.assignments:
        if assignment.principal_type == "USER":
            report(
                "IAM-IC-030",
                f"{assignment.resource.name}: {assignment.permission_set.shown} is assigned to user "
                f"{assignment.principal or 'unknown until the update'}",
                assignment.resource.urn,
            )
    for view in model.identity_center.sets.values():
        count = policy_count(model, view)
        if IAM_ROLE_QUOTA < count <= MAX_MANAGED_POLICIES:
            urn = view.resource.urn if view.resource else view.members[0].urn
            report(
                "IAM-IC-031",
                f"{view.shown} has {count} managed policies; IAM allows {IAM_ROLE_QUOTA} per role unless "
                "the quota is raised in every target account",
                urn,
            )
        for name, urn in view.customer_managed:
            report(
                "IAM-IC-032",
                f"{view.shown} attaches customer-managed policy '{name}', which the pack cannot read",
                urn,
            )
        for why, urn in view.unread_boundaries:
            report(
                "IAM-IC-032", f"{view.shown}'s permissions boundary caps nothing the pack judges: {why}", urn
            )


POLICY = stack_rule(
    name="identity-center-access-reviewed",
    description="Identity Center access that needs review: user assignments, over 10 managed policies, policies the pack cannot read.",
    check=check,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    remediation="Assign groups, raise the IAM quota where needed, and review customer-managed policies in each account.",
)
