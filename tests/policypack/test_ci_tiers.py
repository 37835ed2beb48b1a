"""The tiers GitHub Actions assumes, under the pack: GitHubDeploy is an admin tier whose only control
on who assumes it is its OIDC pin, so a loosened pin is blocked; GitHubPreview is no admin tier.

That the shipped stacks pass with both tiers is test_shipped_stacks' business."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from offline.judging.analyzer_client import PACK_DIR
from tests.conftest import CI_DEPLOYED_STACKS, PROJECT_DIR, stack_config

DEPLOY_TIER = "GitHubDeploy"
PREVIEW_TIER = "GitHubPreview"
# Pins that look narrow but admit any repository of the owner, or any workflow, branch or pull
# request of the repository, and with them its admin credentials.
LOOSENED_SUBJECTS = ["repo:acme/*", "repo:acme/iamtiers:*"]


def check(project: Path, stack: str, pack_config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            *("-m", "offline", "check", "--stack", stack),
            *("--project-dir", str(project), "--pack-config", str(pack_config)),
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def tier(config: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(t for t in config["iamtiers:role_tiers"]["items"] if t["name"] == name)
    return found


def mandatory_findings(stdout: str) -> list[tuple[str, str]]:
    """(resource, finding line) for every mandatory finding the check printed."""
    findings, resource = [], ""
    for line in stdout.splitlines():
        if line.startswith("  ") and not line.startswith("    ") and "  " in line.strip():
            resource = line.split()[-1]
        elif line.strip().startswith("[mandatory]"):
            findings.append((resource, line.strip()))
    return findings


@pytest.mark.parametrize("subject", LOOSENED_SUBJECTS)
@pytest.mark.parametrize("stack", CI_DEPLOYED_STACKS)
def test_a_loosened_deploy_pin_is_blocked(
    stack: str, subject: str, project_with_stack: Callable[[dict[str, Any]], Path]
) -> None:
    config = stack_config(stack)
    (oidc,) = tier(config, DEPLOY_TIER)["trust"]["oidc"]
    oidc["subjects"] = [subject]
    result = check(project_with_stack(config), "test", PACK_DIR / "config" / f"{stack}.json")
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr
    expected = (
        "[mandatory] role-trust-safe: [IAM-TRUST-003] OIDC trust without pinned audience and subject: "
        f"tier-{DEPLOY_TIER}.assumeRolePolicy Statement[0] (AssumeFromOidc0): GitHub subject "
        f"'{subject}' does not pin one repository and ref or environment."
    )
    assert expected in result.stdout
    # That pin is the whole finding, in both modes: nothing else in the stack changed.
    findings = mandatory_findings(result.stdout)
    assert len(findings) == 2, findings
    assert {resource for resource, _ in findings} == {f"tier-{DEPLOY_TIER}"}


@pytest.mark.parametrize("stack", CI_DEPLOYED_STACKS)
def test_the_deploy_tier_is_an_admin_tier_and_the_preview_tier_is_not(stack: str) -> None:
    pack_config = json.loads((PACK_DIR / "config" / f"{stack}.json").read_text())
    admin_lists = {rule: c["admin_tiers"] for rule, c in pack_config.items() if "admin_tiers" in c}
    assert admin_lists, stack
    for rule, admin_tiers in admin_lists.items():
        assert DEPLOY_TIER in admin_tiers, (stack, rule)
        assert PREVIEW_TIER not in admin_tiers, (stack, rule)


@pytest.mark.parametrize("stack", CI_DEPLOYED_STACKS)
def test_without_the_admin_listing_the_deploy_tier_is_blocked(stack: str, tmp_path: Path) -> None:
    """Listing it as admin is what lets it through: its grant escalates, and the pack says so."""
    pack_config = json.loads((PACK_DIR / "config" / f"{stack}.json").read_text())
    for settings in pack_config.values():
        if "admin_tiers" in settings:
            settings["admin_tiers"] = [name for name in settings["admin_tiers"] if name != DEPLOY_TIER]
    path = tmp_path / f"{stack}.json"
    path.write_text(json.dumps(pack_config))
    result = check(PROJECT_DIR, stack, path)
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr
    findings = mandatory_findings(result.stdout)
    assert {resource for resource, _ in findings} == {f"tier-{DEPLOY_TIER}-inline"}
    assert any("no-privilege-escalation: [IAM-ESC-001]" in finding for _, finding in findings)
