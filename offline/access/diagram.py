"""A Mermaid flowchart of who reaches which role tier: users → groups → tiers, one subgraph per account.

Node ids are derived from names (letters, digits and `_` only, made unique deterministically) and every
label is quoted, so any IAM name renders on GitHub. Disabled users hold no group and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from offline.access.identity_center import AccountRef, IdentityCenterAccess, SetAssignment
from offline.access.model import AccessModel, TierRef, TrustEntry
from offline.reporting.markdown_text import mermaid_label

_K = TypeVar("_K")
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


# Each kind of node in its own subgraph, in this order, so that each kind takes its own rank. Identity
# Center's come last: directory groups (and users assigned directly), permission sets, accounts.
SUBGRAPHS = ("users", "groups", "trusted", "tiers", "directory", "permsets", "accounts")


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
            "directory": "Identity Center directory",
            "permsets": "permission sets",
            "accounts": "accounts assigned",
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
    if model.identity_center is not None:
        _identity_center(diagram, model.identity_center)
    return "\n".join(["```mermaid", "flowchart LR", *diagram.lines(), "```"])


def _principal_key(assignment: SetAssignment) -> tuple[str, str]:
    return (assignment.principal_type, assignment.principal)


def _after(items: list[_K], neighbours: Mapping[_K, list[int]], last: int) -> list[_K]:
    """`items` each placed after its first (then last) neighbour on the previous rank, so that edges
    between the two ranks cross as little as this simple ordering can; ties keep `items`' order."""
    return sorted(
        items,
        key=lambda item: (min(neighbours.get(item) or [last]), max(neighbours.get(item) or [last])),
    )


def _identity_center_order(center: IdentityCenterAccess) -> tuple[list[tuple[str, str]], list[str]]:
    """Principals and permission sets in drawing order: principals with the most sets first, then each
    set after the first principal that uses it, and once more each principal after its first set (a
    user assigned directly sits next to the group of the same set)."""
    sets_of: dict[tuple[str, str], set[str]] = {}
    for assignment in center.assignments:
        sets_of.setdefault(_principal_key(assignment), set()).add(assignment.permission_set)
    principals = sorted(sets_of, key=lambda key: (-len(sets_of[key]), key[0] != "GROUP", key[1]))
    names = sorted(
        {entry.name for entry in center.permission_sets} | {a.permission_set for a in center.assignments}
    )
    for _ in range(2):
        used_by = {name: [principals.index(p) for p in principals if name in sets_of[p]] for name in names}
        sets = _after(names, used_by, len(principals))
        uses = {p: sorted(sets.index(name) for name in sets_of[p]) for p in principals}
        principals = _after(principals, uses, len(sets))
    used_by = {name: [principals.index(p) for p in principals if name in sets_of[p]] for name in names}
    return principals, _after(names, used_by, len(principals))


def _identity_center(diagram: _Diagram, center: IdentityCenterAccess) -> None:
    """Directory principals → permission sets → accounts: three ranks, each in its own subgraph.

    Each set gets its own node per account, beside it: with one node per account, many sets fanning
    into a few accounts drew edges through the neighbouring sets' boxes (mermaid-cli, the mgmt stack).
    """
    principals, sets = _identity_center_order(center)
    for kind, name in principals:
        prefix = "ic_group" if kind == "GROUP" else "ic_user"
        node = diagram.ids.of(prefix, name)
        label = name if kind == "GROUP" else f"user {name}"
        diagram.node(
            "directory", node, f"{node}[[{_label(label)}]]" if kind == "GROUP" else f"{node}[{_label(label)}]"
        )
    for name in sets:
        node = diagram.ids.of("pset", name)
        diagram.node("permsets", node, f"{node}([{_label(name)}])")
    for assignment in center.assignments:
        kind, name = _principal_key(assignment)
        source = diagram.ids.of("ic_group" if kind == "GROUP" else "ic_user", name)
        target = diagram.ids.of("pset", assignment.permission_set)
        diagram.edges[f"{source} --> {target}"] = None
    accounts_of: dict[str, set[AccountRef]] = {}
    for assignment in center.assignments:
        accounts_of.setdefault(assignment.permission_set, set()).update(assignment.accounts)
    for name in sets:
        source = diagram.ids.of("pset", name)
        for account in sorted(accounts_of.get(name, ()), key=lambda ref: ref.label):
            node = diagram.ids.of("account", name, account.account_id)
            diagram.node("accounts", node, f"{node}[{_label(account.label)}]")
            diagram.edges[f"{source} --> {node}"] = None
