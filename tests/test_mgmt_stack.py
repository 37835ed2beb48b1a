"""The shipped `mgmt` stack (the organization's management account): Identity Center, break-glass and
root management pass the gate in both modes, and each unsafe edit of its stack file is blocked (exit 1
in preview and in update) or refused with its key path (exit 2).

Every case runs the real `iamtiers check` on a copy of `Pulumi.mgmt.yaml` with `policypack/config/mgmt.json`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from offline.judging.analyzer_client import PACK_DIR
from tests.conftest import PROJECT_DIR, stack_config

MGMT_PACK_CONFIG = PACK_DIR / "config" / "mgmt.json"
Edit = Callable[[dict[str, Any]], None]


def check(project: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "offline",
            "check",
            "--stack",
            "test",
            "--project-dir",
            str(project),
            "--pack-config",
            str(MGMT_PACK_CONFIG),
            *extra,
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def identity_center(config: dict[str, Any]) -> dict[str, Any]:
    section: dict[str, Any] = config["iamtiers:identity_center"]
    return section


def permission_set(config: dict[str, Any], name: str) -> dict[str, Any]:
    """The `permission_sets` entry of `name`, spelled out in full (no longer `from_tier`) so an edit
    changes only the set."""
    sets = identity_center(config)["permission_sets"]
    index = next(i for i, entry in enumerate(sets) if entry.get("name", entry.get("from_tier")) == name)
    return sets[index]  # type: ignore[no-any-return]


def mandatory_by_mode(document: dict[str, Any]) -> dict[str, set[str]]:
    return {
        mode: {v["finding"] for v in result["violations"] if v["level"] == "mandatory"}
        for mode, result in document["modes"].items()
    }


@pytest.fixture(scope="module")
def shipped_mgmt_check() -> subprocess.CompletedProcess[str]:
    """`iamtiers check --stack mgmt` on the shipped stack file, once for the tests that read its plan."""
    return subprocess.run(
        [sys.executable, "-m", "offline", "check", "--stack", "mgmt"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_mgmt_passes_in_both_modes_and_plans_every_part(
    shipped_mgmt_check: subprocess.CompletedProcess[str],
) -> None:
    result = shipped_mgmt_check
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert result.stdout.count("0 mandatory") == 2
    for part in (
        "aws:ssoadmin/permissionSet:PermissionSet",
        "aws:ssoadmin/accountAssignment:AccountAssignment",
        "aws:identitystore/group:Group",
        "iamtiers:index:PermissionSet",
    ):
        assert part in result.stdout, part
    assert "aws:cloudwatch/eventRule:EventRule" in result.stdout  # the break-glass alarms
    assert "aws:cloudwatch/metricAlarm:MetricAlarm" in result.stdout
    assert "break-glass-user-break-glass-1" in result.stdout
    assert "aws:iam/organizationsFeatures:OrganizationsFeatures" in result.stdout


def _admin_access_for_analysts(config: dict[str, Any]) -> None:
    center = identity_center(config)
    center["permission_sets"].append({"name": "AnalystAdmin", "managed_policies": ["AdministratorAccess"]})
    center["assignments"].append(
        {"group": "SOC_Analysts", "permission_set": "AnalystAdmin", "accounts": ["dev"]}
    )


def _create_policy_version_inline(config: dict[str, Any]) -> None:
    center = identity_center(config)
    center["permission_sets"].append(
        {
            "name": "PolicyEditor",
            "managed_policies": ["ReadOnlyAccess"],
            "statements": [
                {"sid": "EditPolicies", "actions": ["iam:CreatePolicyVersion"], "resources": ["*"]}
            ],
        }
    )
    center["assignments"].append(
        {"group": "SOC_Engineers", "permission_set": "PolicyEditor", "accounts": ["dev"]}
    )


def _admin_to_a_user(config: dict[str, Any]) -> None:
    identity_center(config)["assignments"].append(
        {"user": "carmen.diaz", "permission_set": "SOC_Administrator", "accounts": ["prod"]}
    )


def _eight_hour_admin(config: dict[str, Any]) -> None:
    permission_set(config, "SOC_Administrator")["session_duration"] = "PT8H"


def _alarm_switched_off(config: dict[str, Any]) -> None:
    config["iamtiers:break_glass"]["alarms_enabled"] = False


BLOCKED: dict[str, tuple[Edit, str]] = {
    "administrator-access-to-a-non-admin-group": (_admin_access_for_analysts, "IAM-ADMIN-001"),
    "inline-create-policy-version-on-star": (_create_policy_version_inline, "IAM-ESC-001"),
    "admin-set-assigned-to-a-user": (_admin_to_a_user, "IAM-IC-010"),
    "admin-set-for-eight-hours": (_eight_hour_admin, "IAM-IC-002"),
    "break-glass-alarm-switched-off": (_alarm_switched_off, "IAM-BREAKGLASS-001"),
}


@pytest.mark.parametrize("edit", list(BLOCKED), ids=list(BLOCKED))
def test_an_unsafe_edit_of_mgmt_is_blocked_in_both_modes(
    edit: str, project_with_stack: Callable[[dict[str, Any]], Path]
) -> None:
    change, finding = BLOCKED[edit]
    config = stack_config("mgmt")
    change(config)
    result = check(project_with_stack(config), "--format", "json")
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr
    blocked = mandatory_by_mode(json.loads(result.stdout))
    assert set(blocked) == {"preview", "update"}
    for mode, findings in blocked.items():
        assert finding in findings, (mode, findings)


def _long_name(config: dict[str, Any]) -> None:
    identity_center(config)["permission_sets"].append(
        {"name": "A" * 33, "managed_policies": ["ReadOnlyAccess"]}
    )


def _eight_h(config: dict[str, Any]) -> None:
    permission_set(config, "SOC_Analyst")["session_duration"] = "8h"


def _unknown_group(config: dict[str, Any]) -> None:
    identity_center(config)["assignments"].append(
        {"group": "SOC_Analyst", "permission_set": "SOC_Analyst", "accounts": ["dev"]}
    )


def _break_glass_access_key(config: dict[str, Any]) -> None:
    config["iamtiers:break_glass"]["users"][0]["programmatic_access"] = True


REFUSED: dict[str, tuple[Edit, str]] = {
    "permission-set-name-of-33-characters": (_long_name, "iamtiers:identity_center.permission_sets[4].name"),
    "session-duration-8h": (_eight_h, "iamtiers:identity_center.permission_sets[0].session_duration"),
    "assignment-to-an-unknown-group": (_unknown_group, "iamtiers:identity_center.assignments[4].group"),
    "access-key-for-a-break-glass-user": (_break_glass_access_key, "iamtiers:break_glass.users[0]"),
}


@pytest.mark.parametrize("edit", list(REFUSED), ids=list(REFUSED))
def test_a_broken_edit_of_mgmt_is_refused_with_its_key_path(
    edit: str, project_with_stack: Callable[[dict[str, Any]], Path]
) -> None:
    change, key_path = REFUSED[edit]
    config = stack_config("mgmt")
    change(config)
    result = check(project_with_stack(config))
    assert result.returncode == 2, result.stdout[-3000:] + result.stderr
    assert key_path in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_mgmt_creates_no_role_for_the_tiers_it_offers_as_permission_sets(
    shipped_mgmt_check: subprocess.CompletedProcess[str],
) -> None:
    """`create_role: false` (the tiers' defaults in mgmt): the grants reach the workload accounts as
    permission sets, and the management account holds no SOC role that could be switched into."""
    assert shipped_mgmt_check.returncode == 0, shipped_mgmt_check.stderr
    assert "tier-SOC_" not in shipped_mgmt_check.stdout
    assert "permission-set-SOC_Administrator" in shipped_mgmt_check.stdout


def _tier_referenced_by_a_group(config: dict[str, Any]) -> None:
    config["iamtiers:groups"] = {"items": [{"name": "Operators", "assumable_tiers": ["SOC_Analyst"]}]}


def _tier_offered_nowhere(config: dict[str, Any]) -> None:
    center = identity_center(config)
    center["permission_sets"] = [e for e in center["permission_sets"] if e.get("from_tier") != "SOC_Manager"]
    center["assignments"] = [a for a in center["assignments"] if a["permission_set"] != "SOC_Manager"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_tier_referenced_by_a_group, "tier 'SOC_Analyst' has create_role: false"),
        (_tier_offered_nowhere, "iamtiers:role_tiers.items[2].create_role: false, and no identity_center"),
    ],
    ids=["switch-into-a-tier-without-a-role", "tier-without-a-role-offered-nowhere"],
)
def test_a_tier_without_a_role_must_be_offered_and_cannot_be_switched_into(
    change: Edit, message: str, project_with_stack: Callable[[dict[str, Any]], Path]
) -> None:
    config = stack_config("mgmt")
    change(config)
    result = check(project_with_stack(config))
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr
    assert message in result.stderr, result.stderr
