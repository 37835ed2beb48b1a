"""Whole shipped stacks, run through the real program in preview and update modes."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
import yaml

from components.outputs import (
    OUTPUT_ACCESS_KEYS,
    OUTPUT_AWS_CONFIG,
    OUTPUT_INITIAL_PASSWORDS,
    OUTPUT_ROLE_TIER_ARNS,
    OUTPUT_SIGN_IN_URL,
    OUTPUT_SWITCH_ROLE_URLS,
    OUTPUT_USERS,
)
from components.policy_documents import mfa_guard_policy
from offline.running.engine import STACK_TYPE, StackRun, is_secret, is_unknown
from tests.conftest import PROJECT_DIR, policy, stack_config, stack_run

DEV_USERS = {
    "alice.nguyen",
    "bashir.khan",
    "carmen.diaz",
    "dmitri.ivanov",
    "emma.wright",
    "farah.haddad",
    "lab-metrics-publisher",
    "gina.wolfe",
}
DEV_TIERS = {
    "SOC_Analyst",
    "SOC_Engineer",
    "SOC_Manager",
    "SOC_Administrator",
    "ReadOnly",
    "LabAdministrator",
    "GitHubDeploy",
    "GitHubPreview",
}
# The tiers GitHub Actions assumes (.github/workflows), in every shipped stack: (tier, OIDC subject).
CI_TIERS = {"GitHubDeploy": "environment:{stack}", "GitHubPreview": "environment:preview-{stack}"}
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
DEV_GROUPS = {"SOC_Admins", "LabAdmin", "LabUser", "LabGuest", "Automation"}
SOC_ADMINS_POLICIES = {
    "AmazonVPCFullAccess",
    "AmazonEC2FullAccess",
    "AmazonS3ReadOnlyAccess",
    "CloudWatchFullAccessV2",
    "AWSCloudTrail_FullAccess",
    "IAMReadOnlyAccess",
    "AWSArtifactReportsReadOnlyAccess",
}


def names(run: StackRun, type_token: str) -> set[str]:
    return {r.inputs.get("name", r.name) for r in run.by_type(type_token)}


def test_dev_identities(dev_run: StackRun) -> None:
    assert names(dev_run, "aws:iam/user:User") == DEV_USERS
    assert names(dev_run, "aws:iam/group:Group") == DEV_GROUPS
    assert names(dev_run, "aws:iam/role:Role") >= DEV_TIERS
    counts = Counter(r.type for r in dev_run.resources)
    assert counts["aws:iam/userLoginProfile:UserLoginProfile"] == 6
    assert counts["aws:iam/accessKey:AccessKey"] == 1
    assert counts["aws:iam/groupMembership:GroupMembership"] == 5  # one per group; each has members
    assert counts["aws:iam/userGroupMembership:UserGroupMembership"] == 0
    assert counts["iamtiers:index:AccountBaseline"] == 1


def test_no_permission_is_ever_attached_to_a_user(shipped_run: StackRun) -> None:
    forbidden = {
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "aws:iam/policyAttachment:PolicyAttachment",
    }
    assert not [r.urn for r in shipped_run.resources if r.type in forbidden]


def test_soc_admins_get_exactly_the_requested_policies(dev_run: StackRun) -> None:
    attachments = [
        r
        for r in dev_run.by_type("aws:iam/groupPolicyAttachment:GroupPolicyAttachment")
        if r.inputs["group"] == "SOC_Admins"
    ]
    assert {a.inputs["policyArn"].rsplit("/", 1)[1] for a in attachments} == SOC_ADMINS_POLICIES
    assert len(attachments) == 7


def test_every_console_user_is_in_an_mfa_guarded_group_and_must_reset(dev_run: StackRun) -> None:
    guards = {
        r.inputs["group"]
        for r in dev_run.by_type("aws:iam/groupPolicy:GroupPolicy")
        if r.inputs["policy"] == json.dumps(mfa_guard_policy(), sort_keys=True, separators=(",", ":"))
    }
    assert guards == {"SOC_Admins", "LabAdmin", "LabUser", "LabGuest"}
    guarded_users = {
        user
        for r in dev_run.by_type("aws:iam/groupMembership:GroupMembership")
        if r.inputs["group"] in guards
        for user in r.inputs["users"]
    }
    profiles = dev_run.by_type("aws:iam/userLoginProfile:UserLoginProfile")
    assert len(profiles) == 6
    for profile in profiles:
        assert profile.inputs["passwordResetRequired"] is True, profile.urn
        assert profile.inputs["user"] in guarded_users, profile.urn


def enabled_members(config: dict[str, Any]) -> dict[str, list[str]]:
    """Group -> the enabled users whose stack-file entry lists it, sorted: what each group must list."""
    users = config["iamtiers:users"]
    members: dict[str, list[str]] = {}
    for item in users["items"]:
        user = {**users.get("defaults", {}), **item}
        if not user.get("disabled", False):
            for group in user["groups"]:
                members.setdefault(group, []).append(user["name"])
    return {group: sorted(names) for group, names in members.items()}


@pytest.mark.parametrize("stack", ["dev", "people-test"])
def test_each_group_lists_exactly_its_enabled_members_once(stack: str) -> None:
    config = stack_config(stack)
    users = config["iamtiers:users"]
    if set(users) == {"file"}:  # the people live in a collection file of the project
        users = yaml.safe_load((PROJECT_DIR / users["file"]).read_text())
    config["iamtiers:users"] = users
    expected = enabled_members(config)
    for preview in (True, False):
        run = stack_run(stack, preview=preview)
        memberships = run.by_type("aws:iam/groupMembership:GroupMembership")
        listed = Counter(r.inputs["group"] for r in memberships)
        assert listed == Counter(set(expected)), "one GroupMembership per group with members, none else"
        users_by_urn = {r.urn: r.inputs["name"] for r in run.by_type("aws:iam/user:User")}
        for membership in memberships:
            group = membership.inputs["group"]
            assert membership.inputs["users"] == expected[group], membership.urn
            assert membership.inputs["name"] == f"{group}-members"
            assert membership.name == f"group-{group}-members"
            assert run.by_urn(membership.parent).type == "iamtiers:index:Group"
            resolved = sorted(users_by_urn[urn] for urn in membership.property_dependencies["users"])
            assert resolved == expected[group], membership.urn  # the pack resolves them in preview
        assert not run.by_type("aws:iam/userGroupMembership:UserGroupMembership")


def test_role_tiers_are_mfa_gated(shipped_run: StackRun) -> None:
    tiers = [
        r for r in shipped_run.by_type("aws:iam/role:Role") if "iamtiers:tier" in r.inputs.get("tags", {})
    ]
    assert tiers
    for role in tiers:
        for statement in policy(role.inputs, "assumeRolePolicy")["Statement"]:
            if "AWS" in statement["Principal"]:
                assert statement["Condition"]["Bool"] == {"aws:MultiFactorAuthPresent": "true"}, role.urn
                assert "aws:MultiFactorAuthAge" in statement["Condition"]["NumericLessThan"], role.urn


def test_soc_administrator_needs_fresh_mfa(dev_run: StackRun) -> None:
    (role,) = [r for r in dev_run.by_type("aws:iam/role:Role") if r.inputs.get("name") == "SOC_Administrator"]
    (statement,) = policy(role.inputs, "assumeRolePolicy")["Statement"]
    assert statement["Condition"]["NumericLessThan"] == {"aws:MultiFactorAuthAge": "900"}


def test_prod_is_a_spoke_trusting_the_identity_account(prod_run_any: StackRun) -> None:
    assert not prod_run_any.by_type("aws:iam/user:User")
    assert not prod_run_any.by_type("aws:iam/group:Group")
    roles = [r for r in prod_run_any.by_type("aws:iam/role:Role") if "iamtiers:tier" in r.inputs["tags"]]
    assert {r.inputs["name"] for r in roles} == {"SOC_Analyst", "SOC_Administrator", *CI_TIERS}
    for role in roles:
        if role.inputs["name"] in CI_TIERS:
            continue  # test_ci_tiers_trust_only_their_repository_pin
        (statement,) = policy(role.inputs, "assumeRolePolicy")["Statement"]
        assert statement["Principal"] == {"AWS": ["arn:aws:iam::111111111111:root"]}


@pytest.mark.parametrize(("stack", "account"), [("dev", "111111111111"), ("prod", "222222222222")])
def test_ci_tiers_trust_only_their_repository_pin(
    stack: str, account: str, dev_update: StackRun, prod_update: StackRun
) -> None:
    run = {"dev": dev_update, "prod": prod_update}[stack]
    roles = {r.inputs.get("name"): r for r in run.by_type("aws:iam/role:Role")}
    for tier, subject in CI_TIERS.items():
        (statement,) = policy(roles[tier].inputs, "assumeRolePolicy")["Statement"]
        assert statement == {
            "Sid": "AssumeFromOidc0",
            "Effect": "Allow",
            "Principal": {"Federated": f"arn:aws:iam::{account}:oidc-provider/{GITHUB_OIDC_HOST}"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {f"{GITHUB_OIDC_HOST}:aud": ["sts.amazonaws.com"]},
                "StringLike": {
                    f"{GITHUB_OIDC_HOST}:sub": [f"repo:acme/iamtiers:{subject.format(stack=stack)}"]
                },
            },
        }, tier
    # Pull request code runs with the preview tier: it holds no permission at all.
    preview_grants = [
        r
        for r in run.resources
        if r.type in ("aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        and r.inputs["role"] == "GitHubPreview"
    ]
    assert preview_grants == []


@pytest.fixture(params=[True, False], ids=["preview", "update"])
def prod_run_any(request: pytest.FixtureRequest, prod_preview: StackRun, prod_update: StackRun) -> StackRun:
    return prod_preview if request.param else prod_update


def test_children_are_parented_and_dependencies_recorded(dev_preview: StackRun) -> None:
    stack = next(r for r in dev_preview.registrations if r.type == STACK_TYPE)
    for registration in dev_preview.resources:
        if registration.custom:
            parent = dev_preview.by_urn(registration.parent)
            assert parent.type.startswith("iamtiers:index:"), registration.urn
        else:
            assert registration.parent == stack.urn
    (membership,) = [
        r
        for r in dev_preview.by_type("aws:iam/groupMembership:GroupMembership")
        if r.inputs["group"] == "SOC_Admins"
    ]
    group_urn = next(
        r.urn for r in dev_preview.by_type("aws:iam/group:Group") if r.inputs["name"] == "SOC_Admins"
    )
    alice_urn = next(
        r.urn for r in dev_preview.by_type("aws:iam/user:User") if r.inputs["name"] == "alice.nguyen"
    )
    assert membership.property_dependencies["group"] == [group_urn]
    assert alice_urn in membership.property_dependencies["users"]
    assert {group_urn, alice_urn} <= set(membership.dependencies)


def test_preview_leaves_computed_values_unknown(dev_preview: StackRun) -> None:
    outputs = dev_preview.outputs
    assert all(is_unknown(arn) for arn in outputs[OUTPUT_ROLE_TIER_ARNS].values())
    for name, password in outputs[OUTPUT_INITIAL_PASSWORDS].items():
        value = password["value"] if is_secret(password) else password
        assert is_unknown(value), name


def test_update_outputs(dev_update: StackRun) -> None:
    outputs = dev_update.outputs
    assert outputs[OUTPUT_SIGN_IN_URL] == "https://acme-security.signin.aws.amazon.com/console"
    assert set(outputs[OUTPUT_SWITCH_ROLE_URLS]) == DEV_TIERS
    assert outputs[OUTPUT_SWITCH_ROLE_URLS]["SOC_Analyst"] == (
        "https://signin.aws.amazon.com/switchrole?roleName=SOC_Analyst&account=acme-security&displayName=SOC_Analyst"
    )
    assert outputs[OUTPUT_ROLE_TIER_ARNS]["ReadOnly"] == "arn:aws:iam::111111111111:role/ReadOnly"
    carmen = outputs[OUTPUT_USERS]["carmen.diaz"]
    assert carmen == {
        "groups": ["LabAdmin"],
        "assumable_tiers": [
            "arn:aws:iam::111111111111:role/LabAdministrator",
            "arn:aws:iam::111111111111:role/SOC_Analyst",
        ],
        "console_access": True,
        "programmatic_access": False,
        "disabled": False,
    }
    assert outputs[OUTPUT_USERS]["gina.wolfe"]["groups"] == []
    snippet = outputs[OUTPUT_AWS_CONFIG]["carmen.diaz"]
    assert snippet == (
        "[profile acme-security-LabAdministrator]\n"
        "role_arn = arn:aws:iam::111111111111:role/LabAdministrator\n"
        "source_profile = acme-security-carmen.diaz\n"
        "mfa_serial = arn:aws:iam::111111111111:mfa/carmen.diaz\n"
        "\n"
        "[profile acme-security-SOC_Analyst]\n"
        "role_arn = arn:aws:iam::111111111111:role/SOC_Analyst\n"
        "source_profile = acme-security-carmen.diaz\n"
        "mfa_serial = arn:aws:iam::111111111111:mfa/carmen.diaz\n"
    )
    assert "[profile 222222222222-SOC_Administrator]" in outputs[OUTPUT_AWS_CONFIG]["alice.nguyen"]


def test_secrets_never_appear_in_plaintext(dev_update: StackRun) -> None:
    outputs = dev_update.outputs
    passwords = outputs[OUTPUT_INITIAL_PASSWORDS]
    assert set(passwords) == {
        "alice.nguyen",
        "bashir.khan",
        "carmen.diaz",
        "dmitri.ivanov",
        "emma.wright",
        "farah.haddad",
    }
    # dev requires a PGP key (iamtiers:require_pgp_key): every credential is ciphertext, none a secret.
    for name, password in passwords.items():
        assert password.startswith("wcBMA"), name
    key = outputs[OUTPUT_ACCESS_KEYS]["lab-metrics-publisher"]
    assert key["secret_access_key"].startswith("wcBMA")
    assert key["access_key_id"].startswith("AKIA")

    # The plaintext the provider returned must not appear anywhere outside a secret envelope.
    def plain_strings(value: object) -> list[str]:
        if is_secret(value):
            return []
        if isinstance(value, dict):
            return [s for item in value.values() for s in plain_strings(item)]
        if isinstance(value, list):
            return [s for item in value for s in plain_strings(item)]
        return [value] if isinstance(value, str) else []

    assert not [s for s in plain_strings(outputs) if s.startswith("Mock-")]


def test_every_policy_document_is_known_at_preview(shipped_run: StackRun) -> None:
    """So that the policy pack judges every document at preview, not only at update."""
    documents = [
        (r.urn, r.inputs[key])
        for r in shipped_run.resources
        for key in ("policy", "assumeRolePolicy")
        if key in r.inputs
    ]
    assert len(documents) >= 2
    for urn, document in documents:
        assert isinstance(document, str) and not is_unknown(document), urn
        json.loads(document)
