"""`break_glass`: the console-only emergency users (`BreakGlassUser`), their group and admin tier, and who
is told when they are used (`BreakGlass`); `root_management` (`RootManagement`): the organization's
central control of member accounts' root credentials and root sessions.

The checks across keys (a break-glass name taken by `users`, `groups` or `role_tiers`, a password under
`require_pgp_key` without a PGP key, no CloudTrail log group for the alarm) are `break_glass_problems`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field, field_validator, model_validator

from components.config.fields import Email, GroupName, IamPath, RoleName, UserName, _Strict
from components.config.users import _PGP_KEY, UserEmail

if TYPE_CHECKING:
    from components.config.stack import StackConfig

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


def trail_log_group(config: StackConfig) -> str | None:
    """The CloudTrail log group the break-glass metric filter watches: the baseline trail's, else the
    organization trail's named in monitoring.alarms.existing_log_group_name."""
    monitoring = config.monitoring
    if monitoring.cloudtrail.enabled:
        return "/aws/cloudtrail/baseline-trail"  # components/account_baseline.py names it so
    return monitoring.alarms.existing_log_group_name


def break_glass_problems(config: StackConfig, namespace: str) -> list[str]:
    """Problems across keys, each at its key path with the fix (without the namespace prefix)."""
    glass = config.break_glass
    if glass is None or not glass.enabled:
        return []
    problems: list[str] = []
    taken = {
        "user": {user.name.lower() for user in config.users},
        "group": {group.name.lower() for group in config.groups},
        "role tier": {tier.name.lower() for tier in config.role_tiers},
    }
    collection = {"user": "users", "group": "groups", "role tier": "role_tiers"}
    named = [(f"break_glass.users[{i}].name", "user", user.name) for i, user in enumerate(glass.users)]
    named += [
        ("break_glass.group", "group", glass.group),
        ("break_glass.tier.name", "role tier", glass.tier.name),
    ]
    for path, kind, name in named:
        if name.lower() in taken[kind]:
            problems.append(
                f"{path}: {kind} '{name}' is also in {namespace}:{collection[kind]}; "
                "give the break-glass one a name of its own"
            )
    if config.require_pgp_key:
        problems += [
            f"break_glass.users[{i}].pgp_key: break-glass user '{user.name}' gets a console password but has "
            f"no pgp_key, and {namespace}:require_pgp_key is true; set pgp_key to the holder's base64 PGP "
            "public key or 'keybase:<username>'"
            for i, user in enumerate(glass.users)
            if not user.pgp_key
        ]
    if trail_log_group(config) is None:
        problems.append(
            f"monitoring: break-glass use must also raise a CloudWatch alarm on the CloudTrail log group, "
            "and "
            f"this stack has none; enable {namespace}:monitoring.cloudtrail or set "
            f"{namespace}:monitoring.alarms.existing_log_group_name to the organization trail's log group"
        )
    return problems
