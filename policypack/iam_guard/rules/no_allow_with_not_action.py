"""An Allow with NotAction grants every other action of every service, including future ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from iam_guard.evaluation import granting_allows
from iam_guard.rule_support import parsed_documents, resource_rule


def check(
    args: ResourceValidationArgs,
    props: dict[str, Any],
    config: dict[str, Any],
    report: Callable[[str, str], None],
) -> None:
    for site, document in parsed_documents(args.resource_type, props):
        for statement in granting_allows(document):
            if statement.effect == "Allow" and statement.not_actions is not None:
                report(
                    "IAM-NOTACT-001",
                    f"{args.name}.{site.label} {statement.label} allows every action except {list(statement.not_actions)}",
                )


POLICY = resource_rule(
    name="no-allow-with-not-action",
    description="Allow statements list their actions; NotAction only appears in Deny (exempt a resource with a reason).",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Replace NotAction with Action and the actions that are meant, or exempt the resource in the pack config with a reason.",
)
