"""`no-compute-takeover`, through the real pack: the thirteen ways of taking over compute that runs with a
role, each on every resource (blocked), on named resources (passes), confined by a resource tag to what
its holder owns (passes), or under a condition that narrows nothing, such as MFA (still blocked)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from iam_guard import types
from iam_guard.data.privilege_escalation import PRIVILEGE_ESCALATION_METHODS
from iam_guard.escalation import HIJACK_CATEGORY

from offline.judging.analyzer_client import Diagnostic
from tests.policypack.conftest import IN_FORCE, PackAnalyzer

POLICY = "no-compute-takeover"
ACCOUNT = "111111111111"
REGION = "eu-west-1"
INSTANCE = f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-0123456789abcdef0"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:lab-report"
STACK = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/lab-network/*"
NOTEBOOK = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:notebook-instance/lab-notebook"
OWNED_BY_CALLER = "${aws:username}"
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "NumericLessThan": {"aws:MultiFactorAuthAge": "900"}}


@dataclass(frozen=True)
class Shape:
    """One takeover: its actions, the escalation-table row it completes, named resources that scope it,
    a wildcard ARN that still covers every resource of its kind, and the resource-tag key that confines it."""

    id: str
    actions: tuple[str, ...]
    method_id: str
    named: tuple[str, ...]
    every: str
    tag_key: str = "aws:ResourceTag/owner"


SHAPES = (
    Shape(
        "lambda-code",
        ("lambda:UpdateFunctionCode",),
        "PRIVESC-P3-101",
        (FUNCTION,),
        "arn:aws:lambda:*:*:function:*",
    ),
    Shape(
        "lambda-layers",
        ("lambda:UpdateFunctionConfiguration",),
        "PRIVESC-P3-102",
        (FUNCTION,),
        "arn:aws:lambda:*:*:function:*",
    ),
    Shape(
        "glue-dev-endpoint",
        ("glue:UpdateDevEndpoint",),
        "PRIVESC-P3-98",
        (f"arn:aws:glue:{REGION}:{ACCOUNT}:devEndpoint/lab-etl",),
        f"arn:aws:glue:{REGION}:{ACCOUNT}:devEndpoint/*",
    ),
    Shape(
        "cloudformation-update-stack",
        ("cloudformation:UpdateStack",),
        "PRIVESC-P3-87",
        (STACK,),
        "arn:aws:cloudformation:*:*:stack/*",
    ),
    Shape(
        "cloudformation-change-set",
        ("cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"),
        "PRIVESC-P3-86",
        (STACK,),
        "arn:aws:cloudformation:*:*:stack/*",
    ),
    Shape(
        "ec2-instance-connect",
        ("ec2-instance-connect:SendSSHPublicKey",),
        "PRIVESC-P3-93",
        (INSTANCE,),
        "arn:aws:ec2:*:*:instance/*",
        "ec2:ResourceTag/owner",
    ),
    Shape(
        "ssm-send-command",
        ("ssm:SendCommand",),
        "PRIVESC-P3-105",
        (INSTANCE, f"arn:aws:ssm:{REGION}:{ACCOUNT}:document/lab-patch"),
        "arn:aws:ssm:*:*:document/*",
        "ssm:resourceTag/owner",
    ),
    Shape(
        "ssm-start-session",
        ("ssm:StartSession",),
        "PRIVESC-P3-106",
        (INSTANCE,),
        "arn:aws:ec2:*:*:instance/*",
        "ssm:resourceTag/owner",
    ),
    Shape(
        "ecs-exec",
        ("ecs:ExecuteCommand",),
        "PRIVESC-P3-111",
        (f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/lab", f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/lab/*"),
        "arn:aws:ecs:*:*:task/*",
    ),
    Shape(
        "sagemaker-presigned-url",
        ("sagemaker:CreatePresignedNotebookInstanceUrl",),
        "PRIVESC-P3-104",
        (NOTEBOOK,),
        "arn:aws:sagemaker:*:*:notebook-instance/*",
    ),
    Shape(
        "sagemaker-lifecycle-config",
        (
            "sagemaker:CreateNotebookInstanceLifecycleConfig",
            "sagemaker:StartNotebookInstance",
            "sagemaker:StopNotebookInstance",
            "sagemaker:UpdateNotebookInstance",
        ),
        "PRIVESC-P3-103",
        (NOTEBOOK, f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:notebook-instance-lifecycle-config/lab-setup"),
        "arn:aws:sagemaker:*:*:notebook-instance*",
    ),
    Shape(
        "ec2-user-data-and-restart",
        ("ec2:ModifyInstanceAttribute", "ec2:StopInstances", "ec2:StartInstances"),
        "PRIVESC-P3-96",
        (INSTANCE,),
        "arn:aws:ec2:*:*:instance/*",
        "ec2:ResourceTag/owner",
    ),
    Shape(
        "ec2-launch-template-version",
        ("ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"),
        "PRIVESC-P3-95",
        (f"arn:aws:ec2:{REGION}:{ACCOUNT}:launch-template/lt-0123456789abcdef0",),
        "arn:aws:ec2:*:*:launch-template/*",
        "ec2:ResourceTag/owner",
    ),
)
IDS = [shape.id for shape in SHAPES]


def policy(actions: tuple[str, ...], resource: Any = "*", condition: dict[str, Any] | None = None) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": list(actions), "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def group_policy(analyzer: PackAnalyzer, document: str) -> list[Diagnostic]:
    return analyzer.resource(types.GROUP_POLICY, {"group": "LabOps", "policy": document}, name="lab-ops")


def takeovers(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.policy_name == POLICY]


def mandatory(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.finding for d in diagnostics if d.enforcement_level == "mandatory"]


def assert_blocked(found: list[Diagnostic], shape: Shape) -> None:
    (finding,) = takeovers(found)
    assert finding.enforcement_level == "mandatory" and finding.severity == "high"
    assert finding.finding.startswith("[IAM-ESC-005] Takeover of existing compute that runs with a role")
    assert f"{shape.method_id} " in finding.message, finding.message


def test_every_shape_is_a_takeover_row_of_the_escalation_table() -> None:
    rows = {m.method_id: m for m in PRIVILEGE_ESCALATION_METHODS if m.category == HIJACK_CATEGORY}
    for shape in SHAPES:
        assert rows[shape.method_id].actions == {action.lower() for action in shape.actions}, shape.id


@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_on_every_resource_it_is_blocked(analyzer: PackAnalyzer, shape: Shape) -> None:
    assert_blocked(group_policy(analyzer, policy(shape.actions)), shape)


@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_on_a_wildcard_arn_of_every_such_resource_it_is_blocked(analyzer: PackAnalyzer, shape: Shape) -> None:
    assert_blocked(group_policy(analyzer, policy(shape.actions, shape.every)), shape)


@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_only_an_mfa_condition_still_reaches_every_resource(analyzer: PackAnalyzer, shape: Shape) -> None:
    assert_blocked(group_policy(analyzer, policy(shape.actions, condition=MFA)), shape)


@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_on_named_resources_nothing_is_mandatory(analyzer: PackAnalyzer, shape: Shape) -> None:
    assert mandatory(group_policy(analyzer, policy(shape.actions, list(shape.named)))) == []


@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_confined_to_what_the_holder_owns_nothing_is_mandatory(analyzer: PackAnalyzer, shape: Shape) -> None:
    owned = {"StringEquals": {shape.tag_key: OWNED_BY_CALLER}}
    assert mandatory(group_policy(analyzer, policy(shape.actions, condition=owned))) == []


def test_a_tag_condition_on_one_action_of_a_method_breaks_it(analyzer: PackAnalyzer) -> None:
    """Modifying only one's own instances, while stopping and starting any, rewrites no one else's."""
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["ec2:StopInstances", "ec2:StartInstances"], "Resource": "*"},
                {
                    "Effect": "Allow",
                    "Action": "ec2:ModifyInstanceAttribute",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"ec2:ResourceTag/owner": OWNED_BY_CALLER}},
                },
            ],
        }
    )
    assert takeovers(group_policy(analyzer, document)) == []


def test_a_tag_condition_that_matches_any_value_does_not_confine(analyzer: PackAnalyzer) -> None:
    anything = {"StringLike": {"aws:ResourceTag/owner": "*"}}
    shape = SHAPES[0]
    assert_blocked(group_policy(analyzer, policy(shape.actions, condition=anything)), shape)


def test_a_grant_that_has_expired_takes_over_nothing_and_one_that_starts_later_does(
    analyzer: PackAnalyzer,
) -> None:
    shape = SHAPES[0]
    expired = {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}
    assert takeovers(group_policy(analyzer, policy(shape.actions, condition=expired))) == []
    later = {"DateGreaterThan": {"aws:CurrentTime": "2099-01-01T00:00:00Z"}}
    assert_blocked(group_policy(analyzer, policy(shape.actions, condition=later)), shape)


def test_admin_tiers_are_exempt(analyzer: PackAnalyzer) -> None:
    shape = SHAPES[0]
    props = {"role": "LabAdministrator", "policy": policy(shape.actions)}
    assert_blocked(analyzer.resource(types.ROLE_POLICY, props), shape)
    with analyzer.configured({POLICY: {"admin_tiers": ["LabAdministrator"]}}):
        assert takeovers(analyzer.resource(types.ROLE_POLICY, props)) == []


def test_the_lab_exemption_shape_lets_ec2_full_access_through_on_that_group_only(
    analyzer: PackAnalyzer,
) -> None:
    attachment = {"group": "LabUser", "policyArn": "arn:aws:iam::aws:policy/AmazonEC2FullAccess"}
    exemption = {
        "resource": "group-LabUser-AmazonEC2FullAccess",
        "reason": "the lab guide asks for it",
        "owner": "lab-team",
        "expires": IN_FORCE,
    }
    (finding,) = takeovers(
        analyzer.resource(types.GROUP_POLICY_ATTACHMENT, attachment, name="group-LabUser-AmazonEC2FullAccess")
    )
    assert "PRIVESC-P3-96 " in finding.message and "PRIVESC-P3-95 " in finding.message
    with analyzer.configured({POLICY: {"exemptions": [exemption]}}):
        name = "group-LabUser-AmazonEC2FullAccess"
        assert takeovers(analyzer.resource(types.GROUP_POLICY_ATTACHMENT, attachment, name=name)) == []
        other = {"group": "LabOps", "policyArn": attachment["policyArn"]}
        assert (
            takeovers(analyzer.resource(types.GROUP_POLICY_ATTACHMENT, other, name="group-LabOps-ec2")) != []
        )


def test_full_admin_takes_over_too_so_adding_an_allow_removes_no_finding(analyzer: PackAnalyzer) -> None:
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    found = analyzer.resource(types.GROUP_POLICY_ATTACHMENT, {"group": "Ops", "policyArn": admin})
    assert [d.enforcement_level for d in takeovers(found)] == ["mandatory"]
