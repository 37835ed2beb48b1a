"""Identity Center permission sets judged like roles, and the Identity Center checks, through the real
pack process: raw ssoadmin/identitystore resources (no component of this project), each stack judged
as the engine does (Analyze per resource, then AnalyzeStack), in update and preview modes."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from iam_guard import types as t

from offline.judging.analyzer_client import Diagnostic
from tests.policypack.conftest import FakeResource, PackAnalyzer
from tests.policypack.identity_center_stacks import (
    ADMIN_ACCESS,
    ATTESTED,
    MANAGEMENT_ACCOUNT,
    MODES,
    READ_ONLY,
    Mode,
    assignment,
    boundary,
    group,
    inline,
    managed,
    member,
    permission_set,
)

ADMIN_SET = "SOC_Administrator"
CONFIG: dict[str, Any] = {
    "no-full-admin-access": {"admin_tiers": [ADMIN_SET]},
    "no-privileged-managed-policy": {"admin_tiers": [ADMIN_SET]},
    "no-privilege-escalation-across-policies": {"admin_tiers": [ADMIN_SET]},
    "permission-set-session-bound": {"admin_tiers": [ADMIN_SET]},
    "identity-center-assignments-safe": {"admin_tiers": [ADMIN_SET], "admin_groups": ["SOC-Admins"]},
}


def attested(days_ago: int = 30) -> dict[str, str]:
    day = datetime.now(UTC).date() - timedelta(days=days_ago)
    return {**ATTESTED, "iamtiers:mfa-attested-on": day.isoformat()}


def doc(*statements: Mapping[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def judge(
    analyzer: PackAnalyzer, resources: Sequence[FakeResource], config: Mapping[str, Any] = CONFIG
) -> list[Diagnostic]:
    """Every finding the pack reports on the stack: per resource (its inputs), then the whole stack."""
    with analyzer.configured(config):
        found = [d for r in resources for d in analyzer.resource(r.type, r.props, name=r.name, urn=r.urn)]
        return found + analyzer.stack(resources)


def findings(diagnostics: list[Diagnostic], level: str | None = None) -> list[str]:
    return [d.finding for d in diagnostics if level is None or d.enforcement_level == level]


def codes(diagnostics: list[Diagnostic], level: str | None = None) -> set[str]:
    return {finding.split("]")[0].lstrip("[") for finding in findings(diagnostics, level)}


def admin_set(mode: Mode, **kwargs: Any) -> tuple[FakeResource, FakeResource]:
    ps = permission_set(ADMIN_SET, mode, tags=attested(), **kwargs)
    return ps, managed("admin-access", ps, mode, ADMIN_ACCESS)


@pytest.mark.parametrize("mode", MODES)
def test_admin_set_assigned_to_an_admin_group_passes_every_rule(analyzer: PackAnalyzer, mode: Mode) -> None:
    ps, attachment = admin_set(mode)
    admins = group("SOC-Admins", mode)
    stack = [ps, attachment, admins, assignment("admins-admin", ps, mode, admins)]
    assert findings(judge(analyzer, stack), "mandatory") == []


@pytest.mark.parametrize("mode", MODES)
def test_admin_set_assigned_to_a_non_admin_group_is_blocked(analyzer: PackAnalyzer, mode: Mode) -> None:
    ps, attachment = admin_set(mode)
    analysts = group("SOC-Analysts", mode)
    bad = assignment("analysts-admin", ps, mode, analysts)
    diagnostics = judge(analyzer, [ps, attachment, analysts, bad])
    [finding] = [d for d in diagnostics if d.finding.startswith("[IAM-IC-011]")]
    assert finding.enforcement_level == "mandatory" and finding.urn == bad.urn
    assert "group 'SOC-Analysts'" in finding.finding


@pytest.mark.parametrize("mode", MODES)
def test_administrator_access_on_a_set_outside_admin_tiers_is_full_admin(
    analyzer: PackAnalyzer, mode: Mode
) -> None:
    ps = permission_set("SOC_Analyst", mode, tags=attested())
    attachment = managed("analyst-admin", ps, mode, ADMIN_ACCESS)
    analysts = group("SOC-Analysts", mode)
    diagnostics = judge(analyzer, [ps, attachment, analysts, assignment("a", ps, mode, analysts)])
    assert {"IAM-ADMIN-001", "IAM-MANAGED-001", "IAM-IC-011"} <= codes(diagnostics, "mandatory")
    [admin] = [d for d in diagnostics if d.finding.startswith("[IAM-ADMIN-001]")]
    assert admin.urn == ps.urn and "permission set 'SOC_Analyst'" in admin.finding


@pytest.mark.parametrize("mode", MODES)
def test_inline_create_policy_version_on_every_policy_is_blocked(analyzer: PackAnalyzer, mode: Mode) -> None:
    ps = permission_set("SOC_Engineer", mode, tags=attested())
    policy = inline(
        "engineer-inline",
        ps,
        mode,
        doc({"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*"}),
    )
    diagnostics = judge(analyzer, [ps, policy])
    escalations = [d for d in diagnostics if d.finding.startswith("[IAM-ESC-001]")]
    assert escalations and {d.enforcement_level for d in escalations} == {"mandatory"}
    assert policy.urn in {d.urn for d in escalations}


@pytest.mark.parametrize("mode", MODES)
def test_admin_set_assigned_to_a_user_is_blocked(analyzer: PackAnalyzer, mode: Mode) -> None:
    ps, attachment = admin_set(mode)
    bad = assignment(
        "user-admin", ps, mode, "90676a1234-11111111-2222-3333-4444-555555555555", principal_type="USER"
    )
    diagnostics = judge(analyzer, [ps, attachment, bad])
    assert "IAM-IC-010" in codes(diagnostics, "mandatory")
    assert "IAM-IC-030" in codes(diagnostics, "advisory")


@pytest.mark.parametrize("mode", MODES)
def test_admin_set_with_eight_hour_sessions_is_blocked(analyzer: PackAnalyzer, mode: Mode) -> None:
    ps, attachment = admin_set(mode, session="PT8H")
    diagnostics = judge(analyzer, [ps, attachment])
    [finding] = [d for d in diagnostics if d.finding.startswith("[IAM-IC-002]")]
    assert finding.enforcement_level == "mandatory" and "the bound is PT1H" in finding.finding


@pytest.mark.parametrize(
    ("session", "expected"),
    [
        ("PT4H", None),
        ("PT90M", None),
        ("PT1H30M", None),
        ("PT8H", "IAM-IC-002"),
        ("PT13H", "IAM-IC-001"),
        ("PT30M", "IAM-IC-001"),
        ("8h", "IAM-IC-001"),
        ("P1D", "IAM-IC-001"),
        ("PT", "IAM-IC-001"),
    ],
)
def test_session_duration_of_a_non_admin_set(
    analyzer: PackAnalyzer, session: str, expected: str | None
) -> None:
    ps = permission_set("SOC_Analyst", "update", session=session, tags=attested())
    found = codes(judge(analyzer, [ps]), "mandatory") & {"IAM-IC-001", "IAM-IC-002"}
    assert found == ({expected} if expected else set())


def test_absent_session_duration_is_advised_not_blocked(analyzer: PackAnalyzer) -> None:
    ps = permission_set("SOC_Analyst", "update", session=None, tags=attested())
    diagnostics = judge(analyzer, [ps])
    assert findings(diagnostics, "mandatory") == []
    [finding] = [d for d in diagnostics if d.finding.startswith("[IAM-SESSION-002]")]
    assert "PT1H" in finding.finding


@pytest.mark.parametrize("mode", MODES)
def test_aws_managed_boundary_caps_a_set(analyzer: PackAnalyzer, mode: Mode) -> None:
    ps = permission_set("SOC_Analyst", mode, tags=attested())
    stack = [ps, managed("admin", ps, mode, ADMIN_ACCESS), boundary("cap", ps, mode, READ_ONLY)]
    assert "IAM-ADMIN-001" not in codes(judge(analyzer, stack))


def test_unlinked_attachments_are_judged_alone_and_fail_closed(analyzer: PackAnalyzer) -> None:
    # Preview, and nothing links the attachments to a set: the boundary cannot be seen to cap the admin.
    ps = permission_set("SOC_Analyst", "preview", tags=attested())
    attachment = managed("admin", None, "preview", ADMIN_ACCESS)
    diagnostics = judge(analyzer, [ps, attachment, boundary("cap", None, "preview", READ_ONLY)])
    [admin] = [d for d in diagnostics if d.finding.startswith("[IAM-ADMIN-001]")]
    assert admin.urn == attachment.urn
    assert "IAM-PREVIEW-001" in codes(diagnostics, "advisory")


@pytest.mark.parametrize("mode", MODES)
def test_assignment_of_a_set_the_pack_cannot_see_is_judged_as_admin(
    analyzer: PackAnalyzer, mode: Mode
) -> None:
    analysts = group("SOC-Analysts", mode)
    bad = assignment("external-set", None, mode, analysts)
    assert "IAM-IC-011" in codes(judge(analyzer, [analysts, bad]), "mandatory")


@pytest.mark.parametrize(
    ("admin_groups", "expected"), [(["SOC-Admins"], {"IAM-IC-011"}), (["gid-external"], set())]
)
def test_a_group_outside_the_stack_is_matched_by_principal_id(
    analyzer: PackAnalyzer, admin_groups: list[str], expected: set[str]
) -> None:
    ps, attachment = admin_set("update")
    config = {
        **CONFIG,
        "identity-center-assignments-safe": {"admin_tiers": [ADMIN_SET], "admin_groups": admin_groups},
    }
    diagnostics = judge(analyzer, [ps, attachment, assignment("ext", ps, "update", "gid-external")], config)
    assert codes(diagnostics, "mandatory") == expected


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("set_name", "expected"), [("SOC_Analyst", {"IAM-IC-012"}), ("SOC_Manager", set())])
def test_management_account_takes_only_its_listed_sets(
    analyzer: PackAnalyzer, mode: Mode, set_name: str, expected: set[str]
) -> None:
    config = {
        **CONFIG,
        "identity-center-assignments-safe": {
            "management_account_id": MANAGEMENT_ACCOUNT,
            "management_account_permission_sets": ["SOC_Manager"],
        },
    }
    ps = permission_set(set_name, mode, tags=attested())
    managers = group("SOC-Managers", mode)
    stack = [ps, managers, assignment("mgmt", ps, mode, managers, target=MANAGEMENT_ACCOUNT)]
    assert codes(judge(analyzer, stack, config), "mandatory") == expected


@pytest.mark.parametrize("mode", MODES)
def test_attachments_declared_inconsistently_are_blocked(analyzer: PackAnalyzer, mode: Mode) -> None:
    ps = permission_set("SOC_Analyst", mode, tags=attested())
    exclusive = member(
        t.SSO_MANAGED_POLICY_ATTACHMENTS_EXCLUSIVE,
        "all-managed",
        ps,
        mode,
        {"managedPolicyArns": [READ_ONLY]},
    )
    read_only = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    stack = [
        ps,
        exclusive,
        managed("one-managed", ps, mode, READ_ONLY),
        boundary("cap-1", ps, mode, READ_ONLY),
        boundary("cap-2", ps, mode, READ_ONLY),
        inline("inline-1", ps, mode, read_only),
        inline("inline-2", ps, mode, read_only),
    ]
    assert {"IAM-IC-020", "IAM-IC-021", "IAM-IC-022"} <= codes(judge(analyzer, stack), "mandatory")


def test_oversize_inline_policy_and_bad_name_are_blocked(analyzer: PackAnalyzer) -> None:
    ps = permission_set("SOC Analyst!", "update", tags=attested())
    big = doc(
        *(
            {
                "Sid": f"S{i}",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::bucket-{i:04d}/*",
            }
            for i in range(200)
        )
    )
    diagnostics = judge(analyzer, [ps, inline("big", ps, "update", big)])
    assert "IAM-IC-024" in codes(diagnostics, "mandatory")
    assert codes(diagnostics, "mandatory") & {"IAM-QUOTA-002", "IAM-DOC-001"}


def test_mfa_attestation(analyzer: PackAnalyzer) -> None:
    fresh = permission_set("Fresh", "update", tags=attested(30))
    stale = permission_set("Stale", "update", tags=attested(400))
    missing = permission_set("Missing", "update", tags={})
    future = permission_set("Future", "update", tags=attested(-30))  # dated to outlast the year
    diagnostics = judge(analyzer, [fresh, stale, missing, future])
    by_urn = {d.urn: d.finding for d in diagnostics if d.policy_name == "identity-center-mfa-attested"}
    assert fresh.urn not in by_urn
    assert by_urn[stale.urn].startswith("[IAM-IC-041]")
    assert by_urn[missing.urn].startswith("[IAM-IC-040]")
    assert by_urn[future.urn].startswith("[IAM-IC-040]")
    assert "after today" in by_urn[future.urn]
    assert {d.enforcement_level for d in diagnostics if d.policy_name == "identity-center-mfa-attested"} == {
        "advisory"
    }


def test_a_program_with_none_of_our_components_is_blocked(analyzer: PackAnalyzer) -> None:
    # "Not ours": a set, an admin policy and an assignment to a user, with no iamtiers component.
    ps = permission_set("Ops", "update", tags=attested())
    stack = [
        ps,
        inline("ops-inline", ps, "update", doc({"Effect": "Allow", "Action": "*", "Resource": "*"})),
        assignment(
            "ops-user", ps, "update", "90676a1234-aaaaaaaa-2222-3333-4444-555555555555", principal_type="USER"
        ),
    ]
    assert {"IAM-ADMIN-001", "IAM-IC-010"} <= codes(judge(analyzer, stack), "mandatory")
