"""Every AWS-managed policy, attached to a group of its own, through the real pack (Analyze per
attachment, one AnalyzeStack), and the verdicts a security reviewer expects for named ones.

AWS's documents are judged only for what they grant: none may draw a finding about how it is written
(malformed, service wildcard, NotAction, size), and none may make the pack fail.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from iam_guard import aws_managed, types

from offline.judging.analyzer_client import Diagnostic, PolicyPackProcess
from tests.policypack.conftest import FakeResource

FINDING = re.compile(r"^\[((?:IAM|PACK)-[A-Z]+-\d{3})\]")
# Rules about how a document is written: for documents the customer wrote, never AWS's own.
WRITING_RULES = frozenset(
    {
        "iam-policy-document-valid",
        "no-service-wildcard",
        "no-allow-with-not-action",
        "no-allow-with-not-resource",
        "policy-size-quota",
        "mfa-condition-patterns",
    }
)


def finding_id(diagnostic: Diagnostic) -> str:
    match = FINDING.match(diagnostic.finding)
    return match.group(1) if match else diagnostic.finding


@pytest.fixture(scope="session")
def corpus_verdicts(policy_pack: PolicyPackProcess) -> dict[str, list[Diagnostic]]:
    """Policy name -> every diagnostic about its attachment, from Analyze and from AnalyzeStack."""
    policies = aws_managed.all_policies()
    resources: list[FakeResource] = []
    owner: dict[str, str] = {}
    for index, policy in enumerate(policies):
        group = FakeResource(types.GROUP, f"g{index}", {"name": f"g{index}"})
        attachment = FakeResource(
            types.GROUP_POLICY_ATTACHMENT,
            f"a{index}",
            {"group": group.name, "policyArn": policy.arn},
            depends_on=(group,),
            property_dependencies={"group": (group,)},
        )
        resources += [group, attachment]
        owner[group.urn] = owner[attachment.urn] = policy.name
    verdicts: dict[str, list[Diagnostic]] = defaultdict(list)
    for resource in resources:
        for diagnostic in policy_pack.analyze(resource.registration()):
            verdicts[owner[resource.urn]].append(diagnostic)
    for diagnostic in policy_pack.analyze_stack([resource.registration() for resource in resources]):
        verdicts[owner.get(diagnostic.urn or "", "<stack>")].append(diagnostic)
    return dict(verdicts)


def test_the_whole_corpus_goes_through_without_a_pack_error(
    corpus_verdicts: dict[str, list[Diagnostic]],
) -> None:
    assert len(aws_managed.all_policies()) == aws_managed.provenance()["policies"] >= 1_500
    failures = [
        (name, d.finding)
        for name, diagnostics in corpus_verdicts.items()
        for d in diagnostics
        if finding_id(d).startswith("PACK-") or "can't run policy" in d.message
    ]
    assert not failures, failures[:5]


def test_no_aws_document_is_judged_for_how_it_is_written(
    corpus_verdicts: dict[str, list[Diagnostic]],
) -> None:
    """ReadOnlyAccess, ViewOnlyAccess and SecurityAudit name retired actions: those grant nothing, and
    are no typo of the customer's."""
    written = sorted(
        (name, d.policy_name)
        for name, diagnostics in corpus_verdicts.items()
        for d in diagnostics
        if d.policy_name in WRITING_RULES
    )
    assert not written, written[:10]


# name -> (the mandatory findings it draws on a group outside any admin tier, why)
EXPECTED_MANDATORY: dict[str, tuple[frozenset[str], str]] = {
    "AdministratorAccess": (
        frozenset({"IAM-ADMIN-001", "IAM-ESC-004", "IAM-ESC-005", "IAM-MANAGED-001"}),
        "'*' on '*': full admin, every role assumable, all compute taken over; privileged by name (CIS 1.16)",
    ),
    "IAMFullAccess": (
        frozenset({"IAM-ESC-001", "IAM-MANAGED-001", "IAM-PASSROLE-001"}),
        "iam:* attaches AdministratorAccess to oneself and passes any role anywhere",
    ),
    "PowerUserAccess": (
        frozenset({"IAM-ESC-001", "IAM-ESC-004", "IAM-ESC-005", "IAM-MANAGED-001"}),
        "everything but IAM: SSO permission sets escalate, every role is assumable, all compute taken over",
    ),
    "AWSCloudShellFullAccess": (frozenset({"IAM-MANAGED-001"}), "CIS 1.22: a shell with the caller's keys"),
    "AWSLambda_FullAccess": (
        frozenset({"IAM-ESC-001", "IAM-ESC-005"}),
        "PassRole to lambda.amazonaws.com is exactly what CreateFunction + InvokeFunction needs; "
        "UpdateFunctionCode on every function takes over their roles",
    ),
    "AmazonSageMakerFullAccess": (
        frozenset({"IAM-ESC-001", "IAM-ESC-005"}),
        "a notebook instance with a passed role, then a presigned URL into it (or into any existing one)",
    ),
    "AmazonECS_FullAccess": (
        frozenset({"IAM-ESC-001", "IAM-ESC-005"}),
        "PassRole to ecs-tasks.amazonaws.com + RunTask; ECS Exec into every task, and every stack updated",
    ),
    "AmazonEventBridgeSchedulerFullAccess": (
        frozenset({"IAM-ESC-001"}),
        "PassRole to scheduler.amazonaws.com + CreateSchedule",
    ),
    "AWSMarketplaceFullAccess": (frozenset({"IAM-ESC-001"}), "PassRole to ec2.amazonaws.com + RunInstances"),
    "AWSCodeStarServiceRole": (
        frozenset({"IAM-ESC-001", "IAM-ESC-005"}),
        "puts and attaches role policies; its retired codestar actions hide nothing; "
        "starts any build, deployment and instance",
    ),
    "AmazonElasticMapReduceFullAccess": (
        frozenset({"IAM-ESC-001", "IAM-PASSROLE-001"}),
        "PassRole of any role to any service, and RunJobFlow to use it",
    ),
    "ReadOnlyAccess": (frozenset(), "reads only; names retired actions, which grant nothing"),
    "ViewOnlyAccess": (frozenset(), "lists and describes only"),
    "SecurityAudit": (frozenset(), "reads configuration only"),
    "AmazonS3ReadOnlyAccess": (frozenset(), "reads objects: advice about data, not escalation"),
    "IAMReadOnlyAccess": (frozenset(), "reads IAM only"),
    "AmazonGlacierFullAccess": (frozenset(), "glacier:* touches no identity and runs no code"),
    "IAMUserChangePassword": (frozenset(), "changes only the caller's own password"),
    "CloudWatchFullAccessV2": (frozenset(), "no PassRole; CloudWatch runs no code with a role"),
    "AWSCloudTrail_FullAccess": (
        frozenset(),
        "PassRole only to cloudtrail.amazonaws.com, which delivers logs and runs no code",
    ),
    "AmazonVPCFullAccess": (frozenset(), "networking only"),
    "AmazonEC2FullAccess": (
        frozenset({"IAM-ESC-005"}),
        "no PassRole, but user data and a restart, or a launch-template version, takes over every instance",
    ),
    "AmazonS3FullAccess": (frozenset(), "data access: advice, not escalation"),
    "AWSArtifactReportsReadOnlyAccess": (frozenset(), "reads compliance reports"),
    "AWSCloudTrail_ReadOnlyAccess": (frozenset(), "reads trails"),
    "CloudWatchReadOnlyAccess": (frozenset(), "reads metrics and logs"),
    "AmazonEC2ReadOnlyAccess": (frozenset(), "describes EC2"),
    "AmazonSSMAutomationRole": (
        frozenset({"IAM-ESC-005"}),
        "PassRole only to ssm.amazonaws.com, but ssm:* and UpdateStack on every instance and stack",
    ),
    "AWSBatchFullAccess": (
        frozenset({"IAM-ESC-005"}),
        "PassRole only to the named Batch and ECS roles, but SubmitJob to every existing job definition",
    ),
    "AmazonDynamoDBFullAccess": (frozenset(), "data access; PassRole only to application-autoscaling"),
    "AWS_ConfigRole": (frozenset(), "the AWS Config recorder's read access"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_MANDATORY))
def test_named_documents_get_the_verdict_a_reviewer_expects(
    corpus_verdicts: dict[str, list[Diagnostic]], name: str
) -> None:
    expected, reason = EXPECTED_MANDATORY[name]
    found = {finding_id(d) for d in corpus_verdicts.get(name, []) if d.enforcement_level == "mandatory"}
    assert found == expected, (reason, [d.finding for d in corpus_verdicts.get(name, [])])


def test_escalation_findings_name_the_policy_and_the_deciding_statement(
    corpus_verdicts: dict[str, list[Diagnostic]],
) -> None:
    (finding,) = [d for d in corpus_verdicts["AWSLambda_FullAccess"] if finding_id(d) == "IAM-ESC-001"]
    assert "AWS-managed AWSLambda_FullAccess" in finding.message
    assert "PRIVESC-P2-73" in finding.message or "PRIVESC-P2-71" in finding.message
    assert re.search(
        r"iam:passrole in AWS-managed AWSLambda_FullAccess \(v\d+\) Statement\[\d+\]", finding.message
    )


def test_takeover_of_existing_instances_is_blocked(corpus_verdicts: dict[str, list[Diagnostic]]) -> None:
    takeovers = [d for d in corpus_verdicts["AmazonEC2FullAccess"] if finding_id(d) == "IAM-ESC-005"]
    assert [(d.policy_name, d.enforcement_level) for d in takeovers] == [("no-compute-takeover", "mandatory")]
    assert "PRIVESC-P3-96" in takeovers[0].message
