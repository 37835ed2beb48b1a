"""An Allow with NotResource grants every resource but a few, including ones created later."""

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
            if statement.effect == "Allow" and statement.not_resources is not None:
                report(
                    "IAM-NOTRES-001",
                    f"{args.name}.{site.label} {statement.label} allows everything except {list(statement.not_resources)}",
                )


POLICY = resource_rule(
    name="no-allow-with-not-resource",
    description="Allow statements name their resources; they never use NotResource.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Replace NotResource with Resource and the ARNs that are meant.",
)
