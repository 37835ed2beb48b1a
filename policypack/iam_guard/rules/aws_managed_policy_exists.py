"""Every AWS-managed policy a stack attaches, or sets as a permissions boundary, exists: AWS refuses the
attachment half-way through `pulumi up` otherwise (a misspelt name, a missing path, a retired policy)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from iam_guard import aws_managed, types
from iam_guard.rule_support import attached_policy_arns, resource_rule


def _referenced_arns(resource_type: str, props: dict[str, Any]) -> Iterator[tuple[str, str]]:
    yield from attached_policy_arns(resource_type, props)
    if resource_type in (types.USER, types.ROLE):
        boundary = props.get("permissionsBoundary")
        if isinstance(boundary, str) and boundary and not types.is_unknown(boundary):
            yield "permissionsBoundary", boundary
    if resource_type == types.SSO_BOUNDARY_ATTACHMENT:
        boundary = props.get("permissionsBoundary")
        arn = boundary.get("managedPolicyArn") if isinstance(boundary, dict) else None
        if isinstance(arn, str) and arn and not types.is_unknown(arn):
            yield "permissionsBoundary.managedPolicyArn", arn


def check(
    args: ResourceValidationArgs,
    props: dict[str, Any],
    config: dict[str, Any],
    report: Callable[[str, str], None],
) -> None:
    for label, arn in _referenced_arns(args.resource_type, props):
        if aws_managed.is_aws_managed_arn(arn) and aws_managed.lookup(arn) is None:
            report("IAM-MANAGED-002", f"{args.name}.{label}: {aws_managed.why_missing(arn)}")


POLICY = resource_rule(
    name="aws-managed-policy-exists",
    description="Every AWS-managed policy attached or used as a permissions boundary exists.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Use the ARN the finding suggests: the policy's path, its successor, or the closest name.",
)
