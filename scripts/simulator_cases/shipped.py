"""The shipped cases: every user, group without members and role tier of the shipped stacks, as an
offline update run registers them, on the actions their statements name (and self-service), with and
without MFA; and `sts:AssumeRole` of every user into every tier with the tier's trust policy."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iam_guard import aws_managed

from offline.judging.principals import stack_resources
from offline.running.engine import run_stack
from scripts.simulator_cases.cases import (
    HOME,
    SEED,
    Document,
    Json,
    Principal,
    document,
    make_case,
    named,
    role_principal,
    user_principal,
)
from scripts.simulator_cases.resources import (
    actions_named,
    resource_for,
    resource_patterns,
    spelled,
    statements_of,
)

PROJECT_DIR = Path(__file__).resolve().parents[2]
SHIPPED_STACKS = ("dev", "prod")
SHIPPED_ACTIONS_PER_STATEMENT = 3

MFA_VARIANTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("no-mfa-context", {}),
    ("mfa-300s", {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "300"}),
    ("mfa-1800s", {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "1800"}),
    ("mfa-7200s", {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "7200"}),
    ("mfa-false", {"aws:MultiFactorAuthPresent": "false"}),
)
SELF_SERVICE_ACTIONS = ("iam:ChangePassword", "iam:EnableMFADevice", "iam:CreateAccessKey")


@dataclass
class StackIdentities:
    """The principals of one shipped stack as an update would create them, with their documents."""

    stack: str
    account: str
    users: dict[str, Principal] = field(default_factory=dict)
    user_groups: dict[str, list[str]] = field(default_factory=dict)
    group_documents: dict[str, list[dict[str, Json]]] = field(default_factory=dict)
    group_paths: dict[str, str] = field(default_factory=dict)
    roles: dict[str, Principal] = field(default_factory=dict)  # tiers, as sessions of the role
    role_documents: dict[str, list[dict[str, Json]]] = field(default_factory=dict)
    trusts: dict[str, dict[str, Json]] = field(default_factory=dict)


def policy_text(value: Json) -> Document:
    parsed = json.loads(value) if isinstance(value, str) else value
    if not isinstance(parsed, dict):
        raise ValueError(f"not a policy document: {value!r}")
    return parsed


def managed_document(arn: str) -> dict[str, Json]:
    managed = aws_managed.lookup(arn)
    if managed is None:
        raise ValueError(f"{arn}: not an AWS-managed policy in iam_guard's vendored set")
    return named(arn, policy_text(managed.document_text))


def stack_identities(stack: str) -> StackIdentities:
    """Users, groups and role tiers of a stack from the registrations of its offline update run."""
    run = run_stack(PROJECT_DIR, stack, preview=False)
    resources = stack_resources(run)
    account = next(
        (
            str(r.props["arn"]).split(":")[4]
            for r in resources
            if r.type == "aws:iam/role:Role" and r.props.get("arn")
        ),
        HOME,
    )
    found = StackIdentities(stack, account)
    by_type: dict[str, list[Any]] = {}
    for resource in resources:
        by_type.setdefault(resource.type, []).append(resource)
    for user in by_type.get("aws:iam/user:User", []):
        tags = {k: str(v) for k, v in (user.props.get("tags") or {}).items() if ":" not in k}
        found.users[user.props["name"]] = user_principal(
            account, user.props.get("path") or "/", user.props["name"], user.props["uniqueId"], tags
        )
        found.user_groups[user.props["name"]] = []
    for group in by_type.get("aws:iam/group:Group", []):
        found.group_documents[group.props["name"]] = []
        found.group_paths[group.props["name"]] = group.props.get("path") or "/"
    for membership in by_type.get("aws:iam/groupMembership:GroupMembership", []):
        for user in membership.props.get("users", []):
            found.user_groups.setdefault(user, []).append(membership.props["group"])
    for policy in by_type.get("aws:iam/groupPolicy:GroupPolicy", []):
        found.group_documents[policy.props["group"]].append(
            named(policy.props["name"], policy_text(policy.props["policy"]))
        )
    for attachment in by_type.get("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", []):
        found.group_documents[attachment.props["group"]].append(
            managed_document(attachment.props["policyArn"])
        )
    for role in by_type.get("aws:iam/role:Role", []):
        if "iamtiers:tier" not in (role.props.get("tags") or {}):
            continue  # the baseline's service roles: assumed by AWS services, not people
        name = role.props["name"]
        tags = {k: str(v) for k, v in (role.props.get("tags") or {}).items() if ":" not in k}
        found.roles[name] = role_principal(
            account, role.props.get("path") or "/", name, "session", role.props["uniqueId"], tags
        )
        found.role_documents[name] = []
        found.trusts[name] = named(f"{name}-trust", policy_text(role.props["assumeRolePolicy"]))
    for policy in by_type.get("aws:iam/rolePolicy:RolePolicy", []):
        if policy.props["role"] in found.role_documents:
            found.role_documents[policy.props["role"]].append(
                named(policy.props["name"], policy_text(policy.props["policy"]))
            )
    for attachment in by_type.get("aws:iam/rolePolicyAttachment:RolePolicyAttachment", []):
        if attachment.props["role"] in found.role_documents:
            found.role_documents[attachment.props["role"]].append(
                managed_document(attachment.props["policyArn"])
            )
    for kind in ("aws:iam/userPolicy:UserPolicy", "aws:iam/userPolicyAttachment:UserPolicyAttachment"):
        if by_type.get(kind):
            raise SystemExit(f"{stack}: {kind} registrations are not modelled here; extend stack_identities")
    return found


def principal_requests(
    rng: random.Random, principal: Principal, documents: Sequence[dict[str, Json]], *, is_user: bool
) -> list[tuple[str, str]]:
    """(action, resource) for the actions every statement of the documents names, and the self-service
    actions on the user itself."""
    requests: list[tuple[str, str]] = []
    for policy in documents:
        limit = (
            2 if str(policy["name"]).startswith("arn:aws:iam::aws:policy/") else SHIPPED_ACTIONS_PER_STATEMENT
        )
        for statement in statements_of(policy["document"]):
            for action in actions_named(statement, rng, limit):
                resource = resource_for(
                    action, resource_patterns(statement), principal.context, principal.account
                )
                requests.append((spelled(action), resource))
    if is_user:
        requests.extend((action, principal.arn) for action in SELF_SERVICE_ACTIONS)
    requests.append(("s3:ListAllMyBuckets", "*"))
    return list(dict.fromkeys(requests))


def shipped_cases() -> list[dict[str, Json]]:
    rng = random.Random(f"{SEED}-shipped")  # noqa: S311 - reproducible test data, no secret
    stacks = [stack_identities(stack) for stack in SHIPPED_STACKS]
    cases: list[dict[str, Json]] = []

    def add(
        label: str,
        principal: Principal,
        action: str,
        resource: str,
        identity: Sequence[dict[str, Json]],
        **extra: Any,
    ) -> None:
        for variant, mfa in MFA_VARIANTS:
            context = {**principal.context, **mfa}
            cases.append(
                make_case(
                    f"shipped-{label}-{len(cases):04d}-{variant}",
                    "shipped",
                    principal,
                    action,
                    resource,
                    context,
                    identity,
                    **extra,
                )
            )

    for found in stacks:
        for name, principal in sorted(found.users.items()):
            identity = [
                doc
                for group in sorted(found.user_groups[name])
                for doc in found.group_documents.get(group, [])
            ]
            for action, resource in principal_requests(rng, principal, identity, is_user=True):
                add(f"{found.stack}-user-{name}", principal, action, resource, identity)
        members = {group for groups in found.user_groups.values() for group in groups}
        for group, documents in sorted(found.group_documents.items()):
            if group in members:
                continue  # its members' cases ask about its statements
            member = user_principal(
                found.account, found.group_paths[group], f"member-of-{group}", "AIDAEXAMPLEMEMBER000"
            )
            for action, resource in principal_requests(rng, member, documents, is_user=True):
                add(f"{found.stack}-group-{group}", member, action, resource, documents)
        for name, principal in sorted(found.roles.items()):
            documents = found.role_documents[name]
            for action, resource in principal_requests(rng, principal, documents, is_user=False):
                add(f"{found.stack}-tier-{name}", principal, action, resource, documents)
    # Every user of every stack (and an auditor of the account the ReadOnly tier trusts) into every tier.
    auditor = user_principal("333333333333", "/", "auditor", "AIDAEXAMPLEAUDITOR06")
    auditor_grant = named(
        "assume-any-tier", document({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    )
    askers = [
        (
            found.stack,
            principal,
            [
                doc
                for group in sorted(found.user_groups[name])
                for doc in found.group_documents.get(group, [])
            ],
        )
        for found in stacks
        for name, principal in sorted(found.users.items())
    ] + [("audit", auditor, [auditor_grant])]
    for _, principal, identity in askers:
        for found in stacks:
            for tier, trust in sorted(found.trusts.items()):
                target = found.roles[tier].role_arn or ""
                user = principal.username
                add(
                    f"assume-{user}-{found.stack}-{tier}",
                    principal,
                    "sts:AssumeRole",
                    target,
                    identity,
                    trust=trust,
                )
    return cases
