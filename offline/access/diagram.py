"""A Mermaid flowchart of who reaches which role tier: users → groups → tiers, one subgraph per account.

Node ids are derived from names (letters, digits and `_` only, made unique deterministically) and every
label is quoted, so any IAM name renders on GitHub. Disabled users hold no group and are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from offline.access.model import AccessModel, TierRef, TrustEntry
from offline.reporting.markdown_text import mermaid_label

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
ASSUME_WITH_MFA = "assume (MFA)"
ASSUME_WITHOUT_MFA = "assume (no MFA)"
ASSUME_FEDERATED = "assume (federated)"  # OIDC or SAML: MFA is the identity provider's business
ASSUME_AS_SERVICE = "assume (service)"


@dataclass
class _Ids:
    """Stable, unique node ids: `alice.nguyen` and `alice_nguyen` do not collide."""

    taken: dict[str, str] = field(default_factory=dict)  # id -> the key it stands for
    by_key: dict[str, str] = field(default_factory=dict)

    def of(self, prefix: str, *parts: str) -> str:
        key = "/".join((prefix, *parts))
        if key not in self.by_key:
            base = "_".join((prefix, *(_UNSAFE.sub("_", part) for part in parts)))
            candidate, counter = base, 2
            while candidate in self.taken:
                candidate, counter = f"{base}_{counter}", counter + 1
            self.taken[candidate] = key
            self.by_key[key] = candidate
        return self.by_key[key]


def _label(text: str) -> str:
    return mermaid_label(text)


def _edge_label(mfa: bool) -> str:
    return _label(ASSUME_WITH_MFA if mfa else ASSUME_WITHOUT_MFA)


def _trust_edge_label(entry: TrustEntry) -> str:
    if entry.kind == "federated":
        return _label(ASSUME_FEDERATED)
    if entry.kind == "service":
        return _label(ASSUME_AS_SERVICE)
    return _edge_label(entry.mfa)


def _users_title(model: AccessModel) -> str:
    alias = f" {model.account_alias}" if model.account_alias else ""
    return f"users of account {model.account_id}{alias} (stack {model.stack})"


def _tier_label(tier: TierRef) -> str:
    return tier.arn if tier.account_id == "*" else tier.label


SUBGRAPHS = ("users", "groups", "trusted", "tiers")  # each kind of node in its own subgraph, in this order


class _Diagram:
    """Node declarations per kind of node, and the edges between nodes."""

    def __init__(self, model: AccessModel) -> None:
        self.model = model
        self.ids = _Ids()
        self.nodes: dict[str, dict[str, str]] = {kind: {} for kind in SUBGRAPHS}  # kind -> id -> declaration
        self.edges: dict[str, None] = {}  # in drawing order, each once

    def node(self, kind: str, node: str, declaration: str) -> str:
        self.nodes[kind].setdefault(node, declaration)
        return node

    def tier(self, tier: TierRef) -> str:
        node = self.ids.of("tier", tier.account_id, tier.arn if tier.account_id == "*" else tier.name)
        return self.node("tiers", node, f"{node}([{_label(_tier_label(tier))}])")

    def trusted(self, entry: TrustEntry) -> str:
        # The account and the ARN's resource part: unique, and short enough to read in the source.
        tail = () if entry.kind == "account" else (entry.principal.rsplit(":", 1)[-1],)
        node = self.ids.of("trusted", entry.kind, entry.account_id or "", *tail)
        return self.node("trusted", node, f"{node}[{_label(entry.label)}]")

    def lines(self) -> list[str]:
        titles = {
            "users": _users_title(self.model),
            "groups": "groups",
            "trusted": "trusted outside the groups",
            "tiers": "role tiers",
        }
        lines = []
        for kind in SUBGRAPHS:
            if self.nodes[kind]:
                lines.append(f"  subgraph {kind}[{_label(titles[kind])}]")
                lines.extend(f"    {declaration}" for declaration in self.nodes[kind].values())
                lines.append("  end")
        return [*lines, *(f"  {edge}" for edge in self.edges)]


def _group_order(model: AccessModel) -> list[str]:
    """Groups granting the most tiers first: their tiers then come first and do not cross the others'."""
    granting = {group.name: len({grant.tier for grant in group.tiers}) for group in model.groups}
    return sorted(granting, key=lambda name: (-granting[name], name))


def _tier_order(model: AccessModel, groups: list[str]) -> list[TierRef]:
    """Each tier after the first group that grants it, tiers shared with later groups last in that
    group's block (next to the later group), tiers no group grants at the end."""
    here = {tier.name: TierRef(model.account_id, tier.name, tier.arn, True) for tier in model.tiers}
    granted_by: dict[TierRef, list[int]] = {}
    for group in model.groups:
        for grant in group.tiers:
            ref = here.get(grant.tier.name, grant.tier) if grant.tier.local else grant.tier
            granted_by.setdefault(ref, []).append(groups.index(group.name))
    last = len(groups)
    refs = set(granted_by) | set(here.values())
    return sorted(
        refs,
        key=lambda ref: (
            min(granted_by.get(ref, [last])),
            max(granted_by.get(ref, [last])),
            _tier_label(ref),
        ),
    )


def render_diagram(model: AccessModel) -> str:
    """The fenced ```mermaid block, deterministic for a given model."""
    diagram = _Diagram(model)
    here = model.account_id
    groups = _group_order(model)
    by_name = {group.name: group for group in model.groups}
    for tier in _tier_order(model, groups):
        diagram.tier(tier)
    users = [user for user in model.users if not user.disabled]
    first_group = {
        user.name: min((groups.index(g) for g in user.groups if g in by_name), default=len(groups))
        for user in users
    }
    for user in sorted(users, key=lambda user: (first_group[user.name], user.name)):
        node = diagram.ids.of("user", user.name)
        diagram.node("users", node, f"{node}[{_label(user.name)}]")
        diagram.edges.update(
            (f"{node} --> {diagram.ids.of('group', group)}", None)
            for group in sorted(user.groups)
            if group in by_name
        )
    for name in groups:
        node = diagram.ids.of("group", name)
        diagram.node("groups", node, f"{node}[[{_label(name)}]]")
        for grant in by_name[name].tiers:
            target = diagram.tier(grant.tier)
            diagram.edges[f"{node} -->|{_edge_label(bool(grant.mfa))}| {target}"] = None
    for role in model.tiers:
        target = diagram.tier(TierRef(here, role.name, role.arn, True))
        for entry in role.trust:
            if entry.kind == "account" and entry.principal == here:
                continue  # this account's principals reach the tier through its groups, drawn above
            diagram.edges[f"{diagram.trusted(entry)} -->|{_trust_edge_label(entry)}| {target}"] = None
    return "\n".join(["```mermaid", "flowchart LR", *diagram.lines(), "```"])
