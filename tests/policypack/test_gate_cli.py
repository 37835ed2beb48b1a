"""The policy gate of `iamtiers check` (what `make check` runs).

After the plan, the command prints one section per mode, headed exactly

    Policy check (preview): pack <name> <version>, <n> registrations analyzed, config: <file or none>
    Policy check (update): ...

each followed by the findings grouped by resource (mandatory first, `[level] policy: message`) and
`N mandatory, M advisory violation(s)`. Exit 1 when either mode has a mandatory finding; exit 2
when the check cannot run (bad stack, missing or malformed pack config, unknown policy name, a
property or value the policy's schema rejects, a pack that dies), with no findings printed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from offline.judging.analyzer_client import PACK_DIR, Diagnostic
from offline.judging.gate import GateResult, render_violations
from tests.policypack.test_pack_process import DIES_AFTER_ITS_PORT, DIES_IN_ANALYZE, dying_pack
from tests.test_cli import check

USER_POLICY = "aws:iam/userPolicy:UserPolicy"
COUNT_LINE = re.compile(r"^  (\d+) mandatory, (\d+) advisory violation\(s\)$", re.MULTILINE)


def diagnostic(urn_name: str, level: str, policy: str = "rule", finding: str = "fix it") -> Diagnostic:
    return Diagnostic(
        policy_name=policy,
        message=f"What the rule is about.\n{finding}",
        urn=f"urn:pulumi:test::iamtiers::{USER_POLICY}::{urn_name}",
        enforcement_level=level,
        severity="high",
        resource_name=urn_name,
        resource_type=USER_POLICY,
        description="What the rule is about.",
    )


def gate_result(*diagnostics: Diagnostic) -> GateResult:
    return GateResult("preview", "iamtiers", "test", "pack", "0.1.0", 3, tuple(diagnostics))


# --- rendering (pure) ---


def test_render_groups_by_resource_mandatory_first() -> None:
    result = gate_result(
        diagnostic("c", "advisory", "rule-c"),
        diagnostic("a", "advisory", "rule-a"),
        diagnostic("b", "advisory", "rule-b1"),
        diagnostic("b", "mandatory", "rule-b2", "b-inline: move it to a group.\nSee CIS 1.15."),
    )
    assert render_violations(result).splitlines() == [
        f"  {USER_POLICY}  b",
        "    [mandatory] rule-b2: b-inline: move it to a group.",
        "      See CIS 1.15.",
        "    [advisory] rule-b1: fix it",
        f"  {USER_POLICY}  a",
        "    [advisory] rule-a: fix it",
        f"  {USER_POLICY}  c",
        "    [advisory] rule-c: fix it",
        "  1 mandatory, 3 advisory violation(s)",
    ]
    assert result.blocking


def test_render_without_findings_is_the_count_line() -> None:
    result = gate_result()
    assert render_violations(result) == "  0 mandatory, 0 advisory violation(s)"
    assert not result.blocking


def test_advisory_findings_do_not_block() -> None:
    assert not gate_result(diagnostic("a", "advisory")).blocking


# --- the command ---


def sections(stdout: str) -> dict[str, str]:
    """Each mode's policy section, keyed by mode."""
    parts = re.split(r"^Policy check \((preview|update)\): ", stdout, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_dev_prints_a_policy_section_per_mode_after_the_plan() -> None:
    result = check("--stack", "dev")
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    plan_end = result.stdout.index("Outputs after update")
    assert (
        plan_end
        < result.stdout.index("Policy check (preview): ")
        < result.stdout.index("Policy check (update): ")
    )
    found = sections(result.stdout)
    assert set(found) == {"preview", "update"}
    default_config = PACK_DIR / "config" / "dev.json"  # picked up without --pack-config
    config = "policypack/config/dev.json" if default_config.is_file() else "none (policy defaults)"
    mandatory = 0
    for section in found.values():
        assert section.startswith("pack iamtiers-guardrails ")
        assert section.splitlines()[0].endswith(f"registrations analyzed, config: {config}")
        [count] = COUNT_LINE.findall(section)
        mandatory += int(count[0])
    assert result.returncode == (1 if mandatory else 0)


def test_missing_pack_config_is_a_clean_error(tmp_path: Path) -> None:
    missing = tmp_path / "nosuch.json"
    result = check("--stack", "dev", "--pack-config", str(missing))
    assert result.returncode == 2
    assert f"error: pack config {missing}: file not found" in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_malformed_pack_config_is_a_clean_error(tmp_path: Path) -> None:
    config = tmp_path / "pack.json"
    config.write_text('{"no-user-policies": "advisory",}')
    result = check("--stack", "dev", "--pack-config", str(config))
    assert result.returncode == 2
    assert f"error: pack config {config}: not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_policy_in_pack_config_is_a_clean_error(tmp_path: Path) -> None:
    config = tmp_path / "pack.json"
    config.write_text(json.dumps({"no-user-policy": "advisory"}))
    result = check("--stack", "dev", "--pack-config", str(config))
    assert result.returncode == 2
    assert f"error: pack config {config}: unknown policy 'no-user-policy'" in result.stderr
    assert "did you mean 'no-user-policies'?" in result.stderr
    assert "Traceback" not in result.stderr


# --- a program that does put a policy on a user ---

USER_POLICY_PROGRAM = """\
import json

import pulumi_aws as aws

aws.iam.UserPolicy(
    "alice-inline",
    user="alice",
    policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}],
    }),
)
"""


def user_policy_project(tmp_path: Path) -> Path:
    """A project whose program puts an inline policy on a user (the real one never does)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "Pulumi.yaml").write_text("name: iamtiers\nruntime: python\n")
    (tmp_path / "Pulumi.test.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(USER_POLICY_PROGRAM)
    return tmp_path


def test_policy_on_a_user_fails_the_check(tmp_path: Path) -> None:
    result = check("--stack", "test", "--project-dir", str(user_policy_project(tmp_path)))
    assert result.returncode == 1, result.stderr
    for mode, section in sections(result.stdout).items():
        lines = section.splitlines()
        resource = lines.index(f"  {USER_POLICY}  alice-inline")
        assert lines[resource + 1].startswith("    [mandatory] no-user-policies: "), mode
    assert "would stop `pulumi preview` and `pulumi up`" in result.stderr


def test_pack_config_downgrades_the_finding(tmp_path: Path) -> None:
    project = user_policy_project(tmp_path / "project")
    config = tmp_path / "pack.json"
    config.write_text(json.dumps({"no-user-policies": {"enforcementLevel": "advisory"}}))
    result = check("--stack", "test", "--project-dir", str(project), "--pack-config", str(config))
    assert result.returncode in (0, 1), result.stderr  # other rules may still block
    found = sections(result.stdout)
    for section in found.values():
        assert section.splitlines()[0].endswith(f"config: {config}")
        assert "    [advisory] no-user-policies: " in section
        assert "[mandatory] no-user-policies" not in section


def test_stack_config_next_to_the_pack_is_the_default(tmp_path: Path) -> None:
    # A pack directory whose config/test.json exists: it is used without --pack-config.
    pack = tmp_path / "pack"
    (pack / "config").mkdir(parents=True)
    for name in ("__main__.py", "PulumiPolicy.yaml"):
        (pack / name).symlink_to(PACK_DIR / name)  # python resolves iam_guard next to the real file
    (pack / "config" / "test.json").write_text(json.dumps({"no-user-policies": "disabled"}))
    project = user_policy_project(tmp_path / "project")
    result = check("--stack", "test", "--project-dir", str(project), "--policy-pack", str(pack))
    assert "no-user-policies" not in result.stdout
    assert "config/test.json" in result.stdout


# --- pack config its schemas reject: one error line per problem, exit 2, no findings ---


def test_misspelt_property_in_the_shipped_config_stops_the_check(tmp_path: Path) -> None:
    # Before: `trusted_account` was ignored, the allow-list was off and the check passed with exit 0.
    shipped = json.loads((PACK_DIR / "config" / "dev.json").read_text())
    shipped["role-trust-safe"] = {"trusted_account": shipped["role-trust-safe"]["trusted_accounts"]}
    config = tmp_path / "dev.json"
    config.write_text(json.dumps(shipped))
    result = check("--stack", "dev", "--pack-config", str(config))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: pack config {config}: role-trust-safe: unknown property 'trusted_account' "
        "(did you mean 'trusted_accounts'?)"
    ]
    assert result.stdout == ""


def test_values_their_schema_rejects_are_reported_once_each(tmp_path: Path) -> None:
    # Before: each became a PACK-CONFIG-001 finding on every resource the rule looked at.
    config = tmp_path / "pack.json"
    config.write_text(
        json.dumps(
            {
                "session-duration-bound": {"max_session_seconds": 99},
                "no-full-admin-access": {"admin_tier": ["SOC_Administrator"]},
                "all": {"enforcementLevel": "advisory", "trusted_accounts": ["111111111111"]},
            }
        )
    )
    result = check("--stack", "dev", "--pack-config", str(config))
    assert result.returncode == 2
    where = f"error: pack config {config}"
    assert sorted(result.stderr.splitlines()) == [
        f"{where}: all: unknown property 'trusted_accounts': only enforcementLevel applies to every policy; "
        "set it under each policy that takes it",
        f"{where}: no-full-admin-access: unknown property 'admin_tier' (did you mean 'admin_tiers'?)",
        f"{where}: session-duration-bound: max_session_seconds: must be at least 3600, got 99",
    ]
    assert "PACK-CONFIG" not in result.stdout + result.stderr


# --- a pack that dies: exit 2, its exit code and last stderr lines, never gRPC's UNAVAILABLE ---


def test_pack_that_dies_mid_run_is_exit_2_with_its_exit_code(tmp_path: Path) -> None:
    pack = dying_pack(tmp_path / "pack", DIES_IN_ANALYZE)
    result = check("--stack", "dev", "--policy-pack", str(pack))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: the policy pack process exited with code 7 during Analyze; its last stderr lines:",
        "  MemoryError: cannot allocate the statement table",
    ]
    assert result.stdout == ""


def test_pack_that_exits_after_its_port_is_exit_2_at_once(tmp_path: Path) -> None:
    # Before: a minute's wait for a server that was gone, then "did not answer", without the exit code.
    pack = dying_pack(tmp_path / "pack", DIES_AFTER_ITS_PORT)
    result = check("--stack", "dev", "--policy-pack", str(pack))
    assert result.returncode == 2
    assert result.stderr.startswith("error: the policy pack process exited with code 5 after printing port 1")
    assert "RuntimeError: the Analyzer service registered no handlers" in result.stderr
