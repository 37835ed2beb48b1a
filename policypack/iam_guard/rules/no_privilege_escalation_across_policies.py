"""Per principal, all its policies together (a group's, or a user's groups') complete no escalation method."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from iam_guard.escalation import completed_methods, describe
from iam_guard.evaluation import evaluate
from iam_guard.rule_support import ADMIN_TIERS_SCHEMA, stack_rule, string_list
from iam_guard.stack_model import AttachedDocument, StackModel

Report = Callable[[str, str, "str | None"], None]


def _method_ids(documents: list[AttachedDocument]) -> set[str]:
    return {m.method_id for m in completed_methods(evaluate(d.document for d in documents))}


def check(model: StackModel, config: dict[str, Any], report: Report) -> None:
    admin_tiers = set(string_list(config, "admin_tiers"))
    for principal in model.in_stack_principals():
        if principal.kind == "role" and principal.key in admin_tiers:
            continue
        documents = model.effective_documents(principal)
        permissions = evaluate(d.document for d in documents)
        if permissions.is_full_admin():
            continue  # no-full-admin-access reports it
        already: set[str] = set()
        for document in documents:  # single in-stack documents are reported on their own resource
            if not document.aws_managed:
                already |= _method_ids([document])
        if principal.kind == "user":  # a group's own combination is reported on the group
            for group in principal.groups:
                already |= _method_ids(model.principal("group", group).documents)
        methods = [m for m in completed_methods(permissions) if m.method_id not in already]
        if methods:
            sources = ", ".join(sorted({d.label for d in documents}))
            report(
                "IAM-ESC-002",
                f"{principal.label} completes {describe(methods)} through {sources}",
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
