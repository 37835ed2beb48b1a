"""IAM Identity Center in the stack model: each permission set is a principal, judged like a role.

A permission set's inline policy, managed policies, customer-managed references, boundary and account
assignments are separate resources that name it by `permissionSetArn`. They are linked to their
`PermissionSet` by that value when it is known (update: the set's `arn` output), else by the property
dependency on the set (preview). A resource that neither links is judged alone: its set is a principal
of its own, outside the stack, whose name the pack cannot know (so it is never an admin tier).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, TypeGuard

from iam_guard import types
from iam_guard.documents import DocumentKind, PolicyDocument
from iam_guard.stack_parts import (
    PERMISSION_SET_KIND,
    AttachedDocument,
    Principal,
    PrincipalKind,
    StackResource,
    Unresolved,
)


class StackModel(Protocol):
    """What linking needs of stack_model.StackModel (which builds an `IdentityCenter` of itself)."""

    principals: dict[tuple[PrincipalKind, str], Principal]
    unresolved: list[Unresolved]

    def of_type(self, type_token: str) -> list[StackResource]: ...

    def _dependency_sources(self, resource: StackResource, key: str) -> list[StackResource]: ...

    def document(
        self, resource: StackResource, key: str, label: str, kind: DocumentKind = ..., value: Any = ...
    ) -> PolicyDocument | None: ...

    def _aws_managed_document(self, arn: str, attaching_urn: str) -> AttachedDocument | None: ...


@dataclass
class PermissionSetView:
    """What the stack declares for one permission set, beyond its documents (on its `Principal`)."""

    key: str
    resource: StackResource | None  # None when the set is not in this stack (or not linked)
    members: list[StackResource] = field(default_factory=list)  # every resource linked to it
    customer_managed: list[tuple[str, str]] = field(default_factory=list)  # (name or "unknown", urn)
    unread_boundaries: list[tuple[str, str]] = field(default_factory=list)  # (why, urn)

    @property
    def name(self) -> str | None:
        """The permission set's name when the pack knows it (only for an in-stack set)."""
        return self.resource.iam_name if self.resource is not None else None

    def of_type(self, *type_tokens: str) -> list[StackResource]:
        return [member for member in self.members if member.type in type_tokens]

    @property
    def shown(self) -> str:
        if self.resource is not None:
            return f"permission set '{self.name or self.resource.name}'"
        return f"permission set {self.key!r} (not in this stack)"


@dataclass(frozen=True)
class Assignment:
    """An AccountAssignment with its permission set and, for a group, the group's display name."""

    resource: StackResource
    permission_set: PermissionSetView
    principal_type: Any  # "USER" | "GROUP", or unknown / bad input as given
    principal: str | None  # the group's display name (in-stack group), or the principalId; None: unknown
    principal_seen: bool  # the group is an identity-store Group of this stack
    target: Any  # the account ID, or unknown


def _known(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value) and not types.is_unknown(value)


class IdentityCenter:
    """Links the stack's Identity Center resources into `model` (its principals and unresolved list)."""

    def __init__(self, model: StackModel) -> None:
        self.model = model
        self.sets: dict[str, PermissionSetView] = {}
        self.assignments: list[Assignment] = []
        self._by_arn: dict[str, str] = {}
        for resource in model.of_type(types.PERMISSION_SET):
            key = resource.iam_name or resource.urn
            self.sets[key] = PermissionSetView(key, resource)
            model.principals[(PERMISSION_SET_KIND, key)] = _principal(key, resource.urn)
            arn = resource.props.get("arn")
            if _known(arn):
                self._by_arn[arn] = key
        self._groups_by_id = {
            group.props["groupId"]: group
            for group in model.of_type(types.IDENTITY_STORE_GROUP)
            if _known(group.props.get("groupId"))
        }
        for type_token in types.PERMISSION_SET_MEMBERS:
            for resource in model.of_type(type_token):
                self._link(resource)

    # -- linking -----------------------------------------------------------------------------

    def set_of(self, resource: StackResource) -> PermissionSetView:
        """The permission set `resource` names by `permissionSetArn` (a set of its own when unlinked)."""
        value = resource.props.get("permissionSetArn")
        if _known(value) and value in self._by_arn:
            return self.sets[self._by_arn[value]]
        for source in self.model._dependency_sources(resource, "permissionSetArn"):
            if source.type == types.PERMISSION_SET:
                return self.sets[source.iam_name or source.urn]
        if _known(value):
            key = value  # a set of another stack, or one the program looked up: judged alone
        else:
            key = resource.urn
            self.model.unresolved.append(
                types_unresolved(resource, "the permission set is produced outside this stack")
            )
        if key not in self.sets:
            self.sets[key] = PermissionSetView(key, None)
            self.model.principals.setdefault((PERMISSION_SET_KIND, key), _principal(key, None))
        return self.sets[key]

    def _link(self, resource: StackResource) -> None:
        view = self.set_of(resource)
        view.members.append(resource)
        if resource.type == types.ACCOUNT_ASSIGNMENT:
            self.assignments.append(self._assignment(resource, view))
            return
        principal = self.model.principals[(PERMISSION_SET_KIND, view.key)]
        principal.sources.append(resource.urn)
        if resource.type == types.PERMISSION_SET_INLINE_POLICY:
            label = f"inline policy '{resource.name}'"
            if parsed := self.model.document(resource, "inlinePolicy", label):
                principal.documents.append(AttachedDocument(parsed, resource.urn, label))
        elif resource.type == types.SSO_MANAGED_POLICY_ATTACHMENT:
            self._managed(principal, resource, [resource.props.get("managedPolicyArn")], "managedPolicyArn")
        elif resource.type == types.SSO_MANAGED_POLICY_ATTACHMENTS_EXCLUSIVE:
            arns = resource.props.get("managedPolicyArns")
            listed = arns if isinstance(arns, list) else [arns]
            self._managed(principal, resource, listed, "managedPolicyArns")
        elif resource.type == types.SSO_CUSTOMER_POLICY_ATTACHMENT:
            self._customer(view, resource, [resource.props.get("customerManagedPolicyReference")])
        elif resource.type == types.SSO_CUSTOMER_POLICY_ATTACHMENTS_EXCLUSIVE:
            references = resource.props.get("customerManagedPolicyReferences")
            self._customer(view, resource, references if isinstance(references, list) else [references])
        elif resource.type == types.SSO_BOUNDARY_ATTACHMENT:
            self._boundary(view, principal, resource)

    def _managed(self, principal: Principal, resource: StackResource, arns: list[Any], key: str) -> None:
        for arn in arns:
            if not _known(arn):
                self.model.unresolved.append(
                    types_unresolved(resource, "a managed policy ARN is known only after the update", key)
                )
                continue
            principal.managed_policy_arns.append((arn, resource.urn))
            if document := self.model._aws_managed_document(arn, resource.urn):
                principal.documents.append(document)

    @staticmethod
    def _customer(view: PermissionSetView, resource: StackResource, references: list[Any]) -> None:
        for reference in references:
            name = reference.get("name") if isinstance(reference, dict) else None
            view.customer_managed.append((name if _known(name) else "unknown", resource.urn))

    def _boundary(self, view: PermissionSetView, principal: Principal, resource: StackResource) -> None:
        """An AWS-managed boundary caps the set; a customer-managed one lives in each target account,
        where the pack cannot read it, so it caps nothing (fail closed)."""
        boundary = resource.props.get("permissionsBoundary")
        arn = boundary.get("managedPolicyArn") if isinstance(boundary, dict) else None
        if _known(arn):
            document = self.model._aws_managed_document(arn, resource.urn)
            if document is not None:
                principal.boundary = document
                return
            why = f"{arn} is not an AWS-managed policy the pack knows"
            view.unread_boundaries.append((why, resource.urn))
            return
        if isinstance(boundary, dict) and boundary.get("customerManagedPolicyReference"):
            why = "a customer-managed boundary lives in each target account, where the pack cannot read it"
        else:
            why = "its boundary is known only after the update"
        view.unread_boundaries.append((why, resource.urn))

    def _assignment(self, resource: StackResource, view: PermissionSetView) -> Assignment:
        props = resource.props
        principal_id = props.get("principalId")
        principal: str | None = principal_id if _known(principal_id) else None
        seen = False
        group = self._groups_by_id.get(principal_id) if _known(principal_id) else None
        if group is None:
            sources = self.model._dependency_sources(resource, "principalId")
            group = next((s for s in sources if s.type == types.IDENTITY_STORE_GROUP), None)
        if group is not None:
            display = group.props.get("displayName")
            principal, seen = (display if _known(display) else None), True
        return Assignment(resource, view, props.get("principalType"), principal, seen, props.get("targetId"))


def _principal(key: str, urn: str | None) -> Principal:
    return Principal(PERMISSION_SET_KIND, key, urn)


def types_unresolved(resource: StackResource, reason: str, key: str = "permissionSetArn") -> Unresolved:
    return Unresolved(resource.urn, key, reason)
