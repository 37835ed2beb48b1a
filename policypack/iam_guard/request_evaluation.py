"""Decide one request as AWS decides it: Allowed, implicitly or explicitly denied, and by which statements.

Follows "Policy evaluation logic" and "Cross-account policy evaluation logic" (IAM User Guide) for the
policies this project manages: identity-based policies, a permissions boundary and a role's trust
policy (no SCPs, RCPs, session or other resource policies). An explicit Deny in any of them wins; an
identity-based Allow is needed, and an Allow in the boundary too when there is one. Matching of
actions, resources and ARNs is in `arn_matching`, condition operators in `condition_operators`.

For `sts:Assume*` requests (`evaluate_assume_role`) the trust policy must allow the caller even in the
same account ("IAM role trust policies ... must explicitly allow access for principals"): naming the
caller's own ARN (or `*`) suffices by itself in the same account, naming its account delegates to the
caller's identity-based policies; across accounts both the trust policy and the caller's identity
policies (and boundary) must allow.

Documents are compiled and indexed by action once (`statement_index`); a principal's list of policies
is indexed as a whole, so a request costs one look-up plus the statements that name its action.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from iam_guard.arn_matching import ContextValue
from iam_guard.condition_operators import RequestError
from iam_guard.documents import PolicyDocument
from iam_guard.statement_index import (
    CACHE_LIMIT,
    IAM_PRINCIPAL,
    ActionIndex,
    DecidingStatement,
    IamPrincipal,
    joined,
    parse_principal,
    policy_index,
)

__all__ = [
    "DecidingStatement",
    "Decision",
    "Evaluation",
    "NamedPolicy",
    "Request",
    "RequestError",
    "evaluate_assume_role",
    "evaluate_request",
    "principal_context",
]

IDENTITY_POLICY = "identity-based policy"  # the words of AWS's access-denied messages
PERMISSIONS_BOUNDARY = "permissions boundary"
TRUST_POLICY = "trust policy"
_ACTION = re.compile(r"^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$")


class Decision(StrEnum):
    """AWS's three outcomes, spelled as the IAM policy simulator spells them."""

    ALLOWED = "Allowed"
    IMPLICITLY_DENIED = "ImplicitlyDenied"
    EXPLICITLY_DENIED = "ExplicitlyDenied"


@dataclass(frozen=True)
class NamedPolicy:
    """A parsed document and the name findings call it by (`group LabUser: AmazonS3ReadOnlyAccess`)."""

    name: str
    document: PolicyDocument
    # Compiled on first use as identity (or boundary) policy, and as trust policy.
    _indexes: list[ActionIndex | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not isinstance(self.document, PolicyDocument):
            raise RequestError(
                f"NamedPolicy({self.name!r}, ...): give a name (str) and a document from parse_policy(), "
                f"got {type(self.name).__name__} and {type(self.document).__name__}"
            )
        object.__setattr__(self, "_indexes", [None, None])


@dataclass(frozen=True)
class Request:
    """One API call: who, what, on which resource, and the request context (keys case-insensitive,
    a tuple for a multivalued key). The context is the caller's to fill as AWS would (`aws:username`,
    `aws:MultiFactorAuthPresent`, ...); `principal_context()` gives the keys the principal implies."""

    action: str
    resource: str
    principal_arn: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    _action_key: str = field(init=False, repr=False, compare=False)
    _context_keys: dict[str, ContextValue] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        action_key = _action_key(self.action) if isinstance(self.action, str) else None
        if action_key is None:
            raise RequestError(
                f"request action {self.action!r}: give one action as 'service:Action' (e.g. 's3:GetObject'); "
                "wildcards belong in policies, not requests"
            )
        for name, value in (("resource", self.resource), ("principal_arn", self.principal_arn)):
            if not isinstance(value, str) or not value:
                raise RequestError(f"request {name} {value!r}: give a non-empty string (an ARN, or '*')")
        object.__setattr__(self, "_action_key", action_key)
        object.__setattr__(self, "_context_keys", _context_keys(self.context))


@lru_cache(maxsize=8192)
def _action_key(action: str) -> str | None:
    """The action lower-case (as AWS compares actions), or None when it is not one action."""
    return action.lower() if _ACTION.match(action) else None


def _context_keys(context: object) -> dict[str, ContextValue]:
    """The context with lower-case keys, every value checked: a str, or a tuple (or list) of str."""
    if type(context) is dict and set(map(type, context)) == set(map(type, context.values())) == {str}:
        keys: dict[str, ContextValue] = {key.lower(): value for key, value in context.items()}
        if len(keys) == len(context) and "" not in keys:
            return keys  # the usual context, checked without a Python loop
    return _checked_context_keys(context)


def _checked_context_keys(context: object) -> dict[str, ContextValue]:
    if not isinstance(context, Mapping):
        raise RequestError(f"request context: give a mapping of key -> value, got {type(context).__name__}")
    keys: dict[str, ContextValue] = {}
    for key, value in context.items():
        if not isinstance(key, str) or not key:
            raise RequestError(f"request context key {key!r}: give a non-empty string such as 'aws:username'")
        if not isinstance(value, str):
            value = _multivalued(key, value)
        keys[key.lower()] = value
    if len(keys) != len(context):
        raise RequestError(
            f"request context keys {sorted(context)} name one key twice (keys are case-insensitive); "
            "give each once"
        )
    return keys


def _multivalued(key: str, value: object) -> tuple[str, ...]:
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return tuple(value)
    hint = f" (give {str(value).lower()!r})" if isinstance(value, bool | int | float) else ""
    raise RequestError(
        f"request context '{key}': {value!r} is a {type(value).__name__}; give a string, or a tuple "
        f"of strings for a multivalued key{hint}"
    )


def request_time(day: datetime.date) -> datetime.datetime:
    """The moment a judged request is made on `day`: noon UTC, so that an answer does not depend on the
    minute it is asked (`aws:CurrentTime`, `aws:EpochTime`)."""
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def principal_context(principal_arn: str) -> dict[str, str]:
    """The global keys AWS puts in the request context for an IAM user or role (its session):
    `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType` and, for a user, `aws:username`."""
    principal = parse_principal(principal_arn)
    context = {
        "aws:PrincipalArn": principal_arn,
        "aws:PrincipalAccount": principal.account,
        "aws:PrincipalType": "User" if principal.kind == "user" else "AssumedRole",
    }
    if principal.kind == "user":
        context["aws:username"] = principal.name
    return context


@dataclass(frozen=True)
class Evaluation:
    """The decision and why: the Allow statements that allowed it (identity, boundary, trust), or every
    Deny that matched; when implicitly denied, `missing` names the policy kind that allowed nothing."""

    decision: Decision
    deciding: tuple[DecidingStatement, ...]
    missing: str | None = None

    @property
    def allowed(self) -> bool:
        return self.decision is Decision.ALLOWED


def _index(named: object, trust: bool) -> ActionIndex:
    """The policy's statement index, as identity (or boundary) or as trust policy; kept on the policy."""
    if not isinstance(named, NamedPolicy):
        raise RequestError(f"expected a NamedPolicy (name and parsed document), got {type(named).__name__}")
    found = named._indexes[trust]
    if found is None:
        found = named._indexes[trust] = policy_index(named.name, named.document, trust)
    return found


# Sets of policies (one principal's, in order) by the ids of their members, the members held.
_SETS: dict[tuple[int, ...], tuple[tuple[object, ...], ActionIndex]] = {}


def _policy_set(policies: object, what: str) -> ActionIndex:
    if not isinstance(policies, list | tuple):
        if not isinstance(policies, Sequence) or isinstance(policies, str | bytes):
            raise RequestError(f"{what}: give a list of NamedPolicy, got {type(policies).__name__}")
        policies = tuple(policies)
    key = tuple(map(id, policies))
    found = _SETS.get(key)
    if found is None:
        members = tuple(policies)
        found = (members, joined(tuple(_index(named, trust=False) for named in members)))
        if len(_SETS) >= CACHE_LIMIT:
            _SETS.clear()
        _SETS[key] = found
    return found[1]


def _scan(
    policies: object, request: Request, what: str
) -> tuple[list[DecidingStatement], list[DecidingStatement]]:
    """The Allow and the Deny statements of `policies` that apply to the request."""
    allows: list[DecidingStatement] = []
    denies: list[DecidingStatement] = []
    resource, context = request.resource, request._context_keys
    for statement, decided in _policy_set(policies, what).naming(request._action_key):
        if statement.unconditional or statement.applies(resource, context):
            (allows if statement.allow else denies).append(decided)
    return allows, denies


def _checked(request: object) -> Request:
    if not isinstance(request, Request):
        raise RequestError(f"expected a Request, got {type(request).__name__}")
    return request


def evaluate_request(
    identity: Sequence[NamedPolicy], request: Request, *, boundary: Sequence[NamedPolicy] | None = None
) -> Evaluation:
    """Decide `request` against the principal's identity-based policies and, when it has one, its
    permissions boundary (the boundary's policies, usually one). Raises `RequestError` for a malformed
    request, context value or document."""
    request = _checked(request)
    allows, denies = _scan(identity, request, "identity")
    boundary_allows: list[DecidingStatement] = []
    if boundary is not None:
        boundary_allows, boundary_denies = _scan(boundary, request, "boundary")
        denies += boundary_denies
    if denies:
        return Evaluation(Decision.EXPLICITLY_DENIED, tuple(denies))
    if not allows:
        return Evaluation(Decision.IMPLICITLY_DENIED, (), IDENTITY_POLICY)
    if boundary is not None and not boundary_allows:
        return Evaluation(Decision.IMPLICITLY_DENIED, (), PERMISSIONS_BOUNDARY)
    return Evaluation(Decision.ALLOWED, tuple(allows + boundary_allows))


def _trust_scan(
    trust: NamedPolicy, request: Request, principal: IamPrincipal
) -> tuple[dict[str, list[DecidingStatement]], list[DecidingStatement]]:
    """The trust policy's Allow statements covering the caller, by how (`PrincipalSet.match`), and its
    Deny statements covering the caller in any way (a Deny naming the account covers its principals)."""
    allows: dict[str, list[DecidingStatement]] = {"everyone": [], "arn": [], "account": []}
    denies: list[DecidingStatement] = []
    context = request._context_keys
    for statement, decided in _index(trust, trust=True).naming(request._action_key):
        found = statement.principal_match(principal)
        if found is not None and statement.applies(request.resource, context):
            (allows[found] if statement.allow else denies).append(decided)
    return allows, denies


def evaluate_assume_role(
    identity: Sequence[NamedPolicy],
    request: Request,
    *,
    trust: NamedPolicy,
    boundary: Sequence[NamedPolicy] | None = None,
) -> Evaluation:
    """Decide an `sts:AssumeRole*` request (`request.resource` is the role's ARN) against the caller's
    identity-based policies, its boundary and the role's trust policy (see the module docstring).

    In the same account a trust policy that names the caller allows by itself. A role caller's boundary
    still applies when the trust names the role's ARN ("resource-based policies that grant permissions
    to an IAM role ARN are limited by an implicit deny in a permissions boundary"), not when it names
    everyone (`*`), which covers the role's session itself; a user's boundary never limits it."""
    request = _checked(request)
    if not request._action_key.startswith("sts:"):
        raise RequestError(
            f"request action {request.action!r}: a trust policy decides sts: actions (sts:AssumeRole...); "
            "use evaluate_request for other actions"
        )
    caller = parse_principal(request.principal_arn)
    role = IAM_PRINCIPAL.match(request.resource)
    if role is None or role.group(3) != "role":
        raise RequestError(f"request resource {request.resource!r}: give the ARN of the role to assume")
    allows, denies = _scan(identity, request, "identity")
    boundary_allows: list[DecidingStatement] = []
    if boundary is not None:
        boundary_allows, boundary_denies = _scan(boundary, request, "boundary")
        denies += boundary_denies
    trusting, trust_denies = _trust_scan(trust, request, caller)
    denies += trust_denies
    if denies:
        return Evaluation(Decision.EXPLICITLY_DENIED, tuple(denies))
    boundary_ok = boundary is None or bool(boundary_allows)
    trusted = trusting["everyone"] + trusting["arn"] + trusting["account"]
    if (caller.partition, caller.account) == (role.group(1), role.group(2)) and (
        trusting["everyone"] or trusting["arn"]
    ):
        if allows and boundary_ok:
            return Evaluation(Decision.ALLOWED, tuple(allows + boundary_allows + trusted))
        if caller.kind == "user" or trusting["everyone"]:
            return Evaluation(Decision.ALLOWED, tuple(trusting["everyone"] + trusting["arn"]))
        if boundary_ok:
            return Evaluation(Decision.ALLOWED, tuple(trusting["arn"] + boundary_allows))
        return Evaluation(Decision.IMPLICITLY_DENIED, (), PERMISSIONS_BOUNDARY)
    if not trusted:
        return Evaluation(Decision.IMPLICITLY_DENIED, (), TRUST_POLICY)
    if not allows:
        return Evaluation(Decision.IMPLICITLY_DENIED, (), IDENTITY_POLICY)
    if not boundary_ok:
        return Evaluation(Decision.IMPLICITLY_DENIED, (), PERMISSIONS_BOUNDARY)
    return Evaluation(Decision.ALLOWED, tuple(allows + boundary_allows + trusted))
