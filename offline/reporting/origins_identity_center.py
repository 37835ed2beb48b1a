"""Identity Center resources traced to the lines of `iamtiers:identity_center` (see origins.py).

Traced by their inputs, never by their names:

- a `PermissionSet` component and its children: the `permission_sets` item whose `name` (or
  `from_tier`) is its set's `name`, on that key's line (`- name:` or `- from_tier:`); under it
  - a managed policy attachment: the `managed_policies` entry of its `managedPolicyArn`;
  - the inline policy: the `statements` entry whose `sid` is a Sid of its `inlinePolicy` (several: the
    `statements:` key, unless a finding names one);
  - a customer-managed policy attachment: the `customer_managed_policies` entry of its name;
  - the boundary attachment: the `permissions_boundary` line;
  - an account assignment: the `assignments` item naming its group (or user), its set and its account;
  for a set `from_tier`, the policies are looked up in that tier's `role_tiers` item, where they are set;
- the `IdentityStore` component: the `iamtiers:identity_center` key; a directory group: its `groups`
  item; a user: its `users` item; a membership: the group's `members` entry of the user.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from components.identity_store import TYPE_TOKEN as IDENTITY_STORE_TYPE
from components.permission_set import TYPE_TOKEN as PERMISSION_SET_COMPONENT_TYPE
from offline.reporting.origin_nodes import (
    ConfigOrigin,
    Item,
    Traced,
    collection_items,
    entries_of,
    line_of,
    policy_arn_origin,
    scalar_of,
    statements_traced,
    value_of,
)
from offline.running.engine import Registration, StackRun
from offline.running.stack_files import StackConfigNodes

PERMISSION_SET_TYPE = "aws:ssoadmin/permissionSet:PermissionSet"
MANAGED_ATTACHMENT = "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment"
CUSTOMER_ATTACHMENT = "aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment"
INLINE_POLICY = "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy"
BOUNDARY_ATTACHMENT = "aws:ssoadmin/permissionsBoundaryAttachment:PermissionsBoundaryAttachment"
ACCOUNT_ASSIGNMENT = "aws:ssoadmin/accountAssignment:AccountAssignment"
DIRECTORY_GROUP = "aws:identitystore/group:Group"
DIRECTORY_USER = "aws:identitystore/user:User"
DIRECTORY_MEMBERSHIP = "aws:identitystore/groupMembership:GroupMembership"


class _Center:
    """The `iamtiers:identity_center` value's nodes, read once per trace."""

    def __init__(self, nodes: StackConfigNodes, key: str) -> None:
        line, self.node = nodes.keys[key]
        self.path = nodes.file_of(key)
        self.key = key
        self.origin = ConfigOrigin(self.path, line, key)

    def entries(self, setting: str) -> Iterator[tuple[int, yaml.Node]]:
        found = value_of(self.node, setting)
        yield from enumerate(entries_of(found[1] if found else None))

    def item(self, setting: str, index: int, node: yaml.Node, name_keys: tuple[str, ...]) -> Item | None:
        """The list entry as an `Item` named by the first of `name_keys` it sets, on that key's line."""
        for name_key in name_keys:
            found = value_of(node, name_key)
            if found is not None and (name := scalar_of(found[1])) is not None:
                key = f"{self.key}.{setting}[{index}]"
                return Item(self.path, key, node, name, line_of(found[0]), "", None)
        return None

    def items(self, setting: str, name_keys: tuple[str, ...]) -> dict[str, Item]:
        """The first entry of each name, as the config's duplicate checks leave one."""
        found: dict[str, Item] = {}
        for index, node in self.entries(setting):
            if (item := self.item(setting, index, node, name_keys)) is not None:
                found.setdefault(item.name, item)
        return found

    def accounts(self) -> dict[str, str]:
        found = value_of(self.node, "accounts")
        mapping = found[1] if found else None
        if not isinstance(mapping, yaml.MappingNode):
            return {}
        return {str(k.value): str(scalar_of(v)) for k, v in mapping.value if scalar_of(v) is not None}


def _input_name(registration: Registration | None, key: str) -> str | None:
    value = registration.inputs.get(key) if registration is not None else None
    return value if isinstance(value, str) else None


class _Tracer:
    def __init__(self, run: StackRun, nodes: StackConfigNodes, center: _Center) -> None:
        self.center = center
        self.by_urn = {registration.urn: registration for registration in run.registrations}
        self.children = run.children_by_parent()
        self.sets = center.items("permission_sets", ("name", "from_tier"))
        self.tiers = {item.name: item for item in collection_items(nodes, f"{run.project}:role_tiers")}
        self.groups = center.items("groups", ("name",))
        self.users = center.items("users", ("user_name",))
        self.account_ids = center.accounts()

    def source(self, registration: Registration, key: str) -> Registration | None:
        """The in-stack resource an input is built from (an identity-store id: its group or user)."""
        urns = registration.property_dependencies.get(key, [])
        return next((self.by_urn[urn] for urn in urns if urn in self.by_urn), None)

    def grants_item(self, item: Item) -> Item:
        """Where a set's policies are written: its own item, or its `from_tier` tier's."""
        from_tier = value_of(item.node, "from_tier")
        tier = scalar_of(from_tier[1]) if from_tier else None
        return self.tiers.get(tier, item) if tier is not None else item

    def permission_set(self, component: Registration, traced: dict[str, Traced]) -> None:
        children = self.children.get(component.urn, [])
        own = next((child for child in children if child.type == PERMISSION_SET_TYPE), None)
        item = self.sets.get(_input_name(own, "name") or "")
        if item is None:
            return
        traced[component.urn] = Traced(item.origin)
        grants = self.grants_item(item)
        for child in children:
            traced[child.urn] = self.set_member(child, item, grants) or Traced(item.origin)

    def set_member(self, child: Registration, item: Item, grants: Item) -> Traced | None:
        inputs = child.inputs
        if child.type == MANAGED_ATTACHMENT:
            origin = policy_arn_origin(grants, inputs.get("managedPolicyArn"))
            return Traced(origin) if origin else None
        if child.type == INLINE_POLICY:
            return statements_traced(grants, inputs.get("inlinePolicy"))
        if child.type == CUSTOMER_ATTACHMENT:
            return self.customer_policy(grants, inputs.get("customerManagedPolicyReference"))
        if child.type == BOUNDARY_ATTACHMENT:
            setting = grants.setting("permissions_boundary")
            return Traced(ConfigOrigin(grants.path, line_of(setting[1]), setting[0])) if setting else None
        if child.type == ACCOUNT_ASSIGNMENT:
            return self.assignment(child, item)
        return None

    @staticmethod
    def customer_policy(grants: Item, reference: Any) -> Traced | None:
        setting = grants.setting("customer_managed_policies")
        name = reference.get("name") if isinstance(reference, dict) else None
        if setting is None or not isinstance(name, str):
            return None
        key, _, entries = setting
        for index, entry in enumerate(entries_of(entries)):
            found = value_of(entry, "name")
            if found is not None and scalar_of(found[1]) == name:
                return Traced(ConfigOrigin(grants.path, line_of(found[0]), f"{key}[{index}]"))
        return None

    def assignment(self, child: Registration, item: Item) -> Traced | None:
        """The `assignments` item of this principal, set and account (the principal by the directory
        resource its id comes from; an external group's by its set and account alone)."""
        kind = "group" if child.inputs.get("principalType") == "GROUP" else "user"
        source = self.source(child, "principalId")
        principal = _input_name(source, "displayName" if kind == "group" else "userName")
        account = child.inputs.get("targetId")
        for index, node in self.center.entries("assignments"):
            named = value_of(node, kind)
            listed = value_of(node, "permission_set")
            accounts = value_of(node, "accounts")
            if named is None or listed is None or scalar_of(listed[1]) != item.name:
                continue
            if principal is not None and scalar_of(named[1]) != principal:
                continue
            references = [scalar_of(entry) for entry in entries_of(accounts[1] if accounts else None)]
            if account in {self.account_ids.get(str(r), r) for r in references if r is not None}:
                key = f"{self.center.key}.assignments[{index}]"
                return Traced(ConfigOrigin(self.center.path, line_of(named[0]), key))
        return None

    def directory(self, component: Registration, traced: dict[str, Traced]) -> None:
        traced[component.urn] = Traced(self.center.origin)
        for child in self.children.get(component.urn, []):
            traced[child.urn] = Traced(self.directory_member(child) or self.center.origin)

    def directory_member(self, child: Registration) -> ConfigOrigin | None:
        if child.type == DIRECTORY_GROUP:
            group = self.groups.get(_input_name(child, "displayName") or "")
            return group.origin if group else None
        if child.type == DIRECTORY_USER:
            user = self.users.get(_input_name(child, "userName") or "")
            return user.origin if user else None
        if child.type == DIRECTORY_MEMBERSHIP:
            group = self.groups.get(_input_name(self.source(child, "groupId"), "displayName") or "")
            member = _input_name(self.source(child, "memberId"), "userName")
            return self.member_entry(group, member) if group else None
        return None

    @staticmethod
    def member_entry(group: Item, member: str | None) -> ConfigOrigin:
        setting = group.setting("members")
        for index, entry in enumerate(entries_of(setting[2] if setting else None)):
            if setting is not None and scalar_of(entry) == member:
                return ConfigOrigin(group.path, line_of(entry), f"{setting[0]}[{index}]")
        return group.origin


def trace_identity_center(run: StackRun, nodes: StackConfigNodes) -> Mapping[str, Traced]:
    """URN -> origin of every Identity Center resource of `run` that the stack file's key traces."""
    key = f"{run.project}:identity_center"
    if key not in nodes.keys:
        return {}
    tracer = _Tracer(run, nodes, _Center(nodes, key))
    traced: dict[str, Traced] = {}
    for registration in run.registrations:
        if registration.type == PERMISSION_SET_COMPONENT_TYPE:
            tracer.permission_set(registration, traced)
        elif registration.type == IDENTITY_STORE_TYPE:
            tracer.directory(registration, traced)
    return traced
