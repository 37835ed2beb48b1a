"""Identity Center findings on their stack-file lines, in every report format (offline/reporting/
origins_identity_center.py): a permission set on its `- name:` / `- from_tier:` line, its policies on
their entries (a `from_tier` set's in its tier's item), assignments and directory principals on their
items. The check runs the tests' Identity Center stack with the real pack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import offline.operations.check
from offline.judging.analyzer_client import PACK_DIR
from offline.reporting.check_report import CheckReport, report_document
from offline.reporting.markdown import render_markdown
from offline.reporting.origins import trace_origins
from offline.reporting.sarif import sarif_log
from offline.running.engine import run_stack
from offline.running.stack_files import load_stack_config_nodes
from tests.test_access_identity_center import IC, IC_STACK, project_with

SESSION_FINDING = "IAM-IC-002"  # permission-set-session-bound: an admin set's session over 1 h
ADMIN_SET = "PlatformReadOnly"


@dataclass(frozen=True)
class IcCase:
    project: Path
    report: CheckReport

    def line_of(self, pattern: str, after: str | None = None) -> int:
        lines = (self.project / "Pulumi.sso.yaml").read_text(encoding="utf-8").splitlines()
        start = next(i for i, line in enumerate(lines) if re.search(after, line)) if after else 0
        return next(i + 1 for i in range(start, len(lines)) if re.search(pattern, lines[i]))


@pytest.fixture(scope="module")
def admin_set_too_long(tmp_path_factory: pytest.TempPathFactory) -> IcCase:
    """PlatformReadOnly with PT8H sessions, listed as an admin set in the pack config: IAM-IC-002."""
    # The stack file's own text, one value changed, so that its lines are the ones a reader sees.
    text = IC_STACK.read_text(encoding="utf-8")
    assert text.count("session_duration: PT2H") == 1
    project = tmp_path_factory.mktemp("ic-origins")
    project_with(project, {})
    (project / "Pulumi.sso.yaml").write_text(text.replace("PT2H", "PT8H"), encoding="utf-8")
    pack_config = project / "pack.json"
    pack_config.write_text(
        '{"permission-set-session-bound": {"admin_tiers": ["PlatformReadOnly"]}}', encoding="utf-8"
    )
    report = offline.operations.check.run_check("sso", project, PACK_DIR, pack_config)
    return IcCase(project, report)


def _set_line(case: IcCase) -> int:
    return case.line_of(rf"^ {{6}}- name: {ADMIN_SET}$")


def test_json_places_the_permission_set_finding_on_its_name_line(admin_set_too_long: IcCase) -> None:
    document = report_document(admin_set_too_long.report)
    found = [
        v
        for mode in ("preview", "update")
        for v in document["modes"][mode]["violations"]
        if v["finding"] == SESSION_FINDING
    ]
    assert found, "the PT8H admin set draws IAM-IC-002"
    assert {v["resource"]["name"] for v in found} == {f"permission-set-{ADMIN_SET}"}
    assert all(
        v["location"]
        == {
            "file": "Pulumi.sso.yaml",
            "line": _set_line(admin_set_too_long),
            "key": "iamtiers:identity_center.permission_sets[1]",
        }
        for v in found
    )
    assert document["exit_code"] == 1


def test_sarif_places_the_permission_set_finding_on_its_name_line(admin_set_too_long: IcCase) -> None:
    log = sarif_log(admin_set_too_long.report)
    results = [
        r for r in log["runs"][0]["results"] if r["message"]["text"].startswith(f"[{SESSION_FINDING}]")
    ]
    assert results
    for result in results:
        location = result["locations"][0]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == "Pulumi.sso.yaml"
        assert location["physicalLocation"]["region"]["startLine"] == _set_line(admin_set_too_long)


def test_markdown_places_the_permission_set_finding_on_its_name_line(admin_set_too_long: IcCase) -> None:
    markdown = render_markdown(admin_set_too_long.report)
    rows = [line for line in markdown.splitlines() if f"`{SESSION_FINDING}`" in line]
    assert rows
    assert all(row.endswith(f"| `Pulumi.sso.yaml:{_set_line(admin_set_too_long)}` |") for row in rows)


def _origins(case: IcCase) -> dict[str, tuple[int, str]]:
    """Resource name -> (line, key) of the update run's traced origins."""
    update = run_stack(case.project, "sso", preview=False)
    preview = run_stack(case.project, "sso", preview=True)
    origins = trace_origins(load_stack_config_nodes(case.project, "sso", "iamtiers"), (update, preview))
    found: dict[str, tuple[int, str]] = {}
    for run in (update, preview):
        for registration in run.registrations:
            origin = origins.of(registration.urn)
            if origin is not None:
                assert found.setdefault(registration.name, (origin.line, origin.key)) == (
                    origin.line,
                    origin.key,
                ), f"{registration.name}: another line in preview"
    return found


def test_every_identity_center_resource_is_traced_to_its_entry(admin_set_too_long: IcCase) -> None:
    case = admin_set_too_long
    origins = _origins(case)
    config: dict[str, Any] = yaml.safe_load((case.project / "Pulumi.sso.yaml").read_text())["config"][IC]
    sets = f"{IC}.permission_sets"
    tier = "iamtiers:role_tiers.items[0]"
    expected = {
        f"permission-set-{ADMIN_SET}": (_set_line(case), f"{sets}[1]"),
        f"permission-set-{ADMIN_SET}-ReadOnlyAccess": (
            case.line_of(r"managed_policies:", after=rf"- name: {ADMIN_SET}$"),
            f"{sets}[1].managed_policies[0]",
        ),
        f"permission-set-{ADMIN_SET}-customer-DenyDataPlaneReads": (
            case.line_of(r"- \{?name: DenyDataPlaneReads"),
            f"{sets}[1].customer_managed_policies[0]",
        ),
        f"permission-set-{ADMIN_SET}-inline": (
            case.line_of(r"- sid: ReadCostExplorer$"),
            f"{sets}[1].statements[0]",
        ),
        f"permission-set-{ADMIN_SET}-boundary": (
            case.line_of(r"^ +permissions_boundary: PowerUserAccess$"),
            f"{sets}[1].permissions_boundary",
        ),
        # A set from a tier: the set on its `- from_tier:` line, its policies in the tier's item.
        "permission-set-SOC_Analyst": (case.line_of(r"^ {6}- from_tier: SOC_Analyst$"), f"{sets}[0]"),
        "permission-set-SOC_Analyst-SecurityAudit": (
            case.line_of(r"managed_policies: \[SecurityAudit", after=r"- name: SOC_Analyst$"),
            f"{tier}.managed_policies[0]",
        ),
        "permission-set-SOC_Analyst-inline": (
            case.line_of(r"- sid: ReadTrailLogs$"),
            f"{tier}.statements[0]",
        ),
        "identity-store": (case.line_of(r"^  iamtiers:identity_center:$"), IC),
    }
    for index, assignment in enumerate(config["assignments"]):
        principal = assignment.get("group") or assignment["user"]
        kind = "group" if "group" in assignment else "user"
        pattern = rf"- \{{{kind}: {re.escape(principal)}, permission_set: {assignment['permission_set']}"
        for reference in assignment["accounts"]:
            account = config["accounts"].get(reference, reference)
            name = f"permission-set-{assignment['permission_set']}-assign-{kind}-{principal}-{account}"
            expected[name] = (case.line_of(pattern), f"{IC}.assignments[{index}]")
    for index, group in enumerate(config["groups"]):
        line = case.line_of(rf"- \{{name: {group['name']},")
        expected[f"identity-store-group-{group['name']}"] = (line, f"{IC}.groups[{index}]")
        for position, member in enumerate(group["members"]):
            key = f"{IC}.groups[{index}].members[{position}]"
            expected[f"identity-store-group-{group['name']}-member-{member}"] = (line, key)
    for index, user in enumerate(config["users"]):
        line = case.line_of(rf"- \{{user_name: {re.escape(user['user_name'])},")
        expected[f"identity-store-user-{user['user_name']}"] = (line, f"{IC}.users[{index}]")
    assert {name: origins.get(name) for name in expected} == expected
