"""Per principal, all its policies together (a group's, or a user's groups') complete no escalation method, and no
AWS-managed policy it holds completes one on its own; a permissions boundary caps what is judged.

An Identity Center permission set is a principal like a role (its inline policy, managed policies and
boundary, linked by `permissionSetArn`); an AWS-managed policy that takes over existing compute on a
set outside admin_tiers is reported here too (IAM-ESC-005), where the set's name is known."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from iam_guard.escalation import completed_methods, completed_with_grants, describe
from iam_guard.rule_support import ADMIN_TIERS_SCHEMA, stack_rule, string_list
from iam_guard.stack_model import PERMISSION_SET_KIND, AttachedDocument, StackModel

Report = Callable[[str, str, "str | None"], None]


def _method_ids(model: StackModel, documents: list[AttachedDocument]) -> set[str]:
    return {m.method_id for m in completed_methods(model.evaluated(documents))}


def check(model: StackModel, config: dict[str, Any], report: Report) -> None:
    admin_tiers = set(string_list(config, "admin_tiers"))
    for principal in model.in_stack_principals():
        if model.is_admin_tier(principal, admin_tiers):
            continue
        documents = model.effective_documents(principal)
        permissions = model.permissions(principal)
        if permissions.is_full_admin():
            continue  # no-full-admin-access reports it
        already: set[str] = set()
        for document in documents:  # single in-stack documents are reported on their own resource
            if not document.aws_managed:
                already |= _method_ids(model, [document])
        if principal.kind == "user":  # a group's own combination is reported on the group
            for group in principal.groups:
                already |= _method_ids(model, model.principal("group", group).documents)
        # An AWS-managed policy that escalates on its own is reported where it is attached, capped by
        # the holder's permissions boundary (it is not reported again on the holder's members).
        for document in principal.documents:
            if not document.aws_managed:
                continue
            single = model.bounded(principal, model.evaluated([document]))
            # no-compute-takeover judges one resource, which cannot show whose permission set it
            # attaches to (an admin tier's?): a set's AWS-managed takeovers are reported here.
            takeovers = (
                completed_with_grants(single, hijack=True) if principal.kind == PERMISSION_SET_KIND else {}
            )
            if takeovers:
                report(
                    "IAM-ESC-005",
                    f"{document.label} attached to {principal.label} can take over {describe(takeovers)}",
                    document.source_urn,
                )
            methods = completed_with_grants(single)
            if methods:
                already |= {m.method_id for m in methods}
                report(
                    "IAM-ESC-001",
                    f"{document.label} attached to {principal.label} completes {describe(methods)}",
                    document.source_urn,
                )
        combined = {m: g for m, g in completed_with_grants(permissions).items() if m.method_id not in already}
        if combined:
            report(
                "IAM-ESC-002",
                f"{principal.label} completes {describe(combined)}",
                principal.urn,
            )


POLICY = stack_rule(
    name="no-privilege-escalation-across-policies",
    description="No principal can raise its privileges by combining its policies.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Remove or scope one action of each listed method in one of the named policies.",
    config_properties={"admin_tiers": ADMIN_TIERS_SCHEMA},
)
