"""Console users: a working MFA guard from one of their groups that still lets the first sign-in
through, no access key at creation (CIS 1.11), at most one active key per user (CIS 1.13)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from iam_guard.catalog import expand_all
from iam_guard.documents import Statement
from iam_guard.rule_support import stack_rule
from iam_guard.stack_model import Principal, StackModel

Report = Callable[[str, str, "str | None"], None]

MFA_ENROLMENT = frozenset(
    {
        "iam:createvirtualmfadevice",
        "iam:enablemfadevice",
        "iam:listmfadevices",
        "iam:listvirtualmfadevices",
        "iam:resyncmfadevice",
        "sts:getsessiontoken",
    }
)
# With a forced reset the generated password must be changed before MFA can be enrolled.
PASSWORD_RESET = frozenset({"iam:changepassword", "iam:getuser"})
# What a guard may leave open besides those: reading the rules a new password must follow.
GUARD_MAY_EXEMPT = (
    MFA_ENROLMENT
    | PASSWORD_RESET
    | frozenset({"iam:getaccountpasswordpolicy", "iam:getloginprofile", "iam:listaccountaliases"})
)


def is_mfa_guard(statement: Statement) -> bool:
    """Deny on (almost) everything while MFA is absent, long-term keys included."""
    if statement.effect != "Deny" or statement.resources is None or "*" not in statement.resources:
        return False
    conditions = statement.conditions
    return len(conditions) == 1 and (
        conditions[0].key_lower == "aws:multifactorauthpresent"
        and conditions[0].operator == "BoolIfExists"
        and conditions[0].values == ("false",)
    )


def _exempted_actions(statement: Statement) -> frozenset[str]:
    if statement.not_actions is not None:
        return expand_all(statement.not_actions)
    return frozenset()  # an Action-form guard denies what it lists; enrolment must not be among them


def _guard_problems(
    user: Principal, model: StackModel, forced_reset: bool
) -> tuple[list[str], list[str], list[str]]:
    """(groups with a working guard, guards that lock out the first sign-in, guards that exempt too much)."""
    working: list[str] = []
    lockouts: list[str] = []
    too_broad: list[str] = []
    needed = MFA_ENROLMENT | (PASSWORD_RESET if forced_reset else frozenset())
    for group in sorted(user.groups):
        for document in model.principal("group", group).documents:
            for statement in document.document.statements:
                if not is_mfa_guard(statement):
                    continue
                if statement.not_actions is not None:
                    denied = needed - _exempted_actions(statement)
                else:
                    denied = needed & expand_all(statement.actions or ())
                if denied:
                    lockouts.append(
                        f"group '{group}' {document.label} denies {', '.join(sorted(denied))} without MFA"
                    )
                elif statement.not_actions is not None:
                    extra = sorted(_exempted_actions(statement) - GUARD_MAY_EXEMPT)
                    if extra:
                        shown = ", ".join(extra[:5]) + (
                            f" (+{len(extra) - 5} more)" if len(extra) > 5 else ""
                        )
                        too_broad.append(f"group '{group}' {document.label} also exempts {shown}")
                    else:
                        working.append(group)
    return working, lockouts, too_broad


def check(model: StackModel, config: dict[str, Any], report: Report) -> None:
    for user in model.principals.values():
        if user.kind != "user":
            continue
        active_keys = [k for k in user.access_keys if k.props.get("status", "Active") != "Inactive"]
        if len(active_keys) > 1:
            report(
                "IAM-CONSOLE-005",
                f"{user.label} has {len(active_keys)} active access keys",
                active_keys[1].urn,
            )
        if not user.login_profiles:
            continue
        profile = user.login_profiles[0]
        for key in user.access_keys:
            report("IAM-CONSOLE-004", f"{user.label} has console access and access key '{key.name}'", key.urn)
        if user.urn is None:
            report(
                "IAM-CONSOLE-001",
                f"{user.label} is not managed in this stack, so its groups cannot be checked",
                profile.urn,
            )
            continue
        forced_reset = profile.props.get("passwordResetRequired") is not False
        working, lockouts, too_broad = _guard_problems(user, model, forced_reset)
        for lockout in lockouts:
            report("IAM-CONSOLE-002", f"{user.label}: {lockout}", user.urn)
        if not working and not lockouts:
            groups = ", ".join(sorted(user.groups)) or "no group"
            why = f" ({'; '.join(too_broad)}: not a guard)" if too_broad else ""
            report(
                "IAM-CONSOLE-001",
                f"{user.label} signs in to the console and is in {groups}, none with an MFA guard{why}",
                user.urn,
            )


POLICY = stack_rule(
    name="console-users-mfa-guarded",
    description="Every console user is forced to enrol MFA before doing anything else.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Add the user to a group with the MFA guard (Deny NotAction [enrolment, ChangePassword, GetUser] with BoolIfExists aws:MultiFactorAuthPresent=false).",
)
