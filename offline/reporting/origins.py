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

Identity Center's resources are traced to the lines of `identity_center` (origins_identity_center.py),
break-glass resources to those of `break_glass` (origins_break_glass.py).

Of the account baseline, the password policy comes from `password_policy`, an alarm subscription
from its address in `monitoring` and the account alias from `account.alias`; the baseline's other
resources and the stack itself have no config origin (reports place them on the `config:` line).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.iam_group import TYPE_TOKEN as GROUP_TYPE
from components.iam_user import TYPE_TOKEN as USER_TYPE
from components.role_tier import TYPE_TOKEN as ROLE_TIER_TYPE
from offline.reporting.origin_nodes import ConfigOrigin as ConfigOrigin
from offline.reporting.origin_nodes import Item as _Item
from offline.reporting.origin_nodes import Traced as _Traced
from offline.reporting.origin_nodes import collection_items as _items
from offline.reporting.origin_nodes import entries_of as _entries
from offline.reporting.origin_nodes import line_of as _line
from offline.reporting.origin_nodes import policy_arn_origin as _policy_arn_origin
from offline.reporting.origin_nodes import scalars_under as _scalars
from offline.reporting.origin_nodes import statements_traced as _statements_traced
from offline.reporting.origins_break_glass import trace_break_glass
from offline.reporting.origins_identity_center import trace_identity_center
from offline.running.engine import Registration, StackRun
from offline.running.stack_files import StackConfigNodes

# Which config collection each component is built from (components/config/defaults_merge.py `_COLLECTIONS`).
COLLECTION_OF_COMPONENT = {GROUP_TYPE: "groups", ROLE_TIER_TYPE: "role_tiers", USER_TYPE: "users"}
PASSWORD_POLICY_TYPE = "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"
# Baseline inputs whose value is written out in the stack file, and the config key that holds it.
_BASELINE_VALUES = {"endpoint": "monitoring", "accountAlias": "account"}


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
        # Resources of keys other than the collections (a break-glass user is a User component too).
        keyed = {**trace_identity_center(run, nodes), **trace_break_glass(run, nodes)}
        for registration in run.registrations:
            if registration.urn in traced:
                continue
            if registration.urn in keyed:
                traced[registration.urn] = keyed[registration.urn]
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
