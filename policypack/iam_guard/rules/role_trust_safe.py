"""Who may assume a role: never anyone, IAM principals only with MFA (or an external id for a
machine of another account), OIDC only with a pinned audience and subject, never NotPrincipal."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from iam_guard import types
from iam_guard.conditions import requires_present_mfa
from iam_guard.documents import Statement
from iam_guard.rule_support import PackConfigError, parsed_documents, resource_rule, string_list

_ANY_ACCOUNT = re.compile(r"^(\*|arn:aws[a-z-]*:iam::\*:root)$")
_ABUSABLE_GITHUB_CLAIMS = ("workflow", "environment", "ref", "context", "head_ref", "base_ref")
_GITHUB_SUBJECT = re.compile(
    r"^repo:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+:(ref:refs/(heads|tags)/[^*]+|environment:[^*]+|pull_request)$"
)


def _has_external_id(statement: Statement) -> bool:
    return any(
        c.base_operator == "StringEquals" and not c.if_exists and all(v.strip("*") for v in c.values)
        for c in statement.conditions_on("sts:ExternalId")
    )


def _account_of(principal: str) -> str | None:
    match = re.match(r"^(\d{12})$|^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):", principal)
    return (match.group(1) or match.group(2)) if match else None


def _check_oidc(statement: Statement, provider: str, where: str, report: Callable[[str, str], None]) -> None:
    host = provider.split(":oidc-provider/", 1)[-1]
    audiences = [
        c
        for c in statement.conditions_on(f"{host}:aud")
        if c.base_operator == "StringEquals" and not c.if_exists
    ]
    subjects = [
        c
        for c in statement.conditions_on(f"{host}:sub")
        if c.base_operator in ("StringEquals", "StringLike")
        and not c.if_exists
        and c.set_qualifier != "ForAllValues"
    ]
    if not audiences:
        report("IAM-TRUST-003", f"{where}: no StringEquals on '{host}:aud'")
    if not subjects:
        report("IAM-TRUST-003", f"{where}: no condition on '{host}:sub' pins the identity")
        return
    for value in (v for c in subjects for v in c.values):
        if value.strip("*:") == "" or value.startswith("*"):
            report("IAM-TRUST-003", f"{where}: subject '{value}' matches every identity of the provider")
        elif host == "token.actions.githubusercontent.com" and (
            value.split(":", 1)[0] in _ABUSABLE_GITHUB_CLAIMS or not _GITHUB_SUBJECT.match(value)
        ):
            report(
                "IAM-TRUST-003",
                f"{where}: GitHub subject '{value}' does not pin one repository and ref or environment",
            )


def _missing(trust: Any) -> str | None:
    """How the trust policy is missing (absent or empty), or None when there is one (or it is unknown)."""
    if trust is None:
        return "no assumeRolePolicy"
    if (isinstance(trust, str) and not types.is_unknown(trust) and not trust.strip()) or trust == {}:
        return f"an empty assumeRolePolicy ({trust!r})"
    return None


def check(
    args: ResourceValidationArgs,
    props: dict[str, Any],
    config: dict[str, Any],
    report: Callable[[str, str], None],
) -> None:
    if args.resource_type != types.ROLE:
        return
    if (missing := _missing(props.get("assumeRolePolicy"))) is not None:
        # Nothing to judge who may assume it: AWS refuses the role, and the pack never passes it unseen.
        report("IAM-TRUST-006", f"{args.name} has {missing}")
        return
    trusted_accounts = set(string_list(config, "trusted_accounts"))
    if any(not re.fullmatch(r"\d{12}", account) for account in trusted_accounts):
        raise PackConfigError("'trusted_accounts' must list 12-digit account ids")
    for _site, document in parsed_documents(args.resource_type, props, kind="trust"):
        for statement in document.statements:
            where = f"{args.name}.assumeRolePolicy {statement.label}"
            if statement.not_principals is not None:
                report("IAM-TRUST-004", f"{where} uses NotPrincipal")
            if statement.effect != "Allow" or statement.principals is None:
                continue
            aws_principals = statement.principals.get("AWS", ()) + statement.principals.get("*", ())
            wildcards = [
                f"{kind}: {value}"
                for kind in ("Service", "Federated")
                for value in statement.principals.get(kind, ())
                if "*" in value
            ]
            if wildcards:
                # IAM matches principals literally; a wildcard service or provider trusts any of them.
                report("IAM-TRUST-001", f"{where} trusts a wildcard principal ({', '.join(wildcards)})")
            if any(_ANY_ACCOUNT.match(p) for p in aws_principals):
                report("IAM-TRUST-001", f"{where} trusts every AWS account ({', '.join(aws_principals)})")
                continue
            accounts = {a for p in aws_principals if (a := _account_of(p))}
            unlisted = sorted(accounts - trusted_accounts) if trusted_accounts else []
            if unlisted:
                report(
                    "IAM-TRUST-005",
                    f"{where} trusts account(s) {', '.join(unlisted)} outside trusted_accounts",
                )
            if aws_principals and not requires_present_mfa(statement.conditions):
                foreign = accounts
                if not (_has_external_id(statement) and foreign):
                    report(
                        "IAM-TRUST-002", f"{where} trusts {', '.join(aws_principals)} without requiring MFA"
                    )
            for provider in statement.principals.get("Federated", ()):
                if ":oidc-provider/" in provider:
                    _check_oidc(statement, provider, where, report)


POLICY = resource_rule(
    name="role-trust-safe",
    description="Role trust policies name their principals, require MFA of people, and pin federated identities.",
    check=check,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Name the principals; add Bool aws:MultiFactorAuthPresent=true for IAM principals (or sts:ExternalId for a machine of another account); pin OIDC aud and sub.",
    config_properties={
        "trusted_accounts": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[0-9]{12}$"},
            "default": [],
            "description": "Accounts whose principals may be trusted; empty means no allow-list.",
        }
    },
)
