"""The iamtiers guardrails policy pack: blocks IAM that breaks least privilege or MFA."""

from iam_guard import ALL_POLICIES
from iam_guard.config_schema import refuse_config_outside_schemas
from iam_guard.decoded_properties import install_decoding_once
from iam_guard.exemptions import pin_pack_clock
from iam_guard.request_limits import install_request_limits
from pulumi_policy import EnforcementLevel, PolicyPack

# Before the pack serves: a misspelt config key fails Configure instead of switching a control off,
# and a hostile request gets a finding instead of a crash.
pin_pack_clock()  # the harness's replay day, never a clock from the environment under a real engine
refuse_config_outside_schemas()
install_request_limits()
install_decoding_once()  # each resource's properties decoded once per request, not once per policy

PolicyPack(
    name="iamtiers-guardrails",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=ALL_POLICIES,
)
