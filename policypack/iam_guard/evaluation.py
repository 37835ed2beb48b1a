"""What a set of policy documents effectively allows, evaluated as AWS evaluates it.

Every Allow is expanded (wildcards and `NotAction` against the catalog), then Deny statements are
subtracted only where they certainly apply: a Deny with a condition may not apply, and a Deny on
a narrower resource leaves the rest of the Allow standing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from iam_guard.catalog import all_actions, expand_all
from iam_guard.conditions import restrictive_conditions
from iam_guard.documents import Condition, PolicyDocument, Statement

_SELF_VARIABLES = ("${aws:username}", "${aws:userid}")
# A resource whose identifier part is only a wildcard: `*`, `arn:aws:iam::123:role/*`, `arn:aws:s3:::*`.
_BROAD_RESOURCE = re.compile(r"^(\*|arn:[^:]*:[^:]*:[^:]*:[^:]*:([A-Za-z0-9_-]+[/:])?\*)$")


@dataclass(frozen=True)
class Grant:
    """One way an action is allowed: by a statement, on some resources, under some conditions."""

    statement: Statement
    resources: tuple[str, ...] | None  # None when the statement uses NotResource
    restrictions: tuple[Condition, ...]

    @property
    def broad(self) -> bool:
        """Allowed on every resource of a kind (a wildcard ARN, `*`, or everything but a few)."""
        if self.resources is None:
            return True
        return any(_BROAD_RESOURCE.match(resource) for resource in self.resources)

    @property
    def self_scoped(self) -> bool:
        """Only the caller's own identity (`${aws:username}`) can be the target."""
        return self.resources is not None and all(
            any(variable in resource.lower() for variable in _SELF_VARIABLES) for resource in self.resources
        )

    @property
    def constrained(self) -> bool:
        return bool(self.restrictions)


@dataclass
class EffectivePermissions:
    """action (lower-case) -> the grants that survive every applicable Deny."""

    grants: dict[str, list[Grant]] = field(default_factory=dict)

    def allowed(self) -> frozenset[str]:
        return frozenset(self.grants)

    def unconstrained(self, *, broad: bool = False) -> frozenset[str]:
        """Actions allowed without a narrowing condition (and on a wildcard resource, if `broad`)."""
        return frozenset(
            action
            for action, grants in self.grants.items()
            if any(not g.constrained and (g.broad or not broad) for g in grants)
        )

    def usable_against_others(self, action: str, *, broad: bool = False) -> bool:
        """Whether `action` can be used on someone or something other than the caller itself."""
        return any(
            not g.constrained and not g.self_scoped and (g.broad or not broad)
            for g in self.grants.get(action, [])
        )

    def is_full_admin(self) -> bool:
        """Every action of every service on every resource, however it is spelt."""
        return self.unconstrained(broad=True) >= all_actions()


def statement_actions(statement: Statement) -> frozenset[str]:
    if statement.actions is not None:
        return expand_all(statement.actions)
    return all_actions() - expand_all(statement.not_actions or ())


def _deny_covers(deny: Statement, grant: Grant) -> bool:
    if deny.resources is None:
        return False  # a Deny with NotResource: which resources it spares is not decided here
    if grant.resources is None:
        return "*" in deny.resources
    return all(
        any(fnmatchcase(resource, pattern) for pattern in deny.resources) for resource in grant.resources
    )


def evaluate(documents: Iterable[PolicyDocument]) -> EffectivePermissions:
    """Allow minus Deny over all statements of all documents (one principal's policies together)."""
    statements = [statement for document in documents for statement in document.statements]
    permissions = EffectivePermissions()
    for statement in statements:
        if statement.effect != "Allow":
            continue
        grant = Grant(statement, statement.resources, restrictive_conditions(statement.conditions))
        for action in statement_actions(statement):
            permissions.grants.setdefault(action, []).append(grant)
    for deny in statements:
        # A conditional Deny may not apply to a given request, so it subtracts nothing for certain.
        if deny.effect != "Deny" or deny.conditions:
            continue
        for action in statement_actions(deny) & permissions.grants.keys():
            surviving = [grant for grant in permissions.grants[action] if not _deny_covers(deny, grant)]
            if surviving:
                permissions.grants[action] = surviving
            else:
                del permissions.grants[action]
    return permissions
