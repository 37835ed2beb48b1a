"""The pieces of tracing a resource to its config line (offline/reporting/origins.py): a line and key
path (`ConfigOrigin`), the composed YAML's nodes read by key, a collection item with its defaults, and the
matching of a resource's policy inputs to the item's `managed_policies` and `statements` entries.

Kept apart so that each config key's tracing (origins.py, origins_identity_center.py,
origins_break_glass.py) shares them without an import cycle.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from components.config import managed_policy_arn
from offline.running.stack_files import StackConfigNodes


@dataclass(frozen=True)
class ConfigOrigin:
    """A line of the stack file, and the config key path on it (as `pulumi config --path` spells it)."""

    path: Path
    line: int  # 1-based
    key: str


@dataclass(frozen=True)
class Traced:
    origin: ConfigOrigin
    by_sid: Mapping[str, ConfigOrigin] = field(default_factory=dict)  # several statements of one document


# --- reading the composed YAML ----------------------------------------------------------------------


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def value_of(mapping: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """(key node, value node) of `key` in a mapping node; the last one wins, as in YAML."""
    if not isinstance(mapping, yaml.MappingNode):
        return None
    found = [(k, v) for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == key]
    return found[-1] if found else None


def scalar_of(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def entries_of(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


@dataclass(frozen=True)
class Item:
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
            found = value_of(mapping, name)
            if found is not None:
                return f"{key}.{name}", found[0], found[1]
        return None


def collection_items(nodes: StackConfigNodes, config_key: str) -> list[Item]:
    if config_key not in nodes.keys:
        return []
    _, collection = nodes.keys[config_key]
    defaults = value_of(collection, "defaults")
    items = value_of(collection, "items")
    result: list[Item] = []
    for index, node in enumerate(entries_of(items[1] if items else None)):
        name = value_of(node, "name")
        value = scalar_of(name[1]) if name else None
        if name is None or value is None:
            continue
        result.append(
            Item(
                nodes.file_of(config_key),
                f"{config_key}.items[{index}]",
                node,
                value,
                line_of(name[0]),
                f"{config_key}.defaults",
                defaults[1] if defaults else None,
            )
        )
    return result


def scalars_under(node: yaml.Node, key: str) -> Iterator[tuple[str, yaml.ScalarNode]]:
    """Every scalar under a node, with its key path."""
    if isinstance(node, yaml.ScalarNode):
        yield key, node
    elif isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            yield from scalars_under(value, f"{key}.{key_node.value}")
    elif isinstance(node, yaml.SequenceNode):
        for index, entry in enumerate(node.value):
            yield from scalars_under(entry, f"{key}[{index}]")


# --- matching inputs to config lines ------------------------------------------------------------------


def statement_sids(document: Any) -> list[str]:
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


def policy_arn_origin(item: Item, arn: Any) -> ConfigOrigin | None:
    setting = item.setting("managed_policies")
    if setting is None or not isinstance(arn, str):
        return None
    key, _, entries = setting
    for index, entry in enumerate(entries_of(entries)):
        reference = scalar_of(entry)
        if reference is not None and managed_policy_arn(reference) == arn:
            return ConfigOrigin(item.path, line_of(entry), f"{key}[{index}]")
    return None


def statements_traced(item: Item, document: Any) -> Traced | None:
    setting = item.setting("statements")
    sids = set(statement_sids(document))
    if setting is None or not sids:
        return None
    key, key_node, entries = setting
    by_sid: dict[str, ConfigOrigin] = {}
    for index, entry in enumerate(entries_of(entries)):
        sid = value_of(entry, "sid")
        if sid is not None and scalar_of(sid[1]) in sids:
            by_sid[str(scalar_of(sid[1]))] = ConfigOrigin(item.path, line_of(sid[0]), f"{key}[{index}]")
    if not by_sid:
        return None
    if len(by_sid) == 1:
        return Traced(next(iter(by_sid.values())))
    return Traced(ConfigOrigin(item.path, line_of(key_node), key), by_sid)
