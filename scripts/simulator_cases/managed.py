"""The AWS-managed cases: a policy of the vendored set on requests for a few of its own actions, on
resources of its statements (its conditions met half of the time), and for a few actions it does not
grant."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping

from iam_guard import aws_managed

from scripts.simulator_cases.cases import HOME, SEED, Json, make_case, named
from scripts.simulator_cases.generated import GENERATED_PRINCIPALS
from scripts.simulator_cases.resources import (
    actions_named,
    resource_for,
    resource_patterns,
    spelled,
    statements_of,
)
from scripts.simulator_cases.shipped import policy_text

MANAGED_GRANTED_REQUESTS = 5
MANAGED_OTHER_REQUESTS = 2

OTHER_ACTIONS = (
    "iam:CreateUser",
    "iam:AttachUserPolicy",
    "s3:DeleteBucket",
    "ec2:TerminateInstances",
    "kms:ScheduleKeyDeletion",
    "organizations:LeaveOrganization",
    "dynamodb:DeleteTable",
    "lambda:DeleteFunction",
    "s3:GetObject",
    "sts:GetSessionToken",
)


def satisfying_context(statement: Mapping[str, Json], base: Mapping[str, Json]) -> dict[str, Json]:
    """`base` plus, for each positive string, ARN or Bool condition of the statement, a value it accepts."""
    context = dict(base)
    conditions = statement.get("Condition")
    if not isinstance(conditions, dict):
        return context
    for operator, block in conditions.items():
        if not isinstance(block, dict) or "Not" in operator or operator.startswith("Null"):
            continue
        if not any(operator.split(":")[-1].startswith(kind) for kind in ("String", "Arn", "Bool")):
            continue
        for key, values in block.items():
            first = values[0] if isinstance(values, list) and values else values
            if isinstance(first, bool):
                first = json.dumps(first)
            if not isinstance(first, str) or "${" in first:
                continue
            value = first.replace("*", "example").replace("?", "x")
            context[key] = [value] if operator.startswith("For") else value
    return context


def managed_policy_order() -> list[aws_managed.ManagedPolicy]:
    """Every vendored AWS-managed policy, in the seeded order the sample is taken in."""
    policies = aws_managed.all_policies()
    return random.Random(f"{SEED}-aws-managed").sample(policies, len(policies))  # noqa: S311 - test data


def managed_policy_cases(policy: aws_managed.ManagedPolicy) -> list[dict[str, Json]]:
    """Requests for a few of the policy's own actions (on resources of its statements) and a few others."""
    rng = random.Random(f"{SEED}-{policy.arn}")  # noqa: S311 - reproducible test data, no secret
    principal = GENERATED_PRINCIPALS[0]
    policy_document = policy_text(policy.document_text)
    identity = [named(policy.arn, policy_document)]
    granted: dict[str, tuple[str, dict[str, Json]]] = {}  # action -> (resource, context)
    for statement in statements_of(policy_document):
        satisfied = rng.random() < 0.5
        context = satisfying_context(statement, principal.context) if satisfied else dict(principal.context)
        for action in actions_named(statement, rng, 6):
            if action not in granted:
                resource = resource_for(action, resource_patterns(statement), context, principal.account)
                granted[action] = (resource, context)
    chosen = sorted(rng.sample(sorted(granted), min(MANAGED_GRANTED_REQUESTS, len(granted))))
    others = [a for a in OTHER_ACTIONS if a.lower() not in granted]
    requests = [(spelled(a), *granted[a]) for a in chosen] + [
        (a, resource_for(a.lower(), (), principal.context, HOME), dict(principal.context))
        for a in rng.sample(others, min(MANAGED_OTHER_REQUESTS, len(others)))
    ]
    slug = policy.path_and_name.replace("/", "-")
    return [
        make_case(
            f"aws-managed-{slug}-{number}", "aws-managed", principal, action, resource, context, identity
        )
        for number, (action, resource, context) in enumerate(requests)
    ]
