"""Statements that scope a user to their own IAM user with `${aws:username}`, and the path they miss.

A user's ARN carries its IAM path (`arn:aws:iam::111111111111:user/lab/farah.haddad`, "IAM identifiers"),
while `${aws:username}` is the name alone ("IAM policy elements: Variables and tags"): the Resource
`arn:aws:iam::111111111111:user/${aws:username}` matches users at path `/` only. AWS's own
`IAMUserChangePassword` lists `user/*/${aws:username}` beside it for that reason. Every decision here is
the request evaluator's (`request_evaluation`); this module only builds the requests and names the
statements.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from iam_guard import types
from iam_guard.arn_matching import ContextValue, Variable, parse_template
from iam_guard.catalog import UnknownActionError, expand
from iam_guard.documents import PolicyDocument, Statement
from iam_guard.exemptions import today
from iam_guard.request_evaluation import (
    NamedPolicy,
    Request,
    evaluate_request,
    principal_context,
    request_time,
)
from iam_guard.stack_model import AttachedDocument, Principal, StackModel, StackResource, UserArn

USERNAME_KEY = "aws:username"
# Where IAM's global endpoint runs, per partition: the Region a console session's IAM calls carry.
IAM_REGIONS = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


@dataclass(frozen=True)
class HeldPolicy:
    """One identity policy of a user, with who holds it (the user, or one of its groups)."""

    holder: str  # "group 'LabUser'"
    attached: AttachedDocument
    named: NamedPolicy  # named "group 'LabUser' inline policy 'LabUser-self-service'"


class UserPolicies:
    """Users' policies as the evaluator takes them, each policy named once per stack model (the
    evaluator indexes a list of policies by their identities, so members of a group share the work)."""

    def __init__(self, model: StackModel) -> None:
        self.model = model
        self._named: dict[tuple[str, int], NamedPolicy] = {}
        self._single: dict[tuple[str, int, int, bool], NamedPolicy] = {}

    def _name(self, holder: str, attached: AttachedDocument) -> NamedPolicy:
        key = (holder, id(attached))
        if key not in self._named:
            self._named[key] = NamedPolicy(f"{holder} {attached.label}", attached.document)
        return self._named[key]

    def held(self, user: Principal) -> list[HeldPolicy]:
        """The user's own policies, then its groups' (`StackModel.effective_documents`, with holders)."""
        held = [HeldPolicy(user.label, d, self._name(user.label, d)) for d in user.documents]
        for group in sorted(user.groups):
            holder = self.model.principal("group", group)
            held.extend(HeldPolicy(holder.label, d, self._name(holder.label, d)) for d in holder.documents)
        return held

    def boundary(self, user: Principal) -> list[NamedPolicy] | None:
        if user.boundary is None:
            return None
        return [self._name(f"{user.label} permissions boundary", user.boundary)]

    def statement_alone(self, held: HeldPolicy, statement: Statement, *, conditions: bool) -> NamedPolicy:
        """The statement as a policy of its own (same name and index), with or without its Condition."""
        key = (held.holder, id(held.attached), statement.index, conditions)
        if key not in self._single:
            kept = statement if conditions else replace(statement, conditions=())
            self._single[key] = NamedPolicy(held.named.name, PolicyDocument(statements=(kept,), size=None))
        return self._single[key]


def own_user_patterns(statement: Statement) -> tuple[str, ...]:
    """The Resource entries of an Allow statement that name the caller's own IAM user through
    `${aws:username}` (`arn:aws:iam::ACCOUNT:user/...${aws:username}...`)."""
    if statement.effect != "Allow" or statement.resources is None or statement.actions is None:
        return ()
    return tuple(pattern for pattern in statement.resources if _names_own_user(pattern))


def _names_own_user(pattern: str) -> bool:
    parts = pattern.split(":", 5)
    if len(parts) != 6 or parts[2] not in ("iam", "*") or not parts[5].startswith("user/"):
        return False
    return any(isinstance(part, Variable) and part.key == USERNAME_KEY for part in parse_template(pattern))


def with_any_path(pattern: str) -> str:
    """`arn:aws:iam::111111111111:user/${aws:username}` → `arn:aws:iam::111111111111:user/*/${aws:username}`
    (for a pattern `own_user_patterns` returned)."""
    parts = pattern.split(":", 5)
    return ":".join(parts[:5]) + ":user/*/" + parts[5].removeprefix("user/")


def named_action(statement: Statement) -> str | None:
    """One action the statement's Action names: its first, a wildcard's first match in the catalog."""
    for pattern in statement.actions or ():
        if "*" not in pattern and "?" not in pattern:
            return pattern
        try:
            return min(expand(pattern))
        except UnknownActionError:
            continue
    return None


def console_context(
    located: UserArn, resource: StackResource | None, *, mfa: bool
) -> dict[str, ContextValue]:
    """The request context of the user's console session (`principal_context`, plus what a console
    request carries): `aws:MultiFactorAuthPresent`, TLS, the Region of IAM's endpoint, the time (noon UTC of
    the pack's day), the user's unique id and tags when known."""
    when = request_time(today())
    context: dict[str, ContextValue] = {
        **principal_context(located.arn),
        "aws:MultiFactorAuthPresent": "true" if mfa else "false",
        "aws:SecureTransport": "true",
        "aws:RequestedRegion": IAM_REGIONS.get(located.partition, "us-east-1"),
        "aws:CurrentTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(when.timestamp())),
    }
    props = resource.props if resource is not None else {}
    unique_id = props.get("uniqueId")
    if isinstance(unique_id, str) and unique_id and not types.is_unknown(unique_id):
        context["aws:userid"] = unique_id
    tags = props.get("tags")
    if isinstance(tags, dict):
        for key, value in tags.items():
            if isinstance(value, str) and not types.is_unknown(value):
                context[f"aws:PrincipalTag/{key}"] = value
    return context


def path_blocked(
    policies: UserPolicies,
    held: list[HeldPolicy],
    action: str,
    located: UserArn,
    resource: StackResource | None,
) -> list[tuple[HeldPolicy, Statement, tuple[str, ...]]]:
    """The statements that allow `action` on the user's own ARN for the same user at path `/` (its
    Condition included), but not on its real ARN: their `${aws:username}` entries miss the path.
    `action` is one of the user's own-ARN actions (iam:ChangePassword, iam:EnableMFADevice, ...)."""
    if located.path == "/":
        return []
    root = located.at_root()
    real_request = Request(action, located.arn, located.arn, console_context(located, resource, mfa=False))
    root_request = Request(action, root.arn, root.arn, console_context(root, resource, mfa=False))
    blocked: list[tuple[HeldPolicy, Statement, tuple[str, ...]]] = []
    for policy in held:
        for statement in policy.attached.document.statements:
            patterns = own_user_patterns(statement)
            if not patterns:
                continue
            alone = [policies.statement_alone(policy, statement, conditions=True)]
            if (
                evaluate_request(alone, root_request).allowed
                and not evaluate_request(alone, real_request).allowed
            ):
                blocked.append((policy, statement, patterns))
    return blocked
