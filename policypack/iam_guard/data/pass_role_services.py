"""Which service principals receive the role an escalation method passes, by the method's service prefix.

A PassRole grant narrowed by `iam:PassedToService` still completes a method when the service it names
is the one the method launches: AWSLambda_FullAccess passes roles only to `lambda.amazonaws.com`, and
that is exactly what PassRole + lambda:CreateFunction + lambda:InvokeFunction needs. A grant narrowed
to any other service (CloudTrail handing a role to CloudWatch Logs) does not.

Sources: the Service Authorization Reference (`iam:PassedToService` values each service documents for
its PassRole dependent actions) and each service guide's "grant a user permissions to pass a role" page.
Prefixes of methods whose other actions only feed the launched code (dynamodb, s3) are not listed.
"""

from __future__ import annotations

PASS_ROLE_RECEIVERS: dict[str, tuple[str, ...]] = {
    "apprunner": ("build.apprunner.amazonaws.com", "tasks.apprunner.amazonaws.com"),
    "autoscaling": ("ec2.amazonaws.com", "autoscaling.amazonaws.com"),
    "batch": ("batch.amazonaws.com", "ecs-tasks.amazonaws.com", "ec2.amazonaws.com"),
    "bedrock-agentcore": ("bedrock-agentcore.amazonaws.com",),
    "braket": ("braket.amazonaws.com",),
    "cloudformation": ("cloudformation.amazonaws.com",),
    "codebuild": ("codebuild.amazonaws.com",),
    "cognito-identity": ("cognito-identity.amazonaws.com",),
    "datapipeline": ("datapipeline.amazonaws.com", "elasticmapreduce.amazonaws.com", "ec2.amazonaws.com"),
    "ec2": ("ec2.amazonaws.com",),
    "ecs": ("ecs-tasks.amazonaws.com", "ecs.amazonaws.com"),
    "elasticmapreduce": ("elasticmapreduce.amazonaws.com", "ec2.amazonaws.com"),
    "emr-serverless": ("emr-serverless.amazonaws.com",),
    "gamelift": ("gamelift.amazonaws.com",),
    "glue": ("glue.amazonaws.com",),
    "imagebuilder": ("imagebuilder.amazonaws.com", "ec2.amazonaws.com"),
    "kinesisanalytics": ("kinesisanalytics.amazonaws.com",),
    "lambda": ("lambda.amazonaws.com",),
    "omics": ("omics.amazonaws.com",),
    "sagemaker": ("sagemaker.amazonaws.com",),
    "scheduler": ("scheduler.amazonaws.com",),
    "ssm": ("ssm.amazonaws.com",),
    "states": ("states.amazonaws.com",),
}
