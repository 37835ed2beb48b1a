"""Where in the stack file (or collection file) each resource comes from: the config line a report
points a finding at.

Resources are traced by what their inputs say, never by how they are named:

- a group, role tier or user component: the `- name:` line of the config item whose name its own
  IAM group, role or user is given;
- that IAM group, role or user: the same line;
- a policy attachment under it: the item's `managed_policies` entry whose ARN is its `policyArn`;
- an inline policy under it: the item's `statements` entry whose `sid` is a Sid of its document;
  with several such statements, the `statements:` key, unless a finding names one of their Sids;
- any other resource under it: the item's `- name:` line (so a group's `GroupMembership`, which
  lists the users whose `groups` name it, sits on the group's `- name:` line).
A collection's `defaults` stand in for a key the item does not set, as they do in the config.
A collection kept in a collection file (`iamtiers:users: {file: people/dev-users.yaml}`) is traced
to the lines of that file, with the same key paths.

Of the account baseline, the password policy comes from `password_policy`, an alarm subscription
from its address in `monitoring` and the account alias from `account.alias`; the baseline's other
resources and the stack itself have no config origin (reports place them on the `config:` line).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from components.config import managed_policy_arn
from components.iam_group import TYPE_TOKEN as GROUP_TYPE
from components.iam_user import TYPE_TOKEN as USER_TYPE
from components.role_tier import TYPE_TOKEN as ROLE_TIER_TYPE
from offline.running.engine import Registration, StackRun
from offline.running.stack_files import StackConfigNodes

# Which config collection each component is built from (components/config/defaults_merge.py `_COLLECTIONS`).
COLLECTION_OF_COMPONENT = {GROUP_TYPE: "groups", ROLE_TIER_TYPE: "role_tiers", USER_TYPE: "users"}
PASSWORD_POLICY_TYPE = "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"
# Baseline inputs whose value is written out in the stack file, and the config key that holds it.
_BASELINE_VALUES = {"endpoint": "monitoring", "accountAlias": "account"}


@dataclass(frozen=True)
class ConfigOrigin:
    """A line of the stack file, and the config key path on it (as `pulumi config --path` spells it)."""

    path: Path
    line: int  # 1-based
    key: str


@dataclass(frozen=True)
class _Traced:
    origin: ConfigOrigin
    by_sid: Mapping[str, ConfigOrigin] = field(default_factory=dict)  # several statements of one document


@dataclass(frozen=True)
class ResourceOrigins:
    """The config origin of each traced resource of a run, by URN."""

    stack_file: Path
    config_line: int  # the line of `config:`, where reports place what has no origin
    traced: Mapping[str, _Traced]

    def of(self, urn: str, finding: str = "") -> ConfigOrigin | None:
        """The resource's origin; for a document of several configured statements, the statement a
        finding names by its Sid, when it names exactly one."""
        traced = self.traced.get(urn)
        if traced is None:
            return None
        named = [sid for sid in traced.by_sid if re.search(rf"\b{re.escape(sid)}\b", finding)]
        return traced.by_sid[named[0]] if len(named) == 1 else traced.origin

    def placed(self, origin: ConfigOrigin | None) -> ConfigOrigin:
        """`origin` (what `of` found), or the `config:` line for a resource that has none."""
        return origin or ConfigOrigin(self.stack_file, self.config_line, "config")


# --- reading the composed YAML ----------------------------------------------------------------------


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _value(mapping: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """(key node, value node) of `key` in a mapping node; the last one wins, as in YAML."""
    if not isinstance(mapping, yaml.MappingNode):
        return None
    found = [(k, v) for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == key]
    return found[-1] if found else None


def _scalar(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _entries(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


@dataclass(frozen=True)
class _Item:
    """One entry of `groups`, `role_tiers` or `users`, with its collection's `defaults`."""

    path: Path
    key: str  # iamtiers:groups.items[2]
    node: yaml.Node
    name: str
    name_line: int
    defaults_key: str
    defaults: yaml.Node | None

    @property
    def origin(self) -> ConfigOrigin:
        return ConfigOrigin(self.path, self.name_line, self.key)

    def setting(self, name: str) -> tuple[str, yaml.Node, yaml.Node] | None:
        """(key path, key node, value node) of a setting: the item's own, else the defaults'."""
        for key, mapping in ((self.key, self.node), (self.defaults_key, self.defaults)):
            found = _value(mapping, name)
            if found is not None:
                return f"{key}.{name}", found[0], found[1]
        return None


def _items(nodes: StackConfigNodes, config_key: str) -> list[_Item]:
    if config_key not in nodes.keys:
        return []
    _, collection = nodes.keys[config_key]
    defaults = _value(collection, "defaults")
    items = _value(collection, "items")
    result: list[_Item] = []
    for index, node in enumerate(_entries(items[1] if items else None)):
        name = _value(node, "name")
        value = _scalar(name[1]) if name else None
        if name is None or value is None:
            continue
        result.append(
            _Item(
                nodes.file_of(config_key),
                f"{config_key}.items[{index}]",
                node,
                value,
                _line(name[0]),
                f"{config_key}.defaults",
                defaults[1] if defaults else None,
            )
        )
    return result


def _scalars(node: yaml.Node, key: str) -> Iterator[tuple[str, yaml.ScalarNode]]:
    """Every scalar under a node, with its key path."""
    if isinstance(node, yaml.ScalarNode):
        yield key, node
    elif isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            yield from _scalars(value, f"{key}.{key_node.value}")
    elif isinstance(node, yaml.SequenceNode):
        for index, entry in enumerate(node.value):
            yield from _scalars(entry, f"{key}[{index}]")


# --- matching inputs to config lines ------------------------------------------------------------------


def _statement_sids(document: Any) -> list[str]:
    """The Sids of a JSON policy document input (none when it is unknown or malformed)."""
    try:
        parsed = json.loads(document) if isinstance(document, str) else None
    except json.JSONDecodeError:
        return []
    statements = parsed.get("Statement") if isinstance(parsed, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return []
    return [s["Sid"] for s in statements if isinstance(s, dict) and isinstance(s.get("Sid"), str)]


def _policy_arn_origin(item: _Item, arn: Any) -> ConfigOrigin | None:
    setting = item.setting("managed_policies")
    if setting is None or not isinstance(arn, str):
        return None
    key, _, entries = setting
    for index, entry in enumerate(_entries(entries)):
        reference = _scalar(entry)
        if reference is not None and managed_policy_arn(reference) == arn:
            return ConfigOrigin(item.path, _line(entry), f"{key}[{index}]")
    return None


def _statements_traced(item: _Item, document: Any) -> _Traced | None:
    setting = item.setting("statements")
    sids = set(_statement_sids(document))
    if setting is None or not sids:
        return None
    key, key_node, entries = setting
    by_sid: dict[str, ConfigOrigin] = {}
    for index, entry in enumerate(_entries(entries)):
        sid = _value(entry, "sid")
        if sid is not None and _scalar(sid[1]) in sids:
            by_sid[str(_scalar(sid[1]))] = ConfigOrigin(item.path, _line(sid[0]), f"{key}[{index}]")
    if not by_sid:
        return None
    if len(by_sid) == 1:
        return _Traced(next(iter(by_sid.values())))
    return _Traced(ConfigOrigin(item.path, _line(key_node), key), by_sid)


def _under_item(registration: Registration, item: _Item) -> _Traced:
    """A resource of a component, traced to the closest line of the component's config item."""
    inputs = registration.inputs
    if registration.custom and inputs.get("name") == item.name:
        return _Traced(item.origin)  # the component's own IAM group, role or user
    if (origin := _policy_arn_origin(item, inputs.get("policyArn"))) is not None:
        return _Traced(origin)
    if (traced := _statements_traced(item, inputs.get("policy"))) is not None:
        return traced
    return _Traced(item.origin)


def _baseline(registration: Registration, nodes: StackConfigNodes, project: str) -> _Traced | None:
    """A resource outside the collections: traced where its inputs repeat a value of the stack file."""
    if registration.type == PASSWORD_POLICY_TYPE and f"{project}:password_policy" in nodes.keys:
        line, _ = nodes.keys[f"{project}:password_policy"]
        return _Traced(ConfigOrigin(nodes.path, line, f"{project}:password_policy"))
    for input_name, config_key in _BASELINE_VALUES.items():
        value = registration.inputs.get(input_name)
        qualified = f"{project}:{config_key}"
        if not isinstance(value, str) or qualified not in nodes.keys:
            continue
        for key, scalar in _scalars(nodes.keys[qualified][1], qualified):
            if scalar.value == value:
                return _Traced(ConfigOrigin(nodes.path, _line(scalar), key))
    return None


def _component_items(run: StackRun, nodes: StackConfigNodes) -> dict[str, _Item]:
    """Component URN -> its config item, found by the name its own IAM resource is given."""
    items = {
        component: _items(nodes, f"{run.project}:{collection}")
        for component, collection in COLLECTION_OF_COMPONENT.items()
    }
    # Indexed once: scanning every registration (or every item) per component grows as their product.
    # Only string names: an identity-store User's `name` is a mapping {givenName, familyName}.
    child_names = {
        parent: {
            name for child in children if child.custom and isinstance(name := child.inputs.get("name"), str)
        }
        for parent, children in run.children_by_parent().items()
    }
    first_of_name: dict[str, dict[Any, tuple[int, _Item]]] = {}
    for component, collection_items in items.items():
        by_name: dict[Any, tuple[int, _Item]] = {}
        for position, item in enumerate(collection_items):
            by_name.setdefault(item.name, (position, item))
        first_of_name[component] = by_name
    found: dict[str, _Item] = {}
    for registration in run.registrations:
        if registration.type not in items:
            continue
        by_name = first_of_name[registration.type]
        matches = [by_name[name] for name in child_names.get(registration.urn, ()) if name in by_name]
        if matches:
            found[registration.urn] = min(matches, key=lambda match: match[0])[1]
    return found


def trace_origins(nodes: StackConfigNodes, runs: Sequence[StackRun]) -> ResourceOrigins:
    """Trace every registration of `runs` to its config line; the first run that traces a URN wins,
    so pass the update run first (all its values are known) to give both modes the same lines."""
    traced: dict[str, _Traced] = {}
    for run in runs:
        items = _component_items(run, nodes)
        by_urn = {registration.urn: registration for registration in run.registrations}
        for registration in run.registrations:
            if registration.urn in traced:
                continue
            ancestor: Registration | None = registration
            while ancestor is not None and ancestor.urn not in items:
                ancestor = by_urn.get(ancestor.parent)
            if ancestor is registration:
                traced[registration.urn] = _Traced(items[registration.urn].origin)
            elif ancestor is not None:
                traced[registration.urn] = _under_item(registration, items[ancestor.urn])
            elif (baseline := _baseline(registration, nodes, run.project)) is not None:
                traced[registration.urn] = baseline
    return ResourceOrigins(nodes.path, nodes.config_line, traced)


def access_test_origins(nodes: StackConfigNodes, config_key: str) -> tuple[ConfigOrigin, ...]:
    """The line of each access test (`- principal:` of `iamtiers:access_tests[i]`), in order."""
    if config_key not in nodes.keys:
        return ()
    _, tests = nodes.keys[config_key]
    path = nodes.file_of(config_key)
    return tuple(
        ConfigOrigin(path, _line(node), f"{config_key}[{index}]")
        for index, node in enumerate(_entries(tests))
    )
