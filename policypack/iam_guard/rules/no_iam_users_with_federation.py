"""Advisory: where people can sign in through an identity provider, IAM users are a second door."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from iam_guard import types
from iam_guard.rule_support import config_value, stack_rule
from iam_guard.stack_model import StackModel

Report = Callable[[str, str, "str | None"], None]


def check(model: StackModel, config: dict[str, Any], report: Report) -> None:
    # SAML signs people in; an OIDC provider usually serves machines (CI), so it does not count.
    saml = model.of_type(types.SAML_PROVIDER)
    federated = config_value(config, "federation_configured", False, bool) or bool(saml)
    if not federated:
        return
    for user in model.of_type(types.USER):
        report(
            "IAM-FED-001",
            f"user '{user.iam_name or user.name}' exists although the account federates sign-in",
            user.urn,
        )


POLICY = stack_rule(
    name="no-iam-users-with-federation",
    description="Accounts with federated sign-in have no IAM users for people.",
    check=check,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    remediation="Move people to the identity provider and remove their IAM users.",
    config_properties={
        "federation_configured": {
            "type": "boolean",
            "default": False,
            "description": "The organization signs people in through SSO or SAML.",
        }
    },
)
