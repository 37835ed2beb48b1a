"""The iamtiers guardrails policy pack: blocks IAM that breaks least privilege or MFA."""

from iam_guard import ALL_POLICIES
from iam_guard.request_limits import install_request_limits
from pulumi_policy import EnforcementLevel, PolicyPack

install_request_limits()  # before the pack serves: hostile requests get a finding, not a crash

PolicyPack(
    name="iamtiers-guardrails",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=ALL_POLICIES,
)
