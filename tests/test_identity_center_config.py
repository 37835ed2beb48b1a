"""`iamtiers:identity_center`: every mistake is one problem at its key path with the fix, and a stack
with one is refused by `iamtiers check` with exit 2 and no traceback."""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config import ConfigError, parse_stack_config
from components.config.permission_sets import iso_duration, session_seconds
from tests.conftest import PROJECT_DIR

IC_STACK = PROJECT_DIR / "tests" / "data" / "identity_center" / "Pulumi.sso.yaml"


def sso_config() -> dict[str, Any]:
    """The test stack's `config:`, namespaced keys, as a fresh mutable copy."""
    return copy.deepcopy(dict(yaml.safe_load(IC_STACK.read_text())["config"]))


def raw(config: dict[str, Any]) -> dict[str, Any]:
    return {k.split(":", 1)[1]: v for k, v in config.items() if k.startswith("iamtiers:")}


def problems_after(change: Callable[[dict[str, Any]], None]) -> list[str]:
    config = sso_config()
    change(config["iamtiers:identity_center"])
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(raw(config))
    return caught.value.problems


def test_the_test_stack_parses_with_from_tier_resolved() -> None:
    config = parse_stack_config(raw(sso_config()))
    center = config.identity_center
    assert center is not None and center.mfa is not None
    soc = center.permission_set("SOC_Analyst")
    grants = config.grants(soc)
    assert grants.managed_policy_arns == (
        "arn:aws:iam::aws:policy/SecurityAudit",
        "arn:aws:iam::aws:policy/AWSSecurityHubReadOnlyAccess",
    )
    assert [s.sid for s in grants.statements] == ["ReadTrailLogs"]
    assert grants.session_duration == "PT4H"  # the tier's max session, 14400 seconds
    assert grants.description == "Reads security findings and logs"
    assert center.account_id("prod") == "222222222222"
    assert center.mfa.tags() == {
        "iamtiers:mfa-mode": "always-on",
        "iamtiers:mfa-attested-by": "alice.nguyen@example.com",
        "iamtiers:mfa-attested-on": "2025-06-30",
    }


def test_a_tiers_customer_managed_policy_and_boundary_become_references() -> None:
    config = sso_config()
    tier = config["iamtiers:role_tiers"]["items"][0]
    tier["managed_policies"].append("arn:aws:iam::444444444444:policy/guardrails/DenyDataPlaneReads")
    tier["permissions_boundary"] = "arn:aws:iam::444444444444:policy/Boundary"
    parsed = parse_stack_config(raw(config))
    assert parsed.identity_center is not None
    grants = parsed.grants(parsed.identity_center.permission_set("SOC_Analyst"))
    assert [(r.name, r.path) for r in grants.customer_managed_policies] == [
        ("DenyDataPlaneReads", "/guardrails/")
    ]
    assert grants.boundary_arn is None and grants.boundary_reference is not None
    assert (grants.boundary_reference.name, grants.boundary_reference.path) == ("Boundary", "/")


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [("PT1H", 3600), ("PT1H30M", 5400), ("PT12H", 43200), ("P1D", None), ("1h", None)],
)
def test_session_seconds(duration: str, seconds: int | None) -> None:
    assert session_seconds(duration) == seconds


def test_iso_duration_round_trips() -> None:
    for seconds in (3600, 5400, 14400, 43200, 3601):
        assert session_seconds(iso_duration(seconds)) == seconds


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change that sets `a.b[1].c` (dot and index path) in the identity_center mapping."""

    def change(center: dict[str, Any]) -> None:
        target: Any = center
        parts = path.replace("[", ".").replace("]", "").split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return change


IC = "iamtiers:identity_center"
CASES = {
    "unknown group": (
        _set("assignments[0].group", "SecurityAnalyst"),
        f"{IC}.assignments[0].group: unknown group 'SecurityAnalyst' (did you mean 'SecurityAnalysts'?)",
    ),
    "unknown permission set": (
        _set("assignments[1].permission_set", "PlatformReadonly"),
        f"{IC}.assignments[1].permission_set: unknown permission set 'PlatformReadonly' "
        "(did you mean 'PlatformReadOnly'?)",
    ),
    "unknown account name": (
        _set("assignments[0].accounts[0]", "prd"),
        f"{IC}.assignments[0].accounts[0]: unknown account 'prd' (did you mean 'prod'?); write a 12-digit "
        f"id (quoted) or a name of identity_center.accounts",
    ),
    "unknown account id": (
        _set("assignments[0].accounts[0]", "999999999999"),
        f"{IC}.assignments[0].accounts[0]: unknown account '999999999999'",
    ),
    "unknown user": (
        _set("assignments[2].user", "alice.nguyn"),
        f"{IC}.assignments[2].user: unknown user 'alice.nguyn' (did you mean 'alice.nguyen'?)",
    ),
    "unknown member": (
        _set("groups[1].members[0]", "bob.martn"),
        f"{IC}.groups[1].members[0]: unknown user 'bob.martn' (did you mean 'bob.martin'?)",
    ),
    "unknown tier": (
        _set("permission_sets[0].from_tier", "SOC_Analysts"),
        f"{IC}.permission_sets[0].from_tier: unknown role tier 'SOC_Analysts' (did you mean 'SOC_Analyst'?)",
    ),
    "session not ISO-8601": (
        _set("permission_sets[1].session_duration", "2h"),
        f"{IC}.permission_sets[1].session_duration: '2h' is not an ISO-8601 duration; write hours and "
        "minutes such as PT4H or PT1H30M",
    ),
    "session too long": (
        _set("permission_sets[1].session_duration", "PT13H"),
        f"{IC}.permission_sets[1].session_duration: PT13H is out of range; "
        "Identity Center allows PT1H to PT12H",
    ),
    "session too short": (
        _set("permission_sets[1].session_duration", "PT30M"),
        f"{IC}.permission_sets[1].session_duration: PT30M is out of range",
    ),
    "name too long": (
        _set("permission_sets[1].name", "PlatformReadOnlyForEveryWorkload1"),
        f"{IC}.permission_sets[1].name: 'PlatformReadOnlyForEveryWorkload1' has 33 characters; a permission "
        "set name has at most 32; shorten it",
    ),
    "duplicate assignment": (
        _set("assignments[1].accounts", ["prod", "222222222222"]),
        f"{IC}.assignments[1].accounts[1]: duplicate assignment of group 'PlatformEngineers' to "
        "permission set 'PlatformReadOnly' in account 222222222222 "
        "(also identity_center.assignments[1].accounts[0]); remove one",
    ),
    "too many managed policies": (
        _set(
            "permission_sets[1].managed_policies",
            [
                "ReadOnlyAccess",
                "SecurityAudit",
                "AWSSecurityHubReadOnlyAccess",
                "IAMReadOnlyAccess",
                "AmazonS3ReadOnlyAccess",
                "AmazonEC2ReadOnlyAccess",
                "AmazonVPCReadOnlyAccess",
                "AWSCloudTrail_ReadOnlyAccess",
                "CloudWatchReadOnlyAccess",
                "AmazonRDSReadOnlyAccess",
            ],
        ),
        f"{IC}.permission_sets[1].managed_policies: 11 managed policies in this permission set exceed "
        "the quota of 10 (IAM's per-role quota applies in every target account)",
    ),
    "unknown AWS-managed policy": (
        _set("permission_sets[1].managed_policies", ["ReadOnlyAcess"]),
        f"{IC}.permission_sets[1].managed_policies[0]: ",
    ),
    "inline policy too large": (
        _set(
            "permission_sets[1].statements",
            [
                {
                    "sid": f"Read{i}",
                    "actions": ["s3:GetObject"],
                    "resources": [f"arn:aws:s3:::bucket-{i:04d}-" + "x" * 40 + "/*"],
                }
                for i in range(120)
            ],
        ),
        f"{IC}.permission_sets[1].statements: the inline policy has ",
    ),
    "from_tier with own grants": (
        _set("permission_sets[0].statements", [{"actions": ["s3:GetObject"], "resources": ["*"]}]),
        f"{IC}.permission_sets[0]: from_tier takes the grants from tier 'SOC_Analyst'; "
        "remove statements here",
    ),
    "duplicate permission set": (
        _set("permission_sets[1].name", "SOC_Analyst"),
        f"{IC}.permission_sets[1]: duplicate permission set 'SOC_Analyst' "
        "(also identity_center.permission_sets[0])",
    ),
    "customer-managed ARN among managed policies": (
        _set("permission_sets[1].managed_policies", ["arn:aws:iam::444444444444:policy/team/Mine"]),
        f"{IC}.permission_sets[1].managed_policies: 'arn:aws:iam::444444444444:policy/team/Mine' is a "
        "customer-managed policy of one account; list it under customer_managed_policies as "
        "{name: Mine, path: /team/}",
    ),
    "bad attestation date": (
        _set("mfa.attested_on", "30/06/2025"),
        f"{IC}.mfa.attested_on: '30/06/2025' is not a date; write YYYY-MM-DD",
    ),
    "unknown mfa mode": (_set("mfa.mode", "sometimes"), f"{IC}.mfa.mode: "),
    "both directories": (
        _set("external_groups", ["Okta-Admins"]),
        f"{IC}: external_groups means an external IdP provisions the directory by SCIM",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_mistake_is_one_problem_at_its_key_with_the_fix(case: str) -> None:
    change, expected = CASES[case]
    problems = problems_after(change)
    assert any(problem.startswith(expected) for problem in problems), problems
    if case in RENAMES_A_SET:  # the assignments naming the set by its old name are unknown now, too
        others = [p for p in problems if not p.startswith(expected)]
        assert others and all(".permission_set: unknown permission set" in p for p in others), problems
    else:
        assert len(problems) == 1, problems


RENAMES_A_SET = {"duplicate permission set", "name too long", "unknown tier"}


def test_the_quota_can_be_raised_to_twenty_but_not_beyond() -> None:
    policies = ["ReadOnlyAccess", "SecurityAudit", "IAMReadOnlyAccess", "AmazonS3ReadOnlyAccess"]

    def change(center: dict[str, Any]) -> None:
        center["managed_policy_quota"] = 4
        center["permission_sets"][1]["managed_policies"] = policies

    # Four managed and one customer-managed policy: five against a quota of four.
    assert any(
        "5 managed policies in this permission set exceed the quota of 4" in p for p in problems_after(change)
    )
    assert any(
        p.startswith(f"{IC}.managed_policy_quota: ") for p in problems_after(_set("managed_policy_quota", 21))
    )


def test_external_groups_are_groups_assignments_may_name() -> None:
    config = sso_config()
    center = config[IC]
    for key in ("users", "groups"):
        del center[key]
    center["external_groups"] = ["SecurityAnalysts", "PlatformEngineers"]
    center["mfa"]["mode"] = "external-idp"
    parsed = parse_stack_config(raw(config))
    assert parsed.identity_center is not None and parsed.identity_center.external


def test_a_bad_identity_center_is_refused_by_check_with_exit_2(tmp_path: Path) -> None:
    config = sso_config()
    config[IC]["assignments"][0]["group"] = "SecurityAnalyst"
    config[IC]["permission_sets"][1]["session_duration"] = "PT13H"
    (tmp_path / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.bad.yaml").write_text(yaml.safe_dump({"config": config}))
    (tmp_path / "__main__.py").symlink_to(PROJECT_DIR / "__main__.py")
    result = subprocess.run(
        [sys.executable, "-m", "offline", "check", "--stack", "bad", "--project-dir", str(tmp_path)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "iamtiers:identity_center.assignments[0].group: unknown group 'SecurityAnalyst'" in result.stderr
    assert (
        "iamtiers:identity_center.permission_sets[1].session_duration: PT13H is out of range" in result.stderr
    )
    assert "Fix Pulumi.bad.yaml and run again." in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
