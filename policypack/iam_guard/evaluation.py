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
from functools import lru_cache

from iam_guard.catalog import (
    all_actions,
    changes_permissions,
    expand_all,
    target_arn_templates,
)
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
        if self.resources is None:
            return True
        return any(_BROAD_RESOURCE.match(resource) for resource in self.resources)

    def broad_for(self, action: str) -> bool:
        """Allowed on every resource `action` can target, judged per resource type of the action: so
        `ssm:SendCommand` on AWS's own documents (`arn:aws:ssm:*::document/AWS-*`) is not on any document."""
        if self.resources is None or "*" in self.resources:
            return True
        templates = target_arn_templates(action)
        if not templates:
            return self.broad
        return any(_covers_every(r, t) for r in self.resources for t in templates)

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
    """action (lower-case) -> the grants that survive every applicable Deny."""

    grants: dict[str, list[Grant]] = field(default_factory=dict)
    # The Allows alone give every action on every resource, before any Deny carves something out.
    admin_grant: bool = False

    def allowed(self) -> frozenset[str]:
        return frozenset(self.grants)

    def granting_statements(self) -> set[Statement]:
        """The Allow statements that still grant something (not cancelled by a Deny, not impossible)."""
        return {grant.statement for grants in self.grants.values() for grant in grants}

    def unconstrained(self, *, broad: bool = False) -> frozenset[str]:
        """Actions allowed without a narrowing condition (and on a wildcard resource, if `broad`)."""
        return frozenset(
            action
            for action, grants in self.grants.items()
            if any(not g.constrained and (g.broad or not broad) for g in grants)
        )

    def usable_grants(self, action: str, *, broad: bool = False) -> list[Grant]:
        """The grants that let `action` be used on someone or something other than the caller itself
        (for permissions management, on the caller too: attaching a policy to oneself escalates)."""
        self_ok = not safe_on_own_identity(action)
        return [
            g
            for g in self.grants.get(action, [])
            if not g.constrained and (self_ok or not g.self_scoped) and (g.broad_for(action) or not broad)
        ]

    def usable_against_others(self, action: str, *, broad: bool = False) -> bool:
        return bool(self.usable_grants(action, broad=broad))

    def is_full_admin(self) -> bool:
        """Every action of every service on every resource, however it is spelt; a Deny that carves out
        a few actions leaves it admin as long as IAM's permission management survives it (the holder
        can remove the Deny), while a Deny of that makes it something less."""
        if not self.admin_grant or len(self.grants) < len(iam_permissions_management()):
            return False
        unconstrained = self.unconstrained(broad=True)
        return unconstrained >= all_actions() or unconstrained >= iam_permissions_management()

    def capped_by(self, boundary: EffectivePermissions) -> EffectivePermissions:
        """What remains under a permissions boundary: only actions the boundary allows too. Where the
        boundary allows an action only under a narrowing condition, the grant carries that condition."""
        capped = EffectivePermissions(admin_grant=self.admin_grant and boundary.admin_grant)
        for action, grants in self.grants.items():
            limits = boundary.grants.get(action)
            if not limits:
                continue
            if any(not limit.constrained for limit in limits):
                capped.grants[action] = list(grants)
            else:
                narrowing = limits[0].restrictions
                capped.grants[action] = [
                    Grant(g.statement, g.resources, g.restrictions + narrowing, g.source) for g in grants
                ]
        return capped


@lru_cache(maxsize=1)
def iam_permissions_management() -> frozenset[str]:
    """IAM's own permission management (attach, put, delete policies and boundaries)."""
    return frozenset(action for action in expand_all(("iam:*",)) if changes_permissions(action))


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
    permissions = EffectivePermissions()
    for statement, name in sourced:
        if statement.effect != "Allow" or never_holds(statement.conditions):
            continue
        resources = statement.resources
        if resources is not None:
            resources = tuple(r for r in resources if not in_aws_namespace(r))
            if not resources:
                continue  # only AWS's own resources: nothing a customer can change
        grant = Grant(statement, resources, restrictive_conditions(statement.conditions), name)
        for action in statement_actions(statement):
            permissions.grants.setdefault(action, []).append(grant)
    # Only a grant of every action can be admin: counting first spares building the set for the rest.
    permissions.admin_grant = len(permissions.grants) >= len(all_actions()) and (
        permissions.unconstrained(broad=True) >= all_actions()
    )
    for deny, _ in sourced:
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


def granting_allows(document: PolicyDocument) -> list[Statement]:
    """The document's Allow statements that grant anything at all: not cancelled by an unconditional
    Deny in the same document, not under conditions that can never hold. Only these draw findings."""
    granting = evaluate([document]).granting_statements()
    return [statement for statement in document.statements if statement in granting]
