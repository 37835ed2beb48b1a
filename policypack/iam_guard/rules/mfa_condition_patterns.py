"""MFA conditions that look right but do not work (AWS IAM User Guide, parliament BAD_PATTERN_FOR_MFA),
and force-MFA Denies that lock out the first sign-in or let a caller without MFA remove it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from iam_guard.catalog import expand_all
from iam_guard.documents import Condition, Statement
from iam_guard.evaluation import granting_allows
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
# What a user holding only the generated password must still be able to call, to change it at the
# first sign-in and enrol MFA (AWS IAM User Guide, "Allows MFA-authenticated IAM users to manage their
# own credentials"; the program's MFA_BOOTSTRAP_ACTIONS).
FIRST_SIGN_IN_ACTIONS = (
    "iam:ChangePassword",
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:GetUser",
    "iam:ListMFADevices",
)
# What takes MFA off a user: exempted from a force-MFA Deny, a caller without MFA can do it (AWS's
# older example policy exempted iam:DeleteVirtualMFADevice).
MFA_REMOVAL_ACTIONS = ("iam:DeactivateMFADevice", "iam:DeleteVirtualMFADevice")


def _holds_without_mfa(condition: Condition) -> bool:
    """True when the condition holds for a request made without MFA (the key false or absent)."""
    if condition.key_lower != MFA_KEY or condition.set_qualifier is not None:
        return False
    values = {v.lower() for v in condition.values}
    if condition.base_operator == "Bool":
        return "false" in values
    return condition.base_operator == "Null" and "true" in values


def is_force_mfa_deny(statement: Statement) -> bool:
    """A Deny on (almost) every action and resource while MFA is absent: the guard that forces MFA."""
    broad_actions = statement.not_actions is not None or "*" in (statement.actions or ())
    broad_resources = statement.not_resources is not None or "*" in (statement.resources or ())
    return (
        statement.effect == "Deny"
        and broad_actions
        and broad_resources
        and any(_holds_without_mfa(condition) for condition in statement.conditions)
    )


def _force_mfa_problems(statement: Statement, where: str, report: Callable[[str, str], None]) -> None:
    exempted = expand_all(statement.not_actions) if statement.not_actions is not None else frozenset()
    form = "NotAction" if statement.not_actions is not None else 'Action "*"'
    denied = [action for action in FIRST_SIGN_IN_ACTIONS if action.lower() not in exempted]
    if denied:
        report("IAM-MFA-005", f"{where}: force-MFA Deny ({form}) denies {', '.join(denied)}")
    removable = [action for action in MFA_REMOVAL_ACTIONS if action.lower() in exempted]
    if removable:
        report("IAM-MFA-006", f"{where}: force-MFA Deny exempts {', '.join(removable)} in its NotAction")


def check(
    args: ResourceValidationArgs,
    props: dict[str, Any],
    config: dict[str, Any],
    report: Callable[[str, str], None],
) -> None:
    for site, document in parsed_documents(args.resource_type, props, kind=None):
        # An Allow that grants nothing (cancelled by a Deny, or under conditions that never hold) draws nothing.
        granting = {s.index for s in granting_allows(document)} if site.kind == "identity" else None
        for statement in document.statements:
            if statement.effect == "Allow" and granting is not None and statement.index not in granting:
                continue
            where = f"{args.name}.{site.label} {statement.label}"
            if site.kind == "identity" and is_force_mfa_deny(statement):
                _force_mfa_problems(statement, where, report)
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
    description="MFA conditions use the patterns that work, and a force-MFA Deny lets people enrol but not remove MFA.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Deny with BoolIfExists aws:MultiFactorAuthPresent = false; Allow with Bool ... = true; no set operators on single-valued keys; a force-MFA Deny exempts enrolment and the password change, never MFA removal.",
)
