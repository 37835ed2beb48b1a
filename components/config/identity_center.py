"""`identity_center`: the Identity Center instance a stack administers (`IdentityCenter`): where it is
(`instance_arn`, `identity_store_id`, or looked up), who is in its directory (`users` and `groups` of its
own, or `external_groups` an external IdP provisions by SCIM), the `permission_sets`, the
`assignments` of a group (or, discouraged, a user) to a permission set in accounts, the `accounts` an
assignment may name, and the console-only MFA setting as an attestation (`MfaAttestation`).
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from components.config.fields import AccountId, Email, _refuse, _Strict
from components.config.permission_sets import PermissionSet
from components.iam_limits import tag_value_problem

# The tags every PermissionSet carries so that the policy pack can judge the instance's MFA setting,
# which no API reads or sets (Identity Center user guide, "Configure MFA").
MFA_TAG_MODE = "iamtiers:mfa-mode"
MFA_TAG_ATTESTED_BY = "iamtiers:mfa-attested-by"
MFA_TAG_ATTESTED_ON = "iamtiers:mfa-attested-on"
# IAM's default: 10 managed policies per role, and each permission set is a role in every target account.
DEFAULT_MANAGED_POLICY_QUOTA = 10
MAX_MANAGED_POLICY_QUOTA = 20  # Identity Center: AWS- plus customer-managed policies per permission set

_INSTANCE_ARN = re.compile(r"^arn:aws[a-z-]*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$")
_IDENTITY_STORE_ID = re.compile(
    r"^d-[0-9a-f]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
_DISPLAY_NAME = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
_DIRECTORY_USER_NAME = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\w+=,.@-]+$")
]


class MfaAttestation(_Strict):
    """Who checked the instance's MFA setting in the console, when, and what it is."""

    mode: Literal["always-on", "context-aware", "external-idp"]
    attested_by: Annotated[str, StringConstraints(min_length=1), _refuse(tag_value_problem)]
    attested_on: str

    @field_validator("attested_on", mode="before")
    @classmethod
    def _date(cls, value: object) -> object:
        # YAML reads an unquoted 2025-06-30 as a date; the tag holds its ISO text either way.
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                datetime.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"'{value}' is not a date; write YYYY-MM-DD, e.g. 2025-06-30") from None
            if len(value.strip()) != 10:
                raise ValueError(f"'{value}' is not a date; write YYYY-MM-DD, e.g. 2025-06-30")
        return value

    def tags(self) -> dict[str, str]:
        return {
            MFA_TAG_MODE: self.mode,
            MFA_TAG_ATTESTED_BY: self.attested_by,
            MFA_TAG_ATTESTED_ON: self.attested_on,
        }


class DirectoryUser(_Strict):
    """A user of Identity Center's own directory."""

    user_name: _DIRECTORY_USER_NAME
    display_name: _DISPLAY_NAME
    email: Email
    given_name: _DISPLAY_NAME
    family_name: _DISPLAY_NAME


class DirectoryGroup(_Strict):
    """A group of Identity Center's own directory, with its members by user name."""

    name: _DISPLAY_NAME
    description: Annotated[str, StringConstraints(max_length=1024)] = ""
    members: list[str] = Field(default_factory=list)


class Assignment(_Strict):
    """A group's (or, explicitly, a user's) use of a permission set in accounts (ids or `accounts` names)."""

    group: str | None = None
    user: str | None = None
    permission_set: str
    accounts: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_principal(self) -> Assignment:
        if (self.group is None) == (self.user is None):
            raise ValueError("give exactly one of 'group' or 'user' (prefer a group)")
        return self

    @property
    def principal(self) -> tuple[Literal["GROUP", "USER"], str]:
        return ("GROUP", str(self.group)) if self.group is not None else ("USER", str(self.user))


class IdentityCenter(_Strict):
    """The instance this stack administers and what the stack manages in it."""

    instance_arn: str | None = None
    identity_store_id: str | None = None
    region: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")] | None = None
    portal_url: Annotated[str, StringConstraints(pattern=r"^https://\S+$")] | None = None
    mfa: MfaAttestation | None = None
    accounts: dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+$")], AccountId] = Field(
        default_factory=dict
    )
    managed_policy_quota: Annotated[int, Field(ge=1, le=MAX_MANAGED_POLICY_QUOTA, strict=True)] = (
        DEFAULT_MANAGED_POLICY_QUOTA
    )
    users: list[DirectoryUser] = Field(default_factory=list)
    groups: list[DirectoryGroup] = Field(default_factory=list)
    external_groups: list[_DISPLAY_NAME] = Field(default_factory=list)
    permission_sets: list[PermissionSet] = Field(default_factory=list)
    assignments: list[Assignment] = Field(default_factory=list)

    @field_validator("instance_arn")
    @classmethod
    def _instance(cls, value: str | None) -> str | None:
        if value is not None and not _INSTANCE_ARN.match(value):
            raise ValueError(
                f"'{value}' is not an Identity Center instance ARN "
                "(arn:aws:sso:::instance/ssoins-0123456789abcdef); or omit it to look it up"
            )
        return value

    @field_validator("identity_store_id")
    @classmethod
    def _store(cls, value: str | None) -> str | None:
        if value is not None and not _IDENTITY_STORE_ID.match(value):
            raise ValueError(
                f"'{value}' is not an identity store id (d-0123456789); or omit it to look it up"
            )
        return value

    @model_validator(mode="after")
    def _one_directory(self) -> IdentityCenter:
        if self.external_groups and (self.users or self.groups):
            raise ValueError(
                "external_groups means an external IdP provisions the directory by SCIM, where the "
                "stack creates no user or group; remove users and groups, or external_groups"
            )
        if (self.instance_arn is None) != (self.identity_store_id is None):
            raise ValueError("give both instance_arn and identity_store_id, or neither to look them up")
        return self

    @property
    def external(self) -> bool:
        return bool(self.external_groups)

    def permission_set(self, name: str) -> PermissionSet:
        return next(p for p in self.permission_sets if p.set_name == name)

    def account_id(self, reference: str) -> str:
        """An assignment's account: a 12-digit id, or its name in `accounts`."""
        return self.accounts.get(reference, reference)

    def account_name(self, account_id: str) -> str:
        """The name `accounts` gives an id, or the id: for profile names."""
        return next(
            (name for name, known in sorted(self.accounts.items()) if known == account_id), account_id
        )
