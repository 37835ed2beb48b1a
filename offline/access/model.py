"""The access of one stack as a reviewer reads it: users → groups → role tiers → policies.

Built from the registrations of an offline update-mode run (exactly what `pulumi up` would create) and
analysed with the policy pack's own stack model and evaluation, so that the document and the pack's
findings never disagree about what a policy grants. Everything is sorted: the model does not depend on
the order in which the SDK happened to register resources. The model holds names and facts, never
Markdown: offline/access/document.py words them and escapes each name for where it lands.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from offline.access.break_glass import BreakGlassPrincipal, break_glass_access
from offline.access.grants import Access, PolicyEntry, access_of, inline_name, policy_entries
from offline.access.identity_center import IdentityCenterAccess, identity_center_access
from offline.judging import pack_path  # noqa: F401 - puts policypack on sys.path for iam_guard
from offline.judging.analyzer_client import PACK_DIR
from offline.judging.principals import DISABLED_TAG, TIER_TAG, Subject, stack_resources, subjects_of
from offline.judging.requests import ask, request_time
from offline.reporting.check_report import ExemptionInForce, exemptions_in_force
from offline.running.engine import StackRun

# isort: split
from iam_guard.catalog import expand_all
from iam_guard.conditions import requires_present_mfa
from iam_guard.documents import Statement
from iam_guard.request_evaluation import Decision
from iam_guard.rules.console_users_mfa_guarded import FIRST_SIGN_IN_REQUESTS, is_mfa_guard
from iam_guard.stack_model import Principal, StackModel, StackResource

ASSUME_ROLE = "sts:assumerole"
ADMIN_TIERS_POLICY = "no-full-admin-access"  # the pack rule whose `admin_tiers` may hold full admin
ADMIN_TIERS_KEY = "admin_tiers"  # rules that accept named roles' admin power take this config key
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(?P<account>\d{12}):role(?P<path>/(?:.*/)?)(?P<name>[^/*?]+)$")
_ACCOUNT_ROOT = re.compile(r"^(?:arn:aws[a-z-]*:iam::)?(?P<account>\d{12})(?::root)?$")
_ACCOUNT_IN_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+::(\d{12}):")
_MFA_AGE = "aws:multifactorauthage"
_MFA_KEYS = ("aws:multifactorauthpresent", _MFA_AGE)


@dataclass(frozen=True)
class Sources:
    """What the document was generated from, as the reader can find it again."""

    stack_file: str
    pack_config: str | None
    pack_version: str
    catalog_version: str
    managed_policies: str


@dataclass(frozen=True, order=True)
class TierRef:
    """A role a group may assume: in this account, in another (`{account_id, tier}`), or any role
    matching a pattern (`account_id` and `name` are then '*')."""

    account_id: str
    name: str
    arn: str
    local: bool

    @property
    def label(self) -> str:
        return f"{self.account_id}:{self.name}" if self.account_id != "*" else f"any role matching {self.arn}"


@dataclass(frozen=True)
class TierGrant:
    """One step users → tier: the group granting `sts:AssumeRole`, and what demands MFA at that step.

    Facts, not phrases: the document words them and escapes the group's name for where it lands.
    """

    tier: TierRef
    group: str
    guarded: bool  # the group's MFA guard denies the `sts:AssumeRole` call without MFA
    trust_mfa: tuple[int | None, ...]  # per trust entry of this account demanding MFA: its max age (s)
    conditional: bool  # the group's grant holds only under a condition on the target

    @property
    def mfa(self) -> bool:
        """Something demands MFA at this step."""
        return self.guarded or bool(self.trust_mfa)


@dataclass(frozen=True)
class TrustEntry:
    """Who may assume a role, and what its trust demands of them."""

    kind: str  # "account", "principal", "service", "federated" or "anyone"
    principal: str
    mfa: bool
    max_mfa_age_seconds: int | None
    conditions: tuple[str, ...]  # the statement's other conditions, e.g. an OIDC subject or external id

    @property
    def label(self) -> str:
        if self.kind == "account":
            return f"IAM principals of account {self.principal}"
        if self.kind == "federated":
            provider, _, name = self.principal.rpartition(":")[2].partition("/")
            return f"{'OIDC' if provider == 'oidc-provider' else 'SAML'} provider {name}"
        if self.kind == "service":
            return f"service {self.principal}"
        return "anyone" if self.kind == "anyone" else f"principal {self.principal}"

    @property
    def account_id(self) -> str | None:
        """The account the trusted principal lives in, when its ARN (or the entry) names one."""
        if self.kind == "account":
            return self.principal
        match = _ACCOUNT_IN_ARN.match(self.principal)
        return match.group(1) if match else None


@dataclass(frozen=True)
class RoleAccess:
    name: str  # the IAM name, or the logical name of a role the provider names
    named: bool
    arn: str
    tier: bool  # a role tier of the program (tagged iamtiers:tier), not a service role of the baseline
    description: str
    max_session_seconds: int | None
    trust: tuple[TrustEntry, ...]
    policies: tuple[PolicyEntry, ...]
    boundary: str | None
    access: Access
    admin_tier_of: tuple[str, ...]  # the pack rules whose `admin_tiers` (pack config) list it
    granted_by: tuple[str, ...]  # groups of this stack that may assume it


@dataclass(frozen=True)
class GroupAccess:
    name: str
    path: str
    members: tuple[str, ...]
    mfa_guard: tuple[str, ...]  # the group's policies that deny everything but MFA enrolment without MFA
    tiers: tuple[TierGrant, ...]
    policies: tuple[PolicyEntry, ...]
    access: Access


@dataclass(frozen=True)
class BeforeMfa:
    """What the request evaluator lets a console user do without MFA (`first_sign_in`)."""

    steps: tuple[tuple[str, bool], ...]  # each first sign-in step (in `_STEPS` words) and whether allowed
    other_calls_open: bool  # a call outside the first sign-in is allowed too


@dataclass(frozen=True)
class UserAccess:
    name: str
    path: str
    email: str | None
    disabled: bool
    groups: tuple[str, ...]
    console: bool
    password_reset: bool
    console_pgp: bool
    access_keys: int
    keys_pgp: bool
    mfa_guard_groups: tuple[str, ...]  # groups whose MFA guard applies to the user
    policies: tuple[PolicyEntry, ...]  # attached to the user itself (the pack's no-user-policies forbids it)
    tiers: tuple[TierGrant, ...]
    before_mfa: BeforeMfa | None = None  # None for a disabled user or one without console access


@dataclass(frozen=True)
class AccessModel:
    project: str
    stack: str
    account_id: str
    account_alias: str | None
    sources: Sources
    users: tuple[UserAccess, ...]
    groups: tuple[GroupAccess, ...]
    roles: tuple[RoleAccess, ...]
    exemptions: tuple[ExemptionInForce, ...]
    unresolved: tuple[str, ...]  # links the pack's model could not follow (none in an update run)
    identity_center: IdentityCenterAccess | None = None  # None: the stack manages no Identity Center
    break_glass: tuple[BreakGlassPrincipal, ...] = ()  # its break-glass users and tiers, and their alarms

    @property
    def tiers(self) -> tuple[RoleAccess, ...]:
        return tuple(role for role in self.roles if role.tier)

    @property
    def service_roles(self) -> tuple[RoleAccess, ...]:
        return tuple(role for role in self.roles if not role.tier)


def _guard_policies(model: StackModel, group: Principal) -> tuple[str, ...]:
    """The group's documents holding an MFA guard that also stops `sts:AssumeRole` without MFA."""
    names = set()
    for document in group.documents:
        for statement in document.document.statements:
            if is_mfa_guard(statement) and _denies_assume_role(statement):
                names.add(
                    document.label
                    if document.aws_managed or document.origin_urn
                    else inline_name(model, document)
                )
    return tuple(sorted(names))


def _denies_assume_role(statement: Statement) -> bool:
    if statement.not_actions is not None:
        return ASSUME_ROLE not in expand_all(statement.not_actions)
    return ASSUME_ROLE in expand_all(statement.actions or ())


def _trust(principal: Principal) -> tuple[TrustEntry, ...]:
    entries: list[TrustEntry] = []
    for statement in principal.trust.statements if principal.trust else ():
        if statement.effect != "Allow" or not statement.principals:
            continue
        mfa = requires_present_mfa(statement.conditions)
        ages = [
            int(float(value))
            for condition in statement.conditions_on(_MFA_AGE)
            if condition.base_operator in ("NumericLessThan", "NumericLessThanEquals")
            for value in condition.values
        ]
        others = tuple(
            f"{c.operator} {c.key} = {', '.join(c.values)}"
            for c in statement.conditions
            if c.key_lower not in _MFA_KEYS
        )
        for kind, values in statement.principals.items():
            for value in values:
                account = _ACCOUNT_ROOT.match(value) if kind == "AWS" else None
                shown_kind = {"AWS": "principal", "Service": "service", "Federated": "federated"}.get(
                    kind, "anyone"
                )
                entries.append(
                    TrustEntry(
                        "account" if account else shown_kind,
                        account.group("account") if account else value,
                        mfa,
                        min(ages) if ages else None,
                        others,
                    )
                )
    return tuple(sorted(set(entries), key=lambda entry: (entry.kind, entry.principal)))


def _tier_ref(resource: str, account_id: str) -> TierRef:
    match = _ROLE_ARN.match(resource)
    if match is None:
        return TierRef("*", "*", resource, False)
    return TierRef(
        match.group("account"), match.group("name"), resource, match.group("account") == account_id
    )


def _tier_grants(
    model: StackModel,
    group: Principal,
    account_id: str,
    guard: tuple[str, ...],
    roles: Mapping[str, Principal],
) -> tuple[TierGrant, ...]:
    grants: set[TierGrant] = set()
    for grant in model.permissions(group).grants.get(ASSUME_ROLE, []):
        for resource in grant.resources or ("*",):
            tier = _tier_ref(resource, account_id)
            role = roles.get(tier.name) if tier.local else None
            trust_mfa = tuple(
                entry.max_mfa_age_seconds
                for entry in (_trust(role) if role is not None else ())
                if entry.kind == "account" and entry.principal == account_id and entry.mfa
            )
            grants.add(TierGrant(tier, group.key, bool(guard), trust_mfa, grant.constrained))
    return tuple(sorted(grants, key=lambda grant: (grant.tier, grant.group)))


def _tags(resource: StackResource | None) -> dict[str, Any]:
    tags = resource.props.get("tags") if resource else None
    return tags if isinstance(tags, dict) else {}


def _user(model: StackModel, principal: Principal, groups: Mapping[str, GroupAccess]) -> UserAccess:
    resource = model.by_urn[principal.urn or ""]
    tags = _tags(resource)
    member_of = tuple(sorted(principal.groups))
    keys = [key for key in principal.access_keys if key.props.get("status", "Active") != "Inactive"]
    profile = principal.login_profiles[0] if principal.login_profiles else None
    return UserAccess(
        name=principal.key,
        path=str(resource.props.get("path") or "/"),
        email=tags.get("email"),
        disabled=tags.get(DISABLED_TAG) == "true",
        groups=member_of,
        console=profile is not None,
        password_reset=profile is not None and profile.props.get("passwordResetRequired") is not False,
        console_pgp=profile is not None and bool(profile.props.get("pgpKey")),
        access_keys=len(keys),
        keys_pgp=bool(keys) and all(key.props.get("pgpKey") for key in keys),
        mfa_guard_groups=tuple(name for name in member_of if name in groups and groups[name].mfa_guard),
        policies=policy_entries(model, principal),
        tiers=tuple(
            sorted(
                (grant for name in member_of if name in groups for grant in groups[name].tiers),
                key=lambda grant: (grant.tier, grant.group),
            )
        ),
    )


def _admin_tiers(pack_config: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """Rule name -> the roles its `admin_tiers` names."""
    rules: dict[str, frozenset[str]] = {}
    for rule, settings in pack_config.items():
        tiers = settings.get(ADMIN_TIERS_KEY) if isinstance(settings, Mapping) else None
        if isinstance(tiers, list):
            rules[rule] = frozenset(str(tier) for tier in tiers)
    return rules


def _role(
    model: StackModel,
    principal: Principal,
    account_id: str,
    admin_tiers: Mapping[str, frozenset[str]],
    granted_by: tuple[str, ...],
    named: bool,
) -> RoleAccess:
    resource = model.by_urn[principal.urn or ""]
    name = resource.iam_name if named and resource.iam_name else resource.name
    session = resource.props.get("maxSessionDuration")
    return RoleAccess(
        name=name,
        named=named,
        arn=f"arn:aws:iam::{account_id}:role{resource.props.get('path') or '/'}{name}" if named else "",
        tier=TIER_TAG in _tags(resource),
        description=str(resource.props.get("description") or ""),
        max_session_seconds=session if isinstance(session, int) else None,
        trust=_trust(principal),
        policies=policy_entries(model, principal),
        boundary=str(resource.props["permissionsBoundary"])
        if resource.props.get("permissionsBoundary")
        else None,
        access=access_of(model, principal),
        admin_tier_of=tuple(sorted(rule for rule, tiers in admin_tiers.items() if name in tiers)),
        granted_by=granted_by,
    )


# How the document words each of the first sign-in's requests (the pack's FIRST_SIGN_IN_REQUESTS), and
# one call that proves the rest is shut.
_STEPS = {
    "iam:ChangePassword": "change the password",
    "iam:CreateVirtualMFADevice": "create an MFA device",
    "iam:EnableMFADevice": "enable it",
}
_SHUT = ("s3:ListAllMyBuckets", "*")


def first_sign_in(subject: Subject, user: UserAccess, when: datetime.datetime) -> BeforeMfa | None:
    """What the request evaluator lets a console user do without MFA, at their real ARN (path
    included): the first sign-in's steps, and whether anything else is open."""
    if user.disabled or not user.console:
        return None
    account = subject.arn.split(":")[4]
    steps = []
    for action, kind, reset_only in FIRST_SIGN_IN_REQUESTS:
        if reset_only and not user.password_reset:
            continue
        resource = subject.arn if kind == "user" else f"arn:aws:iam::{account}:mfa/{user.name}"
        allowed = ask(subject, action, resource, mfa=False, when=when).decision is Decision.ALLOWED
        steps.append((_STEPS[action], allowed))
    other = ask(subject, *_SHUT, mfa=False, when=when).decision is Decision.ALLOWED
    return BeforeMfa(tuple(steps), other)


def build_access_model(
    run: StackRun,
    *,
    account_id: str,
    pack_config: Mapping[str, Any],
    sources: Sources,
    account_names: Mapping[str, str] | None = None,
) -> AccessModel:
    """The access of the stack `run` recorded, with the exemptions of `pack_config` in force today;
    `account_names` (id -> name, from `identity_center.accounts`) names Identity Center's accounts.

    Raises `check_report.ReportError` for an exemption entry the pack would refuse.
    """
    today, exemptions = exemptions_in_force(PACK_DIR, pack_config)  # the pack's clock
    model = StackModel(stack_resources(run))
    principals = sorted(model.in_stack_principals(), key=lambda p: (p.kind, p.key))
    roles = {p.key: p for p in principals if p.kind == "role"}
    groups: dict[str, GroupAccess] = {}
    for principal in (p for p in principals if p.kind == "group"):
        guard = _guard_policies(model, principal)
        groups[principal.key] = GroupAccess(
            name=principal.key,
            path=str(model.by_urn[principal.urn or ""].props.get("path") or "/"),
            members=tuple(
                sorted(p.key for p in principals if p.kind == "user" and principal.key in p.groups)
            ),
            mfa_guard=guard,
            tiers=_tier_grants(model, principal, account_id, guard, roles),
            policies=policy_entries(model, principal),
            access=access_of(model, principal),
        )
    subjects = subjects_of(run, account_id, model)
    when = request_time(today)
    users = tuple(
        replace(user, before_mfa=first_sign_in(subjects.by_reference[f"user/{user.name}"], user, when))
        for user in (_user(model, p, groups) for p in principals if p.kind == "user")
    )
    admin_tiers = _admin_tiers(pack_config)
    named_by_program = {r.urn for r in run.resources if "name" in r.inputs}  # the others AWS names
    role_entries = [
        _role(
            model,
            principal,
            account_id,
            admin_tiers,
            tuple(
                g.name for g in groups.values() if any(t.tier.local and t.tier.name == key for t in g.tiers)
            ),
            named=principal.urn in named_by_program,
        )
        for key, principal in roles.items()
    ]
    alias = next(
        (
            str(r.props["accountAlias"])
            for r in model.of_type("aws:iam/accountAlias:AccountAlias")
            if r.props.get("accountAlias")
        ),
        None,
    )
    return AccessModel(
        project=run.project,
        stack=run.stack,
        account_id=account_id,
        account_alias=alias,
        sources=sources,
        users=users,
        groups=tuple(groups.values()),
        roles=tuple(sorted(role_entries, key=lambda role: (not role.tier, role.name))),
        exemptions=exemptions,
        unresolved=tuple(sorted(f"{u.urn}: {u.reason}" for u in model.unresolved)),
        identity_center=identity_center_access(
            model, admin_tiers=admin_tiers, account_names=account_names or {}, today=today
        ),
        break_glass=break_glass_access(model, pack_config),
    )
