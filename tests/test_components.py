"""Each component on its own: exact child types, names, counts and inputs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import pulumi

from components.config import Group as GroupConfig
from components.config import RoleTier as RoleTierConfig
from components.config import User as UserConfig
from components.iam_group import Group, GroupArgs
from components.iam_user import User, UserArgs
from components.policy_documents import mfa_guard_policy
from components.role_tier import RoleTier, RoleTierArgs
from offline.running.engine import StackRun, is_secret, is_unknown
from tests.conftest import policy

Recorder = Callable[..., StackRun]


def child_summary(run: StackRun, component_type: str) -> list[tuple[str, str]]:
    (component,) = run.by_type(component_type)
    return [(r.type, r.name) for r in run.children(component.urn)]


def build_group(members: Sequence[str] = (), **fields: object) -> Callable[[], None]:
    config = GroupConfig.model_validate({"name": "Ops", **fields})

    def build() -> None:
        Group(
            "group-Ops",
            GroupArgs(
                config,
                "111111111111",
                ["arn:aws:iam::111111111111:role/B", "arn:aws:iam::111111111111:role/A"],
                list(members),
            ),
        )

    return build


def test_group_children(record_component: Recorder) -> None:
    run = record_component(
        build_group(
            managed_policies=["ReadOnlyAccess", "job-function/ViewOnlyAccess"],
            statements=[{"actions": ["s3:ListAllMyBuckets"], "resources": ["*"]}],
        )
    )
    assert child_summary(run, "iamtiers:index:Group") == [
        ("aws:iam/group:Group", "group-Ops"),
        ("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "group-Ops-ReadOnlyAccess"),
        ("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "group-Ops-ViewOnlyAccess"),
        ("aws:iam/groupPolicy:GroupPolicy", "group-Ops-mfa-guard"),
        ("aws:iam/groupPolicy:GroupPolicy", "group-Ops-self-service"),
        ("aws:iam/groupPolicy:GroupPolicy", "group-Ops-assume-tiers"),
        ("aws:iam/groupPolicy:GroupPolicy", "group-Ops-inline"),
    ]
    (group,) = run.by_type("aws:iam/group:Group")
    assert group.inputs == {"name": "Ops", "path": "/"}
    attachments = {
        r.name: r.inputs for r in run.by_type("aws:iam/groupPolicyAttachment:GroupPolicyAttachment")
    }
    assert attachments["group-Ops-ViewOnlyAccess"] == {
        "group": "Ops",
        "policyArn": "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
    }
    policies = {r.name: r for r in run.by_type("aws:iam/groupPolicy:GroupPolicy")}
    assert policy(policies["group-Ops-mfa-guard"].inputs) == mfa_guard_policy()
    assert policy(policies["group-Ops-assume-tiers"].inputs)["Statement"][0]["Resource"] == [
        "arn:aws:iam::111111111111:role/A",
        "arn:aws:iam::111111111111:role/B",
    ]
    assert policies["group-Ops-inline"].inputs["name"] == "Ops-inline"
    for registration in policies.values():
        assert registration.property_dependencies["group"] == [group.urn]


def test_group_lists_its_members_in_one_exclusive_membership(record_component: Recorder) -> None:
    run = record_component(build_group(["bashir", "alice"], managed_policies=["ReadOnlyAccess"]))
    assert child_summary(run, "iamtiers:index:Group")[-1] == (
        "aws:iam/groupMembership:GroupMembership",
        "group-Ops-members",
    )
    (membership,) = run.by_type("aws:iam/groupMembership:GroupMembership")
    assert membership.inputs == {"name": "Ops-members", "group": "Ops", "users": ["bashir", "alice"]}
    (group,) = run.by_type("aws:iam/group:Group")
    assert membership.property_dependencies["group"] == [group.urn]
    # Members join only once the group's permissions, the MFA guard among them, exist.
    permissions = [r.urn for r in run.resources if r.type.startswith("aws:iam/groupPolicy")]
    assert set(membership.dependencies) == {group.urn, *permissions}
    assert len(permissions) == 4  # one attachment, the MFA guard, self-service, tier grants
    # Replaced (a renamed group), the old membership must go before the new one lists the members.
    assert membership.delete_before_replace
    assert not any(r.delete_before_replace for r in run.resources if r is not membership)


def test_group_without_members_registers_no_membership(record_component: Recorder) -> None:
    run = record_component(build_group())
    assert not run.by_type("aws:iam/groupMembership:GroupMembership")
    assert not run.by_type("aws:iam/userGroupMembership:UserGroupMembership")


def test_group_guard_and_self_service_can_be_switched_off(record_component: Recorder) -> None:
    run = record_component(build_group(enforce_mfa=False, self_service_credentials=False))
    names = [r.name for r in run.by_type("aws:iam/groupPolicy:GroupPolicy")]
    assert names == ["group-Ops-assume-tiers"]


def build_tier(**fields: object) -> Callable[[], None]:
    config = RoleTierConfig.model_validate({"name": "Ops", "trust": {"this_account": True}, **fields})

    def build() -> None:
        RoleTier("tier-Ops", RoleTierArgs(config, "111111111111", "acme-test", {"managed-by": "iamtiers"}))

    return build


def test_role_tier_children_and_role_inputs(record_component: Recorder) -> None:
    run = record_component(
        build_tier(
            managed_policies=["SecurityAudit", "arn:aws:iam::111111111111:policy/OpsExtra"],
            statements=[{"actions": ["ec2:StartInstances"], "resources": ["*"]}],
            permissions_boundary="PowerUserAccess",
            max_session_duration_seconds=7200,
        )
    )
    assert child_summary(run, "iamtiers:index:RoleTier") == [
        ("aws:iam/role:Role", "tier-Ops"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "tier-Ops-OpsExtra"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "tier-Ops-SecurityAudit"),
        ("aws:iam/rolePolicy:RolePolicy", "tier-Ops-inline"),
    ]
    (role,) = run.by_type("aws:iam/role:Role")
    assert role.inputs["name"] == "Ops"
    assert role.inputs["maxSessionDuration"] == 7200
    assert role.inputs["permissionsBoundary"] == "arn:aws:iam::aws:policy/PowerUserAccess"
    assert role.inputs["tags"] == {"managed-by": "iamtiers", "iamtiers:tier": "Ops"}
    trust = policy(role.inputs, "assumeRolePolicy")
    assert trust["Statement"][0]["Condition"]["Bool"] == {"aws:MultiFactorAuthPresent": "true"}
    (component,) = run.by_type("iamtiers:index:RoleTier")
    assert component.inputs == {}


def test_switch_role_url_uses_the_alias(record_component: Recorder) -> None:
    urls: list[str] = []

    def build() -> None:
        config = RoleTierConfig.model_validate({"name": "Ops", "trust": {"this_account": True}})
        tier = RoleTier("tier-Ops", RoleTierArgs(config, "111111111111", "acme-test", {}))
        tier.switch_role_url.apply(urls.append)

    record_component(build)
    assert urls == ["https://signin.aws.amazon.com/switchrole?roleName=Ops&account=acme-test&displayName=Ops"]


def build_user(
    captured: dict[str, pulumi.Output[str | None]] | None = None, **fields: object
) -> Callable[[], None]:
    config = UserConfig.model_validate({"name": "dana", "groups": ["Ops"], **fields})

    def build() -> None:
        user = User("user-dana", UserArgs(config, {"managed-by": "iamtiers"}))
        if captured is not None:
            captured["password"] = user.initial_password
            captured["secret"] = user.secret_access_key

    return build


def test_console_user_gets_a_forced_reset_and_no_membership(record_component: Recorder) -> None:
    run = record_component(build_user(email="dana@example.com", path="/soc/"))
    assert child_summary(run, "iamtiers:index:User") == [
        ("aws:iam/user:User", "user-dana"),
        ("aws:iam/userLoginProfile:UserLoginProfile", "user-dana-login-profile"),
    ]
    (user,) = run.by_type("aws:iam/user:User")
    assert user.inputs == {
        "name": "dana",
        "path": "/soc/",
        "tags": {"managed-by": "iamtiers", "email": "dana@example.com"},
    }
    (profile,) = run.by_type("aws:iam/userLoginProfile:UserLoginProfile")
    assert profile.inputs == {"user": "dana", "passwordResetRequired": True}
    assert not [r for r in run.resources if "Policy" in r.type or "Membership" in r.type]


def test_console_user_without_keys_registers_three_resources(record_component: Recorder) -> None:
    run = record_component(build_user())
    assert Counter(r.type for r in run.resources) == Counter(
        {
            "iamtiers:index:User": 1,
            "aws:iam/user:User": 1,
            "aws:iam/userLoginProfile:UserLoginProfile": 1,
        }
    )


def test_machine_user_gets_a_key_and_no_login(record_component: Recorder) -> None:
    run = record_component(build_user(console_access=False, programmatic_access=True))
    assert Counter(r.type for r in run.resources) == Counter(
        {
            "iamtiers:index:User": 1,
            "aws:iam/user:User": 1,
            "aws:iam/accessKey:AccessKey": 1,
        }
    )


def test_pgp_key_encrypts_password_and_key(record_component: Recorder) -> None:
    run = record_component(build_user(pgp_key="keybase:dana", console_access=False, programmatic_access=True))
    (key,) = run.by_type("aws:iam/accessKey:AccessKey")
    assert key.inputs == {"user": "dana", "pgpKey": "keybase:dana"}
    run = record_component(build_user(pgp_key="keybase:dana"))
    (profile,) = run.by_type("aws:iam/userLoginProfile:UserLoginProfile")
    assert profile.inputs["pgpKey"] == "keybase:dana"


def test_disabled_user_keeps_only_the_user_and_its_tags(record_component: Recorder) -> None:
    run = record_component(build_user(disabled=True, tags={"team": "soc"}))
    assert child_summary(run, "iamtiers:index:User") == [("aws:iam/user:User", "user-dana")]
    (user,) = run.by_type("aws:iam/user:User")
    assert user.inputs["tags"] == {"managed-by": "iamtiers", "team": "soc", "iamtiers:disabled": "true"}


def test_user_outputs_are_registered_and_secret(record_component: Recorder) -> None:
    run = record_component(build_user())
    (component,) = run.by_type("iamtiers:index:User")
    assert component.custom is False
    assert all(r.parent == component.urn for r in run.resources if r.type != "iamtiers:index:User")
    outputs = run.registered_outputs[component.urn]
    assert outputs["user_name"] == "dana"
    assert outputs["arn"] == "arn:aws:iam::111111111111:user/dana"
    assert is_secret(outputs["initial_password"])


def test_user_outputs_are_unknown_in_preview(record_component: Recorder) -> None:
    run = record_component(build_user(), preview=True)
    (component,) = run.by_type("iamtiers:index:User")
    outputs = run.registered_outputs[component.urn]
    assert is_unknown(outputs["arn"])
    password = outputs["initial_password"]
    assert is_secret(password) and is_unknown(password["value"])


def test_pgp_password_output_is_the_ciphertext(record_component: Recorder) -> None:
    run = record_component(build_user(pgp_key="keybase:dana"))
    (component,) = run.by_type("iamtiers:index:User")
    password = run.registered_outputs[component.urn]["initial_password"]
    assert isinstance(password, str) and password.startswith("wcBMA")
