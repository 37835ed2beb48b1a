"""Force-MFA Denies wherever they appear, the CIS password profile with complexity, and trusts that
require MFA through `aws:MultiFactorAuthAge`, all judged by the real pack process.

Each case states what the pack must answer; the verdicts themselves are the pack's.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from iam_guard import types as t
from iam_guard.rules.mfa_condition_patterns import FIRST_SIGN_IN_ACTIONS, MFA_REMOVAL_ACTIONS

from components.policy_documents import (
    MFA_BOOTSTRAP_ACTIONS,
    document,
    mfa_guard_policy,
    mfa_guard_statement,
    self_service_statements,
    to_json,
)
from offline.judging.analyzer_client import Diagnostic
from offline.running.engine import StackRun
from tests.policypack.conftest import FakeResource, PackAnalyzer

ACCOUNT = "123456789012"
ACCOUNT_ROOT = f"arn:aws:iam::{ACCOUNT}:root"
MFA_PATTERNS = "mfa-condition-patterns"
LOCKOUT = "IAM-MFA-005"
DISARM = "IAM-MFA-006"
FINDING_ID = re.compile(r"^\[((?:IAM|PACK)-[A-Z]+-\d{3})\]")
ACTION = re.compile(r"\b(?:iam|sts):[A-Za-z]+\b")

MFA_ABSENT = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
# The brief's five: what the generated password's first sign-in and MFA enrolment need.
FIRST_SIGN_IN = (
    "iam:ChangePassword",
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:GetUser",
    "iam:ListMFADevices",
)
# AWS's current example (IAM User Guide, "manage their own credentials"): enrolment and the password.
AWS_EXAMPLE_NOT_ACTIONS = [
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:GetUser",
    "iam:ChangePassword",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ResyncMFADevice",
    "sts:GetSessionToken",
]
# AWS's older example: it exempted DeleteVirtualMFADevice and left out ChangePassword and GetUser.
AWS_OLD_EXAMPLE_NOT_ACTIONS = [
    "iam:CreateVirtualMFADevice",
    "iam:DeleteVirtualMFADevice",
    "iam:ListVirtualMFADevices",
    "iam:EnableMFADevice",
    "iam:ResyncMFADevice",
    "iam:ListAccountAliases",
    "iam:ListUsers",
    "iam:ListSSHPublicKeys",
    "iam:ListAccessKeys",
    "iam:ListServiceSpecificCredentials",
    "iam:ListMFADevices",
    "iam:GetAccountSummary",
    "sts:GetSessionToken",
]


def policy_json(*statements: Mapping[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def force_mfa(
    *,
    not_action: Sequence[str] | None = None,
    action: Any = None,
    resource: Any = "*",
    not_resource: Any = None,
    condition: Mapping[str, Any] = MFA_ABSENT,
    effect: str = "Deny",
) -> dict[str, Any]:
    """A Deny (by default) conditioned on MFA being absent; give `not_action` or `action`."""
    statement: dict[str, Any] = {"Sid": "ForceMfa", "Effect": effect}
    if not_action is not None:
        statement["NotAction"] = list(not_action)
    else:
        statement["Action"] = action
    if not_resource is not None:
        statement["NotResource"] = not_resource
    else:
        statement["Resource"] = resource
    statement["Condition"] = dict(condition)
    return statement


def without(actions: Sequence[str], *removed: str) -> list[str]:
    return [a for a in actions if a not in removed]


def finding_id(diagnostic: Diagnostic) -> str:
    match = FINDING_ID.match(diagnostic.finding)
    assert match, diagnostic.finding
    return match.group(1)


def named_actions(diagnostic: Diagnostic) -> set[str]:
    """The actions the finding's detail names (the fix that follows it names its own)."""
    detail = diagnostic.finding.split(". Fix: ", 1)[0]
    return set(ACTION.findall(detail))


def force_mfa_findings(diagnostics: list[Diagnostic]) -> dict[str, Diagnostic]:
    found = [d for d in diagnostics if d.policy_name == MFA_PATTERNS and finding_id(d) in (LOCKOUT, DISARM)]
    by_id = {finding_id(d): d for d in found}
    assert len(by_id) == len(found), [d.finding for d in found]
    return by_id


# --- 1. force-MFA Denies ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ForceMfaCase:
    """`statement` in a group's inline policy must draw exactly `expect`: finding ID -> actions named."""

    id: str
    statement: Mapping[str, Any]
    expect: Mapping[str, set[str]]


FORCE_MFA_CASES = [
    # A force-MFA Deny that lets people in and keeps MFA on.
    ForceMfaCase("program-guard", mfa_guard_statement(), {}),
    ForceMfaCase("aws-current-example", force_mfa(not_action=AWS_EXAMPLE_NOT_ACTIONS), {}),
    ForceMfaCase(
        "wildcard-not-action-covering-enrolment",
        force_mfa(
            not_action=[
                "iam:ChangePassword",
                "iam:GetUser",
                "iam:CreateVirtualMFADevice",
                "iam:EnableMFADevice",
                "iam:List*",
            ]
        ),
        {},
    ),
    ForceMfaCase(
        "not-resource-guard-exempting-enrolment",
        force_mfa(not_action=AWS_EXAMPLE_NOT_ACTIONS, not_resource="arn:aws:s3:::audit-logs/*"),
        {},
    ),
    # Lockouts: the first sign-in or enrolment is denied.
    ForceMfaCase(
        "not-action-without-change-password",
        force_mfa(not_action=without(AWS_EXAMPLE_NOT_ACTIONS, "iam:ChangePassword")),
        {LOCKOUT: {"iam:ChangePassword"}},
    ),
    ForceMfaCase(
        "not-action-without-list-mfa-devices",
        force_mfa(not_action=without(AWS_EXAMPLE_NOT_ACTIONS, "iam:ListMFADevices")),
        {LOCKOUT: {"iam:ListMFADevices"}},
    ),
    ForceMfaCase(
        "wildcard-not-action-missing-enrolment",
        force_mfa(not_action=["iam:Get*", "iam:List*", "iam:ChangePassword"]),
        {LOCKOUT: {"iam:CreateVirtualMFADevice", "iam:EnableMFADevice"}},
    ),
    ForceMfaCase("action-star", force_mfa(action="*"), {LOCKOUT: set(FIRST_SIGN_IN)}),
    ForceMfaCase("action-star-in-a-list", force_mfa(action=["*"]), {LOCKOUT: set(FIRST_SIGN_IN)}),
    ForceMfaCase(
        "null-mfa-key-true",
        force_mfa(action="*", condition={"Null": {"aws:MultiFactorAuthPresent": "true"}}),
        {LOCKOUT: set(FIRST_SIGN_IN)},
    ),
    ForceMfaCase(
        "bool-false",
        force_mfa(
            not_action=without(AWS_EXAMPLE_NOT_ACTIONS, "iam:GetUser"),
            condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}},
        ),
        {LOCKOUT: {"iam:GetUser"}},
    ),
    ForceMfaCase(
        "not-resource",
        force_mfa(
            not_action=without(AWS_EXAMPLE_NOT_ACTIONS, "iam:EnableMFADevice"),
            not_resource="arn:aws:s3:::audit-logs/*",
        ),
        {LOCKOUT: {"iam:EnableMFADevice"}},
    ),
    ForceMfaCase(
        "resource-star-among-others",
        force_mfa(
            not_action=without(AWS_EXAMPLE_NOT_ACTIONS, "iam:CreateVirtualMFADevice"),
            resource=["arn:aws:s3:::audit-logs/*", "*"],
        ),
        {LOCKOUT: {"iam:CreateVirtualMFADevice"}},
    ),
    # Exempting removal: a caller without MFA can take it off.
    ForceMfaCase(
        "exempts-deactivate-mfa-device",
        force_mfa(not_action=[*AWS_EXAMPLE_NOT_ACTIONS, "iam:DeactivateMFADevice"]),
        {DISARM: {"iam:DeactivateMFADevice"}},
    ),
    ForceMfaCase(
        "aws-old-example",
        force_mfa(not_action=AWS_OLD_EXAMPLE_NOT_ACTIONS),
        {LOCKOUT: {"iam:ChangePassword", "iam:GetUser"}, DISARM: {"iam:DeleteVirtualMFADevice"}},
    ),
    ForceMfaCase(
        "wildcard-not-action-exempting-removal",
        force_mfa(not_action=["iam:*MFA*", "iam:ChangePassword", "iam:GetUser", "sts:GetSessionToken"]),
        {DISARM: {"iam:DeactivateMFADevice", "iam:DeleteVirtualMFADevice"}},
    ),
    ForceMfaCase(
        "wildcard-delete-star-exempting-removal",
        force_mfa(not_action=[*AWS_EXAMPLE_NOT_ACTIONS, "iam:Delete*"]),
        {DISARM: {"iam:DeleteVirtualMFADevice"}},
    ),
    # Not a force-MFA Deny: nothing to judge.
    ForceMfaCase(
        "deny-on-one-service",
        force_mfa(action="s3:*"),
        {},
    ),
    ForceMfaCase(
        "deny-on-one-bucket",
        force_mfa(not_action=["s3:GetObject", "iam:DeactivateMFADevice"], resource="arn:aws:s3:::reports/*"),
        {},
    ),
    ForceMfaCase(
        "allow-not-action-without-mfa",
        force_mfa(not_action=["iam:DeactivateMFADevice"], effect="Allow"),
        {},
    ),
    ForceMfaCase(
        "deny-while-mfa-present",
        force_mfa(action="*", condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}),
        {},
    ),
    ForceMfaCase(
        "deny-while-mfa-key-present",
        force_mfa(action="*", condition={"Null": {"aws:MultiFactorAuthPresent": "false"}}),
        {},
    ),
    ForceMfaCase(
        "deny-on-another-key",
        force_mfa(action="*", condition={"Bool": {"aws:SecureTransport": "false"}}),
        {},
    ),
]


@pytest.mark.parametrize("case", FORCE_MFA_CASES, ids=[case.id for case in FORCE_MFA_CASES])
def test_force_mfa_deny(analyzer: PackAnalyzer, case: ForceMfaCase) -> None:
    found = analyzer.resource(t.GROUP_POLICY, {"group": "people", "policy": policy_json(case.statement)})
    reported = force_mfa_findings(found)
    assert {fid: named_actions(d) for fid, d in reported.items()} == case.expect
    assert {d.enforcement_level for d in reported.values()} <= {"mandatory"}


@pytest.mark.parametrize("action", FIRST_SIGN_IN_ACTIONS)
def test_every_first_sign_in_action_denied_is_a_lockout(analyzer: PackAnalyzer, action: str) -> None:
    statement = force_mfa(not_action=without(AWS_EXAMPLE_NOT_ACTIONS, action))
    found = analyzer.resource(t.GROUP_POLICY, {"group": "people", "policy": policy_json(statement)})
    assert {fid: named_actions(d) for fid, d in force_mfa_findings(found).items()} == {LOCKOUT: {action}}


@pytest.mark.parametrize("action", MFA_REMOVAL_ACTIONS)
def test_every_mfa_removal_action_exempted_is_reported(analyzer: PackAnalyzer, action: str) -> None:
    statement = force_mfa(not_action=[*AWS_EXAMPLE_NOT_ACTIONS, action])
    found = analyzer.resource(t.GROUP_POLICY, {"group": "people", "policy": policy_json(statement)})
    assert {fid: named_actions(d) for fid, d in force_mfa_findings(found).items()} == {DISARM: {action}}


def test_force_mfa_case_ids_are_unique() -> None:
    ids = [case.id for case in FORCE_MFA_CASES]
    assert len(ids) == len(set(ids))


LOCKOUT_POLICY = policy_json(force_mfa(not_action=without(AWS_EXAMPLE_NOT_ACTIONS, "iam:ChangePassword")))
EC2_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
SITES = [
    pytest.param(t.POLICY, {"name": "force-mfa", "policy": LOCKOUT_POLICY}, "policy", id="policy"),
    pytest.param(t.GROUP_POLICY, {"group": "people", "policy": LOCKOUT_POLICY}, "policy", id="group-policy"),
    pytest.param(t.USER_POLICY, {"user": "alice", "policy": LOCKOUT_POLICY}, "policy", id="user-policy"),
    pytest.param(t.ROLE_POLICY, {"role": "app", "policy": LOCKOUT_POLICY}, "policy", id="role-policy"),
    pytest.param(
        t.ROLE,
        {
            "name": "app",
            "assumeRolePolicy": EC2_TRUST,
            "inlinePolicies": [
                {
                    "name": "read",
                    "policy": policy_json({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}),
                },
                {"name": "force-mfa", "policy": LOCKOUT_POLICY},
            ],
        },
        "inlinePolicies[1].policy",
        id="role-inline-policy",
    ),
]


@pytest.mark.parametrize(("type_token", "props", "site"), SITES)
def test_a_force_mfa_deny_is_judged_wherever_it_appears(
    analyzer: PackAnalyzer, type_token: str, props: dict[str, Any], site: str
) -> None:
    reported = force_mfa_findings(analyzer.resource(type_token, props, name="holder"))
    assert list(reported) == [LOCKOUT]
    assert reported[LOCKOUT].enforcement_level == "mandatory"
    assert reported[LOCKOUT].finding.startswith(f"[{LOCKOUT}] ")
    assert f"holder.{site} Statement[0] (ForceMfa)" in reported[LOCKOUT].finding
    assert named_actions(reported[LOCKOUT]) == {"iam:ChangePassword"}


def test_a_trust_policy_is_no_force_mfa_deny(analyzer: PackAnalyzer) -> None:
    trust = policy_json(
        {
            "Effect": "Deny",
            "Principal": {"AWS": ACCOUNT_ROOT},
            "Action": "*",
            "Condition": MFA_ABSENT,
        }
    )
    found = analyzer.resource(t.ROLE, {"name": "app", "assumeRolePolicy": trust})
    assert force_mfa_findings(found) == {}


def test_the_programs_guard_and_self_service_pass(analyzer: PackAnalyzer) -> None:
    """The group inline policies the program writes (components.iam_group), exactly as serialised."""
    for policy in (mfa_guard_policy(), document(self_service_statements(ACCOUNT))):
        found = analyzer.resource(t.GROUP_POLICY, {"group": "people", "policy": to_json(policy)})
        assert [d.finding for d in found if d.policy_name == MFA_PATTERNS] == []
    both = document([mfa_guard_statement(), *self_service_statements(ACCOUNT)])
    found = analyzer.resource(t.POLICY, {"name": "console", "policy": to_json(both)})
    assert [d.finding for d in found if d.policy_name == MFA_PATTERNS] == []


def test_the_programs_guard_is_judged(analyzer: PackAnalyzer) -> None:
    """The same guard with MFA removal exempted, or with the password change denied, is reported."""
    guard = mfa_guard_statement()
    disarmed = {**guard, "NotAction": [*MFA_BOOTSTRAP_ACTIONS, "iam:DeactivateMFADevice"]}
    locked = {**guard, "NotAction": without(MFA_BOOTSTRAP_ACTIONS, "iam:ChangePassword")}
    for statement, expected in ((disarmed, DISARM), (locked, LOCKOUT)):
        found = analyzer.resource(
            t.GROUP_POLICY, {"group": "people", "policy": to_json(document([statement]))}
        )
        assert list(force_mfa_findings(found)) == [expected]


def test_the_shipped_groups_pass(analyzer: PackAnalyzer, dev_update: StackRun) -> None:
    group_policies = dev_update.by_type(t.GROUP_POLICY)
    guards = [r for r in group_policies if r.name.endswith("-mfa-guard")]
    assert guards, [r.name for r in group_policies]
    for registration in group_policies:
        found = analyzer.pack.analyze(registration)
        assert [d.finding for d in found if d.policy_name == MFA_PATTERNS] == [], registration.name


# --- 2. the CIS password profile ---------------------------------------------------------------------

CIS = {
    "minimumPasswordLength": 14,
    "passwordReusePrevention": 24,
    "requireUppercaseCharacters": True,
    "requireLowercaseCharacters": True,
    "requireNumbers": True,
    "requireSymbols": True,
}
COMPLEXITY = ("requireUppercaseCharacters", "requireLowercaseCharacters", "requireNumbers", "requireSymbols")


def password_findings(analyzer: PackAnalyzer, settings: Mapping[str, Any]) -> list[Diagnostic]:
    """password-policy's answer, with no pack config, for a console user and this password policy."""
    alice = FakeResource(t.USER, "alice", {"name": "alice"})
    profile = FakeResource(
        t.USER_LOGIN_PROFILE,
        "alice-login",
        {"user": "alice", "passwordResetRequired": True},
        depends_on=(alice,),
        property_dependencies={"user": (alice,)},
    )
    policy = FakeResource(t.ACCOUNT_PASSWORD_POLICY, "password-policy", dict(settings))
    return [d for d in analyzer.stack([alice, profile, policy]) if d.policy_name == "password-policy"]


def test_cis_with_complexity_passes(analyzer: PackAnalyzer) -> None:
    assert [d.finding for d in password_findings(analyzer, CIS)] == []


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        *(pytest.param({**CIS, key: False}, key, id=f"{key}-false") for key in COMPLEXITY),
        *(
            pytest.param({k: v for k, v in CIS.items() if k != key}, key, id=f"{key}-unset")
            for key in COMPLEXITY
        ),
        pytest.param({**CIS, "minimumPasswordLength": 13}, "minimumPasswordLength", id="length-13"),
        pytest.param({**CIS, "passwordReusePrevention": 23}, "passwordReusePrevention", id="reuse-23"),
    ],
)
def test_cis_is_the_default_profile(analyzer: PackAnalyzer, settings: dict[str, Any], named: str) -> None:
    found = password_findings(analyzer, settings)
    assert [finding_id(d) for d in found] == ["IAM-PASSWORD-002"], [d.finding for d in found]
    assert found[0].enforcement_level == "mandatory"
    assert "against the CIS profile" in found[0].finding
    assert re.findall(r"\b(\w+) is ", found[0].finding.split(". Fix: ", 1)[0]) == [named]


def test_length_and_reuse_alone_no_longer_meet_cis(analyzer: PackAnalyzer) -> None:
    found = password_findings(analyzer, {"minimumPasswordLength": 14, "passwordReusePrevention": 24})
    assert [finding_id(d) for d in found] == ["IAM-PASSWORD-002"]
    assert set(re.findall(r"\b(\w+) is ", found[0].finding.split(". Fix: ", 1)[0])) == set(COMPLEXITY)


def with_password_settings(run: StackRun, **changes: Any) -> StackRun:
    """The run, its AccountPasswordPolicy's inputs and outputs changed."""
    registrations = [
        dataclasses.replace(
            registration,
            inputs={**registration.inputs, **changes},
            outputs={**registration.outputs, **changes},
        )
        if registration.type == t.ACCOUNT_PASSWORD_POLICY
        else registration
        for registration in run.registrations
    ]
    return dataclasses.replace(run, registrations=registrations)


def test_the_shipped_password_policies_meet_the_default_profile(
    analyzer: PackAnalyzer, shipped_run: StackRun
) -> None:
    """With no pack config (the default CIS profile), as the program writes the policy from its config."""
    assert shipped_run.by_type(t.ACCOUNT_PASSWORD_POLICY), "the stack manages the password policy"
    found = analyzer.run(shipped_run).diagnostics
    assert [d.finding for d in found if d.policy_name == "password-policy"] == []
    weakened = analyzer.run(with_password_settings(shipped_run, requireSymbols=False)).diagnostics
    assert [finding_id(d) for d in weakened if d.policy_name == "password-policy"] == ["IAM-PASSWORD-002"]


# --- 3. MFA required through aws:MultiFactorAuthAge -------------------------------------------------


def age_trust(operator: str, value: Any = "3600") -> str:
    return policy_json(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ACCOUNT_ROOT},
            "Action": "sts:AssumeRole",
            "Condition": {operator: {"aws:MultiFactorAuthAge": value}},
        }
    )


AGE_TRUSTS = [
    pytest.param(age_trust("NumericLessThan"), True, id="numeric-less-than"),
    pytest.param(age_trust("NumericLessThanEquals", "900"), True, id="numeric-less-than-equals"),
    pytest.param(age_trust("NumericLessThan", ["3600", "7200"]), True, id="several-positive-values"),
    pytest.param(age_trust("NumericLessThanIfExists"), False, id="if-exists"),
    pytest.param(age_trust("ForAnyValue:NumericLessThan"), False, id="set-qualifier"),
    pytest.param(age_trust("NumericGreaterThan"), False, id="greater-than"),
    pytest.param(age_trust("NumericLessThan", "0"), False, id="zero"),
    pytest.param(age_trust("NumericLessThan", "-60"), False, id="negative"),
    pytest.param(age_trust("NumericLessThan", "an hour"), False, id="not-a-number"),
]


@pytest.mark.parametrize(("trust", "requires_mfa"), AGE_TRUSTS)
def test_role_trust_with_mfa_age(analyzer: PackAnalyzer, trust: str, requires_mfa: bool) -> None:
    found = analyzer.resource(t.ROLE, {"name": "ops", "assumeRolePolicy": trust}, name="ops")
    trust_findings = [finding_id(d) for d in found if d.policy_name == "role-trust-safe"]
    assert trust_findings == ([] if requires_mfa else ["IAM-TRUST-002"])


@pytest.mark.parametrize(("trust", "requires_mfa"), AGE_TRUSTS)
def test_admin_tier_with_mfa_age(analyzer: PackAnalyzer, trust: str, requires_mfa: bool) -> None:
    admin = FakeResource(
        t.ROLE,
        "Admin",
        {
            "name": "Admin",
            "assumeRolePolicy": trust,
            "managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"],
        },
    )
    with analyzer.configured({"no-full-admin-access": {"admin_tiers": ["Admin"]}}):
        found = analyzer.stack([admin])
    admin_findings = [(finding_id(d), d.urn) for d in found if d.policy_name == "no-full-admin-access"]
    assert admin_findings == ([] if requires_mfa else [("IAM-ADMIN-002", admin.urn)])
