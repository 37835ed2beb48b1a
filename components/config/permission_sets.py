"""`identity_center.permission_sets`: one Identity Center permission set (`PermissionSet`), its
session duration, AWS-managed and customer-managed policies, inline statements and boundary, or
`from_tier`, which offers a tier of `role_tiers` as the permission set; and `PermissionSetGrants`, what a
permission set grants once `from_tier` is resolved (`permission_set_grants`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from components.config.fields import (
    PolicyReference,
    RoleName,
    Statement,
    TagMap,
    _reject_duplicate_keys,
    _Strict,
)
from components.config.role_tiers import RoleTier
from components.iam_limits import shown
from components.pack_modules import PACK_DIR, load_pack_module

# sso-admin CreatePermissionSet: Name 1-32 characters of [\w+=,.@-] (\w ASCII).
PERMISSION_SET_NAME_LIMIT = 32
_PERMISSION_SET_NAME = re.compile(r"^[A-Za-z0-9_+=,.@-]+$")
# The pack's own reading of a session duration (stdlib only), so that config and pack agree on what
# a duration is: Identity Center's PT1H to PT12H, default PT1H.
_PACK_DURATION = load_pack_module(PACK_DIR / "iam_guard" / "iso_duration.py")
SESSION_SECONDS_RANGE: tuple[int, int] = (_PACK_DURATION.AWS_MIN_SECONDS, _PACK_DURATION.AWS_MAX_SECONDS)
DEFAULT_SESSION_DURATION: str = _PACK_DURATION.AWS_DEFAULT
# `PT4H` for 14400: a tier's max session as a permission set's session duration.
iso_duration: Callable[[int], str] = _PACK_DURATION.shown
# Identity Center quotas: an inline policy of at most 10,240 non-whitespace characters.
INLINE_POLICY_LIMIT = 10240
_POLICY_VERSION = "2012-10-17"  # as components/policy_documents.py writes every document
# sso-admin CustomerManagedPolicyReference: Name 1-128 of [\w+=,.@-], Path ((/[A-Za-z0-9.,+@=_-]+)*)/.
_CUSTOMER_POLICY_NAME = re.compile(r"^[A-Za-z0-9_+=,.@-]{1,128}$")
_CUSTOMER_POLICY_PATH = re.compile(r"^(/[A-Za-z0-9.,+@=_-]+)*/$")
_CUSTOMER_POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:policy(/.*/|/)([^/]+)$")

PermissionSetDescription = Annotated[
    str,
    StringConstraints(min_length=1, max_length=700, pattern=r"^[\t\n\r\u0020-\u007E\u00A1-\u00FF]*$"),
]
RelayState = Annotated[str, StringConstraints(min_length=1, max_length=240)]


def session_seconds(duration: str) -> int | None:
    """The seconds of an ISO-8601 duration of hours, minutes and seconds (`PT4H`, `PT1H30M`), or None."""
    try:
        seconds: int = _PACK_DURATION.session_seconds(duration)
    except _PACK_DURATION.DurationError:
        return None
    return seconds


def inline_policy_size(statements: list[Statement]) -> int:
    """The non-whitespace characters of the inline policy the statements become (the quota's measure)."""
    text = json.dumps({"Statement": [s.document() for s in statements], "Version": _POLICY_VERSION})
    return sum(1 for character in text if not character.isspace())


class CustomerManagedPolicy(_Strict):
    """A customer-managed policy by name and path; it must exist in every account the set is assigned to."""

    name: str
    path: str = "/"

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _CUSTOMER_POLICY_NAME.match(value):
            raise ValueError(
                f"{shown(value)} is not a policy name (1-128 letters, digits and +=,.@_-); "
                "give the name only, the path goes in 'path'"
            )
        return value

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not _CUSTOMER_POLICY_PATH.match(value) or len(value) > 512:
            raise ValueError(f"{shown(value)} is not a policy path; write '/' or '/division/team/'")
        return value


class PermissionSet(_Strict):
    """A permission set: its own grants, or `from_tier` naming a tier of `role_tiers` that grants them."""

    name: str | None = None
    from_tier: RoleName | None = None
    description: PermissionSetDescription | None = None
    relay_state: RelayState | None = None
    tags: TagMap = Field(default_factory=dict)
    session_duration: str | None = None
    managed_policies: list[PolicyReference] = Field(default_factory=list)
    customer_managed_policies: list[CustomerManagedPolicy] = Field(default_factory=list)
    statements: list[Statement] = Field(default_factory=list)
    permissions_boundary: PolicyReference | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None:
            problem = permission_set_name_problem(value)
            if problem:
                raise ValueError(problem)
        return value

    @field_validator("session_duration")
    @classmethod
    def _session(cls, value: str | None) -> str | None:
        if value is None:
            return value
        seconds = session_seconds(value)
        if seconds is None:
            raise ValueError(
                f"{shown(value)} is not an ISO-8601 duration; write hours and minutes such as PT4H or PT1H30M"
            )
        low, high = SESSION_SECONDS_RANGE
        if not low <= seconds <= high:
            raise ValueError(f"{value} is out of range; Identity Center allows PT1H to PT12H")
        return value

    @field_validator("managed_policies")
    @classmethod
    def _aws_managed_only(cls, value: list[str]) -> list[str]:
        for reference in value:
            match = _CUSTOMER_POLICY_ARN.match(reference)
            if match:
                raise ValueError(
                    f"{shown(reference, 100)} is a customer-managed policy of one account; list it under "
                    f"customer_managed_policies as {{name: {match.group(2)}, path: {match.group(1)}}}"
                )
        _reject_duplicate_keys(value)
        return value

    @field_validator("statements")
    @classmethod
    def _inline_size(cls, value: list[Statement]) -> list[Statement]:
        size = inline_policy_size(value)
        if size > INLINE_POLICY_LIMIT:
            raise ValueError(
                f"the inline policy has {size} non-whitespace characters; Identity Center allows "
                f"{INLINE_POLICY_LIMIT}; move statements into customer_managed_policies or managed_policies"
            )
        return value

    @model_validator(mode="after")
    def _named_and_granted_once(self) -> PermissionSet:
        if self.from_tier is None:
            if self.name is None:
                raise ValueError("give 'name', or 'from_tier' naming a tier of role_tiers")
            return self
        mixed = [
            key
            for key in ("managed_policies", "customer_managed_policies", "statements", "permissions_boundary")
            if getattr(self, key)
        ]
        if mixed:
            raise ValueError(
                f"from_tier takes the grants from tier '{self.from_tier}'; remove {', '.join(mixed)} "
                "here, or change the tier (one grant lives in one place)"
            )
        return self

    @property
    def set_name(self) -> str:
        """The permission set's name: its own, or its tier's."""
        return self.name or str(self.from_tier)


def permission_set_name_problem(value: str) -> str | None:
    if len(value) > PERMISSION_SET_NAME_LIMIT:
        return (
            f"{shown(value)} has {len(value)} characters; a permission set name has at most "
            f"{PERMISSION_SET_NAME_LIMIT}; shorten it"
        )
    if not value or not _PERMISSION_SET_NAME.match(value):
        return f"{shown(value)} is not a permission set name; use letters, digits and +=,.@_- only"
    return None


@dataclass(frozen=True)
class CustomerPolicyReference:
    name: str
    path: str


@dataclass(frozen=True)
class PermissionSetGrants:
    """What a permission set grants, `from_tier` resolved: AWS-managed policy ARNs, customer-managed
    references, inline statements, the boundary (one of its two forms) and the session duration."""

    managed_policy_arns: tuple[str, ...]
    customer_managed_policies: tuple[CustomerPolicyReference, ...]
    statements: tuple[Statement, ...]
    boundary_arn: str | None
    boundary_reference: CustomerPolicyReference | None
    session_duration: str
    description: str


def _split_reference(reference: str) -> tuple[str | None, CustomerPolicyReference | None]:
    """A tier's policy reference as a permission set takes it: AWS-managed by ARN, or a customer-managed
    policy by name and path (a permission set names it once for every account it is assigned to)."""
    match = _CUSTOMER_POLICY_ARN.match(reference)
    if match:
        return None, CustomerPolicyReference(name=match.group(2), path=match.group(1))
    arn = reference if reference.startswith("arn:") else f"arn:aws:iam::aws:policy/{reference}"
    return arn, None


def permission_set_grants(permission_set: PermissionSet, tier: RoleTier | None) -> PermissionSetGrants:
    """The grants of a permission set; `tier` is the `role_tiers` entry its `from_tier` names."""
    source = tier if tier is not None else permission_set
    arns: list[str] = []
    customer = [CustomerPolicyReference(p.name, p.path) for p in permission_set.customer_managed_policies]
    for reference in source.managed_policies:
        arn, by_name = _split_reference(reference)
        arns.extend([arn] if arn else [])
        customer.extend([by_name] if by_name else [])
    boundary_arn, boundary_reference = (
        _split_reference(source.permissions_boundary) if source.permissions_boundary else (None, None)
    )
    duration = permission_set.session_duration or (
        iso_duration(tier.max_session_duration_seconds) if tier else DEFAULT_SESSION_DURATION
    )
    description = permission_set.description or (tier.description if tier else "") or ""
    return PermissionSetGrants(
        managed_policy_arns=tuple(arns),
        customer_managed_policies=tuple(customer),
        statements=tuple(source.statements),
        boundary_arn=boundary_arn,
        boundary_reference=boundary_reference,
        session_duration=duration,
        description=description[:700],
    )
