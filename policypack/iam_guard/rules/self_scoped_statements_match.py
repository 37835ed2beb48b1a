"""Advisory: an Allow statement scoped to the caller's own IAM user with `${aws:username}` that matches
none of its members with an IAM path.

`arn:aws:iam::111111111111:user/${aws:username}` names users at path `/` only: a user at `/lab/` is
`arn:aws:iam::111111111111:user/lab/farah.haddad`, and the statement grants them nothing (self-service
of passwords, keys, MFA). Each statement is judged by the request evaluator for each member of its
holder (the user itself, or the group's users): on the member's real ARN and on the same user at `/`,
its Condition set aside (the question is the Resource alone). Reported once per statement and path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from iam_guard.documents import Statement
from iam_guard.request_evaluation import Request, evaluate_request, principal_context
from iam_guard.rule_support import stack_rule
from iam_guard.self_scoped import HeldPolicy, UserPolicies, named_action, own_user_patterns, with_any_path
from iam_guard.stack_model import StackModel, UserArn

Report = Callable[[str, str, "str | None"], None]
SHOWN_MEMBERS = 3  # members named in a finding; the rest are counted


@dataclass
class _Missed:
    """One statement that misses the members at one path."""

    policy: HeldPolicy
    statement: Statement
    patterns: tuple[str, ...]
    path: str
    members: list[UserArn] = field(default_factory=list)


def _matches(
    policies: UserPolicies, policy: HeldPolicy, statement: Statement, action: str, user: UserArn
) -> bool:
    """The statement alone, Condition set aside, allows `action` on the user's own ARN."""
    alone = [policies.statement_alone(policy, statement, conditions=False)]
    return evaluate_request(alone, Request(action, user.arn, user.arn, principal_context(user.arn))).allowed


def check(model: StackModel, config: dict[str, Any], report: Report) -> None:
    policies = UserPolicies(model)
    missed: dict[tuple[str, str, int, str], _Missed] = {}
    for user in model.in_stack_principals():
        located = model.user_arns.get(user.key) if user.kind == "user" else None
        if located is None or located.path == "/":
            continue
        for policy in policies.held(user):
            for statement in policy.attached.document.statements:
                patterns = own_user_patterns(statement)
                action = named_action(statement) if patterns else None
                if action is None:
                    continue
                if _matches(policies, policy, statement, action, located) or not _matches(
                    policies, policy, statement, action, located.at_root()
                ):
                    continue  # it matches the member, or misses it for another reason than the path
                attached = policy.attached
                key = (
                    attached.origin_urn or attached.source_urn,
                    attached.label,
                    statement.index,
                    located.path,
                )
                entry = missed.setdefault(key, _Missed(policy, statement, patterns, located.path))
                if located not in entry.members:
                    entry.members.append(located)
    for (urn, *_), entry in missed.items():
        names = [member.name for member in entry.members]
        shown = ", ".join(names[:SHOWN_MEMBERS]) + (
            f" and {len(names) - SHOWN_MEMBERS} more" if len(names) > SHOWN_MEMBERS else ""
        )
        example = entry.members[0]
        report(
            "IAM-SELF-001",
            f"{entry.policy.named.name} {entry.statement.label} names {', '.join(entry.patterns)}, which "
            f"matches only users at path /; {len(names)} user(s) at path {entry.path} ({shown}) match none of "
            f"it ({example.name} is {example.shown()}): list "
            f"{', '.join(with_any_path(pattern) for pattern in entry.patterns)} beside it",
            urn,
        )


POLICY = stack_rule(
    name="self-scoped-statements-match",
    description="Statements scoped to the caller's own user with ${aws:username} also match users with a path.",
    check=check,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    remediation="Beside arn:aws:iam::ACCOUNT:user/${aws:username}, list arn:aws:iam::ACCOUNT:user/*/${aws:username}.",
)
