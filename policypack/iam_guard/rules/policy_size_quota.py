"""Documents over the IAM size quotas fail at apply time; catch them at preview."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from iam_guard import types
from iam_guard.rule_support import parsed_documents, resource_rule

# IAM quotas in characters without whitespace (IAM and STS quotas, AWS IAM User Guide).
SIZE_QUOTAS: dict[str, int] = {
    types.POLICY: 6144,
    types.USER_POLICY: 2048,
    types.GROUP_POLICY: 5120,
    types.ROLE_POLICY: 10240,
    types.ROLE: 10240,
    # Identity Center counts the same way: "Current size of the non-whitespace characters present in
    # the InlinePolicy Document is N bytes which has exceeded the maximum limit of 10240 bytes".
    types.PERMISSION_SET_INLINE_POLICY: 10240,
}
TRUST_POLICY_QUOTA = 2048


def check(
    args: ResourceValidationArgs,
    props: dict[str, Any],
    config: dict[str, Any],
    report: Callable[[str, str], None],
) -> None:
    for site, document in parsed_documents(args.resource_type, props, kind=None):
        quota = TRUST_POLICY_QUOTA if site.kind == "trust" else SIZE_QUOTAS.get(args.resource_type)
        if quota is not None and document.size is not None and document.size > quota:
            report(
                "IAM-QUOTA-002",
                f"{args.name}.{site.label} has {document.size} characters; the quota is {quota}",
            )


POLICY = resource_rule(
    name="policy-size-quota",
    description="Policy documents fit the IAM size quotas.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediation="Split the document or tighten it.",
)
