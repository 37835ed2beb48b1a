"""What a principal's policies grant, as the access document lists and sums them: its policies
(`PolicyEntry`) and what they allow together (`Access`), for IAM principals and permission sets alike.

Shared by offline/access/model.py (users, groups, roles) and offline/access/identity_center.py
(permission sets), so that a role tier and the permission set made from it read the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from offline.access.levels import ServiceAccess, service_access
from offline.judging import pack_path  # noqa: F401 - puts policypack on sys.path for iam_guard

# isort: split
from iam_guard import aws_managed, types
from iam_guard.documents import Statement
from iam_guard.escalation import completed_with_grants, describe
from iam_guard.stack_model import AttachedDocument, Principal, StackModel


@dataclass(frozen=True)
class PolicyEntry:
    kind: str  # "AWS-managed", "customer-managed" or "inline"
    name: str
    detail: str  # the version of a managed policy; the statements of an inline one


@dataclass(frozen=True)
class Access:
    """What a principal may do, from all its documents together, as the pack evaluates them."""

    full_admin: bool
    services: tuple[ServiceAccess, ...]  # empty for full admin: every action of every service
    escalations: tuple[str, ...]  # privilege-escalation methods its permissions complete
    takeovers: tuple[str, ...]  # methods that take over a resource already running with a role


def statements_summary(statements: tuple[Statement, ...]) -> str:
    return ", ".join(f"{s.effect} {s.sid or f'Statement[{s.index}]'}" for s in statements)


def policy_entries(model: StackModel, principal: Principal) -> tuple[PolicyEntry, ...]:
    entries: list[PolicyEntry] = []
    for arn, _ in principal.managed_policy_arns:
        managed = aws_managed.lookup(arn)
        if managed is not None:
            entries.append(PolicyEntry("AWS-managed", managed.path_and_name, managed.version))
        else:
            entries.append(PolicyEntry("customer-managed", arn.rsplit("/", 1)[-1], arn))
    for document in principal.documents:
        if document.aws_managed or document.origin_urn is not None:
            continue  # listed above, by the attachment's ARN
        summary = statements_summary(document.document.statements)
        entries.append(PolicyEntry("inline", inline_name(model, document), summary))
    return tuple(sorted(set(entries), key=lambda entry: (entry.kind, entry.name)))


def inline_name(model: StackModel, document: AttachedDocument) -> str:
    source = model.by_urn[document.source_urn]
    if source.type == types.ROLE:
        return document.label  # `inlinePolicies[0]` of the role itself
    return source.iam_name or source.name


def access_of(model: StackModel, principal: Principal) -> Access:
    permissions = model.permissions(principal)
    if permissions.is_full_admin():
        return Access(True, (), (), ())

    def methods(hijack: bool) -> tuple[str, ...]:
        completed = completed_with_grants(permissions, hijack=hijack)
        return tuple(sorted(describe([method]) for method in completed))

    return Access(False, service_access(permissions), methods(False), methods(True))
