"""The iamtiers guardrails policy pack: blocks IAM that breaks least privilege or MFA."""

from iam_guard import ALL_POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name="iamtiers-guardrails",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=ALL_POLICIES,
)
