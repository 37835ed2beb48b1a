"""Identity Center in the access model: directory groups → permission sets → accounts, what each
permission set grants, and the attestation of the instance's MFA setting.

Read from the registered resources through the policy pack's own linking (its `StackModel` builds an
`IdentityCenter` of the stack: each permission set a principal with its documents and boundary, each
`AccountAssignment` linked to its set and group), so the document and the pack's Identity Center
findings read the same grants. Account names are the config's (`identity_center.accounts`): the
resources only hold account ids. Like offline/access/model.py, this holds names and facts, never
Markdown.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from offline.access.grants import Access, PolicyEntry, access_of, policy_entries
from offline.judging import pack_path  # noqa: F401 - puts policypack on sys.path for iam_guard

# isort: split
from iam_guard import aws_managed, types
from iam_guard.exemptions import iso_day
from iam_guard.identity_center import PermissionSetView
from iam_guard.rules import identity_center_mfa_attested as mfa_rule
from iam_guard.stack_model import PERMISSION_SET_KIND, StackModel, StackResource

IDENTITY_STORE_USER = "aws:identitystore/user:User"
IDENTITY_STORE_MEMBERSHIP = "aws:identitystore/groupMembership:GroupMembership"
AWS_DEFAULT_SESSION = "PT1H"  # Identity Center's session duration for a set that sets none
UNREAD_CUSTOMER_POLICY = "in each target account; not read by the pack"


@dataclass(frozen=True, order=True)
class AccountRef:
    """An assignment's target: the account id, and the name `identity_center.accounts` gives it."""

    account_id: str
    name: str | None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.account_id})" if self.name else self.account_id


@dataclass(frozen=True)
class SetAssignment:
    """A group (or a user assigned directly) may use a permission set in these accounts."""

    principal_type: str  # "GROUP" or "USER"
    principal: str  # the group's display name, the user's user name, or the id the stack was given
    permission_set: str
    accounts: tuple[AccountRef, ...]


@dataclass(frozen=True)
class PermissionSetAccess:
    name: str
    description: str
    session_duration: str | None  # None: AWS's default, PT1H
    policies: tuple[PolicyEntry, ...]
    boundary: str | None  # the boundary policy's name (path and name), when the set has one
    unread: tuple[str, ...]  # why what it may do can differ from `access`: policies the pack cannot read
    access: Access
    admin_tier_of: tuple[str, ...]  # the pack rules whose `admin_tiers` (pack config) list it


@dataclass(frozen=True)
class DirectoryGroup:
    name: str
    members: tuple[str, ...]  # user names


@dataclass(frozen=True)
class MfaAttestation:
    """What the permission sets' `iamtiers:mfa-*` tags attest, judged as the pack's rule judges it."""

    permission_sets: tuple[str, ...]  # the sets carrying this attestation
    mode: str | None
    attested_by: str | None
    attested_on: str | None
    problems: tuple[str, ...]  # missing or malformed tags, in the pack rule's words
    stale: bool  # older than the rule's MAX_AGE_DAYS on the pack's day


@dataclass(frozen=True)
class IdentityCenterAccess:
    groups: tuple[DirectoryGroup, ...]
    users: tuple[str, ...]
    permission_sets: tuple[PermissionSetAccess, ...]
    assignments: tuple[SetAssignment, ...]
    attestations: tuple[MfaAttestation, ...]

    @property
    def max_attestation_age_days(self) -> int:
        return mfa_rule.MAX_AGE_DAYS


def configured_account_names(config: Mapping[str, str], project: str) -> dict[str, str]:
    """Account id -> the name `identity_center.accounts` gives it (the first by name, as the program's
    profile names take it), from a stack's config as the CLI passes it (objects as JSON text)."""
    raw = config.get(f"{project}:identity_center")
    try:
        center = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        return {}
    accounts = center.get("accounts") if isinstance(center, dict) else None
    names: dict[str, str] = {}
    for name, account_id in sorted(accounts.items()) if isinstance(accounts, dict) else ():
        names.setdefault(str(account_id), str(name))
    return names


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value and not types.is_unknown(value) else None


def _by_output(model: StackModel, type_token: str, id_key: str, name_key: str) -> dict[str, str]:
    """An identity-store principal's name by its id (an output of the update run)."""
    return {
        str(resource.props[id_key]): str(resource.props[name_key])
        for resource in model.of_type(type_token)
        if _text(resource.props.get(id_key)) and _text(resource.props.get(name_key))
    }


def _named_by(
    model: StackModel, resource: StackResource, key: str, names: Mapping[str, str], name_key: str
) -> str | None:
    """The name of the principal `resource.props[key]` is the id of: by the id, else by the property
    dependency on the in-stack resource that produces it."""
    value = _text(resource.props.get(key))
    if value is not None and value in names:
        return names[value]
    for urn in resource.property_dependencies.get(key, []):
        source = model.by_urn.get(urn)
        if source is not None and (name := _text(source.props.get(name_key))):
            return name
    return value


def _directory(model: StackModel) -> tuple[tuple[DirectoryGroup, ...], tuple[str, ...]]:
    group_names = _by_output(model, types.IDENTITY_STORE_GROUP, "groupId", "displayName")
    user_names = _by_output(model, IDENTITY_STORE_USER, "userId", "userName")
    members: dict[str, set[str]] = {
        name: set()
        for group in model.of_type(types.IDENTITY_STORE_GROUP)
        if (name := _text(group.props.get("displayName")))
    }
    for membership in model.of_type(IDENTITY_STORE_MEMBERSHIP):
        group = _named_by(model, membership, "groupId", group_names, "displayName")
        user = _named_by(model, membership, "memberId", user_names, "userName")
        if group is not None and user is not None:
            members.setdefault(group, set()).add(user)
    groups = tuple(DirectoryGroup(name, tuple(sorted(users))) for name, users in sorted(members.items()))
    users = tuple(
        sorted(
            name for user in model.of_type(IDENTITY_STORE_USER) if (name := _text(user.props.get("userName")))
        )
    )
    return groups, users


def _assignments(model: StackModel, account_names: Mapping[str, str]) -> tuple[SetAssignment, ...]:
    user_names = _by_output(model, IDENTITY_STORE_USER, "userId", "userName")
    accounts: dict[tuple[str, str, str], set[AccountRef]] = {}
    for assignment in model.identity_center.assignments:
        kind = str(assignment.principal_type)
        principal = assignment.principal
        if kind == "USER":
            principal = _named_by(model, assignment.resource, "principalId", user_names, "userName")
        target = _text(assignment.target) or "unknown"
        key = (kind, principal or "unknown", _set_name(assignment.permission_set))
        accounts.setdefault(key, set()).add(AccountRef(target, account_names.get(target)))
    return tuple(
        SetAssignment(kind, principal, name, tuple(sorted(refs)))
        for (kind, principal, name), refs in sorted(
            accounts.items(), key=lambda item: (item[0][0] != "GROUP", item[0][1], item[0][2])
        )
    )


def _set_name(view: PermissionSetView) -> str:
    return view.name or (view.resource.name if view.resource is not None else view.key)


def _policy_name(arn: str) -> str:
    managed = aws_managed.lookup(arn)
    return managed.path_and_name if managed is not None else arn


def _customer_reference(reference: Any) -> str:
    if not isinstance(reference, dict):
        return "unknown"
    return f"{_text(reference.get('path')) or '/'}{_text(reference.get('name')) or 'unknown'}"


def _boundary(view: PermissionSetView) -> str | None:
    for attachment in view.of_type(types.SSO_BOUNDARY_ATTACHMENT):
        boundary = attachment.props.get("permissionsBoundary")
        if not isinstance(boundary, dict):
            return "unknown"
        if arn := _text(boundary.get("managedPolicyArn")):
            return _policy_name(arn)
        return _customer_reference(boundary.get("customerManagedPolicyReference"))
    return None


def _customer_policies(view: PermissionSetView) -> list[PolicyEntry]:
    references = [
        attachment.props.get("customerManagedPolicyReference")
        for attachment in view.of_type(types.SSO_CUSTOMER_POLICY_ATTACHMENT)
    ]
    for attachment in view.of_type(types.SSO_CUSTOMER_POLICY_ATTACHMENTS_EXCLUSIVE):
        listed = attachment.props.get("customerManagedPolicyReferences")
        references.extend(listed if isinstance(listed, list) else [listed])
    return [
        PolicyEntry("customer-managed", _customer_reference(r), UNREAD_CUSTOMER_POLICY) for r in references
    ]


def _permission_set(
    model: StackModel, view: PermissionSetView, admin_tiers: Mapping[str, frozenset[str]]
) -> PermissionSetAccess:
    principal = model.principal(PERMISSION_SET_KIND, view.key)
    props = view.resource.props if view.resource is not None else {}
    name = _set_name(view)
    customer = _customer_policies(view)
    unread = [f"customer-managed policy {entry.name}" for entry in customer]
    unread += [why for why, _ in view.unread_boundaries]
    return PermissionSetAccess(
        name=name,
        description=_text(props.get("description")) or "",
        session_duration=_text(props.get("sessionDuration")),
        policies=tuple(
            sorted({*policy_entries(model, principal), *customer}, key=lambda entry: (entry.kind, entry.name))
        ),
        boundary=_boundary(view),
        unread=tuple(unread),
        access=access_of(model, principal),
        admin_tier_of=tuple(sorted(rule for rule, names in admin_tiers.items() if name in names)),
    )


def _attestations(model: StackModel, today: datetime.date) -> tuple[MfaAttestation, ...]:
    """One entry per distinct attestation the in-stack permission sets carry (the program puts the
    same on every set)."""
    by_tags: dict[tuple[str | None, str | None, str | None], list[str]] = {}
    for resource in model.of_type(types.PERMISSION_SET):
        tags = resource.props.get("tags")
        tags = tags if isinstance(tags, dict) else {}
        key = tuple(_text(tags.get(tag)) for tag in (mfa_rule.MODE_TAG, mfa_rule.BY_TAG, mfa_rule.ON_TAG))
        by_tags.setdefault((key[0], key[1], key[2]), []).append(resource.iam_name or resource.name)
    attestations = []
    for (mode, by, on), sets in sorted(by_tags.items(), key=lambda item: sorted(item[1])):
        tags = {mfa_rule.MODE_TAG: mode, mfa_rule.BY_TAG: by, mfa_rule.ON_TAG: on}
        problems = tuple(mfa_rule._problems(tags))  # the pack's own reading of the tags
        day = iso_day(on)
        stale = day is not None and (today - day).days > mfa_rule.MAX_AGE_DAYS
        attestations.append(MfaAttestation(tuple(sorted(sets)), mode, by, on, problems, stale))
    return tuple(attestations)


def identity_center_access(
    model: StackModel,
    *,
    admin_tiers: Mapping[str, frozenset[str]],
    account_names: Mapping[str, str],
    today: datetime.date,
) -> IdentityCenterAccess | None:
    """The stack's Identity Center, or None when it manages none (its document then has no section)."""
    center = model.identity_center
    groups, users = _directory(model)
    if not center.sets and not groups and not users:
        return None
    sets = sorted(
        (_permission_set(model, view, admin_tiers) for view in center.sets.values()),
        key=lambda entry: entry.name,
    )
    return IdentityCenterAccess(
        groups=groups,
        users=users,
        permission_sets=tuple(sets),
        assignments=_assignments(model, account_names),
        attestations=_attestations(model, today),
    )
