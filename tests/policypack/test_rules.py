"""Every rule of the pack, table-driven: named pass and fail fixtures run through the real pack process.

Each `Case` names one policy and what that policy must answer: "pass" (it reports nothing) or a
finding ID (it reports a diagnostic whose finding starts with `[ID]`, at the rule's default
enforcement level). "resource" cases go through Analyze (one resource's inputs), "stack" cases
through AnalyzeStack (the resources' outputs, with parents and property dependencies). Only the
named policy is looked at: other rules may well report on the same fixture.

The invariant tests at the end keep the table honest: every policy has a pass and a fail case of
its own kind, and every finding ID a rule module emits has a fail case.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any, Literal

import iam_guard
import iam_guard.rules
import pytest
from iam_guard import types as t
from pulumi_policy import StackValidationPolicy

from offline.judging.analyzer_client import Diagnostic
from tests.policypack import identity_center_stacks as ic
from tests.policypack.conftest import IN_FORCE, UNKNOWN, FakeResource, PackAnalyzer, fake_urn, secret

# A month before the real day: the MFA attestation's pass case (a date after today is refused).
_ATTESTED_RECENTLY = (datetime.now(UTC).date() - timedelta(days=30)).isoformat()

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
PASS = "pass"
CaseKind = Literal["resource", "stack"]

# The documented default of every rule (module docstrings mark the advisory ones).
DEFAULT_LEVELS: dict[str, str] = {
    "iam-policy-document-valid": "mandatory",
    "no-full-admin-access": "mandatory",
    "no-privilege-escalation": "mandatory",
    "no-privilege-escalation-across-policies": "mandatory",
    "no-compute-takeover": "mandatory",
    "exemptions-current": "mandatory",
    "no-unscoped-pass-role": "mandatory",
    "no-service-wildcard": "mandatory",
    "no-allow-with-not-resource": "mandatory",
    "no-allow-with-not-action": "mandatory",
    "no-user-policies": "mandatory",
    "no-privileged-managed-policy": "mandatory",
    "group-managed-policy-quota": "mandatory",
    "policy-size-quota": "mandatory",
    "role-trust-safe": "mandatory",
    "mfa-condition-patterns": "mandatory",
    "console-users-mfa-guarded": "mandatory",
    "login-profile-forces-reset": "mandatory",
    "password-policy": "mandatory",
    "aws-managed-policy-exists": "mandatory",
    "risky-actions-unconstrained": "advisory",
    "self-scoped-statements-match": "advisory",
    "required-tags": "advisory",
    "session-duration-bound": "advisory",
    "secrets-pgp-encrypted": "advisory",
    "no-iam-users-with-federation": "advisory",
    "preview-unresolved-values": "advisory",
    "identity-center-assignments-safe": "mandatory",
    "permission-set-attachments-consistent": "mandatory",
    "permission-set-session-bound": "mandatory",
    "identity-center-access-reviewed": "advisory",
    "identity-center-mfa-attested": "advisory",
    "break-glass-alarmed": "mandatory",
}


@dataclass(frozen=True)
class Case:
    """One fixture: `policy` must answer `expect` for `resources` under the pack config `config`."""

    id: str
    policy: str
    kind: CaseKind
    resources: tuple[FakeResource, ...]  # "resource" cases: exactly one, analyzed on its own
    config: Mapping[str, Any] | None
    expect: str  # PASS or a finding ID
    on: str | None = None  # fail cases: the resource (by name) the finding must be reported on


def resource_case(
    id: str,
    policy: str,
    type_token: str,
    props: Mapping[str, Any],
    expect: str,
    *,
    config: Mapping[str, Any] | None = None,
    name: str = "r",
) -> Case:
    resource = FakeResource(type_token, name, props)
    return Case(id, policy, "resource", (resource,), config, expect, on=None if expect == PASS else name)


def stack_case(
    id: str,
    policy: str,
    resources: Sequence[FakeResource],
    expect: str,
    *,
    config: Mapping[str, Any] | None = None,
    on: str | None = None,
) -> Case:
    return Case(id, policy, "stack", tuple(resources), config, expect, on)


# --- documents --------------------------------------------------------------------------------------


def doc(*statements: Mapping[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def trust(principal: Any, action: str = "sts:AssumeRole", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, **extra}


MFA_PRESENT = {
    "Bool": {"aws:MultiFactorAuthPresent": "true"},
    "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"},
}
ACCOUNT_ROOT = f"arn:aws:iam::{ACCOUNT}:root"
MFA_TRUST = doc(trust({"AWS": ACCOUNT_ROOT}, Condition=MFA_PRESENT))
NO_MFA_TRUST = doc(trust({"AWS": ACCOUNT_ROOT}))
EC2_TRUST = doc(trust({"Service": "ec2.amazonaws.com"}))
GITHUB = "token.actions.githubusercontent.com"
GITHUB_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB}"


def github_trust(condition: Mapping[str, Any]) -> str:
    return doc(trust({"Federated": GITHUB_PROVIDER}, "sts:AssumeRoleWithWebIdentity", Condition=condition))


READ_REPORTS = doc(allow("s3:GetObject", "arn:aws:s3:::reports/*"))
PASS_ANY_ROLE = doc(allow("iam:PassRole"))
RUN_INSTANCES = doc(allow("ec2:RunInstances"))
ADMIN_DOC = doc(allow("*"))
MANAGED = "arn:aws:iam::aws:policy/"
ADMINISTRATOR_ACCESS = MANAGED + "AdministratorAccess"

# The guard AWS documents for self-managed MFA, minus the self-service actions it needs no more.
MFA_GUARD_NOT_ACTIONS = [
    "iam:ChangePassword",
    "iam:GetUser",
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ResyncMFADevice",
    "sts:GetSessionToken",
]


def mfa_guard(not_actions: Sequence[str] = MFA_GUARD_NOT_ACTIONS, operator: str = "BoolIfExists") -> str:
    return doc(
        {
            "Sid": "DenyAllExceptMfaEnrolmentWithoutMfa",
            "Effect": "Deny",
            "NotAction": list(not_actions),
            "Resource": "*",
            "Condition": {operator: {"aws:MultiFactorAuthPresent": "false"}},
        }
    )


OWN_USER = f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"
OWN_USER_ANY_PATH = f"arn:aws:iam::{ACCOUNT}:user/*/${{aws:username}}"
OWN_MFA_DEVICE = f"arn:aws:iam::{ACCOUNT}:mfa/${{aws:username}}"


def self_service(*own_user: str) -> str:
    """What a user needs at first sign-in, on its own user (`own_user`) and its own virtual MFA device."""
    return doc(
        allow(
            ["iam:ChangePassword", "iam:GetUser", "iam:EnableMFADevice", "iam:ListMFADevices"], list(own_user)
        ),
        allow("iam:CreateVirtualMFADevice", OWN_MFA_DEVICE),
    )


SELF_SERVICE = self_service(OWN_USER, OWN_USER_ANY_PATH)


def bucket_reader(buckets: int) -> str:
    """A readable document that grows with `buckets` (about 29 characters per bucket)."""
    return doc(allow("s3:GetObject", [f"arn:aws:s3:::reports-{i:03d}/*" for i in range(buckets)]))


def runner_trust(runners: int) -> str:
    """An MFA trust for many roles of the account (about 47 characters per role)."""
    roles = [f"arn:aws:iam::{ACCOUNT}:role/ci-runner-{i:03d}" for i in range(runners)]
    return doc(trust({"AWS": roles}, Condition=MFA_PRESENT))


# --- stacks -----------------------------------------------------------------------------------------

TAGS = {"managed-by": "pulumi"}


def user(name: str, path: str = "/") -> FakeResource:
    return FakeResource(t.USER, name, {"name": name, "path": path, "tags": TAGS})


def group(name: str) -> FakeResource:
    return FakeResource(t.GROUP, name, {"name": name, "path": "/"})


def group_policy(owner: FakeResource, name: str, policy: str) -> FakeResource:
    return FakeResource(
        t.GROUP_POLICY,
        name,
        {"group": owner.name, "name": name, "policy": policy},
        parent=owner,
        depends_on=(owner,),
        property_dependencies={"group": (owner,)},
    )


def group_attachment(owner: FakeResource, name: str, policy_arn: str) -> FakeResource:
    return FakeResource(
        t.GROUP_POLICY_ATTACHMENT,
        name,
        {"group": owner.name, "policyArn": policy_arn},
        parent=owner,
        depends_on=(owner,),
        property_dependencies={"group": (owner,)},
    )


def membership(member: FakeResource, *groups: FakeResource, known: bool = True) -> FakeResource:
    """`known=False`: the names are outputs not known in preview, resolved through property dependencies."""
    return FakeResource(
        t.USER_GROUP_MEMBERSHIP,
        f"{member.name}-groups",
        {
            "user": member.name if known else UNKNOWN,
            "groups": [g.name if known else UNKNOWN for g in groups],
        },
        parent=member,
        depends_on=(member, *groups),
        property_dependencies={"user": (member,), "groups": groups},
    )


def group_membership(owner: FakeResource, *members: FakeResource, known: bool = True) -> FakeResource:
    """One exclusive membership listing all of a group's users, as this project's program registers it;
    `known=False`: the names are unknown in preview, resolved through property dependencies."""
    return FakeResource(
        t.GROUP_MEMBERSHIP,
        f"{owner.name}-members",
        {
            "name": f"{owner.name}-members",
            "group": owner.name if known else UNKNOWN,
            "users": [m.name if known else UNKNOWN for m in members],
        },
        parent=owner,
        depends_on=(owner, *members),
        property_dependencies={"group": (owner,), "users": members},
    )


def login_profile(member: FakeResource, *, reset: Any = True) -> FakeResource:
    return FakeResource(
        t.USER_LOGIN_PROFILE,
        f"{member.name}-login",
        {"user": member.name, "passwordResetRequired": reset, "pgpKey": f"keybase:{member.name}"},
        parent=member,
        depends_on=(member,),
        property_dependencies={"user": (member,)},
    )


def access_key(member: FakeResource, index: int, status: str = "Active") -> FakeResource:
    return FakeResource(
        t.ACCESS_KEY,
        f"{member.name}-key-{index}",
        {"user": member.name, "status": status, "pgpKey": f"keybase:{member.name}"},
        parent=member,
        depends_on=(member,),
        property_dependencies={"user": (member,)},
    )


def role(
    name: str,
    assume_role_policy: str = MFA_TRUST,
    *,
    managed: Sequence[Any] = (),
    inline: Sequence[str] = (),
    **props: Any,
) -> FakeResource:
    return FakeResource(
        t.ROLE,
        name,
        {
            "name": name,
            "assumeRolePolicy": assume_role_policy,
            "managedPolicyArns": list(managed),
            "inlinePolicies": [{"name": f"{name}-{i}", "policy": p} for i, p in enumerate(inline)],
            "tags": TAGS,
            **props,
        },
    )


def role_attachment(
    owner: FakeResource, name: str, policy_arn: Any, policy: FakeResource | None = None
) -> FakeResource:
    return FakeResource(
        t.ROLE_POLICY_ATTACHMENT,
        name,
        {"role": owner.name, "policyArn": policy_arn},
        parent=owner,
        depends_on=(owner,) + ((policy,) if policy else ()),
        property_dependencies={"role": (owner,), **({"policyArn": (policy,)} if policy else {})},
    )


def customer_policy(name: str, policy: str) -> FakeResource:
    return FakeResource(t.POLICY, name, {"name": name, "path": "/", "policy": policy, "tags": TAGS})


def console_user_stack(
    guard: str | None,
    *,
    keys: int = 0,
    reset: bool = True,
    known: bool = True,
    self_service: str | None = SELF_SERVICE,
    path: str = "/",
) -> list[FakeResource]:
    """alice (at `path`) signs in to the console and is in ConsoleUsers, whose inline policies are `guard`
    and `self_service`."""
    alice, console_users = user("alice", path), group("ConsoleUsers")
    resources = [alice, console_users, membership(alice, console_users, known=known)]
    if guard is not None:
        resources.append(group_policy(console_users, "ConsoleUsers-mfa-guard", guard))
    if self_service is not None:
        resources.append(group_policy(console_users, "ConsoleUsers-self-service", self_service))
    resources.append(login_profile(alice, reset=reset))
    resources.extend(access_key(alice, index) for index in range(keys))
    return resources


def split_escalation_user() -> list[FakeResource]:
    """bob is in two groups, one allowing iam:PassRole on *, the other ec2:RunInstances on *."""
    bob, passers, launchers = user("bob"), group("RolePassers"), group("Launchers")
    return [
        bob,
        passers,
        launchers,
        group_policy(passers, "RolePassers-pass", PASS_ANY_ROLE),
        group_policy(launchers, "Launchers-run", RUN_INSTANCES),
        membership(bob, passers, launchers),
    ]


def admin_role_stack(assume_role_policy: str, *, via_attachment: bool) -> list[FakeResource]:
    if via_attachment:
        admin = role("Admin", assume_role_policy)
        return [admin, role_attachment(admin, "Admin-administrator", ADMINISTRATOR_ACCESS)]
    return [role("Admin", assume_role_policy, managed=[ADMINISTRATOR_ACCESS])]


def password_stack(**settings: Any) -> list[FakeResource]:
    alice = user("alice")
    return [
        alice,
        login_profile(alice),
        FakeResource(t.ACCOUNT_PASSWORD_POLICY, "password-policy", settings),
    ]


def group_with_attachments(count: int) -> list[FakeResource]:
    developers = group("Developers")
    return [developers] + [
        group_attachment(developers, f"Developers-{i:02d}", f"arn:aws:iam::{ACCOUNT}:policy/team-{i:02d}")
        for i in range(count)
    ]


def break_glass_stack(*, alarmed: bool, keys: int = 0) -> list[FakeResource]:
    """A user tagged break-glass, with or without an enabled EventBridge rule (and target) on its sign-in."""
    member = FakeResource(
        t.USER, "break-glass-1", {"name": "break-glass-1", "tags": {"iamtiers:break-glass": "true"}}
    )
    pattern = {"detail": {"eventName": ["ConsoleLogin"], "userIdentity": {"userName": ["break-glass-1"]}}}
    alarm = FakeResource(
        "aws:cloudwatch/eventRule:EventRule",
        "sign-in",
        {"name": "sign-in", "eventPattern": json.dumps(pattern)},
    )
    target = FakeResource(
        "aws:cloudwatch/eventTarget:EventTarget",
        "sign-in-target",
        {"rule": "sign-in", "arn": "arn:aws:sns:us-east-1:123456789012:t"},
    )
    return [
        member,
        *([alarm, target] if alarmed else []),
        *(access_key(member, index) for index in range(keys)),
    ]


ADMIN_TIER = {"admin_tiers": ["Admin"]}
EXEMPT_ALICE_INLINE = [
    {"resource": "alice-inline", "reason": "migration ticket SEC-1234, until June", "expires": IN_FORCE}
]


# --- the table --------------------------------------------------------------------------------------

CASES: list[Case] = [
    # iam-policy-document-valid
    resource_case("valid-document", "iam-policy-document-valid", t.POLICY, {"policy": READ_REPORTS}, PASS),
    resource_case(
        "unknown-document-waits-for-the-update",
        "iam-policy-document-valid",
        t.ROLE_POLICY,
        {"role": "app", "policy": UNKNOWN},
        PASS,
    ),
    resource_case(
        "valid-trust-and-inline", "iam-policy-document-valid", t.ROLE, {"assumeRolePolicy": EC2_TRUST}, PASS
    ),
    resource_case("not-json", "iam-policy-document-valid", t.POLICY, {"policy": "{not json"}, "IAM-DOC-001"),
    resource_case(
        "missing-version",
        "iam-policy-document-valid",
        t.GROUP_POLICY,
        {"group": "g", "policy": json.dumps({"Statement": [allow("s3:GetObject")]})},
        "IAM-DOC-001",
    ),
    resource_case(
        "misspelt-action",
        "iam-policy-document-valid",
        t.POLICY,
        {"policy": doc(allow("iam:UploadSigningCert"))},
        "IAM-DOC-001",
    ),
    resource_case(
        "empty-condition-block",
        "iam-policy-document-valid",
        t.POLICY,
        {"policy": doc(allow("s3:GetObject", Condition={"Bool": {}}))},
        "IAM-DOC-001",
    ),
    resource_case(
        "principal-in-identity-policy",
        "iam-policy-document-valid",
        t.POLICY,
        {"policy": doc(allow("s3:GetObject", Principal="*"))},
        "IAM-DOC-001",
    ),
    resource_case(
        "resource-in-trust-policy",
        "iam-policy-document-valid",
        t.ROLE,
        {"assumeRolePolicy": doc(trust({"Service": "ec2.amazonaws.com"}, Resource="*"))},
        "IAM-DOC-001",
    ),
    resource_case(
        "malformed-role-inline-policy",
        "iam-policy-document-valid",
        t.ROLE,
        {
            "assumeRolePolicy": EC2_TRUST,
            "inlinePolicies": [{"name": "x", "policy": doc({"Effect": "Allow"})}],
        },
        "IAM-DOC-001",
    ),
    # no-full-admin-access
    stack_case("scoped-role", "no-full-admin-access", [role("App", EC2_TRUST, inline=[READ_REPORTS])], PASS),
    stack_case(
        "administrator-access-in-managed-policy-arns",
        "no-full-admin-access",
        admin_role_stack(MFA_TRUST, via_attachment=False),
        "IAM-ADMIN-001",
        on="Admin",
    ),
    stack_case(
        "administrator-access-through-role-policy-attachment",
        "no-full-admin-access",
        admin_role_stack(MFA_TRUST, via_attachment=True),
        "IAM-ADMIN-001",
        on="Admin",
    ),
    stack_case(
        "admin-tier-with-mfa-managed-policy-arns",
        "no-full-admin-access",
        admin_role_stack(MFA_TRUST, via_attachment=False),
        PASS,
        config={"no-full-admin-access": ADMIN_TIER},
    ),
    stack_case(
        "admin-tier-with-mfa-through-attachment",
        "no-full-admin-access",
        admin_role_stack(MFA_TRUST, via_attachment=True),
        PASS,
        config={"no-full-admin-access": ADMIN_TIER},
    ),
    stack_case(
        "admin-tier-without-mfa",
        "no-full-admin-access",
        admin_role_stack(NO_MFA_TRUST, via_attachment=True),
        "IAM-ADMIN-002",
        config={"no-full-admin-access": ADMIN_TIER},
        on="Admin",
    ),
    stack_case(
        "admin-tier-with-bool-if-exists-mfa",
        "no-full-admin-access",
        admin_role_stack(
            doc(
                trust(
                    {"AWS": ACCOUNT_ROOT},
                    Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
                )
            ),
            via_attachment=False,
        ),
        "IAM-ADMIN-002",
        config={"no-full-admin-access": ADMIN_TIER},
        on="Admin",
    ),
    stack_case(
        "customer-admin-policy-attached-to-admin-tier-in-preview",
        "no-full-admin-access",
        [
            admin := role("Admin"),
            everything := customer_policy("everything", ADMIN_DOC),
            role_attachment(admin, "Admin-everything", UNKNOWN, everything),
        ],
        PASS,
        config={"no-full-admin-access": ADMIN_TIER},
    ),
    stack_case(
        "customer-admin-policy-attached-to-nothing",
        "no-full-admin-access",
        [customer_policy("everything", ADMIN_DOC)],
        "IAM-ADMIN-001",
        on="everything",
    ),
    stack_case(
        "admin-spelt-as-not-action-plus-the-missing-action",
        "no-full-admin-access",
        [
            ops := group("Ops"),
            group_policy(
                ops,
                "Ops-all",
                doc(
                    {"Effect": "Allow", "NotAction": "iam:GetUser", "Resource": "*"},
                    allow("iam:GetUser"),
                ),
            ),
        ],
        "IAM-ADMIN-001",
        on="Ops",
    ),
    stack_case(
        "admin-with-conditional-deny-is-still-admin",
        "no-full-admin-access",
        [
            ops := group("Ops"),
            group_policy(
                ops,
                "Ops-all",
                doc(
                    allow("*"),
                    deny("iam:*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}),
                ),
            ),
        ],
        "IAM-ADMIN-001",
        on="Ops",
    ),
    stack_case(
        "everything-but-iam-is-not-full-admin",
        "no-full-admin-access",
        [ops := group("Ops"), group_policy(ops, "Ops-all", doc(allow("*"), deny("iam:*")))],
        PASS,
    ),
    stack_case(
        "user-in-admin-group-is-reported-on-the-group",
        "no-full-admin-access",
        [
            carol := user("carol"),
            admins := group("Admins"),
            group_attachment(admins, "Admins-administrator", ADMINISTRATOR_ACCESS),
            membership(carol, admins),
        ],
        "IAM-ADMIN-001",
        on="Admins",
    ),
    stack_case(
        "user-admin-through-own-and-group-policies-together",
        "no-full-admin-access",
        [
            carol := user("carol"),
            builders := group("Builders"),
            group_policy(
                builders,
                "Builders-all-but-iam",
                doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
            ),
            FakeResource(
                t.USER_POLICY, "carol-iam", {"user": "carol", "policy": doc(allow("iam:*"))}, parent=carol
            ),
            membership(carol, builders),
        ],
        "IAM-ADMIN-001",
        on="carol",
    ),
    stack_case(
        "exempted-admin-role",
        "no-full-admin-access",
        admin_role_stack(NO_MFA_TRUST, via_attachment=False),
        PASS,
        config={
            "no-full-admin-access": {
                "exemptions": [
                    {"resource": "Admin", "reason": "break-glass role, SEC-42", "expires": IN_FORCE}
                ]
            }
        },
    ),
    # no-privilege-escalation
    resource_case("read-only", "no-privilege-escalation", t.POLICY, {"policy": READ_REPORTS}, PASS),
    resource_case(
        "pass-role-alone",
        "no-privilege-escalation",
        t.GROUP_POLICY,
        {"group": "g", "policy": PASS_ANY_ROLE},
        PASS,
    ),
    resource_case(
        "run-instances-alone",
        "no-privilege-escalation",
        t.GROUP_POLICY,
        {"group": "g", "policy": RUN_INSTANCES},
        PASS,
    ),
    resource_case(
        "pass-role-and-run-instances",
        "no-privilege-escalation",
        t.POLICY,
        {"policy": doc(allow(["iam:PassRole", "ec2:RunInstances"]))},
        "IAM-ESC-001",
    ),
    resource_case(
        "create-policy-version-on-any-policy",
        "no-privilege-escalation",
        t.ROLE_POLICY,
        {"role": "ci", "policy": doc(allow("iam:CreatePolicyVersion"))},
        "IAM-ESC-001",
    ),
    resource_case(
        "access-keys-for-any-user",
        "no-privilege-escalation",
        t.GROUP_POLICY,
        {"group": "g", "policy": doc(allow("iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/*"))},
        "IAM-ESC-001",
    ),
    resource_case(
        "access-keys-for-oneself-only",
        "no-privilege-escalation",
        t.GROUP_POLICY,
        {
            "group": "g",
            "policy": doc(allow("iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}")),
        },
        PASS,
    ),
    resource_case(
        "escalation-in-role-inline-policy",
        "no-privilege-escalation",
        t.ROLE,
        {
            "name": "ci",
            "assumeRolePolicy": EC2_TRUST,
            "inlinePolicies": [{"name": "x", "policy": doc(allow("iam:*"))}],
        },
        "IAM-ESC-001",
    ),
    resource_case(
        "pass-role-scoped-to-a-service",
        "no-privilege-escalation",
        t.POLICY,
        {
            "policy": doc(
                allow("ec2:RunInstances"),
                allow(
                    "iam:PassRole",
                    f"arn:aws:iam::{ACCOUNT}:role/app-instance",
                    Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
                ),
            )
        },
        PASS,
    ),
    resource_case(
        "escalation-removed-by-deny",
        "no-privilege-escalation",
        t.POLICY,
        {"policy": doc(allow(["iam:PassRole", "ec2:RunInstances"]), deny("iam:PassRole"))},
        PASS,
    ),
    resource_case(
        "admin-tier-role-policy",
        "no-privilege-escalation",
        t.ROLE_POLICY,
        {"role": "Admin", "policy": doc(allow("iam:*"))},
        PASS,
        config={"no-privilege-escalation": ADMIN_TIER},
    ),
    resource_case(
        "forbidden-action",
        "no-privilege-escalation",
        t.POLICY,
        {"policy": doc(allow("s3:DeleteBucket", "arn:aws:s3:::reports"))},
        "IAM-ESC-003",
        config={"no-privilege-escalation": {"forbidden_actions": ["s3:DeleteBucket*"]}},
    ),
    resource_case(
        "misspelt-forbidden-action",
        "no-privilege-escalation",
        t.POLICY,
        {"policy": READ_REPORTS},
        "PACK-CONFIG-001",
        config={"no-privilege-escalation": {"forbidden_actions": ["s3:DeleteBuckett"]}},
    ),
    resource_case(
        "forbidden-action-not-allowed",
        "no-privilege-escalation",
        t.POLICY,
        {"policy": READ_REPORTS},
        PASS,
        config={"no-privilege-escalation": {"forbidden_actions": ["s3:DeleteBucket"]}},
    ),
    # no-privilege-escalation-across-policies
    stack_case(
        "group-with-one-half",
        "no-privilege-escalation-across-policies",
        [passers := group("RolePassers"), group_policy(passers, "RolePassers-pass", PASS_ANY_ROLE)],
        PASS,
    ),
    stack_case(
        "group-with-both-halves-in-two-policies",
        "no-privilege-escalation-across-policies",
        [
            builders := group("Builders"),
            group_policy(builders, "Builders-pass", PASS_ANY_ROLE),
            group_policy(builders, "Builders-run", RUN_INSTANCES),
        ],
        "IAM-ESC-002",
        on="Builders",
    ),
    stack_case(
        "user-in-two-groups-each-with-one-half",
        "no-privilege-escalation-across-policies",
        split_escalation_user(),
        "IAM-ESC-002",
        on="bob",
    ),
    stack_case(
        "user-in-two-groups-through-group-memberships",
        "no-privilege-escalation-across-policies",
        [
            bob := user("bob"),
            carol := user("carol"),
            passers := group("RolePassers"),
            launchers := group("Launchers"),
            group_policy(passers, "RolePassers-pass", PASS_ANY_ROLE),
            group_policy(launchers, "Launchers-run", RUN_INSTANCES),
            group_membership(passers, bob, carol),
            group_membership(launchers, bob, known=False),
        ],
        "IAM-ESC-002",
        on="bob",
    ),
    stack_case(
        "only-one-half-through-a-group-membership",
        "no-privilege-escalation-across-policies",
        [
            carol := user("carol"),
            passers := group("RolePassers"),
            launchers := group("Launchers"),
            group_policy(passers, "RolePassers-pass", PASS_ANY_ROLE),
            group_policy(launchers, "Launchers-run", RUN_INSTANCES),
            group_membership(passers, carol),
        ],
        PASS,
    ),
    stack_case(
        "one-document-with-both-halves-is-left-to-the-per-document-rule",
        "no-privilege-escalation-across-policies",
        [
            builders := group("Builders"),
            group_policy(builders, "Builders-both", doc(allow(["iam:PassRole", "ec2:RunInstances"]))),
        ],
        PASS,
    ),
    stack_case(
        "role-with-iam-full-access",
        "no-privilege-escalation-across-policies",
        [role("Ops", managed=[MANAGED + "IAMFullAccess"])],
        "IAM-ESC-001",
        on="Ops",
    ),
    stack_case(
        "admin-tier-is-skipped",
        "no-privilege-escalation-across-policies",
        [
            admin := role("Admin", inline=[PASS_ANY_ROLE]),
            FakeResource(
                t.ROLE_POLICY, "Admin-run", {"role": "Admin", "policy": RUN_INSTANCES}, parent=admin
            ),
        ],
        PASS,
        config={"no-privilege-escalation-across-policies": ADMIN_TIER},
    ),
    stack_case(
        "role-with-two-in-stack-policies-attached-in-preview",
        "no-privilege-escalation-across-policies",
        [
            ci := role("ci", EC2_TRUST),
            passer := customer_policy("pass-any-role", PASS_ANY_ROLE),
            launcher := customer_policy("run-instances", RUN_INSTANCES),
            role_attachment(ci, "ci-pass", UNKNOWN, passer),
            role_attachment(ci, "ci-run", UNKNOWN, launcher),
        ],
        "IAM-ESC-002",
        on="ci",
    ),
    stack_case(
        "role-inline-and-role-policy",
        "no-privilege-escalation-across-policies",
        [
            app := role("App", EC2_TRUST, inline=[PASS_ANY_ROLE]),
            FakeResource(t.ROLE_POLICY, "App-run", {"role": "App", "policy": RUN_INSTANCES}, parent=app),
        ],
        "IAM-ESC-002",
        on="App",
    ),
    # no-unscoped-pass-role
    resource_case(
        "pass-role-to-named-role-for-one-service",
        "no-unscoped-pass-role",
        t.POLICY,
        {
            "policy": doc(
                allow(
                    "iam:PassRole",
                    f"arn:aws:iam::{ACCOUNT}:role/app-instance",
                    Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
                )
            )
        },
        PASS,
    ),
    resource_case("no-pass-role", "no-unscoped-pass-role", t.POLICY, {"policy": READ_REPORTS}, PASS),
    resource_case(
        "pass-role-to-named-role-for-any-service",
        "no-unscoped-pass-role",
        t.POLICY,
        {"policy": doc(allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/app-instance"))},
        "IAM-PASSROLE-001",
    ),
    resource_case(
        "pass-any-role-to-one-service",
        "no-unscoped-pass-role",
        t.POLICY,
        {
            "policy": doc(
                allow(
                    "iam:PassRole", Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}
                )
            )
        },
        "IAM-PASSROLE-001",
    ),
    resource_case(
        "pass-role-on-star",
        "no-unscoped-pass-role",
        t.GROUP_POLICY,
        {"group": "g", "policy": PASS_ANY_ROLE},
        "IAM-PASSROLE-001",
    ),
    resource_case(
        "pass-role-on-every-role-of-the-account",
        "no-unscoped-pass-role",
        t.POLICY,
        {"policy": doc(allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/*"))},
        "IAM-PASSROLE-001",
    ),
    resource_case(
        "pass-role-with-not-resource",
        "no-unscoped-pass-role",
        t.POLICY,
        {
            "policy": doc(
                {
                    "Effect": "Allow",
                    "Action": "iam:PassRole",
                    "NotResource": f"arn:aws:iam::{ACCOUNT}:role/Admin",
                }
            )
        },
        "IAM-PASSROLE-001",
    ),
    resource_case(
        "pass-role-with-wildcard-passed-to-service",
        "no-unscoped-pass-role",
        t.POLICY,
        {"policy": doc(allow("iam:PassRole", Condition={"StringLike": {"iam:PassedToService": "*"}}))},
        "IAM-PASSROLE-001",
    ),
    resource_case(
        "pass-role-with-if-exists-passed-to-service",
        "no-unscoped-pass-role",
        t.POLICY,
        {
            "policy": doc(
                allow(
                    "iam:PassRole",
                    Condition={"StringEqualsIfExists": {"iam:PassedToService": "ec2.amazonaws.com"}},
                )
            )
        },
        "IAM-PASSROLE-001",
    ),
    # no-service-wildcard
    resource_case("listed-actions", "no-service-wildcard", t.POLICY, {"policy": READ_REPORTS}, PASS),
    resource_case(
        "action-prefix-wildcard",
        "no-service-wildcard",
        t.POLICY,
        {"policy": doc(allow("s3:Get*", "arn:aws:s3:::reports/*"))},
        PASS,
    ),
    resource_case(
        "deny-on-a-whole-service",
        "no-service-wildcard",
        t.POLICY,
        {"policy": doc(deny("s3:*"), allow("ec2:DescribeInstances"))},
        PASS,
    ),
    resource_case(
        "service-wildcard",
        "no-service-wildcard",
        t.POLICY,
        {"policy": doc(allow("s3:*", "arn:aws:s3:::reports/*"))},
        "IAM-WILDCARD-001",
    ),
    resource_case(
        "wildcard-in-a-secret-document",
        "no-service-wildcard",
        t.GROUP_POLICY,
        {"group": "g", "policy": secret(ADMIN_DOC)},
        "IAM-WILDCARD-001",
    ),
    resource_case(
        "everything-wildcard",
        "no-service-wildcard",
        t.GROUP_POLICY,
        {"group": "g", "policy": ADMIN_DOC},
        "IAM-WILDCARD-001",
    ),
    resource_case(
        "upper-case-service-wildcard-in-a-list",
        "no-service-wildcard",
        t.POLICY,
        {"policy": doc(allow(["s3:GetObject", "DynamoDB:*"]))},
        "IAM-WILDCARD-001",
    ),
    resource_case(
        "allow-not-action-on-a-whole-service",
        "no-service-wildcard",
        t.POLICY,
        {"policy": doc({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"})},
        "IAM-WILDCARD-001",
    ),
    resource_case(
        "admin-tier-role-may-use-wildcards",
        "no-service-wildcard",
        t.ROLE,
        {
            "name": "Admin",
            "assumeRolePolicy": MFA_TRUST,
            "inlinePolicies": [{"name": "all", "policy": ADMIN_DOC}],
        },
        PASS,
        config={"no-service-wildcard": ADMIN_TIER},
    ),
    resource_case(
        "other-role-may-not-use-wildcards",
        "no-service-wildcard",
        t.ROLE_POLICY,
        {"role": "App", "policy": ADMIN_DOC},
        "IAM-WILDCARD-001",
        config={"no-service-wildcard": ADMIN_TIER},
    ),
    # no-allow-with-not-resource
    resource_case(
        "allow-with-resource", "no-allow-with-not-resource", t.POLICY, {"policy": READ_REPORTS}, PASS
    ),
    resource_case(
        "deny-with-not-resource",
        "no-allow-with-not-resource",
        t.POLICY,
        {
            "policy": doc(
                allow("s3:GetObject", "arn:aws:s3:::reports/*"),
                {
                    "Effect": "Deny",
                    "Action": "s3:*",
                    "NotResource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"],
                },
            )
        },
        PASS,
    ),
    resource_case(
        "allow-with-not-resource",
        "no-allow-with-not-resource",
        t.GROUP_POLICY,
        {
            "group": "g",
            "policy": doc(
                {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secrets/*"}
            ),
        },
        "IAM-NOTRES-001",
    ),
    # no-allow-with-not-action
    resource_case(
        "deny-with-not-action-mfa-guard",
        "no-allow-with-not-action",
        t.GROUP_POLICY,
        {"group": "ConsoleUsers", "policy": mfa_guard()},
        PASS,
    ),
    resource_case(
        "allow-with-not-action",
        "no-allow-with-not-action",
        t.POLICY,
        {"policy": doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})},
        "IAM-NOTACT-001",
    ),
    resource_case(
        "allow-with-not-action-in-role-inline-policy",
        "no-allow-with-not-action",
        t.ROLE,
        {
            "name": "PowerUser",
            "assumeRolePolicy": MFA_TRUST,
            "inlinePolicies": [
                {
                    "name": "p",
                    "policy": doc({"Effect": "Allow", "NotAction": ["iam:CreateUser"], "Resource": "*"}),
                }
            ],
        },
        "IAM-NOTACT-001",
        name="PowerUser",
    ),
    resource_case(
        "exempted-by-logical-name",
        "no-allow-with-not-action",
        t.POLICY,
        {"policy": doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})},
        PASS,
        config={
            "no-allow-with-not-action": {
                "exemptions": [
                    {
                        "resource": "power-user",
                        "reason": "vendor tool, SEC-77 until Q3",
                        "expires": IN_FORCE,
                    }
                ]
            }
        },
        name="power-user",
    ),
    resource_case(
        "exempted-by-iam-name",
        "no-allow-with-not-action",
        t.POLICY,
        {
            "name": "PowerUserLegacy",
            "policy": doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
        },
        PASS,
        config={
            "no-allow-with-not-action": {
                "exemptions": [
                    {
                        "resource": "PowerUserLegacy",
                        "reason": "vendor tool, SEC-77 until Q3",
                        "expires": IN_FORCE,
                    }
                ]
            }
        },
        name="power-user",
    ),
    resource_case(
        "exemption-of-another-resource",
        "no-allow-with-not-action",
        t.POLICY,
        {"policy": doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})},
        "IAM-NOTACT-001",
        config={
            "no-allow-with-not-action": {
                "exemptions": [
                    {
                        "resource": "someone-else",
                        "reason": "vendor tool, SEC-77 until Q3",
                        "expires": IN_FORCE,
                    }
                ]
            }
        },
        name="power-user",
    ),
    # no-user-policies
    resource_case(
        "group-policy", "no-user-policies", t.GROUP_POLICY, {"group": "g", "policy": READ_REPORTS}, PASS
    ),
    resource_case(
        "policy-attachment-to-groups-only",
        "no-user-policies",
        t.POLICY_ATTACHMENT,
        {"policyArn": MANAGED + "ReadOnlyAccess", "groups": ["Auditors"], "users": []},
        PASS,
    ),
    resource_case(
        "user-inline-policy",
        "no-user-policies",
        t.USER_POLICY,
        {"user": "alice", "name": "alice-inline", "policy": READ_REPORTS},
        "IAM-USER-001",
        name="alice-inline",
    ),
    resource_case(
        "user-policy-attachment",
        "no-user-policies",
        t.USER_POLICY_ATTACHMENT,
        {"user": "alice", "policyArn": MANAGED + "ReadOnlyAccess"},
        "IAM-USER-001",
    ),
    resource_case(
        "policy-attachment-to-users-unknown-in-preview",
        "no-user-policies",
        t.POLICY_ATTACHMENT,
        {"policyArn": MANAGED + "ReadOnlyAccess", "users": UNKNOWN},
        "IAM-USER-001",
    ),
    resource_case(
        "policy-attachment-to-users",
        "no-user-policies",
        t.POLICY_ATTACHMENT,
        {"policyArn": MANAGED + "ReadOnlyAccess", "users": ["alice"]},
        "IAM-USER-001",
    ),
    resource_case(
        "exempted-user-inline-policy",
        "no-user-policies",
        t.USER_POLICY,
        {"user": "alice", "name": "alice-inline", "policy": READ_REPORTS},
        PASS,
        config={"no-user-policies": {"exemptions": EXEMPT_ALICE_INLINE}},
        name="alice-inline",
    ),
    # no-privileged-managed-policy
    stack_case(
        "read-only-access-on-a-group",
        "no-privileged-managed-policy",
        [
            auditors := group("Auditors"),
            group_attachment(auditors, "Auditors-ro", MANAGED + "ReadOnlyAccess"),
        ],
        PASS,
    ),
    stack_case(
        "iam-full-access-on-a-group",
        "no-privileged-managed-policy",
        [ops := group("Ops"), group_attachment(ops, "Ops-iam", MANAGED + "IAMFullAccess")],
        "IAM-MANAGED-001",
        on="Ops-iam",
    ),
    stack_case(
        "power-user-access-in-managed-policy-arns",
        "no-privileged-managed-policy",
        [role("Developer", managed=[MANAGED + "PowerUserAccess"])],
        "IAM-MANAGED-001",
        on="Developer",
    ),
    stack_case(
        "cloudshell-through-policy-attachment",
        "no-privileged-managed-policy",
        [
            FakeResource(
                t.POLICY_ATTACHMENT,
                "cloudshell",
                {"policyArn": MANAGED + "AWSCloudShellFullAccess", "groups": ["Developers"]},
            )
        ],
        "IAM-MANAGED-001",
        on="cloudshell",
    ),
    stack_case(
        "administrator-access-on-admin-tier",
        "no-privileged-managed-policy",
        admin_role_stack(MFA_TRUST, via_attachment=True),
        PASS,
        config={"no-privileged-managed-policy": ADMIN_TIER},
    ),
    stack_case(
        "secret-managed-policy-arn",
        "no-privileged-managed-policy",
        [role("Developer", managed=[secret(ADMINISTRATOR_ACCESS)])],
        "IAM-MANAGED-001",
        on="Developer",
    ),
    stack_case(
        "attachment-exempted-by-urn",
        "no-privileged-managed-policy",
        [ops := group("Ops"), group_attachment(ops, "Ops-iam", MANAGED + "IAMFullAccess")],
        PASS,
        config={
            "no-privileged-managed-policy": {
                "exemptions": [
                    {
                        "resource": fake_urn(t.GROUP_POLICY_ATTACHMENT, "Ops-iam"),
                        "reason": "IAM bootstrap, SEC-5",
                        "expires": IN_FORCE,
                    }
                ]
            }
        },
    ),
    stack_case(
        "customer-policy-named-like-a-managed-one",
        "no-privileged-managed-policy",
        [
            ops := group("Ops"),
            group_attachment(ops, "Ops-own", f"arn:aws:iam::{ACCOUNT}:policy/AdministratorAccess"),
        ],
        PASS,
    ),
    # group-managed-policy-quota
    stack_case("ten-managed-policies", "group-managed-policy-quota", group_with_attachments(10), PASS),
    stack_case(
        "eleven-managed-policies",
        "group-managed-policy-quota",
        group_with_attachments(11),
        "IAM-QUOTA-001",
        on="Developers",
    ),
    stack_case(
        "lower-configured-quota",
        "group-managed-policy-quota",
        group_with_attachments(6),
        "IAM-QUOTA-001",
        config={"group-managed-policy-quota": {"quota": 5}},
        on="Developers",
    ),
    stack_case(
        "attachments-and-policy-attachments-add-up",
        "group-managed-policy-quota",
        [
            *group_with_attachments(6),
            *(
                FakeResource(
                    t.POLICY_ATTACHMENT,
                    f"shared-{i}",
                    {"policyArn": f"arn:aws:iam::{ACCOUNT}:policy/shared-{i}", "groups": ["Developers"]},
                )
                for i in range(5)
            ),
        ],
        "IAM-QUOTA-001",
        on="Developers",
    ),
    stack_case(
        "the-same-policy-attached-twice-counts-once",
        "group-managed-policy-quota",
        [
            *group_with_attachments(10),
            FakeResource(
                t.POLICY_ATTACHMENT,
                "team-00-again",
                {"policyArn": f"arn:aws:iam::{ACCOUNT}:policy/team-00", "groups": ["Developers"]},
            ),
        ],
        PASS,
    ),
    stack_case(
        "raised-configured-quota",
        "group-managed-policy-quota",
        group_with_attachments(12),
        PASS,
        config={"group-managed-policy-quota": {"quota": 15}},
    ),
    # policy-size-quota
    resource_case(
        "small-user-policy",
        "policy-size-quota",
        t.USER_POLICY,
        {"user": "alice", "policy": READ_REPORTS},
        PASS,
    ),
    resource_case(
        "group-policy-under-its-5120-quota",
        "policy-size-quota",
        t.GROUP_POLICY,
        {"group": "g", "policy": bucket_reader(80)},
        PASS,
    ),
    resource_case(
        "user-policy-over-its-2048-quota",
        "policy-size-quota",
        t.USER_POLICY,
        {"user": "alice", "policy": bucket_reader(80)},
        "IAM-QUOTA-002",
    ),
    resource_case(
        "managed-policy-over-its-6144-quota",
        "policy-size-quota",
        t.POLICY,
        {"policy": bucket_reader(230)},
        "IAM-QUOTA-002",
    ),
    resource_case(
        "trust-policy-over-its-2048-quota",
        "policy-size-quota",
        t.ROLE,
        {"name": "ci", "assumeRolePolicy": runner_trust(60)},
        "IAM-QUOTA-002",
    ),
    # role-trust-safe
    resource_case("service-principal", "role-trust-safe", t.ROLE, {"assumeRolePolicy": EC2_TRUST}, PASS),
    resource_case("account-with-mfa", "role-trust-safe", t.ROLE, {"assumeRolePolicy": MFA_TRUST}, PASS),
    resource_case("no-trust-policy", "role-trust-safe", t.ROLE, {"name": "orphan"}, "IAM-TRUST-006"),
    resource_case(
        "other-account-machine-with-external-id",
        "role-trust-safe",
        t.ROLE,
        {
            "assumeRolePolicy": doc(
                trust(
                    {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:role/vendor-scanner"},
                    Condition={"StringEquals": {"sts:ExternalId": "d3f1c2a9-vendor"}},
                )
            )
        },
        PASS,
    ),
    resource_case(
        "github-oidc-pinned-to-repo-and-branch",
        "role-trust-safe",
        t.ROLE,
        {
            "assumeRolePolicy": github_trust(
                {
                    "StringEquals": {
                        f"{GITHUB}:aud": "sts.amazonaws.com",
                        f"{GITHUB}:sub": "repo:acme/infra:ref:refs/heads/main",
                    }
                }
            )
        },
        PASS,
    ),
    resource_case(
        "principal-star", "role-trust-safe", t.ROLE, {"assumeRolePolicy": doc(trust("*"))}, "IAM-TRUST-001"
    ),
    resource_case(
        "every-account-root",
        "role-trust-safe",
        t.ROLE,
        {"assumeRolePolicy": doc(trust({"AWS": "arn:aws:iam::*:root"}, Condition=MFA_PRESENT))},
        "IAM-TRUST-001",
    ),
    resource_case(
        "account-without-mfa", "role-trust-safe", t.ROLE, {"assumeRolePolicy": NO_MFA_TRUST}, "IAM-TRUST-002"
    ),
    resource_case(
        "account-with-bool-if-exists-mfa",
        "role-trust-safe",
        t.ROLE,
        {
            "assumeRolePolicy": doc(
                trust(
                    {"AWS": ACCOUNT_ROOT}, Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}
                )
            )
        },
        "IAM-TRUST-002",
    ),
    resource_case(
        "same-account-external-id-instead-of-mfa",
        "role-trust-safe",
        t.ROLE,
        {
            "assumeRolePolicy": doc(
                trust({"AWS": "alice"}, Condition={"StringEquals": {"sts:ExternalId": "abc-123"}})
            )
        },
        "IAM-TRUST-002",
    ),
    resource_case(
        "github-oidc-without-subject",
        "role-trust-safe",
        t.ROLE,
        {"assumeRolePolicy": github_trust({"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}})},
        "IAM-TRUST-003",
    ),
    resource_case(
        "github-oidc-any-repository-of-the-org",
        "role-trust-safe",
        t.ROLE,
        {
            "assumeRolePolicy": github_trust(
                {
                    "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
                    "StringLike": {f"{GITHUB}:sub": "repo:acme/*"},
                }
            )
        },
        "IAM-TRUST-003",
    ),
    resource_case(
        "github-oidc-without-audience",
        "role-trust-safe",
        t.ROLE,
        {
            "assumeRolePolicy": github_trust(
                {"StringEquals": {f"{GITHUB}:sub": "repo:acme/infra:environment:prod"}}
            )
        },
        "IAM-TRUST-003",
    ),
    resource_case(
        "not-principal",
        "role-trust-safe",
        t.ROLE,
        {
            "assumeRolePolicy": doc(
                trust({"Service": "ec2.amazonaws.com"}),
                {"Effect": "Deny", "NotPrincipal": {"AWS": ACCOUNT_ROOT}, "Action": "sts:AssumeRole"},
            )
        },
        "IAM-TRUST-004",
    ),
    resource_case(
        "account-outside-the-allow-list",
        "role-trust-safe",
        t.ROLE,
        {
            "assumeRolePolicy": doc(
                trust(
                    {"AWS": "arn:aws:iam::999999999999:root"},
                    Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                )
            )
        },
        "IAM-TRUST-005",
        config={"role-trust-safe": {"trusted_accounts": [ACCOUNT]}},
    ),
    resource_case(
        "account-on-the-allow-list",
        "role-trust-safe",
        t.ROLE,
        {
            "assumeRolePolicy": doc(
                trust({"AWS": ACCOUNT_ROOT}, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
            )
        },
        PASS,
        config={"role-trust-safe": {"trusted_accounts": [ACCOUNT]}},
    ),
    # mfa-condition-patterns
    resource_case(
        "deny-bool-if-exists-false",
        "mfa-condition-patterns",
        t.GROUP_POLICY,
        {"group": "g", "policy": mfa_guard()},
        PASS,
    ),
    resource_case(
        "allow-bool-true",
        "mfa-condition-patterns",
        t.POLICY,
        {"policy": doc(allow("ec2:StopInstances", Condition=MFA_PRESENT))},
        PASS,
    ),
    resource_case(
        "deny-bool-false",
        "mfa-condition-patterns",
        t.GROUP_POLICY,
        {"group": "g", "policy": mfa_guard(operator="Bool")},
        "IAM-MFA-001",
    ),
    resource_case(
        "allow-bool-if-exists-true",
        "mfa-condition-patterns",
        t.POLICY,
        {
            "policy": doc(
                allow("ec2:StopInstances", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})
            )
        },
        "IAM-MFA-002",
    ),
    resource_case(
        "allow-bool-if-exists-true-in-trust",
        "mfa-condition-patterns",
        t.ROLE,
        {
            "assumeRolePolicy": doc(
                trust(
                    {"AWS": ACCOUNT_ROOT}, Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}
                )
            )
        },
        "IAM-MFA-002",
    ),
    resource_case(
        "bool-as-json-boolean",
        "mfa-condition-patterns",
        t.POLICY,
        {
            "policy": doc(
                allow("ec2:StopInstances", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": True}})
            )
        },
        "IAM-MFA-002",
    ),
    resource_case(
        "set-operator-on-single-valued-key",
        "mfa-condition-patterns",
        t.POLICY,
        {
            "policy": doc(
                allow("s3:GetObject", Condition={"ForAnyValue:IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
            )
        },
        "IAM-MFA-003",
    ),
    resource_case(
        "null-test-on-mfa-present",
        "mfa-condition-patterns",
        t.POLICY,
        {
            "policy": doc(
                deny("*", Condition={"Null": {"aws:MultiFactorAuthPresent": "true"}}), allow("s3:GetObject")
            )
        },
        "IAM-MFA-004",
    ),
    resource_case(
        "force-mfa-deny-locks-out-the-password-change",
        "mfa-condition-patterns",
        t.GROUP_POLICY,
        {"group": "g", "policy": mfa_guard([a for a in MFA_GUARD_NOT_ACTIONS if a != "iam:ChangePassword"])},
        "IAM-MFA-005",
    ),
    resource_case(
        "force-mfa-deny-exempts-mfa-removal",
        "mfa-condition-patterns",
        t.POLICY,
        {"policy": mfa_guard([*MFA_GUARD_NOT_ACTIONS, "iam:DeactivateMFADevice"])},
        "IAM-MFA-006",
    ),
    # console-users-mfa-guarded
    stack_case("guarded-console-user", "console-users-mfa-guarded", console_user_stack(mfa_guard()), PASS),
    stack_case(
        "guarded-console-user-in-preview",
        "console-users-mfa-guarded",
        console_user_stack(mfa_guard(), known=False),
        PASS,
    ),
    stack_case(
        "guard-in-a-customer-policy-attached-in-preview",
        "console-users-mfa-guarded",
        [
            alice := user("alice"),
            console_users := group("ConsoleUsers"),
            guard := customer_policy("mfa-guard", mfa_guard()),
            FakeResource(
                t.GROUP_POLICY_ATTACHMENT,
                "ConsoleUsers-mfa-guard",
                {"group": "ConsoleUsers", "policyArn": UNKNOWN},
                parent=console_users,
                depends_on=(console_users, guard),
                property_dependencies={"group": (console_users,), "policyArn": (guard,)},
            ),
            membership(alice, console_users),
            group_policy(console_users, "ConsoleUsers-self-service", SELF_SERVICE),
            login_profile(alice),
        ],
        PASS,
    ),
    stack_case(
        "guarded-console-user-through-group-membership",
        "console-users-mfa-guarded",
        [
            alice := user("alice"),
            console_users := group("ConsoleUsers"),
            group_policy(console_users, "ConsoleUsers-mfa-guard", mfa_guard()),
            group_policy(console_users, "ConsoleUsers-self-service", SELF_SERVICE),
            FakeResource(
                t.GROUP_MEMBERSHIP,
                "ConsoleUsers-members",
                {"group": "ConsoleUsers", "users": ["alice"]},
                depends_on=(alice, console_users),
            ),
            login_profile(alice),
        ],
        PASS,
    ),
    stack_case(
        "guarded-console-users-through-a-group-membership-in-preview",
        "console-users-mfa-guarded",
        [
            alice := user("alice"),
            bob := user("bob"),
            console_users := group("ConsoleUsers"),
            group_policy(console_users, "ConsoleUsers-mfa-guard", mfa_guard()),
            group_policy(console_users, "ConsoleUsers-self-service", SELF_SERVICE),
            group_membership(console_users, alice, bob, known=False),
            login_profile(alice),
            login_profile(bob),
        ],
        PASS,
    ),
    stack_case(
        "console-user-left-out-of-the-guarded-group-membership",
        "console-users-mfa-guarded",
        [
            alice := user("alice"),
            bob := user("bob"),
            console_users := group("ConsoleUsers"),
            group_policy(console_users, "ConsoleUsers-mfa-guard", mfa_guard()),
            group_membership(console_users, alice),
            login_profile(alice),
            login_profile(bob),
        ],
        "IAM-CONSOLE-001",
        on="bob",
    ),
    stack_case(
        "user-without-console-needs-no-guard",
        "console-users-mfa-guarded",
        [automation := user("automation"), access_key(automation, 0)],
        PASS,
    ),
    stack_case(
        "one-active-and-one-inactive-key",
        "console-users-mfa-guarded",
        [automation := user("automation"), access_key(automation, 0), access_key(automation, 1, "Inactive")],
        PASS,
    ),
    stack_case(
        "guard-without-change-password",
        "console-users-mfa-guarded",
        console_user_stack(mfa_guard([a for a in MFA_GUARD_NOT_ACTIONS if a != "iam:ChangePassword"])),
        "IAM-CONSOLE-002",
        on="alice",
    ),
    stack_case(
        "guard-without-enable-mfa-device",
        "console-users-mfa-guarded",
        console_user_stack(
            mfa_guard([a for a in MFA_GUARD_NOT_ACTIONS if a != "iam:EnableMFADevice"]), reset=False
        ),
        "IAM-CONSOLE-002",
        on="alice",
    ),
    stack_case(
        "guard-without-change-password-when-no-reset-is-forced",
        "console-users-mfa-guarded",
        console_user_stack(
            mfa_guard([a for a in MFA_GUARD_NOT_ACTIONS if a not in ("iam:ChangePassword", "iam:GetUser")]),
            reset=False,
        ),
        PASS,
    ),
    stack_case(
        "action-form-guard-is-no-guard",
        "console-users-mfa-guarded",
        console_user_stack(
            doc(deny("s3:*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))
        ),
        "IAM-CONSOLE-001",
        on="alice",
    ),
    stack_case(
        "action-form-guard-denying-enrolment",
        "console-users-mfa-guarded",
        console_user_stack(
            doc(deny(["iam:*", "sts:*"], Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))
        ),
        "IAM-CONSOLE-002",
        on="alice",
    ),
    stack_case(
        "no-guard", "console-users-mfa-guarded", console_user_stack(None), "IAM-CONSOLE-001", on="alice"
    ),
    stack_case(
        "guard-with-bool-lets-access-keys-through",
        "console-users-mfa-guarded",
        console_user_stack(mfa_guard(operator="Bool")),
        "IAM-CONSOLE-001",
        on="alice",
    ),
    stack_case(
        "login-profile-for-a-user-outside-the-stack",
        "console-users-mfa-guarded",
        [FakeResource(t.USER_LOGIN_PROFILE, "dave-login", {"user": "dave", "passwordResetRequired": True})],
        "IAM-CONSOLE-001",
        on="dave-login",
    ),
    stack_case(
        "access-key-for-a-console-user",
        "console-users-mfa-guarded",
        console_user_stack(mfa_guard(), keys=1),
        "IAM-CONSOLE-004",
        on="alice-key-0",
    ),
    stack_case(
        "two-active-keys-for-a-console-user",
        "console-users-mfa-guarded",
        console_user_stack(mfa_guard(), keys=2),
        "IAM-CONSOLE-005",
        on="alice-key-1",
    ),
    stack_case(
        "two-active-keys-for-automation",
        "console-users-mfa-guarded",
        [automation := user("automation"), access_key(automation, 0), access_key(automation, 1)],
        "IAM-CONSOLE-005",
        on="automation-key-1",
    ),
    stack_case(
        "exempted-console-user",
        "console-users-mfa-guarded",
        console_user_stack(None),
        PASS,
        config={
            "console-users-mfa-guarded": {
                "exemptions": [
                    {"resource": "alice", "reason": "break-glass user, SEC-9", "expires": IN_FORCE}
                ]
            }
        },
    ),
    stack_case(
        "self-service-misses-a-user-with-a-path",
        "console-users-mfa-guarded",
        console_user_stack(mfa_guard(), self_service=self_service(OWN_USER), path="/lab/"),
        "IAM-CONSOLE-006",
        on="alice",
    ),
    stack_case(
        "self-service-for-any-path",
        "console-users-mfa-guarded",
        console_user_stack(mfa_guard(), self_service=self_service(OWN_USER, OWN_USER_ANY_PATH), path="/lab/"),
        PASS,
    ),
    stack_case(
        "self-service-for-a-user-at-the-root-path",
        "console-users-mfa-guarded",
        console_user_stack(mfa_guard(), self_service=self_service(OWN_USER)),
        PASS,
    ),
    stack_case(
        "aws-managed-change-password-for-a-user-with-a-path",
        "console-users-mfa-guarded",
        [
            *console_user_stack(
                mfa_guard(),
                self_service=doc(
                    allow("iam:EnableMFADevice", [OWN_USER, OWN_USER_ANY_PATH]),
                    allow("iam:CreateVirtualMFADevice", OWN_MFA_DEVICE),
                ),
                path="/lab/",
            ),
            group_attachment(
                group("ConsoleUsers"), "ConsoleUsers-password", MANAGED + "IAMUserChangePassword"
            ),
        ],
        PASS,
    ),
    stack_case(
        "no-policy-lets-a-console-user-enrol",
        "console-users-mfa-guarded",
        console_user_stack(mfa_guard(), self_service=None),
        "IAM-CONSOLE-006",
        on="alice",
    ),
    # login-profile-forces-reset
    resource_case(
        "forces-reset",
        "login-profile-forces-reset",
        t.USER_LOGIN_PROFILE,
        {"user": "alice", "passwordResetRequired": True},
        PASS,
    ),
    resource_case(
        "reset-known-after-update",
        "login-profile-forces-reset",
        t.USER_LOGIN_PROFILE,
        {"user": "alice", "passwordResetRequired": UNKNOWN},
        PASS,
    ),
    resource_case(
        "reset-off",
        "login-profile-forces-reset",
        t.USER_LOGIN_PROFILE,
        {"user": "alice", "passwordResetRequired": False},
        "IAM-CONSOLE-003",
    ),
    resource_case(
        "reset-unset",
        "login-profile-forces-reset",
        t.USER_LOGIN_PROFILE,
        {"user": "alice"},
        "IAM-CONSOLE-003",
    ),
    # password-policy
    stack_case(
        "cis-profile-met",
        "password-policy",
        password_stack(
            minimumPasswordLength=14,
            passwordReusePrevention=24,
            requireUppercaseCharacters=True,
            requireLowercaseCharacters=True,
            requireNumbers=True,
            requireSymbols=True,
        ),
        PASS,
    ),
    stack_case("no-console-users-no-policy-needed", "password-policy", [user("automation")], PASS),
    stack_case(
        "cis-profile-not-met",
        "password-policy",
        password_stack(minimumPasswordLength=8, passwordReusePrevention=5),
        "IAM-PASSWORD-002",
        on="password-policy",
    ),
    stack_case(
        "pci-profile-met",
        "password-policy",
        password_stack(
            minimumPasswordLength=8,
            passwordReusePrevention=4,
            maxPasswordAge=90,
            requireUppercaseCharacters=True,
            requireLowercaseCharacters=True,
            requireNumbers=True,
        ),
        PASS,
        config={"password-policy": {"profile": "PCI"}},
    ),
    stack_case(
        "pci-profile-without-max-age",
        "password-policy",
        password_stack(
            minimumPasswordLength=8,
            passwordReusePrevention=4,
            requireUppercaseCharacters=True,
            requireLowercaseCharacters=True,
            requireNumbers=True,
        ),
        "IAM-PASSWORD-002",
        config={"password-policy": {"profile": "PCI"}},
        on="password-policy",
    ),
    stack_case(
        "afsbp-profile-without-symbols",
        "password-policy",
        password_stack(
            minimumPasswordLength=14,
            passwordReusePrevention=24,
            maxPasswordAge=90,
            requireUppercaseCharacters=True,
            requireLowercaseCharacters=True,
            requireNumbers=True,
        ),
        "IAM-PASSWORD-002",
        config={"password-policy": {"profile": "AFSBP"}},
        on="password-policy",
    ),
    stack_case(
        "console-user-without-password-policy",
        "password-policy",
        [alice := user("alice"), login_profile(alice)],
        "IAM-PASSWORD-001",
        on="alice-login",
    ),
    # risky-actions-unconstrained
    resource_case("scoped-read", "risky-actions-unconstrained", t.POLICY, {"policy": READ_REPORTS}, PASS),
    resource_case(
        "describe-on-everything",
        "risky-actions-unconstrained",
        t.POLICY,
        {"policy": doc(allow(["ec2:DescribeInstances", "cloudwatch:GetMetricData"]))},
        PASS,
    ),
    resource_case(
        "get-object-on-everything",
        "risky-actions-unconstrained",
        t.POLICY,
        {"policy": doc(allow("s3:GetObject"))},
        "IAM-RISK-001",
    ),
    resource_case(
        "secret-value-on-everything",
        "risky-actions-unconstrained",
        t.ROLE_POLICY,
        {"role": "app", "policy": doc(allow("secretsmanager:GetSecretValue"))},
        "IAM-RISK-001",
    ),
    resource_case(
        "assume-any-role",
        "risky-actions-unconstrained",
        t.GROUP_POLICY,
        {"group": "g", "policy": doc(allow("sts:AssumeRole"))},
        "IAM-RISK-001",
    ),
    resource_case(
        "put-object-on-everything",
        "risky-actions-unconstrained",
        t.POLICY,
        {"policy": doc(allow("s3:PutObject"))},
        "IAM-RISK-002",
    ),
    resource_case(
        "admin-tier-role-policy",
        "risky-actions-unconstrained",
        t.ROLE_POLICY,
        {"role": "Admin", "policy": doc(allow(["s3:GetObject", "s3:PutObject"]))},
        PASS,
        config={"risky-actions-unconstrained": ADMIN_TIER},
    ),
    # self-scoped-statements-match
    stack_case(
        "own-user-statement-misses-a-member-with-a-path",
        "self-scoped-statements-match",
        console_user_stack(mfa_guard(), self_service=self_service(OWN_USER), path="/lab/"),
        "IAM-SELF-001",
        on="ConsoleUsers-self-service",
    ),
    stack_case(
        "own-user-statement-for-any-path",
        "self-scoped-statements-match",
        console_user_stack(mfa_guard(), self_service=self_service(OWN_USER, OWN_USER_ANY_PATH), path="/lab/"),
        PASS,
    ),
    stack_case(
        "own-user-statement-for-a-member-at-the-root-path",
        "self-scoped-statements-match",
        console_user_stack(mfa_guard(), self_service=self_service(OWN_USER)),
        PASS,
    ),
    stack_case(
        "aws-managed-change-password-lists-both-forms",
        "self-scoped-statements-match",
        [
            developers := group("Developers"),
            dana := user("dana", "/lab/"),
            membership(dana, developers),
            group_attachment(developers, "Developers-password", MANAGED + "IAMUserChangePassword"),
        ],
        PASS,
    ),
    stack_case(
        "aws-managed-ssh-keys-names-the-root-path-only",
        "self-scoped-statements-match",
        [
            developers := group("Developers"),
            dana := user("dana", "/lab/"),
            membership(dana, developers),
            group_attachment(developers, "Developers-ssh-keys", MANAGED + "IAMUserSSHKeys"),
        ],
        "IAM-SELF-001",
        on="Developers-ssh-keys",
    ),
    # required-tags
    resource_case(
        "tagged-role", "required-tags", t.ROLE, {"assumeRolePolicy": EC2_TRUST, "tags": TAGS}, PASS
    ),
    resource_case("group-is-not-taggable", "required-tags", t.GROUP, {"name": "g"}, PASS),
    resource_case("untagged-role", "required-tags", t.ROLE, {"assumeRolePolicy": EC2_TRUST}, "IAM-TAG-001"),
    resource_case(
        "untagged-user", "required-tags", t.USER, {"name": "alice", "tags": {"team": "soc"}}, "IAM-TAG-001"
    ),
    resource_case(
        "configured-keys-missing",
        "required-tags",
        t.POLICY,
        {"policy": READ_REPORTS, "tags": TAGS},
        "IAM-TAG-001",
        config={"required-tags": {"required_keys": ["managed-by", "owner"]}},
    ),
    resource_case(
        "configured-keys-present",
        "required-tags",
        t.POLICY,
        {"policy": READ_REPORTS, "tags": {"owner": "soc", "cost-centre": "42"}},
        PASS,
        config={"required-tags": {"required_keys": ["owner"]}},
    ),
    # session-duration-bound
    resource_case(
        "aws-default-session", "session-duration-bound", t.ROLE, {"assumeRolePolicy": EC2_TRUST}, PASS
    ),
    resource_case(
        "four-hour-session",
        "session-duration-bound",
        t.ROLE,
        {"assumeRolePolicy": EC2_TRUST, "maxSessionDuration": 14400},
        PASS,
    ),
    resource_case(
        "twelve-hour-session",
        "session-duration-bound",
        t.ROLE,
        {"assumeRolePolicy": EC2_TRUST, "maxSessionDuration": 43200},
        "IAM-SESSION-001",
    ),
    resource_case(
        "over-a-configured-one-hour-bound",
        "session-duration-bound",
        t.ROLE,
        {"assumeRolePolicy": EC2_TRUST, "maxSessionDuration": 7200},
        "IAM-SESSION-001",
        config={"session-duration-bound": {"max_session_seconds": 3600}},
    ),
    # secrets-pgp-encrypted
    resource_case(
        "login-profile-with-pgp-key",
        "secrets-pgp-encrypted",
        t.USER_LOGIN_PROFILE,
        {"user": "alice", "passwordResetRequired": True, "pgpKey": "keybase:alice"},
        PASS,
    ),
    resource_case(
        "access-key-with-secret-pgp-key",
        "secrets-pgp-encrypted",
        t.ACCESS_KEY,
        {"user": "automation", "pgpKey": secret("mQINBGPublicKeyMaterial==")},
        PASS,
    ),
    resource_case(
        "login-profile-without-pgp-key",
        "secrets-pgp-encrypted",
        t.USER_LOGIN_PROFILE,
        {"user": "alice", "passwordResetRequired": True},
        "IAM-SECRET-001",
    ),
    resource_case(
        "access-key-without-pgp-key",
        "secrets-pgp-encrypted",
        t.ACCESS_KEY,
        {"user": "automation"},
        "IAM-SECRET-001",
    ),
    # no-iam-users-with-federation
    stack_case("users-without-federation", "no-iam-users-with-federation", [user("alice")], PASS),
    stack_case(
        "github-oidc-is-not-people-federation",
        "no-iam-users-with-federation",
        [
            user("automation"),
            FakeResource(
                t.OIDC_PROVIDER,
                "github",
                {"url": f"https://{GITHUB}", "clientIdLists": ["sts.amazonaws.com"]},
            ),
        ],
        PASS,
    ),
    stack_case(
        "user-with-saml-provider",
        "no-iam-users-with-federation",
        [
            user("alice"),
            FakeResource(
                t.SAML_PROVIDER, "okta", {"name": "okta", "samlMetadataDocument": "<EntityDescriptor/>"}
            ),
        ],
        "IAM-FED-001",
        on="alice",
    ),
    stack_case(
        "user-with-federation-configured",
        "no-iam-users-with-federation",
        [user("alice")],
        "IAM-FED-001",
        config={"no-iam-users-with-federation": {"federation_configured": True}},
        on="alice",
    ),
    # exemptions-current (PACK-CLOCK-001 needs a pack started as the engine does: test_exemption_bounds.py)
    stack_case(
        "exemption-names-a-resource-of-the-stack",
        "exemptions-current",
        [FakeResource(t.USER_POLICY, "alice-inline", {"user": "alice", "policy": doc()})],
        PASS,
        config={"no-user-policies": {"exemptions": EXEMPT_ALICE_INLINE}},
    ),
    stack_case(
        "exemption-names-no-resource-of-the-stack",
        "exemptions-current",
        [FakeResource(t.USER_POLICY, "bob-inline", {"user": "bob", "policy": doc()})],
        "PACK-EXEMPT-001",
        config={"no-user-policies": {"exemptions": EXEMPT_ALICE_INLINE}},
    ),
    # preview-unresolved-values
    stack_case("everything-known", "preview-unresolved-values", console_user_stack(mfa_guard()), PASS),
    stack_case(
        "in-stack-unknowns-are-resolved",
        "preview-unresolved-values",
        [
            *console_user_stack(mfa_guard(), known=False),
            app := role("App", EC2_TRUST),
            reader := customer_policy("reader", READ_REPORTS),
            role_attachment(app, "App-reader", UNKNOWN, reader),
        ],
        PASS,
    ),
    stack_case(
        "policy-arn-from-outside-the-stack",
        "preview-unresolved-values",
        [developers := group("Developers"), group_attachment(developers, "Developers-shared", UNKNOWN)],
        "IAM-PREVIEW-001",
        on="Developers-shared",
    ),
    stack_case(
        "document-known-only-after-the-update",
        "preview-unresolved-values",
        [
            app := role("App", EC2_TRUST),
            FakeResource(t.ROLE_POLICY, "App-data", {"role": "App", "policy": UNKNOWN}, parent=app),
        ],
        "IAM-PREVIEW-001",
        on="App-data",
    ),
    stack_case(
        "group-from-outside-the-stack",
        "preview-unresolved-values",
        [
            alice := user("alice"),
            FakeResource(t.USER_GROUP_MEMBERSHIP, "alice-groups", {"user": "alice", "groups": [UNKNOWN]}),
        ],
        "IAM-PREVIEW-001",
        on="alice-groups",
    ),
    # --- AWS-managed policies, judged by their vendored documents ---------------------------------------
    resource_case(
        "aws-managed-policy-that-exists",
        "aws-managed-policy-exists",
        t.GROUP_POLICY_ATTACHMENT,
        {"group": "g", "policyArn": MANAGED + "job-function/ViewOnlyAccess"},
        PASS,
    ),
    resource_case(
        "aws-managed-policy-misspelt",
        "aws-managed-policy-exists",
        t.GROUP_POLICY_ATTACHMENT,
        {"group": "g", "policyArn": MANAGED + "AmazonS3ReadOnlyAcess"},
        "IAM-MANAGED-002",
    ),
    resource_case(
        "aws-managed-policy-retired-on-a-role",
        "aws-managed-policy-exists",
        t.ROLE,
        {
            "name": "r",
            "assumeRolePolicy": MFA_TRUST,
            "managedPolicyArns": [MANAGED + "AWSCloudTrailReadOnlyAccess"],
        },
        "IAM-MANAGED-002",
    ),
    resource_case(
        "aws-managed-boundary-without-its-path",
        "aws-managed-policy-exists",
        t.USER,
        {"name": "u", "permissionsBoundary": MANAGED + "ViewOnlyAccess"},
        "IAM-MANAGED-002",
    ),
    resource_case(
        "customer-managed-policy-is-not-looked-up",
        "aws-managed-policy-exists",
        t.ROLE_POLICY_ATTACHMENT,
        {"role": "r", "policyArn": f"arn:aws:iam::{ACCOUNT}:policy/AmazonS3ReadOnlyAcess"},
        PASS,
    ),
    stack_case(
        "aws-managed-lambda-full-access-escalates",
        "no-privilege-escalation-across-policies",
        [lab := group("LabUser"), group_attachment(lab, "lab-lambda", MANAGED + "AWSLambda_FullAccess")],
        "IAM-ESC-001",
        on="lab-lambda",
    ),
    stack_case(
        "aws-managed-sagemaker-full-access-escalates",
        "no-privilege-escalation-across-policies",
        [
            lab := group("LabUser"),
            group_attachment(lab, "lab-sagemaker", MANAGED + "AmazonSageMakerFullAccess"),
        ],
        "IAM-ESC-001",
        on="lab-sagemaker",
    ),
    stack_case(
        "aws-managed-policies-that-escalate-together",
        "no-privilege-escalation-across-policies",
        [
            lab := group("LabOps"),
            group_attachment(lab, "lab-ec2", MANAGED + "AmazonEC2FullAccess"),
            customer := customer_policy("pass-any-role", PASS_ANY_ROLE),
            FakeResource(
                t.GROUP_POLICY_ATTACHMENT,
                "lab-pass",
                {"group": "LabOps", "policyArn": UNKNOWN},
                parent=lab,
                depends_on=(lab, customer),
                property_dependencies={"group": (lab,), "policyArn": (customer,)},
            ),
        ],
        "IAM-ESC-002",
        on="LabOps",
    ),
    stack_case(
        "aws-managed-read-only-escalates-nothing",
        "no-privilege-escalation-across-policies",
        [lab := group("LabGuest"), group_attachment(lab, "lab-read", MANAGED + "ReadOnlyAccess")],
        PASS,
    ),
    stack_case(
        "permissions-boundary-caps-an-aws-managed-grant",
        "no-privilege-escalation-across-policies",
        [
            bounded := role("Bounded", permissionsBoundary=MANAGED + "AmazonS3ReadOnlyAccess"),
            role_attachment(bounded, "bounded-iam", MANAGED + "IAMFullAccess"),
        ],
        PASS,
    ),
    stack_case(
        "permissions-boundary-that-allows-iam-caps-nothing",
        "no-privilege-escalation-across-policies",
        [
            loose := role("Loose", permissionsBoundary=MANAGED + "IAMFullAccess"),
            role_attachment(loose, "loose-iam", MANAGED + "IAMFullAccess"),
        ],
        "IAM-ESC-001",
        on="loose-iam",
    ),
    stack_case(
        "in-stack-boundary-policy-caps-the-grant",
        "no-privilege-escalation-across-policies",
        [
            boundary := customer_policy("reports-only", READ_REPORTS),
            capped := FakeResource(
                t.ROLE,
                "Capped",
                {
                    "name": "Capped",
                    "assumeRolePolicy": MFA_TRUST,
                    "permissionsBoundary": UNKNOWN,
                    "tags": TAGS,
                },
                depends_on=(boundary,),
                property_dependencies={"permissionsBoundary": (boundary,)},
            ),
            role_attachment(capped, "capped-iam", MANAGED + "IAMFullAccess"),
        ],
        PASS,
    ),
    resource_case(
        "assume-any-role",
        "no-privilege-escalation",
        t.GROUP_POLICY,
        {"group": "g", "policy": doc(allow("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/*"))},
        "IAM-ESC-004",
    ),
    resource_case(
        "assume-named-role",
        "no-privilege-escalation",
        t.GROUP_POLICY,
        {"group": "g", "policy": doc(allow("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/Reader"))},
        PASS,
    ),
    resource_case(
        "aws-managed-ec2-full-access-takes-over-instances",
        "no-compute-takeover",
        t.GROUP_POLICY_ATTACHMENT,
        {"group": "g", "policyArn": MANAGED + "AmazonEC2FullAccess"},
        "IAM-ESC-005",
    ),
    resource_case(
        "takeovers-are-no-longer-advice",
        "risky-actions-unconstrained",
        t.GROUP_POLICY,
        {
            "group": "g",
            "policy": doc(allow("lambda:UpdateFunctionCode", f"arn:aws:lambda:*:{ACCOUNT}:function:*")),
        },
        PASS,
    ),
    resource_case(
        "update-any-function-code",
        "no-compute-takeover",
        t.GROUP_POLICY,
        {"group": "g", "policy": doc(allow("lambda:UpdateFunctionCode"))},
        "IAM-ESC-005",
    ),
    resource_case(
        "update-any-function-code-with-mfa",
        "no-compute-takeover",
        t.GROUP_POLICY,
        {"group": "g", "policy": doc(allow("lambda:UpdateFunctionCode", Condition=MFA_PRESENT))},
        "IAM-ESC-005",
    ),
    resource_case(
        "update-a-named-function-code",
        "no-compute-takeover",
        t.GROUP_POLICY,
        {
            "group": "g",
            "policy": doc(
                allow("lambda:UpdateFunctionCode", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:report")
            ),
        },
        PASS,
    ),
    resource_case(
        "update-own-functions-code",
        "no-compute-takeover",
        t.GROUP_POLICY,
        {
            "group": "g",
            "policy": doc(
                allow(
                    "lambda:UpdateFunctionCode",
                    Condition={"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}},
                )
            ),
        },
        PASS,
    ),
    resource_case(
        "send-command-anywhere-in-an-admin-tier",
        "no-compute-takeover",
        t.ROLE_POLICY,
        {"role": "Admin", "policy": doc(allow("ssm:SendCommand"))},
        PASS,
        config={"no-compute-takeover": {"admin_tiers": ["Admin"]}},
    ),
    resource_case(
        "start-session-anywhere-outside-the-admin-tier",
        "no-compute-takeover",
        t.ROLE_POLICY,
        {"role": "Operator", "policy": doc(allow("ssm:StartSession"))},
        "IAM-ESC-005",
        config={"no-compute-takeover": {"admin_tiers": ["Admin"]}},
    ),
    resource_case(
        "takeover-that-expired",
        "no-compute-takeover",
        t.GROUP_POLICY,
        {
            "group": "g",
            "policy": doc(
                allow(
                    "ssm:SendCommand", Condition={"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}
                )
            ),
        },
        PASS,
    ),
    resource_case(
        "escalation-grant-that-expired",
        "no-privilege-escalation",
        t.GROUP_POLICY,
        {
            "group": "g",
            "policy": doc(
                allow("iam:AttachUserPolicy", Condition={"DateLessThan": {"aws:CurrentTime": "2020-01-01"}})
            ),
        },
        PASS,
    ),
    resource_case(
        "escalation-grant-that-expires-next-century",
        "no-privilege-escalation",
        t.GROUP_POLICY,
        {
            "group": "g",
            "policy": doc(
                allow("iam:AttachUserPolicy", Condition={"DateLessThan": {"aws:CurrentTime": "2199-01-01"}})
            ),
        },
        "IAM-ESC-001",
    ),
    resource_case(
        "escalation-grant-that-starts-later",
        "no-privilege-escalation",
        t.GROUP_POLICY,
        {
            "group": "g",
            "policy": doc(
                allow(
                    "iam:AttachUserPolicy", Condition={"DateGreaterThan": {"aws:CurrentTime": "2199-01-01"}}
                )
            ),
        },
        "IAM-ESC-001",
    ),
    resource_case(
        "escalation-grant-until-a-past-token-issue-if-it-exists",
        "no-privilege-escalation",
        t.GROUP_POLICY,
        {
            "group": "g",
            "policy": doc(
                allow(
                    "iam:AttachUserPolicy",
                    Condition={"DateLessThanIfExists": {"aws:TokenIssueTime": "2020-01-01"}},
                )
            ),
        },
        "IAM-ESC-001",
    ),
    stack_case(
        "admin-grant-that-expired",
        "no-full-admin-access",
        [
            ops := group("Ops"),
            group_policy(
                ops,
                "ops-admin-until-2020",
                doc(allow("*", Condition={"DateLessThan": {"aws:CurrentTime": "2020-01-01"}})),
            ),
        ],
        PASS,
    ),
    resource_case(
        "aws-managed-pass-role-to-its-own-service",
        "no-unscoped-pass-role",
        t.GROUP_POLICY_ATTACHMENT,
        {"group": "g", "policyArn": MANAGED + "AWSCloudTrail_FullAccess"},
        PASS,
    ),
    resource_case(
        "aws-managed-admin-is-left-to-the-admin-rule",
        "no-unscoped-pass-role",
        t.ROLE_POLICY_ATTACHMENT,
        {"role": "r", "policyArn": ADMINISTRATOR_ACCESS},
        PASS,
    ),
    resource_case(
        "aws-managed-service-wildcards-are-not-the-customers-writing",
        "no-service-wildcard",
        t.GROUP_POLICY_ATTACHMENT,
        {"group": "g", "policyArn": MANAGED + "AmazonS3FullAccess"},
        PASS,
    ),
    resource_case(
        "aws-managed-retired-actions-are-not-malformed",
        "iam-policy-document-valid",
        t.GROUP_POLICY_ATTACHMENT,
        {"group": "g", "policyArn": MANAGED + "ReadOnlyAccess"},
        PASS,
    ),
    resource_case(
        "wildcard-cancelled-by-a-deny-in-the-same-document",
        "no-service-wildcard",
        t.GROUP_POLICY,
        {"group": "g", "policy": doc(allow("s3:*"), deny("s3:*"))},
        PASS,
    ),
    resource_case(
        "not-action-cancelled-by-a-deny-in-the-same-document",
        "no-allow-with-not-action",
        t.GROUP_POLICY,
        {"group": "g", "policy": doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, deny("*"))},
        PASS,
    ),
    resource_case(
        "wildcard-under-a-condition-that-never-holds",
        "no-service-wildcard",
        t.GROUP_POLICY,
        {
            "group": "g",
            "policy": doc(allow("s3:*", Condition={"Bool": {"aws:SecureTransport": "sometimes"}})),
        },
        PASS,
    ),
    resource_case(
        "mfa-allow-cancelled-by-a-deny-in-the-same-document",
        "mfa-condition-patterns",
        t.GROUP_POLICY,
        {
            "group": "g",
            "policy": doc(
                allow("s3:GetObject", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}),
                deny("s3:GetObject"),
            ),
        },
        PASS,
    ),
    resource_case(
        "mfa-allow-with-bool-if-exists-that-grants",
        "mfa-condition-patterns",
        t.GROUP_POLICY,
        {
            "group": "g",
            "policy": doc(
                allow("s3:GetObject", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})
            ),
        },
        "IAM-MFA-002",
    ),
    # break-glass-alarmed (tests/policypack/test_break_glass_rules.py has the rest)
    stack_case(
        "break-glass-user-with-an-alarm", "break-glass-alarmed", break_glass_stack(alarmed=True), PASS
    ),
    stack_case(
        "break-glass-user-without-an-alarm",
        "break-glass-alarmed",
        break_glass_stack(alarmed=False),
        "IAM-BREAKGLASS-001",
        on="break-glass-1",
    ),
    stack_case(
        "break-glass-user-with-an-access-key",
        "break-glass-alarmed",
        break_glass_stack(alarmed=True, keys=1),
        "IAM-BREAKGLASS-002",
        on="break-glass-1-key-0",
    ),
]


# --- IAM Identity Center (raw ssoadmin / identitystore resources, update mode) -------------------------

_PS_ADMIN = ic.permission_set("SOC_Administrator", "update")
_PS_ANALYST = ic.permission_set("SOC_Analyst", "update")
_ADMINS = ic.group("SOC-Admins", "update")
_ANALYSTS = ic.group("SOC-Analysts", "update")
_ADMIN_ATTACHMENT = ic.managed("admin-access", _PS_ADMIN, "update", ic.ADMIN_ACCESS)
_IC_ADMIN = {"admin_tiers": ["SOC_Administrator"], "admin_groups": ["SOC-Admins"]}
_MGMT = {
    "management_account_id": ic.MANAGEMENT_ACCOUNT,
    "management_account_permission_sets": ["SOC_Administrator"],
}
_USER_ID = "90676a1234-11111111-2222-3333-4444-555555555555"
_MFA_TAGS = {"iamtiers:mfa-mode": "always-on", "iamtiers:mfa-attested-by": "soc-leads"}
_EXCLUSIVE = ic.member(
    t.SSO_MANAGED_POLICY_ATTACHMENTS_EXCLUSIVE,
    "exclusive",
    _PS_ANALYST,
    "update",
    {"managedPolicyArns": [ic.READ_ONLY]},
)
_MANY_MANAGED = [
    ic.managed(f"m{i}", _PS_ANALYST, "update", f"arn:aws:iam::aws:policy/{name}")
    for i, name in enumerate(
        [
            "ReadOnlyAccess",
            "SecurityAudit",
            "ViewOnlyAccess",
            "AmazonS3ReadOnlyAccess",
            "AmazonEC2ReadOnlyAccess",
            "AWSCloudTrail_ReadOnlyAccess",
            "CloudWatchReadOnlyAccess",
            "AmazonVPCReadOnlyAccess",
            "AWSLambda_ReadOnlyAccess",
            "AmazonDynamoDBReadOnlyAccess",
            "AmazonRDSReadOnlyAccess",
        ]
    )
]
_CUSTOMER = ic.member(
    t.SSO_CUSTOMER_POLICY_ATTACHMENT,
    "customer",
    _PS_ANALYST,
    "update",
    {"customerManagedPolicyReference": {"name": "SocReadOnly", "path": "/"}},
)
_EC2_FULL = ic.managed("ec2-full", _PS_ANALYST, "update", "arn:aws:iam::aws:policy/AmazonEC2FullAccess")

CASES += [
    stack_case(
        "admin-set-to-an-admin-group",
        "identity-center-assignments-safe",
        [_PS_ADMIN, _ADMIN_ATTACHMENT, _ADMINS, ic.assignment("a", _PS_ADMIN, "update", _ADMINS)],
        PASS,
        config={"identity-center-assignments-safe": _IC_ADMIN},
    ),
    stack_case(
        "admin-set-to-a-user",
        "identity-center-assignments-safe",
        [
            _PS_ADMIN,
            _ADMIN_ATTACHMENT,
            ic.assignment("a", _PS_ADMIN, "update", _USER_ID, principal_type="USER"),
        ],
        "IAM-IC-010",
        config={"identity-center-assignments-safe": _IC_ADMIN},
        on="a",
    ),
    stack_case(
        "administrator-access-set-to-a-non-admin-group",
        "identity-center-assignments-safe",
        [_PS_ADMIN, _ADMIN_ATTACHMENT, _ANALYSTS, ic.assignment("a", _PS_ADMIN, "update", _ANALYSTS)],
        "IAM-IC-011",
        config={"identity-center-assignments-safe": _IC_ADMIN},
        on="a",
    ),
    stack_case(
        "unlisted-set-in-the-management-account",
        "identity-center-assignments-safe",
        [
            _PS_ANALYST,
            _ANALYSTS,
            ic.assignment("a", _PS_ANALYST, "update", _ANALYSTS, target=ic.MANAGEMENT_ACCOUNT),
        ],
        "IAM-IC-012",
        config={"identity-center-assignments-safe": _MGMT},
        on="a",
    ),
    stack_case(
        "one-way-of-attaching",
        "permission-set-attachments-consistent",
        [_PS_ANALYST, _EXCLUSIVE, ic.boundary("cap", _PS_ANALYST, "update", ic.READ_ONLY)],
        PASS,
    ),
    stack_case(
        "exclusive-and-per-item-mixed",
        "permission-set-attachments-consistent",
        [_PS_ANALYST, _EXCLUSIVE, ic.managed("item", _PS_ANALYST, "update", ic.READ_ONLY)],
        "IAM-IC-020",
        on="exclusive",
    ),
    stack_case(
        "two-boundaries",
        "permission-set-attachments-consistent",
        [_PS_ANALYST, *(ic.boundary(f"cap{i}", _PS_ANALYST, "update", ic.READ_ONLY) for i in (1, 2))],
        "IAM-IC-021",
        on="cap1",
    ),
    stack_case(
        "two-inline-policies",
        "permission-set-attachments-consistent",
        [
            _PS_ANALYST,
            *(ic.inline(f"in{i}", _PS_ANALYST, "update", doc(allow("s3:GetObject"))) for i in (1, 2)),
        ],
        "IAM-IC-022",
        on="in1",
    ),
    stack_case(
        "twenty-one-managed-policies",
        "permission-set-attachments-consistent",
        [
            _PS_ANALYST,
            *_MANY_MANAGED,
            *(
                ic.member(
                    t.SSO_CUSTOMER_POLICY_ATTACHMENT,
                    f"c{i}",
                    _PS_ANALYST,
                    "update",
                    {"customerManagedPolicyReference": {"name": f"P{i}"}},
                )
                for i in range(10)
            ),
        ],
        "IAM-IC-023",
        on="SOC_Analyst",
    ),
    stack_case(
        "set-name-with-a-space",
        "permission-set-attachments-consistent",
        [ic.permission_set("SOC Analyst", "update")],
        "IAM-IC-024",
        on="SOC Analyst",
    ),
    resource_case(
        "session-within-the-bound",
        "permission-set-session-bound",
        t.PERMISSION_SET,
        {"name": "SOC_Analyst", "sessionDuration": "PT4H"},
        PASS,
    ),
    resource_case(
        "session-not-iso-8601",
        "permission-set-session-bound",
        t.PERMISSION_SET,
        {"name": "SOC_Analyst", "sessionDuration": "8 hours"},
        "IAM-IC-001",
    ),
    resource_case(
        "admin-set-with-eight-hour-sessions",
        "permission-set-session-bound",
        t.PERMISSION_SET,
        {"name": "SOC_Administrator", "sessionDuration": "PT8H"},
        "IAM-IC-002",
        config={"permission-set-session-bound": {"admin_tiers": ["SOC_Administrator"]}},
    ),
    resource_case(
        "permission-set-without-a-session-duration",
        "session-duration-bound",
        t.PERMISSION_SET,
        {"name": "SOC_Analyst"},
        "IAM-SESSION-002",
    ),
    stack_case(
        "group-assignment-of-ten-aws-managed-policies",
        "identity-center-access-reviewed",
        [_PS_ANALYST, *_MANY_MANAGED[:10], _ANALYSTS, ic.assignment("a", _PS_ANALYST, "update", _ANALYSTS)],
        PASS,
    ),
    stack_case(
        "assignment-to-a-user",
        "identity-center-access-reviewed",
        [_PS_ANALYST, ic.assignment("a", _PS_ANALYST, "update", _USER_ID, principal_type="USER")],
        "IAM-IC-030",
        on="a",
    ),
    stack_case(
        "eleven-managed-policies",
        "identity-center-access-reviewed",
        [_PS_ANALYST, *_MANY_MANAGED],
        "IAM-IC-031",
        on="SOC_Analyst",
    ),
    stack_case(
        "customer-managed-policy-reference",
        "identity-center-access-reviewed",
        [_PS_ANALYST, _CUSTOMER],
        "IAM-IC-032",
        on="customer",
    ),
    resource_case(
        "mfa-attested-recently",
        "identity-center-mfa-attested",
        t.PERMISSION_SET,
        {"name": "SOC_Analyst", "tags": {**_MFA_TAGS, "iamtiers:mfa-attested-on": _ATTESTED_RECENTLY}},
        PASS,
    ),
    resource_case(
        "mfa-not-attested",
        "identity-center-mfa-attested",
        t.PERMISSION_SET,
        {"name": "SOC_Analyst", "tags": {}},
        "IAM-IC-040",
    ),
    resource_case(
        "mfa-attested-two-years-ago",
        "identity-center-mfa-attested",
        t.PERMISSION_SET,
        {"name": "SOC_Analyst", "tags": {**_MFA_TAGS, "iamtiers:mfa-attested-on": "2020-01-01"}},
        "IAM-IC-041",
    ),
    stack_case(
        "aws-managed-takeover-on-a-permission-set",
        "no-privilege-escalation-across-policies",
        [_PS_ANALYST, _EC2_FULL],
        "IAM-ESC-005",
        on="ec2-full",
    ),
]

# --- running the table --------------------------------------------------------------------------------


def diagnostics_for(analyzer: PackAnalyzer, case: Case) -> list[Diagnostic]:
    if case.kind == "resource":
        [resource] = case.resources
        return analyzer.resource(resource.type, resource.props, name=resource.name)
    return analyzer.stack(case.resources)


def urn_of(case: Case, name: str) -> str:
    [resource] = [r for r in case.resources if r.name == name]
    return resource.urn


@pytest.mark.parametrize("case", CASES, ids=[f"{case.policy}:{case.id}" for case in CASES])
def test_rule(analyzer: PackAnalyzer, case: Case) -> None:
    if case.config is None:
        diagnostics = diagnostics_for(analyzer, case)
    else:
        with analyzer.configured(case.config):
            diagnostics = diagnostics_for(analyzer, case)
    reported = [d for d in diagnostics if d.policy_name == case.policy]
    findings = [d.finding for d in reported]
    if case.expect == PASS:
        assert reported == [], f"{case.policy} should pass, reported: {findings}"
        return
    matching = [d for d in reported if d.finding.startswith(f"[{case.expect}]")]
    assert matching, f"{case.policy} should report {case.expect}, reported: {findings}"
    assert {d.enforcement_level for d in matching} == {DEFAULT_LEVELS[case.policy]}, findings
    if case.on is not None:
        assert urn_of(case, case.on) in {d.urn for d in matching}, [(d.urn, d.finding) for d in matching]


# --- the table is complete --------------------------------------------------------------------------

POLICIES: dict[str, Any] = {policy.name: policy for policy in iam_guard.ALL_POLICIES}
FINDING_ID = re.compile(r"\b(?:IAM|PACK)-[A-Z]+-\d{3}\b")


def rule_module(policy: Any) -> ModuleType:
    """The rule module whose `POLICY` is `policy` (found by identity, not by file name)."""
    for info in pkgutil.iter_modules(iam_guard.rules.__path__):
        module = importlib.import_module(f"iam_guard.rules.{info.name}")
        if getattr(module, "POLICY", None) is policy:
            return module
    raise AssertionError(f"no rule module defines {policy.name}")


def test_default_levels_are_the_rules_defaults() -> None:
    assert {name: policy.enforcement_level.value for name, policy in POLICIES.items()} == DEFAULT_LEVELS


def test_case_ids_are_unique_and_name_real_policies() -> None:
    ids = [(case.policy, case.id) for case in CASES]
    assert len(ids) == len(set(ids))
    assert {case.policy for case in CASES} <= set(POLICIES)


@pytest.mark.parametrize("name", list(POLICIES))
def test_every_policy_has_a_pass_and_a_fail_case_of_its_kind(name: str) -> None:
    kind = "stack" if isinstance(POLICIES[name], StackValidationPolicy) else "resource"
    cases = [case for case in CASES if case.policy == name]
    assert {case.kind for case in cases} == {kind}
    assert any(case.expect == PASS for case in cases)
    assert any(case.expect != PASS for case in cases)


# Findings whose fail case needs a pack started differently from the session's.
COVERED_ELSEWHERE = {"PACK-CLOCK-001"}  # test_exemption_bounds.py starts the pack as the engine does


@pytest.mark.parametrize("name", list(POLICIES))
def test_every_finding_a_rule_emits_has_a_fail_case(name: str) -> None:
    emitted = set(FINDING_ID.findall(inspect.getsource(rule_module(POLICIES[name]))))
    covered = {case.expect for case in CASES if case.policy == name} | COVERED_ELSEWHERE
    assert emitted, f"{name}: its module names no finding ID"
    assert emitted <= covered, f"{name}: no fail case for {sorted(emitted - covered)}"
