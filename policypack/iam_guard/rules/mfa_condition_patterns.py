"""MFA conditions that look right but do not work (AWS IAM User Guide, parliament BAD_PATTERN_FOR_MFA)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from iam_guard.rule_support import parsed_documents, resource_rule

# Single-valued global keys on which ForAllValues/ForAnyValue are a mistake.
SINGLE_VALUED_KEYS = frozenset(
    {
        "aws:multifactorauthpresent",
        "aws:multifactorauthage",
        "aws:securetransport",
        "aws:sourceip",
        "aws:principalarn",
        "aws:principalaccount",
        "aws:requestedregion",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:username",
        "aws:userid",
        "aws:principalorgid",
        "sts:externalid",
    }
)
MFA_KEY = "aws:multifactorauthpresent"


def check(
    args: ResourceValidationArgs,
    props: dict[str, Any],
    config: dict[str, Any],
    report: Callable[[str, str], None],
) -> None:
    for site, document in parsed_documents(args.resource_type, props, kind=None):
        for statement in document.statements:
            where = f"{args.name}.{site.label} {statement.label}"
            for condition in statement.conditions:
                key = condition.key_lower
                if condition.set_qualifier and key in SINGLE_VALUED_KEYS:
                    report("IAM-MFA-003", f"{where}: {condition.operator} on {condition.key}")
                if key != MFA_KEY:
                    continue
                values = {v.lower() for v in condition.values}
                if (
                    statement.effect == "Deny"
                    and condition.base_operator == "Bool"
                    and not condition.if_exists
                    and "false" in values
                ):
                    report("IAM-MFA-001", f"{where}: Deny with Bool {condition.key} = false")
                if (
                    statement.effect == "Allow"
                    and condition.base_operator == "Bool"
                    and condition.if_exists
                    and "true" in values
                ):
                    report("IAM-MFA-002", f"{where}: Allow with BoolIfExists {condition.key} = true")
                if condition.base_operator == "Null":
                    report(
                        "IAM-MFA-004",
                        f"{where}: {statement.effect} with Null {condition.key} = {sorted(values)}",
                    )


POLICY = resource_rule(
    name="mfa-condition-patterns",
    description="MFA conditions use the patterns that work: Deny on BoolIfExists false, Allow on Bool true.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Deny with BoolIfExists aws:MultiFactorAuthPresent = false; Allow with Bool ... = true; no set operators on single-valued keys.",
)
