"""The stack config model: defaults + items, and one clear message per problem."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.config import ConfigError, RemoteTier, parse_stack_config
from tests.conftest import stack_config

GITHUB_OIDC = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"


def shipped(stack: str) -> dict[str, Any]:
    return {
        key.split(":", 1)[1]: value
        for key, value in stack_config(stack).items()
        if key.startswith("iamtiers:")
    }


def problems_of(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(raw)
    return caught.value.problems


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_shipped_stacks_parse(stack: str) -> None:
    config = parse_stack_config(shipped(stack))
    assert config.account.id in {"111111111111", "222222222222"}


def test_defaults_fill_items_and_tags_merge() -> None:
    config = parse_stack_config(shipped("dev"))
    farah = next(u for u in config.users if u.name == "farah.haddad")
    assert farah.tags == {"team": "partners"}
    alice = next(u for u in config.users if u.name == "alice.nguyen")
    assert alice.tags == {"team": "security"}
    assert alice.console_access is True and alice.programmatic_access is False
    readonly = config.tier("ReadOnly")
    assert readonly.trust.this_account is False and readonly.trust.accounts == ["333333333333"]
    assert config.tier("SOC_Analyst").trust.this_account is True


def test_safe_defaults_for_bare_entries() -> None:
    config = parse_stack_config(
        {
            "account": {"id": "111111111111", "alias": "acme"},
            "groups": {"items": [{"name": "G"}]},
            "role_tiers": {"items": [{"name": "T", "trust": {"this_account": True}}]},
            "users": {"items": [{"name": "u", "groups": ["G"]}]},
        }
    )
    group, tier, user = config.groups[0], config.role_tiers[0], config.users[0]
    assert (group.enforce_mfa, group.self_service_credentials) == (True, True)
    assert (tier.require_mfa, tier.max_mfa_age_seconds, tier.max_session_duration_seconds) == (
        True,
        3600,
        3600,
    )
    assert (user.console_access, user.programmatic_access, user.disabled) == (True, False, False)
    policy = config.password_policy
    assert (policy.minimum_length, policy.reuse_prevention) == (14, 24)
    assert all(
        (
            policy.require_uppercase,
            policy.require_lowercase,
            policy.require_numbers,
            policy.require_symbols,
            policy.allow_users_to_change,
        )
    )
    monitoring = config.monitoring
    assert monitoring.cloudtrail.enabled and monitoring.alarms.enabled and monitoring.config_rules.enabled
    assert monitoring.alarms.failed_signin_threshold == 3
    assert monitoring.alarms.failed_signin_period_seconds == 300


def _set(raw: dict[str, Any], path: str, value: Any) -> None:
    """Set `a.b[2].c` in a nested dict/list; a value of ... deletes the key."""
    node: Any = raw
    parts = path.replace("]", "").replace("[", ".").split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    last = parts[-1]
    if value is ...:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value


# (case id, dev-stack edits, message expected among the problems)
BAD_CONFIGS: list[tuple[str, list[tuple[str, Any]], str]] = [
    ("unknown top-level key", [("gruops", {})], "gruops: unknown key"),
    ("unknown item key", [("users.items.0.grups", ["LabUser"])], "users.items[0].grups: unknown key"),
    ("unknown defaults key", [("groups.defaults.enforce", True)], "groups.defaults.enforce: unknown key"),
    (
        "wrong type",
        [("groups.defaults.enforce_mfa", "yes please")],
        "groups.defaults.enforce_mfa: Input should be a valid boolean",
    ),
    (
        "misspelt group",
        [("users.items.0.groups", ["SOC_Admin"])],
        "users.items[0].groups[0]: unknown group 'SOC_Admin' (did you mean 'SOC_Admins'?)",
    ),
    (
        "misspelt tier",
        [("groups.items.0.assumable_tiers.0", "SOC_Analist")],
        "groups.items[0].assumable_tiers[0]: unknown role tier 'SOC_Analist' (did you mean 'SOC_Analyst'?)",
    ),
    (
        "tier not trusting this account",
        [("groups.items.1.assumable_tiers", ["ReadOnly"])],
        "groups.items[1].assumable_tiers[0]: tier 'ReadOnly' does not trust this account's users; "
        "set role_tiers.items[4].trust.this_account: true",
    ),
    ("user with no group", [("users.items.2.groups", [])], "users.items[2]: user belongs to no group"),
    (
        "eleven managed policies",
        [("groups.items.0.managed_policies", [f"Policy{i}" for i in range(11)])],
        "groups.items[0].managed_policies: 11 managed policies exceed the IAM quota of 10 per group",
    ),
    (
        "duplicate user",
        [("users.items.1.name", "Alice.Nguyen")],
        "users.items[1].name: duplicate user name 'Alice.Nguyen' (also users.items[0]",
    ),
    (
        "duplicate group",
        [("groups.items.2.name", "LabAdmin")],
        "groups.items[2].name: duplicate group name 'LabAdmin'",
    ),
    (
        "malformed policy ARN",
        [("groups.items.3.managed_policies", ["arn:aws:iam:::policy/Foo"])],
        "is not a managed policy ARN",
    ),
    (
        "malformed account id",
        [("account.id", "11111111111")],
        "account.id: '11111111111' has the wrong shape (an account id is 12 digits",
    ),
    (
        "malformed trusted account",
        [("role_tiers.items.4.trust.accounts", ["3333"])],
        "role_tiers.items[4].trust.accounts[0]: '3333' has the wrong shape",
    ),
    (
        "malformed email",
        [("users.items.0.email", "alice-at-example")],
        "users.items[0].email: 'alice-at-example' has the wrong shape (expected an email address",
    ),
    (
        "malformed alarm email",
        [("monitoring.alarms.emails", ["soc@"])],
        "monitoring.alarms.emails[0]: 'soc@' has the wrong shape",
    ),
    (
        "unknown action",
        [("role_tiers.items.0.statements.0.actions", ["iam:UploadSigningCert"])],
        "unknown action 'iam:UploadSigningCert' (did you mean 'iam:UploadSigningCertificate'?)",
    ),
    (
        "unknown service",
        [("role_tiers.items.0.statements.0.actions", ["ecc2:StartInstances"])],
        "unknown service prefix 'ecc2'",
    ),
    (
        "tier without MFA",
        [("role_tiers.items.0.require_mfa", False)],
        "role_tiers.items[0]: IAM principals may assume this tier without MFA",
    ),
    (
        "tier trusting nobody",
        [("role_tiers.items.4.trust", {})],
        "role_tiers.items[4]: trust names no principal",
    ),
    (
        "console user with key",
        [("users.items.0.programmatic_access", True)],
        "users.items[0]: console users get no access key at creation",
    ),
    (
        "statement with both forms",
        [("groups.items.2.statements.0.not_actions", ["s3:*"])],
        "give exactly one of 'actions' or 'not_actions'",
    ),
    (
        "session too long",
        [("role_tiers.items.0.max_session_duration_seconds", 50000)],
        "role_tiers.items[0].max_session_duration_seconds: Input should be less than or equal to 43200",
    ),
    (
        "alarms without events",
        [("monitoring.cloudtrail", {"enabled": False})],
        "monitoring: alarms need CloudTrail events",
    ),
    (
        "bad alias",
        [("account.alias", "Acme_Security")],
        "account.alias: 'Acme_Security' is not an account alias",
    ),
    ("items not a list", [("users.items", {"name": "x"})], "users.items: expected a list of entries"),
    (
        "remote tier naming this account",
        [("groups.items.0.assumable_tiers.4", {"account_id": "111111111111", "tier": "SOC_Analyst"})],
        "groups.items[0].assumable_tiers[4]: tier of this account; name it directly as 'SOC_Analyst'",
    ),
    (
        "armoured PGP key",
        [("users.items.0.pgp_key", "-----BEGIN PGP PUBLIC KEY BLOCK-----")],
        "users.items[0].pgp_key: expected 'keybase:<username>' or a base64-encoded PGP public key",
    ),
    (
        "wildcard OIDC subject",
        [
            (
                "role_tiers.items.4.trust",
                {
                    "oidc": [
                        {
                            "provider_arn": GITHUB_OIDC,
                            "audiences": ["sts.amazonaws.com"],
                            "subjects": ["*"],
                        }
                    ]
                },
            )
        ],
        "subject '*' trusts every identity of the provider",
    ),
]


@pytest.mark.parametrize(
    ("edits", "expected"), [(e, m) for _, e, m in BAD_CONFIGS], ids=[c for c, _, _ in BAD_CONFIGS]
)
def test_bad_config_is_rejected_with_a_message_naming_key_and_fix(
    edits: list[tuple[str, Any]], expected: str
) -> None:
    raw = copy.deepcopy(shipped("dev"))
    for path, value in edits:
        _set(raw, path, value)
    problems = problems_of(raw)
    assert any(expected in problem for problem in problems), "\n".join(problems)


def test_every_problem_is_reported_at_once() -> None:
    raw = copy.deepcopy(shipped("dev"))
    _set(raw, "gruops", {})
    _set(raw, "users.items.0.groups", ["SOC_Admin"])
    _set(raw, "account.id", "1")
    problems = problems_of(raw)
    assert len(problems) == 3, problems


def test_disabled_user_keeps_groups_on_record_without_needing_one() -> None:
    raw = copy.deepcopy(shipped("dev"))
    _set(raw, "users.items.7.groups", [])
    config = parse_stack_config(raw)
    gina = next(u for u in config.users if u.name == "gina.wolfe")
    assert gina.disabled and config.user_tier_arns(gina) == []


def test_remote_tiers_resolve_to_the_other_accounts_role() -> None:
    config = parse_stack_config(shipped("dev"))
    assert config.role_arn(RemoteTier(account_id="222222222222", tier="SOC_Analyst")) == (
        "arn:aws:iam::222222222222:role/SOC_Analyst"
    )
    alice = next(u for u in config.users if u.name == "alice.nguyen")
    assert "arn:aws:iam::222222222222:role/SOC_Administrator" in config.user_tier_arns(alice)


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_entry_order_does_not_change_the_model(random: Any) -> None:
    raw = copy.deepcopy(shipped("dev"))
    for key in ("groups", "role_tiers", "users"):
        random.shuffle(raw[key]["items"])
    for group in raw["groups"]["items"]:
        random.shuffle(group.get("managed_policies", []))
    shuffled = parse_stack_config(raw)
    original = parse_stack_config(shipped("dev"))
    assert sorted(g.name for g in shuffled.groups) == sorted(g.name for g in original.groups)
    for user in original.users:
        twin = next(u for u in shuffled.users if u.name == user.name)
        assert shuffled.user_tier_arns(twin) == original.user_tier_arns(user)


def test_every_config_key_is_declared_in_the_project_file() -> None:
    import yaml

    from components.config import StackConfig
    from tests.conftest import PROJECT_DIR

    declared = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())["config"]
    assert set(declared) == {f"iamtiers:{key}" for key in StackConfig.model_fields}
    assert all(entry["description"].strip() for entry in declared.values())
