"""`iamtiers check --format table|json|sarif|markdown [--output PATH]` (docs/report-formats.md).

Two checks run once per session, in process: the shipped dev stack (clean, exit 0, with the shipped
config's exemptions) and a copy of it whose group LabUser also attaches AdministratorAccess (exit 1),
with a pack config holding one exemption in force and one expired on a fixed day. Every format is
rendered from those two results; one command-line run per case checks the real path end to end. The
shipped prod stack, which has no exemption, shows the table without its exemptions section.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

import offline.cli
import offline.operations.check
from offline.judging.analyzer_client import PACK_DIR
from offline.reporting.check_report import (
    REPORT_VERSION,
    CheckReport,
    access_tests_heading,
    render_table,
    report_document,
    split_finding,
)
from offline.reporting.markdown import render_markdown, text_cell
from offline.reporting.origins import PASSWORD_POLICY_TYPE, trace_origins
from offline.reporting.sarif import sarif_log
from offline.running.engine import Registration, StackRun
from offline.running.stack_files import load_stack_config_nodes
from tests.conftest import PROJECT_DIR
from tests.test_cli import check

FORMATS = ("table", "json", "sarif", "markdown")
TODAY = "2026-06-30"
EXEMPT_UNTIL = "2026-12-27"  # the last day within the pack's 180 days of TODAY
ADMIN_ATTACHMENT = "group-LabUser-AdministratorAccess"
EXEMPT_RESOURCE = "group-LabGuest-AmazonGlacierFullAccess"  # exempt from risky-actions-unconstrained
EXPIRED_RESOURCE = "user-bashir.khan-login-profile"  # its secrets-pgp-encrypted exemption expired
REPORT_SCHEMA = json.loads((PROJECT_DIR / "docs" / "report.schema.json").read_text())
SARIF_SCHEMA = json.loads((PROJECT_DIR / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
GITHUB_ACTIONS = {
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "acme/iamtiers",
    "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
}


@dataclass(frozen=True)
class Case:
    """A project to check, and the report of checking it."""

    project_dir: Path
    stack: str
    pack_config: Path | None
    report: CheckReport

    @property
    def stack_text(self) -> str:
        return (self.project_dir / f"Pulumi.{self.stack}.yaml").read_text()

    def line_of(self, pattern: str, after: str | None = None) -> int:
        """The 1-based line of the first line matching `pattern` (after the first matching `after`)."""
        lines = self.stack_text.splitlines()
        start = next(i for i, line in enumerate(lines) if re.search(after, line)) if after else 0
        return next(i + 1 for i in range(start, len(lines)) if re.search(pattern, lines[i]))


def validate(document: Any, schema: dict[str, Any]) -> None:
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator_class(schema).validate(document)


@pytest.fixture(scope="session")
def clean() -> Case:
    report = offline.operations.check.run_check("dev", PROJECT_DIR, PACK_DIR, None)
    return Case(PROJECT_DIR, "dev", None, report)


@pytest.fixture(scope="session")
def clean_without_exemptions() -> Case:
    report = offline.operations.check.run_check("prod", PROJECT_DIR, PACK_DIR, None)
    assert not report.exemptions
    return Case(PROJECT_DIR, "prod", None, report)


def write_violating_project(directory: Path) -> tuple[Path, Path]:
    """dev, plus AdministratorAccess on LabUser; a pack config with one live and one expired exemption."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    (directory / "__main__.py").symlink_to(PROJECT_DIR / "__main__.py")
    text = (PROJECT_DIR / "Pulumi.dev.yaml").read_text()
    # No PGP key for anyone but alice.nguyen, so that bashir.khan's password draws the finding below.
    text = text.replace("iamtiers:require_pgp_key: true", "iamtiers:require_pgp_key: false")
    text = re.sub(r"\n      pgp_key: [A-Za-z0-9+/=]{100,}\n", "\n", text)
    lab_user = text.index("      - name: LabUser\n")
    anchor = text.index("        managed_policies:\n", lab_user)  # LabUser's list: AdministratorAccess first
    insert_at = anchor + len("        managed_policies:\n")
    (directory / "Pulumi.test.yaml").write_text(
        f"{text[:insert_at]}          - AdministratorAccess\n{text[insert_at:]}"
    )
    pack_config = json.loads((PACK_DIR / "config" / "dev.json").read_text())
    # Only the exemptions below: the shipped ones' EC2 takeovers come back as mandatory findings.
    pack_config["no-compute-takeover"].pop("exemptions")
    pack_config.setdefault("risky-actions-unconstrained", {})["exemptions"] = [
        {
            "resource": EXEMPT_RESOURCE,
            "reason": "Glacier archive migration | ticket <OPS-7>",
            "expires": EXEMPT_UNTIL,
            "owner": "lab-team",
        }
    ]
    pack_config["secrets-pgp-encrypted"] = {
        "exemptions": [
            {"resource": EXPIRED_RESOURCE, "reason": "PGP key rollout pending", "expires": "2026-01-31"}
        ]
    }
    config_path = directory / "pack.json"
    config_path.write_text(json.dumps(pack_config, indent=2))
    return directory, config_path


@pytest.fixture(scope="session")
def violating(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    project, config = write_violating_project(tmp_path_factory.mktemp("violating"))
    # The pack process and the report judge expiry on one day; the override is set for the run only,
    # so that tests after this session fixture see the real clock.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IAMTIERS_TODAY", TODAY)
        result = offline.operations.check.run_check("test", project, PACK_DIR, config)
    yield Case(project, "test", config, result)


@pytest.fixture(params=["clean", "violating"])
def case(request: pytest.FixtureRequest) -> Case:
    result: Case = request.getfixturevalue(request.param)
    return result


def violations(document: dict[str, Any], mode: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = document["modes"][mode]["violations"]
    return found


def results_for(log: dict[str, Any], resource: str) -> list[dict[str, Any]]:
    return [
        r for r in log["runs"][0]["results"] if r["locations"][0]["logicalLocations"][0]["name"] == resource
    ]


def start_line(result: dict[str, Any]) -> int:
    line: int = result["locations"][0]["physicalLocation"]["region"]["startLine"]
    return line


# --- JSON ---


def test_json_matches_the_documented_schema(case: Case) -> None:
    validate(report_document(case.report), REPORT_SCHEMA)


def test_json_has_exactly_the_documented_keys(case: Case) -> None:
    document = report_document(case.report)
    assert list(document) == [
        "version",
        "project",
        "stack",
        "stack_file",
        "pack",
        "exit_code",
        "today",
        "today_override",
        "modes",
        "exemptions",
        "access_tests",
    ]
    assert document["version"] == REPORT_VERSION == 1
    assert (document["project"], document["stack"]) == ("iamtiers", case.stack)
    assert document["stack_file"] == f"Pulumi.{case.stack}.yaml"
    assert list(document["modes"]) == ["preview", "update"]
    for mode in document["modes"].values():
        assert list(mode) == ["analyzed", "blocking", "counts", "violations", "remediations"]
        levels = [violation["level"] for violation in mode["violations"]]
        assert mode["counts"] == {
            "mandatory": levels.count("mandatory"),
            "advisory": levels.count("advisory"),
        }
        assert levels == sorted(levels, key=lambda level: level != "mandatory")  # mandatory first
        assert mode["blocking"] == (levels.count("mandatory") > 0)
        for violation in mode["violations"]:
            assert list(violation) == [
                "policy",
                "level",
                "severity",
                "urn",
                "resource",
                "finding",
                "message",
                "fix",
                "location",
            ]
            assert list(violation["resource"]) == ["type", "name"]
            assert violation["urn"].endswith(f"::{violation['resource']['name']}")


def test_json_violation_names_finding_fix_and_config_line(violating: Case) -> None:
    document = report_document(violating.report)
    [found] = [
        v
        for v in violations(document, "update")
        if v["resource"]["name"] == ADMIN_ATTACHMENT and v["policy"] == "no-privileged-managed-policy"
    ]
    assert found["level"] == "mandatory"
    assert found["resource"]["type"] == "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
    assert found["finding"] == "IAM-MANAGED-001"
    assert found["message"].startswith("Privileged AWS-managed policy attached outside an admin tier: ")
    assert found["fix"] == (
        "Attach AdministratorAccess, IAMFullAccess, PowerUserAccess or AWSCloudShellFullAccess only to an "
        "MFA-gated admin tier."
    )
    line = violating.line_of(r"^ {10}- AdministratorAccess$", after=r"- name: LabUser$")
    groups = yaml.safe_load(violating.stack_text)["config"]["iamtiers:groups"]["items"]
    index = [group["name"] for group in groups].index("LabUser")
    assert found["location"] == {
        "file": "Pulumi.test.yaml",
        "line": line,
        "key": f"iamtiers:groups.items[{index}].managed_policies[0]",
    }
    assert document["exit_code"] == 1


def test_json_gives_no_location_to_what_has_no_config_origin(clean: Case) -> None:
    baseline = [
        v
        for v in violations(report_document(clean.report), "preview")
        if v["resource"]["name"].startswith("baseline-config")
    ]
    assert baseline and all(v["location"] is None for v in baseline)


def test_every_resource_has_one_line_in_both_modes(case: Case) -> None:
    document = report_document(case.report)
    lines: dict[str, set[str]] = {}
    for mode in ("preview", "update"):
        for violation in violations(document, mode):
            lines.setdefault(violation["urn"] + violation["message"], set()).add(
                json.dumps(violation["location"])
            )
    assert lines and all(len(found) == 1 for found in lines.values())


# --- SARIF ---


def test_sarif_is_valid_against_the_oasis_schema(case: Case) -> None:
    log = sarif_log(case.report, {})
    validate(log, SARIF_SCHEMA)
    assert log["version"] == "2.1.0"


def test_sarif_has_one_rule_per_policy_with_its_docs_page(case: Case) -> None:
    driver = sarif_log(case.report, {})["runs"][0]["tool"]["driver"]
    ids = [rule["id"] for rule in driver["rules"]]
    # The pack's policies, then the stack file's access tests when it has any.
    tests = ["access-test"] if case.report.access_tests else []
    assert ids == sorted({policy.name for policy in case.report.policies}) + tests
    for rule in driver["rules"]:
        docs = "docs/access-tests.md" if rule["id"] == "access-test" else f"policypack/docs/{rule['id']}.md"
        assert rule["helpUri"] == docs
        assert (PROJECT_DIR / rule["helpUri"]).is_file()
        assert rule["name"] and rule["shortDescription"]["text"]
    no_admin = driver["rules"][ids.index("no-full-admin-access")]
    assert (no_admin["name"], no_admin["defaultConfiguration"]["level"]) == ("NoFullAdminAccess", "error")


def test_sarif_help_uri_is_a_github_url_in_actions(clean: Case) -> None:
    rules = sarif_log(clean.report, GITHUB_ACTIONS)["runs"][0]["tool"]["driver"]["rules"]
    sha = GITHUB_ACTIONS["GITHUB_SHA"]
    assert {rule["helpUri"] for rule in rules} == {
        f"https://github.com/acme/iamtiers/blob/{sha}/"
        + ("docs/access-tests.md" if rule["id"] == "access-test" else f"policypack/docs/{rule['id']}.md")
        for rule in rules
    }


def test_sarif_levels_follow_enforcement(violating: Case) -> None:
    log = sarif_log(violating.report, {})
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    document = report_document(violating.report)
    expected = {
        (v["policy"], v["urn"], {"mandatory": "error", "advisory": "warning"}[v["level"]])
        for mode in ("preview", "update")
        for v in violations(document, mode)
    }
    results = [r for r in log["runs"][0]["results"] if r["ruleId"] != "access-test"]
    assert {
        (r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], r["level"])
        for r in results
    } == expected
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    assert [r["level"] for r in results] == sorted(
        (r["level"] for r in results), key=lambda level: level != "error"
    )


def test_sarif_merges_what_both_modes_report(case: Case) -> None:
    results = [r for r in sarif_log(case.report, {})["runs"][0]["results"] if r["ruleId"] != "access-test"]
    document = report_document(case.report)
    distinct = {
        (v["policy"], v["urn"], v["message"])
        for mode in ("preview", "update")
        for v in violations(document, mode)
    }
    assert len(results) == len(distinct)
    in_both = {(v["policy"], v["urn"], v["message"]) for v in violations(document, "preview")} & {
        (v["policy"], v["urn"], v["message"]) for v in violations(document, "update")
    }
    assert in_both
    both = [r for r in results if r["properties"]["modes"] == ["preview", "update"]]
    assert len(both) == len(in_both)


def test_sarif_points_at_the_added_managed_policy_line(violating: Case, tmp_path: Path) -> None:
    # Through the command line, as CI runs it.
    output = tmp_path / "check.sarif"
    result = check(
        "--stack", violating.stack, "--project-dir", str(violating.project_dir),
        "--pack-config", str(violating.pack_config), "--format", "sarif", "--output", str(output),
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert "mandatory policy violations would stop `pulumi preview` and `pulumi up`" in result.stderr
    log = json.loads(output.read_text())
    validate(log, SARIF_SCHEMA)
    expected = violating.line_of(r"^ {10}- AdministratorAccess$", after=r"- name: LabUser$")
    errors = [r for r in results_for(log, ADMIN_ATTACHMENT) if r["level"] == "error"]
    assert {r["ruleId"] for r in errors} >= {"no-privileged-managed-policy"}
    for error in errors:
        assert start_line(error) == expected
        location = error["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location == {"uri": "Pulumi.test.yaml", "uriBaseId": "%SRCROOT%"}
    base = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == violating.project_dir.resolve().as_uri() + "/"


def test_sarif_places_items_statements_and_the_rest(violating: Case) -> None:
    log = sarif_log(violating.report, {})
    [group] = [r for r in results_for(log, "group-LabUser") if r["ruleId"] == "no-full-admin-access"]
    assert start_line(group) == violating.line_of(r"^ {6}- name: LabUser$")
    # The inline policy holds two configured statements; the finding names UseCloudShell.
    [inline] = results_for(log, "group-LabUser-inline")
    assert start_line(inline) == violating.line_of(r"- sid: UseCloudShell$")
    [key] = results_for(log, "user-lab-metrics-publisher-access-key")
    assert start_line(key) == violating.line_of(r"- name: lab-metrics-publisher$")
    untraced = results_for(log, "baseline-config-AWS_ConfigRole")
    assert untraced and all(start_line(r) == violating.line_of(r"^config:$") for r in untraced)


def test_sarif_lists_the_exemptions_in_force(violating: Case) -> None:
    properties = sarif_log(violating.report, {})["runs"][0]["properties"]
    assert properties["exemptions"] == [
        {
            "policy": "risky-actions-unconstrained",
            "resource": EXEMPT_RESOURCE,
            "reason": "Glacier archive migration | ticket <OPS-7>",
            "owner": "lab-team",
            "expires": EXEMPT_UNTIL,
        }
    ]
    assert properties["today"] == TODAY


# --- Markdown ---


def table_rows(markdown: str, heading: str) -> list[str]:
    """The body rows of the table under a `### heading` line."""
    lines = markdown.splitlines()
    start = lines.index(heading)
    rows: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("### "):
            break
        if line.startswith("| ") and not line.startswith(("| Level", "| ---", "| Policy |")):
            rows.append(line)
    return rows


def test_markdown_has_a_table_per_mode_mandatory_first(violating: Case) -> None:
    markdown = render_markdown(violating.report)
    assert markdown.startswith("## Policy check: stack `test`\n")
    # AdministratorAccess on LabUser also breaks two of dev's access tests (LabUser creates no user).
    failed = len(violating.report.failed_access_tests)
    assert failed == 2
    assert (
        "**Exit 1: mandatory policy violations would stop `pulumi preview` and `pulumi up`; "
        f"{failed} access test(s) of the stack file failed.**"
    ) in markdown
    assert markdown.count("| **FAILED** | ") == failed
    for result in violating.report.results:
        heading = (
            f"### {result.mode.capitalize()}: {len(result.mandatory)} mandatory, "
            f"{len(result.advisory)} advisory violation(s)"
        )
        rows = table_rows(markdown, heading)
        assert len(rows) == len(result.diagnostics)
        levels = [row.split(" | ")[0].removeprefix("| ") for row in rows]
        assert levels == ["**mandatory**"] * len(result.mandatory) + ["advisory"] * len(result.advisory)
        assert all(row.count(" | ") == 6 for row in rows)  # seven cells: no `|` leaks out of a cell
    assert (
        "| `no-privileged-managed-policy` | `IAM-MANAGED-001` | "
        f"GroupPolicyAttachment `{ADMIN_ATTACHMENT}` |" in markdown
    )


def test_markdown_of_a_clean_stack_says_it_passes(clean: Case) -> None:
    markdown = render_markdown(clean.report)
    assert (
        "**Exit 0: no mandatory policy violations; `pulumi preview` and `pulumi up` would pass.**" in markdown
    )
    preview = clean.report.results[0]
    assert f"### Preview: 0 mandatory, {len(preview.advisory)} advisory violation(s)" in markdown
    in_force = f"### Exemptions in force on {clean.report.today.isoformat()}: "
    assert f"{in_force}{len(clean.report.exemptions)}\n" in markdown
    assert len(table_rows(markdown, f"{in_force}{len(clean.report.exemptions)}")) == 2  # dev's EC2 takeovers


def test_markdown_without_exemptions_says_none(clean_without_exemptions: Case) -> None:
    report = clean_without_exemptions.report
    assert f"### Exemptions in force on {report.today.isoformat()}: 0\n\nNone." in render_markdown(report)


def test_markdown_escapes_what_would_break_a_cell() -> None:
    assert text_cell("a|b <provider>:aud *x* _y_ [z]") == r"a\|b \<provider\>:aud \*x\* \_y\_ \[z\]"
    assert text_cell("first\nsecond") == "first<br>second"


# --- exemptions in force, in every format ---


def test_exemption_in_force_is_listed_in_every_format(violating: Case) -> None:
    report = violating.report
    table = render_table(report)
    assert table.endswith(
        f"Exemptions in force on {TODAY}: 1\n"
        f"  [risky-actions-unconstrained] {EXEMPT_RESOURCE}: Glacier archive migration | ticket <OPS-7> "
        f"(owner lab-team, expires {EXEMPT_UNTIL})\n"
    )
    assert [e["resource"] for e in report_document(report)["exemptions"]] == [EXEMPT_RESOURCE]
    assert [e["resource"] for e in sarif_log(report, {})["runs"][0]["properties"]["exemptions"]] == [
        EXEMPT_RESOURCE
    ]
    assert table_rows(render_markdown(report), f"### Exemptions in force on {TODAY}: 1") == [
        f"| `risky-actions-unconstrained` | `{EXEMPT_RESOURCE}` | "
        r"Glacier archive migration \| ticket \<OPS-7\> | lab-team | "
        f"{EXEMPT_UNTIL} |"
    ]
    # The exempt resource has no finding of that policy.
    for mode in ("preview", "update"):
        assert not [
            v
            for v in violations(report_document(report), mode)
            if v["resource"]["name"] == EXEMPT_RESOURCE and v["policy"] == "risky-actions-unconstrained"
        ]


def test_expired_exemption_is_not_listed_and_its_finding_is_back(violating: Case) -> None:
    report = violating.report
    rendered = {
        "table": render_table(report).split("Exemptions in force")[1],
        "json": json.dumps(report_document(report)["exemptions"]),
        "sarif": json.dumps(sarif_log(report, {})["runs"][0]["properties"]["exemptions"]),
        "markdown": render_markdown(report).split("### Exemptions in force")[1],
    }
    assert all(EXPIRED_RESOURCE not in text for text in rendered.values())
    [found] = [
        v for v in violations(report_document(report), "update") if v["resource"]["name"] == EXPIRED_RESOURCE
    ]
    assert found["message"].endswith(
        f"(its exemption for '{EXPIRED_RESOURCE}' expired on 2026-01-31: fix the finding, "
        "or renew the exemption with a new 'expires')"
    )
    assert found["fix"] == "Give the user a pgpKey so that only they can read the password or secret key."


def test_table_without_exemptions_is_unchanged(clean_without_exemptions: Case) -> None:
    report = clean_without_exemptions.report
    table = render_table(report)
    assert "Exemptions in force" not in table
    counts = f"\n  0 mandatory, {len(report.results[1].advisory)} advisory violation(s)\n"
    # The update's counts, then the access tests (prod's 12), and nothing after them.
    assert f"{counts}{access_tests_heading(report)}\n" in table
    assert table.endswith(
        f"({report.relative(report.access_test_origins[-1].path)}:{report.access_test_origins[-1].line})\n"
    )


# --- a replayed day, in every format's header ---


def test_a_replayed_day_is_shown_in_every_formats_header(violating: Case) -> None:
    report = violating.report
    assert report.today_override == TODAY
    line = f"Clock: IAMTIERS_TODAY={TODAY} replays that day"
    assert render_table(report).startswith(line)
    assert report_document(report)["today_override"] == TODAY
    run = sarif_log(report, {})["runs"][0]
    assert run["properties"]["todayOverride"] == TODAY
    (invocation,) = run["invocations"]
    assert invocation["environmentVariables"] == {"IAMTIERS_TODAY": TODAY}
    assert invocation["toolExecutionNotifications"][0]["message"]["text"].startswith(line)
    header = render_markdown(report).split("\n### ")[0]  # before the first mode's table
    assert f"**{text_cell(line)}" in header


def test_a_check_on_the_utc_date_shows_no_override(clean: Case) -> None:
    report = clean.report
    assert report.today_override is None
    assert "IAMTIERS_TODAY" not in render_table(report) + render_markdown(report)
    assert report_document(report)["today_override"] is None
    run = sarif_log(report, {})["runs"][0]
    assert run["properties"]["todayOverride"] is None
    assert "environmentVariables" not in run["invocations"][0]


# --- the command: exit codes and where the report goes ---


@pytest.mark.parametrize("report_format", FORMATS)
def test_exit_code_and_output_are_the_same_in_every_format(
    report_format: str,
    clean: Case,
    violating: Case,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for case, expected in ((clean, 0), (violating, 1)):
        monkeypatch.setattr(offline.cli, "run_check", lambda *args, report=case.report: report)
        output = tmp_path / f"{case.stack}.{report_format}"
        assert offline.cli.main(["check", "--format", report_format, "--output", str(output)]) == expected
        captured = capsys.readouterr()
        assert captured.out == ""
        assert output.read_text() == offline.cli.RENDERERS[report_format](case.report)
        assert ("would stop" in captured.err) == (expected == 1)
        assert offline.cli.main(["check", "--format", report_format]) == expected
        assert capsys.readouterr().out == output.read_text()


@pytest.mark.parametrize("report_format", FORMATS)
def test_a_check_that_cannot_run_writes_no_report(
    report_format: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.test.yaml").write_text("config:\n  iamtiers:account: {id: [\n")
    output = tmp_path / "report.out"
    argv = ["check", "--stack", "test", "--project-dir", str(tmp_path), "--format", report_format]
    assert offline.cli.main([*argv, "--output", str(output)]) == 2
    assert not output.exists()
    assert offline.cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Pulumi.test.yaml: not valid YAML" in captured.err


def test_a_check_that_cannot_run_writes_no_report_from_the_command_line(tmp_path: Path) -> None:
    output = tmp_path / "check.sarif"
    result = check("--stack", "nosuch", "--format", "sarif", "--output", str(output))
    assert (result.returncode, result.stdout, output.exists()) == (2, "", False)
    assert "Pulumi.nosuch.yaml: file not found" in result.stderr


def test_output_in_a_missing_directory_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "missing" / "check.json"
    assert offline.cli.main(["check", "--format", "json", "--output", str(output)]) == 2
    assert f"--output {output}: directory {output.parent} does not exist" in capsys.readouterr().err


def test_make_check_passes_format_and_output_only_when_set() -> None:
    def recipe(*variables: str) -> str:
        dry_run = subprocess.run(
            ["make", "--no-print-directory", "-n", "check", *variables],  # noqa: S607 - make from PATH
            cwd=PROJECT_DIR, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return dry_run.stdout.splitlines()[-1]

    assert recipe().split() == [".venv/bin/iamtiers", "check", "--stack", "dev"]
    assert recipe("FORMAT=sarif", "OUTPUT=out.sarif").split()[-6:] == [
        "--stack", "dev", "--format", "sarif", "--output", "out.sarif",
    ]  # fmt: skip


# --- pure parts ---


def test_split_finding_separates_id_message_fix_and_expiry_note() -> None:
    text = (
        "[IAM-USER-001] Policy attached to a user: alice-inline. Fix: Attach the policy to a group and add "
        "the user to it (CIS 1.15). (its exemption for 'alice-inline', owner secops expired on 2026-06-29: "
        "fix the finding, or renew the exemption with a new 'expires')"
    )
    assert split_finding(text, "default") == (
        "IAM-USER-001",
        "Policy attached to a user: alice-inline. (its exemption for 'alice-inline', owner secops expired "
        "on 2026-06-29: fix the finding, or renew the exemption with a new 'expires')",
        "Attach the policy to a group and add the user to it (CIS 1.15).",
    )
    assert split_finding("remediation failed: boom", "Fix the pack.") == (
        None,
        "remediation failed: boom",
        "Fix the pack.",
    )


def test_the_documented_example_matches_the_schema() -> None:
    docs = (PROJECT_DIR / "docs" / "report-formats.md").read_text()
    [example] = re.findall(r"```json\n(.*?)\n```", docs, re.DOTALL)
    validate(json.loads(example), REPORT_SCHEMA)


def test_defaults_stand_in_for_what_an_item_leaves_out(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.test.yaml").write_text(
        "config:\n"
        "  iamtiers:groups:\n"
        "    defaults:\n"
        "      managed_policies: [ReadOnlyAccess]\n"
        "    items:\n"
        "      - name: Ops\n"
        "  iamtiers:password_policy:\n"
        "    minimum_length: 16\n"
    )
    stack = "urn:pulumi:test::iamtiers::pulumi:pulumi:Stack::iamtiers-test"
    component = "urn:pulumi:test::iamtiers::iamtiers:index:Group::group-Ops"

    def registration(type_token: str, name: str, parent: str, inputs: dict[str, Any]) -> Registration:
        urn = f"urn:pulumi:test::iamtiers::{type_token}::{name}"
        return Registration(type_token, name, urn, parent, type_token.startswith("aws:"), inputs, [], {})

    run = StackRun("iamtiers", "test", preview=False)
    run.registrations += [
        registration("iamtiers:index:Group", "group-Ops", stack, {}),
        registration("aws:iam/group:Group", "group-Ops", component, {"name": "Ops"}),
        registration(
            "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
            "group-Ops-ReadOnlyAccess",
            component,
            {"group": "Ops", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
        ),
        registration(PASSWORD_POLICY_TYPE, "baseline-password-policy", stack, {"minimumPasswordLength": 16}),
        registration("aws:s3/bucket:Bucket", "baseline-trail-bucket", stack, {}),
    ]
    origins = trace_origins(load_stack_config_nodes(tmp_path, "test", "iamtiers"), [run])
    by_name = {r.name + "/" + r.type: origins.of(r.urn) for r in run.registrations}
    assert {key: (o.line, o.key) if o else None for key, o in by_name.items()} == {
        "group-Ops/iamtiers:index:Group": (6, "iamtiers:groups.items[0]"),
        "group-Ops/aws:iam/group:Group": (6, "iamtiers:groups.items[0]"),
        "group-Ops-ReadOnlyAccess/aws:iam/groupPolicyAttachment:GroupPolicyAttachment": (
            4,
            "iamtiers:groups.defaults.managed_policies[0]",
        ),
        f"baseline-password-policy/{PASSWORD_POLICY_TYPE}": (7, "iamtiers:password_policy"),
        "baseline-trail-bucket/aws:s3/bucket:Bucket": None,
    }


def test_a_group_membership_sits_on_its_groups_name_line(dev_update: StackRun) -> None:
    """The group lists its members, so a finding on its GroupMembership points at the group's item."""
    nodes = load_stack_config_nodes(PROJECT_DIR, "dev", "iamtiers")
    origins = trace_origins(nodes, [dev_update])
    lines = (PROJECT_DIR / "Pulumi.dev.yaml").read_text().splitlines()
    memberships = dev_update.by_type("aws:iam/groupMembership:GroupMembership")
    assert len(memberships) == 5
    for membership in memberships:
        origin = origins.of(membership.urn)
        assert origin is not None, membership.urn
        assert re.fullmatch(rf" {{6}}- name: {re.escape(membership.inputs['group'])}", lines[origin.line - 1])
        assert re.fullmatch(r"iamtiers:groups\.items\[\d\]", origin.key)
