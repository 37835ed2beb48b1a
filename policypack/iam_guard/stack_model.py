"""The IAM of one stack as principals and their policies, with preview unknowns resolved.

In preview a value built from another resource's outputs is unknown. Where the resource's
property dependencies point at the resource in this stack that produces the value, the model
follows them (a policy ARN to the `Policy` whose document is known, a group name to the `Group`).
Only values whose source lies outside the stack stay unresolved, and are listed in `unresolved`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from iam_guard import aws_managed, types
from iam_guard.conditions import requires_present_mfa
from iam_guard.documents import (
    IN_STACK_ARN,
    DocumentKind,
    PolicyDocument,
    PolicyDocumentError,
    UnknownDocumentError,
    parse_lenient,
)
from iam_guard.evaluation import EffectivePermissions, evaluate
from iam_guard.identity_center import IdentityCenter
from iam_guard.managed_documents import aws_managed_document
from iam_guard.stack_parts import (
    PERMISSION_SET_KIND,
    AttachedDocument,
    Principal,
    PrincipalKind,
    StackResource,
    Unresolved,
)

AWS_MANAGED_PREFIX = ":iam::aws:policy/"
# The account a user is judged in when nothing in the stack names one: no Resource of the stack can then
# tell accounts apart, so any account answers the same (shown as ACCOUNT in findings).
STAND_IN_ACCOUNT = "000000000000"
_IAM_ARN_ACCOUNT = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):")
_USER_ARN = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):user(/(?:.*/)?)([^/]+)$")


@dataclass(frozen=True)
class UserArn:
    """An IAM user's ARN as AWS matches it in a request: its path is part of it
    (`arn:aws:iam::111111111111:user/lab/farah.haddad`), while `${aws:username}` is the name alone."""

    partition: str
    account: str  # STAND_IN_ACCOUNT when nothing in the stack names the account
    path: str  # "/" or "/lab/"
    name: str

    @property
    def arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:user{self.path}{self.name}"

    @property
    def mfa_device(self) -> str:
        """The virtual MFA device the console creates for the user: named after it, at path /."""
        return f"arn:{self.partition}:iam::{self.account}:mfa/{self.name}"

    def at_root(self) -> UserArn:
        """The same user at path /: what `user/${aws:username}` matches."""
        return UserArn(self.partition, self.account, "/", self.name)

    def shown(self, arn: str | None = None) -> str:
        """`arn` (default: the user's ARN) as findings print it: a stand-in account reads ACCOUNT."""
        text = self.arn if arn is None else arn
        if self.account == STAND_IN_ACCOUNT:
            return text.replace(f":iam::{STAND_IN_ACCOUNT}:", ":iam::ACCOUNT:", 1)
        return text


def managed_policy_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def is_aws_managed(arn: str) -> bool:
    return AWS_MANAGED_PREFIX in arn


class StackModel:
    """Principals keyed by (kind, IAM name), built from every IAM resource of the stack."""

    def __init__(self, resources: list[StackResource]) -> None:
        self.resources = resources
        self.by_urn = {resource.urn: resource for resource in resources}
        self.principals: dict[tuple[PrincipalKind, str], Principal] = {}
        self.unresolved: list[Unresolved] = []
        self.policies_by_arn_name: dict[str, StackResource] = {}
        # Users of a group hold the same documents: each combination is evaluated once per model.
        self._evaluated: dict[tuple[int, ...], EffectivePermissions] = {}
        self._permissions: dict[tuple[PrincipalKind, str], EffectivePermissions] = {}
        self.user_arns: dict[str, UserArn] = {}  # in-stack users whose ARN is known or can be built
        self._index()
        self._attach()
        self.identity_center = IdentityCenter(self)
        self._locate_users()

    # -- lookups -----------------------------------------------------------------------------

    def of_type(self, type_token: str) -> list[StackResource]:
        return [resource for resource in self.resources if resource.type == type_token]

    def principal(self, kind: PrincipalKind, key: str) -> Principal:
        """The principal, or an empty one outside the stack; reading never changes the model, which
        every stack policy of a request shares."""
        return self.principals.get((kind, key)) or Principal(kind, key, None)

    def _wired(self, kind: PrincipalKind, key: str) -> Principal:
        """The principal, added (outside the stack) when this stack attaches something to it."""
        return self.principals.setdefault((kind, key), Principal(kind, key, None))

    def _index(self) -> None:
        kinds: tuple[tuple[str, PrincipalKind], ...] = (
            (types.USER, "user"),
            (types.GROUP, "group"),
            (types.ROLE, "role"),
        )
        for type_token, kind in kinds:
            for resource in self.of_type(type_token):
                key = resource.iam_name or resource.urn
                self.principals[(kind, key)] = Principal(kind, key, resource.urn)
        for resource in self.of_type(types.POLICY):
            self.policies_by_arn_name[resource.iam_name or resource.urn] = resource

    def references(self, resource: StackResource, key: str, kind: PrincipalKind) -> list[str]:
        """Principal keys named by `resource.props[key]` (a name or list of names), unknowns resolved."""
        value = resource.props.get(key)
        values = value if isinstance(value, list) else [value]
        if value is None:
            return []
        known = [v for v in values if isinstance(v, str) and not types.is_unknown(v)]
        if len(known) == len(values):
            return known
        type_token = {"user": types.USER, "group": types.GROUP, "role": types.ROLE}[kind]
        sources = self._dependency_sources(resource, key)
        matches = [source.iam_name or source.urn for source in sources if source.type == type_token]
        if matches:
            return sorted(set(known + matches))
        self.unresolved.append(
            Unresolved(resource.urn, key, f"'{key}' names a {kind} produced outside this stack")
        )
        return known

    def _dependency_sources(self, resource: StackResource, key: str) -> list[StackResource]:
        """The in-stack resources that `resource.props[key]` is built from."""
        return [self.by_urn[urn] for urn in resource.property_dependencies.get(key, []) if urn in self.by_urn]

    def document(
        self,
        resource: StackResource,
        key: str,
        label: str,
        kind: DocumentKind = "identity",
        value: Any = None,
    ) -> PolicyDocument | None:
        """The parsed document at `resource.props[key]` (or `value` when nested deeper).

        Read leniently: malformed documents are also reported by their own rule; unknown ones are
        listed in `unresolved`.
        """
        try:
            return parse_lenient(resource.props.get(key) if value is None else value, kind)
        except UnknownDocumentError:
            self.unresolved.append(
                Unresolved(resource.urn, key, f"{label} is built from values known only after the update")
            )
        except PolicyDocumentError:
            pass  # iam-policy-document-valid reports it, mandatory, on the resource itself
        return None

    @staticmethod
    def _aws_managed_document(arn: str, attaching_urn: str) -> AttachedDocument | None:
        """The vendored document of an AWS-managed policy (None for an ARN AWS does not have, which
        aws-managed-policy-exists reports)."""
        policy = aws_managed.lookup(arn)
        if policy is None:
            return None
        document = aws_managed_document(policy.path_and_name)
        return AttachedDocument(document, attaching_urn, policy.label, aws_managed=True)

    def _customer_policy_document(self, policy: StackResource, attaching_urn: str) -> AttachedDocument | None:
        parsed = self.document(policy, "policy", f"policy '{policy.name}'")
        return (
            AttachedDocument(parsed, attaching_urn, f"policy '{policy.name}'", policy.urn) if parsed else None
        )

    def policy_arn_documents(
        self, resource: StackResource, key: str = "policyArn"
    ) -> tuple[list[str], list[AttachedDocument]]:
        """Managed policy ARNs attached by `resource`, and the documents the pack can read for them."""
        value = resource.props.get(key)
        arns: list[str] = []
        documents: list[AttachedDocument] = []
        if isinstance(value, str) and not types.is_unknown(value):
            arns.append(value)
            policy = self.policies_by_arn_name.get(managed_policy_name(value))
            if is_aws_managed(value):
                document = self._aws_managed_document(value, resource.urn)
            else:
                document = self._customer_policy_document(policy, resource.urn) if policy else None
            return arns, [document] if document else []
        policies = [
            source for source in self._dependency_sources(resource, key) if source.type == types.POLICY
        ]
        if not policies:
            self.unresolved.append(
                Unresolved(resource.urn, key, "the policy ARN comes from outside this stack")
            )
        for policy in policies:
            arns.append(f"arn:aws:iam::in-stack:policy/{policy.iam_name or policy.name}")
            if document := self._customer_policy_document(policy, resource.urn):
                documents.append(document)
        return arns, documents

    # -- wiring ------------------------------------------------------------------------------

    def _attach_documents(
        self,
        kind: PrincipalKind,
        names: list[str],
        resource: StackResource,
        documents: list[AttachedDocument],
        arns: list[str],
    ) -> None:
        for name in names:
            principal = self._wired(kind, name)
            principal.sources.append(resource.urn)
            principal.documents.extend(documents)
            principal.managed_policy_arns.extend((arn, resource.urn) for arn in arns)

    def _attach(self) -> None:
        inline: tuple[tuple[str, PrincipalKind, str], ...] = (
            (types.USER_POLICY, "user", "user"),
            (types.GROUP_POLICY, "group", "group"),
            (types.ROLE_POLICY, "role", "role"),
        )
        for type_token, kind, key in inline:
            for resource in self.of_type(type_token):
                parsed = self.document(resource, "policy", f"inline policy '{resource.name}'")
                documents = (
                    [AttachedDocument(parsed, resource.urn, f"inline policy '{resource.name}'")]
                    if parsed
                    else []
                )
                self._attach_documents(kind, self.references(resource, key, kind), resource, documents, [])
        attachments: tuple[tuple[str, PrincipalKind, str], ...] = (
            (types.USER_POLICY_ATTACHMENT, "user", "user"),
            (types.GROUP_POLICY_ATTACHMENT, "group", "group"),
            (types.ROLE_POLICY_ATTACHMENT, "role", "role"),
        )
        for type_token, kind, key in attachments:
            for resource in self.of_type(type_token):
                arns, documents = self.policy_arn_documents(resource)
                self._attach_documents(kind, self.references(resource, key, kind), resource, documents, arns)
        for resource in self.of_type(types.POLICY_ATTACHMENT):
            arns, documents = self.policy_arn_documents(resource)
            targets: tuple[tuple[PrincipalKind, str], ...] = (
                ("user", "users"),
                ("group", "groups"),
                ("role", "roles"),
            )
            for target_kind, key in targets:
                self._attach_documents(
                    target_kind, self.references(resource, key, target_kind), resource, documents, arns
                )
        for role in self.of_type(types.ROLE):
            principal = self._wired("role", role.iam_name or role.urn)
            principal.trust = self.document(
                role, "assumeRolePolicy", f"trust policy of role '{role.name}'", "trust"
            )
            for index, inline_policy in enumerate(role.props.get("inlinePolicies") or []):
                if isinstance(inline_policy, dict) and inline_policy.get("policy") is not None:
                    label = f"inlinePolicies[{index}]"
                    parsed = self.document(
                        role, label, f"inline policy {label}", value=inline_policy["policy"]
                    )
                    if parsed:
                        principal.documents.append(AttachedDocument(parsed, role.urn, label))
            for arn in role.props.get("managedPolicyArns") or []:
                if isinstance(arn, str) and not types.is_unknown(arn):
                    principal.managed_policy_arns.append((arn, role.urn))
                    if document := self._aws_managed_document(arn, role.urn):
                        principal.documents.append(document)
        for type_token, kind in ((types.USER, "user"), (types.ROLE, "role")):
            for resource in self.of_type(type_token):
                self._bound(self._wired(kind, resource.iam_name or resource.urn), resource)
        for resource in self.of_type(types.USER_GROUP_MEMBERSHIP):
            groups = self.references(resource, "groups", "group")
            for user in self.references(resource, "user", "user"):
                self._wired("user", user).groups.update(groups)
                self._wired("user", user).sources.append(resource.urn)
        for resource in self.of_type(types.GROUP_MEMBERSHIP):
            groups = self.references(resource, "group", "group")
            for user in self.references(resource, "users", "user"):
                self._wired("user", user).groups.update(groups)
                self._wired("user", user).sources.append(resource.urn)
        for resource in self.of_type(types.USER_LOGIN_PROFILE):
            for user in self.references(resource, "user", "user"):
                self._wired("user", user).login_profiles.append(resource)
        for resource in self.of_type(types.ACCESS_KEY):
            for user in self.references(resource, "user", "user"):
                self._wired("user", user).access_keys.append(resource)

    def _bound(self, principal: Principal, resource: StackResource) -> None:
        """Read the principal's permissions boundary: AWS-managed from the data, customer-managed from
        the in-stack `Policy`. A boundary the pack cannot read caps nothing (fail closed)."""
        value = resource.props.get("permissionsBoundary")
        if value is None or value == "":
            return
        if isinstance(value, str) and not types.is_unknown(value):
            if is_aws_managed(value):
                principal.boundary = self._aws_managed_document(value, resource.urn)
                return
            policy = self.policies_by_arn_name.get(managed_policy_name(value))
        else:
            sources = self._dependency_sources(resource, "permissionsBoundary")
            policy = next((source for source in sources if source.type == types.POLICY), None)
        if policy is not None:
            principal.boundary = self._customer_policy_document(policy, resource.urn)

    def evaluated(self, documents: list[AttachedDocument]) -> EffectivePermissions:
        """`evaluate` of these documents together, labelled; computed once per model (treat as read-only)."""
        key = tuple(id(d) for d in documents)
        if key not in self._evaluated:
            self._evaluated[key] = evaluate((d.document for d in documents), (d.label for d in documents))
        return self._evaluated[key]

    def permissions(self, principal: Principal) -> EffectivePermissions:
        """What the principal may do: all its policies (and, for a user, its groups') together, capped
        by its permissions boundary."""
        key = (principal.kind, principal.key)
        if key not in self._permissions:
            self._permissions[key] = self.bounded(
                principal, self.evaluated(self.effective_documents(principal))
            )
        return self._permissions[key]

    def bounded(self, principal: Principal, permissions: EffectivePermissions) -> EffectivePermissions:
        """`permissions` capped by the principal's permissions boundary, when it has one."""
        if principal.boundary is None:
            return permissions
        return permissions.capped_by(self.evaluated([principal.boundary]))

    @staticmethod
    def is_admin_tier(principal: Principal, admin_tiers: set[str]) -> bool:
        """A role, or an Identity Center permission set, named in the pack's `admin_tiers`."""
        return principal.kind in ("role", PERMISSION_SET_KIND) and principal.key in admin_tiers

    def in_stack_principals(self) -> list[Principal]:
        return [principal for principal in self.principals.values() if principal.urn is not None]

    def requires_mfa_to_assume(self, role: Principal) -> bool:
        """Every Allow of the role's trust that admits IAM principals demands present MFA."""
        if role.trust is None:
            return False
        for statement in role.trust.statements:
            if statement.effect != "Allow" or not statement.principals:
                continue
            if ("AWS" in statement.principals or "*" in statement.principals) and not requires_present_mfa(
                statement.conditions
            ):
                return False
        return True

    def effective_documents(self, principal: Principal) -> list[AttachedDocument]:
        """A principal's own documents plus, for a user, those of its groups."""
        documents = list(principal.documents)
        if principal.kind == "user":
            for group in sorted(principal.groups):
                documents.extend(self.principal("group", group).documents)
        return documents

    def pending(self, principal: Principal) -> list[Unresolved]:
        """What the update still has to tell about the principal's policies: unresolved values of the
        resources that attach policies (or, for a user, groups) to it or to its groups."""
        sources = set(principal.sources)
        if principal.kind == "user":
            for group in principal.groups:
                sources.update(self.principal("group", group).sources)
        return [item for item in self.unresolved if item.urn in sources]

    # -- where users are ---------------------------------------------------------------------

    def _locate_users(self) -> None:
        """Each in-stack user's ARN (`user_arns`); for a console user whose ARN cannot be known before the
        update, an `unresolved` entry, so that no rule judging its requests passes it unseen."""
        accounts = _Accounts(
            outputs={
                (match.group(1), match.group(2))
                for resource in self.resources
                if resource.type in (types.USER, types.GROUP, types.ROLE, types.POLICY)
                and isinstance(arn := resource.props.get("arn"), str)
                and (match := _IAM_ARN_ACCOUNT.match(arn))
            },
            documents=_accounts_named(
                document for principal in self.principals.values() for document in principal.documents
            ),
        )
        for resource in self.of_type(types.USER):
            user = self.principal("user", resource.iam_name or resource.urn)
            located, reason = self._user_arn(resource, user, accounts)
            if located is not None:
                self.user_arns[user.key] = located
            elif user.login_profiles:
                self.unresolved.append(Unresolved(resource.urn, "arn", reason))

    def _user_arn(
        self, resource: StackResource, user: Principal, accounts: _Accounts
    ) -> tuple[UserArn | None, str]:
        """The user's `arn` output when known; else built from its name, its `path` (default /) and the
        account the stack names (`_account_of`)."""
        arn = resource.props.get("arn")
        if isinstance(arn, str) and (match := _USER_ARN.match(arn)):
            return UserArn(match.group(1), match.group(2), match.group(3), match.group(4)), ""
        name = resource.iam_name
        if name is None:
            return None, f"the name of user '{resource.name}' is known only after the update"
        path = resource.props.get("path")
        if path is None or path == "":
            path = "/"
        if not isinstance(path, str) or types.is_unknown(path):
            return None, f"the path of user '{name}' is known only after the update"
        account, reason = self._account_of(user, accounts)
        if account is None:
            return None, reason
        return UserArn(account[0], account[1], path, name), ""

    def _account_of(self, user: Principal, accounts: _Accounts) -> tuple[tuple[str, str] | None, str]:
        """(partition, account) of a user whose ARN is not known yet: the one account of the stack's known
        IAM ARNs; else the one its own documents name for IAM users and MFA devices, or else for any IAM
        resource (another account's roles, say); else the one the stack's documents name; else a stand-in,
        when no document names any account (none can then tell accounts apart)."""
        own = self.effective_documents(user) + ([user.boundary] if user.boundary else [])
        candidates = (
            ("the ARNs of the stack's IAM resources", accounts.outputs),
            (f"the policies of {user.label}, for users", _accounts_named(own, ("user/", "mfa/"))),
            (f"the policies of {user.label}", _accounts_named(own)),
            ("the stack's policies", accounts.documents),
        )
        for where, named in candidates:
            if len(named) == 1:
                return next(iter(named)), ""
            if named:
                shown = ", ".join(sorted(account for _, account in named))
                return (
                    None,
                    f"the account of {user.label} is known only after the update ({where} name {shown})",
                )
        return ("aws", STAND_IN_ACCOUNT), ""


@dataclass(frozen=True)
class _Accounts:
    """(partition, account) pairs the stack names: in its resources' known ARNs, in its documents."""

    outputs: set[tuple[str, str]]
    documents: set[tuple[str, str]]


def _accounts_named(
    documents: Iterable[AttachedDocument], resource_types: tuple[str, ...] = ("",)
) -> set[tuple[str, str]]:
    """(partition, account) of every IAM ARN (of one of `resource_types`, by the start of the resource
    part) in the Resource and NotResource of the documents written for this stack (AWS's own documents
    name no account)."""
    accounts: set[tuple[str, str]] = set()
    for document in documents:
        if document.aws_managed:
            continue
        for statement in document.document.statements:
            for pattern in (*(statement.resources or ()), *(statement.not_resources or ())):
                match = _IAM_ARN_ACCOUNT.match(pattern)
                if match and pattern != IN_STACK_ARN and pattern[match.end() :].startswith(resource_types):
                    accounts.add((match.group(1), match.group(2)))
    return accounts


__all__ = [
    "PERMISSION_SET_KIND",
    "AttachedDocument",
    "Principal",
    "PrincipalKind",
    "StackModel",
    "StackResource",
    "Unresolved",
    "UserArn",
]
