"""`role_tiers`: who may assume a tier (`Trust`, with web-identity federation as `OidcTrust`), the
settings a tier entry may inherit from `role_tiers.defaults` (`RoleTierSettings`: MFA, session length,
boundary, path, trust) and a tier (`RoleTier`): its policies, statements and tags.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from components.config.fields import (
    AccountId,
    IamPath,
    PolicyReference,
    RoleDescription,
    RoleName,
    Statement,
    TagMap,
    _check_managed_policies,
    _Strict,
)
from components.iam_limits import shown

_IAM_ARN = re.compile(r"^arn:aws:iam::\d{12}:(saml-provider|oidc-provider)/[A-Za-z0-9_+=,.@/-]+$")
_SERVICE_PRINCIPAL = re.compile(r"^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$")


class OidcTrust(_Strict):
    """Web-identity federation; audiences and subjects are pinned, never wildcards alone."""

    provider_arn: str
    audiences: list[str] = Field(min_length=1)
    subjects: list[str] = Field(min_length=1)

    @field_validator("provider_arn")
    @classmethod
    def _arn(cls, value: str) -> str:
        if not _IAM_ARN.match(value) or ":oidc-provider/" not in value:
            raise ValueError(
                f"'{value}' is not an OIDC provider ARN (arn:aws:iam::123456789012:oidc-provider/HOST)"
            )
        return value

    @field_validator("subjects")
    @classmethod
    def _pinned(cls, value: list[str]) -> list[str]:
        for subject in value:
            if subject.strip("*:") == "" or (subject.endswith(":*") and subject.count(":") < 2):
                raise ValueError(f"subject '{subject}' trusts every identity of the provider")
        return value

    @property
    def host(self) -> str:
        return self.provider_arn.split(":oidc-provider/", 1)[1]


class Trust(_Strict):
    """Who may assume a role tier."""

    this_account: bool = False
    accounts: list[AccountId] = Field(default_factory=list)
    services: list[str] = Field(default_factory=list)
    saml_providers: list[str] = Field(default_factory=list)
    oidc: list[OidcTrust] = Field(default_factory=list)
    external_id: Annotated[str, StringConstraints(min_length=2, max_length=1224)] | None = None

    @field_validator("services")
    @classmethod
    def _services(cls, value: list[str]) -> list[str]:
        for service in value:
            if not _SERVICE_PRINCIPAL.match(service):
                raise ValueError(f"'{service}' is not an AWS service principal (e.g. ec2.amazonaws.com)")
        return value

    @field_validator("saml_providers")
    @classmethod
    def _saml(cls, value: list[str]) -> list[str]:
        for arn in value:
            if not _IAM_ARN.match(arn) or ":saml-provider/" not in arn:
                raise ValueError(
                    f"'{arn}' is not a SAML provider ARN (arn:aws:iam::123456789012:saml-provider/NAME)"
                )
        return value

    @property
    def trusts_iam_principals(self) -> bool:
        return self.this_account or bool(self.accounts)

    @property
    def is_empty(self) -> bool:
        return not (self.trusts_iam_principals or self.services or self.saml_providers or self.oidc)


class RoleTierSettings(_Strict):
    """What a tier entry may inherit from `role_tiers.defaults`."""

    require_mfa: bool = True
    max_mfa_age_seconds: Annotated[int, Field(ge=300, le=129600)] = 3600
    max_session_duration_seconds: Annotated[int, Field(ge=3600, le=43200)] = 3600
    permissions_boundary: PolicyReference | None = None
    path: IamPath = "/"
    trust: Trust = Field(default_factory=Trust)
    # Off, the tier is only offered as an Identity Center permission set (`from_tier`) and no IAM role
    # is created in this account: the management account then holds no SOC role of its own.
    create_role: bool = Field(default=True, strict=True)


class RoleTier(RoleTierSettings):
    name: RoleName
    description: RoleDescription = ""
    managed_policies: list[PolicyReference] = Field(default_factory=list)
    statements: list[Statement] = Field(default_factory=list)
    tags: TagMap = Field(default_factory=dict)

    @field_validator("managed_policies")
    @classmethod
    def _policies(cls, value: list[str]) -> list[str]:
        return _check_managed_policies(value, "role; merge some into 'statements'")

    @field_validator("name")
    @classmethod
    def _name_is_a_tag_value(cls, value: str) -> str:
        # components/role_tier.py tags the role `iamtiers:tier: <name>`; TagRole refuses ',' in values.
        if "," in value:
            raise ValueError(
                f"{shown(value)} becomes the role's 'iamtiers:tier' tag value, and IAM tag values "
                "may not contain ','; rename the tier"
            )
        return value

    @model_validator(mode="after")
    def _trusted_by_someone(self) -> RoleTier:
        if self.trust.is_empty:
            raise ValueError(
                "trust names no principal; set trust.this_account, accounts, services, saml_providers or oidc"
            )
        if self.trust.trusts_iam_principals and not self.require_mfa and not self.trust.external_id:
            raise ValueError(
                "IAM principals may assume this tier without MFA; set require_mfa: true, "
                "or trust.external_id for a machine principal of another account"
            )
        if self.trust.this_account and self.trust.external_id and not self.require_mfa:
            raise ValueError(
                "an external id does not protect a tier trusted by this account's own users; "
                "set require_mfa: true"
            )
        return self
