"""Break-glass resources traced to the lines of `iamtiers:break_glass` (see origins.py).

Every resource under the `BreakGlass` component sits on a line of that key, found by its inputs:

- a break-glass user and everything under it: the `users` entry whose `name` is its IAM user's name
  (the `users:` key when the users are the defaults' and so unlisted, else the key itself);
- the tier and everything under it: the `tier` line; the group and its resources: the `group` line;
- an SNS subscription: the `alarm_emails` entry of its address;
- the rest (the alarms, rules, filters and topics) and any setting left to its default: the
  `iamtiers:break_glass` key line.
"""

from __future__ import annotations

from collections.abc import Mapping

import yaml

from components.break_glass import TYPE_TOKEN as BREAK_GLASS_TYPE
from components.iam_group import TYPE_TOKEN as GROUP_TYPE
from components.iam_user import TYPE_TOKEN as USER_TYPE
from components.role_tier import TYPE_TOKEN as ROLE_TIER_TYPE
from offline.reporting.origin_nodes import ConfigOrigin, Traced, entries_of, line_of, scalar_of, value_of
from offline.running.engine import Registration, StackRun
from offline.running.stack_files import StackConfigNodes

IAM_USER = "aws:iam/user:User"
TOPIC_SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"


class _BreakGlassKey:
    def __init__(self, nodes: StackConfigNodes, key: str) -> None:
        line, self.node = nodes.keys[key]
        self.path = nodes.file_of(key)
        self.key = key
        self.origin = ConfigOrigin(self.path, line, key)

    def setting(self, name: str) -> ConfigOrigin:
        """The line of a setting of the key, or the key's own line when the setting is left out."""
        found = value_of(self.node, name)
        return ConfigOrigin(self.path, line_of(found[0]), f"{self.key}.{name}") if found else self.origin

    def entry(self, setting: str, matches: str | None, name_key: str | None) -> ConfigOrigin:
        """The list entry of `setting` that is (or whose `name_key` is) `matches`, else the setting's line."""
        found = value_of(self.node, setting)
        for index, entry in enumerate(entries_of(found[1] if found else None)):
            named = value_of(entry, name_key) if name_key else None
            node: yaml.Node | None = named[1] if named else (entry if name_key is None else None)
            if matches is not None and scalar_of(node) == matches:
                at = named[0] if named else entry
                return ConfigOrigin(self.path, line_of(at), f"{self.key}.{setting}[{index}]")
        return self.setting(setting)


def _own_user_name(registration: Registration, children: Mapping[str, list[Registration]]) -> str | None:
    user = next((c for c in children.get(registration.urn, []) if c.type == IAM_USER), None)
    name = user.inputs.get("name") if user is not None else None
    return name if isinstance(name, str) else None


def trace_break_glass(run: StackRun, nodes: StackConfigNodes) -> Mapping[str, Traced]:
    """URN -> origin of every resource under the `BreakGlass` component, when the stack file has the key."""
    qualified = f"{run.project}:break_glass"
    if qualified not in nodes.keys:
        return {}
    key = _BreakGlassKey(nodes, qualified)
    children = run.children_by_parent()
    traced: dict[str, Traced] = {}

    def walk(registration: Registration, origin: ConfigOrigin) -> None:
        if registration.type == USER_TYPE:
            origin = key.entry("users", _own_user_name(registration, children), "name")
        elif registration.type == ROLE_TIER_TYPE:
            origin = key.setting("tier")
        elif registration.type == GROUP_TYPE:
            origin = key.setting("group")
        elif registration.type == TOPIC_SUBSCRIPTION:
            endpoint = registration.inputs.get("endpoint")
            origin = key.entry("alarm_emails", endpoint if isinstance(endpoint, str) else None, None)
        traced[registration.urn] = Traced(origin)
        for child in children.get(registration.urn, []):
            walk(child, origin)

    for registration in run.registrations:
        if registration.type == BREAK_GLASS_TYPE:
            walk(registration, key.origin)
    return traced
