"""Hand-written Identity Center stacks of raw ssoadmin/identitystore resources, as any Pulumi program
registers them, in either mode:

- "update": every output known; members name their set by its `arn` output, assignments their group
  by its `groupId` output;
- "preview": those outputs unknown; members are linked by the property dependency on the set (and on
  the group), as the engine sends them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from iam_guard import types as t

from tests.policypack.conftest import UNKNOWN, FakeResource

Mode = Literal["update", "preview"]
MODES: tuple[Mode, ...] = ("update", "preview")

INSTANCE = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
IDENTITY_STORE = "d-1234567890"
MEMBER_ACCOUNT = "111111111111"
MANAGEMENT_ACCOUNT = "444444444444"
ADMIN_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
ATTESTED = {
    "iamtiers:mfa-mode": "always-on",
    "iamtiers:mfa-attested-by": "soc-leads",
    "iamtiers:mfa-attested-on": "2099-01-01",  # replaced per test with a day relative to today
}


def permission_set(
    name: str,
    mode: Mode,
    *,
    session: str | None = "PT1H",
    tags: Mapping[str, str] | None = None,
) -> FakeResource:
    props: dict[str, Any] = {"instanceArn": INSTANCE, "name": name, "tags": dict(tags or {})}
    if session is not None:
        props["sessionDuration"] = session
    props["arn"] = (
        f"{INSTANCE.replace('instance', 'permissionSet')}/ps-{name.lower()}" if mode == "update" else UNKNOWN
    )
    return FakeResource(t.PERMISSION_SET, name, props)


def member(
    type_token: str,
    name: str,
    of: FakeResource | None,
    mode: Mode,
    props: Mapping[str, Any],
) -> FakeResource:
    """A resource naming its permission set `of` by permissionSetArn; `of=None`: a set the stack
    does not show (unknown in preview, with no property dependency)."""
    arn = of.props["arn"] if of is not None else (UNKNOWN if mode == "preview" else "arn:aws:sso:::ps/ext")
    dependencies = {"permissionSetArn": [of]} if of is not None else {}
    return FakeResource(
        type_token,
        name,
        {"instanceArn": INSTANCE, "permissionSetArn": arn, **props},
        depends_on=[of] if of is not None else [],
        property_dependencies=dependencies,
    )


def inline(name: str, of: FakeResource | None, mode: Mode, document: str) -> FakeResource:
    return member(t.PERMISSION_SET_INLINE_POLICY, name, of, mode, {"inlinePolicy": document})


def managed(name: str, of: FakeResource | None, mode: Mode, arn: str) -> FakeResource:
    return member(t.SSO_MANAGED_POLICY_ATTACHMENT, name, of, mode, {"managedPolicyArn": arn})


def boundary(name: str, of: FakeResource | None, mode: Mode, arn: str) -> FakeResource:
    return member(
        t.SSO_BOUNDARY_ATTACHMENT, name, of, mode, {"permissionsBoundary": {"managedPolicyArn": arn}}
    )


def group(display_name: str, mode: Mode) -> FakeResource:
    group_id = f"90676a1234-{abs(hash(display_name)) % 10**8:08d}-0000-0000-0000-000000000000"
    return FakeResource(
        t.IDENTITY_STORE_GROUP,
        display_name,
        {
            "identityStoreId": IDENTITY_STORE,
            "displayName": display_name,
            "groupId": group_id if mode == "update" else UNKNOWN,
        },
    )


def assignment(
    name: str,
    of: FakeResource | None,
    mode: Mode,
    principal: FakeResource | str,
    *,
    principal_type: str = "GROUP",
    target: str = MEMBER_ACCOUNT,
) -> FakeResource:
    """An AccountAssignment of `of` to a group of the stack (a FakeResource) or a principalId."""
    resource = member(
        t.ACCOUNT_ASSIGNMENT,
        name,
        of,
        mode,
        {
            "principalId": principal.props["groupId"] if isinstance(principal, FakeResource) else principal,
            "principalType": principal_type,
            "targetId": target,
            "targetType": "AWS_ACCOUNT",
        },
    )
    if not isinstance(principal, FakeResource):
        return resource
    dependencies: dict[str, Sequence[FakeResource]] = {
        **resource.property_dependencies,
        "principalId": [principal],
    }
    return FakeResource(
        resource.type,
        resource.name,
        resource.props,
        depends_on=[*resource.depends_on, principal],
        property_dependencies=dependencies,
    )
