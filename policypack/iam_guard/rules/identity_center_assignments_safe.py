"""Mandatory: who may use an Identity Center permission set.

An admin permission set (named in `admin_tiers`, or one that holds full admin) is assigned only to a
GROUP listed in `admin_groups`: never to a USER. A group of this stack (`aws:identitystore/group:Group`,
linked by its `groupId` output or the property dependency) is matched by its display name; a group the
pack cannot see (looked up by the program) by its principalId. An assignment whose permission set is
not in this stack may be admin: it is judged as one (fail closed).

With `management_account_id` set, only the sets in `management_account_permission_sets` are assigned
in the management account (Landing Zone Accelerator refuses such assignments from a delegated
administrator too). A value known only after the update that decides a verdict is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from iam_guard import types
from iam_guard.identity_center import Assignment
from iam_guard.rule_support import ADMIN_TIERS_SCHEMA, PackConfigError, config_value, stack_rule, string_list
from iam_guard.stack_model import PERMISSION_SET_KIND, StackModel

Report = Callable[[str, str, "str | None"], None]

NAMES_SCHEMA: dict[str, Any] = {"type": "array", "items": {"type": "string", "minLength": 1}, "default": []}


def _admin(model: StackModel, assignment: Assignment, admin_tiers: set[str]) -> str | None:
    """Why the assignment's set counts as admin, or None."""
    view = assignment.permission_set
    if view.resource is None:
        return f"{view.shown} may be admin: the pack cannot see it"
    if view.name in admin_tiers:
        return f"{view.shown} is an admin tier"
    if model.permissions(model.principal(PERMISSION_SET_KIND, view.key)).is_full_admin():
        return f"{view.shown} holds full admin"
    return None


def _judge_admin(assignment: Assignment, why: str, admin_groups: set[str], report: Report) -> None:
    urn = assignment.resource.urn
    kind = assignment.principal_type
    if kind == "USER":
        report("IAM-IC-010", f"{assignment.resource.name}: {why}, and is assigned to a USER", urn)
    elif kind != "GROUP":
        shown = "known only after the update" if types.is_unknown(kind) else repr(kind)
        report("IAM-IC-010", f"{assignment.resource.name}: {why}, and its principalType is {shown}", urn)
    elif assignment.principal is None:
        report(
            "IAM-IC-011",
            f"{assignment.resource.name}: {why}, and its group is known only after the update",
            urn,
        )
    elif assignment.principal not in admin_groups:
        group = (
            f"group '{assignment.principal}'"
            if assignment.principal_seen
            else f"group {assignment.principal} (not in this stack: matched by principalId)"
        )
        report("IAM-IC-011", f"{assignment.resource.name}: {why}, and is assigned to {group}", urn)


def _judge_management(assignment: Assignment, account: str, allowed: set[str], report: Report) -> None:
    name = assignment.permission_set.name
    if name is not None and name in allowed:
        return
    target = assignment.target
    shown = assignment.permission_set.shown
    if types.is_unknown(target):
        report(
            "IAM-IC-012",
            f"{assignment.resource.name}: its account is known only after the update, and {shown} is not "
            "in management_account_permission_sets",
            assignment.resource.urn,
        )
    elif target == account:
        report(
            "IAM-IC-012",
            f"{assignment.resource.name}: {shown} is assigned in the management account {account}",
            assignment.resource.urn,
        )


def check(model: StackModel, config: dict[str, Any], report: Report) -> None:
    admin_tiers = set(string_list(config, "admin_tiers"))
    admin_groups = set(string_list(config, "admin_groups"))
    account = config_value(config, "management_account_id", "", str)
    allowed = set(string_list(config, "management_account_permission_sets"))
    if allowed and not account:
        raise PackConfigError("'management_account_permission_sets' needs 'management_account_id'")
    for assignment in model.identity_center.assignments:
        if why := _admin(model, assignment, admin_tiers):
            _judge_admin(assignment, why, admin_groups, report)
        if account:
            _judge_management(assignment, account, allowed, report)


POLICY = stack_rule(
    name="identity-center-assignments-safe",
    description="Admin permission sets go only to admin groups; the management account gets only its listed sets.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Assign admin sets to a group in admin_groups; assign only listed sets in the management account.",
    config_properties={
        "admin_tiers": ADMIN_TIERS_SCHEMA,
        "admin_groups": {
            **NAMES_SCHEMA,
            "description": (
                "Identity-store groups that may be assigned an admin permission set: display names of "
                "groups in the stack, principalIds of groups outside it."
            ),
        },
        "management_account_id": {
            "type": "string",
            "pattern": "^[0-9]{12}$",
            "description": "The organization's management account; assignments there are restricted.",
        },
        "management_account_permission_sets": {
            **NAMES_SCHEMA,
            "description": "Permission sets that may be assigned in the management account.",
        },
    },
)
