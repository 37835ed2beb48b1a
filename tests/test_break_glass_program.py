"""The program with `iamtiers:break_glass` and `iamtiers:root_management`: what it registers in both modes,
the config errors it stops on, and `iamtiers check` passing the real pack with the admin tier listed."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from offline.running.engine import StackRun, is_unknown, run_stack
from tests.conftest import PROJECT_DIR, stack_config

BREAK_GLASS = {
    "users": [
        {"name": "break-glass-1", "pgp_key": "keybase:bgone"},
        {"name": "break-glass-2", "pgp_key": "keybase:bgtwo"},
    ],
    "alarm_emails": ["security@example.com"],
}
TIER_ARN = "arn:aws:iam::111111111111:role/BreakGlassAdministrator"
ADMIN_TIER_POLICIES = (
    "no-full-admin-access",
    "no-privileged-managed-policy",
    "no-privilege-escalation",
    "no-privilege-escalation-across-policies",
    "no-compute-takeover",
    "no-service-wildcard",
    "risky-actions-unconstrained",
)

ProjectMaker = Callable[[dict[str, Any]], Path]


def config_with(**keys: Any) -> dict[str, Any]:
    config = stack_config("dev")
    config.update({f"iamtiers:{key}": value for key, value in keys.items()})
    return config


@pytest.fixture(params=[True, False], ids=["preview", "update"])
def run(request: pytest.FixtureRequest, project_with_stack: ProjectMaker) -> StackRun:
    project = project_with_stack(config_with(break_glass=BREAK_GLASS, root_management={}))
    return run_stack(project, "test", preview=request.param)


def one(run: StackRun, type_token: str, name: str) -> dict[str, Any]:
    [registration] = [r for r in run.by_type(type_token) if r.name == name]
    return registration.inputs


def test_console_only_users_tagged_break_glass_in_a_group_that_only_switches(run: StackRun) -> None:
    users = {r.inputs["name"]: r.inputs for r in run.by_type("aws:iam/user:User") if "break-glass" in r.name}
    assert sorted(users) == ["break-glass-1", "break-glass-2"]
    assert all(user["tags"]["iamtiers:break-glass"] == "true" for user in users.values())
    owners = {r.name for r in run.by_type("aws:iam/accessKey:AccessKey")}
    assert not any("break-glass" in owner for owner in owners)
    assert {
        r.name for r in run.by_type("aws:iam/userLoginProfile:UserLoginProfile") if "break-glass" in r.name
    } == {
        "break-glass-user-break-glass-1-login-profile",
        "break-glass-user-break-glass-2-login-profile",
    }
    grants = json.loads(
        one(run, "aws:iam/groupPolicy:GroupPolicy", "break-glass-group-assume-tiers")["policy"]
    )
    assert grants["Statement"] == [
        {
            "Sid": "AssumeGrantedRoleTiers",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": [TIER_ARN],
        }
    ]
    attached = [r.name for r in run.by_type("aws:iam/groupPolicyAttachment:GroupPolicyAttachment")]
    assert not any("break-glass" in name for name in attached)


def test_the_tier_is_admin_with_mfa_no_older_than_15_minutes_for_one_hour(run: StackRun) -> None:
    role = one(run, "aws:iam/role:Role", "break-glass-tier")
    assert role["maxSessionDuration"] == 3600
    assert role["tags"]["iamtiers:break-glass"] == "true"
    [statement] = json.loads(role["assumeRolePolicy"])["Statement"]
    assert statement["Condition"]["NumericLessThan"] == {"aws:MultiFactorAuthAge": "900"}
    assert statement["Condition"]["Bool"] == {"aws:MultiFactorAuthPresent": "true"}
    attachment = one(
        run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "break-glass-tier-AdministratorAccess"
    )
    assert attachment["policyArn"] == "arn:aws:iam::aws:policy/AdministratorAccess"


def test_event_rules_in_us_east_1_name_the_users_and_the_tier(run: StackRun) -> None:
    rules = {r.name: r.inputs for r in run.by_type("aws:cloudwatch/eventRule:EventRule")}
    assert {rule["region"] for rule in rules.values()} == {"us-east-1"}
    sign_in = json.loads(rules["break-glass-alarms-sign-in-rule"]["eventPattern"])
    assert sign_in["detail"]["eventName"] == ["ConsoleLogin", "SwitchRole"]
    assert sign_in["detail"]["userIdentity"]["userName"] == ["break-glass-1", "break-glass-2"]
    tier = json.loads(rules["break-glass-alarms-tier-rule"]["eventPattern"])
    assert tier["detail"]["requestParameters"]["roleArn"] == [TIER_ARN]
    targets = run.by_type("aws:cloudwatch/eventTarget:EventTarget")
    assert {r.inputs["region"] for r in targets} == {"us-east-1"} and len(targets) == 2


def test_each_topic_lets_only_eventbridge_and_cloudwatch_of_the_account_publish(run: StackRun) -> None:
    topics = {r.inputs.get("region") for r in run.by_type("aws:sns/topic:Topic") if "break-glass" in r.name}
    assert topics == {"us-east-1", "eu-west-1"}  # the rules' region and the trail's
    for name in ("break-glass-alarms-topic-us-east-1-policy", "break-glass-alarms-topic-eu-west-1-policy"):
        policy = one(run, "aws:sns/topicPolicy:TopicPolicy", name)["policy"]
        if run.preview and is_unknown(policy):
            continue  # built from the topic's ARN, known after the update
        [statement] = json.loads(policy)["Statement"]
        assert statement["Principal"] == {"Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]}
        assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "111111111111"}}


def test_metric_filters_and_alarms_on_the_trails_log_group(run: StackRun) -> None:
    filters = {r.name: r.inputs for r in run.by_type("aws:cloudwatch/logMetricFilter:LogMetricFilter")}
    sign_in = filters["break-glass-alarms-sign-in-filter"]
    assert sign_in["logGroupName"] == "/aws/cloudtrail/baseline-trail"
    assert '($.userIdentity.userName = "break-glass-2")' in sign_in["pattern"]
    assert TIER_ARN in filters["break-glass-alarms-tier-filter"]["pattern"]
    alarm = one(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "break-glass-alarms-tier-alarm")
    assert (alarm["metricName"], alarm["threshold"], alarm["actionsEnabled"]) == (
        "BreakGlassTierAssumed",
        1,
        True,
    )


def test_root_management_enables_both_features(run: StackRun) -> None:
    features = one(run, "aws:iam/organizationsFeatures:OrganizationsFeatures", "root-management")
    assert features["enabledFeatures"] == ["RootCredentialsManagement", "RootSessions"]


def test_root_management_switched_off_creates_nothing(project_with_stack: ProjectMaker) -> None:
    off = {"credentials_management": False, "root_sessions": False}
    project = project_with_stack(config_with(root_management=off))
    assert (
        run_stack(project, "test", preview=True).by_type(
            "aws:iam/organizationsFeatures:OrganizationsFeatures"
        )
        == []
    )
    project = project_with_stack(config_with(root_management={"root_sessions": False}))
    [only] = run_stack(project, "test", preview=True).by_type(
        "aws:iam/organizationsFeatures:OrganizationsFeatures"
    )
    assert only.inputs["enabledFeatures"] == ["RootCredentialsManagement"]


def check(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "offline", "check", "--stack", "test", "--project-dir", str(project), *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (
            {"break_glass": {"users": [{"name": "break-glass-1", "programmatic_access": True}]}},
            "iamtiers:break_glass.users[0].programmatic_access: break-glass users are console only",
        ),
        (
            {"break_glass": {"users": [{"name": "alice.nguyen", "pgp_key": "keybase:alice"}]}},
            "iamtiers:break_glass.users[0].name: user 'alice.nguyen' is also in iamtiers:users",
        ),
        (
            {"break_glass": {}},
            "iamtiers:break_glass.users[0].pgp_key: break-glass user 'break-glass-1' gets a console password",
        ),
        (
            {
                "break_glass": BREAK_GLASS,
                "monitoring": {"cloudtrail": {"enabled": False}, "alarms": {"enabled": False}},
            },
            "iamtiers:monitoring: break-glass use must also raise a CloudWatch alarm",
        ),
    ],
    ids=["access-key", "name-taken", "no-pgp-key", "no-log-group"],
)
def test_config_errors_exit_2_with_the_key_path(
    project_with_stack: ProjectMaker, keys: dict[str, Any], expected: str
) -> None:
    result = check(project_with_stack(config_with(**keys)))
    assert result.returncode == 2, result.stdout[-2000:]
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_check_passes_the_real_pack_with_the_tier_listed_as_admin(
    project_with_stack: ProjectMaker, tmp_path: Path
) -> None:
    project = project_with_stack(config_with(break_glass=BREAK_GLASS, root_management={}))
    pack_config = json.loads((PROJECT_DIR / "policypack/config/dev.json").read_text())
    for name in ADMIN_TIER_POLICIES:
        pack_config[name]["admin_tiers"] = sorted(
            [*pack_config[name]["admin_tiers"], "BreakGlassAdministrator"]
        )
    (tmp_path / "pack.json").write_text(json.dumps(pack_config))
    listed = check(project, "--pack-config", str(tmp_path / "pack.json"))
    assert listed.returncode == 0, listed.stdout[-3000:]
    assert listed.stdout.count("0 mandatory") == 2
    # Without the listing the admin tier is blocked like any other; the alarm rule has nothing to say.
    unlisted = check(project)
    assert unlisted.returncode == 1
    assert "role 'BreakGlassAdministrator' has full admin" in unlisted.stdout
    assert "break-glass-alarmed" not in unlisted.stdout
