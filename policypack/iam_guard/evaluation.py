"""What a set of policy documents effectively allows, evaluated as AWS evaluates it.

Every Allow is expanded (wildcards and `NotAction` against the catalog), then Deny statements are
subtracted only where they certainly apply: a Deny with a condition may not apply, and a Deny on
a narrower resource leaves the rest of the Allow standing. An Allow whose conditions can never hold
grants nothing, and resources in AWS's own account namespace (`arn:aws:iam::aws:policy/...`) are
out of every customer's reach, so neither counts as a grant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cached_property, lru_cache

from iam_guard import action_sets
from iam_guard.catalog import changes_permissions, expand_all, target_arn_templates
from iam_guard.conditions import never_holds, restrictive_conditions
from iam_guard.documents import Condition, PolicyDocument, Statement

# Policy variables that stand for the caller itself.
_SELF_VARIABLES = ("${aws:username}", "${aws:userid}", "${aws:principalarn}")
# A resource whose identifier part is only a wildcard: `*`, `arn:aws:iam::123:role/*`, `arn:aws:s3:::*`.
_BROAD_RESOURCE = re.compile(r"^(\*|arn:[^:]*:[^:]*:[^:]*:[^:]*:([A-Za-z0-9_-]+[/:])?\*)$")
_TEMPLATE_VARIABLE = re.compile(r"\$\{[^}]*\}")
# The account segment of resources AWS owns: AWS-managed policies (`aws`) and public SSM documents ("").
_AWS_OWNED_ACCOUNTS = ("aws", "")


def _arn_parts(arn: str) -> list[str] | None:
    parts = arn.split(":", 5)
    return parts if len(parts) == 6 and parts[0] == "arn" else None


def in_aws_namespace(resource: str) -> bool:
    """`arn:aws:iam::aws:policy/...`: resources in AWS's own account, which no customer can change."""
    if ":aws:" not in resource:
        return False  # no `aws` segment anywhere, so not the account either (most resources)
    parts = _arn_parts(resource)
    return parts is not None and parts[4] == "aws"


@lru_cache(maxsize=65536)
def _covers_every(resource: str, template: str) -> bool:
    """Whether the resource pattern matches every resource of the type the ARN template describes
    (in whatever partition, region and customer account it names)."""
    if resource == "*":
        return True
    pattern, shape = _arn_parts(resource), _arn_parts(template)
    if pattern is None or shape is None:
        return False
    if not fnmatchcase(shape[2], pattern[2]):  # the service
        return False
    if "${Account}" in shape[4] and pattern[4] in _AWS_OWNED_ACCOUNTS:
        return False  # only AWS's own resources of the type
    sample = _TEMPLATE_VARIABLE.sub("x", shape[5])
    return fnmatchcase(sample, pattern[5])


def _is_broad(resources: tuple[str, ...]) -> bool:
    return any(_BROAD_RESOURCE.match(resource) for resource in resources)


# Asked for every action of every escalation method, grant after grant, of resource lists that repeat.
@lru_cache(maxsize=65536)
def _broad_for(resources: tuple[str, ...], action: str) -> bool:
    if "*" in resources:
        return True
    templates = target_arn_templates(action)
    if not templates:
        return _is_broad(resources)
    return any(_covers_every(r, t) for r in resources for t in templates)


@dataclass(frozen=True)
class Grant:
    """One way an action is allowed: by a statement, on some resources, under some conditions."""

    statement: Statement
    resources: tuple[str, ...] | None  # None when the statement uses NotResource
    restrictions: tuple[Condition, ...]
    source: str = ""  # the document the statement is in, when several are evaluated together

    @property
    def where(self) -> str:
        return f"{self.source} {self.statement.label}" if self.source else self.statement.label

    @property
    def broad(self) -> bool:
        """Allowed on every resource of a kind (a wildcard ARN, `*`, or everything but a few)."""
        return self.resources is None or _is_broad(self.resources)

    def broad_for(self, action: str) -> bool:
        """Allowed on every resource `action` can target, judged per resource type of the action: so
        `ssm:SendCommand` on AWS's own documents (`arn:aws:ssm:*::document/AWS-*`) is not on any document."""
        return self.resources is None or _broad_for(self.resources, action)

    @property
    def self_scoped(self) -> bool:
        """Only the caller's own identity (`${aws:username}`) can be the target."""
        return self.resources is not None and all(
            any(variable in resource.lower() for variable in _SELF_VARIABLES) for resource in self.resources
        )

    @property
    def constrained(self) -> bool:
        return bool(self.restrictions)


def safe_on_own_identity(action: str) -> bool:
    """Creating one's own key or password escalates nothing; changing one's own permissions does."""
    return not changes_permissions(action)


@dataclass
class EffectivePermissions:
    """The grants that survive every applicable Deny, each with the actions it still allows.

    Action sets are bitsets over the catalog (`action_sets`); `grants` (action name -> grants) is
    read from them only when a caller needs every name.
    """

    # Each grant with the actions it still allows, in statement order.
    entries: list[tuple[Grant, int]] = field(default_factory=list)
    # The Allows alone give every action on every resource, before any Deny carves something out.
    admin_grant: bool = False

    @cached_property
    def grants(self) -> dict[str, list[Grant]]:
        """action (lower-case) -> the grants that allow it, in statement order."""
        result: dict[str, list[Grant]] = {}
        for grant, actions in self.entries:
            for action in action_sets.names(actions):
                result.setdefault(action, []).append(grant)
        return result

    @cached_property
    def allowed_set(self) -> int:
        result = 0
        for _, actions in self.entries:
            result |= actions
        return result

    def allowed(self) -> frozenset[str]:
        return action_sets.names(self.allowed_set)

    def grants_for(self, action: str) -> list[Grant]:
        """The grants that allow `action`, in statement order."""
        wanted = action_sets.bit(action)
        return [grant for grant, actions in self.entries if actions & wanted]

    def granting_statements(self) -> set[Statement]:
        """The Allow statements that still grant something (not cancelled by a Deny, not impossible)."""
        return {grant.statement for grant, _ in self.entries}

    def unconstrained_set(self, *, broad: bool = False) -> int:
        result = 0
        for grant, actions in self.entries:
            if not grant.constrained and (grant.broad or not broad):
                result |= actions
        return result

    def unconstrained(self, *, broad: bool = False) -> frozenset[str]:
        """Actions allowed without a narrowing condition (and on a wildcard resource, if `broad`)."""
        return action_sets.names(self.unconstrained_set(broad=broad))

    def usable_grants(self, action: str, *, broad: bool = False) -> list[Grant]:
        """The grants that let `action` be used on someone or something other than the caller itself
        (for permissions management, on the caller too: attaching a policy to oneself escalates)."""
        self_ok = not safe_on_own_identity(action)
        return [
            g
            for g in self.grants_for(action)
            if not g.constrained and (self_ok or not g.self_scoped) and (g.broad_for(action) or not broad)
        ]

    def usable_against_others(self, action: str, *, broad: bool = False) -> bool:
        return bool(self.usable_grants(action, broad=broad))

    def is_full_admin(self) -> bool:
        """Every action of every service on every resource, however it is spelt; a Deny that carves out
        a few actions leaves it admin as long as IAM's permission management survives it (the holder
        can remove the Deny), while a Deny of that makes it something less."""
        if not self.admin_grant:
            return False
        unconstrained = self.unconstrained_set(broad=True)
        management = iam_permissions_management_set()
        return unconstrained == action_sets.every_action() or unconstrained & management == management

    def capped_by(self, boundary: EffectivePermissions) -> EffectivePermissions:
        """What remains under a permissions boundary: only actions the boundary allows too. Where the
        boundary allows an action only under a narrowing condition, the grant carries that condition
        (that of the boundary's first grant of the action)."""
        capped = EffectivePermissions(admin_grant=self.admin_grant and boundary.admin_grant)
        freely = boundary.unconstrained_set()
        for grant, actions in self.entries:
            if kept := actions & freely:
                capped.entries.append((grant, kept))
            narrowed = actions & boundary.allowed_set & ~freely
            for limit, limited in boundary.entries:
                if part := narrowed & limited:
                    narrowing = grant.restrictions + limit.restrictions
                    capped.entries.append(
                        (Grant(grant.statement, grant.resources, narrowing, grant.source), part)
                    )
                    narrowed &= ~part
        return capped


@lru_cache(maxsize=1)
def iam_permissions_management_set() -> int:
    """IAM's own permission management (attach, put, delete policies and boundaries)."""
    return action_sets.of_actions(action for action in expand_all(("iam:*",)) if changes_permissions(action))


def statement_set(statement: Statement) -> int:
    """The actions a statement names, as a set over the catalog."""
    if statement.actions is not None:
        return _listed(statement.actions)
    return action_sets.every_action() & ~_listed(statement.not_actions or ())


# Statements repeat across documents (the MFA guard in every group, AWS's common read statements).
@lru_cache(maxsize=65536)
def _listed(patterns: tuple[str, ...]) -> int:
    return action_sets.patterns_set(patterns)


def _deny_covers(deny: Statement, grant: Grant) -> bool:
    if deny.resources is None:
        return False  # a Deny with NotResource: which resources it spares is not decided here
    if grant.resources is None:
        return "*" in deny.resources
    return all(
        any(fnmatchcase(resource, pattern) for pattern in deny.resources) for resource in grant.resources
    )


def evaluate(documents: Iterable[PolicyDocument], labels: Iterable[str] = ()) -> EffectivePermissions:
    """Allow minus Deny over all statements of all documents (one principal's policies together).

    `labels`, one per document, name the document in each grant, for findings over several documents.
    """
    documents = list(documents)
    names = list(labels) or [""] * len(documents)
    sourced = [
        (statement, name)
        for document, name in zip(documents, names, strict=True)
        for statement in document.statements
    ]
    entries: list[tuple[Grant, int]] = []
    for statement, name in sourced:
        if statement.effect != "Allow" or never_holds(statement.conditions):
            continue
        resources = statement.resources
        if resources is not None:
            resources = tuple(r for r in resources if not in_aws_namespace(r))
            if not resources:
                continue  # only AWS's own resources: nothing a customer can change
        if actions := statement_set(statement):
            grant = Grant(statement, resources, restrictive_conditions(statement.conditions), name)
            entries.append((grant, actions))
    every = action_sets.every_action()
    allows = EffectivePermissions(entries)
    # Only Allows of every action together can be admin: one integer test spares reading the rest.
    admin_grant = allows.allowed_set == every and allows.unconstrained_set(broad=True) == every
    for deny, _ in sourced:
        # A conditional Deny may not apply to a given request, so it subtracts nothing for certain.
        if deny.effect != "Deny" or deny.conditions:
            continue
        denied = statement_set(deny)
        entries = [
            (grant, actions & ~denied if actions & denied and _deny_covers(deny, grant) else actions)
            for grant, actions in entries
        ]
        entries = [(grant, actions) for grant, actions in entries if actions]
    return EffectivePermissions(entries, admin_grant)


def granting_allows(document: PolicyDocument) -> list[Statement]:
    """The document's Allow statements that grant anything at all: not cancelled by an unconditional
    Deny in the same document, not under conditions that can never hold. Only these draw findings."""
    granting = evaluate([document]).granting_statements()
    return [statement for statement in document.statements if statement in granting]
