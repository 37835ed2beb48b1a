"""The shipped stacks pass the gate in both modes; a bad edit to a stack file is blocked."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from offline.judging.analyzer_client import PACK_DIR
from offline.running.engine import StackRun
from tests.conftest import PROJECT_DIR, stack_config
from tests.policypack.conftest import PackAnalyzer


@pytest.fixture
def shipped_config(analyzer: PackAnalyzer, shipped_run: StackRun) -> Iterator[StackRun]:
    config = json.loads((PACK_DIR / "config" / f"{shipped_run.stack}.json").read_text())
    with analyzer.configured(config):
        yield shipped_run


def test_shipped_stacks_have_no_mandatory_violation(analyzer: PackAnalyzer, shipped_config: StackRun) -> None:
    result = analyzer.run(shipped_config)
    assert not result.blocking, [d.finding for d in result.diagnostics if d.enforcement_level == "mandatory"]
    assert not [d for d in result.diagnostics if "can't run policy" in d.message]
    # What remains is advice: credentials kept as Pulumi secrets where a user has no PGP key, and the
    # write actions on every resource that AWS-managed policies such as AmazonVPCFullAccess grant.
    assert {d.policy_name for d in result.diagnostics} <= {
        "secrets-pgp-encrypted",
        "risky-actions-unconstrained",
    }


def test_self_service_policies_draw_no_finding(analyzer: PackAnalyzer, shipped_config: StackRun) -> None:
    """Listing `user/*/${aws:username}` beside `user/${aws:username}` (users with an IAM path) widens
    nothing the pack objects to: each user still reaches only their own identity."""
    result = analyzer.run(shipped_config)
    assert [d.finding for d in result.diagnostics if d.resource_name.endswith("-self-service")] == []


def test_dev_keeps_ec2_full_access_only_through_its_exemptions(
    analyzer: PackAnalyzer, dev_update: StackRun
) -> None:
    config = json.loads((PACK_DIR / "config" / "dev.json").read_text())
    exempted = {entry["resource"] for entry in config["no-compute-takeover"].pop("exemptions")}
    with analyzer.configured(config):
        result = analyzer.run(dev_update)
    blocked = {
        (d.policy_name, d.resource_name) for d in result.diagnostics if d.enforcement_level == "mandatory"
    }
    assert blocked == {("no-compute-takeover", name) for name in exempted}
    assert exempted == {"group-LabUser-AmazonEC2FullAccess", "group-SOC_Admins-AmazonEC2FullAccess"}


def test_without_admin_tiers_the_admin_tier_is_blocked(analyzer: PackAnalyzer, dev_update: StackRun) -> None:
    result = analyzer.run(dev_update)
    blocked = {
        (d.policy_name, d.resource_name) for d in result.diagnostics if d.enforcement_level == "mandatory"
    }
    assert ("no-full-admin-access", "tier-SOC_Administrator") in blocked


def check(project: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "offline", "check", "--stack", "test", "--project-dir", str(project), *extra],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_administrator_access_on_a_group_is_blocked(
    project_with_stack: Callable[[dict[str, Any]], Path],
) -> None:
    config = stack_config("dev")
    lab_user = next(g for g in config["iamtiers:groups"]["items"] if g["name"] == "LabUser")
    lab_user["managed_policies"].append("AdministratorAccess")
    result = check(project_with_stack(config), "--pack-config", str(PACK_DIR / "config" / "dev.json"))
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr
    assert "[mandatory] no-privileged-managed-policy: [IAM-MANAGED-001]" in result.stdout
    assert "[mandatory] no-full-admin-access: [IAM-ADMIN-001]" in result.stdout
    assert (
        "group 'LabUser' has full admin through AWS-managed AdministratorAccess (v1) Statement[0]. Fix:"
        in result.stdout
    )
    assert "user 'dmitri.ivanov' has full admin" not in result.stdout  # reported once, on the group
    assert "mandatory policy violations" in result.stderr
