"""No `svc:*` or `*` in an Allow's Action, and no Allow `NotAction` on a whole service (Security Hub IAM.21, CKV2_AWS_40)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from iam_guard.evaluation import granting_allows
from iam_guard.rule_support import (
    ADMIN_TIERS_SCHEMA,
    belongs_to_admin_tier,
    parsed_documents,
    resource_rule,
)


def _service_wildcards(patterns: tuple[str, ...]) -> list[str]:
    return [p for p in patterns if p == "*" or p.split(":", 1)[-1] == "*"]


def check(
    args: ResourceValidationArgs,
    props: dict[str, Any],
    config: dict[str, Any],
    report: Callable[[str, str], None],
) -> None:
    if belongs_to_admin_tier(args.resource_type, props, config):
        return
    for site, document in parsed_documents(args.resource_type, props):
        for statement in granting_allows(document):
            if statement.effect != "Allow":
                continue
            wildcards = _service_wildcards(statement.actions or ())
            if wildcards:
                report(
                    "IAM-WILDCARD-001",
                    f"{args.name}.{site.label} {statement.label} allows {', '.join(wildcards)}",
                )
            excluded = _service_wildcards(statement.not_actions or ())
            if excluded:
                report(
                    "IAM-WILDCARD-001",
                    f"{args.name}.{site.label} {statement.label} allows every service but {', '.join(excluded)} (NotAction)",
                )


POLICY = resource_rule(
    name="no-service-wildcard",
    description="Customer policies list actions; they never grant a whole service or everything.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Replace 'svc:*' or '*' with the actions that are needed.",
    config_properties={"admin_tiers": ADMIN_TIERS_SCHEMA},
)
