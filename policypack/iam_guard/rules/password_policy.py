"""A stack with console users has an account password policy at least as strong as the profile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from iam_guard import types
from iam_guard.rule_support import PackConfigError, config_value, stack_rule
from iam_guard.stack_model import StackModel

Report = Callable[[str, str, "str | None"], None]

# Minimums per profile: CIS AWS Foundations 3.0 (1.8 length, 1.9 reuse) with the complexity that CIS
# 1.2 required (1.5-1.8); Security Hub AFSBP (IAM.7, IAM.11-17); PCI DSS (Security Hub IAM.10).
PROFILES: dict[str, dict[str, int | bool]] = {
    "CIS": {
        "minimumPasswordLength": 14,
        "passwordReusePrevention": 24,
        "requireUppercaseCharacters": True,
        "requireLowercaseCharacters": True,
        "requireNumbers": True,
        "requireSymbols": True,
    },
    "AFSBP": {
        "minimumPasswordLength": 14,
        "passwordReusePrevention": 24,
        "maxPasswordAge": 90,
        "requireUppercaseCharacters": True,
        "requireLowercaseCharacters": True,
        "requireNumbers": True,
        "requireSymbols": True,
    },
    "PCI": {
        "minimumPasswordLength": 7,
        "passwordReusePrevention": 4,
        "maxPasswordAge": 90,
        "requireUppercaseCharacters": True,
        "requireLowercaseCharacters": True,
        "requireNumbers": True,
    },
}


def _weaknesses(props: dict[str, Any], profile: dict[str, int | bool]) -> list[str]:
    found: list[str] = []
    for key, wanted in profile.items():
        value = props.get(key)
        if types.is_unknown(value):
            continue  # judged when the update runs
        if isinstance(wanted, bool):
            if value is not True:
                found.append(f"{key} is {value!r}, needs true")
        elif key == "maxPasswordAge":
            if not isinstance(value, int) or not 0 < value <= wanted:
                found.append(f"{key} is {value!r}, needs 1-{wanted}")
        elif not isinstance(value, int) or value < wanted:
            found.append(f"{key} is {value!r}, needs at least {wanted}")
    return found


def check(model: StackModel, config: dict[str, Any], report: Report) -> None:
    name = config_value(config, "profile", "CIS", str)
    if name not in PROFILES:
        raise PackConfigError(f"'profile' must be one of {sorted(PROFILES)}, got {name!r}")
    policies = model.of_type(types.ACCOUNT_PASSWORD_POLICY)
    profiles = model.of_type(types.USER_LOGIN_PROFILE)
    if profiles and not policies:
        report(
            "IAM-PASSWORD-001",
            f"{len(profiles)} console user(s) and no account password policy",
            profiles[0].urn,
        )
    for policy in policies:
        weaknesses = _weaknesses(policy.props, PROFILES[name])
        if weaknesses:
            report(
                "IAM-PASSWORD-002",
                f"{policy.name} against the {name} profile: {'; '.join(weaknesses)}",
                policy.urn,
            )


POLICY = stack_rule(
    name="password-policy",
    description="Console users are covered by a password policy that meets the chosen profile.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Add an AccountPasswordPolicy meeting the profile (CIS: length 14, reuse 24, upper and lower case, numbers and symbols).",
    config_properties={
        "profile": {
            "type": "string",
            "enum": sorted(PROFILES),
            "default": "CIS",
            "description": "Password profile: CIS (default), AFSBP or PCI.",
        }
    },
)
