"""Who may make a request in a stack, with every policy that judges it: the users, groups and role
tiers of an update-mode run, each with its real ARN (paths included), its identity policies (its own
and, for a user, its groups'), its permissions boundary and, for a role, its trust policy.

Read with the pack's own stack model (iam_guard/stack_model.py), so that the access questions, the
access tests and the pack's rules see the same documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from offline.judging import pack_path  # noqa: F401 - puts policypack on sys.path for iam_guard
from offline.running.engine import StackRun, is_secret

# isort: split
from iam_guard import types
from iam_guard.request_evaluation import NamedPolicy
from iam_guard.rules.console_users_mfa_guarded import account_password_grant
from iam_guard.stack_model import AttachedDocument, Principal, StackModel, StackResource

TIER_TAG = "iamtiers:tier"  # components/role_tier.py tags each tier's role with its name
DISABLED_TAG = "iamtiers:disabled"  # components/iam_user.py tags a disabled user


@dataclass(frozen=True)
class Subject:
    """A principal an access question names: `user/<name>`, `group/<name>` or `tier/<name>`."""

    kind: str  # "user", "group" or "tier"
    name: str
    arn: str  # the IAM user, group or role
    caller_arn: str  # who signs the request: the user, a member of the group, the role (its session)
    identity: tuple[NamedPolicy, ...]
    boundary: tuple[NamedPolicy, ...] | None
    trust: NamedPolicy | None = None  # a tier's trust policy
    groups: tuple[str, ...] = ()  # a user's groups
    tags: Mapping[str, str] = field(default_factory=dict)
    disabled: bool = False
    policy_sources: Mapping[str, str] = field(default_factory=dict)  # policy name -> defining resource URN

    @property
    def reference(self) -> str:
        return f"{self.kind}/{self.name}"

    @property
    def username(self) -> str | None:
        """`aws:username` of the caller: the user, or the group's stand-in member."""
        if self.kind == "tier":
            return None
        return self.caller_arn.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Subjects:
    """Every user, group and tier of a run, by reference (`user/alice.nguyen`)."""

    account_id: str
    by_reference: Mapping[str, Subject]

    def of_kind(self, kind: str) -> list[Subject]:
        return [subject for subject in self.by_reference.values() if subject.kind == kind]

    def tiers_by_arn(self) -> dict[str, Subject]:
        return {subject.arn: subject for subject in self.of_kind("tier")}


def _plain(value: Any) -> Any:
    """A wire value as the pack reads it: secrets unwrapped, whole numbers as integers."""
    if is_secret(value):
        return _plain(value.get("value"))
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def stack_resources(run: StackRun) -> list[StackResource]:
    """The run's resources as the pack's stack policies see them, in URN order: each resource's final
    state, which in an update is what the provider answered (the inputs, plus what it computes, such as
    the name of a role the program leaves unnamed, which the role's attachments refer to)."""
    return [
        StackResource(r.type, r.name, r.urn, _plain(r.outputs or r.inputs), r.property_dependencies)
        for r in sorted(run.resources, key=lambda registration: registration.urn)
    ]


def _holder(model: StackModel, document: AttachedDocument) -> str:
    source = model.by_urn.get(document.source_urn)
    if source is None:
        return "policy"
    kind = {types.GROUP: "group", types.ROLE: "role", types.USER: "user"}.get(source.type)
    if kind is not None:
        return f"{kind} {source.iam_name or source.name}"
    for key in ("group", "role", "user"):
        name = source.props.get(key)
        if isinstance(name, str) and name:
            return f"{key} {name}"
    return source.iam_name or source.name


def _named(model: StackModel, documents: list[AttachedDocument]) -> tuple[list[NamedPolicy], dict[str, str]]:
    policies: list[NamedPolicy] = []
    sources: dict[str, str] = {}
    for document in documents:
        name = f"{_holder(model, document)}: {document.label}"
        policies.append(NamedPolicy(name, document.document))
        sources[name] = document.origin_urn or document.source_urn
    return policies, sources


def _path(resource: StackResource | None) -> str:
    path = resource.props.get("path") if resource else None
    return path if isinstance(path, str) and path.startswith("/") else "/"


def _tags(resource: StackResource | None) -> dict[str, str]:
    tags = resource.props.get("tags") if resource else None
    return {str(k): str(v) for k, v in tags.items()} if isinstance(tags, dict) else {}


def _subject(
    model: StackModel,
    principal: Principal,
    account_id: str,
    kind: str,
    name: str,
    account_grants: tuple[NamedPolicy, ...] = (),
) -> Subject:
    resource = model.by_urn.get(principal.urn) if principal.urn else None
    iam_kind = "role" if kind == "tier" else kind
    arn = f"arn:aws:iam::{account_id}:{iam_kind}{_path(resource)}{principal.key}"
    identity, sources = _named(model, model.effective_documents(principal))
    if kind == "user":
        identity.extend(account_grants)
        for resource in model.of_type(types.ACCOUNT_PASSWORD_POLICY):
            sources.update({grant.name: resource.urn for grant in account_grants})
    boundary: tuple[NamedPolicy, ...] | None = None
    if principal.boundary is not None:
        named, boundary_sources = _named(model, [principal.boundary])
        boundary = tuple(named)
        sources.update(boundary_sources)
    trust: NamedPolicy | None = None
    if principal.trust is not None:
        trust = NamedPolicy(f"role {principal.key}: trust policy", principal.trust)
        if principal.urn:
            sources[trust.name] = principal.urn
    if kind == "user":
        caller = arn
    elif kind == "group":
        # A group is asked as a member of it alone: a user at the root path named after the group.
        caller = f"arn:aws:iam::{account_id}:user/{principal.key}-member"
    else:
        # A session of the role: AWS judges it by the role (aws:PrincipalArn is the role's ARN).
        caller = arn
    tags = _tags(resource)
    return Subject(
        kind=kind,
        name=name,
        arn=arn,
        caller_arn=caller,
        identity=tuple(identity),
        boundary=boundary,
        trust=trust,
        groups=tuple(sorted(principal.groups)) if kind == "user" else (),
        tags={k: v for k, v in tags.items() if k != DISABLED_TAG},
        disabled=tags.get(DISABLED_TAG) == "true",
        policy_sources=sources,
    )


def subjects_of(run: StackRun, account_id: str, model: StackModel | None = None) -> Subjects:
    """Every user, group and role tier of an update-mode run, with what judges their requests. A role
    the program made for a tier is a tier (by its `iamtiers:tier` tag); other roles are `tier/<name>`
    by their role name too, so that a service role can be asked about as well. `model`: the run's
    stack model when the caller has built it already."""
    model = model if model is not None else StackModel(stack_resources(run))
    # The password policy's allowUsersToChangePassword lets every user change their own password.
    password_grant = account_password_grant(model)
    grants = (password_grant,) if password_grant is not None else ()
    found: dict[str, Subject] = {}
    for principal in sorted(model.in_stack_principals(), key=lambda p: (p.kind, p.key)):
        if principal.kind == "role":
            tags = _tags(model.by_urn.get(principal.urn or ""))
            subject = _subject(model, principal, account_id, "tier", tags.get(TIER_TAG, principal.key))
        else:
            subject = _subject(model, principal, account_id, principal.kind, principal.key, grants)
        found[subject.reference] = subject
    return Subjects(account_id, found)
