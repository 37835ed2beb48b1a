"""The first sign-in of console users with an IAM path, and `${aws:username}` statements that miss them.

A user at `/lab/` is `arn:aws:iam::ACCOUNT:user/lab/NAME`; `user/${aws:username}` matches users at `/`
only. Through the real pack: `console-users-mfa-guarded` (IAM-CONSOLE-006, mandatory) asks the request
evaluator whether each console user, without MFA, may change its password and enrol MFA at its real
ARN; `self-scoped-statements-match` (IAM-SELF-001, advisory) names each statement that misses members
with a path.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from iam_guard import types as t

from offline.judging.analyzer_client import Diagnostic
from tests.policypack.conftest import UNKNOWN, FakeResource, PackAnalyzer

ACCOUNT = "123456789012"
OWN_USER = f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"
OWN_USER_ANY_PATH = f"arn:aws:iam::{ACCOUNT}:user/*/${{aws:username}}"
OWN_MFA_DEVICE = f"arn:aws:iam::{ACCOUNT}:mfa/${{aws:username}}"
MANAGED = "arn:aws:iam::aws:policy/"
CONSOLE = "console-users-mfa-guarded"
SELF_SCOPED = "self-scoped-statements-match"
GUARD = {
    "Sid": "DenyAllExceptMfaEnrolmentWithoutMfa",
    "Effect": "Deny",
    "NotAction": [
        "iam:ChangePassword",
        "iam:GetUser",
        "iam:CreateVirtualMFADevice",
        "iam:EnableMFADevice",
        "iam:ListMFADevices",
        "iam:ListVirtualMFADevices",
        "iam:ResyncMFADevice",
        "sts:GetSessionToken",
    ],
    "Resource": "*",
    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
}


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def self_service(*own_user: str, **extra: Any) -> str:
    """The program's self-service shape: view the password rules, manage the own user, create the device."""
    return doc(
        {"Effect": "Allow", "Action": "iam:GetAccountPasswordPolicy", "Resource": "*"},
        {
            "Sid": "ManageOwnCredentials",
            "Effect": "Allow",
            "Action": ["iam:ChangePassword", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices"],
            "Resource": list(own_user),
            **extra,
        },
        {"Effect": "Allow", "Action": "iam:CreateVirtualMFADevice", "Resource": OWN_MFA_DEVICE},
    )


def user(name: str, path: str | None, **props: Any) -> FakeResource:
    return FakeResource(t.USER, name, {"name": name, **({"path": path} if path is not None else {}), **props})


def group(name: str) -> FakeResource:
    return FakeResource(t.GROUP, name, {"name": name})


def group_policy(owner: FakeResource, suffix: str, policy: Any) -> FakeResource:
    return FakeResource(
        t.GROUP_POLICY,
        f"{owner.name}-{suffix}",
        {"group": owner.name, "name": f"{owner.name}-{suffix}", "policy": policy},
        property_dependencies={"group": (owner,)},
    )


def group_attachment(owner: FakeResource, suffix: str, policy_arn: str) -> FakeResource:
    return FakeResource(
        t.GROUP_POLICY_ATTACHMENT,
        f"{owner.name}-{suffix}",
        {"group": owner.name, "policyArn": policy_arn},
        property_dependencies={"group": (owner,)},
    )


def members(owner: FakeResource, *users: FakeResource) -> FakeResource:
    return FakeResource(
        t.GROUP_MEMBERSHIP,
        f"{owner.name}-members",
        {"group": owner.name, "users": [u.name for u in users]},
        property_dependencies={"group": (owner,), "users": users},
    )


def login(member: FakeResource, reset: Any = True) -> FakeResource:
    return FakeResource(
        t.USER_LOGIN_PROFILE,
        f"{member.name}-login",
        {"user": member.name, "passwordResetRequired": reset},
        property_dependencies={"user": (member,)},
    )


def lab_stack(
    self_service_policy: Any, *people: FakeResource, extra: Sequence[FakeResource] = (), reset: Any = True
) -> list[FakeResource]:
    """LabUser (the MFA guard and `self_service_policy`), its console users `people`, and `extra`."""
    lab = group("LabUser")
    return [
        lab,
        group_policy(lab, "mfa-guard", doc(GUARD)),
        group_policy(lab, "self-service", self_service_policy),
        *people,
        members(lab, *people),
        *(login(person, reset) for person in people),
        *extra,
    ]


def found(diagnostics: list[Diagnostic], policy: str, finding_id: str | None = None) -> list[Diagnostic]:
    return [
        d
        for d in diagnostics
        if d.policy_name == policy and (finding_id is None or d.finding.startswith(f"[{finding_id}]"))
    ]


def actions_reported(diagnostics: list[Diagnostic]) -> list[str]:
    """The action of each IAM-CONSOLE-006, in report order."""
    return [
        d.finding.split(" cannot call ")[1].split(" ")[0]
        for d in found(diagnostics, CONSOLE, "IAM-CONSOLE-006")
    ]


# --- the bug: a self-service statement written for path / ----------------------------------------------


def test_self_service_for_path_root_locks_out_a_user_with_a_path(analyzer: PackAnalyzer) -> None:
    farah = user("farah.haddad", "/lab/")
    stack = lab_stack(self_service(OWN_USER), farah)
    diagnostics = analyzer.stack(stack)
    console = found(diagnostics, CONSOLE)
    assert actions_reported(diagnostics) == ["iam:ChangePassword", "iam:EnableMFADevice"]
    assert {(d.urn, d.enforcement_level) for d in console} == {(farah.urn, "mandatory")}
    change_password = console[0].finding
    assert (
        "user 'farah.haddad' (arn:aws:iam::123456789012:user/lab/farah.haddad) cannot call "
        "iam:ChangePassword on arn:aws:iam::123456789012:user/lab/farah.haddad without MFA" in change_password
    )
    assert (
        "group 'LabUser' inline policy 'LabUser-self-service' Statement[1] (ManageOwnCredentials) grants "
        f"iam:ChangePassword on {OWN_USER}, which matches only users at path /; farah.haddad is "
        "arn:aws:iam::123456789012:user/lab/farah.haddad: list "
        f"{OWN_USER_ANY_PATH} beside it" in change_password
    )
    [advice] = found(diagnostics, SELF_SCOPED)
    assert advice.enforcement_level == "advisory"
    assert advice.urn == stack[2].urn  # the self-service GroupPolicy
    assert advice.finding.startswith(
        "[IAM-SELF-001] Self-scoped statement misses users with a path: group 'LabUser' inline policy "
        f"'LabUser-self-service' Statement[1] (ManageOwnCredentials) names {OWN_USER}, which matches only "
        "users at path /; 1 user(s) at path /lab/ (farah.haddad) match none of it"
    )


def test_listing_any_path_beside_it_passes(analyzer: PackAnalyzer) -> None:
    diagnostics = analyzer.stack(
        lab_stack(self_service(OWN_USER, OWN_USER_ANY_PATH), user("farah.haddad", "/lab/"))
    )
    assert found(diagnostics, CONSOLE) == []
    assert found(diagnostics, SELF_SCOPED) == []


def test_a_user_at_path_root_is_matched(analyzer: PackAnalyzer) -> None:
    for path in ("/", None):  # an absent path is /
        diagnostics = analyzer.stack(lab_stack(self_service(OWN_USER), user("farah.haddad", path)))
        assert found(diagnostics, CONSOLE) == [], path
        assert found(diagnostics, SELF_SCOPED) == [], path


def test_aws_managed_change_password_names_both_forms(analyzer: PackAnalyzer) -> None:
    lab = group("LabUser")
    mfa_only = doc(
        {"Effect": "Allow", "Action": "iam:EnableMFADevice", "Resource": [OWN_USER, OWN_USER_ANY_PATH]},
        {"Effect": "Allow", "Action": "iam:CreateVirtualMFADevice", "Resource": OWN_MFA_DEVICE},
    )
    password = group_attachment(lab, "IAMUserChangePassword", MANAGED + "IAMUserChangePassword")
    diagnostics = analyzer.stack(lab_stack(mfa_only, user("farah.haddad", "/lab/"), extra=[password]))
    assert found(diagnostics, CONSOLE) == []
    assert found(diagnostics, SELF_SCOPED) == []


def test_aws_managed_change_password_beside_a_root_only_mfa_statement(analyzer: PackAnalyzer) -> None:
    lab = group("LabUser")
    root_only = doc(
        {"Effect": "Allow", "Action": "iam:EnableMFADevice", "Resource": OWN_USER},
        {"Effect": "Allow", "Action": "iam:CreateVirtualMFADevice", "Resource": OWN_MFA_DEVICE},
    )
    password = group_attachment(lab, "IAMUserChangePassword", MANAGED + "IAMUserChangePassword")
    diagnostics = analyzer.stack(lab_stack(root_only, user("farah.haddad", "/lab/"), extra=[password]))
    assert actions_reported(diagnostics) == ["iam:EnableMFADevice"]


def test_every_member_is_judged_and_advice_comes_once_per_path(analyzer: PackAnalyzer) -> None:
    people = [user("dmitri", "/lab/"), user("emma", "/lab/"), user("gus", "/lab/"), user("hana", "/lab/")]
    people += [user("alice", "/soc/"), user("root-user", "/")]
    diagnostics = analyzer.stack(lab_stack(self_service(OWN_USER), *people))
    locked_out = {d.urn for d in found(diagnostics, CONSOLE, "IAM-CONSOLE-006")}
    assert locked_out == {person.urn for person in people[:5]}
    advice = [d.finding for d in found(diagnostics, SELF_SCOPED)]
    assert len(advice) == 2
    assert any("4 user(s) at path /lab/ (dmitri, emma, gus and 1 more)" in finding for finding in advice)
    assert any("1 user(s) at path /soc/ (alice)" in finding for finding in advice)


# --- what else the first sign-in depends on ----------------------------------------------------------


def test_the_account_setting_lets_users_change_their_own_password(analyzer: PackAnalyzer) -> None:
    setting = FakeResource(t.ACCOUNT_PASSWORD_POLICY, "passwords", {"allowUsersToChangePassword": True})
    diagnostics = analyzer.stack(
        lab_stack(self_service(OWN_USER), user("farah.haddad", "/lab/"), extra=[setting])
    )
    assert actions_reported(diagnostics) == ["iam:EnableMFADevice"]
    unset = FakeResource(t.ACCOUNT_PASSWORD_POLICY, "passwords", {"minimumPasswordLength": 14})
    diagnostics = analyzer.stack(
        lab_stack(self_service(OWN_USER), user("farah.haddad", "/lab/"), extra=[unset])
    )
    assert actions_reported(diagnostics) == ["iam:ChangePassword", "iam:EnableMFADevice"]


def test_without_a_forced_reset_the_password_change_is_not_needed(analyzer: PackAnalyzer) -> None:
    diagnostics = analyzer.stack(
        lab_stack(self_service(OWN_USER), user("farah.haddad", "/lab/"), reset=False)
    )
    assert actions_reported(diagnostics) == ["iam:EnableMFADevice"]


def test_a_statement_that_needs_mfa_does_not_let_the_first_sign_in_through(analyzer: PackAnalyzer) -> None:
    needs_mfa = self_service(
        OWN_USER, OWN_USER_ANY_PATH, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    )
    diagnostics = analyzer.stack(lab_stack(needs_mfa, user("farah.haddad", "/lab/")))
    assert actions_reported(diagnostics) == ["iam:ChangePassword", "iam:EnableMFADevice"]
    assert (
        "no statement of the policies of user 'farah.haddad' allows it"
        in found(diagnostics, CONSOLE)[0].finding
    )
    assert found(diagnostics, SELF_SCOPED) == []  # its Resource matches: the Condition is another matter


def test_a_device_named_for_the_root_path_only_is_what_the_console_creates(analyzer: PackAnalyzer) -> None:
    any_path_device = doc(
        {
            "Effect": "Allow",
            "Action": ["iam:ChangePassword", "iam:EnableMFADevice"],
            "Resource": [OWN_USER_ANY_PATH],
        },
        {
            "Effect": "Allow",
            "Action": "iam:CreateVirtualMFADevice",
            "Resource": f"arn:aws:iam::{ACCOUNT}:mfa/*/${{aws:username}}",
        },
    )
    diagnostics = analyzer.stack(lab_stack(any_path_device, user("farah.haddad", "/lab/")))
    assert actions_reported(diagnostics) == ["iam:CreateVirtualMFADevice"]
    assert (
        "on arn:aws:iam::123456789012:mfa/farah.haddad without MFA" in found(diagnostics, CONSOLE)[0].finding
    )


def test_a_permissions_boundary_that_leaves_enrolment_out(analyzer: PackAnalyzer) -> None:
    boundary = FakeResource(
        t.POLICY,
        "boundary",
        {"name": "boundary", "policy": doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})},
    )
    bounded = user("farah.haddad", "/lab/", permissionsBoundary=f"arn:aws:iam::{ACCOUNT}:policy/boundary")
    diagnostics = analyzer.stack(
        lab_stack(self_service(OWN_USER, OWN_USER_ANY_PATH), bounded, extra=[boundary])
    )
    assert actions_reported(diagnostics) == [
        "iam:ChangePassword",
        "iam:CreateVirtualMFADevice",
        "iam:EnableMFADevice",
    ]
    assert all("its permissions boundary does not allow it" in d.finding for d in found(diagnostics, CONSOLE))


def test_the_real_arn_from_the_update_wins_over_the_path_input(analyzer: PackAnalyzer) -> None:
    # The provider's `arn` output carries the path even when the program's input left it out.
    moved = user("farah.haddad", None, arn=f"arn:aws:iam::{ACCOUNT}:user/lab/farah.haddad")
    diagnostics = analyzer.stack(lab_stack(self_service(OWN_USER), moved))
    assert actions_reported(diagnostics) == ["iam:ChangePassword", "iam:EnableMFADevice"]
    assert len(found(diagnostics, SELF_SCOPED)) == 1


def test_aws_managed_policies_written_for_path_root_are_named(analyzer: PackAnalyzer) -> None:
    lab = group("LabUser")
    ssh_keys = group_attachment(lab, "IAMUserSSHKeys", MANAGED + "IAMUserSSHKeys")
    diagnostics = analyzer.stack(
        lab_stack(self_service(OWN_USER, OWN_USER_ANY_PATH), user("farah.haddad", "/lab/"), extra=[ssh_keys])
    )
    [advice] = found(diagnostics, SELF_SCOPED)
    assert advice.urn == ssh_keys.urn
    assert "AWS-managed IAMUserSSHKeys" in advice.finding
    assert "arn:aws:iam::*:user/*/${aws:username} beside it" in advice.finding


def test_a_customer_managed_policy_is_reported_on_the_policy(analyzer: PackAnalyzer) -> None:
    lab, ops = group("LabUser"), group("Ops")
    policy = FakeResource(
        t.POLICY, "self-service", {"name": "self-service", "policy": self_service(OWN_USER)}
    )

    def attach(owner: FakeResource) -> FakeResource:
        return FakeResource(
            t.GROUP_POLICY_ATTACHMENT,
            f"{owner.name}-self-service",
            {"group": owner.name, "policyArn": UNKNOWN},
            property_dependencies={"group": (owner,), "policyArn": (policy,)},
        )

    farah, omar = user("farah.haddad", "/lab/"), user("omar", "/lab/")
    diagnostics = analyzer.stack(
        [lab, ops, policy, attach(lab), attach(ops), farah, omar, members(lab, farah), members(ops, omar)]
    )
    [advice] = found(diagnostics, SELF_SCOPED)
    assert advice.urn == policy.urn
    assert "2 user(s) at path /lab/ (farah.haddad, omar)" in advice.finding


def test_a_users_own_policy_is_judged_for_the_user(analyzer: PackAnalyzer) -> None:
    farah = user("farah.haddad", "/lab/")
    own = FakeResource(
        t.USER_POLICY,
        "farah-self-service",
        {"user": farah.name, "policy": self_service(OWN_USER)},
        property_dependencies={"user": (farah,)},
    )
    diagnostics = analyzer.stack([farah, own])
    [advice] = found(diagnostics, SELF_SCOPED)
    assert (
        advice.urn == own.urn and "user 'farah.haddad' inline policy 'farah-self-service'" in advice.finding
    )


# --- preview: unknown values are never a silent pass ----------------------------------------------------


def test_an_unknown_path_waits_for_the_update_and_is_listed(analyzer: PackAnalyzer) -> None:
    farah = user("farah.haddad", UNKNOWN)
    diagnostics = analyzer.stack(lab_stack(self_service(OWN_USER), farah))
    assert found(diagnostics, CONSOLE, "IAM-CONSOLE-006") == []
    [listed] = found(diagnostics, "preview-unresolved-values")
    assert (
        listed.urn == farah.urn
        and "the path of user 'farah.haddad' is known only after the update" in listed.finding
    )


def test_an_unknown_self_service_document_waits_for_the_update(analyzer: PackAnalyzer) -> None:
    preview = analyzer.stack(lab_stack(UNKNOWN, user("farah.haddad", "/lab/")))
    assert found(preview, CONSOLE, "IAM-CONSOLE-006") == []
    assert [d.urn for d in found(preview, "preview-unresolved-values")] == [lab_stack(UNKNOWN)[2].urn]
    update = analyzer.stack(lab_stack(self_service(OWN_USER), user("farah.haddad", "/lab/")))
    assert actions_reported(update) == ["iam:ChangePassword", "iam:EnableMFADevice"]


def test_an_account_the_stack_does_not_settle_waits_for_the_update(analyzer: PackAnalyzer) -> None:
    two_accounts = self_service(OWN_USER, "arn:aws:iam::210987654321:user/${aws:username}")
    farah = user("farah.haddad", "/lab/")
    diagnostics = analyzer.stack(lab_stack(two_accounts, farah))
    assert found(diagnostics, CONSOLE, "IAM-CONSOLE-006") == []
    [listed] = found(diagnostics, "preview-unresolved-values")
    assert listed.urn == farah.urn and "123456789012, 210987654321" in listed.finding


def test_a_stack_that_names_no_account_is_judged_in_any(analyzer: PackAnalyzer) -> None:
    anywhere = doc(
        {
            "Effect": "Allow",
            "Action": ["iam:ChangePassword", "iam:EnableMFADevice"],
            "Resource": "arn:aws:iam::*:user/${aws:username}",
        },
        {
            "Effect": "Allow",
            "Action": "iam:CreateVirtualMFADevice",
            "Resource": "arn:aws:iam::*:mfa/${aws:username}",
        },
    )
    diagnostics = analyzer.stack(lab_stack(anywhere, user("farah.haddad", "/lab/")))
    assert actions_reported(diagnostics) == ["iam:ChangePassword", "iam:EnableMFADevice"]
    assert "(arn:aws:iam::ACCOUNT:user/lab/farah.haddad)" in found(diagnostics, CONSOLE)[0].finding
    assert found(diagnostics, "preview-unresolved-values") == []
