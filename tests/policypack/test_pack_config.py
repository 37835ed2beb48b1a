"""Pack config that its policies' schemas reject is refused before any resource is analyzed.

Twice over: the offline check validates a `--policy-pack-config` document against the schemas
GetAnalyzerInfo lists (closed to other keys), and the pack's own Configure refuses what the CLI lets
through (an unknown property, an unknown policy, properties under `all`: the protocol carries no
`additionalProperties`), so a misspelt key cannot switch a control off under the real CLI either.
Each case is one line naming the policy, the key and, when there is one, the closest valid key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from offline.judging.analyzer_client import (
    PACK_DIR,
    PolicyConfigError,
    PolicyPackProcess,
    ResolvedPolicyConfig,
    configure_request,
    schema_problems,
)
from tests.policypack.conftest import PackAnalyzer

ROLE = "aws:iam/role:Role"
EC2_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


@dataclass(frozen=True)
class BadConfig:
    id: str
    config: dict[str, Any]  # `--policy-pack-config` shape
    problems: tuple[str, ...]  # exactly what is reported, one line each


BAD_CONFIGS = [
    BadConfig(
        "misspelt-trusted-accounts",
        {"role-trust-safe": {"trusted_account": ["111111111111"]}},
        ("role-trust-safe: unknown property 'trusted_account' (did you mean 'trusted_accounts'?)",),
    ),
    BadConfig(
        "misspelt-admin-tiers",
        {"no-full-admin-access": {"admin_tier": ["SOC_Administrator"]}},
        ("no-full-admin-access: unknown property 'admin_tier' (did you mean 'admin_tiers'?)",),
    ),
    BadConfig(
        "key-of-another-policy",
        {"no-user-policies": {"enforcementLevel": "advisory", "max_session_seconds": 3600}},
        ("no-user-policies: unknown property 'max_session_seconds'",),
    ),
    BadConfig(
        "exemption-with-short-reason",
        {
            "no-full-admin-access": {
                "exemptions": [{"resource": "Admin", "reason": "legacy", "expires": "2027-01-31"}]
            }
        },
        ('no-full-admin-access: exemptions[0].reason: needs 10+ characters, got "legacy"',),
    ),
    BadConfig(
        "exemption-without-reason",
        {"no-user-policies": {"exemptions": [{"resource": "alice-inline", "expires": "2027-01-31"}]}},
        ("no-user-policies: exemptions[0]: 'reason' is required",),
    ),
    BadConfig(
        "exemption-without-expiry",
        {"no-user-policies": {"exemptions": [{"resource": "alice-inline", "reason": "legacy app, SEC-7"}]}},
        ("no-user-policies: exemptions[0]: 'expires' is required",),
    ),
    BadConfig(
        "exemption-expiry-not-a-date",
        {
            "no-user-policies": {
                "exemptions": [{"resource": "a", "reason": "legacy app, SEC-7", "expires": "next June"}]
            }
        },
        ('no-user-policies: exemptions[0].expires: "next June" does not match ^[0-9]{4}-[0-9]{2}-[0-9]{2}$',),
    ),
    BadConfig(
        "exemption-with-a-misspelt-key",
        {
            "no-user-policies": {
                "exemptions": [
                    {"resource": "alice-inline", "reasons": "legacy app, SEC-7", "expires": "2027-01-31"}
                ]
            }
        },
        (
            "no-user-policies: exemptions[0]: 'reason' is required",
            "no-user-policies: exemptions[0]: unknown property 'reasons' (did you mean 'reason'?)",
        ),
    ),
    BadConfig(
        "empty-admin-tier-name",
        {"no-full-admin-access": {"admin_tiers": [""]}},
        ('no-full-admin-access: admin_tiers[0]: needs 1+ characters, got ""',),
    ),
    BadConfig(
        "quota-above-iam-maximum",
        {"group-managed-policy-quota": {"quota": 30}},
        ("group-managed-policy-quota: quota: must be at most 20, got 30",),
    ),
    BadConfig(
        "malformed-account",
        {"role-trust-safe": {"trusted_accounts": ["1234"]}},
        ('role-trust-safe: trusted_accounts[0]: "1234" does not match ^[0-9]{12}$',),
    ),
    BadConfig(
        "session-bound-below-the-aws-minimum",
        {"session-duration-bound": {"max_session_seconds": 99}},
        ("session-duration-bound: max_session_seconds: must be at least 3600, got 99",),
    ),
    BadConfig(
        "session-bound-as-text",
        {"session-duration-bound": {"max_session_seconds": "1h"}},
        ('session-duration-bound: max_session_seconds: expected integer, got "1h"',),
    ),
    BadConfig(
        "password-profile-in-lower-case",
        {"password-policy": {"profile": "cis"}},
        ('password-policy: profile: must be one of ["AFSBP", "CIS", "PCI"], got "cis"',),
    ),
    BadConfig(
        "properties-under-all",
        {"all": {"enforcementLevel": "advisory", "admin_tiers": ["SOC_Administrator"]}},
        (
            "all: unknown property 'admin_tiers': only enforcementLevel applies to every policy; "
            "set it under each policy that takes it",
        ),
    ),
]


def defaults(pack: PolicyPackProcess) -> dict[str, ResolvedPolicyConfig]:
    """What Configure receives for `{}`: every policy on its defaults."""
    resolved = pack.configure({})
    return dict(resolved)


def raw_configure(pack: PolicyPackProcess, config: dict[str, Any]) -> None:
    """Send the defaults overlaid with `config` straight to the pack, skipping the client's validation
    (as the real CLI does for the keys its open schemas let through)."""
    resolved = defaults(pack)
    for name, value in config.items():
        value = dict(value)
        level = value.pop("enforcementLevel", None)
        current = resolved.get(name, ResolvedPolicyConfig(level or "advisory", {}))
        properties = {**current.properties, **value}
        resolved[name] = ResolvedPolicyConfig(level or current.enforcement_level, properties)
    pack._call("Configure", configure_request(resolved))  # the raw call is the point


def role_trust_findings(analyzer: PackAnalyzer) -> list[str]:
    return [
        d.finding
        for d in analyzer.resource(ROLE, {"name": "App", "assumeRolePolicy": EC2_TRUST}, name="App")
        if d.policy_name == "role-trust-safe"
    ]


@pytest.mark.parametrize("case", BAD_CONFIGS, ids=lambda case: case.id)
def test_offline_check_reports_each_problem_once(policy_pack: PolicyPackProcess, case: BadConfig) -> None:
    with pytest.raises(PolicyConfigError) as raised:
        policy_pack.configure(case.config)
    assert raised.value.problems == case.problems


@pytest.mark.parametrize("case", BAD_CONFIGS, ids=lambda case: case.id)
def test_pack_refuses_configure(policy_pack: PolicyPackProcess, case: BadConfig) -> None:
    try:
        with pytest.raises(PolicyConfigError) as raised:
            raw_configure(policy_pack, case.config)
        assert raised.value.problems == case.problems
    finally:
        policy_pack.configure({})


def test_pack_refuses_an_unknown_policy_name(policy_pack: PolicyPackProcess) -> None:
    try:
        with pytest.raises(PolicyConfigError) as raised:
            raw_configure(policy_pack, {"role-trust-saf": {"trusted_accounts": ["111111111111"]}})
        assert raised.value.problems == ("unknown policy 'role-trust-saf' (did you mean 'role-trust-safe'?)",)
    finally:
        policy_pack.configure({})


def test_a_refused_configure_leaves_the_previous_config(analyzer: PackAnalyzer) -> None:
    before = role_trust_findings(analyzer)
    with pytest.raises(PolicyConfigError):
        raw_configure(analyzer.pack, {"all": {"enforcementLevel": "disabled", "admin_tiers": []}})
    assert role_trust_findings(analyzer) == before


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_shipped_pack_configs_pass_both_checks(policy_pack: PolicyPackProcess, stack: str) -> None:
    config = json.loads((PACK_DIR / "config" / f"{stack}.json").read_text())
    try:
        policy_pack.configure(config)
        raw_configure(policy_pack, config)
    finally:
        policy_pack.configure({})


# --- the validator (pure) ---


@pytest.mark.parametrize(
    ("schema", "value", "problems"),
    [
        ({"type": "integer"}, 3600.0, []),  # the wire carries every number as a double
        ({"type": "integer"}, 3600.5, ["expected integer, got 3600.5"]),
        ({"type": "number"}, True, ["expected number, got true"]),
        ({"type": ["string", "null"]}, None, []),
        ({"type": "array", "minItems": 1}, [], ["needs at least 1 item(s)"]),
        ({"type": "array", "uniqueItems": True}, ["a", "a"], ["items must be unique"]),
        (
            {"type": "object", "properties": {"a": {"type": "object", "additionalProperties": False}}},
            {"a": {"b": 1}},
            ["a: unknown property 'b'"],
        ),
        (
            {"type": "object", "additionalProperties": {"type": "string"}},
            {"k": 1},
            ["k: expected string, got 1"],
        ),
    ],
)
def test_schema_problems(schema: dict[str, Any], value: Any, problems: list[str]) -> None:
    assert schema_problems(schema, value) == problems


OPEN_PACK = """\
from pulumi_policy import EnforcementLevel, PolicyConfigSchema, PolicyPack, ResourceValidationPolicy

PolicyPack(
    name="open",
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=[
        ResourceValidationPolicy(
            name="rule",
            description="A rule.",
            validate=lambda args, report_violation: None,
            config_schema=PolicyConfigSchema({"limit": {"type": "integer"}}),
        )
    ],
)
"""


def test_policy_pack_without_closed_schemas_is_still_checked_offline(tmp_path: Path) -> None:
    # A pack whose Configure accepts anything: the offline check alone stops the misspelt key.
    (tmp_path / "__main__.py").write_text(OPEN_PACK)
    with PolicyPackProcess(tmp_path) as pack:
        with pytest.raises(PolicyConfigError) as raised:
            pack.configure({"rule": {"limt": 3}})
        assert raised.value.problems == ("rule: unknown property 'limt' (did you mean 'limit'?)",)
        raw_configure(pack, {"rule": {"limt": 3}})  # the pack itself does not object
