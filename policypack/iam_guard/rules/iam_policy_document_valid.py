"""Malformed or unanalysable documents are violations, never passes (bad JSON, missing elements, unknown actions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from iam_guard.documents import PolicyDocumentError, UnknownDocumentError, parse_policy
from iam_guard.rule_support import document_sites, resource_rule


def check(
    args: ResourceValidationArgs,
    props: dict[str, Any],
    config: dict[str, Any],
    report: Callable[[str, str], None],
) -> None:
    for site in document_sites(args.resource_type, props):
        try:
            parse_policy(site.value, site.kind)
        except UnknownDocumentError:
            continue  # judged at stack level, or when the update runs
        except PolicyDocumentError as error:
            report("IAM-DOC-001", f"{args.name}.{site.label}: {error}")


POLICY = resource_rule(
    name="iam-policy-document-valid",
    description="Every IAM policy document is valid JSON that AWS accepts and the pack can analyse.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Fix the document: Version 2012-10-17, Effect, Action or NotAction, Resource (identity) or Principal (trust), and actions that exist.",
)
