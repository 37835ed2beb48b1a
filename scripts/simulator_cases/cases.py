"""What a case is made of: who asks (`Principal`, with the context keys AWS derives from them) and
the case record the fixture stores."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SEED = 20_240_611  # every random choice of every case set derives from it
HOME = "111111111111"
OTHER = "222222222222"
STRANGER = "999999999999"
POLICY_VERSION = "2012-10-17"

Json = Any  # a JSON value, as json.loads returns it
Document = dict[str, Any]


@dataclass(frozen=True)
class Principal:
    """Who makes a request, and the request-context keys AWS derives from them."""

    arn: str
    account: str
    context: Mapping[str, str]
    username: str | None = None  # users only; a role session has no aws:username
    role_arn: str | None = None  # roles only


def user_principal(
    account: str, path: str, name: str, unique_id: str, tags: Mapping[str, str] | None = None
) -> Principal:
    arn = f"arn:aws:iam::{account}:user{path}{name}"
    context = {
        "aws:username": name,
        "aws:userid": unique_id,
        "aws:PrincipalArn": arn,
        "aws:PrincipalAccount": account,
        "aws:PrincipalType": "User",
    }
    context.update({f"aws:PrincipalTag/{key}": value for key, value in sorted((tags or {}).items())})
    return Principal(arn, account, context, username=name)


def role_principal(
    account: str, path: str, role: str, session: str, unique_id: str, tags: Mapping[str, str] | None = None
) -> Principal:
    """A session of a role, named by the role's ARN as our evaluator takes it (`Request.principal_arn`);
    the session shows only in `aws:userid`, as AWS sets it."""
    role_arn = f"arn:aws:iam::{account}:role{path}{role}"
    context = {
        "aws:userid": f"{unique_id}:{session}",
        "aws:PrincipalArn": role_arn,
        "aws:PrincipalAccount": account,
        "aws:PrincipalType": "AssumedRole",
    }
    context.update({f"aws:PrincipalTag/{key}": value for key, value in sorted((tags or {}).items())})
    return Principal(role_arn, account, context, role_arn=role_arn)


def named(name: str, document: Document) -> dict[str, Json]:
    return {"name": name, "document": document}


def make_case(
    case_id: str,
    kind: str,
    principal: Principal,
    action: str,
    resource: str,
    context: Mapping[str, Json],
    identity: Sequence[dict[str, Json]],
    *,
    boundary: Sequence[dict[str, Json]] | None = None,
    trust: dict[str, Json] | None = None,
) -> dict[str, Json]:
    return {
        "id": case_id,
        "kind": kind,
        "identity_policies": list(identity),
        "boundary": list(boundary) if boundary is not None else None,
        "trust": trust,
        "request": {
            "principal": principal.arn,
            "action": action,
            "resource": resource,
            "context": dict(context),
        },
    }


def document(*statements: Document) -> Document:
    return {"Version": POLICY_VERSION, "Statement": list(statements)}
