"""The access document of a stack with `iamtiers:identity_center`: groups → permission sets → accounts,
each set's grants, the MFA attestation and the diagram's three Identity Center ranks.

Built from the tests' Identity Center stack (tests/data/identity_center/Pulumi.sso.yaml) in a temporary
project; the expectations are read from that stack file, an independent reading of what the document
shows. Stacks without Identity Center keep their document (tests/test_access_report.py checks the
committed ones byte for byte).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline.access.generate import generate
from offline.running.engine import StackRun, run_stack
from offline.running.stack_files import load_stack_settings
from tests.conftest import PROJECT_DIR
from tests.test_access_report import document, mermaid, section, table
from tests.test_diagram_rendering import _subgraphs, declared, diagram_of

IC_STACK = PROJECT_DIR / "tests" / "data" / "identity_center" / "Pulumi.sso.yaml"
IC = "iamtiers:identity_center"
ADMIN_PACK_CONFIG = {"no-full-admin-access": {"admin_tiers": ["PlatformReadOnly"]}}
CURRENT_DAY = "2025-07-01"  # the stack's attestation (2025-06-30) is a day old
STALE_DAY = "2026-07-01"  # 366 days after it


def sso_config() -> dict[str, Any]:
    return copy.deepcopy(dict(yaml.safe_load(IC_STACK.read_text(encoding="utf-8"))["config"]))


def project_with(directory: Path, config: dict[str, Any]) -> Path:
    """A project directory holding the program and `Pulumi.sso.yaml` with `config`."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text(encoding="utf-8"))
    (directory / "Pulumi.sso.yaml").write_text(yaml.safe_dump({"config": config}), encoding="utf-8")
    if not (directory / "__main__.py").exists():
        (directory / "__main__.py").symlink_to(PROJECT_DIR / "__main__.py")
    return directory


def report_of(project: Path, pack_config: dict[str, Any], run: StackRun | None = None) -> str:
    """The access document of the project's `sso` stack under `pack_config`."""
    path = project / "pack-config.json"
    path.write_text(json.dumps(pack_config), encoding="utf-8")
    settings = load_stack_settings(project, "sso")
    return generate(run or run_stack(project, "sso", preview=False), settings, project, path)


_runs: dict[str, tuple[Path, StackRun]] = {}


def sso_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, StackRun]:
    """The unchanged test stack's update run, once per session."""
    if "sso" not in _runs:
        project = project_with(tmp_path_factory.mktemp("sso"), sso_config())
        _runs["sso"] = (project, run_stack(project, "sso", preview=False))
    return _runs["sso"]


@pytest.fixture
def sso_document(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("IAMTIERS_TODAY", CURRENT_DAY)
    project, run = sso_run(tmp_path_factory)
    return report_of(project, ADMIN_PACK_CONFIG, run)


def _account_label(center: dict[str, Any], reference: str) -> str:
    """How the document shows an assignment's account: the config's name for its id, and the id."""
    account_id = center["accounts"].get(reference, reference)
    names = sorted(name for name, known in center["accounts"].items() if known == account_id)
    return f"`{names[0]}` ({account_id})" if names else account_id


# --- groups → permission sets → accounts ------------------------------------------------------------


def test_each_assignment_is_a_row_with_accounts_by_name_admin_and_session(sso_document: str) -> None:
    center = sso_config()[IC]
    rows = table(section(sso_document, "## Identity Center"), "Group")
    durations = {"PlatformReadOnly": "PT2H", "SOC_Analyst": "PT4H"}  # SOC_Analyst: its tier's 14400 s
    expected = []
    for assignment in center["assignments"]:
        principal = (
            f"`{assignment['group']}`"
            if "group" in assignment
            else f"user `{assignment['user']}` (assigned directly)"
        )
        name = assignment["permission_set"]
        expected.append(
            {
                "Group": principal,
                "Permission set": f"`{name}`",
                "Accounts": ", ".join(
                    sorted(
                        (_account_label(center, reference) for reference in assignment["accounts"]),
                        key=lambda label: label.rsplit("(", 1)[-1],
                    )
                ),
                "Admin": "yes: admin tier of `no-full-admin-access`" if name == "PlatformReadOnly" else "no",
                "Session duration": durations[name],
            }
        )
    assert sorted(rows, key=str) == sorted(expected, key=str)


def test_the_directory_lists_each_groups_members(sso_document: str) -> None:
    center = sso_config()[IC]
    rows = table(section(sso_document, "### Directory"), "Group")
    assert rows == [
        {"Group": f"`{g['name']}`", "Members": ", ".join(f"`{m}`" for m in sorted(g["members"]))}
        for g in sorted(center["groups"], key=lambda g: g["name"])
    ]
    users = ", ".join(f"`{u['user_name']}`" for u in sorted(center["users"], key=lambda u: u["user_name"]))
    assert f"Directory users: {users}." in section(sso_document, "### Directory")


def test_a_permission_set_lists_its_grants_like_a_role_tier(sso_document: str) -> None:
    platform = section(sso_document, "### Permission set `PlatformReadOnly`")
    assert "- Session duration: PT2H" in platform
    assert "- Permissions boundary: `PowerUserAccess`" in platform
    rows = {row["Policy"]: row for row in table(platform, "Kind")}
    assert rows["`ReadOnlyAccess`"]["Kind"] == "AWS-managed"
    assert rows["`/guardrails/DenyDataPlaneReads`"]["Kind"] == "customer-managed"
    [inline] = [row for row in rows.values() if row["Kind"] == "inline"]
    assert inline["Version or statements"] == "Allow ReadCostExplorer"
    assert "customer-managed policy /guardrails/DenyDataPlaneReads" in platform  # not read by the pack
    assert "An admin tier in the pack config (`admin_tiers` of `no-full-admin-access`)" in platform
    assert (
        "Assigned to: `PlatformEngineers` in `dev` (111111111111), `prod` (222222222222); user " in platform
    )
    # A set from a tier grants what the tier grants, read the same way.
    soc = section(sso_document, "### Permission set `SOC_Analyst`")
    tier = section(sso_document, "### Tier `SOC_Analyst`")
    soc_rows = table(soc, "Kind")
    tier_rows = table(tier, "Kind")
    assert [(r["Kind"], r["Policy"]) for r in soc_rows if r["Kind"] != "inline"] == [
        (r["Kind"], r["Policy"]) for r in tier_rows if r["Kind"] != "inline"
    ]
    assert soc.split("What it may do:")[1].strip() == tier.split("What it may do:")[1].strip()


def test_a_full_admin_set_outside_admin_tiers_is_flagged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IAMTIERS_TODAY", CURRENT_DAY)
    config = sso_config()
    sets = config[IC]["permission_sets"]
    sets[1]["managed_policies"] = ["AdministratorAccess"]
    sets[1].pop("permissions_boundary")
    text = report_of(project_with(tmp_path / "admin", config), {})
    rows = table(section(text, "## Identity Center"), "Group")
    assert {row["Admin"] for row in rows if row["Permission set"] == "`PlatformReadOnly`"} == {
        "**full admin, not an admin tier**"
    }
    assert "- Full admin: permission set `PlatformReadOnly`, assigned to `PlatformEngineers`" in section(
        text, "## Summary"
    )
    assert "**Not an admin tier of `no-full-admin-access`**" in section(
        text, "### Permission set `PlatformReadOnly`"
    )


# --- the MFA attestation ------------------------------------------------------------------------


def test_a_current_attestation_is_shown_without_a_warning(sso_document: str) -> None:
    mfa = sso_config()[IC]["mfa"]
    part = section(sso_document, "### MFA attestation")
    [row] = table(part, "Permission sets")
    assert row == {
        "Permission sets": "`PlatformReadOnly`, `SOC_Analyst`",
        "Mode": mfa["mode"],
        "Attested by": mfa["attested_by"],
        "Attested on": str(mfa["attested_on"]),
    }
    assert "Warning" not in part
    assert "MFA attestation: current." in section(sso_document, "## Summary")


def test_an_attestation_older_than_a_year_is_warned_of(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IAMTIERS_TODAY", STALE_DAY)
    project, run = sso_run(tmp_path_factory)
    text = report_of(project, ADMIN_PACK_CONFIG, run)
    assert (
        "- **Warning: the MFA attestation is older than 365 days** on `PlatformReadOnly`, `SOC_Analyst`"
        in (section(text, "### MFA attestation"))
    )
    assert "MFA attestation: **older than 365 days**." in section(text, "## Summary")


def test_a_missing_attestation_is_warned_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IAMTIERS_TODAY", CURRENT_DAY)
    config = sso_config()
    del config[IC]["mfa"]
    text = report_of(project_with(tmp_path / "no-mfa", config), ADMIN_PACK_CONFIG)
    part = section(text, "### MFA attestation")
    [row] = table(part, "Permission sets")
    assert row["Mode"] == row["Attested by"] == row["Attested on"] == "**missing**"
    assert "- **Warning: the MFA attestation is missing or malformed** on `PlatformReadOnly`" in part
    assert "MFA attestation: **missing or malformed**." in section(text, "## Summary")


# --- stacks without Identity Center ----------------------------------------------------------------


def test_a_stack_without_identity_center_has_no_such_section_or_ranks() -> None:
    text = document("dev")
    assert "Identity Center" not in text
    assert not {"directory", "permsets", "accounts"} & set(_subgraphs(diagram_of(text)))


# --- the diagram --------------------------------------------------------------------------------------


def test_the_diagram_draws_groups_sets_and_accounts_on_three_ranks(sso_document: str) -> None:
    diagram = diagram_of(sso_document)
    members = _subgraphs(diagram)
    nodes, pairs = declared(diagram)
    assert sorted(node for ids in members.values() for node in ids) == sorted(nodes)
    for kind, prefixes in (
        ("directory", ("ic_group_", "ic_user_")),
        ("permsets", ("pset_",)),
        ("accounts", ("account_",)),
    ):
        assert members[kind] and all(node.startswith(prefixes) for node in members[kind]), kind
    rank_kinds = ("directory", "permsets", "accounts")
    rank = {node: index for index, kind in enumerate(rank_kinds) for node in members[kind]}
    ic_edges = {(s, t) for s, t in pairs if s in rank or t in rank}
    # Every edge joins neighbouring ranks, so none can run through a node of a rank between.
    assert ic_edges and all(rank[t] == rank[s] + 1 for s, t in ic_edges)
    center = sso_config()[IC]
    expected = set()
    for assignment in center["assignments"]:
        source = (
            f"ic_group_{assignment['group']}"
            if "group" in assignment
            else "ic_user_" + re.sub(r"[^A-Za-z0-9_]", "_", assignment["user"])
        )
        expected.add((source, f"pset_{assignment['permission_set']}"))
        for reference in assignment["accounts"]:
            # Each set has its own node per account, beside it (offline/access/diagram.py).
            account = center["accounts"].get(reference, reference)
            name = assignment["permission_set"]
            expected.add((f"pset_{name}", f"account_{name}_{account}"))
    assert ic_edges == expected
    at = {node: index for kind in rank_kinds for index, node in enumerate(members[kind])}
    for first in (0, 1):  # directory → sets, then sets → accounts
        ordered = sorted((at[s], at[t]) for s, t in ic_edges if rank[s] == first)
        assert [(a, b) for a in ordered for b in ordered if a[0] < b[0] and a[1] > b[1]] == [], (
            f"edges out of rank {first} cross in the declared order"
        )
    assert 'account_PlatformReadOnly_444444444444["management (444444444444)"]' in mermaid(sso_document)
