"""The pieces a stack model is made of: resources as the pack sees them, principals and their documents.

Kept apart from stack_model.py so that the modules that link principals (identity_center.py) and the
model that calls them import these without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from iam_guard import types
from iam_guard.documents import PolicyDocument

PrincipalKind = Literal["user", "group", "role", "permission_set"]
# An Identity Center permission set, linked to its policies in identity_center.py.
PERMISSION_SET_KIND: PrincipalKind = "permission_set"


@dataclass(frozen=True)
class StackResource:
    """A resource as the pack sees it at stack level, properties unwrapped (unknowns kept)."""

    type: str
    name: str
    urn: str
    props: dict[str, Any]
    property_dependencies: dict[str, list[str]]

    @property
    def iam_name(self) -> str | None:
        value = self.props.get("name")
        return value if isinstance(value, str) and not types.is_unknown(value) else None


@dataclass(frozen=True)
class AttachedDocument:
    document: PolicyDocument
    source_urn: str  # the resource that defines or attaches it
    label: str
    origin_urn: str | None = None  # the in-stack `Policy` that defines it, for customer managed policies
    aws_managed: bool = False


@dataclass
class Principal:
    kind: PrincipalKind
    key: str  # IAM name, or the URN when the name is not known
    urn: str | None  # None for a principal outside the stack
    documents: list[AttachedDocument] = field(default_factory=list)
    managed_policy_arns: list[tuple[str, str]] = field(default_factory=list)  # (arn, attaching urn)
    groups: set[str] = field(default_factory=set)  # users only: group keys
    login_profiles: list[StackResource] = field(default_factory=list)
    access_keys: list[StackResource] = field(default_factory=list)
    trust: PolicyDocument | None = None
    boundary: AttachedDocument | None = None  # the permissions boundary, when the pack can read it
    sources: list[str] = field(default_factory=list)  # URNs of the resources that attach policies or groups

    @property
    def label(self) -> str:
        return f"{self.kind.replace('_', ' ')} '{self.key}'"


@dataclass(frozen=True)
class Unresolved:
    urn: str
    key: str
    reason: str
