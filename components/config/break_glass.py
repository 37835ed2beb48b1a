"""`break_glass`: the console-only emergency users (`BreakGlassUser`), their group and admin tier, and who
is told when they are used (`BreakGlass`); `root_management` (`RootManagement`): the organization's
central control of member accounts' root credentials and root sessions.

The checks across keys are in `break_glass_checks`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from components.config.fields import Email, GroupName, IamPath, RoleName, UserName, _Strict
from components.config.users import _PGP_KEY, UserEmail

BREAK_GLASS_TAG = "iamtiers:break-glass"
DEFAULT_USERS = ("break-glass-1", "break-glass-2")


class BreakGlassUser(_Strict):
    """One emergency user: console password only, MFA enrolled at first sign-in."""

    name: UserName
    pgp_key: str | None = None
    email: UserEmail | None = None
    path: IamPath = "/"
    # Accepted only to refuse it with its reason: an access key cannot be made to raise the sign-in alarm.
    programmatic_access: bool = False

    @field_validator("pgp_key")
    @classmethod
    def _pgp_key(cls, value: str | None) -> str | None:
        if value is not None and not _PGP_KEY.match(value.replace("\n", "")):
            raise ValueError(
                "expected 'keybase:<username>' or a base64-encoded PGP public key without armour lines"
            )
        return value

    @field_validator("programmatic_access")
    @classmethod
    def _console_only(cls, value: bool) -> bool:
        if value:
            raise ValueError(
                "break-glass users are console only: an access key signs API calls that no sign-in alarm "
                "sees and never expires with a session; remove programmatic_access (give automation its "
                "own user under iamtiers:users)"
            )
        return value


class BreakGlassTier(_Strict):
    name: RoleName = "BreakGlassAdministrator"
    path: IamPath = "/"


class BreakGlass(_Strict):
    """Emergency administration that alarms on every use; on as soon as the key is present."""

    enabled: bool = True
    users: list[BreakGlassUser] = Field(
        default_factory=lambda: [BreakGlassUser(name=name) for name in DEFAULT_USERS], min_length=1
    )
    group: GroupName = "BreakGlass"
    tier: BreakGlassTier = Field(default_factory=BreakGlassTier)
    # Fresh MFA for the switch: at most 15 minutes old (the tier's session is IAM's minimum, 1 hour).
    mfa_max_age_seconds: Annotated[int, Field(ge=300, le=900)] = 900
    # Who is emailed on each use; empty: monitoring.alarms.emails.
    alarm_emails: list[Email] = Field(default_factory=list)
    # Off creates every alarm switched off (EventBridge rules DISABLED, alarm actions off), which the
    # pack blocks (break-glass-alarmed): silencing them needs a pack exemption with an expiry instead.
    alarms_enabled: bool = Field(default=True, strict=True)

    @model_validator(mode="after")
    def _unique_users(self) -> BreakGlass:
        names = [user.name.lower() for user in self.users]
        if len(set(names)) != len(names):
            raise ValueError("a user is listed twice under 'users' (IAM names are case-insensitive)")
        return self


class RootManagement(_Strict):
    """`aws.iam.OrganizationsFeatures` in the management account; both off creates nothing."""

    credentials_management: bool = True
    root_sessions: bool = True

    @property
    def features(self) -> list[str]:
        return [
            feature
            for feature, on in (
                ("RootCredentialsManagement", self.credentials_management),
                ("RootSessions", self.root_sessions),
            )
            if on
        ]
