"""The stack config model: defaults + items, and one clear message per problem."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
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


# Eleven AWS-managed policies that exist (an unknown one is refused before the quota is counted).
ELEVEN_MANAGED_POLICIES = [
    "ReadOnlyAccess",
    "SecurityAudit",
    "IAMReadOnlyAccess",
    "AmazonS3ReadOnlyAccess",
    "AmazonEC2ReadOnlyAccess",
    "AmazonVPCReadOnlyAccess",
    "CloudWatchReadOnlyAccess",
    "AWSCloudTrail_ReadOnlyAccess",
    "AmazonEC2FullAccess",
    "AmazonVPCFullAccess",
    "job-function/ViewOnlyAccess",
]

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
        "set iamtiers:role_tiers.items[4].trust.this_account: true",
    ),
    ("user with no group", [("users.items.2.groups", [])], "users.items[2]: user belongs to no group"),
    (
        "eleven managed policies",
        [("groups.items.0.managed_policies", ELEVEN_MANAGED_POLICIES)],
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


# What AWS would refuse half-way through `pulumi up` (issue 6); each case fails on the old model.
LONG = "a" * 65
AWS_REFUSALS: list[tuple[str, list[tuple[str, Any]], str]] = [
    (
        "non-ASCII user name",
        [("users.items.5.name", "farah.haddád")],
        "users.items[5].name: 'farah.haddád' is not a valid IAM user name: 'á' is not allowed "
        "(ASCII letters, digits and +=,.@_- only, 1-64 characters)",
    ),
    (
        "user name over 64",
        [("users.items.5.name", LONG)],
        f"users.items[5].name: '{LONG[:32]}…' is not a valid IAM user name: 65 characters, the limit is 64",
    ),
    (
        "non-ASCII group name",
        [("groups.items.3.name", "LabGäst"), ("users.items.5.groups", ["LabGäst"])],
        "groups.items[3].name: 'LabGäst' is not a valid IAM group name: 'ä' is not allowed",
    ),
    (
        "non-ASCII group membership",
        [("users.items.5.groups", ["LabGüest"])],
        "users.items[5].groups[0]: 'LabGüest' is not a valid IAM group name",
    ),
    (
        "group name over 128",
        [("groups.items.3.name", "G" * 129), ("users.items.5.groups", ["G" * 129])],
        "groups.items[3].name: '"
        + "G" * 32
        + "…' is not a valid IAM group name: 129 characters, the limit is 128",
    ),
    (
        "group name leaving no room for its inline policy names",
        [("groups.items.3.name", "G" * 120), ("users.items.5.groups", ["G" * 120])],
        "groups.items[3].name: the group's inline policy '<group>-self-service' would have 133 characters "
        "(IAM allows 128); shorten the group name to 115 characters",
    ),
    (
        "non-ASCII role name",
        [("role_tiers.items.4.name", "LectureSeule-é")],
        "role_tiers.items[4].name: 'LectureSeule-é' is not a valid IAM role name: 'é' is not allowed",
    ),
    (
        "role name over 64",
        [("role_tiers.items.4.name", LONG)],
        "role_tiers.items[4].name: '"
        + LONG[:32]
        + "…' is not a valid IAM role name: 65 characters, the limit is 64",
    ),
    (
        "role name with a comma (it becomes a tag value)",
        [("role_tiers.items.4.name", "Read,Only")],
        "role_tiers.items[4].name: 'Read,Only' becomes the role's 'iamtiers:tier' tag value",
    ),
    (
        "non-ASCII remote tier",
        [("groups.items.0.assumable_tiers.4", {"account_id": "222222222222", "tier": "SOC_Analyśt"})],
        "groups.items[0].assumable_tiers[4].tier: 'SOC_Analyśt' is not a valid IAM role name",
    ),
    (
        "non-ASCII managed policy name",
        [("groups.items.3.managed_policies", ["job-function/ViewOnlyÄccess"])],
        "groups.items[3].managed_policies[0]: 'ViewOnlyÄccess' is not a valid IAM policy name: "
        "'Ä' is not allowed",
    ),
    (
        "managed policy name over 128",
        [("groups.items.3.managed_policies", ["P" * 129])],
        "groups.items[3].managed_policies[0]: '" + "P" * 32 + "…' is not a valid IAM policy name: "
        "129 characters, the limit is 128",
    ),
    (
        "non-ASCII managed policy ARN",
        [("groups.items.3.managed_policies", ["arn:aws:iam::111111111111:policy/Lab/Gäst"])],
        "'Gäst' is not a valid IAM policy name: 'ä' is not allowed",
    ),
    (
        "permissions boundary with a double slash",
        [("role_tiers.items.4.permissions_boundary", "arn:aws:iam::111111111111:policy/lab//Boundary")],
        "role_tiers.items[4].permissions_boundary: '/lab//' is not a valid IAM path: '//' is not allowed",
    ),
    (
        "role description over 1000",
        [("role_tiers.items.4.description", "d" * 1001)],
        "role_tiers.items[4].description: 1001 characters, IAM allows 1000 in a role description",
    ),
    (
        "role description outside Latin-1",
        [("role_tiers.items.4.description", "Read-only — audit")],
        "role_tiers.items[4].description: '—' is not allowed in a role description",
    ),
    (
        "path with a double slash",
        [("users.items.0.path", "/soc//")],
        "users.items[0].path: '/soc//' is not a valid IAM path: '//' is not allowed",
    ),
    (
        "path of two slashes",
        [("groups.items.0.path", "//")],
        "groups.items[0].path: '//' is not a valid IAM path: '//' is not allowed",
    ),
    (
        "path over 512",
        [("role_tiers.items.0.path", "/" + "p" * 511 + "/")],
        "role_tiers.items[0].path: '/"
        + "p" * 31
        + "…' is not a valid IAM path: 513 characters, the limit is 512",
    ),
    (
        "path with a space",
        [("users.items.0.path", "/soc team/")],
        "users.items[0].path: '/soc team/' is not a valid IAM path: ' ' is not allowed",
    ),
    (
        "default path with a double slash",
        [("users.defaults.path", "/people//")],
        "users.defaults.path: '/people//' is not a valid IAM path",
    ),
    (
        "remote tier path",
        [("groups.items.0.assumable_tiers.4", {"account_id": "222222222222", "tier": "T", "path": "x/"})],
        "groups.items[0].assumable_tiers[4].path: 'x/' is not a valid IAM path: "
        "it must start and end with '/'",
    ),
    (
        "resource that is not an ARN",
        [("role_tiers.items.0.statements.0.resources", ["my-bucket/*"])],
        "role_tiers.items[0].statements[0].resources[0]: 'my-bucket/*' is neither an ARN "
        "(arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, e.g. arn:aws:s3:::my-bucket/*) nor '*'",
    ),
    (
        "ARN with too few parts",
        [("groups.items.2.statements.0.resources", ["arn:aws:s3:my-bucket"])],
        "groups.items[2].statements[0].resources[0]: 'arn:aws:s3:my-bucket' is neither an ARN",
    ),
    (
        "unknown condition operator",
        [("groups.items.2.statements.0.conditions", {"StringEqual": {"aws:ResourceTag/environment": "lab"}})],
        "groups.items[2].statements[0].conditions.StringEqual: unknown condition operator 'StringEqual' "
        "(did you mean 'StringEquals'?)",
    ),
    (
        "misspelt set qualifier",
        [("groups.items.2.statements.0.conditions", {"ForAllValue:StringLike": {"aws:TagKeys": ["env"]}})],
        "unknown condition operator 'ForAllValue:StringLike' (did you mean 'ForAllValues:StringLike'?)",
    ),
    (
        "Null cannot take IfExists",
        [("groups.items.2.statements.0.conditions", {"NullIfExists": {"aws:TokenIssueTime": "true"}})],
        "unknown condition operator 'NullIfExists' (did you mean 'Null'?)",
    ),
    (
        "tag key with a character IAM refuses",
        [("users.items.0.tags", {"team!": "soc"})],
        "users.items[0].tags.team!: tag key 'team!' has '!', which IAM tags do not allow",
    ),
    (
        "tag value with a character IAM refuses",
        [("users.defaults.tags", {"team": "security#1"})],
        "users.defaults.tags.team: tag value 'security#1' has '#', which IAM tags do not allow",
    ),
    (
        "tag key in the aws: namespace",
        [("role_tiers.items.0.tags", {"AWS:owner": "soc"})],
        "role_tiers.items[0].tags.AWS:owner: tag key 'AWS:owner' starts with 'aws:', which AWS reserves",
    ),
    (
        "tag key over 128",
        [("users.items.0.tags", {"k" * 129: "v"})],
        "tag key '" + "k" * 32 + "…' has 129 characters, the limit is 128",
    ),
    (
        "tag value over 256",
        [("users.items.0.tags", {"team": "v" * 257})],
        "users.items[0].tags.team: tag value of 257 characters, the limit is 256",
    ),
    (
        "email that cannot be a tag value",
        [("users.items.0.email", "o'brien@example.com")],
        "users.items[0].email: the email becomes the user's 'email' tag; tag value \"o'brien@example.com\" "
        'has "\'", which IAM tags do not allow',
    ),
]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("groups.items.3.name", "G" * 115),  # IAM allows 128; the old model stopped at 64
        ("role_tiers.items.4.description", "d" * 1000),
        ("role_tiers.items.4.description", "Lecture seule, équipe d'audit"),  # Latin-1 is allowed
        ("users.items.0.path", "/" + "p" * 510 + "/"),
        ("users.items.0.tags", {"équipe": "sécurité", "cost center": "a_b.c:d/e=f+g-h@i"}),
        ("role_tiers.items.0.statements.0.resources", ["*", "arn:aws:s3:::bucket/${aws:username}/*"]),
        (
            "groups.items.2.statements.0.conditions",
            {
                "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["env*"]},
                "NumericLessThanEquals": {"aws:MultiFactorAuthAge": 3600},
                "Null": {"aws:TokenIssueTime": "false"},
                "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"},
                "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
                "BinaryEquals": {"s3:x": "QmluYXJ5"},
                "BoolIfExists": {"aws:SecureTransport": True},
            },
        ),
        ("groups.items.3.managed_policies", ["arn:aws:iam::111111111111:policy/lab/team/LabGuest"]),
    ],
)
def test_what_aws_accepts_still_passes(path: str, value: Any) -> None:
    raw = copy.deepcopy(shipped("dev"))
    _set(raw, path, value)
    if path == "groups.items.3.name":
        _set(raw, "users.items.5.groups", [value])
    parse_stack_config(raw)


def test_unknown_keys_suggest_the_known_one() -> None:
    raw = copy.deepcopy(shipped("dev"))
    _set(raw, "gruops", {})
    _set(raw, "users.items.0.grups", ["LabUser"])
    _set(raw, "role_tiers.items.4.trust.this_acount", True)
    problems = problems_of(raw)
    assert "iamtiers:gruops: unknown key (did you mean 'groups'?); remove it or fix its spelling" in problems
    assert (
        "iamtiers:users.items[0].grups: unknown key (did you mean 'groups'?); remove it or fix its spelling"
        in (problems)
    )
    assert (
        "iamtiers:role_tiers.items[4].trust.this_acount: unknown key (did you mean 'this_account'?); "
        "remove it or fix its spelling"
    ) in problems


def test_problems_name_the_key_as_pulumi_config_set_path_does() -> None:
    raw = copy.deepcopy(shipped("dev"))
    _set(raw, "users.items.3.groups", ["LabUsers"])
    assert problems_of(raw) == [
        "iamtiers:users.items[3].groups[0]: unknown group 'LabUsers' (did you mean 'LabUser'?)"
    ]


def test_config_namespace_is_the_project_name() -> None:
    import yaml

    from components.config import CONFIG_NAMESPACE
    from tests.conftest import PROJECT_DIR

    assert yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())["name"] == CONFIG_NAMESPACE


def test_every_problem_is_one_line_of_the_error() -> None:
    raw = copy.deepcopy(shipped("dev"))
    _set(raw, "users.items.5.name", "farah.haddád")
    _set(raw, "users.items.0.path", "/soc//")
    _set(raw, "role_tiers.items.0.statements.0.resources", ["bucket"])
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(raw)
    lines = str(caught.value).splitlines()
    assert lines[0] == "stack config has 3 problem(s):"
    assert lines[1:] == [f"  - {problem}" for problem in caught.value.problems]


def test_invalid_config_registers_no_resource() -> None:
    """The program validates all of its config before it registers anything."""
    import runpy

    import pulumi

    from offline.running.engine import record
    from offline.running.stack_files import StackSettings
    from tests.conftest import PROJECT_DIR

    raw = copy.deepcopy(shipped("dev"))
    _set(raw, "users.items.7.name", "gina.wölfe")  # the last entry: everything before it is valid
    config = {f"iamtiers:{key}": json.dumps(value) for key, value in raw.items()}
    stopped: list[str] = []

    def program() -> None:
        try:
            runpy.run_path(str(PROJECT_DIR / "__main__.py"), run_name="__main__")
        except pulumi.RunError as error:
            stopped.append(str(error))

    run = record(
        program, StackSettings("iamtiers", "test", config, "111111111111", "eu-west-1"), preview=False
    )
    assert stopped and "users.items[7].name: 'gina.wölfe' is not a valid IAM user name" in stopped[0]
    assert run.resources == []


@pytest.mark.parametrize(
    ("edits", "expected"),
    [(e, m) for _, e, m in BAD_CONFIGS + AWS_REFUSALS],
    ids=[c for c, _, _ in BAD_CONFIGS + AWS_REFUSALS],
)
def test_bad_config_is_rejected_with_a_message_naming_key_and_fix(
    edits: list[tuple[str, Any]], expected: str
) -> None:
    """Mistakes of shape and reference (BAD_CONFIGS) and what AWS would refuse mid-update (AWS_REFUSALS)."""
    raw = copy.deepcopy(shipped("dev"))
    for path, value in edits:
        _set(raw, path, value)
    problems = problems_of(raw)
    assert any(expected in problem for problem in problems), "\n".join(problems)
    assert all(problem.startswith("iamtiers:") for problem in problems), problems


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


def test_a_name_that_differs_only_by_surrounding_spaces_is_a_duplicate() -> None:
    raw = copy.deepcopy(shipped("dev"))
    users = raw["users"]["items"]
    users.append({**next(u for u in users if u["name"] == "bashir.khan"), "name": "bashir.khan "})
    assert any("duplicate user name 'bashir.khan '" in problem for problem in problems_of(raw))


# --- require_pgp_key: no credential kept only as a stack secret ---------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_shipped_stacks_require_pgp_keys(stack: str) -> None:
    # people-test deploys nowhere; its users keep no key, so that a user's finding is located in its file.
    assert stack_config(stack)["iamtiers:require_pgp_key"] is True


def test_require_pgp_key_refuses_a_user_with_a_credential_and_no_key() -> None:
    raw = copy.deepcopy(shipped("dev"))
    del raw["users"]["defaults"]["pgp_key"]  # only alice.nguyen keeps a key of her own
    raw["users"]["items"][6]["pgp_key"] = "keybase:metrics_bot"  # lab-metrics-publisher
    problems = problems_of(raw)
    no_key = [problem for problem in problems if "no pgp_key" in problem]
    # Every enabled console user but alice.nguyen; gina.wolfe (disabled) gets no credential.
    assert [problem.split(":", 2)[1].split(": ", 1)[0] for problem in no_key] == [
        f"users.items[{index}].pgp_key" for index in range(1, 6)
    ]
    assert no_key[0] == (
        "iamtiers:users.items[1].pgp_key: user 'bashir.khan' gets a console password but has no pgp_key, "
        "and iamtiers:require_pgp_key is true; set pgp_key to the person's base64 PGP public key or "
        "'keybase:<username>' (or turn off console_access/programmatic_access)"
    )
    assert problems == no_key


def test_require_pgp_key_names_an_access_key_too() -> None:
    raw = copy.deepcopy(shipped("dev"))
    del raw["users"]["defaults"]["pgp_key"]
    raw["users"]["items"] = [raw["users"]["items"][6]]  # lab-metrics-publisher only
    raw["access_tests"] = []
    (problem,) = problems_of(raw)
    assert "user 'lab-metrics-publisher' gets an access key but has no pgp_key" in problem


def test_without_require_pgp_key_a_user_may_have_no_key() -> None:
    raw = copy.deepcopy(shipped("dev"))
    del raw["users"]["defaults"]["pgp_key"]
    raw["require_pgp_key"] = False
    assert parse_stack_config(raw).require_pgp_key is False
    del raw["require_pgp_key"]
    assert parse_stack_config(raw).require_pgp_key is False  # off unless a stack turns it on


def test_require_pgp_key_must_be_a_boolean() -> None:
    raw = copy.deepcopy(shipped("dev"))
    raw["require_pgp_key"] = "yes"
    assert any(problem.startswith("iamtiers:require_pgp_key: ") for problem in problems_of(raw))


def test_a_user_without_a_key_stops_the_check_with_exit_2(
    project_with_stack: Callable[[dict[str, Any]], Path],
) -> None:
    from tests.test_cli import check

    config = stack_config("dev")
    del config["iamtiers:users"]["defaults"]["pgp_key"]
    result = check("--stack", "test", "--project-dir", str(project_with_stack(config)))
    assert result.returncode == 2, result.stdout
    assert "iamtiers:users.items[1].pgp_key: user 'bashir.khan' gets a console password" in result.stderr
    assert "Pulumi.test.yaml" in result.stderr  # the file to fix
    assert "Traceback" not in result.stderr + result.stdout
