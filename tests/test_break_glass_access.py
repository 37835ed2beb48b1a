"""Break-glass in the access document and on its stack-file lines: each break-glass user and the tier
with the alarms whose patterns match their use (judged from the registered resources, not names), and
findings on break-glass resources placed on the `iamtiers:break_glass` lines in every report format.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import offline.operations.check
from offline.access.generate import generate
from offline.judging.analyzer_client import PACK_DIR
from offline.reporting.check_report import CheckReport, report_document
from offline.reporting.markdown import render_markdown
from offline.reporting.origins import trace_origins
from offline.reporting.sarif import sarif_log
from offline.running.engine import StackRun, run_stack
from offline.running.stack_files import load_stack_config_nodes, load_stack_settings
from tests.conftest import PROJECT_DIR
from tests.test_access_report import document, section, table

BREAK_GLASS_KEY = """
  iamtiers:break_glass:
    users:
      - name: break-glass-1
        pgp_key: keybase:bgone
      - {name: break-glass-2, pgp_key: "keybase:bgtwo"}
    alarm_emails:
      - security@example.com
"""
DEV_PACK_CONFIG = PROJECT_DIR / "policypack" / "config" / "dev.json"
ALARM_TYPES = ("aws:cloudwatch/eventRule:EventRule", "aws:cloudwatch/logMetricFilter:LogMetricFilter")


def project(directory: Path) -> Path:
    """dev with `iamtiers:break_glass` written at its end, so its lines are the file's own."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text(encoding="utf-8"))
    text = (PROJECT_DIR / "Pulumi.dev.yaml").read_text(encoding="utf-8").rstrip() + BREAK_GLASS_KEY
    (directory / "Pulumi.test.yaml").write_text(text, encoding="utf-8")
    if not (directory / "__main__.py").exists():
        (directory / "__main__.py").symlink_to(PROJECT_DIR / "__main__.py")
    return directory


def line_of(directory: Path, text: str) -> int:
    lines = (directory / "Pulumi.test.yaml").read_text(encoding="utf-8").splitlines()
    return lines.index(text) + 1


@pytest.fixture(scope="module")
def bg_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, StackRun]:
    directory = project(tmp_path_factory.mktemp("break-glass"))
    return directory, run_stack(directory, "test", preview=False)


def _document(directory: Path, run: StackRun) -> str:
    return generate(run, load_stack_settings(directory, "test"), directory, DEV_PACK_CONFIG)


def test_each_break_glass_principal_is_listed_with_the_alarms_that_match_it(
    bg_project: tuple[Path, StackRun],
) -> None:
    text = section(_document(*bg_project), "## Break-glass")
    rows = table(text, "Principal")
    by_principal: dict[str, list[str]] = {}
    for row in rows:
        assert row["Alarms"] == "yes"
        by_principal.setdefault(row["Principal"], []).append(row["Watched by"])
    assert by_principal == {
        "user `break-glass-1`": [
            "EventBridge rule `break-glass-sign-in`",
            "metric filter `break-glass-sign-in` → metric alarm `break-glass-sign-in`",
        ],
        "user `break-glass-2`": [
            "EventBridge rule `break-glass-sign-in`",
            "metric filter `break-glass-sign-in` → metric alarm `break-glass-sign-in`",
        ],
        "role `BreakGlassAdministrator`": [
            "EventBridge rule `break-glass-tier`",
            "metric filter `break-glass-tier` → metric alarm `break-glass-tier`",
        ],
    }
    [rule_row] = [r for r in rows if r["Watched by"] == "EventBridge rule `break-glass-tier`"]
    assert rule_row["Region"] == "us-east-1"
    assert rule_row["Pattern"] == (
        "`aws.sts; AssumeRole; role arn:aws:iam::111111111111:role/BreakGlassAdministrator`"
    )
    assert "Every break-glass principal is alarmed." in text


def test_without_the_alarms_the_section_says_nothing_alarms(bg_project: tuple[Path, StackRun]) -> None:
    """Judged from the registered content: drop the rules and filters and no principal is watched."""
    directory, run = bg_project
    bare = dataclasses.replace(run, registrations=[r for r in run.registrations if r.type not in ALARM_TYPES])
    text = section(_document(directory, bare), "## Break-glass")
    rows = table(text, "Principal")
    assert {row["Principal"] for row in rows} == {
        "user `break-glass-1`",
        "user `break-glass-2`",
        "role `BreakGlassAdministrator`",
    }
    assert all(row["Watched by"] == "**none**" for row in rows)
    assert "Not alarmed: `break-glass-1`, `break-glass-2`, `BreakGlassAdministrator`." in text


def test_a_stack_without_break_glass_has_no_such_section() -> None:
    assert "## Break-glass" not in document("dev")


# --- origins ---------------------------------------------------------------------------------------


def test_break_glass_resources_are_traced_to_their_lines(bg_project: tuple[Path, StackRun]) -> None:
    directory, update = bg_project
    preview = run_stack(directory, "test", preview=True)
    origins = trace_origins(load_stack_config_nodes(directory, "test", "iamtiers"), (update, preview))
    key = line_of(directory, "  iamtiers:break_glass:")
    expected = {
        "break-glass-user-break-glass-1": line_of(directory, "      - name: break-glass-1"),
        "break-glass-user-break-glass-1-login-profile": line_of(directory, "      - name: break-glass-1"),
        "break-glass-user-break-glass-2": line_of(
            directory, '      - {name: break-glass-2, pgp_key: "keybase:bgtwo"}'
        ),
        "break-glass-alarms-topic-us-east-1-email-security-at-example-com": line_of(
            directory, "      - security@example.com"
        ),
        "break-glass-tier": key,  # `tier` left to its default
        "break-glass-tier-AdministratorAccess": key,
        "break-glass-group-assume-tiers": key,
        "break-glass-alarms-sign-in-rule": key,
        "break-glass-alarms-tier-alarm": key,
    }
    for run in (update, preview):
        found = {}
        for registration in run.registrations:
            origin = origins.of(registration.urn)
            if registration.name in expected and origin is not None:
                found[registration.name] = origin.line
        assert found == expected


@pytest.fixture(scope="module")
def bg_check(bg_project: tuple[Path, StackRun]) -> CheckReport:
    """dev's pack config does not list BreakGlassAdministrator as an admin tier: its
    AdministratorAccess is a finding on a break-glass resource."""
    return offline.operations.check.run_check("test", bg_project[0], PACK_DIR, DEV_PACK_CONFIG)


def test_a_break_glass_finding_is_on_the_break_glass_key_in_every_format(
    bg_project: tuple[Path, StackRun], bg_check: CheckReport
) -> None:
    key = line_of(bg_project[0], "  iamtiers:break_glass:")
    document_ = report_document(bg_check)
    found = [
        v
        for mode in ("preview", "update")
        for v in document_["modes"][mode]["violations"]
        if v["resource"]["name"] == "break-glass-tier-AdministratorAccess"
    ]
    assert found
    assert all(
        v["location"] == {"file": "Pulumi.test.yaml", "line": key, "key": "iamtiers:break_glass"}
        for v in found
    )
    results = [
        r
        for r in sarif_log(bg_check)["runs"][0]["results"]
        if r["locations"][0]["logicalLocations"][0]["name"] == "break-glass-tier-AdministratorAccess"
    ]
    assert results
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] == key for r in results)
    rows = [
        line
        for line in render_markdown(bg_check).splitlines()
        if "`break-glass-tier-AdministratorAccess`" in line
    ]
    assert rows
    assert all(row.endswith(f"| `Pulumi.test.yaml:{key}` |") for row in rows)
