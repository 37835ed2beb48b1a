"""Console users: a working MFA guard from one of their groups that still lets the first sign-in
through, policies that allow the first sign-in's own requests at the user's real ARN (path included),
no access key at creation (CIS 1.11), at most one active key per user (CIS 1.13)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from iam_guard import types
from iam_guard.catalog import expand_all
from iam_guard.documents import Statement, parse_policy
from iam_guard.request_evaluation import (
    IDENTITY_POLICY,
    Decision,
    Evaluation,
    NamedPolicy,
    Request,
    evaluate_request,
)
from iam_guard.rule_support import stack_rule
from iam_guard.self_scoped import UserPolicies, console_context, path_blocked, with_any_path
from iam_guard.stack_model import (
    Principal,
    StackModel,
    UserArn,
    is_aws_managed,
    managed_policy_name,
)

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


# The first sign-in's own requests, made without MFA: (action, on the user's own ARN or on its virtual
# MFA device, only when the login profile forces a password reset). Resources per the Service
# Authorization Reference: ChangePassword and EnableMFADevice on `user/${UserNameWithPath}`,
# CreateVirtualMFADevice on `mfa/${MfaTokenIdWithPath}` (the console names the device after the user, at /).
FIRST_SIGN_IN_REQUESTS: tuple[tuple[str, str, bool], ...] = (
    ("iam:ChangePassword", "user", True),
    ("iam:CreateVirtualMFADevice", "mfa", False),
    ("iam:EnableMFADevice", "user", False),
)
# "Allow users to change their own password" grants every user iam:ChangePassword on their own user at
# account level, without a policy (IAM User Guide, "Permit IAM users to change their own passwords").
ACCOUNT_CHANGE_PASSWORD = parse_policy(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iam:ChangePassword",
                "Resource": ["arn:*:iam::*:user/${aws:username}", "arn:*:iam::*:user/*/${aws:username}"],
            }
        ],
    }
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


def account_password_grant(model: StackModel) -> NamedPolicy | None:
    """The account-level iam:ChangePassword of the stack's password policy, when it sets
    allowUsersToChangePassword to true (unset or unknown grants nothing: the API's default is false)."""
    for resource in model.of_type(types.ACCOUNT_PASSWORD_POLICY):
        if resource.props.get("allowUsersToChangePassword") is True:
            return NamedPolicy(
                f"account password policy '{resource.name}' (allowUsersToChangePassword)",
                ACCOUNT_CHANGE_PASSWORD,
            )
    return None


def _unread_policies(user: Principal, model: StackModel) -> list[str]:
    """Customer-managed policy ARNs attached to the user or its groups from outside the stack."""
    holders = [user, *(model.principal("group", group) for group in sorted(user.groups))]
    return sorted(
        {
            arn
            for holder in holders
            for arn, _ in holder.managed_policy_arns
            if not is_aws_managed(arn)
            and ":iam::in-stack:" not in arn
            and managed_policy_name(arn) not in model.policies_by_arn_name
        }
    )


def _why_not(
    evaluation: Evaluation,
    action: str,
    kind: str,
    user: Principal,
    located: UserArn,
    model: StackModel,
    policies: UserPolicies,
) -> str:
    """Why the evaluator did not allow the request: the Deny, the boundary, or the self-scoped statements
    that would allow it at path / (with their fix), or no statement at all."""
    if evaluation.decision is Decision.EXPLICITLY_DENIED:
        return "denied by " + "; ".join(deciding.label for deciding in evaluation.deciding)
    if evaluation.missing != IDENTITY_POLICY:
        return f"its {evaluation.missing} does not allow it"
    resource = model.by_urn.get(user.urn or "")
    blocked = path_blocked(policies, policies.held(user), action, located, resource) if kind == "user" else []
    if blocked:
        return "; ".join(
            f"{policy.named.name} {statement.label} grants {action} on {', '.join(patterns)}, which matches "
            f"only users at path /; {located.name} is {located.shown()}: list "
            f"{', '.join(with_any_path(pattern) for pattern in patterns)} beside it"
            for policy, statement, patterns in blocked
        )
    unread = _unread_policies(user, model)
    outside = f" (not read: {', '.join(unread)}, attached from outside the stack)" if unread else ""
    return f"no statement of the policies of {user.label} allows it{outside}"


def _first_sign_in(
    user: Principal,
    model: StackModel,
    policies: UserPolicies,
    grant: NamedPolicy | None,
    forced_reset: bool,
    locked_out: bool,
    report: Report,
) -> None:
    """IAM-CONSOLE-006: each request of the first sign-in, without MFA, at the user's real ARN."""
    located = model.user_arns.get(user.key)
    if located is None:
        return  # its ARN is known only after the update: preview-unresolved-values names it
    resource = model.by_urn.get(user.urn or "")
    identity = [policy.named for policy in policies.held(user)]
    context = console_context(located, resource, mfa=False)
    pending = model.pending(user)
    for action, kind, reset_only in FIRST_SIGN_IN_REQUESTS:
        if reset_only and not forced_reset:
            continue
        target = located.arn if kind == "user" else located.mfa_device
        granted = [*identity, grant] if grant is not None and action == "iam:ChangePassword" else identity
        evaluation = evaluate_request(
            granted, Request(action, target, located.arn, context), boundary=policies.boundary(user)
        )
        if evaluation.allowed:
            continue
        if evaluation.decision is Decision.EXPLICITLY_DENIED and locked_out:
            continue  # IAM-CONSOLE-002 names the guard that denies it
        if evaluation.decision is Decision.IMPLICITLY_DENIED and pending:
            continue  # a policy known only after the update may allow it; the update judges it again
        why = _why_not(evaluation, action, kind, user, located, model, policies)
        report(
            "IAM-CONSOLE-006",
            f"{user.label} ({located.shown()}) cannot call {action} on {located.shown(target)} without MFA, "
            f"at first sign-in: {why}",
            user.urn,
        )


def check(model: StackModel, config: dict[str, Any], report: Report) -> None:
    policies = UserPolicies(model)
    grant = account_password_grant(model)
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
        _first_sign_in(user, model, policies, grant, forced_reset, bool(lockouts), report)


POLICY = stack_rule(
    name="console-users-mfa-guarded",
    description="Every console user is forced to enrol MFA before doing anything else.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Add the user to a group with the MFA guard (Deny NotAction [enrolment, ChangePassword, GetUser] with BoolIfExists aws:MultiFactorAuthPresent=false), and allow the user ChangePassword, CreateVirtualMFADevice and EnableMFADevice on its own ARNs, path included.",
)
